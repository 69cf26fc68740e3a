//! Downloads that are plain HTTP GETs (a link the browser saves), behind the same session
//! check as every server function.

use app::error::AppError;
use app::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The signed-in user from the session cookie, or the error to answer with.
async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<app::model::Me, AppError> {
    state
        .signed_in(headers)
        .await?
        .ok_or(AppError::Unauthenticated)
}

fn error(e: AppError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, e.to_string()).into_response()
}

/// `GET /surveys/{id}/responses.csv`: every response, one row each, extra questions as columns.
pub async fn survey_responses(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        signed_in(&state, &headers).await?;
        let survey = app::store::surveys::get(&state.db, &id).await?;
        let csv = app::store::responses::export_csv(&state.db, &survey).await?;
        Ok::<_, AppError>((survey, csv))
    }
    .await;
    match result {
        Ok((survey, csv)) => {
            let file: String = survey
                .name
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            let mut res = csv.into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            if let Ok(v) =
                HeaderValue::from_str(&format!("attachment; filename=\"{file}-responses.csv\""))
            {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            res
        }
        Err(e) => error(e),
    }
}
