#![cfg(not(target_arch = "wasm32"))]
// A test fails by panicking; the no-panic rules are for library code.
#![allow(
    clippy::panic,
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used
)]
//! Config validation (CONTRACT §6): the built-in config, and every kind of
//! mistake a site owner can make, each with its exact message.

use consentry::config::{Category, Config, CONSENT_TYPES};
use consentry::json::{self, Value};
use consentry::DEFAULT_CONFIG;
use proptest::prelude::*;

fn default_config() -> Config {
    match Config::from_json(DEFAULT_CONFIG) {
        Ok(c) => c,
        Err(e) => panic!("DEFAULT_CONFIG: {}", e.message()),
    }
}

fn cat<'a>(c: &'a Config, id: &str) -> &'a Category {
    c.category(id).unwrap_or_else(|| panic!("no category {id}"))
}

fn is_cyrillic(c: char) -> bool {
    ('\u{400}'..='\u{4ff}').contains(&c)
}

fn message(json: &str) -> String {
    match Config::from_json(json) {
        Ok(_) => "(accepted)".into(),
        Err(e) => e.message(),
    }
}

/// A minimal valid config with `extra` (ending in a comma) in front.
fn top(extra: &str) -> String {
    format!(r#"{{{extra}"categories":[{{"id":"a","title":"A"}}]}}"#)
}

/// A minimal valid config whose one category also holds `extra` (starting
/// with a comma).
fn cat_with(extra: &str) -> String {
    format!(r#"{{"categories":[{{"id":"a","title":"A"{extra}}}]}}"#)
}

/// A config whose one category has an id and `extra` (starting with a comma).
fn untitled(extra: &str) -> String {
    format!(r#"{{"categories":[{{"id":"a"{extra}}}]}}"#)
}

/// A minimal valid config whose one cookie also holds `extra`.
fn cookie_with(extra: &str) -> String {
    cat_with(&format!(r#","cookies":[{{"name":"_x"{extra}}}]"#))
}

#[test]
fn default_config_serves_the_policy_categories() {
    let c = default_config();
    let ids: Vec<&str> = c.categories.iter().map(|x| x.id.as_str()).collect();
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
    let required: Vec<&str> = c
        .categories
        .iter()
        .filter(|x| x.required)
        .map(|x| x.id.as_str())
        .collect();
    assert_eq!(required, ["authorization", "security"]);
    let gpc: Vec<&str> = c
        .categories
        .iter()
        .filter(|x| x.gpc)
        .map(|x| x.id.as_str())
        .collect();
    assert_eq!(gpc, ["marketing"]);
    assert_eq!(c.revision, 1);
    assert_eq!(c.languages, ["en", "ru"]);
    assert_eq!(c.policy_url.as_deref(), Some("/privacy-policy"));
    assert_eq!(c.cookie.name, "consentry");
    assert_eq!(c.cookie.max_age_days, 182);
    assert_eq!(c.cookie.domain, None);
}

#[test]
fn default_config_speaks_english_and_russian() {
    let c = default_config();
    for x in &c.categories {
        for (what, t) in [("title", &x.title), ("description", &x.description)] {
            let (en, ru) = (t.get("en", "en"), t.get("ru", "en"));
            assert!(!en.trim().is_empty(), "{}.{what}.en empty", x.id);
            assert!(!ru.trim().is_empty(), "{}.{what}.ru empty", x.id);
            assert_ne!(en, ru, "{}.{what}: ru falls back to en", x.id);
            assert!(!en.chars().any(is_cyrillic), "{}.{what}.en: {en}", x.id);
            assert!(ru.chars().any(is_cyrillic), "{}.{what}.ru: {ru}", x.id);
            // A language the config lacks falls back to the first one.
            assert_eq!(t.get("de", "en"), en);
        }
        for k in &x.cookies {
            let (en, ru) = (k.purpose.get("en", "en"), k.purpose.get("ru", "en"));
            assert!(
                !en.is_empty() && ru.chars().any(is_cyrillic),
                "{}: {}",
                x.id,
                k.name
            );
            assert!(k.provider.is_some(), "{}: {} has no provider", x.id, k.name);
        }
    }
}

#[test]
fn default_config_declares_the_tracking_cookies_and_hosts() {
    let c = default_config();
    let names =
        |id: &str| -> Vec<String> { cat(&c, id).cookies.iter().map(|k| k.name.clone()).collect() };
    let analytics = names("analytics");
    for n in ["_ga", "_ga_*", "_gid"] {
        assert!(
            analytics.iter().any(|x| x == n),
            "analytics lacks {n}: {analytics:?}"
        );
    }
    assert!(names("marketing").iter().any(|x| x == "_fbp"));
    // No tracking cookie hides in a required category.
    for id in ["authorization", "security"] {
        assert!(
            !names(id)
                .iter()
                .any(|n| n.starts_with("_ga") || n == "_fbp"),
            "{id}"
        );
    }
    // The hosts of CONTRACT §4's examples are blocked by the right category.
    let hosts = |id: &str| cat(&c, id).hosts.clone();
    assert!(hosts("analytics").contains(&"www.googletagmanager.com".to_string()));
    assert!(hosts("analytics").contains(&"*.google-analytics.com".to_string()));
    assert!(hosts("marketing").contains(&"www.facebook.com".to_string()));
    assert!(hosts("marketing").contains(&"www.youtube-nocookie.com".to_string()));
}

#[test]
fn default_consent_mode_matches_the_contract() {
    let c = default_config();
    let mut got: Vec<(&str, Vec<&str>)> = c
        .consent_mode
        .iter()
        .map(|(id, t)| (id.as_str(), t.iter().map(String::as_str).collect()))
        .collect();
    // Compared by id: build.rs goes through a TOML table, which does not
    // keep key order, and the order of this table changes nothing.
    got.sort();
    assert_eq!(
        got,
        vec![
            ("analytics", vec!["analytics_storage"]),
            (
                "marketing",
                vec!["ad_storage", "ad_user_data", "ad_personalization"]
            ),
            ("security", vec!["security_storage"]),
            (
                "settings",
                vec!["functionality_storage", "personalization_storage"]
            ),
        ]
    );
}

#[test]
fn contract_defaults_fill_a_minimal_config() {
    let c = match Config::from_json(r#"{"categories":[{"id":"a","title":"A"}]}"#) {
        Ok(c) => c,
        Err(e) => panic!("{}", e.message()),
    };
    assert_eq!(c.revision, 1);
    assert_eq!(c.policy_url, None);
    assert_eq!(c.languages, ["en"]);
    assert_eq!(
        (
            c.cookie.name.as_str(),
            c.cookie.max_age_days,
            c.cookie.domain.clone()
        ),
        ("consentry", 182, None)
    );
    assert_eq!(c.consent_mode, vec![]);
    let a = cat(&c, "a");
    assert!(!a.required && !a.gpc && a.hosts.is_empty() && a.cookies.is_empty());
    assert_eq!(a.title.get("ru", "en"), "A");
}

#[test]
fn good_values_at_the_edges_are_accepted() {
    for ok in [
        top(r#""revision":1,"#),
        top(r#""revision":2147483647,"#),
        top(r#""$schema":"./schema.json","#),
        top(r#""cookie":{"max_age_days":1},"#),
        top(r#""cookie":{"max_age_days":395},"#),
        top(r#""cookie":{"name":"__Secure-c.x","domain":".example.com"},"#),
        top(r#""cookie":{"domain":"example.com"},"#),
        top(r#""languages":["en","pt-BR","zh-Hant-TW","ast"],"#),
        top(r#""reload_on_withdraw":true,"#),
        top(r#""ui":{"en":{"accept_all":"OK","save":"Save"},"pt-BR":{}},"#),
        top(r#""google_consent_mode":{"a":[]},"#),
        cat_with(r#","hosts":["example.com","*.example.com","localhost","a-b.c0.io"]"#),
        untitled(r#","title":{"en":"A","ru":"А"},"description":"multi\nline""#),
        cat_with(
            r#","cookies":[{"name":"_ga_*","provider":"G","purpose":{"en":"p"},"duration":"2 years"}]"#,
        ),
        cat_with(r#","storage":["ui_*","key"],"gpc":true,"required":false"#),
        cat_with(r#","required":true,"gpc":false"#),
    ] {
        assert_eq!(message(&ok), "(accepted)", "{ok}");
    }
    let all_types = CONSENT_TYPES.map(|t| format!("\"{t}\"")).join(",");
    assert_eq!(
        message(&top(&format!(
            r#""google_consent_mode":{{"a":[{all_types}]}},"#
        ))),
        "(accepted)"
    );
}

/// `revision` with `t` as its JSON text: the value read, or the message.
fn revision(t: &str) -> Result<u32, String> {
    Config::from_json(&top(&format!(r#""revision":{t},"#)))
        .map(|c| c.revision)
        .map_err(|e| e.message())
}

/// `cookie.max_age_days` with `t` as its JSON text.
fn max_age_days(t: &str) -> Result<u32, String> {
    Config::from_json(&top(&format!(r#""cookie":{{"max_age_days":{t}}},"#)))
        .map(|c| c.cookie.max_age_days)
        .map_err(|e| e.message())
}

/// Whole numbers are read from the number's text: plain digits in range and
/// nothing else, with no wrap-around past `u32::MAX`.
#[test]
fn whole_numbers_are_plain_digits_in_range() {
    let range = || Err("revision: must be a whole number from 1 to 2147483647".to_string());
    let days = || {
        Err(
            "cookie.max_age_days: must be a whole number of days from 1 to 395 (13 months)"
                .to_string(),
        )
    };
    for (t, n) in [
        ("1", 1),
        ("9", 9),
        ("10", 10),
        ("2147483647", 2_147_483_647),
    ] {
        assert_eq!(revision(t), Ok(n), "{t}");
    }
    for (t, n) in [("1", 1), ("182", 182), ("395", 395)] {
        assert_eq!(max_age_days(t), Ok(n), "{t}");
    }
    let many_nines = "9".repeat(100_000);
    let big_power = format!("1{}", "0".repeat(400));
    for t in [
        "0",
        "-0",
        "-1",
        "2147483648",
        "4294967295",
        "4294967296",
        "4294967297",
        "1.0",
        "1.5",
        "1e2",
        "1E0",
        "10e-1",
        "0.5e1",
        "-2147483647",
        &many_nines,
        &big_power,
    ] {
        assert_eq!(revision(t), range(), "{t}");
    }
    // 4294967691 is 2^32 + 395: a wrapping reader would take it for 395.
    for t in [
        "0",
        "396",
        "-1",
        "1.0",
        "182.0",
        "1e2",
        "3.95e2",
        "4294967691",
        &many_nines,
    ] {
        assert_eq!(max_age_days(t), days(), "{t}");
    }
}

#[test]
fn policy_url_must_be_relative_http_or_https() {
    for ok in [
        "/privacy",
        "https://x/y",
        "privacy.html",
        "http://example.com/p?q=1#a",
        "HTTPS://X/Y",
        "//cdn.example.com/policy",
        "/a:b",
        "?topic=cookies:all",
        "#cookies",
    ] {
        assert_eq!(
            message(&top(&format!(r#""policy_url":"{ok}","#))),
            "(accepted)",
            "{ok}"
        );
    }
    for (url, shown) in [
        ("javascript:alert(1)", "javascript:alert(1)"),
        ("JaVaScRiPt:alert(1)", "JaVaScRiPt:alert(1)"),
        (" javascript:alert(1)", " javascript:alert(1)"),
        ("\\njavascript:alert(1)", "\u{fffd}javascript:alert(1)"),
        (
            "data:text/html,<script>alert(1)</script>",
            "data:text/html,<script>alert(1)</script>",
        ),
        ("vbscript:msgbox", "vbscript:msgbox"),
        ("file:///etc/passwd", "file:///etc/passwd"),
        ("mailto:dpo@example.com", "mailto:dpo@example.com"),
        ("java\\nscript:alert(1)", "java\u{fffd}script:alert(1)"),
    ] {
        assert_eq!(
            message(&top(&format!(r#""policy_url":"{url}","#))),
            format!("policy_url: must be a relative, http or https URL \"{shown}\""),
            "{url}"
        );
    }
    assert_eq!(
        message(&top(r#""policy_url":"\tjavascript:alert(1)","#)),
        "policy_url: contains control or bidi-override characters"
    );
    assert_eq!(
        message(&top(r#""policy_url":"","#)),
        "policy_url: must not be empty"
    );
    assert_eq!(
        message(&top(r#""policy_url":"  ","#)),
        "policy_url: must not be empty"
    );
    assert_eq!(
        message(&top(r#""policy_url":1,"#)),
        "policy_url: expected a string (got a number)"
    );
}

#[test]
fn bad_configs_name_the_key_path_and_the_reason() {
    const RANGE: &str = "must be a whole number from 1 to 2147483647";
    const DAYS: &str = "must be a whole number of days from 1 to 395 (13 months)";
    const LANG: &str = "is not a language tag like \"en\" or \"pt-BR\"";
    const HOST: &str = "is not a host like \"example.com\" or \"*.example.com\"";
    const DOMAIN: &str = "is not a lower-case domain like \".example.com\"";
    let cases: Vec<(String, String)> = vec![
        // The whole input.
        ("[]".into(), "expected an object (a TOML table) (got a list)".into()),
        ("null".into(), "expected an object (a TOML table) (got null)".into()),
        ("\"x\"".into(), "expected an object (a TOML table) (got a string)".into()),
        ("{}".into(), "categories: is required".into()),
        (r#"{"revision":1}"#.into(), "categories: is required".into()),
        ("{".into(), "JSON at byte 1: expected a quoted key in JSON".into()),
        (top(r#""revison":2,"#), "revison: unknown key".into()),
        (top(r#""Categories":[],"#), "Categories: unknown key".into()),
        // revision
        (top(r#""revision":0,"#), format!("revision: {RANGE}")),
        (top(r#""revision":1.5,"#), format!("revision: {RANGE}")),
        (top(r#""revision":-1,"#), format!("revision: {RANGE}")),
        (top(r#""revision":2147483648,"#), format!("revision: {RANGE}")),
        (top(r#""revision":1e400,"#), format!("revision: {RANGE}")),
        // Only plain digits: JSON.stringify and TOML integers write nothing
        // else for a whole number in range, and no float is parsed.
        (top(r#""revision":3.0,"#), format!("revision: {RANGE}")),
        (top(r#""revision":1e2,"#), format!("revision: {RANGE}")),
        (top(r#""revision":-0,"#), format!("revision: {RANGE}")),
        (top(r#""revision":4294967297,"#), format!("revision: {RANGE}")),
        (top(r#""revision":"1","#), "revision: expected a whole number (got a string)".into()),
        (top(r#""revision":true,"#), "revision: expected a whole number (got a boolean)".into()),
        (top(r#""revision":null,"#), "revision: expected a whole number (got null)".into()),
        (top(r#""reload_on_withdraw":"yes","#), "reload_on_withdraw: expected true or false (got a string)".into()),
        // languages
        (top(r#""languages":[],"#), "languages: must name at least one language".into()),
        (top(r#""languages":"en","#), "languages: expected a list (got a string)".into()),
        (top(r#""languages":{"en":1},"#), "languages: expected a list (got an object)".into()),
        (top(r#""languages":[1],"#), "languages[0]: expected a string (got a number)".into()),
        (top(r#""languages":["en","ru","en"],"#), "languages[2]: duplicate language \"en\"".into()),
        (top(r#""languages":["en","EN"],"#), "languages[1]: duplicate language \"EN\"".into()),
        (top(r#""languages":["english"],"#), format!("languages[0]: {LANG} \"english\"")),
        (top(r#""languages":["en","e"],"#), format!("languages[1]: {LANG} \"e\"")),
        (top(r#""languages":["en_US"],"#), format!("languages[0]: {LANG} \"en_US\"")),
        (top(r#""languages":["en-"],"#), format!("languages[0]: {LANG} \"en-\"")),
        (top(r#""languages":["ru-RU-toolongsubtag"],"#), format!("languages[0]: {LANG} \"ru-RU-toolongsubtag\"")),
        (top(r#""languages":[""],"#), "languages[0]: must not be empty".into()),
        // cookie
        (top(r#""cookie":[],"#), "cookie: expected an object (a TOML table) (got a list)".into()),
        (top(r#""cookie":"consentry","#), "cookie: expected an object (a TOML table) (got a string)".into()),
        (top(r#""cookie":{"name":1},"#), "cookie.name: expected a string (got a number)".into()),
        (top(r#""cookie":{"name":""},"#), "cookie.name: must not be empty".into()),
        (top(r#""cookie":{"name":"a b"},"#), "cookie.name: is not a valid cookie name \"a b\"".into()),
        (top(r#""cookie":{"name":"a;b"},"#), "cookie.name: is not a valid cookie name \"a;b\"".into()),
        (top(r#""cookie":{"name":"a=b"},"#), "cookie.name: is not a valid cookie name \"a=b\"".into()),
        (top(r#""cookie":{"name":"a*"},"#), "cookie.name: is not a valid cookie name \"a*\"".into()),
        (top(r#""cookie":{"name":"é"},"#), "cookie.name: is not a valid cookie name \"é\"".into()),
        (top(r#""cookie":{"max_age_days":0},"#), format!("cookie.max_age_days: {DAYS}")),
        (top(r#""cookie":{"max_age_days":396},"#), format!("cookie.max_age_days: {DAYS}")),
        (top(r#""cookie":{"max_age_days":7.5},"#), format!("cookie.max_age_days: {DAYS}")),
        (top(r#""cookie":{"max_age_days":182.0},"#), format!("cookie.max_age_days: {DAYS}")),
        (top(r#""cookie":{"max_age_days":1E2},"#), format!("cookie.max_age_days: {DAYS}")),
        (top(r#""cookie":{"max_age_days":-1},"#), format!("cookie.max_age_days: {DAYS}")),
        (top(r#""cookie":{"max_age_days":4294967691},"#), format!("cookie.max_age_days: {DAYS}")),
        (top(r#""cookie":{"max_age_days":"182"},"#), "cookie.max_age_days: expected a whole number (got a string)".into()),
        (top(r#""cookie":{"domain":true},"#), "cookie.domain: expected a string (got a boolean)".into()),
        (top(r#""cookie":{"domain":"Example.com"},"#), format!("cookie.domain: {DOMAIN} \"Example.com\"")),
        (top(r#""cookie":{"domain":"https://x.com"},"#), format!("cookie.domain: {DOMAIN} \"https://x.com\"")),
        (top(r#""cookie":{"domain":"*.x.com"},"#), format!("cookie.domain: {DOMAIN} \"*.x.com\"")),
        (top(r#""cookie":{"domain":"x..com"},"#), format!("cookie.domain: {DOMAIN} \"x..com\"")),
        (top(r#""cookie":{"domain":"..x.com"},"#), format!("cookie.domain: {DOMAIN} \"..x.com\"")),
        (top(r#""cookie":{"domain":"-x.com"},"#), format!("cookie.domain: {DOMAIN} \"-x.com\"")),
        (top(r#""cookie":{"domain":"x.com;secure"},"#), format!("cookie.domain: {DOMAIN} \"x.com;secure\"")),
        (top(r#""cookie":{"path":"/"},"#), "cookie.path: unknown key".into()),
        // categories
        (r#"{"categories":{}}"#.into(), "categories: expected a list (got an object)".into()),
        (r#"{"categories":[]}"#.into(), "categories: must hold at least one category".into()),
        (r#"{"categories":["a"]}"#.into(), "categories[0]: expected an object (a TOML table) (got a string)".into()),
        (
            r#"{"categories":[{"id":"a","title":"A"},[]]}"#.into(),
            "categories[1]: expected an object (a TOML table) (got a list)".into(),
        ),
        (r#"{"categories":[{"title":"A"}]}"#.into(), "categories[0].id: is required".into()),
        (r#"{"categories":[{"id":"a"}]}"#.into(), "categories[0].title: is required".into()),
        (
            r#"{"categories":[{"id":"a","title":"A"},{"id":"a","title":"B"}]}"#.into(),
            "categories[1].id: duplicate id \"a\"".into(),
        ),
        (r#"{"categories":[{"id":1,"title":"A"}]}"#.into(), "categories[0].id: expected a string (got a number)".into()),
        (r#"{"categories":[{"id":"","title":"A"}]}"#.into(), "categories[0].id: must not be empty".into()),
        (
            format!(r#"{{"categories":[{{"id":"{}","title":"A"}}]}}"#, "a".repeat(33)),
            "categories[0].id: is too long".into(),
        ),
        (cat_with(r#","titel":"x""#), "categories[0].titel: unknown key".into()),
        (cat_with(r#","required":"yes""#), "categories[0].required: expected true or false (got a string)".into()),
        (cat_with(r#","required":1"#), "categories[0].required: expected true or false (got a number)".into()),
        (cat_with(r#","gpc":"yes""#), "categories[0].gpc: expected true or false (got a string)".into()),
        (cat_with(r#","required":true,"gpc":true"#), "categories[0].gpc: cannot be set on a required category".into()),
        (cat_with(r#","gpc":true,"required":true"#), "categories[0].gpc: cannot be set on a required category".into()),
        (untitled(r#","title":1"#), "categories[0].title: expected a string or a table of texts by language (got a number)".into()),
        (untitled(r#","title":["A"]"#), "categories[0].title: expected a string or a table of texts by language (got a list)".into()),
        (untitled(r#","title":{}"#), "categories[0].title: must give at least one language".into()),
        (untitled(r#","title":"""#), "categories[0].title: must not be empty".into()),
        (untitled(r#","title":{"en":1}"#), "categories[0].title.en: expected a string (got a number)".into()),
        (untitled(r#","title":{"en":"A","ru":" "}"#), "categories[0].title.ru: must not be empty".into()),
        (untitled(r#","title":{"english":"A"}"#), format!("categories[0].title.english: {LANG}")),
        (untitled(r#","title":"a\u0000b""#), "categories[0].title: contains control or bidi-override characters".into()),
        (untitled(r#","title":"a\u2067b""#), "categories[0].title: contains control or bidi-override characters".into()),
        (
            cat_with(&format!(r#","description":"{}""#, "x".repeat(4001))),
            "categories[0].description: is too long".into(),
        ),
        (cat_with(r#","description":null"#), "categories[0].description: expected a string or a table of texts by language (got null)".into()),
        (cat_with(r#","hosts":"x.com""#), "categories[0].hosts: expected a list (got a string)".into()),
        (cat_with(r#","hosts":[1]"#), "categories[0].hosts[0]: expected a string (got a number)".into()),
        (cat_with(r#","hosts":["x.com","https://x.com"]"#), format!("categories[0].hosts[1]: {HOST} \"https://x.com\"")),
        (cat_with(r#","hosts":["X.COM"]"#), format!("categories[0].hosts[0]: {HOST} \"X.COM\"")),
        (cat_with(r#","hosts":["*."]"#), format!("categories[0].hosts[0]: {HOST} \"*.\"")),
        (cat_with(r#","hosts":["*"]"#), format!("categories[0].hosts[0]: {HOST} \"*\"")),
        (cat_with(r#","hosts":["*..x.com"]"#), format!("categories[0].hosts[0]: {HOST} \"*..x.com\"")),
        (cat_with(r#","hosts":[".x.com"]"#), format!("categories[0].hosts[0]: {HOST} \".x.com\"")),
        (cat_with(r#","hosts":["a.*.com"]"#), format!("categories[0].hosts[0]: {HOST} \"a.*.com\"")),
        (cat_with(r#","hosts":["x.com/"]"#), format!("categories[0].hosts[0]: {HOST} \"x.com/\"")),
        (cat_with(r#","hosts":["x.com:443"]"#), format!("categories[0].hosts[0]: {HOST} \"x.com:443\"")),
        (cat_with(r#","hosts":["x..com"]"#), format!("categories[0].hosts[0]: {HOST} \"x..com\"")),
        (cat_with(r#","hosts":[""]"#), "categories[0].hosts[0]: must not be empty".into()),
        (cat_with(r#","storage":"ui_*""#), "categories[0].storage: expected a list (got a string)".into()),
        (cat_with(r#","storage":[""]"#), "categories[0].storage[0]: must not be empty".into()),
        (cat_with(r#","storage":[false]"#), "categories[0].storage[0]: expected a string (got a boolean)".into()),
        (cat_with(r#","cookies":{}"#), "categories[0].cookies: expected a list (got an object)".into()),
        (cat_with(r#","cookies":["_ga"]"#), "categories[0].cookies[0]: expected an object (a TOML table) (got a string)".into()),
        (cat_with(r#","cookies":[{}]"#), "categories[0].cookies[0].name: is required".into()),
        (cat_with(r#","cookies":[{"name":"_a"},{"provider":"G"}]"#), "categories[0].cookies[1].name: is required".into()),
        // cookies of a category
        (cat_with(r#","cookies":[{"name":1}]"#), "categories[0].cookies[0].name: expected a string (got a number)".into()),
        (
            cat_with(r#","cookies":[{"name":"a=b"}]"#),
            "categories[0].cookies[0].name: is not a cookie name (use * for any run of characters) \"a=b\"".into(),
        ),
        (cookie_with(r#","provider":1"#), "categories[0].cookies[0].provider: expected a string or a table of texts by language (got a number)".into()),
        (cookie_with(r#","purpose":1"#), "categories[0].cookies[0].purpose: expected a string or a table of texts by language (got a number)".into()),
        (cookie_with(r#","duration":{"en":1}"#), "categories[0].cookies[0].duration.en: expected a string (got a number)".into()),
        (cookie_with(r#","expires":"1y""#), "categories[0].cookies[0].expires: unknown key".into()),
        // google_consent_mode
        (top(r#""google_consent_mode":[],"#), "google_consent_mode: expected an object (a TOML table) (got a list)".into()),
        (top(r#""google_consent_mode":{"a":"ad_storage"},"#), "google_consent_mode.a: expected a list (got a string)".into()),
        (top(r#""google_consent_mode":{"a":[1]},"#), "google_consent_mode.a[0]: expected a string (got a number)".into()),
        (
            top(r#""google_consent_mode":{"a":["ad_storage","ads_storage"]},"#),
            "google_consent_mode.a[1]: is not a Consent Mode v2 type \"ads_storage\"".into(),
        ),
        (
            top(r#""google_consent_mode":{"a":["AD_STORAGE"]},"#),
            "google_consent_mode.a[0]: is not a Consent Mode v2 type \"AD_STORAGE\"".into(),
        ),
        (top(r#""google_consent_mode":{"b":["ad_storage"]},"#), "google_consent_mode.b: is not a category id".into()),
        // ui
        (top(r#""ui":[],"#), "ui: expected an object (a TOML table) (got a list)".into()),
        (top(r#""ui":{"en":"x"},"#), "ui.en: expected an object (a TOML table) (got a string)".into()),
        (top(r#""ui":{"en":{"acept_all":"OK"}},"#), "ui.en.acept_all: unknown dialog text".into()),
        (top(r#""ui":{"en":{"save":1}},"#), "ui.en.save: expected a string (got a number)".into()),
        (top(r#""ui":{"en":{"save":""}},"#), "ui.en.save: must not be empty".into()),
        (top(r#""ui":{"english":{}},"#), format!("ui.english: {LANG}")),
    ];
    let mut failures = Vec::new();
    for (json, want) in &cases {
        let got = message(json);
        if got != *want {
            failures.push(format!("{json}\n   want: {want}\n    got: {got}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn bad_ids_are_refused() {
    const ID: &str = "must be lower-case letters, digits, '_' or '-', starting with a letter";
    for bad in [
        "Ana",
        "1a",
        "-a",
        "_a",
        "a.b",
        "a b",
        "a:b",
        "a~b",
        "a;b",
        "é",
        "a\u{00e9}",
        "A",
    ] {
        let json = format!(r#"{{"categories":[{{"id":"{bad}","title":"A"}}]}}"#);
        assert_eq!(
            message(&json),
            format!("categories[0].id: {ID} \"{bad}\""),
            "{bad}"
        );
    }
    for ok in ["a", "a1", "a_b", "a-b", "z9-_"] {
        let json = format!(r#"{{"categories":[{{"id":"{ok}","title":"A"}}]}}"#);
        assert_eq!(message(&json), "(accepted)", "{ok}");
    }
    let thirty_two = "a".repeat(32);
    assert_eq!(
        message(&format!(
            r#"{{"categories":[{{"id":"{thirty_two}","title":"A"}}]}}"#
        )),
        "(accepted)"
    );
}

#[test]
fn category_count_is_bounded() {
    let cats = |n: usize| {
        let list: Vec<String> = (0..n)
            .map(|i| format!(r#"{{"id":"c{i}","title":"C"}}"#))
            .collect();
        format!(r#"{{"categories":[{}]}}"#, list.join(","))
    };
    assert_eq!(message(&cats(32)), "(accepted)");
    assert_eq!(
        message(&cats(33)),
        "categories: has more than 32 categories"
    );
}

/// As many distinct language tags as fit in 1 MiB are refused at once by
/// the cap, and within the cap duplicates are still found by position.
#[test]
fn many_languages_finish() {
    let mut tags = Vec::new();
    let mut len = 0;
    let mut i = 0u32;
    while len < json::MAX_LEN - 1000 {
        let t = format!("\"en-{i:x}\"");
        len += t.len() + 1;
        tags.push(t);
        i += 1;
    }
    let huge = top(&format!(r#""languages":[{}],"#, tags.join(",")));
    assert_eq!(message(&huge), "languages: has more than 64 languages");
    let few = &tags[..63];
    let ok = top(&format!(r#""languages":[{}],"#, few.join(",")));
    assert_eq!(message(&ok), "(accepted)");
    let dup = top(&format!(r#""languages":[{},"EN-0"],"#, few.join(",")));
    assert_eq!(message(&dup), "languages[63]: duplicate language \"EN-0\"");
}

/// No error message carries characters that could disguise what it says,
/// even when the bad part is a key the site owner typed.
#[test]
fn messages_are_one_honest_line() {
    for json in [
        top(r#""a\u202eb":1,"#),
        top("\"a\\nb\":1,"),
        cat_with(r#","\u2066x":1"#),
        top(r#""ui":{"en":{"x\u0007":"y"}},"#),
        top(r#""google_consent_mode":{"a\u202e":[]},"#),
    ] {
        let m = message(&json);
        assert_ne!(m, "(accepted)");
        assert!(
            !m.chars().any(|c| c.is_control()
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)),
            "{m:?}"
        );
    }
}

/// Writes a value as JSON (strings through the crate's writer).
fn write(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Num(n) => out.push_str(n),
        Value::Str(s) => json::push_str(out, s),
        Value::List(l) => {
            out.push('[');
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(x, out);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json::push_str(out, k);
                out.push(':');
                write(x, out);
            }
            out.push('}');
        }
    }
}

const KEYS: [&str; 24] = [
    "revision",
    "policy_url",
    "languages",
    "cookie",
    "categories",
    "google_consent_mode",
    "ui",
    "reload_on_withdraw",
    "name",
    "max_age_days",
    "domain",
    "id",
    "required",
    "title",
    "description",
    "hosts",
    "cookies",
    "storage",
    "gpc",
    "provider",
    "purpose",
    "duration",
    "en",
    "analytics",
];

/// JSON-ish values whose keys are mostly the config's own, so generated
/// trees get past the first check.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        prop_oneof![
            (-2i64..400).prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            "-?(0|[1-9][0-9]{0,12})(\\.[0-9]{1,3})?([eE][+-]?[0-9]{1,3})?",
        ]
        .prop_map(Value::Num),
        prop_oneof![
            "[a-z]{1,6}",
            "[a-z*.:/_-]{0,12}",
            any::<String>(),
            prop::sample::select(KEYS.to_vec()).prop_map(String::from),
            prop::sample::select(CONSENT_TYPES.to_vec()).prop_map(String::from),
        ]
        .prop_map(Value::Str),
    ];
    leaf.prop_recursive(5, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::List),
            prop::collection::vec(
                (prop_oneof![4 => prop::sample::select(KEYS.to_vec()).prop_map(String::from), 1 => any::<String>()], inner),
                0..6
            )
            .prop_map(|pairs| {
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

fn count(v: &Value) -> usize {
    1 + match v {
        Value::List(l) => l.iter().map(count).sum(),
        Value::Map(m) => m.iter().map(|(_, x)| count(x)).sum(),
        _ => 0,
    }
}

/// Replaces the `n`-th node (pre-order) of `v` with `new`.
fn replace(v: &mut Value, n: &mut usize, new: &Value) -> bool {
    if *n == 0 {
        *v = new.clone();
        return true;
    }
    *n -= 1;
    match v {
        Value::List(l) => l.iter_mut().any(|x| replace(x, n, new)),
        Value::Map(m) => m.iter_mut().any(|(_, x)| replace(x, n, new)),
        _ => false,
    }
}

fn check_never_panics(v: &Value) -> Result<(), TestCaseError> {
    if let Err(e) = Config::from_value(v) {
        prop_assert!(!e.reason().is_empty());
        let mut text = String::new();
        write(v, &mut text);
        // The JSON route and the value route agree.
        prop_assert_eq!(Config::from_json(&text).err(), Some(e));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(s in any::<String>()) {
        let _ = Config::from_json(&s);
    }

    #[test]
    fn whole_numbers_read_their_digits(
        n in prop_oneof![0u64..500, 2_147_483_600u64..2_147_483_700, 4_294_967_200u64..4_294_967_800, any::<u64>()]
    ) {
        let t = n.to_string();
        let ok = |max: u32| u32::try_from(n).ok().filter(|m| (1..=max).contains(m));
        prop_assert_eq!(revision(&t).ok(), ok(2_147_483_647));
        prop_assert_eq!(max_age_days(&t).ok(), ok(395));
        // The same number with a fraction or an exponent is refused.
        for other in [format!("{t}.0"), format!("{t}e0"), format!("-{t}")] {
            prop_assert!(revision(&other).is_err(), "{}", other);
            prop_assert!(max_age_days(&other).is_err(), "{}", other);
        }
    }

    #[test]
    fn arbitrary_values_never_panic(v in value()) {
        check_never_panics(&v)?;
        let wrapped = Value::Map(vec![("categories".into(), Value::List(vec![v]))]);
        check_never_panics(&wrapped)?;
    }

    #[test]
    fn mutated_default_configs_never_panic(at in any::<prop::sample::Index>(), new in value()) {
        let mut v = json::parse(DEFAULT_CONFIG).map_err(|e| TestCaseError::fail(e.message()))?;
        let mut n = at.index(count(&v));
        prop_assert!(replace(&mut v, &mut n, &new));
        check_never_panics(&v)?;
    }

    #[test]
    fn dropped_keys_in_the_default_config_never_panic(at in any::<prop::sample::Index>()) {
        // Replacing a node with an empty object removes everything under it.
        let mut v = json::parse(DEFAULT_CONFIG).map_err(|e| TestCaseError::fail(e.message()))?;
        let mut n = at.index(count(&v));
        replace(&mut v, &mut n, &Value::Map(vec![]));
        check_never_panics(&v)?;
    }
}
