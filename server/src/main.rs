//! The `consentry-server` command line.

use axum::serve::ListenerExt;
use clap::{Parser, Subcommand};
use consentry_server::{account, http, settings, store, verify};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// The consentry consent ledger: stores every decision's receipt as proof
/// of consent, verifiably.
#[derive(Parser)]
#[command(name = "consentry-server", version, about)]
struct Cli {
    /// The site config: categories.toml (or .json) with a [ledger] table.
    #[arg(
        long,
        global = true,
        default_value = "categories.toml",
        env = "CONSENTRY_CONFIG"
    )]
    config: PathBuf,
    /// Database URL: sqlite://PATH (the default, from [ledger] database)
    /// or postgres://USER@HOST:PORT/DB.
    #[arg(long, global = true, env = "DATABASE_URL")]
    database: Option<String>,
    /// Address to listen on (overrides [ledger] listen).
    #[arg(long, global = true)]
    listen: Option<String>,
    /// File holding the admin bearer token (overrides [ledger]
    /// admin_token_file; otherwise the variable named by admin_token_env).
    #[arg(long, global = true)]
    admin_token_file: Option<PathBuf>,
    /// Log filter, e.g. info or consentry_server=debug,tower_http=debug.
    #[arg(long, global = true, env = "RUST_LOG", default_value = "info")]
    log: String,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the ledger (the default).
    Serve,
    /// Check the hash chain; exits 1 naming each altered or removed event.
    Verify,
    /// Register another config version (e.g. an older categories.toml) so
    /// receipts made under it are accepted and its texts are kept.
    Register {
        /// The config file to register, TOML or JSON.
        snapshot: PathBuf,
    },
    /// Read visitors' consent from request headers, as the site's server
    /// would (consentry_server::consent::read): one JSON object per stdin
    /// line, {"cookie": "...", "gpc": "1"} (both optional), answered by
    /// one verdict per stdout line, {"record": .., "gpc": {..}}.
    Verdicts,
    /// Print an account token for ACCOUNT, signed with the account secret
    /// ([ledger] account_secret_file or the variable account_secret_env).
    Token {
        /// The account id (1-128 bytes, no control characters).
        #[arg(long)]
        account: String,
        /// Seconds until it expires.
        #[arg(long, default_value_t = 3600)]
        ttl: u64,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(&cli.log).unwrap_or_default())
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn read_token(cli: &Cli, ledger: &settings::Ledger) -> Result<Option<String>, String> {
    let file = cli
        .admin_token_file
        .clone()
        .or_else(|| ledger.admin_token_file.as_ref().map(PathBuf::from));
    if let Some(f) = file {
        let t = std::fs::read_to_string(&f)
            .map_err(|e| format!("cannot read the admin token file {}: {e}", f.display()))?;
        return Ok(Some(t.trim().to_owned()));
    }
    Ok(std::env::var(&ledger.admin_token_env)
        .ok()
        .map(|t| t.trim().to_owned()))
}

/// The account secret, from [ledger] account_secret_file or the variable
/// account_secret_env; never logged or printed.
fn read_secret(ledger: &settings::Ledger) -> Result<Option<account::Secret>, String> {
    let text = match &ledger.account_secret_file {
        Some(f) => Some(
            std::fs::read_to_string(f)
                .map_err(|e| format!("cannot read the account secret file {f}: {e}"))?,
        ),
        None => std::env::var(&ledger.account_secret_env).ok(),
    };
    text.map(|t| account::Secret::new(&t).map_err(|e| format!("ledger: {e}")))
        .transpose()
}

async fn run(cli: Cli) -> Result<ExitCode, String> {
    let site = settings::load(&cli.config)?;
    if let Some(Command::Verdicts) = &cli.command {
        return verdicts(&site.config);
    }
    let database = cli
        .database
        .clone()
        .unwrap_or_else(|| site.ledger.database.clone());
    match &cli.command {
        Some(Command::Verify) => {
            let db = store::Db::open(&database, 2).await?;
            let (checked, problems) = verify::verify(&db).await.map_err(|e| e.to_string())?;
            let _ = db
                .audit(
                    "cli",
                    "verify",
                    &format!("checked={checked} problems={}", problems.len()),
                )
                .await;
            if problems.is_empty() {
                println!("ok: {checked} events, chain intact");
                return Ok(ExitCode::SUCCESS);
            }
            for p in &problems {
                println!("{p}");
            }
            Ok(ExitCode::FAILURE)
        }
        Some(Command::Register { snapshot }) => {
            let other = settings::load(snapshot)?;
            let db = store::Db::open(&database, 2).await?;
            for (lang, hash, new) in consentry_server::register_site(&db, &other, "cli").await? {
                println!(
                    "{hash} {lang} {}",
                    if new {
                        "registered"
                    } else {
                        "already registered"
                    }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Verdicts) => verdicts(&site.config),
        Some(Command::Token { account: id, ttl }) => {
            let Some(secret) = read_secret(&site.ledger)? else {
                return Err(format!(
                    "no account secret: set ${} or [ledger] account_secret_file",
                    site.ledger.account_secret_env
                ));
            };
            let expiry = account::now_secs().saturating_add(*ttl);
            let token = secret.mint(id, expiry).map_err(|r| {
                format!(
                    "--account: cannot mint a token ({}: 1-{} bytes, no control characters)",
                    r.as_str(),
                    account::MAX_ACCOUNT
                )
            })?;
            println!("{token}");
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Serve) | None => {
            let token = read_token(&cli, &site.ledger)?;
            if token.is_none() {
                tracing::warn!("no admin token: admin endpoints answer 401");
            }
            let ip_key = match site.ledger.ip {
                settings::IpMode::Hashed => std::env::var(&site.ledger.ip_key_env)
                    .ok()
                    .filter(|k| k.len() >= 16)
                    .ok_or_else(|| {
                        format!(
                            "ledger.ip = \"hashed\" needs a key of 16+ characters in ${}",
                            site.ledger.ip_key_env
                        )
                    })?
                    .into_bytes(),
                _ => Vec::new(),
            };
            let secret = read_secret(&site.ledger)?;
            if secret.is_none() {
                tracing::info!("no account secret: account tokens are refused, email counts off");
            }
            let app = consentry_server::app(&site, &database, token, ip_key, secret).await?;
            http::purger(app.clone());
            let listen = cli
                .listen
                .clone()
                .unwrap_or_else(|| site.ledger.listen.clone());
            let listener = tokio::net::TcpListener::bind(&listen)
                .await
                .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            // Tests and scripts read this line to learn the port.
            println!("listening on http://{addr}");
            tracing::info!(%addr, database = %redact(&database), "consentry-server ready");
            let db = app.db.clone();
            // At most max_connections at once; tap_io (a no-op) lets axum
            // hand each request its client address through ConnectInfo.
            let listener =
                consentry_server::conn::Bounded::new(listener, site.ledger.max_connections)
                    .tap_io(|_| {});
            axum::serve(
                listener,
                http::router(app).into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| e.to_string())?;
            db.close().await;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `consentry-server verdicts`: header lines in, verdict lines out.
fn verdicts(config: &consentry::config::Config) -> Result<ExitCode, String> {
    use std::io::{BufRead, Write};
    let mut out = std::io::stdout().lock();
    for (n, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line.map_err(|e| format!("stdin: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(&line).map_err(|e| format!("stdin line {}: {e}", n + 1))?;
        let text = |k: &str| v.get(k).and_then(|x| x.as_str());
        let verdict = consentry_server::consent::read(config, text("cookie"), text("gpc"));
        writeln!(out, "{}", verdict.to_json()).map_err(|e| format!("stdout: {e}"))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The database URL without its password, for the log.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!(
            "{}://…@{}",
            url.get(..s).unwrap_or(""),
            url.get(at + 1..).unwrap_or("")
        ),
        _ => url.to_owned(),
    }
}
