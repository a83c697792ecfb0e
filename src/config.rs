//! The config model (CONTRACT §6) and its validation.
//!
//! Input arrives as a parsed [`Value`]; output is a [`Config`] in which every
//! default is filled in, or one [`Error`] naming the key path and the reason.
//! Unknown keys are errors, not silently ignored: a typo in a category would
//! otherwise quietly drop a consent rule.

use crate::error::{item, Error};
use crate::json::Value;
use alloc::{borrow::ToOwned, string::String, vec, vec::Vec};

/// Longest text accepted for a title, description or cookie purpose.
const MAX_TEXT: usize = 4000;
/// Most categories accepted; the policy needs five.
const MAX_CATEGORIES: usize = 32;
/// Most languages accepted; duplicates are found by a scan, which a
/// megabyte of distinct tags would turn into billions of comparisons.
const MAX_LANGUAGES: usize = 64;

/// The Consent Mode v2 types Google documents.
pub const CONSENT_TYPES: [&str; 7] = [
    "ad_storage",
    "analytics_storage",
    "ad_user_data",
    "ad_personalization",
    "functionality_storage",
    "personalization_storage",
    "security_storage",
];

/// A validated config.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Bumping it asks every visitor again.
    pub revision: u32,
    pub policy_url: Option<String>,
    /// At least one; the first is the fallback.
    pub languages: Vec<String>,
    pub cookie: CookieSettings,
    pub categories: Vec<Category>,
    /// Category id and the Consent Mode types it grants, in config order.
    pub consent_mode: Vec<(String, Vec<String>)>,
    /// Reload the page after a withdrawal, since scripts that ran cannot be
    /// unloaded.
    pub reload_on_withdraw: bool,
    /// Per-language overrides of the dialog's own texts: language, then
    /// (key, text) pairs whose keys pass `text::is_key`.
    pub ui: Vec<(String, Vec<(String, String)>)>,
    /// The colour scheme: follow the browser, or pin one.
    pub theme: Theme,
    /// What the current revision changed, said to visitors asked again.
    pub amendment: Option<Amendment>,
}

/// `theme = "auto" | "light" | "dark"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    Auto,
    Light,
    Dark,
}

impl Theme {
    /// The config word, also the dialog's `data-theme` value.
    pub fn name(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// A short note on what the current revision changed, with its date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Amendment {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub note: Text,
}

/// Where and how long the consent cookie lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CookieSettings {
    pub name: String,
    pub max_age_days: u32,
    pub domain: Option<String>,
}

/// One purpose a visitor can allow or refuse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    pub id: String,
    pub required: bool,
    pub title: Text,
    pub description: Text,
    /// Host patterns (`example.com`, `*.example.com`) its trackers use.
    pub hosts: Vec<String>,
    pub cookies: Vec<CookieInfo>,
    /// localStorage / sessionStorage keys (a trailing `*` matches a prefix).
    pub storage: Vec<String>,
    /// Starts rejected when the browser sends Global Privacy Control.
    pub gpc: bool,
}

/// A cookie a category sets, as the preferences table shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CookieInfo {
    /// Exact name, or a pattern with `*` standing for any run of characters.
    pub name: String,
    pub provider: Option<Text>,
    pub purpose: Text,
    pub duration: Option<Text>,
}

/// A text in one or more languages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text {
    /// (language, text); a plain string is stored under the language "".
    entries: Vec<(String, String)>,
}

impl Text {
    /// One text for every language.
    pub fn plain(s: &str) -> Self {
        Text {
            entries: vec![(String::new(), s.into())],
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The text for `lang`, else for `fallback`, else the first one given.
    pub fn get(&self, lang: &str, fallback: &str) -> &str {
        let find = |l: &str| {
            self.entries
                .iter()
                .find(|(k, _)| k.is_empty() || k.eq_ignore_ascii_case(l))
                .map(|(_, v)| v.as_str())
        };
        find(lang)
            .or_else(|| find(fallback))
            .or_else(|| self.entries.first().map(|(_, v)| v.as_str()))
            .unwrap_or("")
    }
}

impl Config {
    /// Parses and validates JSON text.
    pub fn from_json(text: &str) -> Result<Config, Error> {
        Config::from_value(&crate::json::parse(text)?)
    }

    /// Validates a parsed value.
    pub fn from_value(v: &Value) -> Result<Config, Error> {
        let map = as_map(v, "")?;
        let mut cfg = Config {
            revision: 1,
            policy_url: None,
            languages: vec!["en".into()],
            cookie: CookieSettings {
                name: "consentry".into(),
                max_age_days: 182,
                domain: None,
            },
            categories: Vec::new(),
            consent_mode: Vec::new(),
            reload_on_withdraw: false,
            ui: Vec::new(),
            theme: Theme::Auto,
            amendment: None,
        };
        let mut consent_mode = None;
        let mut ui = None;
        let mut seen_categories = false;
        for (key, val) in map {
            match key.as_str() {
                "$schema" => {}
                "revision" => cfg.revision = whole(val, "revision", 1, 2_147_483_647)?,
                "policy_url" => cfg.policy_url = Some(url(val, "policy_url")?),
                "languages" => cfg.languages = languages(val)?,
                "cookie" => cfg.cookie = cookie_settings(val)?,
                "categories" => {
                    cfg.categories = categories(val)?;
                    seen_categories = true;
                }
                "google_consent_mode" => consent_mode = Some(val),
                "reload_on_withdraw" => cfg.reload_on_withdraw = boolean(val, key)?,
                "ui" => ui = Some(val),
                "theme" => cfg.theme = theme(val)?,
                "amendment" => cfg.amendment = Some(amendment(val)?),
                // The ledger's settings are checked by consentry-server and
                // by build.rs; the browser only reads `endpoint`, in JS.
                "ledger" => {}
                _ => return Err(Error::new(key.as_str(), "unknown key")),
            }
        }
        if !seen_categories {
            return Err(Error::new("categories", "is required"));
        }
        if let Some(v) = consent_mode {
            cfg.consent_mode = google_consent_mode(v, &cfg.categories)?;
        }
        if let Some(v) = ui {
            cfg.ui = ui_texts(v)?;
        }
        Ok(cfg)
    }

    /// The category with this id.
    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }
}

fn as_map<'a>(v: &'a Value, path: &str) -> Result<&'a [(String, Value)], Error> {
    match v {
        Value::Map(m) => Ok(m),
        _ => Err(Error::new(path, "expected an object (a TOML table)").got(v.kind())),
    }
}

fn as_list<'a>(v: &'a Value, path: &str) -> Result<&'a [Value], Error> {
    match v {
        Value::List(l) => Ok(l),
        _ => Err(Error::new(path, "expected a list").got(v.kind())),
    }
}

fn boolean(v: &Value, path: &str) -> Result<bool, Error> {
    match v {
        Value::Bool(b) => Ok(*b),
        _ => Err(Error::new(path, "expected true or false").got(v.kind())),
    }
}

/// A whole number in `min..=max`, written as plain digits. `JSON.stringify`
/// and TOML integers write every such number that way (JS switches to an
/// exponent only from 1e21), so a sign, a fraction or an exponent (`-1`,
/// `1.0`, `1e2`) is refused rather than converted: no float is parsed.
fn whole(v: &Value, path: &str, min: u32, max: u32) -> Result<u32, Error> {
    let text = match v {
        Value::Num(text) => text,
        _ => return Err(Error::new(path, "expected a whole number").got(v.kind())),
    };
    // Checked arithmetic turns a megabyte of digits into `None` in one pass.
    let n = text.bytes().try_fold(0u32, |n, b| {
        let d = b.checked_sub(b'0').filter(|d| *d <= 9)?;
        n.checked_mul(10)?.checked_add(u32::from(d))
    });
    match n.filter(|n| !text.is_empty() && (min..=max).contains(n)) {
        Some(n) => Ok(n),
        None => Err(Error::new(
            path,
            match (min, max) {
                (1, 395) => "must be a whole number of days from 1 to 395 (13 months)",
                _ => "must be a whole number from 1 to 2147483647",
            },
        )),
    }
}

/// A string of at most `max` characters with no control or bidi-override
/// characters, which could disguise what a visitor reads.
fn string(v: &Value, path: &str, max: usize) -> Result<String, Error> {
    let s = match v {
        Value::Str(s) => s,
        _ => return Err(Error::new(path, "expected a string").got(v.kind())),
    };
    if s.trim().is_empty() {
        return Err(Error::new(path, "must not be empty"));
    }
    if crate::error::char_len(s) > max {
        return Err(Error::new(path, "is too long"));
    }
    if s.chars().any(|c| {
        (c.is_control() && c != '\n')
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    }) {
        return Err(Error::new(
            path,
            "contains control or bidi-override characters",
        ));
    }
    Ok(s.clone())
}

fn url(v: &Value, path: &str) -> Result<String, Error> {
    let s = string(v, path, 2000)?;
    let lower = s.trim_start().to_ascii_lowercase();
    let scheme_end = crate::split::find(&lower, b':');
    let first_slash = lower.find(['/', '?', '#']).unwrap_or(lower.len());
    if let Some(end) = scheme_end.filter(|e| *e < first_slash) {
        let scheme = lower.get(..end).unwrap_or("");
        if scheme != "https" && scheme != "http" {
            return Err(Error::new(path, "must be a relative, http or https URL").with_value(s));
        }
    }
    Ok(s)
}

fn is_lang_tag(s: &str) -> bool {
    let mut parts = crate::split::pieces(s, b'-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    first_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn languages(v: &Value) -> Result<Vec<String>, Error> {
    let list = as_list(v, "languages")?;
    if list.is_empty() {
        return Err(Error::new("languages", "must name at least one language"));
    }
    if list.len() > MAX_LANGUAGES {
        return Err(Error::new("languages", "has more than 64 languages"));
    }
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for (i, l) in list.iter().enumerate() {
        let path = item("languages", i);
        let s = string(l, &path, 35)?;
        if !is_lang_tag(&s) {
            return Err(
                Error::new(path, "is not a language tag like \"en\" or \"pt-BR\"").with_value(s),
            );
        }
        // A scan, not a set: the list is at most MAX_LANGUAGES long.
        if out.iter().any(|o| o.eq_ignore_ascii_case(&s)) {
            return Err(Error::new(path, "duplicate language").with_value(s));
        }
        out.push(s);
    }
    Ok(out)
}

fn is_cookie_name(s: &str, allow_star: bool) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric() || b"!#$%&'+-.^_`|~".contains(&b) || (allow_star && b == b'*')
        })
}

/// A host pattern (`allow_wildcard`: `example.com`, `*.example.com`) or a
/// cookie domain (`example.com`, `.example.com`).
fn is_host(s: &str, allow_wildcard: bool) -> bool {
    let rest = if allow_wildcard {
        s.strip_prefix("*.").unwrap_or(s)
    } else {
        s.strip_prefix('.').unwrap_or(s)
    };
    !rest.is_empty()
        && rest.len() <= 253
        && crate::split::pieces(rest, b'.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

fn cookie_settings(v: &Value) -> Result<CookieSettings, Error> {
    let mut c = CookieSettings {
        name: "consentry".into(),
        max_age_days: 182,
        domain: None,
    };
    for (key, val) in as_map(v, "cookie")? {
        let path = Error::new(key.as_str(), "")
            .within("cookie")
            .path()
            .to_owned();
        match key.as_str() {
            "name" => {
                let s = string(val, &path, 128)?;
                if !is_cookie_name(&s, false) {
                    return Err(Error::new(path, "is not a valid cookie name").with_value(s));
                }
                c.name = s;
            }
            "max_age_days" => c.max_age_days = whole(val, &path, 1, 395)?,
            "domain" => {
                let s = string(val, &path, 253)?;
                if !is_host(&s, false) {
                    return Err(Error::new(
                        path,
                        "is not a lower-case domain like \".example.com\"",
                    )
                    .with_value(s));
                }
                c.domain = Some(s);
            }
            _ => return Err(Error::new(path, "unknown key")),
        }
    }
    Ok(c)
}

fn text(v: &Value, path: &str) -> Result<Text, Error> {
    match v {
        Value::Str(_) => Ok(Text::plain(&string(v, path, MAX_TEXT)?)),
        Value::Map(m) => {
            if m.is_empty() {
                return Err(Error::new(path, "must give at least one language"));
            }
            let mut entries = Vec::with_capacity(m.len());
            for (lang, s) in m {
                let p = Error::new(lang.as_str(), "").within(path).path().to_owned();
                if !is_lang_tag(lang) {
                    return Err(Error::new(
                        p,
                        "is not a language tag like \"en\" or \"pt-BR\"",
                    ));
                }
                entries.push((lang.clone(), string(s, &p, MAX_TEXT)?));
            }
            Ok(Text { entries })
        }
        _ => {
            Err(Error::new(path, "expected a string or a table of texts by language").got(v.kind()))
        }
    }
}

fn strings(
    v: &Value,
    path: &str,
    check: fn(&str) -> bool,
    reason: &'static str,
) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    for (i, s) in as_list(v, path)?.iter().enumerate() {
        let p = item(path, i);
        let s = string(s, &p, 253)?;
        if !check(&s) {
            return Err(Error::new(p, reason).with_value(s));
        }
        out.push(s);
    }
    Ok(out)
}

fn categories(v: &Value) -> Result<Vec<Category>, Error> {
    let list = as_list(v, "categories")?;
    if list.is_empty() {
        return Err(Error::new("categories", "must hold at least one category"));
    }
    if list.len() > MAX_CATEGORIES {
        return Err(Error::new("categories", "has more than 32 categories"));
    }
    let mut out: Vec<Category> = Vec::with_capacity(list.len());
    for (i, c) in list.iter().enumerate() {
        let at = item("categories", i);
        let cat = category(c).map_err(|e| e.within(&at))?;
        if out.iter().any(|o| o.id == cat.id) {
            return Err(Error::new("id", "duplicate id")
                .with_value(cat.id)
                .within(&at));
        }
        out.push(cat);
    }
    Ok(out)
}

fn is_id(s: &str) -> bool {
    s.len() <= 32
        && s.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn category(v: &Value) -> Result<Category, Error> {
    let mut c = Category {
        id: String::new(),
        required: false,
        title: Text::default(),
        description: Text::default(),
        hosts: Vec::new(),
        cookies: Vec::new(),
        storage: Vec::new(),
        gpc: false,
    };
    for (key, val) in as_map(v, "")? {
        let k = key.as_str();
        match k {
            "id" => {
                let s = string(val, k, 32)?;
                if !is_id(&s) {
                    return Err(Error::new(
                        k,
                        "must be lower-case letters, digits, '_' or '-', starting with a letter",
                    )
                    .with_value(s));
                }
                c.id = s;
            }
            "required" => c.required = boolean(val, k)?,
            "title" => c.title = text(val, k)?,
            "description" => c.description = text(val, k)?,
            "hosts" => {
                c.hosts = strings(
                    val,
                    k,
                    |s| is_host(s, true),
                    "is not a host like \"example.com\" or \"*.example.com\"",
                )?
            }
            "storage" => c.storage = strings(val, k, |s| !s.is_empty(), "must not be empty")?,
            "gpc" => c.gpc = boolean(val, k)?,
            "cookies" => {
                for (i, ck) in as_list(val, k)?.iter().enumerate() {
                    let at = item(k, i);
                    c.cookies.push(cookie_info(ck).map_err(|e| e.within(&at))?);
                }
            }
            _ => return Err(Error::new(k, "unknown key")),
        }
    }
    if c.id.is_empty() {
        return Err(Error::new("id", "is required"));
    }
    if c.title.is_empty() {
        return Err(Error::new("title", "is required"));
    }
    if c.required && c.gpc {
        return Err(Error::new("gpc", "cannot be set on a required category"));
    }
    Ok(c)
}

fn cookie_info(v: &Value) -> Result<CookieInfo, Error> {
    let mut c = CookieInfo {
        name: String::new(),
        provider: None,
        purpose: Text::default(),
        duration: None,
    };
    for (key, val) in as_map(v, "")? {
        let k = key.as_str();
        match k {
            "name" => {
                let s = string(val, k, 128)?;
                if !is_cookie_name(&s, true) {
                    return Err(Error::new(
                        k,
                        "is not a cookie name (use * for any run of characters)",
                    )
                    .with_value(s));
                }
                c.name = s;
            }
            "provider" => c.provider = Some(text(val, k)?),
            "purpose" => c.purpose = text(val, k)?,
            "duration" => c.duration = Some(text(val, k)?),
            _ => return Err(Error::new(k, "unknown key")),
        }
    }
    if c.name.is_empty() {
        return Err(Error::new("name", "is required"));
    }
    Ok(c)
}

fn google_consent_mode(v: &Value, cats: &[Category]) -> Result<Vec<(String, Vec<String>)>, Error> {
    let mut out = Vec::new();
    for (id, types) in as_map(v, "google_consent_mode")? {
        let at = Error::new(id.as_str(), "")
            .within("google_consent_mode")
            .path()
            .to_owned();
        if !cats.iter().any(|c| c.id == *id) {
            return Err(Error::new(at, "is not a category id"));
        }
        let list = strings(
            types,
            &at,
            |s| CONSENT_TYPES.contains(&s),
            "is not a Consent Mode v2 type",
        )?;
        out.push((id.clone(), list));
    }
    Ok(out)
}

fn theme(v: &Value) -> Result<Theme, Error> {
    match v {
        Value::Str(s) if s == "auto" => Ok(Theme::Auto),
        Value::Str(s) if s == "light" => Ok(Theme::Light),
        Value::Str(s) if s == "dark" => Ok(Theme::Dark),
        _ => Err(Error::new(
            "theme",
            "must be \"auto\", \"light\" or \"dark\"",
        )),
    }
}

/// Longest amendment note: a line or two on the first layer, not a policy.
const MAX_NOTE: usize = 300;

fn amendment(v: &Value) -> Result<Amendment, Error> {
    let mut date = None;
    let mut note = None;
    for (key, val) in as_map(v, "amendment")? {
        let path = Error::new(key.as_str(), "")
            .within("amendment")
            .path()
            .to_owned();
        match key.as_str() {
            "date" => {
                let s = string(val, &path, 10)?;
                if !is_date(&s) {
                    return Err(
                        Error::new(path, "must be a date like \"2026-12-01\"").with_value(s)
                    );
                }
                date = Some(s);
            }
            "note" => {
                let t = text(val, &path)?;
                if t.entries
                    .iter()
                    .any(|(_, s)| crate::error::char_len(s) > MAX_NOTE)
                {
                    return Err(Error::new(
                        path,
                        "is too long (a note has at most 300 characters)",
                    ));
                }
                note = Some(t);
            }
            _ => return Err(Error::new(path, "unknown key")),
        }
    }
    match (date, note) {
        (Some(date), Some(note)) => Ok(Amendment { date, note }),
        (None, _) => Err(Error::new("amendment.date", "is required")),
        (_, None) => Err(Error::new("amendment.note", "is required")),
    }
}

/// `YYYY-MM-DD` with a month from 01 to 12 and a day from 01 to 31.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |r: core::ops::Range<usize>| -> Option<u32> {
        let d = b.get(r)?;
        d.iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    b.len() == 10
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && num(0..4).is_some()
        && num(5..7).is_some_and(|m| (1..=12).contains(&m))
        && num(8..10).is_some_and(|d| (1..=31).contains(&d))
}

/// Per language, the (key, text) overrides of the dialog's words.
type UiTexts = Vec<(String, Vec<(String, String)>)>;

fn ui_texts(v: &Value) -> Result<UiTexts, Error> {
    let mut out = Vec::new();
    for (lang, texts) in as_map(v, "ui")? {
        let at = Error::new(lang.as_str(), "").within("ui").path().to_owned();
        if !is_lang_tag(lang) {
            return Err(Error::new(
                at,
                "is not a language tag like \"en\" or \"pt-BR\"",
            ));
        }
        let mut pairs = Vec::new();
        for (key, s) in as_map(texts, &at)? {
            let p = Error::new(key.as_str(), "").within(&at).path().to_owned();
            if !crate::text::is_key(key) {
                return Err(Error::new(p, "unknown dialog text"));
            }
            pairs.push((key.clone(), string(s, &p, MAX_TEXT)?));
        }
        out.push((lang.clone(), pairs));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(json: &str) -> String {
        match Config::from_json(json) {
            Ok(_) => String::from("(accepted)"),
            Err(e) => e.message(),
        }
    }

    #[test]
    fn minimal_config_gets_the_contract_defaults() {
        let c = Config::from_json(r#"{"categories":[{"id":"a","title":"A"}]}"#);
        let c = match c {
            Ok(c) => c,
            Err(e) => panic!("{}", e.message()),
        };
        assert_eq!(c.revision, 1);
        assert_eq!(c.languages, vec!["en".to_string()]);
        assert_eq!(c.cookie.name, "consentry");
        assert_eq!(c.cookie.max_age_days, 182);
        assert_eq!(c.policy_url, None);
        assert!(!c.categories.iter().any(|x| x.required));
    }

    #[test]
    fn errors_name_the_key_path() {
        assert_eq!(
            err(
                r#"{"categories":[{"id":"a","title":"A"},{"id":"b","title":"B"},{"id":"a","title":"C"}]}"#
            ),
            "categories[2].id: duplicate id \"a\""
        );
        assert_eq!(err(r#"{}"#), "categories: is required");
        assert_eq!(
            err(r#"{"categories":[{"id":"a"}]}"#),
            "categories[0].title: is required"
        );
        assert_eq!(
            err(r#"{"categories":[{"id":"a","title":"A","titel":"x"}]}"#),
            "categories[0].titel: unknown key"
        );
        assert_eq!(
            err(r#"{"categories":[{"id":"a","title":"A","cookies":[{"name":"a b"}]}]}"#),
            "categories[0].cookies[0].name: is not a cookie name (use * for any run of characters) \"a b\""
        );
        assert_eq!(
            err(r#"{"cookie":{"max_age_days":400},"categories":[{"id":"a","title":"A"}]}"#),
            "cookie.max_age_days: must be a whole number of days from 1 to 395 (13 months)"
        );
        assert_eq!(
            err(r#"{"policy_url":"javascript:alert(1)","categories":[{"id":"a","title":"A"}]}"#),
            "policy_url: must be a relative, http or https URL \"javascript:alert(1)\""
        );
        assert_eq!(
            err(
                r#"{"google_consent_mode":{"ads":["ad_storage"]},"categories":[{"id":"a","title":"A"}]}"#
            ),
            "google_consent_mode.ads: is not a category id"
        );
        assert_eq!(
            err(r#"{"categories":[{"id":"a","title":{"en":"A","ru":"x\u202ey"}}]}"#),
            "categories[0].title.ru: contains control or bidi-override characters"
        );
    }

    #[test]
    fn texts_fall_back_by_language() {
        let c = Config::from_json(
            r#"{"languages":["en","ru"],"categories":[{"id":"a","title":{"en":"Hi","ru":"Привет"}}]}"#,
        );
        let t = match c {
            Ok(c) => c
                .categories
                .into_iter()
                .next()
                .map(|c| c.title)
                .unwrap_or_default(),
            Err(e) => panic!("{}", e.message()),
        };
        assert_eq!(t.get("ru", "en"), "Привет");
        assert_eq!(t.get("de", "en"), "Hi");
        assert_eq!(Text::plain("x").get("ru", "en"), "x");
    }
}
