//! Health models, versioned: every save is a new version, and a segment's model can be retired.

use crate::error::AppError;
use crate::model::health::*;
use crate::store::{de, execute, query_all, transact, Db};
use serde::Deserialize;
use serde_json::json;

pub const DEFAULT_SCOPE: &str = "default";

#[derive(Deserialize)]
struct ModelRow {
    #[serde(deserialize_with = "de::key")]
    id: String,
    scope: String,
    #[serde(default, deserialize_with = "de::opt_key")]
    segment: Option<String>,
    #[serde(default)]
    segment_name: Option<String>,
    version: u32,
    config: HealthConfig,
    created_at: crate::model::Timestamp,
    #[serde(default)]
    created_by: Option<String>,
    /// Retired by an admin (the segment no longer has a model of its own).
    #[serde(default)]
    retired: bool,
}

impl From<ModelRow> for HealthModel {
    fn from(r: ModelRow) -> Self {
        HealthModel {
            id: r.id,
            name: r.segment_name.unwrap_or_else(|| "Default".into()),
            scope: r.scope,
            segment_id: r.segment,
            version: r.version,
            config: r.config,
            created_at: r.created_at,
            created_by: r.created_by,
        }
    }
}

const MODEL_FIELDS: &str = "id, scope, segment, segment.name AS segment_name, version, config, \
                            created_at, created_by.name AS created_by, \
                            (retired_at != NONE) AS retired";

/// Creates version 1 of the default model if there is none. Every node calls this at start:
/// one statement is atomic, and a node that races another conflicts, runs again and finds the
/// model there (the unique (scope, version) index stays as the backstop).
pub async fn ensure_default(db: &Db) -> Result<(), AppError> {
    execute(
        db,
        "IF (SELECT VALUE id FROM health_model WHERE scope = 'default' LIMIT 1) = [] {
             CREATE health_model SET scope = 'default', version = 1, config = $config RETURN NONE;
         }",
        json!({ "config": HealthConfig::default() }),
    )
    .await
}

/// The version in force of every model: the default first, then segment models by name. A
/// retired segment model is in force no more (its accounts fall to the default model) until an
/// admin saves a new version of it.
pub async fn current_models(db: &Db) -> Result<Vec<HealthModel>, AppError> {
    let mut seen = std::collections::HashSet::new();
    let mut latest: Vec<HealthModel> = Vec::new();
    for row in version_rows(db).await? {
        if seen.insert(row.scope.clone()) && !row.retired {
            latest.push(row.into());
        }
    }
    latest.sort_by(|a, b| {
        (a.scope != DEFAULT_SCOPE, a.name.to_lowercase())
            .cmp(&(b.scope != DEFAULT_SCOPE, b.name.to_lowercase()))
    });
    Ok(latest)
}

/// Every version of every model, newest first within a scope.
pub async fn all_versions(db: &Db) -> Result<Vec<HealthModel>, AppError> {
    Ok(version_rows(db).await?.into_iter().map(HealthModel::from).collect())
}

async fn version_rows(db: &Db) -> Result<Vec<ModelRow>, AppError> {
    query_all(
        db,
        &format!("SELECT {MODEL_FIELDS} FROM health_model ORDER BY scope, version DESC"),
        json!({}),
    )
    .await
}

/// Stops using a segment's own model: every version is marked retired (kept for the history of
/// scores made with it), the segment's accounts fall to the default model, and the segment is
/// free to be deleted. Saving a new version brings a model back.
pub async fn retire(db: &Db, scope: &str) -> Result<(), AppError> {
    if scope == DEFAULT_SCOPE {
        return Err(AppError::field(
            "scope",
            "the default model scores every account no segment model holds; it cannot be retired",
        ));
    }
    transact(
        db,
        "BEGIN;
         IF (SELECT VALUE id FROM health_model WHERE scope = $scope AND retired_at = NONE LIMIT 1) = [] {
             THROW 'bw:not_found:health model in force for this segment'
         };
         UPDATE health_model SET retired_at = time::now() WHERE scope = $scope AND retired_at = NONE;
         COMMIT;",
        json!({ "scope": scope }),
    )
    .await?;
    Ok(())
}

/// Saves a new version of a model (`scope` = `default` or a segment key). Two admins saving at
/// once both get a version: the numbering and the write are one transaction, so the second
/// conflicts with the first, runs again and takes the next number.
pub async fn save_version(
    db: &Db, scope: &str, config: &HealthConfig, by: &str,
) -> Result<HealthModel, AppError> {
    let mut r = transact(
        db,
        &format!(
            "BEGIN;
             LET $next = ((SELECT VALUE version FROM health_model WHERE scope = $scope
                 ORDER BY version DESC LIMIT 1)[0] ?? 0) + 1;
             CREATE ONLY health_model SET scope = $scope,
                 segment = IF $scope = 'default' THEN NONE ELSE type::record('segment', $scope) END,
                 version = $next, config = $config, created_by = type::record('user', $by)
             RETURN {MODEL_FIELDS};
             COMMIT;"
        ),
        json!({ "scope": scope, "config": config, "by": by }),
    )
    .await?;
    Ok(r.before_commit::<ModelRow>()?.into())
}
