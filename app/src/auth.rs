//! Passwords and session tokens (server only).
//!
//! Argon2id with the `argon2` crate's defaults (OWASP's recommended m=19 MiB, t=2, p=1).
//! A session token is 32 random bytes sent in an HttpOnly cookie; the database keeps only its
//! SHA-256, so reading the sessions table does not let anyone sign in.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The session cookie's name on plain HTTP (development, tests).
pub const SESSION_COOKIE: &str = "bw_session";
/// Its name when Secure: the `__Host-` prefix makes browsers accept it only from this exact
/// host over HTTPS with `Path=/` and no `Domain`, so a sibling subdomain cannot plant one.
pub const SECURE_SESSION_COOKIE: &str = "__Host-bw_session";
/// A session ends this long after sign-in whatever happens (the idle timeout is shorter).
pub const SESSION_DAYS: i64 = 14;

pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

pub fn hash_password(password: &str) -> Result<String, crate::error::AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| crate::error::AppError::Internal(format!("password hashing failed: {e}")))
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// A fresh token and the hash to store.
pub fn new_session_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The session cookie. `secure` is on unless the server runs on plain-HTTP loopback for
/// development and tests (browsers drop Secure cookies on http://127.0.0.1 otherwise... Chromium
/// keeps them for localhost, but curl and test clients do not).
pub fn session_cookie(token: &str, secure: bool) -> String {
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        cookie_name(secure),
        SESSION_DAYS * 86_400,
        if secure { "; Secure" } else { "" }
    )
}

pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        cookie_name(secure),
        if secure { "; Secure" } else { "" }
    )
}

/// The session token from a `Cookie` header, if any. Only the name this server sets counts:
/// with Secure cookies a plain `bw_session` (which anyone on a sibling host could set) is
/// ignored.
pub fn token_from_cookie_header(header: &str, secure: bool) -> Option<String> {
    let name = cookie_name(secure);
    header.split(';').find_map(|part| {
        let (k, v) = part.trim().split_once('=')?;
        (k == name && !v.is_empty()).then(|| v.to_string())
    })
}

/// The session token from a request's headers: the one place cookies are read.
pub fn session_token(headers: &http::HeaderMap, secure: bool) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| token_from_cookie_header(h, secure))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, ha) = new_session_token();
        let (b, _) = new_session_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_hash(&a), ha);
        assert_ne!(a, ha);
    }

    #[test]
    fn cookie_header_parsing() {
        assert_eq!(
            token_from_cookie_header("a=1; bw_session=abc; b=2", false).as_deref(),
            Some("abc")
        );
        assert_eq!(token_from_cookie_header("bw_session=", false), None);
        assert!(session_cookie("t", true).contains("HttpOnly; SameSite=Lax"));
        assert!(session_cookie("t", true).ends_with("Secure"));
        assert!(session_cookie("t", true).starts_with("__Host-bw_session=t; Path=/;"));
        assert!(!session_cookie("t", true).contains("Domain"));
        // Behind HTTPS a cookie without the prefix is not ours.
        assert_eq!(token_from_cookie_header("bw_session=abc", true), None);
        assert_eq!(token_from_cookie_header("__Host-bw_session=abc", true).as_deref(), Some("abc"));
    }
}
