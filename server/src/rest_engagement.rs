//! Touchpoints in the REST API: what a calendar or an email integration logs.
//!
//! `POST /api/v1/touchpoints` (scope `touchpoints:write`): one touchpoint, checked as the
//! account page's form checks it, logged once per `idempotency_key` (a re-sent one answers 200
//! with the touchpoint already logged; a new one 201).

use crate::openapi::{ApiError, BadRequest, KeyErrors, TooLarge, Unprocessable};
use crate::rest::{json_body, ApiKey};
use crate::scope;
use app::error::AppError;
use app::model::engagement::{Touchpoint, TouchpointInput, TouchpointKind};
use app::model::usage::AccountRef;
use app::service;
use app::state::AppState;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

scope!(TouchpointsWrite, TouchpointsWrite, "`touchpoints:write`: log touchpoints.");

/// Notes of 10 000 characters and next steps of 5 000 fit many times over.
const BODY_LIMIT: usize = 128 * 1024;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(log)).layer(DefaultBodyLimit::max(BODY_LIMIT))
}

/// A touchpoint as an integration sends it. Name the account by `account_id` or `external_id`.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"external_id": "crm-42", "kind": "meeting", "date": "2026-11-23",
    "attendees": ["Dana Lee", "Ada Lovelace"], "notes": "Walked through the Q4 roadmap.",
    "next_steps": "Send the pricing for 40 more seats", "logged_by": "ada@yourcompany.example",
    "idempotency_key": "gcal-7f3a9"}))]
struct TouchpointIn {
    account_id: Option<String>,
    external_id: Option<String>,
    #[schema(value_type = TouchpointKind)]
    kind: String,
    /// The day it happened (at most a day ahead, five years back).
    #[schema(value_type = chrono::NaiveDate)]
    date: String,
    /// Who took part: up to 50 names or emails of up to 200 characters.
    #[serde(default)]
    attendees: Vec<String>,
    /// At most 10 000 characters.
    #[serde(default)]
    notes: String,
    /// At most 5 000 characters.
    #[serde(default)]
    next_steps: String,
    /// An email or meeting request that waits for the customer's reply (feeds the delayed-
    /// response alert rule); only for `email` and `meeting`.
    #[serde(default)]
    awaiting_reply: bool,
    /// The email of the Bellwether user who held it; left out, it is logged by nobody in
    /// particular.
    logged_by: Option<String>,
    /// Unique to this touchpoint in your system (at most 200 characters): sending it again
    /// logs nothing new.
    idempotency_key: String,
}

/// Log a touchpoint.
///
/// A call, an email, a meeting or a review with the customer: it counts for the account's
/// cadences and engagement, and shows on its timeline. Logged once per `idempotency_key`.
#[utoipa::path(post, path = "/api/v1/touchpoints", tag = "accounts",
    security(("api_key" = ["touchpoints:write"])),
    request_body = TouchpointIn,
    responses(
        (status = 201, description = "Logged", body = Touchpoint),
        (status = 200, description = "Already logged under this idempotency key", body = Touchpoint),
        (status = 409, description = "The idempotency key was used for another account",
            body = ApiError),
        KeyErrors, BadRequest, TooLarge, Unprocessable))]
async fn log(
    State(state): State<AppState>, _key: ApiKey<TouchpointsWrite>, body: Bytes,
) -> Result<(StatusCode, Json<Touchpoint>), AppError> {
    let input: TouchpointIn = json_body(
        &body,
        r#"{"external_id": "crm-42", "kind": "call", "date": "2026-11-23", "idempotency_key": "…"}"#,
    )?;
    let key = input.idempotency_key.trim();
    if key.is_empty() || key.chars().count() > 200 {
        return Err(AppError::field("idempotency_key", "give 1 to 200 characters"));
    }
    let account = match (blank(&input.account_id), blank(&input.external_id)) {
        (Some(id), _) => AccountRef::Id(id),
        (None, Some(ext)) => AccountRef::External(ext),
        (None, None) => {
            return Err(AppError::field(
                "account_id",
                "name the account (account_id or external_id)",
            ))
        }
    };
    let valid = TouchpointInput {
        kind: input.kind,
        date: input.date,
        attendees: input.attendees.join("\n"),
        notes: input.notes,
        next_steps: input.next_steps,
        awaiting_reply: input.awaiting_reply.then(|| "true".to_string()),
    }
    .validate(chrono::Utc::now().date_naive())?;
    let logged_by = blank(&input.logged_by);
    let (touchpoint, created) = service::engagement::log_from_integration(
        &state,
        &account,
        &valid,
        logged_by.as_deref(),
        key,
    )
    .await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(touchpoint)))
}

fn blank(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}
