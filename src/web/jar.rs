//! The browser's cookie jar and storage, seen through the core's codec.

use alloc::{string::String, vec::Vec};
use wasm_bindgen::JsCast;
use web_sys::HtmlDocument;

use super::dom::{document, window};
use crate::config::{Category, Config};
use crate::consent::Record;
use crate::cookie;

/// `cookie` lives on every Document (HTML's partial interface), so no
/// runtime type check is needed to reach it.
fn html_document() -> Option<HtmlDocument> {
    Some(document().ok()?.unchecked_into::<HtmlDocument>())
}

/// The page's `document.cookie`, or "" when it cannot be read (sandboxed
/// frames, cookies disabled): a jar we cannot read holds no decision.
pub fn read_all() -> String {
    html_document()
        .and_then(|d| d.cookie().ok())
        .unwrap_or_default()
}

fn write(assignment: &str) {
    if let Some(d) = html_document() {
        super::dom::swallow!("consentry: cookie write refused", d.set_cookie(assignment));
    }
}

fn is_https() -> bool {
    window()
        .ok()
        .and_then(|w| w.location().protocol().ok())
        .is_some_and(|p| p == "https:")
}

fn location() -> (String, String) {
    let loc = window().ok().map(|w| w.location());
    let host = loc
        .as_ref()
        .and_then(|l| l.hostname().ok())
        .unwrap_or_default();
    let path = loc
        .as_ref()
        .and_then(|l| l.pathname().ok())
        .unwrap_or_default();
    (host, path)
}

/// The stored decision, if any, as it stands under Global Privacy Control
/// (`gpc`).
///
/// Other copies of the cookie (a parent domain's, a longer path's) may sit
/// beside consentry's own, and `document.cookie` does not say which is
/// which. When they disagree, only the copy in consentry's own spot counts:
/// it is found by writing a probe there and seeing which value it replaced,
/// then put back. With no copy there, there is no decision. A sibling
/// subdomain can write a parent-domain copy but never the own spot, so it
/// cannot outvote the visitor. This costs two writes and a read, only on a
/// jar with disagreeing copies.
pub fn load(config: &Config, gpc: bool) -> Option<Record> {
    let name = &config.cookie.name;
    let jar = read_all();
    let before: Vec<&str> = cookie::values(&jar, name).collect();
    let value = match cookie::single(&before) {
        Ok(v) => v?,
        Err(()) => {
            let secure = is_https();
            write(&cookie::set_string(config, cookie::PROBE, secure));
            let probed = read_all();
            let after: Vec<&str> = cookie::values(&probed, name).collect();
            let Some(v) = cookie::own(&before, &after) else {
                write(&cookie::clear_string(config));
                return None;
            };
            write(&cookie::set_string(config, v, secure));
            v
        }
    };
    cookie::decode(value, config, super::dom::now_secs())
        .map(|r| crate::consent::under_gpc(config, r, gpc))
}

/// Stores `record`; returns whether the browser kept it. Every other copy
/// the page can see goes first, so none outlives the visitor's decision.
pub fn store(config: &Config, record: &Record) -> bool {
    let value = cookie::encode(record, config);
    if cookie::values(&read_all(), &config.cookie.name)
        .next()
        .is_some()
    {
        forget(config);
    }
    write(&cookie::set_string(config, &value, is_https()));
    cookie::values(&read_all(), &config.cookie.name).any(|v| v == value)
}

/// Deletes every copy of the consent cookie the page can see: on the host,
/// its parent domains, and every path above this page.
pub fn forget(config: &Config) {
    let (host, path) = location();
    for s in cookie::delete_strings(&config.cookie.name, &host, &path) {
        write(&s);
    }
    // Writes are sent on without waiting; a read comes back only after
    // them. Without it, another tab told of the withdrawal right after may
    // still read the old copy and keep its consent.
    drop(read_all());
}

/// Deletes the declared cookies and storage keys of `categories`, on this
/// host, its parent domains and every parent path.
pub fn clean(categories: &[&Category]) {
    // Every read of document.cookie or first touch of a Storage is a
    // synchronous round trip to the browser process: skip what has nothing
    // to find (a visitor who accepted everything, categories without keys).
    if categories
        .iter()
        .all(|c| c.cookies.is_empty() && c.storage.is_empty())
    {
        return;
    }
    let jar = read_all();
    let (host, path) = location();
    for c in categories {
        for name in cookie::names(&jar) {
            if c.cookies
                .iter()
                .any(|k| cookie::name_matches(&k.name, name))
            {
                for s in cookie::delete_strings(name, &host, &path) {
                    write(&s);
                }
            }
        }
    }
    if categories.iter().all(|c| c.storage.is_empty()) {
        return;
    }
    #[cfg(feature = "dep-gloo-storage")]
    {
        clean_storage::<gloo_storage::LocalStorage>(categories);
        clean_storage::<gloo_storage::SessionStorage>(categories);
    }
    #[cfg(not(feature = "dep-gloo-storage"))]
    let Ok(w) = window() else {
        return;
    };
    #[cfg(not(feature = "dep-gloo-storage"))]
    for storage in [w.local_storage(), w.session_storage()]
        .into_iter()
        .flatten()
        .flatten()
    {
        let len = storage.length().unwrap_or(0);
        let keys: Vec<String> = (0..len)
            .filter_map(|i| storage.key(i).ok().flatten())
            .collect();
        for key in keys {
            if categories
                .iter()
                .any(|c| c.storage.iter().any(|p| cookie::name_matches(p, &key)))
            {
                super::dom::swallow!("consentry: storage key kept", storage.remove_item(&key));
            }
        }
    }
}

/// Measurement only (`npm run deps`): the storage clean-up through
/// gloo-storage. Its `raw()` throws where the browser refuses storage (a
/// sandboxed frame, storage blocked), which the web_sys loop above skips.
#[cfg(feature = "dep-gloo-storage")]
fn clean_storage<S: gloo_storage::Storage>(categories: &[&Category]) {
    let raw = S::raw();
    let keys: Vec<String> = (0..S::length())
        .filter_map(|i| raw.key(i).ok().flatten())
        .collect();
    for key in keys {
        if categories
            .iter()
            .any(|c| c.storage.iter().any(|p| cookie::name_matches(p, &key)))
        {
            S::delete(&key);
        }
    }
}

/// Whether this browser will keep a cookie for this page, asked without
/// writing a test cookie (two writes and a read cost a first visit about a
/// millisecond of IPC before the banner): the browser's own setting, and a
/// jar the page may read at all (a sandboxed frame's throws). `store` still
/// checks every real write, so a browser that says yes and then drops the
/// cookie is caught at the first decision.
pub fn usable() -> bool {
    let enabled = window()
        .ok()
        .and_then(|w| js_sys::Reflect::get(&w.navigator(), &"cookieEnabled".into()).ok())
        .map_or(true, |v| v.as_bool() != Some(false));
    enabled && html_document().is_some_and(|d| d.cookie().is_ok())
}
