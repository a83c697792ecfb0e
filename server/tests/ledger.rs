//! Every endpoint, every bad input and the faults, on SQLite and on a real
//! PostgreSQL cluster started for the run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use support::*;

fn export_ids(addr: std::net::SocketAddr) -> Vec<String> {
    let r = admin(
        addr,
        "GET",
        "/admin/export?from=2000-01-01&to=2100-01-01&format=jsonl",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    r.text()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["event_id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

fn endpoints(b: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "ip = \"truncated\"");
    let s = Server::start(&cfg, &b.url("endpoints"));
    let hash = config_hash(&cfg, "en");
    assert_eq!(request(s.addr, "GET", "/healthz", &[], b"").status, 200);

    let r = post_json(
        s.addr,
        &receipt(
            "evt-0000000000000001",
            "AAAAAAAAAAAAAAA1",
            &hash,
            "accept-all",
            true,
        ),
    );
    assert_eq!(r.status, 202, "{}", r.text());
    let first = r.json();
    assert_eq!(first["event_id"], "evt-0000000000000001");
    assert_eq!(first["duplicate"], false);
    // The same event again is accepted once: same answer, nothing new stored.
    let again = post_json(
        s.addr,
        &receipt(
            "evt-0000000000000001",
            "AAAAAAAAAAAAAAA1",
            &hash,
            "accept-all",
            true,
        ),
    )
    .json();
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["received"], first["received"]);
    // sendBeacon posts text/plain.
    let mut w = serde_json::from_str::<serde_json::Value>(&receipt(
        "evt-0000000000000002",
        "AAAAAAAAAAAAAAA1",
        &hash,
        "accept-all",
        true,
    ))
    .unwrap();
    w["kind"] = "withdrawal".into();
    let r = request(
        s.addr,
        "POST",
        "/consent/events",
        &[("Content-Type", "text/plain;charset=UTF-8")],
        w.to_string().as_bytes(),
    );
    assert_eq!(r.status, 202, "{}", r.text());
    let ru = config_hash(&cfg, "ru");
    assert_ne!(ru, hash);
    assert_eq!(
        post_json(
            s.addr,
            &receipt(
                "evt-0000000000000003",
                "BBBBBBBBBBBBBBB2",
                &ru,
                "reject-all",
                false
            )
        )
        .status,
        202
    );

    let h = request(s.addr, "GET", "/consent/records/AAAAAAAAAAAAAAA1", &[], b"").json();
    let events = h["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["kind"], "decision");
    assert_eq!(events[0]["config_hash"], hash.as_str());
    assert_eq!(events[0]["categories"]["marketing"], true);
    assert_eq!(events[0]["ip"], "127.0.0.0/24");
    assert_eq!(events[1]["kind"], "withdrawal");
    let csv = request(
        s.addr,
        "GET",
        "/consent/records/AAAAAAAAAAAAAAA1?format=csv",
        &[],
        b"",
    );
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(csv.text().lines().count(), 3);
    assert!(csv.text().starts_with("seq,event_id,consent_id"));
    assert_eq!(
        request(s.addr, "GET", "/consent/records/nobody0000000000", &[], b"").json()["events"],
        serde_json::json!([])
    );
    let bad = request(s.addr, "GET", "/consent/records/short", &[], b"");
    assert_eq!(bad.status, 400);
    assert!(bad.json()["message"]
        .as_str()
        .unwrap()
        .starts_with("consent_id:"));
    assert_eq!(
        request(
            s.addr,
            "GET",
            "/consent/records/AAAAAAAAAAAAAAA1?format=xml",
            &[],
            b""
        )
        .status,
        400
    );

    // Admin: nothing without the token.
    for (m, p) in [
        ("GET", "/admin"),
        ("GET", "/admin/export?from=2000-01-01&to=2100-01-01"),
        ("GET", "/admin/audit"),
        ("DELETE", "/admin/records/AAAAAAAAAAAAAAA1"),
    ] {
        let r = request(s.addr, m, p, &[], b"");
        assert_eq!(r.status, 401, "{m} {p}");
        assert_eq!(r.json()["error"], "unauthorized");
        let r = request(s.addr, m, p, &[("Authorization", "Bearer wrong")], b"");
        assert_eq!(r.status, 401, "{m} {p}");
    }
    assert_eq!(export_ids(s.addr).len(), 3);
    let csv = admin(
        s.addr,
        "GET",
        "/admin/export?from=2000-01-01&to=2100-01-01&format=csv",
    );
    assert_eq!(csv.text().lines().count(), 4);
    let none = admin(
        s.addr,
        "GET",
        "/admin/export?from=2000-01-01&to=2000-01-02&format=csv",
    );
    assert_eq!(none.text().lines().count(), 1);
    let r = admin(s.addr, "GET", "/admin/export?from=yesterday&to=2100-01-01");
    assert_eq!(r.status, 400);
    assert!(r.json()["message"].as_str().unwrap().starts_with("from:"));
    let dash = admin(s.addr, "GET", "/admin");
    assert_eq!(dash.status, 200);
    assert!(dash.text().contains("<svg") && dash.text().contains("accept-all: 1"));
    let del = admin(s.addr, "DELETE", "/admin/records/AAAAAAAAAAAAAAA1").json();
    assert_eq!(del["deleted"], 2);
    assert_eq!(
        request(s.addr, "GET", "/consent/records/AAAAAAAAAAAAAAA1", &[], b"").json()["events"],
        serde_json::json!([])
    );
    let audit = admin(s.addr, "GET", "/admin/audit").json();
    let actions: Vec<&str> = audit["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    for a in [
        "register",
        "denied",
        "export",
        "dashboard",
        "delete",
        "audit",
    ] {
        assert!(actions.contains(&a), "audit lacks {a}: {actions:?}");
    }
    assert!(
        !audit.to_string().contains(TOKEN),
        "the token must never be stored"
    );
    // An erasure is not tampering.
    let (ok, out) = s.cli(&["verify"]);
    assert!(ok, "{out}");
    assert!(out.contains("ok: 1 events"), "{out}");
}

fn bad_inputs(b: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "");
    let s = Server::start(&cfg, &b.url("bad"));
    let hash = config_hash(&cfg, "en");
    let good: serde_json::Value = serde_json::from_str(&receipt(
        "evt-good000000000001",
        "CCCCCCCCCCCCCCC3",
        &hash,
        "custom",
        true,
    ))
    .unwrap();
    let with = |path: &[&str], v: serde_json::Value| {
        let mut r = good.clone();
        let mut at = &mut r;
        for p in &path[..path.len() - 1] {
            at = &mut at[*p];
        }
        at[path[path.len() - 1]] = v;
        r.to_string()
    };
    let cases: Vec<(Vec<u8>, &str, u16, &str)> = vec![
        (
            vec![b' '; 20_000],
            "application/json",
            413,
            "body: longer than",
        ),
        (
            good.to_string().into_bytes(),
            "application/xml",
            415,
            "content-type: expected application/json or text/plain",
        ),
        (
            good.to_string().into_bytes(),
            "text/plain; charset=latin1",
            415,
            "charset must be utf-8",
        ),
        (
            b"{\"event_id\": ".to_vec(),
            "application/json",
            400,
            "body:",
        ),
        (
            b"{\"a\":\"\xff\xfe\"}".to_vec(),
            "application/json",
            400,
            "not valid UTF-8",
        ),
        (
            b"[1,2]".to_vec(),
            "application/json",
            422,
            "expected a JSON object",
        ),
        (
            with(&["record", "categories", "tracking"], true.into()).into_bytes(),
            "application/json",
            422,
            "record.categories: is not a category id \"tracking\"",
        ),
        (
            with(&["record", "categories", "security"], false.into()).into_bytes(),
            "application/json",
            422,
            "record.categories.security: is a required category and cannot be refused",
        ),
        (
            with(&["record", "revision"], 7.into()).into_bytes(),
            "application/json",
            422,
            "record.revision: does not match",
        ),
        (
            with(&["record", "id"], "not an id".into()).into_bytes(),
            "application/json",
            422,
            "record.id: must be 16 URL-safe characters",
        ),
        (
            with(&["event_id"], "x".into()).into_bytes(),
            "application/json",
            422,
            "event_id: must be 16 to 64",
        ),
        (
            with(&["record", "given"], "2026-02-30T00:00:00Z".into()).into_bytes(),
            "application/json",
            422,
            "record.given: must be an ISO-8601",
        ),
        (
            with(&["sent"], "yesterday".into()).into_bytes(),
            "application/json",
            422,
            "sent: must be an ISO-8601",
        ),
        (
            with(&["kind"], "maybe".into()).into_bytes(),
            "application/json",
            422,
            "kind: must be",
        ),
        (
            with(&["config_hash"], "0".repeat(64).into()).into_bytes(),
            "application/json",
            422,
            "config_hash: no config version",
        ),
        (
            with(&["config_hash"], "abc".into()).into_bytes(),
            "application/json",
            422,
            "config_hash: must be 64",
        ),
        (
            with(&["page"], "https://example.com/a?email=x@y.z".into()).into_bytes(),
            "application/json",
            422,
            "page: must be origin and path only",
        ),
        (
            with(&["extra"], 1.into()).into_bytes(),
            "application/json",
            422,
            "extra: unknown key",
        ),
        // SQL and script payloads, in every field they could reach.
        (
            with(&["event_id"], "'; DROP TABLE events; --".into()).into_bytes(),
            "application/json",
            422,
            "event_id:",
        ),
        (
            with(&["record", "id"], "1' OR '1'='1".into()).into_bytes(),
            "application/json",
            422,
            "record.id:",
        ),
        (
            with(&["record", "method"], "<script>alert(1)</script>".into()).into_bytes(),
            "application/json",
            422,
            "record.method:",
        ),
        (
            with(&["kind"], "decision'); DELETE FROM events; --".into()).into_bytes(),
            "application/json",
            422,
            "kind:",
        ),
        (
            with(
                &["page"],
                "https://example.com/<script>alert(1)</script>".into(),
            )
            .into_bytes(),
            "application/json",
            422,
            "page:",
        ),
        (
            with(&["page"], "javascript:alert(1)".into()).into_bytes(),
            "application/json",
            422,
            "page: must start with",
        ),
        (
            with(
                &["record", "categories", "<img src=x onerror=alert(1)>"],
                true.into(),
            )
            .into_bytes(),
            "application/json",
            422,
            "is not a category id",
        ),
        (
            with(&["gpc"], "true; DROP TABLE events".into()).into_bytes(),
            "application/json",
            422,
            "gpc: expected true or false",
        ),
        (
            with(&["record", "updated"], "2026-11-01T00:00:00Z".into()).into_bytes(),
            "application/json",
            422,
            "record.updated: is earlier than given",
        ),
    ];
    for (body, ctype, status, says) in &cases {
        let r = request(
            s.addr,
            "POST",
            "/consent/events",
            &[("Content-Type", ctype)],
            body,
        );
        assert_eq!(r.status, *status, "{says}: {}", r.text());
        let j = r.json();
        let msg = j["message"].as_str().unwrap();
        assert!(msg.contains(says), "expected {says:?} in {msg:?}");
    }
    let r = request(
        s.addr,
        "POST",
        "/consent/events",
        &[],
        good.to_string().as_bytes(),
    );
    assert_eq!(r.status, 415);
    assert!(r.json()["message"].as_str().unwrap().contains("missing"));
    // Nothing was stored by any of them.
    assert!(export_ids(s.addr).is_empty());
    // A payload that is valid but hostile is stored as inert text.
    let odd = with(&["page"], "https://example.com/'OR'1'='1;--".into());
    assert_eq!(post_json(s.addr, &odd).status, 202);
    let h = request(s.addr, "GET", "/consent/records/CCCCCCCCCCCCCCC3", &[], b"").json();
    assert_eq!(h["events"][0]["page"], "https://example.com/'OR'1'='1;--");
    assert_eq!(export_ids(s.addr).len(), 1);
    let r = request(s.addr, "GET", "/nowhere", &[], b"");
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"], "not_found");
}

fn limits_and_cors(b: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(
        dir.path(),
        "rate_limit_per_minute = 5\nallowed_origins = [\"https://shop.example\"]",
    );
    let s = Server::start(&cfg, &b.url("limits"));
    let pre = |origin: &str| {
        request(
            s.addr,
            "OPTIONS",
            "/consent/events",
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "content-type"),
            ],
            b"",
        )
    };
    assert_eq!(
        pre("https://shop.example").header("access-control-allow-origin"),
        Some("https://shop.example")
    );
    assert_eq!(
        pre("https://evil.example").header("access-control-allow-origin"),
        None
    );
    let statuses: Vec<u16> = (0..7)
        .map(|_| request(s.addr, "GET", "/consent/records/AAAAAAAAAAAAAAA1", &[], b"").status)
        .collect();
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429, 429]);
    let r = request(s.addr, "GET", "/consent/records/AAAAAAAAAAAAAAA1", &[], b"");
    assert_eq!(r.json()["error"], "rate_limited");
    assert_eq!(
        request(s.addr, "GET", "/healthz", &[], b"").status,
        200,
        "health checks are not limited"
    );
}

/// Changes the database behind the server's back, as an intruder would.
fn alter(b: &Backend, url: &str, sql: &str) {
    match b {
        Backend::Sqlite(_) => {
            let sql = sql.replace(" ON events", "");
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                use sqlx::Connection;
                let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
                sqlx::raw_sql(&sql).execute(&mut c).await.unwrap();
            });
        }
        Backend::Postgres(c) => {
            c.psql(url.rsplit('/').next().unwrap(), sql);
        }
    }
}

fn tamper(b: &Backend) {
    let alter = |url: &str, sql: &str| alter(b, url, sql);
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "");
    let url = b.url("tamper");
    let s = Server::start(&cfg, &url);
    let hash = config_hash(&cfg, "en");
    for i in 0..5 {
        assert_eq!(
            post_json(
                s.addr,
                &receipt(
                    &format!("evt-tamper-{i:08}"),
                    &format!("DDDDDDDDDDDDDD{i:02}"),
                    &hash,
                    "accept-all",
                    true
                )
            )
            .status,
            202
        );
    }
    assert!(s.cli(&["verify"]).0);
    alter(&url, "DROP TRIGGER events_append_only ON events; UPDATE events SET method = 'reject-all' WHERE seq = 2");
    let (ok, out) = s.cli(&["verify"]);
    assert!(!ok);
    assert!(
        out.contains("event 2 (evt-tamper-00000001): altered"),
        "{out}"
    );
    alter(&url, "DELETE FROM events WHERE seq = 4");
    let (ok, out) = s.cli(&["verify"]);
    assert!(!ok);
    assert!(
        out.contains("event 4: removed without an erasure record"),
        "{out}"
    );
    alter(&url, "DELETE FROM events WHERE seq = 5");
    let (_, out) = s.cli(&["verify"]);
    assert!(out.contains("event 5: removed"), "the last row too: {out}");
}

/// kill -9 while clients post; every acknowledged event survives, and
/// clients that resend everything get each event stored exactly once.
fn kill9(b: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "rate_limit_per_minute = 0");
    let url = b.url("kill");
    let port = free_port();
    let mut s = Server::start_on(&cfg, &url, port);
    let hash = config_hash(&cfg, "en");
    let acked = Arc::new(Mutex::new(HashSet::new()));
    let addr = s.addr;
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let acked = acked.clone();
            let hash = hash.clone();
            std::thread::spawn(move || {
                for i in 0..400 {
                    let id = format!("evt-kill-{t}-{i:06}");
                    let body = receipt(
                        &id,
                        &format!("EEEEEEEEEEEE{t}{:03}", i % 1000),
                        &hash,
                        "custom",
                        i % 2 == 0,
                    );
                    match try_request(
                        addr,
                        "POST",
                        "/consent/events",
                        &[("Content-Type", "application/json")],
                        body.as_bytes(),
                    ) {
                        Some(r) if r.status == 202 => {
                            acked.lock().unwrap().insert(id);
                        }
                        _ => return,
                    }
                }
            })
        })
        .collect();
    while acked.lock().unwrap().len() < 300 {
        std::thread::yield_now();
    }
    s.kill9();
    for t in threads {
        t.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    let s = Server::start_on(&cfg, &url, port);
    let stored: HashSet<String> = export_ids(s.addr).into_iter().collect();
    let lost: Vec<_> = acked.difference(&stored).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged events lost: {lost:?}",
        lost.len()
    );
    // The browsers' queues resend everything: stored once each.
    for t in 0..4 {
        for i in 0..400 {
            let id = format!("evt-kill-{t}-{i:06}");
            let r = post_json(
                s.addr,
                &receipt(
                    &id,
                    &format!("EEEEEEEEEEEE{t}{:03}", i % 1000),
                    &hash,
                    "custom",
                    i % 2 == 0,
                ),
            );
            assert_eq!(r.status, 202);
            assert_eq!(r.json()["duplicate"], stored.contains(&id));
        }
    }
    let all = export_ids(s.addr);
    assert_eq!(all.len(), 1600);
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 1600);
    let (ok, out) = s.cli(&["verify"]);
    assert!(ok, "{out}");
}

/// Each scenario runs on SQLite and on its own PostgreSQL cluster.
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
on_both!(endpoints, bad_inputs, limits_and_cors, tamper, kill9);

#[test]
fn postgres_outage() {
    outage(&Cluster::start());
}

#[test]
fn postgres_two_servers() {
    two_servers(&Cluster::start());
}

/// PostgreSQL stopped: 503, nothing acknowledged; back: everything lands.
fn outage(c: &Cluster) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "rate_limit_per_minute = 0");
    let s = Server::start(&cfg, &c.database("outage"));
    let hash = config_hash(&cfg, "en");
    assert_eq!(
        post_json(
            s.addr,
            &receipt(
                "evt-outage-0000001",
                "FFFFFFFFFFFFFFF1",
                &hash,
                "accept-all",
                true
            )
        )
        .status,
        202
    );
    c.stop();
    let r = post_json(
        s.addr,
        &receipt(
            "evt-outage-0000002",
            "FFFFFFFFFFFFFFF1",
            &hash,
            "reject-all",
            false,
        ),
    );
    assert_eq!(r.status, 503, "{}", r.text());
    assert_eq!(r.json()["error"], "unavailable");
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(request(s.addr, "GET", "/healthz", &[], b"").status, 503);
    c.pg_ctl_start();
    // The browser retries its queue: the pool reconnects.
    let mut status = 0;
    for _ in 0..50 {
        status = post_json(
            s.addr,
            &receipt(
                "evt-outage-0000002",
                "FFFFFFFFFFFFFFF1",
                &hash,
                "reject-all",
                false,
            ),
        )
        .status;
        if status == 202 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(status, 202);
    assert_eq!(request(s.addr, "GET", "/healthz", &[], b"").status, 200);
    let h = request(s.addr, "GET", "/consent/records/FFFFFFFFFFFFFFF1", &[], b"").json();
    assert_eq!(h["events"].as_array().unwrap().len(), 2);
}

/// Two stateless servers on one PostgreSQL, writing at once, some receipts
/// sent to both: each stored once, one intact chain.
fn two_servers(c: &Cluster) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "rate_limit_per_minute = 0");
    let url = c.database("two");
    let a = Server::start(&cfg, &url);
    let b = Server::start(&cfg, &url);
    let hash = config_hash(&cfg, "en");
    let threads: Vec<_> = (0..6)
        .map(|t| {
            let (addrs, hash) = ([a.addr, b.addr], hash.clone());
            std::thread::spawn(move || {
                for i in 0..150 {
                    // Every third receipt goes to both servers.
                    let id = format!("evt-two-{t}-{i:06}");
                    let body = receipt(
                        &id,
                        &format!("GGGGGGGGGGGGG{t}{:02}", i % 100),
                        &hash,
                        "accept-all",
                        true,
                    );
                    let first = addrs[(t + i) % 2];
                    assert_eq!(post_json(first, &body).status, 202);
                    if i % 3 == 0 {
                        assert_eq!(
                            post_json(addrs[(t + i + 1) % 2], &body).json()["duplicate"],
                            true
                        );
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let ids = export_ids(a.addr);
    assert_eq!(ids.len(), 900);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 900);
    let (ok, out) = a.cli(&["verify"]);
    assert!(ok, "{out}");
    assert!(out.contains("900 events"), "{out}");
}

/// Connections are bounded: with every slot held by an idle client, a new
/// client is not served until one of them leaves, and then it is.
#[test]
fn connections_are_bounded() {
    use std::net::TcpStream;
    use std::sync::mpsc;
    use std::time::Duration;
    let b = Backend::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "max_connections = 2");
    let s = Server::start(&cfg, &b.url("bounded"));
    // Two clients that connect, say nothing and stay.
    let idle: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(s.addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let (tx, rx) = mpsc::channel();
    let addr = s.addr;
    std::thread::spawn(move || {
        let r = try_request(addr, "GET", "/healthz", &[], b"");
        let _ = tx.send(r.map(|r| r.status));
    });
    assert!(
        rx.recv_timeout(Duration::from_millis(1500)).is_err(),
        "a third client was served while both slots were held"
    );
    drop(idle.into_iter().next());
    assert_eq!(rx.recv_timeout(Duration::from_secs(20)).unwrap(), Some(200));
}

/// A client that announces a body and never sends it gets a JSON 408 once
/// request_timeout_seconds has passed, and its slot back.
#[test]
fn slow_senders_time_out() {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::Duration;
    let b = Backend::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "request_timeout_seconds = 1");
    let s = Server::start(&cfg, &b.url("timeout"));
    let mut c = TcpStream::connect(s.addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        c,
        "POST /consent/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{{"
    )
    .unwrap();
    let mut out = String::new();
    let _ = c.read_to_string(&mut out);
    assert!(out.starts_with("HTTP/1.1 408"), "{out}");
    assert!(out.contains("request_timeout_seconds"), "{out}");
    // Nothing was stored.
    let r = request(s.addr, "GET", "/consent/records/AAAAAAAAAAAAAAAA", &[], b"");
    assert_eq!(
        r.json()["events"].as_array().map(Vec::len),
        Some(0),
        "{}",
        r.text()
    );
}
