//! Alerts: the Alerts page, an account's alerts, acting on them (one or many), their playbook
//! steps, the header's count, and the rule sets and playbooks in Settings.

use crate::error::AppError;
use crate::model::alert::*;
use crate::model::AccountId;
#[cfg(feature = "ssr")]
use crate::model::Permission;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {super::ctx, crate::service, crate::store};

/// Most alerts one bulk action may name.
pub const MAX_BULK: usize = 200;

/// What a bulk action did: how many alerts took it, and which refused it and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkOutcome {
    pub done: u32,
    pub refused: Vec<(String, String)>,
}

/// Rule sets in force, every saved segment (to give one its own set), and the playbooks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RulesOverview {
    pub sets: Vec<RuleSet>,
    pub segments: Vec<(String, String)>,
    pub playbooks: Vec<Playbook>,
    pub can_edit: bool,
}

#[server(endpoint = "alerts/list", input = server_fn::codec::Json, output = crate::api::codec::Json)]
pub async fn alerts_page(filter: AlertFilter) -> Result<AlertPage, AppError> {
    ctx::run(Permission::View, |state, _| async move {
        service::alerts::list(&state.db, &state.portfolio, &filter).await
    })
    .await
}

#[server(endpoint = "alerts/view", output = crate::api::codec::Json)]
pub async fn alert_view(id: String) -> Result<AlertDetail, AppError> {
    ctx::run(Permission::View, |state, me| async move {
        service::alerts::detail(&state.db, &id, me.role.may(Permission::HandleAlerts)).await
    })
    .await
}

/// The account's live alerts with their evidence, steps and history.
#[server(endpoint = "alerts/account", output = crate::api::codec::Json)]
pub async fn account_alerts(account: AccountId) -> Result<Vec<AlertDetail>, AppError> {
    ctx::run(Permission::View, |state, me| async move {
        let can_act = me.role.may(Permission::HandleAlerts);
        service::alerts::for_account(&state.db, &account, can_act).await
    })
    .await
}

/// Acknowledges, resolves, dismisses or snoozes one or many alerts (bulk acknowledge on the
/// Alerts page). Each alert is checked and written on its own: one already closed is listed as
/// refused, the others still take the action.
#[server(endpoint = "alerts/act", input = server_fn::codec::Json, output = crate::api::codec::Json)]
pub async fn alert_act(ids: Vec<String>, input: AlertEventInput) -> Result<BulkOutcome, AppError> {
    ctx::run(Permission::HandleAlerts, |state, me| async move {
        if ids.is_empty() {
            return Err(AppError::field("ids", "choose at least one alert"));
        }
        if ids.len() > MAX_BULK {
            return Err(AppError::field(
                "ids",
                format!("act on at most {MAX_BULK} alerts at once"),
            ));
        }
        let cmd = input.validate(chrono::Utc::now())?;
        let refused =
            service::alerts::act_on_many(&state.db, &ids, &cmd, Some(&me.id), "app").await?;
        Ok(BulkOutcome { done: (ids.len() - refused.len()) as u32, refused })
    })
    .await
}

/// Ticks or unticks a playbook step; the last step ticked resolves the alert. Returns whether
/// it did.
#[server(endpoint = "alerts/task", output = crate::api::codec::Json)]
pub async fn alert_task_done(task: String, done: bool) -> Result<bool, AppError> {
    ctx::run(Permission::HandleAlerts, |state, me| async move {
        store::alerts::set_task_done(&state.db, &task, done, &me.id).await
    })
    .await
}

/// How many open alerts the caller owns (the header's count).
#[server(endpoint = "alerts/count", output = crate::api::codec::Json)]
pub async fn alert_open_count() -> Result<u32, AppError> {
    ctx::run(Permission::View, |state, me| async move {
        store::alerts::open_count(&state.db, &me.id).await
    })
    .await
}

/// The caller's open playbook steps (My work).
#[server(endpoint = "alerts/my-tasks", output = crate::api::codec::Json)]
pub async fn my_alert_tasks() -> Result<Vec<AlertTask>, AppError> {
    ctx::run(Permission::View, |state, me| async move {
        store::alerts::tasks_for(&state.db, &me.id).await
    })
    .await
}

#[server(endpoint = "alerts/rules", output = crate::api::codec::Json)]
pub async fn alert_rule_sets() -> Result<RulesOverview, AppError> {
    ctx::run(Permission::View, |state, me| async move {
        let sets = store::alerts::rules::current(&state.db).await?;
        let segments =
            store::segments::list(&state.db).await?.into_iter().map(|s| (s.id, s.name)).collect();
        let playbooks = store::alerts::rules::playbooks(&state.db).await?;
        Ok(RulesOverview {
            sets,
            segments,
            playbooks,
            can_edit: me.role.may(Permission::ManageSettings),
        })
    })
    .await
}

/// Saves a new version of a rule set (`scope`: "default" or a segment id) and re-evaluates
/// every account under it in the background.
#[server(endpoint = "alerts/rules/save", input = server_fn::codec::Json, output = crate::api::codec::Json)]
pub async fn alert_rules_save(scope: String, config: RulesConfig) -> Result<RuleSet, AppError> {
    ctx::run(Permission::ManageSettings, |state, me| async move {
        let config = config.validate()?;
        let scope = scope.trim().to_string();
        if scope.is_empty() || scope.len() > 100 {
            return Err(AppError::field("segment", "choose a segment"));
        }
        let saved = store::alerts::rules::save_version(&state.db, &scope, &config, &me.id).await?;
        service::alerts::evaluate_all_in_background(&state.db, &state.portfolio);
        Ok(saved)
    })
    .await
}

/// A segment stops having its own rules (its accounts fall back to the default set).
#[server(endpoint = "alerts/rules/retire", output = crate::api::codec::Json)]
pub async fn alert_rules_retire(scope: String) -> Result<(), AppError> {
    ctx::run(Permission::ManageSettings, |state, _| async move {
        store::alerts::rules::retire(&state.db, &scope).await
    })
    .await
}

/// Replaces a rule kind's playbook (alerts already open keep their steps).
#[server(endpoint = "alerts/playbook/save", input = server_fn::codec::Json, output = crate::api::codec::Json)]
pub async fn playbook_save(playbook: Playbook) -> Result<(), AppError> {
    ctx::run(Permission::ManageSettings, |state, me| async move {
        let p = playbook.validate()?;
        store::alerts::rules::save_playbook(&state.db, &p, &me.id).await
    })
    .await
}
