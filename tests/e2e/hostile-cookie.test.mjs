// A hostile world (#7), part 2: consent cookie values that must not be
// trusted (truncated, oversized, foreign formats, every field broken, other
// revisions, duplicates on parent domains and paths).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { freshPage, settle, waitReady } from "./harness.mjs";
import { BANNER, PARENT, PLAIN, STRICT, WWW, action, bannerVisible, browser, configPages, consent, server, visit } from "../fixtures/hostile/world.mjs";

// ---------------------------------------------------------------------------
// 2. Tampered consent cookies

const b36 = (n) => n.toString(36);
const ID = "Zx0c9-wPq_4hTt1a";

/** A value the built-in config (revision 1) accepts now. */
function validValue({ method = "a", choices = "settings:1~marketing:1~analytics:1", revision = 1, at } = {}) {
  const now = at ?? Math.floor(Date.now() / 1000) - 60;
  return `c1.${revision}.${ID}.${b36(now)}.${b36(now)}.${method}.${choices}`;
}

/** Every way we could think of to hand consentry a value it must not trust. */
function tamperedValues() {
  const v = validValue();
  const fields = v.split(".");
  const now = Math.floor(Date.now() / 1000);
  const cases = [];
  const add = (name, value) => cases.push({ name, value });
  for (const n of [1, 2, 3, 10, 22, 30, 40, v.length - 12, v.length - 2, v.length - 1]) add(`truncated to ${n}`, v.slice(0, n));
  add("empty", "");
  add("4 KB of junk after a valid value", v + "~x".repeat(1950));
  add("5 KB (more than a browser keeps)", v + "~x".repeat(2500));
  add("oversized 4 KB of a valid pattern", `c1.1.${ID}.${b36(now)}.${b36(now)}.a.` + "settings:1~".repeat(360) + "analytics:1");
  add("JSON", '{"settings":true,"marketing":true,"analytics":true}');
  add("JSON, URI-encoded", encodeURIComponent('{"categories":["necessary","analytics","marketing"]}'));
  add("base64 of a valid value", Buffer.from(v).toString("base64"));
  add("base64url of a valid value", Buffer.from(v).toString("base64url"));
  add(
    "CookieConsent v3",
    encodeURIComponent(JSON.stringify({ categories: ["necessary", "analytics"], revision: 0, data: null, consentTimestamp: new Date().toISOString(), consentId: "x", services: {}, languageCode: "en", lastConsentTimestamp: new Date().toISOString(), expirationTime: Date.now() + 1e9 })),
  );
  add("Cookiebot", "{stamp:%27abc%27%2Cnecessary:true%2Cpreferences:true%2Cstatistics:true%2Cmarketing:true%2Cmethod:%27explicit%27%2Cver:1%2Cutc:1700000000000%2Cregion:%27de%27}");
  add("Klaro", encodeURIComponent('{"analytics":true,"marketing":true}'));
  add("URI-encoded valid value", encodeURIComponent(v).replace(/\./g, "%2E"));
  add("quoted valid value", `"${v}"`);
  add("valid value with spaces", v.replace(/\./g, " . "));
  add("upper-case valid value", v.toUpperCase());
  add("another format version", v.replace(/^c1\./, "c2."));
  add("no format version", fields.slice(1).join("."));
  add("a missing field", [...fields.slice(0, 3), ...fields.slice(4)].join("."));
  add("an extra field", v + ".x");
  // c1. with each field broken in several ways
  const broken = {
    1: ["", "01", "-1", "1.0", "x", "99999999999", "4294967297"],
    2: ["", "short", ID + "x", "Zx0c9-wPq_4hTt1!", "Zx0c9 wPq_4hTt1a", "Zx0c9-wPq_4hTt1\u00e9"],
    3: ["", "0" + b36(now), "ZZZ", "-1", "zzzzzzzzzzzzz", b36(now + 10 * 86400)],
    4: ["", "zzzzzzzzzzzz", b36(now - 400 * 86400), "1", b36(now + 3 * 86400)],
    5: ["", "x", "aa", "A", "accept-all"],
    6: [
      "",
      "settings:1",
      "settings:1~marketing:1",
      "settings:1~marketing:1~analytics:2",
      "settings:1~marketing:1~analytics:",
      "settings:1~marketing:1~analytics",
      "settings:1~marketing:1~analytics:1~analytics:0",
      "settings:1~~marketing:1~analytics:1",
      ":1~settings:1~marketing:1~analytics:1",
      "settings=1~marketing=1~analytics=1",
      "settings:true~marketing:true~analytics:true",
    ],
  };
  for (const [i, values] of Object.entries(broken)) {
    for (const x of values) {
      const f = [...fields];
      f[Number(i)] = x;
      add(`field ${i} = ${JSON.stringify(x)}`, f.join("."));
    }
  }
  add("expired (given and updated 200 days ago)", validValue({ at: now - 200 * 86400 }));
  add("from the future (a week ahead)", validValue({ at: now + 7 * 86400 }));
  add("given after updated", `c1.1.${ID}.${b36(now)}.${b36(now - 100)}.a.settings:1~marketing:1~analytics:1`);
  add("revision 2 (a later config)", validValue({ revision: 2 }));
  add("revision 0 (no such revision)", validValue({ revision: 0 }));
  return cases;
}

/** Cookie values a browser will hold (no ';' and no control characters). */
function storable(value) {
  return !/[;\x00-\x1f\x7f]/.test(value) && value.length + "consentry".length <= 4096;
}

describe("tampered consent cookies", () => {
  test("a valid stored value is taken up (the control for every case below)", () =>
    visit(async (t) => {
      await t.context.addCookies([{ name: "consentry", value: validValue({ method: "r", choices: "settings:0~marketing:0~analytics:0" }), url: server.url }]);
      await t.goto(PLAIN);
      const r = await consent(t.page);
      assert.equal(r?.method, "reject-all");
      assert.equal(await bannerVisible(t.page), false);
      await settle(300);
      assert.equal(t.thirdParty.count(), 0);
    }));

  const cases = tamperedValues();
  const CHUNK = 20;
  for (let from = 0; from < cases.length; from += CHUNK) {
    const chunk = cases.slice(from, from + CHUNK);
    test(`tampered values ${from + 1}-${from + chunk.length} of ${cases.length} are no decision: banner shown, nothing third-party loads, nothing logged`, async () => {
      const t = await freshPage(browser, server);
      try {
        for (const c of chunk) {
          await t.context.clearCookies();
          if (storable(c.value)) {
            await t.context.addCookies([{ name: "consentry", value: c.value, url: server.url }]);
          }
          const before = t.thirdParty.count();
          await t.page.goto(t.url(PLAIN), { waitUntil: "domcontentloaded" });
          await waitReady(t.page);
          assert.equal(await consent(t.page), null, c.name);
          assert.equal(await t.page.evaluate(() => window.Consentry.allowed("analytics")), false, c.name);
          assert.ok(await bannerVisible(t.page), `banner hidden for ${c.name}`);
          assert.equal(await t.page.evaluate(() => window.__inlineRan ?? 0), 0, c.name);
          assert.equal(t.thirdParty.count() - before, 0, c.name);
          assert.deepEqual(t.errors, [], c.name);
        }
        await settle(300);
        assert.equal(t.thirdParty.count(), 0);
      } finally {
        await t.close();
      }
    });
  }

  test("the tamper corpus is not trivially small", () => {
    console.log(`# tamper cases: ${cases.length} (${cases.filter((c) => storable(c.value)).length} storable by a browser)`);
    assert.ok(cases.length >= 60, `only ${cases.length} cases`);
  });

  test("duplicates on parent domains and paths: all broken is no decision, only the own spot's copy counts", () =>
    visit(async (t) => {
      const base = `http://${WWW}:${server.port}`;
      const broken = [
        { domain: `.${PARENT}`, path: "/", value: validValue({ revision: 2 }) },
        { domain: WWW, path: "/", value: "c1.1.junk" },
        { domain: WWW, path: "/hostile", value: validValue().slice(0, 30) },
        { domain: `.${WWW}`, path: "/hostile/", value: Buffer.from(validValue()).toString("base64") },
      ];
      await t.context.addCookies(broken.map((c) => ({ name: "consentry", ...c })));
      const jar = await t.page.goto(`${base}${PLAIN}`).then(() => t.page.evaluate(() => document.cookie));
      assert.equal(jar.split("consentry=").length - 1, 4, `four copies visible: ${jar}`);
      await waitReady(t.page);
      assert.equal(await consent(t.page), null);
      assert.ok(await bannerVisible(t.page));
      await settle(300);
      assert.equal(t.thirdParty.count(), 0);

      // Valid copies beside the broken ones, none in consentry's own spot
      // (Path=/, host-only; it still holds "c1.1.junk"): no decision.
      const old = validValue({ method: "r", choices: "settings:0~marketing:0~analytics:0", at: Math.floor(Date.now() / 1000) - 3600 });
      const newer = validValue({ method: "a" });
      await t.context.addCookies([
        { name: "consentry", domain: `.${PARENT}`, path: "/", value: newer },
        { name: "consentry", domain: WWW, path: "/hostile", value: newer },
      ]);
      await t.page.reload();
      await waitReady(t.page);
      assert.equal(await consent(t.page), null, "only the own spot counts, and it is broken");

      // The visitor's own copy, older than the others, is the one that counts.
      await t.context.addCookies([{ name: "consentry", domain: WWW, path: "/", value: old }]);
      await t.page.reload();
      await waitReady(t.page);
      assert.equal((await consent(t.page))?.method, "reject-all", "the own copy wins, however new the others claim to be");
      await settle(300);
      assert.equal(t.thirdParty.count(), 0);
    }));
});
