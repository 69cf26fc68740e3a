//! A milestone's tasks: added, edited, ticked off (by the team, or by the customer on the
//! shared plan), reordered, deleted.

use super::{add_part, change, next_position, remove_part, title_of};
use crate::error::AppError;
use crate::model::plan::*;
use crate::store::{date_param, query_all, Db};
use serde_json::json;

/// The SET fields that give a task to `$role`, `$user` and `$contact` (an [`Assignee`]).
const ASSIGN: &str = "owner_role = $role,
    owner_user = IF $user = NONE { NONE } ELSE { type::record('user', $user) },
    owner_contact = IF $contact = NONE { NONE } ELSE { type::record('contact', $contact) }";

fn task_vars(t: &ValidTask, who: &Assignee) -> serde_json::Value {
    json!({
        "title": t.title, "due": date_param(t.due),
        "role": who.role.key(), "user": who.user, "contact": who.contact,
    })
}

pub async fn add_task(
    db: &Db, owner: &PlanOwner, milestone: &str, t: &ValidTask, who: Assignee, by: &Actor,
) -> Result<String, AppError> {
    let body = format!(
        "LET $m = type::record('milestone', $milestone);
         IF $m.plan != $p {{ THROW 'bw:not_found:milestone on this plan' }};
         CREATE type::record('task', $key) SET plan = $p, account = $acc, milestone = $m,
            title = $title, due = <datetime>$due, status = 'open', {ASSIGN}, position = {};",
        next_position("task", "milestone", "$m")
    );
    let mut vars = task_vars(t, &who);
    vars["milestone"] = json!(milestone);
    let entry = (PlanEventKind::TaskAdded, EventData::titled(&t.title));
    add_part(db, owner, &body, vars, entry, by).await
}

pub async fn update_task(
    db: &Db, owner: &PlanOwner, id: &str, t: &ValidTask, who: Assignee, by: &Actor,
) -> Result<(), AppError> {
    let mut vars = task_vars(t, &who);
    vars["id"] = json!(id);
    change(
        db,
        owner,
        &format!(
            "UPDATE type::record('task', $id) SET title = $title, due = <datetime>$due, {ASSIGN};"
        ),
        vars,
        (PlanEventKind::TaskEdited, EventData::titled(&t.title)),
        by,
    )
    .await
}

/// Sets a task's status. A customer may only change tasks of *this* plan that are theirs (a
/// customer task given to them or to nobody in particular); anything else changes nothing and
/// answers `Forbidden`.
pub async fn set_task_status(
    db: &Db, owner: &PlanOwner, id: &str, status: TaskStatus, by: &Actor,
) -> Result<(), AppError> {
    let title = title_of(db, PlanPart::Task, id).await?;
    let (guard, contact) = match by {
        Actor::Staff { .. } | Actor::Integration { .. } => ("true", None),
        Actor::Customer { contact, .. } => (
            "owner_role = 'customer' AND (owner_contact = NONE OR owner_contact = type::record('contact', $contact))",
            Some(contact.clone()),
        ),
    };
    let (kind, data) = if status == TaskStatus::Done {
        (
            PlanEventKind::TaskDone,
            EventData { task: Some(id.to_string()), ..EventData::titled(title) },
        )
    } else {
        let data = EventData { status: Some(status), ..EventData::titled(title) };
        (PlanEventKind::TaskStatusChanged, data)
    };
    change(
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
        (kind, data),
        by,
    )
    .await
}

/// New order of the tasks of one milestone. `ids` must be exactly its tasks (someone may have
/// added or removed one since the page loaded: then nothing moves and the page reloads).
pub async fn reorder_tasks(
    db: &Db, owner: &PlanOwner, milestone: &str, ids: &[String], by: &Actor,
) -> Result<(), AppError> {
    let mut current: Vec<String> = query_all(
        db,
        "SELECT VALUE record::id(id) FROM task
         WHERE milestone = type::record('milestone', $m) AND plan = type::record('plan', $p)",
        json!({ "m": milestone, "p": owner.plan }),
    )
    .await?;
    let mut wanted = ids.to_vec();
    current.sort();
    wanted.sort();
    if current.is_empty() || current != wanted {
        return Err(AppError::field(
            "order",
            "the tasks of this milestone changed since the page loaded; reload and try again",
        ));
    }
    let rows: Vec<_> =
        (ids.iter().enumerate()).map(|(i, id)| json!({ "id": id, "pos": i })).collect();
    let title = title_of(db, PlanPart::Milestone, milestone).await?;
    change(
        db,
        owner,
        "FOR $x IN $rows { UPDATE type::record('task', $x.id) SET position = $x.pos; };",
        json!({ "rows": rows }),
        (PlanEventKind::TasksReordered, EventData::titled(title)),
        by,
    )
    .await
}

pub async fn delete_task(db: &Db, owner: &PlanOwner, id: &str, by: &Actor) -> Result<(), AppError> {
    remove_part(db, owner, (PlanPart::Task, id), PlanEventKind::TaskDeleted, "", by).await
}
