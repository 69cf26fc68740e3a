//! The request context of a server function: who asks, what they may do, and the answer's status.
//!
//! Every server function body is one call: [`run`] for signed-in staff holding a [`Permission`]
//! (the function's first line names it), or [`anyone`] for the few that need no session
//! (sign-in, set-up). Both set the HTTP status from the error in one place, also when a page calls
//! the function while rendering on the server, so a page's 401, 403 or 404 is a real one.

use crate::error::AppError;
use crate::model::{Me, Permission};
use crate::service::session::{self, Caller};
use crate::state::AppState;
use leptos::prelude::*;
use std::future::Future;

/// Runs `f` for a signed-in caller holding `p`; refuses with 401 or 403 otherwise.
pub async fn run<T, F, Fut>(p: Permission, f: F) -> Result<T, AppError>
where
    F: FnOnce(AppState, Me) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    run_as(p, |state, caller| f(state, caller.me)).await
}

/// [`run`] for the few functions that act on the caller's session itself (password change).
pub async fn run_as<T, F, Fut>(p: Permission, f: F) -> Result<T, AppError>
where
    F: FnOnce(AppState, Caller) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    respond(
        async {
            let state = state()?;
            let caller = session::authorise(&state, &headers(), p).await?;
            f(state, caller).await
        }
        .await,
    )
}

/// Runs `f` without asking for a session (sign-in, set-up, "who am I").
pub async fn anyone<T, F, Fut>(f: F) -> Result<T, AppError>
where
    F: FnOnce(AppState) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    respond(async { f(state()?).await }.await)
}

fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| AppError::Internal("server state missing".into()))
}

/// The request's headers (none outside a request).
fn headers() -> http::HeaderMap {
    use_context::<http::request::Parts>().map(|p| p.headers).unwrap_or_default()
}

/// Sets the HTTP status of the answer from the error, then passes the result on.
fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
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

/// The signed-in user, or `None`.
pub async fn me(state: &AppState) -> Result<Option<Me>, AppError> {
    session::signed_in(state, &headers()).await
}

/// The hash of the session token the request came with, if any.
pub fn session_hash(state: &AppState) -> Option<String> {
    session::hash_from(state, &headers())
}

/// The client address of the request (see `limits::ClientAddressPolicy`).
pub fn client_addr(state: &AppState) -> std::net::IpAddr {
    let parts = use_context::<http::request::Parts>();
    let peer = parts.as_ref().and_then(|p| {
        p.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0)
    });
    let empty = http::HeaderMap::new();
    state.client_addr(parts.as_ref().map_or(&empty, |p| &p.headers), peer)
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
