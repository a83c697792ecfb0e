//! What the ask part shows: the second layer (preferences, a modal
//! `<dialog>` built when first opened) and inline account panels, inside
//! the root the gate made (`frame`, which shows the first layer). Every
//! text is set through `textContent` or attributes; nothing from a config
//! is parsed as HTML.

use alloc::rc::Rc;
use alloc::{string::String, vec, vec::Vec};

use super::listen::Listener;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlDialogElement, HtmlInputElement};

use super::ask::{Action, Ask};
use super::dom::{self, add, append, el, Res, Shared};
use crate::consent;

/// The dialog's live nodes.
#[derive(Default)]
pub struct Ui {
    prefs: Option<Element>,
    /// Inline panels from `mountPreferences`.
    panels: Vec<Element>,
    /// Where focus goes back to when the preferences close.
    opener: Option<Element>,
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
fn own(ask: &Ask, e: &Element) {
    ask.ui.write().controls.push(e.clone());
}

/// Listens for clicks on the ask part's controls in the gate's root.
pub fn mount(ask: &Rc<Ask>) {
    let weak = Rc::downgrade(ask);
    let on_click = Listener::new(&ask.root, "click", move |e| {
        if let Some(ask) = weak.upgrade() {
            on_action(&ask, e);
        }
    });
    ask.listeners.write().push(on_click);
}

/// A row of the given action buttons, all of equal weight.
fn actions(ask: &Ask, which: &[&str]) -> Res<Element> {
    actions_styled(ask, which, "cst-btn")
}

/// A row of action buttons whose class is `class`, except "save", which is
/// always the primary one.
fn actions_styled(ask: &Ask, which: &[&str], class: &str) -> Res<Element> {
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
            ask.words.get(key),
        )?;
        own(ask, &b);
        row.append_child(&b)?;
    }
    Ok(row)
}

/// The action named by the clicked control, if any.
fn on_action(ask: &Rc<Ask>, e: &Event) {
    let control = dom::clicked(e, &ask.ui.read().controls);
    let Some(control) = control else {
        return;
    };
    let scope = control
        .closest("[data-consentry=\"panel\"],[data-consentry=\"preferences\"]")
        .ok()
        .flatten();
    match control.get_attribute("data-consentry-action").as_deref() {
        Some("accept-all") => ask.act(Action::AcceptAll),
        Some("reject-all") => ask.act(Action::RejectAll),
        Some("close") => close_preferences(ask),
        Some("save") => {
            if let Some(scope) = scope {
                ask.act(Action::Save(read_switches(ask, &scope)));
            }
        }
        Some("export") => {
            let _ = export(ask);
        }
        Some("withdraw") => ask.act(Action::Withdraw),
        _ => {}
    }
}

/// The positions of consentry's own switches inside `scope`.
fn read_switches(ask: &Ask, scope: &Element) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for (input, id) in &ask.ui.read().switches {
        if !input.disabled() && scope.contains(Some(input)) {
            out.push((id.clone(), input.checked()));
        }
    }
    out
}

/// Sets every switch in `scope` to the current record, or to the starting
/// positions (required on, the rest off) when there is none.
fn sync_switches(ask: &Ask, scope: &Element) {
    let choices = ask
        .record()
        .map_or_else(|| consent::starting_choices(&ask.config), |r| r.choices);
    for (input, id) in &ask.ui.read().switches {
        if scope.contains(Some(input)) {
            input.set_checked(choices.iter().any(|(k, v)| k == id && *v));
        }
    }
}

/// One list item per category: a labelled switch, the description, notes
/// and a table of the declared cookies. `prefix` keeps ids unique when the
/// same list appears twice on a page.
fn category_list(ask: &Ask, prefix: &str) -> Res<Element> {
    let w = &ask.words;
    let fb = ask.fallback();
    let list = el("ul", &[("class", "cst-cats")], "")?;
    // What the visitor can change comes first; what is always on follows.
    let optional = ask.config.categories.iter().filter(|c| !c.required);
    for c in optional.chain(ask.config.categories.iter().filter(|c| c.required)) {
        let input_id = dom::cat(&[prefix, "-", &c.id]);
        let desc_id = dom::cat(&[prefix, "-", &c.id, "-d"]);
        let item = el("li", &[("class", "cst-cat")], "")?;
        let head = el("div", &[("class", "cst-cat-head")], "")?;
        let label = el(
            "label",
            &[("for", &input_id), ("class", "cst-cat-title")],
            c.title.get(&ask.lang, fb),
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
        let body = c.description.get(&ask.lang, fb);
        if !body.is_empty() {
            add(&desc, &el("p", &[], body)?)?;
        }
        if c.required {
            add(
                &desc,
                &el("p", &[("class", "cst-note")], w.get("required_note"))?,
            )?;
        } else if c.gpc && ask.gpc {
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
        ask.ui
            .write()
            .switches
            .push((input.unchecked_into(), c.id.clone()));
        if !c.cookies.is_empty() {
            add(&item, &cookie_table(ask, c)?)?;
        }
        list.append_child(&item)?;
    }
    Ok(list)
}

fn cookie_table(ask: &Ask, c: &crate::config::Category) -> Res<Element> {
    let w = &ask.words;
    let fb = ask.fallback();
    let details = el("details", &[("class", "cst-details")], "")?;
    let mut summary = String::from(w.get("cookies_summary"));
    summary.push_str(" (");
    crate::error::push_num(&mut summary, c.cookies.len() as u64);
    summary.push(')');
    add(&details, &el("summary", &[], &summary)?)?;
    // On a narrow screen the table scrolls sideways inside this box: a named
    // region in the Tab order, so a keyboard can scroll it and a screen
    // reader says whose cookies it holds.
    let label = dom::cat(&[c.title.get(&ask.lang, fb), ": ", w.get("cookies_summary")]);
    let wrap = el(
        "div",
        &[
            ("class", "cst-table-wrap"),
            ("role", "region"),
            ("tabindex", "0"),
            ("aria-label", &label),
        ],
        "",
    )?;
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
        let provider = k.provider.as_ref().map_or("—", |p| p.get(&ask.lang, fb));
        add(&row, &el("td", &[], provider)?)?;
        let purpose = k.purpose.get(&ask.lang, fb);
        add(
            &row,
            &el("td", &[], if purpose.is_empty() { "—" } else { purpose })?,
        )?;
        let duration = k.duration.as_ref().map_or("—", |d| d.get(&ask.lang, fb));
        add(&row, &el("td", &[], duration)?)?;
        tbody.append_child(&row)?;
    }
    append(&table, &[&thead, &tbody])?;
    wrap.append_child(&table)?;
    details.append_child(&wrap)?;
    Ok(details)
}

/// Builds the second layer; it is only built the first time it opens.
fn build_preferences(ask: &Rc<Ask>) -> Res<Element> {
    let w = &ask.words;
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
    own(ask, &close);
    append(&head, &[&title, &close])?;
    let body = el("div", &[("class", "cst-prefs-body")], "")?;
    let text = el(
        "p",
        &[("id", "cst-prefs-text"), ("class", "cst-text")],
        w.get("preferences_text"),
    )?;
    if let Some(url) = &ask.config.policy_url {
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
    if !ask.can_store.get() {
        add(
            &body,
            &el("p", &[("class", "cst-note")], w.get("no_memory"))?,
        )?;
    }
    add(&body, &category_list(ask, "cst-p")?)?;
    let foot = actions(ask, &["reject-all", "accept-all", "save"])?;
    foot.set_attribute("class", "cst-actions cst-prefs-foot")?;
    append(&dialog, &[&head, &body, &foot])?;
    ask.root.append_child(&dialog)?;
    // Escape closes the modal through `cancel`; route it through our close
    // so focus goes back where it came from.
    let weak = Rc::downgrade(ask);
    let on_cancel = Listener::new(&dialog, "cancel", move |e| {
        e.prevent_default();
        if let Some(ask) = weak.upgrade() {
            close_preferences(&ask);
        }
    });
    ask.listeners.write().push(on_cancel);
    ask.ui.write().prefs = Some(dialog.clone());
    Ok(dialog)
}

/// Closes what the ask part shows on screen (the preferences); the gate
/// hides the first layer itself.
pub fn hide(ask: &Ask) {
    close_preferences(ask);
}

/// Opens the second layer as a modal dialog, remembering what had focus.
pub fn open_preferences(ask: &Rc<Ask>, opener: Option<Element>) {
    let existing = ask.ui.read().prefs.clone();
    let Some(prefs) = existing.or_else(|| build_preferences(ask).ok()) else {
        return;
    };
    sync_switches(ask, &prefs);
    let opener = opener.or_else(|| dom::document().ok().and_then(|d| d.active_element()));
    ask.ui.write().opener = opener;
    // Ours, made as a <dialog> by `preferences`.
    let d = prefs.unchecked_into::<HtmlDialogElement>();
    if !d.open() {
        let _ = d.show_modal();
    }
}

/// Closes the second layer and returns focus to where it came from.
pub fn close_preferences(ask: &Ask) {
    let (prefs, opener) = {
        let mut ui = ask.ui.write();
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

/// After a decision: the preferences close, panels and switches show the
/// new record. Focus that was in the preferences (gone now) lands on the
/// reopen control, the way back in, instead of falling to `<body>`.
pub fn after_decision(ask: &Ask) {
    let focus_was_inside = {
        let ui = ask.ui.read();
        let active = dom::document().ok().and_then(|d| d.active_element());
        active.is_some_and(|a| ui.prefs.as_ref().is_some_and(|p| p.contains(Some(&a))))
    };
    if focus_was_inside {
        // The opener may be about to be hidden: focus goes to reopen instead.
        ask.ui.write().opener = None;
    }
    close_preferences(ask);
    refresh(ask);
    if focus_was_inside {
        dom::focus(&ask.reopen);
    }
}

/// After a withdrawal: the preferences close (the gate shows the first
/// layer again) and panels show that nothing is recorded.
pub fn after_reset(ask: &Ask) {
    close_preferences(ask);
    refresh(ask);
}

/// Brings open switches and account panels up to date with the record.
fn refresh(ask: &Ask) {
    let (prefs, panels) = {
        let ui = ask.ui.read();
        (ui.prefs.clone(), ui.panels.clone())
    };
    if let Some(p) = prefs {
        sync_switches(ask, &p);
    }
    for p in panels {
        sync_switches(ask, &p);
        let _ = fill_record(ask, &p);
    }
}

/// Renders the preferences inline in `host` (the account area), with the
/// consent record, a JSON export and a withdraw button.
pub fn mount_panel(ask: &Rc<Ask>, host: &Element) -> Res<()> {
    let w = &ask.words;
    let n = ask.ui.read().panels.len();
    let mut prefix = String::from("cst-a");
    crate::error::push_num(&mut prefix, n as u64);
    let dir = if crate::text::is_rtl(&ask.lang) {
        "rtl"
    } else {
        "ltr"
    };
    let panel = el(
        "section",
        &[
            ("class", "cst cst-panel"),
            ("data-consentry", "panel"),
            ("lang", &ask.lang),
            ("dir", dir),
            ("data-theme", ask.config.theme.name()),
            ("aria-label", w.get("preferences_title")),
        ],
        "",
    )?;
    add(&panel, &category_list(ask, &prefix)?)?;
    // Saving the switches is the panel's main action; the two shortcuts
    // beside it are equal to each other and quieter than it.
    add(
        &panel,
        &actions_styled(
            ask,
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
    let weak = Rc::downgrade(ask);
    let on_click = Listener::new(&panel, "click", move |e| {
        if let Some(ask) = weak.upgrade() {
            on_action(&ask, e);
        }
    });
    ask.listeners.write().push(on_click);
    ask.ui.write().panels.push(panel.clone());
    sync_switches(ask, &panel);
    fill_record(ask, &panel)
}

/// The record part of an account panel: receipt id, dates, export and
/// withdraw.
fn fill_record(ask: &Ask, panel: &Element) -> Res<()> {
    let Some(slot) = panel.query_selector("[data-consentry=\"record\"]")? else {
        return Ok(());
    };
    let w = &ask.words;
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
    let Some(r) = ask.record() else {
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
                let shown = dom::local_date(
                    &value,
                    &ask.lang,
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
        .any(|(id, on)| *on && ask.config.category(id).is_some_and(|c| !c.required));
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
        own(ask, &b);
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
fn export(ask: &Ask) -> Res<()> {
    let Some(r) = ask.record() else { return Ok(()) };
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
    let previous = ask.ui.write().export_url.replace(url);
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
