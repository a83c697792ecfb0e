#![cfg(not(target_arch = "wasm32"))]
// A test fails by panicking; the no-panic rules are for library code.
#![allow(
    clippy::panic,
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used
)]
//! The consent cookie (CONTRACT §8): what is written reads back, and
//! anything else reads as "no decision", never as a different decision.

use consentry::config::Config;
use consentry::consent::{decide, id_from_bytes, Choice, Moment, Record};
use consentry::cookie::{
    clear_string, decode, delete_strings, encode, name_matches, names, own, read, set_string,
    single, values, CLOCK_SKEW, PROBE,
};
use consentry::json::push_str;
use proptest::prelude::*;

const DAY: u64 = 86_400;

/// One category of a generated config: id, required, gpc.
type Cat = (String, bool, bool);

fn config_json(cats: &[Cat], revision: u32, max_age_days: u32) -> String {
    let mut s = String::from("{\"revision\":");
    s.push_str(&revision.to_string());
    s.push_str(",\"cookie\":{\"max_age_days\":");
    s.push_str(&max_age_days.to_string());
    s.push_str("},\"categories\":[");
    for (i, (id, required, gpc)) in cats.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str("{\"id\":");
        push_str(&mut s, id);
        s.push_str(",\"title\":\"T\",\"required\":");
        s.push_str(if *required { "true" } else { "false" });
        s.push_str(",\"gpc\":");
        s.push_str(if *gpc && !*required { "true" } else { "false" });
        s.push('}');
    }
    s.push_str("]}");
    s
}

fn config(cats: &[Cat], revision: u32, max_age_days: u32) -> Config {
    match Config::from_json(&config_json(cats, revision, max_age_days)) {
        Ok(c) => c,
        Err(e) => panic!("{}", e.message()),
    }
}

fn optional_ids(c: &Config) -> Vec<String> {
    c.categories
        .iter()
        .filter(|x| !x.required)
        .map(|x| x.id.clone())
        .collect()
}

/// 1..8 categories with unique valid ids in random order.
fn cats() -> impl Strategy<Value = Vec<Cat>> {
    prop::collection::btree_set("[a-z][a-z0-9_-]{0,9}", 1..8)
        .prop_flat_map(|ids| {
            let n = ids.len();
            (
                Just(ids.into_iter().collect::<Vec<_>>()).prop_shuffle(),
                prop::collection::vec(any::<bool>(), n),
                prop::collection::vec(any::<bool>(), n),
            )
        })
        .prop_map(|(ids, req, gpc)| {
            ids.into_iter()
                .zip(req)
                .zip(gpc)
                .map(|((id, r), g)| (id, r, g))
                .collect()
        })
}

/// A choice over `c`'s ids: all, none, or some explicit values (including
/// `true` for required categories, which is allowed).
fn choice(c: &Config) -> impl Strategy<Value = Choice> {
    let optional = optional_ids(c);
    let all: Vec<String> = c.categories.iter().map(|x| x.id.clone()).collect();
    let custom =
        prop::collection::vec((prop::sample::select(all), any::<bool>()), 0..10).prop_map({
            let optional = optional.clone();
            move |picks| {
                Choice::Custom(
                    picks
                        .into_iter()
                        .map(|(id, on)| {
                            let on = on || !optional.contains(&id);
                            (id, on)
                        })
                        .collect(),
                )
            }
        });
    prop_oneof![Just(Choice::AcceptAll), Just(Choice::RejectAll), custom]
}

/// A config and a record made under it by one or two decisions.
#[derive(Debug, Clone)]
struct Case {
    config: Config,
    record: Record,
}

fn case() -> impl Strategy<Value = Case> {
    (cats(), 1u32..1000, 1u32..=395)
        .prop_map(|(cats, rev, days)| config(&cats, rev, days))
        .prop_flat_map(|config| {
            (
                Just(config.clone()),
                choice(&config),
                prop::option::of(choice(&config)),
                0u64..4_000_000_000,
                0u64..(400 * DAY),
                any::<[u8; 12]>(),
                any::<bool>(),
            )
        })
        .prop_map(|(config, first, second, t, dt, bytes, gpc)| {
            let at = |now| Moment {
                now,
                fresh_id: id_from_bytes(&bytes),
                gpc,
            };
            let mut record = match decide(&config, None, &first, &at(t)) {
                Ok(r) => r,
                Err(e) => panic!("{}", e.message()),
            };
            if let Some(second) = second {
                record = match decide(&config, Some(&record), &second, &at(t + dt)) {
                    Ok(r) => r,
                    Err(e) => panic!("{}", e.message()),
                };
            }
            Case { config, record }
        })
}

fn max_age(c: &Config) -> u64 {
    u64::from(c.cookie.max_age_days) * DAY
}

/// A single-character edit of `v` at byte `i` (ASCII values only).
fn edits(v: &str) -> Vec<String> {
    const CHARS: &[char] = &[
        '0', '1', '2', '9', 'a', 'b', 'c', 'r', 'z', 'A', 'Z', '.', '~', ':', '-', '_', ' ', ';',
        '=', '"', '%', '*', 'é', '\0',
    ];
    let mut out = Vec::new();
    for i in 0..v.len() {
        out.push(format!("{}{}", &v[..i], &v[i + 1..]));
        for c in CHARS {
            out.push(format!("{}{}{}", &v[..i], c, &v[i + 1..]));
            out.push(format!("{}{}{}", &v[..i], c, &v[i..]));
        }
    }
    for c in CHARS {
        out.push(format!("{v}{c}"));
    }
    out.retain(|m| m != v);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn what_is_written_reads_back(c in case(), frac in 0.0f64..1.0) {
        let v = encode(&c.record, &c.config);
        // A cookie value needs no quoting or escaping.
        prop_assert!(v.len() < 4096);
        prop_assert!(v.bytes().all(|b| b.is_ascii_alphanumeric() || b".~:-_".contains(&b)), "{}", v);
        let u = c.record.updated;
        let offset = (frac * max_age(&c.config) as f64) as u64;
        for now in [u, u + offset, u + max_age(&c.config) - 1] {
            prop_assert_eq!(decode(&v, &c.config, now), Some(c.record.clone()), "now = {}", now);
        }
        // Expired.
        prop_assert_eq!(decode(&v, &c.config, u + max_age(&c.config) + 1), None);
        // From further in the future than clock skew explains: minutes, not
        // the day a forged copy would need to outrank every real decision.
        prop_assert_eq!(decode(&v, &c.config, u.saturating_sub(CLOCK_SKEW)), Some(c.record.clone()));
        if u > CLOCK_SKEW {
            prop_assert_eq!(decode(&v, &c.config, u - CLOCK_SKEW - 1), None);
        }
        // And through a cookie jar.
        let jar = format!("a=1; {}={v}; b=2", c.config.cookie.name);
        prop_assert_eq!(read(&jar, &c.config, u), Some(c.record.clone()));
    }

    #[test]
    fn another_revision_reads_as_no_decision(c in case()) {
        let v = encode(&c.record, &c.config);
        let now = c.record.updated;
        let mut next = c.config.clone();
        next.revision += 1;
        prop_assert_eq!(decode(&v, &next, now), None);
        if c.config.revision > 1 {
            let mut prev = c.config.clone();
            prev.revision -= 1;
            prop_assert_eq!(decode(&v, &prev, now), None);
        }
    }

    #[test]
    fn a_category_added_later_asks_again(c in case(), required in any::<bool>()) {
        let v = encode(&c.record, &c.config);
        let now = c.record.updated;
        let mut cats: Vec<Cat> = c.config.categories.iter().map(|x| (x.id.clone(), x.required, x.gpc)).collect();
        cats.push(("zz-new".into(), required, false));
        let later = config(&cats, c.config.revision, c.config.cookie.max_age_days);
        let got = decode(&v, &later, now);
        if required {
            // Required categories are implied, so nothing was left unasked.
            let mut want = c.record.choices.clone();
            want.push(("zz-new".into(), true));
            prop_assert_eq!(got.map(|r| r.choices), Some(want));
        } else {
            prop_assert_eq!(got, None);
        }
    }

    #[test]
    fn a_category_made_optional_asks_again(c in case()) {
        prop_assume!(c.config.categories.iter().any(|x| x.required));
        let v = encode(&c.record, &c.config);
        let mut looser = c.config.clone();
        for x in &mut looser.categories {
            x.required = false;
        }
        prop_assert_eq!(decode(&v, &looser, c.record.updated), None);
    }

    #[test]
    fn the_own_spot_decides_among_copies_that_disagree(
        c in case(),
        updates in prop::collection::btree_set(0u64..(30 * DAY), 2..6),
        junk in prop::collection::vec("[ -:<-~]{0,30}", 0..4),
        order in any::<prop::sample::Index>(),
        mine in any::<prop::sample::Index>(),
    ) {
        let base = c.record.updated;
        let now = base + 30 * DAY;
        prop_assume!(max_age(&c.config) > 30 * DAY);
        let name = c.config.cookie.name.clone();
        let records: Vec<Record> = updates
            .iter()
            .map(|d| {
                let mut r = c.record.clone();
                r.updated = base + d;
                // Each a different decision, so a wrong pick shows.
                r.id = id_from_bytes(&[(*d % 251) as u8; 12]);
                r
            })
            .collect();
        let mut copies: Vec<String> = records.iter().map(|r| encode(r, &c.config)).collect();
        copies.extend(junk.iter().cloned());
        let n = copies.len();
        copies.rotate_left(order.index(n));
        let own_at = mine.index(n);
        let jar = |values: &[String]| {
            let mut parts: Vec<String> = values.iter().map(|v| format!("{name}={v}")).collect();
            parts.push("xconsentry=1".into());
            parts.push(format!("other={}", encode(&c.record, &c.config)));
            parts.join("; ")
        };
        let before = jar(&copies);
        // Neither the newest nor any other copy wins by itself.
        let copies_in = |jar: &str| values(jar, &name).map(String::from).collect::<Vec<String>>();
        let seen = copies_in(&before);
        let seen: Vec<&str> = seen.iter().map(String::as_str).collect();
        prop_assert_eq!(single(&seen), Err(()));
        prop_assert_eq!(read(&before, &c.config, now), None, "{}", before);
        // The probe replaces the copy in the own spot, wherever it is listed.
        let mut probed = copies.clone();
        probed[own_at] = PROBE.into();
        probed.rotate_left(1);
        let after = copies_in(&jar(&probed));
        let after: Vec<&str> = after.iter().map(String::as_str).collect();
        prop_assert_eq!(own(&seen, &after), Some(copies[own_at].trim()));
        // With the own spot empty, the probe is one more copy: nobody's decision counts.
        let mut added = copies.clone();
        added.insert(order.index(n + 1), PROBE.into());
        let added = copies_in(&jar(&added));
        let added: Vec<&str> = added.iter().map(String::as_str).collect();
        prop_assert_eq!(own(&seen, &added), None);
    }

    #[test]
    fn arbitrary_values_never_panic(s in any::<String>(), now in any::<u64>()) {
        let c = config(&[("a".into(), true, false), ("b".into(), false, false)], 1, 182);
        prop_assert_eq!(decode(&s, &c, now), None);
        let _ = read(&s, &c, now);
        let _ = values(&s, "consentry").count();
        let _ = names(&s).count();
    }

    #[test]
    fn cookie_shaped_values_never_panic(s in "(c1|c2)?[.~:0-9a-z_-]{0,60}", now in any::<u64>()) {
        let c = config(&[("a".into(), true, false), ("b".into(), false, false)], 1, 182);
        if let Some(r) = decode(&s, &c, now) {
            prop_assert_eq!(encode(&r, &c), s.clone());
        }
        let _ = read(&format!("consentry={s}; consentry={s}"), &c, now);
    }

    #[test]
    fn globs_agree_with_a_reference(pattern in "[ab*]{0,8}", name in "[ab]{0,10}") {
        prop_assert_eq!(name_matches(&pattern, &name), reference_match(&pattern, &name), "{} vs {}", pattern, name);
    }

    #[test]
    fn globs_agree_with_a_reference_on_unicode(pattern in "[aé_*]{0,6}", name in "[aé_]{0,8}") {
        prop_assert_eq!(name_matches(&pattern, &name), reference_match(&pattern, &name), "{} vs {}", pattern, name);
    }

    #[test]
    fn deletions_never_panic_and_cover_the_plain_cookie(
        name in "[a-z_]{1,8}",
        host in "[a-z0-9.:-]{0,24}",
        path in "[/a-z.;%]{0,24}",
    ) {
        let d = delete_strings(&name, &host, &path);
        let plain = format!("{name}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/");
        prop_assert!(d.contains(&plain), "{:?}", d);
        for s in &d {
            prop_assert!(s.starts_with(&format!("{name}=; Max-Age=0; ")), "{}", s);
            let mut parts = s.split("; Domain=");
            let before = parts.next().unwrap_or("");
            let p = before.rsplit("; Path=").next().unwrap_or("");
            // Every path is the page's own path or a parent of it.
            prop_assert!(p == "/" || path.starts_with(p), "{} for {}", p, path);
            if let Some(domain) = parts.next() {
                // Every domain is the host or a parent of it.
                prop_assert!(!domain.is_empty() && host.ends_with(domain), "{} for {}", domain, host);
            }
        }
        let mut unique = d.clone();
        unique.sort();
        unique.dedup();
        prop_assert_eq!(unique.len(), d.len());
    }
}

proptest! {
    // Each case tries about fifty edits at every position of the value.
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn no_single_edit_is_misread(c in case()) {
        let v = encode(&c.record, &c.config);
        let now = c.record.updated + 1;
        for m in edits(&v) {
            if let Some(r) = decode(&m, &c.config, now) {
                prop_assert_eq!(&encode(&r, &c.config), &m, "{} read from {}", m, v);
                prop_assert!(r.choices.iter().all(|(id, on)| *on || !c.config.category(id).is_some_and(|x| x.required)));
            }
        }
    }
}

/// Plain recursive glob: `*` matches any run of characters.
fn reference_match(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match p.split_first() {
            None => n.is_empty(),
            Some(('*', rest)) => go(rest, n) || (!n.is_empty() && go(p, &n[1..])),
            Some((c, rest)) => n.first() == Some(c) && go(rest, &n[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    go(&p, &n)
}

#[test]
fn encoding_is_stable() {
    let c = config(
        &[
            ("auth".into(), true, false),
            ("stats".into(), false, false),
            ("ads-x".into(), false, true),
        ],
        7,
        182,
    );
    let at = Moment {
        now: 1_700_000_000,
        fresh_id: "Zx0c9-wPq_4hTt1a".into(),
        gpc: false,
    };
    let r = decide(&c, None, &Choice::Custom(vec![("ads-x".into(), true)]), &at).ok();
    let v = r.as_ref().map(|r| encode(r, &c));
    // Values already in visitors' browsers must keep reading the same way.
    assert_eq!(
        v.as_deref(),
        Some("c1.7.Zx0c9-wPq_4hTt1a.s44we8.s44we8.c.stats:0~ads-x:1")
    );
    assert_eq!(v.and_then(|v| decode(&v, &c, 1_700_000_000)), r);
    // Required categories are implied, so a stored `auth:0` changes nothing
    // and the order of pairs does not matter.
    let odd = "c1.7.Zx0c9-wPq_4hTt1a.s44we8.s44we8.c.ads-x:1~stats:0";
    assert_eq!(
        decode(odd, &c, 1_700_000_000).map(|r| r.choices[2].1),
        Some(true)
    );
}

#[test]
fn a_category_removed_later_asks_again() {
    let cats: Vec<Cat> = vec![
        ("a".into(), true, false),
        ("b".into(), false, false),
        ("c".into(), false, false),
    ];
    let c = config(&cats, 1, 182);
    let at = Moment {
        now: 1_000_000,
        fresh_id: "AAAAAAAAAAAAAAAA".into(),
        gpc: false,
    };
    let r = decide(&c, None, &Choice::Custom(vec![("b".into(), true)]), &at).ok();
    let v = r.map(|r| encode(&r, &c)).unwrap_or_default();
    assert!(decode(&v, &c, 1_000_000).is_some());
    // An id the config no longer knows was not written under this config.
    let fewer = config(&cats[..2], 1, 182);
    assert_eq!(decode(&v, &fewer, 1_000_000), None);
}

#[test]
fn hand_made_values_that_must_not_read() {
    let c = config(
        &[("a".into(), true, false), ("b".into(), false, false)],
        1,
        182,
    );
    let good = "c1.1.AAAAAAAAAAAAAAAA.lfls.lfls.a.b:1";
    let now = 1_000_000;
    assert!(decode(good, &c, now).is_some());
    for bad in [
        "c1.1.AAAAAAAAAAAAAAAA.lfls.lfls.a.b:1 ",
        " c1.1.AAAAAAAAAAAAAAAA.lfls.lfls.a.b:1",
        "c1.01.AAAAAAAAAAAAAAAA.lfls.lfls.a.b:1",
        "c1.1.AAAAAAAAAAAAAAA.lfls.lfls.a.b:1",
        "c1.1.AAAAAAAAAAAAAAAAA.lfls.lfls.a.b:1",
        "c1.1.AAAAAAAAAAAAAAA=.lfls.lfls.a.b:1",
        "c1.1.AAAAAAAAAAAAAAAA.0lfls.lfls.a.b:1",
        "c1.1.AAAAAAAAAAAAAAAA.LFLS.lfls.a.b:1",
        "c1.1.AAAAAAAAAAAAAAAA.lflt.lfls.a.b:1",
        "c1.1.AAAAAAAAAAAAAAAA.lfls.lfls.ac.b:1",
        "c1.1.AAAAAAAAAAAAAAAA.lfls.lfls.a.",
        "c1.1.AAAAAAAAAAAAAAAA.lfls.lfls.a.b:1~",
        "c1.1.AAAAAAAAAAAAAAAA.lfls.lfls.a.b:1~b:1",
        "c1.1.AAAAAAAAAAAAAAAA.lfls.lfls.a.b:true",
        "c1.1.AAAAAAAAAAAAAAAA.lfls.lfls.a.b",
        "c1.1.AAAAAAAAAAAAAAAA.lfls.lfls.a.:1~b:1",
        "c1.1.AAAAAAAAAAAAAAAA.zzzzzzzzzzzzz.lfls.a.b:1",
        "c1.4294967297.AAAAAAAAAAAAAAAA.lfls.lfls.a.b:1",
        "c1.1.AAAAAAAAAAAAAAAA.lfls.lfls.a.b:1.",
        "\"c1.1.AAAAAAAAAAAAAAAA.lfls.lfls.a.b:1\"",
        "c1.1.AAAAAAAAAAAAAAAA.lfls.lfls.a.b:1~é:1",
    ] {
        assert_eq!(decode(bad, &c, now), None, "{bad}");
    }
    let long = format!("{good}~{}", "x:1~".repeat(1100));
    assert_eq!(decode(&long, &c, now), None);
}

#[test]
fn own_spot_strings() {
    let c = config(&[("a".into(), false, false)], 1, 182);
    assert_eq!(
        clear_string(&c),
        "consentry=; Path=/; Max-Age=0; SameSite=Lax"
    );
}

#[test]
fn set_string_follows_the_contract() {
    let c = config(&[("a".into(), false, false)], 1, 182);
    assert_eq!(
        set_string(&c, "V", true),
        "consentry=V; Path=/; Max-Age=15724800; SameSite=Lax; Secure"
    );
    assert_eq!(
        set_string(&c, "V", false),
        "consentry=V; Path=/; Max-Age=15724800; SameSite=Lax"
    );
    let json = r#"{"cookie":{"name":"cc","max_age_days":1,"domain":".shop.test"},"categories":[{"id":"a","title":"A"}]}"#;
    let d = Config::from_json(json)
        .map(|c| set_string(&c, "V", false))
        .map_err(|e| e.message());
    assert_eq!(
        d.as_deref(),
        Ok("cc=V; Path=/; Max-Age=86400; Domain=.shop.test; SameSite=Lax")
    );
}

#[test]
fn deletions_cover_every_parent() {
    let d = delete_strings("_ga", "www.shop.test", "/a/b");
    let tail = |s: &str| {
        s.trim_start_matches("_ga=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; ")
            .to_owned()
    };
    let mut got: Vec<String> = d.iter().map(|s| tail(s)).collect();
    got.sort();
    // A parent path is tried with and without its trailing slash.
    let mut want = vec![
        "Path=/".to_owned(),
        "Path=/a".into(),
        "Path=/a/".into(),
        "Path=/a/b".into(),
    ];
    for dom in ["www.shop.test", "shop.test", "test"] {
        for p in ["/", "/a", "/a/", "/a/b"] {
            want.push(format!("Path={p}; Domain={dom}"));
        }
    }
    want.sort();
    assert_eq!(got, want);
    assert_eq!(delete_strings("_ga", "[::1]", "/").len(), 1);
    let slash = delete_strings("_ga", "127.0.0.1", "/shop/item/");
    let paths: Vec<&str> = slash
        .iter()
        .map(|s| s.rsplit("Path=").next().unwrap())
        .collect();
    assert_eq!(paths, ["/", "/shop", "/shop/", "/shop/item", "/shop/item/"]);
    assert_eq!(delete_strings("_ga", "", "").len(), 1);
}

#[test]
fn jar_parsing() {
    let jar = " a=1;consentry = x ;b=; =c; consentry=y=z;noequals";
    assert_eq!(values(jar, "consentry").collect::<Vec<_>>(), ["x", "y=z"]);
    assert_eq!(
        names(jar).collect::<Vec<_>>(),
        ["a", "consentry", "b", "consentry"]
    );
}
