// A hostile world (#7), part 1: scripts that try to click or replace
// consent, strict CSP and Trusted Types pages, a wasm that will not load, a
// browser that keeps no cookies, and several tabs of one site. Parts 2 and 3:
// hostile-cookie.test.mjs, hostile-config.test.mjs; shared set-up in
// tests/fixtures/hostile/world.mjs.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { freshPage, settle, waitReady } from "./harness.mjs";
import { BANNER, PARENT, PLAIN, STRICT, WWW, action, bannerVisible, browser, configPages, consent, server, visit } from "../fixtures/hostile/world.mjs";

// ---------------------------------------------------------------------------
// 3. Only trusted actions decide, and the API cannot be replaced

describe("trusted actions", () => {
  test("script clicks and synthetic events do not decide; a real click does", () =>
    visit(async (t) => {
      await t.goto(PLAIN);
      const attempts = await t.page.evaluate(() => {
        const accept = document.querySelector('[data-consentry-action="accept-all"]');
        accept.click();
        accept.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true, view: window }));
        accept.dispatchEvent(new PointerEvent("click", { bubbles: true }));
        const save = document.querySelector('[data-consentry-action="open-preferences"]');
        save.click();
        accept.focus();
        accept.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
        return 5;
      });
      assert.equal(attempts, 5);
      await settle(200);
      assert.equal(await consent(t.page), null, "a script click decided for the visitor");
      assert.ok(await bannerVisible(t.page));
      assert.equal(await t.page.locator('[data-consentry="preferences"]').isVisible(), false, "a script click opened the preferences");
      assert.equal(t.thirdParty.count(), 0);

      await t.page.click(action("accept-all"));
      assert.equal((await consent(t.page))?.method, "accept-all");
      await t.page.waitForFunction(() => window.__inlineRan === 1);
    }));

  test("window.Consentry cannot be replaced, deleted or redefined", () =>
    visit(async (t) => {
      await t.goto(PLAIN);
      const outcome = await t.page.evaluate(() => {
        const original = window.Consentry;
        const tries = [];
        const attempt = (name, f) => {
          try {
            f();
            tries.push(`${name}: no error`);
          } catch (e) {
            tries.push(`${name}: ${e.constructor.name}`);
          }
        };
        attempt("assign", () => {
          window.Consentry = {};
        });
        attempt("assign (strict)", () => {
          "use strict";
          window.Consentry = { get: () => ({ method: "accept-all" }) };
        });
        attempt("delete", () => delete window.Consentry);
        attempt("delete (strict)", () => {
          "use strict";
          delete window.Consentry;
        });
        attempt("defineProperty", () => Object.defineProperty(window, "Consentry", { value: {} }));
        attempt("defineProperty getter", () => Object.defineProperty(window, "Consentry", { get: () => ({}) }));
        attempt("replace a method", () => {
          "use strict";
          window.Consentry.get = () => ({ method: "accept-all" });
        });
        attempt("replace ready", () => {
          "use strict";
          window.Consentry.ready = Promise.reject(new Error("x")).catch(() => {});
        });
        attempt("globalThis assign", () => {
          globalThis.Consentry = null;
        });
        return {
          tries,
          same: window.Consentry === original,
          frozen: Object.isFrozen(window.Consentry),
          get: window.Consentry.get(),
          hasApi: ["get", "allowed", "acceptAll", "rejectAll", "set", "show", "showPreferences", "hide", "reset", "on", "mountPreferences"].every(
            (k) => typeof window.Consentry[k] === "function",
          ),
        };
      });
      assert.equal(outcome.same, true, JSON.stringify(outcome.tries));
      assert.equal(outcome.frozen, true);
      assert.equal(outcome.get, null);
      assert.equal(outcome.hasApi, true);
      // Strict-mode writes throw; sloppy ones fail silently; none succeed.
      assert.ok(outcome.tries.some((x) => x.startsWith("assign (strict): TypeError")), JSON.stringify(outcome.tries));
      assert.ok(outcome.tries.some((x) => x.startsWith("defineProperty: TypeError")), JSON.stringify(outcome.tries));
      await t.page.click(action("reject-all"));
      assert.equal((await consent(t.page))?.method, "reject-all");
    }));
});

// ---------------------------------------------------------------------------
// 5. Strict pages: CSP with a nonce, and Trusted Types

async function collectViolations(t) {
  await t.context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample || ""}`.trim());
    });
  });
}

for (const [name, query] of [
  ["strict CSP", ""],
  ["strict CSP with Trusted Types", "?tt"],
]) {
  test(`${name}: banner, preferences, accept-all and gated scripts cause no violation`, () =>
    visit(async (t) => {
      await collectViolations(t);
      const res = await t.goto(STRICT + query);
      const header = res.headers()["content-security-policy"];
      assert.ok(header.includes("script-src 'self' 'wasm-unsafe-eval' 'nonce-TEST'"), header);
      assert.equal(header.includes("require-trusted-types-for"), query === "?tt");
      assert.ok(await bannerVisible(t.page));
      await t.page.click(action("open-preferences"));
      await t.page.locator('[data-consentry="preferences"]').waitFor({ state: "visible" });
      await t.page.click(`${'[data-consentry="preferences"]'} ${action("close")}`);
      await t.page.click(action("accept-all"));
      await t.page.waitForFunction(() => window.__inlineRan === 1 && window.__externalRan === 1);
      const state = await t.page.evaluate(() => ({
        order: window.__inlineOrder,
        nonce: [...document.scripts].filter((s) => !s.src && s.type === "" && s.textContent.includes("__inlineRan")).map((s) => s.nonce),
        img: document.querySelector("img[data-category]")?.getAttribute("src"),
        frame: document.querySelector("iframe[data-category]")?.getAttribute("src"),
        violations: window.__violations,
      }));
      assert.equal(state.order, 1, "the external script ran before the inline one");
      assert.deepEqual(state.nonce, ["TEST"], "the activated inline script carries the page's nonce");
      assert.equal(state.img, "/third-party/pixel.gif");
      assert.equal(state.frame, "/hostile/frame.html");
      await settle(300);
      const violations = await t.page.evaluate(() => window.__violations);
      console.log(`# ${name}: securitypolicyviolation events = ${violations.length}`);
      assert.deepEqual(violations, []);

      // A returning visitor: activation at start-up, before any UI.
      await t.reload();
      await t.page.waitForFunction(() => window.__inlineRan === 1 && window.__externalRan === 1);
      await settle(200);
      assert.deepEqual(await t.page.evaluate(() => window.__violations), []);
    }));
}

// ---------------------------------------------------------------------------
// 6. Failure fails closed

async function failingWasm(t, breakIt) {
  const unhandled = [];
  await t.context.addInitScript(() => {
    window.__unhandled = [];
    addEventListener("unhandledrejection", (e) => window.__unhandled.push(String(e.reason)));
  });
  await breakIt(t);
  await t.goto(PLAIN, { ready: false });
  const outcome = await t.page.evaluate(() =>
    window.Consentry.ready.then(
      () => "resolved",
      (e) => e.message,
    ),
  );
  await settle(500);
  const state = await t.page.evaluate(() => {
    let thrown = null;
    try {
      window.Consentry.acceptAll();
    } catch (e) {
      thrown = e.message;
    }
    return {
      get: window.Consentry.get(),
      allowed: window.Consentry.allowed("analytics"),
      thrown,
      inline: window.__inlineRan ?? 0,
      unhandled: window.__unhandled,
      banner: document.querySelectorAll("[data-consentry]").length,
    };
  });
  await t.page.click("#page-button");
  assert.equal(await t.page.textContent("#page-out"), "clicked", "the page stays usable");
  unhandled.push(...state.unhandled);
  return { outcome, state, unhandled };
}

// The script tag fetches consentry.wasm from its own folder, so "cannot
// load" means: the engine has no WebAssembly, the page's CSP forbids
// compiling it, the file is missing, or its bytes are damaged.
describe("when the wasm cannot load", () => {
  for (const [name, breakIt, browserLines] of [
    [
      "no WebAssembly in this browser",
      (t) => t.context.addInitScript(() => {
        delete globalThis.WebAssembly;
      }),
      0,
    ],
    [
      "a CSP without 'wasm-unsafe-eval'",
      (t) =>
        t.page.route(`**${PLAIN}`, async (route) => {
          const res = await route.fetch();
          const headers = { ...res.headers(), "content-security-policy": "script-src 'self' 'unsafe-inline'" };
          await route.fulfill({ response: res, headers });
        }),
      0,
    ],
    [
      "consentry.wasm missing (404)",
      (t) => t.page.route("**/consentry.wasm", (route) => route.fulfill({ status: 404, contentType: "text/plain", body: "not found" })),
      1, // the browser's own "Failed to load resource" line
    ],
    [
      "damaged module bytes",
      (t) =>
        t.page.route("**/consentry.wasm", async (route) => {
          const res = await route.fetch();
          const body = await res.body();
          assert.deepEqual([...body.subarray(0, 8)], [0, 97, 115, 109, 1, 0, 0, 0], "the wasm was fetched");
          body[4] = 2; // wasm version 2: not a module this engine reads
          await route.fulfill({ response: res, body });
        }),
      0,
    ],
  ]) {
    test(`${name}: nothing gated loads, the page works, one console error says why`, async () => {
      const t = await freshPage(browser, server);
      try {
        const { outcome, state, unhandled } = await failingWasm(t, breakIt);
        assert.notEqual(outcome, "resolved");
        assert.equal(state.get, null);
        assert.equal(state.allowed, false);
        assert.match(state.thrown, /consentry failed to start/);
        assert.equal(state.inline, 0);
        assert.equal(state.banner, 0);
        assert.deepEqual(unhandled, []);
        assert.deepEqual(t.pageErrors, []);
        assert.equal(t.thirdParty.count(), 0);
        const ours = t.consoleErrors.filter((e) => /consentry: /.test(e));
        assert.equal(ours.length, 1, JSON.stringify(t.consoleErrors));
        assert.match(ours[0], /^console\.error: consentry: .*Nothing optional will load on this page\./);
        // Nothing else: the one line carries the engine's own reason.
        assert.equal(t.consoleErrors.length - ours.length, browserLines, JSON.stringify(t.consoleErrors));
      } finally {
        await t.close();
      }
    });
  }
});

describe("when the browser keeps no cookies", () => {
  test("the dialog works for this page view and says the choice cannot be remembered", () =>
    visit(async (t) => {
      const cdp = await t.context.newCDPSession(t.page);
      await cdp.send("Emulation.setDocumentCookieDisabled", { disabled: true });
      await t.goto(PLAIN);
      assert.equal(await t.page.evaluate(() => document.cookie), "");
      const note = t.page.locator(`${BANNER} .cst-note`);
      assert.ok(await note.isVisible(), "no note that the choice cannot be remembered");
      assert.match(await note.textContent(), /\S/);
      await t.page.click(action("accept-all"));
      assert.equal((await consent(t.page))?.method, "accept-all");
      await t.page.waitForFunction(() => window.__inlineRan === 1);
      assert.equal(await t.page.evaluate(() => document.cookie), "");
      await t.reload();
      assert.equal(await consent(t.page), null, "nothing was remembered");
      assert.ok(await bannerVisible(t.page));
    }));

  test("with cookies working there is no such note (the control)", () =>
    visit(async (t) => {
      await t.goto(PLAIN);
      assert.equal(await t.page.locator(`${BANNER} .cst-note`).count(), 0);
    }));
});

// ---------------------------------------------------------------------------
// 7. Several tabs

describe("several tabs", () => {
  test("a decision in one tab applies in the others without a reload", () =>
    visit(async (t) => {
      const a = t.page;
      const b = await t.context.newPage();
      const bErrors = [];
      b.on("pageerror", (e) => bErrors.push(String(e)));
      b.on("console", (m) => m.type() === "error" && bErrors.push(m.text()));
      await t.goto(PLAIN);
      await b.goto(t.url(PLAIN));
      await waitReady(b);
      const count = () => {
        window.__changes = [];
        addEventListener("consentry:change", (e) => window.__changes.push(e.detail.method));
        addEventListener("consentry:reset", () => window.__changes.push("reset"));
      };
      await a.evaluate(count);
      await b.evaluate(count);
      assert.ok(await bannerVisible(b));

      await a.click(action("accept-all"));
      await b.waitForFunction(() => window.Consentry.get()?.method === "accept-all");
      await b.waitForFunction(() => window.__inlineRan === 1);
      assert.equal(await bannerVisible(b), false);
      assert.equal(await b.locator('[data-consentry="reopen"]').isVisible(), true);
      assert.equal((await consent(b)).id, (await consent(a)).id, "one receipt for both tabs");
      assert.equal(await b.evaluate(() => document.querySelector("img[data-category]").getAttribute("src")), "https://www.facebook.com/tr?id=1&ev=PageView");
      await settle(300);
      assert.deepEqual(await a.evaluate(() => window.__changes), ["accept-all"], "the deciding tab heard itself");
      assert.deepEqual(await b.evaluate(() => window.__changes), ["accept-all"]);

      // A forged nudge changes nothing: the other tab only re-reads the jar.
      await b.evaluate(() => new BroadcastChannel("consentry").postMessage("changed"));
      await settle(300);
      assert.deepEqual(await a.evaluate(() => window.__changes), ["accept-all"]);

      // Withdrawal travels too.
      await a.evaluate(() => window.Consentry.reset());
      await b.waitForFunction(() => window.Consentry.get() === null);
      assert.ok(await bannerVisible(b));
      const pixel = await b.evaluate(() => {
        const img = document.querySelector("img[data-category]");
        return [img.getAttribute("src"), img.getAttribute("data-src")];
      });
      assert.deepEqual(pixel, [null, "https://www.facebook.com/tr?id=1&ev=PageView"], "the other tab took its pixel back too");
      await settle(300);
      assert.deepEqual(await b.evaluate(() => window.__changes), ["accept-all", "reset"], "the other tab heard the withdrawal");
      assert.deepEqual(await a.evaluate(() => window.__changes), ["accept-all", "reset"]);
      assert.deepEqual(bErrors, []);
    }));
});
