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
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_default()).join("categories.json");
    if let Err(e) = fs::write(&out, json) {
        eprintln!("error: cannot write {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
