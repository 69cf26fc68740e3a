//! Reading plans whole: the plan rows and their objectives, milestones and tasks, put together
//! in display order. Each read is one transaction, so a plan is never seen half-changed.

use crate::error::AppError;
use crate::model::plan::*;
use crate::model::PlanId;
use crate::store::{de, transact, Db, OnAccount};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

#[derive(Deserialize)]
struct PlanRow {
    #[serde(flatten)]
    head: OnAccount<PlanId>,
    #[serde(deserialize_with = "de::date")]
    contract_start: NaiveDate,
    title: String,
    #[serde(deserialize_with = "de::date")]
    start: NaiveDate,
    #[serde(default)]
    template_name: Option<String>,
    #[serde(default)]
    template_version: Option<u32>,
}

#[derive(Deserialize)]
struct ObjRow {
    #[serde(deserialize_with = "de::key")]
    id: String,
    #[serde(deserialize_with = "de::key")]
    plan: String,
    #[serde(flatten)]
    spec: ObjectiveSpec,
    #[serde(default)]
    updated_by_name: Option<String>,
    #[serde(default)]
    updated_at: Option<crate::model::Timestamp>,
}

impl From<ObjRow> for Objective {
    fn from(o: ObjRow) -> Self {
        Objective {
            id: o.id,
            spec: o.spec,
            updated_by: o.updated_by_name,
            updated_at: o.updated_at,
        }
    }
}

/// A milestone as stored (also read alone by the plan-status report).
#[derive(Deserialize)]
pub(super) struct MsRow {
    #[serde(deserialize_with = "de::key")]
    pub(super) id: String,
    #[serde(deserialize_with = "de::key")]
    pub(super) plan: String,
    title: String,
    #[serde(deserialize_with = "de::date")]
    pub(super) due: NaiveDate,
    #[serde(default)]
    first_value: bool,
    #[serde(default, deserialize_with = "de::opt_date")]
    pub(super) completed_on: Option<NaiveDate>,
    #[serde(default)]
    completed_by_name: Option<String>,
    #[serde(default)]
    position: i64,
}

#[derive(Deserialize)]
struct TaskRow {
    #[serde(deserialize_with = "de::key")]
    id: String,
    #[serde(deserialize_with = "de::key")]
    milestone: String,
    title: String,
    #[serde(deserialize_with = "de::date")]
    due: NaiveDate,
    status: TaskStatus,
    owner_role: OwnerRole,
    #[serde(default, deserialize_with = "de::opt_key")]
    owner_user: Option<String>,
    #[serde(default, deserialize_with = "de::opt_key")]
    owner_contact: Option<String>,
    #[serde(default)]
    user_name: Option<String>,
    #[serde(default)]
    contact_name: Option<String>,
    #[serde(default)]
    position: i64,
    #[serde(default)]
    resources: Vec<TrainingResource>,
    #[serde(default)]
    done_by_name: Option<String>,
    #[serde(default)]
    done_at: Option<crate::model::Timestamp>,
}

impl From<TaskRow> for Task {
    fn from(r: TaskRow) -> Self {
        let (owner_id, owner_name) = match (r.owner_user, r.owner_contact) {
            (Some(u), _) => (Some(u), r.user_name),
            (None, Some(c)) => (Some(c), r.contact_name),
            _ => (None, None),
        };
        Task {
            id: r.id,
            milestone_id: r.milestone,
            title: r.title,
            due: r.due,
            status: r.status,
            owner_role: r.owner_role,
            owner_id,
            owner_name,
            position: r.position,
            resources: r.resources,
            done_by: r.done_by_name,
            done_at: r.done_at,
        }
    }
}

const PLAN_FIELDS: &str = "id, account, account.name AS account_name,
    account.contract_start AS contract_start, title, start, template_name, template_version";
const OBJ_FIELDS: &str = "id, plan, metric, unit, baseline, current, target, customer_can_update,
    updated_by_name, updated_at, position";
pub(super) const MS_FIELDS: &str =
    "id, plan, title, due, first_value, completed_on, completed_by_name, position";
const TASK_FIELDS: &str = "id, plan, milestone, title, due, status, owner_role, owner_user,
    owner_contact, owner_user.name AS user_name, owner_contact.name AS contact_name, position,
    resources, done_by_name, done_at";

/// One plan with everything in it, or `None`.
pub async fn get(db: &Db, id: &str) -> Result<Option<Plan>, AppError> {
    let sql = format!(
        "BEGIN;
         LET $p = type::record('plan', $id);
         SELECT {PLAN_FIELDS} FROM $p WHERE record::exists($p);
         SELECT {OBJ_FIELDS} FROM objective WHERE plan = $p ORDER BY position;
         SELECT {MS_FIELDS} FROM milestone WHERE plan = $p ORDER BY due, position;
         SELECT {TASK_FIELDS} FROM task WHERE plan = $p ORDER BY position;
         COMMIT;"
    );
    Ok(read_parts(db, &sql, json!({ "id": id }), 2).await?.pop())
}

/// Every plan of the given accounts (all accounts for `None`), complete with their parts.
///
/// The named accounts' plans are found first (through the `plan_account` index); their parts
/// are then read by plan (each part table's `plan` index). Objectives carry no account: a
/// filter on `plan.account` scanned the whole table, fetching each objective's plan.
pub async fn for_accounts(db: &Db, accounts: Option<&[String]>) -> Result<Vec<Plan>, AppError> {
    let (plans, by_plan) = match accounts {
        Some(_) => ("$plans", "WHERE plan IN $plans"),
        None => ("plan", ""),
    };
    let sql = format!(
        "BEGIN;
         LET $accs = array::map($keys, |$k| type::record('account', $k));
         LET $plans = (SELECT VALUE id FROM plan WHERE account IN $accs);
         SELECT {PLAN_FIELDS}, created_at FROM {plans} ORDER BY created_at;
         SELECT {OBJ_FIELDS} FROM objective {by_plan} ORDER BY position;
         SELECT {MS_FIELDS} FROM milestone {by_plan} ORDER BY due, position;
         SELECT {TASK_FIELDS} FROM task {by_plan} ORDER BY position;
         COMMIT;"
    );
    read_parts(db, &sql, json!({ "keys": accounts.unwrap_or_default() }), 3).await
}

/// Runs a read of the shape `BEGIN; LET …; plans; objectives; milestones; tasks; COMMIT;` (the
/// plans at statement `first`) and puts the plans together.
async fn read_parts(
    db: &Db, sql: &str, vars: serde_json::Value, first: usize,
) -> Result<Vec<Plan>, AppError> {
    let mut r = transact(db, sql, vars).await?;
    // Statement 0 is BEGIN, then the LETs; the plans come at `first`.
    let plans: Vec<PlanRow> = r.take(first)?;
    let objectives: Vec<ObjRow> = r.take(first + 1)?;
    let milestones: Vec<MsRow> = r.take(first + 2)?;
    let tasks: Vec<TaskRow> = r.take(first + 3)?;
    Ok(assemble(plans, objectives, milestones, tasks))
}

/// Puts plans together from their parts (each list already in display order).
fn assemble(
    plans: Vec<PlanRow>, objectives: Vec<ObjRow>, milestones: Vec<MsRow>, tasks: Vec<TaskRow>,
) -> Vec<Plan> {
    let mut tasks_by_ms: HashMap<String, Vec<Task>> = HashMap::new();
    for t in tasks {
        let key = t.milestone.clone();
        tasks_by_ms.entry(key).or_default().push(t.into());
    }
    let mut ms_by_plan: HashMap<String, Vec<Milestone>> = HashMap::new();
    for m in milestones {
        let milestone = Milestone {
            tasks: tasks_by_ms.remove(&m.id).unwrap_or_default(),
            id: m.id,
            title: m.title,
            due: m.due,
            first_value: m.first_value,
            completed_on: m.completed_on,
            completed_by: m.completed_by_name,
            position: m.position,
        };
        ms_by_plan.entry(m.plan).or_default().push(milestone);
    }
    let mut obj_by_plan: HashMap<String, Vec<Objective>> = HashMap::new();
    for o in objectives {
        obj_by_plan.entry(o.plan.clone()).or_default().push(o.into());
    }
    plans
        .into_iter()
        .map(|p| Plan {
            objectives: obj_by_plan.remove(p.head.id.as_str()).unwrap_or_default(),
            milestones: ms_by_plan.remove(p.head.id.as_str()).unwrap_or_default(),
            id: p.head.id,
            account_id: p.head.account,
            account_name: p.head.account_name.unwrap_or_default(),
            title: p.title,
            start: p.start,
            contract_start: p.contract_start,
            template_name: p.template_name,
            template_version: p.template_version,
        })
        .collect()
}
