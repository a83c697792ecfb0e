//! The core for a site's Node server (`consentry/server`, the `consentry`
//! CLI): the same render and cookie rules as the browser, compiled with the
//! `node` feature, with no DOM and no browser layer. Wrapped for JS readers
//! by `src/js/server.js`. JSON crosses the boundary as text.
//!
//! The wasm size rules (no `core::fmt`, no `FromStr`) are for what every
//! visitor downloads; this build runs on a server, and TOML needs both.
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)]

use alloc::string::String;

use wasm_bindgen::prelude::*;

use crate::config::Config;
use crate::render::{self, Visitor};
use crate::request;
use crate::text::{pick_language, Words};

fn config_from(json: Option<String>) -> Result<Config, JsError> {
    let (text, source) = match &json {
        Some(t) => (t.as_str(), "config"),
        None => (crate::DEFAULT_CONFIG, "categories.toml"),
    };
    Config::from_json(text).map_err(|e| {
        let mut m = String::from(source);
        m.push_str(": ");
        m.push_str(&e.message());
        JsError::new(&m)
    })
}

fn now() -> u64 {
    let ms = js_sys::Date::now();
    if ms.is_finite() && ms > 0.0 {
        (ms / 1000.0) as u64
    } else {
        0
    }
}

/// The config's language for a requested one (`<html lang>`), as the gate
/// picks it: exact, then primary subtag, then the first configured.
#[wasm_bindgen(js_name = pickLanguage)]
pub fn pick(config: Option<String>, lang: Option<String>) -> Result<String, JsError> {
    let c = config_from(config)?;
    Ok(pick_language(lang.as_deref(), &[], &c.languages))
}

/// The date (`YYYY-MM-DD`) of the config's amendment when this visitor
/// answered an older revision and has no valid decision, else undefined.
/// The JS side dates it with `Intl`, as the gate does.
#[wasm_bindgen(js_name = amendmentDate)]
pub fn amendment_date(
    config: Option<String>,
    cookie_header: Option<String>,
) -> Result<Option<String>, JsError> {
    let c = config_from(config)?;
    let header = cookie_header.unwrap_or_default();
    Ok(c.amendment
        .as_ref()
        .filter(|_| request::asked_before(&c, &header, now()))
        .map(|a| a.date.clone()))
}

/// The first layer's markup for `lang` (picked as the gate picks it), or ""
/// when the `Cookie` header holds a valid decision. `sec_gpc` is the
/// request's `Sec-GPC` header; `dated` the amendment's date in words.
#[wasm_bindgen(js_name = renderBanner)]
pub fn render_banner(
    config: Option<String>,
    lang: Option<String>,
    cookie_header: Option<String>,
    sec_gpc: Option<String>,
    dated: Option<String>,
) -> Result<String, JsError> {
    let c = config_from(config)?;
    let header = cookie_header.unwrap_or_default();
    if request::stored(&c, &header, now()).is_some() {
        return Ok(String::new());
    }
    let lang = pick_language(lang.as_deref(), &[], &c.languages);
    let words = Words::for_lang(&lang, &c);
    let fallback = c.languages.first().map_or("en", |s| s.as_str());
    let amended = match (&c.amendment, dated) {
        (Some(a), Some(date)) if request::asked_before(&c, &header, now()) => {
            let mut t = words.fill("amended", &date);
            t.push(' ');
            t.push_str(a.note.get(&lang, fallback));
            Some(t)
        }
        _ => None,
    };
    let visitor = Visitor {
        gpc: request::gpc_signal(sec_gpc.as_deref()),
        no_memory: false,
        amended: amended.as_deref(),
    };
    Ok(render::banner(&c, &lang, &visitor))
}

/// The verdict for one request, as JSON text (`request::Verdict::to_json`).
#[wasm_bindgen(js_name = readConsent)]
pub fn read_consent(
    config: Option<String>,
    cookie_header: Option<String>,
    sec_gpc: Option<String>,
) -> Result<String, JsError> {
    let c = config_from(config)?;
    let header = cookie_header.unwrap_or_default();
    Ok(request::read(&c, &header, sec_gpc.as_deref(), now()).to_json())
}

/// A config written in TOML (`categories.toml`) as JSON text, checked by
/// the same validation as everywhere else.
#[wasm_bindgen(js_name = configFromToml)]
pub fn config_from_toml(text: &str) -> Result<String, JsError> {
    let json = toml_to_json(text).map_err(|e| JsError::new(&e))?;
    config_from(Some(json.clone()))?;
    Ok(json)
}

/// TOML text as JSON text. Dates become strings; floats are written as TOML
/// gave them (the config has no key that takes one).
pub fn toml_to_json(text: &str) -> Result<String, String> {
    let value: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let mut m = String::from("TOML: ");
        m.push_str(e.message());
        m
    })?;
    let mut out = String::new();
    table(&mut out, &value);
    Ok(out)
}

fn table(out: &mut String, t: &toml::Table) {
    out.push('{');
    for (i, (k, v)) in t.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        crate::json::push_str(out, k);
        out.push(':');
        value(out, v);
    }
    out.push('}');
}

fn value(out: &mut String, v: &toml::Value) {
    match v {
        toml::Value::String(s) => crate::json::push_str(out, s),
        toml::Value::Integer(n) => out.push_str(&alloc::format!("{n}")),
        toml::Value::Float(f) => out.push_str(&alloc::format!("{f}")),
        toml::Value::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        toml::Value::Datetime(d) => crate::json::push_str(out, &alloc::format!("{d}")),
        toml::Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                value(out, x);
            }
            out.push(']');
        }
        toml::Value::Table(t) => table(out, t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_toml_reads_as_the_built_in_config() {
        let text = include_str!("../categories.toml");
        let json = toml_to_json(text).unwrap_or_else(|e| panic!("{e}"));
        let a = Config::from_json(&json).unwrap_or_else(|e| panic!("{}", e.message()));
        let b =
            Config::from_json(crate::DEFAULT_CONFIG).unwrap_or_else(|e| panic!("{}", e.message()));
        assert_eq!(a, b);
        assert!(toml_to_json("a = ").is_err());
    }
}
