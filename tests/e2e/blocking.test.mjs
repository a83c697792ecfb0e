// Blocking that leaks nothing (CONTRACT §4, §6, §8): gated scripts, pixels,
// embeds and media; cookie clean-up on a host with a parent domain; Consent
// Mode v2; Global Privacy Control; the change event's timing.
//
// The fixture (tests/fixtures/blocking/shop/) uses the real third-party URLs.
// Chromium resolves www.shop.test and shop.test to our loopback server; every
// other host is answered here by the route handler, counted per URL, and
// never leaves the machine. Tracker stand-ins (fixtures/blocking/stubs/) set
// their cookies host-only, on the parent domain .shop.test and on a sub-path.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { launch, ROOT, settle, startServer, waitReady } from "./harness.mjs";

const FIXTURES = join(ROOT, "tests", "fixtures", "blocking");
const HOST = "www.shop.test";
const PAGE = "/blocking/shop/";
const BANNER = '[data-consentry="banner"]';
const PREFERENCES = '[data-consentry="preferences"]';
const PLACEHOLDER = '[data-consentry="placeholder"]';
const action = (name) => `[data-consentry-action="${name}"]`;

const GTAG = "https://www.googletagmanager.com/gtag/js?id=G-TEST";
const FBEVENTS = "https://connect.facebook.net/en_US/fbevents.js";
const PIXEL = "https://www.facebook.com/tr?id=1&ev=PageView";
const EMBED = "https://www.youtube-nocookie.com/embed/ID";
const CLIP = "https://www.youtube-nocookie.com/media/clip.webm";
const ANALYTICS_URLS = [GTAG];
const MARKETING_URLS = [FBEVENTS, PIXEL, EMBED];
const TRACKER_COOKIES = ["_ga", "_ga_TEST", "_gid", "_fbp"];
const GCM_TYPES = [
  "ad_personalization",
  "ad_storage",
  "ad_user_data",
  "analytics_storage",
  "functionality_storage",
  "personalization_storage",
  "security_storage",
];

const CSP = "script-src 'self' 'nonce-n0nce-shop' 'wasm-unsafe-eval' https://www.googletagmanager.com https://connect.facebook.net; object-src 'none'; base-uri 'none'";

const GIF = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");
const stub = (name) => readFileSync(join(FIXTURES, "stubs", name));

let browser;
let server;

before(async () => {
  [browser, server] = await Promise.all([
    launch({ args: [`--host-resolver-rules=MAP ${HOST} 127.0.0.1, MAP shop.test 127.0.0.1`] }),
    startServer({
      mounts: [["/blocking/", FIXTURES]],
      onRequest(req, res, { pathname }) {
        if (pathname.endsWith("/csp.html")) res.setHeader("Content-Security-Policy", CSP);
      },
    }),
  ]);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Answers a third-party request like the real service would, minus the tracking. */
async function answer(route) {
  const req = route.request();
  const url = new URL(req.url());
  const cors = { "Access-Control-Allow-Origin": "*", "Cache-Control": "no-store" };
  const js = (body) => route.fulfill({ status: 200, headers: { ...cors, "Content-Type": "text/javascript" }, body });
  if (url.hostname === "www.googletagmanager.com") {
    // Slow on purpose: a gated script that does not wait for it breaks the order test.
    await settle(300);
    return js(stub("gtag.js"));
  }
  if (url.hostname === "connect.facebook.net") {
    if (url.search.includes("slow")) await settle(300);
    return js(stub(url.pathname.endsWith("/fbevents.js") ? "fbevents.js" : "dyn.js"));
  }
  if (req.resourceType() === "image") {
    return route.fulfill({ status: 200, headers: { ...cors, "Content-Type": "image/gif" }, body: GIF });
  }
  if (req.resourceType() === "document") {
    return route.fulfill({
      status: 200,
      headers: { ...cors, "Content-Type": "text/html; charset=utf-8" },
      body: "<!doctype html><html lang=en><title>embed</title><p>embedded player</p></html>",
    });
  }
  return route.fulfill({ status: 204, headers: cors });
}

/**
 * A fresh visitor on the shop host: new context, every request outside
 * *.shop.test answered locally and recorded, page errors collected.
 * @param {{gpc?: boolean}} [opts]
 */
async function visitor({ gpc = false } = {}) {
  const context = await browser.newContext();
  context.setDefaultTimeout(10_000);
  const requests = [];
  await context.route("**/*", async (route) => {
    const url = new URL(route.request().url());
    if (url.protocol !== "http:" && url.protocol !== "https:") return route.fallback();
    if (url.hostname === HOST || url.hostname === "shop.test") return route.fallback();
    requests.push({ url: route.request().url(), type: route.request().resourceType() });
    return answer(route);
  });
  if (gpc) {
    await context.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true, configurable: true });
    });
  }
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e && e.stack ? e.stack : e}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/favicon/.test(m.location()?.url ?? "")) errors.push(`console.error: ${m.text()}`);
  });
  const origin = `http://${HOST}:${server.port}`;
  const v = {
    context,
    page,
    requests,
    errors,
    /** How many requests went to exactly this URL. */
    count: (url) => requests.filter((r) => r.url === url).length,
    /** Requests to any of these URLs (or URL prefixes). */
    countAny: (urls) => requests.filter((r) => urls.some((u) => r.url.startsWith(u))).length,
    async goto(path = PAGE) {
      const res = await page.goto(origin + path, { waitUntil: "load" });
      assert.ok(res?.ok(), `GET ${path}: ${res?.status()}`);
      await waitReady(page);
    },
    async reload() {
      await page.reload({ waitUntil: "load" });
      await waitReady(page);
    },
    log: () => page.evaluate(() => [...(window.__log || [])]),
    /** The tracker cookies in the whole context, as name@domain+path. */
    async trackerCookies() {
      return (await context.cookies())
        .filter((c) => TRACKER_COOKIES.includes(c.name))
        .map((c) => `${c.name}@${c.domain}${c.path}`)
        .sort();
    },
    close: () => context.close(),
  };
  return v;
}

async function visit(opts, body) {
  if (typeof opts === "function") [opts, body] = [{}, opts];
  const v = await visitor(opts);
  try {
    await body(v);
    assert.deepEqual(v.errors, [], "the page logged errors");
  } finally {
    await v.close();
  }
}

/** Waits until the page's log holds every entry of `entries`. */
const waitLog = (page, entries) =>
  page.waitForFunction((want) => want.every((e) => (window.__log || []).includes(e)), entries, { timeout: 10_000 });

/** Polls `pred` (for what happens outside the page, like frames) until it holds. */
async function until(pred, what, ms = 10_000) {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out: ${what}`);
    await settle(50);
  }
}

/** Waits until `v` has seen each URL requested at least once. */
async function waitRequests(v, urls) {
  const t0 = Date.now();
  while (!urls.every((u) => v.count(u) > 0)) {
    if (Date.now() - t0 > 10_000) throw new Error(`not requested: ${urls.filter((u) => !v.count(u)).join(", ")}`);
    await settle(50);
  }
}

describe("before and without consent", () => {
  test("first visit, reject all, reload: zero third-party requests throughout", async () => {
    await visit(async (v) => {
      await v.goto();
      await v.page.locator(BANNER).waitFor({ state: "visible" });
      await settle(500);
      assert.deepEqual(v.requests, [], "nothing before a decision");
      const inert = await v.page.evaluate(() => ({
        scripts: [...document.querySelectorAll("script[data-category]")].map((s) => s.type),
        img: document.querySelector("img[data-category]").hasAttribute("src"),
        iframe: document.querySelector("iframe[data-category]").getAttribute("src"),
        source: document.querySelector("video source").hasAttribute("src"),
      }));
      assert.deepEqual(inert, { scripts: ["text/plain", "text/plain", "text/plain"], img: false, iframe: null, source: false });

      await v.page.locator(`${BANNER} ${action("reject-all")}`).click();
      await settle(500);
      await v.reload();
      await settle(700);
      assert.equal((await v.page.evaluate(() => window.Consentry.get())).method, "reject-all");
      assert.deepEqual(v.requests, [], "nothing after reject all, nor after the reload");
      assert.deepEqual(await v.log(), []);
      assert.deepEqual(await v.trackerCookies(), []);
    });
  });

  test("a blocked iframe shows a labelled region whose button allows its category by keyboard", async () => {
    await visit(async (v) => {
      await v.goto();
      const ph = v.page.locator(PLACEHOLDER);
      assert.equal(await ph.count(), 1, "one placeholder, for the one iframe");
      assert.equal(await ph.getAttribute("role"), "region");
      assert.equal(await ph.getAttribute("aria-label"), "Product video", "named after the embed's title");
      assert.match(await ph.textContent(), /Marketing/, "says which category it needs");
      assert.equal(await v.page.locator("iframe[data-category]").isVisible(), false, "the embed is hidden meanwhile");
      const button = ph.locator("button");
      assert.match(await button.textContent(), /Marketing/);

      await button.focus();
      await v.page.keyboard.press("Enter");
      await waitRequests(v, [EMBED]);
      const r = await v.page.evaluate(() => window.Consentry.get());
      assert.equal(r.method, "custom");
      assert.equal(r.categories.marketing, true);
      assert.equal(r.categories.analytics, false, "only the named category");
      assert.equal(await ph.count(), 0, "the placeholder is gone");
      assert.equal(await v.page.evaluate(() => document.activeElement?.tagName), "IFRAME", "focus moved to the revealed embed");
      await settle(500);
      assert.equal(v.count(EMBED), 1);
      assert.equal(v.count(GTAG), 0, "analytics stayed blocked");
    });
  });
});

describe("after consent", () => {
  test("accept all: every gated script, pixel and embed loads once, scripts in document order", async () => {
    await visit(async (v) => {
      await v.goto();
      await v.page.locator(`${BANNER} ${action("accept-all")}`).click();
      await waitLog(v.page, ["gtag.js", "inline:true", "fbevents.js"]);
      await waitRequests(v, [...ANALYTICS_URLS, ...MARKETING_URLS]);
      await settle(700);
      assert.deepEqual(await v.log(), ["gtag.js", "inline:true", "fbevents.js"],
        "external, inline (seeing the first's global), external: in document order, once each");
      for (const u of [...ANALYTICS_URLS, ...MARKETING_URLS]) assert.equal(v.count(u), 1, `${u} requested once`);
      assert.ok(v.count(CLIP) >= 1, "the gated <video> source loads");
      const scripts = v.requests.filter((r) => r.type === "script").map((r) => r.url);
      assert.deepEqual(scripts, [GTAG, FBEVENTS], "scripts requested in document order, the second after the first ran");

      // The live copies keep what the author wrote.
      const attrs = await v.page.evaluate(() => {
        const ga = document.getElementById("ga-loader");
        const fb = document.querySelector('script[src*="fbevents"]');
        return {
          gaType: ga.type,
          gaAsync: ga.hasAttribute("async"),
          gaData: ga.dataset.extra,
          gaCategory: ga.dataset.category,
          fbNonce: fb.nonce,
          fbCross: fb.getAttribute("crossorigin"),
          fbIntegrity: fb.getAttribute("integrity").slice(0, 7),
        };
      });
      assert.deepEqual(attrs, {
        gaType: "",
        gaAsync: true,
        gaData: "kept",
        gaCategory: "analytics",
        fbNonce: "n0nce-shop",
        fbCross: "anonymous",
        fbIntegrity: "sha384-",
      });

      // A returning visitor gets them again at start-up, once each.
      const before = v.requests.length;
      await v.reload();
      await waitLog(v.page, ["gtag.js", "inline:true", "fbevents.js"]);
      await settle(700);
      assert.deepEqual(await v.log(), ["gtag.js", "inline:true", "fbevents.js"]);
      const again = v.requests.slice(before).map((r) => r.url);
      for (const u of [...ANALYTICS_URLS, ...MARKETING_URLS]) {
        assert.equal(again.filter((x) => x === u).length, 1, `${u} once after reload`);
      }
    });
  });

  for (const [name, choices, yes, no] of [
    ["analytics only", { analytics: true }, ANALYTICS_URLS, MARKETING_URLS],
    ["marketing only", { marketing: true }, MARKETING_URLS, ANALYTICS_URLS],
  ]) {
    test(`custom choice, ${name}: exactly its categories load`, async () => {
      await visit(async (v) => {
        await v.goto();
        await v.page.evaluate((c) => window.Consentry.set(c), choices);
        await waitRequests(v, yes);
        await settle(800);
        for (const u of yes) assert.equal(v.count(u), 1, `${u} once`);
        for (const u of no) assert.equal(v.count(u), 0, `${u} never`);
        const log = await v.log();
        if (choices.analytics) assert.deepEqual(log, ["gtag.js", "inline:true"]);
        else assert.deepEqual(log, ["fbevents.js"]);
      });
    });
  }

  test("gated elements inserted later obey the same rules, before and after a decision", async () => {
    await visit(async (v) => {
      await v.goto();
      const insert = (tag) =>
        v.page.evaluate(async (tag) => {
          const s = document.createElement("script");
          s.type = "text/plain";
          s.dataset.category = "marketing";
          s.src = `https://connect.facebook.net/en_US/dyn.js?${tag}`;
          const img = document.createElement("img");
          img.dataset.category = "marketing";
          img.dataset.src = `https://www.facebook.com/tr?id=2&ev=${tag}`;
          img.alt = "";
          const frame = document.createElement("iframe");
          frame.dataset.category = "marketing";
          frame.dataset.src = `https://www.youtube-nocookie.com/embed/${tag}`;
          frame.title = `Video ${tag}`;
          // Gated only after insertion: the attributes come later.
          const late = document.createElement("img");
          late.alt = "";
          document.body.append(s, img, frame, late);
          // A later task, so the insertion has been observed already.
          await new Promise((r) => setTimeout(r, 50));
          late.dataset.category = "marketing";
          late.dataset.src = `https://www.facebook.com/tr?id=3&ev=${tag}`;
        }, tag);
      const urls = (tag) => [
        `https://connect.facebook.net/en_US/dyn.js?${tag}`,
        `https://www.facebook.com/tr?id=2&ev=${tag}`,
        `https://www.youtube-nocookie.com/embed/${tag}`,
        `https://www.facebook.com/tr?id=3&ev=${tag}`,
      ];

      await insert("early");
      await settle(600);
      assert.deepEqual(v.requests, [], "inserted before a decision: nothing loads");
      assert.equal(await v.page.locator(PLACEHOLDER).count(), 2, "the inserted iframe got a placeholder too");

      await v.page.evaluate(() => window.Consentry.set({ marketing: true }));
      await waitRequests(v, urls("early"));
      await insert("late");
      await waitRequests(v, urls("late"));
      await settle(700);
      for (const u of [...urls("early"), ...urls("late")]) assert.equal(v.count(u), 1, `${u} once`);
      const log = await v.log();
      assert.deepEqual(log.filter((e) => e.startsWith("dyn.js")), ["dyn.js:early", "dyn.js:late"]);
      assert.equal(v.count(GTAG), 0, "analytics still blocked");
      assert.equal(await v.page.locator(PLACEHOLDER).count(), 0);
    });
  });

  test("withdrawing a category takes its embed, pixel and video back at once; allowing it again reloads them", async () => {
    await visit(async (v) => {
      await v.goto();
      const state = () =>
        v.page.evaluate(() => {
          const frame = document.querySelector("iframe[data-category]");
          const img = document.querySelector("img[data-category]");
          const video = document.querySelector("video[data-category]");
          const source = video.querySelector("source");
          return {
            frame: [frame.getAttribute("src"), frame.getAttribute("data-src"), frame.hidden],
            img: [img.getAttribute("src"), img.getAttribute("data-src")],
            source: [source.getAttribute("src"), source.getAttribute("data-src")],
            // The site's own captions, written live: never consentry's to move.
            track: [video.querySelector("track").getAttribute("src"), video.querySelector("track").getAttribute("data-src")],
            placeholders: document.querySelectorAll('[data-consentry="placeholder"]').length,
            frames: [...document.querySelectorAll("iframe")].length,
          };
        });
      const gated = await state();
      await v.page.evaluate(() => window.Consentry.set({ marketing: true, analytics: true }));
      await waitRequests(v, [EMBED, PIXEL, CLIP]);
      const live = await state();
      assert.deepEqual(live.frame, [EMBED, null, false], "the embed runs");
      assert.deepEqual(live.track, ["captions.vtt", null]);
      assert.equal(live.placeholders, 0);
      const framed = () => v.page.frames().some((f) => f.url() === EMBED);
      await until(framed, "the player's page loads");

      await v.page.evaluate(() => window.Consentry.set({ marketing: false }));
      const back = await state();
      assert.deepEqual(back, gated, "marketing withdrawn: every source is back in data-*");
      // Chromium keeps currentSrc, but the media is dropped: nothing loaded,
      // no source to load from.
      await v.page.waitForFunction(() => {
        const video = document.querySelector("video[data-category]");
        return video.readyState === HTMLMediaElement.HAVE_NOTHING && video.networkState === HTMLMediaElement.NETWORK_NO_SOURCE;
      }, null, { timeout: 2000 });
      assert.equal(back.placeholders, 1, "the placeholder returned");
      assert.equal(back.frames, 1, "the frame was replaced, not duplicated");
      await until(() => !framed(), "the player's page unloads");
      assert.equal(v.count(GTAG), 1, "analytics, still allowed, is untouched");

      // Other categories' decisions leave the remaining embeds alone.
      const embeds = v.count(EMBED);
      await v.page.evaluate(() => window.Consentry.set({ analytics: false }));
      await settle(300);
      assert.equal(v.count(EMBED), embeds);

      await v.page.locator(`${PLACEHOLDER} button`).click();
      await until(() => v.count(EMBED) > embeds, "the embed is requested again");
      await settle(300);
      assert.equal(v.count(EMBED), embeds + 1, "allowed again: the embed loads again, once");
      assert.deepEqual((await state()).frame, [EMBED, null, false]);
    });
  });

  test("an inline gated script that decides does not break the order of the scripts it unblocks", async () => {
    await visit(async (v) => {
      await v.goto();
      await v.page.evaluate(() => {
        const ext = (q, async = false) => {
          const s = document.createElement("script");
          s.type = "text/plain";
          s.dataset.category = "marketing";
          s.src = `https://connect.facebook.net/en_US/dyn.js?${q}`;
          if (async) s.setAttribute("async", "");
          return s;
        };
        // A slow marketing script, then a fast async one (the browser does
        // not keep async scripts in order: only consentry's waiting does),
        // right before the page's fbevents.js.
        document.querySelector('script[src*="fbevents"]').before(ext("slow"), ext("fast", true));
        const decider = document.createElement("script");
        decider.type = "text/plain";
        decider.dataset.category = "analytics";
        decider.textContent = 'window.__log.push("decider"); window.Consentry.set({ marketing: true });';
        document.body.append(ext("m2"), decider);
      });
      await v.page.evaluate(() => window.Consentry.set({ analytics: true }));
      const want = ["gtag.js", "inline:true", "decider", "dyn.js:slow", "dyn.js:fast", "fbevents.js", "dyn.js:m2"];
      await waitLog(v.page, want);
      await settle(300);
      assert.deepEqual(await v.log(), want);
    });
  });
});

describe("strict CSP", () => {
  test("activated scripts keep their nonce: allowed ones run under a nonce policy, a nonce-less one is refused", async () => {
    await visit(async (v) => {
      await v.goto("/blocking/shop/csp.html");
      await v.page.evaluate(() => {
        window.__violations = [];
        document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.sample || e.blockedURI));
      });
      await v.page.evaluate(() => window.Consentry.set({ analytics: true }));
      await waitLog(v.page, ["gtag.js", "inline:true"]);
      await settle(300);
      assert.deepEqual(await v.log(), ["gtag.js", "inline:true"]);
      const violations = await v.page.evaluate(() => window.__violations);
      assert.equal(violations.length, 1, `only the nonce-less script is refused: ${violations}`);
      // The refusal is the browser's console error; nothing else may be.
      const other = v.errors.filter((e) => !/Content Security Policy/.test(e));
      assert.deepEqual(other, []);
      v.errors.length = 0;
    });
  });
});

describe("clean-up", () => {
  const withCookies = async (v) => {
    await v.goto();
    // A required-category cookie and storage keys: settings declares ui_*.
    await v.page.evaluate(() => {
      document.cookie = "session_id=keep; path=/";
      localStorage.setItem("ui_layout", "wide");
      sessionStorage.setItem("ui_draft", "x");
      localStorage.setItem("unrelated", "1");
    });
    await v.page.evaluate(() => window.Consentry.acceptAll());
    await waitLog(v.page, ["gtag.js", "fbevents.js"]);
    const set = await v.trackerCookies();
    assert.equal(set.length, 12, `4 tracker cookies x (host, .shop.test, sub-path): ${set.join(" ")}`);
    assert.ok(set.includes("_ga@.shop.test/") && set.includes("_fbp@www.shop.test/blocking/shop"), set.join(" "));
  };

  for (const [name, how] of [
    ["withdrawal (reset())", () => window.Consentry.reset()],
    ["rejectAll() after acceptAll()", () => window.Consentry.rejectAll()],
  ]) {
    test(`${name} deletes declared cookies on host, parent domain and sub-path, and storage keys`, async () => {
      await visit(async (v) => {
        await withCookies(v);
        await v.page.evaluate(how);
        assert.deepEqual(await v.trackerCookies(), [], "no tracker cookie left anywhere");
        const left = await v.page.evaluate(() => ({
          session: document.cookie.includes("session_id=keep"),
          local: localStorage.getItem("ui_layout"),
          session2: sessionStorage.getItem("ui_draft"),
          unrelated: localStorage.getItem("unrelated"),
        }));
        assert.deepEqual(left, { session: true, local: null, session2: null, unrelated: "1" });
      });
    });
  }
});

describe("clean-up at start-up", () => {
  test("a returning visitor's refused categories lose cookies that reappeared meanwhile", async () => {
    await visit(async (v) => {
      await v.goto();
      await v.page.evaluate(() => window.Consentry.set({ analytics: true }));
      await waitLog(v.page, ["gtag.js"]);
      // Set elsewhere since (a server, another page of the site).
      await v.context.addCookies([
        { name: "_fbp", value: "x", domain: ".shop.test", path: "/" },
        { name: "_fbp", value: "y", domain: HOST, path: "/blocking/shop" },
      ]);
      await v.reload();
      await waitLog(v.page, ["gtag.js"]);
      const left = await v.trackerCookies();
      assert.deepEqual(left.filter((c) => c.startsWith("_fbp")), [], "marketing is refused: its cookies go");
      assert.ok(left.some((c) => c.startsWith("_ga@")), "analytics is allowed: its cookies stay");
    });
  });
});

describe("reload_on_withdraw", () => {
  test("taking consent back reloads the page (ran scripts cannot be unloaded); granting does not", async () => {
    await visit(async (v) => {
      const marked = () => v.page.evaluate(() => window.__mark === true);
      await v.goto("/blocking/shop/reload.html");
      await v.page.evaluate(() => (window.__mark = true));
      await v.page.evaluate(() => window.Consentry.set({ analytics: true, marketing: false }));
      await waitLog(v.page, ["gtag.js"]);
      assert.equal(await marked(), true, "granting keeps the page");

      let reloaded = v.page.waitForEvent("load");
      await v.page.evaluate(() => window.Consentry.rejectAll());
      await reloaded;
      await waitReady(v.page);
      assert.equal(await marked(), false, "rejectAll() after a grant reloaded");
      assert.equal((await v.page.evaluate(() => window.Consentry.get())).method, "reject-all");
      assert.deepEqual(await v.log(), [], "the fresh page runs nothing");
      assert.deepEqual(await v.trackerCookies(), []);

      await v.page.evaluate(() => (window.__mark = true));
      await v.page.evaluate(() => window.Consentry.set({ marketing: false }));
      await settle(300);
      assert.equal(await marked(), true, "refusing what was already refused is no withdrawal");

      await v.page.evaluate(() => window.Consentry.set({ analytics: true }));
      await waitLog(v.page, ["gtag.js"]);
      reloaded = v.page.waitForEvent("load");
      await v.page.evaluate(() => window.Consentry.reset());
      await reloaded;
      await waitReady(v.page);
      assert.equal(await marked(), false, "reset() reloaded");
      assert.equal(await v.page.evaluate(() => window.Consentry.get()), null);
      assert.ok(await v.page.locator(BANNER).isVisible(), "asked again");
    });
  });
});

describe("Google Consent Mode v2", () => {
  /** Every dataLayer entry: whether it is an `arguments` object, and its values. */
  const dataLayer = (page) =>
    page.evaluate(() =>
      (window.dataLayer || []).map((a) => ({ kind: Object.prototype.toString.call(a), v: Array.from(a) })));
  const lastUpdate = async (page) => {
    const all = (await dataLayer(page)).filter((e) => e.v[0] === "consent" && e.v[1] === "update");
    return all.at(-1);
  };
  const states = (granted) => Object.fromEntries(GCM_TYPES.map((t) => [t, granted.includes(t) ? "granted" : "denied"]));

  test("default first, then an update for accept, reject, custom and at start-up", async () => {
    await visit(async (v) => {
      await v.goto();
      const first = await dataLayer(v.page);
      assert.equal(first.length, 1, "only the default before a decision");
      assert.equal(first[0].kind, "[object Arguments]");
      assert.deepEqual(first[0].v.slice(0, 2), ["consent", "default"]);
      assert.deepEqual(first[0].v[2], { ...states(["security_storage"]), wait_for_update: 500 });

      await v.page.evaluate(() => window.Consentry.acceptAll());
      let u = await lastUpdate(v.page);
      assert.equal(u.kind, "[object Arguments]", "pushed like gtag() does");
      assert.deepEqual(u.v[2], states(GCM_TYPES));

      await v.page.evaluate(() => window.Consentry.rejectAll());
      assert.deepEqual((await lastUpdate(v.page)).v[2], states(["security_storage"]));

      await v.page.evaluate(() => window.Consentry.set({ analytics: true }));
      assert.deepEqual((await lastUpdate(v.page)).v[2], states(["security_storage", "analytics_storage"]));
      const updates = (await dataLayer(v.page)).filter((e) => e.v[1] === "update").length;
      assert.equal(updates, 3, "one update per decision");

      // Returning visitor: the stored decision is pushed before gated tags run.
      await v.reload();
      await waitLog(v.page, ["inline:true"]);
      const dl = await dataLayer(v.page);
      const iUpdate = dl.findIndex((e) => e.v[1] === "update");
      const iConfig = dl.findIndex((e) => e.v[0] === "config");
      assert.equal(dl[0].v[1], "default");
      assert.ok(iUpdate > 0, "an update at start-up");
      assert.deepEqual(dl[iUpdate].v[2], states(["security_storage", "analytics_storage"]));
      assert.ok(iConfig > iUpdate, `the gated gtag('config') came after the update (${iUpdate} < ${iConfig})`);
    });
  });

  test("dist/consent-default.js is small and sets the default", () => {
    const code = readFileSync(join(ROOT, "dist", "consent-default.js"), "utf8");
    assert.ok(code.length < 600, `${code.length} bytes`);
    const pushed = [];
    const w = { dataLayer: { push: (a) => pushed.push(Array.from(a)) } };
    new Function("window", code)(w);
    assert.deepEqual(pushed, [["consent", "default", { ...states(["security_storage"]), wait_for_update: 500 }]]);
  });
});

describe("Global Privacy Control", () => {
  test("accept all leaves marketing off and says why; an explicit toggle allows it", async () => {
    await visit({ gpc: true }, async (v) => {
      await v.goto();
      const note = v.page.locator(`${BANNER} [data-consentry="gpc-note"]`);
      assert.ok(await note.isVisible(), "the first layer mentions GPC");
      assert.match(await note.textContent(), /Global Privacy Control.*Marketing/);

      await v.page.locator(`${BANNER} ${action("accept-all")}`).click();
      await waitRequests(v, ANALYTICS_URLS);
      await settle(700);
      let r = await v.page.evaluate(() => window.Consentry.get());
      assert.equal(r.categories.marketing, false, "accept-all button leaves marketing off");
      assert.equal(r.categories.analytics, true);
      assert.equal(v.countAny(["https://connect.facebook.net/", "https://www.facebook.com/", "https://www.youtube-nocookie.com/"]), 0,
        "no marketing request");

      await v.page.evaluate(() => window.Consentry.acceptAll());
      await settle(300);
      assert.equal(await v.page.evaluate(() => window.Consentry.allowed("marketing")), false, "acceptAll() too");

      await v.page.locator('[data-consentry="reopen"]').click();
      const prefs = v.page.locator(PREFERENCES);
      await prefs.waitFor({ state: "visible" });
      assert.ok(await prefs.locator('[data-consentry="gpc-note"]').isVisible(), "the preferences say why");
      const box = prefs.locator('input[data-consentry-category="marketing"]');
      assert.equal(await box.isChecked(), false);
      await box.check();
      await prefs.locator(action("save")).click();
      await waitRequests(v, MARKETING_URLS);
      await settle(500);
      r = await v.page.evaluate(() => window.Consentry.get());
      assert.equal(r.categories.marketing, true, "the explicit toggle allows it");
      for (const u of MARKETING_URLS) assert.equal(v.count(u), 1, `${u} once`);
    });
  });
});

describe("change event", () => {
  test("fires once per decision, after the cookie is written and before gated elements load", async () => {
    await visit(async (v) => {
      await v.goto();
      await v.page.evaluate(() => {
        window.__events = [];
        window.__on = 0;
        window.Consentry.on("change", () => window.__on++);
        addEventListener("consentry:change", (e) => {
          window.__events.push({
            method: e.detail.method,
            cookie: (document.cookie.match(/(?:^|; )consentry=([^;]*)/) || [])[1] || "",
            ran: [...window.__log],
            live: document.querySelectorAll('script[data-category]:not([type="text/plain"])').length,
            imgSrc: document.querySelector("img[data-category]").hasAttribute("src"),
            frameSrc: document.querySelector("iframe[data-category]").hasAttribute("src"),
          });
        });
      });
      await v.page.evaluate(() => window.Consentry.acceptAll());
      await waitLog(v.page, ["gtag.js", "inline:true", "fbevents.js"]);
      await v.page.evaluate(() => window.Consentry.rejectAll());
      await v.page.evaluate(() => window.Consentry.set({ analytics: true }));
      const seen = await v.page.evaluate(() => window.__events);
      assert.equal(seen.length, 3, "one event per decision");
      assert.equal(await v.page.evaluate(() => window.__on), 3, "one on('change') call per decision");
      assert.deepEqual(seen.map((e) => e.method), ["accept-all", "reject-all", "custom"]);
      assert.deepEqual(seen.map((e) => e.cookie.split(".")[5]), ["a", "r", "c"], "document.cookie already holds the new decision");
      assert.deepEqual(seen[0], { ...seen[0], ran: [], live: 0, imgSrc: false, frameSrc: false }, "nothing gated started yet");
    });
  });

  test("a withdrawal fires consentry:reset (and on('reset')), not a change, once the cookies are gone", async () => {
    await visit(async (v) => {
      await v.goto();
      await v.page.evaluate(() => window.Consentry.acceptAll());
      await v.page.evaluate(() => {
        document.cookie = "_ga=GA1.1.1; path=/";
        window.__resets = [];
        window.__changes = 0;
        window.__onReset = [];
        addEventListener("consentry:change", () => window.__changes++);
        addEventListener("consentry:reset", (e) => {
          window.__resets.push({ detail: e.detail, record: window.Consentry.get(), cookies: document.cookie });
        });
        window.__off = window.Consentry.on("reset", (...args) => window.__onReset.push(args.length));
      });
      await v.page.evaluate(() => window.Consentry.reset());
      let seen = await v.page.evaluate(() => ({ resets: window.__resets, changes: window.__changes, on: window.__onReset }));
      assert.deepEqual(seen.resets, [{ detail: null, record: null, cookies: "" }], "fired once, after the consent cookie and _ga went");
      assert.equal(seen.changes, 0, "a withdrawal is not a decision");
      assert.deepEqual(seen.on, [0], "on('reset') called once, with no argument");

      // A second withdrawal fires again; an unsubscribed callback hears
      // nothing.
      await v.page.evaluate(() => {
        window.__off();
        window.Consentry.acceptAll();
        window.Consentry.reset();
      });
      seen = await v.page.evaluate(() => ({ resets: window.__resets.length, changes: window.__changes, on: window.__onReset.length }));
      assert.deepEqual(seen, { resets: 2, changes: 1, on: 1 });
      const bad = await v.page.evaluate(() => {
        try {
          window.Consentry.on("withdraw", () => {});
          return "no error";
        } catch (e) {
          return e.message;
        }
      });
      assert.match(bad, /unknown event "withdraw"; the events are "change" and "reset"/);
    });
  });
});
