//! The database: SQLite or PostgreSQL, the same tables and the same SQL.
//!
//! Every event goes through one writer task per process, which commits
//! whatever is waiting in one transaction (a grouped commit: one fsync for
//! many receipts) and answers each sender only after the commit returned.
//! The chain head row is locked inside that transaction, so several
//! processes on one PostgreSQL still extend one chain, one batch at a time.

use crate::settings::sha256_hex;
use futures_util::TryStreamExt;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, Row};
use std::borrow::Cow;
use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// The most consent ids (devices, browsers) linked to one account.
pub const LINKS: i64 = 64;
/// The most campaigns counted.
pub const CAMPAIGNS: i64 = 10_000;

pub const ZERO_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool and `$pg` telling
/// which one it is; the body is compiled once per backend.
macro_rules! with_pool {
    ($db:expr, $pool:ident, $pg:ident => $body:expr) => {
        match $db {
            Db::Sqlite($pool) => {
                #[allow(unused_variables)]
                let $pg = false;
                $body
            }
            Db::Postgres($pool) => {
                #[allow(unused_variables)]
                let $pg = true;
                $body
            }
        }
    };
}

/// Reads an event out of a row of either backend.
macro_rules! event_of {
    ($row:expr) => {
        Event {
            seq: $row.try_get("seq")?,
            event_id: $row.try_get("event_id")?,
            consent_id: $row.try_get("consent_id")?,
            kind: $row.try_get("kind")?,
            received_ms: $row.try_get("received_ms")?,
            sent: $row.try_get("sent")?,
            config_hash: $row.try_get("config_hash")?,
            revision: $row.try_get("revision")?,
            method: $row.try_get("method")?,
            given: $row.try_get("given")?,
            updated: $row.try_get("updated")?,
            categories: $row.try_get("categories")?,
            gpc: $row.try_get("gpc")?,
            page: $row.try_get("page")?,
            ip: $row.try_get("ip")?,
            hash: $row.try_get("hash")?,
        }
    };
}

const COLUMNS: &str = "seq, event_id, consent_id, kind, received_ms, sent, config_hash, revision, \
    method, given, updated, categories, gpc, page, ip, hash";

/// `?` placeholders as PostgreSQL spells them (`$1`, `$2`, …).
fn sql(pg: bool, text: &str) -> Cow<'_, str> {
    if !pg {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut n = 0;
    for c in text.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A stored event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub seq: i64,
    pub event_id: String,
    pub consent_id: String,
    pub kind: String,
    pub received_ms: i64,
    pub sent: i64,
    pub config_hash: String,
    pub revision: i64,
    pub method: String,
    pub given: i64,
    pub updated: i64,
    /// `{"id":true,…}` in config order.
    pub categories: String,
    pub gpc: i64,
    pub page: String,
    pub ip: Option<String>,
    pub hash: String,
}

impl Event {
    /// The link of the chain: SHA-256 of the previous hash and every field,
    /// each length-prefixed so no two rows can write the same bytes.
    pub fn chain_hash(&self, prev: &str) -> String {
        let mut s = String::with_capacity(512);
        let mut field = |v: &str| {
            s.push_str(&v.len().to_string());
            s.push(':');
            s.push_str(v);
        };
        field(prev);
        field(&self.seq.to_string());
        field(&self.event_id);
        field(&self.consent_id);
        field(&self.kind);
        field(&self.received_ms.to_string());
        field(&self.sent.to_string());
        field(&self.config_hash);
        field(&self.revision.to_string());
        field(&self.method);
        field(&self.given.to_string());
        field(&self.updated.to_string());
        field(&self.categories);
        field(&self.gpc.to_string());
        field(&self.page);
        field(self.ip.as_deref().unwrap_or("-"));
        sha256_hex(s.as_bytes())
    }
}

/// What the writer answers: the stored event's id and server time.
#[derive(Clone, Debug)]
pub struct Ack {
    pub event_id: String,
    pub received_ms: i64,
    pub duplicate: bool,
}

#[derive(Debug)]
pub enum StoreError {
    /// The database cannot be reached or refused the write: try again.
    Unavailable(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Unavailable(m) => write!(f, "database unavailable: {m}"),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Unavailable(e.to_string())
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Db {
    /// Connects (`sqlite://path`, `postgres://…`) and applies migrations.
    pub async fn open(url: &str, pool_size: u32) -> std::result::Result<Db, String> {
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url).map_err(|e| format!("--database: {e}"))?;
            let pool = PgPoolOptions::new()
                .max_connections(pool_size)
                .acquire_timeout(Duration::from_secs(3))
                .connect_with(opts)
                .await
                .map_err(|e| format!("cannot connect to PostgreSQL: {e}"))?;
            POSTGRES_MIGRATIONS
                .run(&pool)
                .await
                .map_err(|e| format!("migrations failed: {e}"))?;
            Db::Postgres(pool)
        } else if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let opts = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: a commit is on disk before the receipt is acknowledged.
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(5));
            let pool = SqlitePoolOptions::new()
                .max_connections(pool_size)
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(opts)
                .await
                .map_err(|e| format!("cannot open SQLite database {path}: {e}"))?;
            SQLITE_MIGRATIONS
                .run(&pool)
                .await
                .map_err(|e| format!("migrations failed: {e}"))?;
            Db::Sqlite(pool)
        } else {
            return Err(format!(
                "--database: \"{url}\" is neither sqlite://PATH nor postgres://…"
            ));
        };
        Ok(db)
    }

    pub async fn ping(&self) -> Result<()> {
        with_pool!(self, p, pg => {
            sqlx::query("SELECT 1").execute(p).await?;
        });
        Ok(())
    }

    /// Commits a batch: new events join the chain, repeated event ids get
    /// the answer of their first arrival.
    pub async fn append(&self, batch: &[crate::receipt::NewEvent]) -> Result<Vec<Ack>> {
        with_pool!(self, p, pg => {
            let mut conn = p.acquire().await?;
            sqlx::query(if pg { "BEGIN" } else { "BEGIN IMMEDIATE" }).execute(&mut *conn).await?;
            let run = async {
                let head = sqlx::query(if pg {
                    "SELECT seq, hash FROM chain_head WHERE id = 1 FOR UPDATE"
                } else {
                    "SELECT seq, hash FROM chain_head WHERE id = 1"
                })
                .fetch_one(&mut *conn)
                .await?;
                let mut seq: i64 = head.try_get("seq")?;
                let mut prev: String = head.try_get("hash")?;
                let mut seen: HashMap<String, i64> = HashMap::new();
                let marks = vec!["?"; batch.len()].join(",");
                let q = format!("SELECT event_id, received_ms FROM events WHERE event_id IN ({marks})");
                let q = sql(pg, &q);
                let mut query = sqlx::query(&q);
                for e in batch {
                    query = query.bind(&e.event_id);
                }
                for row in query.fetch_all(&mut *conn).await? {
                    seen.insert(row.try_get("event_id")?, row.try_get("received_ms")?);
                }
                let now = now_ms();
                let insert = sql(pg, &format!(
                    "INSERT INTO events ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                )).into_owned();
                let mut acks = Vec::with_capacity(batch.len());
                for e in batch {
                    if let Some(at) = seen.get(&e.event_id) {
                        acks.push(Ack { event_id: e.event_id.clone(), received_ms: *at, duplicate: true });
                        continue;
                    }
                    seq += 1;
                    let mut ev = e.to_event(seq, now);
                    ev.hash = ev.chain_hash(&prev);
                    sqlx::query(&insert)
                        .bind(ev.seq).bind(&ev.event_id).bind(&ev.consent_id).bind(&ev.kind)
                        .bind(ev.received_ms).bind(ev.sent).bind(&ev.config_hash).bind(ev.revision)
                        .bind(&ev.method).bind(ev.given).bind(ev.updated).bind(&ev.categories)
                        .bind(ev.gpc).bind(&ev.page).bind(&ev.ip).bind(&ev.hash)
                        .execute(&mut *conn)
                        .await?;
                    seen.insert(ev.event_id.clone(), now);
                    prev = ev.hash;
                    acks.push(Ack { event_id: e.event_id.clone(), received_ms: now, duplicate: false });
                }
                sqlx::query(&sql(pg, "UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1"))
                    .bind(seq)
                    .bind(&prev)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("COMMIT").execute(&mut *conn).await?;
                Ok::<_, sqlx::Error>(acks)
            };
            match run.await {
                Ok(acks) => Ok(acks),
                Err(e) => {
                    // A connection left inside a transaction must not go back
                    // to the pool.
                    let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                    let _ = conn.detach().close().await;
                    Err(e.into())
                }
            }
        })
    }

    /// One visitor's history, oldest first, at most `limit` events.
    pub async fn history(&self, consent_id: &str, limit: i64) -> Result<Vec<Event>> {
        with_pool!(self, p, pg => {
            let q = format!("SELECT {COLUMNS} FROM events WHERE consent_id = ? ORDER BY seq LIMIT ?");
            let rows = sqlx::query(&sql(pg, &q)).bind(consent_id).bind(limit).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(event_of!(r));
            }
            Ok(out)
        })
    }

    /// Events with `seq` in `from..to`, in order.
    pub async fn events_between(&self, from: i64, to: i64) -> Result<Vec<Event>> {
        with_pool!(self, p, pg => {
            let q = format!("SELECT {COLUMNS} FROM events WHERE seq >= ? AND seq < ? ORDER BY seq");
            let rows = sqlx::query(&sql(pg, &q)).bind(from).bind(to).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(event_of!(r));
            }
            Ok(out)
        })
    }

    /// Erased positions with `seq` in `from..to`: (seq, hash).
    pub async fn erasures_between(&self, from: i64, to: i64) -> Result<Vec<(i64, String)>> {
        with_pool!(self, p, pg => {
            let rows = sqlx::query(&sql(pg, "SELECT seq, hash FROM erasures WHERE seq >= ? AND seq < ? ORDER BY seq"))
                .bind(from).bind(to).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push((r.try_get("seq")?, r.try_get("hash")?));
            }
            Ok(out)
        })
    }

    pub async fn head(&self) -> Result<(i64, String)> {
        with_pool!(self, p, pg => {
            let r = sqlx::query("SELECT seq, hash FROM chain_head WHERE id = 1").fetch_one(p).await?;
            Ok((r.try_get("seq")?, r.try_get("hash")?))
        })
    }

    /// Sends events received in `from_ms..to_ms`, oldest first, to `each`
    /// one at a time, so an export of any size holds one row in memory.
    pub async fn export(&self, from_ms: i64, to_ms: i64, tx: mpsc::Sender<Event>) -> Result<()> {
        with_pool!(self, p, pg => {
            let q = format!("SELECT {COLUMNS} FROM events WHERE received_ms >= ? AND received_ms < ? ORDER BY seq");
            let q = sql(pg, &q);
            let mut rows = sqlx::query(&q).bind(from_ms).bind(to_ms).fetch(p);
            while let Some(r) = rows.try_next().await? {
                let ev: Event = event_of!(r);
                if tx.send(ev).await.is_err() {
                    break; // the client went away
                }
            }
            Ok(())
        })
    }

    /// Decisions received since `since_ms`, as (received_ms, method,
    /// categories), streamed into `each`.
    pub async fn decisions_since(
        &self,
        since_ms: i64,
        mut each: impl FnMut(i64, &str, &str) + Send,
    ) -> Result<()> {
        with_pool!(self, p, pg => {
            let q = sql(pg, "SELECT received_ms, method, categories FROM events WHERE kind = 'decision' AND received_ms >= ? ORDER BY seq");
            let mut rows = sqlx::query(&q).bind(since_ms).fetch(p);
            while let Some(r) = rows.try_next().await? {
                let at: i64 = r.try_get("received_ms")?;
                let method: String = r.try_get("method")?;
                let cats: String = r.try_get("categories")?;
                each(at, &method, &cats);
            }
            Ok(())
        })
    }

    /// Removes events matching `filter` (`consent_id = ?` or
    /// `received_ms < ?`), keeping each one's chain hash in `erasures` so
    /// `verify` can tell an erasure from tampering. Returns how many went.
    async fn erase(&self, filter: &str, arg: Erase<'_>, reason: &str) -> Result<u64> {
        with_pool!(self, p, pg => {
            let mut tx = p.begin().await?;
            let ins = format!("INSERT INTO erasures (seq, hash, erased_ms, reason) SELECT seq, hash, ?, ? FROM events WHERE {filter}");
            let del = format!("DELETE FROM events WHERE {filter}");
            let ins = sql(pg, &ins);
            let n = match arg {
                Erase::Id(s) => {
                    sqlx::query(&ins).bind(now_ms()).bind(reason).bind(s).execute(&mut *tx).await?;
                    sqlx::query(&sql(pg, &del)).bind(s).execute(&mut *tx).await?.rows_affected()
                }
                Erase::Before(n) => {
                    sqlx::query(&ins).bind(now_ms()).bind(reason).bind(n).execute(&mut *tx).await?;
                    sqlx::query(&sql(pg, &del)).bind(n).execute(&mut *tx).await?.rows_affected()
                }
            };
            tx.commit().await?;
            Ok(n)
        })
    }

    pub async fn erase_consent(&self, consent_id: &str) -> Result<u64> {
        let n = self
            .erase("consent_id = ?", Erase::Id(consent_id), "erasure request")
            .await?;
        with_pool!(self, p, pg => {
            sqlx::query(&sql(pg, "DELETE FROM account_links WHERE consent_id = ?"))
                .bind(consent_id).execute(p).await?;
        });
        Ok(n)
    }

    /// Retention: old events, and links not refreshed since the cutoff.
    pub async fn purge_before(&self, cutoff_ms: i64) -> Result<u64> {
        let n = self
            .erase("received_ms < ?", Erase::Before(cutoff_ms), "retention")
            .await?;
        with_pool!(self, p, pg => {
            sqlx::query(&sql(pg, "DELETE FROM account_links WHERE linked_ms < ?"))
                .bind(cutoff_ms).execute(p).await?;
        });
        Ok(n)
    }

    pub async fn audit(&self, actor: &str, action: &str, detail: &str) -> Result<()> {
        with_pool!(self, p, pg => {
            sqlx::query(&sql(pg, "INSERT INTO audit (at_ms, actor, action, detail) VALUES (?, ?, ?, ?)"))
                .bind(now_ms()).bind(actor).bind(action).bind(detail)
                .execute(p).await?;
            Ok(())
        })
    }

    /// The latest `limit` audit entries, newest first: (at_ms, actor, action, detail).
    pub async fn audit_log(&self, limit: i64) -> Result<Vec<(i64, String, String, String)>> {
        with_pool!(self, p, pg => {
            let rows = sqlx::query(&sql(pg, "SELECT at_ms, actor, action, detail FROM audit ORDER BY id DESC LIMIT ?"))
                .bind(limit).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push((r.try_get("at_ms")?, r.try_get("actor")?, r.try_get("action")?, r.try_get("detail")?));
            }
            Ok(out)
        })
    }

    /// Records a config version; returns whether it was new.
    pub async fn register(&self, hash: &str, lang: &str, config: &str) -> Result<bool> {
        with_pool!(self, p, pg => {
            let r = sqlx::query(&sql(pg, "INSERT INTO snapshots (hash, lang, config, registered_ms) VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING"))
                .bind(hash).bind(lang).bind(config).bind(now_ms())
                .execute(p).await?;
            Ok(r.rows_affected() > 0)
        })
    }

    /// The config JSON registered under `hash`.
    pub async fn snapshot(&self, hash: &str) -> Result<Option<String>> {
        with_pool!(self, p, pg => {
            let r = sqlx::query(&sql(pg, "SELECT config FROM snapshots WHERE hash = ?"))
                .bind(hash).fetch_optional(p).await?;
            match r {
                Some(r) => Ok(Some(r.try_get("config")?)),
                None => Ok(None),
            }
        })
    }

    /// Links `consent_id` to `account` (or refreshes the link), keeping
    /// the account's newest [`LINKS`] links.
    pub async fn link(&self, account: &str, consent_id: &str) -> Result<()> {
        with_pool!(self, p, pg => {
            let mut tx = p.begin().await?;
            sqlx::query(&sql(pg, "INSERT INTO account_links (account, consent_id, linked_ms) VALUES (?, ?, ?) \
                ON CONFLICT (account, consent_id) DO UPDATE SET linked_ms = excluded.linked_ms"))
                .bind(account).bind(consent_id).bind(now_ms())
                .execute(&mut *tx).await?;
            sqlx::query(&sql(pg, "DELETE FROM account_links WHERE account = ? AND consent_id NOT IN \
                (SELECT consent_id FROM account_links WHERE account = ? ORDER BY linked_ms DESC, consent_id LIMIT ?)"))
                .bind(account).bind(account).bind(LINKS)
                .execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// The account's latest event: the newest decision (by its `updated`)
    /// or withdrawal (by when it was sent) among its linked consent ids.
    pub async fn account_latest(&self, account: &str) -> Result<Option<Event>> {
        with_pool!(self, p, pg => {
            let q = format!("SELECT {COLUMNS} FROM events WHERE consent_id IN \
                (SELECT consent_id FROM account_links WHERE account = ?) \
                ORDER BY CASE WHEN kind = 'withdrawal' THEN sent ELSE updated END DESC, seq DESC LIMIT 1");
            let row = sqlx::query(&sql(pg, &q)).bind(account).fetch_optional(p).await?;
            match row {
                Some(r) => Ok(Some(event_of!(r))),
                None => Ok(None),
            }
        })
    }

    /// Adds to a campaign's counts; a new campaign beyond [`CAMPAIGNS`] is
    /// not stored. Returns whether it counted.
    pub async fn count_campaign(&self, campaign: &str, opens: i64, clicks: i64) -> Result<bool> {
        with_pool!(self, p, pg => {
            let r = sqlx::query(&sql(pg, "INSERT INTO campaigns (campaign, opens, clicks) SELECT ?, ?, ? \
                WHERE (SELECT COUNT(*) FROM campaigns) < ? OR EXISTS (SELECT 1 FROM campaigns WHERE campaign = ?) \
                ON CONFLICT (campaign) DO UPDATE SET opens = campaigns.opens + excluded.opens, \
                clicks = campaigns.clicks + excluded.clicks"))
                .bind(campaign).bind(opens).bind(clicks).bind(CAMPAIGNS).bind(campaign)
                .execute(p).await?;
            Ok(r.rows_affected() > 0)
        })
    }

    /// Every campaign's counts, by name: (campaign, opens, clicks).
    pub async fn campaigns(&self) -> Result<Vec<(String, i64, i64)>> {
        with_pool!(self, p, pg => {
            let rows = sqlx::query(&sql(pg, "SELECT campaign, opens, clicks FROM campaigns ORDER BY campaign LIMIT ?"))
                .bind(CAMPAIGNS).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push((r.try_get("campaign")?, r.try_get("opens")?, r.try_get("clicks")?));
            }
            Ok(out)
        })
    }

    pub async fn count(&self) -> Result<i64> {
        with_pool!(self, p, pg => {
            let r = sqlx::query("SELECT COUNT(*) AS n FROM events").fetch_one(p).await?;
            Ok(r.try_get("n")?)
        })
    }

    pub async fn close(&self) {
        with_pool!(self, p, pg => p.close().await)
    }
}

#[derive(Clone, Copy)]
enum Erase<'a> {
    Id(&'a str),
    Before(i64),
}

/// One receipt waiting for the writer, and where its answer goes.
pub struct Job {
    pub event: crate::receipt::NewEvent,
    pub reply: oneshot::Sender<Result<Ack>>,
}

/// Starts the writer; the sender is bounded by `queue`.
pub fn writer(db: Db, queue: usize, batch: usize) -> mpsc::Sender<Job> {
    let (tx, mut rx) = mpsc::channel::<Job>(queue);
    tokio::spawn(async move {
        let mut jobs: Vec<Job> = Vec::with_capacity(batch);
        while let Some(first) = rx.recv().await {
            jobs.push(first);
            while jobs.len() < batch {
                match rx.try_recv() {
                    Ok(j) => jobs.push(j),
                    Err(_) => break,
                }
            }
            let events: Vec<_> = jobs.iter().map(|j| j.event.clone()).collect();
            match db.append(&events).await {
                Ok(acks) => {
                    for (job, ack) in jobs.drain(..).zip(acks) {
                        let _ = job.reply.send(Ok(ack));
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, events = jobs.len(), "batch not committed");
                    let StoreError::Unavailable(msg) = e;
                    for job in jobs.drain(..) {
                        let _ = job.reply.send(Err(StoreError::Unavailable(msg.clone())));
                    }
                }
            }
        }
    });
    tx
}
