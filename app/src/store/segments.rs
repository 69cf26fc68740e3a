//! Saved segments: named portfolio filters.

use super::{db_err, de, new_key, take, unique_err, Db};
use crate::error::AppError;
use crate::model::{PortfolioFilter, Segment};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Row {
    #[serde(deserialize_with = "de::key")]
    id: String,
    name: String,
    filter: PortfolioFilter,
}

pub async fn list(db: &Db) -> Result<Vec<Segment>, AppError> {
    let mut r = db
        .query("SELECT id, name, filter FROM segment ORDER BY name_key")
        .await
        .map_err(db_err)?;
    let rows: Vec<Row> = take(&mut r, 0)?;
    Ok(rows
        .into_iter()
        .map(|r| Segment {
            id: r.id,
            name: r.name,
            filter: r.filter,
        })
        .collect())
}

pub async fn create(
    db: &Db,
    name: &str,
    filter: &PortfolioFilter,
    by: &str,
) -> Result<Segment, AppError> {
    let mut r = db
        .query(
            "CREATE ONLY type::record('segment', $id) SET name = $name, name_key = $key, filter = $filter,
                created_by = type::record('user', $by) RETURN id, name, filter",
        )
        .bind(super::vars(json!({ "id": new_key(), "name": name, "key": name.to_lowercase(), "filter": filter.criteria(), "by": by })))
        .await
        .and_then(|r| r.check())
        .map_err(|e| unique_err(e, "segment_name", "name", "a segment with this name already exists"))?;
    let row: Row = take(&mut r, 0)?;
    Ok(Segment {
        id: row.id,
        name: row.name,
        filter: row.filter,
    })
}

pub async fn delete(db: &Db, id: &str) -> Result<(), AppError> {
    let mut r = db
        .query("DELETE type::record('segment', $id) RETURN BEFORE")
        .bind(super::vars(json!({ "id": id })))
        .await
        .and_then(|r| r.check())
        .map_err(db_err)?;
    let gone: Vec<serde_json::Value> = take(&mut r, 0)?;
    if gone.is_empty() {
        return Err(AppError::NotFound("segment".into()));
    }
    Ok(())
}
