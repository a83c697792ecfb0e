// The ask part for the ES module (dist/consentry-ask.mjs), with its wasm
// inline like the gate's: consentry.mjs imports it on demand with a plain
// dynamic import, which bundlers split into a chunk of its own.
import loadWasm, { Ask, defaultConfig } from "../../target/wbg/ask/consentry.js";
import wasmText from "../../target/wbg/ask/consentry_bg.wasm";
import { wasmBytes } from "./bytes.js";
/* global CONSENTRY_ASK_CSS */

/** Instantiates the ask part's wasm and returns the module's exports. */
export async function load() {
  await loadWasm({ module_or_path: wasmBytes(wasmText) });
  // The layers' styles: core.js adds them after the gate's, which they build on.
  return { Ask, defaultConfig, css: CONSENTRY_ASK_CSS };
}
