//! Success plans as the builder works on them: which plan a request's part belongs to, the plan
//! as the builder shows it, what follows every change (re-score the account, tell the pages open
//! on it), making a plan from a template, and sharing a plan with a contact.

use crate::error::AppError;
use crate::model::plan::{Actor, NewPlanInput, PlanDetail, PlanOwner, PlanPart, PlanShare};
use crate::model::{Me, PlanId};
use crate::state::AppState;
use crate::store::{self, Db};

/// How many activity entries the builder shows.
const EVENTS_SHOWN: usize = 30;

/// A staff member acting on a plan.
pub fn staff(me: &Me) -> Actor {
    Actor::Staff { id: me.id.clone(), name: me.name.clone() }
}

/// The plan (and account) the part `id` belongs to; 404 naming the part when there is none.
pub async fn owner(db: &Db, part: PlanPart, id: &str) -> Result<PlanOwner, AppError> {
    store::plans::owner_of(db, part, id)
        .await?
        .ok_or_else(|| AppError::NotFound(part.table().into()))
}

/// Sets a task's status for another system (a project tool marking work done), recorded as
/// done by the API key's name; answers the plan as it now stands. A task of another plan is
/// not found, as is an unknown one.
pub async fn task_status_from_integration(
    state: &AppState, plan: &str, task: &str, status: crate::model::plan::TaskStatus, key: &str,
) -> Result<crate::model::plan::Plan, AppError> {
    let not_found = || AppError::NotFound("task on this plan".into());
    let owner =
        store::plans::owner_of(&state.db, PlanPart::Task, task).await?.ok_or_else(not_found)?;
    if owner.plan.as_str() != plan {
        return Err(not_found());
    }
    let by = Actor::Integration { key: key.to_string() };
    store::plans::set_task_status(&state.db, &owner, task, status, &by).await?;
    state.account_activity(&owner.account);
    store::plans::get(&state.db, plan).await?.ok_or_else(not_found)
}

/// The plan as the builder shows it: the plan, its shares, recent activity and who its tasks
/// can be given to.
pub async fn detail(db: &Db, id: &str) -> Result<PlanDetail, AppError> {
    let plan = store::plans::get(db, id)
        .await?
        .ok_or_else(|| AppError::NotFound("success plan".into()))?;
    let shares = store::plan_shares::list(db, id).await?;
    let events = store::plans::events(db, id, EVENTS_SHOWN).await?;
    let owners = store::plans::owner_choices(db, &plan.account_id).await?;
    Ok(PlanDetail { plan, shares, events, owners })
}

/// After a change to the plan `owner` names: its account is re-scored (milestone slippage,
/// engagement recency), pages open on it refresh, and the plan is answered as it now stands.
pub async fn changed(state: &AppState, owner: &PlanOwner) -> Result<PlanDetail, AppError> {
    state.account_activity(&owner.account);
    detail(&state.db, &owner.plan).await
}

/// Makes a plan on the account, blank or from a template; answers its id.
pub async fn create(
    state: &AppState, account: &str, input: &NewPlanInput, by: &Actor,
) -> Result<PlanId, AppError> {
    let valid = input.validate()?;
    let template = match &valid.template_id {
        None => None,
        Some(t) => Some(
            store::templates::get(&state.db, t)
                .await?
                .ok_or_else(|| AppError::field("template_id", "that template no longer exists"))?,
        ),
    };
    let id = store::plans::create(&state.db, account, &valid, template.as_ref(), by).await?;
    state.account_activity(account);
    Ok(id)
}

/// Shares the plan with a contact of its account for `days`. The answer carries the signed
/// link, shown once: it is not stored, only the share it names.
pub async fn share(
    state: &AppState, owner: &PlanOwner, contact: &str, days: u32, me: &Me,
) -> Result<PlanShare, AppError> {
    let expires = chrono::Utc::now() + chrono::Duration::days(days as i64);
    let by = (me.id.as_str(), me.name.as_str());
    let mut share =
        store::plan_shares::create(&state.db, &owner.plan, &owner.account, contact, expires, by)
            .await?;
    let token = state.keyring().sign_share(&share.id, expires.timestamp());
    share.url = Some(format!("{}/p/{token}", state.public_url));
    state.account_activity(&owner.account);
    Ok(share)
}
