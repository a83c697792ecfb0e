//! Answers for the site's own server: what the visitor of a request
//! allowed, read from its `Cookie` and `Sec-GPC` headers by the same core
//! the browser's gate runs (`consentry::request`; CONTRACT §8, "What a
//! server sees").
//!
//! ```no_run
//! use axum::{routing::get, Router};
//! use consentry_server::consent::{Consent, ConsentConfig};
//!
//! async fn page(Consent(v): Consent) -> String {
//!     format!("analytics allowed: {}", v.record.is_some_and(|r| r.allowed("analytics")))
//! }
//! let config = ConsentConfig::from_json(consentry::DEFAULT_CONFIG).unwrap_or_else(|e| panic!("{e}"));
//! let app: Router = Router::new().route("/", get(page)).with_state(config);
//! ```
//!
//! Any other framework calls [`read`] with the two header values.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use consentry::config::Config;
pub use consentry::request::Verdict;
use std::convert::Infallible;
use std::sync::Arc;

/// The visitor's verdict for one request: `cookie` is the `Cookie` header
/// (all of them joined with `"; "` when a client split it, as HTTP/2 may),
/// `sec_gpc` the `Sec-GPC` header, both as received. The decision is the
/// one the browser's gate would read from the same cookies, with the same
/// expiry, revision, tamper and GPC rules; copies that disagree are no
/// decision here (a server cannot find the page's own copy).
pub fn read(config: &Config, cookie: Option<&str>, sec_gpc: Option<&str>) -> Verdict {
    consentry::request::read(config, cookie.unwrap_or(""), sec_gpc, now())
}

/// [`read`] over a request's headers.
pub fn from_headers(config: &Config, headers: &HeaderMap) -> Verdict {
    let cookies: Vec<&str> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let gpc = headers.get("sec-gpc").and_then(|v| v.to_str().ok());
    read(config, Some(&cookies.join("; ")), gpc)
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The site's consent config, for the [`Consent`] extractor: put it in the
/// router's state (or make it reachable with `FromRef`).
#[derive(Clone, Debug)]
pub struct ConsentConfig(pub Arc<Config>);

impl ConsentConfig {
    /// A config from its JSON text (the schema of `categories.toml`).
    pub fn from_json(text: &str) -> Result<Self, String> {
        Config::from_json(text)
            .map(|c| ConsentConfig(Arc::new(c)))
            .map_err(|e| e.message())
    }
}

/// Extracts the visitor's [`Verdict`] from a request's headers. Never
/// rejects: a request without a valid decision gets `record: None`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consent(pub Verdict);

impl<S> FromRequestParts<S> for Consent
where
    ConsentConfig: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let config = ConsentConfig::from_ref(state);
        Ok(Consent(from_headers(&config.0, &parts.headers)))
    }
}
