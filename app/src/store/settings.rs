//! Instance settings: the survey cap and follow-up due time.

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

/// The link-signing secret that versions before 0.2 kept in the database, removed from it.
/// Secrets now live outside the database (a leaked backup must not mint links); start-up moves
/// an old one into the secret file as a retired key, so links it signed keep working until
/// they expire. `None` when there is none (new installs, or already moved).
pub async fn take_legacy_secret(db: &Db) -> Result<Option<String>, AppError> {
    let Some(data) = get(db, "secret").await? else {
        return Ok(None);
    };
    db.query("DELETE type::record('setting', 'secret')")
        .await
        .and_then(|r| r.check())
        .map_err(db_err)?;
    Ok(data.get("key").and_then(|k| k.as_str()).map(String::from))
}
