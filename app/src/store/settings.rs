//! Instance settings: the survey cap and follow-up due time, engagement level thresholds.

use super::{execute, query_value, Db};
use crate::error::AppError;
use crate::model::{EngagementThresholds, SurveySettings};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Row {
    data: serde_json::Value,
}

async fn get(db: &Db, key: &str) -> Result<Option<serde_json::Value>, AppError> {
    let row: Option<Row> = query_value(
        db,
        "SELECT data FROM ONLY type::record('setting', $key)",
        json!({ "key": key }),
    )
    .await?;
    Ok(row.map(|r| r.data))
}

pub async fn surveys(db: &Db) -> Result<SurveySettings, AppError> {
    Ok(get(db, "surveys").await?.and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default())
}

pub async fn save_surveys(db: &Db, s: &SurveySettings) -> Result<(), AppError> {
    execute(
        db,
        "UPSERT type::record('setting', 'surveys') SET data = $value, updated_at = time::now()",
        super::vars(json!({ "value": s })),
    )
    .await
}

/// Where the engagement levels start (defaults until an admin sets them).
pub async fn engagement_levels(db: &Db) -> Result<EngagementThresholds, AppError> {
    Ok(get(db, "engagement_levels")
        .await?
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default())
}

pub async fn save_engagement_levels(db: &Db, t: &EngagementThresholds) -> Result<(), AppError> {
    execute(
        db,
        "UPSERT type::record('setting', 'engagement_levels') SET data = $value, updated_at = time::now()",
        super::vars(json!({ "value": t })),
    )
    .await
}

/// Whether webhook endpoints may be on private networks (off unless an admin allows it: an
/// endpoint on one could reach services that trust the internal network).
pub async fn webhooks_allow_private(db: &Db) -> Result<bool, AppError> {
    Ok(get(db, "webhooks").await?.and_then(|v| v.get("allow_private")?.as_bool()).unwrap_or(false))
}

pub async fn save_webhooks_allow_private(db: &Db, allow: bool) -> Result<(), AppError> {
    execute(
        db,
        "UPSERT type::record('setting', 'webhooks') SET data = { allow_private: $allow },
            updated_at = time::now()",
        json!({ "allow": allow }),
    )
    .await
}

/// The column mapping last used to import a file of `kind` (`accounts`, `contacts`): each
/// header with the field it went to (`""`: left out).
pub async fn import_mapping(db: &Db, kind: &str) -> Result<Vec<(String, String)>, AppError> {
    Ok(get(db, &format!("import_mapping_{kind}"))
        .await?
        .and_then(|v| serde_json::from_value(v.get("pairs")?.clone()).ok())
        .unwrap_or_default())
}

pub async fn save_import_mapping(
    db: &Db, kind: &str, pairs: &[(String, String)],
) -> Result<(), AppError> {
    execute(
        db,
        "UPSERT type::record('setting', $key) SET data = { pairs: $pairs }, updated_at = time::now()",
        json!({ "key": format!("import_mapping_{kind}"), "pairs": pairs }),
    )
    .await
}

/// The link-signing secret that versions before 0.2 kept in the database, removed from it.
/// Secrets now live outside the database (a leaked backup must not mint links); start-up moves
/// an old one into the secret file as a retired key, so links it signed keep working until
/// they expire. `None` when there is none (new installs, or already moved).
pub async fn take_legacy_secret(db: &Db) -> Result<Option<String>, AppError> {
    let Some(data) = get(db, "secret").await? else {
        return Ok(None);
    };
    execute(db, "DELETE type::record('setting', 'secret')", json!({})).await?;
    Ok(data.get("key").and_then(|k| k.as_str()).map(String::from))
}

/// Revenue settings (CLV's gross margin); `None` until an admin sets them.
pub async fn revenue(
    db: &Db,
) -> Result<Option<crate::model::dashboard::RevenueSettings>, AppError> {
    Ok(get(db, "revenue").await?.and_then(|v| serde_json::from_value(v).ok()))
}

pub async fn save_revenue(
    db: &Db, s: &crate::model::dashboard::RevenueSettings,
) -> Result<(), AppError> {
    execute(
        db,
        "UPSERT type::record('setting', 'revenue') SET data = $value, updated_at = time::now()",
        super::vars(json!({ "value": s })),
    )
    .await
}
