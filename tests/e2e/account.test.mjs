// Consent that follows the account (issue 17): two browser contexts are two
// devices of one signed-in visitor, against a real consentry-server. A
// decision on one applies on the other without a banner; a withdrawal in
// the account panel reaches the other at its next page view; forged,
// expired and other-account tokens change nothing. Tokens are minted here
// with node:crypto from the documented format, as any backend would.

import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { AxeBuilder } from "@axe-core/playwright";
import { demoEmail, mintToken, seedDecision, startLedger, withConfig } from "../../scripts/ledger.mjs";
import { ROOT, freshPage, launch, startServer } from "./harness.mjs";

const SECRET = "e2e-account-secret-0123456789abcdef";
let browser, server, ledger;
const dir = mkdtempSync(join(tmpdir(), "consentry-account-e2e-"));

/** v1.<account b64url>.<expiry>.<HMAC-SHA256 b64url> (README, "Consent ledger"). */
function mint(account, { ttl = 600, secret = SECRET } = {}) {
  const signed = `v1.${Buffer.from(account).toString("base64url")}.${Math.floor(Date.now() / 1000) + ttl}`;
  return `${signed}.${createHmac("sha256", secret).update(signed).digest("base64url")}`;
}

before(async () => {
  // Pages get the ledger config; `?t=TOKEN` plays the site's backend
  // putting the signed-in visitor's token into it.
  server = await startServer({
    onRequest(req, res, ctx) {
      const config = JSON.parse(ledger.configText);
      const q = new URL(req.url, "http://x").searchParams;
      const t = q.get("t");
      if (t) config.ledger.account = t;
      // `?lang=ru`: the page in another language (served, not routed, so
      // the browser treats the ledger's address as it would in real life).
      const lang = q.get("lang");
      if (lang) {
        const end = res.end.bind(res);
        res.end = (body) => end(String(body).replace('<html lang="en">', `<html lang="${lang}">`));
      }
      return withConfig(JSON.stringify(config, null, 2))(req, res, ctx);
    },
  });
  ledger = await startLedger({ dir, env: { CONSENTRY_ACCOUNT_SECRET: SECRET }, origins: [server.url] });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  await ledger?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A device: its own context, counting consentry's events on each page. */
async function device() {
  const t = await freshPage(browser, server);
  await t.context.addInitScript(() => {
    window.__events = [];
    addEventListener("consentry:change", (e) => window.__events.push("change:" + e.detail.method));
    addEventListener("consentry:reset", () => window.__events.push("reset"));
    // Whether the first layer was on screen in any frame of this page view.
    window.__bannerSeen = false;
    const look = () => {
      const b = document.querySelector('[data-consentry="banner"]');
      if (b && b.checkVisibility()) window.__bannerSeen = true;
      requestAnimationFrame(look);
    };
    requestAnimationFrame(look);
  });
  t.cookie = async () => (await t.context.cookies()).find((c) => c.name === "consentry")?.value ?? null;
  t.events = () => t.page.evaluate(() => window.__events);
  return t;
}

/** The account's latest event, once `ok(body)` holds (10 s at most). */
async function accountHas(token, ok) {
  let body;
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${ledger.url}/consent/account`, { headers: { Authorization: `Bearer ${token}` } });
    body = res.status === 200 ? await res.json() : null;
    if (body && ok(body)) return body;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`the account never reached the expected state: ${JSON.stringify(body)}`);
}

/** Opens `path` signed in with `token` and waits for the ledger's answer. */
async function signedIn(t, path, token) {
  const answered = t.page.waitForResponse((r) => r.url() === `${ledger.url}/consent/account` && r.request().method() === "GET");
  await t.goto(`${path}${path.includes("?") ? "&" : "?"}t=${encodeURIComponent(token)}`);
  return answered;
}

const BANNER = '[data-consentry="banner"]';
const PANEL = '[data-consentry="panel"]';
const onlyRefusals = (t) => t.errors.filter((e) => !/status of 401/.test(e));

test("a decision on one device applies on the other without a banner; a withdrawal in the panel follows", async () => {
  const alice = mint("alice@example.com");
  const a = await device();
  const b = await device();
  // Device A, signed in: no decision anywhere yet, so the banner asks.
  assert.equal((await signedIn(a, "/", alice)).status(), 204);
  await a.page.locator(`${BANNER} [data-consentry-action="open-preferences"]`).click();
  await a.page.evaluate(() => window.Consentry.set({ analytics: true, marketing: false, settings: true }));
  const made = await a.page.evaluate(() => window.Consentry.get());
  await accountHas(alice, (x) => x.record.updated === made.updated && x.record.categories.analytics === true);

  // Device B, signed in as the same account: taken over, not asked.
  await signedIn(b, "/", alice);
  await b.page.waitForFunction(() => window.Consentry.get()?.method === "account");
  const got = await b.page.evaluate(() => window.Consentry.get());
  assert.deepEqual(got.categories, made.categories);
  assert.equal(got.updated, made.updated);
  assert.notEqual(got.id, made.id, "each device keeps its own receipt id");
  assert.equal(await b.page.locator(BANNER).isVisible(), false, "no banner on the second device");
  assert.equal(await b.page.evaluate(() => window.__bannerSeen), false, "not even for a frame while the ledger answered");
  assert.deepEqual(await b.events(), ["change:account"]);
  assert.match(await b.cookie(), /\.u\./, "stored with method account");
  assert.equal(await b.page.evaluate(() => window.Consentry.allowed("analytics")), true);
  // B's copy reaches the ledger too, linked to the account.
  await b.page.waitForFunction(() => !localStorage.getItem("consentry:ledger"));
  // The next page view on B changes nothing: it is already up to date.
  await signedIn(b, "/", alice);
  assert.deepEqual(await b.events(), []);

  // Device A withdraws in its account panel.
  await signedIn(a, "/account", alice);
  await a.page.locator(`${PANEL} [data-consentry-action="withdraw"]`).click();
  await accountHas(alice, (x) => x.kind === "withdrawal");
  // B's next page view: withdrawn there too, and asked again.
  await signedIn(b, "/", alice);
  await b.page.waitForFunction(() => window.__events.includes("reset"));
  assert.equal(await b.page.evaluate(() => window.Consentry.get()), null);
  assert.equal(await b.cookie(), null);
  await b.page.locator(BANNER).waitFor({ state: "visible" });

  // A decides again (a change in the panel): B takes it over at its next view.
  await a.page.locator(`${PANEL} [data-consentry-action="reject-all"]`).click();
  const again = await a.page.evaluate(() => window.Consentry.get());
  await accountHas(alice, (x) => x.kind === "decision" && x.record.id === again.id);
  await signedIn(b, "/", alice);
  await b.page.waitForFunction(() => window.Consentry.get()?.method === "account");
  assert.equal(await b.page.evaluate(() => window.Consentry.allowed("analytics")), false);
  assert.equal(await b.page.locator(BANNER).isVisible(), false);
  a.assertNoErrors();
  b.assertNoErrors();
  await a.close();
  await b.close();
});

test("forged, expired and other-account tokens change nothing on the device", async () => {
  const carol = mint("carol@example.com");
  const a = await device();
  await signedIn(a, "/", carol);
  await a.page.locator(`${BANNER} [data-consentry-action="accept-all"]`).click();
  const made = await a.page.evaluate(() => window.Consentry.get());
  await accountHas(carol, (x) => x.record.id === made.id);

  // Device B decided on its own, differently and earlier.
  const b = await device();
  await b.goto("/");
  await b.page.locator(`${BANNER} [data-consentry-action="reject-all"]`).click();
  const mine = await b.page.evaluate(() => window.Consentry.get());
  const cookie = await b.cookie();
  // Make carol's decision the newer one, so a valid token would apply it.
  await new Promise((r) => setTimeout(r, 1100));
  await a.page.evaluate(() => window.Consentry.set({ settings: false }));
  const newer = await a.page.evaluate(() => window.Consentry.get());
  await accountHas(carol, (x) => x.record.updated === newer.updated);
  assert.ok(Date.parse(newer.updated) > Date.parse(mine.updated));

  // One tag character changed, keeping the token's shape: the last
  // base64url character of a 32-byte tag carries two zero bits, so it is
  // left alone (a 'B' there would be refused for its shape instead).
  const forged = carol.slice(0, -2) + (carol.at(-2) === "A" ? "B" : "A") + carol.at(-1);
  const tokens = {
    expired: mint("carol@example.com", { ttl: -5 }),
    forged,
    "another secret": mint("carol@example.com", { secret: "not-the-ledger-secret-0123456789ab" }),
    "other account": mint("dave@example.com"),
  };
  for (const [name, token] of Object.entries(tokens)) {
    const res = await signedIn(b, "/", token);
    assert.equal(res.status(), name === "other account" ? 204 : 401, name);
    assert.equal(await b.cookie(), cookie, `${name}: the cookie is unchanged`);
    assert.deepEqual(await b.page.evaluate(() => window.Consentry.get()), mine, name);
    assert.deepEqual(await b.events(), [], `${name}: no event`);
    assert.equal(await b.page.locator(BANNER).isVisible(), false, name);
  }
  assert.deepEqual(onlyRefusals(b), []);
  // The real token still works afterwards.
  await signedIn(b, "/", carol);
  await b.page.waitForFunction(() => window.Consentry.get()?.method === "account");
  await a.close();
  await b.close();
});

test("a signed-in account panel: all devices, email tracking under marketing, in en and ru", async () => {
  for (const lang of ["en", "ru"]) {
    const erin = mint(`erin-${lang}@example.com`);
    const t = await device();
    const { page } = t;
    await signedIn(t, `/account?lang=${lang}`, erin);
    await page.locator(`${PANEL} [data-consentry="record"]`).waitFor();
    await page.locator(`${BANNER} [data-consentry-action="accept-all"]`).click();
    const note = page.locator(`${PANEL} [data-consentry="account"]`);
    const email = page.locator(`${PANEL} [data-consentry="email"]`);
    await email.waitFor();
    const words = {
      en: [/apply on all your devices/, /^Email tracking .*: allowed$/, /: not allowed$/],
      ru: [/на всех ваших устройствах/, /^Отслеживание писем .*: разрешено$/, /: не разрешено$/],
    }[lang];
    assert.match(await note.textContent(), words[0]);
    await page.waitForFunction(([sel, re]) => new RegExp(re).test(document.querySelector(sel).textContent), [`${PANEL} [data-consentry="email"]`, words[1].source]);
    // Under the marketing switch, and part of its accessible description.
    const sw = page.locator(`${PANEL} input[data-consentry-category="marketing"]`);
    assert.equal(await sw.evaluate((i, id) => i.closest("li").contains(document.getElementById(id)), await email.getAttribute("id")), true);
    assert.ok((await sw.getAttribute("aria-describedby")).split(" ").includes(await email.getAttribute("id")));
    await sw.uncheck();
    await page.locator(`${PANEL} [data-consentry-action="save"]`).click();
    await page.waitForFunction(([sel, re]) => new RegExp(re).test(document.querySelector(sel).textContent), [`${PANEL} [data-consentry="email"]`, words[2].source]);
    const axe = await new AxeBuilder({ page }).include(PANEL).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
    assert.deepEqual(axe.violations.map((v) => `${v.id}: ${v.help}`), []);
    await page.setViewportSize({ width: 900, height: 3000 });
    await page.addStyleTag({ content: '.site-header{position:static!important}[data-consentry="reopen"]{display:none!important}' });
    const shot = process.env.CONSENTRY_SCREENSHOTS ? join(ROOT, "docs", "screenshots") : dir;
    await page.locator(PANEL).screenshot({ path: join(shot, `account-devices-${lang}.png`) });
    t.assertNoErrors();
    await t.close();
  }
});

test("without a token the page asks the ledger nothing about accounts", async () => {
  const t = await device();
  const asked = [];
  t.page.on("request", (r) => {
    if (r.url().endsWith("/consent/account")) asked.push(r.url());
  });
  await t.goto("/account");
  await t.page.locator(`${BANNER} [data-consentry-action="accept-all"]`).click();
  await t.page.waitForFunction(() => !localStorage.getItem("consentry:ledger"));
  assert.deepEqual(asked, []);
  assert.equal(await t.page.locator(`${PANEL} [data-consentry="account"]`).count(), 0);
  assert.equal(await t.page.locator(`${PANEL} [data-consentry="email"]`).count(), 0);
  t.assertNoErrors();
  await t.close();
});

test("the demo's sample email: its pixel counts the reader who allowed marketing, not the one who refused", async () => {
  // The tokens npm start mints with `consentry-server token`.
  const you = mintToken(ledger, "email-you@example.com");
  const declined = mintToken(ledger, "email-declined@example.com");
  await seedDecision(ledger, you, { marketing: true });
  await seedDecision(ledger, declined, {});
  const admin = "e2e-admin-token-for-the-demo-email";
  // The admin endpoints need the admin token: restart the ledger with one.
  await ledger.stop();
  ledger = await startLedger({ dir, env: { ...ledger.env, CONSENTRY_ADMIN_TOKEN: admin }, origins: [server.url], port: ledger.port, database: ledger.database, build: false });
  const site = await startServer({ onRequest: demoEmail({ ledger, you, declined, adminToken: admin, site: server.url }) });
  try {
    const t = await freshPage(browser, site);
    const pixels = [];
    t.page.on("response", (r) => {
      if (r.url().includes("/px/spring-demo/")) pixels.push(r.status());
    });
    await t.goto("/email", { ready: false });
    await t.page.waitForFunction(() => document.getElementById("opens").textContent !== "…");
    assert.deepEqual(pixels, [200, 200]);
    assert.equal(await t.page.locator("#opens").textContent(), "1", "one consented open of two");
    assert.equal(await t.page.locator(".demo-off").count(), 0);
    const href = await t.page.locator(".email a").getAttribute("href");
    assert.ok(href.startsWith(`${ledger.url}/r/spring-demo/`), href);
    const axe = await new AxeBuilder({ page: t.page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    assert.deepEqual(axe.violations.map((v) => `${v.id}: ${v.help}`), []);
    t.assertNoErrors();
    await t.close();
  } finally {
    await site.close();
  }
});
