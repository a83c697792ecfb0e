//! The HTTP side: routes, input checks, admin auth, rate limit, CORS.

use crate::dashboard;
use crate::receipt::{keep_ip, NewEvent};
use crate::settings::{Ledger, Site};
use crate::store::{now_ms, Db, Event, Job, StoreError};
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use consentry::config::Config;
use serde::Deserialize;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// The most config versions kept parsed in memory.
const CONFIG_CACHE: usize = 256;
/// The most clients the rate limiter tracks at once.
const CLIENTS: usize = 100_000;
/// The most events one visitor's history returns.
const HISTORY: i64 = 1000;

pub struct App {
    pub db: Db,
    pub writer: mpsc::Sender<Job>,
    pub ledger: Ledger,
    configs: Mutex<HashMap<String, Arc<Config>>>,
    admin_token: Option<[u8; 32]>,
    ip_key: Vec<u8>,
    /// The site's required categories, left out of the dashboard's chart.
    required: Vec<String>,
    limiter: Mutex<HashMap<IpAddr, (f64, Instant)>>,
    /// Signs and checks account tokens; without it accounts are off.
    account_secret: Option<crate::account::Secret>,
}

impl App {
    /// `admin_token` is kept only as its SHA-256, compared in constant time.
    pub fn new(
        db: Db,
        site: &Site,
        admin_token: Option<String>,
        ip_key: Vec<u8>,
        account_secret: Option<crate::account::Secret>,
    ) -> Arc<App> {
        let writer = crate::store::writer(db.clone(), site.ledger.queue, site.ledger.batch);
        let admin_token = admin_token.filter(|t| !t.is_empty()).map(|t| {
            use sha2::Digest;
            sha2::Sha256::digest(t.as_bytes()).into()
        });
        let mut configs = HashMap::new();
        for lang in &site.config.languages {
            configs.insert(
                crate::settings::config_hash(&site.value, lang),
                Arc::new(site.config.clone()),
            );
        }
        Arc::new(App {
            db,
            writer,
            ledger: site.ledger.clone(),
            configs: Mutex::new(configs),
            admin_token,
            ip_key,
            required: site
                .config
                .categories
                .iter()
                .filter(|c| c.required)
                .map(|c| c.id.clone())
                .collect(),
            limiter: Mutex::new(HashMap::new()),
            account_secret,
        })
    }

    /// The config version a receipt names, from memory or the snapshots.
    async fn config_for(&self, hash: &str) -> Result<Option<Arc<Config>>, StoreError> {
        if let Some(c) = self.configs.lock().ok().and_then(|m| m.get(hash).cloned()) {
            return Ok(Some(c));
        }
        let Some(json) = self.db.snapshot(hash).await? else {
            return Ok(None);
        };
        let Ok(config) = Config::from_json(&json) else {
            return Ok(None);
        };
        let config = Arc::new(config);
        if let Ok(mut m) = self.configs.lock() {
            if m.len() < CONFIG_CACHE {
                m.insert(hash.to_owned(), config.clone());
            }
        }
        Ok(Some(config))
    }

    /// Takes one token from the client's bucket; false when it is empty.
    fn admit(&self, ip: IpAddr) -> bool {
        let per_minute = f64::from(self.ledger.rate_limit_per_minute);
        if per_minute == 0.0 {
            return true;
        }
        let Ok(mut map) = self.limiter.lock() else {
            return false;
        };
        let now = Instant::now();
        if map.len() >= CLIENTS && !map.contains_key(&ip) {
            // Forget clients whose bucket has refilled: they lose nothing.
            map.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * per_minute / 60.0 < per_minute
            });
            if map.len() >= CLIENTS {
                return false;
            }
        }
        let (tokens, at) = map.entry(ip).or_insert((per_minute, now));
        *tokens =
            (*tokens + now.duration_since(*at).as_secs_f64() * per_minute / 60.0).min(per_minute);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// The account a token names, or why it was refused. The reason is
    /// logged as one word, never with the token.
    fn account_of(&self, token: &str) -> Result<String, ApiError> {
        let Some(secret) = &self.account_secret else {
            return Err(err(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "account: accounts are off (the ledger has no account secret)",
            ));
        };
        secret
            .verify(token, crate::account::now_secs())
            .map_err(|why| {
                tracing::info!(reason = why.as_str(), "account token refused");
                err(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    format!("account: the token was refused ({})", why.as_str()),
                )
            })
    }

    /// Whether the account's latest decision allows email tracking.
    async fn email_allowed(&self, token: &str) -> bool {
        let Ok(account) = self.account_of(token) else {
            return false;
        };
        match self.db.account_latest(&account).await {
            Ok(Some(e)) if e.kind == "decision" => {
                serde_json::from_str::<serde_json::Value>(&e.categories)
                    .ok()
                    .and_then(|c| c.get(self.ledger.email_category()).cloned())
                    == Some(serde_json::Value::Bool(true))
            }
            Ok(_) => false,
            Err(e) => {
                tracing::warn!(error = %e, "database error; email event not counted");
                false
            }
        }
    }

    fn admin_ok(&self, headers: &HeaderMap) -> bool {
        use subtle::ConstantTimeEq;
        let Some(want) = &self.admin_token else {
            return false;
        };
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        use sha2::Digest;
        let got: [u8; 32] = sha2::Sha256::digest(given.as_bytes()).into();
        bool::from(got.ct_eq(want))
    }
}

/// An error answer: `{"error": code, "message": what was wrong}`.
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

fn err(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError {
        status,
        code,
        message: message.into(),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.code, "message": self.message });
        let mut r = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE
            || self.status == StatusCode::TOO_MANY_REQUESTS
        {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        r
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        tracing::warn!(error = %e, "database error");
        err(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the ledger database is unavailable; try again later",
        )
    }
}

/// Milliseconds since the epoch as ISO-8601 with milliseconds.
pub fn iso_ms(ms: i64) -> String {
    let secs = u64::try_from(ms.div_euclid(1000)).unwrap_or(0);
    let mut s = consentry::time::iso8601(secs);
    s.pop();
    format!("{s}.{:03}Z", ms.rem_euclid(1000))
}

fn iso(secs: i64) -> String {
    consentry::time::iso8601(u64::try_from(secs).unwrap_or(0))
}

pub fn router(app: Arc<App>) -> Router {
    let admin = Router::new()
        .route("/admin", get(admin_dashboard))
        .route("/admin/export", get(admin_export))
        .route("/admin/audit", get(admin_audit))
        .route("/admin/campaigns", get(admin_campaigns))
        .route("/admin/records/{consent_id}", delete(admin_delete))
        .route_layer(middleware::from_fn_with_state(app.clone(), require_admin));
    let public = Router::new()
        .route("/consent/events", post(post_event))
        .route("/consent/records/{consent_id}", get(get_records))
        .route("/consent/account", get(get_account))
        .route_layer(middleware::from_fn_with_state(app.clone(), rate_limit));
    // Mail clients and their image proxies fetch from a few addresses on
    // behalf of many people: no per-address limit here.
    let email = Router::new()
        .route("/px/{campaign}/{file}", get(pixel))
        .route("/r/{campaign}/{token}", get(redirect));
    let origins: Vec<HeaderValue> = app
        .ledger
        .allowed_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION]);
    Router::new()
        .merge(public)
        .merge(email)
        .merge(admin)
        .route("/healthz", get(healthz))
        .fallback(|| async { err(StatusCode::NOT_FOUND, "not_found", "no such endpoint") })
        .layer(RequestBodyLimitLayer::new(app.ledger.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(app.ledger.request_timeout_seconds),
        ))
        .layer(middleware::map_response(json_limit_error))
        .layer(cors)
        .layer(TraceLayer::new_for_http())
        .with_state(app)
}

/// tower-http answers an oversized body in plain text and a timeout with
/// no body; say both in JSON too.
async fn json_limit_error(r: Response) -> Response {
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE
        && r.headers()
            .get(header::CONTENT_TYPE)
            .map_or(true, |v| v != "application/json")
    {
        return err(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "body: longer than the ledger's max_body_bytes",
        )
        .into_response();
    }
    if r.status() == StatusCode::REQUEST_TIMEOUT {
        return err(
            StatusCode::REQUEST_TIMEOUT,
            "timeout",
            "request: no answer within the ledger's request_timeout_seconds",
        )
        .into_response();
    }
    r
}

fn peer(req: &Request) -> IpAddr {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip())
}

async fn rate_limit(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    if !app.admit(peer(&req)) {
        return err(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many requests from this address; slow down",
        )
        .into_response();
    }
    next.run(req).await
}

async fn require_admin(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    if !app.admin_ok(req.headers()) {
        let why = if app.admin_token.is_none() {
            "admin endpoints are off: the server has no admin token configured"
        } else {
            "admin endpoints need the header Authorization: Bearer <token>"
        };
        let _ = app
            .db
            .audit(
                "anonymous",
                "denied",
                &format!("{} {}", req.method(), req.uri().path()),
            )
            .await;
        return err(StatusCode::UNAUTHORIZED, "unauthorized", why).into_response();
    }
    next.run(req).await
}

async fn healthz(State(app): State<Arc<App>>) -> Response {
    match app.db.ping().await {
        Ok(()) => axum::Json(serde_json::json!({ "status": "ok" })).into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

async fn post_event(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    ConnectInfoOpt(ip): ConnectInfoOpt,
    body: Bytes,
) -> Result<Response, ApiError> {
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("(not text)").to_ascii_lowercase());
    let Some(ctype) = ctype else {
        return Err(err(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content_type",
            "content-type: missing; send application/json or text/plain",
        ));
    };
    let mut parts = ctype.split(';').map(str::trim);
    let essence = parts.next().unwrap_or("");
    if essence != "application/json" && essence != "text/plain" {
        return Err(err(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content_type",
            format!(
                "content-type: expected application/json or text/plain, got \"{}\"",
                shown(essence)
            ),
        ));
    }
    if let Some(cs) = parts.find_map(|p| p.strip_prefix("charset=")) {
        if cs.trim_matches('"') != "utf-8" {
            return Err(err(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "content_type",
                format!("content-type: charset must be utf-8, got \"{}\"", shown(cs)),
            ));
        }
    }
    let text = std::str::from_utf8(&body).map_err(|e| {
        err(
            StatusCode::BAD_REQUEST,
            "encoding",
            format!("body: not valid UTF-8 (at byte {})", e.valid_up_to()),
        )
    })?;
    let mut value = consentry::json::parse(text).map_err(|e| {
        err(
            StatusCode::BAD_REQUEST,
            "json",
            format!("body: {}", e.message()),
        )
    })?;
    // `account` is the ledger's own key: the core checks the rest.
    let token = take_account(&mut value)?;
    let hash = consentry::receipt::config_hash_of(&value)
        .map_err(|e| err(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.message()))?;
    let Some(config) = app.config_for(hash).await? else {
        return Err(err(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_config",
            "config_hash: no config version is registered under this hash",
        ));
    };
    let receipt = crate::receipt::check(&value, &config)
        .map_err(|m| err(StatusCode::UNPROCESSABLE_ENTITY, "invalid", m))?;
    let ip = ip.and_then(|ip| keep_ip(app.ledger.ip, ip, &app.ip_key));
    let consent_id = receipt.record.id.clone();
    let (tx, rx) = oneshot::channel();
    app.writer
        .try_send(Job {
            event: NewEvent::new(receipt, ip),
            reply: tx,
        })
        .map_err(|_| {
            err(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "the ledger is busy; try again shortly",
            )
        })?;
    let ack = rx.await.map_err(|_| {
        err(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the ledger writer stopped",
        )
    })??;
    // A refused token does not refuse the receipt: the proof is kept, it
    // is just not linked to an account.
    let linked = match token.map(|t| app.account_of(&t)) {
        Some(Ok(account)) => {
            app.db.link(&account, &consent_id).await?;
            Some(true)
        }
        Some(Err(_)) => Some(false),
        None => None,
    };
    let mut body = serde_json::json!({
        "event_id": ack.event_id,
        "received": iso_ms(ack.received_ms),
        "duplicate": ack.duplicate,
    });
    if let (Some(linked), Some(map)) = (linked, body.as_object_mut()) {
        map.insert("account".into(), linked.into());
    }
    Ok((StatusCode::ACCEPTED, axum::Json(body)).into_response())
}

/// Removes the receipt's `account` key and returns its token.
fn take_account(value: &mut consentry::json::Value) -> Result<Option<String>, ApiError> {
    use consentry::json::Value;
    let Value::Map(map) = value else {
        return Ok(None);
    };
    let Some(i) = map.iter().position(|(k, _)| k == "account") else {
        return Ok(None);
    };
    match map.remove(i).1 {
        Value::Str(t) if t.len() <= crate::account::MAX_TOKEN => Ok(Some(t)),
        Value::Str(_) => Err(err(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!(
                "account: longer than {} characters",
                crate::account::MAX_TOKEN
            ),
        )),
        other => Err(err(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("account: expected a string, got {}", other.kind()),
        )),
    }
}

/// `GET /consent/account` with `Authorization: Bearer <account token>`:
/// the account's latest decision or withdrawal, as receipts carry it, or
/// 204 when there is none.
async fn get_account(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            err(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "account: send the header Authorization: Bearer <account token>",
            )
        })?;
    let account = app.account_of(token)?;
    // No decision yet is an answer, not an error (204: browsers log no
    // failed request for it on every first sign-in).
    let Some(e) = app.db.account_latest(&account).await? else {
        return Ok((
            StatusCode::NO_CONTENT,
            [(header::CACHE_CONTROL, "no-store")],
        )
            .into_response());
    };
    let categories: serde_json::Value =
        serde_json::from_str(&e.categories).unwrap_or(serde_json::Value::Null);
    let body = serde_json::json!({
        "kind": e.kind,
        "record": {
            "id": e.consent_id,
            "revision": e.revision,
            "given": iso(e.given),
            "updated": iso(e.updated),
            "method": e.method,
            "categories": categories,
        },
        "sent": iso(e.sent),
    });
    Ok(([(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response())
}

/// The 1x1 transparent GIF every pixel request gets.
const GIF: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
];

/// Headers shared by the pixel and the redirect: nothing cached, nothing
/// passed on.
fn email_headers(r: &mut Response) {
    let h = r.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache, max-age=0, private"),
    );
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    h.insert(header::EXPIRES, HeaderValue::from_static("0"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

/// `GET /px/{campaign}/{token}.gif`: counts an open only when the
/// account's latest decision allows `email_category`. The answer is the
/// same GIF with the same headers whatever happened, bad input included.
async fn pixel(
    State(app): State<Arc<App>>,
    Path((campaign, file)): Path<(String, String)>,
) -> Response {
    if let Some(token) = file.strip_suffix(".gif") {
        if crate::account::is_campaign(&campaign) && app.email_allowed(token).await {
            if let Err(e) = app.db.count_campaign(&campaign, 1, 0).await {
                tracing::warn!(error = %e, "database error; open not counted");
            }
        }
    }
    let mut r = ([(header::CONTENT_TYPE, "image/gif")], GIF).into_response();
    email_headers(&mut r);
    r
}

#[derive(Deserialize)]
struct RedirectQuery {
    to: Option<String>,
}

/// `to`, when it is an http(s) URL without credentials on a host listed
/// in `redirect_hosts`.
fn redirect_target(ledger: &Ledger, to: Option<&str>) -> Result<url::Url, ApiError> {
    let bad = |m: String| err(StatusCode::BAD_REQUEST, "invalid", m);
    let to = to.ok_or_else(|| bad("to: required, the URL to send the reader to".into()))?;
    let url = url::Url::parse(to)
        .map_err(|_| bad(format!("to: not an absolute URL: \"{}\"", shown(to))))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad(format!(
            "to: only http and https links are redirected, not \"{}\"",
            shown(url.scheme())
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(
            "to: a link with a user name or password is not redirected".into(),
        ));
    }
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    let authority = match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.clone(),
    };
    let listed = ledger.redirect_hosts.iter().any(|h| {
        h.eq_ignore_ascii_case(&authority)
            || (url.port().is_none() && h.eq_ignore_ascii_case(&host))
    });
    if !listed {
        return Err(bad(format!(
            "to: \"{}\" is not in [ledger] redirect_hosts, so this link does not redirect there",
            shown(&authority)
        )));
    }
    Ok(url)
}

/// `GET /r/{campaign}/{token}?to=URL`: redirects to a listed host and
/// counts the click only with consent; the redirect is the same either way.
async fn redirect(
    State(app): State<Arc<App>>,
    Path((campaign, token)): Path<(String, String)>,
    Query(q): Query<RedirectQuery>,
) -> Result<Response, ApiError> {
    if !crate::account::is_campaign(&campaign) {
        return Err(err(
            StatusCode::BAD_REQUEST,
            "invalid",
            format!(
                "campaign: must be 1-64 of A-Z a-z 0-9 - _ . , got \"{}\"",
                shown(&campaign)
            ),
        ));
    }
    let url = redirect_target(&app.ledger, q.to.as_deref())?;
    if app.email_allowed(&token).await {
        if let Err(e) = app.db.count_campaign(&campaign, 0, 1).await {
            tracing::warn!(error = %e, "database error; click not counted");
        }
    }
    let location = HeaderValue::from_str(url.as_str()).map_err(|_| {
        err(
            StatusCode::BAD_REQUEST,
            "invalid",
            "to: not a valid header value",
        )
    })?;
    let mut r = StatusCode::FOUND.into_response();
    r.headers_mut().insert(header::LOCATION, location);
    email_headers(&mut r);
    Ok(r)
}

/// `GET /admin/campaigns`: the consented opens and clicks per campaign.
async fn admin_campaigns(
    State(app): State<Arc<App>>,
    Query(q): Query<FormatQuery>,
) -> Result<Response, ApiError> {
    app.db
        .audit("admin", "campaigns", "read campaign counts")
        .await?;
    let rows = app.db.campaigns().await?;
    match q.format.as_deref() {
        None | Some("json") => {
            let list: Vec<_> = rows
                .iter()
                .map(|(c, o, k)| serde_json::json!({ "campaign": c, "opens": o, "clicks": k }))
                .collect();
            Ok(axum::Json(serde_json::json!({ "campaigns": list })).into_response())
        }
        Some("csv") => {
            let mut body = String::from("campaign,opens,clicks\r\n");
            for (c, o, k) in &rows {
                cell(&mut body, c);
                body.push_str(&format!(",{o},{k}\r\n"));
            }
            Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response())
        }
        Some(other) => Err(err(
            StatusCode::BAD_REQUEST,
            "invalid",
            format!("format: must be json or csv, got \"{}\"", shown(other)),
        )),
    }
}

/// The peer address when the server was started with connect info.
pub struct ConnectInfoOpt(Option<IpAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ConnectInfoOpt {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ConnectInfoOpt(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

/// A value quoted in an error, cut short and without control characters.
fn shown(s: &str) -> String {
    s.chars()
        .take(60)
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

#[derive(Deserialize)]
struct FormatQuery {
    format: Option<String>,
}

fn event_json(e: &Event) -> serde_json::Value {
    let categories: serde_json::Value =
        serde_json::from_str(&e.categories).unwrap_or(serde_json::Value::Null);
    serde_json::json!({
        "seq": e.seq,
        "event_id": e.event_id,
        "consent_id": e.consent_id,
        "kind": e.kind,
        "received": iso_ms(e.received_ms),
        "sent": iso(e.sent),
        "config_hash": e.config_hash,
        "revision": e.revision,
        "method": e.method,
        "given": iso(e.given),
        "updated": iso(e.updated),
        "categories": categories,
        "gpc": e.gpc != 0,
        "page": e.page,
        "ip": e.ip,
        "hash": e.hash,
    })
}

const CSV_HEADER: &str =
    "seq,event_id,consent_id,kind,received,sent,config_hash,revision,method,given,updated,categories,gpc,page,ip,hash\r\n";

/// A CSV cell, quoted, with a leading formula character defused so a
/// spreadsheet shows it as text.
fn cell(out: &mut String, v: &str) {
    out.push('"');
    if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        out.push('\'');
    }
    out.push_str(&v.replace('"', "\"\""));
    out.push('"');
}

fn event_csv(e: &Event) -> String {
    let mut s = String::with_capacity(400);
    let fields = [
        e.seq.to_string(),
        e.event_id.clone(),
        e.consent_id.clone(),
        e.kind.clone(),
        iso_ms(e.received_ms),
        iso(e.sent),
        e.config_hash.clone(),
        e.revision.to_string(),
        e.method.clone(),
        iso(e.given),
        iso(e.updated),
        e.categories.clone(),
        (e.gpc != 0).to_string(),
        e.page.clone(),
        e.ip.clone().unwrap_or_default(),
        e.hash.clone(),
    ];
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        cell(&mut s, f);
    }
    s.push_str("\r\n");
    s
}

/// A consent id in a path: the visitor's 16-character receipt id.
fn check_consent_id(consent_id: &str) -> Result<(), ApiError> {
    if consentry::receipt::is_consent_id(consent_id) {
        return Ok(());
    }
    Err(err(
        StatusCode::BAD_REQUEST,
        "invalid",
        format!(
            "consent_id: must be 16 URL-safe characters (A-Z a-z 0-9 - _), got \"{}\"",
            shown(consent_id)
        ),
    ))
}

async fn get_records(
    State(app): State<Arc<App>>,
    Path(consent_id): Path<String>,
    Query(q): Query<FormatQuery>,
) -> Result<Response, ApiError> {
    check_consent_id(&consent_id)?;
    let csv = match q.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(err(
                StatusCode::BAD_REQUEST,
                "invalid",
                format!("format: must be json or csv, got \"{}\"", shown(other)),
            ))
        }
    };
    let events = app.db.history(&consent_id, HISTORY).await?;
    if csv {
        let mut body = String::from(CSV_HEADER);
        for e in &events {
            body.push_str(&event_csv(e));
        }
        return Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response());
    }
    let list: Vec<_> = events.iter().map(event_json).collect();
    Ok(axum::Json(serde_json::json!({ "consent_id": consent_id, "events": list })).into_response())
}

#[derive(Deserialize)]
struct ExportQuery {
    from: Option<String>,
    to: Option<String>,
    format: Option<String>,
}

fn day(v: Option<&str>, name: &str) -> Result<i64, ApiError> {
    let v = v.ok_or_else(|| {
        err(
            StatusCode::BAD_REQUEST,
            "invalid",
            format!("{name}: required, as YYYY-MM-DD"),
        )
    })?;
    let secs = (v.len() == 10)
        .then(|| consentry::time::parse_iso8601(&format!("{v}T00:00:00Z")))
        .flatten()
        .ok_or_else(|| {
            err(
                StatusCode::BAD_REQUEST,
                "invalid",
                format!(
                    "{name}: expected a date like 2026-01-31, got \"{}\"",
                    shown(v)
                ),
            )
        })?;
    Ok(i64::try_from(secs).unwrap_or(i64::MAX).saturating_mul(1000))
}

async fn admin_export(
    State(app): State<Arc<App>>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let from = day(q.from.as_deref(), "from")?;
    let to = day(q.to.as_deref(), "to")?.saturating_add(86_400_000); // the whole last day
    if to <= from {
        return Err(err(
            StatusCode::BAD_REQUEST,
            "invalid",
            "to: is before from",
        ));
    }
    let csv = match q.format.as_deref() {
        None | Some("jsonl") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(err(
                StatusCode::BAD_REQUEST,
                "invalid",
                format!("format: must be jsonl or csv, got \"{}\"", shown(other)),
            ))
        }
    };
    app.db
        .audit(
            "admin",
            "export",
            &format!(
                "from={} to={} format={}",
                iso(from / 1000),
                iso(to / 1000),
                if csv { "csv" } else { "jsonl" }
            ),
        )
        .await?;
    // A small channel between the database cursor and the socket: the export
    // streams at the client's pace with a few rows in memory.
    let (tx, rx) = mpsc::channel::<Event>(64);
    let db = app.db.clone();
    tokio::spawn(async move {
        if let Err(e) = db.export(from, to, tx).await {
            tracing::warn!(error = %e, "export stopped");
        }
    });
    let head = csv.then(|| Bytes::from_static(CSV_HEADER.as_bytes()));
    let rows = futures_util::stream::unfold(rx, move |mut rx| async move {
        let e = rx.recv().await?;
        let line = if csv {
            event_csv(&e)
        } else {
            format!("{}\n", event_json(&e))
        };
        Some((Ok::<_, std::io::Error>(Bytes::from(line)), rx))
    });
    let body = futures_util::StreamExt::chain(
        futures_util::stream::iter(head.map(Ok::<_, std::io::Error>)),
        rows,
    );
    let ctype = if csv {
        "text/csv; charset=utf-8"
    } else {
        "application/jsonl; charset=utf-8"
    };
    Ok(([(header::CONTENT_TYPE, ctype)], Body::from_stream(body)).into_response())
}

async fn admin_delete(
    State(app): State<Arc<App>>,
    Path(consent_id): Path<String>,
) -> Result<Response, ApiError> {
    check_consent_id(&consent_id)?;
    let n = app.db.erase_consent(&consent_id).await?;
    app.db
        .audit(
            "admin",
            "delete",
            &format!("consent_id={consent_id} events={n}"),
        )
        .await?;
    Ok(axum::Json(serde_json::json!({ "consent_id": consent_id, "deleted": n })).into_response())
}

async fn admin_audit(State(app): State<Arc<App>>) -> Result<Response, ApiError> {
    app.db.audit("admin", "audit", "read the audit log").await?;
    let rows = app.db.audit_log(1000).await?;
    let list: Vec<_> = rows
        .iter()
        .map(|(at, actor, action, detail)| serde_json::json!({ "at": iso_ms(*at), "actor": actor, "action": action, "detail": detail }))
        .collect();
    Ok(axum::Json(serde_json::json!({ "audit": list })).into_response())
}

async fn admin_dashboard(State(app): State<Arc<App>>) -> Result<Response, ApiError> {
    app.db.audit("admin", "dashboard", "viewed /admin").await?;
    let days = 30;
    let since = (now_ms() / 86_400_000 - (days - 1)) * 86_400_000;
    let mut stats = dashboard::Stats::new(since, days, app.required.clone());
    app.db
        .decisions_since(since, |at, method, cats| stats.add(at, method, cats))
        .await?;
    let total = app.db.count().await?;
    let campaigns = app.db.campaigns().await?;
    let html = dashboard::page(&stats, total, &campaigns);
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
            ),
        ],
        html,
    )
        .into_response())
}

/// Deletes events older than `retention_days`, every `purge_interval_minutes`.
pub fn purger(app: Arc<App>) {
    tokio::spawn(async move {
        let every =
            std::time::Duration::from_secs(u64::from(app.ledger.purge_interval_minutes) * 60);
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            let cutoff = now_ms() - i64::from(app.ledger.retention_days) * 86_400_000;
            match app.db.purge_before(cutoff).await {
                Ok(n) => {
                    let _ = app
                        .db
                        .audit(
                            "scheduler",
                            "purge",
                            &format!("retention_days={} events={n}", app.ledger.retention_days),
                        )
                        .await;
                }
                Err(e) => tracing::warn!(error = %e, "retention purge failed; will retry"),
            }
        }
    });
}
