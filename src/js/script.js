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
import { CONFIG, domReady, facade, holdForAccount, ours, publish, taken } from "./core.js";
// The gate's glue is bundled into this file: one request less than a
// separate module, and the wasm's download starts as this script runs.
import initGate, { start } from "../../target/wbg/gate/consentry.js";

// The prelude's channel (src/js/prelude.js) first, before this script calls
// anything a page could have replaced: it answers only once, and only while
// consentry.js itself is the script running. The prelude asks `allowed`,
// which answers false until the core has started.
let allowed = () => false;
const claim = window.__consentryPrelude;
const tell = typeof claim === "function" ? claim((id) => allowed(id)) : undefined;
const me = document.currentScript;
const base = me && me.src ? me.src : document.baseURI;

(() => {
  // The gate (this script and consentry.wasm) runs every page and shows
  // the first layer; the ask part (consentry-ask.js and its wasm, the
  // preferences and account panels) comes only when it is needed, its
  // module and its wasm downloading side by side.
  let askPart;
  // A file next to this script; a URL the page made unusable rejects.
  const get = (name) => {
    try {
      return fetch(new URL(name, base));
    } catch (e) {
      return Promise.reject(e);
    }
  };
  const loadAsk = () => {
    if (askPart) return askPart;
    const wasm = get("consentry-ask.wasm");
    wasm.catch(() => {}); // load() reports it; nothing unhandled if the module fails first
    return (askPart = import(new URL("consentry-ask.js", base)).then((m) => m.load(wasm)));
  };
  const { api, settle, fail, hook, ledgerConfig } = facade(tell, loadAsk);
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
  // Fetching and compiling start now, in parallel with the rest of the
  // page: the wasm compiles while it streams in.
  const core = initGate({ module_or_path: get((me && me.dataset.consentryWasm) || "consentry.wasm") });
  core.catch(() => {}); // reported once, below
  (async () => {
    await domReady();
    await core;
    // The core reads the page's config itself (the first JSON script with
    // that id; src/web/dom.rs), and warns about every other element.
    const started = start(undefined, "#consentry-config", hook);
    settle(started);
    // Receipts for the consent ledger (consentry-ledger.js, next to this
    // file) only when the config has a [ledger] table. The same element the
    // core read: never another element that merely carries the id.
    const inline = document.querySelector(CONFIG);
    // In the same task as the start: the first layer never paints before it.
    const release = holdForAccount(inline ? inline.textContent : "", api);
    ledgerConfig(inline ? inline.textContent : undefined).then(
      (config) =>
        config
          ? import(new URL("consentry-ledger.js", base)).then(
              (m) => m.ledger(config, api, started, release),
              () => (release(), console.error("consentry: cannot load consentry-ledger.js")),
            )
          : release(),
      release,
    );
  })().catch(fail);
})();

