// ES module entry: `import { init } from "consentry"`. The wasm is carried
// inline (see bytes.js) so the package works under any bundler with no
// loader config.
import loadWasm, { defaultConfig, start } from "../../target/wbg/consentry.js";
import wasmText from "../../target/wbg/consentry_bg.wasm";
import { wasmBytes } from "./bytes.js";
import { domReady, facade, publish } from "./core.js";
import { ledger } from "./ledger.js";

let instance;

/**
 * Starts consentry (once per page) and resolves to the Consentry API.
 * `config` follows the categories.toml schema as a plain object; without it
 * the built-in categories are used. Calling init again returns the same
 * instance.
 */
export function init(config) {
  if (instance) return instance;
  if (typeof window === "undefined" || typeof document === "undefined") {
    return Promise.reject(new Error("init(): consentry runs in a browser; call it on the client, not during server rendering"));
  }
  if (window.Consentry && window.Consentry.ready) {
    // The script tag got here first: share its instance.
    instance = window.Consentry.ready.then(() => window.Consentry);
    return instance;
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
  const { api, settle, fail } = facade();
  publish(api);
  instance = (async () => {
    await loadWasm({ module_or_path: wasmBytes(wasmText) });
    await domReady();
    settle(start(json, "init(config)"));
    ledger(json === undefined ? defaultConfig() : json, api);
    return api;
  })();
  instance.catch(fail);
  return instance;
}
