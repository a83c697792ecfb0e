//! consentry: a small, strict cookie-consent manager for the browser.
//!
//! ```js
//! import { init } from "consentry";
//! const consent = await init();          // the built-in categories
//! consent.on("change", (r) => console.log(r.categories));
//! if (consent.allowed("analytics")) loadAnalytics();
//! ```
//!
//! The crate has three layers, and only the outer two know about the browser:
//!
//! 1. **Pure core**, tested natively with `cargo test`:
//!    [`error`], [`json`], [`config`], [`consent`], [`cookie`], [`text`], [`time`].
//!    It never names `web_sys`, `js_sys` or `wasm_bindgen`; time, random ids
//!    and cookie strings are passed in.
//! 2. **`web`**: the only code that touches the DOM, cookies and storage.
//! 3. **`api`**: every `#[wasm_bindgen]` export, wrapped for JS readers by the
//!    hand-written entry points in `src/js/`.

pub mod config;
pub mod consent;
pub mod cookie;
pub mod error;
pub mod json;
pub mod text;
pub mod time;

#[cfg(target_arch = "wasm32")]
pub mod web;

#[cfg(target_arch = "wasm32")]
mod api;

/// The default config, compiled from `categories.toml` by `build.rs` and
/// checked there with the same validation the browser runs.
pub const DEFAULT_CONFIG: &str = include_str!(concat!(env!("OUT_DIR"), "/categories.json"));
