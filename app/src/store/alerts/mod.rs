//! Alerts: the latch that keeps one live alert per account and rule, the evaluator's writes
//! (open, refresh, wake, clear, release — each guarded inside its transaction, so two nodes
//! evaluating the same account at once cannot open two alerts), people's actions, the playbook
//! tasks, and the reads of the Alerts page, the account page, My work and the REST API.

pub mod facts;
pub mod mail;
mod read;
pub mod rules;
pub mod watch;

pub use read::*;

use crate::error::AppError;
use crate::model::alert::*;
use crate::model::Timestamp;
use crate::store::{de, query_all, transact, Db};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

/// A latch and its alert, as the evaluator reads them.
#[derive(Deserialize)]
struct LatchRow {
    acc: String,
    rule: RuleKind,
    #[serde(deserialize_with = "de::key")]
    alert: String,
    status: AlertStatus,
    snoozed_until: Option<Timestamp>,
    evidence: Evidence,
    last_seen_at: Timestamp,
}

/// The latches of these accounts (all with `None`), by (account, rule).
pub async fn latches(
    db: &Db, accounts: Option<&[String]>,
) -> Result<HashMap<(String, RuleKind), Latch>, AppError> {
    // A long list reads the whole table (one range per account would make a huge query) and
    // keeps the named accounts.
    let keep: Option<std::collections::HashSet<&str>> = match accounts {
        Some(list) if list.len() > 500 => Some(list.iter().map(String::as_str).collect()),
        _ => None,
    };
    let accounts = if keep.is_some() { None } else { accounts };
    let from = match accounts {
        Some([]) => return Ok(HashMap::new()),
        Some(list) => (0..list.len())
            .map(|i| format!("alert_latch:[$k{i}, 'a']..=[$k{i}, 'z']"))
            .collect::<Vec<_>>()
            .join(", "),
        None => "alert_latch".into(),
    };
    let vars: serde_json::Map<String, serde_json::Value> = accounts
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, k)| (format!("k{i}"), json!(k)))
        .collect();
    let mut out = HashMap::new();
    let rows: Vec<LatchRow> = query_all(
        db,
        &format!(
            "SELECT record::id(id)[0] AS acc, record::id(id)[1] AS rule, alert,
                 alert.status AS status, alert.snoozed_until AS snoozed_until,
                 alert.evidence AS evidence, alert.last_seen_at AS last_seen_at
             FROM {from}"
        ),
        serde_json::Value::Object(vars),
    )
    .await?;
    for r in rows {
        if keep.as_ref().is_some_and(|k| !k.contains(r.acc.as_str())) {
            continue;
        }
        out.insert(
            (r.acc, r.rule),
            Latch {
                alert_id: r.alert,
                status: r.status,
                snoozed_until: r.snoozed_until,
                evidence: r.evidence,
                last_seen_at: r.last_seen_at,
            },
        );
    }
    Ok(out)
}

/// One evaluator decision, ready to write.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Decision {
    pub acc: String,
    pub rule: RuleKind,
    /// `open`, `refresh`, `wake`, `clear`, `release`.
    pub op: &'static str,
    /// The alert: a fresh key for `open` (made here, so the caller learns which opens won).
    pub alert: String,
    pub evidence: Option<Evidence>,
    pub summary: Option<String>,
    pub severity: Severity,
    pub scope: String,
    pub version: u32,
    /// The playbook's tasks for a new alert.
    pub tasks: Vec<TaskSeed>,
}

/// A fresh alert key (time-ordered, so newer alerts sort after older ones).
pub fn new_alert_key() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// A playbook step as a new alert's task.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TaskSeed {
    pub position: u32,
    pub title: String,
    pub due: String,
    pub role: crate::model::TeamRole,
    pub touchpoint: Option<crate::model::engagement::TouchpointKind>,
}

/// How many decisions one transaction writes.
const CHUNK: usize = 200;

/// Writes the evaluator's decisions. Each is guarded by what the database holds *inside* the
/// transaction: an alert is opened only if the account and rule have no latch (a concurrent
/// evaluator that opened it first wins, the other's open does nothing), a refresh only touches
/// an open or acknowledged alert, a wake or clear only a snoozed one whose date has passed, and
/// a release only a finished alert's latch. Returns the keys of the alerts opened.
pub async fn apply(db: &Db, decisions: &[Decision]) -> Result<Vec<String>, AppError> {
    for chunk in decisions.chunks(CHUNK) {
        transact(db, APPLY, crate::store::deep_vars(json!({ "ds": chunk }))).await?;
    }
    let tried: Vec<&str> =
        decisions.iter().filter(|d| d.op == "open").map(|d| d.alert.as_str()).collect();
    if tried.is_empty() {
        return Ok(vec![]);
    }
    // An open that lost to a concurrent pass created nothing: only the keys that exist now.
    crate::store::query_value(
        db,
        "RETURN array::filter($keys, |$k| record::exists(type::record('alert', $k)))",
        json!({ "keys": tried }),
    )
    .await
}

const APPLY: &str = "BEGIN;
FOR $d IN $ds {
    LET $latch = type::record('alert_latch', [$d.acc, $d.rule]);
    LET $acc = type::record('account', $d.acc);
    LET $al = $latch.alert;
    IF $d.op = 'open' AND $al = NONE AND record::exists($acc) {
        LET $owner = $acc.owner;
        LET $new = type::record('alert', $d.alert);
        CREATE $new SET account = $acc, rule = $d.rule, scope = $d.scope,
            rule_version = $d.version, severity = $d.severity, status = 'open', owner = $owner,
            evidence = $d.evidence, summary = $d.summary RETURN NONE;
        CREATE $latch SET alert = $new RETURN NONE;
        CREATE alert_event SET alert = $new, account = $acc, kind = 'opened', via = 'rules',
            note = $d.summary RETURN NONE;
        FOR $t IN $d.tasks {
            LET $who = IF $t.role = 'csm' { $owner } ELSE {
                (SELECT VALUE user FROM team_member WHERE account = $acc AND role = $t.role LIMIT 1)[0] ?? $owner
            };
            CREATE alert_task SET alert = $new, account = $acc, title = $t.title,
                position = $t.position, due = $t.due, owner_role = $t.role, owner = $who,
                touchpoint_kind = $t.touchpoint RETURN NONE;
        };
    } ELSE IF $d.op = 'refresh' AND $al != NONE AND $al.status IN ['open', 'acknowledged'] {
        UPDATE $al SET evidence = $d.evidence, summary = $d.summary, last_seen_at = time::now(),
            trips += 1 RETURN NONE;
    } ELSE IF $d.op = 'wake' AND $al != NONE AND $al.status = 'snoozed' AND $al.snoozed_until <= time::now() {
        UPDATE $al SET status = 'open', snoozed_until = NONE, evidence = $d.evidence,
            summary = $d.summary, last_seen_at = time::now(), trips += 1 RETURN NONE;
        CREATE alert_event SET alert = $al, account = $acc, kind = 'woke', via = 'rules',
            note = $d.summary RETURN NONE;
    } ELSE IF $d.op = 'clear' AND $al != NONE AND $al.status = 'snoozed' AND $al.snoozed_until <= time::now() {
        UPDATE $al SET status = 'resolved', snoozed_until = NONE, closed_at = time::now(),
            reason = 'The rule no longer trips (checked when the snooze ended).' RETURN NONE;
        UPDATE $latch SET closed = true RETURN NONE;
        CREATE alert_event SET alert = $al, account = $acc, kind = 'resolved', via = 'rules',
            note = 'The rule no longer trips.' RETURN NONE;
    } ELSE IF $d.op = 'release' AND $al != NONE AND $al.status IN ['resolved', 'dismissed'] {
        DELETE $latch RETURN NONE;
    };
};
COMMIT;";

/// An action by a person (`by`) or an API key (`by` = None, `via` = "api") on one alert.
/// The status check and the write are one transaction. Resolving or dismissing closes the
/// episode (the latch stays until the rule stops tripping).
pub async fn act(
    db: &Db, alert: &str, cmd: &AlertCommand, by: Option<&str>, via: &str,
) -> Result<(), AppError> {
    let (until, reason) = match cmd {
        AlertCommand::Snooze { until, .. } => (Some(until.to_rfc3339()), cmd.reason()),
        _ => (None, cmd.reason()),
    };
    let closes = cmd.status().is_closed();
    transact(
        db,
        "BEGIN;
         LET $al = type::record('alert', $id);
         IF !record::exists($al) { THROW 'bw:not_found:alert' };
         IF $al.status IN ['resolved', 'dismissed'] {
             THROW 'bw:conflict:this alert is already ' + $al.status
         };
         IF $status = 'acknowledged' AND $al.status = 'acknowledged' {
             THROW 'bw:conflict:this alert is already acknowledged'
         };
         UPDATE $al SET status = $status,
             snoozed_until = IF $until = NONE { NONE } ELSE { <datetime>$until },
             reason = IF $reason = NONE { reason } ELSE { $reason },
             closed_at = IF $closes { time::now() } ELSE { NONE } RETURN NONE;
         IF $closes {
             UPDATE type::record('alert_latch', [record::id($al.account), $al.rule]) SET closed = true
                 RETURN NONE;
         };
         CREATE alert_event SET alert = $al, account = $al.account, kind = $kind,
             actor = IF $by = NONE { NONE } ELSE { type::record('user', $by) }, via = $via,
             note = $reason RETURN NONE;
         COMMIT;",
        crate::store::vars(json!({
            "id": alert,
            "status": cmd.status().key(),
            "kind": cmd.event().key(),
            "until": until,
            "reason": reason,
            "closes": closes,
            "by": by,
            "via": via,
        })),
    )
    .await?;
    Ok(())
}

/// Ticks (or unticks) a playbook task; ticking the last open one resolves its alert (if it is
/// still live). Returns whether the alert was resolved by it.
pub async fn set_task_done(db: &Db, task: &str, done: bool, by: &str) -> Result<bool, AppError> {
    let mut r = transact(
        db,
        "BEGIN;
         LET $t = type::record('alert_task', $id);
         IF !record::exists($t) { THROW 'bw:not_found:task' };
         UPDATE $t SET done_at = IF $done { time::now() } ELSE { NONE },
             done_by = IF $done { type::record('user', $by) } ELSE { NONE } RETURN NONE;
         LET $al = $t.alert;
         LET $left = (SELECT VALUE id FROM alert_task WHERE alert = $al AND done_at = NONE);
         LET $resolve = $done AND $left = [] AND $al.status IN ['open', 'acknowledged', 'snoozed'];
         IF $resolve {
             UPDATE $al SET status = 'resolved', closed_at = time::now(), snoozed_until = NONE,
                 reason = 'Every playbook step is done.' RETURN NONE;
             UPDATE type::record('alert_latch', [record::id($al.account), $al.rule]) SET closed = true
                 RETURN NONE;
             CREATE alert_event SET alert = $al, account = $al.account, kind = 'resolved',
                 actor = type::record('user', $by), note = 'Every playbook step is done.' RETURN NONE;
         };
         RETURN $resolve;
         COMMIT;",
        json!({ "id": task, "done": done, "by": by }),
    )
    .await?;
    r.before_commit()
}
