//! Health scores: the account panel, CSM sentiment, the model editor (versions, what-if data,
//! backtest), the portfolio's distribution, and API keys.

use crate::error::AppError;
use crate::model::health::*;
#[cfg(feature = "ssr")]
use crate::model::Role;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ctx;

/// Days of history the account panel can show.
pub const RANGES: &[u32] = &[30, 90, 365];

/// The account's score, its history over `days`, and why.
#[server(endpoint = "health/account")]
pub async fn get_account_health(id: String, days: u32) -> Result<AccountHealth, AppError> {
    ctx::respond(
        async {
            let (state, me) = ctx::require(ctx::any_role, "").await?;
            let days = if RANGES.contains(&days) { days } else { 90 };
            crate::scoring::account_health(
                &state.db,
                &state.portfolio,
                &id,
                days,
                me.role.can_edit_accounts(),
            )
            .await
        }
        .await,
    )
}

/// The CSM's own read of the account; re-scores it at once.
#[server(endpoint = "health/sentiment")]
pub async fn set_sentiment(
    account_id: String,
    colour: String,
    #[server(default)] note: String,
) -> Result<(), AppError> {
    ctx::respond(
        async {
            let (state, me) =
                ctx::require(Role::can_edit_accounts, "executives cannot set sentiment").await?;
            let colour = Band::parse(&colour)
                .ok_or_else(|| AppError::field("colour", "choose red, yellow or green"))?;
            let note = crate::model::validate::optional_text(&note, 1000)
                .map_err(|m| AppError::field("note", m))?;
            crate::store::health::set_sentiment(
                &state.db,
                &account_id,
                colour,
                note.as_deref(),
                &me.id,
            )
            .await?;
            crate::scoring::recompute(
                &state.db,
                &state.portfolio,
                Some(&[account_id]),
                "sentiment",
            )
            .await?;
            Ok(())
        }
        .await,
    )
}

/// Everything the model editor needs for one model (`default` or a segment key): the model,
/// the accounts it scores with their facts (the browser re-scores them for what-if).
#[server(endpoint = "health/editor")]
pub async fn get_model_editor(scope: String) -> Result<ModelEditor, AppError> {
    ctx::respond(
        async {
            let (state, _) =
                ctx::require(Role::can_manage_users, "only admins edit health models").await?;
            let scope = if scope.is_empty() {
                crate::store::health::DEFAULT_SCOPE.to_string()
            } else {
                scope
            };
            crate::scoring::model_editor(&state.db, &state.portfolio, &scope).await
        }
        .await,
    )
}

/// Saves the edited model as its next version and re-scores every account under it.
#[server(endpoint = "health/save_model", input = server_fn::codec::Json)]
pub async fn save_model(scope: String, config: HealthConfig) -> Result<HealthModel, AppError> {
    ctx::respond(
        async {
            let (state, me) =
                ctx::require(Role::can_manage_users, "only admins edit health models").await?;
            config.validate()?;
            let mut config = config;
            config.key_features = config
                .key_features
                .iter()
                .map(|f| f.trim().to_lowercase())
                .collect();
            if scope != crate::store::health::DEFAULT_SCOPE {
                let segments = crate::store::segments::list(&state.db).await?;
                if !segments.iter().any(|s| s.id == scope) {
                    return Err(AppError::NotFound("segment".into()));
                }
            }
            let saved =
                crate::store::health::save_version(&state.db, &scope, &config, &me.id).await?;
            // The new version applies from now: re-score in the background.
            let (db, portfolio) = (state.db.clone(), state.portfolio.clone());
            tokio::spawn(async move {
                if let Err(e) = crate::scoring::recompute(&db, &portfolio, None, "model").await {
                    tracing::warn!(error = %e, "re-scoring after a model change failed");
                }
            });
            Ok(saved)
        }
        .await,
    )
}

/// Stops using a segment's own health model: its accounts are re-scored with the default model,
/// and the segment can be deleted. The model's versions stay (scores made with them keep their
/// explanation); saving a new version brings it back.
#[server(endpoint = "health/retire_model")]
pub async fn retire_model(scope: String) -> Result<(), AppError> {
    ctx::respond(
        async {
            let (state, _) =
                ctx::require(Role::can_manage_users, "only admins edit health models").await?;
            crate::store::health::retire(&state.db, &scope).await?;
            let (db, portfolio) = (state.db.clone(), state.portfolio.clone());
            tokio::spawn(async move {
                if let Err(e) = crate::scoring::recompute(&db, &portfolio, None, "model").await {
                    tracing::warn!(error = %e, "re-scoring after retiring a model failed");
                }
            });
            Ok(())
        }
        .await,
    )
}

/// The churn backtest of a model's settings (saved or being edited).
#[server(endpoint = "health/backtest", input = server_fn::codec::Json)]
pub async fn run_backtest(
    scope: String,
    config: HealthConfig,
    days: u32,
) -> Result<Backtest, AppError> {
    ctx::respond(
        async {
            let (state, _) =
                ctx::require(Role::can_manage_users, "only admins edit health models").await?;
            config.validate()?;
            if !(7..=365).contains(&days) {
                return Err(AppError::field("days", "must be between 7 and 365"));
            }
            let assignment = crate::scoring::Assignment::load(&state.db, &state.portfolio).await?;
            crate::scoring::backtest(
                &state.db,
                &state.portfolio,
                &assignment,
                &scope,
                &config,
                days,
            )
            .await
        }
        .await,
    )
}

/// Red / yellow / green counts and ARR of the accounts a portfolio filter shows.
#[server(endpoint = "health/distribution")]
pub async fn health_distribution(query: String) -> Result<Distribution, AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(ctx::any_role, "").await?;
            let filter = crate::model::PortfolioFilter::from_query_string(&query);
            let rows = crate::scoring::rows_matching(&state.portfolio, &filter).await?;
            Ok(crate::metrics::health::distribution(
                rows.iter()
                    .filter(|r| r.stage != crate::model::Stage::Churned)
                    .map(|r| (r.health_band, r.currency.as_str(), r.arr_minor)),
            ))
        }
        .await,
    )
}

#[server(endpoint = "api_keys/list")]
pub async fn list_api_keys() -> Result<Vec<ApiKey>, AppError> {
    ctx::respond(
        async {
            let (state, _) =
                ctx::require(Role::can_manage_users, "only admins manage API keys").await?;
            crate::store::api_keys::list(&state.db).await
        }
        .await,
    )
}

/// Creates a key; the answer carries the secret, which is never shown again.
#[server(endpoint = "api_keys/create")]
pub async fn create_api_key(
    name: String,
    #[server(default)] scopes: Vec<String>,
) -> Result<(ApiKey, String), AppError> {
    ctx::respond(
        async {
            let (state, me) =
                ctx::require(Role::can_manage_users, "only admins manage API keys").await?;
            let (name, scopes) = validate_api_key(&name, &scopes)?;
            crate::store::api_keys::create(&state.db, &name, &scopes, Some(&me.id)).await
        }
        .await,
    )
}

#[server(endpoint = "api_keys/revoke")]
pub async fn revoke_api_key(id: String) -> Result<(), AppError> {
    ctx::respond(
        async {
            let (state, _) =
                ctx::require(Role::can_manage_users, "only admins manage API keys").await?;
            crate::store::api_keys::revoke(&state.db, &id).await
        }
        .await,
    )
}
