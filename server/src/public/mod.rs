//! The public pages: what a customer reaches from an email or a shared link without signing in —
//! the surveys under `/s/…` ([`survey`]) and the shared success plan under `/p/…` ([`plan`]).
//! Plain server-rendered HTML with no script at all (not even the hydration bootstrap), so they
//! work with JavaScript off, in any mail client's browser, and weigh a few kilobytes.
//!
//! What they share lives here, once: the layout (title, the styles from `style/public.css`
//! inlined, the footer), the rate limit on every public request, the headers (a CSP that
//! forbids every script), and [`PublicForm`], the form extractor with a friendly 400.
//!
//! The markup is written with [maud](https://maud.lambda.xyz) templates:
//! - escaping by construction: every value spliced into a template is escaped, in text and in
//!   attributes alike; only `PreEscaped` opts out, and it is used for our own stylesheets. A
//!   contact named `<script>` is text, without anyone having to remember an `escape()`;
//! - the templates are Rust, checked at compile time (a misspelt variable or a missing field is
//!   a build error, not a blank on a customer's screen);
//! - no runtime (a template appends to one `String`) and a small proc macro to compile;
//! - no hydration markers: Leptos `view!` rendered to a string would add hydration comments and
//!   needs a reactive owner for each render; askama keeps templates in files outside Rust.

mod plan;
mod plan_view;
mod survey;
mod survey_form;

use app::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Form, Router};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use std::collections::HashMap;
use std::net::SocketAddr;

/// Every public route, behind the one per-address rate limit.
pub fn routes(state: AppState) -> Router {
    Router::new()
        .merge(survey::routes())
        .merge(plan::routes())
        .layer(axum::middleware::from_fn_with_state(state.clone(), rate_limit))
        .with_state(state)
}

/// Per-client-address limit on everything under `/s/` and `/p/`: the address is the peer, or
/// behind trusted proxies the one they appended (see `limits::ClientAddressPolicy`).
async fn rate_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let client = state.client_addr(req.headers(), peer);
    if let Err(app::limits::RetryAfter(secs)) = state.limits.public(client) {
        let mut res = survey_message(
            StatusCode::TOO_MANY_REQUESTS,
            "Please wait a moment",
            "Please wait a moment",
            &["We received many requests from your network in a short time. Please try again in a minute."],
        );
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        return res;
    }
    next.run(req).await
}

/// A posted form on a public page. A body that is not a form (bad encoding, invalid UTF-8)
/// gets the public pages' own 400 page, not the framework's plain-text rejection.
pub(crate) struct PublicForm(pub HashMap<String, String>);

impl<S: Send + Sync> axum::extract::FromRequest<S> for PublicForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        match Form::<HashMap<String, String>>::from_request(req, state).await {
            Ok(Form(f)) => Ok(Self(f)),
            Err(_) => Err(survey_message(
                StatusCode::BAD_REQUEST,
                "That did not work",
                "That did not work",
                &["The form arrived damaged. Please go back and send it again."],
            )),
        }
    }
}

/// Styles for every public page (see the file for the rules they keep).
const CSS: &str = include_str!("../../../style/public.css");

/// Styles the shared plan adds on top of [`CSS`].
const PLAN_CSS: &str = include_str!("../../../style/public-plan.css");

/// Which stylesheets a page carries: the survey pages only the shared ones, so they stay small.
#[derive(Clone, Copy)]
enum Styles {
    Survey,
    Plan,
}

/// The footer of the survey pages (and of the rate-limit and damaged-form pages on both).
const SURVEY_FOOTER: &str = "Your answer is private to the team that works with you.";

/// A whole script-free page: the layout around `content`, with the public pages' headers.
fn page(
    status: StatusCode, title: &str, styles: Styles, content: Markup, footer: &str,
) -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width,initial-scale=1";
                meta name="color-scheme" content="light dark";
                meta name="robots" content="noindex";
                title { (title) }
                style {
                    (PreEscaped(CSS))
                    @if let Styles::Plan = styles { (PreEscaped(PLAN_CSS)) }
                }
            }
            body { main { (content) footer { (footer) } } }
        }
    };
    with_public_headers((status, markup).into_response())
}

/// The headers of every public page. The CSP forbids every script: these pages must work
/// without one.
fn with_public_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    res
}

/// A survey-styled page whose content is one card.
fn survey_page(status: StatusCode, title: &str, card: Markup) -> Response {
    page(status, title, Styles::Survey, html! { div.card { (card) } }, SURVEY_FOOTER)
}

/// A heading and a few paragraphs: the content of every "that did not work" page.
fn message(heading: &str, paragraphs: &[&str]) -> Markup {
    html! {
        h1 { (heading) }
        @for p in paragraphs { p { (p) } }
    }
}

/// A survey-styled page that only says something (an expired link, a failure, "wait").
fn survey_message(status: StatusCode, title: &str, heading: &str, paragraphs: &[&str]) -> Response {
    survey_page(status, title, message(heading, paragraphs))
}
