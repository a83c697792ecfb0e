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
}

impl App {
    /// `admin_token` is kept only as its SHA-256, compared in constant time.
    pub fn new(db: Db, site: &Site, admin_token: Option<String>, ip_key: Vec<u8>) -> Arc<App> {
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
        .route("/admin/records/{consent_id}", delete(admin_delete))
        .route_layer(middleware::from_fn_with_state(app.clone(), require_admin));
    let public = Router::new()
        .route("/consent/events", post(post_event))
        .route("/consent/records/{consent_id}", get(get_records))
        .route_layer(middleware::from_fn_with_state(app.clone(), rate_limit));
    let origins: Vec<HeaderValue> = app
        .ledger
        .allowed_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE]);
    Router::new()
        .merge(public)
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
    let value = consentry::json::parse(text).map_err(|e| {
        err(
            StatusCode::BAD_REQUEST,
            "json",
            format!("body: {}", e.message()),
        )
    })?;
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
    let body = serde_json::json!({
        "event_id": ack.event_id,
        "received": iso_ms(ack.received_ms),
        "duplicate": ack.duplicate,
    });
    Ok((StatusCode::ACCEPTED, axum::Json(body)).into_response())
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
    let html = dashboard::page(&stats, total);
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
