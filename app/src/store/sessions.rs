//! Sign-in sessions, stored in SurrealDB so that several Bellwether nodes share them.

use super::{db_err, de, take, Db};
use crate::error::AppError;
use crate::model::{Me, Role};
use serde::Deserialize;
use serde_json::json;

pub async fn create(
    db: &Db,
    token_hash: &str,
    user_id: &str,
    ttl_days: i64,
) -> Result<(), AppError> {
    db.query(
        "CREATE session SET token_hash = $hash, user = type::record('user', $user),
            expires_at = time::now() + type::duration($ttl)",
    )
    .bind(super::vars(
        json!({ "hash": token_hash, "user": user_id, "ttl": format!("{ttl_days}d") }),
    ))
    .await
    .and_then(|r| r.check())
    .map_err(db_err)?;
    Ok(())
}

/// The signed-in user behind a session token hash, if the session is live and the user active.
pub async fn lookup(db: &Db, token_hash: &str) -> Result<Option<Me>, AppError> {
    #[derive(Deserialize)]
    struct Row {
        #[serde(deserialize_with = "de::key")]
        id: String,
        email: String,
        name: String,
        role: String,
        active: bool,
    }
    let mut r = db
        .query(
            "SELECT user.id AS id, user.email AS email, user.name AS name, user.role AS role,
                user.active AS active
             FROM session WHERE token_hash = $hash AND expires_at > time::now() LIMIT 1",
        )
        .bind(super::vars(json!({ "hash": token_hash })))
        .await
        .map_err(db_err)?;
    let rows: Vec<Row> = take(&mut r, 0)?;
    Ok(rows.into_iter().next().filter(|r| r.active).map(|r| Me {
        id: r.id,
        email: r.email,
        name: r.name,
        role: Role::parse(&r.role).unwrap_or(Role::Exec),
    }))
}

pub async fn delete(db: &Db, token_hash: &str) -> Result<(), AppError> {
    db.query("DELETE session WHERE token_hash = $hash")
        .bind(super::vars(json!({ "hash": token_hash })))
        .await
        .and_then(|r| r.check())
        .map_err(db_err)?;
    Ok(())
}

/// Removes expired sessions; run periodically.
pub async fn purge_expired(db: &Db) -> Result<(), AppError> {
    db.query("DELETE session WHERE expires_at <= time::now()")
        .await
        .and_then(|r| r.check())
        .map_err(db_err)?;
    Ok(())
}
