//! Success plans: the plan, its objectives, milestones and tasks, and its activity. Every change
//! that a person makes writes the change and its activity entry in one transaction
//! ([`change`]); the entry is stored as its kind and data, and put into words by the model
//! ([`PlanEvent::describe`](crate::model::plan::PlanEvent::describe)).
//!
//! One file per sub-aggregate: [`read`] (whole plans), [`create`], [`milestones`], [`tasks`],
//! [`objectives`], [`activity`], [`owners`] (who a task can go to) and [`reports`] (time to
//! value, milestone slippage).

mod activity;
mod create;
mod milestones;
mod objectives;
mod owners;
mod read;
mod reports;
mod tasks;

pub use activity::{account_events, comment, events};
pub use create::create;
pub use milestones::{
    add_milestone, complete_as_of, complete_milestone, delete_milestone, update_milestone,
};
pub use objectives::{add_objective, customer_set_objective, delete_objective, update_objective};
pub use owners::{owner_choices, resolve_owner};
pub use read::{for_accounts, get};
pub use reports::{first_value, overdue_milestones, statuses};
pub use tasks::{add_task, delete_task, reorder_tasks, set_task_status, update_task};

/// Domain types callers reach through this path; they live in the model.
pub use crate::model::plan::{AccountEvent, Actor, PlanOwner, PlanPart};

use crate::error::AppError;
use crate::model::plan::{EventData, PlanEventKind};
use crate::model::{AccountId, PlanId};
use crate::store::{de, deep_vars, new_key, query_all, query_one, transact, Db};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

/// Which plan (and account) a part belongs to; `None` if it does not exist.
pub async fn owner_of(db: &Db, part: PlanPart, id: &str) -> Result<Option<PlanOwner>, AppError> {
    #[derive(Deserialize)]
    struct Row {
        #[serde(deserialize_with = "de::key")]
        plan: PlanId,
        #[serde(deserialize_with = "de::key")]
        account: AccountId,
        #[serde(deserialize_with = "de::date")]
        start: NaiveDate,
    }
    // The plan itself, a part that carries its account, or an objective (whose account is its
    // plan's).
    let fields = match part {
        PlanPart::Plan => "id AS plan, account, start",
        PlanPart::Milestone | PlanPart::Task => "plan, account, plan.start AS start",
        PlanPart::Objective => "plan, plan.account AS account, plan.start AS start",
    };
    let sql = format!(
        "SELECT {fields} FROM type::record($table, $id) WHERE record::exists(type::record($table, $id))"
    );
    let vars = json!({ "table": part.table(), "id": id });
    let row: Option<Row> = query_one(db, &sql, vars).await?;
    Ok(row.map(|r| PlanOwner { plan: r.plan, account: r.account, start: r.start }))
}

/// The title of a milestone or task, or an objective's metric: what its activity entry names.
async fn title_of(db: &Db, part: PlanPart, id: &str) -> Result<String, AppError> {
    let field = match part {
        PlanPart::Objective => "metric",
        _ => "title",
    };
    let sql = format!("SELECT VALUE {field} FROM type::record($table, $id)");
    let titles: Vec<String> =
        query_all(db, &sql, json!({ "table": part.table(), "id": id })).await?;
    (titles.into_iter().next()).ok_or_else(|| AppError::NotFound(part.table().into()))
}

/// `WHERE {field} IN $accs` when `accounts` names some (the query binds `$accs` from `$keys`),
/// or nothing when it is `None` (every account).
fn in_accounts(accounts: Option<&[String]>, field: &str) -> String {
    match accounts {
        Some(_) => format!("WHERE {field} IN $accs"),
        None => String::new(),
    }
}

/// The SurrealQL that records one activity entry; needs `$p` (the plan record), `$acc`,
/// `$ev_kind`, `$ev_data`, `$actor` and `$by_customer`.
const EVENT: &str = "CREATE plan_event SET plan = $p, account = $acc, kind = $ev_kind,
    data = $ev_data, actor = $actor, by_customer = $by_customer, at = time::now();";

/// An activity entry: its kind, and what it is about.
type Entry = (PlanEventKind, EventData);

/// Runs `body` (SurrealQL using `$p`, `$acc`, `$actor` and the given variables) and records the
/// activity entry, in one transaction.
async fn change(
    db: &Db, owner: &PlanOwner, body: &str, vars: serde_json::Value, (kind, data): Entry,
    by: &Actor,
) -> Result<(), AppError> {
    let mut all = deep_vars(vars);
    if let serde_json::Value::Object(m) = &mut all {
        m.insert("plan_key".into(), json!(owner.plan));
        m.insert("acc_key".into(), json!(owner.account));
        m.insert("ev_kind".into(), json!(kind.key()));
        m.insert("ev_data".into(), json!(data));
        m.insert("actor".into(), json!(by.label()));
        m.insert("by_customer".into(), json!(by.by_customer()));
    }
    transact(
        db,
        &format!(
            "BEGIN;
             LET $p = type::record('plan', $plan_key);
             LET $acc = type::record('account', $acc_key);
             {body}
             {EVENT}
             COMMIT;"
        ),
        all,
    )
    .await?;
    Ok(())
}

/// A [`change`] whose `body` creates a part under a new key, bound as `$key`; answers the key.
async fn add_part(
    db: &Db, owner: &PlanOwner, body: &str, mut vars: serde_json::Value, entry: Entry, by: &Actor,
) -> Result<String, AppError> {
    let key = new_key();
    if let Some(m) = vars.as_object_mut() {
        m.insert("key".into(), json!(key));
    }
    change(db, owner, body, vars, entry, by).await?;
    Ok(key)
}

/// Deletes the part `id` (after running `first`, SurrealQL that removes what goes with it),
/// with an activity entry of `kind` that names it.
async fn remove_part(
    db: &Db, owner: &PlanOwner, (part, id): (PlanPart, &str), kind: PlanEventKind, first: &str,
    by: &Actor,
) -> Result<(), AppError> {
    let title = title_of(db, part, id).await?;
    let body = format!("{first} DELETE type::record($table, $id);");
    let vars = json!({ "table": part.table(), "id": id });
    change(db, owner, &body, vars, (kind, EventData::titled(title)), by).await
}

/// SurrealQL for the position after the last of the `table` rows whose `parent` is `of`.
fn next_position(table: &str, parent: &str, of: &str) -> String {
    format!(
        "((SELECT VALUE position FROM {table} WHERE {parent} = {of} ORDER BY position DESC LIMIT 1)[0] ?? -1) + 1"
    )
}
