//! The first layer's markup on the page (CONTRACT §5, "Pre-rendered first
//! layer"): built from the core's render (`render::first_layer`) as
//! elements, with no HTML sink (so Trusted Types pages need no policy for
//! it), and swapped for the page's own copy when that copy is exactly it.

use alloc::{string::String, vec::Vec};
use wasm_bindgen::JsValue;
use web_sys::Element;

use super::dom::{self, Res};
use crate::render::Sink;

/// Where a pre-rendered root must be: a direct child of `<body>`, the first
/// one with the hook.
const SPOT: &str = "body>[data-consentry=\"root\"]";

/// Builds the render as elements; the first failure is kept.
#[derive(Default)]
pub struct Dom {
    open: Vec<Element>,
    top: Option<Element>,
    failed: Option<JsValue>,
}

impl Dom {
    fn run(&mut self, step: impl FnOnce(&mut Self) -> Res<()>) {
        if self.failed.is_none() {
            if let Err(e) = step(self) {
                self.failed = Some(e);
            }
        }
    }
}

impl Sink for Dom {
    fn open(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        self.run(|d| {
            let e = dom::el(tag, attrs, "")?;
            match d.open.last() {
                Some(parent) => dom::add(parent, &e)?,
                None => d.top = Some(e.clone()),
            }
            d.open.push(e);
            Ok(())
        });
    }
    fn text(&mut self, text: &str) {
        self.run(|d| match d.open.last() {
            Some(parent) => parent.append_with_str_1(text),
            None => Ok(()),
        });
    }
    fn close(&mut self, _: &str) {
        self.open.pop();
    }
}

/// The dialog's root built by `render` into `dom`, and whether the page's
/// own pre-rendered copy took its place (a built one goes first in `<body>`,
/// or with `last` at its end). The copy is taken only when its
/// `outerHTML` is exactly the built root's (the serializer's text of both,
/// byte for byte). A copy in the spot that differs is taken off the page,
/// with a console warning saying why, and the built one goes in: only
/// exactly consentry's markup may act as consentry's, and kept hidden the
/// copy would leave a second element with each of the dialog's ids (its
/// `aria-labelledby` could then name the banner from the copy's title).
/// Markup anywhere else (a comment section that copied the attributes) is
/// never looked at.
pub fn root(built: Dom, lang: &str, last: bool) -> Res<(Element, bool)> {
    if let Some(e) = built.failed {
        return Err(e);
    }
    let root = built.top.ok_or_else(|| JsValue::from_str("no markup"))?;
    let doc = dom::document()?;
    let body = doc.body().ok_or_else(|| JsValue::from_str("no body"))?;
    if let Some(found) = doc.query_selector(SPOT)? {
        if found.outer_html() == root.outer_html() {
            return Ok((found, true));
        }
        let says = dom::cat(&[
            "consentry: pre-rendered banner ignored: not the render for lang ",
            lang,
        ]);
        web_sys::console::warn_2(&says.into(), &found);
        found.remove();
    }
    // Before nothing: at the end.
    let before = if last { None } else { body.first_child() };
    body.insert_before(&root, before.as_ref())?;
    Ok((root, false))
}

/// Once the first layer shows or hides as the stored decision says: lifts
/// the early snippet's `data-consentry-decided` mark (its CSS hid a
/// pre-rendered banner from a visitor with a consent cookie; the gate
/// decides now, a forged cookie included) and returns the action the
/// visitor clicked before the gate was ready, kept only when it was made
/// on the adopted banner.
pub fn settle(adopted: bool) -> Option<String> {
    let html = dom::document().ok()?.document_element()?;
    let _ = html.remove_attribute("data-consentry-decided");
    let early = html.get_attribute("data-consentry-early");
    let _ = html.remove_attribute("data-consentry-early");
    if early.is_some() && !adopted {
        web_sys::console::warn_1(
            &"consentry: early click dropped: not on an adopted banner".into(),
        );
        return None;
    }
    early
}
