//! Escalations as stored: one row each, with the versions it was opened under, the path it
//! keeps, and its event log as an append-only array (a clock needs nothing else). Appends are
//! compare-and-set on the log's length, so two people (or two nodes' timers) recording at once
//! cannot interleave events out of order; the loser re-reads and checks again.

pub mod incidents;
pub mod sla;

use crate::error::AppError;
use crate::model::escalation::*;
use crate::model::{AccountId, ContactId, EscalationId, Timestamp, UserId};
use crate::store::{de, query_all, query_one, query_value, transact, Db};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A breach as recorded at the moment it happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Breach {
    pub clock: ClockKind,
    pub at: Timestamp,
    pub cycle: u32,
}

/// The follow-up resolving scheduled, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredFollowUp {
    pub due: chrono::NaiveDate,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub done_at: Option<Timestamp>,
    #[serde(default)]
    pub survey_sent: bool,
}

/// One escalation row with the names pages need.
#[derive(Debug, Clone, Deserialize)]
pub struct StoredEscalation {
    #[serde(deserialize_with = "de::key")]
    pub id: EscalationId,
    #[serde(deserialize_with = "de::key")]
    pub account: AccountId,
    #[serde(default)]
    pub account_name: String,
    #[serde(default, deserialize_with = "de::opt_key")]
    pub owner: Option<UserId>,
    #[serde(default)]
    pub owner_name: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub type_label: String,
    pub severity: EscalationSeverity,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default, deserialize_with = "de::opt_key")]
    pub raised_by: Option<ContactId>,
    #[serde(default)]
    pub raised_by_name: Option<String>,
    pub opened_at: Timestamp,
    #[serde(deserialize_with = "de::key")]
    pub policy: String,
    pub policy_version: u32,
    #[serde(default)]
    pub policy_name: Option<String>,
    #[serde(deserialize_with = "de::key")]
    pub calendar: String,
    pub calendar_version: u32,
    #[serde(default)]
    pub calendar_name: Option<String>,
    pub levels: Vec<PathLevel>,
    #[serde(default)]
    pub events: Vec<EscalationEvent>,
    pub status: EscalationStatus,
    pub level: u32,
    #[serde(default)]
    pub fired: Vec<String>,
    #[serde(default)]
    pub breaches: Vec<Breach>,
    #[serde(default)]
    pub resolved_at: Option<Timestamp>,
    #[serde(default)]
    pub root_cause: Option<RootCause>,
    #[serde(default)]
    pub resolution: Option<String>,
    #[serde(default)]
    pub follow_up: Option<StoredFollowUp>,
}

const FIELDS: &str = "id, account, account.name AS account_name, account.owner AS owner,
    account.owner.name AS owner_name, type, type_label, severity, title, description, raised_by,
    raised_by.name AS raised_by_name, opened_at, policy, policy_version,
    policy.name AS policy_name, calendar, calendar_version, calendar.name AS calendar_name,
    levels, events, status, level, fired, breaches, resolved_at, root_cause, resolution,
    follow_up";

/// What a new escalation row holds.
#[derive(Debug, Clone, Serialize)]
pub struct NewEscalation {
    pub key: String,
    pub account: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub type_label: String,
    pub severity: EscalationSeverity,
    pub title: String,
    pub description: String,
    pub raised_by: Option<String>,
    pub opened_at: Timestamp,
    pub policy: String,
    pub policy_version: u32,
    pub calendar: String,
    pub calendar_version: u32,
    pub levels: Vec<PathLevel>,
    pub created_by: Option<String>,
    pub via: &'static str,
}

/// Writes a new escalation; the contact (if named) must belong to the account.
pub async fn create(db: &Db, e: &NewEscalation) -> Result<(), AppError> {
    transact(
        db,
        "BEGIN;
         LET $a = type::record('account', $e.account);
         IF !record::exists($a) { THROW 'bw:field:account_id:no account has this id' };
         LET $c = IF $e.raised_by = NONE { NONE } ELSE { type::record('contact', $e.raised_by) };
         IF $c != NONE AND (SELECT VALUE account FROM ONLY $c) != $a {
             THROW 'bw:field:raised_by:is not a contact of this account'
         };
         CREATE type::record('escalation', $e.key) CONTENT {
             account: $a, type: $e.type, type_label: $e.type_label, severity: $e.severity,
             title: $e.title, description: $e.description, raised_by: $c,
             opened_at: <datetime>$e.opened_at,
             policy: type::record('sla_policy', $e.policy), policy_version: $e.policy_version,
             calendar: type::record('calendar', $e.calendar),
             calendar_version: $e.calendar_version, levels: $e.levels, events: [],
             status: 'open', level: 1,
             created_by: IF $e.created_by = NONE { NONE } ELSE { type::record('user', $e.created_by) },
             via: $e.via
         } RETURN NONE;
         COMMIT;",
        json!({ "e": strip_nulls(json!(e)) }),
    )
    .await
    .map(|_| ())
}

/// Nested JSON nulls become NONE (SurrealDB 3 refuses null where `option<…>` is declared).
pub(crate) fn strip_nulls(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => serde_json::Value::Object(
            m.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, strip_nulls(v))).collect(),
        ),
        serde_json::Value::Array(a) => {
            serde_json::Value::Array(a.into_iter().map(strip_nulls).collect())
        }
        other => other,
    }
}

/// What an appended event changes on the row besides the log.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Derived {
    pub status: Option<EscalationStatus>,
    pub level: u32,
    pub resolved_at: Option<Timestamp>,
    pub root_cause: Option<RootCause>,
    pub resolution: Option<String>,
    pub first_response_minutes: Option<i64>,
    pub resolution_minutes: Option<i64>,
    pub follow_up: Option<StoredFollowUp>,
    /// A marker to add to `fired` in the same write (an automatic move up).
    pub fire: Option<String>,
}

/// Appends `event` if the log still has `expected_len` events (and, with `fire`, only if that
/// marker was not acted on yet). `Ok(false)`: someone else wrote first — re-read and decide again.
pub async fn append_event(
    db: &Db, id: &str, expected_len: usize, event: &EscalationEvent, d: &Derived,
) -> Result<bool, AppError> {
    let mut r = transact(
        db,
        "BEGIN;
         LET $e = type::record('escalation', $id);
         IF !record::exists($e) { THROW 'bw:not_found:escalation' };
         LET $row = SELECT events, fired FROM ONLY $e;
         LET $ok = array::len($row.events) = $len AND ($d.fire = NONE OR $d.fire NOT IN $row.fired);
         IF $ok {
             UPDATE $e SET events += $event, status = $d.status, level = $d.level,
                 resolved_at = <option<datetime>>$d.resolved_at, root_cause = $d.root_cause,
                 resolution = $d.resolution, first_response_minutes = $d.first_response_minutes,
                 resolution_minutes = $d.resolution_minutes, follow_up = $d.follow_up,
                 fired = IF $d.fire = NONE { fired } ELSE { array::union(fired, [$d.fire]) },
                 updated_at = time::now()
             RETURN NONE;
         };
         RETURN $ok;
         COMMIT;",
        json!({ "id": id, "len": expected_len, "event": strip_nulls(json!(event)), "d": strip_nulls(json!(d)) }),
    )
    .await?;
    r.before_commit()
}

/// Mail for the person responsible, written with the moment it announces.
#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    pub user: Option<String>,
    pub kind: &'static str,
    pub subject: String,
    pub body: String,
}

/// Records that a warning or breach marker was acted on; `true` for the one caller that got
/// there first (every node's timer may try), with the breach and the notice written alongside.
pub async fn fire(
    db: &Db, id: &str, marker: &str, breach: Option<&Breach>, notice: Option<&Notice>,
) -> Result<bool, AppError> {
    let mut r = transact(
        db,
        "BEGIN;
         LET $e = type::record('escalation', $id);
         LET $ok = record::exists($e) AND $marker NOT IN (SELECT VALUE fired FROM ONLY $e);
         IF $ok {
             UPDATE $e SET fired += $marker,
                 breaches = IF $breach = NONE { breaches } ELSE { array::append(breaches, $breach) }
             RETURN NONE;
             IF $notice != NONE {
                 CREATE escalation_notice CONTENT { escalation: $e,
                     user: IF $notice.user = NONE { NONE } ELSE { type::record('user', $notice.user) },
                     kind: $notice.kind, subject: $notice.subject, body: $notice.body } RETURN NONE;
             };
         };
         RETURN $ok;
         COMMIT;",
        strip_nulls(json!({ "id": id, "marker": marker, "breach": breach, "notice": notice })),
    )
    .await?;
    r.before_commit()
}

/// Queues a notice on its own (a move up a level, recorded by `append_event` first).
pub async fn notify(db: &Db, id: &str, notice: &Notice) -> Result<(), AppError> {
    crate::store::execute(
        db,
        "CREATE escalation_notice CONTENT { escalation: type::record('escalation', $id),
             user: IF $n.user = NONE { NONE } ELSE { type::record('user', $n.user) },
             kind: $n.kind, subject: $n.subject, body: $n.body } RETURN NONE",
        json!({ "id": id, "n": strip_nulls(json!(notice)) }),
    )
    .await
}

/// A notice to mail, with its recipient.
#[derive(Debug, Clone, Deserialize)]
pub struct PendingNotice {
    #[serde(deserialize_with = "de::key")]
    pub id: String,
    #[serde(deserialize_with = "de::key")]
    pub escalation: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub subject: String,
    pub body: String,
}

/// Claims up to `limit` unsent notices (each once across nodes: stamped in the same
/// transaction that reads them).
pub async fn claim_notices(db: &Db, limit: usize) -> Result<Vec<PendingNotice>, AppError> {
    let mut r = transact(
        db,
        "BEGIN;
         LET $ids = (SELECT VALUE id FROM escalation_notice WHERE sent_at = NONE LIMIT $limit);
         LET $rows = (SELECT id, escalation, user.email AS email, user.name AS name, subject, body
             FROM $ids WHERE user.active != false);
         UPDATE $ids SET sent_at = time::now() RETURN NONE;
         RETURN $rows;
         COMMIT;",
        json!({ "limit": limit }),
    )
    .await?;
    r.before_commit()
}

/// Marks the follow-up done.
pub async fn follow_up_done(db: &Db, id: &str, at: Timestamp) -> Result<bool, AppError> {
    let n: Option<u32> = query_value(
        db,
        "UPDATE type::record('escalation', $id) SET follow_up.done_at = <datetime>$at
         WHERE follow_up != NONE AND follow_up.done_at = NONE RETURN VALUE 1",
        json!({ "id": id, "at": at }),
    )
    .await
    .map(|v: Vec<u32>| v.first().copied())?;
    Ok(n.is_some())
}

/// Notes that the CSAT survey went out for the follow-up.
pub async fn survey_sent(db: &Db, id: &str) -> Result<(), AppError> {
    crate::store::execute(
        db,
        "UPDATE type::record('escalation', $id) SET follow_up.survey_sent = true RETURN NONE",
        json!({ "id": id }),
    )
    .await
}

pub async fn get(db: &Db, id: &str) -> Result<Option<StoredEscalation>, AppError> {
    query_one(
        db,
        &format!("SELECT {FIELDS} FROM type::record('escalation', $id)"),
        json!({ "id": id }),
    )
    .await
    .or(Ok(None))
}

/// Escalations newest first: open ones (open + waiting), resolved ones, or all; one account's,
/// or those of accounts owned by `owner`; before `cursor` (an opening time).
pub async fn list(
    db: &Db, state: Option<&str>, account: Option<&str>, owner: Option<&str>,
    severity: Option<EscalationSeverity>, before: Option<Timestamp>, limit: u32,
) -> Result<Vec<StoredEscalation>, AppError> {
    let mut conds = vec!["true".to_string()];
    match state {
        Some("open") => conds.push("status IN ['open', 'waiting']".into()),
        Some("resolved") => conds.push("status = 'resolved'".into()),
        _ => {}
    }
    if account.is_some() {
        conds.push("account = type::record('account', $account)".into());
    }
    if owner.is_some() {
        conds.push("account.owner = type::record('user', $owner)".into());
    }
    if severity.is_some() {
        conds.push("severity = $severity".into());
    }
    if before.is_some() {
        conds.push("opened_at < <datetime>$before".into());
    }
    query_all(
        db,
        &format!(
            "SELECT {FIELDS} FROM escalation WHERE {} ORDER BY opened_at DESC LIMIT $limit",
            conds.join(" AND ")
        ),
        json!({ "account": account, "owner": owner, "severity": severity, "before": before, "limit": limit }),
    )
    .await
}

/// Every open or waiting escalation (the timer's recovery after a restart).
pub async fn all_open(db: &Db) -> Result<Vec<StoredEscalation>, AppError> {
    query_all(
        db,
        &format!("SELECT {FIELDS} FROM escalation WHERE status IN ['open', 'waiting']"),
        json!({}),
    )
    .await
}

/// Resolved escalations whose follow-up is open, due by `until` and `user`'s (My work): the
/// account owner's, or on an account nobody owns, the person's who resolved it.
pub async fn follow_ups_due(
    db: &Db, user: &str, until: chrono::NaiveDate,
) -> Result<Vec<StoredEscalation>, AppError> {
    query_all(
        db,
        &format!(
            "SELECT {FIELDS} FROM escalation WHERE status = 'resolved' AND follow_up != NONE
             AND follow_up.done_at = NONE AND follow_up.due <= $until
             AND (account.owner = type::record('user', $user)
                  OR (account.owner = NONE AND follow_up.owner = $user))
             ORDER BY follow_up.due"
        ),
        json!({ "user": user, "until": until.to_string() }),
    )
    .await
}

/// Escalations opened in [from, to) (the compliance report).
pub async fn opened_between(
    db: &Db, from: Timestamp, to: Timestamp,
) -> Result<Vec<StoredEscalation>, AppError> {
    query_all(
        db,
        &format!(
            "SELECT {FIELDS} FROM escalation WHERE opened_at >= <datetime>$from
             AND opened_at < <datetime>$to ORDER BY opened_at"
        ),
        json!({ "from": from, "to": to }),
    )
    .await
}

/// Per account: open escalations and those opened since `since`, with their severities —
/// the health model's "support escalations" input and the surveys' hold-back.
#[derive(Debug, Clone, Deserialize)]
pub struct EscalationFact {
    #[serde(deserialize_with = "de::key")]
    pub account: String,
    #[serde(deserialize_with = "de::key")]
    pub id: String,
    pub title: String,
    pub severity: EscalationSeverity,
    pub status: EscalationStatus,
    pub opened_at: Timestamp,
    #[serde(default)]
    pub breaches: Vec<Breach>,
}

pub async fn facts(
    db: &Db, accounts: Option<&[String]>, since: Timestamp,
) -> Result<Vec<EscalationFact>, AppError> {
    const FIELDS: &str = "account, id, title, severity, status, opened_at, breaches";
    match accounts {
        // A few accounts (the streaming path, a breach): one index look-up each, never a scan
        // of every open escalation.
        Some(list) if list.len() <= 200 => {
            if list.is_empty() {
                return Ok(vec![]);
            }
            let sql: Vec<String> = (0..list.len())
                .map(|i| {
                    format!(
                        "SELECT {FIELDS} FROM escalation WHERE account = type::record('account', $k{i})
                         AND (status IN ['open', 'waiting'] OR opened_at >= <datetime>$since);"
                    )
                })
                .collect();
            let mut vars = serde_json::Map::new();
            vars.insert("since".into(), json!(since));
            for (i, k) in list.iter().enumerate() {
                vars.insert(format!("k{i}"), json!(k));
            }
            let mut r =
                crate::store::query_many(db, &sql.join("\n"), serde_json::Value::Object(vars))
                    .await?;
            let mut out = Vec::new();
            for i in 0..list.len() {
                out.extend(r.take::<Vec<EscalationFact>>(i)?);
            }
            Ok(out)
        }
        _ => {
            let keep: Option<std::collections::HashSet<&str>> =
                accounts.map(|l| l.iter().map(String::as_str).collect());
            let rows: Vec<EscalationFact> = query_all(
                db,
                &format!(
                    "SELECT {FIELDS} FROM escalation
                     WHERE status IN ['open', 'waiting'] OR opened_at >= <datetime>$since"
                ),
                json!({ "since": since }),
            )
            .await?;
            Ok(rows
                .into_iter()
                .filter(|r| keep.as_ref().is_none_or(|k| k.contains(r.account.as_str())))
                .collect())
        }
    }
}

/// A seat on an account's team, for finding who is responsible at a path level.
#[derive(Debug, Clone, Deserialize)]
pub struct TeamSeat {
    #[serde(deserialize_with = "de::key")]
    pub account: String,
    #[serde(deserialize_with = "de::key")]
    pub user: UserId,
    pub user_name: String,
    pub role: crate::model::TeamRole,
}

/// The team seats of these accounts.
pub async fn seats(db: &Db, accounts: &[String]) -> Result<Vec<TeamSeat>, AppError> {
    if accounts.is_empty() {
        return Ok(vec![]);
    }
    // One look-up per account on the (account, user, role) index.
    let sql: Vec<String> = (0..accounts.len())
        .map(|i| {
            format!(
                "SELECT account, user, user.name AS user_name, role FROM team_member
                 WHERE account = type::record('account', $k{i}) AND user.active != false;"
            )
        })
        .collect();
    let vars: serde_json::Map<String, serde_json::Value> =
        accounts.iter().enumerate().map(|(i, k)| (format!("k{i}"), json!(k))).collect();
    let mut r =
        crate::store::query_many(db, &sql.join("\n"), serde_json::Value::Object(vars)).await?;
    let mut out = Vec::new();
    for i in 0..accounts.len() {
        out.extend(r.take::<Vec<TeamSeat>>(i)?);
    }
    Ok(out)
}

/// The names of these users (named people on paths).
pub async fn user_names(
    db: &Db, ids: &[String],
) -> Result<std::collections::HashMap<String, String>, AppError> {
    #[derive(Deserialize)]
    struct Row {
        #[serde(deserialize_with = "de::key")]
        id: String,
        name: String,
    }
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let mut r = crate::store::query_many(
        db,
        "LET $ids = array::map($keys, |$k| type::record('user', $k));
         SELECT id, name FROM user WHERE id IN $ids",
        json!({ "keys": ids }),
    )
    .await?;
    let rows: Vec<Row> = r.take(1)?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}

/// The title of an open (or waiting) escalation per account, for those that have one.
pub async fn open_titles(
    db: &Db, accounts: &[String],
) -> Result<std::collections::HashMap<String, String>, AppError> {
    #[derive(Deserialize)]
    struct Row {
        #[serde(deserialize_with = "de::key")]
        account: String,
        title: String,
        severity: EscalationSeverity,
    }
    if accounts.is_empty() {
        return Ok(Default::default());
    }
    // Open escalations are few next to a survey's audience: read them all, keep the accounts'.
    let rows: Vec<Row> = query_all(
        db,
        "SELECT account, title, severity FROM escalation
         WHERE status IN ['open', 'waiting'] ORDER BY opened_at DESC",
        json!({}),
    )
    .await?;
    let wanted: std::collections::HashSet<&str> = accounts.iter().map(String::as_str).collect();
    Ok(rows
        .into_iter()
        .filter(|r| wanted.contains(r.account.as_str()))
        .map(|r| (r.account, format!("“{}” ({})", r.title, r.severity.key())))
        .collect())
}

/// The weight of an escalation in the health model's "support escalations" measure.
pub fn severity_weight(s: EscalationSeverity) -> f64 {
    match s {
        EscalationSeverity::P1 => 2.0,
        EscalationSeverity::P2 => 1.5,
        EscalationSeverity::P3 => 1.0,
        EscalationSeverity::P4 => 0.5,
    }
}

/// Per account, the severity-weighted count of escalations open on `day` or opened in the 90
/// days before it; `None` when no escalation was ever recorded (the measure is then missing,
/// not a perfect zero).
pub async fn weighted(
    db: &Db, accounts: Option<&[String]>, day: chrono::NaiveDate,
) -> Result<Option<std::collections::HashMap<String, f64>>, AppError> {
    let any: Option<serde_json::Value> =
        query_one(db, "SELECT VALUE id FROM escalation LIMIT 1", json!({})).await?;
    if any.is_none() {
        return Ok(None);
    }
    let since = chrono::TimeZone::from_utc_datetime(
        &Utc,
        &(day - chrono::Duration::days(90)).and_hms_opt(0, 0, 0).expect("midnight"),
    );
    let mut out = std::collections::HashMap::new();
    for f in facts(db, accounts, since).await? {
        *out.entry(f.account).or_insert(0.0) += severity_weight(f.severity);
    }
    Ok(Some(out))
}
