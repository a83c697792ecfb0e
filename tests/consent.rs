#![cfg(not(target_arch = "wasm32"))]
// A test fails by panicking; the no-panic rules are for library code.
#![allow(
    clippy::panic,
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used
)]
//! The consent state machine (CONTRACT §3 and §6): what each decision
//! means, what a record looks like to JS, and the calendar behind its times.

use consentry::config::Config;
use consentry::consent::{
    decide, id_from_bytes, refused, starting_choices, Choice, Method, Moment, Record,
};
use consentry::json::{self, Value};
use consentry::{time, DEFAULT_CONFIG};
use proptest::prelude::*;

fn default_config() -> Config {
    match Config::from_json(DEFAULT_CONFIG) {
        Ok(c) => c,
        Err(e) => panic!("{}", e.message()),
    }
}

fn at(now: u64, gpc: bool) -> Moment {
    Moment {
        now,
        fresh_id: "fresh-id-0000000".into(),
        gpc,
    }
}

fn ok(r: Result<Record, consentry::error::Error>) -> Record {
    match r {
        Ok(r) => r,
        Err(e) => panic!("{}", e.message()),
    }
}

fn custom(pairs: &[(&str, bool)]) -> Choice {
    Choice::Custom(pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect())
}

/// The switch positions in config order: authorization, security,
/// settings, marketing, analytics.
fn on(r: &Record) -> Vec<bool> {
    r.choices.iter().map(|(_, v)| *v).collect()
}

#[test]
fn accept_all_allows_everything() {
    let c = default_config();
    let r = ok(decide(&c, None, &Choice::AcceptAll, &at(1000, false)));
    assert_eq!(r.method, Method::AcceptAll);
    assert_eq!(on(&r), [true; 5]);
    let ids: Vec<&str> = r.choices.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        ids,
        [
            "authorization",
            "security",
            "settings",
            "marketing",
            "analytics"
        ]
    );
    assert!(r.allowed("analytics") && !r.allowed("nope"));
    assert_eq!((r.given, r.updated, r.revision), (1000, 1000, c.revision));
}

#[test]
fn reject_all_keeps_only_required() {
    let c = default_config();
    let a = ok(decide(&c, None, &Choice::AcceptAll, &at(1000, false)));
    let r = ok(decide(&c, Some(&a), &Choice::RejectAll, &at(2000, false)));
    assert_eq!(r.method, Method::RejectAll);
    assert_eq!(on(&r), [true, true, false, false, false]);
    assert_eq!(
        on(&ok(decide(&c, None, &Choice::RejectAll, &at(1, false)))),
        [true, true, false, false, false]
    );
    assert_eq!(starting_choices(&c), r.choices);
}

#[test]
fn custom_sets_what_it_names_and_keeps_the_rest() {
    let c = default_config();
    let x = ok(decide(
        &c,
        None,
        &custom(&[("analytics", true)]),
        &at(10, false),
    ));
    assert_eq!(x.method, Method::Custom);
    assert_eq!(on(&x), [true, true, false, false, true]);
    // Unnamed categories keep their current value...
    let y = ok(decide(
        &c,
        Some(&x),
        &custom(&[("settings", true)]),
        &at(20, false),
    ));
    assert_eq!(on(&y), [true, true, true, false, true]);
    let z = ok(decide(
        &c,
        Some(&y),
        &custom(&[("analytics", false)]),
        &at(30, false),
    ));
    assert_eq!(on(&z), [true, true, true, false, false]);
    // ...the last value given for a category wins, and naming a required
    // one as true is fine.
    let w = ok(decide(
        &c,
        Some(&z),
        &custom(&[
            ("marketing", false),
            ("security", true),
            ("marketing", true),
        ]),
        &at(40, false),
    ));
    assert_eq!(on(&w), [true, true, true, true, false]);
    // An empty custom choice confirms what is there.
    let e = ok(decide(&c, Some(&w), &custom(&[]), &at(50, false)));
    assert_eq!((on(&e), e.method), (on(&w), Method::Custom));
    assert_eq!(
        on(&ok(decide(&c, None, &custom(&[]), &at(50, false)))),
        [true, true, false, false, false]
    );
}

#[test]
fn receipt_id_and_times_carry_over() {
    let c = default_config();
    let a = ok(decide(
        &c,
        None,
        &Choice::AcceptAll,
        &Moment {
            now: 100,
            fresh_id: "first-id-0000000".into(),
            gpc: false,
        },
    ));
    assert_eq!(a.id, "first-id-0000000");
    let b = ok(decide(
        &c,
        Some(&a),
        &Choice::RejectAll,
        &Moment {
            now: 500,
            fresh_id: "other-id-0000000".into(),
            gpc: false,
        },
    ));
    assert_eq!(
        (b.id.as_str(), b.given, b.updated),
        ("first-id-0000000", 100, 500)
    );
    let d = ok(decide(
        &c,
        Some(&b),
        &custom(&[("settings", true)]),
        &Moment {
            now: 900,
            fresh_id: "third-id-0000000".into(),
            gpc: true,
        },
    ));
    assert_eq!(
        (d.id.as_str(), d.given, d.updated),
        ("first-id-0000000", 100, 900)
    );
}

#[test]
fn bad_custom_choices_are_errors_and_change_nothing() {
    let c = default_config();
    let before = ok(decide(
        &c,
        None,
        &custom(&[("analytics", true)]),
        &at(10, false),
    ));
    let copy = before.clone();
    for (choice, msg) in [
        (custom(&[("nope", true)]), "nope: is not a category id"),
        (
            custom(&[("settings", true), ("Analytics", true)]),
            "Analytics: is not a category id",
        ),
        (
            custom(&[("marketing", true), ("security", false)]),
            "security: is a required category and cannot be refused",
        ),
        (
            custom(&[("authorization", false)]),
            "authorization: is a required category and cannot be refused",
        ),
        (custom(&[("", true)]), "is not a category id"),
    ] {
        let got = decide(&c, Some(&before), &choice, &at(20, false)).map_err(|e| e.message());
        assert_eq!(got, Err(msg.to_owned()), "{choice:?}");
        let got = decide(&c, None, &choice, &at(20, false)).map_err(|e| e.message());
        assert_eq!(got, Err(msg.to_owned()), "{choice:?}");
    }
    assert_eq!(before, copy);
}

#[test]
fn global_privacy_control() {
    let c = default_config();
    // Accept-all leaves the gpc categories (marketing) rejected...
    let a = ok(decide(&c, None, &Choice::AcceptAll, &at(1, true)));
    assert_eq!(on(&a), [true, true, true, false, true]);
    assert_eq!(a.method, Method::AcceptAll);
    // ...even after the visitor had allowed it.
    let allowed = ok(decide(
        &c,
        None,
        &custom(&[("marketing", true)]),
        &at(1, true),
    ));
    assert!(allowed.allowed("marketing"));
    let again = ok(decide(&c, Some(&allowed), &Choice::AcceptAll, &at(2, true)));
    assert!(!again.allowed("marketing"));
    // An explicit toggle allows it, and it stays allowed across other
    // custom changes.
    let t = ok(decide(
        &c,
        Some(&a),
        &custom(&[("marketing", true)]),
        &at(3, true),
    ));
    assert_eq!(on(&t), [true; 5]);
    let u = ok(decide(
        &c,
        Some(&t),
        &custom(&[("analytics", false)]),
        &at(4, true),
    ));
    assert_eq!(on(&u), [true, true, true, true, false]);
    // A custom choice that does not name it does not allow it.
    let v = ok(decide(
        &c,
        None,
        &custom(&[("settings", true), ("analytics", true)]),
        &at(5, true),
    ));
    assert!(!v.allowed("marketing"));
    // Without the signal accept-all allows it.
    let w = ok(decide(&c, None, &Choice::AcceptAll, &at(6, false)));
    assert!(w.allowed("marketing"));
    assert!(!ok(decide(&c, None, &Choice::RejectAll, &at(6, true))).allowed("marketing"));
}

#[test]
fn refused_lists_the_optional_refusals() {
    let c = default_config();
    let ids =
        |r: &Record| -> Vec<String> { refused(&c, Some(r)).iter().map(|x| x.id.clone()).collect() };
    let r = ok(decide(&c, None, &Choice::RejectAll, &at(1, false)));
    assert_eq!(ids(&r), ["settings", "marketing", "analytics"]);
    let a = ok(decide(&c, None, &Choice::AcceptAll, &at(1, false)));
    assert!(ids(&a).is_empty());
    let g = ok(decide(&c, None, &Choice::AcceptAll, &at(1, true)));
    assert_eq!(ids(&g), ["marketing"]);
    // Required categories never show up, even in a hand-made record.
    let mut forged = r.clone();
    forged.choices.iter_mut().for_each(|(_, v)| *v = false);
    assert_eq!(ids(&forged), ["settings", "marketing", "analytics"]);
}

fn is_iso(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

fn check_record_json(r: &Record, c: &Config) -> Result<(), TestCaseError> {
    let text = r.to_json();
    let v =
        json::parse(&text).map_err(|e| TestCaseError::fail(format!("{}: {text}", e.message())))?;
    let Value::Map(m) = v else {
        return Err(TestCaseError::fail(text));
    };
    let keys: Vec<&str> = m.iter().map(|(k, _)| k.as_str()).collect();
    prop_assert_eq!(
        keys,
        ["id", "revision", "given", "updated", "method", "categories"]
    );
    let get = |k: &str| m.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone());
    prop_assert_eq!(get("id"), Some(Value::Str(r.id.clone())));
    prop_assert_eq!(get("revision"), Some(Value::Num(r.revision.to_string())));
    for (k, t) in [("given", r.given), ("updated", r.updated)] {
        let Some(Value::Str(s)) = get(k) else {
            return Err(TestCaseError::fail(format!("{k} in {text}")));
        };
        prop_assert!(is_iso(&s), "{}", s);
        prop_assert_eq!(s, reference_iso(t));
    }
    let method = match r.method {
        Method::AcceptAll => "accept-all",
        Method::RejectAll => "reject-all",
        Method::Custom => "custom",
        Method::Account => "account",
    };
    prop_assert_eq!(get("method"), Some(Value::Str(method.into())));
    let want: Vec<(String, Value)> = c
        .categories
        .iter()
        .map(|x| (x.id.clone(), Value::Bool(r.allowed(&x.id))))
        .collect();
    prop_assert_eq!(get("categories"), Some(Value::Map(want)));
    Ok(())
}

#[test]
fn record_json_matches_the_contract() {
    let c = default_config();
    let r = ok(decide(
        &c,
        None,
        &custom(&[("analytics", true)]),
        &at(1_796_079_302, false),
    ));
    assert_eq!(
        r.to_json(),
        concat!(
            r#"{"id":"fresh-id-0000000","revision":1,"given":"2026-11-30T22:55:02Z","updated":"2026-11-30T22:55:02Z","#,
            r#""method":"custom","categories":{"authorization":true,"security":true,"settings":false,"marketing":false,"analytics":true}}"#
        )
    );
    let mut odd = r.clone();
    odd.id = "quote\" back\\ nl\n ls\u{2028}".into();
    assert!(check_record_json(&odd, &c).is_ok());
}

/// One valid choice for the default config.
fn choice() -> impl Strategy<Value = Choice> {
    let ids = [
        "authorization",
        "security",
        "settings",
        "marketing",
        "analytics",
    ];
    let pick = (prop::sample::select(ids.to_vec()), any::<bool>()).prop_map(|(id, on)| {
        (
            id.to_owned(),
            on || id == "authorization" || id == "security",
        )
    });
    prop_oneof![
        Just(Choice::AcceptAll),
        Just(Choice::RejectAll),
        prop::collection::vec(pick, 0..6).prop_map(Choice::Custom),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_record_obeys_the_rules(
        steps in prop::collection::vec((choice(), 0u64..10_000_000, any::<bool>()), 1..8),
        start in 0u64..4_000_000_000,
        bytes in any::<[u8; 12]>(),
    ) {
        let c = default_config();
        let fresh = id_from_bytes(&bytes);
        let mut prev: Option<Record> = None;
        let mut now = start;
        let mut given = None;
        for (choice, dt, gpc) in &steps {
            now += dt;
            let given = *given.get_or_insert(now);
            let moment = Moment { now, fresh_id: fresh.clone(), gpc: *gpc };
            let r = decide(&c, prev.as_ref(), choice, &moment).map_err(|e| TestCaseError::fail(e.message()))?;
            // Every category, in config order; required ones on.
            let ids: Vec<&str> = r.choices.iter().map(|(k, _)| k.as_str()).collect();
            let want: Vec<&str> = c.categories.iter().map(|x| x.id.as_str()).collect();
            prop_assert_eq!(ids, want);
            for x in &c.categories {
                if x.required {
                    prop_assert!(r.allowed(&x.id), "{} off after {:?}", x.id, choice);
                }
            }
            prop_assert_eq!(&r.id, &fresh);
            prop_assert_eq!((r.given, r.updated, r.revision), (given, now, c.revision));
            let method = match choice {
                Choice::AcceptAll => Method::AcceptAll,
                Choice::RejectAll => Method::RejectAll,
                Choice::Custom(_) => Method::Custom,
                Choice::Account(..) => Method::Account,
            };
            prop_assert_eq!(r.method, method);
            for x in c.categories.iter().filter(|x| !x.required) {
                let want = match choice {
                    Choice::AcceptAll => !(x.gpc && *gpc),
                    Choice::RejectAll => false,
                    Choice::Custom(w) | Choice::Account(w, _) => w
                        .iter()
                        .rev()
                        .find(|(k, _)| *k == x.id)
                        .map(|(_, v)| *v)
                        .unwrap_or_else(|| prev.as_ref().is_some_and(|p| p.allowed(&x.id))),
                };
                prop_assert_eq!(r.allowed(&x.id), want, "{} after {:?}", x.id, choice);
            }
            // refused() is exactly the optional categories that are off.
            let refused_ids: Vec<&str> = refused(&c, Some(&r)).iter().map(|x| x.id.as_str()).collect();
            let off: Vec<&str> = r.choices.iter().filter(|(k, v)| !*v && !c.category(k).is_some_and(|x| x.required)).map(|(k, _)| k.as_str()).collect();
            prop_assert_eq!(refused_ids, off);
            check_record_json(&r, &c)?;
            prev = Some(r);
        }
    }

    #[test]
    fn record_json_survives_any_id(id in any::<String>(), t in 0u64..=4_102_444_800) {
        let c = default_config();
        let mut r = match decide(&c, None, &Choice::AcceptAll, &at(t, false)) {
            Ok(r) => r,
            Err(e) => return Err(TestCaseError::fail(e.message())),
        };
        r.id = id;
        check_record_json(&r, &c)?;
    }

    #[test]
    fn ids_are_base64url_of_the_bytes(bytes in any::<[u8; 12]>()) {
        let id = id_from_bytes(&bytes);
        prop_assert_eq!(id.len(), 16);
        const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let sextets: Vec<u32> = id.chars().map(|ch| ALPHABET.find(ch).map_or(99, |i| i as u32)).collect();
        prop_assert!(sextets.iter().all(|s| *s < 64), "{}", id);
        let mut back = Vec::new();
        for q in sextets.chunks(4) {
            let n = q.iter().fold(0u32, |a, s| (a << 6) | s);
            back.extend_from_slice(&n.to_be_bytes()[1..]);
        }
        prop_assert_eq!(back, bytes.to_vec());
    }

    #[test]
    fn iso8601_agrees_with_a_reference(secs in 0u64..=4_102_444_800) {
        prop_assert_eq!(time::iso8601(secs), reference_iso(secs));
    }

    #[test]
    fn iso8601_around_midnights(day in 0u64..=47_482, delta in 0u64..3) {
        // The last second of a day, the first of the next, and one after.
        let secs = (day * 86_400 + 86_399 + delta).min(4_102_444_800);
        prop_assert_eq!(time::iso8601(secs), reference_iso(secs));
    }
}

/// Counts whole years, then whole months, from 1970-01-01.
fn reference_iso(secs: u64) -> String {
    let leap = |y: u64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let mut days = secs / 86_400;
    let mut year = 1970;
    loop {
        let len = if leap(year) { 366 } else { 365 };
        if days < len {
            break;
        }
        days -= len;
        year += 1;
    }
    let lengths = [
        31,
        if leap(year) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let mut month = 0;
    while days >= lengths[month] {
        days -= lengths[month];
        month += 1;
    }
    let rem = secs % 86_400;
    format!(
        "{year:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        month + 1,
        days + 1,
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[test]
fn iso8601_known_instants() {
    for (secs, want) in [
        (0, "1970-01-01T00:00:00Z"),
        (86_399, "1970-01-01T23:59:59Z"),
        (68_169_600, "1972-02-29T00:00:00Z"),
        (951_782_399, "2000-02-28T23:59:59Z"),
        (951_782_400, "2000-02-29T00:00:00Z"),
        (951_868_800, "2000-03-01T00:00:00Z"),
        (1_709_164_800, "2024-02-29T00:00:00Z"),
        (4_102_444_799, "2099-12-31T23:59:59Z"),
        (4_102_444_800, "2100-01-01T00:00:00Z"),
        (4_107_542_400, "2100-03-01T00:00:00Z"),
    ] {
        assert_eq!(time::iso8601(secs), want, "{secs}");
        assert_eq!(reference_iso(secs), want, "reference at {secs}");
    }
}
