//! The alerts part of the REST API.
//!
//! `GET /api/v1/alerts` (scope `alerts:read`): filters `account_id`, `rule`, `status`,
//! `severity` (each may repeat or be comma-separated), `cursor`, `limit` (1–200, default 50);
//! answers `{"alerts": [{"id", "account_id", "rule", "rule_version", "severity", "status",
//! "owner", "evidence": {…}, "summary", "opened_at", "last_seen_at"}], "next_cursor"}`, newest
//! first. An unknown rule, status or severity is a 422 naming the parameter.
//!
//! `POST /api/v1/alerts/{id}/events` (scope `alerts:write`): `{"event": "acknowledged" |
//! "resolved" | "dismissed" | "snoozed", "reason"?, "until"?, "note"?}` — dismissing and
//! snoozing need a reason, snoozing a future `until` (a date or an RFC 3339 time, at most 180
//! days ahead). 404 for an unknown alert, 409 for one already closed.

use crate::openapi::{BadRequest, KeyErrors, NotModified, TooLarge, Unprocessable};
use crate::rest::{ApiKey, Scope};
use app::error::AppError;
use app::model::alert::*;
use app::model::api_key::ApiScope;
use app::model::Keyed;
use app::state::AppState;
use app::{service, store};
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Serialize;
use std::collections::HashMap;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(event))
}

/// `alerts:read`.
pub struct AlertsRead;
impl Scope for AlertsRead {
    const SCOPE: ApiScope = ApiScope::AlertsRead;
}

/// `alerts:write`.
pub struct AlertsWrite;
impl Scope for AlertsWrite {
    const SCOPE: ApiScope = ApiScope::AlertsWrite;
}

/// An alert as the REST API shows it (the contract's field names).
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Alert)]
struct ApiAlert {
    id: String,
    account_id: String,
    rule: RuleKind,
    rule_version: u32,
    severity: Severity,
    status: AlertStatus,
    owner: Option<String>,
    evidence: Evidence,
    summary: String,
    opened_at: chrono::DateTime<chrono::Utc>,
    last_seen_at: chrono::DateTime<chrono::Utc>,
    snoozed_until: Option<chrono::DateTime<chrono::Utc>>,
    reason: Option<String>,
}

/// A page of alerts, newest first.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = AlertPage)]
struct ApiPage {
    alerts: Vec<ApiAlert>,
    /// Pass as `cursor` for the next page; `null` on the last.
    next_cursor: Option<String>,
}

/// The values of a repeatable, comma-separable parameter, each a key of `T`.
pub(crate) fn keys<T: Keyed>(params: &[(String, String)], name: &str) -> Result<Vec<T>, AppError> {
    let mut out = Vec::new();
    for (_, v) in params.iter().filter(|(k, _)| k == name) {
        for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match T::parse(part) {
                Some(t) if !out.contains(&t) => out.push(t),
                Some(_) => {}
                None => {
                    let all: Vec<&str> = T::all().iter().map(|t| t.key()).collect();
                    return Err(AppError::field(
                        name,
                        format!("unknown {name} “{part}”; use one of {}", all.join(", ")),
                    ));
                }
            }
        }
    }
    Ok(out)
}

/// List alerts.
///
/// Newest first. Each filter may repeat or be comma-separated. An unknown rule, status or
/// severity is a 422 naming the parameter.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts",
    security(("api_key" = ["alerts:read"])),
    params(
        ("account_id" = Option<String>, Query, description = "One account's alerts (at most 100 characters)"),
        ("rule" = Option<String>, Query, description = "Rule kinds, comma-separated (`declining_engagement`, …)"),
        ("status" = Option<String>, Query, description = "Statuses, comma-separated (`open`, `acknowledged`, `snoozed`, …)"),
        ("severity" = Option<String>, Query, description = "Severities, comma-separated (`high`, `medium`, `low`)"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the page before"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Alerts per page (default 50)"),
    ),
    responses(
        (status = 200, description = "A page of alerts", body = ApiPage),
        NotModified, KeyErrors, BadRequest, Unprocessable))]
async fn list(
    State(state): State<AppState>, _key: ApiKey<AlertsRead>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<ApiPage>, AppError> {
    let one: HashMap<&str, &str> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let text = |name: &str, max: usize| -> Result<Option<String>, AppError> {
        match one.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            Some(v) if v.len() > max => {
                Err(AppError::field(name, format!("at most {max} characters")))
            }
            Some(v) => Ok(Some(v.to_string())),
            None => Ok(None),
        }
    };
    let limit = match one.get("limit") {
        None => 0,
        Some(v) => match v.trim().parse::<u32>() {
            Ok(n) if (1..=200).contains(&n) => n,
            _ => return Err(AppError::field("limit", "give a whole number from 1 to 200")),
        },
    };
    let filter = AlertFilter {
        account_id: text("account_id", 100)?,
        rules: keys(&params, "rule")?,
        statuses: keys(&params, "status")?,
        severities: keys(&params, "severity")?,
        owner: None,
        segment: None,
        cursor: text("cursor", 100)?,
        limit,
    };
    let page = service::alerts::list(&state.db, &state.portfolio, &filter).await?;
    Ok(Json(ApiPage {
        next_cursor: page.next_cursor,
        alerts: page
            .alerts
            .into_iter()
            .map(|a| ApiAlert {
                id: a.id,
                account_id: a.account_id.to_string(),
                rule: a.rule,
                rule_version: a.rule_version,
                severity: a.severity,
                status: a.status,
                owner: a.owner_id.map(|o| o.to_string()),
                evidence: a.evidence,
                summary: a.summary,
                opened_at: a.opened_at,
                last_seen_at: a.last_seen_at,
                snoozed_until: a.snoozed_until,
                reason: a.reason,
            })
            .collect(),
    }))
}

/// Act on an alert.
///
/// Acknowledge, resolve, dismiss or snooze it. Dismissing and snoozing need a `reason`,
/// snoozing a future `until` (a date or an RFC 3339 time, at most 180 days ahead).
#[utoipa::path(post, path = "/api/v1/alerts/{id}/events", tag = "alerts",
    security(("api_key" = ["alerts:write"])),
    params(("id" = String, Path, description = "The alert's id")),
    request_body = AlertEventInput,
    responses(
        (status = 200, description = "The alert's id and new status", body = AlertActed),
        (status = 404, description = "No such alert", body = crate::openapi::ApiError),
        (status = 409, description = "The alert is already closed", body = crate::openapi::ApiError),
        KeyErrors, BadRequest, TooLarge, Unprocessable))]
async fn event(
    State(state): State<AppState>, _key: ApiKey<AlertsWrite>, Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<AlertActed>, AppError> {
    if id.len() > 100 {
        return Err(AppError::NotFound("alert".into()));
    }
    let input: AlertEventInput = crate::rest::json_body(&body, r#"{"event": "acknowledged"}"#)?;
    let cmd = input.validate(chrono::Utc::now())?;
    store::alerts::act(&state.db, &id, &cmd, None, "api").await?;
    Ok(Json(AlertActed { id, status: cmd.status() }))
}

/// What an action on an alert answers.
#[derive(Serialize, utoipa::ToSchema)]
struct AlertActed {
    id: String,
    status: AlertStatus,
}
