// Size budget: what a first visit downloads with the script tag
// (dist/consentry.js, which carries the CSS inline, and dist/consentry.wasm),
// gzip -9, must stay at or under bench/size-budget.json's ceiling.
//
// The ceiling only ever goes down as the code shrinks. Never raise it
// silently: a raise is its own commit that says what grew and why it is worth
// the bytes (run `twiggy top` on the wasm first; see STYLE.md "Size is a
// feature"). No timings here: sizes are deterministic, timings on this
// machine are not (those live in `npm run bench`).

import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { FIRST_VISIT, PARTS } from "../../scripts/build.mjs";
import { ROOT, freshPage, launch, startServer } from "./harness.mjs";

const DIST = process.env.CONSENTRY_DIST ?? join(ROOT, "dist");
const BUDGET_FILE = join(ROOT, "bench", "size-budget.json");
// FIRST_VISIT: the files a first visit with the script tag downloads, as the
// build's size table and this budget count them (scripts/build.mjs).

/** gzip -9 bytes of one file (node's zlib: the same bytes on every run). */
function gzipBytes(file) {
  return gzipSync(readFileSync(file), { level: 9 }).length;
}

function budget() {
  const b = JSON.parse(readFileSync(BUDGET_FILE, "utf8"));
  assert.ok(Number.isInteger(b.first_visit_gzip_bytes) && b.first_visit_gzip_bytes > 0, "first_visit_gzip_bytes must be a positive integer");
  assert.equal(typeof b.note, "string", "the budget file keeps its note");
  return b.first_visit_gzip_bytes;
}

describe("size budget", () => {
  test("script tag first visit (consentry.js + consentry.wasm, gzip -9) is within bench/size-budget.json", () => {
    const ceiling = budget();
    const each = FIRST_VISIT.map((f) => {
      const path = join(DIST, f);
      assert.ok(existsSync(path), `${path} is missing: run \`node scripts/build.mjs\``);
      return { file: f, gzip: gzipBytes(path) };
    });
    const total = each.reduce((a, f) => a + f.gzip, 0);
    const detail = each.map((f) => `${f.file} ${f.gzip} B`).join(" + ");
    console.log(`size: first visit ${total} B gzip -9 (${detail}); ceiling ${ceiling} B, ${ceiling - total} B to spare`);
    assert.ok(
      total <= ceiling,
      `first visit is ${total} B gzip -9 (${detail}), over the ${ceiling} B ceiling in bench/size-budget.json by ${total - ceiling} B. ` +
        "Find what grew with `twiggy top` / `twiggy diff` before anything else; do not raise the ceiling silently.",
    );
  });

  for (const [part, files] of Object.entries(PARTS).filter(([p]) => p !== "gate")) {
    test(`${part} (${files.join(" + ")}, gzip -9) is within its ceiling in bench/size-budget.json`, () => {
      const ceiling = JSON.parse(readFileSync(BUDGET_FILE, "utf8")).parts?.[part];
      assert.ok(Number.isInteger(ceiling) && ceiling > 0, `bench/size-budget.json has no parts["${part}"] ceiling`);
      const each = files.map((f) => {
        const path = join(DIST, f);
        assert.ok(existsSync(path), `${path} is missing: run \`node scripts/build.mjs\``);
        return { file: f, gzip: gzipBytes(path) };
      });
      const total = each.reduce((a, f) => a + f.gzip, 0);
      const detail = each.map((f) => `${f.file} ${f.gzip} B`).join(" + ");
      console.log(`size: ${part} ${total} B gzip -9 (${detail}); ceiling ${ceiling} B, ${ceiling - total} B to spare`);
      assert.ok(total <= ceiling, `${part} is ${total} B gzip -9 (${detail}), over its ${ceiling} B ceiling by ${total - ceiling} B; find what grew with twiggy first`);
    });
  }

  test("nothing shipped names a path of the machine that built it", () => {
    const cargoHome = process.env.CARGO_HOME || join(homedir(), ".cargo");
    const paths = [...new Set([ROOT, homedir(), cargoHome])].filter((x) => x.length > 1);
    for (const f of readdirSync(DIST)) {
      const body = readFileSync(join(DIST, f)).toString("latin1");
      for (const x of paths) assert.ok(!body.includes(x), `dist/${f} contains ${x}`);
    }
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
