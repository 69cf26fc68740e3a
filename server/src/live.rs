//! Live updates for pages that show one account: `GET /live/accounts/{id}` is a Server-Sent
//! Events stream that sends `changed` whenever that account changes on any node (its health
//! score, its details). The page then re-reads what it shows. The source is the portfolio
//! index's SurrealDB live query, so a score computed on another node arrives here too.

use app::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/live/accounts/{id}", get(account))
        .with_state(state)
}

async fn account(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    // Only signed-in staff may listen.
    let signed_in = match headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(app::auth::token_from_cookie_header)
    {
        Some(token) => matches!(
            app::store::sessions::lookup(&state.db, &app::auth::token_hash(&token)).await,
            Ok(Some(_))
        ),
        None => false,
    };
    if !signed_in {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let stream = BroadcastStream::new(state.portfolio.subscribe()).filter_map(move |m| {
        let id = id.clone();
        async move {
            match m {
                Ok(changed) if changed == id => Some(Ok::<_, std::convert::Infallible>(
                    Event::default().event("changed").data(changed),
                )),
                // Lagged: something may have been missed; tell the page to re-read.
                Err(_) => Some(Ok(Event::default().event("changed").data(id))),
                _ => None,
            }
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}
