// The gate's glue module for the script tag (dist/consentry-gate.js with
// dist/consentry.wasm): consentry.js imports it, and fetches the wasm beside
// it, for a visitor who has a consent cookie.
export { default, start } from "../../target/wbg/gate/consentry.js";
