// Receipts from Chromium to the consent ledger (issue 16): accept, reject,
// custom, withdrawal, and a receipt queued while the ledger was down, each
// stored once with the hash of the config the visitor saw; and the history
// the account panel shows from the ledger.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, test } from "node:test";
import { AxeBuilder } from "@axe-core/playwright";
import { startLedger, withConfig } from "../../scripts/ledger.mjs";
import { freshPage, launch, startServer } from "./harness.mjs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./harness.mjs";

let browser, server, plain, ledger, hook;
const dir = mkdtempSync(join(tmpdir(), "consentry-ledger-e2e-"));

before(async () => {
  server = await startServer({ onRequest: (...a) => hook(...a) });
  plain = await startServer();
  ledger = await startLedger({ origins: [server.url], dir });
  hook = withConfig(ledger.configText);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  await plain?.close();
  await ledger?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sha256 = (s) => createHash("sha256").update(s).digest("hex");
const expectedHash = (lang) => sha256(`consentry-config-v1\n${lang}\n${JSON.stringify(JSON.parse(ledger.configText))}`);

async function history(id) {
  const res = await fetch(`${ledger.url}/consent/records/${id}`);
  assert.equal(res.status, 200);
  return (await res.json()).events;
}

/** Waits (10 s at most) until the ledger holds `n` events for `id`. */
async function stored(id, n) {
  for (let i = 0; i < 100; i++) {
    const events = await history(id);
    if (events.length >= n) return events;
    await new Promise((r) => setTimeout(r, 100));
  }
  return history(id);
}

test("accept, custom, reject and withdrawal arrive in order with the config hash", async () => {
  const t = await freshPage(browser, server);
  await t.goto("/");
  await t.page.click('[data-consentry="banner"] [data-consentry-action="accept-all"]');
  const id = await t.page.evaluate(() => window.Consentry.get().id);
  await stored(id, 1);
  await t.page.evaluate(() => window.Consentry.set({ analytics: true, marketing: false }));
  await stored(id, 2);
  await t.page.evaluate(() => window.Consentry.rejectAll());
  await stored(id, 3);
  await t.page.evaluate(() => window.Consentry.reset());
  const events = await stored(id, 4);
  assert.equal(await t.page.evaluate(() => localStorage.getItem("consentry:ledger")), null, "the queue is empty");
  assert.deepEqual(
    events.map((e) => [e.kind, e.method]),
    [["decision", "accept-all"], ["decision", "custom"], ["decision", "reject-all"], ["withdrawal", "reject-all"]],
  );
  for (const e of events) {
    assert.equal(e.config_hash, expectedHash("en"));
    assert.equal(e.page, `${server.url}/`);
    assert.equal(e.ip, null, "no IP address by default");
  }
  assert.equal(events[1].categories.analytics, true);
  assert.equal(events[1].categories.marketing, false);
  t.assertNoErrors();
  await t.close();
});

test("a receipt made while the ledger is down is queued and delivered once on a later page view", async () => {
  const t = await freshPage(browser, server);
  await t.goto("/");
  await ledger.stop();
  await t.page.click('[data-consentry="banner"] [data-consentry-action="reject-all"]');
  await t.page.waitForFunction(() => JSON.parse(localStorage.getItem("consentry:ledger") || "[]").length === 1);
  const id = await t.page.evaluate(() => window.Consentry.get().id);
  // The same server back, same database, same port.
  ledger = await startLedger({ origins: [server.url], dir, port: ledger.port, database: ledger.database, build: false });
  await t.reload();
  await stored(id, 1);
  await t.page.waitForFunction(() => !localStorage.getItem("consentry:ledger"));
  await t.reload(); // nothing left to send: no second copy
  const events = await history(id);
  assert.equal(events.length, 1);
  assert.equal(events[0].method, "reject-all");
  assert.equal(events[0].config_hash, expectedHash("en"));
  await t.close();
});

test("without [ledger] endpoint nothing is sent", async () => {
  const t = await freshPage(browser, plain);
  const toLedger = [];
  t.page.on("request", (r) => {
    if (r.url().startsWith(ledger.url)) toLedger.push(r.url());
  });
  await t.goto("/");
  await t.page.click('[data-consentry="banner"] [data-consentry-action="accept-all"]');
  await t.page.evaluate(() => window.Consentry.reset());
  await t.reload();
  assert.deepEqual(toLedger, []);
  assert.equal(await t.page.evaluate(() => localStorage.getItem("consentry:ledger")), null);
  t.assertNoErrors();
  await t.close();
});

const PANEL = '[data-consentry="panel"]';
const HISTORY = `${PANEL} [data-consentry="history"]`;

/** The history rows as [kind, method, allowed], once there are `n` of them. */
async function rows(page, n) {
  await page.waitForFunction(
    ([sel, n]) => document.querySelectorAll(`${sel} tbody tr`).length === n,
    [HISTORY, n],
  );
  return page.$$eval(`${HISTORY} tbody tr`, (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)));
}

test("the account panel shows the ledger history, newest first, refreshed after a withdrawal", async () => {
  const t = await freshPage(browser, server);
  const { page } = t;
  await t.goto("/account");
  await page.locator(`${PANEL} [data-consentry="record"]`).waitFor();
  assert.equal(await page.locator(HISTORY).isVisible(), false, "no record yet: no history");
  await page.click('[data-consentry="banner"] [data-consentry-action="accept-all"]');
  assert.deepEqual((await rows(page, 1))[0].slice(0, 2), ["Choice saved", "Accepted all"]);
  await page.evaluate(() => window.Consentry.set({ analytics: true, marketing: false, settings: false }));
  const two = await rows(page, 2);
  assert.deepEqual(two.map((r) => r.slice(0, 2)), [["Choice saved", "Chosen in the preferences"], ["Choice saved", "Accepted all"]]);
  assert.equal(two[0][2], "Authorization, Security, Enhance stability, analytics and development");
  assert.match(two[1][2], /Marketing/);
  await page.click(`${PANEL} [data-consentry-action="withdraw"]`);
  const three = await rows(page, 3);
  assert.deepEqual(three.map((r) => r.slice(0, 2)), [
    ["Consent withdrawn", "Chosen in the preferences"],
    ["Choice saved", "Chosen in the preferences"],
    ["Choice saved", "Accepted all"],
  ]);
  // A heading names the table; each row is named by its date, in a <time>.
  assert.equal(await page.locator(`${HISTORY} h3`).textContent(), "Consent history");
  assert.equal(await page.getByRole("table", { name: "Consent history" }).count(), 1);
  assert.deepEqual(await page.$$eval(`${HISTORY} thead th`, (ths) => ths.map((th) => th.scope + " " + th.textContent)), ["col Date", "col Action", "col How", "col Allowed"]);
  const times = await page.$$eval(`${HISTORY} tbody th[scope=row] time`, (ts) => ts.map((x) => x.dateTime));
  assert.equal(times.length, 3);
  assert.ok(times.every((x) => !Number.isNaN(Date.parse(x))), times.join());
  const axe = await new AxeBuilder({ page }).include(PANEL).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
  assert.deepEqual(axe.violations.map((v) => `${v.id}: ${v.help}`), []);
  // The site's sticky header and the reopen control would cover the panel.
  await page.setViewportSize({ width: 900, height: 3000 });
  await page.addStyleTag({ content: '.site-header{position:static!important}[data-consentry="reopen"]{display:none!important}' });
  // A test run must not change the repository: the committed picture is
  // refreshed only when asked (CONSENTRY_SCREENSHOTS=1).
  const shot = process.env.CONSENTRY_SCREENSHOTS ? join(ROOT, "docs", "screenshots") : dir;
  await page.locator(PANEL).screenshot({ path: join(shot, "account-history.png") });
  t.assertNoErrors();
  await t.close();
});

test("what the ledger answers is shown as text, never as markup", async () => {
  const t = await freshPage(browser, server);
  const { page } = t;
  const evil = "<img src=x onerror=window.__pwned=1>";
  await page.route(`${ledger.url}/consent/records/**`, (route) =>
    route.fulfill({
      status: 200,
      headers: { "content-type": "application/json", "access-control-allow-origin": "*" },
      body: JSON.stringify({ consent_id: "x", events: [{ kind: evil, method: evil, sent: evil, categories: { [evil]: true, marketing: false } }, null, 7] }),
    }),
  );
  await t.goto("/account");
  await page.click('[data-consentry="banner"] [data-consentry-action="reject-all"]');
  const [first] = await rows(page, 3);
  assert.deepEqual(first, ["—", "—", "—"], "rows that are not objects show dashes");
  const cells = await page.$$eval(`${HISTORY} tbody tr:last-child > *`, (c) => c.map((x) => x.textContent));
  assert.deepEqual(cells, [evil, evil, evil, evil]);
  assert.equal(await page.locator(`${HISTORY} img`).count(), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  await t.close();
});

test("when the ledger cannot be reached the panel says so, in the panel's language", async () => {
  const t = await freshPage(browser, server);
  const { page } = t;
  await page.route(`${ledger.url}/consent/records/**`, (route) => route.abort());
  await page.route(t.url("/account"), async (route) => {
    const res = await route.fetch();
    route.fulfill({ response: res, body: (await res.text()).replace('<html lang="en">', '<html lang="ru">') });
  });
  await t.goto("/account");
  await page.click('[data-consentry="banner"] [data-consentry-action="accept-all"]');
  const note = page.locator(`${HISTORY} .cst-note`);
  await note.waitFor();
  assert.equal(await page.locator(`${HISTORY} h3`).textContent(), "История согласий");
  assert.match(await note.textContent(), /не удаётся показать/);
  assert.equal(await page.locator(`${HISTORY} table`).count(), 0);
  await t.close();
});
