//! Every `#[wasm_bindgen]` export. The hand-written JS in `src/js/` wraps
//! these into the public `Consentry` object; JSON crosses the boundary as
//! text so that the core stays pure.

use alloc::rc::Rc;
use alloc::{string::String, vec::Vec};

use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

use crate::config::Config;
use crate::consent::Choice;
use crate::error::Error;
use crate::json::Value;
use crate::web::app::App;
use crate::web::dialog;

fn js_error(context: &str, e: &Error) -> JsError {
    let mut m = String::from(context);
    m.push_str(": ");
    m.push_str(&e.message());
    JsError::new(&m)
}

/// An error from the page's side. `context` names the call; start-up
/// passes none, as the JS entry point puts "consentry: " before its errors
/// itself (so no message names consentry twice).
fn page_error(context: &str, e: &JsValue) -> JsError {
    let mut m = String::from(context);
    if !m.is_empty() {
        m.push_str(": ");
    }
    m.push_str(
        &e.as_string()
            .unwrap_or_else(|| "the page refused a DOM operation".into()),
    );
    JsError::new(&m)
}

/// Checks a config without starting anything. `source` names it in errors
/// (`#consentry-config`, `init(config)`); `json` is its JSON text, or
/// undefined for the built-in config.
#[wasm_bindgen(js_name = checkConfig)]
pub fn check_config(json: Option<String>, source: &str) -> Result<(), JsError> {
    config_from(json, source).map(|_| ())
}

/// The built-in config's JSON text (`categories.toml` as compiled): the
/// ledger receipts hash it as the config the visitor saw.
#[wasm_bindgen(js_name = defaultConfig)]
pub fn default_config() -> String {
    crate::DEFAULT_CONFIG.into()
}

fn config_from(json: Option<String>, source: &str) -> Result<Config, JsError> {
    match json {
        Some(text) => Config::from_json(&text).map_err(|e| js_error(source, &e)),
        None => {
            Config::from_json(crate::DEFAULT_CONFIG).map_err(|e| js_error("categories.toml", &e))
        }
    }
}

/// An object of category id to boolean, as set() and adopt() take it.
fn switches(json: &str) -> Result<Vec<(String, bool)>, Error> {
    let Ok(Value::Map(choices)) = crate::json::parse(json) else {
        return Err(Error::new(
            "",
            "expects an object of category ids to true or false",
        ));
    };
    let mut out = Vec::with_capacity(choices.len());
    for (id, v) in choices {
        match v {
            Value::Bool(b) => out.push((id, b)),
            other => return Err(Error::new(id, "expected true or false").got(other.kind())),
        }
    }
    Ok(out)
}

/// Starts consentry on this page: reads the config and the stored
/// decision. Nothing on the page changes until `begin()`.
#[wasm_bindgen]
pub fn start(json: Option<String>, source: &str) -> Result<Consentry, JsError> {
    // The page's own config block is read here, whatever element the entry
    // script found under that id.
    let json = if source == "#consentry-config" {
        crate::web::dom::inline_config()
    } else {
        json
    };
    let config = config_from(json, source)?;
    let app = App::start(config).map_err(|e| page_error("", &e))?;
    Ok(Consentry { app })
}

/// The running consent manager. JS code uses it through the `Consentry`
/// object that `init()` returns.
#[wasm_bindgen]
pub struct Consentry {
    app: Rc<App>,
}

#[wasm_bindgen]
impl Consentry {
    /// Runs what is allowed, watches for gated markup and shows the dialog.
    /// Called once, right after the JS API holds this object.
    pub fn begin(&self) -> Result<(), JsError> {
        self.app.begin().map_err(|e| page_error("", &e))
    }

    /// The current record as JSON text, or undefined before a decision.
    pub fn get(&self) -> Option<String> {
        self.app.record().map(|r| r.to_json())
    }

    /// Whether the category is allowed now. Unknown ids are not.
    pub fn allowed(&self, id: &str) -> bool {
        self.app.allowed(id)
    }

    #[wasm_bindgen(js_name = acceptAll)]
    pub fn accept_all(&self) -> Result<(), JsError> {
        self.app
            .decide(Choice::AcceptAll)
            .map_err(|e| js_error("acceptAll()", &e))
    }

    #[wasm_bindgen(js_name = rejectAll)]
    pub fn reject_all(&self) -> Result<(), JsError> {
        self.app
            .decide(Choice::RejectAll)
            .map_err(|e| js_error("rejectAll()", &e))
    }

    /// Sets some categories; `json` is an object of category id to boolean.
    pub fn set(&self, json: &str) -> Result<(), JsError> {
        let out = switches(json).map_err(|e| js_error("set()", &e))?;
        self.app
            .decide(Choice::Custom(out))
            .map_err(|e| js_error("set()", &e))
    }

    /// Internal, for consentry-ledger.js (never on the public object):
    /// applies the visitor's account's decision (its `categories` as JSON,
    /// its `updated` in seconds) with method "account", checked like set().
    pub fn adopt(&self, json: &str, updated: f64) -> Result<(), JsError> {
        let out = switches(json).map_err(|e| js_error("account", &e))?;
        // `as` saturates: NaN and negatives become 0, huge values u64::MAX.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let at = updated as u64;
        self.app
            .decide(Choice::Account(out, at))
            .map_err(|e| js_error("account", &e))
    }

    pub fn show(&self) {
        dialog::close_preferences(&self.app);
        dialog::show_banner(&self.app);
    }

    #[wasm_bindgen(js_name = showPreferences)]
    pub fn show_preferences(&self) {
        dialog::open_preferences(&self.app, None);
    }

    pub fn hide(&self) {
        dialog::hide(&self.app);
        if self.app.record().is_some() {
            dialog::show_reopen(&self.app);
        }
    }

    pub fn reset(&self) {
        self.app.reset();
    }

    #[wasm_bindgen(js_name = mountPreferences)]
    pub fn mount_preferences(&self, el: &HtmlElement) -> Result<(), JsError> {
        dialog::mount_panel(&self.app, el).map_err(|e| page_error("mountPreferences()", &e))
    }
}
