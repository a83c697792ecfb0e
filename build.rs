//! Compiles `categories.toml` into compact JSON for the wasm, after checking
//! it with the crate's own config validation, so a broken file fails the
//! build with the key path instead of failing in a visitor's browser.

#[allow(dead_code, unused_imports)]
#[path = "src/config.rs"]
mod config;
extern crate alloc;

#[allow(dead_code, unused_imports)]
#[path = "src/error.rs"]
mod error;
#[allow(dead_code, unused_imports)]
#[path = "src/json.rs"]
mod json;
#[allow(dead_code, unused_imports)]
#[path = "src/split.rs"]
mod split;
#[allow(dead_code, unused_imports)]
#[path = "src/text.rs"]
mod text;

use std::{env, fs, path::PathBuf, process::ExitCode};

fn main() -> ExitCode {
    println!("cargo:rerun-if-changed=categories.toml");
    println!("cargo:rerun-if-env-changed=CONSENTRY_CATEGORIES");
    let src = env::var("CONSENTRY_CATEGORIES").unwrap_or_else(|_| "categories.toml".into());
    let text = match fs::read_to_string(&src) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {src}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let value: toml::Value = match toml::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {src}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let json = match serde_json::to_string(&value) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("error: {src}: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = config::Config::from_json(&json) {
        eprintln!("error: {src}: {}", e.message());
        return ExitCode::FAILURE;
    }
    let dir = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_default());
    // The gate's copy leaves out the texts only the ask part shows (issue
    // 15): descriptions, the cookie tables' words and the preferences'
    // words. What the gate shows itself stays: the first layer's words and
    // the amendment, titles (GPC note, embed placeholders), its own words.
    let gate = serde_json::to_string(&for_gate(value)).unwrap_or_default();
    if let Err(e) = config::Config::from_json(&gate) {
        eprintln!("error: {src} (gate copy): {}", e.message());
        return ExitCode::FAILURE;
    }
    for (name, text) in [("categories.json", &json), ("categories.gate.json", &gate)] {
        let out = dir.join(name);
        if let Err(e) = fs::write(&out, text) {
            eprintln!("error: cannot write {}: {e}", out.display());
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// The words the gate shows itself: the first layer (`src/render.rs`), the
/// reopen control and the live region (`src/web/frame.rs`), embed
/// placeholders (`src/web/blocker.rs`).
const GATE_WORDS: [&str; 14] = [
    "banner_title",
    "banner_text",
    "policy_link",
    "accept_all",
    "reject_all",
    "preferences",
    "gpc_banner",
    "no_memory",
    "amended",
    "reopen",
    "saved",
    "withdrawn",
    "placeholder",
    "placeholder_allow",
];

fn for_gate(mut v: toml::Value) -> toml::Value {
    if let Some(t) = v.as_table_mut() {
        if let Some(ui) = t.get_mut("ui").and_then(|u| u.as_table_mut()) {
            for (_, words) in ui.iter_mut() {
                let Some(words) = words.as_table_mut() else {
                    continue;
                };
                words.retain(|k, _| GATE_WORDS.contains(&k));
            }
        }
        for c in t
            .get_mut("categories")
            .and_then(|c| c.as_array_mut())
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_table_mut())
        {
            c.remove("description");
            for k in c
                .get_mut("cookies")
                .and_then(|k| k.as_array_mut())
                .into_iter()
                .flatten()
                .filter_map(|k| k.as_table_mut())
            {
                k.retain(|f, _| f == "name");
            }
        }
    }
    v
}
