//! The consent cookie codec and the pure side of cookie handling.
//!
//! A value looks like `c1.3.Zx0c9-wPq_4hTt1a.t5m3k2.t5m3q8.c.settings:1~marketing:0~analytics:1`:
//! format version, config revision, receipt id, first and latest decision in
//! base-36 seconds, method, then every optional category with its choice.
//! Required categories are implied. Anything that does not read completely
//! and consistently is no decision at all.

use crate::config::Config;
use crate::consent::{Method, Record};
use crate::split;
use alloc::{borrow::ToOwned, string::String, vec, vec::Vec};

const VERSION: &str = "c1";
/// Longest value considered; browsers cap a cookie near 4 KiB anyway.
const MAX_VALUE: usize = 4096;
/// How far in the future a timestamp may be before it counts as forged:
/// room for a visitor's clock a few minutes off, not for a copy dated a day
/// ahead so that it outranks every real decision.
pub const CLOCK_SKEW: u64 = 300;

/// The cookie value for `record`.
pub fn encode(record: &Record, config: &Config) -> String {
    let mut s = String::with_capacity(64 + record.choices.len() * 16);
    s.push_str(VERSION);
    s.push('.');
    crate::error::push_num(&mut s, u64::from(record.revision));
    s.push('.');
    s.push_str(&record.id);
    s.push('.');
    push_base36(&mut s, record.given);
    s.push('.');
    push_base36(&mut s, record.updated);
    s.push('.');
    s.push(record.method.code());
    s.push('.');
    let mut first = true;
    for (id, on) in &record.choices {
        if config.category(id).is_some_and(|c| c.required) {
            continue;
        }
        if !first {
            s.push('~');
        }
        first = false;
        s.push_str(id);
        s.push_str(if *on { ":1" } else { ":0" });
    }
    s
}

/// The record in `value`, if it is a complete, current one for `config` at
/// `now` (seconds). Tampered, truncated, foreign, expired and other-revision
/// values all give `None`.
pub fn decode(value: &str, config: &Config, now: u64) -> Option<Record> {
    if value.len() > MAX_VALUE || !value.is_ascii() {
        return None;
    }
    let mut parts = split::pieces(value, b'.');
    let version = parts.next()?;
    let revision = parts.next()?;
    let id = parts.next()?;
    let given = parts.next()?;
    let updated = parts.next()?;
    let method = parts.next()?;
    let choices = parts.next()?;
    if parts.next().is_some() || version != VERSION {
        return None;
    }
    let revision = parse_decimal(revision)?;
    if revision != config.revision {
        return None;
    }
    if id.len() != 16
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return None;
    }
    let given = parse_base36(given)?;
    let updated = parse_base36(updated)?;
    let max_age = u64::from(config.cookie.max_age_days) * 86_400;
    if given > updated
        || updated > now.saturating_add(CLOCK_SKEW)
        || now > updated.saturating_add(max_age)
    {
        return None;
    }
    let mut chars = method.chars();
    let method = Method::from_code(chars.next()?)?;
    if chars.next().is_some() {
        return None;
    }
    let mut stored: Vec<(&str, bool)> = Vec::new();
    if !choices.is_empty() {
        for pair in split::pieces(choices, b'~') {
            let (id, flag) = split::once(pair, b':')?;
            let on = match flag {
                "1" => true,
                "0" => false,
                _ => return None,
            };
            // Only optional categories of this config are written; any
            // other id (unknown, required, repeated) was not written by us.
            let category = config.category(id)?;
            if category.required || stored.iter().any(|(k, _)| *k == id) {
                return None;
            }
            // The method must agree with the switches: "reject all" leaves
            // every one off, "accept all" every one on but those GPC kept
            // off. A value that says one and carries the other is forged.
            let agrees = match method {
                Method::RejectAll => !on,
                Method::AcceptAll => on || category.gpc,
                Method::Custom | Method::Account => true,
            };
            if !agrees {
                return None;
            }
            stored.push((id, on));
        }
    }
    let mut out = Vec::with_capacity(config.categories.len());
    for c in &config.categories {
        let on = if c.required {
            true
        } else {
            // A category the visitor was never asked about means the
            // decision is incomplete: ask again.
            stored.iter().find(|(k, _)| *k == c.id)?.1
        };
        out.push((c.id.clone(), on));
    }
    Some(Record {
        id: id.to_owned(),
        revision,
        given,
        updated,
        method,
        choices: out,
    })
}

/// The one value among the consent cookie's `copies` (see [`values`]) when
/// there is no doubt which it is: `Ok(None)` for no copy, `Ok(Some)` when
/// every copy carries the same value, and `Err(())` when copies on other
/// domains or paths disagree. Which copy is consentry's own cannot be seen
/// in `document.cookie`: see [`own`].
#[allow(clippy::result_unit_err)]
pub fn single<'a>(copies: &[&'a str]) -> Result<Option<&'a str>, ()> {
    match copies.split_first() {
        None => Ok(None),
        Some((first, rest)) if rest.iter().all(|v| v == first) => Ok(Some(first)),
        Some(_) => Err(()),
    }
}

/// Which value sat in consentry's own spot (`Path=/`, on the host alone or
/// on `cookie.domain`), given the copies before and after [`PROBE`] was
/// written there. Overwriting a copy removes its value from the jar: the
/// value whose count went down was ours. `None` when no count went down:
/// the own spot was empty, and every copy is someone else's.
pub fn own<'a>(before: &[&'a str], after: &[&str]) -> Option<&'a str> {
    let count = |list: &[&str], v: &str| list.iter().filter(|x| **x == v).count();
    before
        .iter()
        .find(|v| **v != PROBE && count(after, v) < count(before, v))
        .copied()
}

/// The value written to consentry's own spot while looking for it; no
/// decoder takes it for a decision.
pub const PROBE: &str = "probe";

/// The record in a `document.cookie` string when at most one value is
/// visible (the common case). Several different values need [`own`] first.
pub fn read(cookies: &str, config: &Config, now: u64) -> Option<Record> {
    let copies: Vec<&str> = values(cookies, &config.cookie.name).collect();
    decode(single(&copies).ok()??, config, now)
}

/// The values of every cookie called `name` in a `document.cookie` string.
pub fn values<'a>(cookies: &'a str, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    split::pieces(cookies, b';').filter_map(move |pair| {
        let (k, v) = split::once(pair, b'=')?;
        (k.trim() == name).then(|| v.trim())
    })
}

/// The names of all cookies in a `document.cookie` string.
pub fn names(cookies: &str) -> impl Iterator<Item = &str> {
    split::pieces(cookies, b';')
        .filter_map(|pair| split::once(pair, b'=').map(|(k, _)| k.trim()))
        .filter(|k| !k.is_empty())
}

/// Whether `name` matches `pattern`, where `*` stands for any run of
/// characters (including none).
pub fn name_matches(pattern: &str, name: &str) -> bool {
    let (p, n) = (pattern.as_bytes(), name.as_bytes());
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, ni));
                pi += 1;
            }
            Some(c) if Some(c) == n.get(ni) => {
                pi += 1;
                ni += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    pi = sp + 1;
                    ni = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|c| *c == b'*'))
}

/// The `document.cookie` assignment that stores `value` in consentry's own
/// spot: `Path=/`, on `cookie.domain` when set, else on the host alone.
pub fn set_string(config: &Config, value: &str, secure: bool) -> String {
    own_string(config, value, secure, u64::from(config.cookie.max_age_days))
}

/// The `document.cookie` assignment that empties consentry's own spot.
pub fn clear_string(config: &Config) -> String {
    own_string(config, "", false, 0)
}

fn own_string(config: &Config, value: &str, secure: bool, days: u64) -> String {
    let mut s = String::with_capacity(value.len() + 96);
    s.push_str(&config.cookie.name);
    s.push('=');
    s.push_str(value);
    s.push_str("; Path=/; Max-Age=");
    crate::error::push_num(&mut s, days * 86_400);
    if let Some(d) = &config.cookie.domain {
        s.push_str("; Domain=");
        s.push_str(d);
    }
    s.push_str("; SameSite=Lax");
    if secure {
        s.push_str("; Secure");
    }
    s
}

/// The `document.cookie` assignments that delete `name` wherever a script
/// on this `host` and `path` could have set it: with no domain, on the host
/// and on every parent domain (the browser refuses public suffixes itself),
/// and on every parent path.
pub fn delete_strings(name: &str, host: &str, path: &str) -> Vec<String> {
    let is_ip =
        host.bytes().all(|b| b.is_ascii_digit() || b == b'.') || split::find(host, b':').is_some();
    let mut domains: Vec<&str> = vec![""];
    if !is_ip && !host.is_empty() {
        let mut rest = host;
        loop {
            domains.push(rest);
            match split::once(rest, b'.') {
                Some((_, parent)) if !parent.is_empty() => rest = parent,
                _ => break,
            }
        }
    }
    // A cookie's path matches this page when it is a prefix that ends at a
    // slash or just before one: `/shop/item` sees `/shop` and `/shop/`
    // alike, so both are tried, as is the page's own path.
    let mut paths: Vec<&str> = vec!["/"];
    for (i, b) in path.bytes().enumerate() {
        if b == b'/' {
            for p in [path.get(..i), path.get(..=i)].into_iter().flatten() {
                if !p.is_empty() && !paths.contains(&p) {
                    paths.push(p);
                }
            }
        }
    }
    if path.starts_with('/') && !paths.contains(&path) {
        paths.push(path);
    }
    let mut out = Vec::with_capacity(domains.len() * paths.len() * 2);
    for d in &domains {
        for p in &paths {
            let mut s = String::with_capacity(name.len() + d.len() + p.len() + 64);
            s.push_str(name);
            s.push_str("=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=");
            s.push_str(p);
            if !d.is_empty() {
                s.push_str("; Domain=");
                s.push_str(d);
            }
            // The browser ignores these prefixes without Secure, deletion too.
            if name.starts_with("__Secure-") || name.starts_with("__Host-") {
                s.push_str("; Secure");
            }
            out.push(s);
        }
    }
    out
}

fn parse_decimal(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 10 || (s.len() > 1 && s.starts_with('0')) {
        return None;
    }
    s.bytes()
        .try_fold(0u64, |acc, b| {
            b.is_ascii_digit().then(|| acc * 10 + u64::from(b - b'0'))
        })
        .and_then(|n| u32::try_from(n).ok())
}

fn parse_base36(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 12 || (s.len() > 1 && s.starts_with('0')) {
        return None;
    }
    s.bytes().try_fold(0u64, |acc, b| {
        let d = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'z' => b - b'a' + 10,
            _ => return None,
        };
        acc.checked_mul(36)?.checked_add(u64::from(d))
    })
}

fn push_base36(s: &mut String, n: u64) {
    crate::error::push_radix(s, n, 36);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::{decide, Choice, Moment};

    fn config() -> Config {
        let json = r#"{"revision":2,"categories":[
            {"id":"auth","title":"A","required":true},
            {"id":"stats","title":"S"},
            {"id":"ads-x","title":"M"}]}"#;
        match Config::from_json(json) {
            Ok(c) => c,
            Err(e) => panic!("{}", e.message()),
        }
    }

    fn record(c: &Config) -> Record {
        let at = Moment {
            now: 1_800_000_000,
            fresh_id: "Zx0c9-wPq_4hTt1a".into(),
            gpc: false,
        };
        match decide(c, None, &Choice::Custom(vec![("stats".into(), true)]), &at) {
            Ok(r) => r,
            Err(e) => panic!("{}", e.message()),
        }
    }

    #[test]
    fn round_trip() {
        let c = config();
        let r = record(&c);
        let v = encode(&r, &c);
        assert_eq!(v, "c1.2.Zx0c9-wPq_4hTt1a.tro8w0.tro8w0.c.stats:1~ads-x:0");
        assert_eq!(decode(&v, &c, 1_800_000_100), Some(r));
    }

    #[test]
    fn unreadable_values_are_no_decision() {
        let c = config();
        let v = encode(&record(&c), &c);
        let now = 1_800_000_100;
        let bad = [
            String::new(),
            v[..v.len() - 2].to_owned(),
            v.replace("c1.", "c2."),
            v.replace(".2.", ".1."),
            v.replace("stats:1", "stats:2"),
            v.replace("~ads-x:0", ""),
            v.replace("~ads-x:0", "~ads-x:0~ads-x:1"),
            v.replace(".c.", ".z."),
            v + ".extra",
            "%7B%22json%22%3Atrue%7D".into(),
        ];
        for b in &bad {
            assert_eq!(decode(b, &c, now), None, "{b}");
        }
        let fresh = encode(&record(&c), &c);
        assert_eq!(decode(&fresh, &c, now + 183 * 86_400), None, "expired");
        assert_eq!(
            decode(&fresh, &c, now - 3 * 86_400),
            None,
            "from the future"
        );
    }

    fn copies(jar: &str) -> Vec<&str> {
        values(jar, "consentry").collect()
    }

    #[test]
    fn copies_that_disagree_are_resolved_by_the_own_spot_only() {
        let c = config();
        let mine = encode(&record(&c), &c);
        let mut forged = record(&c);
        forged.updated += 3600;
        forged.method = Method::AcceptAll;
        forged.choices = vec![
            ("auth".into(), true),
            ("stats".into(), true),
            ("ads-x".into(), true),
        ];
        let forged = encode(&forged, &c);
        let same = format!("a=1; consentry={mine}; consentry={mine}");
        assert_eq!(read(&same, &c, 1_800_000_100), Some(record(&c)));
        // Newer or not, a second value makes the jar ambiguous on its own.
        let jar = format!("consentry={forged}; a=1; consentry={mine}");
        assert_eq!(single(&copies(&jar)), Err(()));
        assert_eq!(read(&jar, &c, 1_800_000_100), None);
        // Writing the probe to the own spot replaces exactly our copy.
        let own_of =
            |before: &str, after: &str| own(&copies(before), &copies(after)).map(String::from);
        let after = format!("consentry={forged}; a=1; consentry={PROBE}");
        assert_eq!(own_of(&jar, &after), Some(mine.clone()));
        // No copy of ours: the probe is added, nothing is replaced.
        let after = format!("consentry={forged}; a=1; consentry={mine}; consentry={PROBE}");
        assert_eq!(own_of(&jar, &after), None);
        // A planted copy that spells the probe does not confuse the count.
        let jar = format!("consentry={PROBE}; consentry={mine}");
        let after = format!("consentry={PROBE}; consentry={PROBE}");
        assert_eq!(own_of(&jar, &after), Some(mine.clone()));
    }

    #[test]
    fn methods_must_agree_with_their_switches() {
        let c = config();
        let v = encode(&record(&c), &c);
        let now = 1_800_000_100;
        assert!(decode(&v, &c, now).is_some());
        for bad in [
            v.replace(".c.stats:1~ads-x:0", ".r.stats:1~ads-x:0"),
            v.replace(".c.stats:1~ads-x:0", ".r.stats:1~ads-x:1"),
            v.replace(".c.stats:1~ads-x:0", ".a.stats:1~ads-x:0"),
            v.replace(".c.stats:1~ads-x:0", ".a.stats:0~ads-x:1"),
            v.replace("~ads-x:0", "~ads-x:0~other:1"),
            v.replace("~ads-x:0", "~ads-x:0~auth:1"),
        ] {
            assert_eq!(decode(&bad, &c, now), None, "{bad}");
        }
        for good in [
            v.replace(".c.stats:1~ads-x:0", ".r.stats:0~ads-x:0"),
            v.replace(".c.stats:1~ads-x:0", ".a.stats:1~ads-x:1"),
            // "account": any switches (they were checked on the other device).
            v.replace(".c.stats:1~ads-x:0", ".u.stats:1~ads-x:0"),
            v.replace(".c.stats:1~ads-x:0", ".u.stats:0~ads-x:1"),
            v.replace(".c.stats:1~ads-x:0", ".u.stats:0~ads-x:0"),
        ] {
            let r = decode(&good, &c, now);
            assert!(r.is_some(), "{good}");
            if good.contains(".u.") {
                assert_eq!(r.map(|r| r.method), Some(Method::Account));
            }
        }
        assert_eq!(decode(&v.replace(".c.", ".x."), &c, now), None);
    }

    #[test]
    fn the_clock_may_be_minutes_off_not_more() {
        let c = config();
        let v = encode(&record(&c), &c);
        let at = 1_800_000_000;
        assert!(decode(&v, &c, at - CLOCK_SKEW).is_some());
        assert_eq!(decode(&v, &c, at - CLOCK_SKEW - 1), None);
        assert_eq!(decode(&v, &c, at - 3600), None, "an hour ahead");
    }

    #[test]
    fn globs() {
        assert!(name_matches("_ga_*", "_ga_ABC123"));
        assert!(name_matches("_ga", "_ga") && !name_matches("_ga", "_gat"));
        assert!(name_matches("*", "") && name_matches("a*b*c", "aXbYbc"));
        assert!(!name_matches("_ga_*", "_ga"));
    }

    #[test]
    fn deletions_cover_parent_domains_and_paths() {
        let d = delete_strings("_ga", "www.shop.test", "/a/b/page");
        assert!(d.iter().any(|s| s.ends_with("Path=/; Domain=shop.test")));
        assert!(d
            .iter()
            .any(|s| s.ends_with("Path=/a/b; Domain=www.shop.test")));
        assert!(d.iter().any(|s| s.ends_with("Path=/a")));
        assert!(d.iter().any(|s| s.ends_with("Path=/a/; Domain=shop.test")));
        assert!(d.iter().any(|s| s.ends_with("Path=/a/b/")));
        assert!(!d.iter().any(|s| s.contains("Domain=.")));
        let ip = delete_strings("_ga", "127.0.0.1", "/");
        assert_eq!(ip.len(), 1);
        let prefixed = delete_strings("__Secure-id", "shop.test", "/");
        assert!(prefixed.iter().all(|s| s.ends_with("; Secure")));
        assert!(!d.iter().any(|s| s.contains("Secure")));
    }
}

/// The highest config revision any consent cookie called `name` in a
/// `document.cookie` string answered, valid or not for today's config. Only
/// used to tell a visitor asked again after a revision bump what changed.
pub fn answered_revision(cookies: &str, name: &str) -> Option<u32> {
    values(cookies, name)
        .filter_map(|v| {
            let mut parts = split::pieces(v, b'.');
            (parts.next()? == VERSION).then_some(())?;
            parse_decimal(parts.next()?)
        })
        .max()
}
