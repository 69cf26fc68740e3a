//! Follow-ups opened by low scores, and closing them.

use super::responses::{timings, Scored, Timing};
use super::{de, query_all, query_many, transact, vars, Db};
use crate::error::AppError;
use crate::metrics::survey as m;
use crate::model::*;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Row {
    #[serde(deserialize_with = "de::key")]
    id: String,
    /// The response that opened it.
    #[serde(flatten)]
    scored: Scored,
    reason: String,
    #[serde(default, deserialize_with = "de::opt_key")]
    assignee: Option<UserId>,
    #[serde(default)]
    assignee_name: Option<String>,
    #[serde(deserialize_with = "de::date")]
    due_at: chrono::NaiveDate,
    status: FollowUpStatus,
    #[serde(default)]
    outcome: Option<String>,
    #[serde(default)]
    closed_by_name: Option<String>,
    created_at: crate::model::Timestamp,
    #[serde(default)]
    closed_at: Option<crate::model::Timestamp>,
}

const FIELDS: &str = "id, survey, survey.name AS survey_name, response.kind AS kind,
    response.score AS score, response.comment AS comment, reason, account,
    account.name AS account_name, contact.name AS contact_name, contact.email AS contact_email,
    assignee, assignee.name AS assignee_name, due_at, status, outcome,
    closed_by.name AS closed_by_name, created_at, closed_at";

impl From<Row> for FollowUp {
    fn from(r: Row) -> Self {
        FollowUp {
            id: r.id,
            response: r.scored.into(),
            reason: r.reason,
            assignee_id: r.assignee,
            assignee_name: r.assignee_name,
            due: r.due_at,
            status: r.status,
            outcome: r.outcome,
            closed_by_name: r.closed_by_name,
            created_at: r.created_at,
            closed_at: r.closed_at,
        }
    }
}

/// Follow-ups with a status, optionally only one person's; open ones by due date first.
pub async fn list(
    db: &Db, status: Option<FollowUpStatus>, assignee: Option<&str>, now: DateTime<Utc>,
) -> Result<FollowUpList, AppError> {
    let mut conds = vec!["true"];
    if status.is_some() {
        conds.push("status = $status");
    }
    if assignee.is_some() {
        conds.push("assignee = type::record('user', $assignee)");
    }
    let cond = conds.join(" AND ");
    let mut r = query_many(
        db,
        &format!(
            "SELECT {FIELDS} FROM follow_up WHERE {cond} ORDER BY status DESC, due_at ASC LIMIT 500;
             SELECT status, created_at, closed_at, due_at FROM follow_up WHERE {cond};"
        ),
        vars(json!({
            "status": status.map(|s| s.key()),
            "assignee": assignee,
        })),
    )
    .await?;
    let rows: Vec<Row> = r.take(0)?;
    let all: Vec<Timing> = r.take(1)?;
    Ok(FollowUpList {
        items: rows.into_iter().map(FollowUp::from).collect(),
        stats: m::loop_stats(&timings(&all, now)),
    })
}

/// Records what the CSM did and closes the follow-up. Closing twice is refused, so an outcome
/// is never overwritten by a second click: the update only touches an open follow-up.
pub async fn close(db: &Db, id: &str, outcome: &str, by: &str) -> Result<FollowUp, AppError> {
    let mut r = transact(
        db,
        &format!(
            "BEGIN;
             LET $f = type::record('follow_up', $id);
             IF !record::exists($f) {{ THROW 'bw:not_found:follow-up' }};
             IF $f.status != 'open' {{ THROW 'bw:field:outcome:this follow-up is already closed' }};
             UPDATE $f SET status = 'closed', outcome = $outcome, closed_by = type::record('user', $by),
                closed_at = time::now();
             SELECT {FIELDS} FROM ONLY $f;
             COMMIT;"
        ),
        vars(json!({ "id": id, "outcome": outcome, "by": by })),
    )
    .await?;
    Ok(r.before_commit::<Row>()?.into())
}

/// An account's follow-ups as timeline entries: one when each opened, one when it closed.
pub async fn for_account(
    db: &Db, account: &str,
) -> Result<Vec<crate::model::engagement::TimelineItem>, AppError> {
    use crate::model::engagement::TimelineItem;
    let rows: Vec<Row> = query_all(
        db,
        &format!(
            "SELECT {FIELDS} FROM follow_up WHERE account = type::record('account', $a)
             ORDER BY created_at DESC LIMIT 50"
        ),
        json!({ "a": account }),
    )
    .await?;
    let mut out = Vec::new();
    for f in rows.into_iter().map(FollowUp::from) {
        let answer = &f.response;
        let who = answer.contact_name.clone().unwrap_or_else(|| "a contact".into());
        out.push(TimelineItem {
            kind: crate::model::engagement::TimelineKind::FollowUp,
            at: f.created_at,
            title: format!("Follow-up opened: {} {} from {who}", answer.kind.label(), answer.score),
            detail: f.reason.clone(),
            actor: f.assignee_name.clone().unwrap_or_default(),
            link: Some("/follow-ups".into()),
        });
        if let Some(closed) = f.closed_at {
            out.push(TimelineItem {
                kind: crate::model::engagement::TimelineKind::FollowUp,
                at: closed,
                title: "Follow-up closed".into(),
                detail: f.outcome.clone().unwrap_or_default(),
                actor: f.closed_by_name.clone().unwrap_or_default(),
                link: Some("/follow-ups".into()),
            });
        }
    }
    Ok(out)
}
