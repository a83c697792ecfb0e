// Classic script entry: <script src=".../consentry.js" defer>. Finds its
// wasm next to itself and reads an inline #consentry-config if present.
import loadWasm, { start } from "../../target/wbg/consentry.js";
import { domReady, facade, publish, style } from "./core.js";

(() => {
  if (window.Consentry) return; // included twice: the first one stays
  const self = document.currentScript;
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
