#![cfg(not(target_arch = "wasm32"))]
// A test fails by panicking; the no-panic rules are for library code.
#![allow(
    clippy::panic,
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used
)]
//! The first layer as HTML text (`render`, CONTRACT §5): its exact markup,
//! the one escaping function (fuzzed), and the hostile-text corpus
//! (tests/fixtures/hostile/texts.json) reaching the visitor as text.
//! Chromium's side of "canonical" is tests/e2e/render.test.mjs.

use consentry::config::Config;
use consentry::json::{self, Value};
use consentry::render::{self, banner, escape, Visitor};
use proptest::prelude::*;

/// One piece of canonical markup: tags with double-quoted attributes,
/// escaped text, nothing else. A reader for the tests only: the browser
/// builds the first layer from `render::first_layer` directly.
#[derive(Debug, PartialEq, Eq)]
enum Token<'a> {
    Open(&'a str, Attrs<'a>),
    Text(&'a str),
    Close,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Attrs<'a>(&'a str);

impl<'a> Iterator for Attrs<'a> {
    type Item = (&'a str, &'a str);
    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.0.strip_prefix(' ')?;
        let (name, rest) = rest.split_once('=')?;
        let (value, rest) = rest.strip_prefix('"')?.split_once('"')?;
        self.0 = rest;
        Some((name, value))
    }
}

fn tokens(html: &str) -> impl Iterator<Item = Token<'_>> {
    let mut rest = html;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        if let Some(tail) = rest.strip_prefix("</") {
            rest = tail.split_once('>')?.1;
            return Some(Token::Close);
        }
        if let Some(tail) = rest.strip_prefix('<') {
            // A tag ends at the first `>`: the render leaves none raw.
            let (tag, after) = tail.split_once('>')?;
            rest = after;
            let cut = tag.find(' ').unwrap_or(tag.len());
            return Some(Token::Open(&tag[..cut], Attrs(&tag[cut..])));
        }
        let cut = rest.find('<').unwrap_or(rest.len());
        let text = &rest[..cut];
        rest = &rest[cut..];
        Some(Token::Text(text))
    })
}

/// What the HTML parser makes of the five entities `escape` writes.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

fn config(json: &str) -> Config {
    Config::from_json(json).unwrap_or_else(|e| panic!("{json}: {}", e.message()))
}

fn esc(s: &str, attr: bool) -> String {
    let mut out = String::new();
    escape(&mut out, s, attr);
    out
}

const SMALL: &str = r#"{"policy_url":"/p?a=1&b=2","languages":["en","ru"],
  "ui":{"en":{"banner_title":"Hi & <bye>","banner_text":"Say \"yes\"\u00a0now"}},
  "categories":[{"id":"n","title":"N","required":true},
  {"id":"ads","title":{"en":"Ads","ru":"Реклама"},"gpc":true},{"id":"stats","title":"Stats","gpc":true}]}"#;

#[test]
fn the_markup_is_exactly_the_first_layer() {
    let c = config(SMALL);
    let html = banner(&c, "en", &Visitor::default());
    assert_eq!(
        html,
        concat!(
            r#"<div class="cst" data-consentry="root" lang="en" dir="ltr" data-theme="auto">"#,
            r#"<section class="cst-banner" data-consentry="banner" role="dialog" aria-modal="false" aria-labelledby="cst-title" aria-describedby="cst-text">"#,
            r#"<div class="cst-banner-body"><h2 id="cst-title" class="cst-title">Hi &amp; &lt;bye&gt;</h2>"#,
            r#"<p id="cst-text" class="cst-text">Say "yes"&nbsp;now <a href="/p?a=1&amp;b=2" class="cst-link">Privacy policy</a></p></div>"#,
            r#"<div class="cst-actions"><button type="button" class="cst-btn" data-consentry-action="reject-all">Reject all</button>"#,
            r#"<button type="button" class="cst-btn" data-consentry-action="accept-all">Accept all</button>"#,
            r#"<button type="button" class="cst-btn" data-consentry-action="open-preferences">Preferences</button></div></section>"#,
            r#"<button type="button" class="cst-reopen" data-consentry="reopen" hidden="">Cookie settings</button>"#,
            r#"<div class="cst-sr" role="status" aria-live="polite"></div></div>"#,
        )
    );
}

#[test]
fn visitor_facts_add_their_notes_and_descriptions() {
    let c = config(SMALL);
    let ru = banner(
        &c,
        "ru",
        &Visitor {
            gpc: true,
            no_memory: true,
            amended: Some("1 июня 2026 г. мы изменили: <всё>"),
        },
    );
    assert!(ru.contains(r#"lang="ru" dir="ltr""#), "{ru}");
    assert!(ru.contains(r#"aria-describedby="cst-amended cst-text cst-gpc""#));
    // The link goes with the amendment, not with the text.
    assert!(ru
        .contains(r#"data-consentry="amendment">1 июня 2026 г. мы изменили: &lt;всё&gt; <a href"#));
    assert!(ru.contains(r#"<p id="cst-text" class="cst-text">Мы используем"#));
    assert!(!ru.contains("</a></p><p id=\"cst-gpc\"") || ru.contains("cst-amended"));
    assert!(
        ru.contains("«Принять все» не включает: «Реклама, Stats»"),
        "{ru}"
    );
    assert!(ru.contains(r#"<p class="cst-note">Cookie в этом браузере запрещены"#));
    assert!(ru.contains(">Отклонить все</button>"));
    let he = config(r#"{"languages":["he"],"theme":"dark","categories":[{"id":"a","title":"A"}]}"#);
    let he = banner(
        &he,
        "he",
        &Visitor {
            gpc: true,
            ..Visitor::default()
        },
    );
    assert!(he.contains(r#"lang="he" dir="rtl" data-theme="dark""#));
    // No category answers GPC: no note, no description for it.
    assert!(!he.contains("cst-gpc"));
}

/// Builds a tree from the tokens and writes it back: the tokenizer reads
/// every render exactly, which is what the browser's builder relies on.
fn reserialize(html: &str) -> (String, usize) {
    let mut out = String::new();
    let mut depth = 0usize;
    let mut max = 0;
    for t in tokens(html) {
        match t {
            Token::Open(tag, attrs) => {
                out.push('<');
                out.push_str(tag);
                for (k, v) in attrs {
                    out.push_str(&format!(" {k}=\""));
                    out.push_str(&esc(&unescape(v), true));
                    out.push('"');
                }
                out.push('>');
                depth += 1;
                max = max.max(depth);
            }
            Token::Text(t) => out.push_str(&esc(&unescape(t), false)),
            Token::Close => {
                assert!(depth > 0, "a close without an open in {html}");
                depth -= 1;
                out.push_str("</x>");
            }
        }
    }
    assert_eq!(depth, 0, "unclosed in {html}");
    (out, max)
}

/// The shape of a render: tags, attribute names and nesting, no values.
fn shape(html: &str) -> Vec<String> {
    tokens(html)
        .filter_map(|t| match t {
            Token::Open(tag, attrs) => Some(format!(
                "<{tag} {}>",
                attrs.map(|(k, _)| k).collect::<Vec<_>>().join(" ")
            )),
            Token::Close => Some("</>".into()),
            Token::Text(_) => None,
        })
        .collect()
}

/// Every text and attribute value, unescaped, in order.
fn values(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for t in tokens(html) {
        match t {
            Token::Open(_, attrs) => out.extend(attrs.map(|(_, v)| unescape(v))),
            Token::Text(t) => out.push(unescape(t)),
            Token::Close => {}
        }
    }
    out
}

fn corpus() -> (Vec<String>, Vec<String>) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/hostile/texts.json"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let list = |v: &Value, key: &str| -> Vec<String> {
        let Value::Map(m) = v else {
            panic!("not an object")
        };
        let Some((_, Value::List(l))) = m.iter().find(|(k, _)| k == key) else {
            panic!("no {key}")
        };
        l.iter()
            .map(|s| match s {
                Value::Str(s) => s.clone(),
                _ => panic!("not a string"),
            })
            .collect()
    };
    let v = json::parse(&text).unwrap_or_else(|e| panic!("{}", e.message()));
    (list(&v, "texts"), list(&v, "urls"))
}

fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[test]
fn hostile_text_stays_text_in_every_place() {
    let (texts, urls) = corpus();
    assert!(texts.len() >= 20 && urls.len() >= 4);
    let benign = |t: &str, u: &str| {
        format!(
            r#"{{"policy_url":{u},"languages":["en"],"ui":{{"en":{{"banner_title":{t},"banner_text":{t},"policy_link":{t},"reject_all":{t},"gpc_banner":{t}}}}},
            "categories":[{{"id":"a","title":{t},"gpc":true}}]}}"#
        )
    };
    let base = config(&benign("\"x\"", "\"/p\""));
    let visitor = Visitor {
        gpc: true,
        no_memory: true,
        amended: Some("x"),
    };
    let want = shape(&banner(&base, "en", &visitor));
    let mut checked = 0;
    for t in &texts {
        for u in urls.iter().chain(Some(&"/p".to_owned())) {
            let Ok(c) = Config::from_json(&benign(&quoted(t), &quoted(u))) else {
                continue;
            };
            let html = banner(
                &c,
                "en",
                &Visitor {
                    amended: Some(t),
                    ..visitor
                },
            );
            assert_eq!(shape(&html), want, "{t:?} changed the markup:\n{html}");
            let (again, _) = reserialize(&html);
            assert_eq!(again.replace("</x>", ""), strip_closes(&html), "{t:?}");
            let vals = values(&html);
            // Each place shows the hostile text exactly.
            assert!(
                vals.iter().filter(|v| *v == t).count() >= 4,
                "{t:?}: {vals:?}"
            );
            assert!(vals.contains(u), "{u:?}");
            checked += 1;
        }
    }
    assert!(
        checked >= texts.len() * 3,
        "only {checked} configs passed validation"
    );
}

fn strip_closes(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find("</") {
        out.push_str(&rest[..i]);
        let j = rest[i..].find('>').unwrap();
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn every_built_in_language_renders() {
    let c = config(consentry::DEFAULT_CONFIG);
    for lang in &c.languages {
        let html = banner(&c, lang, &Visitor::default());
        assert_eq!(shape(&html), shape(&banner(&c, "en", &Visitor::default())));
        assert!(html.contains(&format!("lang=\"{lang}\"")));
    }
    let _ = render::Visitor::default();
}

/// The built-in summary names no kind of cookie: a site with its own
/// categories must not be told it uses "settings, marketing and analytics".
/// The built-in config names its own kinds under `[ui.<lang>]`.
#[test]
fn the_built_in_summary_fits_any_categories() {
    let own = config(
        r#"{"languages":["en","ru"],"categories":[{"id":"n","title":"N","required":true},{"id":"video","title":"Video"}]}"#,
    );
    let built_in = config(consentry::DEFAULT_CONFIG);
    for (lang, names_kinds) in [
        ("en", "cookies for settings, marketing and analytics"),
        ("ru", "cookie для настроек, маркетинга и аналитики"),
    ] {
        let html = banner(&own, lang, &Visitor::default());
        assert!(!html.contains(names_kinds), "{lang}: {html}");
        assert!(
            html.contains("“Cookie settings”") || html.contains("«Настройки cookie»"),
            "{lang}: {html}"
        );
        assert!(
            banner(&built_in, lang, &Visitor::default()).contains(names_kinds),
            "{lang}"
        );
    }
}

proptest! {
    /// Whatever the text, escaping gives back exactly it when parsed, and
    /// leaves nothing that could open a tag or end an attribute.
    #[test]
    fn escaping_round_trips_and_leaves_no_markup(s in "\\PC*", attr in any::<bool>()) {
        let e = esc(&s, attr);
        prop_assert_eq!(unescape(&e), s.clone());
        let clean = !e.contains('<') && !e.contains('>') && !e.contains('\u{a0}');
        prop_assert!(clean, "{}", e);
        if attr {
            prop_assert!(!e.contains('"'));
        }
        // Every `&` starts one of the five entities.
        for (i, _) in e.match_indices('&') {
            let tail = &e[i..];
            prop_assert!(["&amp;", "&lt;", "&gt;", "&quot;", "&nbsp;"].iter().any(|x| tail.starts_with(x)), "{}", e);
        }
    }

    /// Random characters from the dangerous set in every config text keep
    /// the banner's shape.
    #[test]
    fn random_text_never_changes_the_shape(s in "[<>&\"'=/ a\u{a0}\n!-]{1,40}") {
        prop_assume!(!s.trim().is_empty());
        let json = format!(
            r#"{{"policy_url":{u},"ui":{{"en":{{"banner_title":{t},"banner_text":{t}}}}},"categories":[{{"id":"a","title":{t},"gpc":true}}]}}"#,
            t = quoted(&s),
            u = quoted(&format!("/p?{s}")),
        );
        let c = config(&json);
        let base = config(r#"{"policy_url":"/p","categories":[{"id":"a","title":"x","gpc":true}]}"#);
        let v = Visitor { gpc: true, ..Visitor::default() };
        let html = banner(&c, "en", &v);
        prop_assert_eq!(shape(&html), shape(&banner(&base, "en", &v)));
        prop_assert!(values(&html).contains(&s));
    }
}
