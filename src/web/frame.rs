//! The gate's part of what the visitor sees: the dialog's root with the
//! first layer, the reopen control and the live region, all from the core's
//! render (`render::first_layer`, or the page's own pre-rendered copy when it
//! is exactly that: `adopt`). The first layer's three buttons decide here.
//! The preferences and account panels belong to the ask part, which the gate
//! asks for through its hook ([`Ask`]) and which puts them into this root.

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use js_sys::Function;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, Event};

use super::app::App;
use super::dom::{self, el, Res, Shared};
use super::listen::{Listener, Resize};
use crate::consent::Choice;

/// The gate's live nodes.
#[derive(Default)]
pub struct Frame {
    pub root: Option<Element>,
    pub banner: Option<Element>,
    pub reopen: Option<Element>,
    status: Option<Element>,
    /// The first layer's buttons and the reopen control: only these act.
    controls: Vec<Element>,
    /// Room at the end of `<body>` while the banner shows (WCAG 2.4.11).
    spacer: Option<Element>,
    /// Keeps that room right when the banner's box changes; disconnected on drop.
    resize: Option<Resize>,
}

/// What the gate needs from the ask part, by number (the JS entry's hook,
/// `src/js/core.js`, loads the part on first use).
#[derive(Clone, Copy)]
pub enum Ask {
    /// Open the preferences (with the control that opened them).
    Preferences = 1,
    /// A decision was applied: close the preferences, refresh panels.
    Decided = 2,
    /// Consent was withdrawn: close the preferences, refresh panels.
    Withdrawn = 3,
    /// Close the preferences (`show()`, `hide()`).
    Close = 4,
}

/// Calls the JS entry's hook. Failures there are the entry's to report.
pub fn ask(hook: &Function, what: Ask, opener: Option<&Element>) {
    let opener = opener.map_or(JsValue::UNDEFINED, |e| JsValue::from(e.clone()));
    dom::swallow!(
        "consentry: the dialog part failed",
        hook.call2(&JsValue::NULL, &JsValue::from(what as u32), &opener),
    );
}

/// Puts the root with the first layer, the reopen control and the live
/// region in `<body>`: the page's own pre-rendered copy when it is exactly
/// the core's render (`adopt`), else one built from that render. A built
/// one goes first while the visitor has to be asked, so keyboard users
/// reach the banner first, and last once they have decided, so the reopen
/// control does not come before the page's own skip link. The banner
/// starts hidden; `show_banner` shows it in the same task, so nothing
/// flashes. Returns whether the page's copy was adopted.
pub fn mount(app: &Rc<App>) -> Res<bool> {
    let amended = amendment(app)?;
    let mut built = super::adopt::Dom::default();
    crate::render::first_layer(
        &mut built,
        &app.config,
        &app.words,
        &app.lang,
        &crate::render::Visitor {
            gpc: app.gpc,
            no_memory: !app.can_store.get(),
            amended: amended.as_deref(),
        },
    );
    let (root, adopted) = super::adopt::root(built, &app.lang, app.record().is_some())?;
    // The markup is exactly the render: these queries find its parts.
    let part = |sel: &str| {
        root.query_selector(sel)
            .ok()
            .flatten()
            .ok_or_else(|| JsValue::from_str(sel))
    };
    let banner = part("[data-consentry=\"banner\"]")?;
    let reopen = part("[data-consentry=\"reopen\"]")?;
    let status = part("[role=\"status\"]")?;
    dom::set_hidden(&banner, true);
    let mut controls = Vec::new();
    let buttons = banner.query_selector_all("[data-consentry-action]")?;
    for i in 0..buttons.length() {
        if let Some(b) = buttons.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
            controls.push(b);
        }
    }
    controls.push(reopen.clone());
    let weak = Rc::downgrade(app);
    let on_click = Listener::new(&root, "click", move |e| {
        if let Some(app) = weak.upgrade() {
            on_action(&app, e);
        }
    });
    app.listeners.write().push(on_click);
    let mut f = app.frame.write();
    f.root = Some(root);
    f.banner = Some(banner);
    f.reopen = Some(reopen);
    f.status = Some(status);
    f.controls = controls;
    Ok(adopted)
}

/// The action named by the clicked control, if it is one of the gate's.
fn on_action(app: &Rc<App>, e: &Event) {
    let control = dom::clicked(e, &app.frame.read().controls);
    let Some(control) = control else {
        return;
    };
    if control.get_attribute("data-consentry").as_deref() == Some("reopen") {
        ask(&app.hook, Ask::Preferences, Some(&control));
        return;
    }
    match control.get_attribute("data-consentry-action").as_deref() {
        Some("accept-all") => act(app, Choice::AcceptAll),
        Some("reject-all") => act(app, Choice::RejectAll),
        Some("open-preferences") => ask(&app.hook, Ask::Preferences, Some(&control)),
        _ => {}
    }
}

/// A decision made on the first layer (or on the pre-rendered banner before
/// the gate was ready); a refusal is logged.
pub fn act(app: &App, choice: Choice) {
    if let Err(e) = app.decide(choice) {
        web_sys::console::error_1(&e.message().into());
    }
}

/// For a visitor whose stored decision answered an older revision, the
/// config's note on what changed, dated in the visitor's language.
fn amendment(app: &App) -> Res<Option<String>> {
    let Some(a) = &app.config.amendment else {
        return Ok(None);
    };
    let asked_before =
        crate::cookie::answered_revision(&super::jar::read_all(), &app.config.cookie.name)
            .is_some_and(|r| r < app.config.revision);
    if !asked_before || app.record().is_some() {
        return Ok(None);
    }
    let date = dom::local_date(
        &a.date,
        &app.lang,
        r#"{"dateStyle":"long","timeZone":"UTC"}"#,
    )?;
    let mut text = app.words.fill("amended", &date);
    text.push(' ');
    text.push_str(a.note.get(&app.lang, app.fallback()));
    Ok(Some(text))
}

/// Shows the first layer (and hides the reopen control under it).
pub fn show_banner(app: &App) {
    let banner = {
        let f = app.frame.read();
        if let Some(r) = &f.reopen {
            dom::set_hidden(r, true);
        }
        f.banner.clone()
    };
    let Some(banner) = banner else {
        return;
    };
    dom::set_hidden(&banner, false);
    watch(app, &banner);
}

/// Makes room for `target` (see `make_room`) when the browser lays it out
/// anyway, and whenever its box changes: reading its box here would force a
/// layout of the whole page before the first paint.
fn watch(app: &App, target: &Element) {
    let Some(me) = app.rc() else { return };
    let weak = Rc::downgrade(&me);
    let watch = Resize::new(target, move || {
        if let Some(app) = weak.upgrade() {
            make_room(&app);
        }
    });
    app.frame.write().resize = watch;
}

/// Hides the first layer; the reopen control shows when there is a
/// decision to reopen.
pub fn hide_banner(app: &App) {
    {
        let mut f = app.frame.write();
        if let Some(b) = &f.banner {
            dom::set_hidden(b, true);
        }
        f.resize = None;
    }
    make_room(app);
    show_reopen(app, app.record().is_some());
}

/// Nothing the visitor focuses may end up under the banner, or after a
/// decision under the reopen control (WCAG 2.4.11): `scroll-padding-bottom`
/// on `<html>` makes focus scrolling stop above whichever shows, and a
/// spacer at the end of `<body>` lets the last elements of the page scroll
/// that far. Both go in through the CSSOM (allowed under a strict CSP),
/// follow the shown one's height and leave with it. Both are fixed, so
/// nothing on the page moves.
fn make_room(app: &App) {
    // The banner, or after a decision the reopen control: whichever shows.
    let shown = {
        let f = app.frame.read();
        let showing = |e: &Option<Element>| e.clone().filter(|e| !e.has_attribute("hidden"));
        showing(&f.banner).or_else(|| showing(&f.reopen))
    };
    let (Ok(w), Ok(doc)) = (dom::window(), dom::document()) else {
        return;
    };
    let Some(html) = doc.document_element().and_then(|e| dom::html(&e).ok()) else {
        return;
    };
    let covered = match shown {
        None => 0,
        Some(e) => {
            let height = w
                .inner_height()
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0) as i32;
            height.saturating_sub(dom::html(&e).map_or(height, |b| b.offset_top()))
        }
    };
    if covered <= 0 {
        dom::swallow!(
            "consentry: scroll padding not removed",
            html.style().remove_property("scroll-padding-bottom"),
        );
        let spacer = app.frame.write().spacer.take();
        if let Some(s) = spacer {
            s.remove();
        }
        return;
    }
    let mut px = String::new();
    crate::error::push_num(&mut px, covered.unsigned_abs() as u64 + 8);
    px.push_str("px");
    dom::swallow!(
        "consentry: scroll padding not set",
        html.style().set_property("scroll-padding-bottom", &px),
    );
    let existing = app.frame.read().spacer.clone();
    let spacer = match existing {
        Some(s) => s,
        None => {
            let Ok(s) = el(
                "div",
                &[("data-consentry", "spacer"), ("aria-hidden", "true")],
                "",
            ) else {
                return;
            };
            if let Some(body) = doc.body() {
                dom::swallow!("consentry: spacer not added", body.append_child(&s));
            }
            app.frame.write().spacer = Some(s.clone());
            s
        }
    };
    if let Ok(s) = dom::html(&spacer) {
        dom::swallow!(
            "consentry: spacer not sized",
            s.style().set_property("height", &px),
        );
    }
}

pub fn show_reopen(app: &App, show: bool) {
    let reopen = app.frame.read().reopen.clone();
    if let Some(r) = reopen {
        dom::set_hidden(&r, !show);
        if show {
            watch(app, &r);
        }
    }
}

/// After a decision: the first layer goes and the reopen control appears
/// (before the ask part closes the preferences, so focus can move to it);
/// focus that was in the banner lands on it too, then the change is
/// announced.
pub fn after_decision(app: &App) {
    let (banner, reopen) = {
        let f = app.frame.read();
        (f.banner.clone(), f.reopen.clone())
    };
    let focus_was_inside = dom::document()
        .ok()
        .and_then(|d| d.active_element())
        .is_some_and(|a| banner.is_some_and(|b| b.contains(Some(&a))));
    hide_banner(app);
    ask(&app.hook, Ask::Decided, None);
    if let (true, Some(r)) = (focus_was_inside, reopen) {
        dom::focus(&r);
    }
    announce(app, app.words.get("saved"));
}

/// After a withdrawal: back to the first layer.
pub fn after_reset(app: &App) {
    ask(&app.hook, Ask::Withdrawn, None);
    show_banner(app);
    announce(app, app.words.get("withdrawn"));
}

fn announce(app: &App, text: &str) {
    let status = app.frame.read().status.clone();
    if let Some(s) = status {
        // Emptied first, so the same words twice are announced twice.
        s.set_text_content(None);
        s.set_text_content(Some(text));
    }
}
