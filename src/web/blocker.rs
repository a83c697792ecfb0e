//! Gated markup (CONTRACT §4): scripts, images and embeds that wait for
//! their category, activated in document order, and watched for when other
//! scripts insert more later.

use std::rc::Rc;

use gloo_events::EventListener;
use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    Element, HtmlScriptElement, MutationObserver, MutationObserverInit, MutationRecord, Node,
};

use super::app::App;
use super::dom::{self, el, Res};

/// Markup that waits for consent.
const GATED: &str = "script[type=\"text/plain\"][data-category],[data-category][data-src],[data-category][data-srcset]";

/// Watches the document for gated markup inserted after start-up.
pub struct Observer {
    observer: MutationObserver,
    _callback: Closure<dyn FnMut(Array, MutationObserver)>,
}

impl Drop for Observer {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// The ids an element waits for: every one must be allowed.
fn categories(e: &Element) -> Vec<String> {
    e.get_attribute("data-category")
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

fn is_allowed(app: &App, e: &Element) -> bool {
    let ids = categories(e);
    !ids.is_empty() && ids.iter().all(|id| app.allowed(id))
}

/// Activates what is now allowed under `root` and puts placeholders on
/// embeds that are still blocked.
pub fn sweep(app: &Rc<App>, root: &Element) {
    let mut found = Vec::new();
    if root.matches(GATED).unwrap_or(false) {
        found.push(root.clone());
    }
    if let Ok(list) = root.query_selector_all(GATED) {
        for i in 0..list.length() {
            if let Some(e) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                found.push(e);
            }
        }
    }
    for e in found {
        if is_allowed(app, &e) {
            if e.tag_name().eq_ignore_ascii_case("script") {
                app.queue.borrow_mut().push_back(e);
            } else {
                let _ = reveal(&e);
            }
        } else if e.tag_name().eq_ignore_ascii_case("iframe") {
            let _ = placeholder(app, &e);
        }
    }
    run(app);
}

/// Runs queued scripts one at a time: an external script must finish
/// (load or error) before the next one starts.
pub fn run(app: &Rc<App>) {
    if app.running.get() {
        return;
    }
    loop {
        // The borrow ends before the script runs: inline scripts execute
        // synchronously on insertion and may call back into the API.
        let next = app.queue.borrow_mut().pop_front();
        let Some(old) = next else { break };
        if !old.is_connected() || !is_allowed(app, &old) {
            continue;
        }
        match activate(&old) {
            Ok(Some(new)) => {
                app.running.set(true);
                let weak = Rc::downgrade(app);
                let resume = move |_: &web_sys::Event| {
                    if let Some(app) = weak.upgrade() {
                        app.waiting.borrow_mut().clear();
                        app.running.set(false);
                        run(&app);
                    }
                };
                let on_load = EventListener::once(&new, "load", resume.clone());
                let on_error = EventListener::once(&new, "error", resume);
                app.waiting.borrow_mut().extend([on_load, on_error]);
                if old.replace_with_with_node_1(&new).is_err() {
                    app.waiting.borrow_mut().clear();
                    app.running.set(false);
                    continue;
                }
                return;
            }
            Ok(None) => {}
            Err(_) => {}
        }
    }
}

/// Replaces a blocked script with a live copy. Returns the copy when it is
/// external (the caller waits for it); an inline copy has run already.
///
/// The copy is a clone rather than a new element: its text and `src` were
/// vouched for by the parser (or by whoever inserted the original), and a
/// clone carries them without passing through a Trusted Types sink, so a page
/// with `require-trusted-types-for 'script'` needs no policy for consentry.
fn activate(old: &Element) -> Res<Option<Element>> {
    let new: HtmlScriptElement = old.clone_node_with_deep(true)?.dyn_into()?;
    new.remove_attribute("type")?;
    if let Some(t) = old.get_attribute("data-type") {
        new.set_attribute("type", &t)?;
        new.remove_attribute("data-type")?;
    }
    // The nonce attribute reads as empty once the page has loaded; the
    // property keeps it, and a strict CSP needs it on the copy.
    if let Ok(h) = dom::html(old) {
        let nonce = h.nonce();
        if !nonce.is_empty() {
            new.set_nonce(&nonce);
        }
    }
    // Dynamically inserted scripts default to async; order is kept by
    // waiting, so keep what the author wrote.
    new.set_async(old.has_attribute("async"));
    if old.has_attribute("src") {
        Ok(Some(new.into()))
    } else {
        // Chromium does not carry an inline script's vouched-for text over a
        // clone, so on Trusted Types pages it goes through our own policy.
        if let Some(script) = trusted_script(&new.text()?) {
            js_sys::Reflect::set(&new, &"text".into(), &script)?;
        }
        old.replace_with_with_node_1(&new)?;
        Ok(None)
    }
}

thread_local! {
    /// The `consentry` Trusted Types policy, created once per page (a
    /// policy name can be taken only once) and only when first needed.
    static POLICY: std::cell::OnceCell<Option<JsValue>> = const { std::cell::OnceCell::new() };
}

/// `text` as a TrustedScript from the `consentry` policy. None without
/// Trusted Types, or when the page's `trusted-types` directive does not
/// allow that policy name: then Trusted Types pages keep inline gated
/// scripts blocked, which fails closed.
fn trusted_script(text: &str) -> Option<JsValue> {
    let policy = POLICY.with(|p| p.get_or_init(create_policy).clone())?;
    let create: js_sys::Function = js_sys::Reflect::get(&policy, &"createScript".into())
        .ok()?
        .dyn_into()
        .ok()?;
    create.call1(&policy, &text.into()).ok()
}

fn create_policy() -> Option<JsValue> {
    let window = dom::window().ok()?;
    let tt = js_sys::Reflect::get(&window, &"trustedTypes".into())
        .ok()
        .filter(JsValue::is_object)?;
    let create: js_sys::Function = js_sys::Reflect::get(&tt, &"createPolicy".into())
        .ok()?
        .dyn_into()
        .ok()?;
    // The policy only ever sees the text of a gated script already in the
    // page, when its category is allowed.
    let pass = Closure::<dyn Fn(String) -> String>::new(|s: String| s);
    let rules = js_sys::Object::new();
    js_sys::Reflect::set(&rules, &"createScript".into(), pass.as_ref()).ok()?;
    let policy = create.call2(&tt, &"consentry".into(), &rules).ok();
    pass.forget(); // the policy keeps calling it for the page's lifetime
    policy
}

/// Gives an allowed image or embed its real source.
fn reveal(e: &Element) -> Res<()> {
    for (from, to) in [("data-srcset", "srcset"), ("data-src", "src")] {
        if let Some(v) = e.get_attribute(from) {
            e.remove_attribute(from)?;
            e.set_attribute(to, &v)?;
        }
    }
    if let Some(p) = e.previous_element_sibling() {
        if p.get_attribute("data-consentry").as_deref() == Some("placeholder") {
            p.remove();
        }
    }
    dom::set_hidden(e, false);
    Ok(())
}

/// Puts an accessible "needs consent" notice in place of a blocked embed.
fn placeholder(app: &Rc<App>, frame: &Element) -> Res<()> {
    if let Some(p) = frame.previous_element_sibling() {
        if p.get_attribute("data-consentry").as_deref() == Some("placeholder") {
            return Ok(());
        }
    }
    let Some(id) = categories(frame).into_iter().find(|id| !app.allowed(id)) else {
        return Ok(());
    };
    let title = app
        .config
        .category(&id)
        .map(|c| c.title.get(&app.lang, app.fallback()).to_owned())
        .unwrap_or_else(|| id.clone());
    let what = frame.get_attribute("title").unwrap_or_default();
    let notice = el(
        "div",
        &[
            ("data-consentry", "placeholder"),
            ("class", "cst-ph"),
            ("lang", &app.lang),
            ("role", "group"),
        ],
        "",
    )?;
    if !what.is_empty() {
        notice.set_attribute("aria-label", &what)?;
    }
    let text = el("p", &[], &app.words.fill("placeholder", &title))?;
    let button = el(
        "button",
        &[
            ("type", "button"),
            ("class", "cst-btn"),
            ("data-consentry-allow", &id),
        ],
        &app.words.fill("placeholder_allow", &title),
    )?;
    dom::append(&notice, &[&text, &button])?;
    // Keep the embed's box so the page does not jump when it appears.
    for (attr, prop) in [("width", "width"), ("height", "height")] {
        if let Some(v) = frame.get_attribute(attr) {
            if let Ok(h) = dom::html(&notice) {
                let unit = if v.bytes().all(|b| b.is_ascii_digit()) {
                    "px"
                } else {
                    ""
                };
                let _ = h.style().set_property(prop, &(v + unit));
            }
        }
    }
    let weak = Rc::downgrade(app);
    let listener = EventListener::new(&button, "click", move |e| {
        if !e.is_trusted() {
            return;
        }
        if let Some(app) = weak.upgrade() {
            let _ = app.decide(crate::consent::Choice::Custom(vec![(id.clone(), true)]));
        }
    });
    app.listeners.borrow_mut().push(listener);
    dom::set_hidden(frame, true);
    let parent: Node = frame
        .parent_node()
        .ok_or_else(|| JsValue::from_str("detached"))?;
    parent.insert_before(&notice, Some(frame))?;
    Ok(())
}

/// Starts watching the document for gated markup added later.
pub fn observe(app: &Rc<App>) -> Res<Observer> {
    let weak = Rc::downgrade(app);
    let callback = Closure::<dyn FnMut(Array, MutationObserver)>::new(move |records: Array, _| {
        let Some(app) = weak.upgrade() else { return };
        for r in records.iter() {
            let Ok(r) = r.dyn_into::<MutationRecord>() else {
                continue;
            };
            let added = r.added_nodes();
            for i in 0..added.length() {
                if let Some(e) = added.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                    // Our own placeholders and live copies are not news.
                    if e.get_attribute("data-consentry").is_none() {
                        sweep(&app, &e);
                    }
                }
            }
        }
    });
    let observer = MutationObserver::new(callback.as_ref().unchecked_ref())?;
    let init = MutationObserverInit::new();
    init.set_child_list(true);
    init.set_subtree(true);
    let root = dom::document()?
        .document_element()
        .ok_or_else(|| JsValue::from_str("no root element"))?;
    observer.observe_with_options(&root, &init)?;
    Ok(Observer {
        observer,
        _callback: callback,
    })
}
