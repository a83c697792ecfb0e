// Trust boundaries of the prelude (issue 14, items 1, 2, 7, 8, 9, 10): what
// page scripts, user content and careless markup can do to it. Every page
// here is built in the test and served from /t/ on the test server, with
// dist/consentry-prelude.js first in <head> and consentry.js deferred after
// it. Every third-party request is answered locally and recorded in t.hits;
// third-party scripts push "<host><path>?<query>" into window.__ran when
// they run.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { LOCAL_HOSTS, freshPage, launch, settle, startServer } from "./harness.mjs";

const action = (name) => `[data-consentry-action="${name}"]`;
const GA = "www.googletagmanager.com";
const FB = "www.facebook.com";
const YT = "www.youtube.com";

let browser;
let server;

before(async () => {
  [browser, server] = await Promise.all([launch(), startServer()]);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** A page: `pre` goes before the prelude, `head` after consentry.js, `body` in <body>. */
function html({ pre = "", head = "", body = "" }) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">${pre}
<script src="/assets/consentry/consentry-prelude.js"></script>
<title>consentry prelude trust test</title>
<script src="/assets/consentry/consentry.js" defer></script>${head}</head>
<body><main><h1>Trust</h1></main>${body}</body></html>`;
}

/**
 * A fresh visitor on a page built from `parts`. Console warnings go to
 * t.warnings. Returns t with t.hits (third-party requests) and t.ran().
 */
async function open(parts, { ready = true } = {}) {
  const t = await freshPage(browser, server);
  t.hits = [];
  t.warnings = [];
  t.page.on("console", (m) => m.type() === "warning" && t.warnings.push(m.text()));
  await t.context.route("**/*", async (route) => {
    const req = route.request();
    const url = new URL(req.url());
    if (LOCAL_HOSTS.has(url.hostname) || !/^https?:$/.test(url.protocol)) return route.fallback();
    t.hits.push({ url: req.url(), host: url.hostname, type: req.resourceType() });
    if (req.resourceType() !== "script") return route.fallback();
    return route.fulfill({
      status: 200,
      headers: { "Content-Type": "text/javascript", "Cache-Control": "no-store", "Access-Control-Allow-Origin": "*" },
      body: `(window.__ran = window.__ran || []).push(${JSON.stringify(url.hostname + url.pathname + url.search)});`,
    });
  });
  await t.context.route(
    (u) => u.pathname === "/t/page.html",
    (route) => route.fulfill({ status: 200, headers: { "Content-Type": "text/html; charset=utf-8" }, body: html(parts) }),
  );
  t.ran = () => t.page.evaluate(() => [...(window.__ran || [])]);
  /** Third-party requests whose host (as the browser requested it, any trailing dot dropped) is h. */
  t.to = (h) => t.hits.filter((x) => x.host.replace(/\.$/, "") === h);
  await t.goto("/t/page.html", { ready });
  return t;
}

async function run(parts, body, opts) {
  const t = await open(parts, opts);
  try {
    await body(t);
  } finally {
    await t.close();
  }
}

const accept = async (t) => {
  await t.page.click(action("accept-all"));
  await settle(400);
};

// ---------------------------------------------------------------------------
// Item 1: only the first <script type="application/json" id="consentry-config">

describe("the config comes only from the first JSON script (item 1)", () => {
  const EVIL = JSON.stringify({
    categories: [
      { id: "analytics", title: "A", required: true },
      { id: "marketing", title: "M", required: true },
    ],
  });
  const LEGIT = JSON.stringify({
    categories: [
      { id: "analytics", title: "Analytics", hosts: [GA] },
      { id: "marketing", title: "Marketing", hosts: [FB] },
    ],
  });
  const inject = (page) =>
    page.evaluate(() => {
      const s = document.createElement("script");
      s.src = "https://www.googletagmanager.com/gtag/js?id=G-CFG";
      document.head.append(s);
      new Image().src = "https://www.facebook.com/tr?id=cfg";
    });

  for (const [name, ugc] of [
    ["a <p> from a user comment, before the prelude", `<p id="consentry-config" hidden>${EVIL}</p>`],
    ["a <script type=text/json>", `<script type="text/json" id="consentry-config">${EVIL}</script>`],
    ["a <textarea>", `<textarea id="consentry-config" hidden>${EVIL}</textarea>`],
  ]) {
    test(`${name} neither makes categories required nor empties the host list`, () =>
      run({ pre: ugc }, async (t) => {
        await inject(t.page);
        await settle(400);
        assert.deepEqual(await t.ran(), [], "a gated script ran");
        assert.deepEqual(t.hits, [], "third-party requests with no decision");
        assert.equal(await t.page.evaluate(() => window.Consentry.allowed("analytics")), false);
        assert.ok(await t.page.locator('[data-consentry="banner"]').isVisible(), "no banner: the page's config was replaced");
        assert.ok(
          t.warnings.some((w) => /ignored <(p|script|textarea) id="consentry-config">/i.test(w)),
          `no warning names the ignored element: ${JSON.stringify(t.warnings)}`,
        );
        t.assertNoErrors();
      }));
  }

  test("an element with that id before the real JSON script does not shadow it", () =>
    run(
      {
        pre: `<script type="application/json" id="consentry-config">${LEGIT}</script>`,
        body: `<div id="consentry-config" hidden>${EVIL}</div><script type="application/json" id="consentry-config">${EVIL}</script>`,
      },
      async (t) => {
        await inject(t.page);
        await settle(400);
        assert.deepEqual(t.hits, []);
        // The legit config's titles show, so it is the one the core read.
        assert.deepEqual(await t.page.evaluate(() => window.Consentry.get()), null);
        await t.page.evaluate(() => window.Consentry.showPreferences());
        assert.equal(await t.page.locator('[data-consentry-category="analytics"]').isDisabled(), false, "analytics became required");
        assert.equal(t.warnings.filter((w) => /ignored <(div|script) id="consentry-config">/i.test(w)).length >= 2, true, JSON.stringify(t.warnings));
        t.assertNoErrors();
      },
    ));
});

// ---------------------------------------------------------------------------
// Item 2: an element is held by its address, whatever attributes it carries

describe("data-category does not wave an element through (item 2)", () => {
  test("parser: a typeless <script data-category src> does not run before consent, and runs once after", () =>
    run(
      {
        body: `<script data-category="analytics" src="https://${GA}/gtag/js?id=G-DC"></script>
<script data-category="analytics" type="module" src="https://${GA}/gtm.js?id=GTM-MOD"></script>
<script data-category="marketing" type="text/javascript" src="https://connect.facebook.net/en_US/fbevents.js?p=dc"></script>`,
      },
      async (t) => {
        await settle(400);
        assert.deepEqual(await t.ran(), [], "a script with data-category and a live src ran before consent");
        await accept(t);
        await t.page.waitForFunction(() => (window.__ran || []).length >= 3);
        const r = await t.ran();
        assert.equal(r.filter((x) => x.includes("G-DC")).length, 1);
        assert.equal(r.filter((x) => x.includes("GTM-MOD")).length, 1);
        assert.equal(r.filter((x) => x.includes("p=dc")).length, 1);
        t.assertNoErrors();
      },
    ));

  test("innerHTML and insertAdjacentHTML: img, iframe, link and video with data-category and a live address", () =>
    run({}, async (t) => {
      await t.page.evaluate(
        ({ FB, YT, GA }) => {
          const box = document.createElement("div");
          document.body.append(box);
          box.innerHTML =
            `<img alt="" data-category="marketing" src="https://${FB}/tr?id=dc-img">` +
            `<iframe title="v" data-category="marketing" src="https://${YT}/embed/dc"></iframe>` +
            `<link data-category="analytics" rel="stylesheet" href="https://${GA}/dc.css">`;
          box.insertAdjacentHTML("beforeend", `<video data-category="marketing" src="https://${FB}/dc.mp4"></video>`);
        },
        { FB, YT, GA },
      );
      await settle(400);
      assert.deepEqual(t.hits, [], "a data-category element with a live address loaded before consent");
      await accept(t);
      for (const u of ["tr?id=dc-img", "embed/dc", "dc.css"]) {
        assert.equal(t.hits.filter((h) => h.url.includes(u)).length, 1, `${u} after consent`);
      }
      t.assertNoErrors();
    }));

  test("CONTRACT §4 markup (type=text/plain, data-src) is still the core's: it runs once, in order", () =>
    run(
      {
        body: `<script type="text/plain" data-category="analytics" src="https://${GA}/gtag/js?id=G-C4"></script>
<img alt="" data-category="marketing" data-src="https://${FB}/tr?id=c4">`,
      },
      async (t) => {
        await settle(300);
        assert.deepEqual(t.hits, []);
        await accept(t);
        await t.page.waitForFunction(() => (window.__ran || []).length >= 1);
        assert.deepEqual(await t.ran(), [`${GA}/gtag/js?id=G-C4`]);
        assert.equal(t.hits.filter((h) => h.url.includes("tr?id=c4")).length, 1);
        t.assertNoErrors();
      },
    ));
});

// ---------------------------------------------------------------------------
// Item 7: only the core talks to the prelude

describe("nothing but the core can talk to the prelude (item 7)", () => {
  /** Injects one script and one pixel for each category; returns nothing. */
  const trackers = (page, tag) =>
    page.evaluate((tag) => {
      const s = document.createElement("script");
      s.src = `https://www.googletagmanager.com/gtag/js?id=${tag}`;
      document.head.append(s);
      new Image().src = `https://www.facebook.com/tr?id=${tag}`;
    }, tag);

  test("window.__consentryPrelude(() => true) after Reject all releases nothing", () =>
    run({}, async (t) => {
      await trackers(t.page, "before");
      await t.page.click(action("reject-all"));
      const r = await t.page.evaluate(() => {
        const d = Object.getOwnPropertyDescriptor(window, "__consentryPrelude");
        const out = { writable: d.writable, configurable: d.configurable };
        out.answer = String(window.__consentryPrelude(() => true));
        try {
          window.__consentryPrelude = () => {};
        } catch {}
        return out;
      });
      assert.deepEqual(r, { writable: false, configurable: false, answer: "undefined" });
      await trackers(t.page, "after");
      await t.page.evaluate(() => dispatchEvent(new Event("consentry:change")));
      await settle(400);
      assert.deepEqual(t.hits, [], "a page script released what the prelude held");
      t.assertNoErrors();
    }));

  test("an inline page script that calls it before consentry.js runs gets nothing either", () =>
    run(
      {
        body: `<script>
window.__stolen = String(window.__consentryPrelude(function () { return true; }));
var s = document.createElement("script"); s.src = "https://www.googletagmanager.com/gtag/js?id=G-RACE"; document.head.appendChild(s);
</script>`,
      },
      async (t) => {
        await settle(400);
        assert.equal(await t.page.evaluate(() => window.__stolen), "undefined");
        assert.deepEqual(t.hits, [], "the racing script got the channel");
        // The core still got it: consent releases.
        await accept(t);
        await t.page.waitForFunction(() => (window.__ran || []).length >= 1);
        assert.deepEqual(await t.ran(), [`${GA}/gtag/js?id=G-RACE`]);
        t.assertNoErrors();
      },
    ));

  for (const [name, fake] of [
    [
      "a fake window.Consentry with ready and a dispatched consentry:ready",
      `window.Consentry = { ready: Promise.resolve(), allowed: function () { return true; } };
       dispatchEvent(new Event("consentry:ready"));`,
    ],
    [
      "a locked fake window.Consentry (defineProperty, frozen)",
      `Object.defineProperty(window, "Consentry", { value: Object.freeze({ ready: Promise.resolve(), allowed: function () { return true; } }), enumerable: true });
       dispatchEvent(new Event("consentry:ready")); dispatchEvent(new Event("consentry:change"));`,
    ],
    ["a getter for window.Consentry", `Object.defineProperty(window, "Consentry", { get: function () { return { allowed: function () { return true; } }; }, configurable: true });`],
  ]) {
    test(`${name}: nothing is released, and consentry says why`, () =>
      run(
        {
          head: `<script>${fake}</script>`,
          body: `<script>var s = document.createElement("script"); s.src = "https://www.googletagmanager.com/gtag/js?id=G-FAKE"; document.head.appendChild(s);
new Image().src = "https://www.facebook.com/tr?id=fake";</script>
<script type="text/plain" data-category="analytics" src="https://www.googletagmanager.com/gtag/js?id=G-GATED"></script>`,
        },
        async (t) => {
          await t.page.waitForFunction(() => document.readyState === "complete");
          await settle(600);
          assert.deepEqual(t.hits, [], "something was released on a fake Consentry's word");
          assert.ok(
            t.consoleErrors.some((e) => /window\.Consentry is taken by another script/.test(e)),
            `no console error names window.Consentry: ${JSON.stringify(t.errors)}`,
          );
        },
        { ready: false },
      ));
  }

  test('an element with id="Consentry" (user content) does not stop consentry', () =>
    run({ pre: '<div id="Consentry">hi</div>' }, async (t) => {
      assert.equal(await t.page.evaluate(() => typeof window.Consentry.allowed), "function");
      assert.ok(await t.page.locator('[data-consentry="banner"]').isVisible());
      t.assertNoErrors();
    }));
});

// ---------------------------------------------------------------------------
// Item 8: injection paths

describe("every injection path is held (item 8)", () => {
  // Each entry injects trackers one way; `id` marks its requests. All run
  // with no decision: the count must stay 0, and after Accept all each
  // address that the page would have loaded loads once.
  const paths = {
    "Range.createContextualFragment + append": (id) => {
      const f = document.createRange().createContextualFragment(
        `<script src="https://www.googletagmanager.com/gtag/js?id=${id}"></script><img alt="" src="https://www.facebook.com/tr?id=${id}">`,
      );
      document.body.append(f);
    },
    "createContextualFragment + insertNode": (id) => {
      const r = document.createRange();
      r.selectNodeContents(document.body);
      r.collapse(false);
      r.insertNode(
        r.createContextualFragment(
          `<iframe title="v" src="https://www.youtube.com/embed/${id}"></iframe><script src="https://www.googletagmanager.com/gtm.js?id=${id}"></script>`,
        ),
      );
    },
    "setAttributeNS": (id) => {
      const s = document.createElement("script");
      s.setAttributeNS(null, "src", `https://www.googletagmanager.com/gtag/js?id=${id}`);
      document.head.append(s);
      const i = document.createElement("img");
      i.setAttributeNS(null, "src", `https://www.facebook.com/tr?id=${id}`);
    },
    "setAttributeNode": (id) => {
      const s = document.createElement("script");
      const a = document.createAttribute("src");
      a.value = `https://www.googletagmanager.com/gtag/js?id=${id}`;
      s.setAttributeNode(a);
      document.head.append(s);
      const i = document.createElement("img");
      i.src = "data:image/gif;base64,R0lGODlhAQABAAAAACw=";
      i.getAttributeNode("src").value = `https://www.facebook.com/tr?id=${id}`;
      document.body.append(i);
    },
    "SVG <script href> and <image href>": (id) => {
      const NS = "http://www.w3.org/2000/svg";
      const svg = document.body.appendChild(document.createElementNS(NS, "svg"));
      const s = document.createElementNS(NS, "script");
      s.setAttribute("href", `https://www.googletagmanager.com/gtag/js?id=${id}`);
      svg.append(s);
      const im = document.createElementNS(NS, "image");
      im.setAttributeNS("http://www.w3.org/1999/xlink", "xlink:href", `https://www.facebook.com/tr?id=${id}`);
      svg.append(im);
      document.body.insertAdjacentHTML("beforeend", `<svg><image href="https://www.facebook.com/tr?id=${id}-html"/></svg>`);
    },
    "<base href> that makes a relative src a tracker": (id) => {
      const b = document.createElement("base");
      b.href = "https://www.googletagmanager.com/";
      document.head.prepend(b);
      const s = document.createElement("script");
      s.src = `/assets/consentry/consent-default.js?id=${id}`;
      document.head.append(s);
    },
    "<template> content cloned in": (id) => {
      const tpl = document.createElement("template");
      tpl.innerHTML = `<script src="https://www.googletagmanager.com/gtag/js?id=${id}"></script><img alt="" src="https://www.facebook.com/tr?id=${id}">`;
      document.body.append(tpl.content.cloneNode(true));
      document.body.append(document.importNode(tpl.content, true));
    },
    "DOMParser output appended": (id) => {
      const doc = new DOMParser().parseFromString(
        `<img alt="" src="https://www.facebook.com/tr?id=${id}"><iframe title="v" src="https://www.youtube.com/embed/${id}"></iframe>`,
        "text/html",
      );
      document.body.append(...doc.body.childNodes);
    },
    "new Audio(url)": (id) => {
      window.__audio = new Audio(`https://www.facebook.com/${id}.mp3`);
    },
    "host spellings the URL parser normalises": (id) => {
      for (const u of [
        `https://www.facebook.com./tr?id=${id}-dot`,
        `https://www.face\tbook.com/tr?id=${id}-tab`,
        `https://www%2Efacebook.com/tr?id=${id}-pct`,
        `https://www.facebook%2ecom/tr?id=${id}-pct2`,
        `https://WWW.FACEBOOK.COM/tr?id=${id}-case`,
        `https:\\\\www.facebook.com\\tr?id=${id}-bs`,
      ]) {
        new Image().src = u;
      }
      document.body.insertAdjacentHTML("beforeend", `<img alt="" src="https://www&#46;facebook&#x2e;com/tr?id=${id}-entity">`);
      const s = document.createElement("script");
      s.src = `https://www.googletagmanager.com.:443/gtag/js?id=${id}-port`;
      document.head.append(s);
    },
    "outerHTML and a shadow root's innerHTML": (id) => {
      const a = document.body.appendChild(document.createElement("div"));
      a.outerHTML = `<img alt="" src="https://www.facebook.com/tr?id=${id}-outer">`;
      const host = document.body.appendChild(document.createElement("div"));
      host.attachShadow({ mode: "open" }).innerHTML = `<iframe title="v" src="https://www.youtube.com/embed/${id}-shadow"></iframe>`;
    },
  };

  for (const [name, inject] of Object.entries(paths)) {
    test(name, () =>
      run({}, async (t) => {
        const id = name.replace(/\W+/g, "-").slice(0, 24);
        await t.page.evaluate(`(${inject})(${JSON.stringify(id)})`);
        await settle(500);
        assert.deepEqual(t.hits.map((h) => h.url), [], "third-party requests before consent");
        assert.deepEqual(await t.ran(), []);
        await accept(t);
        if (name !== "new Audio(url)" && !name.startsWith("<base")) {
          assert.ok(t.hits.length > 0, "nothing was released after consent");
        }
        t.assertNoErrors();
      }));
  }
});

// ---------------------------------------------------------------------------
// Item 10 (prelude side): srcdoc and poster

describe("srcdoc and poster are addresses too (item 10)", () => {
  test("an iframe's srcdoc with a tracker inside waits, by property, attribute and markup", () =>
    run({}, async (t) => {
      await t.page.evaluate(() => {
        const f = document.createElement("iframe");
        f.title = "a";
        f.srcdoc = '<script src="https://www.googletagmanager.com/gtag/js?id=G-SRCDOC"></script>';
        document.body.append(f);
        const g = document.createElement("iframe");
        g.title = "b";
        document.body.append(g);
        g.setAttribute("srcdoc", '<img src="https://www.facebook.com/tr?id=srcdoc-attr">');
        document.body.insertAdjacentHTML("beforeend", `<iframe title="c" srcdoc="<img src='https://www.facebook.com/tr?id=srcdoc-html'>"></iframe>`);
      });
      await settle(500);
      assert.deepEqual(t.hits.map((h) => h.url), []);
      await accept(t);
      await settle(300);
      for (const u of ["G-SRCDOC", "srcdoc-attr", "srcdoc-html"]) {
        assert.equal(t.hits.filter((h) => h.url.includes(u)).length, 1, `${u} after consent`);
      }
      t.assertNoErrors();
    }));

  test("a video's poster waits, by property and by markup", () =>
    run({}, async (t) => {
      await t.page.evaluate(() => {
        const v = document.createElement("video");
        v.poster = "https://www.facebook.com/tr?id=poster-prop";
        document.body.append(v);
        document.body.insertAdjacentHTML("beforeend", '<video poster="https://www.facebook.com/tr?id=poster-html"></video>');
      });
      await settle(500);
      assert.deepEqual(t.hits.map((h) => h.url), []);
      await accept(t);
      for (const u of ["poster-prop", "poster-html"]) {
        assert.equal(t.hits.filter((h) => h.url.includes(u)).length, 1, `${u} after consent`);
      }
      t.assertNoErrors();
    }));
});

// ---------------------------------------------------------------------------
// Item 9: the cookie guard does what the browser does

describe("the cookie guard decides as the browser does (item 9)", () => {
  // Writes of _ga (analytics) with no decision: the ones the browser keeps
  // must be refused, the ones that delete must go through.
  const KEEPS = [
    "_ga=x1; expires=Thu, 01 Jan 1970 00:00:00 GMT; max-age=99999; path=/",
    "_ga=x2; max-age=0999999; path=/",
    "_ga=x3; max-age=-1; max-age=100; path=/",
    "_ga=x4; expires=1; path=/",
    "_ga=x5; Max-Age=00; max-age=5; path=/",
    "_ga=x6; max-age=1e9; path=/",
    "_ga=x7; expires=Thu, 01 Jan 1970 00:00:00 GMT; max-age=+5; path=/",
    " \t_ga\t = x8; path=/",
    "_ga_ABC=x9; max-age=09; path=/",
  ];
  const DELETES = [
    "_ga=; max-age=0; path=/",
    "_ga=; max-age=-0999; path=/",
    "_ga=; max-age=100; max-age=0; path=/",
    "_ga=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/",
    "_ga=; expires=Thu, 01-Jan-1970 00:00:01 GMT; max-age=x; path=/",
  ];
  test("writes the browser would keep are refused; deletions go through", () =>
    run({}, async (t) => {
      const r = await t.page.evaluate(
        ({ KEEPS, DELETES }) => {
          const kept = [];
          for (const w of KEEPS) {
            document.cookie = w;
            if (/_ga(_ABC)?=x/.test(document.cookie)) kept.push(w);
          }
          return { kept };
        },
        { KEEPS },
      );
      assert.deepEqual(r.kept, [], "a declared cookie of a refused category was written");
      // Deletions reach a _ga the page could not have written now (put in
      // through the browser context).
      for (const w of DELETES) {
        await t.context.addCookies([{ name: "_ga", value: "old", url: t.url("/") }]);
        const gone = await t.page.evaluate((w) => {
          document.cookie = w;
          return !/(^|; )_ga=/.test(document.cookie);
        }, w);
        assert.ok(gone, `deletion refused: ${w}`);
      }
      // No probe cookie is left behind.
      assert.deepEqual((await t.context.cookies()).map((c) => c.name).filter((n) => /probe/.test(n)), []);
      t.assertNoErrors();
    }));
});
