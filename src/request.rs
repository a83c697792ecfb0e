//! What a server can tell from one request's `Cookie` and `Sec-GPC`
//! headers (CONTRACT §8, "What a server sees"): the visitor's valid
//! decision, if any, and what Global Privacy Control changes. The same
//! codec and rules as the browser's gate (`cookie`, `consent::under_gpc`),
//! reduced to what a server can see.
//!
//! One rule differs. The `Cookie` header carries every copy of the consent
//! cookie that the browser would send for the request's path, with no
//! domain or path attached. When copies disagree, the gate finds its own by
//! writing a probe to its own spot; a server cannot, so it takes no
//! decision from them (fail closed: nothing optional is allowed, and a
//! pre-rendered banner is sent; the gate then decides in the browser).
//! When every copy has the same value, both read that value.

use crate::config::Config;
use crate::consent::{self, Method, Record};
use crate::cookie;
use alloc::{string::String, vec::Vec};

/// The answer for one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// The stored decision, valid for this config now, GPC applied: a
    /// stored "accept all" refuses the `gpc = true` categories under GPC.
    pub record: Option<Record>,
    /// The request carried `Sec-GPC: 1`.
    pub gpc: bool,
    /// The categories GPC keeps off for this visitor: with no decision,
    /// every `gpc = true` category ("accept all" would leave them off);
    /// after a stored "accept all", those it refuses; after a custom
    /// choice, none (it stands). Empty without the signal.
    pub gpc_off: Vec<String>,
}

impl Verdict {
    /// Whether `category` may be used for this visitor: a required one
    /// always, any other only with a decision that allows it.
    pub fn allowed(&self, config: &Config, category: &str) -> bool {
        match &self.record {
            Some(r) => r.allowed(category),
            None => config.category(category).is_some_and(|c| c.required),
        }
    }

    /// `{"record":{..}|null,"gpc":{"signal":bool,"off":[..]}}`.
    pub fn to_json(&self) -> String {
        let mut s = String::from("{\"record\":");
        match &self.record {
            Some(r) => s.push_str(&r.to_json()),
            None => s.push_str("null"),
        }
        s.push_str(",\"gpc\":{\"signal\":");
        s.push_str(if self.gpc { "true" } else { "false" });
        s.push_str(",\"off\":[");
        for (i, id) in self.gpc_off.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            crate::json::push_str(&mut s, id);
        }
        s.push_str("]}}");
        s
    }
}

/// Whether a `Sec-GPC` header value is the signal: exactly `1`, spaces
/// around it allowed (the header's only defined value).
pub fn gpc_signal(sec_gpc: Option<&str>) -> bool {
    sec_gpc.is_some_and(|v| v.trim() == "1")
}

/// The visitor's stored decision in a `Cookie` header, before GPC: the one
/// value all copies share, decoded for `config` at `now` (seconds).
pub fn stored(config: &Config, cookie_header: &str, now: u64) -> Option<Record> {
    let copies: Vec<&str> = cookie::values(cookie_header, &config.cookie.name).collect();
    cookie::decode(cookie::single(&copies).ok()??, config, now)
}

/// The verdict for one request.
pub fn read(config: &Config, cookie_header: &str, sec_gpc: Option<&str>, now: u64) -> Verdict {
    let gpc = gpc_signal(sec_gpc);
    let before = stored(config, cookie_header, now);
    let record = before.clone().map(|r| consent::under_gpc(config, r, gpc));
    // A custom decision stands under GPC; without one, or after "accept
    // all", every `gpc = true` category stays off.
    let keeps_off = !matches!(&before, Some(r) if r.method != Method::AcceptAll);
    let gpc_off = if gpc && keeps_off {
        config
            .categories
            .iter()
            .filter(|c| c.gpc && !c.required)
            .map(|c| c.id.clone())
            .collect()
    } else {
        Vec::new()
    };
    Verdict {
        record,
        gpc,
        gpc_off,
    }
}

/// Whether the visitor once answered an older revision of `config` (its
/// `amendment` note is then shown on the first layer): the highest revision
/// any copy answered, when there is no valid decision.
pub fn asked_before(config: &Config, cookie_header: &str, now: u64) -> bool {
    config.amendment.is_some()
        && stored(config, cookie_header, now).is_none()
        && cookie::answered_revision(cookie_header, &config.cookie.name)
            .is_some_and(|r| r < config.revision)
}
