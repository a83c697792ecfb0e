// consentry/server: the core compiled for Node (the `node` feature,
// src/node.rs) for a site's own server. No DOM, no browser layer; the wasm
// sits next to this file (consentry-server.wasm) and is compiled once, at
// import.
//
//   import { renderBanner, readConsent } from "consentry/server";
//   const html = renderBanner(config, "en", req.headers.cookie, req.headers["sec-gpc"]);
//   const { record, gpc } = readConsent(req.headers.cookie, req.headers["sec-gpc"], config);

import { readFileSync } from "node:fs";
import { amendmentDate, configFromToml, initSync, pickLanguage, readConsent as read, renderBanner as render } from "../../target/wbg-node/consentry.js";

initSync({ module: readFileSync(new URL("./consentry-server.wasm", import.meta.url)) });

/** A config as JSON text: an object, JSON text already, or undefined for the built-in one. */
function configText(config) {
  if (config === undefined || config === null) return undefined;
  if (typeof config === "string") return config;
  if (typeof config === "object" && !Array.isArray(config)) return JSON.stringify(config);
  throw new TypeError("consentry/server: the config must be an object, JSON text, or undefined for the built-in one");
}

/** A header value as Node gives it (string, string[] or undefined). */
function header(value) {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.join("; ");
  return String(value);
}

/**
 * The first layer's markup to put first in <body>, for `lang` (the page's
 * <html lang>; picked as the browser's gate picks it), or "" when the
 * Cookie header holds a valid decision for this config. Pass the request's
 * Sec-GPC header so the markup says what Global Privacy Control leaves off,
 * as the gate will (else the gate builds its own and ignores this one).
 */
export function renderBanner(config, lang, cookieHeader, secGpc) {
  const json = configText(config);
  const cookies = header(cookieHeader);
  const date = amendmentDate(json, cookies);
  let dated;
  if (date !== undefined) {
    const picked = pickLanguage(json, lang === undefined ? undefined : String(lang));
    dated = new Date(date).toLocaleString(picked, { dateStyle: "long", timeZone: "UTC" });
  }
  return render(json, lang === undefined ? undefined : String(lang), cookies, header(secGpc), dated);
}

/**
 * What the visitor allowed, as the gate would read it from the same
 * cookies: `{ record, gpc: { signal, off } }`, `record` null without a
 * valid decision. Copies of the consent cookie that disagree give null
 * (a server cannot tell which is the page's own; docs/contract.md §8).
 */
export function readConsent(cookieHeader, secGpc, config) {
  return JSON.parse(read(configText(config), header(cookieHeader), header(secGpc)));
}

/** A config in TOML (categories.toml) as a checked config object. */
export function configFromTOML(text) {
  return JSON.parse(configFromToml(String(text)));
}
