//! Revenue: the executive dashboard, its drill-downs, an account's ARR movements and the
//! revenue settings.

use crate::error::AppError;
use crate::model::dashboard::*;
use crate::model::revenue::{AccountRevenue, ImportOutcome, MovementForm};
use crate::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::ctx, crate::service};

/// Executives and CSMs (their own book by default) see the dashboard.
#[server(endpoint = "revenue/dashboard", output = crate::api::codec::Json)]
pub async fn get_exec_dashboard(
    #[server(default)] filter: DashboardFilter,
) -> Result<ExecDashboard, AppError> {
    ctx::run(Permission::View, |state, me| async move {
        service::dashboard::dashboard(&state, &me, &filter).await
    })
    .await
}

#[server(endpoint = "revenue/drill", output = crate::api::codec::Json)]
pub async fn get_drill_down(
    #[server(default)] filter: DashboardFilter, drill: Drill,
) -> Result<DrillDown, AppError> {
    ctx::run(Permission::View, |state, me| async move {
        service::dashboard::drill(&state, &me, &filter, drill).await
    })
    .await
}

#[server(endpoint = "revenue/account", output = crate::api::codec::Json)]
pub async fn get_account_revenue(account: AccountId) -> Result<AccountRevenue, AppError> {
    ctx::run(Permission::View, |state, _| async move {
        service::revenue::of_account(&state, &account).await
    })
    .await
}

/// Records a change of ARR from the account page (admins and CSMs).
#[server(endpoint = "revenue/record", output = crate::api::codec::Json)]
pub async fn record_movement(
    account: AccountId, form: MovementForm,
) -> Result<AccountRevenue, AppError> {
    ctx::run(Permission::EditAccounts, |state, me| async move {
        service::revenue::record(&state, &me.name, &account, &form).await
    })
    .await
}

/// Settings → Revenue: the gross margin CLV uses (80 % until an admin sets it) and the
/// conversion rates for combined figures.
#[server(endpoint = "revenue/settings", output = crate::api::codec::Json)]
pub async fn get_revenue_settings() -> Result<RevenueSettingsView, AppError> {
    ctx::run(Permission::ManageSettings, |state, _| async move {
        let s = crate::store::settings::revenue(&state.db).await?;
        let fx = s.as_ref().and_then(|s| s.fx.clone()).unwrap_or_default();
        Ok(RevenueSettingsView {
            gross_margin: s.map_or(service::dashboard::DEFAULT_GROSS_MARGIN, |s| s.gross_margin)
                * 100.0,
            reporting: if fx.reporting.is_empty() { "USD".into() } else { fx.reporting.clone() },
            rates: fx.to_text(),
        })
    })
    .await
}

#[server(endpoint = "revenue/settings/save", output = crate::api::codec::Json)]
pub async fn save_revenue_settings(gross_margin: String) -> Result<f64, AppError> {
    ctx::run(Permission::ManageSettings, |state, _| async move {
        let mut s = RevenueSettings::parse(&gross_margin)?;
        s.fx = crate::store::settings::revenue(&state.db).await?.and_then(|old| old.fx);
        crate::store::settings::save_revenue(&state.db, &s).await?;
        state.dashboards.bump();
        Ok(s.gross_margin * 100.0)
    })
    .await
}

/// Saves the conversion rates (all of them: the form shows the whole table); empty rates
/// remove combined figures.
#[server(endpoint = "revenue/settings/rates", output = crate::api::codec::Json)]
pub async fn save_fx_rates(reporting: String, rates: String) -> Result<(), AppError> {
    ctx::run(Permission::ManageSettings, |state, _| async move {
        let fx = crate::model::fx::FxTable::parse(&reporting, &rates)?;
        let old = crate::store::settings::revenue(&state.db).await?;
        let gross_margin = old.map_or(service::dashboard::DEFAULT_GROSS_MARGIN, |s| s.gross_margin);
        let fx = (!fx.rates.is_empty()).then_some(fx);
        crate::store::settings::save_revenue(&state.db, &RevenueSettings { gross_margin, fx })
            .await?;
        state.dashboards.bump();
        Ok(())
    })
    .await
}

/// Reads a movements CSV and checks every row against the ledgers; writes nothing.
#[server(endpoint = "revenue/import/preview", output = crate::api::codec::Json)]
pub async fn preview_movement_import(csv: String) -> Result<ImportOutcome, AppError> {
    ctx::run(Permission::ManageSettings, |state, me| async move {
        service::revenue::import_csv(&state, &me.name, &csv, false).await
    })
    .await
}

/// Imports the good rows of a movements CSV (the same file again imports nothing twice).
#[server(endpoint = "revenue/import", output = crate::api::codec::Json)]
pub async fn import_movements(csv: String) -> Result<ImportOutcome, AppError> {
    ctx::run(Permission::ManageSettings, |state, me| async move {
        service::revenue::import_csv(&state, &me.name, &csv, true).await
    })
    .await
}
