// Issue 18's rough edges: init() after a rejected init() starts, and
// window.Consentry is then the started instance; the prelude resolves
// through the package's `exports`.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { ROOT } from "./harness.mjs";
import { action, setUp, visit } from "./dialog-shared.mjs";

setUp();

const MODULE = "/assets/consentry/consentry.mjs";
const page = (script) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title><script type="module">${script}</script></head><body><h1>Page</h1></body></html>`;
const GOOD = `{ categories: [{ id: "essential", title: "Essential", required: true }, { id: "stats", title: "Stats" }] }`;

test("a good init() after a rejected one starts, and window.Consentry is the started instance", () =>
  visit(
    async (t) => {
      const { page: p } = t;
      await p.goto(t.url("/t/retry"));
      await p.waitForFunction(() => window.__out && "same" in window.__out);
      const out = await p.evaluate(() => window.__out);
      assert.match(out.first, /^init\(config\): categories\[0\]\.id: must be lower-case letters/);
      assert.equal(out.failedWasPublished, true, "the failed instance answered on window meanwhile");
      assert.equal(out.failedAllowed, false, "and it failed closed");
      assert.equal(out.same, true, "window.Consentry is the instance the good init() resolved to");
      assert.equal(out.again, true, "a third init() returns the started instance");
      assert.equal(out.required, true, "the good config's required category is allowed");
      await p.locator(`[data-consentry="banner"] ${action("accept-all")}`).click();
      const record = await p.evaluate(() => window.Consentry.get());
      assert.equal(record.method, "accept-all");
      assert.deepEqual(Object.keys(record.categories), ["essential", "stats"], "the good config is the one running");
      // The failure was logged once; nothing else.
      assert.equal(t.consoleErrors.length, 1, JSON.stringify(t.consoleErrors));
      t.consoleErrors.length = 0;
    },
    {
      pages: {
        "/t/retry": page(`
          import { init } from "${MODULE}";
          const out = {};
          try { await init({ categories: [{ id: "Bad", title: "x" }] }); } catch (e) { out.first = e.message; }
          const failed = window.Consentry;
          out.failedWasPublished = !!(failed && failed.ready);
          out.failedAllowed = failed.allowed("stats");
          const api = await init(${GOOD});
          out.again = (await init()) === api;
          out.required = api.allowed("essential");
          out.same = api === window.Consentry && failed !== window.Consentry;
          window.__out = out;
        `),
      },
    },
  ));

test("consentry/consentry-prelude.js resolves through the package's exports", async () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  assert.equal(pkg.exports["./consentry-prelude.js"], "./dist/consentry-prelude.js");
  // Node's own resolver (a package may import itself by name).
  const resolved = fileURLToPath(import.meta.resolve("consentry/consentry-prelude.js"));
  assert.equal(resolved, join(ROOT, "dist", "consentry-prelude.js"));
  // A bundler's: esbuild follows `exports` the way Vite and webpack do.
  const esbuild = await import("esbuild");
  const out = await esbuild.build({
    stdin: { contents: `import "consentry/consentry-prelude.js";`, resolveDir: ROOT },
    bundle: true,
    write: false,
    metafile: true,
    logLevel: "silent",
    absWorkingDir: ROOT,
  });
  assert.deepEqual(
    Object.keys(out.metafile.inputs).filter((f) => f !== "<stdin>"),
    ["dist/consentry-prelude.js"],
  );
});
