// The ask part for the script tag (dist/consentry-ask.js): consentry.js
// imports it when the visitor is to be asked, and hands it the fetch of
// dist/consentry-ask.wasm it started at the same moment, so the two
// download in parallel.
import loadWasm, { Ask } from "../../target/wbg/ask/consentry.js";

/** Instantiates the ask part's wasm (`wasm`: a URL or a pending fetch) and returns its `Ask` class. */
export async function load(wasm) {
  await loadWasm({ module_or_path: wasm });
  return Ask;
}
