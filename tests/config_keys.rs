#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
//! The config keys of issue 18: `theme`, `amendment`, provider texts, and
//! the default config's promises about the policy.

use consentry::config::{Config, Theme};
use consentry::DEFAULT_CONFIG;

fn parse(extra: &str) -> Result<Config, String> {
    Config::from_json(&format!(
        r#"{{{extra}"categories":[{{"id":"a","title":"A"}}]}}"#
    ))
    .map_err(|e| e.message())
}

#[test]
fn theme_is_auto_light_or_dark() {
    assert_eq!(parse("").unwrap().theme, Theme::Auto);
    for (word, theme) in [
        ("auto", Theme::Auto),
        ("light", Theme::Light),
        ("dark", Theme::Dark),
    ] {
        let c = parse(&format!(r#""theme":"{word}","#)).unwrap();
        assert_eq!(c.theme, theme);
        assert_eq!(theme.name(), word);
    }
    for bad in [r#""Dark""#, r#""""#, "true", r#"["dark"]"#] {
        assert_eq!(
            parse(&format!(r#""theme":{bad},"#)).unwrap_err(),
            r#"theme: must be "auto", "light" or "dark""#,
            "{bad}"
        );
    }
}

#[test]
fn amendment_needs_a_date_and_a_short_note() {
    let c = parse(r#""revision":2,"amendment":{"date":"2026-12-01","note":{"en":"Chat moved.","ru":"Чат переехал."}},"#)
        .unwrap();
    let a = c.amendment.unwrap();
    assert_eq!(a.date, "2026-12-01");
    assert_eq!(a.note.get("ru", "en"), "Чат переехал.");
    assert_eq!(parse("").unwrap().amendment, None);
    let long = "x".repeat(301);
    for (bad, want) in [
        (
            r#"{"note":"x"}"#.to_string(),
            "amendment.date: is required".to_string(),
        ),
        (
            r#"{"date":"2026-12-01"}"#.into(),
            "amendment.note: is required".into(),
        ),
        (
            r#"{"date":"2026-13-01","note":"x"}"#.into(),
            r#"amendment.date: must be a date like "2026-12-01" "2026-13-01""#.into(),
        ),
        (
            r#"{"date":"1 Dec 2026","note":"x"}"#.into(),
            r#"amendment.date: must be a date like "2026-12-01" "1 Dec 2026""#.into(),
        ),
        (
            r#"{"date":"2026-12-01","note":"x","when":1}"#.into(),
            "amendment.when: unknown key".into(),
        ),
        (
            format!(r#"{{"date":"2026-12-01","note":"{long}"}}"#),
            "amendment.note: is too long (a note has at most 300 characters)".into(),
        ),
        (
            "\"x\"".into(),
            "amendment: expected an object (a TOML table) (got a string)".into(),
        ),
    ] {
        assert_eq!(
            parse(&format!(r#""amendment":{bad},"#)).unwrap_err(),
            want,
            "{bad}"
        );
    }
}

#[test]
fn every_dialog_text_can_be_overridden() {
    for k in consentry::text::keys() {
        assert!(
            parse(&format!(r#""ui":{{"de":{{"{k}":"x"}}}},"#)).is_ok(),
            "{k}"
        );
    }
    // The account panel's words were refused before issue 15.
    for k in [
        "withdraw",
        "record_none",
        "withdrawn",
        "gpc_banner",
        "amended",
    ] {
        assert!(consentry::text::is_key(k), "{k}");
    }
    assert_eq!(
        parse(r#""ui":{"de":{"accept":"x"}},"#).unwrap_err(),
        "ui.de.accept: unknown dialog text"
    );
}

#[test]
fn default_config_keeps_to_the_policy() {
    let c = Config::from_json(DEFAULT_CONFIG).unwrap();
    let title = |id: &str, l: &str| c.category(id).unwrap().title.get(l, "en").to_string();
    assert_eq!(title("authorization", "en"), "Authorization");
    assert_eq!(title("settings", "en"), "Settings and processes");
    assert_eq!(
        title("analytics", "en"),
        "Enhance stability, analytics and development"
    );
    assert_eq!(title("marketing", "en"), "Marketing");
    assert_eq!(title("security", "en"), "Security");
    let all: String = c
        .categories
        .iter()
        .map(|x| {
            format!(
                "{} {}\n",
                x.description.get("en", "en"),
                x.description.get("ru", "en")
            )
        })
        .collect();
    // The facts the policy lists each have a home.
    for fact in [
        "signed in",
        "bots",
        "language",
        "forms",
        "advertising",
        "pixels",
        "web beacons",
        "emails",
        "opened",
        "Google Analytics",
        "online chat",
        "comments service",
    ] {
        assert!(all.contains(fact), "no {fact:?}");
    }
    // No vendor the policy does not imply, and no claim it cannot back.
    for bad in [
        "Meta",
        "YouTube",
        "Facebook",
        "do not identify",
        "опознать",
        "Sign-in",
    ] {
        assert!(!all.contains(bad), "{bad:?} in the descriptions");
    }
    // Descriptions have a subject.
    for x in &c.categories {
        assert!(
            x.description.get("en", "en").starts_with("These cookies"),
            "{}",
            x.id
        );
        assert!(
            x.description.get("ru", "en").starts_with("Эти cookie"),
            "{}",
            x.id
        );
    }
    // consentry's own cookie sits in a required category's table.
    let own = c
        .categories
        .iter()
        .find(|x| x.cookies.iter().any(|k| k.name == c.cookie.name))
        .expect("the consent cookie is listed");
    assert!(own.required);
    // The chat and the comments service have hosts to wait on.
    let settings = &c.category("settings").unwrap().hosts;
    assert!(settings.len() >= 2, "{settings:?}");
}
