// The prelude (dist/consentry-prelude.js, issue #8) against a page whose only
// tracker code is a first-party "tag manager" without consent markup
// (tests/fixtures/prelude/tagmanager.js). It injects GA, GTM, the Meta pixel
// and a YouTube embed in every way the prelude has to catch, once while the
// wasm is still loading ("early"), once on a timer after consentry:ready
// ("late"), and on demand ("post"). Every third-party request is answered
// here: scripts with a body that logs "<file>:<batch>" into window.__ran, the
// rest by the harness's stubs; all are counted.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { PRELUDE_BROTLI_MAX, sizes } from "../../scripts/build.mjs";
import { LOCAL_HOSTS, ROOT, freshPage, launch, settle, startServer } from "./harness.mjs";

const FIXTURES = join(ROOT, "tests", "fixtures", "prelude");
const action = (name) => `[data-consentry-action="${name}"]`;

// What one batch of tagmanager.js asks for, by category (URLs as requested).
const GA = (b) => `https://www.googletagmanager.com/gtag/js?id=G-T&b=${b}`;
const GTM = (b) => `https://www.googletagmanager.com/gtm.js?id=GTM-T&b=${b}`;
const FB = (b) => `https://connect.facebook.net/en_US/fbevents.js?b=${b}`;
const PIXEL = (how, b) => `https://www.facebook.com/tr?id=1&ev=PageView&b=${how}&b=${b}`;
const VIDEO = (how, b) => `https://www.youtube.com/embed/x?b=${how}&b=${b}`;
const CSS = (b) => `https://www.googletagmanager.com/debug.css?b=${b}`;
const FETCH = (b) => `https://www.google-analytics.com/g/collect?v=2&fetch&b=${b}`;
const XHR = (b) => `https://region1.analytics.google.com/g/collect?v=2&xhr&b=${b}`;
const BEACON = (b) => `https://www.google-analytics.com/g/collect?v=2&beacon&b=${b}`;

/** Element requests a batch makes: these are held, then released once. */
const elements = (b) => ({
  analytics: [GA(b), GTM(b), CSS(b)],
  marketing: [
    FB(b),
    ...["image", "append", "replace", "innerhtml", "adjacent"].map((how) => PIXEL(how, b)),
    ...["prepend", "innerhtml"].map((how) => VIDEO(how, b)),
  ],
});
/** Network calls a batch makes: dropped while refused, so only "post" ones ever go out. */
const calls = (b) => ({ analytics: [FETCH(b), XHR(b), BEACON(b)], marketing: [] });
/** Script runs of a batch, in the order the tag manager inserted them. */
const runs = (b, cats = ["analytics", "marketing"]) =>
  [
    ["gtag/js", "analytics"],
    ["fbevents.js", "marketing"],
    ["gtm.js", "analytics"],
  ]
    .filter(([, c]) => cats.includes(c))
    .map(([f]) => `${f}:${b}`);

let browser;
let server;

before(async () => {
  [browser, server] = await Promise.all([launch(), startServer({ mounts: [["/p/", FIXTURES]] })]);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** A fresh visitor with every third-party request recorded in `t.hits`. */
async function visitor() {
  const t = await freshPage(browser, server);
  t.hits = [];
  // Registered after the harness's route, so it is asked first.
  await t.context.route("**/*", async (route) => {
    const req = route.request();
    const url = new URL(req.url());
    if (LOCAL_HOSTS.has(url.hostname) || !/^https?:$/.test(url.protocol)) return route.fallback();
    t.hits.push({ url: req.url(), type: req.resourceType() });
    if (req.resourceType() !== "script") return route.fallback();
    const file = url.pathname.endsWith("/gtag/js") ? "gtag/js" : url.pathname.split("/").pop();
    const name = `${file}:${url.searchParams.get("b") ?? url.searchParams.get("id") ?? url.searchParams.get("p")}`;
    return route.fulfill({
      status: 200,
      headers: { "Content-Type": "text/javascript", "Cache-Control": "no-store" },
      body: `(window.__ran = window.__ran || []).push(${JSON.stringify(name)});`,
    });
  });
  t.count = (url) => t.hits.filter((h) => h.url === url).length;
  return t;
}

async function visit(body) {
  const t = await visitor();
  try {
    await body(t);
    t.assertNoErrors();
  } finally {
    await t.close();
  }
}

const ran = (page) => page.evaluate(() => [...(window.__ran || [])]);
const tm = (page) => page.evaluate(() => [...window.__tm.done]);
const cookieNames = (page) =>
  page.evaluate(() => document.cookie.split(";").map((c) => c.split("=")[0].trim()).filter(Boolean));

/** Opens the tag manager page and waits until both batches have run. */
async function openTagManager(t, path = "/p/index.html") {
  await t.goto(path);
  await t.page.waitForFunction(() => window.__tm && window.__tm.done.includes("batch:late"));
  await settle(400);
}

function assertEach(t, urls, n, what) {
  for (const u of urls) assert.equal(t.count(u), n, `${what}: ${u} requested ${t.count(u)} times, expected ${n}`);
}

describe("prelude: a tag manager without consent markup", () => {
  test("the built prelude stays within its brotli budget (scripts/build.mjs)", () => {
    const s = sizes(readFileSync(join(ROOT, "dist", "consentry-prelude.js")));
    assert.ok(s.brotli <= PRELUDE_BROTLI_MAX, `consentry-prelude.js is ${s.brotli} bytes brotli, budget ${PRELUDE_BROTLI_MAX}`);
  });

  test("before any decision: zero third-party requests, early or late, and no _ga cookie", () =>
    visit(async (t) => {
      await openTagManager(t);
      assert.deepEqual(t.hits, [], "third-party requests before consent");
      assert.deepEqual(await ran(t.page), []);
      const done = await tm(t.page);
      for (const b of ["early", "late"]) {
        assert.ok(done.includes(`fetch-held:${b}`), `fetch of batch ${b} was not refused`);
        assert.ok(done.includes(`beacon:false:${b}`), `sendBeacon of batch ${b} did not report false`);
      }
      assert.ok(!(await cookieNames(t.page)).includes("_ga"));
      // Hosts in capitals, a subdomain at any depth of *.doubleclick.net,
      // insertAdjacentHTML as the page's first mutation in its task.
      await t.page.evaluate(() => {
        new Image().src = "HTTPS://WWW.FACEBOOK.COM/tr?case=upper";
        new Image().src = "//a.b.doubleclick.net/pixel?case=deep";
        document.body.insertAdjacentHTML("beforeend", '<img alt="" src="https://stats.g.doubleclick.net/x?case=html">');
      });
      await settle(300);
      assert.deepEqual(t.hits, [], "third-party requests before consent");
      // The core agrees: nothing optional is allowed yet.
      assert.equal(await t.page.evaluate(() => window.Consentry.allowed("analytics")), false);
    }));

  test("the Consent Mode default is the first dataLayer entry: all denied but security_storage", () =>
    visit(async (t) => {
      await openTagManager(t);
      const first = await t.page.evaluate(() => {
        const e = window.dataLayer[0];
        return { isArguments: Object.prototype.toString.call(e) === "[object Arguments]", args: [...e] };
      });
      assert.ok(first.isArguments, "gtag.js only reads arguments objects");
      assert.deepEqual(first.args, [
        "consent",
        "default",
        {
          security_storage: "granted",
          wait_for_update: 500,
          ad_storage: "denied",
          analytics_storage: "denied",
          ad_user_data: "denied",
          ad_personalization: "denied",
          functionality_storage: "denied",
          personalization_storage: "denied",
        },
      ]);
    }));

  test("reject-all: still zero, also for a batch injected after the decision", () =>
    visit(async (t) => {
      await openTagManager(t);
      await t.page.click(action("reject-all"));
      await settle(300);
      await t.page.evaluate(() => window.__batch("post"));
      await settle(500);
      assert.deepEqual(t.hits, [], "third-party requests after reject-all");
      assert.deepEqual(await ran(t.page), []);
      assert.ok(!(await cookieNames(t.page)).includes("_ga"), "_ga written while analytics is refused");
    }));

  test("accept-all: every held request exactly once, scripts in order, with their handlers", () =>
    visit(async (t) => {
      await openTagManager(t);
      await t.page.click(action("accept-all"));
      await t.page.waitForFunction(() => (window.__ran || []).length >= 6);
      await settle(500);
      for (const b of ["early", "late"]) {
        const e = elements(b);
        assertEach(t, [...e.analytics, ...e.marketing], 1, `held ${b}`);
        assertEach(t, calls(b).analytics, 0, `dropped ${b}`);
      }
      assert.deepEqual(await ran(t.page), [...runs("early"), ...runs("late")]);
      const done = await tm(t.page);
      assert.ok(done.includes("onload:ga:early") && done.includes("onload:ga:late"), "the tag manager's onload did not fire");

      // After consent nothing is held: a new batch goes straight out, once.
      const before = t.hits.length;
      await t.page.evaluate(() => window.__batch("post"));
      await t.page.waitForFunction(() => window.__ran.length >= 9);
      await settle(500);
      const e = elements("post");
      assertEach(t, [...e.analytics, ...e.marketing, ...calls("post").analytics], 1, "post");
      assert.equal(t.hits.length - before, e.analytics.length + e.marketing.length + 3);
      assert.ok((await cookieNames(t.page)).includes("_ga"), "_ga not written after consent");
    }));

  test("one category at a time: analytics alone releases only analytics, then marketing follows", () =>
    visit(async (t) => {
      await openTagManager(t);
      await t.page.evaluate(() => window.Consentry.set({ analytics: true }));
      await t.page.waitForFunction(() => (window.__ran || []).length >= 4);
      await settle(500);
      for (const b of ["early", "late"]) {
        assertEach(t, elements(b).analytics, 1, `analytics ${b}`);
        assertEach(t, elements(b).marketing, 0, `marketing ${b} while refused`);
      }
      assert.deepEqual(await ran(t.page), [...runs("early", ["analytics"]), ...runs("late", ["analytics"])]);
      await t.page.evaluate(() => {
        document.cookie = "_ga=GA1.1.direct; Path=/";
        document.cookie = "_fbp=fb.1.direct; Path=/";
      });
      const names = await cookieNames(t.page);
      assert.ok(names.includes("_ga"), "_ga refused although analytics is allowed");
      assert.ok(!names.includes("_fbp"), "_fbp written while marketing is refused");

      await t.page.evaluate(() => window.Consentry.set({ analytics: true, marketing: true }));
      await t.page.waitForFunction(() => window.__ran.length >= 6);
      await settle(500);
      for (const b of ["early", "late"]) {
        const e = elements(b);
        assertEach(t, [...e.analytics, ...e.marketing], 1, `both ${b}`);
      }
      assert.deepEqual((await ran(t.page)).slice(4), runs("early", ["marketing"]).concat(runs("late", ["marketing"])));
    }));

  test("document.cookie: declared cookies of a refused category are ignored, deletions go through", () =>
    visit(async (t) => {
      await t.context.addCookies([{ name: "_ga", value: "old", url: t.url("/") }]);
      await openTagManager(t);
      const r = await t.page.evaluate(() => {
        const has = (n) => document.cookie.split(";").some((c) => c.trim().startsWith(n + "="));
        const out = { oldKept: has("_ga") };
        document.cookie = "_ga_ABC123=GS1.1.x; Path=/";
        document.cookie = "_gid=GA1.1.x; Path=/";
        document.cookie = "own=1; Path=/";
        out.globRefused = !has("_ga_ABC123");
        out.gidRefused = !has("_gid");
        out.ownWritten = has("own");
        document.cookie = "_ga=; Max-Age=0; Path=/";
        out.deleted = !has("_ga");
        return out;
      });
      assert.deepEqual(r, { oldKept: true, globRefused: true, gidRefused: true, ownWritten: true, deleted: true });
    }));

  test("a returning visitor: held until the core starts, released before consentry:ready fires", () =>
    visit(async (t) => {
      await openTagManager(t);
      await t.page.click(action("accept-all"));
      await t.page.waitForFunction(() => (window.__ran || []).length >= 6);
      // A listener added before every page script, so before the prelude's
      // own: only the core.js hook can have released the early batch by then.
      await t.page.addInitScript(() => {
        addEventListener("consentry:ready", () => {
          window.__atReady = {
            gtag: !!document.querySelector('script[src*="gtag/js"][src*="b=early"]'),
            pixel: !!document.querySelector('img[src*="b=append&b=early"]'),
          };
        });
      });
      t.hits.length = 0;
      await t.reload();
      await t.page.waitForFunction(() => window.__tm.done.includes("batch:late") && (window.__ran || []).length >= 6);
      await settle(500);
      assert.deepEqual(await t.page.evaluate(() => window.__atReady), { gtag: true, pixel: true });
      for (const b of ["early", "late"]) {
        const e = elements(b);
        assertEach(t, [...e.analytics, ...e.marketing], 1, `returning ${b}`);
      }
      // The early batch was held and runs in order; the late one was never
      // held (consent was known), so its dynamic scripts run as they load.
      const r = await ran(t.page);
      assert.deepEqual(r.filter((x) => x.endsWith(":early")), runs("early"));
      assert.deepEqual(r.filter((x) => x.endsWith(":late")).sort(), runs("late").sort());
    }));

  test("a released frame taken back on withdrawal comes back, visible, with a later consent", () =>
    visit(async (t) => {
      await openTagManager(t);
      await t.page.click(action("accept-all"));
      await t.page.waitForFunction(() => (window.__ran || []).length >= 6);
      await settle(300);
      const videos = ["early", "late"].flatMap((b) => ["prepend", "innerhtml"].map((how) => VIDEO(how, b)));
      assertEach(t, videos, 1, "after accept-all");
      const frames = () =>
        t.page.evaluate(() =>
          [...document.querySelectorAll('iframe[title="video"]')].map((f) => ({
            src: f.getAttribute("src"),
            dataSrc: f.getAttribute("data-src"),
            hidden: f.hidden,
            placeholder: f.previousElementSibling?.getAttribute("data-consentry") === "placeholder",
          })),
        );

      // Withdrawn: each frame keeps its address in data-src, behind a notice.
      await t.page.evaluate(() => window.Consentry.set({ marketing: false }));
      await settle(300);
      const taken = await frames();
      assert.equal(taken.length, 4);
      for (const f of taken) {
        assert.equal(f.src, null, "a withdrawn frame kept its src");
        assert.ok(videos.includes(f.dataSrc), `a withdrawn frame lost its address: ${JSON.stringify(f)}`);
        assert.ok(f.hidden && f.placeholder, `a withdrawn frame has no notice: ${JSON.stringify(f)}`);
      }

      // Allowed again: each frame loads once more and is shown, its notice gone.
      await t.page.evaluate(() => window.Consentry.set({ marketing: true }));
      await settle(500);
      for (const f of await frames()) {
        assert.ok(videos.includes(f.src) && f.dataSrc === null, `a frame did not get its address back: ${JSON.stringify(f)}`);
        assert.ok(!f.hidden && !f.placeholder, `a frame came back hidden: ${JSON.stringify(f)}`);
      }
      assertEach(t, videos, 2, "after consent again");
    }));
});

describe("prelude: markup and config", () => {
  test("tracker scripts parsed after the prelude do not run before consent, and run once after", (ctx) =>
    visit(async (t) => {
      await t.goto("/p/parser.html");
      await settle(500);
      // The first-party script after them ran; the trackers did not.
      assert.deepEqual(await ran(t.page), ["after.js"]);
      const early = t.hits.map((h) => h.url);
      await t.page.click(action("accept-all"));
      await t.page.waitForFunction(() => window.__ran.length >= 3);
      await settle(500);
      const r = await ran(t.page);
      assert.equal(r.filter((x) => x === "gtag/js:G-P").length, 1);
      assert.equal(r.filter((x) => x === "fbevents.js:1").length, 1);
      assert.equal(r.indexOf("gtag/js:G-P") < r.indexOf("fbevents.js:1"), true, "not in document order");
      // Chromium's preload scanner may fetch markup it sees ahead of the
      // parser: that is a request, never a run (see the README's limits).
      ctx.diagnostic(`parser.html: third-party requests before consent (preload scanner): ${early.length}`);
    }));

  test("CONTRACT §4 markup still works with the prelude, for a new and a returning visitor", () =>
    visit(async (t) => {
      const gtag = "https://www.googletagmanager.com/gtag/js?id=G-M";
      const fb = "https://connect.facebook.net/en_US/fbevents.js?p=M";
      const pixel = "https://www.facebook.com/tr?id=1&ev=gated";
      const order = ["gtag/js:G-M", "inline:analytics", "fbevents.js:M"];
      await t.goto("/p/gated.html");
      await settle(300);
      assert.deepEqual(t.hits, []);
      await t.page.click(action("accept-all"));
      await t.page.waitForFunction(() => (window.__ran || []).length >= 3);
      await settle(300);
      assert.deepEqual(await ran(t.page), order);
      assertEach(t, [gtag, fb, pixel], 1, "new visitor");
      // Returning: the core activates the markup while it starts, before its
      // allowed() answers; the prelude holds the copies and the core.js hook
      // releases them in the same task, so the core's queue goes on.
      t.hits.length = 0;
      await t.reload();
      await t.page.waitForFunction(() => (window.__ran || []).length >= 3);
      await settle(300);
      assert.deepEqual(await ran(t.page), order);
      assertEach(t, [gtag, fb, pixel], 1, "returning visitor");
    }));

  test("an inline #consentry-config before the prelude replaces the baked host list", () =>
    visit(async (t) => {
      await openTagManager(t, "/p/inline-config.html");
      // Hosts of the baked default that the inline config does not name pass.
      assertEach(t, [GA("early"), GTM("early"), FB("early")], 1, "not listed inline");
      // A required category is never held.
      assertEach(t, [PIXEL("append", "early")], 1, "required category");
      // The inline config's own hosts are held.
      assertEach(t, [VIDEO("prepend", "early"), VIDEO("innerhtml", "late")], 0, "inline hosts before consent");
      await t.page.evaluate(() => window.Consentry.set({ video: true }));
      await settle(500);
      assertEach(t, ["early", "late"].flatMap((b) => [VIDEO("prepend", b), VIDEO("innerhtml", b)]), 1, "video allowed");
      // The inline config has no google_consent_mode: no default is pushed.
      assert.equal(await t.page.evaluate(() => (window.dataLayer || []).length), 0);
    }));
});
