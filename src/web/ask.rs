//! The ask part's controller: the state the dialog reads (config, words,
//! the record as the gate last applied it) and the one way its controls
//! act, by sending a typed action to the gate. The gate decides, stores
//! and announces; it then tells this part what changed (`crate::ask`).

use alloc::rc::{Rc, Weak};
use alloc::{string::String, vec::Vec};
use core::cell::{Cell, RefCell};

use wasm_bindgen::JsValue;
use web_sys::Element;

use super::dialog;
use super::dom::Shared;
use super::listen::Listener;
use crate::config::Config;
use crate::consent::Record;
use crate::text::Words;

/// What the dialog's controls ask the gate to do.
pub enum Action {
    AcceptAll,
    RejectAll,
    /// The switches of a preferences layer or panel, by category id.
    Save(Vec<(String, bool)>),
    Withdraw,
}

pub struct Ask {
    pub config: Config,
    pub lang: String,
    pub words: Words,
    pub gpc: bool,
    pub can_store: Cell<bool>,
    record: RefCell<Option<Record>>,
    pub ui: RefCell<dialog::Ui>,
    pub listeners: RefCell<Vec<Listener>>,
    /// The gate's dialog root and reopen control.
    pub root: Element,
    pub reopen: Element,
    /// `send(action, json)`: the gate's dispatcher (`src/js/core.js`).
    send: js_sys::Function,
    me: Weak<Ask>,
}

impl Ask {
    pub fn new(
        config: Config,
        lang: String,
        gpc: bool,
        root: Element,
        reopen: Element,
        send: js_sys::Function,
    ) -> Rc<Ask> {
        let words = Words::for_lang(&lang, &config);
        Rc::new_cyclic(|me| Ask {
            config,
            lang,
            words,
            gpc,
            can_store: Cell::new(true),
            record: RefCell::new(None),
            ui: RefCell::new(dialog::Ui::default()),
            listeners: RefCell::new(Vec::new()),
            root,
            reopen,
            send,
            me: me.clone(),
        })
    }

    pub fn rc(&self) -> Option<Rc<Ask>> {
        self.me.upgrade()
    }

    /// The first configured language, used when a text lacks the current one.
    pub fn fallback(&self) -> &str {
        self.config.languages.first().map_or("en", |s| s.as_str())
    }

    pub fn record(&self) -> Option<Record> {
        self.record.read().clone()
    }

    /// Takes the record the gate holds now.
    pub fn set_record(&self, record: Option<Record>) {
        *self.record.write() = record;
    }

    /// Sends `action` to the gate, which applies it and then calls back
    /// (so no borrow may be held here).
    pub fn act(&self, action: Action) {
        let (name, json) = match action {
            Action::AcceptAll => ("accept-all", None),
            Action::RejectAll => ("reject-all", None),
            Action::Withdraw => ("withdraw", None),
            Action::Save(choices) => {
                let mut j = String::from("{");
                for (i, (id, on)) in choices.iter().enumerate() {
                    if i > 0 {
                        j.push(',');
                    }
                    crate::json::push_str(&mut j, id);
                    j.push_str(if *on { ":true" } else { ":false" });
                }
                j.push('}');
                ("save", Some(j))
            }
        };
        let json = json.map_or(JsValue::UNDEFINED, JsValue::from);
        super::dom::swallow!(
            "consentry: the decision was not applied",
            self.send
                .call2(&JsValue::NULL, &JsValue::from_str(name), &json),
        );
    }
}
