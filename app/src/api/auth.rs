//! Sign-in, sign-out and the first-run set-up.

use crate::error::AppError;
use crate::model::Me;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ctx;

/// The signed-in user, if any. Every page asks this first.
#[server(endpoint = "auth/me")]
pub async fn get_me() -> Result<Option<Me>, AppError> {
    ctx::respond(
        async {
            let state = ctx::state()?;
            ctx::me(&state).await
        }
        .await,
    )
}

/// True until the first admin exists.
#[server(endpoint = "auth/needs_setup")]
pub async fn needs_setup() -> Result<bool, AppError> {
    ctx::respond(
        async {
            let state = ctx::state()?;
            Ok(crate::store::users::count(&state.db).await? == 0)
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
async fn start_session(state: &crate::state::AppState, user_id: &str) -> Result<(), AppError> {
    let (token, hash) = crate::auth::new_session_token();
    crate::store::sessions::create(&state.db, &hash, user_id, crate::auth::SESSION_DAYS).await?;
    ctx::set_cookie(&crate::auth::session_cookie(&token, state.secure_cookies));
    Ok(())
}

/// Creates the first admin and signs them in. Refused once any user exists.
#[server(endpoint = "auth/setup")]
pub async fn setup_admin(email: String, name: String, password: String) -> Result<Me, AppError> {
    ctx::respond(
        async {
            let state = ctx::state()?;
            let input = crate::model::NewUserInput {
                email,
                name,
                role: "admin".into(),
                password,
            };
            let valid = input.validate()?;
            let hash = crate::auth::hash_password(&valid.password)?;
            let user = crate::store::users::create_first_admin(
                &state.db,
                &valid.email,
                &valid.name,
                &hash,
            )
            .await?;
            start_session(&state, &user.id).await?;
            Ok(user.into())
        }
        .await,
    )
}

/// Signs in. The same message for an unknown email and a wrong password: no account probing.
#[server(endpoint = "auth/login")]
pub async fn login(email: String, password: String) -> Result<Me, AppError> {
    ctx::respond(
        async {
            let state = ctx::state()?;
            let email = email.trim().to_lowercase();
            let mut c = crate::error::Checks::new();
            c.check(!email.is_empty(), "email", "is required");
            c.check(!password.is_empty(), "password", "is required");
            c.finish()?;
            if state.login_limiter.check_key(&email).is_err() {
                return Err(AppError::RateLimited);
            }
            let found = crate::store::users::credentials(&state.db, &email).await?;
            let ok = match &found {
                Some((user, hash)) => user.active && crate::auth::verify_password(&password, hash),
                None => {
                    // Spend the same time as a real check so response time does not reveal accounts.
                    let _ = crate::auth::verify_password(&password, &DUMMY_HASH);
                    false
                }
            };
            let Some((user, _)) = found.filter(|_| ok) else {
                return Err(AppError::field(
                    "password",
                    "email or password is not right",
                ));
            };
            start_session(&state, &user.id).await?;
            Ok(user.into())
        }
        .await,
    )
}

/// A real Argon2id hash of a random password, so an unknown email costs a full verification.
#[cfg(feature = "ssr")]
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    crate::auth::hash_password(&crate::auth::new_session_token().0).unwrap_or_default()
});

#[server(endpoint = "auth/logout")]
pub async fn logout() -> Result<(), AppError> {
    ctx::respond(
        async {
            let state = ctx::state()?;
            if let Some(token) = ctx::session_token() {
                crate::store::sessions::delete(&state.db, &crate::auth::token_hash(&token)).await?;
            }
            ctx::set_cookie(&crate::auth::clear_cookie(state.secure_cookies));
            Ok(())
        }
        .await,
    )
}
