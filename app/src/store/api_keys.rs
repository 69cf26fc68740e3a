//! REST API keys. The secret is shown once; only its SHA-256 is stored (like sessions), so a
//! leaked backup holds no usable key.

use super::{de, execute, query_all, query_one, vars, Db};
use crate::error::AppError;
use crate::model::api_key::{ApiKey, KeyCreator};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Row {
    #[serde(deserialize_with = "de::key")]
    id: String,
    name: String,
    prefix: String,
    scopes: Vec<String>,
    created_at: crate::model::Timestamp,
    #[serde(default)]
    last_used_at: Option<crate::model::Timestamp>,
    #[serde(default)]
    revoked_at: Option<crate::model::Timestamp>,
    #[serde(default)]
    creator_name: Option<String>,
    #[serde(default)]
    creator_active: Option<bool>,
}

/// The fields a key is read with, its maker's name and state included.
const FIELDS: &str = "id, name, prefix, scopes, created_at, last_used_at, revoked_at,
    created_by.name AS creator_name, created_by.active AS creator_active";

impl From<Row> for ApiKey {
    fn from(r: Row) -> Self {
        ApiKey {
            id: r.id,
            name: r.name,
            prefix: r.prefix,
            scopes: r.scopes,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked: r.revoked_at.is_some(),
            created_by: r
                .creator_name
                .map(|name| KeyCreator { name, active: r.creator_active.unwrap_or(false) }),
        }
    }
}

/// A new key: `bw_` + 64 hex characters. Returns the record and the secret (show it once).
pub async fn create(
    db: &Db, name: &str, scopes: &[String], created_by: Option<&str>,
) -> Result<(ApiKey, String), AppError> {
    let secret = format!("bw_{}", crate::auth::new_session_token().0);
    let prefix: String = secret.chars().take(10).collect();
    let key: Row = query_one(
        db,
        &format!(
            "CREATE api_key SET name = $name, prefix = $prefix, hash = $hash, scopes = $scopes,
                created_by = IF $by THEN type::record('user', $by) ELSE NONE END
             RETURN {FIELDS}"
        ),
        vars(json!({
            "name": name, "prefix": prefix, "hash": crate::auth::token_hash(&secret),
            "scopes": scopes, "by": created_by,
        })),
    )
    .await?
    .ok_or_else(|| AppError::Internal("key not created".into()))?;
    Ok((key.into(), secret))
}

/// Every key, newest first, with who made it and whether that person is still active.
pub async fn list(db: &Db) -> Result<Vec<ApiKey>, AppError> {
    let rows: Vec<Row> =
        query_all(db, &format!("SELECT {FIELDS} FROM api_key ORDER BY created_at DESC"), json!({}))
            .await?;
    Ok(rows.into_iter().map(ApiKey::from).collect())
}

pub async fn revoke(db: &Db, id: &str) -> Result<(), AppError> {
    let done: Vec<serde_json::Value> = query_all(
        db,
        "UPDATE type::record('api_key', $id) SET revoked_at = time::now()
         WHERE revoked_at = NONE RETURN VALUE id",
        json!({ "id": id }),
    )
    .await?;
    if done.is_empty() {
        return Err(AppError::NotFound("active API key".into()));
    }
    Ok(())
}

/// The scopes of a live key, found by the SHA-256 of the presented secret.
pub async fn scopes(db: &Db, hash: &str) -> Result<Option<LiveKey>, AppError> {
    query_one(
        db,
        "SELECT id, name, scopes FROM api_key WHERE hash = $hash AND revoked_at = NONE LIMIT 1",
        json!({ "hash": hash }),
    )
    .await
}

/// A live key as a request presents it: its id, its name (what a change made with it is
/// recorded as) and its scopes.
#[derive(Debug, Clone, Deserialize)]
pub struct LiveKey {
    #[serde(deserialize_with = "de::key")]
    pub id: String,
    pub name: String,
    pub scopes: Vec<String>,
}

/// Records when a key was last used (at most once a minute per key, by the caller).
pub async fn touch(db: &Db, id: &str) -> Result<(), AppError> {
    execute(
        db,
        "UPDATE type::record('api_key', $id) SET last_used_at = time::now()",
        json!({ "id": id }),
    )
    .await
}
