//! Receipts: what the browser sends to the consent ledger, checked by the
//! same code in the browser build and in `consentry-server`.
//!
//! A receipt is JSON:
//!
//! ```json
//! {"event_id":"…","kind":"decision","record":{…ConsentRecord…},
//!  "config_hash":"<64 hex>","gpc":false,"page":"https://site/path",
//!  "sent":"2026-12-07T02:00:00Z"}
//! ```
//!
//! The config hash is SHA-256 of [`hash_input`]: the config the visitor saw
//! (written the way `JSON.stringify` writes it, key order kept, texts
//! included) and the language it was shown in. The hash function itself
//! lives where it is cheap: `crypto.subtle` in the browser, a native crate
//! on the server; this module only fixes the bytes both sides hash.

use crate::config::Config;
use crate::consent::{Method, Record};
use crate::error::Error;
use crate::json::Value;
use alloc::{string::String, vec::Vec};

/// Whether the receipt records a decision or a withdrawal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Decision,
    Withdrawal,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Decision => "decision",
            Kind::Withdrawal => "withdrawal",
        }
    }
}

/// A receipt that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    pub event_id: String,
    pub kind: Kind,
    /// The decision made, or for a withdrawal the decision taken back.
    pub record: Record,
    /// Lowercase hex SHA-256 of [`hash_input`].
    pub config_hash: String,
    pub gpc: bool,
    /// Origin and path of the page, never its query or fragment.
    pub page: String,
    /// Seconds since the epoch, by the browser's clock.
    pub sent: u64,
}

/// The longest page address kept.
pub const MAX_PAGE: usize = 2048;

/// Reads the config hash out of a receipt without checking the rest, so the
/// caller can find the config version to check it against.
pub fn config_hash_of(v: &Value) -> Result<&str, Error> {
    let Value::Map(map) = v else {
        return Err(Error::new("", "expected a JSON object").got(v.kind()));
    };
    match map.iter().find(|(k, _)| k == "config_hash") {
        Some((_, Value::Str(s))) if is_hash(s) => Ok(s),
        Some((_, Value::Str(s))) => {
            Err(Error::new("config_hash", "must be 64 lowercase hex digits").with_value(s.as_str()))
        }
        Some((_, other)) => Err(Error::new("config_hash", "expected a string").got(other.kind())),
        None => Err(Error::new("config_hash", "is required")),
    }
}

/// Checks a parsed receipt against the config version it names.
pub fn check(v: &Value, config: &Config) -> Result<Receipt, Error> {
    let Value::Map(map) = v else {
        return Err(Error::new("", "expected a JSON object").got(v.kind()));
    };
    let (mut event_id, mut kind, mut record, mut hash, mut gpc, mut page, mut sent) =
        (None, None, None, None, None, None, None);
    for (key, val) in map {
        match key.as_str() {
            "event_id" => event_id = Some(id(val, "event_id", 16, 64)?),
            "kind" => {
                kind = Some(match text(val, "kind")? {
                    "decision" => Kind::Decision,
                    "withdrawal" => Kind::Withdrawal,
                    other => {
                        return Err(Error::new("kind", "must be \"decision\" or \"withdrawal\"")
                            .with_value(other))
                    }
                })
            }
            "record" => record = Some(record_of(val, config).map_err(|e| e.within("record"))?),
            "config_hash" => hash = Some(String::from(config_hash_of(v)?)),
            "gpc" => {
                gpc = Some(match val {
                    Value::Bool(b) => *b,
                    _ => return Err(Error::new("gpc", "expected true or false").got(val.kind())),
                })
            }
            "page" => page = Some(page_of(val)?),
            "sent" => sent = Some(time(val, "sent")?),
            _ => return Err(Error::new(key.as_str(), "unknown key")),
        }
    }
    let need = |name: &'static str| Error::new(name, "is required");
    Ok(Receipt {
        event_id: event_id.ok_or_else(|| need("event_id"))?,
        kind: kind.ok_or_else(|| need("kind"))?,
        record: record.ok_or_else(|| need("record"))?,
        config_hash: hash.ok_or_else(|| need("config_hash"))?,
        gpc: gpc.ok_or_else(|| need("gpc"))?,
        page: page.ok_or_else(|| need("page"))?,
        sent: sent.ok_or_else(|| need("sent"))?,
    })
}

/// Checks a `ConsentRecord` (the JSON of `get()`) against `config`: the
/// revision, every category exactly once, required ones true.
pub fn record_of(v: &Value, config: &Config) -> Result<Record, Error> {
    let Value::Map(map) = v else {
        return Err(Error::new("", "expected an object").got(v.kind()));
    };
    let (mut rid, mut revision, mut given, mut updated, mut method, mut cats) =
        (None, None, None, None, None, None);
    for (key, val) in map {
        match key.as_str() {
            "id" => rid = Some(id(val, "id", 16, 16)?),
            "revision" => {
                let n = match val {
                    // Digits only, with checked arithmetic: no FromStr (see clippy.toml).
                    Value::Num(t) if !t.is_empty() => t.bytes().try_fold(0u32, |n, b| {
                        let d = b.checked_sub(b'0').filter(|d| *d <= 9)?;
                        n.checked_mul(10)?.checked_add(u32::from(d))
                    }),
                    Value::Num(_) => None,
                    _ => {
                        return Err(
                            Error::new("revision", "expected a whole number").got(val.kind())
                        )
                    }
                };
                match n {
                    Some(n) if n == config.revision => revision = Some(n),
                    _ => {
                        return Err(
                            Error::new("revision", "does not match the config's revision")
                                .with_value(num_text(val)),
                        )
                    }
                }
            }
            "given" => given = Some(time(val, "given")?),
            "updated" => updated = Some(time(val, "updated")?),
            "method" => {
                method = Some(match text(val, "method")? {
                    "accept-all" => Method::AcceptAll,
                    "reject-all" => Method::RejectAll,
                    "custom" => Method::Custom,
                    "account" => Method::Account,
                    other => {
                        return Err(Error::new(
                            "method",
                            "must be \"accept-all\", \"reject-all\", \"custom\" or \"account\"",
                        )
                        .with_value(other))
                    }
                })
            }
            "categories" => cats = Some(choices(val, config)?),
            _ => return Err(Error::new(key.as_str(), "unknown key")),
        }
    }
    let need = |name: &'static str| Error::new(name, "is required");
    let given = given.ok_or_else(|| need("given"))?;
    let updated = updated.ok_or_else(|| need("updated"))?;
    if updated < given {
        return Err(Error::new("updated", "is earlier than given"));
    }
    Ok(Record {
        id: rid.ok_or_else(|| need("id"))?,
        revision: revision.ok_or_else(|| need("revision"))?,
        given,
        updated,
        method: method.ok_or_else(|| need("method"))?,
        choices: cats.ok_or_else(|| need("categories"))?,
    })
}

fn choices(v: &Value, config: &Config) -> Result<Vec<(String, bool)>, Error> {
    let Value::Map(map) = v else {
        return Err(Error::new("categories", "expected an object").got(v.kind()));
    };
    for (k, _) in map {
        if config.category(k).is_none() {
            return Err(Error::new("categories", "is not a category id").with_value(k.as_str()));
        }
    }
    let mut out = Vec::with_capacity(config.categories.len());
    for c in &config.categories {
        let mut found = map.iter().filter(|(k, _)| *k == c.id);
        let on = match (found.next(), found.next()) {
            (Some((_, Value::Bool(b))), None) => *b,
            (Some((_, other)), None) => {
                return Err(Error::new(c.id.as_str(), "expected true or false")
                    .got(other.kind())
                    .within("categories"))
            }
            (Some(_), Some(_)) => {
                return Err(
                    Error::new("categories", "names a category twice").with_value(c.id.as_str())
                )
            }
            (None, _) => {
                return Err(
                    Error::new("categories", "is missing a category").with_value(c.id.as_str())
                )
            }
        };
        if c.required && !on {
            return Err(Error::new(
                c.id.as_str(),
                "is a required category and cannot be refused",
            )
            .within("categories"));
        }
        out.push((c.id.clone(), on));
    }
    Ok(out)
}

fn text<'a>(v: &'a Value, path: &'static str) -> Result<&'a str, Error> {
    match v {
        Value::Str(s) => Ok(s),
        _ => Err(Error::new(path, "expected a string").got(v.kind())),
    }
}

fn num_text(v: &Value) -> &str {
    match v {
        Value::Num(t) => t,
        _ => "",
    }
}

/// An id of URL-safe base64 characters (what `id_from_bytes` makes, and what
/// `crypto.randomUUID` makes once its dashes are counted as URL-safe).
fn id(v: &Value, path: &'static str, min: usize, max: usize) -> Result<String, Error> {
    let s = text(v, path)?;
    let ok = (min..=max).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(String::from(s))
    } else if min == max {
        Err(Error::new(path, "must be 16 URL-safe characters (A-Z a-z 0-9 - _)").with_value(s))
    } else {
        Err(Error::new(
            path,
            "must be 16 to 64 URL-safe characters (A-Z a-z 0-9 - _)",
        )
        .with_value(s))
    }
}

/// Whether `s` is a well-formed consent id, as the visitor quotes it.
pub fn is_consent_id(s: &str) -> bool {
    s.len() == 16
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether `s` is 64 lowercase hex digits.
pub fn is_hash(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn time(v: &Value, path: &'static str) -> Result<u64, Error> {
    let s = text(v, path)?;
    crate::time::parse_iso8601(s).ok_or_else(|| {
        Error::new(
            path,
            "must be an ISO-8601 UTC time like 2026-01-31T12:00:00Z",
        )
        .with_value(s)
    })
}

/// An absolute http(s) address of origin and path only: a query or fragment
/// could carry personal data, so it is refused rather than stored.
fn page_of(v: &Value) -> Result<String, Error> {
    let s = text(v, "page")?;
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .ok_or_else(|| Error::new("page", "must start with https:// or http://").with_value(s))?;
    if s.len() > MAX_PAGE {
        return Err(Error::new("page", "is longer than 2048 characters"));
    }
    if rest.is_empty() || rest.starts_with('/') {
        return Err(Error::new("page", "has no host").with_value(s));
    }
    if s.contains(['?', '#']) {
        return Err(
            Error::new("page", "must be origin and path only, without ? or #").with_value(s),
        );
    }
    if s.chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '<' || c == '>' || c == '"')
    {
        return Err(Error::new("page", "holds characters an address cannot have").with_value(s));
    }
    Ok(String::from(s))
}

/// The bytes whose SHA-256 is a receipt's `config_hash`:
/// `consentry-config-v1\n<language>\n<config JSON>`, the JSON written as
/// `JSON.stringify(JSON.parse(text))` writes it.
pub fn hash_input(config: &Value, lang: &str) -> String {
    let mut s = String::with_capacity(4096);
    s.push_str("consentry-config-v1\n");
    s.push_str(lang);
    s.push('\n');
    push_canonical(&mut s, config);
    s
}

/// `value` written without spaces, keys in their order, strings escaped
/// exactly as `JSON.stringify` escapes them.
pub fn push_canonical(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Num(t) => out.push_str(t),
        Value::Str(s) => push_js_string(out, s),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_canonical(out, item);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (k, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_js_string(out, k);
                out.push(':');
                push_canonical(out, item);
            }
            out.push('}');
        }
    }
}

fn push_js_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                let n = c as u32;
                for shift in [4, 0] {
                    let digit = crate::error::DIGITS
                        .get(((n >> shift) & 0xf) as usize)
                        .copied();
                    out.push(char::from(digit.unwrap_or(b'0')));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_matches_json_stringify() {
        let v =
            crate::json::parse("{ \"b\" : [1, true, null], \"a\": \"x\\u0001\\n\\u2028\\\"\" }");
        let v = match v {
            Ok(v) => v,
            Err(e) => panic!("{}", e.message()),
        };
        let mut s = String::new();
        push_canonical(&mut s, &v);
        // What JSON.stringify(JSON.parse(...)) prints for the same text.
        assert_eq!(s, "{\"b\":[1,true,null],\"a\":\"x\\u0001\\n\u{2028}\\\"\"}");
    }
}
