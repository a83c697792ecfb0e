//! Gated markup (CONTRACT §4): scripts, images and embeds that wait for
//! their category, activated in document order, and watched for when other
//! scripts insert more later.

use alloc::rc::Rc;
use alloc::{borrow::ToOwned, string::String, vec, vec::Vec};

use super::listen::Listener;
use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    Element, HtmlMediaElement, HtmlScriptElement, MutationObserver, MutationObserverInit,
    MutationRecord, Node,
};

use super::app::App;
use super::dom::{self, el, Res, Shared};

/// Markup that waits for consent. Media and `<picture>` elements count as
/// a whole: their `<source>` children carry the `data-src`/`data-srcset`.
const GATED: &str = "script[type=\"text/plain\"][data-category],[data-category][data-src],[data-category][data-srcset],iframe[data-category][data-srcdoc],video[data-category],audio[data-category],picture[data-category]";

/// Attributes that can turn an element already in the page into gated
/// markup, or give a gated one its source late.
const WATCHED: [&str; 5] = [
    "data-category",
    "data-src",
    "data-srcset",
    "data-srcdoc",
    "type",
];

/// Held attributes and the live ones they become: `data-poster` keeps a
/// gated video's poster image back, `data-srcdoc` a gated iframe's inline
/// document (it can load and run anything `src` could).
const PAIRS: [(&str, &str); 4] = [
    ("data-srcset", "srcset"),
    ("data-src", "src"),
    ("data-poster", "poster"),
    ("data-srcdoc", "srcdoc"),
];

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
    let mut later = Vec::new();
    // A live copy can still look gated (`data-type="text/plain"`, or an
    // attribute a page script adds later): activating it again would feed
    // the observer forever. What we made is never gated markup.
    for e in found
        .into_iter()
        .filter(|e| !e.has_attribute("data-consentry"))
    {
        if e.tag_name().eq_ignore_ascii_case("script") {
            if is_allowed(app, &e) {
                app.queue.write().push(e);
            }
        } else {
            later.push(e);
        }
    }
    // Scripts first: the first external one is requested before the
    // browser spends milliseconds setting up embeds. Nothing paints until
    // this task ends, so the embeds show no later for it.
    run(app);
    for e in later {
        if is_allowed(app, &e) {
            let _ = reveal(app, &e);
        } else if e.tag_name().eq_ignore_ascii_case("iframe") {
            let _ = placeholder(app, &e);
        }
    }
}

/// Runs queued scripts one at a time: an external script must finish
/// (load or error) before the next one starts.
pub fn run(app: &Rc<App>) {
    loop {
        // An inline script may itself have started an external one (it can
        // call the API, which sweeps): that one finishes first.
        if app.running.get() {
            return;
        }
        // The borrow ends before the script runs: inline scripts execute
        // synchronously on insertion and may call back into the API.
        let next = {
            let mut queue = app.queue.write();
            (!queue.is_empty()).then(|| queue.remove(0))
        };
        let Some(old) = next else { break };
        if !old.is_connected() || !is_allowed(app, &old) {
            continue;
        }
        match activate(app, &old) {
            Ok(Some(new)) => {
                app.running.set(true);
                let weak = Rc::downgrade(app);
                let resume = move |_: &web_sys::Event| {
                    if let Some(app) = weak.upgrade() {
                        land(&app);
                        run(&app);
                    }
                };
                let on_load = Listener::once(&new, "load", resume.clone());
                let on_error = Listener::once(&new, "error", resume);
                app.waiting.write().extend([on_load, on_error]);
                *app.flight.write() = Some((new.clone(), old.clone()));
                if old.replace_with_with_node_1(&new).is_err() {
                    land(app);
                    continue;
                }
                return;
            }
            Ok(None) => {}
            Err(_) => {}
        }
    }
}

/// The script in flight has finished (or will never run): the queue moves on.
fn land(app: &App) {
    app.waiting.write().clear();
    *app.flight.write() = None;
    app.running.set(false);
}

/// A script still downloading when its category is refused must not run
/// when it arrives. A classic script that has been inserted runs even if it
/// is removed again; one whose document changed since it was inserted never
/// does (HTML "execute the script element", step 1, which Chromium follows).
/// So the copy moves into a document of its own and the gated original goes
/// back where it was, ready for a later consent.
fn ground(app: &Rc<App>) {
    let flight = app.flight.read().clone();
    let Some((new, old)) = flight else { return };
    if is_allowed(app, &old) {
        return;
    }
    let _ = new.replace_with_with_node_1(&old);
    if let Ok(inert) = web_sys::Document::new() {
        let _ = inert.adopt_node(&new);
    }
    land(app);
    run(app);
}

/// Replaces a blocked script with a live copy. Returns the copy when it is
/// external (the caller waits for it); an inline copy has run already.
///
/// The copy is a clone rather than a new element: its text and `src` were
/// vouched for by the parser (or by whoever inserted the original), and a
/// clone carries them without passing through a Trusted Types sink, so a page
/// with `require-trusted-types-for 'script'` needs no policy for consentry.
fn activate(app: &App, old: &Element) -> Res<Option<Element>> {
    let new: HtmlScriptElement = old.clone_node_with_deep(true)?.dyn_into()?;
    new.remove_attribute("type")?;
    // `data-src` (Klaro's and older cookieconsent's spelling) becomes `src`.
    swap(&new, true)?;
    new.set_attribute("data-consentry", "live")?;
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
    if new.has_attribute("src") {
        Ok(Some(new.into()))
    } else {
        // Chromium does not carry an inline script's vouched-for text over a
        // clone, so on Trusted Types pages it goes through our own policy.
        if let Some(script) = trusted_script(app, &new.text()?) {
            js_sys::Reflect::set(&new, &"text".into(), &script)?;
        }
        old.replace_with_with_node_1(&new)?;
        Ok(None)
    }
}

/// `text` as a TrustedScript from the `consentry` policy. None without
/// Trusted Types, or when the page's `trusted-types` directive does not
/// allow that policy name: then Trusted Types pages keep inline gated
/// scripts blocked, which fails closed.
fn trusted_script(app: &App, text: &str) -> Option<JsValue> {
    // Created once per page (a policy name can be taken only once) and only
    // when first needed.
    // (`get_or_init` would bring a reentrancy panic with its message.)
    if app.tt_policy.get().is_none() {
        let _ = app.tt_policy.set(create_policy());
    }
    let policy = app.tt_policy.get()?.clone()?;
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

/// Gives `e` and its children without a category of their own (`<source>`,
/// `<img>`, `<track>` in `<video>`, `<audio>`, `<picture>`) their sources:
/// `data-srcset`/`data-src` become `srcset`/`src`. Returns exactly the
/// elements that changed, children first, so that a withdrawal takes back
/// these and nothing the author wrote live.
fn give_sources(e: &Element) -> Res<Vec<Element>> {
    let list =
        e.query_selector_all("[data-src]:not([data-category]),[data-srcset]:not([data-category])")?;
    let mut moved = Vec::new();
    for i in 0..list.length() {
        if let Some(c) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
            if swap(&c, true)? {
                moved.push(c);
            }
        }
    }
    if swap(e, true)? {
        moved.push(e.clone());
    }
    Ok(moved)
}

fn swap(e: &Element, live: bool) -> Res<bool> {
    let mut any = false;
    for (gated, on) in PAIRS {
        let (from, to) = if live { (gated, on) } else { (on, gated) };
        if let Some(v) = e.get_attribute(from) {
            e.remove_attribute(from)?;
            e.set_attribute(to, &v)?;
            any = true;
        }
    }
    Ok(any)
}

/// Gives an allowed image, embed or media element its real source.
fn reveal(app: &App, e: &Element) -> Res<()> {
    let moved = give_sources(e)?;
    // A media element picks its source when it is inserted; sources that
    // arrive later need an explicit load().
    if moved.first().is_some_and(|m| m != e) {
        if let Some(m) = e.dyn_ref::<HtmlMediaElement>() {
            m.load();
        }
    }
    if let Some(p) = e.previous_element_sibling() {
        if p.get_attribute("data-consentry").as_deref() == Some("placeholder") {
            p.remove();
            dom::set_hidden(e, false);
        }
    }
    // Media match the gated selector for good, so later sweeps come back
    // here: only a first reveal is remembered.
    if !moved.is_empty() {
        app.shown.write().push(Shown {
            owner: e.clone(),
            moved,
        });
    }
    Ok(())
}

/// An element `reveal` gave its sources, and the elements whose sources it
/// moved (the element itself, or its children).
pub struct Shown {
    owner: Element,
    moved: Vec<Element>,
}

/// After a withdrawal: embeds, images and media of categories no longer
/// allowed get their sources taken back, so a video player or widget stops
/// instead of running until the next page. (Scripts that ran cannot be
/// taken back; `reload_on_withdraw` is for those.)
pub fn conceal(app: &Rc<App>) {
    ground(app);
    let all = core::mem::take(&mut *app.shown.write());
    for s in all {
        // Detached ones too: a tab panel or a kept-alive component that is
        // out of the document now must not load again when it comes back.
        if is_allowed(app, &s.owner) {
            app.shown.write().push(s);
        } else {
            let _ = rewrap(app, s);
        }
    }
    let _ = released(app);
}

/// Frames, images and media that load without being gated markup, when
/// refused: the prelude held them and let them go, or the page wrote them
/// live. One with a `data-category` is refused by that; one without, by the
/// category whose `hosts` (CONTRACT §6) name its host, which it then
/// carries. They are taken back like revealed markup and, being gated
/// markup from now on, come back with a later consent.
fn released(app: &Rc<App>) -> Res<()> {
    let root = dom::document()?
        .document_element()
        .ok_or_else(|| JsValue::from_str("no root element"))?;
    let base = root.base_uri()?.unwrap_or_default();
    let list = root.query_selector_all("iframe[src],img[src],video[src],audio[src],source[src]")?;
    for i in 0..list.length() {
        let Some(e) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        // A <source> goes with its media element, as in authored markup.
        let owner = if e.tag_name().eq_ignore_ascii_case("source") {
            e.parent_element()
        } else {
            Some(e.clone())
        };
        let Some(owner) = owner else { continue };
        if owner.has_attribute("data-category") {
            if is_allowed(app, &owner) {
                continue;
            }
        } else {
            let src = e.get_attribute("src").unwrap_or_default();
            let Ok(url) = web_sys::Url::new_with_base(&src, &base) else {
                continue;
            };
            let host = url.hostname();
            let host = host.strip_suffix('.').unwrap_or(&host);
            // Required categories are always allowed, so never found here.
            let Some(c) = app
                .config
                .categories
                .iter()
                .find(|c| !app.allowed(&c.id) && c.hosts.iter().any(|h| host_matches(h, host)))
            else {
                continue;
            };
            owner.set_attribute("data-category", &c.id)?;
        }
        let moved = vec![e];
        rewrap(app, Shown { owner, moved })?;
    }
    Ok(())
}

/// `pattern` from `hosts`: "a.com" is that host, "*.a.com" any host below it.
fn host_matches(pattern: &str, host: &str) -> bool {
    match pattern.strip_prefix("*") {
        Some(dot_rest) => host.len() > dot_rest.len() && host.ends_with(dot_rest),
        None => pattern == host,
    }
}

fn rewrap(app: &Rc<App>, s: Shown) -> Res<()> {
    let e = s.owner;
    if e.tag_name().eq_ignore_ascii_case("iframe") && e.is_connected() {
        // A frame's page keeps running when its `src` goes: a fresh copy
        // without it takes its place (given its source, the copy would
        // load the page again), and the old frame unloads with its page.
        // The sources move on the frame itself before it is copied: the
        // prelude watches cloneNode, and a copy made with its `src` would
        // lose it to the prelude's hold instead of keeping it in `data-src`.
        swap(&e, false)?;
        let copy: Element = e.clone_node()?.unchecked_into();
        let focused = dom::document()?.active_element().is_some_and(|a| a == e);
        e.replace_with_with_node_1(&copy)?;
        placeholder(app, &copy)?;
        // A keyboard user inside the frame stays where it was, on the
        // notice that took its place, rather than falling to <body>.
        if focused {
            if let Some(p) = copy.previous_element_sibling() {
                dom::focus(&p);
            }
        }
        return Ok(());
    }
    for m in &s.moved {
        swap(m, false)?;
    }
    if let Some(m) = e.dyn_ref::<HtmlMediaElement>() {
        // With its sources gone, load() drops the stream and stops playback.
        m.load();
    }
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
    let says = app.words.fill("placeholder", &title);
    // A landmark named after the embed (its title), or after what it needs
    // when the site gave the embed no title.
    let notice = el(
        "div",
        &[
            ("data-consentry", "placeholder"),
            ("class", "cst-ph"),
            ("lang", &app.lang),
            ("data-theme", app.config.theme.name()),
            ("role", "region"),
            // Focusable by script only: it takes the focus of a frame it replaces.
            ("tabindex", "-1"),
            ("aria-label", if what.is_empty() { &says } else { &what }),
        ],
        "",
    )?;
    let text = el("p", &[], &says)?;
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
    let embed = frame.clone();
    let listener = Listener::new(&button, "click", move |e| {
        if !e.is_trusted() {
            return;
        }
        let Some(app) = weak.upgrade() else { return };
        let _ = app.decide(crate::consent::Choice::Custom(vec![(id.clone(), true)]));
        // The button went with the placeholder: keep the keyboard user where
        // they were by focusing what appeared in its place.
        let lost = dom::document()
            .ok()
            .and_then(|d| d.active_element())
            .map_or(true, |a| {
                !a.is_connected() || a.tag_name().eq_ignore_ascii_case("body")
            });
        if lost && embed.is_connected() && embed.get_attribute("hidden").is_none() {
            dom::focus(&embed);
        }
    });
    app.listeners.write().push(listener);
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
            // A MutationObserver hands over nothing but MutationRecords.
            let r = r.unchecked_into::<MutationRecord>();
            // An element that became gated (or got its source) after it
            // was inserted.
            if r.type_() == "attributes" {
                if let Some(e) = r.target().and_then(|n| n.dyn_into::<Element>().ok()) {
                    if e.get_attribute("data-consentry").is_none()
                        && e.matches(GATED).unwrap_or(false)
                    {
                        sweep(&app, &e);
                    }
                }
                continue;
            }
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
    // The options as JSON through the JSON.parse we import anyway, rather
    // than three dictionary setters of their own.
    let mut options = String::from(r#"{"childList":true,"subtree":true,"attributeFilter":["#);
    for (i, a) in WATCHED.iter().enumerate() {
        if i > 0 {
            options.push(',');
        }
        crate::json::push_str(&mut options, a);
    }
    options.push_str("]}");
    let init: MutationObserverInit = js_sys::JSON::parse(&options)?.unchecked_into();
    let root = dom::document()?
        .document_element()
        .ok_or_else(|| JsValue::from_str("no root element"))?;
    observer.observe_with_options(&root, &init)?;
    Ok(Observer {
        observer,
        _callback: callback,
    })
}
