// Issue 15, item 3: a decision or withdrawal made in one tab reaches the
// others through the same pipeline as one made there (App::apply), so
// another tab's withdrawal honours `reload_on_withdraw` and clears this
// tab's own sessionStorage keys of the categories it takes back.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { freshPage, launch, settle, startServer, waitReady } from "./harness.mjs";

const PIXEL = "https://www.facebook.com/tr?id=1&ev=PageView";

const config = (reload) => ({
  reload_on_withdraw: reload,
  categories: [
    { id: "necessary", title: "Necessary", required: true },
    { id: "settings", title: "Settings", storage: ["ui_*"] },
    { id: "marketing", title: "Marketing", cookies: [{ name: "_fbp" }], storage: ["fb_*"] },
  ],
});

const page = (reload) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tabs</title>
<script type="application/json" id="consentry-config">${JSON.stringify(config(reload))}</script>
<script src="/assets/consentry/consentry.js" defer></script>
</head><body><main><h1>One of several tabs</h1>
<img data-category="marketing" data-src="${PIXEL.replace("&", "&amp;")}" alt="">
</main></body></html>`;

let browser;
let server;

before(async () => {
  [browser, server] = await Promise.all([
    launch(),
    startServer({
      onRequest(req, res, { pathname }) {
        if (pathname !== "/tabs/reload" && pathname !== "/tabs/plain") return false;
        res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
        res.end(page(pathname === "/tabs/reload"));
        return true;
      },
    }),
  ]);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Two tabs of one visitor on `path`. */
async function tabs(path, body) {
  const t = await freshPage(browser, server);
  try {
    const a = t.page;
    const b = await t.context.newPage();
    const errors = [];
    b.on("pageerror", (e) => errors.push(String(e)));
    for (const p of [a, b]) {
      await p.goto(t.url(path), { waitUntil: "load" });
      await waitReady(p);
    }
    await body(a, b, t);
    assert.deepEqual(errors, []);
    t.assertNoErrors();
  } finally {
    await t.close();
  }
}

const mark = (p) => p.evaluate(() => (window.__mark = true));
const marked = (p) => p.evaluate(() => window.__mark === true);
/** Waits until tab `p` holds a record for which `test` (run in the page) is
 * true; by interval, since a tab in the background gets no animation frames. */
const holds = (p, test) => p.waitForFunction(test, null, { polling: 50 });
const session = (p) => p.evaluate(() => Object.keys(sessionStorage).sort());

describe("another tab's withdrawal and reload_on_withdraw", () => {
  test("Reject all in one tab reloads the other that had consent (scripts that ran there cannot be unloaded)", () =>
    tabs("/tabs/reload", async (a, b) => {
      await a.evaluate(() => window.Consentry.acceptAll());
      await holds(b, () => window.Consentry.get()?.method === "accept-all");
      await mark(b);
      const reloaded = b.waitForEvent("load");
      const reloadedA = a.waitForEvent("load");
      await a.evaluate(() => window.Consentry.rejectAll());
      await Promise.all([reloaded, reloadedA]);
      await waitReady(b);
      assert.equal(await marked(b), false, "the other tab reloaded");
      assert.equal((await b.evaluate(() => window.Consentry.get())).method, "reject-all");
    }));

  test("reset() in one tab reloads the other; a grant does not", () =>
    tabs("/tabs/reload", async (a, b) => {
      await mark(b);
      await a.evaluate(() => window.Consentry.set({ settings: true }));
      await holds(b, () => window.Consentry.get()?.categories.settings === true);
      await settle(200);
      assert.equal(await marked(b), true, "a grant keeps the other tab as it is");
      const reloaded = b.waitForEvent("load");
      const reloadedA = a.waitForEvent("load");
      await a.evaluate(() => window.Consentry.reset());
      await Promise.all([reloaded, reloadedA]);
      await waitReady(b);
      assert.equal(await marked(b), false, "the other tab reloaded");
      assert.equal(await b.evaluate(() => window.Consentry.get()), null);
    }));
});

describe("another tab's withdrawal and this tab's sessionStorage", () => {
  test("keys of a category taken back in another tab go from this tab's sessionStorage; others stay", () =>
    tabs("/tabs/plain", async (a, b) => {
      await a.evaluate(() => window.Consentry.acceptAll());
      await holds(b, () => window.Consentry.get()?.method === "accept-all");
      await b.evaluate(() => {
        sessionStorage.setItem("ui_theme", "dark");
        sessionStorage.setItem("fb_session", "1");
        sessionStorage.setItem("page_own", "1");
      });
      await a.evaluate(() => window.Consentry.set({ settings: false }));
      await holds(b, () => window.Consentry.get()?.categories.settings === false);
      assert.deepEqual(await session(b), ["fb_session", "page_own"], "the settings key went, marketing's stayed");
    }));

  test("reset() in another tab clears every optional category's keys here", () =>
    tabs("/tabs/plain", async (a, b) => {
      await a.evaluate(() => window.Consentry.acceptAll());
      await holds(b, () => window.Consentry.get()?.method === "accept-all");
      await b.evaluate(() => {
        sessionStorage.setItem("ui_theme", "dark");
        sessionStorage.setItem("fb_session", "1");
        sessionStorage.setItem("page_own", "1");
      });
      await a.evaluate(() => window.Consentry.reset());
      await holds(b, () => window.Consentry.get() === null);
      assert.deepEqual(await session(b), ["page_own"]);
      assert.equal(await b.evaluate(() => document.querySelector("img[data-category]").getAttribute("src")), null, "the pixel is taken back");
    }));
});
