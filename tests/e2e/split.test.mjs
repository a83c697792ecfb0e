// Issue 15: the gate and the ask part, counted by request. Every visitor
// downloads the gate, which shows the first layer; the ask part arrives
// with the first "Preferences" (the banner's button, the reopen control,
// showPreferences()) and nothing else brings it.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { freshPage, launch, settle, startServer, tabTo } from "./harness.mjs";

const ASSETS = "/assets/consentry/";
const GATE = ["consentry.js", "consentry.wasm"];
const ASK = ["consentry-ask.js", "consentry-ask.wasm"];

let browser;
let server;
before(async () => {
  [browser, server] = await Promise.all([launch(), startServer()]);
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** A fresh visitor whose every request for consentry's files is counted by name. */
async function visitor() {
  const t = await freshPage(browser, server);
  const fetched = [];
  t.page.on("request", (r) => {
    const { origin, pathname } = new URL(r.url());
    if (origin === server.url && pathname.startsWith(ASSETS)) fetched.push(pathname.slice(ASSETS.length));
  });
  const files = () => [...new Set(fetched)].sort();
  return { t, fetched, files };
}

/** Decides on a first visit, then starts counting afresh for the next page view. */
async function returning(choice = "reject-all") {
  const v = await visitor();
  await v.t.goto("/");
  await v.t.page.click(`[data-consentry="banner"] [data-consentry-action="${choice}"]`);
  await v.t.page.waitForFunction(() => window.Consentry.get() !== null);
  v.fetched.length = 0;
  await v.t.reload();
  return v;
}

/** Waits until the ask part has been fetched, then checks that nothing opened. */
async function fetchedOpeningNothing(t, files, message) {
  await t.page.waitForFunction(() => performance.getEntriesByType("resource").some((e) => e.name.endsWith("/consentry-ask.wasm")));
  assert.deepEqual(files(), [...GATE, ...ASK].sort());
  assert.equal(await t.page.locator('[data-consentry="preferences"]').count(), 0, message);
}

describe("the gate and the ask part", () => {
  test("a first visit downloads the gate only, which shows the first layer", async () => {
    const { t, files, fetched } = await visitor();
    try {
      await t.goto("/");
      await t.page.locator('[data-consentry="banner"]').waitFor({ state: "visible" });
      await settle(300);
      assert.deepEqual(files(), GATE);
      assert.equal(fetched.length, GATE.length, "each file once");
      assert.equal(await t.page.locator('[data-consentry="banner"]').evaluate((b) => getComputedStyle(b).position), "fixed");
      // Accepting from the banner needs nothing more.
      await t.page.click('[data-consentry="banner"] [data-consentry-action="accept-all"]');
      await t.page.waitForFunction(() => window.Consentry.get()?.method === "accept-all");
      await t.page.locator('[data-consentry="reopen"]').waitFor({ state: "visible" });
      assert.deepEqual(files(), GATE);
      t.assertNoErrors();
    } finally {
      await t.close();
    }
  });

  test("the banner's Preferences fetches the ask part, opens the preferences, and the choice is saved", async () => {
    const { t, files } = await visitor();
    try {
      await t.goto("/");
      const open = t.page.locator('[data-consentry="banner"] [data-consentry-action="open-preferences"]');
      await open.click();
      const prefs = t.page.locator('[data-consentry="preferences"]');
      await prefs.waitFor({ state: "visible" });
      assert.deepEqual(files(), [...GATE, ...ASK].sort());
      await prefs.locator('input[data-consentry-category="marketing"]').check();
      await prefs.locator('[data-consentry-action="save"]').click();
      await prefs.waitFor({ state: "hidden" });
      await t.page.locator('[data-consentry="banner"]').waitFor({ state: "hidden" });
      const r = await t.page.evaluate(() => window.Consentry.get());
      assert.equal(r.method, "custom");
      assert.equal(r.categories.marketing, true);
      assert.equal(r.categories.analytics, false);
      t.assertNoErrors();
    } finally {
      await t.close();
    }
  });

  test("the pointer on Preferences starts the download before the click", async () => {
    const { t, files } = await visitor();
    try {
      await t.goto("/");
      await t.page.locator('[data-consentry="banner"] [data-consentry-action="open-preferences"]').hover();
      await fetchedOpeningNothing(t, files, "hovering opens nothing");
      t.assertNoErrors();
    } finally {
      await t.close();
    }
  });

  test("the keyboard's focus on Preferences starts the download as the pointer does; a decision's focus does not", async () => {
    const { t, files } = await visitor();
    try {
      await t.goto("/");
      await t.page.locator('[data-consentry="banner"]').waitFor({ state: "visible" });
      // Reject all comes first: focus passing it fetches nothing.
      await tabTo(t.page, "reject-all");
      await settle(300);
      assert.deepEqual(files(), GATE, "focus on Reject all fetches nothing");
      await tabTo(t.page, "open-preferences");
      await fetchedOpeningNothing(t, files, "focus opens nothing");
      t.assertNoErrors();
    } finally {
      await t.close();
    }
    // Reject all by keyboard: focus lands on the reopen control, which
    // must not fetch the ask part by itself.
    const v = await visitor();
    try {
      await v.t.goto("/");
      await v.t.page.locator('[data-consentry="banner"]').waitFor({ state: "visible" });
      await tabTo(v.t.page, "reject-all");
      await v.t.page.keyboard.press("Enter");
      await v.t.page.waitForFunction(() => window.Consentry.get()?.method === "reject-all");
      assert.equal(await v.t.page.evaluate(() => document.activeElement?.getAttribute("data-consentry")), "reopen");
      await settle(300);
      assert.deepEqual(v.files(), GATE);
      v.t.assertNoErrors();
    } finally {
      await v.t.close();
    }
  });

  test("the ask part's module and wasm download side by side, not one after the other", async () => {
    const { t, fetched } = await returning("reject-all");
    // consentry-ask.js answers only after its wasm has been asked for: the
    // fetches are started together, so the wasm request comes in while the
    // module's is held back. A loader that fetched the wasm from inside the
    // module would never send it, and the preferences would never open.
    let wasmAsked;
    const asked = new Promise((res) => (wasmAsked = res));
    await t.page.route(`**${ASSETS}consentry-ask.wasm`, (route) => (wasmAsked(), route.continue()));
    await t.page.route(`**${ASSETS}consentry-ask.js`, async (route) => {
      const held = await Promise.race([asked.then(() => true), settle(3000).then(() => false)]);
      await (held ? route.continue() : route.abort());
    });
    try {
      await t.page.evaluate(() => window.Consentry.showPreferences());
      await t.page.locator('[data-consentry="preferences"]').waitFor({ state: "visible" });
      assert.deepEqual(fetched.filter((f) => f.startsWith("consentry-ask")).sort(), ASK, "each once");
      t.assertNoErrors();
    } finally {
      await t.close();
    }
  });

  test("a returning visitor downloads the gate and nothing of the ask part", async () => {
    const { t, files } = await returning("accept-all");
    try {
      await t.page.locator('[data-consentry="reopen"]').waitFor({ state: "visible" });
      await settle(300);
      assert.deepEqual(files(), GATE);
      assert.equal(await t.page.locator('[data-consentry="banner"]').isVisible(), false);
      assert.equal(await t.page.evaluate(() => window.Consentry.get().method), "accept-all");
      t.assertNoErrors();
    } finally {
      await t.close();
    }
  });

  test("the ask part arrives at the first click on the reopen control, and it works", async () => {
    const { t, files } = await returning("reject-all");
    try {
      const reopen = t.page.locator('[data-consentry="reopen"]');
      await reopen.click();
      const prefs = t.page.locator('[data-consentry="preferences"]');
      await prefs.waitFor({ state: "visible" });
      assert.deepEqual(files(), [...GATE, ...ASK].sort());
      // Styled by the ask part's sheet, which came after the gate's.
      assert.equal(await prefs.locator('[data-consentry-action="close"]').evaluate((b) => getComputedStyle(b).cursor), "pointer");
      assert.equal(await t.page.locator('[data-consentry="reopen"]').evaluate((b) => getComputedStyle(b).position), "fixed");
      await prefs.locator('input[data-consentry-category="analytics"]').check();
      await prefs.locator('[data-consentry-action="save"]').click();
      await prefs.waitFor({ state: "hidden" });
      const r = await t.page.evaluate(() => window.Consentry.get());
      assert.equal(r.method, "custom");
      assert.equal(r.categories.analytics, true);
      // Focus comes back to the control that opened the preferences.
      assert.equal(await t.page.evaluate(() => document.activeElement?.getAttribute("data-consentry")), "reopen");
      // A second opening fetches nothing more.
      const before = files().length;
      await reopen.click();
      await prefs.waitFor({ state: "visible" });
      assert.equal(files().length, before);
      t.assertNoErrors();
    } finally {
      await t.close();
    }
  });

  test("showPreferences() on a returning visitor fetches the ask part and opens the preferences", async () => {
    const { t, files } = await returning("accept-all");
    try {
      await t.page.evaluate(() => window.Consentry.showPreferences());
      await t.page.locator('[data-consentry="preferences"]').waitFor({ state: "visible" });
      assert.deepEqual(files(), [...GATE, ...ASK].sort());
      t.assertNoErrors();
    } finally {
      await t.close();
    }
  });

  test("a withdrawal on a returning visitor's page brings the first layer back, still without the ask part", async () => {
    const { t, files } = await returning("accept-all");
    try {
      await t.page.evaluate(() => window.Consentry.reset());
      await t.page.locator('[data-consentry="banner"]').waitFor({ state: "visible" });
      assert.equal(await t.page.locator('[data-consentry="reopen"]').isVisible(), false);
      await t.page.click('[data-consentry="banner"] [data-consentry-action="reject-all"]');
      await t.page.waitForFunction(() => window.Consentry.get()?.method === "reject-all");
      await t.page.locator('[data-consentry="banner"]').waitFor({ state: "hidden" });
      assert.deepEqual(files(), GATE);
      t.assertNoErrors();
    } finally {
      await t.close();
    }
  });

  test("a cookie that does not hold a decision: the gate shows the banner", async () => {
    const { t, files } = await visitor();
    try {
      await t.context.addCookies([{ name: "consentry", value: "forged.1.x", url: server.url }]);
      await t.goto("/");
      await t.page.locator('[data-consentry="banner"]').waitFor({ state: "visible" });
      assert.deepEqual(files(), GATE);
      assert.equal(await t.page.evaluate(() => window.Consentry.get()), null);
      t.assertNoErrors();
    } finally {
      await t.close();
    }
  });

  test("the ES module: a page that mounts a panel imports the ask chunk, and still shows the first layer", async () => {
    const { t, files } = await visitor();
    try {
      await t.goto("/account");
      await t.page.locator('[data-consentry="banner"]').waitFor({ state: "visible" });
      await t.page.locator('[data-consentry="panel"]').waitFor({ state: "visible" });
      assert.deepEqual(files(), ["consentry-ask.mjs", "consentry.mjs"]);
      await t.page.click('[data-consentry="banner"] [data-consentry-action="reject-all"]');
      await t.page.waitForFunction(() => window.Consentry.get()?.method === "reject-all");
      await t.page.locator('[data-consentry="banner"]').waitFor({ state: "hidden" });
      t.assertNoErrors();
    } finally {
      await t.close();
    }
  });

  test("when the ask part cannot load, the page says so once and nothing optional runs", async () => {
    const { t } = await returning("reject-all");
    try {
      await t.page.route(/consentry-ask\.(js|wasm)$/, (r) => r.abort());
      await t.page.evaluate(() => window.Consentry.showPreferences());
      await settle(500);
      assert.equal(await t.page.locator('[data-consentry="preferences"]').count(), 0);
      assert.equal(await t.page.evaluate(() => window.Consentry.get().method), "reject-all");
      assert.equal(t.consoleErrors.filter((e) => e.includes("the dialog could not load")).length, 1, t.errors.join("\n"));
      assert.equal(t.thirdParty.count(), 0, "nothing optional was requested");
    } finally {
      await t.close();
    }
  });
});
