//! Downloads that are plain HTTP GETs (a link the browser saves), behind the same permission
//! check as every server function.

use app::error::AppError;
use app::model::Permission;
use app::service::session;
use app::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

/// `GET /surveys/{id}/responses.csv`: every response, one row each, extra questions as columns.
pub async fn survey_responses(
    State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap,
) -> Result<Response, AppError> {
    session::authorise(&state, &headers, Permission::View).await?;
    let survey = app::store::surveys::get(&state.db, &id).await?;
    let csv = app::store::responses::export_csv(&state.db, &survey).await?;
    let file: String =
        survey.name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let mut res = csv.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}-responses.csv\""))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}
