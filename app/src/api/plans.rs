//! Success plans: templates (admin), the plan builder (CSM), and sharing a plan with a customer.
//! Every change answers with the whole plan as it now stands, so the builder replaces its
//! optimistic copy with the truth (or rolls back to it when the server refuses).

use crate::error::AppError;
use crate::model::plan::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ctx;
#[cfg(feature = "ssr")]
use crate::model::Role;
#[cfg(feature = "ssr")]
use crate::store::plans::{self as store, Actor, Owner};

#[cfg(feature = "ssr")]
fn actor(me: &crate::model::Me) -> Actor {
    Actor::Staff {
        id: me.id.clone(),
        name: me.name.clone(),
    }
}

/// Staff who may change plans, and the plan (or part) they name.
#[cfg(feature = "ssr")]
async fn editable(
    table: &str,
    id: &str,
) -> Result<(crate::state::AppState, crate::model::Me, Owner), AppError> {
    let (state, me) = ctx::require(
        Role::can_edit_accounts,
        "executives can read success plans but not change them",
    )
    .await?;
    let owner = store::owner_of(&state.db, table, id)
        .await?
        .ok_or_else(|| AppError::NotFound(table.replace('_', " ")))?;
    Ok((state, me, owner))
}

/// The plan as the builder shows it.
#[cfg(feature = "ssr")]
pub async fn detail(state: &crate::state::AppState, id: &str) -> Result<PlanDetail, AppError> {
    let plan = store::get(&state.db, id)
        .await?
        .ok_or_else(|| AppError::NotFound("success plan".into()))?;
    let shares = crate::store::plan_shares::list(&state.db, id).await?;
    let events = store::events(&state.db, id, 30).await?;
    let owners = store::owner_choices(&state.db, &plan.account_id).await?;
    Ok(PlanDetail {
        plan,
        shares,
        events,
        owners,
    })
}

#[cfg(feature = "ssr")]
async fn after_change(
    state: &crate::state::AppState,
    owner: &Owner,
) -> Result<PlanDetail, AppError> {
    state.account_activity(&owner.account);
    detail(state, &owner.plan).await
}

#[server(endpoint = "templates/list")]
pub async fn list_templates() -> Result<Vec<JourneyTemplate>, AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(ctx::any_role, "").await?;
            crate::store::templates::list(&state.db).await
        }
        .await,
    )
}

/// Creates (empty `id`) or saves a new version of a template. Admins only.
#[server(endpoint = "templates/save", input = server_fn::codec::Json)]
pub async fn save_template(id: String, input: TemplateInput) -> Result<JourneyTemplate, AppError> {
    ctx::respond(
        async {
            let (state, me) =
                ctx::require(Role::can_manage_users, "only admins edit journey templates").await?;
            let valid = input.validate()?;
            if id.trim().is_empty() {
                crate::store::templates::create(&state.db, &valid, &me.id).await
            } else {
                crate::store::templates::update(&state.db, id.trim(), &valid, &me.id).await
            }
        }
        .await,
    )
}

#[server(endpoint = "templates/archive")]
pub async fn archive_template(id: String) -> Result<(), AppError> {
    ctx::respond(
        async {
            let (state, _) =
                ctx::require(Role::can_manage_users, "only admins edit journey templates").await?;
            crate::store::templates::archive(&state.db, &id).await
        }
        .await,
    )
}

/// The account's plans with their derived status and progress.
#[server(endpoint = "plans/for_account")]
pub async fn account_plans(account_id: String) -> Result<Vec<PlanSummary>, AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(ctx::any_role, "").await?;
            let today = chrono::Utc::now().date_naive();
            let plans =
                store::for_accounts(&state.db, Some(std::slice::from_ref(&account_id))).await?;
            Ok(plans.iter().map(|p| summary(p, today)).collect())
        }
        .await,
    )
}

/// Makes a plan on the account (blank or from a template); answers the new plan's id.
#[server(endpoint = "plans/create")]
pub async fn create_plan(account_id: String, input: NewPlanInput) -> Result<String, AppError> {
    ctx::respond(
        async {
            let (state, me) = ctx::require(
                Role::can_edit_accounts,
                "executives can read success plans but not make them",
            )
            .await?;
            let valid = input.validate()?;
            let template = match &valid.template_id {
                None => None,
                Some(t) => Some(
                    crate::store::templates::get(&state.db, t)
                        .await?
                        .ok_or_else(|| {
                            AppError::field("template_id", "that template no longer exists")
                        })?,
                ),
            };
            let id = store::create(
                &state.db,
                &account_id,
                &valid,
                template.as_ref(),
                &actor(&me),
            )
            .await?;
            state.account_activity(&account_id);
            Ok(id)
        }
        .await,
    )
}

#[server(endpoint = "plans/get")]
pub async fn get_plan(id: String) -> Result<PlanDetail, AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(ctx::any_role, "").await?;
            detail(&state, &id).await
        }
        .await,
    )
}

#[server(endpoint = "plans/milestone/add")]
pub async fn add_milestone(plan_id: String, input: MilestoneInput) -> Result<PlanDetail, AppError> {
    ctx::respond(
        async {
            let (state, me, owner) = editable("plan", &plan_id).await?;
            let valid = input.validate(owner.start)?;
            store::add_milestone(&state.db, &owner, &valid, &actor(&me)).await?;
            after_change(&state, &owner).await
        }
        .await,
    )
}

#[server(endpoint = "plans/milestone/update")]
pub async fn update_milestone(id: String, input: MilestoneInput) -> Result<PlanDetail, AppError> {
    ctx::respond(
        async {
            let (state, me, owner) = editable("milestone", &id).await?;
            let valid = input.validate(owner.start)?;
            store::update_milestone(&state.db, &owner, &id, &valid, &actor(&me)).await?;
            after_change(&state, &owner).await
        }
        .await,
    )
}

#[server(endpoint = "plans/milestone/complete")]
pub async fn complete_milestone(id: String, done: bool) -> Result<PlanDetail, AppError> {
    ctx::respond(
        async {
            let (state, me, owner) = editable("milestone", &id).await?;
            let today = chrono::Utc::now().date_naive();
            store::complete_milestone(&state.db, &owner, &id, done, today, &actor(&me)).await?;
            after_change(&state, &owner).await
        }
        .await,
    )
}

#[server(endpoint = "plans/milestone/delete")]
pub async fn delete_milestone(id: String) -> Result<PlanDetail, AppError> {
    ctx::respond(
        async {
            let (state, me, owner) = editable("milestone", &id).await?;
            store::delete_milestone(&state.db, &owner, &id, &actor(&me)).await?;
            after_change(&state, &owner).await
        }
        .await,
    )
}

#[server(endpoint = "plans/task/add")]
pub async fn add_task(milestone_id: String, input: TaskInput) -> Result<PlanDetail, AppError> {
    ctx::respond(
        async {
            let (state, me, owner) = editable("milestone", &milestone_id).await?;
            let valid = input.validate(owner.start)?;
            let who = store::resolve_owner(&state.db, &owner.account, &valid.owner).await?;
            store::add_task(&state.db, &owner, &milestone_id, &valid, who, &actor(&me)).await?;
            after_change(&state, &owner).await
        }
        .await,
    )
}

#[server(endpoint = "plans/task/update")]
pub async fn update_task(id: String, input: TaskInput) -> Result<PlanDetail, AppError> {
    ctx::respond(
        async {
            let (state, me, owner) = editable("task", &id).await?;
            let valid = input.validate(owner.start)?;
            let who = store::resolve_owner(&state.db, &owner.account, &valid.owner).await?;
            store::update_task(&state.db, &owner, &id, &valid, who, &actor(&me)).await?;
            after_change(&state, &owner).await
        }
        .await,
    )
}

#[server(endpoint = "plans/task/status")]
pub async fn set_task_status(id: String, status: String) -> Result<PlanDetail, AppError> {
    ctx::respond(
        async {
            let (state, me, owner) = editable("task", &id).await?;
            let status = TaskStatus::parse(&status).ok_or_else(|| {
                AppError::field("status", format!("choose one of {}", TaskStatus::choices()))
            })?;
            store::set_task_status(&state.db, &owner, &id, status, &actor(&me)).await?;
            after_change(&state, &owner).await
        }
        .await,
    )
}

#[server(endpoint = "plans/task/delete")]
pub async fn delete_task(id: String) -> Result<PlanDetail, AppError> {
    ctx::respond(
        async {
            let (state, me, owner) = editable("task", &id).await?;
            store::delete_task(&state.db, &owner, &id, &actor(&me)).await?;
            after_change(&state, &owner).await
        }
        .await,
    )
}

/// The new order of one milestone's tasks (every task id of that milestone, once).
#[server(endpoint = "plans/task/reorder", input = server_fn::codec::Json)]
pub async fn reorder_tasks(milestone_id: String, ids: Vec<String>) -> Result<PlanDetail, AppError> {
    ctx::respond(
        async {
            let (state, me, owner) = editable("milestone", &milestone_id).await?;
            if ids.len() > MAX_TASKS_PER_PLAN {
                return Err(AppError::field("order", "too many tasks"));
            }
            store::reorder_tasks(&state.db, &owner, &milestone_id, &ids, &actor(&me)).await?;
            after_change(&state, &owner).await
        }
        .await,
    )
}

#[server(endpoint = "plans/objective/add")]
pub async fn add_objective(plan_id: String, input: ObjectiveInput) -> Result<PlanDetail, AppError> {
    ctx::respond(
        async {
            let (state, me, owner) = editable("plan", &plan_id).await?;
            let valid = input.validate()?;
            store::add_objective(&state.db, &owner, &valid, &actor(&me)).await?;
            after_change(&state, &owner).await
        }
        .await,
    )
}

#[server(endpoint = "plans/objective/update")]
pub async fn update_objective(id: String, input: ObjectiveInput) -> Result<PlanDetail, AppError> {
    ctx::respond(
        async {
            let (state, me, owner) = editable("objective", &id).await?;
            let valid = input.validate()?;
            store::update_objective(&state.db, &owner, &id, &valid, &actor(&me)).await?;
            after_change(&state, &owner).await
        }
        .await,
    )
}

#[server(endpoint = "plans/objective/delete")]
pub async fn delete_objective(id: String) -> Result<PlanDetail, AppError> {
    ctx::respond(
        async {
            let (state, me, owner) = editable("objective", &id).await?;
            store::delete_objective(&state.db, &owner, &id, &actor(&me)).await?;
            after_change(&state, &owner).await
        }
        .await,
    )
}

#[server(endpoint = "plans/comment")]
pub async fn comment_on_plan(plan_id: String, text: String) -> Result<PlanDetail, AppError> {
    ctx::respond(
        async {
            let (state, me, owner) = editable("plan", &plan_id).await?;
            let text = crate::model::validate::required_text(&text, 2000)
                .map_err(|m| AppError::field("text", format!("the comment {m}")))?;
            store::note(&state.db, &owner, "comment", text, &actor(&me)).await?;
            after_change(&state, &owner).await
        }
        .await,
    )
}

/// Days a shared link works unless revoked earlier.
pub const SHARE_DAYS: &[u32] = &[7, 30, 90];

/// Shares the plan with a contact of its account; the answer carries the link (shown once; it
/// is not stored, only what it names).
#[server(endpoint = "plans/share")]
pub async fn share_plan(
    plan_id: String,
    contact_id: String,
    days: String,
) -> Result<PlanShare, AppError> {
    ctx::respond(
        async {
            let (state, me, owner) = editable("plan", &plan_id).await?;
            if contact_id.trim().is_empty() {
                return Err(AppError::field(
                    "contact_id",
                    "choose the contact to share with",
                ));
            }
            let days: u32 = days
                .trim()
                .parse()
                .ok()
                .filter(|d| SHARE_DAYS.contains(d))
                .ok_or_else(|| AppError::field("days", "choose 7, 30 or 90 days"))?;
            let expires = chrono::Utc::now() + chrono::Duration::days(days as i64);
            let mut share = crate::store::plan_shares::create(
                &state.db,
                &owner.plan,
                &owner.account,
                contact_id.trim(),
                expires,
                (&me.id, &me.name),
            )
            .await?;
            let token = state.keyring().sign_share(&share.id, expires.timestamp());
            share.url = Some(format!("{}/p/{token}", state.public_url));
            state.account_activity(&owner.account);
            Ok(share)
        }
        .await,
    )
}

#[server(endpoint = "plans/share/revoke")]
pub async fn revoke_share(plan_id: String, share_id: String) -> Result<PlanDetail, AppError> {
    ctx::respond(
        async {
            let (state, me, owner) = editable("plan", &plan_id).await?;
            crate::store::plan_shares::revoke(&state.db, &owner.plan, &share_id, &me.name).await?;
            after_change(&state, &owner).await
        }
        .await,
    )
}
