//! Versioned schema migrations, applied at start-up in order, each in its own transaction and
//! recorded in the `migration` table so that a restart (or a second node) applies nothing twice.

use super::{db_err, take, Db};
use crate::error::AppError;

/// (version, name, SurrealQL). Append only: never edit a migration that has shipped.
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("migrations/001_init.surql")),
    (2, "surveys", include_str!("migrations/002_surveys.surql")),
    (3, "health", include_str!("migrations/003_health.surql")),
    (4, "plans", include_str!("migrations/004_plans.surql")),
    (5, "security", include_str!("migrations/005_security.surql")),
];

pub async fn apply(db: &Db) -> Result<(), AppError> {
    db.query(
        "DEFINE TABLE IF NOT EXISTS migration SCHEMAFULL;
         DEFINE FIELD IF NOT EXISTS version ON migration TYPE int;
         DEFINE FIELD IF NOT EXISTS name ON migration TYPE string;
         DEFINE FIELD IF NOT EXISTS applied_at ON migration TYPE datetime;
         DEFINE INDEX IF NOT EXISTS migration_version ON migration FIELDS version UNIQUE;",
    )
    .await
    .and_then(|r| r.check())
    .map_err(db_err)?;
    let mut resp = db
        .query("SELECT VALUE version FROM migration")
        .await
        .map_err(db_err)?;
    let applied: Vec<i64> = take(&mut resp, 0)?;
    for (version, name, sql) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        let q = format!(
            "BEGIN TRANSACTION;\n{sql}\nCREATE migration SET version = $version, name = $name, applied_at = time::now();\nCOMMIT TRANSACTION;"
        );
        db.query(q)
            .bind(super::vars(
                serde_json::json!({ "version": version, "name": name }),
            ))
            .await
            .and_then(|r| r.check())
            .map_err(|e| AppError::Internal(format!("migration {version} ({name}) failed: {e}")))?;
        tracing::info!(version, name, "applied migration");
    }
    Ok(())
}

/// The versions recorded as applied, oldest first.
pub async fn applied(db: &Db) -> Result<Vec<i64>, AppError> {
    let mut resp = db
        .query("SELECT VALUE version FROM migration ORDER BY version")
        .await
        .map_err(db_err)?;
    take(&mut resp, 0)
}
