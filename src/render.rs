//! The first layer as HTML text (CONTRACT §5): the markup the browser shows,
//! a server pre-renders and the gate adopts, from one source.
//!
//! Every text from a config goes through [`escape`], and the output is
//! canonical: byte for byte what Chromium's HTML serializer gives for the DOM
//! it parses into (double-quoted attributes, `hidden=""`, `&amp;` `&lt;`
//! `&gt;` `&nbsp;` everywhere and `&quot;` in attributes). So after parsing,
//! `root.outerHTML === banner(..)`, which is how the gate tells its own
//! markup from a copy that merely carries the same attributes.

use crate::config::Config;
use crate::text::{is_rtl, Words};
use alloc::string::String;

/// What the first layer says besides the config's texts: facts about the
/// visitor that a server may or may not know.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Visitor<'a> {
    /// The browser sends Global Privacy Control (`Sec-GPC: 1`).
    pub gpc: bool,
    /// Cookies are refused, so a choice lasts one page view.
    pub no_memory: bool,
    /// The note on what the revision changed, already dated (the gate
    /// dates it with `Intl`); only for a visitor who answered an older
    /// revision.
    pub amended: Option<&'a str>,
}

/// Appends `s` to `out`, escaped as Chromium's serializer escapes it: in
/// text, `&` `<` `>` and U+00A0; in an attribute value (`attr`), `"` too.
/// Nothing else needs it: the parser turns these back into exactly `s`.
pub fn escape(out: &mut String, s: &str, attr: bool) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            '"' if attr => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

/// Where the first layer goes: HTML text ([`Html`]) on a server, elements
/// in the browser (src/web/adopt.rs). Both get the same calls from
/// [`first_layer`], so the markup has one source.
pub trait Sink {
    /// Opens `<tag>` with `attrs` in this order (names are ours, values
    /// are config text or ours).
    fn open(&mut self, tag: &str, attrs: &[(&str, &str)]);
    /// Text inside the innermost open element.
    fn text(&mut self, text: &str);
    /// Closes the innermost open element, `tag`.
    fn close(&mut self, tag: &str);
}

/// The first layer as canonical HTML text.
#[derive(Debug, Default)]
pub struct Html(pub String);

impl Sink for Html {
    fn open(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        let out = &mut self.0;
        out.push('<');
        out.push_str(tag);
        for (k, v) in attrs {
            out.push(' ');
            out.push_str(k);
            out.push_str("=\"");
            escape(out, v, true);
            out.push('"');
        }
        out.push('>');
    }
    fn text(&mut self, text: &str) {
        escape(&mut self.0, text, false);
    }
    fn close(&mut self, tag: &str) {
        self.0.push_str("</");
        self.0.push_str(tag);
        self.0.push('>');
    }
}

/// A whole element holding only `text`.
fn element<S: Sink>(out: &mut S, tag: &str, attrs: &[(&str, &str)], text: &str) {
    out.open(tag, attrs);
    if !text.is_empty() {
        out.text(text);
    }
    out.close(tag);
}

/// The dialog's root with the first layer, the reopen control and the live
/// region as HTML, for `config` in `lang` (one of its languages, as
/// `text::pick_language` chose it).
pub fn banner(config: &Config, lang: &str, visitor: &Visitor) -> String {
    let mut out = Html(String::with_capacity(2048));
    let words = Words::for_lang(lang, config);
    first_layer(&mut out, config, &words, lang, visitor);
    out.0
}

/// The same, into any [`Sink`], with `w` the words for `lang`.
pub fn first_layer<S: Sink>(
    out: &mut S,
    config: &Config,
    w: &Words,
    lang: &str,
    visitor: &Visitor,
) {
    let fallback = config.languages.first().map_or("en", |s| s.as_str());
    out.open(
        "div",
        &[
            ("class", "cst"),
            ("data-consentry", "root"),
            ("lang", lang),
            ("dir", if is_rtl(lang) { "rtl" } else { "ltr" }),
            ("data-theme", config.theme.name()),
        ],
    );
    // After a revision bump the policy link goes with the note on what
    // changed (policy section 9), else with the text.
    let mut described = String::from(if visitor.amended.is_some() {
        "cst-amended cst-text"
    } else {
        "cst-text"
    });
    let mut gpc_titles = String::new();
    if visitor.gpc {
        for c in config.categories.iter().filter(|c| c.gpc) {
            if !gpc_titles.is_empty() {
                gpc_titles.push_str(", ");
            }
            gpc_titles.push_str(c.title.get(lang, fallback));
        }
    }
    if !gpc_titles.is_empty() {
        described.push_str(" cst-gpc");
    }
    // Shown: a returning visitor's gate hides it before the first paint.
    out.open(
        "section",
        &[
            ("class", "cst-banner"),
            ("data-consentry", "banner"),
            ("role", "dialog"),
            ("aria-modal", "false"),
            ("aria-labelledby", "cst-title"),
            ("aria-describedby", &described),
        ],
    );
    out.open("div", &[("class", "cst-banner-body")]);
    element(
        out,
        "h2",
        &[("id", "cst-title"), ("class", "cst-title")],
        w.get("banner_title"),
    );
    let link = |out: &mut S| {
        if let Some(url) = &config.policy_url {
            out.text(" ");
            element(
                out,
                "a",
                &[("href", url), ("class", "cst-link")],
                w.get("policy_link"),
            );
        }
    };
    if let Some(note) = visitor.amended {
        out.open(
            "p",
            &[
                ("id", "cst-amended"),
                ("class", "cst-text cst-amended"),
                ("data-consentry", "amendment"),
            ],
        );
        out.text(note);
        link(out);
        out.close("p");
    }
    out.open("p", &[("id", "cst-text"), ("class", "cst-text")]);
    out.text(w.get("banner_text"));
    if visitor.amended.is_none() {
        link(out);
    }
    out.close("p");
    if !gpc_titles.is_empty() {
        element(
            out,
            "p",
            &[
                ("id", "cst-gpc"),
                ("class", "cst-note"),
                ("data-consentry", "gpc-note"),
            ],
            &w.fill("gpc_banner", &gpc_titles),
        );
    }
    if visitor.no_memory {
        element(out, "p", &[("class", "cst-note")], w.get("no_memory"));
    }
    out.close("div");
    out.open("div", &[("class", "cst-actions")]);
    for (action, key) in [
        ("reject-all", "reject_all"),
        ("accept-all", "accept_all"),
        ("open-preferences", "preferences"),
    ] {
        element(
            out,
            "button",
            &[
                ("type", "button"),
                ("class", "cst-btn"),
                ("data-consentry-action", action),
            ],
            w.get(key),
        );
    }
    out.close("div");
    out.close("section");
    element(
        out,
        "button",
        &[
            ("type", "button"),
            ("class", "cst-reopen"),
            ("data-consentry", "reopen"),
            ("hidden", ""),
        ],
        w.get("reopen"),
    );
    element(
        out,
        "div",
        &[
            ("class", "cst-sr"),
            ("role", "status"),
            ("aria-live", "polite"),
        ],
        "",
    );
    out.close("div");
}
