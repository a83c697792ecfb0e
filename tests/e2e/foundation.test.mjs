// The demo page (www/index.html) through a visitor's eyes: the first layer,
// keyboard access, reject and accept, and what runs when. Every third-party
// request is answered locally and counted (see harness.mjs); the demo's
// stand-ins in www/third-party/ log into window.__demoLog when they run.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  configuredMaxAgeDays,
  consentCookie,
  deepActive,
  freshPage,
  launch,
  settle,
  startServer,
  tabTo,
} from "./harness.mjs";

const BANNER = '[data-consentry="banner"]';
const PREFERENCES = '[data-consentry="preferences"]';
const PLACEHOLDER = '[data-consentry="placeholder"]';
const action = (name) => `[data-consentry-action="${name}"]`;
const DEFAULT_IDS = ["analytics", "authorization", "marketing", "security", "settings"];
const REQUIRED = ["authorization", "security"];

let browser;
let server;

before(async () => {
  [browser, server] = await Promise.all([launch(), startServer()]);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Runs body with a fresh visitor; always checks for page errors and closes. */
async function visit(body) {
  const t = await freshPage(browser, server);
  try {
    await body(t);
    t.assertNoErrors();
  } finally {
    await t.close();
  }
}

const demoLog = (page) => page.evaluate(() => (Array.isArray(window.__demoLog) ? [...window.__demoLog] : []));
const consent = (page) => page.evaluate(() => window.Consentry.get());
const allowed = (page, id) => page.evaluate((c) => window.Consentry.allowed(c), id);

/**
 * What the gated scripts of the page will log, in document order, by the
 * demo's convention: an external /third-party/NAME.js of category C logs
 * "C:NAME.js"; the inline gtag('config') call logs "analytics:config".
 */
function expectedScriptLog(page, categories) {
  return page.evaluate((cats) => {
    const out = [];
    for (const s of document.querySelectorAll("script[data-category]")) {
      const cat = s.getAttribute("data-category");
      if (cats && !cats.includes(cat)) continue;
      const src = s.getAttribute("src");
      if (src) out.push(`${cat}:${src.split("?")[0].split("/").pop()}`);
      else if (/gtag\(\s*['"]config['"]/.test(s.textContent || "")) out.push(`${cat}:config`);
    }
    return out;
  }, categories ?? null);
}

const SCRIPT_ENTRY = /^[a-z]+:(?:[\w.-]+\.js|config)$/;

async function waitForLog(page, n) {
  await page.waitForFunction(
    (count) => Array.isArray(window.__demoLog) && window.__demoLog.filter((e) => /^[a-z]+:(?:[\w.-]+\.js|config)$/.test(e)).length >= count,
    n,
    { timeout: 10_000 },
  );
}

describe("first visit", () => {
  test("shows the first layer and makes no third-party request", async () => {
    await visit(async (t) => {
      await t.goto("/");
      await t.page.locator(BANNER).waitFor({ state: "visible" });
      for (const name of ["accept-all", "reject-all", "open-preferences"]) {
        assert.ok(await t.page.locator(`${BANNER} ${action(name)}`).isVisible(), `${name} button visible in the banner`);
      }
      await settle(500);
      assert.deepEqual(t.thirdParty.urls(), [], "no third-party request before a decision");
      assert.deepEqual(await demoLog(t.page), [], "no gated script ran");
      assert.equal(await consent(t.page), null, "get() is null before a decision");

      // The gated elements are still inert.
      const state = await t.page.evaluate(() => ({
        scripts: [...document.querySelectorAll('script[data-category]')].map((s) => s.type),
        imgSrc: document.querySelector("img[data-category]")?.getAttribute("src") ?? null,
        iframeSrc: document.querySelector("iframe[data-category]")?.getAttribute("src") ?? null,
      }));
      assert.ok(state.scripts.length >= 3, "the demo has gated scripts");
      assert.ok(state.scripts.every((type) => type === "text/plain"), `gated scripts stay text/plain: ${state.scripts}`);
      assert.equal(state.imgSrc, null, "the pixel has no src");
      assert.ok(state.iframeSrc === null || state.iframeSrc === "about:blank", `iframe src stays empty, got ${state.iframeSrc}`);
      assert.ok(await t.page.locator(PLACEHOLDER).first().isVisible(), "the blocked iframe shows a placeholder");
    });
  });

  test("the banner's buttons are reached with Tab from the top of the page", async () => {
    await visit(async (t) => {
      await t.goto("/");
      await t.page.locator(BANNER).waitFor({ state: "visible" });
      const seen = new Set();
      const wanted = ["accept-all", "reject-all", "open-preferences"];
      for (let i = 0; i < 80 && !wanted.every((w) => seen.has(w)); i++) {
        await t.page.keyboard.press("Tab");
        const a = await deepActive(t.page);
        if (a?.action) seen.add(a.action);
      }
      assert.deepEqual(wanted.filter((w) => !seen.has(w)), [], `Tab reached: ${[...seen].join(", ") || "none"}`);
    });
  });

  test("Enter on reject-all decides and closes the banner", async () => {
    await visit(async (t) => {
      await t.goto("/");
      await t.page.locator(BANNER).waitFor({ state: "visible" });
      await tabTo(t.page, "reject-all");
      await t.page.keyboard.press("Enter");
      await t.page.locator(BANNER).waitFor({ state: "hidden" });
      assert.equal((await consent(t.page))?.method, "reject-all");
    });
  });

  test("the demo's status box follows a decision and a withdrawal", async () => {
    await visit(async (t) => {
      await t.goto("/");
      await t.page.locator(BANNER).waitFor({ state: "visible" });
      const summary = t.page.locator("#consent-summary");
      await t.page.locator(`${BANNER} [data-consentry-action="accept-all"]`).click();
      await t.page.waitForFunction(() => document.getElementById("consent-summary").textContent === "You accepted all categories.");
      await t.page.evaluate(() => window.Consentry.reset());
      assert.equal(await summary.textContent(), "No decision yet: everything optional is blocked.");
    });
  });

  test("Space on accept-all decides and closes the banner", async () => {
    await visit(async (t) => {
      await t.goto("/");
      await t.page.locator(BANNER).waitFor({ state: "visible" });
      await tabTo(t.page, "accept-all");
      await t.page.keyboard.press("Space");
      await t.page.locator(BANNER).waitFor({ state: "hidden" });
      assert.equal((await consent(t.page))?.method, "accept-all");
    });
  });

  test("Enter on open-preferences shows the second layer", async () => {
    await visit(async (t) => {
      await t.goto("/");
      await t.page.locator(BANNER).waitFor({ state: "visible" });
      await tabTo(t.page, "open-preferences");
      await t.page.keyboard.press("Enter");
      await t.page.locator(PREFERENCES).waitFor({ state: "visible" });
      for (const id of DEFAULT_IDS) {
        const box = t.page.locator(`${PREFERENCES} input[type="checkbox"][data-consentry-category="${id}"]`);
        assert.equal(await box.count(), 1, `one checkbox for ${id}`);
        const required = REQUIRED.includes(id);
        assert.equal(await box.isChecked(), required, `${id} checked only if required`);
        assert.equal(await box.isDisabled(), required, `${id} disabled only if required`);
      }
      assert.equal(await consent(t.page), null, "opening preferences is not a decision");
      assert.equal(t.thirdParty.count(), 0);
    });
  });
});

describe("reject all", () => {
  test("stores the consent cookie, and after reload shows no banner and loads nothing", async () => {
    await visit(async (t) => {
      await t.goto("/");
      await t.page.locator(`${BANNER} ${action("reject-all")}`).click();
      await t.page.locator(BANNER).waitFor({ state: "hidden" });

      const cookie = await consentCookie(t.context);
      assert.ok(cookie, "a cookie named consentry exists");
      assert.equal(cookie.path, "/");
      assert.equal(cookie.sameSite, "Lax");
      assert.equal(cookie.secure, false, "no Secure flag over plain http");
      const days = configuredMaxAgeDays();
      const expected = Date.now() / 1000 + days * 86400;
      assert.ok(Math.abs(cookie.expires - expected) < 86400, `expires in ~${days} days (got ${new Date(cookie.expires * 1000).toISOString()})`);

      const record = await consent(t.page);
      assert.equal(record.method, "reject-all");
      for (const id of DEFAULT_IDS) assert.equal(record.categories[id], REQUIRED.includes(id), `categories.${id}`);

      await t.reload();
      await settle(500);
      assert.equal(await t.page.locator(BANNER).isVisible(), false, "no banner after reload");
      const again = await consent(t.page);
      assert.equal(again?.method, "reject-all", "the decision survived the reload");
      assert.equal(again.id, record.id, "same receipt id after reload");
      assert.equal(await allowed(t.page, "analytics"), false);
      assert.equal(await allowed(t.page, "marketing"), false);
      assert.equal(await allowed(t.page, "security"), true);
      assert.deepEqual(t.thirdParty.urls(), [], "no third-party request on either load");
      assert.deepEqual(await demoLog(t.page), [], "no gated script ran");
    });
  });
});

describe("accept all", () => {
  test("runs the gated scripts in document order and loads the marketing embeds", async () => {
    await visit(async (t) => {
      await t.goto("/");
      const expected = await expectedScriptLog(t.page);
      assert.ok(expected.length >= 3 && expected[0] === "analytics:gtag.js" && expected[1] === "analytics:config",
        `the demo's gated scripts are known: ${expected}`);
      const srcOrder = await t.page.evaluate(() =>
        [...document.querySelectorAll("script[data-category][src]")].map((s) => new URL(s.getAttribute("src"), location.href).pathname));

      await t.page.locator(`${BANNER} ${action("accept-all")}`).click();
      await t.page.locator(BANNER).waitFor({ state: "hidden" });
      await waitForLog(t.page, expected.length);
      // The embeds log asynchronously (iframe message, image load).
      await t.page.waitForFunction(() => ["marketing:video", "marketing:pixel"].every((e) => (window.__demoLog || []).includes(e)), null, { timeout: 10_000 });
      await settle(300);

      const log = await demoLog(t.page);
      assert.deepEqual(log.filter((e) => SCRIPT_ENTRY.test(e)), expected, "gated scripts ran once each, in document order");

      const scriptRequests = t.thirdParty.requests.filter((r) => r.type === "script" && !r.url.includes("/third-party/video"));
      assert.deepEqual(scriptRequests.map((r) => new URL(r.url).pathname), srcOrder, "external gated scripts requested in document order, once each");
      assert.equal(t.thirdParty.count("/third-party/video.html"), 1, "the iframe loaded once");
      assert.equal(t.thirdParty.count("/third-party/pixel.gif"), 1, "the pixel loaded once");
      assert.equal(await t.page.locator(PLACEHOLDER).count() > 0 && await t.page.locator(PLACEHOLDER).first().isVisible(), false,
        "the placeholder is gone");

      const r = await consent(t.page);
      assert.equal(r.method, "accept-all");
      assert.deepEqual(Object.keys(r.categories).sort(), DEFAULT_IDS);
      for (const [id, on] of Object.entries(r.categories)) {
        assert.equal(on, true, `categories.${id}`);
        assert.equal(await allowed(t.page, id), true, `allowed(${id})`);
      }
      assert.equal(typeof r.id, "string");
      assert.ok(r.id.length >= 8, `receipt id looks random: ${r.id}`);
      assert.equal(typeof r.revision, "number");
      for (const k of ["given", "updated"]) {
        assert.ok(/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(r[k]) && !Number.isNaN(Date.parse(r[k])), `${k} is ISO-8601: ${r[k]}`);
        assert.ok(Math.abs(Date.parse(r[k]) - Date.now()) < 60_000, `${k} is now: ${r[k]}`);
      }

      // A reload runs them again, straight away, without the banner.
      await t.reload();
      await waitForLog(t.page, expected.length);
      assert.equal(await t.page.locator(BANNER).isVisible(), false);
      assert.deepEqual((await demoLog(t.page)).filter((e) => SCRIPT_ENTRY.test(e)), expected, "same order after reload");
    });
  });
});

describe("allowed()", () => {
  test("follows each decision made through the API", async () => {
    await visit(async (t) => {
      await t.goto("/");
      // Read before any decision: activation may replace the gated elements.
      const analyticsOnly = await expectedScriptLog(t.page, ["analytics"]);
      assert.equal(await allowed(t.page, "analytics"), false, "analytics blocked before a decision");
      assert.equal(await allowed(t.page, "marketing"), false, "marketing blocked before a decision");
      assert.equal(await allowed(t.page, "security"), true, "required categories are always allowed");

      // Analytics only: its two scripts run, nothing else does.
      await t.page.evaluate(() => window.Consentry.set({ analytics: true }));
      assert.equal(await allowed(t.page, "analytics"), true);
      assert.equal(await allowed(t.page, "marketing"), false);
      assert.equal(await allowed(t.page, "settings"), false);
      assert.equal((await consent(t.page)).method, "custom");
      await waitForLog(t.page, analyticsOnly.length);
      await settle(500);
      assert.deepEqual(await demoLog(t.page), analyticsOnly, "only the analytics scripts ran");
      assert.deepEqual(t.thirdParty.urls().map((u) => new URL(u).pathname), ["/third-party/gtag.js"]);

      await t.page.evaluate(() => window.Consentry.rejectAll());
      assert.equal(await allowed(t.page, "analytics"), false, "rejectAll() revokes analytics");
      assert.equal(await allowed(t.page, "authorization"), true);
      assert.equal((await consent(t.page)).method, "reject-all");

      await t.page.evaluate(() => window.Consentry.acceptAll());
      for (const id of DEFAULT_IDS) assert.equal(await allowed(t.page, id), true, `acceptAll() allows ${id}`);
      assert.equal((await consent(t.page)).method, "accept-all");
    });
  });

  test("set() with an unknown category throws an Error that names it", async () => {
    await visit(async (t) => {
      await t.goto("/");
      const err = await t.page.evaluate(() => {
        try {
          window.Consentry.set({ no_such_category: true });
          return null;
        } catch (e) {
          return { isError: e instanceof Error, message: String(e.message) };
        }
      });
      assert.ok(err, "set() threw");
      assert.equal(err.isError, true, "an Error object");
      assert.match(err.message, /no_such_category/);
      assert.equal(await consent(t.page), null, "nothing was decided");
    });
  });
});
