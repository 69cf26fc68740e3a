//! The engagement model (touchpoints, cadence rules), the account timeline, a CSM's work list,
//! and time to value.

use crate::error::AppError;
use crate::model::engagement::*;
use crate::model::plan::TimeToValue;
use crate::model::AccountId;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::ctx,
    crate::model::Permission,
    crate::{service, store},
};

#[server(endpoint = "engagement/account", output = crate::api::codec::Json)]
pub async fn get_engagement(account_id: AccountId) -> Result<Engagement, AppError> {
    ctx::run(Permission::View, |state, _| async move {
        service::engagement::for_account(&state, &account_id).await
    })
    .await
}

#[server(endpoint = "engagement/log", output = crate::api::codec::Json)]
pub async fn log_touchpoint(
    account_id: AccountId, input: TouchpointInput,
) -> Result<Touchpoint, AppError> {
    ctx::run(Permission::EditPlans, |state, me| async move {
        let valid = input.validate(chrono::Utc::now().date_naive())?;
        let t = store::touchpoints::create(&state.db, &account_id, &valid, &me.id).await?;
        state.account_activity(&account_id);
        Ok(t)
    })
    .await
}

/// Logs that the customer answered touchpoint `touchpoint_id` (an email or meeting request
/// logged as awaiting them): refused when it is not this account's (404), or not awaiting a
/// reply or already answered (409).
#[server(endpoint = "engagement/replied", output = crate::api::codec::Json)]
pub async fn customer_replied(
    account_id: AccountId, touchpoint_id: String,
) -> Result<Touchpoint, AppError> {
    ctx::run(Permission::EditPlans, |state, _| async move {
        let id = touchpoint_id.trim();
        if id.is_empty() || id.len() > 64 {
            return Err(AppError::NotFound("touchpoint on this account".into()));
        }
        service::engagement::customer_replied(&state, &account_id, id).await
    })
    .await
}

#[server(endpoint = "engagement/rules", output = crate::api::codec::Json)]
pub async fn list_cadence_rules() -> Result<Vec<CadenceRule>, AppError> {
    ctx::run(Permission::View, |state, _| async move { store::touchpoints::rules(&state.db).await })
        .await
}

#[server(endpoint = "engagement/rules/add", output = crate::api::codec::Json)]
pub async fn add_cadence_rule(input: CadenceInput) -> Result<(), AppError> {
    ctx::run(Permission::ManageSettings, |state, _| async move {
        let (segment, kind, every) = input.validate()?;
        store::touchpoints::add_rule(&state.db, &segment, kind, every).await
    })
    .await
}

#[server(endpoint = "engagement/rules/remove", output = crate::api::codec::Json)]
pub async fn remove_cadence_rule(id: String) -> Result<(), AppError> {
    ctx::run(Permission::ManageSettings, |state, _| async move {
        store::touchpoints::remove_rule(&state.db, &id).await
    })
    .await
}

/// One feed of everything that happened with the account, newest first; `kind` keeps one
/// kind (a [`TimelineKind`] key) or all when empty.
#[server(endpoint = "engagement/timeline", output = crate::api::codec::Json)]
pub async fn get_timeline(
    account_id: AccountId, #[server(default)] kind: String,
) -> Result<Vec<TimelineItem>, AppError> {
    ctx::run(Permission::View, |state, _| async move {
        service::timeline::for_account(&state, &account_id, &kind).await
    })
    .await
}

/// What is due for the signed-in person across the accounts they own or serve on, within
/// `days` (14 when 0, at most 90).
#[server(endpoint = "engagement/my_work", output = crate::api::codec::Json)]
pub async fn get_my_work(#[server(default)] days: u32) -> Result<MyWork, AppError> {
    ctx::run(Permission::View, |state, me| async move {
        service::my_work::for_user(&state, &me.id, days).await
    })
    .await
}

/// Median days from contract start to the first-value milestone, overall, per cohort (the
/// month the contract started) and per saved segment.
#[server(endpoint = "engagement/ttv", output = crate::api::codec::Json)]
pub async fn get_time_to_value() -> Result<TimeToValue, AppError> {
    ctx::run(Permission::View, |state, _| async move {
        let v = state.dashboards.ttv(|| service::engagement::time_to_value(&state)).await?;
        Ok((*v).clone())
    })
    .await
}
