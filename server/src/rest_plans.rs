//! Success plans in the REST API, read-only: what a CRM or a BI tool shows of the plans the
//! team works with the customer.
//!
//! - `GET /api/v1/accounts/{id}/plans` (scope `plans:read`): the account's plans, oldest first,
//!   each complete (objectives, milestones, tasks with their status, owner and who did them).
//! - `GET /api/v1/plans/{id}` (`plans:read`): one plan.
//! - `PUT /api/v1/plans/{id}/tasks/{task_id}/status` (`plans:write`): `{"status": "done"}` — a
//!   project tool marking work done; the plan's activity says the key did it.

use crate::openapi::{ApiError, BadRequest, KeyErrors, NotModified, TooLarge, Unprocessable};
use crate::rest::{is_key, json_body, key_or_404, ApiKey};
use crate::scope;
use app::error::AppError;
use app::model::plan::Plan;
use app::model::plan::TaskStatus;
use app::service;
use app::state::AppState;
use app::store;
use axum::extract::{Path, State};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

scope!(PlansRead, PlansRead, "`plans:read`: read success plans.");
scope!(PlansWrite, PlansWrite, "`plans:write`: set the status of plan tasks.");

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(of_account))
        .routes(routes!(one))
        .routes(routes!(task_status))
        .layer(axum::extract::DefaultBodyLimit::max(4 * 1024))
}

/// A task's new status.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"status": "done"}))]
struct StatusChange {
    #[schema(value_type = TaskStatus)]
    status: String,
}

/// Set a task's status.
///
/// What a project tool sends when the work behind a task is done (or reopened). The plan's
/// activity and the account timeline record it as done by this API key (its name in Settings);
/// the plan's status, the account's health and `plan.task_completed` webhooks follow.
#[utoipa::path(put, path = "/api/v1/plans/{id}/tasks/{task_id}/status", tag = "plans",
    security(("api_key" = ["plans:write"])),
    params(
        ("id" = String, Path, description = "The plan's id"),
        ("task_id" = String, Path, description = "The task's id (a task of this plan)"),
    ),
    request_body = StatusChange,
    responses(
        (status = 200, description = "The plan, as it now stands", body = Plan),
        (status = 404, description = "No such task on this plan", body = ApiError),
        KeyErrors, BadRequest, TooLarge, Unprocessable))]
async fn task_status(
    State(state): State<AppState>, key: ApiKey<PlansWrite>,
    Path((id, task)): Path<(String, String)>, body: axum::body::Bytes,
) -> Result<Json<Plan>, AppError> {
    key_or_404(&id, "task on this plan")?;
    key_or_404(&task, "task on this plan")?;
    let change: StatusChange = json_body(&body, r#"{"status": "done"}"#)?;
    let status = TaskStatus::parse(change.status.trim()).ok_or_else(|| {
        AppError::field(
            "status",
            format!(
                "use one of {}",
                TaskStatus::ALL.iter().map(|s| s.key()).collect::<Vec<_>>().join(", ")
            ),
        )
    })?;
    let plan =
        service::plans::task_status_from_integration(&state, &id, &task, status, &key.name).await?;
    Ok(Json(plan))
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
