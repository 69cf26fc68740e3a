//! One-time set-up codes: the first admin can be created through the web only with a code
//! printed to the server's log (or by `bellwether setup-code`), so the first visitor of a fresh
//! public instance does not become its admin. Only a hash is stored; codes end when used, when
//! they expire, and all at once when the first admin exists.

use super::{query_all, transact, Db};
use crate::error::AppError;
use serde_json::json;

/// How long a code works.
pub const SETUP_CODE_HOURS: i64 = 24;

/// A fresh code as people type it: 16 characters in four groups from an alphabet without
/// look-alikes (80 bits).
pub fn new_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    let chars: Vec<char> =
        (0..16).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// The stored form of a code: case, spaces and dashes do not matter when typed.
pub fn code_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    crate::auth::token_hash(&normal)
}

/// Stores `code` (made by [`new_code`] or given by the operator) for [`SETUP_CODE_HOURS`].
pub async fn create(db: &Db, code: &str) -> Result<(), AppError> {
    transact(
        db,
        "BEGIN;
         DELETE setup_code WHERE code_hash = $hash OR expires_at <= time::now();
         CREATE setup_code SET code_hash = $hash,
            expires_at = time::now() + type::duration($ttl);
         COMMIT;",
        json!({ "hash": code_hash(code), "ttl": format!("{SETUP_CODE_HOURS}h") }),
    )
    .await?;
    Ok(())
}

/// Whether any live code exists (the set-up page says where to find it).
pub async fn any_live(db: &Db) -> Result<bool, AppError> {
    let ids: Vec<serde_json::Value> = query_all(
        db,
        "SELECT VALUE id FROM setup_code WHERE expires_at > time::now() LIMIT 1",
        json!({}),
    )
    .await?;
    Ok(!ids.is_empty())
}
