//! The REST API's revenue endpoints.
//!
//! - `POST /api/v1/arr-movements` (scope `revenue:write`): up to 10 000 ARR movements per call
//!   (an array, or `{"movements": [...]}`), each `{"external_id" | "account_id", "kind", "on",
//!   "arr_before", "arr_after", "currency", "reason"?, "idempotency_key"}` in minor units. Each
//!   account's rows are checked in the order sent against its ledger (no movement before the
//!   contract start or before the last one, `arr_before` equal to what the previous movement
//!   left, the kind fitting the amounts, the account's currency). Answered like events: 202
//!   `{"accepted", "duplicates", "rejected", "errors": [{"index", "idempotency_key", "field",
//!   "message"}]}`, 422 when some rows were refused (the good ones stored). A `churn` marks the
//!   account Churned; a `reactivation` brings it back.
//! - `GET /api/v1/metrics?from=YYYY-MM-DD&to=YYYY-MM-DD[&segment=ID][&currency=USD]` (scope
//!   `metrics:read`): NRR, GRR, logo retention and churn, revenue churn, ARPA, CLV, NPS, CSAT,
//!   CES and ARR at risk for the period, ratios as fractions, with `counts` and `inputs`; a
//!   figure that is not meaningful is `null` and `reasons` says why.

use crate::openapi::{BadRequest, KeyErrors, NotModified, TooLarge, Unprocessable};
use crate::rest::{ApiKey, MetricsRead, RevenueWrite};
use app::error::AppError;
use app::model::dashboard::DashboardFilter;
use app::service;
use app::state::AppState;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(movements))
        .routes(routes!(metrics))
        .layer(DefaultBodyLimit::max(16 * 1024 * 1024))
}

/// Record ARR movements.
///
/// Up to 10 000 movements. Each account's rows are checked in the order sent against its
/// ledger: no movement before the contract start or the last one, `arr_before` equal to what
/// the previous movement left, the kind fitting the amounts, the account's currency. A `churn`
/// marks the account Churned; a `reactivation` brings it back.
#[utoipa::path(post, path = "/api/v1/arr-movements", tag = "revenue",
    security(("api_key" = ["revenue:write"])),
    request_body = crate::rest_schemas::MovementsBatch,
    responses(
        (status = 202, description = "Every movement stored, or a duplicate", body = app::model::usage::IngestReport),
        (status = 422, description = "Some rows were refused (each listed in `errors`); the others were stored", body = app::model::usage::IngestReport),
        KeyErrors, BadRequest, TooLarge))]
async fn movements(
    State(state): State<AppState>, key: ApiKey<RevenueWrite>, body: Bytes,
) -> Result<(StatusCode, Json<app::model::usage::IngestReport>), AppError> {
    let rows = crate::rest::batch(&body, "movements")?;
    let report = service::revenue::ingest(&state, &format!("API key {}", key.id), &rows).await?;
    Ok(crate::rest::answer(report))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct MetricsQuery {
    /// The period's first day.
    #[param(required = true, value_type = chrono::NaiveDate)]
    from: Option<String>,
    /// The period's last day, inclusive.
    #[param(required = true, value_type = chrono::NaiveDate)]
    to: Option<String>,
    /// A saved segment's id: its accounts only.
    #[serde(default)]
    segment: String,
    /// Show money in this currency (ISO 4217), converted at the admin's rates.
    #[serde(default)]
    currency: String,
}

/// Read the retention metrics for a period.
///
/// NRR, GRR, logo retention and churn, revenue churn, ARPA, CLV, NPS, CSAT, CES and ARR at risk,
/// ratios as fractions, with `counts` and `inputs`. A figure that is not meaningful is `null`
/// and `reasons` says why.
#[utoipa::path(get, path = "/api/v1/metrics", tag = "revenue",
    security(("api_key" = ["metrics:read"])),
    params(MetricsQuery),
    responses(
        (status = 200, description = "The figures", body = Object),
        NotModified, KeyErrors, BadRequest, Unprocessable))]
async fn metrics(
    State(state): State<AppState>, _key: ApiKey<MetricsRead>,
    query: Result<Query<MetricsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<serde_json::Value>, AppError> {
    let Query(q) =
        query.map_err(|e| AppError::BadRequest(format!("the query is not understood: {e}")))?;
    let (Some(from), Some(to)) = (q.from, q.to) else {
        return Err(AppError::field("from", "from and to are required (YYYY-MM-DD, inclusive)"));
    };
    let filter = DashboardFilter {
        period: "custom".into(),
        from,
        to,
        segment: q.segment,
        owner: "all".into(),
        currency: q.currency,
    };
    Ok(Json(service::dashboard::metrics(&state, &filter).await?))
}
