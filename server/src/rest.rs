//! The REST API for other systems (`/api/v1`): JSON in and out, authenticated by API keys
//! (`Authorization: Bearer bw_…`) with scopes. Every error is a JSON body
//! `{"error": {"status", "message", …}}` with a 4xx/5xx status.
//!
//! `POST /api/v1/events` — a batch of up to 10 000 product-usage events (an array, or
//! `{"events": [...]}`). Each event is checked and stored on its own: the good events of a
//! batch are stored even when others are refused; a refused event changes nothing. The answer
//! is 202 when every event was stored or was a duplicate, 422 when some were refused (the
//! body lists each one: index, idempotency_key, field, message). Re-sending a whole batch is
//! safe: events already stored (same `idempotency_key`) are counted as duplicates.
//!
//! The key is checked (existence, scope, its rate limit) by the [`ApiKey`] extractor from the
//! headers alone, before the body is read: an unauthenticated 16 MiB upload is refused without
//! being received.

use app::error::AppError;
use app::model::usage::{check_event, EventError, IngestReport, MAX_BATCH};
use app::state::AppState;
use app::store;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use std::collections::HashMap;

/// Large enough for 10 000 events of a few hundred bytes each.
const BODY_LIMIT: usize = 16 * 1024 * 1024;

pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/api/v1/events", post(ingest))
        .route("/api/v1/accounts/{id}/health", get(account_health))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// A JSON error answer.
fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (
        status,
        Json(json!({ "error": { "status": status.as_u16(), "message": message.into() } })),
    )
        .into_response()
}

fn from_app(e: AppError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    error(status, e.to_string())
}

/// A scope an API key can carry.
pub trait Scope: Send + Sync + 'static {
    const NAME: &'static str;
}

/// `events:write`: send usage events.
pub struct EventsWrite;
impl Scope for EventsWrite {
    const NAME: &'static str = "events:write";
}

/// `health:read`: read health scores.
pub struct HealthRead;
impl Scope for HealthRead {
    const NAME: &'static str = "health:read";
}

/// A live API key carrying the scope `S`, within its rate limit. As an extractor it runs on
/// the request's headers, before any body extractor.
pub struct ApiKey<S: Scope> {
    pub id: String,
    _scope: std::marker::PhantomData<S>,
}

impl<S: Scope> FromRequestParts<AppState> for ApiKey<S> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let id = authorise(state, &parts.headers, S::NAME).await?;
        if let Err(app::limits::RetryAfter(secs)) = state.limits.api(&id) {
            let mut res = error(
                StatusCode::TOO_MANY_REQUESTS,
                format!("this API key is over its limit of requests per minute; retry in {secs} s"),
            );
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            return Err(res);
        }
        Ok(Self {
            id,
            _scope: std::marker::PhantomData,
        })
    }
}

/// The caller's key must exist, be live, and carry `scope`; returns the key's id.
async fn authorise(state: &AppState, headers: &HeaderMap, scope: &str) -> Result<String, Response> {
    let Some(value) = headers.get(axum::http::header::AUTHORIZATION) else {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "missing API key: send `Authorization: Bearer <key>` (admins create keys in Settings → API keys)",
        ));
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or("");
    if token.is_empty() {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "the Authorization header must be `Bearer <key>`",
        ));
    }
    let found = store::api_keys::scopes(&state.db, &app::auth::token_hash(token))
        .await
        .map_err(from_app)?;
    let Some((id, scopes)) = found else {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "this API key is not valid (unknown or revoked)",
        ));
    };
    if !scopes.iter().any(|s| s == scope) {
        return Err(error(
            StatusCode::FORBIDDEN,
            format!("this API key lacks the `{scope}` scope"),
        ));
    }
    state.note_key_use(&id);
    Ok(id)
}

async fn ingest(State(state): State<AppState>, _key: ApiKey<EventsWrite>, body: Bytes) -> Response {
    let parsed: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("the body is not valid JSON: {e}"),
            )
        }
    };
    let list = match parsed {
        serde_json::Value::Array(a) => a,
        serde_json::Value::Object(mut o) => match o.remove("events") {
            Some(serde_json::Value::Array(a)) => a,
            _ => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "send a JSON array of events, or an object with an `events` array",
                )
            }
        },
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "send a JSON array of events, or an object with an `events` array",
            )
        }
    };
    if list.len() > MAX_BATCH {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "{} events in one batch; send at most {MAX_BATCH} per request",
                list.len()
            ),
        );
    }
    let now = chrono::Utc::now();
    let mut errors: Vec<EventError> = Vec::new();
    let mut valid = Vec::with_capacity(list.len());
    for (i, v) in list.iter().enumerate() {
        match check_event(i, v, now) {
            Ok(e) => valid.push((i, e)),
            Err(e) => errors.push(e),
        }
    }
    // Accounts: from the in-memory portfolio index, or the database while it loads.
    let mut resolved: HashMap<app::model::usage::AccountRef, Option<String>> = HashMap::new();
    let mut unknown_to_index = Vec::new();
    for (_, e) in &valid {
        if resolved.contains_key(&e.account) {
            continue;
        }
        match state.portfolio.resolve(&e.account) {
            Some(found) => {
                resolved.insert(e.account.clone(), found);
            }
            None => unknown_to_index.push(e.account.clone()),
        }
    }
    if !unknown_to_index.is_empty() {
        match store::usage::resolve_accounts(&state.db, &unknown_to_index).await {
            Ok(map) => {
                for r in unknown_to_index {
                    let found = map.get(&r).cloned();
                    resolved.insert(r, found);
                }
            }
            Err(e) => return from_app(e),
        }
    }
    let mut ready = Vec::with_capacity(valid.len());
    for (i, e) in &valid {
        match resolved.get(&e.account).cloned().flatten() {
            Some(account) => ready.push(store::usage::Resolved { account, event: e }),
            None => errors.push(EventError {
                index: *i,
                idempotency_key: Some(e.idempotency_key.clone()),
                field: match e.account {
                    app::model::usage::AccountRef::Id(_) => "account_id".into(),
                    app::model::usage::AccountRef::External(_) => "external_id".into(),
                },
                message: "no account has this id".into(),
            }),
        }
    }
    let stored = if ready.is_empty() {
        store::usage::Stored {
            accepted: 0,
            duplicates: 0,
            accounts: vec![],
        }
    } else {
        match store::usage::store(&state.db, &ready).await {
            Ok(s) => s,
            Err(e) => return from_app(e),
        }
    };
    state.rescore(stored.accounts);
    errors.sort_by_key(|e| e.index);
    let report = IngestReport {
        accepted: stored.accepted,
        duplicates: stored.duplicates,
        rejected: errors.len(),
        errors,
    };
    let status = if report.rejected == 0 {
        StatusCode::ACCEPTED
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (status, Json(report)).into_response()
}

/// `GET /api/v1/accounts/{id}/health` (scope `health:read`): the latest score with each
/// measure's contribution.
async fn account_health(
    State(state): State<AppState>,
    _key: ApiKey<HealthRead>,
    Path(id): Path<String>,
) -> Response {
    let since = chrono::Utc::now().date_naive() - chrono::Duration::days(1);
    match store::health::history(&state.db, &id, since).await {
        Ok(h) => match h.last() {
            Some(s) => (StatusCode::OK, Json(s.clone())).into_response(),
            None => error(
                StatusCode::NOT_FOUND,
                "no score for this account (unknown account, or not scored yet)",
            ),
        },
        Err(e) => from_app(e),
    }
}
