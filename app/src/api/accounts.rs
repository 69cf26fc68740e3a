//! Accounts, contacts, team and the portfolio.

use crate::error::AppError;
use crate::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::ctx,
    crate::{service, store},
};

#[server(endpoint = "accounts/portfolio", output = crate::api::codec::Json)]
pub async fn get_portfolio(
    #[server(default)] filter: PortfolioFilter,
) -> Result<PortfolioPage, AppError> {
    ctx::run(Permission::View, |state, _| async move {
        service::portfolio::page(&state.db, &state.portfolio, &filter).await
    })
    .await
}

#[server(endpoint = "accounts/get", output = crate::api::codec::Json)]
pub async fn get_account(id: AccountId) -> Result<AccountDetail, AppError> {
    ctx::run(
        Permission::View,
        |state, _| async move { store::accounts::detail(&state.db, &id).await },
    )
    .await
}

#[server(endpoint = "accounts/create", output = crate::api::codec::Json)]
pub async fn create_account(input: AccountInput) -> Result<Account, AppError> {
    ctx::run(Permission::EditAccounts, |state, me| async move {
        let valid = input.validate()?;
        service::revenue::save_account(
            &state,
            &me.name,
            None,
            &valid,
            &input.arr_on,
            &input.arr_reason,
        )
        .await
    })
    .await
}

#[server(endpoint = "accounts/update", output = crate::api::codec::Json)]
pub async fn update_account(id: AccountId, input: AccountInput) -> Result<Account, AppError> {
    ctx::run(Permission::EditAccounts, |state, me| async move {
        let valid = input.validate()?;
        service::revenue::save_account(
            &state,
            &me.name,
            Some(&id),
            &valid,
            &input.arr_on,
            &input.arr_reason,
        )
        .await
    })
    .await
}

#[server(endpoint = "accounts/contacts/add", output = crate::api::codec::Json)]
pub async fn add_contact(account_id: AccountId, input: ContactInput) -> Result<Contact, AppError> {
    ctx::run(Permission::EditAccounts, |state, _| async move {
        store::accounts::add_contact(&state.db, &account_id, &input.validate()?).await
    })
    .await
}

#[server(endpoint = "accounts/contacts/remove", output = crate::api::codec::Json)]
pub async fn remove_contact(account_id: AccountId, contact_id: ContactId) -> Result<(), AppError> {
    ctx::run(Permission::EditAccounts, |state, me| async move {
        store::accounts::remove_contact(&state.db, &account_id, &contact_id, &me.name).await?;
        // Their plan links were revoked with them: open plan pages show it at once.
        state.account_activity(&account_id);
        Ok(())
    })
    .await
}

#[server(endpoint = "accounts/contacts/update", output = crate::api::codec::Json)]
pub async fn update_contact(
    account_id: AccountId, contact_id: ContactId, input: ContactInput,
) -> Result<Contact, AppError> {
    ctx::run(Permission::EditAccounts, |state, _| async move {
        store::accounts::update_contact(&state.db, &account_id, &contact_id, &input.validate()?)
            .await
    })
    .await
}

#[server(endpoint = "accounts/team/add", output = crate::api::codec::Json)]
pub async fn add_team_member(
    account_id: AccountId, user_id: String, role: String,
) -> Result<(), AppError> {
    ctx::run(Permission::EditAccounts, |state, _| async move {
        let mut c = crate::error::Checks::new();
        c.check(!user_id.trim().is_empty(), "user_id", "is required");
        let role = TeamRole::parse(&role);
        c.check(role.is_some(), "role", format!("must be one of {}", TeamRole::choices()));
        c.finish()?;
        let role = role.unwrap_or(TeamRole::Csm);
        store::accounts::add_team_member(&state.db, &account_id, user_id.trim(), role).await
    })
    .await
}

#[server(endpoint = "accounts/team/remove", output = crate::api::codec::Json)]
pub async fn remove_team_member(account_id: AccountId, member_id: String) -> Result<(), AppError> {
    ctx::run(Permission::EditAccounts, |state, _| async move {
        store::accounts::remove_team_member(&state.db, &account_id, &member_id).await
    })
    .await
}

#[server(endpoint = "accounts/industries", output = crate::api::codec::Json)]
pub async fn list_industries() -> Result<Vec<String>, AppError> {
    ctx::run(Permission::View, |state, _| async move {
        service::portfolio::industries(&state.db, &state.portfolio).await
    })
    .await
}

#[server(endpoint = "accounts/summary", output = crate::api::codec::Json)]
pub async fn get_portfolio_summary() -> Result<PortfolioSummary, AppError> {
    ctx::run(Permission::View, |state, _| async move {
        let db = state.db.clone();
        let index = state.portfolio.clone();
        let v = state
            .dashboards
            .summary(|| async move { service::portfolio::summary(&db, &index).await })
            .await?;
        Ok((*v).clone())
    })
    .await
}
