//! Survey responses: recording one (with its follow-up, in one transaction) and the CSV export;
//! the figures read from them (a survey's results, an account's, the voice of the customer) are in
//! [`figures`], re-exported here; answers imported from another tool are stored by [`imported`].

pub mod answers;
pub mod feed;
mod figures;
pub mod imported;

pub use figures::{for_account, results, voice};

use super::{de, execute, query_all, transact, vars, Db};
use crate::error::AppError;
use crate::metrics::survey as m;
use crate::model::*;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// A response as the public page submits it, already checked against the survey.
pub struct NewResponse<'a> {
    pub survey: &'a Survey,
    /// `None` for the anonymous link.
    pub invitation: Option<&'a super::invitations::Opened>,
    pub score: i64,
    pub comment: Option<String>,
    pub answers: Map<String, Value>,
}

/// Records a response, or replaces the one given earlier through the same link; marks the
/// invitation answered; opens a follow-up for the account's owner when the score is low. All
/// in one transaction: a response never exists without the follow-up it calls for.
///
/// Anonymous answers open no follow-up: there is no one to follow up with.
pub async fn record(
    db: &Db, r: NewResponse<'_>, settings: &SurveySettings, now: DateTime<Utc>,
) -> Result<String, AppError> {
    let kind = r.survey.kind;
    let key = r.invitation.map(|i| i.id.clone()).unwrap_or_else(super::new_key);
    let params = vars(json!({
        "key": key,
        "survey": r.survey.id,
        "contact": r.invitation.map(|i| i.contact.clone()),
        "account": r.invitation.map(|i| i.account.clone()),
        "kind": kind.key(),
        "score": r.score,
        "comment": r.comment,
        "answers": r.answers,
        "reason": kind.follow_up_reason(r.score),
        "due": (now + chrono::Duration::days(settings.follow_up_days)).to_rfc3339(),
    }));
    if r.invitation.is_none() {
        // One statement is atomic by itself: the anonymous path needs no transaction around it.
        execute(
            db,
            "CREATE type::record('survey_response', $key) SET survey = type::record('survey', $survey),
                channel = 'link', kind = $kind, score = $score, comment = $comment, answers = $answers",
            params,
        )
        .await?;
        return Ok(key);
    }
    let follow = if kind.needs_follow_up(r.score) {
        "IF (SELECT VALUE id FROM follow_up WHERE response = $r) = [] {
            CREATE type::record('follow_up', $key) SET response = $r,
                survey = type::record('survey', $survey),
                account = type::record('account', $account),
                contact = type::record('contact', $contact),
                assignee = type::record('account', $account).owner,
                reason = $reason, due_at = <datetime>$due, status = 'open';
         };"
    } else {
        ""
    };
    transact(
        db,
        &format!(
            "BEGIN;
             LET $r = type::record('survey_response', $key);
             UPSERT $r SET survey = type::record('survey', $survey),
                invitation = type::record('invitation', $key), contact = type::record('contact', $contact),
                account = type::record('account', $account), channel = 'email', kind = $kind, score = $score,
                comment = $comment, answers = $answers, updated_at = time::now();
             UPDATE type::record('invitation', $key) SET responded_at = time::now();
             {follow}
             COMMIT;"
        ),
        params,
    )
    .await?;
    Ok(key)
}

/// The projection a [`ResponseRow`] is read from.
pub(super) const ROW_FIELDS: &str =
    "id, survey, survey.name AS survey_name, survey.questions AS questions, kind,
    score, comment, answers, account, account.name AS account_name, contact.name AS contact_name,
    contact.email AS contact_email, channel, created_at";

/// A [`ScoredResponse`] as stored: read with every response, and with the follow-up a low one
/// opened.
#[derive(Deserialize)]
pub(super) struct Scored {
    #[serde(deserialize_with = "de::key")]
    survey: SurveyId,
    #[serde(default)]
    survey_name: Option<String>,
    kind: SurveyKind,
    score: i64,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default, deserialize_with = "de::opt_key")]
    account: Option<AccountId>,
    #[serde(default)]
    account_name: Option<String>,
    #[serde(default)]
    contact_name: Option<String>,
    #[serde(default)]
    contact_email: Option<String>,
}

impl From<Scored> for ScoredResponse {
    fn from(s: Scored) -> Self {
        ScoredResponse {
            survey_id: s.survey,
            survey_name: s.survey_name.unwrap_or_default(),
            kind: s.kind,
            score: s.score,
            comment: s.comment,
            account_id: s.account,
            account_name: s.account_name,
            contact_name: s.contact_name,
            contact_email: s.contact_email,
        }
    }
}

#[derive(Deserialize)]
pub(super) struct Row {
    #[serde(deserialize_with = "de::key")]
    id: String,
    #[serde(flatten)]
    scored: Scored,
    #[serde(default)]
    questions: Option<Vec<Question>>,
    #[serde(default)]
    answers: Map<String, Value>,
    channel: String,
    created_at: crate::model::Timestamp,
}

impl From<Row> for ResponseRow {
    fn from(r: Row) -> Self {
        let questions = r.questions.unwrap_or_default();
        let answers = questions
            .iter()
            .filter_map(|q| {
                r.answers
                    .get(&q.id)
                    .and_then(|a| a.as_str())
                    .filter(|a| !a.is_empty())
                    .map(|a| (q.prompt.clone(), a.to_string()))
            })
            .collect();
        ResponseRow {
            id: r.id,
            response: r.scored.into(),
            answers,
            channel: r.channel,
            at: r.created_at,
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct Timing {
    pub status: String,
    pub created_at: crate::model::Timestamp,
    #[serde(default)]
    pub closed_at: Option<crate::model::Timestamp>,
    pub due_at: crate::model::Timestamp,
}

pub(crate) fn timings(rows: &[Timing], now: DateTime<Utc>) -> Vec<m::FollowUpTiming> {
    rows.iter()
        .map(|t| {
            let opened = t.created_at;
            let closed = t.closed_at;
            m::FollowUpTiming {
                hours_to_close: closed
                    .filter(|_| t.status == "closed")
                    .map(|c| (c - opened).num_seconds() as f64 / 3600.0),
                overdue: t.status == "open" && t.due_at < now,
            }
        })
        .collect()
}

/// Every response to a survey as CSV, newest first. Comments and free-text answers come from
/// customers (anonymous links are public), so the file is written through
/// [`SafeCsv`](crate::csv_export::SafeCsv): no cell can run as a spreadsheet formula.
pub async fn export_csv(db: &Db, survey: &Survey) -> Result<String, AppError> {
    let rows: Vec<Row> = query_all(
        db,
        &format!(
            "SELECT {ROW_FIELDS} FROM survey_response WHERE survey = type::record('survey', $s)
                ORDER BY created_at DESC"
        ),
        json!({ "s": survey.id }),
    )
    .await?;
    let mut w = crate::csv_export::SafeCsv::new();
    let mut header = vec![
        "responded_at".to_string(),
        "survey".into(),
        "kind".into(),
        "score".into(),
        "band".into(),
        "comment".into(),
        "account".into(),
        "contact".into(),
        "email".into(),
        "channel".into(),
    ];
    header.extend(survey.questions.iter().map(|q| q.prompt.clone()));
    w.row(&header)?;
    for row in rows {
        let answers = row.answers.clone();
        let row = ResponseRow::from(row);
        let r = &row.response;
        let mut rec = vec![
            row.at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            r.survey_name.clone(),
            r.kind.label().to_string(),
            r.score.to_string(),
            r.kind.band_label(r.kind.band(r.score)).to_string(),
            r.comment.clone().unwrap_or_default(),
            r.account_name.clone().unwrap_or_default(),
            r.contact_name.clone().unwrap_or_default(),
            r.contact_email.clone().unwrap_or_default(),
            row.channel.clone(),
        ];
        rec.extend(
            survey.questions.iter().map(|q| {
                answers.get(&q.id).and_then(|a| a.as_str()).unwrap_or_default().to_string()
            }),
        );
        w.row(&rec)?;
    }
    w.finish()
}
