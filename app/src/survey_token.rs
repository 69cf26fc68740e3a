//! Survey invitation tokens: `{invitation}.{expiry}.{signature}`.
//!
//! The signature is an HMAC-SHA256 (truncated to 128 bits) over the invitation key and the
//! expiry, under a secret kept in the database. A forged or altered token is refused before
//! any lookup, the expiry cannot be extended by editing the link, and a leaked database backup
//! without the secret cannot mint links. "Single use" means one response per token: answering
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
    format!(
        "{key}.{expires_unix}.{}",
        signature(secret, purpose, key, expires_unix)
    )
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
    secret: &[u8],
    purpose: &str,
    token: &str,
    now_unix: i64,
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
        assert_eq!(
            verify(S, &format!("0193abc.9999.{sig}"), 0),
            Err(TokenError::Invalid)
        );
        // another invitation with the old signature
        assert_eq!(
            verify(S, &format!("0193abd.1000.{sig}"), 0),
            Err(TokenError::Invalid)
        );
        // another secret
        assert_eq!(verify(b"another secret", &t, 0), Err(TokenError::Invalid));
        for junk in [
            "",
            "a.b",
            "a.1.zz",
            "a.b.c.d",
            "../x.1.00",
            &t[..t.len() - 2],
        ] {
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
    fn random_keys_differ() {
        assert_ne!(random_key(), random_key());
        assert_eq!(random_key().len(), 32);
    }
}
