// The ES module's inline wasm (src/js/bytes.js, wasmAsText in
// scripts/build.mjs): one character per byte, and both ways back to bytes
// give exactly dist/consentry.wasm.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { wasmBytes } from "../../src/js/bytes.js";

const DIST = join(import.meta.dirname, "..", "..", "dist");
const wasm = readFileSync(join(DIST, "consentry.wasm"));

/** The string (or template) literal in dist/consentry.mjs that starts with the wasm magic, evaluated. */
function inlineText() {
  const mjs = readFileSync(join(DIST, "consentry.mjs"), "utf8");
  const at = mjs.search(/["`]\\0asm/);
  assert.ok(at > 0, "dist/consentry.mjs holds a string starting with \\0asm");
  const quote = mjs[at];
  let end = at + 1;
  while (mjs[end] !== quote) end += mjs[end] === "\\" ? 2 : 1;
  // A template literal turns raw CR and CRLF into LF: evaluating it is
  // what shows whether the printed literal still holds every byte.
  return new Function(`return ${mjs.slice(at, end + 1)}`)();
}

test("dist/consentry.mjs carries the same wasm as dist/consentry.wasm, one character per byte", () => {
  const text = inlineText();
  assert.equal(text.length, wasm.length);
  assert.ok([...text].every((c) => c.charCodeAt(0) <= 0xff));
  assert.deepEqual(Buffer.from(wasmBytes(text)), wasm);
});

test("without Uint8Array.fromBase64 the bytes come back the same way", () => {
  const text = wasm.toString("latin1");
  const native = Uint8Array.fromBase64;
  try {
    // Node 20 has no fromBase64; give it one, then take it away.
    Uint8Array.fromBase64 = (b64) => new Uint8Array(Buffer.from(b64, "base64"));
    assert.deepEqual(Buffer.from(wasmBytes(text)), wasm, "with fromBase64 (btoa, then decode)");
    delete Uint8Array.fromBase64;
    assert.deepEqual(Buffer.from(wasmBytes(text)), wasm, "with the loop");
  } finally {
    if (native) Uint8Array.fromBase64 = native;
    else delete Uint8Array.fromBase64;
  }
});
