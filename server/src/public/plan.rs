//! The shared success plan under `/p/{token}`: what a customer contact sees through the magic
//! link. Plain server-rendered HTML with no script (see [`super`]), so it reads and works with
//! JavaScript off and on any phone; every change is a POST answered with a redirect
//! (post/redirect/get), so a reload never repeats it. The markup is in [`super::plan_view`].
//!
//! The token names a `plan_share` row and carries its expiry under the instance's signing
//! secret: a forged or altered link is refused before any lookup, an expired one by its own
//! date, a revoked one by the row. The customer may tick off only their own tasks (customer
//! tasks given to them or to nobody in particular) and update only the objectives the team
//! opened for it; anything else — another plan's task id included — changes nothing.

use super::plan_view::{self, PlanView};
use super::{message, page, PublicForm, Styles};
use app::error::AppError;
use app::model::plan::TaskStatus;
use app::state::AppState;
use app::store::plan_shares::Opened;
use app::store::plans::{Actor, PlanOwner};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::html;
use std::collections::HashMap;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/p/{token}", get(show))
        .route("/p/{token}/tasks/{id}", post(tick))
        .route("/p/{token}/objectives/{id}", post(objective))
        .route("/p/{token}/comments", post(comment))
}

/// The live share behind a link, or `None` (forged, expired, revoked, or gone).
async fn open(state: &AppState, token: &str) -> Result<Option<Opened>, AppError> {
    let now = chrono::Utc::now();
    let Ok(key) = state.keyring().verify_share(token, now.timestamp()) else {
        return Ok(None);
    };
    app::store::plan_shares::open(&state.db, &key, now).await
}

async fn show(
    State(state): State<AppState>, Path(token): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let notice = match q.get("saved").map(String::as_str) {
        Some("task") => Some("Saved. Your team sees the change straight away."),
        Some("objective") => Some("Saved. Thank you for the update."),
        Some("comment") => Some("Your comment is posted."),
        _ => None,
    };
    render(&state, &token, StatusCode::OK, notice, None).await
}

/// Renders the plan for the share behind `token`, with a notice or an error at the top.
async fn render(
    state: &AppState, token: &str, status: StatusCode, notice: Option<&str>, error: Option<&str>,
) -> Response {
    let opened = match open(state, token).await {
        Ok(Some(o)) => o,
        Ok(None) => return invalid_link(),
        Err(e) => return broken(e),
    };
    let plan = match app::store::plans::get(&state.db, &opened.plan).await {
        Ok(Some(p)) => p,
        Ok(None) => return invalid_link(),
        Err(e) => return broken(e),
    };
    let events = app::store::plans::events(&state.db, &opened.plan, 20).await.unwrap_or_default();
    let _ = app::store::plan_shares::touch(&state.db, &key_of(token)).await;
    let view = PlanView {
        company: &state.company,
        token,
        opened: &opened,
        plan: &plan,
        events: &events,
        today: chrono::Utc::now().date_naive(),
    };
    page(
        status,
        &plan.title,
        Styles::Plan,
        plan_view::plan(&view, notice, error),
        "This plan is shared with you by link. Please do not forward it.",
    )
}

fn key_of(token: &str) -> String {
    token.split('.').next().unwrap_or_default().to_string()
}

/// After a refused change: the page again, with the reason, and the status that says why.
async fn refused(state: &AppState, token: &str, e: AppError) -> Response {
    let (status, msg) = match &e {
        AppError::NotFound(what) => {
            (StatusCode::NOT_FOUND, format!("That {what} was not found, so nothing was changed."))
        }
        AppError::Forbidden(why) => (StatusCode::FORBIDDEN, format!("Nothing was changed: {why}.")),
        AppError::Validation(_) => {
            (StatusCode::UNPROCESSABLE_ENTITY, format!("Nothing was changed: {e}."))
        }
        _ => return broken(e),
    };
    render(state, token, status, None, Some(&msg)).await
}

/// A customer's change through the link: the link must be live; `change` checks the input and
/// stores it; done → back to the page (a notice, the changed item in view), refused → the page
/// again with the reason and the status that says why.
async fn act<Fut>(
    state: &AppState, token: &str, saved: &str, change: impl FnOnce(PlanOwner, Actor) -> Fut,
) -> Response
where
    Fut: std::future::Future<Output = Result<(), AppError>>,
{
    let o = match open(state, token).await {
        Ok(Some(o)) => o,
        Ok(None) => return invalid_link(),
        Err(e) => return broken(e),
    };
    match change(o.owner(), o.actor()).await {
        Ok(()) => {
            state.account_activity(&o.account);
            Redirect::to(&format!("/p/{token}?saved={saved}")).into_response()
        }
        Err(e) => refused(state, token, e).await,
    }
}

async fn tick(
    State(state): State<AppState>, Path((token, id)): Path<(String, String)>,
    PublicForm(form): PublicForm,
) -> Response {
    let db = state.db.clone();
    let saved = format!("task#t-{id}");
    act(&state, &token, &saved, |owner, by| async move {
        let status = match form.get("done").map(String::as_str) {
            Some("1") => TaskStatus::Done,
            Some("0") => TaskStatus::Open,
            _ => return Err(AppError::field("done", "the form was incomplete")),
        };
        app::store::plans::set_task_status(&db, &owner, &id, status, &by).await
    })
    .await
}

async fn objective(
    State(state): State<AppState>, Path((token, id)): Path<(String, String)>,
    PublicForm(form): PublicForm,
) -> Response {
    let db = state.db.clone();
    let saved = format!("objective#o-{id}");
    act(&state, &token, &saved, |owner, by| async move {
        let raw = form.get("value").map(String::as_str).unwrap_or("");
        let value = app::model::plan::parse_number(raw)
            .map_err(|m| AppError::field("value", format!("the current value {m}")))?;
        app::store::plans::customer_set_objective(&db, &owner, &id, value, &by).await
    })
    .await
}

async fn comment(
    State(state): State<AppState>, Path(token): Path<String>, PublicForm(form): PublicForm,
) -> Response {
    let db = state.db.clone();
    act(&state, &token, "comment", |owner, by| async move {
        let text = app::model::validate::required_text(
            form.get("text").map(String::as_str).unwrap_or(""),
            2000,
        )
        .map_err(|m| AppError::field("text", format!("the comment {m}")))?;
        app::store::plans::comment(&db, &owner, text, &by).await
    })
    .await
}

/// A page that only says something, styled as the plan, with no footer.
fn plan_message(status: StatusCode, title: &str, heading: &str, paragraph: &str) -> Response {
    let card = html! { div.card { (message(heading, &[paragraph])) } };
    page(status, title, Styles::Plan, card, "")
}

fn invalid_link() -> Response {
    plan_message(
        StatusCode::NOT_FOUND,
        "This link is no longer active",
        "This link is no longer active",
        "Shared plan links work for a limited time and can be withdrawn. Please ask your customer success manager for a new link.",
    )
}

fn broken(e: AppError) -> Response {
    tracing::error!(error = %e, "shared plan page");
    plan_message(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "Something went wrong on our side",
        "Nothing was changed. Please try again in a moment.",
    )
}
