//! SLA settings (calendars, policies and their order, escalation types and paths, holiday
//! import preview) and the SLA compliance report.

use crate::error::AppError;
use crate::metrics::sla::Holiday;
use crate::model::escalation::*;
#[cfg(feature = "ssr")]
use crate::model::Permission;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {super::ctx, crate::service, crate::store};

/// Everything Settings → SLA shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaSettings {
    pub calendars: Vec<Calendar>,
    pub policies: Vec<SlaPolicy>,
    pub setup: EscalationSetup,
    pub segments: Vec<(String, String)>,
    pub users: Vec<(String, String)>,
    pub csat_surveys: Vec<(String, String)>,
    pub can_edit: bool,
}

/// The largest iCal file accepted for a holiday import.
pub const MAX_ICS: usize = 5 * 1024 * 1024;

#[server(endpoint = "sla/settings", output = crate::api::codec::Json)]
pub async fn sla_settings_page() -> Result<SlaSettings, AppError> {
    ctx::run(Permission::View, |state, me| async move {
        let db = &state.db;
        Ok(SlaSettings {
            calendars: store::escalations::sla::calendars(db).await?,
            policies: store::escalations::sla::policies(db).await?,
            setup: store::escalations::sla::setup(db).await?,
            segments: store::segments::list(db)
                .await?
                .into_iter()
                .map(|s| (s.id, s.name))
                .collect(),
            users: store::users::list(db)
                .await?
                .into_iter()
                .filter(|u| u.active)
                .map(|u| (u.id.to_string(), u.name))
                .collect(),
            csat_surveys: store::surveys::list(db)
                .await?
                .into_iter()
                .filter(|s| s.kind == crate::model::SurveyKind::Csat)
                .map(|s| (s.id.to_string(), s.name))
                .collect(),
            can_edit: me.role.may(Permission::ManageSettings),
        })
    })
    .await
}

/// Saves a new calendar (no `id`) or a new version of one; returns (id, version).
#[server(endpoint = "sla/calendar/save", input = server_fn::codec::Json, output = crate::api::codec::Json)]
pub async fn calendar_save(
    id: Option<String>, input: CalendarInput,
) -> Result<(String, u32), AppError> {
    ctx::run(Permission::ManageSettings, |state, me| async move {
        service::sla::save_calendar(&state.db, id.as_deref(), &input, Some(&me.id)).await
    })
    .await
}

/// The holidays an iCal file would add between `from` and `to` (nothing is saved).
#[server(endpoint = "sla/holidays/preview", input = server_fn::codec::Json, output = crate::api::codec::Json)]
pub async fn holidays_preview(
    ics: String, from: chrono::NaiveDate, to: chrono::NaiveDate,
) -> Result<Vec<Holiday>, AppError> {
    ctx::run(Permission::ManageSettings, |_, _| async move {
        if ics.len() > MAX_ICS {
            return Err(AppError::field("ics", "the file is larger than 5 MB"));
        }
        if to < from || (to - from).num_days() > 366 * 5 {
            return Err(AppError::field("to", "choose a range of at most five years"));
        }
        crate::metrics::sla::parse_holidays(&ics, from, to).map_err(|m| AppError::field("ics", m))
    })
    .await
}

#[server(endpoint = "sla/policy/save", input = server_fn::codec::Json, output = crate::api::codec::Json)]
pub async fn policy_save(
    id: Option<String>, input: PolicyInput,
) -> Result<(String, u32), AppError> {
    ctx::run(Permission::ManageSettings, |state, me| async move {
        service::sla::save_policy(&state.db, id.as_deref(), &input, Some(&me.id)).await
    })
    .await
}

/// Sets the order segment policies are matched in.
#[server(endpoint = "sla/policy/order", input = server_fn::codec::Json, output = crate::api::codec::Json)]
pub async fn policy_order(ids: Vec<String>) -> Result<(), AppError> {
    ctx::run(Permission::ManageSettings, |state, _| async move {
        if ids.len() > 500 {
            return Err(AppError::field("ids", "too many policies"));
        }
        service::sla::reorder(&state.db, &ids).await
    })
    .await
}

#[server(endpoint = "sla/setup/save", input = server_fn::codec::Json, output = crate::api::codec::Json)]
pub async fn escalation_setup_save(setup: EscalationSetup) -> Result<EscalationSetup, AppError> {
    ctx::run(Permission::ManageSettings, |state, _| async move {
        service::sla::save_setup(&state.db, &setup).await
    })
    .await
}

/// The SLA compliance report for the months `from` to `to` (first days of months).
#[server(endpoint = "sla/report", output = crate::api::codec::Json)]
pub async fn sla_compliance(
    from: chrono::NaiveDate, to: chrono::NaiveDate,
) -> Result<SlaReport, AppError> {
    ctx::run(Permission::View, |state, _| async move {
        service::sla_report::report(&state, from, to).await
    })
    .await
}
