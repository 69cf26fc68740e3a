//! Instance settings: the survey cap and follow-up due time, and the link-signing secret.

use super::{db_err, take, Db};
use crate::error::AppError;
use crate::model::SurveySettings;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Row {
    data: serde_json::Value,
}

async fn get(db: &Db, key: &str) -> Result<Option<serde_json::Value>, AppError> {
    let mut r = db
        .query("SELECT data FROM ONLY type::record('setting', $key)")
        .bind(super::vars(json!({ "key": key })))
        .await
        .map_err(db_err)?;
    let row: Option<Row> = take(&mut r, 0)?;
    Ok(row.map(|r| r.data))
}

pub async fn surveys(db: &Db) -> Result<SurveySettings, AppError> {
    Ok(get(db, "surveys")
        .await?
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default())
}

pub async fn save_surveys(db: &Db, s: &SurveySettings) -> Result<(), AppError> {
    db.query(
        "UPSERT type::record('setting', 'surveys') SET data = $value, updated_at = time::now()",
    )
    .bind(super::vars(json!({ "value": s })))
    .await
    .and_then(|r| r.check())
    .map_err(db_err)?;
    Ok(())
}

/// The secret that signs survey links, created on first use. Every node reads the same one,
/// so a link mailed by one node opens on any other. `CREATE` on a fixed id fails if another
/// node won the race, and then we read theirs.
pub async fn signing_secret(db: &Db) -> Result<Vec<u8>, AppError> {
    let read = |v: serde_json::Value| {
        v.get("key")
            .and_then(|k| k.as_str())
            .and_then(|k| hex::decode(k).ok())
    };
    if let Some(secret) = get(db, "secret").await?.and_then(read) {
        return Ok(secret);
    }
    let fresh = format!(
        "{}{}",
        crate::survey_token::random_key(),
        crate::survey_token::random_key()
    );
    let _ = db
        .query("CREATE type::record('setting', 'secret') SET data = { key: $key }")
        .bind(super::vars(json!({ "key": fresh })))
        .await
        .and_then(|r| r.check());
    get(db, "secret")
        .await?
        .and_then(read)
        .ok_or_else(|| AppError::Internal("no signing secret".into()))
}
