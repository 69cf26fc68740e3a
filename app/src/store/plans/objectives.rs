//! A plan's objectives: set by the team; the current value also by the customer on the shared
//! plan where the team allowed it.

use super::{add_part, change, next_position, remove_part, title_of};
use crate::error::AppError;
use crate::model::plan::*;
use crate::store::Db;
use serde_json::json;

/// The SurrealQL that sets an objective's fields from an `objective_vars` object.
const SET_OBJECTIVE: &str = "metric = $metric, unit = $unit, baseline = $baseline,
    current = $current, target = $target, customer_can_update = $customer,
    updated_by_name = $actor, updated_at = time::now()";

fn objective_vars(o: &ObjectiveSpec) -> serde_json::Value {
    json!({
        "metric": o.metric, "unit": o.unit, "baseline": o.baseline,
        "current": o.current, "target": o.target, "customer": o.customer_can_update,
    })
}

pub async fn add_objective(
    db: &Db, owner: &PlanOwner, o: &ObjectiveSpec, by: &Actor,
) -> Result<String, AppError> {
    let body = format!(
        "CREATE type::record('objective', $key) SET plan = $p, {SET_OBJECTIVE}, position = {};",
        next_position("objective", "plan", "$p")
    );
    let entry = (PlanEventKind::ObjectiveAdded, EventData::titled(&o.metric));
    add_part(db, owner, &body, objective_vars(o), entry, by).await
}

pub async fn update_objective(
    db: &Db, owner: &PlanOwner, id: &str, o: &ObjectiveSpec, by: &Actor,
) -> Result<(), AppError> {
    let data = EventData {
        value: Some(o.current),
        target: Some(o.target),
        ..EventData::titled(&o.metric)
    };
    let mut vars = objective_vars(o);
    vars["id"] = json!(id);
    change(
        db,
        owner,
        &format!("UPDATE type::record('objective', $id) SET {SET_OBJECTIVE};"),
        vars,
        (PlanEventKind::ObjectiveEdited, data),
        by,
    )
    .await
}

/// The customer's update of an objective's current value: only on this plan, only where the
/// CSM allowed it.
pub async fn customer_set_objective(
    db: &Db, owner: &PlanOwner, id: &str, value: f64, by: &Actor,
) -> Result<(), AppError> {
    let metric = title_of(db, PlanPart::Objective, id).await?;
    let data = EventData { value: Some(value), ..EventData::titled(metric) };
    change(
        db,
        owner,
        "LET $o = type::record('objective', $id);
         IF $o.plan != $p { THROW 'bw:not_found:objective on this plan' };
         LET $changed = UPDATE $o SET current = $value, updated_by_name = $actor, updated_at = time::now()
            WHERE customer_can_update = true RETURN id;
         IF $changed = [] { THROW 'bw:forbidden:this objective is updated by the team, not on the shared plan' };",
        json!({ "id": id, "value": value }),
        (PlanEventKind::ObjectiveUpdated, data),
        by,
    )
    .await
}

pub async fn delete_objective(
    db: &Db, owner: &PlanOwner, id: &str, by: &Actor,
) -> Result<(), AppError> {
    let kind = PlanEventKind::ObjectiveDeleted;
    remove_part(db, owner, (PlanPart::Objective, id), kind, "", by).await
}
