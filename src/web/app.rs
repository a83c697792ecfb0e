//! The controller: one consent manager on one page. It owns the config, the
//! current record and the page-side state, and turns each decision into its
//! effects in a fixed order: cookie, clean-up, UI, event, Consent Mode,
//! gated markup.
//!
//! No `RefCell` borrow is ever held while calling out to the page: events,
//! inline scripts and focus changes can call straight back into the API.

use alloc::collections::VecDeque;
use alloc::rc::{Rc, Weak};
use alloc::{string::String, vec::Vec};
use core::cell::{Cell, RefCell};

use super::listen::Listener;
use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use web_sys::{CustomEvent, CustomEventInit, Element};

use super::dom::{self, Res, Shared};
use super::{blocker, dialog, gtag, jar, sync};
use crate::config::Config;
use crate::consent::{self, Choice, Moment, Record};
use crate::error::Error;
use crate::text::{self, Words};

pub struct App {
    pub config: Config,
    pub lang: String,
    pub words: Words,
    /// Whether the browser sends Global Privacy Control.
    pub gpc: bool,
    record: RefCell<Option<Record>>,
    /// False when the browser refuses our cookie: choices last a page view.
    pub can_store: Cell<bool>,
    pub ui: RefCell<dialog::Ui>,
    pub listeners: RefCell<Vec<Listener>>,
    pub queue: RefCell<VecDeque<Element>>,
    pub running: Cell<bool>,
    pub waiting: RefCell<Vec<Listener>>,
    /// The external script being fetched (its live copy, its gated original).
    pub flight: RefCell<Option<(Element, Element)>>,
    /// The Trusted Types policy for inline gated scripts, made on first use.
    pub tt_policy: core::cell::OnceCell<Option<JsValue>>,
    observer: RefCell<Option<blocker::Observer>>,
    /// Embeds, images and media given their sources, for `blocker::conceal`.
    pub shown: RefCell<Vec<blocker::Shown>>,
    me: Weak<App>,
}

impl App {
    /// Starts consentry on this page with a validated config.
    pub fn start(config: Config) -> Res<Rc<App>> {
        let window = dom::window()?;
        let document = dom::document()?;
        let page_lang = document
            .document_element()
            .and_then(|e| e.get_attribute("lang"));
        let navigator = window.navigator();
        let browser: Vec<String> = navigator
            .languages()
            .iter()
            .filter_map(|v| v.as_string())
            .collect();
        let lang = text::pick_language(page_lang.as_deref(), &browser, &config.languages);
        let gpc = Reflect::get(&navigator, &JsValue::from_str("globalPrivacyControl"))
            .map(|v| v.is_truthy())
            .unwrap_or(false);
        let record = jar::load(&config);
        let words = Words::for_lang(&lang, &config);
        let app = Rc::new_cyclic(|me| App {
            config,
            lang,
            words,
            gpc,
            record: RefCell::new(record.clone()),
            // A cookie we just read proves the jar works: no probe needed.
            can_store: Cell::new(record.is_some() || jar::usable()),
            ui: RefCell::new(dialog::Ui::default()),
            listeners: RefCell::new(Vec::new()),
            queue: RefCell::new(VecDeque::new()),
            running: Cell::new(false),
            waiting: RefCell::new(Vec::new()),
            flight: RefCell::new(None),
            tt_policy: core::cell::OnceCell::new(),
            observer: RefCell::new(None),
            shown: RefCell::new(Vec::new()),
            me: me.clone(),
        });
        if let Some(r) = &record {
            // Before gtag.js can load, so it reads the stored choice first.
            gtag::update(&app.config, Some(r));
        }
        Ok(app)
    }

    /// Puts the started app to work on the page. Separate from `start` so
    /// that the JS API is live first: a gated inline script that runs in the
    /// sweep below may already ask `Consentry.allowed()` or `get()`.
    pub fn begin(self: &Rc<Self>) -> Res<()> {
        let record = self.record();
        // Allowed scripts of a returning visitor start before any UI work.
        if let Some(root) = dom::document()?.document_element() {
            blocker::sweep(self, &root);
        }
        if let Some(r) = &record {
            // A refused category stays refused on every page: what its
            // scripts set elsewhere (another path, a server) goes here too.
            // Nothing refused runs, so this can wait until after the sweep.
            jar::clean(&consent::refused(&self.config, r));
        }
        *self.observer.write() = Some(blocker::observe(self)?);
        dialog::mount(self)?;
        if record.is_some() {
            dialog::show_reopen(self);
        } else {
            dialog::show_banner(self);
        }
        // Other tabs' decisions matter only after this page is up.
        sync::listen(self);
        Ok(())
    }

    pub fn rc(&self) -> Option<Rc<App>> {
        self.me.upgrade()
    }

    /// The first configured language, used when a text lacks the current one.
    pub fn fallback(&self) -> &str {
        self.config.languages.first().map_or("en", |s| s.as_str())
    }

    pub fn record(&self) -> Option<Record> {
        self.record.read().clone()
    }

    /// Replaces the record with one another tab stored (see `sync`).
    pub fn adopt(&self, record: Option<Record>) {
        *self.record.write() = record;
    }

    /// Required categories are allowed even before a decision: they need
    /// no consent (and their gated markup runs straight away).
    pub fn allowed(&self, id: &str) -> bool {
        match self.record.read().as_ref() {
            Some(r) => r.allowed(id),
            // Before a decision only what cannot be refused is allowed.
            None => self.config.category(id).is_some_and(|c| c.required),
        }
    }

    /// Applies a decision and all its effects.
    pub fn decide(&self, choice: Choice) -> Result<(), Error> {
        let previous = self.record();
        let at = Moment {
            now: dom::now_secs(),
            fresh_id: fresh_id(),
            gpc: self.gpc,
        };
        let record = consent::decide(&self.config, previous.as_ref(), &choice, &at)?;
        self.can_store.set(jar::store(&self.config, &record));
        sync::announce(self);
        jar::clean(&consent::refused(&self.config, &record));
        *self.record.write() = Some(record.clone());
        let Some(app) = self.rc() else { return Ok(()) };
        dialog::after_decision(&app);
        dispatch("consentry:change", Some(&record));
        gtag::update(&self.config, Some(&record));
        // Scripts that ran cannot be unloaded: a site that wants a clean
        // page after taking consent back gets a reload.
        if self.config.reload_on_withdraw && consent::withdraws(previous.as_ref(), &record) {
            if let Ok(w) = dom::window() {
                let _ = w.location().reload();
                return Ok(());
            }
        }
        blocker::conceal(&app);
        if let Some(root) = dom::document().ok().and_then(|d| d.document_element()) {
            blocker::sweep(&app, &root);
        }
        Ok(())
    }

    /// Withdraws: forgets the decision, deletes the consent cookie and the
    /// declared cookies of every optional category, and asks again.
    pub fn reset(&self) {
        *self.record.write() = None;
        jar::forget(&self.config);
        sync::announce(self);
        let optional: Vec<_> = self
            .config
            .categories
            .iter()
            .filter(|c| !c.required)
            .collect();
        jar::clean(&optional);
        // Listeners hear of it before a reload, like a decision's change.
        dispatch("consentry:reset", None);
        gtag::update(&self.config, None);
        if self.config.reload_on_withdraw {
            if let Ok(w) = dom::window() {
                let _ = w.location().reload();
                return;
            }
        }
        if let Some(app) = self.rc() {
            blocker::conceal(&app);
            dialog::after_reset(&app);
        }
    }
}

/// A random 16-character receipt id from the browser's CSPRNG.
fn fresh_id() -> String {
    let mut bytes = [0u8; 12];
    if let Ok(c) = dom::window().and_then(|w| w.crypto()) {
        let _ = c.get_random_values_with_u8_array(&mut bytes);
    }
    consent::id_from_bytes(&bytes)
}

/// Fires `name` on `window` with the record (as a plain object) as detail,
/// or null without one (`consentry:reset`).
pub fn dispatch(name: &str, record: Option<&Record>) {
    let detail = record
        .and_then(|r| js_sys::JSON::parse(&r.to_json()).ok())
        .unwrap_or(JsValue::NULL);
    let init = CustomEventInit::new();
    init.set_detail(&detail);
    if let (Ok(w), Ok(e)) = (
        dom::window(),
        CustomEvent::new_with_event_init_dict(name, &init),
    ) {
        let _ = w.dispatch_event(&e);
    }
}
