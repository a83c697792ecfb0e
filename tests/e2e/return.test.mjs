// Coming back to a page whose consent changed elsewhere, on another origin
// that shares the cookie (`cookie.domain`): no BroadcastChannel reaches it,
// so the page re-reads the jar when it is shown again, after Back restores
// it from the back/forward cache, and when its tab becomes visible.
//
// This file has its own Chromium with the back/forward cache on (Playwright
// turns it off by default) and a server whose pages may be cached (the demo
// server sends no-store, which keeps pages out of that cache).

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { LOCAL_HOSTS, launch, startServer, trackThirdParty, waitReady } from "./harness.mjs";

const WWW = "www.shop.test";
const SHOP = "shop.test";
LOCAL_HOSTS.add(WWW);
LOCAL_HOSTS.add(SHOP);
const PIXEL = "https://www.facebook.com/tr?id=1&ev=PageView";

const CONFIG = {
  cookie: { domain: ".shop.test" },
  categories: [
    { id: "necessary", title: "Necessary", required: true },
    { id: "marketing", title: "Marketing" },
  ],
};

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>shared consent</title>
<script type="application/json" id="consentry-config">${JSON.stringify(CONFIG)}</script>
<script src="/assets/consentry/consentry.js" defer></script>
</head><body><main><h1>One of two sites sharing a consent cookie</h1>
<img data-category="marketing" data-src="${PIXEL}" alt="">
<a href="/elsewhere">elsewhere</a>
</main></body></html>`;

let browser;
let server;

before(async () => {
  [browser, server] = await Promise.all([
    launch({
      args: [`--host-resolver-rules=MAP ${WWW} 127.0.0.1, MAP ${SHOP} 127.0.0.1`],
      ignoreDefaultArgs: ["--disable-back-forward-cache"],
    }),
    startServer({
      onRequest(req, res, { pathname }) {
        // Cacheable for back/forward, unlike the rest of the test server.
        res.setHeader("Cache-Control", "no-cache");
        if (pathname !== "/shared" && pathname !== "/elsewhere") return false;
        res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
        res.end(PAGE);
        return true;
      },
    }),
  ]);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const at = (host, path) => {
  const u = new URL(path, server.url);
  u.hostname = host;
  return u.href;
};

/** A fresh visitor, with page errors collected and checked at the end. */
async function visitor(body) {
  const context = await browser.newContext();
  context.setDefaultTimeout(10_000);
  await trackThirdParty(context);
  const errors = [];
  const watch = (p) => {
    p.on("pageerror", (e) => errors.push(String(e)));
    p.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    return p;
  };
  try {
    await body(context, watch);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
}

const state = (page) =>
  page.evaluate(() => ({
    method: window.Consentry.get()?.method ?? null,
    pixel: document.querySelector("img[data-category]").getAttribute("src"),
    // The gate builds no first layer for a returning visitor: absent is hidden.
    banner: !(document.querySelector('[data-consentry="banner"]')?.hidden ?? true),
  }));

/** Counts consentry's window events from now on. */
const listen = (page) =>
  page.evaluate(() => {
    window.__heard = [];
    addEventListener("consentry:change", (e) => window.__heard.push(e.detail.method));
    addEventListener("consentry:reset", () => window.__heard.push("reset"));
  });

describe("consent changed on another origin sharing the cookie", () => {
  test("Back restores a cached page that then takes up the withdrawal made meanwhile", () =>
    visitor(async (context, watch) => {
      const page = watch(await context.newPage());
      await page.goto(at(WWW, "/shared"), { waitUntil: "load" });
      await waitReady(page);
      await page.evaluate(() => window.Consentry.acceptAll());
      await page.waitForFunction(() => document.querySelector("img[data-category]").complete);
      assert.deepEqual(await state(page), { method: "accept-all", pixel: PIXEL, banner: false });
      await listen(page);
      await page.evaluate(() => {
        window.__restored = false;
        addEventListener("pageshow", (e) => (window.__restored = e.persisted));
      });

      // The other site (same cookie, another origin) withdraws.
      await page.goto(at(SHOP, "/elsewhere"), { waitUntil: "load" });
      await waitReady(page);
      assert.equal((await state(page)).method, "accept-all", "the shared cookie carried the decision over");
      await page.evaluate(() => window.Consentry.reset());

      // A page restored from the cache fires pageshow, not load.
      await page.goBack({ waitUntil: "commit" });
      await page.waitForFunction(() => document.readyState === "complete" && window.__restored !== false);
      assert.equal(await page.evaluate(() => window.__restored), true, "the page came back from the back/forward cache");
      await page.waitForFunction(() => window.Consentry.get() === null);
      assert.deepEqual(await state(page), { method: null, pixel: null, banner: true }, "the pixel is taken back and the banner asks again");
      assert.deepEqual(await page.evaluate(() => window.__heard), ["reset"]);
    }));

  test("a tab on the other origin takes up a decision when it is shown again", () =>
    visitor(async (context, watch) => {
      const a = watch(await context.newPage());
      const b = watch(await context.newPage());
      await a.goto(at(WWW, "/shared"), { waitUntil: "load" });
      await b.goto(at(SHOP, "/shared"), { waitUntil: "load" });
      await waitReady(a);
      await waitReady(b);
      await listen(b);

      await a.evaluate(() => window.Consentry.acceptAll());
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await state(b)).method, null, "no channel reaches another origin");

      // Headless tabs never change visibility, so the browser's event (fired
      // at the document, bubbling) is sent by hand; like the channel's
      // nudge, it only makes the page re-read the jar.
      await b.evaluate(() => document.dispatchEvent(new Event("visibilitychange", { bubbles: true })));
      assert.deepEqual(await state(b), { method: "accept-all", pixel: PIXEL, banner: false });
      assert.deepEqual(await b.evaluate(() => window.__heard), ["accept-all"]);

      await b.evaluate(() => document.dispatchEvent(new Event("visibilitychange", { bubbles: true })));
      assert.deepEqual(await b.evaluate(() => window.__heard), ["accept-all"], "nothing new, nothing fired");
    }));
});
