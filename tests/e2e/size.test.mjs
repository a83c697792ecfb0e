// Size budget: what a first visit downloads with the script tag
// (dist/consentry.js, which carries the CSS inline, and dist/consentry.wasm),
// gzip -9, must stay at or under bench/size-budget.json's
// first_visit_gzip_bytes; and each part listed under "parts" (the gate, the
// ask part, ...) under its own gzip and/or brotli ceiling. The format and
// its rules: scripts/budget.mjs.
//
// The ceilings only ever go down as the code shrinks. Never raise one
// silently: a raise is its own commit that says what grew and why it is worth
// the bytes (run `twiggy top` on the wasm first; see STYLE.md "Size is a
// feature"). No timings here: sizes are deterministic, timings on this
// machine are not (those live in `npm run bench`).

import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { checkBudget, readBudget } from "../../scripts/budget.mjs";
import { FIRST_VISIT, PARTS } from "../../scripts/build.mjs";
import { ROOT, freshPage, launch, startServer } from "./harness.mjs";
import { builtinWords } from "./policy-shared.mjs";

const DIST = process.env.CONSENTRY_DIST ?? join(ROOT, "dist");
const BUDGET_FILE = join(ROOT, "bench", "size-budget.json");
// FIRST_VISIT: the files a first visit with the script tag downloads, as the
// build's size table and this budget count them (scripts/build.mjs).

describe("size budget", () => {
  const budget = readBudget(BUDGET_FILE);
  const checks = checkBudget(budget, DIST, FIRST_VISIT);
  for (const c of checks) {
    test(`${c.name} is within bench/size-budget.json`, () => {
      console.log(`size: ${c.summary}`);
      assert.ok(!c.failures.length, c.failures.join("\n"));
    });
  }

  test("the budget's parts are the build's parts (scripts/build.mjs PARTS)", () => {
    const named = Object.fromEntries(budget.parts.map((p) => [p.name, [...p.files].sort()]));
    const built = Object.fromEntries(Object.entries(PARTS).map(([name, files]) => [name, [...files].sort()]));
    assert.deepEqual(named, built, "bench/size-budget.json parts must list what each part of the build downloads");
  });

  test("nothing shipped names a path of the machine that built it", () => {
    const cargoHome = process.env.CARGO_HOME || join(homedir(), ".cargo");
    const paths = [...new Set([ROOT, homedir(), cargoHome])].filter((x) => x.length > 1);
    for (const f of readdirSync(DIST)) {
      const body = readFileSync(join(DIST, f)).toString("latin1");
      for (const x of paths) assert.ok(!body.includes(x), `dist/${f} contains ${x}`);
    }
  });

  test("the gate carries only its own words; the preferences' words come with the ask part", () => {
    const gate = readFileSync(join(DIST, "consentry.wasm"));
    const ask = readFileSync(join(DIST, "consentry-ask.wasm"));
    const words = builtinWords();
    const dialog = new Set(words.filter((w) => w[3] === "DIALOG").map((w) => w[0]));
    assert.equal(dialog.size, 26, "src/text.rs DIALOG");
    const has = (wasm, text) => wasm.includes(Buffer.from(text, "utf8"));
    const checked = { gate: 0, ask: 0 };
    const gateTexts = new Set(words.filter(([name]) => !dialog.has(name)).flatMap(([, en, ru]) => [en, ru]));
    for (const [name, en, ru] of words) {
      // Short words ("Name", "Close") may also be spelled elsewhere, and a
      // text both tables share ("Настройки cookie") is the gate's too; the
      // rest are one table's alone.
      const own = (x) => x.length >= 12 && (!dialog.has(name) || !gateTexts.has(x));
      for (const text of [en, ru].filter(own)) {
        assert.ok(has(ask, text), `consentry-ask.wasm lacks ${name}: ${text}`);
        assert.equal(has(gate, text), !dialog.has(name), `consentry.wasm and ${name}: ${text}`);
        checked[dialog.has(name) ? "ask" : "gate"]++;
      }
    }
    assert.ok(checked.ask >= 30 && checked.gate >= 20, JSON.stringify(checked));
  });

  describe("the budget counts what a browser really fetches", () => {
    let browser;
    let server;
    before(async () => {
      [browser, server] = await Promise.all([launch(), startServer()]);
    });
    after(async () => {
      await browser?.close();
      await server?.close();
    });

    test("a first visit to the demo loads exactly the first visit's files from /assets/consentry/", async () => {
      const t = await freshPage(browser, server);
      try {
        const fetched = new Set();
        t.page.on("requestfinished", (r) => {
          const { origin, pathname } = new URL(r.url());
          if (origin === server.url && pathname.startsWith("/assets/consentry/")) fetched.add(pathname.slice("/assets/consentry/".length));
        });
        await t.goto("/");
        await t.page.locator('[data-consentry="banner"]').waitFor({ state: "visible" });
        assert.deepEqual(
          [...fetched].sort(),
          [...FIRST_VISIT].sort(),
          "the first visit fetched other files than the budget counts: update FIRST_VISIT here (and the budget's note) so it measures what visitors download",
        );
        t.assertNoErrors();
      } finally {
        await t.close();
      }
    });
  });
});
