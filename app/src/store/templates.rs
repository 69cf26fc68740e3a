//! Journey templates (seeded by migration 4; admins edit them in Settings → Templates).

use super::{de, deep_vars, query_all, query_one, transact, Db};
use crate::error::AppError;
use crate::model::plan::{JourneyTemplate, TemplateInput, TemplateMilestone, TemplateObjective};
use crate::model::{Stage, TemplateId};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Row {
    #[serde(deserialize_with = "de::key")]
    id: TemplateId,
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
    let rows: Vec<Row> = query_all(
        db,
        &format!("SELECT {FIELDS}, name_key FROM journey_template WHERE archived = false ORDER BY name_key"),
        json!({}),
    )
    .await?;
    let mut list: Vec<JourneyTemplate> = rows.into_iter().map(Into::into).collect();
    // Journey order: templates for a stage in the stage's order, then the others.
    list.sort_by_key(|t| {
        t.stage.and_then(|s| Stage::ALL.iter().position(|x| *x == s)).unwrap_or(Stage::ALL.len())
    });
    Ok(list)
}

pub async fn get(db: &Db, id: &str) -> Result<Option<JourneyTemplate>, AppError> {
    let row: Option<Row> = query_one(
        db,
        &format!(
            "SELECT {FIELDS} FROM type::record('journey_template', $id) WHERE archived = false"
        ),
        json!({ "id": id }),
    )
    .await?;
    Ok(row.map(Into::into))
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

/// Refuses a name another template (other than the one being saved, on update) already has.
/// The unique index on `name_key` stays the last word; this names the field before it has to.
fn name_free(updating: bool) -> String {
    let other = if updating { "AND id != type::record('journey_template', $id)" } else { "" };
    format!(
        "IF (SELECT VALUE id FROM journey_template WHERE name_key = $c.name_key {other}) != [] {{
            THROW 'bw:field:name:another template has this name'
         }};"
    )
}

pub async fn create(db: &Db, t: &TemplateInput, by: &str) -> Result<JourneyTemplate, AppError> {
    let mut r = transact(
        db,
        &format!(
            "BEGIN;
             {}
             CREATE ONLY journey_template CONTENT {{
                name: $c.name, name_key: $c.name_key, stage: $c.stage, description: $c.description,
                milestones: $c.milestones, objectives: $c.objectives, version: 1,
                updated_by: type::record('user', $by), updated_at: time::now()
             }} RETURN {FIELDS};
             COMMIT;",
            name_free(false)
        ),
        deep_vars(json!({ "c": content(t), "by": by })),
    )
    .await?;
    let row: Option<Row> = r.before_commit()?;
    row.map(Into::into).ok_or_else(|| AppError::Internal("the template was not created".into()))
}

/// Saves a new version of a template. Plans made from earlier versions keep what they copied.
pub async fn update(
    db: &Db, id: &str, t: &TemplateInput, by: &str,
) -> Result<JourneyTemplate, AppError> {
    let mut r = transact(
        db,
        &format!(
            "BEGIN;
             {}
             UPDATE type::record('journey_template', $id) SET
                name = $c.name, name_key = $c.name_key, stage = $c.stage, description = $c.description,
                milestones = $c.milestones, objectives = $c.objectives, version += 1,
                updated_by = type::record('user', $by), updated_at = time::now()
             WHERE archived = false RETURN {FIELDS};
             COMMIT;",
            name_free(true)
        ),
        deep_vars(json!({ "id": id, "c": content(t), "by": by })),
    )
    .await?;
    let rows: Vec<Row> = r.before_commit()?;
    rows.into_iter().next().map(Into::into).ok_or_else(|| AppError::NotFound("template".into()))
}

/// Archives a template: it is no longer offered, and plans made from it are untouched.
pub async fn archive(db: &Db, id: &str) -> Result<(), AppError> {
    let rows: Vec<serde_json::Value> = query_all(
        db,
        "UPDATE type::record('journey_template', $id)
         SET archived = true, name_key = name_key + ':archived:' + <string>time::now()
         WHERE archived = false RETURN id",
        json!({ "id": id }),
    )
    .await?;
    if rows.is_empty() {
        return Err(AppError::NotFound("template".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_name_in_use_is_refused_by_field_on_create_and_on_update() {
        let db = crate::store::connect("mem://", None, None).await.unwrap();
        let mut t = TemplateInput::from_template(&get(&db, "growth").await.unwrap().unwrap());
        t.name = "Onboarding".into();
        let taken = Err(AppError::field("name", "another template has this name"));
        assert_eq!(create(&db, &t, "u1").await.map(|_| ()), taken);
        assert_eq!(update(&db, "growth", &t, "u1").await.map(|_| ()), taken);
        // Its own name is not "taken"; a new name is free.
        t.name = "Growth".into();
        assert_eq!(update(&db, "growth", &t, "u1").await.unwrap().version, 2);
        t.name = "Expansion".into();
        assert_eq!(create(&db, &t, "u1").await.unwrap().name, "Expansion");
    }
}
