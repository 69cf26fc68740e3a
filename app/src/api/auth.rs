//! Sign-in, sign-out, the first-run set-up, and a person's own password and sessions.

use crate::error::AppError;
use crate::model::{Me, SignedIn};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::ctx, crate::model::Permission};

/// The signed-in user, if any (pages learn it from the server's render; this is for clients
/// that ask, and for the tests).
#[server(endpoint = "auth/me", output = crate::api::codec::Json)]
pub async fn get_me() -> Result<Option<Me>, AppError> {
    ctx::anyone(|state| async move { ctx::me(&state).await }).await
}

/// True until the first admin exists.
#[server(endpoint = "auth/needs_setup", output = crate::api::codec::Json)]
pub async fn needs_setup() -> Result<bool, AppError> {
    ctx::anyone(|state| async move { Ok(crate::store::users::count(&state.db).await? == 0) }).await
}

/// A new session for `user_id`. The session the request came with, if any, ends: a token
/// planted in the browser before sign-in (session fixation) never becomes a signed-in one.
#[cfg(feature = "ssr")]
async fn start_session(state: &crate::state::AppState, user_id: &str) -> Result<(), AppError> {
    if let Some(old) = ctx::session_hash(state) {
        crate::store::sessions::delete(&state.db, &old).await?;
    }
    let (token, hash) = crate::auth::new_session_token();
    crate::store::sessions::create(&state.db, &hash, user_id, crate::auth::SESSION_DAYS).await?;
    ctx::set_cookie(&crate::auth::session_cookie(&token, state.secure_cookies));
    Ok(())
}

/// The answer to a refused attempt, with `Retry-After`.
#[cfg(feature = "ssr")]
fn refused(r: crate::limits::SignInRefusal) -> AppError {
    let secs = match r {
        crate::limits::SignInRefusal::TooMany(crate::limits::RetryAfter(s)) => s,
        crate::limits::SignInRefusal::Busy => 5,
    };
    ctx::retry_after(secs);
    AppError::RateLimited
}

/// Creates the first admin and signs them in. Needs a set-up code from the server's log (so
/// the first visitor of a fresh public instance cannot take it over); refused once any user
/// exists.
#[server(endpoint = "auth/setup", output = crate::api::codec::Json)]
pub async fn setup_admin(
    email: String, name: String, password: String, #[server(default)] setup_code: String,
) -> Result<Me, AppError> {
    ctx::anyone(|state| async move {
        if crate::store::users::count(&state.db).await? > 0 {
            return Err(AppError::Forbidden(
                "Bellwether is already set up; sign in instead".into(),
            ));
        }
        let input = crate::model::NewUserInput { email, name, role: "admin".into(), password };
        let code = setup_code.trim().to_string();
        let valid = check_setup(&input, &code)?;
        // Guessing codes costs what guessing passwords costs.
        state.limits.sign_in(ctx::client_addr(&state), "setup").map_err(refused)?;
        let password = valid.password.clone();
        let hash = state
            .limits
            .hash(move || crate::auth::hash_password(&password))
            .await
            .map_err(refused)??;
        let user = crate::store::users::create_first_admin(
            &state.db,
            &valid.email,
            &valid.name,
            &hash,
            &code,
        )
        .await?;
        start_session(&state, &user.id).await?;
        Ok(user.into())
    })
    .await
}

/// The first admin's details and the set-up code, every field's message at once (the code's
/// included).
#[cfg(feature = "ssr")]
fn check_setup(
    input: &crate::model::NewUserInput, code: &str,
) -> Result<crate::model::ValidUser, AppError> {
    let code_error = (code.is_empty() || code.len() > 64).then(|| {
        crate::error::FieldError::new(
            "setup_code",
            "is required: the server prints it to its log at start (or run `bellwether setup-code`)",
        )
    });
    match (input.validate(), code_error) {
        (Ok(v), None) => Ok(v),
        (Ok(_), Some(e)) => Err(AppError::Validation(vec![e])),
        (Err(AppError::Validation(mut v)), Some(e)) => {
            v.push(e);
            Err(AppError::Validation(v))
        }
        (Err(e), _) => Err(e),
    }
}

/// Signs in. The same message for an unknown email and a wrong password: no account probing.
/// Checked in order of cost: the email's shape (no limiter key is made for junk), the limits
/// per address and per (address, email), then Argon2 on the blocking pool behind a semaphore.
#[server(endpoint = "auth/login", output = crate::api::codec::Json)]
pub async fn login(
    email: String, password: String, #[server(default)] next: Option<String>,
) -> Result<SignedIn, AppError> {
    ctx::anyone(|state| async move {
        let mut c = crate::error::Checks::new();
        let email = crate::model::check_email(&mut c, "email", &email);
        if password.is_empty() {
            c.fail("password", "is required");
        } else if password.chars().count() > crate::model::PASSWORD_MAX {
            c.fail(
                "password",
                format!("must be at most {} characters", crate::model::PASSWORD_MAX),
            );
        }
        c.finish()?;
        state.limits.sign_in(ctx::client_addr(&state), &email).map_err(refused)?;
        let found = crate::store::users::credentials(&state.db, &email).await?;
        // Every path costs one Argon2 verification (unknown, deactivated or real), so the
        // time taken does not tell which emails have accounts.
        let hash = match &found {
            Some((_, hash)) => hash.clone(),
            None => DUMMY_HASH.clone(),
        };
        let verified = state
            .limits
            .hash(move || crate::auth::verify_password(&password, &hash))
            .await
            .map_err(refused)?;
        let Some((user, _)) = found.filter(|(u, _)| verified && u.active) else {
            return Err(AppError::field("password", "email or password is not right"));
        };
        start_session(&state, &user.id).await?;
        Ok(SignedIn { me: user.into(), next: crate::model::safe_next(next.as_deref()) })
    })
    .await
}

/// A real Argon2id hash of a random password, so an unknown email costs a full verification.
#[cfg(feature = "ssr")]
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    crate::auth::hash_password(&crate::auth::new_session_token().0).unwrap_or_default()
});

#[server(endpoint = "auth/logout", output = crate::api::codec::Json)]
pub async fn logout() -> Result<(), AppError> {
    ctx::anyone(|state| async move {
        if let Some(hash) = ctx::session_hash(&state) {
            crate::store::sessions::delete(&state.db, &hash).await?;
            state.sessions_ended(crate::state::Ended::Session(hash));
        }
        ctx::set_cookie(&crate::auth::clear_cookie(state.secure_cookies));
        Ok(())
    })
    .await
}

/// Ends every session of the caller on every device, this one included.
#[server(endpoint = "auth/logout_everywhere", output = crate::api::codec::Json)]
pub async fn logout_everywhere() -> Result<u64, AppError> {
    ctx::run(Permission::View, |state, me| async move {
        let n = crate::store::sessions::delete_for_user(&state.db, &me.id, None).await?;
        state.sessions_ended(crate::state::Ended::User(me.id));
        ctx::set_cookie(&crate::auth::clear_cookie(state.secure_cookies));
        Ok(n)
    })
    .await
}

/// Changes the caller's password after checking the current one; every other session of
/// theirs ends (this one stays signed in).
#[server(endpoint = "auth/change_password", output = crate::api::codec::Json)]
pub async fn change_password(current: String, new_password: String) -> Result<(), AppError> {
    ctx::run_as(Permission::View, |state, caller| async move {
        check_password_change(&current, &new_password)?;
        let me = caller.me;
        state.limits.sign_in(ctx::client_addr(&state), &me.email).map_err(refused)?;
        let stored = crate::store::users::password_hash(&state.db, &me.id)
            .await?
            .ok_or_else(|| AppError::NotFound("user".into()))?;
        let ok = state
            .limits
            .hash(move || crate::auth::verify_password(&current, &stored))
            .await
            .map_err(refused)?;
        if !ok {
            return Err(AppError::field("current", "is not your current password"));
        }
        let hash = state
            .limits
            .hash(move || crate::auth::hash_password(&new_password))
            .await
            .map_err(refused)??;
        crate::store::users::set_password(&state.db, &me.id, &hash, &caller.session).await?;
        // The other sessions ended; this one carries on (its stream re-checks and stays).
        state.sessions_ended(crate::state::Ended::User(me.id));
        Ok(())
    })
    .await
}

/// The form's own checks, before any limit or hash is spent on it.
#[cfg(feature = "ssr")]
fn check_password_change(current: &str, new_password: &str) -> Result<(), AppError> {
    let mut c = crate::error::Checks::new();
    if current.is_empty() {
        c.fail("current", "is required");
    } else if current.chars().count() > crate::model::PASSWORD_MAX {
        c.fail("current", "is not your current password");
    }
    crate::model::check_password(&mut c, "new_password", new_password);
    if !current.is_empty() && current == new_password {
        c.fail("new_password", "must differ from the current password");
    }
    c.finish()
}
