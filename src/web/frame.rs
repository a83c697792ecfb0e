//! The gate's part of what the visitor sees: the dialog's root, the reopen
//! control and the live region that announces decisions. Everything else
//! (the first layer, the preferences, account panels) belongs to the ask
//! part, which the gate asks for through its hook (see [`Ask`]) and which
//! puts its layers into this root.

use alloc::rc::Rc;

use js_sys::Function;
use wasm_bindgen::JsValue;
use web_sys::Element;

use super::app::App;
use super::dom::{self, append, el, Res, Shared};
use super::listen::Listener;

/// The gate's live nodes.
#[derive(Default)]
pub struct Frame {
    pub root: Option<Element>,
    pub reopen: Option<Element>,
    status: Option<Element>,
}

/// What the gate needs from the ask part, by number (the JS entry's hook,
/// `src/js/core.js`, loads the part on first use).
#[derive(Clone, Copy)]
pub enum Ask {
    /// Show the first layer.
    Banner = 0,
    /// Open the preferences (with the control that opened them).
    Preferences = 1,
    /// A decision was applied: close the layers, refresh panels.
    Decided = 2,
    /// Consent was withdrawn: back to the first layer.
    Withdrawn = 3,
}

/// Calls the JS entry's hook. Failures there are the entry's to report.
pub fn ask(hook: &Function, what: Ask, opener: Option<&Element>) {
    let opener = opener.map_or(JsValue::UNDEFINED, |e| JsValue::from(e.clone()));
    dom::swallow!(
        "consentry: the dialog part failed",
        hook.call2(&JsValue::NULL, &JsValue::from(what as u32), &opener),
    );
}

/// Adds the root with the reopen control and a live region as the first
/// thing in `<body>`, so keyboard users reach it first.
pub fn mount(app: &Rc<App>) -> Res<()> {
    let doc = dom::document()?;
    let body = doc.body().ok_or_else(|| JsValue::from_str("no body"))?;
    let dir = if crate::text::is_rtl(&app.lang) {
        "rtl"
    } else {
        "ltr"
    };
    let root = el(
        "div",
        &[
            ("class", "cst"),
            ("data-consentry", "root"),
            ("lang", &app.lang),
            ("dir", dir),
            ("data-theme", app.config.theme.name()),
        ],
        "",
    )?;
    let reopen = el(
        "button",
        &[
            ("type", "button"),
            ("class", "cst-reopen"),
            ("data-consentry", "reopen"),
            ("hidden", ""),
        ],
        app.words.get("reopen"),
    )?;
    let status = el(
        "div",
        &[
            ("class", "cst-sr"),
            ("role", "status"),
            ("aria-live", "polite"),
        ],
        "",
    )?;
    append(&root, &[&reopen, &status])?;
    body.insert_before(&root, body.first_child().as_ref())?;
    let weak = Rc::downgrade(app);
    let on_click = Listener::new(&reopen, "click", move |e| {
        // Only the visitor's own clicks: a script cannot open the
        // preferences by clicking for them (it has showPreferences()).
        if !e.is_trusted() {
            return;
        }
        if let Some(app) = weak.upgrade() {
            let reopen = app.frame.read().reopen.clone();
            ask(&app.hook, Ask::Preferences, reopen.as_ref());
        }
    });
    app.listeners.write().push(on_click);
    let mut f = app.frame.write();
    f.root = Some(root);
    f.reopen = Some(reopen);
    f.status = Some(status);
    Ok(())
}

pub fn show_reopen(app: &App, show: bool) {
    if let Some(r) = &app.frame.read().reopen {
        dom::set_hidden(r, !show);
    }
}

/// After a decision: the reopen control appears (before the ask part
/// closes its layers, so focus can move to it), then the change is
/// announced.
pub fn after_decision(app: &App) {
    show_reopen(app, true);
    ask(&app.hook, Ask::Decided, None);
    announce(app, app.words.get("saved"));
}

/// After a withdrawal: back to the first layer.
pub fn after_reset(app: &App) {
    show_reopen(app, false);
    ask(&app.hook, Ask::Withdrawn, None);
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
