// Issue 18's rough edges: init() after a rejected init() starts, and
// window.Consentry is then the started instance; the prelude resolves
// through the package's `exports`.

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
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

const inlinePage = (config, script) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title>` +
  `<script type="application/json" id="consentry-config">${config}</script>` +
  `<script type="module">${script}</script></head><body><h1>Page</h1></body></html>`;
const INLINE = JSON.stringify({
  categories: [
    { id: "essential", title: "Essential", required: true },
    { id: "video", title: "Video" },
  ],
});

test("init() without a config runs the page's #consentry-config; init(config) runs its own", () =>
  visit(
    async (t) => {
      const { page: p } = t;
      const decide = async () => {
        await p.waitForFunction(() => window.__out);
        await p.locator(`[data-consentry="banner"] ${action("accept-all")}`).click();
        return p.evaluate(() => ({ ...window.__out, record: window.Consentry.get() }));
      };
      await p.goto(t.url("/t/inline"));
      const inline = await decide();
      assert.deepEqual(Object.keys(inline.record.categories), ["essential", "video"], "init() ignored the page's config block");
      assert.equal(inline.video, false);
      assert.equal(inline.settings, false, "a built-in category is known although the page's config has none");

      // A fresh visitor: the explicit config wins over the page's block.
      await t.context.clearCookies();
      await p.goto(t.url("/t/explicit"));
      const explicit = await decide();
      assert.deepEqual(Object.keys(explicit.record.categories), ["essential", "stats"]);

      // A broken block is reported under its own name, and init() rejects.
      await t.context.clearCookies();
      await p.goto(t.url("/t/broken"));
      await p.waitForFunction(() => window.__out);
      assert.match(await p.evaluate(() => window.__out.error), /^#consentry-config: categories\[1\]\.titel: unknown key/);
      assert.equal(t.consoleErrors.length, 1, JSON.stringify(t.consoleErrors));
      t.consoleErrors.length = 0;
    },
    {
      pages: {
        "/t/inline": inlinePage(
          INLINE,
          `import { init } from "${MODULE}";
          const api = await init();
          window.__out = { video: api.allowed("video"), settings: api.allowed("settings") };`,
        ),
        "/t/explicit": inlinePage(
          INLINE,
          `import { init } from "${MODULE}";
          await init(${GOOD});
          window.__out = {};`,
        ),
        "/t/broken": inlinePage(
          JSON.stringify({ categories: [{ id: "essential", title: "Essential", required: true }, { id: "video", titel: "Video" }] }),
          `import { init } from "${MODULE}";
          try { await init(); window.__out = { error: "started" }; } catch (e) { window.__out = { error: e.message }; }`,
        ),
      },
    },
  ));

test("the script tag's files resolve through the package's exports, and bundlers keep the side effects", async () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  // consentry.js loads these from its own folder, so tooling that copies
  // the package's exports must find every one.
  for (const f of ["consentry.js", "consentry.wasm", "consentry-ask.js", "consentry-ask.wasm", "consentry-ledger.js"]) {
    assert.equal(pkg.exports[`./${f}`], `./dist/${f}`, `${f} is not in the package's exports`);
    assert.equal(fileURLToPath(import.meta.resolve(`consentry/${f}`)), join(ROOT, "dist", f));
  }
  // Every sideEffects entry names a real file (./src/js/early.js is for the
  // prelude's own build), and the snippets that work by being imported are
  // among them: esbuild drops an import of a file marked free of side effects.
  for (const f of pkg.sideEffects) assert.ok(existsSync(join(ROOT, f)), `sideEffects names ${f}, which does not exist`);
  const esbuild = await import("esbuild");
  for (const f of ["consentry-early.js", "consent-default.js", "consentry-prelude.js", "consentry.js"]) {
    const out = await esbuild.build({
      stdin: { contents: `import "consentry/${f}";`, resolveDir: ROOT },
      bundle: true,
      write: false,
      metafile: true,
      logLevel: "silent",
      absWorkingDir: ROOT,
    });
    assert.deepEqual(Object.keys(out.metafile.inputs).filter((x) => x !== "<stdin>"), [`dist/${f}`], `esbuild dropped ${f}`);
    assert.ok(out.outputFiles[0].text.length > 100, `esbuild dropped the body of ${f}`);
  }
});

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
