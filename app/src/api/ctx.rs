//! The request context of a server function: the database, the caller, and the answer's status.

use crate::error::AppError;
use crate::model::{Me, Role};
use crate::state::AppState;
use leptos::prelude::*;

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| AppError::Internal("server state missing".into()))
}

/// The signed-in user, or `None`.
pub async fn me(state: &AppState) -> Result<Option<Me>, AppError> {
    let Some(parts) = use_context::<http::request::Parts>() else {
        return Ok(None);
    };
    state.signed_in(&parts.headers).await
}

/// The client address of the request (see `limits::ClientAddressPolicy`).
pub fn client_addr(state: &AppState) -> std::net::IpAddr {
    let parts = use_context::<http::request::Parts>();
    let peer = parts.as_ref().and_then(|p| {
        p.extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0)
    });
    let empty = http::HeaderMap::new();
    state.client_addr(parts.as_ref().map_or(&empty, |p| &p.headers), peer)
}

/// The caller, who must be signed in and pass `allowed`; `what` names the refused action.
pub async fn require(allowed: fn(Role) -> bool, what: &str) -> Result<(AppState, Me), AppError> {
    let state = state()?;
    let me = me(&state).await?.ok_or(AppError::Unauthenticated)?;
    if !allowed(me.role) {
        return Err(AppError::Forbidden(what.to_string()));
    }
    Ok((state, me))
}

pub fn any_role(_: Role) -> bool {
    true
}

/// Sets the HTTP status of the answer from the error, then passes the result on.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(e) = &result {
        if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
            opts.set_status(
                http::StatusCode::from_u16(e.status())
                    .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
            );
        }
    }
    result
}

/// Tells the client when to try again (with a 429).
pub fn retry_after(secs: u64) {
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        opts.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(secs));
    }
}

pub fn set_cookie(value: &str) {
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(v) = http::HeaderValue::from_str(value) {
            opts.append_header(http::header::SET_COOKIE, v);
        }
    }
}

pub fn session_token(state: &AppState) -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    crate::auth::session_token(&parts.headers, state.secure_cookies)
}
