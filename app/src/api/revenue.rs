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
#[server(endpoint = "revenue/dashboard")]
pub async fn get_exec_dashboard(
    #[server(default)] filter: DashboardFilter,
) -> Result<ExecDashboard, AppError> {
    ctx::run(Permission::View, |state, me| async move {
        service::dashboard::dashboard(&state, &me, &filter).await
    })
    .await
}

#[server(endpoint = "revenue/drill")]
pub async fn get_drill_down(
    #[server(default)] filter: DashboardFilter, drill: Drill,
) -> Result<DrillDown, AppError> {
    ctx::run(Permission::View, |state, me| async move {
        service::dashboard::drill(&state, &me, &filter, drill).await
    })
    .await
}

#[server(endpoint = "revenue/account")]
pub async fn get_account_revenue(account: AccountId) -> Result<AccountRevenue, AppError> {
    ctx::run(Permission::View, |state, _| async move {
        service::revenue::of_account(&state, &account).await
    })
    .await
}

/// Records a change of ARR from the account page (admins and CSMs).
#[server(endpoint = "revenue/record")]
pub async fn record_movement(
    account: AccountId, form: MovementForm,
) -> Result<AccountRevenue, AppError> {
    ctx::run(Permission::EditAccounts, |state, me| async move {
        service::revenue::record(&state, &me.name, &account, &form).await
    })
    .await
}

/// The gross margin CLV uses, as a percentage (80 until an admin sets it).
#[server(endpoint = "revenue/settings")]
pub async fn get_revenue_settings() -> Result<f64, AppError> {
    ctx::run(Permission::View, |state, _| async move {
        Ok(service::dashboard::gross_margin(&state).await? * 100.0)
    })
    .await
}

#[server(endpoint = "revenue/settings/save")]
pub async fn save_revenue_settings(gross_margin: String) -> Result<f64, AppError> {
    ctx::run(Permission::ManageSettings, |state, _| async move {
        let s = RevenueSettings::parse(&gross_margin)?;
        crate::store::settings::save_revenue(&state.db, &s).await?;
        state.dashboards.bump();
        Ok(s.gross_margin * 100.0)
    })
    .await
}

/// Reads a movements CSV and checks every row against the ledgers; writes nothing.
#[server(endpoint = "revenue/import/preview")]
pub async fn preview_movement_import(csv: String) -> Result<ImportOutcome, AppError> {
    ctx::run(Permission::ManageSettings, |state, me| async move {
        service::revenue::import_csv(&state, &me.name, &csv, false).await
    })
    .await
}

/// Imports the good rows of a movements CSV (the same file again imports nothing twice).
#[server(endpoint = "revenue/import")]
pub async fn import_movements(csv: String) -> Result<ImportOutcome, AppError> {
    ctx::run(Permission::ManageSettings, |state, me| async move {
        service::revenue::import_csv(&state, &me.name, &csv, true).await
    })
    .await
}
