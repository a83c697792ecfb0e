//! A small, strict JSON reader and writer.
//!
//! Configs and `set()` choices reach the wasm as JSON text (the JS side calls
//! `JSON.stringify` on objects), so one pure parser serves the built-in
//! config, inline `#consentry-config` blocks and `init(config)` objects alike,
//! and the same code is what `cargo test` and the fuzzers exercise. It keeps
//! key order, rejects duplicate keys, and bounds depth and size so hostile
//! input costs linear time.

// With serde_json measured in its place (`npm run deps`), the hand reader
// is unused.
#![cfg_attr(all(feature = "dep-serde", target_arch = "wasm32"), allow(dead_code))]

use crate::error::Error;
use alloc::{string::String, vec::Vec};

/// Deepest nesting accepted; real configs use four levels.
const MAX_DEPTH: usize = 32;
/// Largest text accepted (1 MiB); real configs are a few KiB.
pub const MAX_LEN: usize = 1 << 20;

/// A parsed JSON value. Objects keep their key order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Null,
    Bool(bool),
    /// A number as its exact JSON text (`-1.5e3` stays `"-1.5e3"`), already
    /// checked against the JSON grammar. The config needs only whole numbers,
    /// which are read from this text; turning it into an `f64` would ship
    /// core's float parser and its power-of-five tables (~15 KB) in the wasm.
    /// Equality is of the text, so `1` and `1.0` differ.
    Num(String),
    Str(String),
    List(Vec<Value>),
    Map(Vec<(String, Value)>),
}

impl Value {
    /// The name of this value's kind, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Num(_) => "a number",
            Value::Str(_) => "a string",
            Value::List(_) => "a list",
            Value::Map(_) => "an object",
        }
    }
}

/// Parses `text` as one JSON value. (Measured for the wasm only: build.rs
/// includes this file without the serde module.)
#[cfg(all(feature = "dep-serde", target_arch = "wasm32"))]
pub fn parse(text: &str) -> Result<Value, Error> {
    crate::deps::parse(text)
}

/// Parses `text` as one JSON value.
#[cfg(not(all(feature = "dep-serde", target_arch = "wasm32")))]
pub fn parse(text: &str) -> Result<Value, Error> {
    if text.len() > MAX_LEN {
        return Err(Error::new("", "JSON text is larger than 1 MiB"));
    }
    let mut p = Parser { text, i: 0 };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i != text.len() {
        return Err(p.err("unexpected text after the JSON value"));
    }
    Ok(v)
}

struct Parser<'a> {
    text: &'a str,
    i: usize,
}

impl Parser<'_> {
    fn err(&self, reason: &'static str) -> Error {
        let mut at = String::from("JSON at byte ");
        crate::error::push_num(&mut at, self.i as u64);
        Error::new(at, reason)
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn eat(&mut self, word: &[u8]) -> bool {
        if self.text.as_bytes().get(self.i..self.i + word.len()) == Some(word) {
            self.i += word.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, Error> {
        if depth > MAX_DEPTH {
            return Err(self.err("JSON nested too deeply"));
        }
        match self.peek() {
            Some(b'{') => self.map(depth),
            Some(b'[') => self.list(depth),
            Some(b'"') => self.string().map(Value::Str),
            Some(b't') if self.eat(b"true") => Ok(Value::Bool(true)),
            Some(b'f') if self.eat(b"false") => Ok(Value::Bool(false)),
            Some(b'n') if self.eat(b"null") => Ok(Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            None => Err(self.err("JSON ends too early")),
            _ => Err(self.err("unexpected character in JSON")),
        }
    }

    fn map(&mut self, depth: usize) -> Result<Value, Error> {
        self.i += 1;
        let mut out: Vec<(String, Value)> = Vec::new();
        // Where each key ends, to name a duplicate's position afterwards.
        let mut ends: Vec<usize> = Vec::new();
        self.ws();
        if self.eat(b"}") {
            return Ok(Value::Map(out));
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(self.err("expected a quoted key in JSON"));
            }
            let key = self.string()?;
            ends.push(self.i);
            self.ws();
            if !self.eat(b":") {
                return Err(self.err("expected ':' in JSON object"));
            }
            self.ws();
            let v = self.value(depth + 1)?;
            out.push((key, v));
            self.ws();
            if self.eat(b",") {
                continue;
            }
            if self.eat(b"}") {
                return match first_duplicate(&out).and_then(|k| ends.get(k)) {
                    Some(&at) => {
                        self.i = at;
                        Err(self.err("duplicate key in JSON object"))
                    }
                    None => Ok(Value::Map(out)),
                };
            }
            return Err(self.err("expected ',' or '}' in JSON object"));
        }
    }

    fn list(&mut self, depth: usize) -> Result<Value, Error> {
        self.i += 1;
        let mut out = Vec::new();
        self.ws();
        if self.eat(b"]") {
            return Ok(Value::List(out));
        }
        loop {
            self.ws();
            out.push(self.value(depth + 1)?);
            self.ws();
            if self.eat(b",") {
                continue;
            }
            if self.eat(b"]") {
                return Ok(Value::List(out));
            }
            return Err(self.err("expected ',' or ']' in JSON list"));
        }
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let mut n = 0u32;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return Err(self.err("bad \\u escape in JSON string")),
            };
            n = n * 16 + u32::from(d);
            self.i += 1;
        }
        Ok(n)
    }

    fn string(&mut self) -> Result<String, Error> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(c) = self.peek() {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.i += 1;
            }
            // We stopped on ASCII, so this is a whole run of characters of
            // a text that is UTF-8 already: no second check needed.
            if let Some(run) = self.text.get(start..self.i) {
                out.push_str(run);
            }
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = self.peek();
                    self.i += 1;
                    match c {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            let hi = self.hex4()?;
                            let code = if (0xd800..0xdc00).contains(&hi) {
                                if !self.eat(b"\\u") {
                                    return Err(self.err("lone surrogate in JSON string"));
                                }
                                let lo = self.hex4()?;
                                if !(0xdc00..0xe000).contains(&lo) {
                                    return Err(self.err("lone surrogate in JSON string"));
                                }
                                0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                            } else {
                                hi
                            };
                            match char::from_u32(code) {
                                Some(ch) => out.push(ch),
                                None => return Err(self.err("lone surrogate in JSON string")),
                            }
                        }
                        _ => return Err(self.err("bad escape in JSON string")),
                    }
                }
                Some(_) => return Err(self.err("control character in JSON string")),
                None => return Err(self.err("unterminated JSON string")),
            }
        }
    }

    fn number(&mut self) -> Result<Value, Error> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.i;
            while let Some(b'0'..=b'9') = p.peek() {
                p.i += 1;
            }
            p.i - s
        };
        let int_start = self.i;
        let int_len = digits(self);
        // JSON allows no leading zeros: "0" and "0.5", never "01".
        if int_len == 0 || (int_len > 1 && self.text.as_bytes().get(int_start) == Some(&b'0')) {
            return Err(self.err("bad number in JSON"));
        }
        if self.eat(b".") && digits(self) == 0 {
            return Err(self.err("bad number in JSON"));
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(self.err("bad number in JSON"));
            }
        }
        // Every byte taken above is an ASCII sign, digit, point or letter.
        self.text
            .get(start..self.i)
            .map(|t| Value::Num(t.into()))
            .ok_or_else(|| self.err("bad number in JSON"))
    }
}

/// The index of the first entry whose key an earlier entry already has.
/// Found by a heap sort, in O(n log n): a scan of earlier keys would cost a
/// 1 MiB object of distinct keys billions of comparisons, and a `BTreeSet`
/// (or `sort_unstable`) costs the wasm about 4 KB more than `BinaryHeap`.
fn first_duplicate(entries: &[(String, Value)]) -> Option<usize> {
    let keys: Vec<(&str, usize)> = entries
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (k.as_str(), i))
        .collect();
    // Equal keys end up side by side, in document order.
    let sorted = alloc::collections::BinaryHeap::from(keys).into_sorted_vec();
    sorted
        .windows(2)
        .filter_map(|w| match w {
            [(a, _), (b, j)] if a == b => Some(*j),
            _ => None,
        })
        .min()
}

/// Appends `s` to `out` as a quoted JSON string.
pub fn push_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str("\\u");
                let n = c as u32;
                for shift in [12, 8, 4, 0] {
                    let d = (n >> shift) & 0xf;
                    let digit = crate::error::DIGITS.get(d as usize).copied();
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

    fn s(x: &str) -> Value {
        Value::Str(x.into())
    }

    #[test]
    fn parses_every_kind() {
        let v = parse(r#" {"a": [1, -2.5e3, true, false, null], "b": "x\"\u00e9\ud83d\ude00"} "#);
        assert_eq!(
            v,
            Ok(Value::Map(vec![
                (
                    "a".into(),
                    Value::List(vec![
                        Value::Num("1".into()),
                        Value::Num("-2.5e3".into()),
                        Value::Bool(true),
                        Value::Bool(false),
                        Value::Null
                    ])
                ),
                ("b".into(), s("x\"é😀")),
            ]))
        );
    }

    #[test]
    fn rejects_broken_text_with_a_position() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\" 1}",
            "01x",
            "\"abc",
            "{\"a\":1,\"a\":2}",
            "tru",
            "1 2",
            "\"\\ud800\"",
            "\"\\x\"",
            "-",
            "1.",
            "1e",
            "\"a\nb\"",
        ] {
            let e = parse(bad);
            assert!(e.is_err(), "{bad:?} parsed");
        }
        let e = parse("[1, x]").err().map(|e| e.message());
        assert_eq!(
            e.as_deref(),
            Some("JSON at byte 4: unexpected character in JSON")
        );
    }

    #[test]
    fn depth_is_bounded() {
        let deep = "[".repeat(10_000);
        assert!(parse(&deep).is_err());
        let ok = "[".repeat(20) + &"]".repeat(20);
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn writer_round_trips() {
        let nasty = "a\"b\\c\nd\u{1}\u{2028}é";
        let mut out = String::new();
        push_str(&mut out, nasty);
        assert_eq!(parse(&out), Ok(s(nasty)));
    }
}
