//! Test harness: the real `consentry-server` binary, a tiny HTTP client, and
//! a private PostgreSQL cluster (initdb in a temp dir, a free port on
//! 127.0.0.1, its own socket dir; stopped when dropped).
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_consentry-server");
pub const TOKEN: &str = "test-admin-token-0123456789";
/// The account secret every test server signs account tokens with.
pub const SECRET: &str = "test-account-secret-0123456789abcdef";

/// An account token for `account`, valid for `ttl` seconds (negative:
/// already expired), signed with `secret`.
pub fn account_token(secret: &str, account: &str, ttl: i64) -> String {
    let s = consentry_server::account::Secret::new(secret).unwrap();
    let now = consentry_server::account::now_secs();
    s.mint(account, now.saturating_add_signed(ttl)).unwrap()
}
pub const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request on a fresh connection; `None` when the connection
/// fails (server down).
pub fn try_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Option<Response> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).ok()?;
    let _ = s.write_all(body);
    let mut r = BufReader::new(s);
    let mut line = String::new();
    r.read_line(&mut line).ok()?;
    let status: u16 = line.split(' ').nth(1)?.parse().ok()?;
    let mut hs = Vec::new();
    loop {
        let mut l = String::new();
        r.read_line(&mut l).ok()?;
        let l = l.trim_end();
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':')?;
        hs.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let chunked = hs
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            r.read_line(&mut size).ok()?;
            let n = usize::from_str_radix(size.trim(), 16).ok()?;
            if n == 0 {
                break;
            }
            let mut chunk = vec![0; n + 2];
            r.read_exact(&mut chunk).ok()?;
            body.extend_from_slice(&chunk[..n]);
        }
    } else {
        r.read_to_end(&mut body).ok()?;
    }
    Some(Response {
        status,
        headers: hs,
        body,
    })
}

pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    try_request(addr, method, path, headers, body)
        .unwrap_or_else(|| panic!("{method} {path}: no answer"))
}

pub fn post_json(addr: SocketAddr, body: &str) -> Response {
    request(
        addr,
        "POST",
        "/consent/events",
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    )
}

pub fn admin(addr: SocketAddr, method: &str, path: &str) -> Response {
    let auth = format!("Bearer {TOKEN}");
    request(addr, method, path, &[("Authorization", &auth)], b"")
}

/// A database for one scenario.
pub enum Backend {
    Sqlite(tempfile::TempDir),
    Postgres(std::sync::Arc<Cluster>),
}

impl Backend {
    pub fn sqlite() -> Backend {
        Backend::Sqlite(tempfile::tempdir().unwrap())
    }
    pub fn url(&self, name: &str) -> String {
        match self {
            Backend::Sqlite(dir) => format!(
                "sqlite://{}",
                dir.path().join(format!("{name}.db")).display()
            ),
            Backend::Postgres(c) => c.database(name),
        }
    }
}

/// A private PostgreSQL 15 cluster, run as the `postgres` user.
pub struct Cluster {
    dir: tempfile::TempDir,
    pub port: u16,
}

fn as_postgres(args: &[&str]) -> Command {
    let mut c = Command::new("runuser");
    c.args(["-u", "postgres", "--"]).args(args);
    c
}

impl Cluster {
    pub fn start() -> Cluster {
        let dir = tempfile::Builder::new()
            .prefix("consentry-pg")
            .tempdir()
            .unwrap();
        // The postgres user must own its data and socket folders.
        for sub in ["data", "sock"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        let ok = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(ok.success());
        let mut perms = std::fs::metadata(dir.path()).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(dir.path(), perms).unwrap();
        let data = dir.path().join("data");
        let out = as_postgres(&[
            &format!("{PG_BIN}/initdb"),
            "-D",
            data.to_str().unwrap(),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        ])
        .stdout(Stdio::null())
        .output()
        .unwrap();
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let c = Cluster {
            dir,
            port: free_port(),
        };
        c.pg_ctl_start();
        c
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn pg_ctl_start(&self) {
        let opts = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c max_connections=200 -c fsync=on",
            self.port,
            self.dir.path().join("sock").display()
        );
        let log = self.dir.path().join("sock/log");
        let out = as_postgres(&[
            &format!("{PG_BIN}/pg_ctl"),
            "-D",
            self.data().to_str().unwrap(),
            "-o",
            &opts,
            "-l",
            log.to_str().unwrap(),
            "-w",
            "start",
        ])
        .stdout(Stdio::null())
        .output()
        .unwrap();
        assert!(
            out.status.success(),
            "pg_ctl start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn stop(&self) {
        let _ = as_postgres(&[
            &format!("{PG_BIN}/pg_ctl"),
            "-D",
            self.data().to_str().unwrap(),
            "-m",
            "fast",
            "-w",
            "stop",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    }

    /// A fresh database named `name`, as a URL.
    pub fn database(&self, name: &str) -> String {
        let out = as_postgres(&[
            &format!("{PG_BIN}/createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            &self.port.to_string(),
            name,
        ])
        .output()
        .unwrap();
        assert!(
            out.status.success(),
            "createdb {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    pub fn psql(&self, db: &str, sql: &str) -> String {
        let out = as_postgres(&[
            &format!("{PG_BIN}/psql"),
            "-h",
            "127.0.0.1",
            "-p",
            &self.port.to_string(),
            "-d",
            db,
            "-At",
            "-c",
            sql,
        ])
        .output()
        .unwrap();
        assert!(
            out.status.success(),
            "psql: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A running `consentry-server serve`, killed when dropped.
pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    pub config: PathBuf,
    pub database: String,
}

pub fn write_config(dir: &Path, ledger_extra: &str) -> PathBuf {
    let base = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../categories.toml"))
        .unwrap();
    let path = dir.join(format!("categories-{}.toml", free_port()));
    std::fs::write(
        &path,
        format!("{base}\n[ledger]\nendpoint = \"/consent/events\"\n{ledger_extra}\n"),
    )
    .unwrap();
    path
}

impl Server {
    pub fn start(config: &Path, database: &str) -> Server {
        Server::start_on(config, database, free_port())
    }

    pub fn start_on(config: &Path, database: &str, port: u16) -> Server {
        let mut child = Command::new(BIN)
            .arg("--config")
            .arg(config)
            .args([
                "--database",
                database,
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--log",
                "warn",
            ])
            .env("CONSENTRY_ADMIN_TOKEN", TOKEN)
            .env("CONSENTRY_ACCOUNT_SECRET", SECRET)
            .env_remove("DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(
            line.starts_with("listening on"),
            "server did not start: {line:?}"
        );
        let addr = line
            .trim()
            .trim_start_matches("listening on http://")
            .parse()
            .unwrap();
        Server {
            child,
            addr,
            config: config.to_owned(),
            database: database.to_owned(),
        }
    }

    pub fn kill9(&mut self) {
        let _ = self.child.kill(); // SIGKILL
        let _ = self.child.wait();
    }

    pub fn cli(&self, args: &[&str]) -> (bool, String) {
        let out = Command::new(BIN)
            .arg("--config")
            .arg(&self.config)
            .args(["--database", &self.database, "--log", "warn"])
            .args(args)
            .env("CONSENTRY_ACCOUNT_SECRET", SECRET)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// The hash a browser showing `lang` computes for the repository's config.
pub fn config_hash(config: &Path, lang: &str) -> String {
    let site = consentry_server::settings::load(config).unwrap();
    consentry_server::settings::config_hash(&site.value, lang)
}

/// A receipt as the browser sends it.
pub fn receipt(
    event_id: &str,
    consent_id: &str,
    hash: &str,
    method: &str,
    marketing: bool,
) -> String {
    serde_json::json!({
        "event_id": event_id,
        "kind": "decision",
        "record": {
            "id": consent_id, "revision": 1,
            "given": "2026-12-01T10:00:00Z", "updated": "2026-12-01T10:00:00Z",
            "method": method,
            "categories": {"authorization": true, "security": true, "settings": false, "marketing": marketing, "analytics": false}
        },
        "config_hash": hash,
        "gpc": false,
        "page": "https://example.com/account",
        "sent": "2026-12-01T10:00:01.250Z"
    })
    .to_string()
}
