//! What the visitor sees: the first layer (banner), the second layer
//! (preferences, a modal `<dialog>` built when first opened), the reopen
//! control and inline account panels. Every text is set through
//! `textContent` or attributes; nothing from a config is parsed as HTML.

use alloc::rc::Rc;
use alloc::{string::String, vec, vec::Vec};

use super::listen::{Listener, Resize};
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlDialogElement, HtmlInputElement};

use super::app::App;
use super::dom::{self, add, append, el, Res, Shared};
use crate::consent::{self, Choice};

/// The dialog's live nodes.
#[derive(Default)]
pub struct Ui {
    root: Option<Element>,
    banner: Option<Element>,
    prefs: Option<Element>,
    reopen: Option<Element>,
    status: Option<Element>,
    /// Inline panels from `mountPreferences`.
    panels: Vec<Element>,
    /// Where focus goes back to when the preferences close.
    opener: Option<Element>,
    /// Room at the end of `<body>` while the banner shows (WCAG 2.4.11).
    spacer: Option<Element>,
    /// Keeps that room right when the banner's box changes; disconnected on drop.
    resize: Option<Resize>,
    /// The object URL of the last record download.
    export_url: Option<String>,
    /// Every button consentry made. Only these act: a button another
    /// script puts inside the root is not ours to obey.
    controls: Vec<Element>,
    /// Every switch consentry made, with its category. Choices are read
    /// from these, never from a query that a planted input could answer.
    switches: Vec<(HtmlInputElement, String)>,
}

/// Remembers `e` as one of consentry's own buttons.
fn own(app: &App, e: &Element) {
    app.ui.write().controls.push(e.clone());
}

/// Adds the root with the banner, the reopen control and a live region as
/// the first thing in `<body>`, so keyboard users reach it first.
pub fn mount(app: &Rc<App>) -> Res<()> {
    let doc = dom::document()?;
    let body = doc
        .body()
        .ok_or_else(|| wasm_bindgen::JsValue::from_str("no body"))?;
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
    let w = &app.words;

    let banner = el(
        "section",
        &[
            ("class", "cst-banner"),
            ("data-consentry", "banner"),
            ("role", "dialog"),
            ("aria-modal", "false"),
            ("aria-labelledby", "cst-title"),
            ("aria-describedby", "cst-text"),
            ("hidden", ""),
        ],
        "",
    )?;
    let title = el(
        "h2",
        &[("id", "cst-title"), ("class", "cst-title")],
        w.get("banner_title"),
    )?;
    let text = el(
        "p",
        &[("id", "cst-text"), ("class", "cst-text")],
        w.get("banner_text"),
    )?;
    // Text and notes scroll inside the banner's height limit; the three
    // buttons below them stay in view.
    let inner = el("div", &[("class", "cst-banner-body")], "")?;
    add(&inner, &title)?;
    // After a revision bump the policy link goes with the note on what
    // changed (policy section 9), else with the text.
    let linked = match amendment(app)? {
        Some(note) => {
            add(&inner, &note)?;
            banner.set_attribute("aria-describedby", "cst-amended cst-text")?;
            note
        }
        None => text.clone(),
    };
    add(&inner, &text)?;
    if let Some(url) = &app.config.policy_url {
        linked.append_with_str_1(" ")?;
        let link = el(
            "a",
            &[("href", url), ("class", "cst-link")],
            w.get("policy_link"),
        )?;
        linked.append_child(&link)?;
    }
    gpc_note(app, &banner, &inner)?;
    if !app.can_store.get() {
        add(
            &inner,
            &el("p", &[("class", "cst-note")], w.get("no_memory"))?,
        )?;
    }
    append(
        &banner,
        &[
            &inner,
            &actions(app, &["reject-all", "accept-all", "open-preferences"])?,
        ],
    )?;

    let reopen = el(
        "button",
        &[
            ("type", "button"),
            ("class", "cst-reopen"),
            ("data-consentry", "reopen"),
            ("hidden", ""),
        ],
        w.get("reopen"),
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
    own(app, &reopen);
    append(&root, &[&banner, &reopen, &status])?;
    body.insert_before(&root, body.first_child().as_ref())?;

    let weak = Rc::downgrade(app);
    let on_click = Listener::new(&root, "click", move |e| {
        if let Some(app) = weak.upgrade() {
            on_action(&app, e);
        }
    });
    app.listeners.write().push(on_click);
    let mut ui = app.ui.write();
    ui.root = Some(root);
    ui.banner = Some(banner);
    ui.reopen = Some(reopen);
    ui.status = Some(status);
    Ok(())
}

/// For a visitor whose stored decision answered an older revision, the
/// config's note on what changed, dated in the visitor's language.
fn amendment(app: &App) -> Res<Option<Element>> {
    let Some(a) = &app.config.amendment else {
        return Ok(None);
    };
    let asked_before =
        crate::cookie::answered_revision(&super::jar::read_all(), &app.config.cookie.name)
            .is_some_and(|r| r < app.config.revision);
    if !asked_before || app.record().is_some() {
        return Ok(None);
    }
    let date = local_date(
        &a.date,
        &app.lang,
        r#"{"dateStyle":"long","timeZone":"UTC"}"#,
    )?;
    let mut text = app.words.fill("amended", &date);
    text.push(' ');
    text.push_str(a.note.get(&app.lang, app.fallback()));
    Ok(Some(el(
        "p",
        &[
            ("id", "cst-amended"),
            ("class", "cst-text cst-amended"),
            ("data-consentry", "amendment"),
        ],
        &text,
    )?))
}

/// `when` (anything `Date` reads) in `lang`'s words and, unless `options`
/// pins one, the visitor's time zone.
fn local_date(when: &str, lang: &str, options: &str) -> Res<String> {
    let date = js_sys::Date::new(&when.into());
    let options = js_sys::JSON::parse(options)?;
    Ok(date.to_locale_string(lang, &options).into())
}

/// Under Global Privacy Control, says on the first layer which categories
/// "accept all" leaves off (CONTRACT §6).
fn gpc_note(app: &App, banner: &Element, body: &Element) -> Res<()> {
    if !app.gpc {
        return Ok(());
    }
    let mut titles = String::new();
    for c in app.config.categories.iter().filter(|c| c.gpc) {
        if !titles.is_empty() {
            titles.push_str(", ");
        }
        titles.push_str(c.title.get(&app.lang, app.fallback()));
    }
    if !titles.is_empty() {
        let note = el(
            "p",
            &[
                ("id", "cst-gpc"),
                ("class", "cst-note"),
                ("data-consentry", "gpc-note"),
            ],
            &app.words.fill("gpc_banner", &titles),
        )?;
        add(body, &note)?;
        let mut ids = banner.get_attribute("aria-describedby").unwrap_or_default();
        ids.push_str(" cst-gpc");
        banner.set_attribute("aria-describedby", &ids)?;
    }
    Ok(())
}

/// A row of the given action buttons, all of equal weight.
fn actions(app: &App, which: &[&str]) -> Res<Element> {
    actions_styled(app, which, "cst-btn")
}

/// A row of action buttons whose class is `class`, except "save", which is
/// always the primary one.
fn actions_styled(app: &App, which: &[&str], class: &str) -> Res<Element> {
    let row = el("div", &[("class", "cst-actions")], "")?;
    for a in which {
        let key = match *a {
            "accept-all" => "accept_all",
            "reject-all" => "reject_all",
            "open-preferences" => "preferences",
            "save" => "save",
            _ => "close",
        };
        let b = el(
            "button",
            &[
                ("type", "button"),
                ("class", if key == "save" { "cst-btn" } else { class }),
                ("data-consentry-action", a),
            ],
            app.words.get(key),
        )?;
        own(app, &b);
        row.append_child(&b)?;
    }
    Ok(row)
}

/// The action named by the clicked control, if any. Only genuine user
/// events count: a script cannot click "accept" for the visitor.
fn on_action(app: &Rc<App>, e: &Event) {
    if !e.is_trusted() {
        return;
    }
    let Some(target) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
        return;
    };
    let control = app
        .ui
        .read()
        .controls
        .iter()
        .find(|c| c.contains(Some(&target)))
        .cloned();
    let Some(control) = control else {
        return;
    };
    if control.get_attribute("data-consentry").as_deref() == Some("reopen") {
        open_preferences(app, Some(control));
        return;
    }
    let scope = control
        .closest("[data-consentry=\"panel\"],[data-consentry=\"preferences\"]")
        .ok()
        .flatten();
    match control.get_attribute("data-consentry-action").as_deref() {
        Some("accept-all") => decide(app, Choice::AcceptAll),
        Some("reject-all") => decide(app, Choice::RejectAll),
        Some("open-preferences") => open_preferences(app, Some(control)),
        Some("close") => close_preferences(app),
        Some("save") => {
            if let Some(scope) = scope {
                decide(app, Choice::Custom(read_switches(app, &scope)));
            }
        }
        Some("export") => {
            let _ = export(app);
        }
        Some("withdraw") => app.reset(),
        _ => {}
    }
}

fn decide(app: &Rc<App>, choice: Choice) {
    if let Err(e) = app.decide(choice) {
        web_sys::console::error_1(&e.message().into());
    }
}

/// The positions of consentry's own switches inside `scope`.
fn read_switches(app: &App, scope: &Element) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for (input, id) in &app.ui.read().switches {
        if !input.disabled() && scope.contains(Some(input)) {
            out.push((id.clone(), input.checked()));
        }
    }
    out
}

/// Sets every switch in `scope` to the current record, or to the starting
/// positions (required on, the rest off) when there is none.
fn sync_switches(app: &App, scope: &Element) {
    let choices = app
        .record()
        .map_or_else(|| consent::starting_choices(&app.config), |r| r.choices);
    for (input, id) in &app.ui.read().switches {
        if scope.contains(Some(input)) {
            input.set_checked(choices.iter().any(|(k, v)| k == id && *v));
        }
    }
}

/// One list item per category: a labelled switch, the description, notes
/// and a table of the declared cookies. `prefix` keeps ids unique when the
/// same list appears twice on a page.
fn category_list(app: &App, prefix: &str) -> Res<Element> {
    let w = &app.words;
    let fb = app.fallback();
    let list = el("ul", &[("class", "cst-cats")], "")?;
    // What the visitor can change comes first; what is always on follows.
    let optional = app.config.categories.iter().filter(|c| !c.required);
    for c in optional.chain(app.config.categories.iter().filter(|c| c.required)) {
        let input_id = dom::cat(&[prefix, "-", &c.id]);
        let desc_id = dom::cat(&[prefix, "-", &c.id, "-d"]);
        let item = el("li", &[("class", "cst-cat")], "")?;
        let head = el("div", &[("class", "cst-cat-head")], "")?;
        let label = el(
            "label",
            &[("for", &input_id), ("class", "cst-cat-title")],
            c.title.get(&app.lang, fb),
        )?;
        let input = el(
            "input",
            &[
                ("type", "checkbox"),
                ("role", "switch"),
                ("class", "cst-switch"),
                ("id", &input_id),
                ("data-consentry-category", &c.id),
                ("aria-describedby", &desc_id),
            ],
            "",
        )?;
        append(&head, &[&label, &input])?;
        if c.required {
            // Still the contract's checked, disabled switch for assistive
            // technology (CONTRACT §5), but shown as words, not as a greyed
            // switch that looks operable.
            input.set_attribute("disabled", "")?;
            input.set_attribute("checked", "")?;
            input.set_attribute("class", "cst-switch cst-sr")?;
            item.set_attribute("class", "cst-cat cst-cat-required")?;
            add(
                &head,
                &el(
                    "span",
                    &[("class", "cst-always"), ("aria-hidden", "true")],
                    w.get("required"),
                )?,
            )?;
        }
        let desc = el("div", &[("id", &desc_id), ("class", "cst-cat-desc")], "")?;
        let body = c.description.get(&app.lang, fb);
        if !body.is_empty() {
            add(&desc, &el("p", &[], body)?)?;
        }
        if c.required {
            add(
                &desc,
                &el("p", &[("class", "cst-note")], w.get("required_note"))?,
            )?;
        } else if c.gpc && app.gpc {
            add(
                &desc,
                &el(
                    "p",
                    &[("class", "cst-note"), ("data-consentry", "gpc-note")],
                    w.get("gpc_note"),
                )?,
            )?;
        }
        append(&item, &[&head, &desc])?;
        app.ui
            .write()
            .switches
            .push((input.unchecked_into(), c.id.clone()));
        if !c.cookies.is_empty() {
            add(&item, &cookie_table(app, c)?)?;
        }
        list.append_child(&item)?;
    }
    Ok(list)
}

fn cookie_table(app: &App, c: &crate::config::Category) -> Res<Element> {
    let w = &app.words;
    let fb = app.fallback();
    let details = el("details", &[("class", "cst-details")], "")?;
    let mut summary = String::from(w.get("cookies_summary"));
    summary.push_str(" (");
    crate::error::push_num(&mut summary, c.cookies.len() as u64);
    summary.push(')');
    add(&details, &el("summary", &[], &summary)?)?;
    let wrap = el("div", &[("class", "cst-table-wrap")], "")?;
    let table = el("table", &[("class", "cst-table")], "")?;
    let head = el("tr", &[], "")?;
    for key in [
        "cookie_name",
        "cookie_provider",
        "cookie_purpose",
        "cookie_duration",
    ] {
        add(&head, &el("th", &[("scope", "col")], w.get(key))?)?;
    }
    let thead = el("thead", &[], "")?;
    thead.append_child(&head)?;
    let tbody = el("tbody", &[], "")?;
    for k in &c.cookies {
        let row = el("tr", &[], "")?;
        let name = el("th", &[("scope", "row")], "")?;
        add(&name, &el("code", &[], &k.name)?)?;
        row.append_child(&name)?;
        let provider = k.provider.as_ref().map_or("—", |p| p.get(&app.lang, fb));
        add(&row, &el("td", &[], provider)?)?;
        let purpose = k.purpose.get(&app.lang, fb);
        add(
            &row,
            &el("td", &[], if purpose.is_empty() { "—" } else { purpose })?,
        )?;
        let duration = k.duration.as_ref().map_or("—", |d| d.get(&app.lang, fb));
        add(&row, &el("td", &[], duration)?)?;
        tbody.append_child(&row)?;
    }
    append(&table, &[&thead, &tbody])?;
    wrap.append_child(&table)?;
    details.append_child(&wrap)?;
    Ok(details)
}

/// Builds the second layer; it is only built the first time it opens.
fn build_preferences(app: &Rc<App>) -> Res<Element> {
    let w = &app.words;
    let dialog = el(
        "dialog",
        &[
            ("class", "cst-prefs"),
            ("data-consentry", "preferences"),
            ("aria-labelledby", "cst-prefs-title"),
            ("aria-describedby", "cst-prefs-text"),
        ],
        "",
    )?;
    let head = el("div", &[("class", "cst-prefs-head")], "")?;
    let title = el(
        "h2",
        &[("id", "cst-prefs-title"), ("class", "cst-title")],
        w.get("preferences_title"),
    )?;
    let close = el(
        "button",
        &[
            ("type", "button"),
            ("class", "cst-close"),
            ("data-consentry-action", "close"),
            ("aria-label", w.get("close")),
        ],
        "×",
    )?;
    own(app, &close);
    append(&head, &[&title, &close])?;
    let body = el("div", &[("class", "cst-prefs-body")], "")?;
    let text = el(
        "p",
        &[("id", "cst-prefs-text"), ("class", "cst-text")],
        w.get("preferences_text"),
    )?;
    if let Some(url) = &app.config.policy_url {
        text.append_with_str_1(" ")?;
        add(
            &text,
            &el(
                "a",
                &[("href", url), ("class", "cst-link")],
                w.get("policy_link"),
            )?,
        )?;
    }
    body.append_child(&text)?;
    if !app.can_store.get() {
        add(
            &body,
            &el("p", &[("class", "cst-note")], w.get("no_memory"))?,
        )?;
    }
    add(&body, &category_list(app, "cst-p")?)?;
    let foot = actions(app, &["reject-all", "accept-all", "save"])?;
    foot.set_attribute("class", "cst-actions cst-prefs-foot")?;
    append(&dialog, &[&head, &body, &foot])?;
    let root = app
        .ui
        .read()
        .root
        .clone()
        .ok_or_else(|| wasm_bindgen::JsValue::from_str("not mounted"))?;
    root.append_child(&dialog)?;
    // Escape closes the modal through `cancel`; route it through our close
    // so focus goes back where it came from.
    let weak = Rc::downgrade(app);
    let on_cancel = Listener::new(&dialog, "cancel", move |e| {
        e.prevent_default();
        if let Some(app) = weak.upgrade() {
            close_preferences(&app);
        }
    });
    app.listeners.write().push(on_cancel);
    app.ui.write().prefs = Some(dialog.clone());
    Ok(dialog)
}

pub fn show_banner(app: &App) {
    let banner = {
        let ui = app.ui.read();
        if let Some(r) = &ui.reopen {
            dom::set_hidden(r, true);
        }
        ui.banner.clone()
    };
    let Some(banner) = banner else {
        return;
    };
    dom::set_hidden(&banner, false);
    // Measured when the browser lays the banner out anyway: reading its box
    // here would force a layout of the whole page before the first paint.
    let watching = app.ui.read().resize.is_some();
    if let (false, Some(me)) = (watching, app.rc()) {
        let weak = Rc::downgrade(&me);
        let watch = Resize::new(&banner, move || {
            if let Some(app) = weak.upgrade() {
                make_room(&app);
            }
        });
        app.ui.write().resize = watch;
    }
}

/// While the banner shows, nothing the visitor focuses may end up under it
/// (WCAG 2.4.11): `scroll-padding-bottom` on `<html>` makes focus scrolling
/// stop above the banner, and a spacer at the end of `<body>` lets the last
/// elements of the page scroll that far. Both go in through the CSSOM
/// (allowed under a strict CSP) and leave with the banner. The banner is
/// fixed, so nothing on the page moves.
fn make_room(app: &App) {
    let Some(banner) = app.ui.read().banner.clone() else {
        return;
    };
    let (Ok(w), Ok(doc)) = (dom::window(), dom::document()) else {
        return;
    };
    let Some(html) = doc.document_element().and_then(|e| dom::html(&e).ok()) else {
        return;
    };
    let covered = if is_hidden(&banner) {
        0
    } else {
        let height = w
            .inner_height()
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0) as i32;
        height.saturating_sub(dom::html(&banner).map_or(height, |b| b.offset_top()))
    };
    if covered <= 0 {
        let _ = html.style().remove_property("scroll-padding-bottom");
        let spacer = app.ui.write().spacer.take();
        if let Some(s) = spacer {
            s.remove();
        }
        return;
    }
    let mut px = String::new();
    crate::error::push_num(&mut px, covered.unsigned_abs() as u64 + 8);
    px.push_str("px");
    let _ = html.style().set_property("scroll-padding-bottom", &px);
    let existing = app.ui.read().spacer.clone();
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
                let _ = body.append_child(&s);
            }
            app.ui.write().spacer = Some(s.clone());
            s
        }
    };
    if let Ok(s) = dom::html(&spacer) {
        let _ = s.style().set_property("height", &px);
    }
}

pub fn hide(app: &App) {
    close_preferences(app);
    {
        let mut ui = app.ui.write();
        if let Some(b) = &ui.banner {
            dom::set_hidden(b, true);
        }
        ui.resize = None;
    }
    make_room(app);
}

pub fn show_reopen(app: &App) {
    let ui = app.ui.read();
    if let Some(r) = &ui.reopen {
        dom::set_hidden(r, false);
    }
}

/// Opens the second layer as a modal dialog, remembering what had focus.
pub fn open_preferences(app: &Rc<App>, opener: Option<Element>) {
    let existing = app.ui.read().prefs.clone();
    let Some(prefs) = existing.or_else(|| build_preferences(app).ok()) else {
        return;
    };
    sync_switches(app, &prefs);
    let opener = opener.or_else(|| dom::document().ok().and_then(|d| d.active_element()));
    app.ui.write().opener = opener;
    // Ours, made as a <dialog> by `preferences`.
    let d = prefs.unchecked_into::<HtmlDialogElement>();
    if !d.open() {
        let _ = d.show_modal();
    }
}

/// Closes the second layer and returns focus to where it came from.
pub fn close_preferences(app: &App) {
    let (prefs, opener) = {
        let mut ui = app.ui.write();
        (ui.prefs.clone(), ui.opener.take())
    };
    let Some(d) = prefs.map(|p| p.unchecked_into::<HtmlDialogElement>()) else {
        return;
    };
    if !d.open() {
        return;
    }
    d.close();
    if let Some(o) = opener.filter(|o| o.is_connected() && !is_hidden(o)) {
        dom::focus(&o);
    }
}

fn is_hidden(e: &Element) -> bool {
    e.closest("[hidden]").ok().flatten().is_some()
}

/// After a decision: the layers close, the reopen control appears, panels
/// and switches show the new record, and the change is announced. Focus
/// that was in the banner or the preferences (both gone now) lands on the
/// reopen control, the way back in, instead of falling to `<body>`.
pub fn after_decision(app: &App) {
    let focus_was_inside = {
        let ui = app.ui.read();
        let active = dom::document().ok().and_then(|d| d.active_element());
        active.is_some_and(|a| {
            [&ui.banner, &ui.prefs]
                .into_iter()
                .flatten()
                .any(|b| b.contains(Some(&a)))
        })
    };
    if focus_was_inside {
        // The opener is about to be hidden: focus goes to reopen instead.
        app.ui.write().opener = None;
    }
    hide(app);
    show_reopen(app);
    refresh(app);
    if focus_was_inside {
        let reopen = app.ui.read().reopen.clone();
        if let Some(r) = reopen {
            dom::focus(&r);
        }
    }
    announce(app, app.words.get("saved"));
}

/// After a withdrawal: back to the first layer.
pub fn after_reset(app: &App) {
    close_preferences(app);
    show_banner(app);
    refresh(app);
    announce(app, app.words.get("withdrawn"));
}

fn announce(app: &App, text: &str) {
    let status = app.ui.read().status.clone();
    if let Some(s) = status {
        // Emptied first, so the same words twice are announced twice.
        s.set_text_content(None);
        s.set_text_content(Some(text));
    }
}

/// Brings open switches and account panels up to date with the record.
fn refresh(app: &App) {
    let (prefs, panels) = {
        let ui = app.ui.read();
        (ui.prefs.clone(), ui.panels.clone())
    };
    if let Some(p) = prefs {
        sync_switches(app, &p);
    }
    for p in panels {
        sync_switches(app, &p);
        let _ = fill_record(app, &p);
    }
}

/// Renders the preferences inline in `host` (the account area), with the
/// consent record, a JSON export and a withdraw button.
pub fn mount_panel(app: &Rc<App>, host: &Element) -> Res<()> {
    let w = &app.words;
    let n = app.ui.read().panels.len();
    let mut prefix = String::from("cst-a");
    crate::error::push_num(&mut prefix, n as u64);
    let dir = if crate::text::is_rtl(&app.lang) {
        "rtl"
    } else {
        "ltr"
    };
    let panel = el(
        "section",
        &[
            ("class", "cst cst-panel"),
            ("data-consentry", "panel"),
            ("lang", &app.lang),
            ("dir", dir),
            ("data-theme", app.config.theme.name()),
            ("aria-label", w.get("preferences_title")),
        ],
        "",
    )?;
    add(&panel, &category_list(app, &prefix)?)?;
    // Saving the switches is the panel's main action; the two shortcuts
    // beside it are equal to each other and quieter than it.
    add(
        &panel,
        &actions_styled(
            app,
            &["reject-all", "accept-all", "save"],
            "cst-btn cst-btn-2",
        )?,
    )?;
    let record = el(
        "div",
        &[("class", "cst-record"), ("data-consentry", "record")],
        "",
    )?;
    panel.append_child(&record)?;
    replace_children(host, &[&panel])?;
    let weak = Rc::downgrade(app);
    let on_click = Listener::new(&panel, "click", move |e| {
        if let Some(app) = weak.upgrade() {
            on_action(&app, e);
        }
    });
    app.listeners.write().push(on_click);
    app.ui.write().panels.push(panel.clone());
    sync_switches(app, &panel);
    fill_record(app, &panel)
}

/// The record part of an account panel: receipt id, dates, export and
/// withdraw.
fn fill_record(app: &App, panel: &Element) -> Res<()> {
    let Some(slot) = panel.query_selector("[data-consentry=\"record\"]")? else {
        return Ok(());
    };
    let w = &app.words;
    // Focus on one of the buttons being replaced moves to its successor, or
    // to the title when it has none (after a withdrawal), never to <body>.
    let had_focus = dom::document()?
        .active_element()
        .filter(|a| slot.contains(Some(a)))
        .map(|a| a.get_attribute("data-consentry-action").unwrap_or_default());
    let title = el(
        "h3",
        &[("class", "cst-record-title"), ("tabindex", "-1")],
        w.get("record_title"),
    )?;
    let Some(r) = app.record() else {
        let none = el("p", &[], w.get("record_none"))?;
        replace_children(&slot, &[&title, &none])?;
        if had_focus.is_some() {
            dom::focus(&title);
        }
        return Ok(());
    };
    let dl = el("dl", &[("class", "cst-facts")], "")?;
    let mut revision = String::new();
    crate::error::push_num(&mut revision, u64::from(r.revision));
    let method = match r.method {
        consent::Method::AcceptAll => "method_accept_all",
        consent::Method::RejectAll => "method_reject_all",
        consent::Method::Custom => "method_custom",
        consent::Method::Account => "method_account",
    };
    for (key, value) in [
        ("record_id", r.id.clone()),
        ("record_given", crate::time::iso8601(r.given)),
        ("record_updated", crate::time::iso8601(r.updated)),
        ("record_method", String::from(w.get(method))),
        ("record_revision", revision),
    ] {
        let dt = el("dt", &[], w.get(key))?;
        let dd = el("dd", &[], "")?;
        match key {
            "record_id" => add(&dd, &el("code", &[("data-consentry", "receipt")], &value)?)?,
            "record_given" | "record_updated" => {
                // In the visitor's language and time zone; the machine-
                // readable UTC time stays in `datetime`.
                let shown = local_date(
                    &value,
                    &app.lang,
                    r#"{"dateStyle":"long","timeStyle":"short"}"#,
                )?;
                add(&dd, &el("time", &[("datetime", &value)], &shown)?)?
            }
            _ => dd.set_text_content(Some(&value)),
        }
        append(&dl, &[&dt, &dd])?;
    }
    // Withdraw only when something optional is allowed: after "reject all"
    // there is nothing to take back, and the panel says so instead.
    let can_withdraw = r
        .choices
        .iter()
        .any(|(id, on)| *on && app.config.category(id).is_some_and(|c| !c.required));
    let which: &[&str] = if can_withdraw {
        &["export", "withdraw"]
    } else {
        &["export"]
    };
    let buttons = el("div", &[("class", "cst-actions")], "")?;
    for key in which {
        let b = el(
            "button",
            &[
                ("type", "button"),
                ("class", "cst-btn cst-btn-2"),
                ("data-consentry-action", key),
            ],
            w.get(key),
        )?;
        // Listed for good: replaced on the next refresh, detached, they
        // can never be clicked again (two per decision and page view).
        own(app, &b);
        add(&buttons, &b)?;
    }
    let mut parts = vec![&title, &dl];
    let nothing = el("p", &[("class", "cst-note")], w.get("record_nothing"))?;
    if !can_withdraw {
        parts.push(&nothing);
    }
    parts.push(&buttons);
    replace_children(&slot, &parts)?;
    if let Some(action) = had_focus {
        let next = buttons
            .query_selector(&dom::cat(&["[data-consentry-action=\"", &action, "\"]"]))?
            .unwrap_or(title);
        dom::focus(&next);
    }
    Ok(())
}

/// Downloads the record as `consentry-record-<id>.json`.
fn export(app: &App) -> Res<()> {
    let Some(r) = app.record() else { return Ok(()) };
    let parts = js_sys::Array::of1(&r.to_json().into());
    let opts: web_sys::BlobPropertyBag =
        js_sys::JSON::parse(r#"{"type":"application/json"}"#)?.unchecked_into();
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let name = dom::cat(&["consentry-record-", &r.id, ".json"]);
    let a = dom::html(&el(
        "a",
        &[("href", &url), ("download", &name), ("hidden", "")],
        "",
    )?)?;
    let body = dom::document()?
        .body()
        .ok_or_else(|| wasm_bindgen::JsValue::from_str("no body"))?;
    body.append_child(&a)?;
    a.click();
    a.remove();
    // The download reads the blob after this task, so revoking the URL now
    // can cancel it; the previous one is revoked instead. At most one small
    // blob stays alive, without a timer or a closure in the wasm.
    let previous = app.ui.write().export_url.replace(url);
    if let Some(old) = previous {
        web_sys::Url::revoke_object_url(&old)?;
    }
    Ok(())
}

/// `parent.replaceChildren(...children)`, through imports we have anyway
/// (clearing `textContent` removes every child).
fn replace_children(parent: &Element, children: &[&Element]) -> Res<()> {
    parent.set_text_content(None);
    append(parent, children)
}
