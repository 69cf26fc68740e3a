//! Who is asking: the session a request's cookie names, the person behind it, and whether they
//! hold a [`Permission`]. Server functions (through `api::ctx`), downloads and the live stream
//! all come here, so the cookie is read in one place and a refusal reads the same everywhere.

use crate::error::AppError;
use crate::model::{Me, Permission};
use crate::state::AppState;

/// A signed-in person, authorised for what they asked.
#[derive(Debug, Clone)]
pub struct Caller {
    pub me: Me,
    /// The SHA-256 of the session token (what the database keeps): sign-out and a password
    /// change end or keep this session by it.
    pub session: String,
}

/// Who asked for a page, looked up before it is rendered (a request extension set by the
/// server's middleware): the frame around signed-in pages knows the person without waiting.
#[derive(Debug, Clone)]
pub struct PageVisitor(pub Result<Option<Me>, AppError>);

/// The hash of the session token a request's cookie carries, if any.
pub fn hash_from(state: &AppState, headers: &http::HeaderMap) -> Option<String> {
    crate::auth::session_token(headers, state.secure_cookies).map(|t| crate::auth::token_hash(&t))
}

/// The person behind a session hash, if the session is live (and records its use).
pub async fn lookup(state: &AppState, session: &str) -> Result<Option<Me>, AppError> {
    crate::store::sessions::lookup(&state.db, session, state.session_idle).await
}

/// The signed-in person behind a request's headers, if any.
pub async fn signed_in(
    state: &AppState, headers: &http::HeaderMap,
) -> Result<Option<Me>, AppError> {
    match hash_from(state, headers) {
        Some(session) => lookup(state, &session).await,
        None => Ok(None),
    }
}

/// The caller, who must be signed in (401) and hold `p` (403 with the permission's refusal).
pub async fn authorise(
    state: &AppState, headers: &http::HeaderMap, p: Permission,
) -> Result<Caller, AppError> {
    let session = hash_from(state, headers).ok_or(AppError::Unauthenticated)?;
    let me = lookup(state, &session).await?.ok_or(AppError::Unauthenticated)?;
    if !me.role.may(p) {
        return Err(AppError::Forbidden(p.refusal().to_string()));
    }
    Ok(Caller { me, session })
}
