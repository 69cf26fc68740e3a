//! Success plans in the REST API, read-only: what a CRM or a BI tool shows of the plans the
//! team works with the customer.
//!
//! - `GET /api/v1/accounts/{id}/plans` (scope `plans:read`): the account's plans, oldest first,
//!   each complete (objectives, milestones, tasks with their status, owner and who did them).
//! - `GET /api/v1/plans/{id}` (`plans:read`): one plan.

use crate::openapi::{ApiError, KeyErrors, NotModified};
use crate::rest::{is_key, ApiKey};
use crate::scope;
use app::error::AppError;
use app::model::plan::Plan;
use app::state::AppState;
use app::store;
use axum::extract::{Path, State};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

scope!(PlansRead, PlansRead, "`plans:read`: read success plans.");

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(of_account)).routes(routes!(one))
}

/// List an account's success plans.
///
/// Oldest first, each with its objectives, milestones and tasks. An account without plans, or
/// an unknown one, has none: an empty list.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/plans", tag = "plans",
    security(("api_key" = ["plans:read"])),
    params(("id" = String, Path, description = "Bellwether's id of the account")),
    responses(
        (status = 200, description = "The account's plans", body = Vec<Plan>),
        NotModified, KeyErrors))]
async fn of_account(
    State(state): State<AppState>, _key: ApiKey<PlansRead>, Path(id): Path<String>,
) -> Result<Json<Vec<Plan>>, AppError> {
    if !is_key(&id) {
        return Ok(Json(Vec::new()));
    }
    Ok(Json(store::plans::for_accounts(&state.db, Some(&[id])).await?))
}

/// Read a success plan.
#[utoipa::path(get, path = "/api/v1/plans/{id}", tag = "plans",
    security(("api_key" = ["plans:read"])),
    params(("id" = String, Path, description = "The plan's id")),
    responses(
        (status = 200, description = "The plan", body = Plan),
        NotModified,
        (status = 404, description = "No such plan", body = ApiError),
        KeyErrors))]
async fn one(
    State(state): State<AppState>, _key: ApiKey<PlansRead>, Path(id): Path<String>,
) -> Result<Json<Plan>, AppError> {
    let plan = if is_key(&id) { store::plans::get(&state.db, &id).await? } else { None };
    plan.map(Json).ok_or_else(|| AppError::NotFound("plan".into()))
}
