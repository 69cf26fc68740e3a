//! Survey definitions. Who a survey reaches and queuing its invitations under the frequency cap
//! are in [`audience`], re-exported here.

mod audience;

pub use audience::*;

use super::{de, new_key, query_all, query_many, query_value, transact, vars, Count, Db};
use crate::error::AppError;
use crate::model::*;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

const FIELDS: &str =
    "id, name, kind, question, questions, audience, recurrence_months, public_key, active, created_at";

#[derive(Deserialize)]
struct Row {
    #[serde(deserialize_with = "de::key")]
    id: SurveyId,
    name: String,
    kind: SurveyKind,
    question: String,
    #[serde(default)]
    questions: Vec<Question>,
    audience: Audience,
    #[serde(default)]
    recurrence_months: Option<i64>,
    public_key: String,
    active: bool,
    created_at: crate::model::Timestamp,
}

impl Row {
    fn into_survey(self, segments: &HashMap<String, String>) -> Survey {
        Survey {
            audience_label: audience_label(&self.audience, segments),
            id: self.id,
            name: self.name,
            kind: self.kind,
            question: self.question,
            questions: self.questions,
            audience: self.audience,
            recurrence_months: self.recurrence_months,
            public_key: self.public_key,
            share_url: String::new(),
            active: self.active,
            created_at: self.created_at,
        }
    }
}

fn audience_label(a: &Audience, segments: &HashMap<String, String>) -> String {
    match a.kind {
        AudienceKind::Segment => match a.segment.as_ref().and_then(|s| segments.get(s)) {
            Some(name) => format!("Segment “{name}”"),
            None => "A deleted segment".into(),
        },
        AudienceKind::Accounts => plural(a.ids.len(), "chosen account"),
        AudienceKind::Contacts => plural(a.ids.len(), "chosen contact"),
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

async fn segment_names(db: &Db) -> Result<HashMap<String, String>, AppError> {
    Ok(super::segments::list(db).await?.into_iter().map(|s| (s.id, s.name)).collect())
}

/// Creates a survey after checking that what its audience names exists.
pub async fn create(db: &Db, v: &ValidSurvey, by: &str) -> Result<Survey, AppError> {
    match v.audience.kind {
        AudienceKind::Segment => {
            let seg = v.audience.segment.clone().unwrap_or_default();
            if !segment_names(db).await?.contains_key(&seg) {
                return Err(AppError::field("segment", "this segment does not exist"));
            }
        }
        kind => {
            let table = if kind == AudienceKind::Accounts { "account" } else { "contact" };
            let n: Vec<Count> = query_all(
                db,
                &format!("SELECT count() AS n FROM {table} WHERE record::id(id) IN $ids GROUP ALL"),
                json!({ "ids": v.audience.ids }),
            )
            .await?;
            let found = n.first().map_or(0, |c| c.n) as usize;
            if found != v.audience.ids.len() {
                return Err(AppError::field(
                    "ids",
                    format!(
                        "{} of the chosen {table}s no longer exist",
                        v.audience.ids.len() - found
                    ),
                ));
            }
        }
    }
    let mut r = transact(
        db,
        &format!(
            "BEGIN;
             IF (SELECT VALUE id FROM survey WHERE name_key = $key LIMIT 1) != [] {{
                 THROW 'bw:field:name:a survey with this name already exists'
             }};
             CREATE ONLY type::record('survey', $id) SET name = $name, name_key = $key, kind = $kind,
                question = $question, questions = $questions, audience = $audience,
                recurrence_months = $recurrence, public_key = $public_key,
                created_by = type::record('user', $by) RETURN {FIELDS};
             COMMIT;"
        ),
        vars(json!({
            "id": new_key(),
            "name": v.name,
            "key": v.name.to_lowercase(),
            "kind": v.kind.key(),
            "question": v.question,
            "questions": v.questions,
            "audience": v.audience,
            "recurrence": v.recurrence_months,
            "public_key": crate::survey_token::random_key(),
            "by": by,
        })),
    )
    .await?;
    let row: Row = r.before_commit()?;
    Ok(row.into_survey(&segment_names(db).await?))
}

/// A survey's row, if it exists.
async fn row(db: &Db, id: &str) -> Result<Option<Row>, AppError> {
    query_value(
        db,
        &format!("SELECT {FIELDS} FROM ONLY type::record('survey', $id)"),
        json!({ "id": id }),
    )
    .await
}

pub async fn get(db: &Db, id: &str) -> Result<Survey, AppError> {
    let row = row(db, id).await?.ok_or_else(|| AppError::NotFound("survey".into()))?;
    Ok(row.into_survey(&segment_names(db).await?))
}

/// A survey for the public pages: the same row without resolving the audience's label (one
/// query fewer on the path every customer answer takes).
pub async fn get_public(db: &Db, id: &str) -> Result<Option<Survey>, AppError> {
    Ok(row(db, id).await?.map(|r| r.into_survey(&HashMap::new())))
}

/// The survey behind an anonymous link, if the link is real and the survey still running.
pub async fn by_public_key(db: &Db, key: &str) -> Result<Option<Survey>, AppError> {
    let row: Option<Row> = super::query_one(
        db,
        &format!("SELECT {FIELDS} FROM survey WHERE public_key = $key AND active = true LIMIT 1"),
        json!({ "key": key }),
    )
    .await?;
    Ok(row.map(|r| r.into_survey(&HashMap::new())))
}

#[derive(Deserialize)]
struct CountBy {
    #[serde(deserialize_with = "de::key")]
    survey: SurveyId,
    n: u64,
}

#[derive(Deserialize)]
struct ScoreCount {
    #[serde(deserialize_with = "de::key")]
    survey: SurveyId,
    score: i64,
    n: u64,
}

pub async fn list(db: &Db) -> Result<Vec<SurveySummary>, AppError> {
    let mut r = query_many(
        db,
        &format!(
            "SELECT {FIELDS} FROM survey ORDER BY created_at DESC;
             SELECT survey, count() AS n FROM invitation GROUP BY survey;
             SELECT survey, score, count() AS n FROM survey_response GROUP BY survey, score;"
        ),
        json!({}),
    )
    .await?;
    let rows: Vec<Row> = r.take(0)?;
    let invited: Vec<CountBy> = r.take(1)?;
    let scores: Vec<ScoreCount> = r.take(2)?;
    let segments = segment_names(db).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let s = row.into_survey(&segments);
            let dist: Vec<(i64, u64)> =
                scores.iter().filter(|c| c.survey == s.id).map(|c| (c.score, c.n)).collect();
            SurveySummary {
                invited: invited.iter().find(|c| c.survey == s.id).map_or(0, |c| c.n),
                responses: dist.iter().map(|(_, n)| n).sum(),
                score: crate::metrics::survey::score(s.kind, &dist),
                id: s.id,
                name: s.name,
                kind: s.kind,
                audience_label: s.audience_label,
                recurrence_months: s.recurrence_months,
                active: s.active,
            }
        })
        .collect())
}

pub async fn set_active(db: &Db, id: &str, active: bool) -> Result<(), AppError> {
    let rows: Vec<serde_json::Value> = query_all(
        db,
        "UPDATE type::record('survey', $id) SET active = $active RETURN AFTER",
        json!({ "id": id, "active": active }),
    )
    .await?;
    if rows.is_empty() {
        return Err(AppError::NotFound("survey".into()));
    }
    Ok(())
}

/// Active recurring surveys: the scheduler sends their due invitations.
pub async fn recurring(db: &Db) -> Result<Vec<Survey>, AppError> {
    let rows: Vec<Row> = query_all(
        db,
        &format!("SELECT {FIELDS} FROM survey WHERE active = true AND recurrence_months != NONE"),
        json!({}),
    )
    .await?;
    let segments = segment_names(db).await?;
    Ok(rows.into_iter().map(|r| r.into_survey(&segments)).collect())
}

/// Bulk-loads survey history (demo data and imports): invitations, their responses and the
/// follow-ups low scores opened, in one transaction per call. Keys are given by the caller:
/// a response shares its invitation's key and a follow-up its response's.
pub async fn insert_history(
    db: &Db, invitations: Vec<serde_json::Value>, responses: Vec<serde_json::Value>,
    follow_ups: Vec<serde_json::Value>,
) -> Result<(), AppError> {
    transact(
        db,
        "BEGIN;
         INSERT INTO invitation (SELECT id, type::record('survey', survey) AS survey,
             type::record('contact', contact) AS contact, type::record('account', account) AS account,
             email, <datetime>sent_at AS sent_at, <datetime>expires_at AS expires_at,
             'sent' AS mail_status, 1 AS mail_attempts,
             (IF responded_at = NONE { NONE } ELSE { <datetime>responded_at }) AS responded_at
             FROM $invitations) RETURN NONE;
         INSERT INTO survey_response (SELECT id, type::record('survey', survey) AS survey,
             type::record('invitation', id) AS invitation, type::record('contact', contact) AS contact,
             type::record('account', account) AS account, kind, score, comment, 'email' AS channel,
             <datetime>created_at AS created_at, <datetime>created_at AS updated_at
             FROM $responses) RETURN NONE;
         INSERT INTO follow_up (SELECT id, type::record('survey_response', id) AS response,
             type::record('survey', survey) AS survey, type::record('account', account) AS account,
             type::record('contact', contact) AS contact,
             (IF assignee = NONE { NONE } ELSE { type::record('user', assignee) }) AS assignee,
             reason, <datetime>due_at AS due_at, status, outcome,
             (IF closed_at = NONE { NONE } ELSE { type::record('user', assignee) }) AS closed_by,
             <datetime>created_at AS created_at,
             (IF closed_at = NONE { NONE } ELSE { <datetime>closed_at }) AS closed_at
             FROM $follow_ups) RETURN NONE;
         COMMIT;",
        vars(json!({
            "invitations": invitations,
            "responses": responses,
            "follow_ups": follow_ups,
        })),
    )
    .await?;
    Ok(())
}
