//! The survey pages under `/s/…`: the invited link (`/s/{token}`, signed, one per contact) and
//! the anonymous one (`/s/a/{key}`), each with its thanks page.
//!
//! A GET shows the form (a score from an email link comes pre-selected) and never records
//! anything: mail gateways fetch links to scan them. Recording takes a POST, answered with a
//! redirect to the thanks page. Handlers stay thin: the token → validate → store; the markup is
//! in [`super::survey_form`].

use super::survey_form;
use super::{survey_message, survey_page, PublicForm};
use app::error::AppError;
use app::model::{QuestionKind, Survey, MAX_TEXT};
use app::state::AppState;
use app::store::invitations::{Opened, Previous};
use app::store::responses::NewResponse;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use std::collections::HashMap;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/s/{token}", get(invited_form).post(invited_submit))
        .route("/s/{token}/thanks", get(invited_thanks))
        .route("/s/a/{key}", get(open_form).post(open_submit))
        .route("/s/a/{key}/thanks", get(open_thanks))
}

/// What a survey page is about: the survey, and the invitation when it came by email.
pub(super) struct Target {
    pub survey: Survey,
    pub invitation: Option<Opened>,
    /// Where the form posts and the thanks page lives.
    pub base: String,
}

/// The survey and invitation behind a signed link; `full` also reads the contact's name and
/// earlier answer (for showing a page; recording an answer does not need them).
async fn by_token(state: &AppState, token: &str, full: bool) -> Result<Option<Target>, AppError> {
    let Ok(key) = state.keyring().verify(token, chrono::Utc::now().timestamp()) else {
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
    let survey = match state.surveys.survey(&inv.survey).await? {
        Some(s) if s.active => s,
        _ => return Ok(None),
    };
    Ok(Some(Target { survey, invitation: Some(inv), base: format!("/s/{token}") }))
}

async fn by_key(state: &AppState, key: &str) -> Result<Option<Target>, AppError> {
    if key.len() > 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    Ok(state.surveys.by_public_key(key).await?.map(|survey| Target {
        survey,
        invitation: None,
        base: format!("/s/a/{key}"),
    }))
}

async fn invited_form(
    State(state): State<AppState>, Path(token): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    show_form(by_token(&state, &token, true).await, &q)
}

async fn open_form(
    State(state): State<AppState>, Path(key): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    show_form(by_key(&state, &key).await, &q)
}

async fn invited_submit(
    State(state): State<AppState>, Path(token): Path<String>, PublicForm(form): PublicForm,
) -> Response {
    submit(&state, by_token(&state, &token, false).await, form).await
}

async fn open_submit(
    State(state): State<AppState>, Path(key): Path<String>, PublicForm(form): PublicForm,
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
    let notice = previous
        .is_some()
        .then_some("You have already answered; you can change your answer below.");
    form_page(StatusCode::OK, &t, &values, &HashMap::new(), notice)
}

/// What the form holds: typed values to show again after an error.
#[derive(Default)]
pub(super) struct Values {
    pub score: String,
    pub comment: String,
    pub answers: HashMap<String, String>,
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
    (i64, Option<String>, serde_json::Map<String, serde_json::Value>),
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
            errors.insert("score".to_string(), e.for_field("score").unwrap_or_default());
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
        (Some(s), true) => Ok((s, (!comment.is_empty()).then(|| comment.to_string()), answers)),
        _ => Err(errors),
    };
    (values, result)
}

async fn submit(
    state: &AppState, target: Result<Option<Target>, AppError>, form: HashMap<String, String>,
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
    let settings = match state.surveys.settings().await {
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
            // An invited answer is the account's latest satisfaction: re-score it now, and
            // tell the pages open on it (its page, the executive dashboard's NPS) on every node.
            if let Some(inv) = &t.invitation {
                state.account_activity(inv.account.as_ref());
            }
            Redirect::to(&format!("{}/thanks", t.base)).into_response()
        }
        Err(e) => broken(e),
    }
}

fn form_page(
    status: StatusCode, t: &Target, v: &Values, errors: &HashMap<String, String>,
    notice: Option<&str>,
) -> Response {
    let form = survey_form::form(t, v, errors, notice);
    survey_page(status, &t.survey.question, form)
}

fn thanks(target: Result<Option<Target>, AppError>) -> Response {
    match target {
        Ok(Some(t)) => survey_page(StatusCode::OK, "Thank you", survey_form::thanks(&t)),
        Ok(None) => invalid_link(),
        Err(e) => broken(e),
    }
}

fn invalid_link() -> Response {
    survey_message(
        StatusCode::NOT_FOUND,
        "This link has expired",
        "This link is no longer active",
        &[
            "Survey links work for a limited time. If you would still like to share your feedback, simply reply to the email that brought you here.",
            "Thank you for your time.",
        ],
    )
}

fn broken(e: AppError) -> Response {
    tracing::error!(error = %e, "survey page");
    survey_message(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "Something went wrong on our side",
        &["Your answer was not saved. Please try again in a moment."],
    )
}
