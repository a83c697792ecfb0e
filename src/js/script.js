// Classic script entry: <script src=".../consentry.js" defer>. Carries its
// wasm inline (measured faster to first paint of the banner than fetching it
// next to the script: one round trip fewer outweighs ~21 KB more gzip; see
// the commit that made the switch) and reads an inline #consentry-config if
// present.
import loadWasm, { start } from "../../target/wbg/consentry.js";
import wasmBytes from "../../target/wbg/consentry_bg.wasm";
import { domReady, facade, publish, style } from "./core.js";

(() => {
  if (window.Consentry) {
    // Included twice: the first one stays. Anything else holding the name
    // would leave the site without consent handling, so say so.
    if (!window.Consentry.ready) console.error("consentry: window.Consentry is taken by another script; consentry did not start");
    return;
  }
  const { api, settle, fail } = facade();
  publish(api);
  style();
  // Compiling starts now, in parallel with the rest of the page.
  const wasm = loadWasm({ module_or_path: wasmBytes });
  wasm.catch(() => {}); // reported once, below
  (async () => {
    await domReady();
    await wasm;
    const inline = document.getElementById("consentry-config");
    settle(start(inline ? inline.textContent : undefined, "#consentry-config"));
  })().catch(fail);
})();
