//! Every `#[wasm_bindgen]` export of the gate. The hand-written JS in
//! `src/js/` wraps these into the public `Consentry` object; JSON crosses
//! the boundary as text so that the core stays pure. The ask part's
//! exports are in `crate::ask`.

use alloc::rc::Rc;
use alloc::{string::String, vec::Vec};

use wasm_bindgen::prelude::*;
use web_sys::Element;

use crate::config::Config;
use crate::consent::Choice;
use crate::error::Error;
use crate::json::Value;
use crate::web::app::App;
use crate::web::dom::Shared;
use crate::web::frame;

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

/// The config from its JSON text (`source` names it in errors:
/// `#consentry-config`, `init(config)`), or the built-in one.
fn config_from(json: Option<String>, source: &str) -> Result<Config, JsError> {
    match json {
        Some(text) => Config::from_json(&text).map_err(|e| js_error(source, &e)),
        None => Config::from_json(crate::GATE_CONFIG).map_err(|e| js_error("categories.toml", &e)),
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
/// decision. Nothing on the page changes until `begin()`. `hook(what,
/// opener)` is how the gate asks for the ask part (`web::frame::Ask`).
#[wasm_bindgen]
pub fn start(
    json: Option<String>,
    source: &str,
    hook: js_sys::Function,
) -> Result<Consentry, JsError> {
    // Debug builds: a panic's message and place reach the console.
    #[cfg(feature = "panic-hook")]
    console_error_panic_hook::set_once();
    // The page's own config block is read here, whatever element the entry
    // script found under that id.
    let json = if source == "#consentry-config" {
        crate::web::dom::inline_config()
    } else {
        json
    };
    let config = config_from(json.clone(), source)?;
    let app = App::start(config, hook).map_err(|e| page_error("", &e))?;
    Ok(Consentry { app, json })
}

/// The running consent manager. JS code uses it through the `Consentry`
/// object that `init()` returns.
#[wasm_bindgen]
pub struct Consentry {
    app: Rc<App>,
    /// The config's JSON text as read (None: the built-in one), for the
    /// ask part, which reads it again rather than carrying its own copy.
    json: Option<String>,
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

    pub fn reset(&self) {
        self.app.reset();
    }

    /// The first layer (the ask part closes the preferences).
    pub fn show(&self) {
        frame::ask(&self.app.hook, frame::Ask::Close, None);
        frame::show_banner(&self.app);
    }

    /// Hides both layers; the reopen control shows after a decision.
    pub fn hide(&self) {
        frame::ask(&self.app.hook, frame::Ask::Close, None);
        frame::hide_banner(&self.app);
    }

    /// The current record in the cookie's encoding (undefined before a
    /// decision), for the ask part, which reads it with the same rules.
    pub fn stored(&self) -> Option<String> {
        self.app
            .record()
            .map(|r| crate::cookie::encode(&r, &self.app.config))
    }

    /// The config's JSON text, for the ask part; undefined for the
    /// built-in one, which the ask part carries in full itself.
    pub fn config(&self) -> Option<String> {
        self.json.clone()
    }

    /// The language the dialog speaks on this page.
    pub fn lang(&self) -> String {
        self.app.lang.clone()
    }

    /// Whether the browser sends Global Privacy Control.
    pub fn gpc(&self) -> bool {
        self.app.gpc
    }

    /// False when the browser refuses the consent cookie.
    #[wasm_bindgen(js_name = canStore)]
    pub fn can_store(&self) -> bool {
        self.app.can_store.get()
    }

    /// The dialog's root, where the ask part puts its layers.
    pub fn root(&self) -> Option<Element> {
        self.app.frame.read().root.clone()
    }

    /// The reopen control: focus goes there after a decision.
    pub fn reopen(&self) -> Option<Element> {
        self.app.frame.read().reopen.clone()
    }
}

/// Measurement only (`npm run deps`): the record handed to JS as an object
/// through serde-wasm-bindgen instead of JSON text.
#[cfg(feature = "dep-serde-wasm-bindgen")]
#[wasm_bindgen]
impl Consentry {
    #[wasm_bindgen(js_name = getObject)]
    pub fn get_object(&self) -> Result<JsValue, JsError> {
        match self.app.record() {
            Some(r) => serde_wasm_bindgen::to_value(&crate::deps::RecordOut::of(&r))
                .map_err(|e| JsError::new(&e.to_string())),
            None => Ok(JsValue::UNDEFINED),
        }
    }
}
