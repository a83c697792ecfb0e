//! The consent state machine: what a decision means, as a pure function of
//! the config, the previous record and the moment.

use crate::config::Config;
use crate::error::Error;
use alloc::{string::String, vec::Vec};

/// How the visitor decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    AcceptAll,
    RejectAll,
    Custom,
    /// Taken over from the visitor's account, decided on another device
    /// (the ledger's `GET /consent/account`); any switches go.
    Account,
}

impl Method {
    /// The name the public API uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::AcceptAll => "accept-all",
            Method::RejectAll => "reject-all",
            Method::Custom => "custom",
            Method::Account => "account",
        }
    }

    /// One letter for the cookie.
    pub fn code(self) -> char {
        match self {
            Method::AcceptAll => 'a',
            Method::RejectAll => 'r',
            Method::Custom => 'c',
            Method::Account => 'u',
        }
    }

    pub fn from_code(c: char) -> Option<Method> {
        match c {
            'a' => Some(Method::AcceptAll),
            'r' => Some(Method::RejectAll),
            'c' => Some(Method::Custom),
            'u' => Some(Method::Account),
            _ => None,
        }
    }
}

/// A decision, as stored in the consent cookie and returned by `get()`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Random per browser; the visitor's receipt id.
    pub id: String,
    pub revision: u32,
    /// Seconds since the epoch of the first decision.
    pub given: u64,
    /// Seconds since the epoch of the latest decision.
    pub updated: u64,
    pub method: Method,
    /// Every category of the config, in config order; required ones true.
    pub choices: Vec<(String, bool)>,
}

impl Record {
    /// Whether the category `id` is allowed; unknown ids are not.
    pub fn allowed(&self, id: &str) -> bool {
        self.choices.iter().any(|(k, v)| k == id && *v)
    }

    /// The record as the JSON of the public `ConsentRecord` type.
    #[cfg(feature = "dep-serde")]
    pub fn to_json(&self) -> String {
        crate::deps::record_json(self)
    }

    /// The record as the JSON of the public `ConsentRecord` type.
    #[cfg(not(feature = "dep-serde"))]
    pub fn to_json(&self) -> String {
        let mut s = String::with_capacity(160 + self.choices.len() * 24);
        s.push_str("{\"id\":");
        crate::json::push_str(&mut s, &self.id);
        s.push_str(",\"revision\":");
        crate::error::push_num(&mut s, u64::from(self.revision));
        s.push_str(",\"given\":\"");
        s.push_str(&crate::time::iso8601(self.given));
        s.push_str("\",\"updated\":\"");
        s.push_str(&crate::time::iso8601(self.updated));
        s.push_str("\",\"method\":\"");
        s.push_str(self.method.as_str());
        s.push_str("\",\"categories\":{");
        for (i, (id, on)) in self.choices.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            crate::json::push_str(&mut s, id);
            s.push_str(if *on { ":true" } else { ":false" });
        }
        s.push_str("}}");
        s
    }
}

/// What the visitor asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Choice {
    AcceptAll,
    RejectAll,
    /// Explicit values for some categories; the rest keep their current
    /// value (or their starting value when there is no decision yet).
    Custom(Vec<(String, bool)>),
    /// The account's decision from another device: its switches, checked
    /// like a custom choice, and its `updated` time (seconds; kept unless
    /// later than now, so a device never holds a future-dated record).
    Account(Vec<(String, bool)>, u64),
}

/// The facts of the moment a decision is made.
#[derive(Clone, Debug)]
pub struct Moment {
    /// Seconds since the epoch.
    pub now: u64,
    /// A fresh random id, used when there is no previous record.
    pub fresh_id: String,
    /// Whether the browser sends Global Privacy Control.
    pub gpc: bool,
}

/// The switch positions to show when there is no decision: required
/// categories on, everything else off.
pub fn starting_choices(config: &Config) -> Vec<(String, bool)> {
    config
        .categories
        .iter()
        .map(|c| (c.id.clone(), c.required))
        .collect()
}

/// The record that results from `choice`, given the `previous` one.
///
/// Errors name the category: an unknown id, or a required category set to
/// false. Nothing changes on error.
pub fn decide(
    config: &Config,
    previous: Option<&Record>,
    choice: &Choice,
    at: &Moment,
) -> Result<Record, Error> {
    let current =
        |id: &str, required: bool| -> bool { required || previous.is_some_and(|p| p.allowed(id)) };
    let (method, choices) = match choice {
        Choice::AcceptAll => (
            Method::AcceptAll,
            config
                .categories
                .iter()
                .map(|c| (c.id.clone(), c.required || !(c.gpc && at.gpc)))
                .collect(),
        ),
        Choice::RejectAll => (Method::RejectAll, starting_choices(config)),
        Choice::Custom(wanted) | Choice::Account(wanted, _) => {
            for (id, on) in wanted {
                match config.category(id) {
                    None => return Err(Error::new(id.as_str(), "is not a category id")),
                    Some(c) if c.required && !on => {
                        return Err(Error::new(
                            id.as_str(),
                            "is a required category and cannot be refused",
                        ))
                    }
                    Some(_) => {}
                }
            }
            let choices: Vec<(String, bool)> = config
                .categories
                .iter()
                .map(|c| {
                    let explicit = wanted
                        .iter()
                        .rev()
                        .find(|(id, _)| *id == c.id)
                        .map(|(_, on)| *on);
                    (
                        c.id.clone(),
                        c.required || explicit.unwrap_or_else(|| current(&c.id, c.required)),
                    )
                })
                .collect();
            let method = match choice {
                Choice::Account(..) => Method::Account,
                _ => Method::Custom,
            };
            (method, choices)
        }
    };
    let updated = match choice {
        Choice::Account(_, t) => at.now.min(*t),
        _ => at.now,
    };
    let (id, given) = match previous {
        Some(p) => (p.id.clone(), p.given.min(updated)),
        None => (at.fresh_id.clone(), updated),
    };
    Ok(Record {
        id,
        revision: config.revision,
        given,
        updated,
        method,
        choices,
    })
}

/// `record` as it stands under Global Privacy Control (`gpc` true): a
/// `gpc = true` category that a stored "accept all" allowed is refused,
/// whether the signal came before or after that click. Only an explicit
/// choice for it (a custom decision) outlasts the signal.
pub fn under_gpc(config: &Config, mut record: Record, gpc: bool) -> Record {
    if gpc && record.method == Method::AcceptAll {
        for (id, on) in &mut record.choices {
            if config.category(id).is_some_and(|c| c.gpc) {
                *on = false;
            }
        }
    }
    record
}

/// The categories whose declared cookies must go after `record`: every one
/// it refuses, and every optional one after a withdrawal (`None`).
pub fn refused<'c>(
    config: &'c Config,
    record: Option<&Record>,
) -> Vec<&'c crate::config::Category> {
    config
        .categories
        .iter()
        .filter(|c| !c.required && !record.is_some_and(|r| r.allowed(&c.id)))
        .collect()
}

/// Whether `record` takes back something `previous` allowed: a withdrawal,
/// after which scripts that already ran are still running. Forgetting the
/// decision (`None`) takes back every optional category.
pub fn withdraws(config: &Config, previous: Option<&Record>, record: Option<&Record>) -> bool {
    previous.is_some_and(|p| {
        p.choices.iter().any(|(id, on)| {
            *on && !config.category(id).is_some_and(|c| c.required)
                && !record.is_some_and(|r| r.allowed(id))
        })
    })
}

/// Turns 12 random bytes into a 16-character URL-safe id.
pub fn id_from_bytes(bytes: &[u8; 12]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(16);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
        for shift in [18, 12, 6, 0] {
            let i = ((n >> shift) & 63) as usize;
            out.push(char::from(*ALPHABET.get(i).unwrap_or(&b'A')));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        let json = r#"{"revision":3,"categories":[
            {"id":"auth","title":"A","required":true},
            {"id":"stats","title":"S"},
            {"id":"ads","title":"M","gpc":true}]}"#;
        match Config::from_json(json) {
            Ok(c) => c,
            Err(e) => panic!("{}", e.message()),
        }
    }

    fn at(now: u64, gpc: bool) -> Moment {
        Moment {
            now,
            fresh_id: "AAAAAAAAAAAAAAAA".into(),
            gpc,
        }
    }

    fn on(r: &Record) -> Vec<bool> {
        r.choices.iter().map(|(_, v)| *v).collect()
    }

    #[test]
    fn accept_reject_and_custom() -> Result<(), Error> {
        let c = config();
        let a = decide(&c, None, &Choice::AcceptAll, &at(100, false))?;
        assert_eq!(
            (a.method, on(&a), a.revision, a.given),
            (Method::AcceptAll, vec![true, true, true], 3, 100)
        );
        let r = decide(&c, Some(&a), &Choice::RejectAll, &at(200, false))?;
        assert_eq!(
            (r.method, on(&r), r.given, r.updated),
            (Method::RejectAll, vec![true, false, false], 100, 200)
        );
        assert_eq!(r.id, a.id);
        let x = decide(
            &c,
            Some(&r),
            &Choice::Custom(vec![("ads".into(), true)]),
            &at(300, false),
        )?;
        assert_eq!(
            (x.method, on(&x)),
            (Method::Custom, vec![true, false, true])
        );
        Ok(())
    }

    #[test]
    fn an_account_decision_keeps_its_time_and_is_checked_like_a_custom_one() -> Result<(), Error> {
        let c = config();
        let wanted = vec![("stats".into(), false), ("ads".into(), true)];
        let a = decide(
            &c,
            None,
            &Choice::Account(wanted.clone(), 50),
            &at(100, false),
        )?;
        assert_eq!(
            (a.method, on(&a), a.given, a.updated),
            (Method::Account, vec![true, false, true], 50, 50)
        );
        // A time ahead of this device's clock becomes now.
        let b = decide(&c, Some(&a), &Choice::Account(wanted, 900), &at(200, false))?;
        assert_eq!((b.given, b.updated, b.id), (50, 200, a.id));
        let e = decide(
            &c,
            None,
            &Choice::Account(vec![("auth".into(), false)], 1),
            &at(1, false),
        );
        assert!(e.is_err());
        let e = decide(
            &c,
            None,
            &Choice::Account(vec![("x".into(), true)], 1),
            &at(1, false),
        );
        assert!(e.is_err());
        Ok(())
    }

    #[test]
    fn required_cannot_be_refused_and_unknown_ids_are_errors() {
        let c = config();
        let e = decide(
            &c,
            None,
            &Choice::Custom(vec![("auth".into(), false)]),
            &at(1, false),
        );
        assert_eq!(
            e.map_err(|e| e.message()),
            Err("auth: is a required category and cannot be refused".into())
        );
        let e = decide(
            &c,
            None,
            &Choice::Custom(vec![("nope".into(), true)]),
            &at(1, false),
        );
        assert_eq!(
            e.map_err(|e| e.message()),
            Err("nope: is not a category id".into())
        );
    }

    #[test]
    fn gpc_keeps_flagged_categories_off_unless_toggled() -> Result<(), Error> {
        let c = config();
        let a = decide(&c, None, &Choice::AcceptAll, &at(1, true))?;
        assert_eq!(on(&a), vec![true, true, false]);
        let t = decide(
            &c,
            Some(&a),
            &Choice::Custom(vec![("ads".into(), true)]),
            &at(2, true),
        )?;
        assert_eq!(on(&t), vec![true, true, true]);
        Ok(())
    }

    #[test]
    fn taking_back_a_category_is_a_withdrawal() -> Result<(), Error> {
        let c = config();
        let r = decide(&c, None, &Choice::RejectAll, &at(1, false))?;
        let a = decide(&c, Some(&r), &Choice::AcceptAll, &at(2, false))?;
        let s = decide(
            &c,
            Some(&a),
            &Choice::Custom(vec![("ads".into(), false)]),
            &at(3, false),
        )?;
        assert!(!withdraws(&c, None, Some(&r)) && !withdraws(&c, Some(&r), Some(&a)));
        assert!(withdraws(&c, Some(&a), Some(&s)) && withdraws(&c, Some(&s), Some(&r)));
        assert!(!withdraws(&c, Some(&a), Some(&a)));
        // Forgetting takes back what was allowed, and nothing when nothing was.
        assert!(withdraws(&c, Some(&a), None) && !withdraws(&c, Some(&r), None));
        assert!(!withdraws(&c, None, None));
        Ok(())
    }

    #[test]
    fn gpc_after_an_accept_all_refuses_flagged_categories() -> Result<(), Error> {
        let c = config();
        let a = decide(&c, None, &Choice::AcceptAll, &at(1, false))?;
        assert_eq!(on(&under_gpc(&c, a.clone(), false)), vec![true, true, true]);
        let g = under_gpc(&c, a, true);
        assert_eq!(
            (g.method, on(&g)),
            (Method::AcceptAll, vec![true, true, false])
        );
        assert_eq!(refused(&c, Some(&g)).len(), 1);
        // An explicit choice for the category outlasts the signal.
        let x = decide(
            &c,
            Some(&g),
            &Choice::Custom(vec![("ads".into(), true)]),
            &at(2, true),
        )?;
        assert_eq!(on(&under_gpc(&c, x, true)), vec![true, true, true]);
        // A custom choice about another category keeps it refused.
        let y = decide(
            &c,
            Some(&g),
            &Choice::Custom(vec![("stats".into(), true)]),
            &at(3, true),
        )?;
        assert_eq!(on(&under_gpc(&c, y, true)), vec![true, true, false]);
        Ok(())
    }

    #[test]
    fn record_json_matches_the_contract() -> Result<(), Error> {
        let r = decide(&config(), None, &Choice::RejectAll, &at(0, false))?;
        assert_eq!(
            r.to_json(),
            r#"{"id":"AAAAAAAAAAAAAAAA","revision":3,"given":"1970-01-01T00:00:00Z","updated":"1970-01-01T00:00:00Z","method":"reject-all","categories":{"auth":true,"stats":false,"ads":false}}"#
        );
        Ok(())
    }

    #[test]
    fn ids_are_url_safe() {
        assert_eq!(id_from_bytes(&[0; 12]), "AAAAAAAAAAAAAAAA");
        assert_eq!(id_from_bytes(&[255; 12]), "________________");
    }
}
