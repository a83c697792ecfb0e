//! The controller: one consent manager on one page. It owns the config, the
//! current record and the page-side state, and turns each decision into its
//! effects in a fixed order: cookie, clean-up, UI, event, Consent Mode,
//! gated markup.
//!
//! No `RefCell` borrow is ever held while calling out to the page: events,
//! inline scripts and focus changes can call straight back into the API.

use alloc::rc::{Rc, Weak};
use alloc::{string::String, vec::Vec};
use core::cell::{Cell, RefCell};

use super::listen::Listener;
use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use web_sys::{CustomEvent, CustomEventInit, Element};

use super::dom::{self, Res, Shared};
use super::frame::{self, Frame};
use super::{blocker, gtag, jar, sync};
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
    /// The root, the reopen control and the live region (see `frame`).
    pub frame: RefCell<Frame>,
    /// The JS entry's hook to the ask part (`frame::ask`).
    pub hook: js_sys::Function,
    pub listeners: RefCell<Vec<Listener>>,
    /// Allowed scripts waiting to run, first in first out. Short: a `Vec`
    /// costs less to ship than a `VecDeque`.
    pub queue: RefCell<Vec<Element>>,
    pub running: Cell<bool>,
    pub waiting: RefCell<Vec<Listener>>,
    /// The external script being fetched (its live copy, its gated original).
    pub flight: RefCell<Option<(Element, Element)>>,
    /// The Trusted Types policy for inline gated scripts, made on first use.
    pub tt_policy: core::cell::OnceCell<Option<JsValue>>,
    observer: RefCell<Option<blocker::Observer>>,
    /// Embeds, images and media given their sources, for `blocker::conceal`.
    pub shown: RefCell<Vec<blocker::Shown>>,
    /// The tab-sync channel (see `sync`). One object both posts and
    /// listens, so a tab never hears its own nudges.
    pub channel: Option<web_sys::BroadcastChannel>,
    me: Weak<App>,
}

impl App {
    /// Starts consentry on this page with a validated config.
    pub fn start(config: Config, hook: js_sys::Function) -> Res<Rc<App>> {
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
        let record = jar::load(&config, gpc);
        let words = Words::for_lang(&lang, &config);
        let app = Rc::new_cyclic(|me| App {
            config,
            lang,
            words,
            gpc,
            record: RefCell::new(record.clone()),
            // A cookie we just read proves the jar works: no probe needed.
            can_store: Cell::new(record.is_some() || jar::usable()),
            frame: RefCell::new(Frame::default()),
            hook,
            listeners: RefCell::new(Vec::new()),
            queue: RefCell::new(Vec::new()),
            running: Cell::new(false),
            waiting: RefCell::new(Vec::new()),
            flight: RefCell::new(None),
            tt_policy: core::cell::OnceCell::new(),
            observer: RefCell::new(None),
            shown: RefCell::new(Vec::new()),
            channel: sync::open(),
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
        self.apply(record.clone(), Origin::Start);
        *self.observer.write() = Some(blocker::observe(self)?);
        let adopted = frame::mount(self)?;
        if record.is_some() {
            frame::show_reopen(self, true);
        } else {
            frame::show_banner(self);
        }
        // A click on the pre-rendered banner before the gate was ready.
        match super::adopt::settle(adopted).as_deref() {
            Some("accept-all") => frame::act(self, Choice::AcceptAll),
            Some("reject-all") => frame::act(self, Choice::RejectAll),
            Some("open-preferences") => {
                let opener = self.frame.read().banner.as_ref().and_then(|b| {
                    b.query_selector("[data-consentry-action=\"open-preferences\"]")
                        .ok()
                        .flatten()
                });
                frame::ask(&self.hook, frame::Ask::Preferences, opener.as_ref());
            }
            _ => {}
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

    /// Required categories are allowed even before a decision: they need
    /// no consent (and their gated markup runs straight away).
    pub fn allowed(&self, id: &str) -> bool {
        match self.record.read().as_ref() {
            Some(r) => r.allowed(id),
            // Before a decision only what cannot be refused is allowed.
            None => self.config.category(id).is_some_and(|c| c.required),
        }
    }

    /// Applies a decision made here, or (`Choice::Account`) the account's
    /// decision from another device; both are checked the same way.
    pub fn decide(&self, choice: Choice) -> Result<(), Error> {
        let at = Moment {
            now: dom::now_secs(),
            fresh_id: fresh_id(),
            gpc: self.gpc,
        };
        let record = consent::decide(&self.config, self.record().as_ref(), &choice, &at)?;
        self.apply(Some(record), Origin::Page);
        Ok(())
    }

    /// Withdraws: forgets the decision, deletes the consent cookie and the
    /// declared cookies of every optional category, and asks again.
    pub fn reset(&self) {
        self.apply(None, Origin::Page);
    }

    /// The one way a record (or its absence, a withdrawal) reaches the
    /// page. `origin` decides only whether the cookie is written and the
    /// other tabs told (a decision here), and whether an unchanged record
    /// still needs its effects (start-up: yes; another tab: no). The
    /// effects and their order are the same for all: consent cookie,
    /// clean-up of what is refused, embeds taken back, dialog, event,
    /// Consent Mode, then a reload (`reload_on_withdraw`) or gated markup.
    pub fn apply(&self, next: Option<Record>, origin: Origin) {
        let previous = core::mem::replace(&mut *self.record.write(), next.clone());
        let changed = origin == Origin::Page || previous != next;
        if origin == Origin::Page {
            match &next {
                Some(r) => self.can_store.set(jar::store(&self.config, r)),
                None => jar::forget(&self.config),
            }
            sync::announce(self);
        } else if origin == Origin::Tab && !changed {
            return;
        }
        let Some(app) = self.rc() else { return };
        let refused = consent::refused(&self.config, next.as_ref());
        if changed {
            // Listeners hear of a change once what it refuses is gone.
            jar::clean(&refused);
            blocker::conceal(&app);
            match &next {
                Some(_) => frame::after_decision(&app),
                None => frame::after_reset(&app),
            }
            match &next {
                Some(r) => dispatch("consentry:change", Some(r)),
                None => dispatch("consentry:reset", None),
            }
            gtag::update(&self.config, next.as_ref());
            // Scripts that ran cannot be unloaded: a site that wants a
            // clean page after taking consent back gets a reload.
            if self.config.reload_on_withdraw
                && consent::withdraws(&self.config, previous.as_ref(), next.as_ref())
            {
                if let Ok(w) = dom::window() {
                    dom::swallow!("consentry: reload refused", w.location().reload());
                    return;
                }
            }
        }
        // Before a decision, start-up still runs what needs no consent.
        if next.is_some() || origin == Origin::Start {
            if let Some(root) = dom::document().ok().and_then(|d| d.document_element()) {
                blocker::sweep(&app, &root);
            }
        }
        if !changed && next.is_some() {
            // A refused category stays refused on every page: what its
            // scripts set elsewhere (another path, a server) goes here too.
            // Nothing refused runs, so at start-up this waits until the
            // allowed scripts are on their way. Before any decision nothing
            // is refused yet: cookies from before consentry stay.
            jar::clean(&refused);
        }
    }
}

/// Where a record comes from (see [`App::apply`]).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A decision or withdrawal made on this page: stored and announced.
    Page,
    /// Read from the jar after another tab (or another site sharing the
    /// cookie) changed it: already stored, and nothing new when equal to
    /// what this page holds.
    Tab,
    /// Read from the jar at start-up.
    Start,
}

/// A random 16-character receipt id from the browser's CSPRNG.
fn fresh_id() -> String {
    let mut bytes = [0u8; 12];
    if let Ok(c) = dom::window().and_then(|w| w.crypto()) {
        dom::swallow!(
            "consentry: no random bytes",
            c.get_random_values_with_u8_array(&mut bytes),
        );
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
        dom::swallow!("consentry: event not dispatched", w.dispatch_event(&e));
    }
}
