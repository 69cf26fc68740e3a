//! A plan's milestones: added, edited, completed or reopened, deleted (with their tasks).

use super::{add_part, change, next_position, remove_part, title_of};
use crate::error::AppError;
use crate::model::plan::*;
use crate::store::{date_param, transact, Db};
use chrono::NaiveDate;
use serde_json::json;

fn milestone_vars(m: &ValidMilestone) -> serde_json::Value {
    json!({ "title": m.title, "due": date_param(m.due), "first": m.first_value })
}

pub async fn add_milestone(
    db: &Db, owner: &PlanOwner, m: &ValidMilestone, by: &Actor,
) -> Result<String, AppError> {
    let body = format!(
        "IF $first {{ UPDATE milestone SET first_value = false WHERE plan = $p }};
         CREATE type::record('milestone', $key) SET plan = $p, account = $acc, title = $title,
            due = <datetime>$due, first_value = $first, position = {};",
        next_position("milestone", "plan", "$p")
    );
    let entry = (PlanEventKind::MilestoneAdded, EventData::titled(&m.title));
    add_part(db, owner, &body, milestone_vars(m), entry, by).await
}

pub async fn update_milestone(
    db: &Db, owner: &PlanOwner, id: &str, m: &ValidMilestone, by: &Actor,
) -> Result<(), AppError> {
    let mut vars = milestone_vars(m);
    vars["id"] = json!(id);
    change(
        db,
        owner,
        "IF $first { UPDATE milestone SET first_value = false WHERE plan = $p AND id != type::record('milestone', $id) };
         UPDATE type::record('milestone', $id) SET title = $title, due = <datetime>$due, first_value = $first;",
        vars,
        (PlanEventKind::MilestoneEdited, EventData::titled(&m.title)),
        by,
    )
    .await
}

/// Marks a milestone complete (today) or open again.
pub async fn complete_milestone(
    db: &Db, owner: &PlanOwner, id: &str, done: bool, today: NaiveDate, by: &Actor,
) -> Result<(), AppError> {
    let title = title_of(db, PlanPart::Milestone, id).await?;
    let kind = if done { PlanEventKind::MilestoneDone } else { PlanEventKind::MilestoneReopened };
    change(
        db,
        owner,
        "UPDATE type::record('milestone', $id) SET
            completed_on = IF $done { <datetime>$today } ELSE { NONE },
            completed_by_name = IF $done { $actor } ELSE { NONE };",
        json!({ "id": id, "done": done, "today": date_param(today) }),
        (kind, EventData::titled(title)),
        by,
    )
    .await
}

/// Deletes a milestone and its tasks.
pub async fn delete_milestone(
    db: &Db, owner: &PlanOwner, id: &str, by: &Actor,
) -> Result<(), AppError> {
    let tasks = "DELETE task WHERE milestone = type::record('milestone', $id);";
    let kind = PlanEventKind::MilestoneDeleted;
    remove_part(db, owner, (PlanPart::Milestone, id), kind, tasks, by).await
}

/// Demo data only (`seed-demo`): marks a milestone complete on a past date, with its tasks
/// done, as if the work had happened then.
pub async fn complete_as_of(
    db: &Db, milestone: &str, on: NaiveDate, by: &str,
) -> Result<(), AppError> {
    transact(
        db,
        "BEGIN;
         LET $m = type::record('milestone', $id);
         UPDATE $m SET completed_on = <datetime>$on, completed_by_name = $by;
         UPDATE task SET status = 'done', done_by_name = $by, done_at = <datetime>$on WHERE milestone = $m;
         CREATE plan_event SET plan = $m.plan, account = $m.account, kind = $kind,
            data = { title: $m.title }, actor = $by, by_customer = false, at = <datetime>$on;
         COMMIT;",
        json!({
            "id": milestone, "on": date_param(on), "by": by,
            "kind": PlanEventKind::MilestoneDone.key(),
        }),
    )
    .await?;
    Ok(())
}
