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
/// numbers as the JSON text they hold, `sep` between tokens.
fn write(v: &Value, sep: &str, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Num(n) => out.push_str(n),
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

/// The JSON number grammar (RFC 8259 section 6), as a generator.
const NUMBER: &str = "-?(0|[1-9][0-9]{0,25})(\\.[0-9]{1,25})?([eE][+-]?[0-9]{1,5})?";

/// Valid JSON number text: the grammar, plus the texts a float reader would
/// round, overflow or lose (they must come back as written).
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => NUMBER,
        1 => (0u64..=u64::MAX).prop_map(|n| n.to_string()),
        1 => (1usize..2000).prop_map(|n| "9".repeat(n)),
        1 => prop::sample::select(vec![
            "0", "-0", "0.0", "-0.0e-0", "1e400", "-1e400", "1e-400", "5e-324",
            "1.7976931348623157e308", "2147483648", "4294967296", "1E+2",
            "0.30000000000000004", "123456789012345678901234567890",
        ])
        .prop_map(String::from),
    ]
}

/// A second reading of the grammar, by splitting instead of scanning, to
/// judge the parser's verdict on arbitrary text.
fn is_json_number(s: &str) -> bool {
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let s = s.strip_prefix('-').unwrap_or(s);
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    digits(int)
        && (int == "0" || !int.starts_with('0'))
        && frac.map_or(true, digits)
        && exp.map_or(true, |e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)))
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number().prop_map(Value::Num),
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
    fn numbers_read_back_exactly_as_written(t in number()) {
        prop_assert!(is_json_number(&t), "{}", t);
        prop_assert_eq!(parse(&t), Ok(Value::Num(t.clone())));
        let list = format!("[ {t} ,{t}]");
        prop_assert_eq!(parse(&list), Ok(Value::List(vec![Value::Num(t.clone()), Value::Num(t)])));
    }

    #[test]
    fn number_shaped_text_is_read_by_the_grammar(s in prop_oneof![
        "[-+0-9eE.]{1,12}",
        // Pieces of the grammar, so that near misses ("01", "1.e5", "-.5")
        // come up often.
        prop::collection::vec(
            prop::sample::select(vec!["-", "+", "0", "1", "90", ".", "e", "E", "e+", "E-"]),
            1..7,
        )
        .prop_map(|p| p.concat()),
    ]) {
        let want = is_json_number(&s).then(|| Value::Num(s.clone()));
        prop_assert_eq!(parse(&s).ok(), want, "{}", s);
    }

    #[test]
    fn the_first_duplicate_key_is_named_where_it_ends(
        keys in prop::collection::vec(prop::sample::select(vec!["a", "b", "c", "ab", "é", ""]), 0..12)
    ) {
        // Build the object, noting where each key's closing quote ends.
        let mut text = String::from("{");
        let mut ends = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            if i > 0 {
                text.push_str(", ");
            }
            push_str(&mut text, k);
            ends.push(text.len());
            text.push_str(":[1,{}]");
        }
        text.push('}');
        let first_dup = (0..keys.len()).find(|&j| keys[..j].contains(&keys[j]));
        let got = parse(&text).map_err(|e| e.message());
        match first_dup {
            Some(j) => prop_assert_eq!(
                got.err(),
                Some(format!("JSON at byte {}: duplicate key in JSON object", ends[j])),
                "{}", text
            ),
            None => prop_assert!(got.is_ok(), "{}", text),
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
    let huge = "1".repeat(100_000);
    for text in [
        "0",
        "-0",
        "10",
        "-1.5e+2",
        "2E-1",
        "0.5",
        "1e400",
        "-0.0",
        "1.0",
        "1e2",
        "0e0",
        "2147483648",
        &huge,
    ] {
        assert_eq!(parse(text), Ok(Value::Num(text.into())), "{text}");
        assert!(is_json_number(text), "{text}");
    }
    // Surrounding whitespace is not part of the number.
    assert_eq!(parse(" \n12\t"), Ok(Value::Num("12".into())));
    for bad in [
        "01", "-01", "00", "+1", ".5", "1.", "1.e5", "1e", "1e+", "--1", "- 1", "0x10", "1_000",
        "Infinity", "NaN", "-", "1e5.5", "1.5.5", "0-1", "1ee5", "-.5", "1e-+5",
    ] {
        assert!(parse(bad).is_err(), "{bad:?} parsed as {:?}", parse(bad));
        assert!(!is_json_number(bad), "{bad}");
    }
}

#[test]
fn keeps_key_order_and_rejects_duplicate_keys() {
    assert_eq!(
        parse(r#"{"b":1,"a":2}"#),
        Ok(Value::Map(vec![
            ("b".into(), Value::Num("1".into())),
            ("a".into(), Value::Num("2".into())),
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
