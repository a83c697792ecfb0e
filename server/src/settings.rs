//! The `[ledger]` table of `categories.toml`, and the site config it sits in.

use consentry::config::Config;
use consentry::json::Value;
use serde::Deserialize;
use std::path::Path;

/// How a client's IP address is kept with its events.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum IpMode {
    /// Not at all (the default).
    #[default]
    None,
    /// The network only: /24 for IPv4, /48 for IPv6.
    Truncated,
    /// HMAC-SHA-256 under a key from `ip_key_env`.
    Hashed,
}

/// Every `[ledger]` key, with its default. Unknown keys are errors.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Ledger {
    /// Where browsers send receipts; without it they send none.
    pub endpoint: Option<String>,
    /// `sqlite://path` or `postgres://…`.
    pub database: String,
    /// Address the server listens on.
    pub listen: String,
    /// Origins allowed to send receipts from another origin (CORS).
    pub allowed_origins: Vec<String>,
    pub retention_days: u32,
    pub purge_interval_minutes: u32,
    pub ip: IpMode,
    /// Environment variable holding the key for `ip = "hashed"`.
    pub ip_key_env: String,
    /// Environment variable holding the admin bearer token.
    pub admin_token_env: String,
    /// File holding the admin bearer token (wins over the variable).
    pub admin_token_file: Option<String>,
    /// Requests per minute per client address; 0 turns the limit off.
    pub rate_limit_per_minute: u32,
    pub max_body_bytes: usize,
    pub pool_size: u32,
    /// Receipts waiting for the writer; beyond it the server answers 503.
    pub queue: usize,
    /// Receipts committed together at most (one fsync for all).
    pub batch: usize,
    /// Connections open at once; beyond it new clients wait to be accepted.
    pub max_connections: usize,
    /// A request that has no response by then gets 408.
    pub request_timeout_seconds: u64,
    /// Environment variable holding the secret account tokens are signed
    /// with (32+ bytes); without a secret, accounts and email counts are off.
    pub account_secret_env: String,
    /// File holding that secret (wins over the variable).
    pub account_secret_file: Option<String>,
    /// The category an account must allow for email opens and clicks to
    /// be counted (default "marketing"; see [`Ledger::email_category`]).
    pub email_category: Option<String>,
    /// Hosts (`host` or `host:port`) that `/r/…` links may redirect to.
    pub redirect_hosts: Vec<String>,
}

impl Default for Ledger {
    fn default() -> Self {
        Ledger {
            endpoint: None,
            database: "sqlite://consentry-ledger.db".into(),
            listen: "127.0.0.1:8787".into(),
            allowed_origins: Vec::new(),
            retention_days: 395,
            purge_interval_minutes: 60,
            ip: IpMode::None,
            ip_key_env: "CONSENTRY_IP_KEY".into(),
            admin_token_env: "CONSENTRY_ADMIN_TOKEN".into(),
            admin_token_file: None,
            rate_limit_per_minute: 600,
            max_body_bytes: 16 * 1024,
            pool_size: 8,
            queue: 8192,
            batch: 512,
            max_connections: 1024,
            request_timeout_seconds: 30,
            account_secret_env: "CONSENTRY_ACCOUNT_SECRET".into(),
            account_secret_file: None,
            email_category: None,
            redirect_hosts: Vec::new(),
        }
    }
}

impl Ledger {
    /// The category email tracking needs: `email_category`, or "marketing".
    pub fn email_category(&self) -> &str {
        self.email_category.as_deref().unwrap_or("marketing")
    }

    /// Checks the values serde cannot.
    pub fn check(&self) -> Result<(), String> {
        if self.retention_days == 0 {
            return Err("ledger.retention_days: must be at least 1".into());
        }
        if self.purge_interval_minutes == 0 {
            return Err("ledger.purge_interval_minutes: must be at least 1".into());
        }
        if !(256..=1024 * 1024).contains(&self.max_body_bytes) {
            return Err("ledger.max_body_bytes: must be between 256 and 1048576".into());
        }
        if !(1..=256).contains(&self.pool_size) {
            return Err("ledger.pool_size: must be between 1 and 256".into());
        }
        if !(1..=1_000_000).contains(&self.queue) {
            return Err("ledger.queue: must be between 1 and 1000000".into());
        }
        if !(1..=10_000).contains(&self.batch) {
            return Err("ledger.batch: must be between 1 and 10000".into());
        }
        if !(1..=100_000).contains(&self.max_connections) {
            return Err("ledger.max_connections: must be between 1 and 100000".into());
        }
        if !(1..=3600).contains(&self.request_timeout_seconds) {
            return Err("ledger.request_timeout_seconds: must be between 1 and 3600".into());
        }
        for o in &self.allowed_origins {
            let ok = (o.starts_with("https://") || o.starts_with("http://"))
                && !o.ends_with('/')
                && o.bytes().filter(|b| *b == b'/').count() == 2;
            if !ok {
                return Err(format!(
                    "ledger.allowed_origins: \"{o}\" is not an origin like https://example.com"
                ));
            }
        }
        for h in &self.redirect_hosts {
            let ok = !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'));
            if !ok {
                return Err(format!(
                    "ledger.redirect_hosts: \"{h}\" is not a host like shop.example.com (or host:port)"
                ));
            }
        }
        if let Some(e) = &self.endpoint {
            if e.is_empty() || e.contains(['?', '#']) {
                return Err("ledger.endpoint: must be a URL without ? or #".into());
            }
        }
        Ok(())
    }
}

/// The site config as the browser sees it, and its ledger settings.
pub struct Site {
    /// The config as JSON, exactly as build.rs compiles it into the wasm.
    pub json: String,
    pub value: Value,
    pub config: Config,
    pub ledger: Ledger,
}

/// Reads `categories.toml` (or a `.json` config) and checks it with the
/// crate's own validation.
pub fn load(path: &Path) -> Result<Site, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    from_text(&text, path.extension().is_some_and(|x| x == "json"))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses a config given as TOML or JSON text.
pub fn from_text(text: &str, is_json: bool) -> Result<Site, String> {
    // JSON is read by the core's own reader (key order kept) and stored as
    // JSON.stringify would write it; TOML is compiled exactly as build.rs
    // compiles it for the wasm.
    let json = if is_json {
        let v = consentry::json::parse(text).map_err(|e| e.message())?;
        let mut out = String::with_capacity(text.len());
        consentry::receipt::push_canonical(&mut out, &v);
        out
    } else {
        let v: toml::Value = toml::from_str(text).map_err(|e| e.to_string())?;
        serde_json::to_string(&v).map_err(|e| e.to_string())?
    };
    let value = consentry::json::parse(&json).map_err(|e| e.message())?;
    let config = Config::from_value(&value).map_err(|e| e.message())?;
    let whole: serde_json::Value = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    let ledger = match whole.get("ledger") {
        Some(l) => Ledger::deserialize(l).map_err(|e| format!("ledger: {e}"))?,
        None => Ledger::default(),
    };
    ledger.check()?;
    if let Some(c) = &ledger.email_category {
        if config.category(c).is_none() {
            return Err(format!(
                "ledger.email_category: \"{c}\" is not a category id of this config"
            ));
        }
    }
    Ok(Site {
        json,
        value,
        config,
        ledger,
    })
}

/// SHA-256, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}

pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        s.push(char::from_digit(u32::from(b & 15), 16).unwrap_or('0'));
    }
    s
}

/// The config hash a browser showing `lang` sends with its receipts.
pub fn config_hash(value: &Value, lang: &str) -> String {
    sha256_hex(consentry::receipt::hash_input(value, lang).as_bytes())
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn ledger_keys_are_checked() {
        let base = "[[categories]]\nid = \"a\"\ntitle = \"A\"\n";
        let site = from_text(base, false).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(site.ledger.retention_days, 395);
        assert_eq!(site.ledger.ip, IpMode::None);
        let e = |extra: &str| {
            from_text(&format!("{base}[ledger]\n{extra}\n"), false)
                .err()
                .unwrap_or_default()
        };
        assert!(
            e("retention = 3").contains("unknown field `retention`"),
            "{}",
            e("retention = 3")
        );
        assert!(e("ip = \"full\"").contains("unknown variant `full`"));
        assert!(e("retention_days = 0").contains("ledger.retention_days"));
        assert!(e("allowed_origins = [\"https://a.example/\"]").contains("ledger.allowed_origins"));
        assert!(e("email_category = \"nope\"").contains("ledger.email_category"));
        assert!(e("redirect_hosts = [\"https://x\"]").contains("ledger.redirect_hosts"));
        let ok = from_text(
            &format!("{base}[ledger]\nendpoint = \"/consent/events\"\nip = \"hashed\"\nemail_category = \"a\"\nredirect_hosts = [\"shop.example.com\", \"127.0.0.1:8080\"]\n"),
            false,
        );
        assert!(ok.is_ok());
    }

    #[test]
    fn json_and_toml_configs_hash_alike_when_equal() {
        let toml_site = from_text(
            "revision = 2\n[[categories]]\nid = \"a\"\ntitle = { en = \"A\", ru = \"Б\" }\n",
            false,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let json_site = from_text("{ \"revision\": 2,\n \"categories\": [ {\"id\": \"a\", \"title\": {\"en\": \"A\", \"ru\": \"\\u0411\"}} ] }", true)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(toml_site.json, json_site.json);
        assert_eq!(
            config_hash(&toml_site.value, "en"),
            config_hash(&json_site.value, "en")
        );
        assert_ne!(
            config_hash(&toml_site.value, "en"),
            config_hash(&toml_site.value, "ru")
        );
    }
}
