//! Accounts, contacts, team and the portfolio.

use crate::error::AppError;
use crate::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ctx;

#[server(endpoint = "accounts/portfolio")]
pub async fn get_portfolio(
    #[server(default)] filter: PortfolioFilter,
) -> Result<PortfolioPage, AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(ctx::any_role, "").await?;
            match state.portfolio.query(&filter) {
                Some(page) => Ok(page),
                None => crate::store::accounts::portfolio(&state.db, &filter).await,
            }
        }
        .await,
    )
}

#[server(endpoint = "accounts/get")]
pub async fn get_account(id: String) -> Result<AccountDetail, AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(ctx::any_role, "").await?;
            crate::store::accounts::detail(&state.db, &id).await
        }
        .await,
    )
}

#[server(endpoint = "accounts/create")]
pub async fn create_account(input: AccountInput) -> Result<Account, AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(
                Role::can_edit_accounts,
                "executives can view accounts but not change them",
            )
            .await?;
            let valid = input.validate()?;
            let account = crate::store::accounts::create(&state.db, &valid).await?;
            state.portfolio.apply(&account);
            Ok(account)
        }
        .await,
    )
}

#[server(endpoint = "accounts/update")]
pub async fn update_account(id: String, input: AccountInput) -> Result<Account, AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(
                Role::can_edit_accounts,
                "executives can view accounts but not change them",
            )
            .await?;
            let valid = input.validate()?;
            let account = crate::store::accounts::update(&state.db, &id, &valid).await?;
            state.portfolio.apply(&account);
            Ok(account)
        }
        .await,
    )
}

#[server(endpoint = "accounts/contacts/add")]
pub async fn add_contact(account_id: String, input: ContactInput) -> Result<Contact, AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(
                Role::can_edit_accounts,
                "executives can view contacts but not change them",
            )
            .await?;
            let valid = input.validate()?;
            crate::store::accounts::add_contact(&state.db, &account_id, &valid).await
        }
        .await,
    )
}

#[server(endpoint = "accounts/contacts/remove")]
pub async fn remove_contact(account_id: String, contact_id: String) -> Result<(), AppError> {
    ctx::respond(
        async {
            let (state, me) = ctx::require(
                Role::can_edit_accounts,
                "executives can view contacts but not change them",
            )
            .await?;
            crate::store::accounts::remove_contact(&state.db, &account_id, &contact_id, &me.name)
                .await?;
            // Their plan links were revoked with them: open plan pages show it at once.
            state.account_activity(&account_id);
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "accounts/contacts/update")]
pub async fn update_contact(
    account_id: String,
    contact_id: String,
    input: ContactInput,
) -> Result<Contact, AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(
                Role::can_edit_accounts,
                "executives can view contacts but not change them",
            )
            .await?;
            let valid = input.validate()?;
            crate::store::accounts::update_contact(&state.db, &account_id, &contact_id, &valid)
                .await
        }
        .await,
    )
}

#[server(endpoint = "accounts/team/add")]
pub async fn add_team_member(
    account_id: String,
    user_id: String,
    role: String,
) -> Result<(), AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(
                Role::can_edit_accounts,
                "executives can view the team but not change it",
            )
            .await?;
            let mut c = crate::error::Checks::new();
            c.check(!user_id.trim().is_empty(), "user_id", "is required");
            let role_v = TeamRole::parse(&role);
            c.check(
                role_v.is_some(),
                "role",
                format!("must be one of {}", TeamRole::choices()),
            );
            c.finish()?;
            crate::store::accounts::add_team_member(
                &state.db,
                &account_id,
                user_id.trim(),
                role_v.unwrap_or(TeamRole::Csm),
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "accounts/team/remove")]
pub async fn remove_team_member(account_id: String, member_id: String) -> Result<(), AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(
                Role::can_edit_accounts,
                "executives can view the team but not change it",
            )
            .await?;
            crate::store::accounts::remove_team_member(&state.db, &account_id, &member_id).await
        }
        .await,
    )
}

#[server(endpoint = "accounts/industries")]
pub async fn list_industries() -> Result<Vec<String>, AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(ctx::any_role, "").await?;
            match state.portfolio.industries() {
                Some(list) => Ok(list),
                None => crate::store::accounts::industries(&state.db).await,
            }
        }
        .await,
    )
}

#[server(endpoint = "accounts/summary")]
pub async fn get_portfolio_summary() -> Result<PortfolioSummary, AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(ctx::any_role, "").await?;
            crate::store::accounts::summary(&state.db).await
        }
        .await,
    )
}
