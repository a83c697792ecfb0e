// Classic script entry: <script src=".../consentry.js" defer>. Finds its
// wasm next to itself and reads an inline #consentry-config if present.
import loadWasm, { start } from "../../target/wbg/consentry.js";
import { domReady, facade, publish, style } from "./core.js";

(() => {
  if (window.Consentry) {
    // Included twice: the first one stays. Anything else holding the name
    // would leave the site without consent handling, so say so.
    if (!window.Consentry.ready) console.error("consentry: window.Consentry is taken by another script; consentry did not start");
    return;
  }
  // currentScript is null only if this file was run some other way (eval,
  // a bundler); then the tag that names it is the next best guess.
  const self = document.currentScript || document.querySelector('script[src*="consentry.js"]');
  const base = (self && self.src) || location.href;
  const { api, settle, fail } = facade();
  publish(api);
  style();
  // The wasm download starts now, in parallel with the rest of the page.
  const wasm = loadWasm({ module_or_path: new URL("consentry.wasm", base) });
  wasm.catch(() => {}); // reported once, below
  (async () => {
    await domReady();
    await wasm;
    const inline = document.getElementById("consentry-config");
    settle(start(inline ? inline.textContent : undefined, "#consentry-config"));
  })().catch(fail);
})();
