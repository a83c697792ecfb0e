// A hostile world (#7), part 3: config text that tries to become markup or
// a script URL, bidi controls and 100 KB strings in #consentry-config.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { freshPage, settle, waitReady } from "./harness.mjs";
import { BANNER, PARENT, PLAIN, STRICT, WWW, action, bannerVisible, browser, configPages, consent, server, visit } from "../fixtures/hostile/world.mjs";

// ---------------------------------------------------------------------------
// 4. Hostile config text

const MARKUP = [
  '<img src=x onerror="window.__xss=1;alert(1)">',
  '<svg onload="window.__xss=1">',
  '"><script>window.__xss=1</script>',
  "</script><script>window.__xss=1</script>",
  "<iframe srcdoc=\"<script>parent.__xss=1</script>\">",
  "<a href=javascript:window.__xss=1>x</a>",
  "{{constructor.constructor('window.__xss=1')()}}",
  "${window.__xss=1}",
  "&lt;b&gt;entity&lt;/b&gt; &amp;",
  "\u200f\u200e\u061c marks and zero\u200bwidth",
];
const BAD_URLS = [
  "javascript:window.__xss=1",
  "JaVaScRiPt:window.__xss=1",
  "  javascript:window.__xss=1",
  "java\tscript:window.__xss=1",
  "data:text/html,<script>window.__xss=1</script>",
  "vbscript:msgbox(1)",
  "\u0001javascript:window.__xss=1",
];
const BIDI = ["\u202eevil\u202c", "a\u2066b\u2069", "x\u202dy", "\u0007bell"];
const HUGE = "A".repeat(100_000);

/** A config (JSON text) with `value` at one place, and that place's key path. */
function withPayload(where, value) {
  const cat = (extra) => ({ id: "analytics", title: "Analytics", ...extra });
  const base = (cats, more = {}) => JSON.stringify({ categories: [{ id: "necessary", title: "Necessary", required: true }, ...cats], ...more });
  switch (where) {
    case "title":
      return [base([cat({ title: value })]), "categories[1].title"];
    case "title.en":
      return [base([cat({ title: { en: value } })]), "categories[1].title.en"];
    case "description":
      return [base([cat({ description: value })]), "categories[1].description"];
    case "cookie purpose":
      return [base([cat({ cookies: [{ name: "_ga", provider: value, purpose: value, duration: value }] })]), "categories[1].cookies[0].provider"];
    case "ui":
      return [base([cat()], { ui: { en: { banner_title: value, banner_text: value } } }), "ui.en.banner_title"];
    case "policy_url":
      return [base([cat()], { policy_url: value }), "policy_url"];
    default:
      throw new Error(where);
  }
}

describe("hostile config text", () => {
  const payloads = [];
  for (const m of MARKUP) for (const w of ["title", "title.en", "description", "cookie purpose", "ui"]) payloads.push([w, m]);
  for (const m of MARKUP.slice(0, 3)) payloads.push(["policy_url", "/privacy?" + m]);
  for (const u of BAD_URLS) payloads.push(["policy_url", u]);
  for (const b of BIDI) for (const w of ["title", "description", "ui", "policy_url"]) payloads.push([w, b]);
  for (const w of ["title", "description", "cookie purpose", "ui", "policy_url"]) payloads.push([w, HUGE]);
  const tally = { shown: 0, rejected: 0 };
  const CHUNK = 20;
  for (let from = 0; from < payloads.length; from += CHUNK) {
    const chunk = payloads.slice(from, from + CHUNK);
    test(`payloads ${from + 1}-${from + chunk.length} of ${payloads.length}: markup, script URLs, bidi controls and 100 KB strings are shown as text or rejected by key path`, async () => {
      const t = await freshPage(browser, server);
      let alerts = 0;
      t.page.on("dialog", (d) => {
        alerts++;
        d.dismiss().catch(() => {});
      });
      try {
        for (const [k, [where, value]] of chunk.entries()) {
          const i = from + k;
          const [json, path] = withPayload(where, value);
          const id = String(i);
          configPages.set(id, json);
          t.consoleErrors.length = 0;
          await t.page.goto(t.url(`/hostile/config/${id}`), { waitUntil: "domcontentloaded" });
          await t.page.waitForFunction(() => typeof window.Consentry?.ready?.then === "function");
          const started = await t.page.evaluate(() =>
            window.Consentry.ready.then(
              () => ({ ok: true }),
              (e) => ({ ok: false, message: e.message }),
            ),
          );
          const label = `${where} = ${JSON.stringify(value.slice(0, 60))}`;
          if (started.ok) {
            tally.shown++;
            await t.page.evaluate(() => window.Consentry.showPreferences());
            // The preferences come with the ask part, a moment later.
            await t.page.locator('[data-consentry="preferences"]').waitFor({ state: "visible" });
            const seen = await t.page.evaluate(() => {
              const parts = [...document.querySelectorAll('[data-consentry="root"], [data-consentry="preferences"]')];
              const inside = parts.flatMap((p) => [...p.querySelectorAll("*")]);
              return {
                text: parts.map((p) => p.textContent).join("\n"),
                foreign: inside.filter((e) => /^(IMG|SVG|SCRIPT|IFRAME|OBJECT|EMBED)$/i.test(e.tagName)).map((e) => e.outerHTML.slice(0, 80)),
                handlers: document.querySelectorAll("[onerror],[onload],[srcdoc]").length,
                links: [...document.querySelectorAll('[data-consentry] a[href]')].map((a) => a.getAttribute("href")),
                xss: window.__xss,
              };
            });
            assert.deepEqual(seen.foreign, [], label);
            assert.equal(seen.handlers, 0, label);
            assert.equal(seen.xss, undefined, label);
            for (const href of seen.links) assert.doesNotMatch(href.replace(/[\s\x00-\x1f]/g, ""), /^(javascript|data|vbscript):/i, label);
            if (where !== "policy_url" && where !== "cookie purpose") {
              assert.ok(seen.text.includes(value), `${label}: not shown verbatim as text`);
            }
            if (where === "cookie purpose") assert.ok(seen.text.includes(value), `${label}: provider not shown verbatim`);
            if (where === "policy_url") assert.ok(seen.links.includes(value), `${label}: link not kept as written`);
            assert.deepEqual(t.errors, [], label);
            await t.page.evaluate(() => window.Consentry.hide());
          } else {
            tally.rejected++;
            assert.match(started.message, new RegExp(`^#consentry-config: ${path.replace(/[.[\]]/g, "\\$&")}: `), label);
            const ours = t.consoleErrors.filter((e) => e.includes("consentry"));
            assert.equal(ours.length, 1, `${label}: ${JSON.stringify(t.consoleErrors)}`);
            assert.ok(ours[0].includes(path), `${label}: the console error does not name ${path}`);
            assert.deepEqual(t.pageErrors, [], label);
            assert.equal(await t.page.evaluate(() => window.__xss), undefined, label);
          }
          // The page itself still works either way.
          await t.page.click("#page-button");
          assert.equal(await t.page.textContent("#page-out"), "clicked", label);
        }
        await settle(200);
        assert.equal(alerts, 0, "a payload opened a dialog");
        assert.equal(t.thirdParty.count(), 0);
      } finally {
        await t.close();
      }
    });
  }

  test("both outcomes were seen", () => {
    console.log(`# XSS payloads tried: ${payloads.length} (${tally.shown} shown as text, ${tally.rejected} rejected with a key path)`);
    assert.equal(tally.shown + tally.rejected, payloads.length);
    assert.ok(tally.shown > 0 && tally.rejected > 0);
  });
});
