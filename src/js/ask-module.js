// The ask part for the ES module (dist/consentry-ask.mjs), with its wasm
// inline like the gate's: consentry.mjs imports it on demand with a plain
// dynamic import, which bundlers split into a chunk of its own.
import loadWasm, { Ask } from "../../target/wbg/ask/consentry.js";
import wasmText from "../../target/wbg/ask/consentry_bg.wasm";
import { wasmBytes } from "./bytes.js";

/** Instantiates the ask part's wasm and returns its `Ask` class. */
export async function load() {
  await loadWasm({ module_or_path: wasmBytes(wasmText) });
  return Ask;
}
