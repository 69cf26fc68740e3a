//! User administration (admins only), and the list of possible account owners (everyone).

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::model::Role;
use crate::model::{NewUserInput, User};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ctx;

#[server(endpoint = "users/list")]
pub async fn list_users() -> Result<Vec<User>, AppError> {
    ctx::respond(
        async {
            let (state, _) =
                ctx::require(Role::can_manage_users, "only admins manage users").await?;
            crate::store::users::list(&state.db).await
        }
        .await,
    )
}

#[server(endpoint = "users/create")]
pub async fn create_user(input: NewUserInput) -> Result<User, AppError> {
    ctx::respond(
        async {
            let (state, _) =
                ctx::require(Role::can_manage_users, "only admins manage users").await?;
            let valid = input.validate()?;
            let hash = crate::auth::hash_password(&valid.password)?;
            crate::store::users::create(&state.db, &valid.email, &valid.name, valid.role, &hash)
                .await
        }
        .await,
    )
}

/// Changes a role or (de)activates a user. Deactivation ends their sessions at once.
#[server(endpoint = "users/access")]
pub async fn update_user_access(id: String, role: String, active: bool) -> Result<User, AppError> {
    ctx::respond(
        async {
            let (state, me) =
                ctx::require(Role::can_manage_users, "only admins manage users").await?;
            let role = Role::parse(&role).ok_or_else(|| {
                AppError::field("role", format!("must be one of {}", Role::choices()))
            })?;
            if id == me.id && (!active || role != Role::Admin) {
                return Err(AppError::field(
                    "role",
                    "you cannot demote or deactivate yourself",
                ));
            }
            let user = crate::store::users::update_access(&state.db, &id, role, active).await?;
            if !active {
                state.sessions_ended(crate::state::Ended::User(id));
            }
            Ok(user)
        }
        .await,
    )
}

/// Active staff who can own accounts or sit on a team, for pickers.
#[server(endpoint = "users/staff")]
pub async fn list_staff() -> Result<Vec<User>, AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(ctx::any_role, "").await?;
            let mut users = crate::store::users::list(&state.db).await?;
            users.retain(|u| u.active);
            Ok(users)
        }
        .await,
    )
}
