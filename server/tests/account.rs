//! Consent that follows the account (account tokens, `GET /consent/account`)
//! and email opens and clicks counted only with consent, on SQLite and on a
//! real PostgreSQL cluster started for the run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;
use support::*;

/// A decision receipt for `consent_id`, with its times and switches, and
/// the account token when given.
fn decision(
    hash: &str,
    event_id: &str,
    consent_id: &str,
    updated: &str,
    method: &str,
    marketing: bool,
    account: Option<&str>,
) -> String {
    let mut v: serde_json::Value =
        serde_json::from_str(&receipt(event_id, consent_id, hash, method, marketing)).unwrap();
    v["record"]["updated"] = updated.into();
    v["sent"] = updated.into();
    if let Some(t) = account {
        v["account"] = t.into();
    }
    v.to_string()
}

fn latest(addr: std::net::SocketAddr, token: &str) -> Response {
    let auth = format!("Bearer {token}");
    request(
        addr,
        "GET",
        "/consent/account",
        &[("Authorization", &auth)],
        b"",
    )
}

fn accounts(b: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "");
    let s = Server::start(&cfg, &b.url("accounts"));
    let hash = config_hash(&cfg, "en");
    // The command line mints the same tokens the server accepts.
    let (ok, alice) = s.cli(&["token", "--account", "alice@example.com", "--ttl", "600"]);
    assert!(ok, "{alice}");
    let alice = alice.trim().to_owned();
    assert!(alice.starts_with("v1."), "{alice}");
    let bob = account_token(SECRET, "bob", 600);

    let none = request(s.addr, "GET", "/consent/account", &[], b"");
    assert_eq!(none.status, 401);
    assert!(none.json()["message"]
        .as_str()
        .unwrap()
        .contains("Authorization: Bearer"));
    let r = latest(s.addr, &alice);
    assert_eq!(r.status, 204, "{}", r.text());
    assert!(r.body.is_empty());

    // A receipt with the token links its consent id to the account.
    let r = post_json(
        s.addr,
        &decision(
            &hash,
            "evt-acct-000000001",
            "AAAAAAAAAAAAAAA1",
            "2026-12-01T10:00:00Z",
            "accept-all",
            true,
            Some(&alice),
        ),
    );
    assert_eq!(r.status, 202, "{}", r.text());
    assert_eq!(r.json()["account"], true);
    let r = latest(s.addr, &alice);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let body = r.json();
    assert_eq!(body["kind"], "decision");
    assert_eq!(body["record"]["id"], "AAAAAAAAAAAAAAA1");
    assert_eq!(body["record"]["method"], "accept-all");
    assert_eq!(body["record"]["updated"], "2026-12-01T10:00:00Z");
    assert_eq!(body["record"]["categories"]["marketing"], true);
    // Another device of the same account, later: it is the latest now.
    let r = post_json(
        s.addr,
        &decision(
            &hash,
            "evt-acct-000000002",
            "BBBBBBBBBBBBBBB2",
            "2026-12-02T10:00:00Z",
            "custom",
            false,
            Some(&alice),
        ),
    );
    assert_eq!(r.json()["account"], true);
    assert_eq!(
        latest(s.addr, &alice).json()["record"]["id"],
        "BBBBBBBBBBBBBBB2"
    );
    // An older decision arriving late does not win over a newer one.
    let r = post_json(
        s.addr,
        &decision(
            &hash,
            "evt-acct-000000003",
            "AAAAAAAAAAAAAAA1",
            "2026-12-01T12:00:00Z",
            "account",
            false,
            Some(&alice),
        ),
    );
    assert_eq!(r.status, 202, "{}", r.text());
    assert_eq!(
        latest(s.addr, &alice).json()["record"]["id"],
        "BBBBBBBBBBBBBBB2"
    );

    // Refused tokens: the receipt is kept, but linked to nothing.
    let expired = account_token(SECRET, "alice@example.com", -10);
    // One tag character changed. Not the last: of a 32-byte tag's 43
    // base64url characters the last carries two zero bits, so 'B' there
    // is not canonical and would be refused for its shape, not its
    // signature (1 run in 16 had an 'A' to change).
    let forged = {
        let mut chars: Vec<char> = alice.chars().collect();
        let i = chars.len() - 2;
        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        chars.into_iter().collect::<String>()
    };
    let foreign = account_token(
        "another-secret-0123456789abcdef-xyz",
        "alice@example.com",
        600,
    );
    for (bad, why) in [
        (&expired, "expired"),
        (&forged, "signature"),
        (&foreign, "signature"),
    ] {
        let r = post_json(
            s.addr,
            &decision(
                &hash,
                &format!("evt-bad-{why}-{:08}", bad.len()),
                "CCCCCCCCCCCCCCC3",
                "2026-12-05T10:00:00Z",
                "reject-all",
                false,
                Some(bad),
            ),
        );
        assert_eq!(r.status, 202, "{}", r.text());
        assert_eq!(r.json()["account"], false);
        let r = latest(s.addr, bad);
        assert_eq!(r.status, 401);
        assert_eq!(r.header("www-authenticate"), Some("Bearer"));
        let m = r.json()["message"].as_str().unwrap().to_owned();
        assert!(m.contains(why), "{m}");
        assert!(!m.contains(bad.as_str()), "the token is not echoed");
    }
    assert_eq!(
        latest(s.addr, &alice).json()["record"]["id"],
        "BBBBBBBBBBBBBBB2"
    );
    // Bob's token reads Bob's account only.
    assert_eq!(latest(s.addr, &bob).status, 204);
    let r = post_json(s.addr, &serde_json::json!({"account": 7}).to_string());
    assert_eq!(r.status, 422);
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .starts_with("account:"));

    // A withdrawal sent later is the account's latest.
    let mut w: serde_json::Value = serde_json::from_str(&decision(
        &hash,
        "evt-acct-000000004",
        "BBBBBBBBBBBBBBB2",
        "2026-12-02T10:00:00Z",
        "custom",
        false,
        Some(&alice),
    ))
    .unwrap();
    w["kind"] = "withdrawal".into();
    w["sent"] = "2026-12-03T09:00:00Z".into();
    assert_eq!(post_json(s.addr, &w.to_string()).status, 202);
    let body = latest(s.addr, &alice).json();
    assert_eq!(body["kind"], "withdrawal");
    assert_eq!(body["sent"], "2026-12-03T09:00:00Z");

    // Erasing a consent id also forgets its links.
    assert_eq!(
        admin(s.addr, "DELETE", "/admin/records/BBBBBBBBBBBBBBB2").status,
        200
    );
    assert_eq!(
        latest(s.addr, &alice).json()["record"]["id"],
        "AAAAAAAAAAAAAAA1"
    );
    assert_eq!(
        admin(s.addr, "DELETE", "/admin/records/AAAAAAAAAAAAAAA1").status,
        200
    );
    assert_eq!(latest(s.addr, &alice).status, 204);
}

/// A response without its Date header, to compare two byte for byte.
fn shape(r: &Response) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let headers = r
        .headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("date"))
        .cloned()
        .collect();
    (r.status, headers, r.body.clone())
}

fn campaigns(addr: std::net::SocketAddr) -> serde_json::Value {
    let r = admin(addr, "GET", "/admin/campaigns");
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["campaigns"].clone()
}

fn email(b: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(
        dir.path(),
        "redirect_hosts = [\"shop.example.com\", \"127.0.0.1:9\"]",
    );
    let s = Server::start(&cfg, &b.url("email"));
    let hash = config_hash(&cfg, "en");
    let yes = account_token(SECRET, "yes@example.com", 600);
    let no = account_token(SECRET, "no@example.com", 600);
    let gone = account_token(SECRET, "gone@example.com", 600);
    let unknown = account_token(SECRET, "unknown@example.com", 600);
    let expired = account_token(SECRET, "yes@example.com", -10);
    let forged = account_token(
        "another-secret-0123456789abcdef-xyz",
        "yes@example.com",
        600,
    );
    for (id, consent, marketing, token) in [
        ("evt-mail-000000001", "MMMMMMMMMMMMMMM1", true, &yes),
        ("evt-mail-000000002", "MMMMMMMMMMMMMMM2", false, &no),
        ("evt-mail-000000003", "MMMMMMMMMMMMMMM3", true, &gone),
    ] {
        let r = post_json(
            s.addr,
            &decision(
                &hash,
                id,
                consent,
                "2026-12-01T10:00:00Z",
                "custom",
                marketing,
                Some(token),
            ),
        );
        assert_eq!(r.json()["account"], true, "{}", r.text());
    }
    // "gone" allowed marketing, then withdrew.
    let mut w: serde_json::Value = serde_json::from_str(&decision(
        &hash,
        "evt-mail-000000004",
        "MMMMMMMMMMMMMMM3",
        "2026-12-01T10:00:00Z",
        "custom",
        true,
        Some(&gone),
    ))
    .unwrap();
    w["kind"] = "withdrawal".into();
    w["sent"] = "2026-12-02T10:00:00Z".into();
    assert_eq!(post_json(s.addr, &w.to_string()).status, 202);

    // The pixel: one consented open, and the same answer for everyone.
    let px = |c: &str, t: &str| request(s.addr, "GET", &format!("/px/{c}/{t}.gif"), &[], b"");
    let first = px("spring-2026", &yes);
    assert_eq!(first.status, 200);
    assert_eq!(first.header("content-type"), Some("image/gif"));
    assert!(first.header("cache-control").unwrap().contains("no-store"));
    assert!(first.body.starts_with(b"GIF89a") && first.body.len() < 64);
    for other in [
        px("spring-2026", &no),
        px("spring-2026", &gone),
        px("spring-2026", &unknown),
        px("spring-2026", &expired),
        px("spring-2026", &forged),
        px("spring-2026", "garbage"),
        px("%3Cscript%3E", &yes),
        px(&"c".repeat(65), &yes),
        request(
            s.addr,
            "GET",
            &format!("/px/spring-2026/{yes}.png"),
            &[],
            b"",
        ),
    ] {
        assert_eq!(shape(&other), shape(&first));
    }
    assert_eq!(
        campaigns(s.addr),
        serde_json::json!([{"campaign": "spring-2026", "opens": 1, "clicks": 0}])
    );

    // The redirect: only to listed hosts; one consented click.
    let to = "https%3A%2F%2Fshop.example.com%2Fsale%3Fa%3D1";
    let go = |t: &str| {
        request(
            s.addr,
            "GET",
            &format!("/r/spring-2026/{t}?to={to}"),
            &[],
            b"",
        )
    };
    let first = go(&yes);
    assert_eq!(first.status, 302, "{}", first.text());
    assert_eq!(
        first.header("location"),
        Some("https://shop.example.com/sale?a=1")
    );
    assert!(first.header("cache-control").unwrap().contains("no-store"));
    for t in [
        &no,
        &gone,
        &unknown,
        &expired,
        &forged,
        &"garbage".to_owned(),
    ] {
        assert_eq!(shape(&go(t)), shape(&first));
    }
    let port = request(
        s.addr,
        "GET",
        &format!("/r/spring-2026/{no}?to=http%3A%2F%2F127.0.0.1%3A9%2Fx"),
        &[],
        b"",
    );
    assert_eq!(port.status, 302);
    assert_eq!(port.header("location"), Some("http://127.0.0.1:9/x"));
    for (bad, says) in [
        ("to=https%3A%2F%2Fevil.example%2F", "redirect_hosts"),
        (
            "to=https%3A%2F%2Fshop.example.com.evil.example%2F",
            "redirect_hosts",
        ),
        ("to=https%3A%2F%2Fuser%40shop.example.com%2F", "user name"),
        ("to=javascript%3Aalert(1)", "http and https"),
        ("to=%2F%2Fevil.example%2F", "absolute URL"),
        ("to=http%3A%2F%2F127.0.0.1%3A10%2F", "redirect_hosts"),
        ("", "to: required"),
    ] {
        let r = request(
            s.addr,
            "GET",
            &format!("/r/spring-2026/{yes}?{bad}"),
            &[],
            b"",
        );
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.header("location").is_none());
        let m = r.json()["message"].as_str().unwrap().to_owned();
        assert!(m.contains(says), "{bad}: {m}");
    }
    let r = request(s.addr, "GET", &format!("/r/a%20b/{yes}?to={to}"), &[], b"");
    assert_eq!(r.status, 400);
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .starts_with("campaign:"));
    assert_eq!(
        campaigns(s.addr),
        serde_json::json!([{"campaign": "spring-2026", "opens": 1, "clicks": 1}])
    );
    let csv = admin(s.addr, "GET", "/admin/campaigns?format=csv");
    assert_eq!(
        csv.text(),
        "campaign,opens,clicks\r\n\"spring-2026\",1,1\r\n"
    );
    let dash = admin(s.addr, "GET", "/admin").text();
    assert!(
        dash.contains("<th scope=\"row\">spring-2026</th><td>1</td><td>1</td>"),
        "{dash}"
    );
    // Nothing about who opened: the campaign table holds counts only.
    assert_eq!(
        request(s.addr, "GET", "/admin/campaigns", &[], b"").status,
        401
    );
}

/// Without an account secret, tokens are refused and nothing is counted,
/// while pixels and links still answer the same.
fn no_secret(b: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(
        dir.path(),
        "account_secret_env = \"CONSENTRY_NO_SUCH_SECRET\"",
    );
    let s = Server::start(&cfg, &b.url("nosecret"));
    let t = account_token(SECRET, "a", 600);
    let r = latest(s.addr, &t);
    assert_eq!(r.status, 401);
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .contains("accounts are off"));
    let px = request(s.addr, "GET", &format!("/px/c/{t}.gif"), &[], b"");
    assert_eq!(px.status, 200);
    assert_eq!(campaigns(s.addr), serde_json::json!([]));
    let (ok, out) = s.cli(&["token", "--account", "a"]);
    assert!(!ok && out.contains("no account secret"), "{out}");
}

macro_rules! on_both {
    ($($name:ident),*) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                super::$name(&super::Backend::sqlite());
            }
            #[test]
            fn postgres() {
                let cluster = std::sync::Arc::new(super::Cluster::start());
                super::$name(&super::Backend::Postgres(cluster));
            }
        }
    )*};
}
on_both!(accounts, email, no_secret);
