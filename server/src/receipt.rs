//! Turning a request body into an event, with the core's own checks.

use crate::settings::IpMode;
use crate::store::Event;
use consentry::config::Config;
use consentry::receipt::Receipt;
use std::net::IpAddr;

/// A checked receipt on its way to the writer.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub event_id: String,
    pub consent_id: String,
    pub kind: &'static str,
    pub sent: i64,
    pub config_hash: String,
    pub revision: i64,
    pub method: &'static str,
    pub given: i64,
    pub updated: i64,
    pub categories: String,
    pub gpc: bool,
    pub page: String,
    pub ip: Option<String>,
}

fn signed(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl NewEvent {
    pub fn new(r: Receipt, ip: Option<String>) -> NewEvent {
        let mut categories = String::from("{");
        for (i, (id, on)) in r.record.choices.iter().enumerate() {
            if i > 0 {
                categories.push(',');
            }
            consentry::json::push_str(&mut categories, id);
            categories.push_str(if *on { ":true" } else { ":false" });
        }
        categories.push('}');
        NewEvent {
            event_id: r.event_id,
            consent_id: r.record.id,
            kind: r.kind.as_str(),
            sent: signed(r.sent),
            config_hash: r.config_hash,
            revision: i64::from(r.record.revision),
            method: r.record.method.as_str(),
            given: signed(r.record.given),
            updated: signed(r.record.updated),
            categories,
            gpc: r.gpc,
            page: r.page,
            ip,
        }
    }

    pub fn to_event(&self, seq: i64, received_ms: i64) -> Event {
        Event {
            seq,
            event_id: self.event_id.clone(),
            consent_id: self.consent_id.clone(),
            kind: self.kind.into(),
            received_ms,
            sent: self.sent,
            config_hash: self.config_hash.clone(),
            revision: self.revision,
            method: self.method.into(),
            given: self.given,
            updated: self.updated,
            categories: self.categories.clone(),
            gpc: i64::from(self.gpc),
            page: self.page.clone(),
            ip: self.ip.clone(),
            hash: String::new(),
        }
    }
}

/// Checks a body against a config version: the same checks the browser's
/// core made before sending it.
pub fn check(value: &consentry::json::Value, config: &Config) -> Result<Receipt, String> {
    consentry::receipt::check(value, config).map_err(|e| e.message())
}

/// The address as the `[ledger] ip` setting says to keep it.
pub fn keep_ip(mode: IpMode, ip: IpAddr, key: &[u8]) -> Option<String> {
    match mode {
        IpMode::None => None,
        IpMode::Truncated => Some(match ip {
            IpAddr::V4(v4) => {
                let [a, b, c, _] = v4.octets();
                format!("{a}.{b}.{c}.0/24")
            }
            IpAddr::V6(v6) => {
                let [a, b, c, ..] = v6.segments();
                let net = std::net::Ipv6Addr::new(a, b, c, 0, 0, 0, 0, 0);
                format!("{net}/48")
            }
        }),
        IpMode::Hashed => {
            use hmac::Mac;
            let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).ok()?;
            mac.update(ip.to_string().as_bytes());
            Some(crate::settings::hex(&mac.finalize().into_bytes()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_modes() {
        let v4: IpAddr = "203.0.113.77".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let v6: IpAddr = "2001:db8:abcd:12::1"
            .parse()
            .unwrap_or(IpAddr::from([0, 0, 0, 0]));
        assert_eq!(keep_ip(IpMode::None, v4, b""), None);
        assert_eq!(
            keep_ip(IpMode::Truncated, v4, b"").as_deref(),
            Some("203.0.113.0/24")
        );
        assert_eq!(
            keep_ip(IpMode::Truncated, v6, b"").as_deref(),
            Some("2001:db8:abcd::/48")
        );
        let a = keep_ip(IpMode::Hashed, v4, b"k1");
        assert_eq!(a.as_ref().map(String::len), Some(64));
        assert_ne!(a, keep_ip(IpMode::Hashed, v4, b"k2"));
        assert_ne!(a.as_deref(), Some("203.0.113.77"));
    }
}
