// A hostile world (#7), part 2: consent cookie values that must not be
// trusted (truncated, oversized, foreign formats, every field broken, other
// revisions, duplicates on parent domains and paths).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { freshPage, settle, waitReady } from "./harness.mjs";
import { tamperedValues, validValue } from "../fixtures/cookies.mjs";
import { BANNER, PARENT, PLAIN, STRICT, WWW, action, bannerVisible, browser, configPages, consent, server, visit } from "../fixtures/hostile/world.mjs";

// ---------------------------------------------------------------------------
// 2. Tampered consent cookies

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
