// ES module entry: `import { init } from "consentry"`. The wasm is carried
// inline (see bytes.js) so the package works under any bundler with no
// loader config.
import loadWasm, { start } from "../../target/wbg/gate/consentry.js";
import wasmText from "../../target/wbg/gate/consentry_bg.wasm";
import { wasmBytes } from "./bytes.js";
import { CONFIG, domReady, facade, FAILED, holdForAccount, ours, publish, taken } from "./core.js";
import { ledger } from "./ledger.js";

let instance;

/**
 * Starts consentry (once per page) and resolves to the Consentry API.
 * `config` follows the categories.toml schema as a plain object; without it
 * the page's `<script type="application/json" id="consentry-config">` is
 * read, as the script tag reads it, and without that the built-in
 * categories are used. Calling init again returns the same
 * instance once one has started; after a rejected init (a bad config), a
 * later init starts afresh.
 */
export function init(config) {
  if (instance) return instance;
  if (typeof window === "undefined" || typeof document === "undefined") {
    return Promise.reject(new Error("init(): consentry runs in a browser; call it on the client, not during server rendering"));
  }
  const own = Object.getOwnPropertyDescriptor(window, "Consentry");
  if (own) {
    // The script tag got here first: share its instance once it started.
    // Anything else holding the name is an error, and nothing gated loads.
    if (!ours(own, facade().api)) {
      taken();
      return Promise.reject(new Error("init(): window.Consentry is taken by another script; consentry did not start"));
    }
    const shared = window.Consentry;
    if (!shared[FAILED]) return remember(shared.ready.then(() => shared));
  }
  let json;
  if (config !== undefined && config !== null) {
    if (typeof config !== "object" || Array.isArray(config)) {
      return Promise.reject(new TypeError("init(config): config must be an object in the categories.toml schema"));
    }
    try {
      json = JSON.stringify(config);
    } catch (e) {
      return Promise.reject(new TypeError(`init(config): config cannot be written as JSON (${e.message})`));
    }
  }
  // The ask part (preferences, account panels) is a separate chunk,
  // dist/consentry-ask.mjs, imported on first need.
  let askPart;
  const loadAsk = () => (askPart ||= import("./consentry-ask.mjs").then((m) => m.load()));
  const { api, settle, fail, hook, ledgerConfig } = facade(undefined, loadAsk);
  publish(api);
  if ("__consentryPrelude" in window) {
    // The prelude takes orders from the script tag only (src/js/prelude.js).
    console.error("consentry: the prelude answers only to consentry.js loaded by a script tag, not to init(); what it holds stays held");
  }
  const starting = (async () => {
    await loadWasm({ module_or_path: wasmBytes(wasmText) });
    await domReady();
    // Without a config, the page's own config block counts, as it does for
    // the script tag: an account area that imports consentry on a site
    // whose pages carry the block must run the same categories.
    const inline = json === undefined ? document.querySelector(CONFIG)?.textContent : undefined;
    const core = start(json, json === undefined ? "#consentry-config" : "init(config)", hook);
    settle(core);
    const text = json ?? inline;
    // In the same task as the start: the first layer never paints before it.
    const release = holdForAccount(text ?? "", api);
    ledgerConfig(text).then((text) => (text ? ledger(text, api, core, release) : release()), release);
    return api;
  })();
  starting.catch(fail);
  return remember(starting);
}

/** Keeps `starting` as the page's instance unless it fails to start. */
function remember(starting) {
  instance = starting;
  starting.catch(() => {
    if (instance === starting) instance = undefined;
  });
  return starting;
}
