//! The imports part of the REST API: what a CRM or another customer-success tool hands over.
//! Both take a JSON array, or an object wrapping it, and check each row on its own: the good
//! rows are stored even when others are refused, and the answer lists each refused row by
//! `index` and `field`.
//!
//! `POST /api/v1/accounts` (scope `accounts:write`) — up to 1 000 accounts (an array, or
//! `{"accounts": [...]}`), **upserted by `external_id`**: `{"external_id", "name", "tier":
//! "enterprise" | "mid_market" | "smb", "industry", "stage", "currency", "contract_start":
//! "YYYY-MM-DD", "renewal"?: "YYYY-MM-DD", "owner_email"?}`. A missing `renewal` is the
//! contract start plus twelve months; the owner must be an active admin or CSM. An account's
//! ARR comes only from its ARR movements (`POST /api/v1/arr-movements`): a new account starts
//! at 0, an update never changes it, and the stage crosses Churned (either way) only through
//! a `churn` or `reactivation` movement. A row equal to its account is `unchanged` and writes
//! nothing. Answers 200 `{"created", "updated", "unchanged", "duplicates",
//! "rejected", "errors": [{"index", "field", "message"}]}` when every row was stored (a row
//! repeating an external id seen earlier in the batch is a duplicate of the first), 422 with
//! the same body when some were refused.
//!
//! `POST /api/v1/survey-responses` (scope `surveys:write`) — up to 10 000 answers collected by
//! another tool (an array, or `{"responses": [...]}`): `{"external_id", "kind": "nps" | "csat"
//! | "ces", "score", "on": "YYYY-MM-DD" (or "at": RFC 3339), "comment"?, "contact_email"?,
//! "idempotency_key"}`. They count in every survey figure, shown as imported (channel
//! `import`, under the survey "NPS (imported)" and its CSAT and CES siblings); a low score opens
//! a follow-up only when answered in the last 30 days. Answered exactly like the events API:
//! 202 `{"accepted", "duplicates", "rejected", "errors": [{"index", "idempotency_key", "field",
//! "message"}]}`, 422 when some were refused; a re-sent answer is a duplicate.
//!
//! `GET /api/v1/survey-responses` (scope `surveys:read`) — every response, however it came, in
//! the order it was last written, in keyset pages (`cursor`, `limit` 1–200): a reader that
//! keeps the last `next_cursor` sees each new or changed response once more, never skips one.
//!
//! A body that is not JSON or not of those shapes is a 400, too many rows a 413: nothing of it
//! is stored.

use crate::openapi::{BadRequest, KeyErrors, TooLarge};
use crate::openapi::{NotModified, Unprocessable};
use crate::rest::{AccountsWrite, ApiKey, SurveysRead, SurveysWrite};
use crate::rest_accounts::Params;
use app::error::AppError;
use app::model::usage::IngestReport;
use app::service::imports::{self, AccountsReport};
use app::state::AppState;
use app::store::responses::feed::{self, After, FeedResponse};
use axum::body::Bytes;
use axum::extract::Query;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Large enough for 10 000 answers with comments of a few hundred characters.
const BODY_LIMIT: usize = 16 * 1024 * 1024;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(accounts))
        .routes(routes!(responses, response_feed))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

/// Create or update accounts, by `external_id`.
///
/// Up to 1 000 accounts. A row whose `external_id` is new creates an account; one already known
/// updates it. A row repeating an external id seen earlier in the batch is a duplicate of the
/// first. An account's ARR comes only from ARR movements.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts",
    security(("api_key" = ["accounts:write"])),
    request_body = crate::rest_schemas::AccountsBatch,
    responses(
        (status = 200, description = "Every row stored", body = AccountsReport),
        (status = 422, description = "Some rows were refused (each listed in `errors`); the others were stored", body = AccountsReport),
        KeyErrors, BadRequest, TooLarge))]
async fn accounts(
    State(state): State<AppState>, _key: ApiKey<AccountsWrite>, body: Bytes,
) -> Result<(StatusCode, Json<AccountsReport>), AppError> {
    let rows = crate::rest::batch(&body, "accounts")?;
    let report = imports::accounts(&state, &rows).await?;
    let status =
        if report.rejected == 0 { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, Json(report)))
}

/// Import survey answers collected elsewhere.
///
/// Up to 10 000 answers. They count in every survey figure, shown as imported; a low score
/// opens a follow-up when answered in the last 30 days. A re-sent answer is a duplicate.
#[utoipa::path(post, path = "/api/v1/survey-responses", tag = "surveys",
    security(("api_key" = ["surveys:write"])),
    request_body = crate::rest_schemas::ResponsesBatch,
    responses(
        (status = 202, description = "Every answer stored, or a duplicate", body = IngestReport),
        (status = 422, description = "Some rows were refused (each listed in `errors`); the others were stored", body = IngestReport),
        KeyErrors, BadRequest, TooLarge))]
async fn responses(
    State(state): State<AppState>, _key: ApiKey<SurveysWrite>, body: Bytes,
) -> Result<(StatusCode, Json<IngestReport>), AppError> {
    let rows = crate::rest::batch(&body, "responses")?;
    Ok(crate::rest::answer(imports::responses(&state, &rows).await?))
}

/// A page of the survey-response feed.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct FeedPage {
    responses: Vec<FeedResponse>,
    /// Pass as `cursor` for what follows. Never null: at the end of the feed it is where to
    /// ask again later (new and changed responses come after it).
    next_cursor: String,
}

/// Read survey responses, in the order they change.
///
/// Every response — answered by invitation, through an anonymous link or imported — ordered by
/// when Bellwether last wrote it, then by id. Keep the last `next_cursor` and ask again: new
/// responses, and responses answered again (changed), follow it, so a sync sees each change
/// once and misses none. The feed stays 3 seconds behind now, so that a write committing late
/// is never passed over.
#[utoipa::path(get, path = "/api/v1/survey-responses", tag = "surveys",
    security(("api_key" = ["surveys:read"])),
    params(
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the page before; from the start without"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200,
            description = "Responses per page (default 50)"),
    ),
    responses(
        (status = 200, description = "A page of responses", body = FeedPage),
        NotModified, KeyErrors, BadRequest, Unprocessable))]
async fn response_feed(
    State(state): State<AppState>, _key: ApiKey<SurveysRead>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<FeedPage>, AppError> {
    let p = Params(params);
    let limit = p.limit()?;
    let after = match p.one("cursor", 640)? {
        None => None,
        Some(c) => Some(After::decode(&c).ok_or_else(|| {
            AppError::field("cursor", "is not a cursor this feed gave; start without one")
        })?),
    };
    let responses = feed::page(&state.db, after.as_ref(), limit, chrono::Utc::now()).await?;
    let next_cursor = match responses.last() {
        Some(r) => After { changed_at: r.changed_at, id: r.id.clone() }.encode(),
        None => after
            .unwrap_or(After { changed_at: chrono::DateTime::UNIX_EPOCH, id: "0".into() })
            .encode(),
    };
    Ok(Json(FeedPage { responses, next_cursor }))
}
