//! Small typed helpers over web-sys for building the dialog without HTML
//! strings: every text goes in through `textContent` or an attribute.

use alloc::string::String;
use core::cell::{Ref, RefCell, RefMut};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, Event, HtmlElement, Window};

pub type Res<T> = Result<T, JsValue>;

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = globalThis)]
    type GlobalThis;

    /// `globalThis.window`. web_sys::window() probes globalThis, self,
    /// window and global in turn (four imports for one answer that is
    /// always the same here), and a cached static brings a lazy cell whose
    /// panic paths cost more than asking again.
    #[wasm_bindgen(static_method_of = GlobalThis, js_class = "globalThis", getter = window)]
    fn page_window() -> JsValue;
}

pub fn window() -> Res<Window> {
    let w = GlobalThis::page_window();
    if w.is_object() {
        Ok(w.unchecked_into())
    } else {
        Err(JsValue::from_str("no window"))
    }
}

pub fn document() -> Res<Document> {
    window()?
        .document()
        .ok_or_else(|| JsValue::from_str("no document"))
}

/// Borrows of the app's `RefCell`s. No borrow is held while calling out to
/// the page, so these cannot fail; if one ever did, the wasm stops as a panic
/// would stop it, but without core's message for it, whose formatting code
/// would cost every download 1.4 KB.
pub trait Shared<T> {
    fn read(&self) -> Ref<'_, T>;
    fn write(&self) -> RefMut<'_, T>;
}

impl<T> Shared<T> for RefCell<T> {
    fn read(&self) -> Ref<'_, T> {
        self.try_borrow()
            .unwrap_or_else(|_| core::arch::wasm32::unreachable())
    }
    fn write(&self) -> RefMut<'_, T> {
        self.try_borrow_mut()
            .unwrap_or_else(|_| core::arch::wasm32::unreachable())
    }
}

/// The parts joined into one string. `[..].concat()` does the same but
/// brings alloc's generic join, with an overflow panic, into the wasm.
pub fn cat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

/// A new element with `attrs` set and `text` as its text content.
pub fn el(tag: &str, attrs: &[(&str, &str)], text: &str) -> Res<Element> {
    let e = document()?.create_element(tag)?;
    for (k, v) in attrs {
        e.set_attribute(k, v)?;
    }
    if !text.is_empty() {
        e.set_text_content(Some(text));
    }
    Ok(e)
}

/// Appends each child to `parent`.
pub fn append(parent: &Element, children: &[&Element]) -> Res<()> {
    for c in children {
        parent.append_child(c)?;
    }
    Ok(())
}

pub fn html(e: &Element) -> Res<HtmlElement> {
    e.clone().dyn_into::<HtmlElement>().map_err(JsValue::from)
}

/// Appends `child` to `parent`.
pub fn add(parent: &Element, child: &Element) -> Res<()> {
    parent.append_child(child).map(|_| ())
}

/// The text of the page's config: the first
/// `<script type="application/json" id="consentry-config">`, else none.
/// Any other element with that id (a sanitiser that keeps ids lets a
/// comment's `<p id="consentry-config">` through) is ignored, and a console
/// warning shows it.
pub fn inline_config() -> Option<String> {
    let list = document()
        .ok()?
        .query_selector_all("#consentry-config")
        .ok()?;
    let mut found = None;
    for i in 0..list.length() {
        let Some(e) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        if found.is_none()
            && e.matches("script[type=\"application/json\" i]")
                .unwrap_or(false)
        {
            found = e.text_content();
        } else {
            let says = cat(&[
                "consentry: ignored <",
                &e.tag_name(),
                " id=\"consentry-config\">: the config is read only from the first <script type=\"application/json\" id=\"consentry-config\">",
            ]);
            web_sys::console::warn_2(&says.into(), &e);
        }
    }
    found
}

/// Which of `controls` a click landed in. Only genuine user events count:
/// a script cannot click "accept" for the visitor (it has the API).
pub fn clicked(e: &Event, controls: &[Element]) -> Option<Element> {
    if !e.is_trusted() {
        return None;
    }
    let target = e.target()?.dyn_into::<Element>().ok()?;
    controls.iter().find(|c| c.contains(Some(&target))).cloned()
}

/// Moves focus to `e`, if it can take it.
pub fn focus(e: &Element) {
    if let Ok(h) = html(e) {
        swallow!("consentry: focus refused", h.focus());
    }
}

/// Sets or removes the `hidden` attribute (the same as the property, and
/// it works on any element).
pub fn set_hidden(e: &Element, hidden: bool) {
    swallow!(
        "consentry: hidden not set",
        if hidden {
            e.set_attribute("hidden", "")
        } else {
            e.remove_attribute("hidden")
        }
    );
}

/// Seconds since the epoch, from the browser's clock.
pub fn now_secs() -> u64 {
    let ms = js_sys::Date::now();
    if ms.is_finite() && ms > 0.0 {
        (ms / 1000.0) as u64
    } else {
        0
    }
}

/// `when` (anything `Date` reads) in `lang`'s words and, unless `options`
/// pins one, the visitor's time zone.
pub fn local_date(when: &str, lang: &str, options: &str) -> Res<String> {
    let date = js_sys::Date::new(&when.into());
    let options = js_sys::JSON::parse(options)?;
    Ok(date.to_locale_string(lang, &options).into())
}

/// Lets a failure pass that the page can do nothing about (a cookie write
/// the browser refused, an event nobody could dispatch):
/// `swallow!("what failed", result)`. Debug builds say it on the console;
/// in release builds the text is not even compiled in, so this costs
/// visitors nothing.
macro_rules! swallow {
    ($what:literal, $result:expr $(,)?) => {{
        let result = $result;
        #[cfg(debug_assertions)]
        if let Err(e) = &result {
            web_sys::console::warn_2(&wasm_bindgen::JsValue::from_str($what), e);
        }
        let _ = result;
    }};
}
pub(crate) use swallow;
