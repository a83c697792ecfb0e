//! Every `#[wasm_bindgen]` export of the ask part: the preferences and
//! account panels, fetched at the first "Preferences" (docs/architecture.md). The JS entry (`src/js/core.js`) makes one `Ask`
//! from what the gate tells it and keeps it in step with the gate.

use alloc::rc::Rc;
use alloc::string::String;

use wasm_bindgen::prelude::*;
use web_sys::Element;

use crate::config::Config;
use crate::web::ask;
use crate::web::dialog;

/// The built-in config's JSON text (`categories.toml` as compiled): the
/// ledger receipts hash it as the config the visitor saw. In the ask part,
/// as the gate carries only its own copy (`crate::GATE_CONFIG`).
#[wasm_bindgen(js_name = defaultConfig)]
pub fn default_config() -> String {
    crate::DEFAULT_CONFIG.into()
}

/// The ask part on this page.
#[wasm_bindgen]
pub struct Ask {
    ask: Rc<ask::Ask>,
}

#[wasm_bindgen]
impl Ask {
    /// `json` is the config text the gate read (and checked), or undefined
    /// for the built-in one; `send(action, json)` is the gate's dispatcher.
    #[wasm_bindgen(constructor)]
    pub fn new(
        json: Option<String>,
        lang: String,
        gpc: bool,
        root: Element,
        reopen: Element,
        send: js_sys::Function,
    ) -> Result<Ask, JsError> {
        let text = json.as_deref().unwrap_or(crate::DEFAULT_CONFIG);
        let config = Config::from_json(text).map_err(|e| JsError::new(&e.message()))?;
        let ask = ask::Ask::new(config, lang, gpc, root, reopen, send);
        dialog::mount(&ask);
        Ok(Ask { ask })
    }

    /// Takes the gate's record (`stored()`: the cookie's encoding, or
    /// undefined before a decision) and whether the browser keeps the
    /// consent cookie.
    pub fn sync(&self, record: Option<String>, can_store: bool) {
        let now = crate::web::dom::now_secs();
        let record = record.and_then(|v| crate::cookie::decode(&v, &self.ask.config, now));
        self.ask.set_record(record);
        self.ask.can_store.set(can_store);
    }

    pub fn preferences(&self, opener: Option<Element>) {
        dialog::open_preferences(&self.ask, opener);
    }

    pub fn decided(&self) {
        dialog::after_decision(&self.ask);
    }

    pub fn withdrawn(&self) {
        dialog::after_reset(&self.ask);
    }

    pub fn hide(&self) {
        dialog::hide(&self.ask);
    }

    pub fn mount(&self, el: &Element) -> Result<(), JsError> {
        dialog::mount_panel(&self.ask, el).map_err(|e| {
            let mut m = String::from("mountPreferences(): ");
            m.push_str(
                &e.as_string()
                    .unwrap_or_else(|| "the page refused a DOM operation".into()),
            );
            JsError::new(&m)
        })
    }
}
