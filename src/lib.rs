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
//!    [`error`], [`json`], [`split`], [`config`], [`consent`], [`cookie`], [`receipt`], [`render`], [`request`], [`text`], [`time`].
//!    It never names `web_sys`, `js_sys` or `wasm_bindgen`; time, random ids
//!    and cookie strings are passed in.
//! 2. **`web`**: the only code that touches the DOM, cookies and storage.
//! 3. **`api`** (the gate's) and **`ask`** (the ask part's): every
//!    `#[wasm_bindgen]` export, wrapped for JS readers by the hand-written
//!    entry points in `src/js/`.

#![cfg_attr(all(target_arch = "wasm32", not(test), not(feature = "std")), no_std)]

extern crate alloc;

pub mod config;
pub mod consent;
pub mod cookie;
pub mod error;
pub mod json;
pub mod receipt;
pub mod render;
pub mod request;
pub mod split;
pub mod text;
pub mod time;

#[cfg(any(feature = "dep-serde", feature = "dep-serde-wasm-bindgen"))]
pub mod deps;

#[cfg(all(target_arch = "wasm32", not(feature = "node")))]
pub mod web;

#[cfg(all(target_arch = "wasm32", feature = "gate", not(feature = "node")))]
mod api;

#[cfg(all(target_arch = "wasm32", feature = "ask", not(feature = "node")))]
mod ask;

#[cfg(feature = "node")]
mod node;

/// The default config, compiled from `categories.toml` by `build.rs` and
/// checked there with the same validation the browser runs.
pub const DEFAULT_CONFIG: &str = include_str!(concat!(env!("OUT_DIR"), "/categories.json"));

/// The gate's copy of the default config: the same, without the texts only
/// the ask part shows (descriptions, cookie tables, the amendment, the
/// layers' words), so that a returning visitor does not download them.
/// `build.rs` makes it and checks it like the full one.
pub const GATE_CONFIG: &str = include_str!(concat!(env!("OUT_DIR"), "/categories.gate.json"));

/// Release builds carry no panic machinery: clippy forbids panicking calls
/// in this crate, so reaching this is a bug, and stopping the wasm here keeps
/// `core::fmt` out of every visitor's download. The JS side turns the
/// resulting trap into one console error.
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[global_allocator]
static ALLOC: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: wasm32-unknown-unknown without the atomics feature has one thread.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
