//! Survey invitation tokens: `{invitation}.{expiry}.{signature}`.
//!
//! The signature is an HMAC-SHA256 (truncated to 128 bits) over the invitation key and the
//! expiry, under a secret kept outside the database (`BELLWETHER_SECRET`, `--secret-file`, or a
//! file generated in the data directory — see [`Keyring`]). A forged or altered token is refused
//! before any lookup, the expiry cannot be extended by editing the link, and a leaked database
//! backup cannot mint links. "Single use" means one response per token: answering
//! again with the same link updates that response instead of adding another.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// Not a token we made (malformed or bad signature).
    Invalid,
    /// Ours, but past its expiry.
    Expired,
}

/// What a token grants. The purpose is signed too, so a survey link's token can never be used
/// as a shared plan's and the other way round.
const INVITATION: &str = "invitation";
const PLAN_SHARE: &str = "plan_share";

fn signature(secret: &[u8], purpose: &str, key: &str, expires: i64) -> String {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(format!("{purpose}:{key}:{expires}").as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

pub fn sign(secret: &[u8], invitation_key: &str, expires_unix: i64) -> String {
    sign_for(secret, INVITATION, invitation_key, expires_unix)
}

/// A shared plan's magic link token (`plan_share` key, expiry, signature).
pub fn sign_share(secret: &[u8], share_key: &str, expires_unix: i64) -> String {
    sign_for(secret, PLAN_SHARE, share_key, expires_unix)
}

fn sign_for(secret: &[u8], purpose: &str, key: &str, expires_unix: i64) -> String {
    format!("{key}.{expires_unix}.{}", signature(secret, purpose, key, expires_unix))
}

/// The invitation key of a valid, unexpired token.
pub fn verify(secret: &[u8], token: &str, now_unix: i64) -> Result<String, TokenError> {
    verify_for(secret, INVITATION, token, now_unix)
}

/// The share key of a valid, unexpired shared-plan token. (Revocation is checked against the
/// database by the caller.)
pub fn verify_share(secret: &[u8], token: &str, now_unix: i64) -> Result<String, TokenError> {
    verify_for(secret, PLAN_SHARE, token, now_unix)
}

fn verify_for(
    secret: &[u8], purpose: &str, token: &str, now_unix: i64,
) -> Result<String, TokenError> {
    let mut parts = token.split('.');
    let (Some(key), Some(exp), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Invalid);
    };
    if key.is_empty() || key.len() > 64 || !key.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(TokenError::Invalid);
    }
    let exp: i64 = exp.parse().map_err(|_| TokenError::Invalid)?;
    // Constant-time comparison through the MAC itself.
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(format!("{purpose}:{key}:{exp}").as_bytes());
    let Ok(given) = hex::decode(sig) else {
        return Err(TokenError::Invalid);
    };
    if given.len() != 16 || mac.verify_truncated_left(&given).is_err() {
        return Err(TokenError::Invalid);
    }
    if now_unix > exp {
        return Err(TokenError::Expired);
    }
    Ok(key.to_string())
}

/// The longest a link lives (a shared plan's longest choice; survey invitations live 30 days).
/// A retired key verifies links for this long after its rotation, and no longer.
pub const MAX_LINK_DAYS: i64 = 90;
/// Shortest accepted secret (bytes of its text): 256 bits as hex is 64.
pub const MIN_SECRET_LEN: usize = 32;

/// The keys that sign and verify links: the current one signs and verifies; retired ones only
/// verify, and only links that expire by their `until` time — so links signed before a
/// rotation keep working until they expire, while someone holding a retired key cannot mint
/// a link that outlives that date.
///
/// Text form (the `--secret-file` and the generated `secret` file; `BELLWETHER_SECRET` may hold
/// it too), one key per line, `#` comments allowed:
///
/// ```text
/// 6f1c…current key…
/// 9a3b…retired key… until 2027-03-02T17:00:00Z
/// ```
#[derive(Clone)]
pub struct Keyring {
    current: Vec<u8>,
    retired: Vec<(Vec<u8>, i64)>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keyring(1 current, {} retired)", self.retired.len())
    }
}

impl Keyring {
    /// A keyring of one fresh key (throwaway databases, tests).
    pub fn random() -> Self {
        Self { current: key_bytes(&fresh_secret()), retired: vec![] }
    }

    /// Reads the text form; the error says which line is wrong and why.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut current = None;
        let mut retired = vec![];
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, until) = match line.split_once(" until ") {
                Some((k, u)) => (k.trim(), Some(u.trim())),
                None => (line, None),
            };
            if key.len() < MIN_SECRET_LEN || key.chars().any(char::is_whitespace) {
                return Err(format!(
                    "line {}: a secret must be at least {MIN_SECRET_LEN} characters without spaces",
                    n + 1
                ));
            }
            match (until, current.is_none()) {
                (None, true) => current = Some(key_bytes(key)),
                (None, false) => {
                    return Err(format!(
                        "line {}: only the first key may be current; a retired key needs `until <RFC 3339 time>`",
                        n + 1
                    ))
                }
                (Some(u), _) => {
                    let until = chrono::DateTime::parse_from_rfc3339(u)
                        .map_err(|e| format!("line {}: `until {u}`: {e}", n + 1))?;
                    retired.push((key_bytes(key), until.timestamp()));
                }
            }
        }
        let current = current.ok_or("no current secret (the first line without `until`)")?;
        Ok(Self { current, retired })
    }

    /// The text form (written to the secret file).
    pub fn to_text(&self) -> String {
        let mut out = key_text(&self.current);
        out.push('\n');
        for (k, until) in &self.retired {
            let until = chrono::DateTime::from_timestamp(*until, 0).unwrap_or_default();
            out.push_str(&format!(
                "{} until {}\n",
                key_text(k),
                until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ));
        }
        out
    }

    /// A new current key; the old one verifies the links it signed until they expire. Retired
    /// keys whose time has passed are dropped.
    pub fn rotated(&self, now: i64) -> Self {
        let mut retired: Vec<_> =
            self.retired.iter().filter(|(_, until)| *until > now).cloned().collect();
        retired.insert(0, (self.current.clone(), now + MAX_LINK_DAYS * 86_400));
        Self { current: key_bytes(&fresh_secret()), retired }
    }

    pub fn retired_count(&self) -> usize {
        self.retired.len()
    }

    /// A survey invitation token.
    pub fn sign(&self, invitation_key: &str, expires_unix: i64) -> String {
        sign(&self.current, invitation_key, expires_unix)
    }

    /// A shared plan's token.
    pub fn sign_share(&self, share_key: &str, expires_unix: i64) -> String {
        sign_share(&self.current, share_key, expires_unix)
    }

    pub fn verify(&self, token: &str, now_unix: i64) -> Result<String, TokenError> {
        self.verify_with(INVITATION, token, now_unix)
    }

    pub fn verify_share(&self, token: &str, now_unix: i64) -> Result<String, TokenError> {
        self.verify_with(PLAN_SHARE, token, now_unix)
    }

    fn verify_with(&self, purpose: &str, token: &str, now_unix: i64) -> Result<String, TokenError> {
        let first = verify_for(&self.current, purpose, token, now_unix);
        if first != Err(TokenError::Invalid) {
            return first;
        }
        for (key, until) in &self.retired {
            match verify_for(key, purpose, token, now_unix) {
                Err(TokenError::Invalid) => continue,
                // Signed by a retired key: only links that expire by its `until`.
                Ok(k) if expiry(token).is_some_and(|e| e <= *until) => return Ok(k),
                Ok(_) => return Err(TokenError::Invalid),
                Err(TokenError::Expired) => return Err(TokenError::Expired),
            }
        }
        Err(TokenError::Invalid)
    }
}

/// A key's HMAC bytes: hex text (as generated) is decoded, any other text is used as is.
fn key_bytes(text: &str) -> Vec<u8> {
    match hex::decode(text) {
        Ok(b) => b,
        Err(_) => text.as_bytes().to_vec(),
    }
}

/// The text form of key bytes: hex, always (it decodes back to the same bytes).
fn key_text(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

fn expiry(token: &str) -> Option<i64> {
    token.split('.').nth(1)?.parse().ok()
}

/// 256 random bits as 64 hex characters.
pub fn fresh_secret() -> String {
    format!("{}{}", random_key(), random_key())
}

/// A fresh random secret or public key: 128 bits, hex.
pub fn random_key() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn a_signed_token_verifies_until_it_expires() {
        let t = sign(S, "0193abc", 1_000);
        assert_eq!(verify(S, &t, 999).unwrap(), "0193abc");
        assert_eq!(verify(S, &t, 1_000).unwrap(), "0193abc");
        assert_eq!(verify(S, &t, 1_001), Err(TokenError::Expired));
    }

    #[test]
    fn tampering_is_refused() {
        let t = sign(S, "0193abc", 1_000);
        // a later expiry with the old signature
        let sig = t.rsplit('.').next().unwrap();
        assert_eq!(verify(S, &format!("0193abc.9999.{sig}"), 0), Err(TokenError::Invalid));
        // another invitation with the old signature
        assert_eq!(verify(S, &format!("0193abd.1000.{sig}"), 0), Err(TokenError::Invalid));
        // another secret
        assert_eq!(verify(b"another secret", &t, 0), Err(TokenError::Invalid));
        for junk in ["", "a.b", "a.1.zz", "a.b.c.d", "../x.1.00", &t[..t.len() - 2]] {
            assert_eq!(verify(S, junk, 0), Err(TokenError::Invalid), "{junk}");
        }
    }

    #[test]
    fn survey_and_plan_tokens_do_not_cross() {
        let survey = sign(S, "0193abc", 1_000);
        let share = sign_share(S, "0193abc", 1_000);
        assert_ne!(survey, share);
        assert_eq!(verify_share(S, &share, 0).unwrap(), "0193abc");
        assert_eq!(verify_share(S, &survey, 0), Err(TokenError::Invalid));
        assert_eq!(verify(S, &share, 0), Err(TokenError::Invalid));
    }

    #[test]
    fn a_rotated_keyring_verifies_old_links_until_they_expire_and_no_later() {
        let now = 1_000_000;
        let old = Keyring::random();
        let t_old = old.sign("0193abc", now + 86_400);
        let new = old.rotated(now);
        assert_eq!(new.verify(&t_old, now).unwrap(), "0193abc");
        let t_new = new.sign("0193abd", now + 86_400);
        assert_eq!(new.verify(&t_new, now).unwrap(), "0193abd");
        assert_eq!(old.verify(&t_new, now), Err(TokenError::Invalid));
        // Someone holding the retired key mints a link that outlives the retirement window.
        let forged = old.sign("0193abe", now + (MAX_LINK_DAYS + 1) * 86_400);
        assert_eq!(new.verify(&forged, now), Err(TokenError::Invalid));
        // The text form round-trips.
        let again = Keyring::parse(&new.to_text()).unwrap();
        assert_eq!(again.verify(&t_old, now).unwrap(), "0193abc");
        assert_eq!(again.verify(&t_new, now).unwrap(), "0193abd");
        assert_eq!(again.retired_count(), 1);
        // Rotating twice keeps both retired keys until their time passes.
        assert_eq!(again.rotated(now + 10).retired_count(), 2);
        assert_eq!(again.rotated(now + (MAX_LINK_DAYS + 1) * 86_400).retired_count(), 1);
    }

    #[test]
    fn keyring_text_errors_name_the_line() {
        assert!(Keyring::parse("").unwrap_err().contains("no current"));
        assert!(Keyring::parse("short").unwrap_err().contains("line 1"));
        let k = fresh_secret();
        assert!(Keyring::parse(&format!("{k}\n{k}")).unwrap_err().contains("line 2"));
        assert!(Keyring::parse(&format!("# comment\n{k}\n{k} until yesterday"))
            .unwrap_err()
            .contains("line 3"));
        assert!(Keyring::parse(&format!("{k}\n{k} until 2027-01-01T00:00:00Z")).is_ok());
    }

    #[test]
    fn random_keys_differ() {
        assert_ne!(random_key(), random_key());
        assert_eq!(random_key().len(), 32);
    }
}
