// Classic script entry: <script src=".../consentry.js" defer>. Fetches its
// wasm from next to itself (consentry.wasm in the same folder, or the URL in
// the tag's data-consentry-wasm) and compiles it while it streams in, then
// reads an inline #consentry-config if present.
//
// The wasm used to be inline (base64), which saved one round trip but cost
// 18 KB brotli on every first visit and a long base64 decode on slow phones.
// A site that wants the round trip back adds
//   <link rel="preload" href=".../consentry.wasm" as="fetch" crossorigin>
// to its <head>, so the wasm downloads in parallel with the script.
import loadWasm, { defaultConfig, start } from "../../target/wbg/consentry.js";
import { domReady, facade, publish } from "./core.js";

(() => {
  if (window.Consentry) {
    // Included twice: the first one stays. Anything else holding the name
    // would leave the site without consent handling, so say so.
    if (!window.Consentry.ready) console.error("consentry: window.Consentry is taken by another script; consentry did not start");
    return;
  }
  const { api, settle, fail } = facade();
  publish(api);
  // Fetching and compiling start now, in parallel with the rest of the page.
  let wasm, base;
  try {
    const me = document.currentScript;
    base = me && me.src ? me.src : document.baseURI;
    wasm = loadWasm({ module_or_path: new URL((me && me.dataset.consentryWasm) || "consentry.wasm", base) });
  } catch (e) {
    wasm = Promise.reject(e);
  }
  wasm.catch(() => {}); // reported once, below
  (async () => {
    await domReady();
    await wasm;
    const inline = document.getElementById("consentry-config");
    const text = inline ? inline.textContent : undefined;
    settle(start(text, "#consentry-config"));
    // Receipts for the consent ledger (consentry-ledger.js, next to this
    // file) only when the config has a [ledger] table.
    const config = text === undefined ? defaultConfig() : text;
    if (config.includes('"ledger"')) import(new URL("consentry-ledger.js", base)).then((m) => m.ledger(config, api), () => console.error("consentry: cannot load consentry-ledger.js"));
  })().catch(fail);
})();
