// The gate and the ask part in one module (dist/consentry-full.js with
// dist/consentry-full.wasm). consentry.js imports it instead of using its
// own gate when the visitor has no consent cookie: a visitor who is about to
// be asked then downloads one wasm runtime, not two.
export { default, defaultConfig, start, Ask } from "../../target/wbg/full/consentry.js";
