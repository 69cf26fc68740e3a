//! Escalations: the list, one escalation with its live clocks, an account's escalations,
//! raising one, recording work on it, and its follow-up.

use crate::error::AppError;
use crate::model::escalation::*;
use crate::model::AccountId;
#[cfg(feature = "ssr")]
use crate::model::Permission;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {super::ctx, crate::service, crate::service::escalations::Actor, crate::store};

/// A page of the escalations list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EscalationList {
    pub rows: Vec<EscalationRow>,
    pub next_cursor: Option<String>,
    pub can_act: bool,
}

/// One escalation with what its page needs around it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EscalationView {
    pub escalation: Escalation,
    pub can_act: bool,
    /// Server time the clocks were computed at (the page counts on from it).
    pub now: crate::model::Timestamp,
    /// Each running clock's due time written in the calendar's time zone ("Mon 30 Nov 16:00
    /// CET"), so the page need not carry the time-zone database.
    pub due_in_zone: Vec<(ClockKind, String)>,
}

/// What the "Raise an escalation" form offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaiseOptions {
    pub types: Vec<(String, String)>,
    pub contacts: Vec<(String, String)>,
}

#[server(endpoint = "escalations/list", input = server_fn::codec::Json, output = crate::api::codec::Json)]
pub async fn escalations_page(filter: EscalationFilter) -> Result<EscalationList, AppError> {
    ctx::run(Permission::View, |state, me| async move {
        let limit = filter.limit.unwrap_or(50).clamp(1, 200);
        let f = EscalationFilter { limit: Some(limit), ..filter };
        let list = service::escalations::list(&state, &f, Some(&me.id)).await?;
        let next_cursor = (list.len() as u32 == limit)
            .then(|| list.last().map(|e| e.opened_at.to_rfc3339()))
            .flatten();
        Ok(EscalationList {
            rows: list.iter().map(EscalationRow::from).collect(),
            next_cursor,
            can_act: me.role.may(Permission::HandleEscalations),
        })
    })
    .await
}

#[server(endpoint = "escalations/view", output = crate::api::codec::Json)]
pub async fn escalation_page(id: String) -> Result<EscalationView, AppError> {
    ctx::run(Permission::View, |state, me| async move {
        if id.len() > 100 {
            return Err(AppError::NotFound("escalation".into()));
        }
        let escalation = service::escalations::detail(&state, &id).await?;
        let tz: chrono_tz::Tz = escalation.time_zone.parse().unwrap_or(chrono_tz::UTC);
        let due_in_zone = escalation
            .clocks
            .iter()
            .filter_map(|(k, c)| {
                c.due_at.map(|d| (k, d.with_timezone(&tz).format("%a %-d %b %H:%M %Z").to_string()))
            })
            .collect();
        Ok(EscalationView {
            escalation,
            can_act: me.role.may(Permission::HandleEscalations),
            now: chrono::Utc::now(),
            due_in_zone,
        })
    })
    .await
}

/// The account's open escalations and its last 20 resolved ones.
#[server(endpoint = "escalations/account", output = crate::api::codec::Json)]
pub async fn account_escalations(account: AccountId) -> Result<EscalationList, AppError> {
    ctx::run(Permission::View, |state, me| async move {
        let f =
            EscalationFilter { account_id: Some(account), limit: Some(50), ..Default::default() };
        let list = service::escalations::list(&state, &f, None).await?;
        Ok(EscalationList {
            rows: list.iter().map(EscalationRow::from).collect(),
            next_cursor: None,
            can_act: me.role.may(Permission::HandleEscalations),
        })
    })
    .await
}

#[server(endpoint = "escalations/options", output = crate::api::codec::Json)]
pub async fn raise_choices(account: AccountId) -> Result<RaiseOptions, AppError> {
    ctx::run(Permission::View, |state, _| async move {
        let setup = store::escalations::sla::setup(&state.db).await?;
        let detail = store::accounts::detail(&state.db, &account).await?;
        Ok(RaiseOptions {
            types: setup.types.into_iter().map(|t| (t.key, t.label)).collect(),
            contacts: detail.contacts.into_iter().map(|c| (c.id.to_string(), c.name)).collect(),
        })
    })
    .await
}

#[server(endpoint = "escalations/open", input = server_fn::codec::Json, output = crate::api::codec::Json)]
pub async fn escalation_open(input: EscalationInput) -> Result<Escalation, AppError> {
    ctx::run(Permission::HandleEscalations, |state, me| async move {
        // People raise escalations now; backdating is for mirrored tickets (the API).
        let input = EscalationInput { opened_at: None, policy_id: None, ..input };
        service::escalations::open(&state, &input, Actor::Person(&me)).await
    })
    .await
}

#[server(endpoint = "escalations/event", input = server_fn::codec::Json, output = crate::api::codec::Json)]
pub async fn escalation_record(id: String, input: EventInput) -> Result<Escalation, AppError> {
    ctx::run(Permission::HandleEscalations, |state, me| async move {
        if id.len() > 100 {
            return Err(AppError::NotFound("escalation".into()));
        }
        service::escalations::record(&state, &id, &input, Actor::Person(&me)).await
    })
    .await
}

/// Marks the follow-up done, logging it as a call on the account.
#[server(endpoint = "escalations/follow-up", output = crate::api::codec::Json)]
pub async fn escalation_follow_up_done(id: String, note: String) -> Result<Escalation, AppError> {
    ctx::run(Permission::HandleEscalations, |state, me| async move {
        service::escalations::follow_up_done(&state, &id, &note, &me).await
    })
    .await
}

/// The account's availability month by month (this month first) against its policy.
#[server(endpoint = "escalations/uptime", output = crate::api::codec::Json)]
pub async fn account_uptime(account: AccountId) -> Result<Vec<MonthUptime>, AppError> {
    ctx::run(Permission::View, |state, _| async move {
        service::uptime::for_account(&state.db, &state.portfolio, &account, 6).await
    })
    .await
}
