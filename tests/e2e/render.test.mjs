// The first layer as HTML text (render, CONTRACT §5 "Pre-rendered first
// layer"): canonical in Chromium, built by the gate from the same render,
// adopted from a server-rendered page at first paint, a click before the
// gate is ready kept, copies that pose as the banner ignored, and a static
// page that never flashes the banner at a returning visitor.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ROOT, consentCookie, freshPage, launch, settle, startServer, waitReady } from "./harness.mjs";

const { renderBanner } = await import(join(ROOT, "dist", "consentry-server.mjs"));
const CORPUS = JSON.parse(readFileSync(join(ROOT, "tests", "fixtures", "hostile", "texts.json"), "utf8"));
const EARLY = readFileSync(join(ROOT, "dist", "consentry-early.js"), "utf8");
const EARLY_HASH = readFileSync(join(ROOT, "dist", "consentry-early.sha256"), "utf8").trim();
const CSP = `default-src 'self'; script-src 'self' 'wasm-unsafe-eval' '${EARLY_HASH}'; style-src 'self'; img-src 'self'`;
const TT = "require-trusted-types-for 'script'; trusted-types consentry";

const GATED = '<script type="text/plain" data-category="analytics" src="/third-party/gtag.js"></script>';

/** A page: early snippet inline, the stylesheet, the script tag, then `body`. */
function page(body, { lang = "en", early = true } = {}) {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>render</title>
${early ? `<script>${EARLY}</script>` : ""}
<link rel="stylesheet" href="/assets/consentry/consentry.css" data-consentry-css>
<script src="/assets/consentry/consentry.js" defer></script>
${GATED}
</head><body>${body}<main><h1>Shop</h1><p>${"Text. ".repeat(200)}</p></main></body></html>`;
}

const pages = new Map();
let browser;
let server;
before(async () => {
  browser = await launch();
  server = await startServer({
    onRequest(req, res, { pathname }) {
      const make = pages.get(pathname);
      if (!make) return false;
      const headers = { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" };
      const url = new URL(req.url, "http://x");
      if (url.searchParams.has("csp")) headers["Content-Security-Policy"] = CSP + (url.searchParams.has("tt") ? "; " + TT : "");
      res.writeHead(200, headers);
      const body = make(req);
      if (typeof body === "string") {
        res.end(body);
        return true;
      }
      // { parts, pause }: sent with a pause between parts, so the parser
      // stops where one part ends and the page paints what it has.
      (async () => {
        for (const [i, part] of body.parts.entries()) {
          if (i) await new Promise((r) => setTimeout(r, body.pause));
          res.write(part);
        }
        res.end();
      })();
      return true;
    },
  });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** Holds consentry.wasm until `release()`; the page shows what it has without the gate. */
async function holdWasm(t) {
  let release;
  const gate = new Promise((r) => (release = r));
  await t.page.route("**/consentry.wasm", async (route) => {
    await gate;
    await route.fallback();
  });
  return release;
}

/**
 * Records every [data-consentry=root] the page ever gets, and layout shifts:
 * `__cls` all of them, `__ours` those that move consentry's markup or come
 * after the gate is ready (when only consentry changes the page), with
 * `__shifts` naming what moved.
 */
async function watch(t) {
  await t.page.addInitScript(() => {
    window.__roots = 0;
    window.__cls = 0;
    window.__ours = 0;
    window.__shifts = [];
    window.__violations = [];
    let ready = Infinity;
    window.addEventListener("consentry:ready", () => (ready = performance.now()));
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) if (n.nodeType === 1 && n.getAttribute("data-consentry") === "root") window.__roots++;
    }).observe(document, { childList: true, subtree: true });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.hadRecentInput) continue;
        const nodes = e.sources.map((s) => s.node).filter(Boolean);
        const ours = e.startTime > ready || nodes.some((n) => (n.nodeType === 1 ? n : n.parentElement)?.closest(".cst, .cst-ph, [data-consentry]"));
        window.__cls += e.value;
        if (ours) window.__ours += e.value;
        window.__shifts.push(`${e.value.toFixed(4)} at ${Math.round(e.startTime)} ms${ours ? " (consentry)" : ""}: ` + nodes.map((n) => n.nodeName + (n.className && typeof n.className === "string" ? "." + n.className : "")).join(", "));
      }
    }).observe({ type: "layout-shift", buffered: true });
    document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
  });
}

const visibleBanners = (t) =>
  t.page.evaluate(() => [...document.querySelectorAll('[data-consentry="banner"]')].filter((b) => b.checkVisibility()).length);

describe("render is canonical", () => {
  test("Chromium parses every hostile render back to exactly the same text (outerHTML)", async () => {
    const t = await freshPage(browser, server);
    try {
      await t.page.setContent("<!doctype html><html><body></body></html>");
      const configs = [];
      for (const text of CORPUS.texts) {
        for (const url of [...CORPUS.urls, "/p"]) {
          configs.push({
            policy_url: url,
            languages: ["en", "he"],
            ui: { en: { banner_title: text, banner_text: text, policy_link: text, reject_all: text, gpc_banner: text } },
            categories: [{ id: "n", title: "N", required: true }, { id: "a", title: text, gpc: true }],
          });
        }
      }
      let checked = 0;
      for (const c of configs) {
        for (const [lang, gpc] of [["en", "1"], ["he", undefined]]) {
          let html;
          try {
            html = renderBanner(c, lang, undefined, gpc);
          } catch (e) {
            assert.match(e.message, /^config: /); // bidi and control characters are refused by key path
            continue;
          }
          const back = await t.page.evaluate((h) => {
            document.body.innerHTML = h;
            return { html: document.body.firstElementChild.outerHTML, n: document.body.children.length, xss: window.__xss };
          }, html);
          assert.equal(back.n, 1, html);
          assert.equal(back.html, html);
          assert.equal(back.xss, undefined);
          checked++;
        }
      }
      assert.ok(checked >= CORPUS.texts.length * 2, `${checked} renders checked`);
    } finally {
      await t.close();
    }
  });

  test("the gate builds exactly the render: its root's outerHTML is renderBanner's text", async () => {
    for (const lang of ["en", "ru"]) {
      pages.set(`/r/built-${lang}`, () => page("", { lang }));
      const t = await freshPage(browser, server);
      try {
        await t.goto(`/r/built-${lang}`);
        const built = await t.page.evaluate(() => document.querySelector('body>[data-consentry="root"]').outerHTML);
        assert.equal(built, renderBanner(undefined, lang));
        t.assertNoErrors();
      } finally {
        await t.close();
      }
    }
  });
});

describe("a pre-rendered first layer", () => {
  pages.set("/r/ssr", (req) => page(renderBanner(undefined, "en", req.headers.cookie)));

  for (const csp of ["", "?csp", "?csp&tt"]) {
    test(`shows before the gate is ready and is adopted: one banner, no layout shift${csp ? ` (strict CSP${csp.includes("tt") ? " + Trusted Types" : ""})` : ""}`, async () => {
      const t = await freshPage(browser, server);
      const warnings = [];
      t.page.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
      try {
        await watch(t);
        const release = await holdWasm(t);
        await t.goto("/r/ssr" + csp, { ready: false });
        assert.equal(await visibleBanners(t), 1, "visible at first paint, without the wasm");
        assert.equal(await t.page.evaluate(() => document.documentElement.hasAttribute("data-consentry-decided")), false);
        release();
        await waitReady(t.page);
        await settle(300);
        const s = await t.page.evaluate(() => ({ roots: window.__roots, cls: window.__cls, violations: window.__violations, all: document.querySelectorAll('[data-consentry="root"]').length }));
        assert.equal(s.roots, 1, "the parsed root only: nothing built beside it");
        assert.equal(s.all, 1);
        assert.equal(s.cls, 0, "cumulative layout shift");
        assert.deepEqual(s.violations, []);
        assert.equal(await visibleBanners(t), 1);
        assert.deepEqual(warnings.filter((w) => w.includes("consentry")), []);
        // Its buttons are consentry's.
        await t.page.click('[data-consentry-action="accept-all"]');
        assert.equal(await t.page.evaluate(() => window.Consentry.get().method), "accept-all");
        t.assertNoErrors();
      } finally {
        await t.close();
      }
    });
  }

  test("a banner whose markup is still arriving is not drawn until its last button is: no layout shift", async () => {
    const html = page(renderBanner(undefined, "en"));
    const cut = html.indexOf('data-consentry-action="accept-all"');
    pages.set("/r/halfway", () => ({ parts: [html.slice(0, cut), html.slice(cut)], pause: 1500 }));
    const t = await freshPage(browser, server);
    try {
      await watch(t);
      const loaded = t.page.goto(t.url("/r/halfway"), { waitUntil: "load" });
      // The parser has the title, the text and the first button, and waits.
      const half = await t.page.waitForFunction(() => {
        const b = document.querySelector('[data-consentry="banner"]');
        return b && document.querySelector("#cst-text") && document.querySelector('[data-consentry-action="reject-all"]') && !document.querySelector('[data-consentry-action="accept-all"]') &&
          new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r({ display: getComputedStyle(b).display, height: b.getBoundingClientRect().height }))));
      });
      assert.deepEqual(await half.jsonValue(), { display: "none", height: 0 }, "half a banner is not drawn");
      await loaded;
      await waitReady(t.page);
      await settle(300);
      assert.equal(await visibleBanners(t), 1, "drawn once whole");
      const s = await t.page.evaluate(() => ({ cls: window.__cls, shifts: window.__shifts }));
      assert.equal(s.cls, 0, "cumulative layout shift: " + s.shifts.join("; "));
      t.assertNoErrors();
    } finally {
      await t.close();
    }
  });

  for (const [action, method] of [["reject-all", "reject-all"], ["accept-all", "accept-all"]]) {
    test(`"${action}" clicked before the gate is ready is applied once it is`, async () => {
      const t = await freshPage(browser, server);
      try {
        await watch(t);
        const release = await holdWasm(t);
        await t.goto("/r/ssr", { ready: false });
        await t.page.click(`[data-consentry-action="${action}"]`);
        assert.equal(await t.page.evaluate(() => window.Consentry.get()), null, "the gate is not ready yet");
        // The banner goes at once (CSS under the early mark), before the gate.
        assert.equal(await visibleBanners(t), 0);
        release();
        await waitReady(t.page);
        assert.equal(await t.page.evaluate(() => window.Consentry.get()?.method), method);
        const cookie = await consentCookie(t.context);
        assert.ok(cookie, "the decision is stored");
        assert.equal(await t.page.evaluate(() => document.documentElement.hasAttribute("data-consentry-early")), false);
        await settle(300);
        assert.equal(t.thirdParty.count("gtag.js"), action === "accept-all" ? 1 : 0, "optional scripts follow the early decision");
        assert.equal(await visibleBanners(t), 0);
        t.assertNoErrors();
      } finally {
        await t.close();
      }
    });
  }

  test('"Preferences" clicked before the gate is ready opens them once it is', async () => {
    const t = await freshPage(browser, server);
    try {
      const release = await holdWasm(t);
      await t.goto("/r/ssr", { ready: false });
      await t.page.click('[data-consentry-action="open-preferences"]');
      release();
      await waitReady(t.page);
      await t.page.waitForSelector('[data-consentry="preferences"][open]');
      assert.equal(await t.page.evaluate(() => window.Consentry.get()), null);
    } finally {
      await t.close();
    }
  });

  test("a returning visitor's server sends no banner, and the gate builds only its reopen control", async () => {
    const t = await freshPage(browser, server);
    try {
      await t.goto("/r/ssr");
      await t.page.click('[data-consentry-action="reject-all"]');
      const value = (await consentCookie(t.context)).value;
      const html = await (await t.page.request.get(t.url("/r/ssr"), { headers: { cookie: `consentry=${value}` } })).text();
      assert.ok(html.includes("<main>"), html.slice(0, 200));
      assert.ok(!html.includes('<section class="cst-banner"'), "no banner in the markup");
      await t.reload();
      assert.equal(await visibleBanners(t), 0);
      assert.equal(await t.page.isVisible('[data-consentry="reopen"]'), true);
    } finally {
      await t.close();
    }
  });
});

describe("copies that pose as the banner", () => {
  const real = renderBanner(undefined, "en");
  // A comment section that kept every attribute of the banner.
  const copy = `<section class="comments"><h2>Comments</h2><div class="comment">${real}</div></section>`;
  pages.set("/r/copy-and-real", () => page(real + copy));
  pages.set("/r/copy-only", () => page(`<header>Shop</header>${copy}`));
  pages.set("/r/stale", () => page(real.replace("Cookies on this site", "Cookies, old words")));

  test("clicks on a copy are neither kept early nor obeyed later", async () => {
    const t = await freshPage(browser, server);
    try {
      const release = await holdWasm(t);
      await t.goto("/r/copy-and-real", { ready: false });
      await t.page.locator('.comment [data-consentry-action="accept-all"]').click({ force: true });
      assert.equal(await t.page.evaluate(() => document.documentElement.getAttribute("data-consentry-early")), null);
      release();
      await waitReady(t.page);
      assert.equal(await t.page.evaluate(() => window.Consentry.get()), null);
      await t.page.locator('.comment [data-consentry-action="accept-all"]').click({ force: true });
      await settle(200);
      assert.equal(await t.page.evaluate(() => window.Consentry.get()), null, "a copy's button does nothing");
      assert.equal(await consentCookie(t.context), undefined);
      assert.equal(t.thirdParty.count("gtag.js"), 0);
      // The real one, first in <body>, was adopted and works (the copy,
      // fixed at the same place, is taken off the page so it can be clicked).
      await t.page.evaluate(() => document.querySelector(".comments").remove());
      await t.page.click('body>[data-consentry="root"] [data-consentry-action="reject-all"]');
      assert.equal(await t.page.evaluate(() => window.Consentry.get().method), "reject-all");
    } finally {
      await t.close();
    }
  });

  test("a copy that is not in the banner's spot is never adopted: the gate builds its own", async () => {
    const t = await freshPage(browser, server);
    try {
      await watch(t);
      const release = await holdWasm(t);
      await t.goto("/r/copy-only", { ready: false });
      await t.page.locator('.comment [data-consentry-action="reject-all"]').click({ force: true });
      release();
      await waitReady(t.page);
      assert.equal(await t.page.evaluate(() => window.__roots), 2, "the copy, and the gate's own");
      assert.equal(await t.page.evaluate(() => document.body.firstElementChild.getAttribute("data-consentry")), "root");
      assert.equal(await t.page.evaluate(() => window.Consentry.get()), null, "the early click on the copy was not kept");
    } finally {
      await t.close();
    }
  });

  test("markup in the spot that differs from the render is taken off with a warning and replaced", async () => {
    const t = await freshPage(browser, server);
    const warnings = [];
    t.page.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
    try {
      await t.goto("/r/stale");
      assert.equal(await visibleBanners(t), 1, "one banner: the gate's");
      assert.equal(await t.page.locator('[data-consentry="banner"]:visible h2').textContent(), "Cookies on this site");
      // One root, so each of the dialog's ids names one element and the
      // banner's accessible name is its own title.
      assert.deepEqual(
        await t.page.evaluate(() => [document.querySelectorAll('[data-consentry="root"]').length, document.querySelectorAll("#cst-title").length]),
        [1, 1],
      );
      assert.equal(await t.page.locator('[data-consentry="banner"]').getAttribute("aria-labelledby"), "cst-title");
      assert.equal(await t.page.getByRole("dialog", { name: "Cookies on this site" }).count(), 1);
      assert.ok(warnings.some((w) => w.includes("pre-rendered banner ignored")), warnings.join("\n"));
    } finally {
      await t.close();
    }
  });
});

describe("a static page and a returning visitor", () => {
  // Static: the same markup for everyone, whatever the cookie.
  const real = renderBanner(undefined, "en");
  pages.set("/r/static", () => page(real));

  for (const csp of ["", "?csp&tt"]) {
    test(`a valid consent cookie hides the pre-rendered banner before the gate runs${csp ? " (strict CSP + Trusted Types)" : ""}`, async () => {
      const t = await freshPage(browser, server);
      try {
        await t.goto("/r/static" + csp);
        await t.page.click('[data-consentry-action="reject-all"]');
        await watch(t);
        const release = await holdWasm(t);
        await t.page.reload({ waitUntil: "load" });
        assert.equal(await t.page.evaluate(() => document.documentElement.hasAttribute("data-consentry-decided")), true);
        assert.equal(await visibleBanners(t), 0, "no flash before the gate");
        release();
        await waitReady(t.page);
        assert.equal(await visibleBanners(t), 0);
        assert.equal(await t.page.isVisible('[data-consentry="reopen"]'), true);
        assert.equal(await t.page.evaluate(() => document.documentElement.hasAttribute("data-consentry-decided")), false, "the gate lifts the mark");
        assert.deepEqual(await t.page.evaluate(() => window.__violations), []);
        t.assertNoErrors();
      } finally {
        await t.close();
      }
    });
  }

  test("a forged consent cookie hides it only until the gate has read the cookie", async () => {
    const t = await freshPage(browser, server);
    try {
      await t.context.addCookies([{ name: "consentry", value: "c1.1.forged", url: server.url }]);
      await t.goto("/r/static");
      assert.equal(await visibleBanners(t), 1, "the gate shows the banner: the cookie is no decision");
      assert.equal(await t.page.evaluate(() => document.documentElement.hasAttribute("data-consentry-decided")), false);
      assert.equal(await t.page.evaluate(() => window.Consentry.get()), null);
    } finally {
      await t.close();
    }
  });

  test("with cookies refused, the banner shows and works for the page view", async () => {
    const t = await freshPage(browser, server);
    try {
      await t.page.addInitScript(() => {
        Object.defineProperty(Document.prototype, "cookie", { get() { throw new DOMException("refused", "SecurityError"); }, set() { throw new DOMException("refused", "SecurityError"); } });
      });
      await t.goto("/r/static");
      assert.equal(await t.page.evaluate(() => document.documentElement.hasAttribute("data-consentry-decided")), false);
      assert.equal(await visibleBanners(t), 1);
      await t.page.click('[data-consentry-action="reject-all"]');
      assert.equal(await t.page.evaluate(() => window.Consentry.get().method), "reject-all");
    } finally {
      await t.close();
    }
  });
});

describe("the demo site, server-rendered (npm start, scripts/serve.mjs)", () => {
  for (const path of ["/", "/privacy-policy", "/account"]) {
    test(`${path}: the banner arrives in the markup and is adopted; after a decision the server sends none`, async () => {
      const demo = await startServer({ ssr: true });
      const t = await freshPage(browser, demo);
      const warnings = [];
      t.page.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
      try {
        await watch(t);
        const first = await (await t.page.request.get(t.url(path))).text();
        assert.match(first, /<body[^>]*><div class="cst" data-consentry="root"/, "the first layer is the first child of <body>");
        await t.goto(path);
        assert.equal(await t.page.evaluate(() => window.__roots), 1, "adopted, not built again");
        assert.equal(await visibleBanners(t), 1);
        // A long page may paint while the parser is still inside it (its own
        // text wrapping, say); what counts here is what consentry moves.
        const shifts = await t.page.evaluate(() => ({ ours: window.__ours, all: window.__shifts }));
        assert.equal(shifts.ours, 0, "layout shift by consentry: " + shifts.all.join("; "));
        assert.deepEqual(warnings.filter((w) => w.includes("consentry")), []);
        await t.page.click('[data-consentry-action="reject-all"]');
        const again = await (await t.page.request.get(t.url(path))).text();
        assert.ok(!again.includes('<section class="cst-banner"'), "no banner for a visitor who decided");
        await t.reload();
        assert.equal(await visibleBanners(t), 0);
        t.assertNoErrors();
      } finally {
        await t.close();
        await demo.close();
      }
    });
  }
});
