//! Escalations, SLA settings and incidents in the REST API — what helpdesks (Zendesk,
//! Freshdesk, Jira) mirror their tickets in through, and what status pages report outages to.
//! The shapes are a contract (README "Escalations and SLA clocks"):
//!
//! - `POST /api/v1/calendars`, `PUT /api/v1/calendars/{id}` (scope `settings:write`) →
//!   `{"id", "version"}` (201 / 200): every save is a new version.
//! - `POST /api/v1/sla-policies`, `PUT /api/v1/sla-policies/{id}` (`settings:write`) →
//!   `{"id", "version"}`.
//! - `POST /api/v1/escalations` (`escalations:write`) → 201 with the escalation as the GET
//!   shows it; `GET /api/v1/escalations` (`escalations:read`; `state` open | resolved | all,
//!   `account_id`, `severity`, `cursor`, `limit` 1–200) → `{"escalations", "next_cursor"}`;
//!   `GET /api/v1/escalations/{id}` → the escalation with every clock's state.
//! - `POST /api/v1/escalations/{id}/events` (`escalations:write`) → the escalation after it.
//! - `POST /api/v1/incidents` (`incidents:write`) → 201 `{"id"}`.

use crate::openapi::{ApiError, BadRequest, KeyErrors, NotModified, TooLarge, Unprocessable};
use crate::rest::{json_body as body, key_or_404, ApiKey};
use crate::scope;
use app::error::AppError;
use app::model::escalation::*;
use app::service;
use app::service::escalations::Actor;
use app::state::AppState;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use std::collections::HashMap;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Calendars with years of holidays fit; nothing here needs more.
const BODY_LIMIT: usize = 256 * 1024;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_calendar))
        .routes(routes!(update_calendar))
        .routes(routes!(create_policy))
        .routes(routes!(update_policy))
        .routes(routes!(open, list))
        .routes(routes!(one))
        .routes(routes!(event))
        .routes(routes!(incident))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

scope!(SettingsWrite, SettingsWrite, "`settings:write`.");
scope!(EscalationsRead, EscalationsRead, "`escalations:read`.");
scope!(EscalationsWrite, EscalationsWrite, "`escalations:write`.");
scope!(IncidentsWrite, IncidentsWrite, "`incidents:write`.");

/// A saved calendar or policy: every save is a new version.
#[derive(Serialize, utoipa::ToSchema)]
struct Saved {
    id: String,
    version: u32,
}

/// Create a business-hours calendar.
#[utoipa::path(post, path = "/api/v1/calendars", tag = "escalations",
    security(("api_key" = ["settings:write"])),
    request_body = CalendarInput,
    responses((status = 201, description = "Created, as version 1", body = Saved),
        KeyErrors, BadRequest, TooLarge, Unprocessable))]
async fn create_calendar(
    State(state): State<AppState>, _key: ApiKey<SettingsWrite>, bytes: Bytes,
) -> Result<(StatusCode, Json<Saved>), AppError> {
    let input: CalendarInput = body(
        &bytes,
        r#"{"name": "Berlin office", "time_zone": "Europe/Berlin", "hours": {"mon": [["09:00", "17:00"]]}}"#,
    )?;
    let (id, version) = service::sla::save_calendar(&state.db, None, &input, None).await?;
    Ok((StatusCode::CREATED, Json(Saved { id, version })))
}

/// Save a new version of a calendar.
///
/// Escalations opened under an earlier version keep counting with it.
#[utoipa::path(put, path = "/api/v1/calendars/{id}", tag = "escalations",
    security(("api_key" = ["settings:write"])),
    params(("id" = String, Path, description = "The calendar's id")),
    request_body = CalendarInput,
    responses((status = 200, description = "Saved as a new version", body = Saved),
        (status = 404, description = "No such calendar", body = ApiError),
        KeyErrors, BadRequest, TooLarge, Unprocessable))]
async fn update_calendar(
    State(state): State<AppState>, _key: ApiKey<SettingsWrite>, Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Saved>, AppError> {
    key_or_404(&id, "calendar")?;
    let input: CalendarInput =
        body(&bytes, r#"{"name": "Berlin office", "time_zone": "Europe/Berlin", "hours": {…}}"#)?;
    let (id, version) = service::sla::save_calendar(&state.db, Some(&id), &input, None).await?;
    Ok(Json(Saved { id, version }))
}

/// Create an SLA policy.
///
/// Targets are keyed by severity (`P1` … `P4`), all four required; a policy applies to a saved
/// segment's accounts, or (without `segment_id`) to every account no other policy matches.
#[utoipa::path(post, path = "/api/v1/sla-policies", tag = "escalations",
    security(("api_key" = ["settings:write"])),
    request_body = PolicyInput,
    responses((status = 201, description = "Created, as version 1", body = Saved),
        KeyErrors, BadRequest, TooLarge, Unprocessable))]
async fn create_policy(
    State(state): State<AppState>, _key: ApiKey<SettingsWrite>, bytes: Bytes,
) -> Result<(StatusCode, Json<Saved>), AppError> {
    let input: PolicyInput = body(
        &bytes,
        r#"{"name": "Enterprise", "segment_id": "…", "calendar_id": "…", "targets": {"P1": {…}}}"#,
    )?;
    let (id, version) = service::sla::save_policy(&state.db, None, &input, None).await?;
    Ok((StatusCode::CREATED, Json(Saved { id, version })))
}

/// Save a new version of an SLA policy.
#[utoipa::path(put, path = "/api/v1/sla-policies/{id}", tag = "escalations",
    security(("api_key" = ["settings:write"])),
    params(("id" = String, Path, description = "The policy's id")),
    request_body = PolicyInput,
    responses((status = 200, description = "Saved as a new version", body = Saved),
        (status = 404, description = "No such policy", body = ApiError),
        KeyErrors, BadRequest, TooLarge, Unprocessable))]
async fn update_policy(
    State(state): State<AppState>, _key: ApiKey<SettingsWrite>, Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Saved>, AppError> {
    key_or_404(&id, "SLA policy")?;
    let input: PolicyInput =
        body(&bytes, r#"{"name": "Enterprise", "calendar_id": "…", "targets": {"P1": {…}}}"#)?;
    let (id, version) = service::sla::save_policy(&state.db, Some(&id), &input, None).await?;
    Ok(Json(Saved { id, version }))
}

/// Open an escalation.
///
/// What a helpdesk mirrors a ticket in through. The account is named by `account_id` or
/// `external_id`; the SLA policy is the account's unless `policy_id` names one.
#[utoipa::path(post, path = "/api/v1/escalations", tag = "escalations",
    security(("api_key" = ["escalations:write"])),
    request_body = EscalationInput,
    responses((status = 201, description = "Opened, with its clocks", body = Escalation),
        KeyErrors, BadRequest, TooLarge, Unprocessable))]
async fn open(
    State(state): State<AppState>, _key: ApiKey<EscalationsWrite>, bytes: Bytes,
) -> Result<(StatusCode, Json<Escalation>), AppError> {
    let input: EscalationInput = body(
        &bytes,
        r#"{"account_id": "…", "type": "technical", "severity": "P1", "title": "…"}"#,
    )?;
    let e = service::escalations::open(&state, &input, Actor::Integration).await?;
    Ok((StatusCode::CREATED, Json(e)))
}

/// A page of escalations, newest first.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = EscalationPage)]
struct Page {
    escalations: Vec<Escalation>,
    next_cursor: Option<String>,
}

/// List escalations.
#[utoipa::path(get, path = "/api/v1/escalations", tag = "escalations",
    security(("api_key" = ["escalations:read"])),
    params(
        ("state" = Option<String>, Query, description = "`open` (default), `resolved` or `all`"),
        ("account_id" = Option<String>, Query, description = "One account's escalations"),
        ("severity" = Option<String>, Query, description = "`P1`, `P2`, `P3` or `P4`"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the page before"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Escalations per page (default 50)"),
    ),
    responses((status = 200, description = "A page of escalations", body = Page),
        NotModified, KeyErrors, BadRequest, Unprocessable))]
async fn list(
    State(state): State<AppState>, _key: ApiKey<EscalationsRead>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Page>, AppError> {
    let get = |k: &str| q.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let st = get("state");
    if let Some(s) = &st {
        if !["open", "resolved", "all"].contains(&s.as_str()) {
            return Err(AppError::field("state", "use open, resolved or all"));
        }
    }
    let severity = match get("severity") {
        Some(s) => Some(
            EscalationSeverity::parse(&s)
                .ok_or_else(|| AppError::field("severity", "use P1, P2, P3 or P4"))?,
        ),
        None => None,
    };
    // A `limit` that is there must be a number, even when empty (`limit=`).
    let limit = match q.get("limit").map(|v| v.trim()) {
        None => 50,
        Some(v) => match v.parse::<u32>() {
            Ok(n) if (1..=200).contains(&n) => n,
            _ => return Err(AppError::field("limit", "give a whole number from 1 to 200")),
        },
    };
    let account_id = get("account_id").filter(|a| a.len() <= 100);
    let f = EscalationFilter {
        state: st,
        account_id: account_id.map(Into::into),
        severity,
        mine: false,
        limit: Some(limit),
        cursor: get("cursor").filter(|c| c.len() <= 60),
    };
    let escalations = service::escalations::list(&state, &f, None).await?;
    let next_cursor = (escalations.len() as u32 == limit)
        .then(|| escalations.last().map(|e| e.opened_at.to_rfc3339()))
        .flatten();
    Ok(Json(Page { escalations, next_cursor }))
}

/// Read an escalation, with every clock's state.
#[utoipa::path(get, path = "/api/v1/escalations/{id}", tag = "escalations",
    security(("api_key" = ["escalations:read"])),
    params(("id" = String, Path, description = "The escalation's id")),
    responses((status = 200, description = "The escalation", body = Escalation),
        (status = 404, description = "No such escalation", body = ApiError), NotModified, KeyErrors))]
async fn one(
    State(state): State<AppState>, _key: ApiKey<EscalationsRead>, Path(id): Path<String>,
) -> Result<Json<Escalation>, AppError> {
    key_or_404(&id, "escalation")?;
    Ok(Json(service::escalations::detail(&state, &id).await?))
}

/// Record what happened on an escalation.
///
/// Acknowledged, first response, customer update, waiting on the customer, customer replied,
/// escalated, resolved (with a root cause), reopened. `at` may be backdated (a mirrored
/// ticket), at most a year.
#[utoipa::path(post, path = "/api/v1/escalations/{id}/events", tag = "escalations",
    security(("api_key" = ["escalations:write"])),
    params(("id" = String, Path, description = "The escalation's id")),
    request_body = EventInput,
    responses((status = 200, description = "The escalation after the event", body = Escalation),
        (status = 404, description = "No such escalation", body = ApiError),
        (status = 409, description = "The event does not fit where the escalation stands", body = ApiError),
        KeyErrors, BadRequest, TooLarge, Unprocessable))]
async fn event(
    State(state): State<AppState>, _key: ApiKey<EscalationsWrite>, Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Escalation>, AppError> {
    key_or_404(&id, "escalation")?;
    let input: EventInput =
        body(&bytes, r#"{"kind": "first_response", "at": "2026-12-04T10:00:00Z", "note": "…"}"#)?;
    Ok(Json(service::escalations::record(&state, &id, &input, Actor::Integration).await?))
}

/// Report an incident (an outage).
///
/// What a status page or monitor sends. `accounts` is `"all"` or a list of account ids; posting
/// the same `external_id` again updates the incident (its end, usually). Incidents feed each
/// account's monthly availability.
#[utoipa::path(post, path = "/api/v1/incidents", tag = "escalations",
    security(("api_key" = ["incidents:write"])),
    request_body = IncidentInput,
    responses((status = 201, description = "Recorded", body = Created),
        KeyErrors, BadRequest, TooLarge, Unprocessable))]
async fn incident(
    State(state): State<AppState>, _key: ApiKey<IncidentsWrite>, bytes: Bytes,
) -> Result<(StatusCode, Json<Created>), AppError> {
    let input: IncidentInput =
        body(&bytes, r#"{"start": "…", "end": "…", "accounts": "all", "severity": "P1"}"#)?;
    let id = service::uptime::record(&state.db, &input).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// A recorded incident's id.
#[derive(Serialize, utoipa::ToSchema)]
struct Created {
    id: String,
}
