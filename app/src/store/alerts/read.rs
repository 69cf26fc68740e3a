//! Reading alerts: lists with filters and cursors, one alert with its steps and history, a
//! person's open count and playbook tasks, an account's alert history.

use crate::error::AppError;
use crate::model::alert::*;
use crate::model::engagement::TouchpointKind;
use crate::model::{AccountId, TeamRole, Timestamp, UserId};
use crate::store::{de, query_all, query_many, query_value, Db};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct AlertRow {
    #[serde(deserialize_with = "de::key")]
    id: String,
    #[serde(deserialize_with = "de::key")]
    account: AccountId,
    account_name: Option<String>,
    rule: RuleKind,
    scope_name: Option<String>,
    rule_version: u32,
    severity: Severity,
    status: AlertStatus,
    #[serde(default, deserialize_with = "de::opt_key")]
    owner: Option<UserId>,
    owner_name: Option<String>,
    evidence: Evidence,
    summary: String,
    opened_at: Timestamp,
    last_seen_at: Timestamp,
    trips: u32,
    snoozed_until: Option<Timestamp>,
    reason: Option<String>,
    closed_at: Option<Timestamp>,
    steps: Option<u32>,
    steps_done: Option<u32>,
}

impl From<AlertRow> for Alert {
    fn from(r: AlertRow) -> Self {
        Alert {
            id: r.id,
            account_id: r.account,
            account_name: r.account_name.unwrap_or_default(),
            rule: r.rule,
            rule_scope: r.scope_name.unwrap_or_else(|| "Default".into()),
            rule_version: r.rule_version,
            severity: r.severity,
            status: r.status,
            owner_id: r.owner,
            owner: r.owner_name,
            evidence: r.evidence,
            summary: r.summary,
            opened_at: r.opened_at,
            last_seen_at: r.last_seen_at,
            trips: r.trips,
            snoozed_until: r.snoozed_until,
            reason: r.reason,
            closed_at: r.closed_at,
            steps: r.steps.unwrap_or(0),
            steps_done: r.steps_done.unwrap_or(0),
        }
    }
}

const ALERT_FIELDS: &str = "id, account, account.name AS account_name, rule,
    IF scope = 'default' { 'Default' } ELSE { type::record('segment', scope).name ?? 'A deleted segment' } AS scope_name,
    rule_version, severity, status, owner, owner.name AS owner_name, evidence, summary,
    opened_at, last_seen_at, trips, snoozed_until, reason, closed_at,
    count(SELECT id FROM alert_task WHERE alert = $parent.id) AS steps,
    count(SELECT id FROM alert_task WHERE alert = $parent.id AND done_at != NONE) AS steps_done";

/// A page of alerts matching `f`, newest first; `segment_accounts` are the accounts of
/// `f.segment` (resolved by the caller).
pub async fn list(
    db: &Db, f: &AlertFilter, segment_accounts: Option<&[String]>,
) -> Result<AlertPage, AppError> {
    let mut cond = vec!["true".to_string()];
    if f.account_id.is_some() {
        cond.push("account = type::record('account', $account)".into());
    }
    if !f.rules.is_empty() {
        cond.push("rule IN $rules".into());
    }
    if !f.statuses.is_empty() {
        cond.push("status IN $statuses".into());
    }
    if !f.severities.is_empty() {
        cond.push("severity IN $severities".into());
    }
    if f.owner.is_some() {
        cond.push("owner = type::record('user', $owner)".into());
    }
    if segment_accounts.is_some() {
        cond.push("account IN $accs".into());
    }
    if f.cursor.is_some() {
        cond.push("id < type::record('alert', $cursor)".into());
    }
    let size = f.page_size();
    let mut r = query_many(
        db,
        &format!(
            "LET $accs = array::map($keys, |$k| type::record('account', $k));
             SELECT {ALERT_FIELDS} FROM alert WHERE {} ORDER BY id DESC LIMIT $limit;",
            cond.join(" AND ")
        ),
        crate::store::vars(json!({
            "account": f.account_id,
            "rules": f.rules,
            "statuses": f.statuses,
            "severities": f.severities,
            "owner": f.owner,
            "keys": segment_accounts.unwrap_or_default(),
            "cursor": f.cursor,
            "limit": size + 1,
        })),
    )
    .await?;
    let rows: Vec<AlertRow> = r.take(1)?;
    let mut alerts: Vec<Alert> = rows.into_iter().map(Alert::from).collect();
    let next_cursor = if alerts.len() > size {
        alerts.truncate(size);
        alerts.last().map(|a| a.id.clone())
    } else {
        None
    };
    Ok(AlertPage { alerts, next_cursor })
}

/// One alert (404 when there is none).
pub async fn get(db: &Db, id: &str) -> Result<Alert, AppError> {
    let rows: Vec<AlertRow> = query_all(
        db,
        &format!("SELECT {ALERT_FIELDS} FROM type::record('alert', $id) WHERE record::exists(id)"),
        json!({ "id": id }),
    )
    .await?;
    rows.into_iter().next().map(Alert::from).ok_or_else(|| AppError::NotFound("alert".into()))
}

#[derive(Deserialize)]
struct TaskRow {
    #[serde(deserialize_with = "de::key")]
    id: String,
    #[serde(deserialize_with = "de::key")]
    alert: String,
    #[serde(deserialize_with = "de::key")]
    account: AccountId,
    account_name: Option<String>,
    rule: RuleKind,
    title: String,
    due: chrono::NaiveDate,
    owner_role: TeamRole,
    owner_name: Option<String>,
    touchpoint_kind: Option<TouchpointKind>,
    done: bool,
}

impl From<TaskRow> for AlertTask {
    fn from(t: TaskRow) -> Self {
        AlertTask {
            id: t.id,
            alert_id: t.alert,
            account_id: t.account,
            account_name: t.account_name.unwrap_or_default(),
            rule: t.rule,
            title: t.title,
            due: t.due,
            owner_role: t.owner_role,
            owner: t.owner_name,
            touchpoint_kind: t.touchpoint_kind,
            done: t.done,
        }
    }
}

const TASK_FIELDS: &str = "id, alert, account, account.name AS account_name, alert.rule AS rule,
    title, due, owner_role, owner.name AS owner_name, touchpoint_kind, (done_at != NONE) AS done";

#[derive(Deserialize)]
struct EventRow {
    #[serde(deserialize_with = "de::key")]
    alert: String,
    rule: RuleKind,
    kind: AlertEventKind,
    actor_name: Option<String>,
    via: Option<String>,
    note: Option<String>,
    at: Timestamp,
}

impl From<EventRow> for AlertHistoryItem {
    fn from(e: EventRow) -> Self {
        let actor = e.actor_name.or_else(|| match e.via.as_deref() {
            Some("api") => Some("API".into()),
            Some("rules") => Some("Early-warning rules".into()),
            _ => None,
        });
        AlertHistoryItem {
            alert_id: e.alert,
            rule: e.rule,
            kind: e.kind,
            actor,
            note: e.note,
            at: e.at,
        }
    }
}

const EVENT_FIELDS: &str =
    "alert, alert.rule AS rule, kind, actor.name AS actor_name, via, note, at";

/// An alert's playbook tasks (in order) and its history (oldest first).
pub async fn steps_and_history(
    db: &Db, id: &str,
) -> Result<(Vec<AlertTask>, Vec<AlertHistoryItem>), AppError> {
    let mut r = query_many(
        db,
        &format!(
            "LET $al = type::record('alert', $id);
             SELECT {TASK_FIELDS}, position FROM alert_task WHERE alert = $al ORDER BY position;
             SELECT {EVENT_FIELDS} FROM alert_event WHERE alert = $al ORDER BY at;"
        ),
        json!({ "id": id }),
    )
    .await?;
    let tasks: Vec<TaskRow> = r.take(1)?;
    let events: Vec<EventRow> = r.take(2)?;
    Ok((tasks.into_iter().map(Into::into).collect(), events.into_iter().map(Into::into).collect()))
}

/// The open playbook tasks of a person's live alerts, soonest first (My work).
pub async fn tasks_for(db: &Db, user: &str) -> Result<Vec<AlertTask>, AppError> {
    let rows: Vec<TaskRow> = query_all(
        db,
        &format!(
            "SELECT {TASK_FIELDS} FROM alert_task
             WHERE owner = type::record('user', $me) AND done_at = NONE
                 AND alert.status IN ['open', 'acknowledged', 'snoozed']
             ORDER BY due"
        ),
        json!({ "me": user }),
    )
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// How many open (not yet acknowledged) alerts a person owns: the header's count.
pub async fn open_count(db: &Db, user: &str) -> Result<u32, AppError> {
    let n: Option<u32> = query_value(
        db,
        "RETURN count(SELECT id FROM alert WHERE owner = type::record('user', $me) AND status = 'open')",
        json!({ "me": user }),
    )
    .await?;
    Ok(n.unwrap_or(0))
}

/// An account's alert history, newest first (the timeline).
pub async fn events_for_account(
    db: &Db, account: &str, limit: usize,
) -> Result<Vec<AlertHistoryItem>, AppError> {
    let rows: Vec<EventRow> = query_all(
        db,
        &format!(
            "SELECT {EVENT_FIELDS} FROM alert_event WHERE account = type::record('account', $acc)
             ORDER BY at DESC LIMIT $limit"
        ),
        json!({ "acc": account, "limit": limit }),
    )
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// The account a playbook task belongs to (permission checks), 404 when there is none.
pub async fn task_account(db: &Db, task: &str) -> Result<String, AppError> {
    let acc: Option<String> = query_value(
        db,
        "RETURN record::id(type::record('alert_task', $id).account)",
        json!({ "id": task }),
    )
    .await?;
    acc.ok_or_else(|| AppError::NotFound("task".into()))
}
