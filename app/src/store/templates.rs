//! Journey templates (seeded by migration 4; admins edit them in Settings → Templates).

use super::{db_err, de, take, unique_err, Db};
use crate::error::AppError;
use crate::model::plan::{JourneyTemplate, TemplateInput, TemplateMilestone, TemplateObjective};
use crate::model::Stage;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Row {
    #[serde(deserialize_with = "de::key")]
    id: String,
    name: String,
    #[serde(default)]
    stage: Option<Stage>,
    #[serde(default)]
    description: String,
    milestones: Vec<TemplateMilestone>,
    #[serde(default)]
    objectives: Vec<TemplateObjective>,
    version: u32,
}

impl From<Row> for JourneyTemplate {
    fn from(r: Row) -> Self {
        JourneyTemplate {
            id: r.id,
            name: r.name,
            stage: r.stage,
            description: r.description,
            milestones: r.milestones,
            objectives: r.objectives,
            version: r.version,
        }
    }
}

const FIELDS: &str = "id, name, stage, description, milestones, objectives, version";

/// Templates in use, in journey order (by stage, then name).
pub async fn list(db: &Db) -> Result<Vec<JourneyTemplate>, AppError> {
    let mut r = db
        .query(format!(
            "SELECT {FIELDS}, name_key FROM journey_template WHERE archived = false ORDER BY name_key"
        ))
        .await
        .map_err(db_err)?;
    let rows: Vec<Row> = take(&mut r, 0)?;
    let mut list: Vec<JourneyTemplate> = rows.into_iter().map(Into::into).collect();
    // Journey order: templates for a stage in the stage's order, then the others.
    list.sort_by_key(|t| {
        t.stage
            .and_then(|s| Stage::ALL.iter().position(|x| *x == s))
            .unwrap_or(Stage::ALL.len())
    });
    Ok(list)
}

pub async fn get(db: &Db, id: &str) -> Result<Option<JourneyTemplate>, AppError> {
    let mut r = db
        .query(format!(
            "SELECT {FIELDS} FROM type::record('journey_template', $id) WHERE archived = false"
        ))
        .bind(json!({ "id": id }))
        .await
        .map_err(db_err)?;
    let rows: Vec<Row> = take(&mut r, 0)?;
    Ok(rows.into_iter().next().map(Into::into))
}

fn content(t: &TemplateInput) -> serde_json::Value {
    json!({
        "name": t.name,
        "name_key": t.name.to_lowercase(),
        "stage": Some(t.stage.clone()).filter(|s| !s.is_empty()),
        "description": t.description,
        "milestones": t.milestones,
        "objectives": t.objectives,
    })
}

pub async fn create(db: &Db, t: &TemplateInput, by: &str) -> Result<JourneyTemplate, AppError> {
    let mut r = db
        .query(format!(
            "CREATE ONLY journey_template CONTENT {{
                name: $c.name, name_key: $c.name_key, stage: $c.stage, description: $c.description,
                milestones: $c.milestones, objectives: $c.objectives, version: 1,
                updated_by: type::record('user', $by), updated_at: time::now()
             }} RETURN {FIELDS}"
        ))
        .bind(super::vars(
            json!({ "c": super::vars(content(t)), "by": by }),
        ))
        .await
        .and_then(|r| r.check())
        .map_err(|e| {
            unique_err(
                e,
                "journey_template_name",
                "name",
                "another template has this name",
            )
        })?;
    let row: Option<Row> = take(&mut r, 0)?;
    row.map(Into::into)
        .ok_or_else(|| AppError::Internal("the template was not created".into()))
}

/// Saves a new version of a template. Plans made from earlier versions keep what they copied.
pub async fn update(
    db: &Db,
    id: &str,
    t: &TemplateInput,
    by: &str,
) -> Result<JourneyTemplate, AppError> {
    let mut r = db
        .query(format!(
            "UPDATE type::record('journey_template', $id) SET
                name = $c.name, name_key = $c.name_key, stage = $c.stage, description = $c.description,
                milestones = $c.milestones, objectives = $c.objectives, version += 1,
                updated_by = type::record('user', $by), updated_at = time::now()
             WHERE archived = false RETURN {FIELDS}"
        ))
        .bind(super::vars(
            json!({ "id": id, "c": super::vars(content(t)), "by": by }),
        ))
        .await
        .and_then(|r| r.check())
        .map_err(|e| unique_err(e, "journey_template_name", "name", "another template has this name"))?;
    let rows: Vec<Row> = take(&mut r, 0)?;
    rows.into_iter()
        .next()
        .map(Into::into)
        .ok_or_else(|| AppError::NotFound("template".into()))
}

/// Archives a template: it is no longer offered, and plans made from it are untouched.
pub async fn archive(db: &Db, id: &str) -> Result<(), AppError> {
    let mut r = db
        .query("UPDATE type::record('journey_template', $id) SET archived = true, name_key = name_key + ':archived:' + <string>time::now() WHERE archived = false RETURN id")
        .bind(json!({ "id": id }))
        .await
        .map_err(db_err)?;
    let rows: Vec<serde_json::Value> = take(&mut r, 0)?;
    if rows.is_empty() {
        return Err(AppError::NotFound("template".into()));
    }
    Ok(())
}
