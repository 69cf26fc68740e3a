//! Sign-in sessions, stored in SurrealDB so that several Bellwether nodes share them.
//!
//! A session ends at its absolute expiry (14 days), after the idle timeout without a request
//! (`last_seen_at`, updated at most once a minute so reads stay reads), at sign-out, at "sign
//! out everywhere", at a password change (the others) and when its user is deactivated.

use super::users::UserRow;
use super::{execute, query_all, query_one, Db};
use crate::error::AppError;
use crate::model::Me;
use serde::Deserialize;
use serde_json::json;

/// How stale `last_seen_at` may get before a request refreshes it.
const SEEN_GRANULARITY_SECS: i64 = 60;

pub async fn create(
    db: &Db, token_hash: &str, user_id: &str, ttl_days: i64,
) -> Result<(), AppError> {
    execute(
        db,
        "CREATE session SET token_hash = $hash, user = type::record('user', $user),
            expires_at = time::now() + type::duration($ttl), last_seen_at = time::now()",
        json!({ "hash": token_hash, "user": user_id, "ttl": format!("{ttl_days}d") }),
    )
    .await
}

fn idle_duration(idle: chrono::Duration) -> String {
    format!("{}s", idle.num_seconds().max(1))
}

/// The signed-in user behind a session token hash, if the session is live (not expired, used
/// within `idle`) and the user active. Records the use.
pub async fn lookup(
    db: &Db, token_hash: &str, idle: chrono::Duration,
) -> Result<Option<Me>, AppError> {
    #[derive(Deserialize)]
    struct Row {
        #[serde(flatten)]
        user: UserRow,
        seen_secs_ago: i64,
    }
    let row: Option<Row> = query_one(
        db,
        "SELECT user.id AS id, user.email AS email, user.name AS name, user.role AS role,
            user.active AS active,
            duration::secs(time::now() - last_seen_at) AS seen_secs_ago
         FROM session WHERE token_hash = $hash AND expires_at > time::now()
            AND last_seen_at > time::now() - type::duration($idle) LIMIT 1",
        json!({ "hash": token_hash, "idle": idle_duration(idle) }),
    )
    .await?;
    let Some(row) = row.filter(|r| r.user.active) else {
        return Ok(None);
    };
    if row.seen_secs_ago >= SEEN_GRANULARITY_SECS {
        execute(
            db,
            "UPDATE session SET last_seen_at = time::now() WHERE token_hash = $hash",
            json!({ "hash": token_hash }),
        )
        .await?;
    }
    let role = row.user.role();
    Ok(Some(Me { id: row.user.id, email: row.user.email, name: row.user.name, role }))
}

pub async fn delete(db: &Db, token_hash: &str) -> Result<(), AppError> {
    execute(db, "DELETE session WHERE token_hash = $hash", json!({ "hash": token_hash })).await
}

/// Ends every session of `user` except the one with `keep` (a token hash), if given. Returns
/// how many ended.
pub async fn delete_for_user(db: &Db, user: &str, keep: Option<&str>) -> Result<u64, AppError> {
    let gone: Vec<serde_json::Value> = query_all(
        db,
        "DELETE session WHERE user = type::record('user', $user) AND token_hash != $keep
         RETURN BEFORE",
        json!({ "user": user, "keep": keep.unwrap_or("") }),
    )
    .await?;
    Ok(gone.len() as u64)
}

/// Removes expired and idle sessions; run periodically.
pub async fn purge_expired(db: &Db, idle: chrono::Duration) -> Result<(), AppError> {
    execute(
        db,
        "DELETE session WHERE expires_at <= time::now()
            OR last_seen_at <= time::now() - type::duration($idle)",
        json!({ "idle": idle_duration(idle) }),
    )
    .await
}
