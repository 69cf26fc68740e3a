//! Success plans: the plan, its objectives, milestones and tasks, and its activity. Every change
//! that a person makes writes the change and its activity entry in one transaction.

use super::{date_param, db_err, de, new_key, run_checked, take, Db};
use crate::error::AppError;
use crate::model::plan::*;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

#[derive(Deserialize)]
struct PlanRow {
    #[serde(deserialize_with = "de::key")]
    id: String,
    #[serde(deserialize_with = "de::key")]
    account: String,
    #[serde(default)]
    account_name: Option<String>,
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
    metric: String,
    #[serde(default)]
    unit: String,
    baseline: f64,
    current: f64,
    target: f64,
    #[serde(default)]
    customer_can_update: bool,
    #[serde(default)]
    updated_by_name: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
}

#[derive(Deserialize)]
struct MsRow {
    #[serde(deserialize_with = "de::key")]
    id: String,
    #[serde(deserialize_with = "de::key")]
    plan: String,
    title: String,
    #[serde(deserialize_with = "de::date")]
    due: NaiveDate,
    #[serde(default)]
    first_value: bool,
    #[serde(default, deserialize_with = "de::opt_date")]
    completed_on: Option<NaiveDate>,
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
    done_at: Option<String>,
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
const MS_FIELDS: &str =
    "id, plan, title, due, first_value, completed_on, completed_by_name, position";
const TASK_FIELDS: &str = "id, plan, milestone, title, due, status, owner_role, owner_user,
    owner_contact, owner_user.name AS user_name, owner_contact.name AS contact_name, position,
    resources, done_by_name, done_at";

/// Puts plans together from their parts (each list already in display order).
fn assemble(
    plans: Vec<PlanRow>,
    objectives: Vec<ObjRow>,
    milestones: Vec<MsRow>,
    tasks: Vec<TaskRow>,
) -> Vec<Plan> {
    let mut tasks_by_ms: HashMap<String, Vec<Task>> = HashMap::new();
    for t in tasks {
        tasks_by_ms
            .entry(t.milestone.clone())
            .or_default()
            .push(t.into());
    }
    let mut ms_by_plan: HashMap<String, Vec<Milestone>> = HashMap::new();
    for m in milestones {
        let tasks = tasks_by_ms.remove(&m.id).unwrap_or_default();
        ms_by_plan
            .entry(m.plan.clone())
            .or_default()
            .push(Milestone {
                id: m.id,
                title: m.title,
                due: m.due,
                first_value: m.first_value,
                completed_on: m.completed_on,
                completed_by: m.completed_by_name,
                position: m.position,
                tasks,
            });
    }
    let mut obj_by_plan: HashMap<String, Vec<Objective>> = HashMap::new();
    for o in objectives {
        obj_by_plan
            .entry(o.plan.clone())
            .or_default()
            .push(Objective {
                id: o.id,
                metric: o.metric,
                unit: o.unit,
                baseline: o.baseline,
                current: o.current,
                target: o.target,
                customer_can_update: o.customer_can_update,
                updated_by: o.updated_by_name,
                updated_at: o.updated_at,
            });
    }
    plans
        .into_iter()
        .map(|p| Plan {
            objectives: obj_by_plan.remove(&p.id).unwrap_or_default(),
            milestones: ms_by_plan.remove(&p.id).unwrap_or_default(),
            id: p.id,
            account_id: p.account,
            account_name: p.account_name.unwrap_or_default(),
            title: p.title,
            start: p.start,
            contract_start: p.contract_start,
            template_name: p.template_name,
            template_version: p.template_version,
        })
        .collect()
}

/// One plan with everything in it, or `None`.
pub async fn get(db: &Db, id: &str) -> Result<Option<Plan>, AppError> {
    let mut r = db
        .query(format!(
            "LET $p = type::record('plan', $id);
             SELECT {PLAN_FIELDS} FROM $p WHERE record::exists($p);
             SELECT {OBJ_FIELDS} FROM objective WHERE plan = $p ORDER BY position;
             SELECT {MS_FIELDS} FROM milestone WHERE plan = $p ORDER BY due, position;
             SELECT {TASK_FIELDS} FROM task WHERE plan = $p ORDER BY position;"
        ))
        .bind(json!({ "id": id }))
        .await
        .map_err(db_err)?;
    let plans: Vec<PlanRow> = take(&mut r, 1)?;
    let objectives: Vec<ObjRow> = take(&mut r, 2)?;
    let milestones: Vec<MsRow> = take(&mut r, 3)?;
    let tasks: Vec<TaskRow> = take(&mut r, 4)?;
    Ok(assemble(plans, objectives, milestones, tasks).pop())
}

/// Every plan of the given accounts (all accounts for `None`), complete with their parts.
pub async fn for_accounts(db: &Db, accounts: Option<&[String]>) -> Result<Vec<Plan>, AppError> {
    let cond = if accounts.is_some() {
        "WHERE account IN $accs"
    } else {
        ""
    };
    let pcond = if accounts.is_some() {
        "WHERE plan.account IN $accs"
    } else {
        ""
    };
    let mut r = db
        .query(format!(
            "LET $accs = array::map($keys, |$k| type::record('account', $k));
             SELECT {PLAN_FIELDS}, created_at FROM plan {cond} ORDER BY created_at;
             SELECT {OBJ_FIELDS} FROM objective {pcond} ORDER BY position;
             SELECT {MS_FIELDS} FROM milestone {cond} ORDER BY due, position;
             SELECT {TASK_FIELDS} FROM task {cond} ORDER BY position;"
        ))
        .bind(json!({ "keys": accounts.unwrap_or_default() }))
        .await
        .map_err(db_err)?;
    let plans: Vec<PlanRow> = take(&mut r, 1)?;
    let objectives: Vec<ObjRow> = take(&mut r, 2)?;
    let milestones: Vec<MsRow> = take(&mut r, 3)?;
    let tasks: Vec<TaskRow> = take(&mut r, 4)?;
    Ok(assemble(plans, objectives, milestones, tasks))
}

/// Who acts: a staff member (user key + name) or a customer contact through a shared link.
#[derive(Debug, Clone)]
pub enum Actor {
    Staff { id: String, name: String },
    Customer { contact: String, name: String },
}

impl Actor {
    fn label(&self) -> String {
        match self {
            Actor::Staff { name, .. } => name.clone(),
            Actor::Customer { name, .. } => format!("{name} (customer)"),
        }
    }
    fn by_customer(&self) -> bool {
        matches!(self, Actor::Customer { .. })
    }
}

/// The SurrealQL that records one activity entry; needs `$p` (the plan record), `$acc`,
/// `$ev_kind`, `$ev_text`, `$actor` and `$by_customer`.
const EVENT: &str = "CREATE plan_event SET plan = $p, account = $acc, kind = $ev_kind,
    text = $ev_text, actor = $actor, by_customer = $by_customer, at = time::now();";

/// The team and contacts of an account, for resolving template roles to people.
#[derive(Deserialize)]
struct Seat {
    #[serde(deserialize_with = "de::key")]
    user: String,
    role: String,
}

#[derive(Deserialize)]
struct ContactSeat {
    #[serde(deserialize_with = "de::key")]
    id: String,
    champion: bool,
}

#[derive(Deserialize)]
struct AccountFacts {
    #[serde(default, deserialize_with = "de::opt_key")]
    owner: Option<String>,
}

/// Makes a plan, blank or laid out from a template from `start`. Template roles become people
/// where the account has someone in that role (its team; its champion for customer steps).
/// Returns the new plan's key.
pub async fn create(
    db: &Db,
    account: &str,
    v: &ValidNewPlan,
    template: Option<&JourneyTemplate>,
    by: &Actor,
) -> Result<String, AppError> {
    let mut r = db
        .query(
            "LET $a = type::record('account', $acc_key);
             SELECT owner FROM $a WHERE record::exists($a);
             SELECT user, role FROM team_member WHERE account = $a;
             SELECT id, champion FROM contact WHERE account = $a ORDER BY created_at;",
        )
        .bind(json!({ "acc_key": account }))
        .await
        .map_err(db_err)?;
    let facts: Vec<AccountFacts> = take(&mut r, 1)?;
    let Some(facts) = facts.into_iter().next() else {
        return Err(AppError::NotFound("account".into()));
    };
    let seats: Vec<Seat> = take(&mut r, 2)?;
    let contacts: Vec<ContactSeat> = take(&mut r, 3)?;
    let champion = contacts
        .iter()
        .find(|c| c.champion)
        .or(contacts.first())
        .map(|c| c.id.clone());
    let person_for = |role: OwnerRole| -> (Option<String>, Option<String>) {
        match role {
            OwnerRole::Customer => (None, champion.clone()),
            other => {
                let seat = seats
                    .iter()
                    .find(|s| s.role == other.key())
                    .map(|s| s.user.clone());
                let seat = seat.or_else(|| {
                    (other == OwnerRole::Csm)
                        .then(|| facts.owner.clone())
                        .flatten()
                });
                (seat, None)
            }
        }
    };
    let plan_key = new_key();
    let mut milestones = Vec::new();
    let mut tasks = Vec::new();
    let mut objectives = Vec::new();
    if let Some(t) = template {
        let dates = layout(&t.milestones, v.start);
        for (i, (m, (due, task_dues))) in t.milestones.iter().zip(dates).enumerate() {
            let mk = new_key();
            milestones.push(json!({
                "id": mk, "title": m.title, "due": date_param(due),
                "first_value": m.first_value, "position": i,
            }));
            for (j, (task, tdue)) in m.tasks.iter().zip(task_dues).enumerate() {
                let (user, contact) = person_for(task.owner_role);
                tasks.push(json!({
                    "id": new_key(), "milestone": mk, "title": task.title, "due": date_param(tdue),
                    "owner_role": task.owner_role.key(), "owner_user": user,
                    "owner_contact": contact, "position": j, "resources": task.resources,
                }));
            }
        }
        for (i, o) in t.objectives.iter().enumerate() {
            objectives.push(json!({
                "id": new_key(), "metric": o.metric, "unit": o.unit, "position": i,
            }));
        }
    }
    let what = match template {
        Some(t) => format!(
            "made the plan from the “{}” template (version {})",
            t.name, t.version
        ),
        None => "made a blank plan".to_string(),
    };
    run_checked(
        db,
        &format!(
            "BEGIN;
             LET $p = type::record('plan', $plan_key);
             LET $acc = type::record('account', $acc_key);
             CREATE $p SET account = $acc, title = $title, start = <datetime>$start,
                template = IF $tpl = NONE {{ NONE }} ELSE {{ type::record('journey_template', $tpl) }},
                template_name = $tpl_name, template_version = $tpl_version,
                created_by = IF $staff = NONE {{ NONE }} ELSE {{ type::record('user', $staff) }};
             FOR $m IN $milestones {{
                CREATE type::record('milestone', $m.id) SET plan = $p, account = $acc, title = $m.title,
                    due = <datetime>$m.due, first_value = $m.first_value, position = $m.position;
             }};
             FOR $t IN $tasks {{
                CREATE type::record('task', $t.id) SET plan = $p, account = $acc,
                    milestone = type::record('milestone', $t.milestone), title = $t.title,
                    due = <datetime>$t.due, status = 'open', owner_role = $t.owner_role,
                    owner_user = IF $t.owner_user = NONE {{ NONE }} ELSE {{ type::record('user', $t.owner_user) }},
                    owner_contact = IF $t.owner_contact = NONE {{ NONE }} ELSE {{ type::record('contact', $t.owner_contact) }},
                    position = $t.position, resources = $t.resources;
             }};
             FOR $o IN $objectives {{
                CREATE type::record('objective', $o.id) SET plan = $p, metric = $o.metric, unit = $o.unit,
                    baseline = 0, current = 0, target = 0, position = $o.position;
             }};
             {EVENT}
             COMMIT;"
        ),
        super::deep_vars(json!({
            "plan_key": plan_key, "acc_key": account, "title": v.title,
            "start": date_param(v.start),
            "tpl": template.map(|t| t.id.clone()),
            "tpl_name": template.map(|t| t.name.clone()),
            "tpl_version": template.map(|t| t.version),
            "staff": match by { Actor::Staff { id, .. } => Some(id.clone()), _ => None },
            "milestones": milestones, "tasks": tasks, "objectives": objectives,
            "ev_kind": "plan_created", "ev_text": what, "actor": by.label(),
            "by_customer": by.by_customer(),
        })),
    )
    .await?;
    Ok(plan_key)
}

/// The plan and account a part belongs to: (plan key, account key, plan start).
#[derive(Deserialize)]
pub struct Owner {
    #[serde(deserialize_with = "de::key")]
    pub plan: String,
    #[serde(deserialize_with = "de::key")]
    pub account: String,
    #[serde(deserialize_with = "de::date")]
    pub start: NaiveDate,
}

/// Which plan (and account) `table:id` belongs to; `None` if it does not exist.
pub async fn owner_of(db: &Db, table: &str, id: &str) -> Result<Option<Owner>, AppError> {
    let q = match table {
        "plan" => "SELECT id AS plan, account, start FROM type::record('plan', $id) WHERE record::exists(type::record('plan', $id))",
        "milestone" => "SELECT plan, account, plan.start AS start FROM type::record('milestone', $id) WHERE record::exists(type::record('milestone', $id))",
        "task" => "SELECT plan, account, plan.start AS start FROM type::record('task', $id) WHERE record::exists(type::record('task', $id))",
        "objective" => "SELECT plan, plan.account AS account, plan.start AS start FROM type::record('objective', $id) WHERE record::exists(type::record('objective', $id))",
        "plan_share" => "SELECT plan, account, plan.start AS start FROM type::record('plan_share', $id) WHERE record::exists(type::record('plan_share', $id))",
        _ => return Ok(None),
    };
    let mut r = db
        .query(q)
        .bind(json!({ "id": id }))
        .await
        .map_err(db_err)?;
    let rows: Vec<Owner> = take(&mut r, 0)?;
    Ok(rows.into_iter().next())
}

/// Runs `body` (SurrealQL using `$p`, `$acc` and the given variables) with an activity entry,
/// in one transaction.
async fn change(
    db: &Db,
    owner: &Owner,
    body: &str,
    vars: serde_json::Value,
    kind: &str,
    text: String,
    by: &Actor,
) -> Result<surrealdb::IndexedResults, AppError> {
    let mut all = super::deep_vars(vars);
    if let serde_json::Value::Object(m) = &mut all {
        m.insert("plan_key".into(), json!(owner.plan));
        m.insert("acc_key".into(), json!(owner.account));
        m.insert("ev_kind".into(), json!(kind));
        m.insert("ev_text".into(), json!(text));
        m.insert("actor".into(), json!(by.label()));
        m.insert("by_customer".into(), json!(by.by_customer()));
    }
    run_checked(
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
    .await
}

pub async fn add_milestone(
    db: &Db,
    owner: &Owner,
    m: &ValidMilestone,
    by: &Actor,
) -> Result<String, AppError> {
    let key = new_key();
    change(
        db,
        owner,
        "IF $first { UPDATE milestone SET first_value = false WHERE plan = $p };
         CREATE type::record('milestone', $key) SET plan = $p, account = $acc, title = $title,
            due = <datetime>$due, first_value = $first,
            position = ((SELECT VALUE position FROM milestone WHERE plan = $p ORDER BY position DESC LIMIT 1)[0] ?? -1) + 1;",
        json!({ "key": key, "title": m.title, "due": date_param(m.due), "first": m.first_value }),
        "milestone_added",
        format!("added the milestone “{}”", m.title),
        by,
    )
    .await?;
    Ok(key)
}

pub async fn update_milestone(
    db: &Db,
    owner: &Owner,
    id: &str,
    m: &ValidMilestone,
    by: &Actor,
) -> Result<(), AppError> {
    change(
        db,
        owner,
        "IF $first { UPDATE milestone SET first_value = false WHERE plan = $p AND id != type::record('milestone', $id) };
         UPDATE type::record('milestone', $id) SET title = $title, due = <datetime>$due, first_value = $first;",
        json!({ "id": id, "title": m.title, "due": date_param(m.due), "first": m.first_value }),
        "milestone_edited",
        format!("edited the milestone “{}”", m.title),
        by,
    )
    .await?;
    Ok(())
}

/// Marks a milestone complete (today) or open again.
pub async fn complete_milestone(
    db: &Db,
    owner: &Owner,
    id: &str,
    done: bool,
    today: NaiveDate,
    by: &Actor,
) -> Result<(), AppError> {
    let title = title_of(db, "milestone", id).await?;
    change(
        db,
        owner,
        "UPDATE type::record('milestone', $id) SET
            completed_on = IF $done { <datetime>$today } ELSE { NONE },
            completed_by_name = IF $done { $actor } ELSE { NONE };",
        json!({ "id": id, "done": done, "today": date_param(today) }),
        if done {
            "milestone_done"
        } else {
            "milestone_reopened"
        },
        if done {
            format!("completed the milestone “{title}”")
        } else {
            format!("reopened the milestone “{title}”")
        },
        by,
    )
    .await?;
    Ok(())
}

pub async fn delete_milestone(
    db: &Db,
    owner: &Owner,
    id: &str,
    by: &Actor,
) -> Result<(), AppError> {
    let title = title_of(db, "milestone", id).await?;
    change(
        db,
        owner,
        "DELETE task WHERE milestone = type::record('milestone', $id);
         DELETE type::record('milestone', $id);",
        json!({ "id": id }),
        "milestone_deleted",
        format!("deleted the milestone “{title}” and its tasks"),
        by,
    )
    .await?;
    Ok(())
}

async fn title_of(db: &Db, table: &str, id: &str) -> Result<String, AppError> {
    let field = if table == "objective" {
        "metric"
    } else {
        "title"
    };
    let mut r = db
        .query(format!(
            "SELECT VALUE {field} FROM type::record($table, $id)"
        ))
        .bind(json!({ "table": table, "id": id }))
        .await
        .map_err(db_err)?;
    let t: Vec<String> = take(&mut r, 0)?;
    t.into_iter()
        .next()
        .ok_or_else(|| AppError::NotFound(table.replace('_', " ")))
}

/// The user or contact a task goes to, checked against the account (a contact of another
/// account, or an unknown user, is refused).
pub async fn resolve_owner(
    db: &Db,
    account: &str,
    owner: &OwnerRef,
) -> Result<(OwnerRole, Option<String>, Option<String>), AppError> {
    match owner {
        OwnerRef::Role(r) => Ok((*r, None, None)),
        OwnerRef::Contact(c) => {
            let mut r = db
                .query("SELECT VALUE id FROM type::record('contact', $c) WHERE account = type::record('account', $a)")
                .bind(json!({ "c": c, "a": account }))
                .await
                .map_err(db_err)?;
            let found: Vec<serde_json::Value> = take(&mut r, 0)?;
            if found.is_empty() {
                return Err(AppError::field(
                    "owner",
                    "that contact is not at this account",
                ));
            }
            Ok((OwnerRole::Customer, None, Some(c.clone())))
        }
        OwnerRef::User(u) => {
            let mut r = db
                .query(
                    "SELECT VALUE id FROM type::record('user', $u) WHERE active = true;
                     SELECT VALUE role FROM team_member WHERE account = type::record('account', $a) AND user = type::record('user', $u);",
                )
                .bind(json!({ "u": u, "a": account }))
                .await
                .map_err(db_err)?;
            let found: Vec<serde_json::Value> = take(&mut r, 0)?;
            if found.is_empty() {
                return Err(AppError::field(
                    "owner",
                    "that person is not an active user",
                ));
            }
            let roles: Vec<String> = take(&mut r, 1)?;
            let role = roles
                .first()
                .and_then(|r| OwnerRole::parse(r))
                .unwrap_or(OwnerRole::Csm);
            Ok((role, Some(u.clone()), None))
        }
    }
}

pub async fn add_task(
    db: &Db,
    owner: &Owner,
    milestone: &str,
    t: &ValidTask,
    who: (OwnerRole, Option<String>, Option<String>),
    by: &Actor,
) -> Result<String, AppError> {
    let key = new_key();
    change(
        db,
        owner,
        "LET $m = type::record('milestone', $milestone);
         IF $m.plan != $p { THROW 'bw:not_found:milestone on this plan' };
         CREATE type::record('task', $key) SET plan = $p, account = $acc, milestone = $m,
            title = $title, due = <datetime>$due, status = 'open', owner_role = $role,
            owner_user = IF $user = NONE { NONE } ELSE { type::record('user', $user) },
            owner_contact = IF $contact = NONE { NONE } ELSE { type::record('contact', $contact) },
            position = ((SELECT VALUE position FROM task WHERE milestone = $m ORDER BY position DESC LIMIT 1)[0] ?? -1) + 1;",
        json!({
            "key": key, "milestone": milestone, "title": t.title, "due": date_param(t.due),
            "role": who.0.key(), "user": who.1, "contact": who.2,
        }),
        "task_added",
        format!("added the task “{}”", t.title),
        by,
    )
    .await?;
    Ok(key)
}

pub async fn update_task(
    db: &Db,
    owner: &Owner,
    id: &str,
    t: &ValidTask,
    who: (OwnerRole, Option<String>, Option<String>),
    by: &Actor,
) -> Result<(), AppError> {
    change(
        db,
        owner,
        "UPDATE type::record('task', $id) SET title = $title, due = <datetime>$due, owner_role = $role,
            owner_user = IF $user = NONE { NONE } ELSE { type::record('user', $user) },
            owner_contact = IF $contact = NONE { NONE } ELSE { type::record('contact', $contact) };",
        json!({
            "id": id, "title": t.title, "due": date_param(t.due),
            "role": who.0.key(), "user": who.1, "contact": who.2,
        }),
        "task_edited",
        format!("edited the task “{}”", t.title),
        by,
    )
    .await?;
    Ok(())
}

/// Sets a task's status. A customer may only change tasks of *this* plan that are theirs (a
/// customer task given to them or to nobody in particular); anything else changes nothing and
/// answers `Forbidden`.
pub async fn set_task_status(
    db: &Db,
    owner: &Owner,
    id: &str,
    status: TaskStatus,
    by: &Actor,
) -> Result<(), AppError> {
    let title = title_of(db, "task", id).await?;
    let guard = match by {
        Actor::Staff { .. } => "true",
        Actor::Customer { .. } => {
            "owner_role = 'customer' AND (owner_contact = NONE OR owner_contact = type::record('contact', $contact))"
        }
    };
    let contact = match by {
        Actor::Customer { contact, .. } => Some(contact.clone()),
        _ => None,
    };
    let verb = match status {
        TaskStatus::Done => "ticked off",
        TaskStatus::InProgress => "started",
        TaskStatus::Open => "reopened",
    };
    let r = change(
        db,
        owner,
        &format!(
            "LET $t = type::record('task', $id);
             IF $t.plan != $p {{ THROW 'bw:not_found:task on this plan' }};
             LET $changed = UPDATE $t SET status = $status,
                done_by_name = IF $status = 'done' {{ $actor }} ELSE {{ NONE }},
                done_at = IF $status = 'done' {{ time::now() }} ELSE {{ NONE }}
                WHERE {guard} RETURN id;
             IF $changed = [] {{ THROW 'bw:forbidden:only the tasks given to you can be changed here' }};"
        ),
        json!({ "id": id, "status": status.key(), "contact": contact }),
        if status == TaskStatus::Done { "task_done" } else { "task_status" },
        format!("{verb} the task “{title}”"),
        by,
    )
    .await;
    r.map(|_| ())
}

/// New order of the tasks of one milestone. `ids` must be exactly its tasks (someone may have
/// added or removed one since the page loaded: then nothing moves and the page reloads).
pub async fn reorder_tasks(
    db: &Db,
    owner: &Owner,
    milestone: &str,
    ids: &[String],
    by: &Actor,
) -> Result<(), AppError> {
    let mut r = db
        .query("SELECT VALUE record::id(id) FROM task WHERE milestone = type::record('milestone', $m) AND plan = type::record('plan', $p)")
        .bind(json!({ "m": milestone, "p": owner.plan }))
        .await
        .map_err(db_err)?;
    let mut current: Vec<String> = take(&mut r, 0)?;
    let mut wanted = ids.to_vec();
    current.sort();
    wanted.sort();
    if current.is_empty() || current != wanted {
        return Err(AppError::field(
            "order",
            "the tasks of this milestone changed since the page loaded; reload and try again",
        ));
    }
    let rows: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| json!({ "id": id, "pos": i }))
        .collect();
    let title = title_of(db, "milestone", milestone).await?;
    change(
        db,
        owner,
        "FOR $x IN $rows { UPDATE type::record('task', $x.id) SET position = $x.pos; };",
        json!({ "rows": rows }),
        "tasks_reordered",
        format!("reordered the tasks of “{title}”"),
        by,
    )
    .await?;
    Ok(())
}

pub async fn delete_task(db: &Db, owner: &Owner, id: &str, by: &Actor) -> Result<(), AppError> {
    let title = title_of(db, "task", id).await?;
    change(
        db,
        owner,
        "DELETE type::record('task', $id);",
        json!({ "id": id }),
        "task_deleted",
        format!("deleted the task “{title}”"),
        by,
    )
    .await?;
    Ok(())
}

pub async fn add_objective(
    db: &Db,
    owner: &Owner,
    o: &ValidObjective,
    by: &Actor,
) -> Result<String, AppError> {
    let key = new_key();
    change(
        db,
        owner,
        "CREATE type::record('objective', $key) SET plan = $p, metric = $metric, unit = $unit,
            baseline = $baseline, current = $current, target = $target,
            customer_can_update = $customer, updated_by_name = $actor, updated_at = time::now(),
            position = ((SELECT VALUE position FROM objective WHERE plan = $p ORDER BY position DESC LIMIT 1)[0] ?? -1) + 1;",
        json!({
            "key": key, "metric": o.metric, "unit": o.unit, "baseline": o.baseline,
            "current": o.current, "target": o.target, "customer": o.customer_can_update,
        }),
        "objective_added",
        format!("added the objective “{}”", o.metric),
        by,
    )
    .await?;
    Ok(key)
}

pub async fn update_objective(
    db: &Db,
    owner: &Owner,
    id: &str,
    o: &ValidObjective,
    by: &Actor,
) -> Result<(), AppError> {
    change(
        db,
        owner,
        "UPDATE type::record('objective', $id) SET metric = $metric, unit = $unit,
            baseline = $baseline, current = $current, target = $target,
            customer_can_update = $customer, updated_by_name = $actor, updated_at = time::now();",
        json!({
            "id": id, "metric": o.metric, "unit": o.unit, "baseline": o.baseline,
            "current": o.current, "target": o.target, "customer": o.customer_can_update,
        }),
        "objective_edited",
        format!(
            "set “{}” to {} (target {})",
            o.metric,
            fmt_num(o.current),
            fmt_num(o.target)
        ),
        by,
    )
    .await?;
    Ok(())
}

/// The customer's update of an objective's current value: only on this plan, only where the
/// CSM allowed it.
pub async fn customer_set_objective(
    db: &Db,
    owner: &Owner,
    id: &str,
    value: f64,
    by: &Actor,
) -> Result<(), AppError> {
    let metric = title_of(db, "objective", id).await?;
    change(
        db,
        owner,
        "LET $o = type::record('objective', $id);
         IF $o.plan != $p { THROW 'bw:not_found:objective on this plan' };
         LET $changed = UPDATE $o SET current = $value, updated_by_name = $actor, updated_at = time::now()
            WHERE customer_can_update = true RETURN id;
         IF $changed = [] { THROW 'bw:forbidden:this objective is updated by the team, not on the shared plan' };",
        json!({ "id": id, "value": value }),
        "objective_updated",
        format!("updated “{metric}” to {}", fmt_num(value)),
        by,
    )
    .await?;
    Ok(())
}

pub async fn delete_objective(
    db: &Db,
    owner: &Owner,
    id: &str,
    by: &Actor,
) -> Result<(), AppError> {
    let metric = title_of(db, "objective", id).await?;
    change(
        db,
        owner,
        "DELETE type::record('objective', $id);",
        json!({ "id": id }),
        "objective_deleted",
        format!("deleted the objective “{metric}”"),
        by,
    )
    .await?;
    Ok(())
}

/// Records an activity entry that changes nothing else: a comment (kind `comment`, the text as
/// written).
pub async fn note(
    db: &Db,
    owner: &Owner,
    kind: &str,
    text: String,
    by: &Actor,
) -> Result<(), AppError> {
    change(db, owner, "", json!({}), kind, text, by).await?;
    Ok(())
}

#[derive(Deserialize)]
struct EventRow {
    kind: String,
    text: String,
    actor: String,
    #[serde(default)]
    by_customer: bool,
    at: String,
}

/// The newest activity of a plan first.
pub async fn events(db: &Db, plan: &str, limit: usize) -> Result<Vec<PlanEvent>, AppError> {
    let mut r = db
        .query("SELECT kind, text, actor, by_customer, at FROM plan_event WHERE plan = type::record('plan', $p) ORDER BY at DESC LIMIT $limit")
        .bind(json!({ "p": plan, "limit": limit }))
        .await
        .map_err(db_err)?;
    let rows: Vec<EventRow> = take(&mut r, 0)?;
    Ok(rows
        .into_iter()
        .map(|e| PlanEvent {
            kind: e.kind,
            text: e.text,
            actor: e.actor,
            by_customer: e.by_customer,
            at: e.at,
        })
        .collect())
}

#[derive(Deserialize)]
pub struct AccountEvent {
    #[serde(deserialize_with = "de::key")]
    pub plan: String,
    pub plan_title: Option<String>,
    pub kind: String,
    pub text: String,
    pub actor: String,
    pub at: String,
}

/// An account's plan activity, newest first (for its timeline).
pub async fn account_events(
    db: &Db,
    account: &str,
    limit: usize,
) -> Result<Vec<AccountEvent>, AppError> {
    let mut r = db
        .query("SELECT plan, plan.title AS plan_title, kind, text, actor, at FROM plan_event WHERE account = type::record('account', $a) ORDER BY at DESC LIMIT $limit")
        .bind(json!({ "a": account, "limit": limit }))
        .await
        .map_err(db_err)?;
    take(&mut r, 0)
}

/// Owner choices for tasks on an account: its team, then its contacts, then bare roles.
pub async fn owner_choices(db: &Db, account: &str) -> Result<Vec<OwnerChoice>, AppError> {
    #[derive(Deserialize)]
    struct TeamRow {
        #[serde(deserialize_with = "de::key")]
        user: String,
        name: String,
        role: String,
    }
    #[derive(Deserialize)]
    struct ContactRow {
        #[serde(deserialize_with = "de::key")]
        id: String,
        name: String,
    }
    let mut r = db
        .query(
            "LET $a = type::record('account', $acc);
             SELECT user, user.name AS name, role FROM team_member WHERE account = $a AND user.active = true;
             SELECT id, name FROM contact WHERE account = $a ORDER BY name;",
        )
        .bind(json!({ "acc": account }))
        .await
        .map_err(db_err)?;
    let team: Vec<TeamRow> = take(&mut r, 1)?;
    let contacts: Vec<ContactRow> = take(&mut r, 2)?;
    let mut out = Vec::new();
    for t in team {
        if out
            .iter()
            .any(|o: &OwnerChoice| o.value == format!("u:{}", t.user))
        {
            continue;
        }
        let role = OwnerRole::parse(&t.role).unwrap_or(OwnerRole::Csm);
        out.push(OwnerChoice {
            value: format!("u:{}", t.user),
            label: format!("{} ({})", t.name, role.label()),
            role,
        });
    }
    for c in contacts {
        out.push(OwnerChoice {
            value: format!("c:{}", c.id),
            label: format!("{} (customer)", c.name),
            role: OwnerRole::Customer,
        });
    }
    for role in OwnerRole::ALL {
        out.push(OwnerChoice {
            value: format!("r:{}", role.key()),
            label: format!("Any {}", role.label()),
            role: *role,
        });
    }
    Ok(out)
}

/// First-value completions: (account, contract start, first-value milestone completed on, or
/// `None` while it is still open). The earliest completion counts when an account has several.
pub async fn first_value(db: &Db) -> Result<Vec<(String, NaiveDate, Option<NaiveDate>)>, AppError> {
    #[derive(Deserialize)]
    struct Row {
        #[serde(deserialize_with = "de::key")]
        account: String,
        #[serde(deserialize_with = "de::date")]
        contract_start: NaiveDate,
        #[serde(default, deserialize_with = "de::opt_date")]
        completed_on: Option<NaiveDate>,
    }
    let mut r = db
        .query("SELECT account, account.contract_start AS contract_start, completed_on FROM milestone WHERE first_value = true")
        .await
        .map_err(db_err)?;
    let rows: Vec<Row> = take(&mut r, 0)?;
    let mut by: HashMap<String, (NaiveDate, Option<NaiveDate>)> = HashMap::new();
    for row in rows {
        let e = by
            .entry(row.account)
            .or_insert((row.contract_start, row.completed_on));
        e.1 = match (e.1, row.completed_on) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    Ok(by.into_iter().map(|(a, (s, c))| (a, s, c)).collect())
}

/// Demo data only (`seed-demo`): marks a milestone complete on a past date, with its tasks
/// done, as if the work had happened then.
pub async fn complete_as_of(
    db: &Db,
    milestone: &str,
    on: NaiveDate,
    by: &str,
) -> Result<(), AppError> {
    run_checked(
        db,
        "BEGIN;
         LET $m = type::record('milestone', $id);
         UPDATE $m SET completed_on = <datetime>$on, completed_by_name = $by;
         UPDATE task SET status = 'done', done_by_name = $by, done_at = <datetime>$on WHERE milestone = $m;
         CREATE plan_event SET plan = $m.plan, account = $m.account, kind = 'milestone_done',
            text = 'completed the milestone “' + $m.title + '”', actor = $by, by_customer = false,
            at = <datetime>$on;
         COMMIT;",
        json!({ "id": milestone, "on": date_param(on), "by": by }),
    )
    .await?;
    Ok(())
}

/// Milestones past due and not complete as of `date`, per account that has any milestone
/// (health's milestone slippage; accounts without plans are left out, so "missing").
pub async fn overdue_milestones(
    db: &Db,
    accounts: Option<&[String]>,
    date: NaiveDate,
) -> Result<Vec<(String, u32)>, AppError> {
    #[derive(Deserialize)]
    struct L {
        #[serde(deserialize_with = "de::key")]
        account: String,
        overdue: u32,
    }
    let cond = if accounts.is_some() {
        "WHERE account IN $accs"
    } else {
        ""
    };
    let mut r = db
        .query(format!(
            "LET $accs = array::map($keys, |$k| type::record('account', $k));
             SELECT account, math::sum(IF due < <datetime>$day AND (completed_on = NONE OR completed_on > <datetime>$day) {{ 1 }} ELSE {{ 0 }}) AS overdue
             FROM milestone {cond} GROUP BY account;"
        ))
        .bind(json!({ "keys": accounts.unwrap_or_default(), "day": date_param(date) }))
        .await
        .map_err(db_err)?;
    let rows: Vec<L> = take(&mut r, 1)?;
    Ok(rows.into_iter().map(|l| (l.account, l.overdue)).collect())
}
