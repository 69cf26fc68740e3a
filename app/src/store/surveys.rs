//! Survey definitions, their audiences, and queuing invitations under the frequency cap.

use super::{db_err, de, new_key, take, unique_err, Db};
use crate::error::AppError;
use crate::model::cap::{suppression, PastInvitation};
use crate::model::*;
use chrono::{DateTime, Months, Utc};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

const FIELDS: &str =
    "id, name, kind, question, questions, audience, recurrence_months, public_key, active, created_at";

#[derive(Deserialize)]
struct Row {
    #[serde(deserialize_with = "de::key")]
    id: String,
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
    created_at: String,
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
    Ok(super::segments::list(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect())
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
            let table = if kind == AudienceKind::Accounts {
                "account"
            } else {
                "contact"
            };
            let mut r = db
                .query(format!(
                    "SELECT count() AS n FROM {table} WHERE record::id(id) IN $ids GROUP ALL"
                ))
                .bind(super::vars(json!({ "ids": v.audience.ids })))
                .await
                .map_err(db_err)?;
            let n: Vec<super::Count> = take(&mut r, 0)?;
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
    let mut r = db
        .query(format!(
            "CREATE ONLY type::record('survey', $id) SET name = $name, name_key = $key, kind = $kind,
                question = $question, questions = $questions, audience = $audience,
                recurrence_months = $recurrence, public_key = $public_key,
                created_by = type::record('user', $by) RETURN {FIELDS}"
        ))
        .bind(super::vars(json!({
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
        })))
        .await
        .and_then(|r| r.check())
        .map_err(|e| unique_err(e, "survey_name", "name", "a survey with this name already exists"))?;
    let row: Row = take(&mut r, 0)?;
    Ok(row.into_survey(&segment_names(db).await?))
}

pub async fn get(db: &Db, id: &str) -> Result<Survey, AppError> {
    let mut r = db
        .query(format!(
            "SELECT {FIELDS} FROM ONLY type::record('survey', $id)"
        ))
        .bind(super::vars(json!({ "id": id })))
        .await
        .map_err(db_err)?;
    let row: Option<Row> = take(&mut r, 0)?;
    let row = row.ok_or_else(|| AppError::NotFound("survey".into()))?;
    Ok(row.into_survey(&segment_names(db).await?))
}

/// A survey for the public pages: the same row without resolving the audience's label (one
/// query fewer on the path every customer answer takes).
pub async fn get_public(db: &Db, id: &str) -> Result<Option<Survey>, AppError> {
    let mut r = db
        .query(format!(
            "SELECT {FIELDS} FROM ONLY type::record('survey', $id)"
        ))
        .bind(super::vars(json!({ "id": id })))
        .await
        .map_err(db_err)?;
    let row: Option<Row> = take(&mut r, 0)?;
    Ok(row.map(|r| r.into_survey(&HashMap::new())))
}

/// The survey behind an anonymous link, if the link is real and the survey still running.
pub async fn by_public_key(db: &Db, key: &str) -> Result<Option<Survey>, AppError> {
    let mut r = db
        .query(format!(
            "SELECT {FIELDS} FROM survey WHERE public_key = $key AND active = true LIMIT 1"
        ))
        .bind(super::vars(json!({ "key": key })))
        .await
        .map_err(db_err)?;
    let rows: Vec<Row> = take(&mut r, 0)?;
    Ok(rows
        .into_iter()
        .next()
        .map(|r| r.into_survey(&HashMap::new())))
}

#[derive(Deserialize)]
struct CountBy {
    #[serde(deserialize_with = "de::key")]
    survey: String,
    n: u64,
}

#[derive(Deserialize)]
struct ScoreCount {
    #[serde(deserialize_with = "de::key")]
    survey: String,
    score: i64,
    n: u64,
}

pub async fn list(db: &Db) -> Result<Vec<SurveySummary>, AppError> {
    let mut r = db
        .query(format!(
            "SELECT {FIELDS} FROM survey ORDER BY created_at DESC;
             SELECT survey, count() AS n FROM invitation GROUP BY survey;
             SELECT survey, score, count() AS n FROM survey_response GROUP BY survey, score;"
        ))
        .await
        .map_err(db_err)?;
    let rows: Vec<Row> = take(&mut r, 0)?;
    let invited: Vec<CountBy> = take(&mut r, 1)?;
    let scores: Vec<ScoreCount> = take(&mut r, 2)?;
    let segments = segment_names(db).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let s = row.into_survey(&segments);
            let dist: Vec<(i64, u64)> = scores
                .iter()
                .filter(|c| c.survey == s.id)
                .map(|c| (c.score, c.n))
                .collect();
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
    let mut r = db
        .query("UPDATE type::record('survey', $id) SET active = $active RETURN AFTER")
        .bind(super::vars(json!({ "id": id, "active": active })))
        .await
        .and_then(|r| r.check())
        .map_err(db_err)?;
    let rows: Vec<serde_json::Value> = take(&mut r, 0)?;
    if rows.is_empty() {
        return Err(AppError::NotFound("survey".into()));
    }
    Ok(())
}

/// A contact a survey's audience reaches.
#[derive(Debug, Clone, Deserialize)]
pub struct AudienceContact {
    #[serde(deserialize_with = "de::key")]
    pub id: String,
    pub name: String,
    pub email: String,
    #[serde(deserialize_with = "de::key")]
    pub account: String,
    #[serde(default)]
    pub account_name: Option<String>,
}

/// Every contact the audience reaches now (a segment is evaluated at the time of asking).
pub async fn audience_contacts(
    db: &Db,
    index: &super::portfolio_index::PortfolioIndex,
    survey: &Survey,
) -> Result<Vec<AudienceContact>, AppError> {
    let (cond, ids) = match survey.audience.kind {
        AudienceKind::Segment => {
            let seg = survey.audience.segment.clone().unwrap_or_default();
            let Some(segment) = super::segments::list(db)
                .await?
                .into_iter()
                .find(|s| s.id == seg)
            else {
                return Ok(Vec::new());
            };
            let ids = super::accounts::ids_matching(db, index, &segment.filter).await?;
            ("account IN $refs", (ids, "account"))
        }
        AudienceKind::Accounts => ("account IN $refs", (survey.audience.ids.clone(), "account")),
        AudienceKind::Contacts => ("id IN $refs", (survey.audience.ids.clone(), "contact")),
    };
    if ids.0.is_empty() {
        return Ok(Vec::new());
    }
    let mut r = db
        .query(format!(
            "LET $refs = array::map($ids, |$i| type::record($table, $i));
             SELECT id, name, email, account, account.name AS account_name FROM contact
                WHERE {cond} ORDER BY account_name, name;"
        ))
        .bind(super::vars(json!({ "ids": ids.0, "table": ids.1 })))
        .await
        .map_err(db_err)?;
    take(&mut r, 1)
}

#[derive(Deserialize)]
struct HistoryRow {
    #[serde(deserialize_with = "de::key")]
    contact: String,
    #[serde(deserialize_with = "de::key")]
    survey: String,
    #[serde(default)]
    survey_name: Option<String>,
    sent_at: String,
}

/// The earliest invitation that still matters to the cap or to this survey's recurrence.
fn window(now: DateTime<Utc>, cap_days: i64, survey: &Survey) -> (DateTime<Utc>, DateTime<Utc>) {
    let cap_since = now - chrono::Duration::days(cap_days.max(0));
    let here_since = match survey.recurrence_months {
        None => DateTime::<Utc>::UNIX_EPOCH,
        Some(m) => now.checked_sub_months(Months::new(m as u32)).unwrap_or(now),
    };
    (cap_since, here_since)
}

/// Each contact's relevant past invitations.
async fn history(
    db: &Db,
    contacts: &[AudienceContact],
    survey: &Survey,
    cap_days: i64,
    now: DateTime<Utc>,
) -> Result<HashMap<String, Vec<PastInvitation>>, AppError> {
    let (cap_since, here_since) = window(now, cap_days, survey);
    let ids: Vec<&str> = contacts.iter().map(|c| c.id.as_str()).collect();
    let mut r = db
        .query(
            "LET $refs = array::map($ids, |$i| type::record('contact', $i));
             SELECT contact, survey, survey.name AS survey_name, sent_at FROM invitation
                WHERE contact IN $refs
                  AND (sent_at > <datetime>$cap_since
                       OR (survey = type::record('survey', $survey) AND sent_at >= <datetime>$here_since));",
        )
        .bind(super::vars(json!({
            "ids": ids,
            "survey": survey.id,
            "cap_since": cap_since.to_rfc3339(),
            "here_since": here_since.to_rfc3339(),
        })))
        .await
        .map_err(db_err)?;
    let rows: Vec<HistoryRow> = take(&mut r, 1)?;
    let mut out: HashMap<String, Vec<PastInvitation>> = HashMap::new();
    for h in rows {
        out.entry(h.contact).or_default().push(PastInvitation {
            survey_id: h.survey,
            survey_name: h.survey_name.unwrap_or_else(|| "a survey".into()),
            sent_at: super::parse_time(&h.sent_at),
        });
    }
    Ok(out)
}

/// Each contact of the audience with the reason they would not be invited, if any.
pub async fn decide(
    db: &Db,
    index: &super::portfolio_index::PortfolioIndex,
    survey: &Survey,
    settings: &SurveySettings,
    now: DateTime<Utc>,
) -> Result<Vec<(AudienceContact, Option<String>)>, AppError> {
    let contacts = audience_contacts(db, index, survey).await?;
    let hist = history(db, &contacts, survey, settings.cap_days, now).await?;
    Ok(contacts
        .into_iter()
        .map(|c| {
            let why = suppression(
                now,
                settings.cap_days,
                &survey.id,
                survey.recurrence_months,
                hist.get(&c.id).map(Vec::as_slice).unwrap_or(&[]),
            );
            (c, why)
        })
        .collect())
}

/// What the audience preview shows: counts, and rows with the suppressed first.
pub fn preview(decided: Vec<(AudienceContact, Option<String>)>) -> AudiencePreview {
    let total = decided.len() as u64;
    let suppressed = decided.iter().filter(|(_, w)| w.is_some()).count() as u64;
    let mut rows: Vec<PreviewRow> = decided
        .into_iter()
        .map(|(c, why)| PreviewRow {
            contact_id: c.id,
            contact_name: c.name,
            email: c.email,
            account_id: c.account,
            account_name: c.account_name.unwrap_or_default(),
            suppressed: why,
        })
        .collect();
    rows.sort_by_key(|r| r.suppressed.is_none());
    rows.truncate(500);
    AudiencePreview {
        total,
        to_invite: total - suppressed,
        suppressed,
        rows,
    }
}

/// Queues one invitation per contact, in one transaction. The cap is checked again inside it,
/// so two people pressing Send at once cannot invite a contact twice.
pub async fn queue(
    db: &Db,
    survey: &Survey,
    contacts: &[AudienceContact],
    settings: &SurveySettings,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    if contacts.is_empty() {
        return Ok(0);
    }
    let (cap_since, here_since) = window(now, settings.cap_days, survey);
    let rows: Vec<serde_json::Value> = contacts
        .iter()
        .map(|c| json!({ "key": new_key(), "contact": c.id, "account": c.account, "email": c.email }))
        .collect();
    let expires = now + chrono::Duration::days(INVITATION_DAYS);
    let mut r = db
        .query(
            "BEGIN;
             LET $s = type::record('survey', $survey);
             FOR $row IN $rows {
                LET $c = type::record('contact', $row.contact);
                IF (SELECT VALUE id FROM invitation WHERE contact = $c
                      AND (sent_at > <datetime>$cap_since OR (survey = $s AND sent_at >= <datetime>$here_since)) LIMIT 1) = [] {
                    CREATE type::record('invitation', $row.key) SET survey = $s, contact = $c,
                        account = type::record('account', $row.account), email = $row.email,
                        sent_at = <datetime>$now, expires_at = <datetime>$expires, mail_status = 'queued';
                };
             };
             SELECT count() AS n FROM invitation WHERE survey = $s AND sent_at = <datetime>$now GROUP ALL;
             COMMIT;",
        )
        .bind(super::vars(json!({
            "survey": survey.id,
            "rows": rows,
            "cap_since": cap_since.to_rfc3339(),
            "here_since": here_since.to_rfc3339(),
            "now": now.to_rfc3339(),
            "expires": expires.to_rfc3339(),
        })))
        .await
        .and_then(|r| r.check())
        .map_err(db_err)?;
    let n: Vec<super::Count> = super::take_result_before_commit(&mut r)?;
    Ok(n.first().map_or(0, |c| c.n))
}

/// Active recurring surveys: the scheduler sends their due invitations.
pub async fn recurring(db: &Db) -> Result<Vec<Survey>, AppError> {
    let mut r = db
        .query(format!(
            "SELECT {FIELDS} FROM survey WHERE active = true AND recurrence_months != NONE"
        ))
        .await
        .map_err(db_err)?;
    let rows: Vec<Row> = take(&mut r, 0)?;
    let segments = segment_names(db).await?;
    Ok(rows.into_iter().map(|r| r.into_survey(&segments)).collect())
}

/// Bulk-loads survey history (demo data and imports): invitations, their responses and the
/// follow-ups low scores opened, in one transaction per call. Keys are given by the caller:
/// a response shares its invitation's key and a follow-up its response's.
pub async fn insert_history(
    db: &Db,
    invitations: Vec<serde_json::Value>,
    responses: Vec<serde_json::Value>,
    follow_ups: Vec<serde_json::Value>,
) -> Result<(), AppError> {
    db.query(
        "BEGIN TRANSACTION;
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
         COMMIT TRANSACTION;",
    )
    .bind(super::vars(json!({
        "invitations": invitations,
        "responses": responses,
        "follow_ups": follow_ups,
    })))
    .await
    .and_then(|r| r.check())
    .map_err(db_err)?;
    Ok(())
}
