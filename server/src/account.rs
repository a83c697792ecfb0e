//! Account tokens: the site's backend proves who is signed in.
//!
//! ```text
//! v1.<account id, base64url>.<expiry, unix seconds>.<tag, base64url>
//! tag = HMAC-SHA256(secret, "v1.<account id, base64url>.<expiry>")
//! ```
//!
//! base64url is RFC 4648 §5 without padding. Any backend with an HMAC can
//! mint one (README, "Consent ledger"); `consentry-server token` mints one
//! for tests and the demo. The tag is compared in constant time, the token's
//! length is bounded before anything is decoded, and a refusal says why
//! without echoing the token.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The longest account id, in bytes.
pub const MAX_ACCOUNT: usize = 128;
/// The longest token: "v1." + 172 + "." + 12 + "." + 43, rounded up.
pub const MAX_TOKEN: usize = 256;
/// The shortest secret accepted, in bytes.
pub const MIN_SECRET: usize = 32;

/// Why a token was refused. Logged as a word; never with the token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Longer than [`MAX_TOKEN`], or empty.
    Length,
    /// Not four dot-separated parts of the right alphabets.
    Shape,
    /// A version other than v1.
    Version,
    /// The account id is empty, too long, or has control characters.
    Account,
    /// The expiry has passed.
    Expired,
    /// The tag does not match: forged, altered, or another secret.
    Signature,
}

impl Refusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::Length => "length",
            Refusal::Shape => "shape",
            Refusal::Version => "version",
            Refusal::Account => "account",
            Refusal::Expired => "expired",
            Refusal::Signature => "signature",
        }
    }
}

/// The shared secret, kept out of Debug output.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Secret {
    /// A secret of at least [`MIN_SECRET`] bytes (surrounding whitespace,
    /// e.g. a file's final newline, is not part of it).
    pub fn new(text: &str) -> Result<Secret, String> {
        let t = text.trim();
        if t.len() < MIN_SECRET {
            return Err(format!(
                "the account secret must be at least {MIN_SECRET} bytes"
            ));
        }
        Ok(Secret(t.as_bytes().to_vec()))
    }

    /// HMAC takes a key of any length: this never fails in practice.
    fn mac(&self, signed: &str) -> Result<Hmac<Sha256>, Refusal> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).map_err(|_| Refusal::Signature)?;
        mac.update(signed.as_bytes());
        Ok(mac)
    }

    /// Mints a token for `account`, valid until `expiry` (unix seconds).
    pub fn mint(&self, account: &str, expiry: u64) -> Result<String, Refusal> {
        check_account(account)?;
        let signed = format!("v1.{}.{expiry}", URL_SAFE_NO_PAD.encode(account));
        let tag = URL_SAFE_NO_PAD.encode(self.mac(&signed)?.finalize().into_bytes());
        let token = format!("{signed}.{tag}");
        if token.len() > MAX_TOKEN {
            return Err(Refusal::Length);
        }
        Ok(token)
    }

    /// The account a token names, when it is well formed, signed with this
    /// secret and not expired at `now` (unix seconds).
    pub fn verify(&self, token: &str, now: u64) -> Result<String, Refusal> {
        if token.is_empty() || token.len() > MAX_TOKEN {
            return Err(Refusal::Length);
        }
        let mut parts = token.split('.');
        let (Some(version), Some(account), Some(expiry), Some(tag), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(Refusal::Shape);
        };
        if version != "v1" {
            return Err(Refusal::Version);
        }
        if expiry.is_empty() || expiry.len() > 12 || !expiry.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Refusal::Shape);
        }
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| Refusal::Shape)?;
        let signed_len = token.len() - tag_len(token);
        let signed = token.get(..signed_len).ok_or(Refusal::Shape)?;
        // The signature first: nothing about a forged token is looked at.
        self.mac(signed)?
            .verify_slice(&tag)
            .map_err(|_| Refusal::Signature)?;
        let expiry: u64 = expiry.parse().map_err(|_| Refusal::Shape)?;
        if expiry <= now {
            return Err(Refusal::Expired);
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(account)
            .map_err(|_| Refusal::Shape)?;
        let account = String::from_utf8(bytes).map_err(|_| Refusal::Account)?;
        check_account(&account)?;
        Ok(account)
    }
}

/// Length of the last part and its dot.
fn tag_len(token: &str) -> usize {
    token.rfind('.').map_or(token.len(), |i| token.len() - i)
}

fn check_account(account: &str) -> Result<(), Refusal> {
    if account.is_empty() || account.len() > MAX_ACCOUNT || account.chars().any(char::is_control) {
        return Err(Refusal::Account);
    }
    Ok(())
}

/// Unix seconds now.
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A campaign name in a pixel or link: 1-64 of A-Z a-z 0-9 - _ .
pub fn is_campaign(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000;

    fn secret() -> Secret {
        Secret::new("0123456789abcdef0123456789abcdef").unwrap()
    }

    #[test]
    fn round_trip() {
        let s = secret();
        for account in ["user-42", "ü@example.com", &"x".repeat(MAX_ACCOUNT)] {
            let t = s.mint(account, NOW + 60).unwrap();
            assert!(t.starts_with("v1."));
            assert!(t.len() <= MAX_TOKEN, "{}", t.len());
            assert_eq!(s.verify(&t, NOW).as_deref(), Ok(account));
        }
    }

    #[test]
    fn the_format_is_the_documented_one() {
        // What any backend computes: HMAC over "v1.<b64url id>.<expiry>".
        let s = secret();
        let mut mac = Hmac::<Sha256>::new_from_slice(b"0123456789abcdef0123456789abcdef").unwrap();
        mac.update(b"v1.dXNlci00Mg.1800000060");
        let tag = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        let t = format!("v1.dXNlci00Mg.1800000060.{tag}");
        assert_eq!(s.mint("user-42", NOW + 60).unwrap(), t);
        assert_eq!(s.verify(&t, NOW).as_deref(), Ok("user-42"));
    }

    #[test]
    fn each_part_tampered_is_refused() {
        let s = secret();
        let t = s.mint("user-42", NOW + 60).unwrap();
        let p: Vec<&str> = t.split('.').collect();
        let other = URL_SAFE_NO_PAD.encode("user-43");
        let cases = [
            (format!("v2.{}.{}.{}", p[1], p[2], p[3]), Refusal::Version),
            (format!("v1.{other}.{}.{}", p[2], p[3]), Refusal::Signature),
            (
                format!("v1.{}.1800009999.{}", p[1], p[3]),
                Refusal::Signature,
            ),
            // One character short is no tag at all; four short, a wrong one.
            (
                format!("v1.{}.{}.{}", p[1], p[2], &p[3][1..]),
                Refusal::Shape,
            ),
            (
                format!("v1.{}.{}.{}", p[1], p[2], &p[3][4..]),
                Refusal::Signature,
            ),
            (
                format!("v1.{}.{}.{}A", p[1], p[2], &p[3][..p[3].len() - 1]),
                Refusal::Signature,
            ),
            (format!("v1.{}.{}", p[1], p[2]), Refusal::Shape),
            (format!("{t}.x"), Refusal::Shape),
            (format!("v1.{}.-1.{}", p[1], p[3]), Refusal::Shape),
            (format!("v1.{}.{}.{}!", p[1], p[2], p[3]), Refusal::Shape),
            (String::new(), Refusal::Length),
        ];
        for (bad, why) in cases {
            assert_eq!(s.verify(&bad, NOW), Err(why), "{bad}");
        }
        // Another secret: the same token is a forgery.
        let other = Secret::new("another-secret-another-secret-0123").unwrap();
        assert_eq!(other.verify(&t, NOW), Err(Refusal::Signature));
    }

    #[test]
    fn expiry() {
        let s = secret();
        let t = s.mint("user-42", NOW).unwrap();
        assert_eq!(s.verify(&t, NOW - 1).as_deref(), Ok("user-42"));
        assert_eq!(s.verify(&t, NOW), Err(Refusal::Expired));
        assert_eq!(s.verify(&t, NOW + 86_400), Err(Refusal::Expired));
    }

    #[test]
    fn length_bounds() {
        let s = secret();
        assert_eq!(s.mint("", NOW + 1), Err(Refusal::Account));
        assert_eq!(
            s.mint(&"x".repeat(MAX_ACCOUNT + 1), NOW + 1),
            Err(Refusal::Account)
        );
        assert_eq!(s.mint("a\nb", NOW + 1), Err(Refusal::Account));
        let long = format!("v1.{}.1.x", "A".repeat(MAX_TOKEN));
        assert_eq!(s.verify(&long, NOW), Err(Refusal::Length));
        assert!(Secret::new("short").is_err());
        assert!(Secret::new(&format!("  {}\n", "k".repeat(MIN_SECRET))).is_ok());
        assert_eq!(format!("{:?}", secret()), "Secret(…)");
    }

    #[test]
    fn campaigns() {
        assert!(is_campaign("spring-2026_a.b"));
        for bad in ["", "a/b", "a b", "<x>", &"c".repeat(65)] {
            assert!(!is_campaign(bad), "{bad}");
        }
    }
}
