//! `consent::read` and the `Consent` extractor: the site's own server reads
//! what a request's visitor allowed (CONTRACT §8, "What a server sees").
//! Agreement with the browser's gate and consentry/server on the tamper
//! corpus is tests/e2e/verdicts.test.mjs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use axum::body::Body;
use axum::http::Request;
use axum::routing::get;
use axum::Router;
use consentry::config::Config;
use consentry_server::consent::{self, Consent, ConsentConfig};
use tower::ServiceExt;

fn config() -> Config {
    Config::from_json(consentry::DEFAULT_CONFIG).unwrap()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 60
}

fn b36(mut n: u64) -> String {
    let mut s = Vec::new();
    while n > 0 {
        s.push(b"0123456789abcdefghijklmnopqrstuvwxyz"[(n % 36) as usize]);
        n /= 36;
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}

fn value(method: char, choices: &str) -> String {
    let t = b36(now());
    format!("c1.1.Zx0c9-wPq_4hTt1a.{t}.{t}.{method}.{choices}")
}

#[test]
fn a_valid_cookie_is_the_decision_and_gpc_refuses_what_accept_all_allowed() {
    let c = config();
    let accept = format!(
        "a=1; consentry={}",
        value('a', "settings:1~marketing:1~analytics:1")
    );
    let v = consent::read(&c, Some(&accept), None);
    assert!(v.allowed(&c, "marketing") && v.allowed(&c, "analytics"));
    assert!(!v.gpc && v.gpc_off.is_empty());
    let v = consent::read(&c, Some(&accept), Some(" 1 "));
    assert!(v.gpc);
    assert!(
        !v.allowed(&c, "marketing"),
        "GPC refuses marketing after accept-all"
    );
    assert!(v.allowed(&c, "analytics"));
    assert_eq!(v.gpc_off, ["marketing"]);
    let custom = format!(
        "consentry={}",
        value('c', "settings:0~marketing:1~analytics:0")
    );
    let v = consent::read(&c, Some(&custom), Some("1"));
    assert!(
        v.allowed(&c, "marketing"),
        "a custom choice stands under GPC"
    );
    assert!(v.gpc_off.is_empty());
    // "0" and anything else is no signal.
    assert!(!consent::read(&c, Some(&custom), Some("0")).gpc);
}

#[test]
fn no_valid_cookie_is_no_decision_and_only_required_categories_are_allowed() {
    let c = config();
    let good = value('r', "settings:0~marketing:0~analytics:0");
    let forged = value('a', "settings:1~marketing:1~analytics:1");
    for header in [
        None,
        Some(String::new()),
        Some("consentry=".into()),
        Some("consentry=junk".into()),
        Some(format!("consentry={}", good.replace(".r.", ".a."))),
        Some(format!("consentry={good}x")),
        // Two copies that disagree: the page's own cannot be told from here.
        Some(format!("consentry={forged}; consentry={good}")),
    ] {
        let v = consent::read(&c, header.as_deref(), Some("1"));
        assert_eq!(v.record, None, "{header:?}");
        assert!(v.allowed(&c, "authorization") && !v.allowed(&c, "analytics"));
        assert_eq!(v.gpc_off, ["marketing"], "{header:?}");
    }
    let same = format!("consentry={good}; other=1; consentry={good}");
    assert!(consent::read(&c, Some(&same), None).record.is_some());
}

async fn answer(app: Router, cookies: &[&str], gpc: Option<&str>) -> String {
    let mut req = Request::builder().uri("/");
    for c in cookies {
        req = req.header("cookie", *c);
    }
    if let Some(g) = gpc {
        req = req.header("sec-gpc", g);
    }
    let res = app.oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 16)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[tokio::test]
async fn the_extractor_reads_every_cookie_header_of_a_request() {
    let config = ConsentConfig::from_json(consentry::DEFAULT_CONFIG).unwrap();
    let app = Router::new()
        .route("/", get(|Consent(v): Consent| async move { v.to_json() }))
        .with_state(config);
    let reject = format!(
        "consentry={}",
        value('r', "settings:0~marketing:0~analytics:0")
    );
    // HTTP/2 may send each cookie in its own header.
    let body = answer(app.clone(), &["a=1", &reject], None).await;
    assert!(body.contains("\"method\":\"reject-all\""), "{body}");
    let body = answer(app.clone(), &[], Some("1")).await;
    assert_eq!(
        body,
        r#"{"record":null,"gpc":{"signal":true,"off":["marketing"]}}"#
    );
    assert!(ConsentConfig::from_json("{}")
        .unwrap_err()
        .contains("categories"));
}
