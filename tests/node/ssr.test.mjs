// The ES module under server-side rendering: importing it must not touch
// window or document, and init() must reject (not throw) with a message that
// says what to do.

import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import { ROOT } from "../e2e/harness.mjs";

test("dist/consentry.mjs imports in Node and init() rejects with a clear Error", async () => {
  assert.equal(typeof globalThis.window, "undefined");
  const mod = await import(pathToFileURL(join(ROOT, "dist", "consentry.mjs")).href);
  assert.deepEqual(Object.keys(mod), ["init"]);
  const p = mod.init({ categories: [{ id: "a", title: "A" }] });
  assert.ok(p instanceof Promise, "init() returns a promise, even on the server");
  await assert.rejects(p, (e) => {
    assert.ok(e instanceof Error);
    assert.equal(e.message, "init(): consentry runs in a browser; call it on the client, not during server rendering");
    return true;
  });
  // Nothing was left behind for a later client-side call to trip over.
  await assert.rejects(mod.init(), /runs in a browser/);
});
