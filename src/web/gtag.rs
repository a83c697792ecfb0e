//! Google Consent Mode v2: `gtag('consent', 'update', …)` through
//! `window.dataLayer`.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::config::Config;
use crate::consent::Record;

#[wasm_bindgen(
    inline_js = "export function gtag(){(window.dataLayer=window.dataLayer||[]).push(arguments)}"
)]
extern "C" {
    // gtag.js only reads `arguments` objects from the data layer, not arrays,
    // so the push has to come from a real JS function.
    fn gtag(command: &str, action: &str, params: &JsValue);
}

/// Pushes the Consent Mode state for `record` (all denied when `None`).
/// Does nothing when the config has no `google_consent_mode` table.
pub fn update(config: &Config, record: Option<&Record>) {
    if config.consent_mode.is_empty() {
        return;
    }
    let params = Object::new();
    for (id, types) in &config.consent_mode {
        let granted = record.is_some_and(|r| r.allowed(id));
        for t in types {
            let key = JsValue::from_str(t);
            // A type listed under several categories is granted if any of
            // them is allowed.
            let already = Reflect::get(&params, &key).ok().and_then(|v| v.as_string());
            if already.as_deref() != Some("granted") {
                let _ = Reflect::set(
                    &params,
                    &key,
                    &JsValue::from_str(if granted { "granted" } else { "denied" }),
                );
            }
        }
    }
    gtag("consent", "update", &params);
}
