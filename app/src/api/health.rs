//! Health scores: the account panel, CSM sentiment, the model editor (versions, what-if data,
//! backtest), the portfolio's distribution, and API keys.

use crate::error::AppError;
use crate::model::api_key::ApiKey;
use crate::model::health::*;
use crate::model::AccountId;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::ctx,
    crate::model::Permission,
    crate::{service, store},
};

/// Days of history the account panel can show.
pub const RANGES: &[u32] = &[30, 90, 365];

/// The account's score, its history over `days`, and why.
#[server(endpoint = "health/account", output = crate::api::codec::Json)]
pub async fn get_account_health(id: AccountId, days: u32) -> Result<AccountHealth, AppError> {
    ctx::run(Permission::View, |state, me| async move {
        let days = if RANGES.contains(&days) { days } else { 90 };
        let can_edit = me.role.may(Permission::EditAccounts);
        service::health::account_health(&state.db, &state.portfolio, &id, days, can_edit).await
    })
    .await
}

/// The CSM's own read of the account; re-scores it at once.
#[server(endpoint = "health/sentiment", output = crate::api::codec::Json)]
pub async fn set_sentiment(
    account_id: AccountId, colour: String, #[server(default)] note: String,
) -> Result<(), AppError> {
    ctx::run(Permission::EditAccounts, |state, me| async move {
        let colour = Band::parse(&colour)
            .ok_or_else(|| AppError::field("colour", "choose red, yellow or green"))?;
        let note = crate::model::validate::optional_text(&note, 1000)
            .map_err(|m| AppError::field("note", m))?;
        service::health::set_sentiment(
            &state.db,
            &state.portfolio,
            &account_id,
            colour,
            note.as_deref(),
            &me.id,
        )
        .await
    })
    .await
}

/// Everything the model editor needs for one model (`default` or a segment key): the model,
/// the accounts it scores with their facts (the browser re-scores them for what-if).
#[server(endpoint = "health/editor", output = crate::api::codec::Json)]
pub async fn get_model_editor(scope: String) -> Result<ModelEditor, AppError> {
    ctx::run(Permission::ManageSettings, |state, _| async move {
        service::health_models::model_editor(&state.db, &state.portfolio, &scope).await
    })
    .await
}

/// Saves the edited model as its next version and re-scores every account under it.
#[server(endpoint = "health/save_model", input = server_fn::codec::Json, output = crate::api::codec::Json)]
pub async fn save_model(scope: String, config: HealthConfig) -> Result<HealthModel, AppError> {
    ctx::run(Permission::ManageSettings, |state, me| async move {
        config.validate()?;
        service::health_models::save_model(&state.db, &state.portfolio, &scope, config, &me.id)
            .await
    })
    .await
}

/// Stops using a segment's own health model: its accounts are re-scored with the default model,
/// and the segment can be deleted. The model's versions stay (scores made with them keep their
/// explanation); saving a new version brings it back.
#[server(endpoint = "health/retire_model", output = crate::api::codec::Json)]
pub async fn retire_model(scope: String) -> Result<(), AppError> {
    ctx::run(Permission::ManageSettings, |state, _| async move {
        service::health_models::retire_model(&state.db, &state.portfolio, &scope).await
    })
    .await
}

/// The churn backtest of a model's settings (saved or being edited).
#[server(endpoint = "health/backtest", input = server_fn::codec::Json, output = crate::api::codec::Json)]
pub async fn run_backtest(
    scope: String, config: HealthConfig, days: u32,
) -> Result<Backtest, AppError> {
    ctx::run(Permission::ManageSettings, |state, _| async move {
        config.validate()?;
        if !(7..=365).contains(&days) {
            return Err(AppError::field("days", "must be between 7 and 365"));
        }
        service::health_models::backtest(&state.db, &state.portfolio, &scope, &config, days).await
    })
    .await
}

/// Red / yellow / green counts and ARR of the accounts a portfolio filter shows.
#[server(endpoint = "health/distribution", output = crate::api::codec::Json)]
pub async fn health_distribution(query: String) -> Result<Distribution, AppError> {
    ctx::run(Permission::View, |state, _| async move {
        let filter = crate::model::PortfolioFilter::from_query_string(&query);
        service::health::distribution(&state.portfolio, &filter).await
    })
    .await
}

#[server(endpoint = "api_keys/list", output = crate::api::codec::Json)]
pub async fn list_api_keys() -> Result<Vec<ApiKey>, AppError> {
    ctx::run(
        Permission::ManageApiKeys,
        |state, _| async move { store::api_keys::list(&state.db).await },
    )
    .await
}

/// Creates a key; the answer carries the secret, which is never shown again.
#[server(endpoint = "api_keys/create", output = crate::api::codec::Json)]
pub async fn create_api_key(
    name: String, #[server(default)] scopes: Vec<String>,
) -> Result<(ApiKey, String), AppError> {
    ctx::run(Permission::ManageApiKeys, |state, me| async move {
        let valid = crate::model::api_key::validate_api_key(&name, &scopes)?;
        store::api_keys::create(&state.db, &valid.name, &valid.scope_keys(), Some(&me.id)).await
    })
    .await
}

#[server(endpoint = "api_keys/revoke", output = crate::api::codec::Json)]
pub async fn revoke_api_key(id: String) -> Result<(), AppError> {
    ctx::run(Permission::ManageApiKeys, |state, _| async move {
        store::api_keys::revoke(&state.db, &id).await
    })
    .await
}
