// Issue 14, items 4, 5, 11 and 12b/12d: consent cookies the visitor did not
// write. A sibling subdomain (a.shop.test) can write `consentry` on the
// parent domain and on any path; the visitor's page (www.shop.test) must
// never let such a copy outvote its own, and its decisions must sweep such
// copies away. Cookies of refused trackers at a parent path with a
// trailing slash go too; GPC turned on after an "Accept all" refuses the
// `gpc = true` category; values whose method contradicts their switches
// are no decision; a start-up error names consentry once.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { LOCAL_HOSTS, freshPage, launch, settle, startServer, waitReady } from "./harness.mjs";

const WWW = "www.shop.test";
const SIBLING = "a.shop.test";
const PARENT = "shop.test";
for (const h of [WWW, SIBLING, PARENT]) LOCAL_HOSTS.add(h);

const GTAG = "https://www.googletagmanager.com/gtag/js?id=G-TRUST";
const PIXEL = "https://www.facebook.com/tr?id=1&ev=PageView";

/** A shop page under the built-in config: analytics script, marketing pixel. */
const PAGE = (head = "") => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>shop</title>
${head}
<script src="/assets/consentry/consentry.js" defer></script>
<script type="text/plain" data-category="analytics" src="${GTAG}"></script>
</head><body><main><h1>Shop</h1>
<img data-category="marketing" data-src="${PIXEL.replace("&", "&amp;")}" alt="">
</main></body></html>`;

/** A page that breaks consentry's start: its MutationObserver throws. */
const BROKEN = PAGE(`<script nonce="x">window.MutationObserver = function () { throw new Error("no observers here"); };</script>`);
const BROKEN_OBSERVE = PAGE(
  `<script nonce="x">MutationObserver.prototype.observe = function () { throw new Error("not watching"); };</script>`,
);

let browser;
let server;

before(async () => {
  [browser, server] = await Promise.all([
    launch({ args: [`--host-resolver-rules=MAP ${WWW} 127.0.0.1, MAP ${SIBLING} 127.0.0.1, MAP ${PARENT} 127.0.0.1`] }),
    startServer({
      onRequest(req, res, { pathname }) {
        const page =
          pathname === "/broken/" ? BROKEN : pathname === "/broken/observe" ? BROKEN_OBSERVE : pathname.startsWith("/shop") ? PAGE() : pathname === "/sibling" ? "<!doctype html><title>sibling</title><p>a sibling site" : null;
        if (page === null) return false;
        res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
        res.end(page);
        return true;
      },
    }),
  ]);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const at = (host, path) => `http://${host}:${server.port}${path}`;
const b36 = (n) => n.toString(36);
const now = () => Math.floor(Date.now() / 1000);
const ID = "Zx0c9-wPq_4hTt1a";
const ACCEPT = "settings:1~marketing:1~analytics:1";
const REJECT = "settings:0~marketing:0~analytics:0";

/** A consent value for the built-in config (revision 1), decided `ahead` seconds from now. */
const value = ({ method = "a", choices = ACCEPT, ahead = 0, id = ID } = {}) =>
  `c1.1.${id}.${b36(now() + ahead)}.${b36(now() + ahead)}.${method}.${choices}`;

/** A fresh visitor with a sibling-site tab beside the shop tab. */
async function visit(body, { gpc = false } = {}) {
  const t = await freshPage(browser, server);
  try {
    if (gpc) await gpcOn(t);
    const sibling = await t.context.newPage();
    await sibling.goto(at(SIBLING, "/sibling"));
    /** Runs `document.cookie = line` on the sibling site. */
    t.plant = (line) => sibling.evaluate((l) => (document.cookie = l), line);
    t.shop = async (path = "/shop/item") => {
      await t.page.goto(at(WWW, path), { waitUntil: "load" });
      await waitReady(t.page);
    };
    await body(t);
    t.assertNoErrors();
  } finally {
    await t.close();
  }
}

const gpcOn = (t) =>
  t.context.addInitScript(() =>
    Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true, configurable: true }));

const record = (page) => page.evaluate(() => window.Consentry.get());
const copies = (page) => page.evaluate(() => document.cookie.split("; ").filter((c) => c.startsWith("consentry=")).length);
const pixelAsked = (t) => t.thirdParty.count("facebook.com/tr");

describe("a sibling's forged consent cookie (#14, item 4)", () => {
  test("dated 24 h ahead on domain=shop.test; path=/shop/, it does not beat the visitor's Reject all, which deletes it", () =>
    visit(async (t) => {
      await t.shop();
      await t.page.click('[data-consentry-action="reject-all"]');
      await t.plant(`consentry=${value({ ahead: 86_400 })}; domain=${PARENT}; path=/shop/; max-age=9999999`);
      await t.shop();
      assert.equal((await record(t.page))?.method, "reject-all", "the visitor's own Reject all stands");
      assert.equal(await t.page.evaluate(() => window.Consentry.allowed("marketing")), false);

      // Planted again, and the visitor says Reject all again: no copy but ours is left.
      await t.plant(`consentry=${value({ ahead: 60 })}; domain=${PARENT}; path=/shop/; max-age=9999999`);
      await t.shop();
      assert.equal(await copies(t.page), 2, "the forged copy sits beside the visitor's");
      assert.equal((await record(t.page))?.method, "reject-all");
      await t.page.evaluate(() => window.Consentry.rejectAll());
      assert.equal(await copies(t.page), 1, "a decision removes every other copy");
      const forged = (await t.context.cookies()).filter((c) => c.name === "consentry" && c.domain === `.${PARENT}`);
      assert.deepEqual(forged, [], "the parent-domain copy is gone");
      await t.shop();
      await settle(300);
      assert.equal((await record(t.page))?.method, "reject-all");
      assert.equal(pixelAsked(t), 0, "the pixel never fired");
      assert.equal(t.thirdParty.count("googletagmanager"), 0);
    }));

  test("dated within the clock skew, a fresh forged copy still loses to the visitor's own, older one", () =>
    visit(async (t) => {
      await t.shop("/shop/");
      await t.page.evaluate(() => window.Consentry.rejectAll());
      await settle(1100); // a second later, so the forged copy is strictly newer
      await t.plant(`consentry=${value({ ahead: 120 })}; domain=${PARENT}; path=/; max-age=9999999`);
      await t.plant(`consentry=${value({ ahead: 200, choices: "settings:1~marketing:1~analytics:0", method: "c" })}; domain=${PARENT}; path=/shop; max-age=9999999`);
      for (const path of ["/shop/", "/shop/item", "/shop"]) {
        await t.shop(path);
        assert.equal((await record(t.page))?.method, "reject-all", path);
      }
      // The tab's own nudge after a decision re-reads nothing forged either.
      await t.page.evaluate(() => window.Consentry.set({ settings: true }));
      await settle(300);
      assert.deepEqual((await record(t.page))?.categories, { authorization: true, security: true, settings: true, marketing: false, analytics: false });
      assert.equal(pixelAsked(t), 0);
    }));

  test("reset() deletes the forged copies on every domain and path the page can see", () =>
    visit(async (t) => {
      await t.shop("/shop/item");
      await t.page.evaluate(() => window.Consentry.acceptAll());
      for (const line of [
        `domain=${PARENT}; path=/shop/`,
        `domain=${PARENT}; path=/shop`,
        `domain=${PARENT}; path=/`,
        `domain=${SIBLING}; path=/shop/`, // the sibling's own: not the page's to see or delete
      ]) {
        await t.plant(`consentry=${value({ ahead: 30 })}; ${line}; max-age=9999999`);
      }
      await t.shop("/shop/item");
      await t.page.evaluate(() => window.Consentry.reset());
      assert.equal(await copies(t.page), 0, "no copy is left for the page to read");
      await t.shop("/shop/item");
      assert.equal(await record(t.page), null, "asked again");
      assert.ok(await t.page.locator('[data-consentry="banner"]').isVisible());
    }));

  test("copies that disagree, none of them the page's own, are no decision", () =>
    visit(async (t) => {
      await t.plant(`consentry=${value({ ahead: 10 })}; domain=${PARENT}; path=/shop/`);
      await t.plant(`consentry=${value({ method: "r", choices: REJECT })}; domain=${PARENT}; path=/`);
      await t.shop();
      assert.equal(await record(t.page), null);
      assert.equal(await t.page.evaluate(() => window.Consentry.allowed("analytics")), false);
      await settle(300);
      assert.equal(t.thirdParty.count(), 0);
      assert.equal(await copies(t.page), 2, "looking left both copies as they were");
    }));

  test("a copy dated more than a few minutes ahead is no decision", () =>
    visit(async (t) => {
      await t.plant(`consentry=${value({ ahead: 10 * 60 })}; domain=${PARENT}; path=/`);
      await t.shop();
      assert.equal(await record(t.page), null, "ten minutes ahead");
      await t.plant(`consentry=${value({ ahead: 60 })}; domain=${PARENT}; path=/`);
      await t.shop();
      assert.equal((await record(t.page))?.method, "accept-all", "a minute ahead is clock skew");
    }));

  test("a tab ignores its own announcement: a cookie rewritten right after a decision is not taken up", () =>
    visit(async (t) => {
      await t.shop();
      const forged = value({ ahead: 5 });
      await t.page.evaluate((v) => {
        window.__changes = [];
        addEventListener("consentry:change", (e) => window.__changes.push(e.detail.method));
        addEventListener("consentry:reset", () => {
          window.__changes.push("reset");
          document.cookie = `consentry=${v}; path=/`;
        });
        addEventListener("consentry:change", () => (document.cookie = `consentry=${v}; path=/`), { once: true });
      }, forged);
      await t.page.evaluate(() => window.Consentry.rejectAll());
      await settle(400);
      assert.deepEqual(await t.page.evaluate(() => window.__changes), ["reject-all"]);
      assert.equal((await record(t.page))?.method, "reject-all");
      // The same after a withdrawal.
      await t.page.evaluate(() => window.Consentry.reset());
      await settle(400);
      assert.deepEqual(await t.page.evaluate(() => window.__changes), ["reject-all", "reset"]);
      assert.equal(await record(t.page), null);
      assert.equal(pixelAsked(t), 0);
    }));
});

describe("clean-up at a parent path with a trailing slash (#14, item 5)", () => {
  const trackers = async (t) =>
    (await t.context.cookies()).filter((c) => /^(_ga|_fbp)/.test(c.name)).map((c) => `${c.name}@${c.domain}${c.path}`).sort();
  const plantTrackers = async (t) => {
    await t.context.addCookies([
      { name: "_ga", value: "GA1.1.1", domain: WWW, path: "/shop/" },
      { name: "_fbp", value: "fb.1.1", domain: `.${PARENT}`, path: "/shop/" },
      { name: "_ga_X1", value: "GS1", domain: `.${WWW}`, path: "/shop/item/" },
    ]);
  };

  test("Reject all on /shop/item deletes _ga and _fbp set at /shop/", () =>
    visit(async (t) => {
      await t.shop("/shop/item");
      await plantTrackers(t);
      assert.equal((await trackers(t)).length, 3);
      await t.page.click('[data-consentry-action="reject-all"]');
      assert.deepEqual(await trackers(t), ["_ga_X1@.www.shop.test/shop/item/"], "only the one this page cannot see is left");
    }));

  test("start-up clean-up of a returning visitor deletes them too, on reload and on another page", () =>
    visit(async (t) => {
      await t.shop("/shop/item");
      await t.page.evaluate(() => window.Consentry.rejectAll());
      await plantTrackers(t);
      await t.page.reload();
      await waitReady(t.page);
      assert.deepEqual(await trackers(t), ["_ga_X1@.www.shop.test/shop/item/"]);
      await plantTrackers(t);
      await t.shop("/shop/item/");
      assert.deepEqual(await trackers(t), [], "on /shop/item/ every one of them is in sight");
    }));
});

describe("Global Privacy Control after an Accept all (#14, item 11)", () => {
  test("the signal refuses the gpc category a stored Accept all allowed: no pixel, _fbp deleted", () =>
    visit(async (t) => {
      await t.shop();
      await t.page.evaluate(() => window.Consentry.acceptAll());
      assert.equal(await t.page.evaluate(() => window.Consentry.allowed("marketing")), true);
      await gpcOn(t);
      await t.context.addCookies([{ name: "_fbp", value: "fb.1.1", domain: WWW, path: "/" }]);
      const before = pixelAsked(t);
      await t.shop();
      await settle(300);
      const r = await record(t.page);
      assert.equal(r.categories.marketing, false, "GPC overrides the stored accept-all");
      assert.equal(r.categories.analytics, true, "categories without gpc keep the accept-all");
      assert.equal(await t.page.evaluate(() => window.Consentry.allowed("marketing")), false);
      assert.equal(pixelAsked(t) - before, 0, "the pixel stays held");
      assert.deepEqual((await t.context.cookies()).filter((c) => c.name === "_fbp"), []);

      // A custom choice about another category does not bring it back...
      await t.page.evaluate(() => window.Consentry.set({ analytics: false }));
      assert.equal(await t.page.evaluate(() => window.Consentry.allowed("marketing")), false);
      // ...an explicit one for it does, and survives the signal.
      await t.page.evaluate(() => window.Consentry.set({ marketing: true }));
      await t.shop();
      assert.equal(await t.page.evaluate(() => window.Consentry.allowed("marketing")), true);
    }));

  test("with GPC from the start, a planted accept-all value does not allow the gpc category", () =>
    visit(
      async (t) => {
        await t.context.addCookies([{ name: "consentry", value: value(), domain: WWW, path: "/" }]);
        await t.shop();
        await settle(300);
        assert.equal((await record(t.page))?.categories.marketing, false);
        assert.equal(pixelAsked(t), 0);
      },
      { gpc: true },
    ));
});

describe("values whose method contradicts their switches (#14, item 12b)", () => {
  for (const [name, v] of [
    ["reject-all with every category on", value({ method: "r" })],
    ["reject-all with one category on", value({ method: "r", choices: "settings:0~marketing:0~analytics:1" })],
    ["accept-all with analytics off", value({ method: "a", choices: "settings:1~marketing:1~analytics:0" })],
    ["an unknown category id", value({ choices: `${ACCEPT}~tracking:1` })],
    ["a required category listed", value({ choices: `authorization:1~${ACCEPT}` })],
  ]) {
    test(`${name}: no decision`, () =>
      visit(async (t) => {
        await t.context.addCookies([{ name: "consentry", value: v, domain: WWW, path: "/" }]);
        await t.shop();
        assert.equal(await record(t.page), null);
        assert.ok(await t.page.locator('[data-consentry="banner"]').isVisible());
        await settle(200);
        assert.equal(t.thirdParty.count(), 0);
      }));
  }

  test("accept-all with only the gpc category off (what GPC writes) is a decision", () =>
    visit(async (t) => {
      await t.context.addCookies([{ name: "consentry", value: value({ choices: "settings:1~marketing:0~analytics:1" }), domain: WWW, path: "/" }]);
      await t.shop();
      assert.equal((await record(t.page))?.method, "accept-all");
    }));
});

describe("a start-up error names consentry once (#14, item 12d)", () => {
  for (const path of ["/broken/", "/broken/observe"]) {
    test(`${path}: one console error, one prefix`, async () => {
      const t = await freshPage(browser, server);
      try {
        await t.page.goto(at(WWW, path), { waitUntil: "load" });
        // Asked by hand: Playwright's own waiting uses the broken observer.
        let outcome;
        for (let i = 0; i < 200 && !outcome; i++) {
          outcome = await t.page.evaluate(() =>
            window.Consentry?.ready?.then(() => "started", () => "failed"));
          if (!outcome) await settle(50);
        }
        assert.equal(outcome, "failed");
        const ours = t.consoleErrors.filter((e) => e.includes("consentry"));
        assert.equal(ours.length, 1, JSON.stringify(t.consoleErrors));
        assert.match(ours[0], /^console\.error: consentry: [^]*Nothing optional will load/);
        assert.doesNotMatch(ours[0], /consentry: consentry:/);
      } finally {
        await t.close();
      }
    });
  }
});
