// Trust boundaries of the web layer (issue 14, items 1, 3, 6, 10, 12a, 12c,
// 12e): which element the config comes from, gated scripts that must run
// exactly once, what a withdrawal takes back, markup that must not load
// before consent, a script that arrives after its category was refused, and
// controls planted in consentry's own dialog.
//
// Pages are generated per test (see page()). Every third-party request is
// answered here and counted: scripts get a body that logs "<p>" (their `p`
// query parameter) into window.__ran, everything else the harness's stubs.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { LOCAL_HOSTS, freshPage, launch, settle, startServer } from "./harness.mjs";

const action = (name) => `[data-consentry-action="${name}"]`;
const PLACEHOLDER = '[data-consentry="placeholder"]';
const GTAG = (p) => `https://www.googletagmanager.com/gtag/js?id=G-T&p=${p}`;
const PIXEL = (p) => `https://www.facebook.com/tr?id=1&p=${p}`;
const EMBED = (p) => `https://www.youtube.com/embed/x?p=${p}`;
const POSTER = (p) => `https://www.facebook.com/poster.gif?p=${p}`;

/** The config of every page: analytics and marketing with their hosts. */
const CONFIG = {
  categories: [
    { id: "necessary", title: "Necessary", required: true },
    { id: "analytics", title: "Analytics", hosts: ["www.googletagmanager.com", "*.google-analytics.com"] },
    { id: "marketing", title: "Marketing", hosts: ["*.facebook.com", "www.youtube.com"] },
  ],
};
/** A forged config a sanitiser could let through: everything required. */
const FORGED = {
  categories: CONFIG.categories.map((c) => ({ ...c, required: true })),
};

/** A promise and its resolve function. */
function deferred() {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
}

const pages = new Map();
let browser;
let server;

/**
 * Registers a page and returns its path. `head` goes after the config block
 * (and the prelude, with prelude: true); `config: false` leaves the block out.
 */
function page(name, { head = "", body = "", config = true, prelude = false } = {}) {
  const json = config ? `<script type="application/json" id="consentry-config">${JSON.stringify(CONFIG)}</script>` : "";
  pages.set(name, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${name}</title>
${json}
${prelude ? '<script src="/assets/consentry/consentry-prelude.js"></script>' : ""}
<script src="/assets/consentry/consentry.js" defer></script>
${head}
</head><body><main><h1>${name}</h1>${body}</main></body></html>`);
  return `/t/${name}`;
}

before(async () => {
  [browser, server] = await Promise.all([
    launch(),
    startServer({
      onRequest(req, res, { pathname }) {
        const m = pathname.match(/^\/t\/([\w-]+)$/);
        if (!m || !pages.has(m[1])) return false;
        res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
        res.end(pages.get(m[1]));
        return true;
      },
    }),
  ]);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * A fresh visitor. Third-party scripts log their `p` into window.__ran;
 * `t.hits(part)` counts requests whose URL contains `part`. A script whose
 * `p` is in `slow` waits until `t.release(p)` is called.
 */
async function visitor({ slow = [] } = {}) {
  const t = await freshPage(browser, server);
  const gates = new Map(slow.map((p) => [p, deferred()]));
  t.arrived = new Map(slow.map((p) => [p, deferred()]));
  t.release = (p) => gates.get(p).resolve();
  t.seen = [];
  t.hits = (part) => t.seen.filter((u) => u.includes(part)).length;
  await t.context.route("**/*", async (route) => {
    const req = route.request();
    const url = new URL(req.url());
    if (LOCAL_HOSTS.has(url.hostname) || !/^https?:$/.test(url.protocol)) return route.fallback();
    t.seen.push(req.url());
    if (req.resourceType() !== "script") return route.fallback();
    const p = url.searchParams.get("p");
    if (gates.has(p)) {
      t.arrived.get(p).resolve();
      await gates.get(p).promise;
    }
    return route.fulfill({
      status: 200,
      headers: { "Content-Type": "text/javascript", "Cache-Control": "no-store" },
      body: `(window.__ran = window.__ran || []).push(${JSON.stringify(p)}); document.cookie = "_ga=GA1.1.${p}; path=/";`,
    });
  });
  t.ran = () => t.page.evaluate(() => window.__ran || []);
  t.allowed = (id) => t.page.evaluate((id) => window.Consentry.allowed(id), id);
  /**
   * Resolves when the page answers a script within `ms`; rejects when its
   * main thread is stuck (an activation that feeds itself never yields).
   */
  t.responsive = (ms = 5000) =>
    Promise.race([
      t.page.evaluate(() => new Promise((r) => setTimeout(() => r("alive"), 0))),
      new Promise((_, rej) => setTimeout(() => rej(new Error(`the page did not answer within ${ms} ms: its main thread is stuck`)), ms)),
    ]);
  return t;
}

/** Runs body with a visitor; closes it even when the page froze. */
async function visit(opts, body) {
  const t = await visitor(opts);
  try {
    await body(t);
  } finally {
    // A frozen renderer can keep close() waiting: bounded, then moved on.
    await Promise.race([t.close(), settle(5000)]);
  }
}

const acceptAll = (t) => t.page.click(action("accept-all"));

// ---------------------------------------------------------------------------
// Item 1: only the first <script type="application/json" id="consentry-config">

describe("the config comes only from the first <script type=application/json id=consentry-config>", () => {
  const gated = `<script type="text/plain" data-category="analytics" src="${GTAG("gated")}"></script>`;

  test("a sanitised comment <p id=consentry-config> making everything required is ignored and named in a warning", async () => {
    const path = page("config-p", {
      config: false,
      body: `${gated}<article><p id="consentry-config" hidden>${JSON.stringify(FORGED)}</p></article>`,
    });
    await visit({}, async (t) => {
      const warnings = [];
      t.page.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
      await t.goto(path);
      await settle(300);
      assert.equal(await t.allowed("analytics"), false, "the forged config made analytics required");
      assert.deepEqual(await t.ran(), [], "a gated script ran with no decision");
      assert.equal(t.hits("googletagmanager"), 0);
      assert.ok(await t.page.locator('[data-consentry="banner"]').isVisible(), "no banner: the forged config left nothing to ask");
      assert.ok(
        warnings.some((w) => /<p id="consentry-config">/i.test(w)),
        `no console warning names the ignored <p>: ${JSON.stringify(warnings)}`,
      );
      t.assertNoErrors();
    });
  });

  test("a forged element before the real block (here a <div> in the page body, the block at the end) loses to the block", async () => {
    const real = { ...CONFIG, categories: CONFIG.categories.map((c) => (c.id === "analytics" ? { ...c, title: "Real analytics" } : c)) };
    const path = page("config-div-first", {
      config: false,
      body: `${gated}<div id="consentry-config" hidden>${JSON.stringify(FORGED)}</div>
<script type="application/json" id="consentry-config">${JSON.stringify(real)}</script>
<script type="application/json" id="consentry-config">${JSON.stringify(FORGED)}</script>`,
    });
    await visit({}, async (t) => {
      await t.goto(path);
      await settle(300);
      assert.equal(await t.allowed("analytics"), false);
      assert.deepEqual(await t.ran(), []);
      await t.page.click(action("open-preferences"));
      await t.page.getByText("Real analytics").first().waitFor();
      t.assertNoErrors();
    });
  });
});

// ---------------------------------------------------------------------------
// Item 3: data-src scripts run exactly once; no activation feeds itself

describe("a gated script runs exactly once, and no activation feeds itself", () => {
  test("<script type=text/plain data-src> (Klaro style) runs once after Accept, and the page stays responsive", async () => {
    const path = page("data-src", {
      body: `<script type="text/plain" data-category="analytics" data-src="${GTAG("ds")}"></script>`,
    });
    await visit({}, async (t) => {
      await t.goto(path);
      assert.equal(t.hits("googletagmanager"), 0, "loaded before consent");
      await acceptAll(t);
      assert.equal(await t.responsive(), "alive");
      await t.page.waitForFunction(() => (window.__ran || []).length > 0, null, { timeout: 5000 });
      await settle(300);
      assert.equal(await t.responsive(), "alive");
      assert.deepEqual(await t.ran(), ["ds"]);
      assert.equal(t.hits("p=ds"), 1);
      // A later decision sweeps again: still once.
      await t.page.evaluate(() => window.Consentry.set({ marketing: true }));
      await settle(200);
      assert.deepEqual(await t.ran(), ["ds"]);
      t.assertNoErrors();
    });
  });

  test("variants: a data-type that is itself text/plain, a script inserted later with data-src and no type, and a returning visitor", async () => {
    const path = page("data-src-variants", {
      body: `<script type="text/plain" data-type="text/plain" data-category="analytics">window.__plain = (window.__plain || 0) + 1</script>
<script type="text/plain" data-category="analytics" data-type="text/javascript" data-src="${GTAG("dt")}" async></script>`,
    });
    await visit({}, async (t) => {
      await t.goto(path);
      await acceptAll(t);
      assert.equal(await t.responsive(), "alive");
      await t.page.waitForFunction(() => (window.__ran || []).includes("dt"), null, { timeout: 5000 });
      await t.page.evaluate((src) => {
        const s = document.createElement("script");
        s.dataset.category = "analytics";
        s.dataset.src = src;
        document.body.append(s);
      }, GTAG("later"));
      await t.page.waitForFunction(() => (window.__ran || []).includes("later"), null, { timeout: 5000 });
      await settle(300);
      assert.equal(await t.responsive(), "alive");
      assert.deepEqual(await t.ran(), ["dt", "later"]);
      assert.equal(await t.page.evaluate(() => window.__plain), undefined, "a text/plain script ran");
      // Back on the next page view with the decision stored.
      await t.reload();
      await t.page.waitForFunction(() => (window.__ran || []).includes("dt"), null, { timeout: 5000 });
      await settle(300);
      assert.equal(await t.responsive(), "alive");
      assert.deepEqual(await t.ran(), ["dt"]);
      t.assertNoErrors();
    });
  });
});

// ---------------------------------------------------------------------------
// Item 6: withdrawal takes back everything that was given

describe("a withdrawal takes back everything that was given", () => {
  test("an iframe and an image the prelude held and released are taken back by reset()", async () => {
    // Written by a page script through innerHTML, which the prelude holds.
    const path = page("prelude-released", {
      prelude: true,
      body: `<div id="slot"></div><script>document.querySelector("#slot").innerHTML =
  '<iframe src="${EMBED("pre")}" title="Video" width="320" height="180"></iframe><img src="${PIXEL("pre")}" alt="" id="pixel">';</script>`,
    });
    await visit({}, async (t) => {
      await t.goto(path);
      assert.equal(t.hits("youtube") + t.hits("facebook"), 0, "the prelude let them through before consent");
      await acceptAll(t);
      await t.page.waitForFunction(() => document.querySelector("iframe")?.getAttribute("src")?.includes("youtube"));
      await t.page.waitForFunction(() => document.querySelector("#pixel").complete);
      const frames = t.hits("youtube");
      await t.page.evaluate(() => window.Consentry.reset());
      await settle(300);
      const state = await t.page.evaluate(() => ({
        live: [...document.querySelectorAll("iframe")].filter((f) => f.hasAttribute("src")).length,
        frames: document.querySelectorAll("iframe").length,
        placeholder: !!document.querySelector('[data-consentry="placeholder"]'),
        pixel: document.querySelector("#pixel").getAttribute("src"),
      }));
      assert.deepEqual(state, { live: 0, frames: 1, placeholder: true, pixel: null });
      assert.equal(t.hits("youtube"), frames, "taking the frame back loaded it again");
      // Given back by a later consent, once.
      await t.page.evaluate(() => window.Consentry.acceptAll());
      await t.page.waitForFunction(() => document.querySelector("iframe")?.getAttribute("src")?.includes("youtube"));
      assert.equal(await t.page.evaluate(() => document.querySelector("#pixel").getAttribute("src")), PIXEL("pre"));
      t.assertNoErrors();
    });
  });

  test("variant: a video's <source> released by the prelude, taken back when marketing is switched off with set()", async () => {
    const clip = "https://www.youtube.com/media/clip.webm?p=clip";
    const path = page("prelude-source", {
      prelude: true,
      body: `<video id="v" controls width="320"><source src="${clip}" type="video/webm"></video>`,
    });
    await visit({}, async (t) => {
      await t.goto(path);
      await acceptAll(t);
      await t.page.waitForFunction(() => document.querySelector("source").hasAttribute("src"));
      await t.page.evaluate(() => window.Consentry.set({ marketing: false }));
      const state = await t.page.evaluate(() => ({
        src: document.querySelector("source").getAttribute("src"),
        current: document.querySelector("#v").currentSrc,
        category: document.querySelector("#v").dataset.category,
      }));
      assert.deepEqual(state, { src: null, current: "", category: "marketing" });
      t.assertNoErrors();
    });
  });

  for (const [what, detach, attach] of [
    ["the iframe itself", "window.__kept = document.querySelector('iframe'); window.__kept.remove()", "document.querySelector('#tab').append(window.__kept)"],
    ["its tab panel", "window.__kept = document.querySelector('#tab'); window.__kept.remove()", "document.querySelector('main').append(window.__kept)"],
  ]) {
    test(`a revealed iframe detached at the moment of withdrawal (${what}) does not load again when re-attached`, async () => {
      const path = page(`detached-${what === "its tab panel" ? "panel" : "frame"}`, {
        body: `<div id="tab"><iframe data-category="marketing" data-src="${EMBED("tab")}" title="Video"></iframe></div>`,
      });
      await visit({}, async (t) => {
        await t.goto(path);
        await acceptAll(t);
        await t.page.waitForFunction(() => document.querySelector("iframe").hasAttribute("src"));
        assert.equal(t.hits("p=tab"), 1);
        await t.page.evaluate(detach);
        await t.page.evaluate(() => window.Consentry.reset());
        await t.page.evaluate(attach);
        await settle(500);
        assert.equal(t.hits("p=tab"), 1, "the re-attached frame loaded its page again after the withdrawal");
        assert.equal(await t.page.evaluate(() => document.querySelector("iframe").hasAttribute("src")), false);
        assert.ok(await t.page.locator(PLACEHOLDER).isVisible(), "no placeholder for the re-attached frame");
        t.assertNoErrors();
      });
    });
  }
});

// ---------------------------------------------------------------------------
// Item 10: data-poster and data-srcdoc

describe("a gated video's poster and a gated iframe's srcdoc wait for consent", () => {
  test("data-poster on a gated <video> becomes poster only after consent, and goes back on withdrawal", async () => {
    const path = page("poster", {
      body: `<video id="v" data-category="marketing" data-poster="${POSTER("v")}" width="320" height="180"></video>`,
    });
    await visit({}, async (t) => {
      await t.goto(path);
      await settle(200);
      assert.equal(t.hits("poster.gif"), 0);
      assert.equal(await t.page.evaluate(() => document.querySelector("#v").getAttribute("poster")), null);
      await acceptAll(t);
      assert.equal(await t.page.evaluate(() => document.querySelector("#v").getAttribute("poster")), POSTER("v"));
      await t.page.evaluate(() => window.Consentry.reset());
      assert.equal(await t.page.evaluate(() => document.querySelector("#v").getAttribute("poster")), null);
      t.assertNoErrors();
    });
  });

  test("data-srcdoc on a gated iframe is held like data-src: placeholder first, the document after consent, taken back on withdrawal", async () => {
    const doc = `<p id=inside>inside</p><img src='${PIXEL("srcdoc")}'>`;
    const path = page("srcdoc", {
      body: `<iframe id="f" data-category="marketing" data-srcdoc="${doc}" title="Widget"></iframe>`,
    });
    await visit({}, async (t) => {
      await t.goto(path);
      await settle(200);
      assert.equal(t.hits("p=srcdoc"), 0);
      assert.ok(await t.page.locator(PLACEHOLDER).isVisible(), "no placeholder for a held srcdoc");
      await acceptAll(t);
      await t.page.waitForFunction(() => document.querySelector("#f").contentDocument?.querySelector("#inside"));
      assert.equal(await t.page.locator(PLACEHOLDER).count(), 0);
      await t.page.evaluate(() => window.Consentry.reset());
      const after = await t.page.evaluate(() => ({
        srcdoc: document.querySelector("#f").getAttribute("srcdoc"),
        held: document.querySelector("#f").getAttribute("data-srcdoc"),
      }));
      assert.deepEqual(after, { srcdoc: null, held: doc });
      assert.ok(await t.page.locator(PLACEHOLDER).isVisible());
      t.assertNoErrors();
    });
  });
});

// ---------------------------------------------------------------------------
// Item 12a: a script arriving after its category was refused does not run

describe("a gated script still downloading when its category is refused never runs", () => {
  for (const how of ["rejectAll", "reset"]) {
    test(`refused by ${how}() while it downloads: it does not run when it arrives, and a later consent runs it once`, async () => {
      const path = page(`slow-${how}`, {
        body: `<script type="text/plain" data-category="analytics" src="${GTAG("slow")}"></script>`,
      });
      await visit({ slow: ["slow"] }, async (t) => {
        await t.goto(path);
        await acceptAll(t);
        await t.arrived.get("slow").promise;
        await t.page.evaluate((how) => window.Consentry[how](), how);
        t.release("slow");
        await settle(500);
        assert.deepEqual(await t.ran(), [], "the script ran after analytics was refused");
        assert.equal((await t.context.cookies()).some((c) => c.name === "_ga"), false, "_ga was set after the clean-up");
        await t.page.evaluate(() => window.Consentry.acceptAll());
        await t.page.waitForFunction(() => (window.__ran || []).length > 0, null, { timeout: 5000 });
        await settle(200);
        assert.deepEqual(await t.ran(), ["slow"]);
        t.assertNoErrors();
      });
    });
  }

  test("variant: the queue goes on: a marketing script behind the refused analytics one still runs", async () => {
    const path = page("slow-queue", {
      body: `<script type="text/plain" data-category="analytics" src="${GTAG("slow2")}"></script>
<script type="text/plain" data-category="marketing" src="https://connect.facebook.net/en_US/fbevents.js?p=fb"></script>`,
    });
    await visit({ slow: ["slow2"] }, async (t) => {
      await t.goto(path);
      await acceptAll(t);
      await t.arrived.get("slow2").promise;
      await t.page.evaluate(() => window.Consentry.set({ analytics: false }));
      // The dropped copy keeps its place in Chromium's list of in-order
      // scripts: the next one runs once it has arrived (and not run).
      t.release("slow2");
      await t.page.waitForFunction(() => (window.__ran || []).includes("fb"), null, { timeout: 5000 });
      await settle(300);
      assert.deepEqual(await t.ran(), ["fb"]);
      t.assertNoErrors();
    });
  });
});

// ---------------------------------------------------------------------------
// Item 12c: only consentry's own switches and buttons count

describe("the dialog obeys only its own switches and buttons", () => {
  const path = () => page("planted", { body: `<div id="account"></div>` });

  test("an <input data-consentry-category=marketing checked> a script plants in the preferences does not turn Save into consent", async () => {
    await visit({}, async (t) => {
      await t.goto(path());
      await t.page.click(action("open-preferences"));
      await t.page.locator('[data-consentry="preferences"]').waitFor({ state: "visible" });
      await t.page.evaluate(() => {
        const dialog = document.querySelector('[data-consentry="preferences"]');
        for (const where of [dialog.querySelector(".cst-cats"), dialog]) {
          const i = document.createElement("input");
          i.type = "checkbox";
          i.hidden = true;
          i.dataset.consentryCategory = "marketing";
          i.checked = true;
          where.append(i);
        }
      });
      await t.page.click(`[data-consentry="preferences"] ${action("save")}`);
      assert.equal(await t.allowed("marketing"), false, "a planted switch gave consent");
      assert.equal(await t.allowed("analytics"), false);
      t.assertNoErrors();
    });
  });

  test("variants: a planted input in an account panel, and a planted accept-all button labelled as something else", async () => {
    await visit({}, async (t) => {
      await t.goto(path());
      await t.page.evaluate(() => window.Consentry.mountPreferences(document.querySelector("#account")));
      await t.page.locator('[data-consentry="panel"]').waitFor({ state: "visible" });
      await t.page.evaluate(() => {
        const panel = document.querySelector('[data-consentry="panel"]');
        panel.querySelector(".cst-cats").insertAdjacentHTML("beforeend", '<input type="checkbox" data-consentry-category="analytics" checked hidden>');
        // Inside the root: a "close" that is really accept-all.
        const root = document.querySelector('[data-consentry="root"]');
        root.insertAdjacentHTML("beforeend", '<button id="fake" type="button" data-consentry-action="accept-all">Close</button>');
        panel.insertAdjacentHTML("beforeend", '<button id="fake2" type="button" data-consentry-action="accept-all"><span>Dismiss</span></button>');
      });
      await t.page.click(`[data-consentry="panel"] ${action("save")}`);
      assert.equal(await t.allowed("analytics"), false, "a planted switch in the panel gave consent");
      await t.page.click("#fake");
      await t.page.click("#fake2 span");
      assert.equal(await t.allowed("marketing"), false, "a planted button accepted everything");
      // consentry's own controls still work.
      await t.page.click(`[data-consentry="panel"] ${action("accept-all")}`);
      assert.equal(await t.allowed("marketing"), true);
      t.assertNoErrors();
    });
  });
});

// ---------------------------------------------------------------------------
// Item 12e: focus in a frame taken back goes to its placeholder

describe("focus inside a frame that is taken back goes to its placeholder", () => {
  for (const [how, call] of [
    ["reset()", () => window.Consentry.reset()],
    ["set({marketing: false})", () => window.Consentry.set({ marketing: false })],
  ]) {
    test(`withdrawal by ${how}`, async () => {
      const path = page(`focus-${how.replace(/\W/g, "")}`, {
        body: `<button id="before" type="button">Before</button>
<iframe data-category="marketing" data-src="${EMBED("focus")}" title="Video"></iframe>`,
      });
      await visit({}, async (t) => {
        await t.goto(path);
        await acceptAll(t);
        await t.page.waitForFunction(() => document.querySelector("iframe").hasAttribute("src"));
        await t.page.evaluate(() => document.querySelector("iframe").focus());
        assert.equal(await t.page.evaluate(() => document.activeElement.localName), "iframe");
        await t.page.evaluate(call);
        const focused = await t.page.evaluate(() => document.activeElement.getAttribute("data-consentry"));
        assert.equal(focused, "placeholder", "focus fell out of the taken-back frame");
        t.assertNoErrors();
      });
    });
  }
});

