//! The public survey pages under `/s/…`: plain server-rendered HTML with no script at all (not
//! even the hydration bootstrap), so they work with JavaScript off, in any mail client's
//! browser, and weigh a few kilobytes.
//!
//! A GET shows the form (a score from an email link comes pre-selected) and never records
//! anything: mail gateways fetch links to scan them. Recording takes a POST. Handlers stay
//! thin: check the rate limit and the token → validate → store.

use app::error::AppError;
use app::model::{QuestionKind, Survey, SurveyKind, MAX_TEXT};
use app::state::AppState;
use app::store::invitations::{Opened, Previous};
use app::store::responses::NewResponse;
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use std::collections::HashMap;
use std::net::SocketAddr;

pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/s/{token}", get(invited_form).post(invited_submit))
        .route("/s/{token}/thanks", get(invited_thanks))
        .route("/s/a/{key}", get(open_form).post(open_submit))
        .route("/s/a/{key}/thanks", get(open_thanks))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rate_limit,
        ))
        .with_state(state)
}

/// Per-client-address limit on everything under `/s/` (and `/p/`): the address is the peer, or
/// behind trusted proxies the one they appended (see `limits::ClientAddressPolicy`).
pub(crate) async fn rate_limit(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let client = state.client_addr(req.headers(), peer);
    if let Err(app::limits::RetryAfter(secs)) = state.limits.public(client) {
        let mut res = page(
            StatusCode::TOO_MANY_REQUESTS,
            "Please wait a moment",
            "<h1>Please wait a moment</h1><p>We received many requests from your network in a short time. Please try again in a minute.</p>",
        );
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
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
            Err(_) => Err(page(
                StatusCode::BAD_REQUEST,
                "That did not work",
                "<h1>That did not work</h1><p>The form arrived damaged. Please go back and send it again.</p>",
            )),
        }
    }
}

/// What a survey page is about: the survey, and the invitation when it came by email.
struct Target {
    survey: Survey,
    invitation: Option<Opened>,
    /// Where the form posts and the thanks page lives.
    base: String,
}

/// The survey and invitation behind a signed link; `full` also reads the contact's name and
/// earlier answer (for showing a page; recording an answer does not need them).
async fn by_token(state: &AppState, token: &str, full: bool) -> Result<Option<Target>, AppError> {
    let Ok(key) = state
        .keyring()
        .verify(token, chrono::Utc::now().timestamp())
    else {
        return Ok(None);
    };
    let inv = if full {
        app::store::invitations::open(&state.db, &key).await?
    } else {
        app::store::invitations::open_for_answer(&state.db, &key).await?
    };
    let Some(inv) = inv else {
        return Ok(None);
    };
    let survey = match state.public_survey(&inv.survey).await? {
        Some(s) if s.active => s,
        _ => return Ok(None),
    };
    Ok(Some(Target {
        survey,
        invitation: Some(inv),
        base: format!("/s/{token}"),
    }))
}

async fn by_key(state: &AppState, key: &str) -> Result<Option<Target>, AppError> {
    if key.len() > 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    Ok(state.survey_by_public_key(key).await?.map(|survey| Target {
        survey,
        invitation: None,
        base: format!("/s/a/{key}"),
    }))
}

async fn invited_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    show_form(by_token(&state, &token, true).await, &q)
}

async fn open_form(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    show_form(by_key(&state, &key).await, &q)
}

async fn invited_submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    PublicForm(form): PublicForm,
) -> Response {
    submit(&state, by_token(&state, &token, false).await, form).await
}

async fn open_submit(
    State(state): State<AppState>,
    Path(key): Path<String>,
    PublicForm(form): PublicForm,
) -> Response {
    submit(&state, by_key(&state, &key).await, form).await
}

async fn invited_thanks(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    thanks(by_token(&state, &token, true).await)
}

async fn open_thanks(State(state): State<AppState>, Path(key): Path<String>) -> Response {
    thanks(by_key(&state, &key).await)
}

fn show_form(target: Result<Option<Target>, AppError>, q: &HashMap<String, String>) -> Response {
    let t = match target {
        Ok(Some(t)) => t,
        Ok(None) => return invalid_link(),
        Err(e) => return broken(e),
    };
    // A score from the email's links is pre-selected, never recorded by a GET.
    let previous = t.invitation.as_ref().and_then(|i| i.previous.clone());
    let mut values = Values::from_previous(previous.as_ref());
    if let Some(s) = q.get("score") {
        if t.survey.kind.check_score(s).is_ok() {
            values.score = s.trim().to_string();
        }
    }
    let status = if previous.is_some() {
        Some("You have already answered; you can change your answer below.")
    } else {
        None
    };
    form_page(StatusCode::OK, &t, &values, &HashMap::new(), status)
}

/// What the form holds: typed values to show again after an error.
#[derive(Default)]
struct Values {
    score: String,
    comment: String,
    answers: HashMap<String, String>,
}

impl Values {
    fn from_previous(p: Option<&Previous>) -> Self {
        let Some(p) = p else {
            return Self::default();
        };
        Self {
            score: p.score.to_string(),
            comment: p.comment.clone().unwrap_or_default(),
            answers: p
                .answers
                .iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect(),
        }
    }
}

/// A valid answer (score, comment, extra answers), or a message per field.
type Checked = Result<
    (
        i64,
        Option<String>,
        serde_json::Map<String, serde_json::Value>,
    ),
    HashMap<String, String>,
>;

/// Checks the form against the survey: the score on the scale, text within limits, a choice
/// among the offered options. Every problem is named by its field.
fn validate(survey: &Survey, form: &HashMap<String, String>) -> (Values, Checked) {
    let mut errors = HashMap::new();
    let values = Values {
        score: form.get("score").cloned().unwrap_or_default(),
        comment: form.get("comment").cloned().unwrap_or_default(),
        answers: survey
            .questions
            .iter()
            .filter_map(|q| form.get(&q.id).map(|v| (q.id.clone(), v.clone())))
            .collect(),
    };
    let score = match survey.kind.check_score(&values.score) {
        Ok(s) => Some(s),
        Err(e) => {
            errors.insert(
                "score".to_string(),
                e.for_field("score").unwrap_or_default(),
            );
            None
        }
    };
    let comment = values.comment.trim();
    if comment.chars().count() > MAX_TEXT {
        errors.insert(
            "comment".into(),
            format!(
                "please keep your comment under {MAX_TEXT} characters (it has {})",
                comment.chars().count()
            ),
        );
    }
    let mut answers = serde_json::Map::new();
    for q in &survey.questions {
        let v = values.answers.get(&q.id).map(|s| s.trim()).unwrap_or("");
        if v.is_empty() {
            continue;
        }
        match q.kind {
            QuestionKind::Text if v.chars().count() > MAX_TEXT => {
                errors.insert(
                    q.id.clone(),
                    format!("please keep this answer under {MAX_TEXT} characters"),
                );
            }
            QuestionKind::Choice if !q.options.iter().any(|o| o == v) => {
                errors.insert(q.id.clone(), "choose one of the options shown".into());
            }
            _ => {
                answers.insert(q.id.clone(), serde_json::Value::String(v.to_string()));
            }
        }
    }
    let result = match (score, errors.is_empty()) {
        (Some(s), true) => Ok((
            s,
            (!comment.is_empty()).then(|| comment.to_string()),
            answers,
        )),
        _ => Err(errors),
    };
    (values, result)
}

async fn submit(
    state: &AppState,
    target: Result<Option<Target>, AppError>,
    form: HashMap<String, String>,
) -> Response {
    let t = match target {
        Ok(Some(t)) => t,
        Ok(None) => return invalid_link(),
        Err(e) => return broken(e),
    };
    let (values, checked) = validate(&t.survey, &form);
    let (score, comment, answers) = match checked {
        Ok(ok) => ok,
        Err(errors) => {
            return form_page(StatusCode::UNPROCESSABLE_ENTITY, &t, &values, &errors, None)
        }
    };
    let settings = match state.survey_settings().await {
        Ok(s) => s,
        Err(e) => return broken(e),
    };
    let recorded = app::store::responses::record(
        &state.db,
        NewResponse {
            survey: &t.survey,
            invitation: t.invitation.as_ref(),
            score,
            comment,
            answers,
        },
        &settings,
        chrono::Utc::now(),
    )
    .await;
    match recorded {
        // Post/Redirect/Get: reloading the thanks page does not post again.
        Ok(_) => {
            // An invited answer is the account's latest satisfaction: re-score it now.
            if let Some(inv) = &t.invitation {
                state.rescore(vec![inv.account.clone()]);
            }
            Redirect::to(&format!("{}/thanks", t.base)).into_response()
        }
        Err(e) => broken(e),
    }
}

fn thanks(target: Result<Option<Target>, AppError>) -> Response {
    let t = match target {
        Ok(Some(t)) => t,
        Ok(None) => return invalid_link(),
        Err(e) => return broken(e),
    };
    let mut body = String::from(
        "<h1>Thank you!</h1><p>Your answer has been recorded and goes straight to the team that works with you.</p>",
    );
    if let Some(p) = t.invitation.as_ref().and_then(|i| i.previous.as_ref()) {
        let (_, hi) = t.survey.kind.range();
        body.push_str(&format!(
            "<p class=\"answer\">Your score: <strong>{}</strong> out of {hi}.</p><p><a href=\"{}\">Change your answer</a></p>",
            p.score,
            escape(&t.base)
        ));
    } else {
        body.push_str(&format!(
            "<p><a href=\"{}\">Answer again</a></p>",
            escape(&t.base)
        ));
    }
    page(StatusCode::OK, "Thank you", &body)
}

fn invalid_link() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "This link has expired",
        "<h1>This link is no longer active</h1><p>Survey links work for a limited time. If you would still like to share your feedback, simply reply to the email that brought you here.</p><p>Thank you for your time.</p>",
    )
}

fn broken(e: AppError) -> Response {
    tracing::error!(error = %e, "survey page");
    page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "<h1>Something went wrong on our side</h1><p>Your answer was not saved. Please try again in a moment.</p>",
    )
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn form_page(
    status: StatusCode,
    t: &Target,
    v: &Values,
    errors: &HashMap<String, String>,
    notice: Option<&str>,
) -> Response {
    let s = &t.survey;
    let kind = s.kind;
    let (lo_word, hi_word) = kind.scale_ends();
    let mut b = String::new();
    if let Some(inv) = &t.invitation {
        if let Some(name) = inv.contact_name.as_deref() {
            let first = name.split_whitespace().next().unwrap_or(name);
            b.push_str(&format!("<p class=\"hello\">Hi {},</p>", escape(first)));
        }
    }
    if let Some(n) = notice {
        b.push_str(&format!("<p class=\"notice\">{}</p>", escape(n)));
    }
    if !errors.is_empty() {
        b.push_str("<div class=\"errors\" role=\"alert\"><h2>Please check your answer</h2><ul>");
        let mut keys: Vec<&String> = errors.keys().collect();
        keys.sort();
        for k in keys {
            b.push_str(&format!(
                "<li><a href=\"#{}\">{}</a></li>",
                escape(k),
                escape(&errors[k])
            ));
        }
        b.push_str("</ul></div>");
    }
    b.push_str(&format!(
        "<form method=\"post\" action=\"{}\" novalidate>",
        escape(&t.base)
    ));
    let score_err = errors.get("score");
    b.push_str(&format!(
        "<fieldset class=\"scale scale-{}\"{}><legend><h1>{}</h1></legend>",
        kind.key(),
        if score_err.is_some() {
            " aria-describedby=\"score-error\""
        } else {
            ""
        },
        escape(&s.question)
    ));
    if let Some(e) = score_err {
        b.push_str(&format!(
            "<p class=\"error\" id=\"score-error\">{}</p>",
            escape(e)
        ));
    }
    b.push_str("<div class=\"options\">");
    for n in kind.scores() {
        let checked = if v.score.trim() == n.to_string() {
            " checked"
        } else {
            ""
        };
        let id = if n == kind.range().0 {
            "score".to_string()
        } else {
            format!("score-{n}")
        };
        b.push_str(&format!(
            "<input type=\"radio\" name=\"score\" id=\"{id}\" value=\"{n}\"{checked}{req}><label for=\"{id}\">{n}</label>",
            req = if n == kind.range().0 { " required" } else { "" }
        ));
    }
    b.push_str(&format!(
        "</div><div class=\"ends\" aria-hidden=\"true\"><span>{}</span><span>{}</span></div><p class=\"sr\">{} is {}; {} is {}.</p></fieldset>",
        escape(lo_word),
        escape(hi_word),
        kind.range().0,
        escape(lo_word),
        kind.range().1,
        escape(hi_word)
    ));
    let why = match kind {
        SurveyKind::Nps => "What is the main reason for your score?",
        SurveyKind::Csat => "What could we do better?",
        SurveyKind::Ces => "What made it easy or hard?",
    };
    b.push_str(&text_area(
        "comment",
        why,
        &v.comment,
        errors.get("comment"),
    ));
    for q in &s.questions {
        let value = v.answers.get(&q.id).cloned().unwrap_or_default();
        match q.kind {
            QuestionKind::Text => {
                b.push_str(&text_area(&q.id, &q.prompt, &value, errors.get(&q.id)))
            }
            QuestionKind::Choice => {
                b.push_str(&format!(
                    "<fieldset class=\"choice\"><legend>{} <span class=\"optional\">(optional)</span></legend>",
                    escape(&q.prompt)
                ));
                if let Some(e) = errors.get(&q.id) {
                    b.push_str(&format!("<p class=\"error\">{}</p>", escape(e)));
                }
                for (i, o) in q.options.iter().enumerate() {
                    let id = if i == 0 {
                        q.id.clone()
                    } else {
                        format!("{}-{i}", q.id)
                    };
                    b.push_str(&format!(
                        "<div><input type=\"radio\" name=\"{qid}\" id=\"{id}\" value=\"{val}\"{checked}><label for=\"{id}\">{val}</label></div>",
                        qid = escape(&q.id),
                        val = escape(o),
                        checked = if &value == o { " checked" } else { "" }
                    ));
                }
                b.push_str("</fieldset>");
            }
        }
    }
    b.push_str("<button type=\"submit\">Send my answer</button></form>");
    page(status, &s.question, &b)
}

fn text_area(name: &str, label: &str, value: &str, error: Option<&String>) -> String {
    let name = escape(name);
    let mut out = format!(
        "<div class=\"field\"><label for=\"{name}\">{} <span class=\"optional\">(optional)</span></label>",
        escape(label)
    );
    if let Some(e) = error {
        out.push_str(&format!(
            "<p class=\"error\" id=\"{name}-error\">{}</p>",
            escape(e)
        ));
    }
    out.push_str(&format!(
        "<textarea id=\"{name}\" name=\"{name}\" rows=\"4\" maxlength=\"{MAX_TEXT}\"{}>{}</textarea></div>",
        if error.is_some() {
            format!(" aria-invalid=\"true\" aria-describedby=\"{name}-error\"")
        } else {
            String::new()
        },
        escape(value)
    ));
    out
}

/// Styles inline: one request, no script, no external anything. Contrast ≥ 4.5:1 in both
/// schemes; buttons at least 44 px for thumbs.
const CSS: &str = "*{box-sizing:border-box}body{margin:0;font:17px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;background:#f4f6f8;color:#1f2933}main{max-width:40rem;margin:0 auto;padding:1.5rem 1rem 3rem}.card{background:#fff;border-radius:12px;padding:1.5rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}h1{font-size:1.3rem;line-height:1.35;margin:0 0 .75rem}fieldset{border:0;padding:0;margin:0 0 1.5rem;min-width:0}legend{padding:0;width:100%}.options{display:grid;grid-template-columns:repeat(11,1fr);gap:.3rem}.scale-csat .options{grid-template-columns:repeat(5,1fr)}.scale-ces .options{grid-template-columns:repeat(7,1fr)}.options input,.choice input{position:absolute;opacity:0;width:1px;height:1px}.options label{display:flex;align-items:center;justify-content:center;min-height:44px;border:2px solid #7b8794;border-radius:8px;font-weight:600;cursor:pointer;background:#fff;color:#1f2933}.options input:checked+label{background:#1d4ed8;border-color:#1d4ed8;color:#fff}.options input:focus-visible+label,.choice input:focus-visible+label{outline:3px solid #f59e0b;outline-offset:2px}.ends{display:flex;justify-content:space-between;font-size:.85rem;color:#52606d;margin-top:.35rem}.sr{position:absolute;left:-9999px}.field{margin-bottom:1.25rem}.field label,.choice legend{display:block;font-weight:600;margin-bottom:.35rem}.optional{font-weight:400;color:#52606d;font-size:.9rem}textarea{width:100%;font:inherit;padding:.6rem;border:2px solid #7b8794;border-radius:8px;background:#fff;color:inherit}textarea:focus{outline:3px solid #f59e0b;outline-offset:1px}.choice div{margin:.3rem 0}.choice label{display:block;padding:.6rem .8rem;border:2px solid #7b8794;border-radius:8px;cursor:pointer}.choice input:checked+label{border-color:#1d4ed8;background:#e0e8ff}button{font:inherit;font-weight:600;border:0;border-radius:8px;background:#1d4ed8;color:#fff;padding:.8rem 1.5rem;min-height:48px;width:100%;cursor:pointer}button:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}.error{color:#b91c1c;font-weight:600;margin:.25rem 0}.errors{border:2px solid #b91c1c;border-radius:8px;padding:.75rem 1rem;margin-bottom:1rem;background:#fef2f2}.errors h2{font-size:1rem;margin:0 0 .25rem}.errors a{color:#b91c1c}.notice{background:#eff6ff;border-radius:8px;padding:.6rem .8rem}.hello{margin-top:0;color:#52606d}a{color:#1d4ed8}footer{text-align:center;font-size:.8rem;color:#52606d;margin-top:1rem}@media (max-width:30rem){.options{grid-template-columns:repeat(6,1fr)}.scale-ces .options{grid-template-columns:repeat(7,1fr)}main{padding:.75rem .5rem 2rem}.card{padding:1rem}}@media (prefers-color-scheme:dark){body{background:#111827;color:#e5e7eb}.card{background:#1f2937;box-shadow:none}.options label,textarea,.choice label{background:#111827;color:#e5e7eb;border-color:#9ca3af}.ends,.optional,.hello,footer{color:#cbd2d9}.options input:checked+label{background:#3b82f6;border-color:#3b82f6;color:#fff}.choice input:checked+label{background:#1e3a8a}.errors{background:#450a0a;border-color:#f87171}.errors a,.error{color:#fca5a5}.notice{background:#1e3a8a}a{color:#93c5fd}button{background:#2563eb}}";

/// A whole page. The CSP forbids every script: these pages must work without one.
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    page_with(
        status,
        title,
        &format!("<div class=\"card\">{body}</div>"),
        "",
        "Your answer is private to the team that works with you.",
    )
}

/// A whole script-free page with extra styles and its own footer (the shared plan uses it).
pub(crate) fn page_with(
    status: StatusCode,
    title: &str,
    body: &str,
    extra_css: &str,
    footer: &str,
) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><meta name=\"color-scheme\" content=\"light dark\"><meta name=\"robots\" content=\"noindex\"><title>{}</title><style>{CSS}{extra_css}</style></head><body><main>{body}<footer>{}</footer></main></body></html>",
        escape(title),
        escape(footer)
    );
    let mut res = (status, html).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
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
