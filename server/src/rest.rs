//! The REST API for other systems (`/api/v1`): JSON in and out, authenticated by API keys
//! (`Authorization: Bearer bw_…`) with scopes. Every error is an [`AppError`], answered as a
//! JSON body `{"error": {"status", "message", …}}` with a 4xx/5xx status (see its
//! `IntoResponse`).
//!
//! `POST /api/v1/events` — a batch of up to 10 000 product-usage events (an array, or
//! `{"events": [...]}`). Each event is checked and stored on its own: the good events of a
//! batch are stored even when others are refused; a refused event changes nothing. The answer
//! is 202 when every event was stored or was a duplicate, 422 when some were refused (the
//! body lists each one: index, idempotency_key, field, message). Re-sending a whole batch is
//! safe: events already stored (same `idempotency_key`) are counted as duplicates.
//!
//! `POST /api/v1/messages` (scope `messages:write`) — messages to and from customers, as an
//! email or helpdesk integration sends them (`account_id` or `external_id`, `contact_email`?,
//! `thread_id`, `direction` `in` | `out`, `at`, `idempotency_key`; only the envelope, never the
//! content), in batches answered exactly like events (an array, or `{"messages": [...]}`).
//! They feed the delayed-response alert rule.
//!
//! The key is checked (existence, scope, its rate limit) by the [`ApiKey`] extractor from the
//! headers alone, before the body is read: an unauthenticated 16 MiB upload is refused without
//! being received.

use crate::openapi::{ApiError, BadRequest, KeyErrors, NotModified, TooLarge};
use app::error::AppError;
use app::model::api_key::ApiScope;
use app::model::health::Snapshot;
use app::state::AppState;
use app::{service, store};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Large enough for 10 000 events of a few hundred bytes each.
const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Usage events, messages and health reads (documented in `crate::openapi`).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(ingest))
        .routes(routes!(ingest_messages))
        .routes(routes!(account_health))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

/// The scope an [`ApiKey`] extractor demands, as a type.
pub trait Scope: Send + Sync + 'static {
    const SCOPE: ApiScope;
}

/// `events:write`: send usage events.
pub struct EventsWrite;
impl Scope for EventsWrite {
    const SCOPE: ApiScope = ApiScope::EventsWrite;
}

/// `messages:write`: send messages to and from customers.
pub struct MessagesWrite;
impl Scope for MessagesWrite {
    const SCOPE: ApiScope = ApiScope::MessagesWrite;
}

/// `health:read`: read health scores.
pub struct HealthRead;
impl Scope for HealthRead {
    const SCOPE: ApiScope = ApiScope::HealthRead;
}

/// Declares a scope type for the [`ApiKey`] extractor: `scope!(Name, ApiScope variant, "doc")`.
#[macro_export]
macro_rules! scope {
    ($name:ident, $scope:ident, $doc:literal) => {
        #[doc = $doc]
        pub struct $name;
        impl $crate::rest::Scope for $name {
            const SCOPE: app::model::api_key::ApiScope = app::model::api_key::ApiScope::$scope;
        }
    };
}
scope!(AccountsWrite, AccountsWrite, "`accounts:write`: create and update accounts.");
scope!(RevenueWrite, RevenueWrite, "`revenue:write`: record ARR movements.");
scope!(SurveysWrite, SurveysWrite, "`surveys:write`: import survey responses.");
scope!(SurveysRead, SurveysRead, "`surveys:read`: read survey responses.");
scope!(MetricsRead, MetricsRead, "`metrics:read`: read revenue and survey metrics.");

/// A live API key carrying the scope `S`, within its rate limit. As an extractor it runs on
/// the request's headers, before any body extractor.
pub struct ApiKey<S: Scope> {
    pub id: String,
    /// The key's name, as Settings shows it (what a change made with it is recorded as).
    pub name: String,
    _scope: std::marker::PhantomData<S>,
}

impl<S: Scope> FromRequestParts<AppState> for ApiKey<S> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let (id, name) = authorise(state, &parts.headers, S::SCOPE).await?;
        if let Err(app::limits::RetryAfter(secs)) = state.limits.api(&id) {
            return Err(AppError::OverLimit {
                message: format!(
                    "this API key is over its limit of requests per minute; retry in {secs} s"
                ),
                retry_after: secs,
            });
        }
        Ok(Self { id, name, _scope: std::marker::PhantomData })
    }
}

/// The caller's key must exist, be live, and carry `scope`; returns the key's id and name.
async fn authorise(
    state: &AppState, headers: &HeaderMap, scope: ApiScope,
) -> Result<(String, String), AppError> {
    let Some(value) = headers.get(axum::http::header::AUTHORIZATION) else {
        return Err(AppError::BadCredentials(
            "missing API key: send `Authorization: Bearer <key>` (admins create keys in Settings → API keys)".into(),
        ));
    };
    let token =
        value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim).unwrap_or("");
    if token.is_empty() {
        return Err(AppError::BadCredentials(
            "the Authorization header must be `Bearer <key>`".into(),
        ));
    }
    let found = store::api_keys::scopes(&state.db, &app::auth::token_hash(token)).await?;
    let Some(store::api_keys::LiveKey { id, name, scopes }) = found else {
        return Err(AppError::BadCredentials(
            "this API key is not valid (unknown or revoked)".into(),
        ));
    };
    if !scopes.iter().any(|s| s == scope.key()) {
        return Err(AppError::Forbidden(format!("this API key lacks the `{}` scope", scope.key())));
    }
    state.key_uses.note(&id);
    Ok((id, name))
}

/// Send product-usage events.
///
/// A batch of up to 10 000 events. Each event is checked and stored on its own: the good ones
/// are stored even when others are refused. Re-sending a batch is safe: an event whose
/// `idempotency_key` is already stored counts as a duplicate.
#[utoipa::path(post, path = "/api/v1/events", tag = "usage",
    security(("api_key" = ["events:write"])),
    request_body = crate::rest_schemas::EventsBatch,
    responses(
        (status = 202, description = "Every event stored, or a duplicate", body = app::model::usage::IngestReport),
        (status = 422, description = "Some rows were refused (each listed in `errors`); the others were stored", body = app::model::usage::IngestReport),
        KeyErrors, BadRequest, TooLarge))]
async fn ingest(
    State(state): State<AppState>, _key: ApiKey<EventsWrite>, body: Bytes,
) -> Result<(StatusCode, Json<app::model::usage::IngestReport>), AppError> {
    let events = batch(&body, "events")?;
    Ok(answer(service::usage::ingest(&state, &events).await?))
}

/// Send messages to and from customers.
///
/// Their envelopes only, as an email or helpdesk integration sees them, in batches answered
/// exactly like events. They feed the delayed-response alert rule.
#[utoipa::path(post, path = "/api/v1/messages", tag = "usage",
    security(("api_key" = ["messages:write"])),
    request_body = crate::rest_schemas::MessagesBatch,
    responses(
        (status = 202, description = "Every message stored, or a duplicate", body = app::model::usage::IngestReport),
        (status = 422, description = "Some rows were refused (each listed in `errors`); the others were stored", body = app::model::usage::IngestReport),
        KeyErrors, BadRequest, TooLarge))]
async fn ingest_messages(
    State(state): State<AppState>, _key: ApiKey<MessagesWrite>, body: Bytes,
) -> Result<(StatusCode, Json<app::model::usage::IngestReport>), AppError> {
    let messages = batch(&body, "messages")?;
    Ok(answer(service::messages::ingest(&state, &messages).await?))
}

/// 202 when every item was stored or was a duplicate, 422 (with the list) when some were not.
pub fn answer(
    report: app::model::usage::IngestReport,
) -> (StatusCode, Json<app::model::usage::IngestReport>) {
    let status =
        if report.rejected == 0 { StatusCode::ACCEPTED } else { StatusCode::UNPROCESSABLE_ENTITY };
    (status, Json(report))
}

/// Ids in paths are record keys: an empty one, or one longer than any key, names nothing of ours.
pub fn is_key(id: &str) -> bool {
    !id.is_empty() && id.len() <= 100
}

/// [`is_key`], or "no such `what`" (404) without asking the database.
pub fn key_or_404(id: &str, what: &str) -> Result<(), AppError> {
    if is_key(id) {
        Ok(())
    } else {
        Err(AppError::NotFound(what.into()))
    }
}

/// A JSON body read as `T`, or a 400 saying what shape was expected (`example`).
pub fn json_body<T: serde::de::DeserializeOwned>(
    bytes: &[u8], example: &str,
) -> Result<T, AppError> {
    serde_json::from_slice(bytes)
        .map_err(|e| AppError::BadRequest(format!("send a JSON object like {example}: {e}")))
}

/// The items of a request body: a JSON array, or an object `{"<name>": [...]}`.
pub fn batch(body: &[u8], name: &str) -> Result<Vec<serde_json::Value>, AppError> {
    let parsed: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| AppError::BadRequest(format!("the body is not valid JSON: {e}")))?;
    let wrong_shape = || {
        AppError::BadRequest(format!(
            "send a JSON array of {name}, or an object {{\"{name}\": [...]}}"
        ))
    };
    match parsed {
        serde_json::Value::Array(a) => Ok(a),
        serde_json::Value::Object(mut o) => match o.remove(name) {
            Some(serde_json::Value::Array(a)) => Ok(a),
            _ => Err(wrong_shape()),
        },
        _ => Err(wrong_shape()),
    }
}

/// Read an account's health score.
///
/// The latest score with each measure's contribution.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/health", tag = "health",
    security(("api_key" = ["health:read"])),
    params(("id" = String, Path, description = "Bellwether's id of the account")),
    responses(
        (status = 200, description = "The latest score", body = Snapshot),
        (status = 404, description = "No such account, or not scored yet", body = ApiError),
        NotModified, KeyErrors))]
async fn account_health(
    State(state): State<AppState>, _key: ApiKey<HealthRead>, Path(id): Path<String>,
) -> Result<Json<Snapshot>, AppError> {
    let since = chrono::Utc::now().date_naive() - chrono::Duration::days(1);
    let history = store::health::history(&state.db, &id, since).await?;
    // An unknown account and one not scored yet answer alike.
    let latest = history
        .into_iter()
        .last()
        .ok_or_else(|| AppError::NotFound("score for this account".into()))?;
    Ok(Json(latest))
}
