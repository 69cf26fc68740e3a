//! The shared success plan under `/p/{token}`: what a customer contact sees through the magic
//! link. Plain server-rendered HTML with no script (like the survey pages), so it reads and
//! works with JavaScript off and on any phone; every change is a POST answered with a redirect
//! (post/redirect/get), so a reload never repeats it.
//!
//! The token names a `plan_share` row and carries its expiry under the instance's signing
//! secret: a forged or altered link is refused before any lookup, an expired one by its own
//! date, a revoked one by the row. The customer may tick off only their own tasks (customer
//! tasks given to them or to nobody in particular) and update only the objectives the team
//! opened for it; anything else — another plan's task id included — changes nothing.

use crate::survey_pages::{escape, page_with, rate_limit, PublicForm};
use app::error::AppError;
use app::model::plan::{
    milestone_status, plan_status, progress, OwnerRole, Plan, PlanStatus, Task, TaskStatus,
};
use app::state::AppState;
use app::store::plan_shares::Opened;
use app::store::plans::{Actor, Owner};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use std::collections::HashMap;

pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/p/{token}", get(show))
        .route("/p/{token}/tasks/{id}", post(tick))
        .route("/p/{token}/objectives/{id}", post(objective))
        .route("/p/{token}/comments", post(comment))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rate_limit,
        ))
        .with_state(state)
}

/// The live share behind a link, or `None` (forged, expired, revoked, or gone).
async fn open(state: &AppState, token: &str) -> Result<Option<Opened>, AppError> {
    let now = chrono::Utc::now();
    let Ok(key) = state.keyring().verify_share(token, now.timestamp()) else {
        return Ok(None);
    };
    app::store::plan_shares::open(&state.db, &key, now).await
}

/// The plan a customer's change touches. The plan's start bounds due dates, which customers
/// never set, so it is not read.
fn owner_of(o: &Opened) -> Owner {
    Owner {
        plan: o.plan.clone(),
        account: o.account.clone(),
        start: chrono::NaiveDate::MIN,
    }
}

fn actor(o: &Opened) -> Actor {
    Actor::Customer {
        contact: o.contact.clone(),
        name: o.contact_name.clone(),
    }
}

async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
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
    state: &AppState,
    token: &str,
    status: StatusCode,
    notice: Option<&str>,
    error: Option<&str>,
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
    let events = app::store::plans::events(&state.db, &opened.plan, 20)
        .await
        .unwrap_or_default();
    let _ = app::store::plan_shares::touch(&state.db, &key_of(token)).await;
    let body = plan_html(state, token, &opened, &plan, &events, notice, error);
    page_with(
        status,
        &plan.title,
        &body,
        CSS,
        "This plan is shared with you by link. Please do not forward it.",
    )
}

fn key_of(token: &str) -> String {
    token.split('.').next().unwrap_or_default().to_string()
}

/// Whether the customer behind `o` may tick `t` off.
fn is_theirs(t: &Task, o: &Opened) -> bool {
    t.owner_role == OwnerRole::Customer && t.owner_id.as_deref().is_none_or(|c| c == o.contact)
}

fn status_class(s: PlanStatus) -> &'static str {
    s.key()
}

fn plan_html(
    state: &AppState,
    token: &str,
    o: &Opened,
    p: &Plan,
    events: &[app::model::plan::PlanEvent],
    notice: Option<&str>,
    error: Option<&str>,
) -> String {
    let today = chrono::Utc::now().date_naive();
    let token = escape(token);
    let derived = plan_status(p, today);
    let (done, total) = progress(p);
    let pct = (done * 100).checked_div(total).unwrap_or(0);
    let first = o
        .contact_name
        .split_whitespace()
        .next()
        .unwrap_or(&o.contact_name);
    let mut b = format!(
        "<header class=\"brand\"><strong>{}</strong><span>Success plan for {}</span></header>",
        escape(&state.company),
        escape(&p.account_name)
    );
    b.push_str(&format!(
        "<div class=\"card\"><p class=\"hello\">Hi {},</p><h1>{}</h1>\
         <p><span class=\"pill s-{}\">{}</span> {}</p>\
         <div class=\"bar\" role=\"img\" aria-label=\"{pct}% complete\"><span style=\"width:{pct}%\"></span></div>\
         <p class=\"muted\">{done} of {total} steps done · started {}</p></div>",
        escape(first),
        escape(&p.title),
        status_class(derived.status),
        derived.status.label(),
        escape(&derived.reason),
        p.start.format("%d %b %Y"),
    ));
    if let Some(e) = error {
        b.push_str(&format!(
            "<div class=\"errors\" role=\"alert\"><p>{}</p></div>",
            escape(e)
        ));
    }
    if let Some(n) = notice {
        b.push_str(&format!(
            "<p class=\"notice\" role=\"status\">{}</p>",
            escape(n)
        ));
    }
    if !p.objectives.is_empty() {
        b.push_str("<section class=\"card\"><h2>Objectives</h2>");
        for ob in &p.objectives {
            let pct = (ob.progress() * 100.0).round() as u32;
            b.push_str(&format!(
                "<div class=\"obj\" id=\"o-{id}\"><div class=\"row\"><strong>{}</strong><span>{} → {} {}</span></div>\
                 <div class=\"bar\" role=\"img\" aria-label=\"{pct}% of the way to the target\"><span style=\"width:{pct}%\"></span></div>\
                 <p class=\"muted\">Started at {}{}</p>",
                escape(&ob.metric),
                app::model::plan::fmt_num(ob.current),
                if ob.has_target() {
                    app::model::plan::fmt_num(ob.target)
                } else {
                    "target to be agreed".to_string()
                },
                escape(&ob.unit),
                app::model::plan::fmt_num(ob.baseline),
                ob.updated_by
                    .as_ref()
                    .map(|u| format!(" · last updated by {}", escape(u)))
                    .unwrap_or_default(),
                id = escape(&ob.id),
            ));
            if ob.customer_can_update {
                b.push_str(&format!(
                    "<form method=\"post\" action=\"/p/{token}/objectives/{id}\" class=\"inline\">\
                     <label for=\"v-{id}\">Current value</label>\
                     <input id=\"v-{id}\" name=\"value\" inputmode=\"decimal\" value=\"{}\" required>\
                     <button type=\"submit\">Update</button></form>",
                    app::model::plan::fmt_num(ob.current),
                    id = escape(&ob.id),
                ));
            }
            b.push_str("</div>");
        }
        b.push_str("</section>");
    }
    b.push_str("<section class=\"card\"><h2>Milestones</h2>");
    for m in &p.milestones {
        let d = milestone_status(m, today);
        b.push_str(&format!(
            "<div class=\"ms\" id=\"m-{}\"><h3>{}{}</h3><p class=\"muted\">Due {} · <span class=\"pill s-{}\">{}</span></p><ul class=\"tasks\">",
            escape(&m.id),
            escape(&m.title),
            if m.first_value {
                " <span class=\"tag\">First value</span>"
            } else {
                ""
            },
            m.due.format("%a %d %b %Y"),
            status_class(d.status),
            d.status.label(),
        ));
        for t in &m.tasks {
            let theirs = is_theirs(t, o);
            let who = if theirs && t.owner_id.is_some() {
                "You".to_string()
            } else if t.owner_role == OwnerRole::Customer {
                t.owner_name
                    .clone()
                    .unwrap_or_else(|| "Your team".to_string())
            } else {
                format!(
                    "{} ({})",
                    t.owner_name
                        .clone()
                        .unwrap_or_else(|| state.company.clone()),
                    t.owner_role.label()
                )
            };
            let done = t.status == TaskStatus::Done;
            b.push_str(&format!(
                "<li id=\"t-{id}\" class=\"task{}{}\"><div class=\"what\"><span class=\"check\" aria-hidden=\"true\">{}</span><div><strong>{}</strong><br><span class=\"muted\">{} · due {}{}{}</span>",
                if done { " done" } else { "" },
                if t.is_overdue(today) { " late" } else { "" },
                if done { "✓" } else { "○" },
                escape(&t.title),
                escape(&who),
                t.due.format("%d %b"),
                if t.is_overdue(today) { " · overdue" } else { "" },
                if done {
                    t.done_by
                        .as_ref()
                        .map(|x| format!(" · done by {}", escape(x)))
                        .unwrap_or_default()
                } else {
                    String::new()
                },
                id = escape(&t.id),
            ));
            if !t.resources.is_empty() {
                b.push_str("<ul class=\"res\">");
                for r in &t.resources {
                    b.push_str(&format!(
                        "<li><a href=\"{}\" rel=\"noopener noreferrer\" target=\"_blank\">{}</a> <span class=\"muted\">({})</span></li>",
                        escape(&r.url),
                        escape(&r.title),
                        r.kind.label()
                    ));
                }
                b.push_str("</ul>");
            }
            b.push_str("</div></div>");
            if theirs {
                b.push_str(&format!(
                    "<form method=\"post\" action=\"/p/{token}/tasks/{id}\"><input type=\"hidden\" name=\"done\" value=\"{}\"><button type=\"submit\" class=\"{}\">{}</button></form>",
                    if done { "0" } else { "1" },
                    if done { "secondary" } else { "" },
                    if done { "Mark as not done" } else { "Mark as done" },
                    id = escape(&t.id),
                ));
            }
            b.push_str("</li>");
        }
        b.push_str("</ul></div>");
    }
    if p.milestones.is_empty() {
        b.push_str("<p class=\"muted\">No milestones yet.</p>");
    }
    b.push_str("</section>");
    b.push_str(&format!(
        "<section class=\"card\"><h2>Comments and activity</h2>\
         <form method=\"post\" action=\"/p/{token}/comments\"><label for=\"text\">Add a comment for your team</label>\
         <textarea id=\"text\" name=\"text\" rows=\"3\" maxlength=\"2000\" required></textarea>\
         <button type=\"submit\">Post comment</button></form><ul class=\"activity\">"
    ));
    // What the customer needs to see: comments and progress, not the team's housekeeping.
    const SHOWN: &[&str] = &[
        "comment",
        "task_done",
        "milestone_done",
        "objective_updated",
        "objective_edited",
        "shared",
        "plan_created",
    ];
    for e in events.iter().filter(|e| SHOWN.contains(&e.kind.as_str())) {
        let when = chrono::DateTime::parse_from_rfc3339(&e.at)
            .map(|d| d.format("%d %b, %H:%M").to_string())
            .unwrap_or_default();
        if e.kind == "comment" {
            b.push_str(&format!(
                "<li class=\"comment\"><strong>{}</strong> <time>{when}</time><p>{}</p></li>",
                escape(&e.actor),
                escape(&e.text)
            ));
        } else {
            b.push_str(&format!(
                "<li><strong>{}</strong> {} <time>{when}</time></li>",
                escape(&e.actor),
                escape(&e.text)
            ));
        }
    }
    b.push_str("</ul></section>");
    b
}

/// After a refused change: the page again, with the reason, and the status that says why.
async fn refused(state: &AppState, token: &str, e: AppError) -> Response {
    let (status, msg) = match &e {
        AppError::NotFound(what) => (
            StatusCode::NOT_FOUND,
            format!("That {what} was not found, so nothing was changed."),
        ),
        AppError::Forbidden(why) => (
            StatusCode::FORBIDDEN,
            format!("Nothing was changed: {why}."),
        ),
        AppError::Validation(_) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("Nothing was changed: {e}."),
        ),
        _ => return broken(e),
    };
    render(state, token, status, None, Some(&msg)).await
}

/// A customer's change through the link: the link must be live; `change` checks the input and
/// stores it; done → back to the page (a notice, the changed item in view), refused → the page
/// again with the reason and the status that says why.
async fn act<Fut>(
    state: &AppState,
    token: &str,
    saved: &str,
    change: impl FnOnce(Owner, Actor) -> Fut,
) -> Response
where
    Fut: std::future::Future<Output = Result<(), AppError>>,
{
    let o = match open(state, token).await {
        Ok(Some(o)) => o,
        Ok(None) => return invalid_link(),
        Err(e) => return broken(e),
    };
    match change(owner_of(&o), actor(&o)).await {
        Ok(()) => {
            state.account_activity(&o.account);
            Redirect::to(&format!("/p/{token}?saved={saved}")).into_response()
        }
        Err(e) => refused(state, token, e).await,
    }
}

async fn tick(
    State(state): State<AppState>,
    Path((token, id)): Path<(String, String)>,
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
    State(state): State<AppState>,
    Path((token, id)): Path<(String, String)>,
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
    State(state): State<AppState>,
    Path(token): Path<String>,
    PublicForm(form): PublicForm,
) -> Response {
    let db = state.db.clone();
    act(&state, &token, "comment", |owner, by| async move {
        let text = app::model::validate::required_text(
            form.get("text").map(String::as_str).unwrap_or(""),
            2000,
        )
        .map_err(|m| AppError::field("text", format!("the comment {m}")))?;
        app::store::plans::note(&db, &owner, "comment", text, &by).await
    })
    .await
}

fn invalid_link() -> Response {
    page_with(
        StatusCode::NOT_FOUND,
        "This link is no longer active",
        "<div class=\"card\"><h1>This link is no longer active</h1><p>Shared plan links work for a limited time and can be withdrawn. Please ask your customer success manager for a new link.</p></div>",
        CSS,
        "",
    )
}

fn broken(e: AppError) -> Response {
    tracing::error!(error = %e, "shared plan page");
    page_with(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "<div class=\"card\"><h1>Something went wrong on our side</h1><p>Nothing was changed. Please try again in a moment.</p></div>",
        CSS,
        "",
    )
}

/// On top of the survey pages' styles.
const CSS: &str = ".card{margin-bottom:1rem}.brand{display:flex;flex-wrap:wrap;gap:.25rem .75rem;align-items:baseline;margin:0 0 .75rem}.brand span{color:#52606d}h2{font-size:1.1rem;margin:0 0 .75rem}h3{font-size:1rem;margin:0}.muted{color:#52606d;font-size:.9rem;margin:.2rem 0}.pill{display:inline-block;border-radius:999px;padding:.05rem .6rem;font-size:.8rem;font-weight:700;background:#e5e7eb;color:#1f2933}.s-on_track{background:#dcfce7;color:#14532d}.s-at_risk{background:#fef3c7;color:#78350f}.s-off_track{background:#fee2e2;color:#7f1d1d}.s-done{background:#dbeafe;color:#1e3a8a}.tag{font-size:.75rem;font-weight:700;background:#ede9fe;color:#4c1d95;border-radius:4px;padding:.05rem .4rem;vertical-align:middle}.bar{height:10px;background:#e5e7eb;border-radius:999px;overflow:hidden;margin:.5rem 0 .25rem}.bar span{display:block;height:100%;background:#1d4ed8}.obj{padding:.5rem 0;border-top:1px solid #e5e7eb}.obj:first-of-type{border-top:0}.row{display:flex;justify-content:space-between;gap:.5rem;flex-wrap:wrap}.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin-top:.4rem}.inline label{font-size:.9rem;font-weight:600}.inline input{font:inherit;padding:.5rem;border:2px solid #7b8794;border-radius:8px;width:8rem;min-height:44px;background:#fff;color:inherit}.inline button,.task button{width:auto;min-height:44px;padding:.5rem 1rem}.ms{padding:.75rem 0;border-top:1px solid #e5e7eb}.ms:first-of-type{border-top:0;padding-top:0}.tasks{list-style:none;margin:.5rem 0 0;padding:0}.task{display:flex;justify-content:space-between;align-items:center;gap:.75rem;padding:.6rem 0;border-top:1px dashed #e5e7eb;flex-wrap:wrap}.what{display:flex;gap:.6rem;align-items:flex-start;flex:1 1 14rem}.check{font-size:1.2rem;line-height:1.2;color:#7b8794}.done .check{color:#15803d}.done strong{text-decoration:line-through;color:#52606d}.late .muted{color:#b91c1c}.res{margin:.3rem 0 0;padding-left:1rem;font-size:.9rem}button.secondary{background:#fff;color:#1d4ed8;border:2px solid #1d4ed8}.activity{list-style:none;padding:0;margin:1rem 0 0}.activity li{padding:.4rem 0;border-top:1px solid #e5e7eb;font-size:.92rem}.activity time{color:#52606d;font-size:.8rem}.activity p{margin:.2rem 0 0}.errors p{margin:0}@media (prefers-color-scheme:dark){.brand span,.muted,.activity time{color:#cbd2d9}.bar{background:#374151}.bar span{background:#3b82f6}.obj,.ms,.activity li{border-color:#374151}.task{border-color:#374151}.inline input{background:#111827;border-color:#9ca3af}button.secondary{background:#111827;color:#93c5fd;border-color:#93c5fd}.late .muted{color:#fca5a5}}";
