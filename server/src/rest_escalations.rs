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

use crate::rest::ApiKey;
use crate::scope;
use app::error::AppError;
use app::model::escalation::*;
use app::service;
use app::service::escalations::Actor;
use app::state::AppState;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

/// Calendars with years of holidays fit; nothing here needs more.
const BODY_LIMIT: usize = 256 * 1024;

pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/api/v1/calendars", post(create_calendar))
        .route("/api/v1/calendars/{id}", put(update_calendar))
        .route("/api/v1/sla-policies", post(create_policy))
        .route("/api/v1/sla-policies/{id}", put(update_policy))
        .route("/api/v1/escalations", post(open).get(list))
        .route("/api/v1/escalations/{id}", get(one))
        .route("/api/v1/escalations/{id}/events", post(event))
        .route("/api/v1/incidents", post(incident))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

scope!(SettingsWrite, SettingsWrite, "`settings:write`.");
scope!(EscalationsRead, EscalationsRead, "`escalations:read`.");
scope!(EscalationsWrite, EscalationsWrite, "`escalations:write`.");
scope!(IncidentsWrite, IncidentsWrite, "`incidents:write`.");

/// A JSON body read as `T`, or a 400 saying what shape was expected.
fn body<T: DeserializeOwned>(bytes: &[u8], example: &str) -> Result<T, AppError> {
    serde_json::from_slice(bytes)
        .map_err(|e| AppError::BadRequest(format!("send a JSON object like {example}: {e}")))
}

/// Ids in paths are record keys: anything longer than a key is no escalation of ours.
fn id_ok(id: &str, what: &str) -> Result<(), AppError> {
    if id.is_empty() || id.len() > 100 {
        return Err(AppError::NotFound(what.into()));
    }
    Ok(())
}

#[derive(Serialize)]
struct Saved {
    id: String,
    version: u32,
}

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

async fn update_calendar(
    State(state): State<AppState>, _key: ApiKey<SettingsWrite>, Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Saved>, AppError> {
    id_ok(&id, "calendar")?;
    let input: CalendarInput =
        body(&bytes, r#"{"name": "Berlin office", "time_zone": "Europe/Berlin", "hours": {…}}"#)?;
    let (id, version) = service::sla::save_calendar(&state.db, Some(&id), &input, None).await?;
    Ok(Json(Saved { id, version }))
}

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

async fn update_policy(
    State(state): State<AppState>, _key: ApiKey<SettingsWrite>, Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Saved>, AppError> {
    id_ok(&id, "SLA policy")?;
    let input: PolicyInput =
        body(&bytes, r#"{"name": "Enterprise", "calendar_id": "…", "targets": {"P1": {…}}}"#)?;
    let (id, version) = service::sla::save_policy(&state.db, Some(&id), &input, None).await?;
    Ok(Json(Saved { id, version }))
}

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

#[derive(Serialize)]
struct Page {
    escalations: Vec<Escalation>,
    next_cursor: Option<String>,
}

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
    let limit = match get("limit") {
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

async fn one(
    State(state): State<AppState>, _key: ApiKey<EscalationsRead>, Path(id): Path<String>,
) -> Result<Json<Escalation>, AppError> {
    id_ok(&id, "escalation")?;
    Ok(Json(service::escalations::detail(&state, &id).await?))
}

async fn event(
    State(state): State<AppState>, _key: ApiKey<EscalationsWrite>, Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Escalation>, AppError> {
    id_ok(&id, "escalation")?;
    let input: EventInput =
        body(&bytes, r#"{"kind": "first_response", "at": "2026-12-04T10:00:00Z", "note": "…"}"#)?;
    Ok(Json(service::escalations::record(&state, &id, &input, Actor::Integration).await?))
}

async fn incident(
    State(state): State<AppState>, _key: ApiKey<IncidentsWrite>, bytes: Bytes,
) -> Result<(StatusCode, Json<serde_json::Value>), AppError> {
    let input: IncidentInput =
        body(&bytes, r#"{"start": "…", "end": "…", "accounts": "all", "severity": "P1"}"#)?;
    let id = service::uptime::record(&state.db, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}
