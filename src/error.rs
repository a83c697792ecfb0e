//! The one error type of the crate.
//!
//! Reasons are static text; only the key path (and, where it helps, the
//! offending value) is built at run time, so the message always says *where*
//! and *what* without pulling `core::fmt` into the wasm.

use alloc::string::String;
/// Something was wrong with input the crate was given: a config, a choice
/// passed to `set()`, or a call made at the wrong moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    path: String,
    reason: &'static str,
    value: Option<String>,
    got: Option<&'static str>,
}

impl Error {
    /// An error at `path` (empty for the whole input) for `reason`.
    pub fn new(path: impl Into<String>, reason: &'static str) -> Self {
        Error {
            path: path.into(),
            reason,
            value: None,
            got: None,
        }
    }

    /// Adds the offending value, quoted at the end of the message.
    pub fn with_value(mut self, value: impl Into<String>) -> Self {
        let mut v: String = value.into();
        // Long or hostile values are cut so a message stays one short line.
        if char_len(&v) > 60 {
            v = v.chars().take(57).collect();
            v.push_str("...");
        }
        self.value = Some(v);
        self
    }

    /// Adds what kind of value was found instead: `(got a string)`.
    pub fn got(mut self, kind: &'static str) -> Self {
        self.got = Some(kind);
        self
    }

    /// The key path the error is about, such as `categories[2].id`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The static reason, such as `duplicate id`.
    pub fn reason(&self) -> &'static str {
        self.reason
    }

    /// Puts `prefix` in front of the path (`categories[2]` + `.id`).
    pub fn within(mut self, prefix: &str) -> Self {
        if !prefix.is_empty() {
            let mut p = String::with_capacity(prefix.len() + self.path.len() + 1);
            p.push_str(prefix);
            if !self.path.is_empty() && !self.path.starts_with('[') {
                p.push('.');
            }
            p.push_str(&self.path);
            self.path = p;
        }
        self
    }

    /// The whole message: `categories[2].id: duplicate id "analytics"`.
    pub fn message(&self) -> String {
        let mut m = String::with_capacity(self.path.len() + self.reason.len() + 16);
        if !self.path.is_empty() {
            // The path holds keys as the input spelled them.
            push_shown(&mut m, &self.path);
            m.push_str(": ");
        }
        m.push_str(self.reason);
        if let Some(v) = &self.value {
            m.push_str(" \"");
            push_shown(&mut m, v);
            m.push('"');
        }
        if let Some(kind) = self.got {
            m.push_str(" (got ");
            m.push_str(kind);
            m.push(')');
        }
        m
    }
}

/// Appends `s` with control and bidi characters replaced: they would make
/// the message lie about what it shows.
fn push_shown(m: &mut String, s: &str) {
    for c in s.chars() {
        if c.is_control()
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
        {
            m.push('\u{fffd}');
        } else {
            m.push(c);
        }
    }
}

/// A path segment for list item `i` of `key`: `categories[2]`.
pub fn item(key: &str, i: usize) -> String {
    let mut s = String::with_capacity(key.len() + 6);
    s.push_str(key);
    s.push('[');
    push_num(&mut s, i as u64);
    s.push(']');
    s
}

/// Appends the decimal digits of `n` without `core::fmt`.
pub fn push_num(s: &mut String, n: u64) {
    push_radix(s, n, 10);
}

/// Digits for every radix up to 36. Looked up rather than asked of
/// `char::from_digit`, whose radix check is a panic (message and all).
pub const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// Appends the digits of `n` in `radix` (2 to 36, lower-case letters).
pub fn push_radix(s: &mut String, mut n: u64, radix: u32) {
    // Dividing by a NonZero needs no divide-by-zero panic.
    let r = core::num::NonZeroU64::new(u64::from(radix.clamp(2, 36)))
        .unwrap_or(core::num::NonZeroU64::MIN);
    // 64 binary digits is the longest any radix needs.
    let mut buf = [b'0'; 64];
    let mut i = buf.len();
    loop {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            *slot = DIGITS.get((n % r) as usize).copied().unwrap_or(b'0');
        }
        n /= r;
        if n == 0 || i == 0 {
            break;
        }
    }
    for b in buf.iter().skip(i) {
        s.push(char::from(*b));
    }
}

/// The number of characters in `s`: its bytes that do not continue a
/// character. `chars().count()` gives the same through core's word-at-a-time
/// counter, which costs the wasm 0.8 KB for texts of a few hundred bytes.
pub fn char_len(s: &str) -> usize {
    s.bytes().filter(|b| b & 0xc0 != 0x80).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_path_reason_and_value() {
        let e = Error::new("id", "duplicate id")
            .with_value("analytics")
            .within("categories[2]");
        assert_eq!(e.message(), "categories[2].id: duplicate id \"analytics\"");
        let e = Error::new("", "expected an object").within("cookie");
        assert_eq!(e.message(), "cookie: expected an object");
        assert_eq!(Error::new("", "empty").message(), "empty");
    }

    #[test]
    fn long_and_bidi_values_are_tamed() {
        let long = "x".repeat(500);
        let m = Error::new("a", "bad").with_value(long).message();
        assert!(m.len() < 80, "{m}");
        let m = Error::new("a", "bad")
            .with_value("ab\u{202e}cd\n")
            .message();
        assert_eq!(m, "a: bad \"ab\u{fffd}cd\u{fffd}\"");
    }

    #[test]
    fn char_len_counts_characters() {
        for s in [
            "",
            "abc",
            "Файлы cookie",
            "a\u{10ffff}b",
            "日本語",
            "\u{7f}\u{80}\u{7ff}\u{800}\u{ffff}\u{10000}",
        ] {
            assert_eq!(char_len(s), s.chars().count(), "{s:?}");
        }
    }

    #[test]
    fn numbers_print_without_fmt() {
        let mut s = String::new();
        push_num(&mut s, 0);
        s.push(' ');
        push_num(&mut s, 18446744073709551615);
        assert_eq!(s, "0 18446744073709551615");
        assert_eq!(item("categories", 12), "categories[12]");
    }
}
