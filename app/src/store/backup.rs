//! Backups of the whole database as a SurrealQL file, the format `surreal export` writes and
//! `surreal import` reads (so a backup of the embedded store restores onto a SurrealDB server
//! and back). The file starts with `OPTION IMPORT`, so loading it fires no events: restoring
//! sends no webhooks and re-stamps nothing.

use super::{open, query_value, Db};
use crate::error::AppError;
use std::path::Path;

/// Writes every table's definition and rows to `file`. For the embedded store the server must
/// be stopped (the store takes one process); a SurrealDB server is backed up live with
/// `surreal export`.
pub async fn backup(db: &Db, file: &Path) -> Result<(), AppError> {
    db.export(file.to_path_buf())
        .await
        .map_err(|e| AppError::Internal(format!("backup to {} failed: {e}", file.display())))
}

/// Loads the backup `file` into the empty database at `url`, then applies the migrations newer
/// than the backup. Refuses a database that holds anything, so a restore never mixes two.
pub async fn restore(
    url: &str, user: Option<&str>, pass: Option<&str>, file: &Path,
) -> Result<Db, AppError> {
    embedded(url)?;
    if !file.is_file() {
        return Err(AppError::Internal(format!("no backup file at {}", file.display())));
    }
    let db = open(url, user, pass).await?;
    let tables: Option<i64> =
        query_value(&db, "RETURN object::len((INFO FOR DB).tables)", serde_json::json!({})).await?;
    if tables.unwrap_or(0) > 0 {
        return Err(AppError::Internal(format!(
            "the database at {url} is not empty: restore into a new one"
        )));
    }
    db.import(file)
        .await
        .map_err(|e| AppError::Internal(format!("restore from {} failed: {e}", file.display())))?;
    super::migrations::apply(&db).await?;
    Ok(db)
}

/// Backups through Bellwether are for the embedded store; the SDK cannot stream one over a
/// SurrealDB server's WebSocket, and `surreal export`/`import` do it there (same file format).
pub fn embedded(url: &str) -> Result<(), AppError> {
    if url.starts_with("surrealkv://") || url.starts_with("mem://") {
        Ok(())
    } else {
        Err(AppError::Internal(format!(
            "{url} is a SurrealDB server: back it up with `surreal export` and restore with `surreal import` (deploy/README.md)"
        )))
    }
}
