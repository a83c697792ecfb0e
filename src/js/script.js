// Classic script entry: <script src=".../consentry.js" defer>. Fetches its
// wasm from next to itself (consentry.wasm in the same folder, or the URL in
// the tag's data-consentry-wasm) and compiles it while it streams in, then
// starts the core, which reads an inline #consentry-config if present.
//
// The wasm used to be inline (base64), which saved one round trip but cost
// 18 KB brotli on every first visit and a long base64 decode on slow phones.
// A site that wants the round trip back adds
//   <link rel="preload" href=".../consentry.wasm" as="fetch" crossorigin>
// to its <head>, so the wasm downloads in parallel with the script.
import loadWasm, { defaultConfig, start } from "../../target/wbg/consentry.js";
import { domReady, facade, ours, publish, taken } from "./core.js";

// The prelude's channel (src/js/prelude.js) first, before this script calls
// anything a page could have replaced: it answers only once, and only while
// consentry.js itself is the script running. The prelude asks `allowed`,
// which answers false until the core has started.
let allowed = () => false;
const claim = window.__consentryPrelude;
const tell = typeof claim === "function" ? claim((id) => allowed(id)) : undefined;

(() => {
  const { api, settle, fail } = facade(tell);
  const own = Object.getOwnPropertyDescriptor(window, "Consentry");
  if (own) {
    // Included twice: the first one stays. Anything else holding the name
    // (an own property; an element with id="Consentry" does not count) is
    // an error: consentry does not start, so nothing it gates loads.
    if (!ours(own, api)) taken();
    return;
  }
  allowed = api.allowed;
  publish(api);
  // The prelude answers only to a script tag whose file is consentry.js.
  if (claim && !tell) console.error("consentry: the prelude did not accept this script; what it holds stays held");
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
    // The core reads the page's config itself (the first JSON script with
    // that id; src/web/dom.rs), and warns about every other element.
    const core = start(undefined, "#consentry-config");
    settle(core);
    // Receipts for the consent ledger (consentry-ledger.js, next to this
    // file) only when the config has a [ledger] table. The same element the
    // core read: never another element that merely carries the id.
    const inline = document.querySelector('script[type="application/json" i]#consentry-config');
    const config = inline ? inline.textContent : defaultConfig();
    if (config.includes('"ledger"')) import(new URL("consentry-ledger.js", base)).then((m) => m.ledger(config, api, core), () => console.error("consentry: cannot load consentry-ledger.js"));
  })().catch(fail);
})();

