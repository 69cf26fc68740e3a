//! User administration (admins only), and the list of possible account owners (everyone).

use crate::error::AppError;
use crate::model::{NewUserInput, User, UserId};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::ctx,
    crate::model::{Permission, Role},
    crate::store,
};

#[server(endpoint = "users/list", output = crate::api::codec::Json)]
pub async fn list_users() -> Result<Vec<User>, AppError> {
    ctx::run(Permission::ManageUsers, |state, _| async move { store::users::list(&state.db).await })
        .await
}

#[server(endpoint = "users/create", output = crate::api::codec::Json)]
pub async fn create_user(input: NewUserInput) -> Result<User, AppError> {
    ctx::run(Permission::ManageUsers, |state, _| async move {
        let valid = input.validate()?;
        let hash = crate::auth::hash_password(&valid.password)?;
        store::users::create(&state.db, &valid.email, &valid.name, valid.role, &hash).await
    })
    .await
}

/// Changes a role or (de)activates a user. Deactivation ends their sessions at once.
#[server(endpoint = "users/access", output = crate::api::codec::Json)]
pub async fn update_user_access(id: UserId, role: String, active: bool) -> Result<User, AppError> {
    ctx::run(Permission::ManageUsers, |state, me| async move {
        let role = Role::parse(&role).ok_or_else(|| {
            AppError::field("role", format!("must be one of {}", Role::choices()))
        })?;
        if id == me.id && (!active || role != Role::Admin) {
            return Err(AppError::field("role", "you cannot demote or deactivate yourself"));
        }
        let user = store::users::update_access(&state.db, &id, role, active).await?;
        if !active {
            state.sessions_ended(crate::state::Ended::User(id));
        }
        Ok(user)
    })
    .await
}

/// Active staff who can own accounts or sit on a team, for pickers.
#[server(endpoint = "users/staff", output = crate::api::codec::Json)]
pub async fn list_staff() -> Result<Vec<User>, AppError> {
    ctx::run(Permission::View, |state, _| async move {
        let mut users = store::users::list(&state.db).await?;
        users.retain(|u| u.active);
        Ok(users)
    })
    .await
}
