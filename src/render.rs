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

/// `<tag a="v" ...>`: names are ours, values escaped.
fn open(out: &mut String, tag: &str, attrs: &[(&str, &str)]) {
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

fn close(out: &mut String, tag: &str) {
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

/// A whole element holding only `text`.
fn element(out: &mut String, tag: &str, attrs: &[(&str, &str)], text: &str) {
    open(out, tag, attrs);
    escape(out, text, false);
    close(out, tag);
}

/// The dialog's root with the first layer, the reopen control and the live
/// region, for `config` in `lang` (one of its languages, as
/// `text::pick_language` chose it).
pub fn banner(config: &Config, lang: &str, visitor: &Visitor) -> String {
    let w = Words::for_lang(lang, config);
    let fallback = config.languages.first().map_or("en", |s| s.as_str());
    let mut out = String::with_capacity(2048);
    open(
        &mut out,
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
    open(
        &mut out,
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
    open(&mut out, "div", &[("class", "cst-banner-body")]);
    element(
        &mut out,
        "h2",
        &[("id", "cst-title"), ("class", "cst-title")],
        w.get("banner_title"),
    );
    let link = |out: &mut String| {
        if let Some(url) = &config.policy_url {
            out.push(' ');
            element(
                out,
                "a",
                &[("href", url), ("class", "cst-link")],
                w.get("policy_link"),
            );
        }
    };
    if let Some(note) = visitor.amended {
        open(
            &mut out,
            "p",
            &[
                ("id", "cst-amended"),
                ("class", "cst-text cst-amended"),
                ("data-consentry", "amendment"),
            ],
        );
        escape(&mut out, note, false);
        link(&mut out);
        close(&mut out, "p");
    }
    open(&mut out, "p", &[("id", "cst-text"), ("class", "cst-text")]);
    escape(&mut out, w.get("banner_text"), false);
    if visitor.amended.is_none() {
        link(&mut out);
    }
    close(&mut out, "p");
    if !gpc_titles.is_empty() {
        element(
            &mut out,
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
        element(
            &mut out,
            "p",
            &[("class", "cst-note")],
            w.get("no_memory"),
        );
    }
    close(&mut out, "div");
    open(&mut out, "div", &[("class", "cst-actions")]);
    for (action, key) in [
        ("reject-all", "reject_all"),
        ("accept-all", "accept_all"),
        ("open-preferences", "preferences"),
    ] {
        element(
            &mut out,
            "button",
            &[
                ("type", "button"),
                ("class", "cst-btn"),
                ("data-consentry-action", action),
            ],
            w.get(key),
        );
    }
    close(&mut out, "div");
    close(&mut out, "section");
    element(
        &mut out,
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
        &mut out,
        "div",
        &[
            ("class", "cst-sr"),
            ("role", "status"),
            ("aria-live", "polite"),
        ],
        "",
    );
    close(&mut out, "div");
    out
}

/// One piece of [`banner`]'s output, for building it without an HTML sink.
#[derive(Debug, PartialEq, Eq)]
pub enum Token<'a> {
    /// `<tag ...>`: the name and the raw (still escaped) attribute text.
    Open(&'a str, Attrs<'a>),
    /// Text, still escaped (see [`unescape`]).
    Text(&'a str),
    /// `</tag>`.
    Close,
}

/// The attributes of an opening tag, as (name, escaped value) pairs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attrs<'a>(&'a str);

impl<'a> Iterator for Attrs<'a> {
    type Item = (&'a str, &'a str);
    fn next(&mut self) -> Option<Self::Item> {
        // ` name="value"`: a value holds no `"` (escaped as `&quot;`).
        let rest = self.0.strip_prefix(' ')?;
        let (name, rest) = crate::split::once(rest, b'=')?;
        let rest = rest.strip_prefix('"')?;
        let (value, rest) = crate::split::once(rest, b'"')?;
        self.0 = rest;
        Some((name, value))
    }
}

/// The tokens of markup in [`banner`]'s canonical form: tags with
/// double-quoted attributes, escaped text, no comments, no void elements.
/// Anything else ends the tokens early (never a panic).
pub fn tokens(html: &str) -> impl Iterator<Item = Token<'_>> {
    let mut rest = html;
    core::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        if let Some(tail) = rest.strip_prefix("</") {
            let (_, after) = crate::split::once(tail, b'>')?;
            rest = after;
            return Some(Token::Close);
        }
        if let Some(tail) = rest.strip_prefix('<') {
            // A tag ends at the first `>`: none is left raw in a value.
            let (tag, after) = crate::split::once(tail, b'>')?;
            rest = after;
            let cut = crate::split::find(tag, b' ').unwrap_or(tag.len());
            return Some(Token::Open(tag.get(..cut)?, Attrs(tag.get(cut..)?)));
        }
        let cut = crate::split::find(rest, b'<').unwrap_or(rest.len());
        let text = rest.get(..cut)?;
        rest = rest.get(cut..)?;
        Some(Token::Text(text))
    })
}

/// `s` with [`escape`]'s five entities turned back into characters.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = crate::split::find(rest, b'&') {
        out.push_str(rest.get(..at).unwrap_or(""));
        let tail = rest.get(at..).unwrap_or("");
        let (c, len) = [
            ("&amp;", '&'),
            ("&lt;", '<'),
            ("&gt;", '>'),
            ("&quot;", '"'),
            ("&nbsp;", '\u{a0}'),
        ]
        .iter()
        .find(|(e, _)| tail.starts_with(e))
        .map_or(('&', 1), |(e, c)| (*c, e.len()));
        out.push(c);
        rest = tail.get(len..).unwrap_or("");
    }
    out.push_str(rest);
    out
}
