//! Versioned schema migrations, applied at start-up in order, each in its own transaction and
//! recorded in the `migration` table so that a restart (or a second node) applies nothing twice.

use super::{query_all, transact, Db};
use crate::error::AppError;
use serde_json::json;

/// (version, name, SurrealQL). Append only: never edit a migration that has shipped.
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("migrations/001_init.surql")),
    (2, "surveys", include_str!("migrations/002_surveys.surql")),
    (3, "health", include_str!("migrations/003_health.surql")),
    (4, "plans", include_str!("migrations/004_plans.surql")),
    (5, "security", include_str!("migrations/005_security.surql")),
    (6, "plan activity", include_str!("migrations/006_plan_activity.surql")),
    (7, "usage segments", include_str!("migrations/007_usage_segments.surql")),
    (8, "alerts", include_str!("migrations/008_alerts.surql")),
    (9, "escalations", include_str!("migrations/009_escalations.surql")),
    (10, "revenue", include_str!("migrations/010_revenue.surql")),
    (11, "imported responses", include_str!("migrations/011_imported_responses.surql")),
    (12, "webhooks", include_str!("migrations/012_webhooks.surql")),
    (13, "response feed", include_str!("migrations/013_response_feed.surql")),
    (14, "nodes", include_str!("migrations/014_nodes.surql")),
];

pub async fn apply(db: &Db) -> Result<(), AppError> {
    transact(
        db,
        "BEGIN;
         DEFINE TABLE IF NOT EXISTS migration SCHEMAFULL;
         DEFINE FIELD IF NOT EXISTS version ON migration TYPE int;
         DEFINE FIELD IF NOT EXISTS name ON migration TYPE string;
         DEFINE FIELD IF NOT EXISTS applied_at ON migration TYPE datetime;
         DEFINE INDEX IF NOT EXISTS migration_version ON migration FIELDS version UNIQUE;
         COMMIT;",
        json!({}),
    )
    .await?;
    let applied = applied(db).await?;
    for (version, name, sql) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        let q = format!(
            "BEGIN;\n{sql}\nCREATE migration SET version = $version, name = $name, applied_at = time::now();\nCOMMIT;"
        );
        // The cause is logged with the statement that failed; the error names the migration.
        if let Err(e) = transact(db, &q, json!({ "version": version, "name": name })).await {
            // Nodes starting together on a new database race to apply it: the loser's
            // transaction fails (a conflict, then the version's unique index) and finds it
            // applied by the winner.
            if self::applied(db).await?.contains(version) {
                tracing::info!(version, name, "migration applied by another node");
                continue;
            }
            return Err(AppError::Internal(format!("migration {version} ({name}) failed: {e}")));
        }
        tracing::info!(version, name, "applied migration");
    }
    Ok(())
}

/// The versions recorded as applied, oldest first.
pub async fn applied(db: &Db) -> Result<Vec<i64>, AppError> {
    query_all(db, "SELECT VALUE version FROM migration ORDER BY version", json!({})).await
}
