//! The web layer in a real browser (wasm-bindgen-test in headless Chromium):
//! the cookie jar, the controller's effects, gated markup and the dialog.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use consentry::config::Config;
use consentry::consent::Choice;
use consentry::web::app::App;
use consentry::web::ask::Ask;
use consentry::web::{dialog, jar};
use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Document, Element, HtmlDocument};

wasm_bindgen_test_configure!(run_in_browser);

const CONFIG: &str = r#"{"revision":4,"languages":["en","ru"],"categories":[
  {"id":"security","title":"Security","required":true},
  {"id":"analytics","title":{"en":"Analytics","ru":"Аналитика"},
   "cookies":[{"name":"_ga"},{"name":"_ga_*"}],"storage":["ga_*"]},
  {"id":"marketing","title":"Marketing","gpc":true}]}"#;

fn doc() -> Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("document")
}

fn cookies() -> String {
    doc()
        .dyn_into::<HtmlDocument>()
        .ok()
        .and_then(|d| d.cookie().ok())
        .unwrap_or_default()
}

fn set_cookie(s: &str) {
    if let Ok(d) = doc().dyn_into::<HtmlDocument>() {
        d.set_cookie(s).expect("cookie");
    }
}

fn config() -> Config {
    Config::from_json(CONFIG)
        .map_err(|e| e.message())
        .expect("config")
}

/// A clean page: no consentry nodes, no cookies, no test markup.
fn clean() {
    let d = doc();
    if let Ok(list) = d.query_selector_all("[data-consentry],[data-test]") {
        for i in 0..list.length() {
            if let Some(e) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                e.remove();
            }
        }
    }
    for name in consentry::cookie::names(&cookies())
        .map(str::to_owned)
        .collect::<Vec<_>>()
    {
        set_cookie(&[name.as_str(), "=; Max-Age=0; Path=/"].concat());
    }
    let _ = Reflect::delete_property(&js_sys::global().into(), &"__ran".into());
}

fn ran() -> Vec<String> {
    Reflect::get(&js_sys::global(), &"__ran".into())
        .ok()
        .filter(|v| v.is_object())
        .map(|v| {
            js_sys::Array::from(&v)
                .iter()
                .filter_map(|x| x.as_string())
                .collect()
        })
        .unwrap_or_default()
}

fn gated(category: &str, code: &str) -> Element {
    let s = doc().create_element("script").expect("script");
    s.set_attribute("type", "text/plain").expect("attr");
    s.set_attribute("data-category", category).expect("attr");
    s.set_attribute("data-test", "").expect("attr");
    s.set_text_content(Some(code));
    s
}

fn visible(selector: &str) -> bool {
    doc()
        .query_selector(selector)
        .ok()
        .flatten()
        .is_some_and(|e| {
            let open = !e.tag_name().eq_ignore_ascii_case("dialog") || e.has_attribute("open");
            open && e.closest("[hidden]").ok().flatten().is_none()
        })
}

async fn tick() {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .expect("window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 30);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}

thread_local! {
    /// The app under test and its ask part, made on the gate's first call
    /// the way src/js/core.js makes it.
    static APP: RefCell<Weak<App>> = RefCell::new(Weak::new());
    static ASK: RefCell<Option<Rc<Ask>>> = const { RefCell::new(None) };
}

/// The ask part for `app`, made on first use and given the gate's record.
fn ask(app: &Rc<App>) -> Rc<Ask> {
    let made = ASK.with(|a| a.borrow().clone());
    let ask = made.unwrap_or_else(|| {
        let weak = Rc::downgrade(app);
        let send = Closure::<dyn Fn(String, Option<String>)>::new(
            move |action: String, json: Option<String>| {
                let Some(app) = weak.upgrade() else { return };
                let _ = match action.as_str() {
                    "accept-all" => app.decide(Choice::AcceptAll),
                    "reject-all" => app.decide(Choice::RejectAll),
                    "save" => {
                        let v = consentry::json::parse(&json.unwrap_or_default()).expect("choices");
                        let consentry::json::Value::Map(m) = v else {
                            panic!("choices")
                        };
                        let c = m
                            .into_iter()
                            .map(|(k, v)| (k, v == consentry::json::Value::Bool(true)))
                            .collect();
                        app.decide(Choice::Custom(c))
                    }
                    _ => {
                        app.reset();
                        Ok(())
                    }
                };
            },
        );
        let frame = app.frame.borrow();
        let a = Ask::new(
            app.config.clone(),
            app.lang.clone(),
            app.gpc,
            frame.root.clone().expect("root"),
            frame.reopen.clone().expect("reopen"),
            send.into_js_value().unchecked_into(),
        );
        dialog::mount(&a);
        ASK.with(|s| *s.borrow_mut() = Some(a.clone()));
        a
    });
    ask.set_record(app.record());
    ask.can_store.set(app.can_store.get());
    ask
}

/// The gate's hook (src/web/frame.rs), answered here as core.js answers it.
fn hook() -> js_sys::Function {
    Closure::<dyn Fn(u32, JsValue)>::new(|what: u32, opener: JsValue| {
        let Some(app) = APP.with(|a| a.borrow().upgrade()) else {
            return;
        };
        // Only "open the preferences" needs the part; the rest concern
        // what it shows (src/js/core.js does the same).
        if what != 1 && ASK.with(|a| a.borrow().is_none()) {
            return;
        }
        let a = ask(&app);
        match what {
            1 => dialog::open_preferences(&a, opener.dyn_into().ok()),
            2 => dialog::after_decision(&a),
            3 => dialog::after_reset(&a),
            _ => dialog::hide(&a),
        }
    })
    .into_js_value()
    .unchecked_into()
}

fn start() -> Rc<App> {
    ASK.with(|a| *a.borrow_mut() = None);
    let app = App::start(config(), hook())
        .map_err(|e| format!("{e:?}"))
        .expect("start");
    APP.with(|a| *a.borrow_mut() = Rc::downgrade(&app));
    app.begin().map_err(|e| format!("{e:?}")).expect("begin");
    app
}

#[wasm_bindgen_test]
fn first_visit_shows_the_banner_and_runs_nothing() {
    clean();
    let body = doc().body().expect("body");
    body.append_child(&gated(
        "analytics",
        "(window.__ran=window.__ran||[]).push('a')",
    ))
    .expect("append");
    let app = start();
    assert!(app.record().is_none());
    assert!(visible("[data-consentry=\"banner\"]"));
    assert!(!visible("[data-consentry=\"reopen\"]"));
    assert!(ran().is_empty());
    for action in ["accept-all", "reject-all", "open-preferences"] {
        let sel = [
            "[data-consentry=\"banner\"] [data-consentry-action=\"",
            action,
            "\"]",
        ]
        .concat();
        assert!(visible(&sel), "{action} button");
    }
}

#[wasm_bindgen_test]
async fn accept_all_stores_the_cookie_and_runs_gated_scripts_in_order() {
    clean();
    let body = doc().body().expect("body");
    body.append_child(&gated(
        "analytics",
        "(window.__ran=window.__ran||[]).push('one')",
    ))
    .expect("append");
    body.append_child(&gated(
        "marketing",
        "(window.__ran=window.__ran||[]).push('ads')",
    ))
    .expect("append");
    body.append_child(&gated(
        "analytics",
        "(window.__ran=window.__ran||[]).push('two')",
    ))
    .expect("append");
    let app = start();
    let seen = Rc::new(std::cell::Cell::new(0));
    let counter = seen.clone();
    let listener = consentry::web::listen::Listener::new(
        &web_sys::window().expect("window"),
        "consentry:change",
        move |_| {
            counter.set(counter.get() + 1);
        },
    );
    app.decide(Choice::AcceptAll)
        .map_err(|e| e.message())
        .expect("decide");
    assert_eq!(ran(), vec!["one", "ads", "two"]);
    assert_eq!(seen.get(), 1, "one change event per decision");
    assert!(cookies().contains("consentry=c1.4."), "{}", cookies());
    assert!(!visible("[data-consentry=\"banner\"]"));
    assert!(visible("[data-consentry=\"reopen\"]"));
    // Markup inserted after the decision runs too, once.
    body.append_child(&gated(
        "analytics",
        "(window.__ran=window.__ran||[]).push('late')",
    ))
    .expect("append");
    tick().await;
    assert_eq!(ran(), vec!["one", "ads", "two", "late"]);
    drop(listener);
}

#[wasm_bindgen_test]
async fn refused_categories_stay_blocked_and_lose_their_cookies() {
    clean();
    set_cookie("_ga=GA1.1.1; Path=/");
    set_cookie("_ga_XYZ=GS1; Path=/");
    set_cookie("keep=1; Path=/");
    let storage = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .expect("storage");
    storage.set_item("ga_session", "x").expect("storage");
    let body = doc().body().expect("body");
    body.append_child(&gated(
        "analytics",
        "(window.__ran=window.__ran||[]).push('a')",
    ))
    .expect("append");
    let app = start();
    app.decide(Choice::RejectAll)
        .map_err(|e| e.message())
        .expect("decide");
    body.append_child(&gated(
        "analytics",
        "(window.__ran=window.__ran||[]).push('late')",
    ))
    .expect("append");
    tick().await;
    assert!(ran().is_empty());
    let jar = cookies();
    assert!(!jar.contains("_ga"), "{jar}");
    assert!(jar.contains("keep=1"), "{jar}");
    assert_eq!(storage.get_item("ga_session").ok().flatten(), None);
    assert!(!app.allowed("analytics") && app.allowed("security"));
}

#[wasm_bindgen_test]
fn a_stored_decision_is_read_back_and_a_broken_one_is_none() {
    clean();
    let app = start();
    app.set_custom_for_test();
    drop(app);
    clean_nodes();
    let again = start();
    assert_eq!(again.allowed("analytics"), true);
    assert_eq!(again.allowed("marketing"), false);
    assert!(!visible("[data-consentry=\"banner\"]"));
    clean();
    set_cookie("consentry=c1.4.AAAAAAAAAAAAAAAA.zzzzzzzzzzzzz.1.a.analytics:1; Path=/");
    assert!(jar::load(&config(), false).is_none());
    set_cookie("consentry=%3Cscript%3E; Path=/");
    assert!(jar::load(&config(), false).is_none());
    let fresh = start();
    assert!(fresh.record().is_none());
    assert!(visible("[data-consentry=\"banner\"]"));
}

trait TestChoice {
    fn set_custom_for_test(&self);
}

impl TestChoice for Rc<App> {
    fn set_custom_for_test(&self) {
        self.decide(Choice::Custom(vec![("analytics".into(), true)]))
            .map_err(|e| e.message())
            .expect("decide");
    }
}

fn clean_nodes() {
    if let Ok(list) = doc().query_selector_all("[data-consentry]") {
        for i in 0..list.length() {
            if let Some(e) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                e.remove();
            }
        }
    }
}

#[wasm_bindgen_test]
fn reset_forgets_the_decision_and_asks_again() {
    clean();
    let app = start();
    app.decide(Choice::AcceptAll)
        .map_err(|e| e.message())
        .expect("decide");
    set_cookie("_ga=GA1.1.1; Path=/");
    app.reset();
    assert!(app.record().is_none());
    let jar = cookies();
    assert!(!jar.contains("consentry="), "{jar}");
    assert!(!jar.contains("_ga="), "{jar}");
    assert!(visible("[data-consentry=\"banner\"]"));
}

#[wasm_bindgen_test]
fn preferences_show_one_switch_per_category_with_required_locked() {
    clean();
    let app = start();
    dialog::open_preferences(&ask(&app), None);
    assert!(visible("[data-consentry=\"preferences\"]"));
    let get = |id: &str| -> web_sys::HtmlInputElement {
        doc()
            .query_selector(&["[data-consentry=\"preferences\"] input[type=\"checkbox\"][data-consentry-category=\"", id, "\"]"].concat())
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into().ok())
            .expect(id)
    };
    assert!(get("security").checked() && get("security").disabled());
    assert!(!get("analytics").checked() && !get("analytics").disabled());
    assert!(!get("marketing").checked());
    dialog::close_preferences(&ask(&app));
    assert!(!visible("[data-consentry=\"preferences\"]"));
}
