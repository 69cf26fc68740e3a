//! Success plans: templates (admin), the plan builder (CSM), and sharing a plan with a customer.
//! Every change answers with the whole plan as it now stands, so the builder replaces its
//! optimistic copy with the truth (or rolls back to it when the server refuses).

use crate::error::AppError;
use crate::model::plan::*;
use crate::model::{AccountId, PlanId, TemplateId};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::ctx,
    crate::model::Permission,
    crate::service::plans as service,
    crate::state::AppState,
    crate::store::{self, plans as store_plans},
};

/// Changes the plan that `part` `id` belongs to, as staff who may edit plans: `change` gets the
/// plan's owner and the actor; the answer is the plan as it then stands.
#[cfg(feature = "ssr")]
async fn edit<F, Fut>(part: PlanPart, id: String, change: F) -> Result<PlanDetail, AppError>
where
    F: FnOnce(AppState, PlanOwner, Actor) -> Fut,
    Fut: std::future::Future<Output = Result<(), AppError>>,
{
    ctx::run(Permission::EditPlans, |state, me| async move {
        let owner = service::owner(&state.db, part, &id).await?;
        change(state.clone(), owner.clone(), service::staff(&me)).await?;
        service::changed(&state, &owner).await
    })
    .await
}

#[server(endpoint = "templates/list", output = crate::api::codec::Json)]
pub async fn list_templates() -> Result<Vec<JourneyTemplate>, AppError> {
    ctx::run(Permission::View, |state, _| async move { store::templates::list(&state.db).await })
        .await
}

/// Creates (empty `id`) or saves a new version of a template. Admins only.
#[server(endpoint = "templates/save", input = server_fn::codec::Json, output = crate::api::codec::Json)]
pub async fn save_template(id: String, input: TemplateInput) -> Result<JourneyTemplate, AppError> {
    ctx::run(Permission::ManageSettings, |state, me| async move {
        let valid = input.validate()?;
        match id.trim() {
            "" => store::templates::create(&state.db, &valid, &me.id).await,
            id => store::templates::update(&state.db, id, &valid, &me.id).await,
        }
    })
    .await
}

#[server(endpoint = "templates/archive", output = crate::api::codec::Json)]
pub async fn archive_template(id: TemplateId) -> Result<(), AppError> {
    ctx::run(Permission::ManageSettings, |state, _| async move {
        store::templates::archive(&state.db, &id).await
    })
    .await
}

/// The account's plans with their derived status and progress.
#[server(endpoint = "plans/for_account", output = crate::api::codec::Json)]
pub async fn account_plans(account_id: AccountId) -> Result<Vec<PlanSummary>, AppError> {
    ctx::run(Permission::View, |state, _| async move {
        let today = chrono::Utc::now().date_naive();
        let plans = store_plans::for_accounts(&state.db, Some(&[account_id.into_inner()])).await?;
        Ok(plans.iter().map(|p| summary(p, today)).collect())
    })
    .await
}

/// Makes a plan on the account (blank or from a template); answers the new plan's id.
#[server(endpoint = "plans/create", output = crate::api::codec::Json)]
pub async fn create_plan(account_id: AccountId, input: NewPlanInput) -> Result<PlanId, AppError> {
    ctx::run(Permission::EditPlans, |state, me| async move {
        service::create(&state, &account_id, &input, &service::staff(&me)).await
    })
    .await
}

#[server(endpoint = "plans/get", output = crate::api::codec::Json)]
pub async fn get_plan(id: PlanId) -> Result<PlanDetail, AppError> {
    ctx::run(Permission::View, |state, _| async move { service::detail(&state.db, &id).await })
        .await
}

#[server(endpoint = "plans/milestone/add", output = crate::api::codec::Json)]
pub async fn add_milestone(plan_id: PlanId, input: MilestoneInput) -> Result<PlanDetail, AppError> {
    edit(PlanPart::Plan, plan_id.into(), |state, owner, by| async move {
        let valid = input.validate(owner.start)?;
        store_plans::add_milestone(&state.db, &owner, &valid, &by).await.map(drop)
    })
    .await
}

#[server(endpoint = "plans/milestone/update", output = crate::api::codec::Json)]
pub async fn update_milestone(id: String, input: MilestoneInput) -> Result<PlanDetail, AppError> {
    edit(PlanPart::Milestone, id.clone(), |state, owner, by| async move {
        let valid = input.validate(owner.start)?;
        store_plans::update_milestone(&state.db, &owner, &id, &valid, &by).await
    })
    .await
}

#[server(endpoint = "plans/milestone/complete", output = crate::api::codec::Json)]
pub async fn complete_milestone(id: String, done: bool) -> Result<PlanDetail, AppError> {
    edit(PlanPart::Milestone, id.clone(), |state, owner, by| async move {
        let today = chrono::Utc::now().date_naive();
        store_plans::complete_milestone(&state.db, &owner, &id, done, today, &by).await
    })
    .await
}

#[server(endpoint = "plans/milestone/delete", output = crate::api::codec::Json)]
pub async fn delete_milestone(id: String) -> Result<PlanDetail, AppError> {
    edit(PlanPart::Milestone, id.clone(), |state, owner, by| async move {
        store_plans::delete_milestone(&state.db, &owner, &id, &by).await
    })
    .await
}

#[server(endpoint = "plans/task/add", output = crate::api::codec::Json)]
pub async fn add_task(milestone_id: String, input: TaskInput) -> Result<PlanDetail, AppError> {
    edit(PlanPart::Milestone, milestone_id.clone(), |state, owner, by| async move {
        let valid = input.validate(owner.start)?;
        let who = store_plans::resolve_owner(&state.db, &owner.account, &valid.owner).await?;
        store_plans::add_task(&state.db, &owner, &milestone_id, &valid, who, &by).await.map(drop)
    })
    .await
}

#[server(endpoint = "plans/task/update", output = crate::api::codec::Json)]
pub async fn update_task(id: String, input: TaskInput) -> Result<PlanDetail, AppError> {
    edit(PlanPart::Task, id.clone(), |state, owner, by| async move {
        let valid = input.validate(owner.start)?;
        let who = store_plans::resolve_owner(&state.db, &owner.account, &valid.owner).await?;
        store_plans::update_task(&state.db, &owner, &id, &valid, who, &by).await
    })
    .await
}

#[server(endpoint = "plans/task/status", output = crate::api::codec::Json)]
pub async fn set_task_status(id: String, status: String) -> Result<PlanDetail, AppError> {
    edit(PlanPart::Task, id.clone(), |state, owner, by| async move {
        let status = TaskStatus::parse(&status).ok_or_else(|| {
            AppError::field("status", format!("choose one of {}", TaskStatus::choices()))
        })?;
        store_plans::set_task_status(&state.db, &owner, &id, status, &by).await
    })
    .await
}

#[server(endpoint = "plans/task/delete", output = crate::api::codec::Json)]
pub async fn delete_task(id: String) -> Result<PlanDetail, AppError> {
    edit(PlanPart::Task, id.clone(), |state, owner, by| async move {
        store_plans::delete_task(&state.db, &owner, &id, &by).await
    })
    .await
}

/// The new order of one milestone's tasks (every task id of that milestone, once).
#[server(endpoint = "plans/task/reorder", input = server_fn::codec::Json, output = crate::api::codec::Json)]
pub async fn reorder_tasks(milestone_id: String, ids: Vec<String>) -> Result<PlanDetail, AppError> {
    edit(PlanPart::Milestone, milestone_id.clone(), |state, owner, by| async move {
        if ids.len() > MAX_TASKS_PER_PLAN {
            return Err(AppError::field("order", "too many tasks"));
        }
        store_plans::reorder_tasks(&state.db, &owner, &milestone_id, &ids, &by).await
    })
    .await
}

#[server(endpoint = "plans/objective/add", output = crate::api::codec::Json)]
pub async fn add_objective(plan_id: PlanId, input: ObjectiveInput) -> Result<PlanDetail, AppError> {
    edit(PlanPart::Plan, plan_id.into(), |state, owner, by| async move {
        let valid = input.validate()?;
        store_plans::add_objective(&state.db, &owner, &valid, &by).await.map(drop)
    })
    .await
}

#[server(endpoint = "plans/objective/update", output = crate::api::codec::Json)]
pub async fn update_objective(id: String, input: ObjectiveInput) -> Result<PlanDetail, AppError> {
    edit(PlanPart::Objective, id.clone(), |state, owner, by| async move {
        let valid = input.validate()?;
        store_plans::update_objective(&state.db, &owner, &id, &valid, &by).await
    })
    .await
}

#[server(endpoint = "plans/objective/delete", output = crate::api::codec::Json)]
pub async fn delete_objective(id: String) -> Result<PlanDetail, AppError> {
    edit(PlanPart::Objective, id.clone(), |state, owner, by| async move {
        store_plans::delete_objective(&state.db, &owner, &id, &by).await
    })
    .await
}

#[server(endpoint = "plans/comment", output = crate::api::codec::Json)]
pub async fn comment_on_plan(plan_id: PlanId, text: String) -> Result<PlanDetail, AppError> {
    edit(PlanPart::Plan, plan_id.into(), |state, owner, by| async move {
        let text = crate::model::validate::required_text(&text, 2000)
            .map_err(|m| AppError::field("text", format!("the comment {m}")))?;
        store_plans::comment(&state.db, &owner, text, &by).await
    })
    .await
}

/// Days a shared link works unless revoked earlier.
pub const SHARE_DAYS: &[u32] = &[7, 30, 90];

/// Shares the plan with a contact of its account; the answer carries the link (shown once; it
/// is not stored, only what it names).
#[server(endpoint = "plans/share", output = crate::api::codec::Json)]
pub async fn share_plan(
    plan_id: PlanId, contact_id: String, days: String,
) -> Result<PlanShare, AppError> {
    ctx::run(Permission::EditPlans, |state, me| async move {
        let owner = service::owner(&state.db, PlanPart::Plan, &plan_id).await?;
        let contact = contact_id.trim();
        if contact.is_empty() {
            return Err(AppError::field("contact_id", "choose the contact to share with"));
        }
        let days: u32 = days
            .trim()
            .parse()
            .ok()
            .filter(|d| SHARE_DAYS.contains(d))
            .ok_or_else(|| AppError::field("days", "choose 7, 30 or 90 days"))?;
        service::share(&state, &owner, contact, days, &me).await
    })
    .await
}

#[server(endpoint = "plans/share/revoke", output = crate::api::codec::Json)]
pub async fn revoke_share(plan_id: PlanId, share_id: String) -> Result<PlanDetail, AppError> {
    ctx::run(Permission::EditPlans, |state, me| async move {
        let owner = service::owner(&state.db, PlanPart::Plan, &plan_id).await?;
        store::plan_shares::revoke(&state.db, &owner.plan, &share_id, &me.name).await?;
        service::changed(&state, &owner).await
    })
    .await
}
