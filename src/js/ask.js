// The ask part for the script tag (dist/consentry-ask.js): consentry.js
// imports it when the visitor is to be asked, and hands it the fetch of
// dist/consentry-ask.wasm it started at the same moment, so the two
// download in parallel.
import loadWasm, { Ask, defaultConfig } from "../../target/wbg/ask/consentry.js";
/* global CONSENTRY_ASK_CSS */

/** Instantiates the ask part's wasm (`wasm`: a URL or a pending fetch) and returns the module's exports. */
export async function load(wasm) {
  await loadWasm({ module_or_path: wasm });
  // The layers' styles: core.js adds them after the gate's, which they build on.
  return { Ask, defaultConfig, css: CONSENTRY_ASK_CSS };
}
