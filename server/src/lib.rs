//! consentry-server: the consent ledger.
//!
//! Browsers post receipts (see `consentry::receipt`) to `/consent/events`;
//! the server checks them with the same core the browser runs, appends them
//! to a hash-chained table in SQLite or PostgreSQL, and answers only after
//! the commit. Visitors read their own history; admins export, erase and
//! look at the dashboard.
//!
//! - [`settings`]: the `[ledger]` table and the site config.
//! - [`store`]: the database and the grouped-commit writer.
//! - [`receipt`]: request body to event.
//! - [`http`]: routes and their checks.
//! - [`dashboard`]: the `/admin` page.
//! - [`verify`]: the chain check.
//! - [`account`]: account tokens (consent that follows the visitor's
//!   account) and campaign names (email opens and clicks).
//! - [`consent`]: what a request's visitor allowed, for the site's own server.

pub mod account;
pub mod conn;
pub mod consent;
pub mod dashboard;
pub mod http;
pub mod receipt;
pub mod settings;
pub mod store;
pub mod verify;

use std::sync::Arc;

/// Registers the site's own config, once per language, so receipts can name
/// it and the snapshot proves what visitors were shown.
pub async fn register_site(
    db: &store::Db,
    site: &settings::Site,
    actor: &str,
) -> Result<Vec<(String, String, bool)>, String> {
    let mut out = Vec::new();
    for lang in &site.config.languages {
        let hash = settings::config_hash(&site.value, lang);
        let new = db
            .register(&hash, lang, &site.json)
            .await
            .map_err(|e| e.to_string())?;
        if new {
            db.audit(actor, "register", &format!("config {hash} lang={lang}"))
                .await
                .map_err(|e| e.to_string())?;
        }
        out.push((lang.clone(), hash, new));
    }
    Ok(out)
}

/// Everything `serve` needs, for the binary and the tests.
pub async fn app(
    site: &settings::Site,
    database: &str,
    admin_token: Option<String>,
    ip_key: Vec<u8>,
    account_secret: Option<account::Secret>,
) -> Result<Arc<http::App>, String> {
    let db = store::Db::open(database, site.ledger.pool_size).await?;
    register_site(&db, site, "server").await?;
    Ok(http::App::new(
        db,
        site,
        admin_token,
        ip_key,
        account_secret,
    ))
}
