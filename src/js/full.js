// The gate and the ask part in one module (dist/consentry-full.js with
// dist/consentry-full.wasm). consentry.js imports it instead of using its
// own gate when the visitor has no consent cookie: a visitor who is about to
// be asked then downloads one wasm runtime, not two.
/* global CONSENTRY_ASK_CSS */
export { default, defaultConfig, start, Ask } from "../../target/wbg/full/consentry.js";

// The layers' styles: core.js adds them after the gate's, which they build on.
export const css = CONSENTRY_ASK_CSS;
