#![cfg(not(target_arch = "wasm32"))]
// A test fails by panicking; the no-panic rules are for library code.
#![allow(
    clippy::panic,
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used
)]
//! The JSON reader: never panics, reads back what a writer produced, and
//! turns hostile sizes and depths into errors in linear time.

use consentry::json::{parse, push_str, Value, MAX_LEN};
use proptest::prelude::*;

/// A writer for the test: strings through the crate's own `push_str`,
/// numbers through `{:?}` (shortest round-trip form, always with a digit
/// after the point or an exponent, both valid JSON), `sep` between tokens.
fn write(v: &Value, sep: &str, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Num(n) => out.push_str(&format!("{n:?}")),
        Value::Str(s) => push_str(out, s),
        Value::List(l) => {
            out.push('[');
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(sep);
                write(x, sep, out);
                out.push_str(sep);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(sep);
                push_str(out, k);
                out.push_str(sep);
                out.push(':');
                out.push_str(sep);
                write(x, sep, out);
                out.push_str(sep);
            }
            out.push('}');
        }
    }
}

fn to_json(v: &Value, sep: &str) -> String {
    let mut s = String::new();
    write(v, sep, &mut s);
    s
}

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_filter("finite", |n| n.is_finite()),
        (-1_000_000i64..1_000_000).prop_map(|n| n as f64),
        Just(0.0),
        Just(-0.0),
        Just(f64::MAX),
        Just(f64::MIN_POSITIVE),
        Just(5e-324),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        finite().prop_map(Value::Num),
        any::<String>().prop_map(Value::Str),
        "[\"\\\\/\u{0}-\u{1f}\u{2028}\u{2029}a-zé😀]{0,8}".prop_map(Value::Str),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::List),
            prop::collection::vec((any::<String>(), inner), 0..6).prop_map(|pairs| {
                // The reader rejects duplicate keys, so the tree must not
                // hold any.
                let mut m: Vec<(String, Value)> = Vec::new();
                for (k, v) in pairs {
                    if !m.iter().any(|(x, _)| *x == k) {
                        m.push((k, v));
                    }
                }
                Value::Map(m)
            }),
        ]
    })
}

fn reason(text: &str) -> Option<&'static str> {
    parse(text).err().map(|e| e.reason())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(s in any::<String>()) {
        let _ = parse(&s);
    }

    #[test]
    fn json_shaped_text_never_panics(s in "[\\[\\]{}\",: \t\n0-9eE.+\\-truefalsn\\\\u/bfdD8é]{0,80}") {
        let _ = parse(&s);
    }

    #[test]
    fn truncations_of_valid_json_never_panic(v in value(), cut in any::<prop::sample::Index>()) {
        let text = to_json(&v, "");
        let ends: Vec<usize> = (0..=text.len()).filter(|i| text.is_char_boundary(*i)).collect();
        let end = ends[cut.index(ends.len())];
        let _ = parse(&text[..end]);
    }

    #[test]
    fn written_values_read_back(v in value()) {
        prop_assert_eq!(parse(&to_json(&v, "")), Ok(v.clone()));
        prop_assert_eq!(parse(&to_json(&v, " \n\t\r")), Ok(v));
    }

    #[test]
    fn written_strings_read_back(s in any::<String>()) {
        let mut out = String::new();
        push_str(&mut out, &s);
        // Nothing the browser's JSON.parse or a <script> block would trip
        // over stays raw in the output.
        prop_assert!(!out.chars().any(|c| (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}'), "{:?}", out);
        prop_assert_eq!(parse(&out), Ok(Value::Str(s)));
    }

    #[test]
    fn numbers_read_like_rust_reads_them(n in finite()) {
        for text in [format!("{n:?}"), format!("{n}"), format!("{n:e}"), format!("{n:E}")] {
            prop_assert_eq!(parse(&text), Ok(Value::Num(n)), "{}", text);
        }
    }

    #[test]
    fn garbage_after_a_value_is_rejected(v in value(), tail in "[a-z,\\]}\\[{\"0-9]") {
        let text = to_json(&v, "") + " " + &tail;
        prop_assert!(parse(&text).is_err(), "{}", text);
    }
}

#[test]
fn escapes_and_surrogate_pairs() {
    assert_eq!(
        parse(r#""\"\\\/\b\f\n\r\t\u0041\u00e9\u20AC\ud83d\ude00""#),
        Ok(Value::Str("\"\\/\u{8}\u{c}\n\r\tAé€😀".into()))
    );
    for bad in [
        r#""\ud83d""#,
        r#""\ude00""#,
        r#""\ud83d\u0041""#,
        r#""\ud83dx""#,
        r#""\u12""#,
        r#""\u12g4""#,
        r#""\a""#,
        "\"\\",
        "\"\\u",
        "\"tab\there\"",
    ] {
        assert!(parse(bad).is_err(), "{bad:?} parsed");
    }
}

#[test]
fn numbers_follow_the_json_grammar() {
    for (text, n) in [
        ("0", 0.0),
        ("-0", -0.0),
        ("10", 10.0),
        ("-1.5e+2", -150.0),
        ("2E-1", 0.2),
        ("0.5", 0.5),
        ("1e400", f64::INFINITY),
    ] {
        assert_eq!(parse(text), Ok(Value::Num(n)), "{text}");
    }
    for bad in [
        "01", "-01", "00", "+1", ".5", "1.", "1.e5", "1e", "1e+", "--1", "- 1", "0x10", "1_000",
        "Infinity", "NaN", "-",
    ] {
        assert!(parse(bad).is_err(), "{bad:?} parsed as {:?}", parse(bad));
    }
}

#[test]
fn keeps_key_order_and_rejects_duplicate_keys() {
    assert_eq!(
        parse(r#"{"b":1,"a":2}"#),
        Ok(Value::Map(vec![
            ("b".into(), Value::Num(1.0)),
            ("a".into(), Value::Num(2.0)),
        ]))
    );
    // Escapes are resolved before the comparison.
    assert_eq!(
        reason(r#"{"a":1,"\u0061":2}"#),
        Some("duplicate key in JSON object")
    );
    assert_eq!(
        parse(r#"{"a":{"a":1},"b":{"a":2}}"#).map(|v| v.kind()),
        Ok("an object")
    );
}

#[test]
fn errors_say_where() {
    let msg = |t: &str| parse(t).err().map(|e| e.message());
    assert_eq!(
        msg("").as_deref(),
        Some("JSON at byte 0: JSON ends too early")
    );
    assert_eq!(
        msg("  [1,").as_deref(),
        Some("JSON at byte 5: JSON ends too early")
    );
    assert_eq!(
        msg("{\"a\":1 \"b\"}").as_deref(),
        Some("JSON at byte 7: expected ',' or '}' in JSON object")
    );
    assert_eq!(
        msg("[1] x").as_deref(),
        Some("JSON at byte 4: unexpected text after the JSON value")
    );
    assert_eq!(
        msg("{1:2}").as_deref(),
        Some("JSON at byte 1: expected a quoted key in JSON")
    );
}

#[test]
fn depth_is_bounded() {
    let nested = |n: usize| "[".repeat(n) + &"]".repeat(n);
    // The documented limit: real configs nest four levels.
    assert!(parse(&nested(32)).is_ok());
    assert_eq!(reason(&nested(64)), Some("JSON nested too deeply"));
    let objects = |n: usize| "{\"a\":".repeat(n) + "1" + &"}".repeat(n);
    assert!(parse(&objects(32)).is_ok());
    assert_eq!(reason(&objects(64)), Some("JSON nested too deeply"));
    assert_eq!(reason(&"[".repeat(100_000)), Some("JSON nested too deeply"));
    assert_eq!(
        reason(&"{\"a\":[".repeat(100_000)),
        Some("JSON nested too deeply")
    );
}

#[test]
fn size_is_bounded() {
    // Exactly 1 MiB is read; one byte more is refused before reading.
    let at_limit = format!("\"{}\"", "a".repeat(MAX_LEN - 2));
    assert_eq!(at_limit.len(), MAX_LEN);
    assert!(matches!(parse(&at_limit), Ok(Value::Str(s)) if s.len() == MAX_LEN - 2));
    let over = format!("\"{}\"", "a".repeat(MAX_LEN - 1));
    assert_eq!(reason(&over), Some("JSON text is larger than 1 MiB"));
    assert_eq!(
        reason(&" ".repeat(MAX_LEN + 1)),
        Some("JSON text is larger than 1 MiB")
    );
    assert_eq!(
        reason(&"[".repeat(5 * MAX_LEN)),
        Some("JSON text is larger than 1 MiB")
    );
}

/// Hostile inputs just under the limit: each must come back (the test would
/// hang on a quadratic or exponential path), with the right verdict.
#[test]
fn big_hostile_inputs_finish() {
    const N: usize = 500_000;
    assert_eq!(reason(&"[".repeat(N)), Some("JSON nested too deeply"));
    assert_eq!(
        reason(&("\"".to_owned() + &"a".repeat(N))),
        Some("unterminated JSON string")
    );
    assert_eq!(
        reason(&("\"".to_owned() + &"\\n".repeat(N / 2))),
        Some("unterminated JSON string")
    );
    assert_eq!(
        reason(&("\"".to_owned() + &"\\ud83d\\ude00".repeat(N / 12))),
        Some("unterminated JSON string")
    );
    assert_eq!(reason(&"1".repeat(N)), None);
    assert_eq!(
        reason(&("[".to_owned() + &"1,".repeat(N / 2))),
        Some("JSON ends too early")
    );
    assert_eq!(reason(&" ".repeat(N)), Some("JSON ends too early"));
    assert_eq!(
        reason(&("[".to_owned() + &"[],".repeat(N / 3) + "0]")),
        None
    );
}

/// An object with as many distinct keys as fit in 1 MiB: the duplicate-key
/// check must not compare every key with every other one.
#[test]
fn many_keys_finish() {
    let mut s = String::from("{");
    let mut i = 0u32;
    while s.len() < MAX_LEN - 32 {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!("\"{i:x}\":0"));
        i += 1;
    }
    let dup = format!("{s},\"0\":1}}");
    s.push('}');
    assert!(matches!(parse(&s), Ok(Value::Map(m)) if m.len() == i as usize));
    assert_eq!(reason(&dup), Some("duplicate key in JSON object"));
}
