//! The survey form and its thanks page, as maud templates (see [`super`] for why maud).
//!
//! Accessible without script: the scale is a fieldset whose legend is the question, each score
//! a labelled radio; an error sits beside its field (and is linked from the summary at the top),
//! and the field points at it with `aria-describedby`.

use super::survey::{Target, Values};
use app::model::{Question, QuestionKind, SurveyKind, MAX_TEXT};
use maud::{html, Markup};
use std::collections::HashMap;

/// The form for `t`, showing `v` and a message beside every field in `errors`.
pub(super) fn form(
    t: &Target, v: &Values, errors: &HashMap<String, String>, notice: Option<&str>,
) -> Markup {
    let s = &t.survey;
    let first = t
        .invitation
        .as_ref()
        .and_then(|i| i.contact_name.as_deref())
        .map(|name| name.split_whitespace().next().unwrap_or(name));
    let why = match s.kind {
        SurveyKind::Nps => "What is the main reason for your score?",
        SurveyKind::Csat => "What could we do better?",
        SurveyKind::Ces => "What made it easy or hard?",
    };
    html! {
        @if let Some(first) = first { p.hello { "Hi " (first) "," } }
        @if let Some(n) = notice { p.notice { (n) } }
        @if !errors.is_empty() { (error_summary(errors)) }
        form method="post" action=(t.base) novalidate {
            (scale(s.kind, &s.question, &v.score, errors.get("score")))
            (text_area("comment", why, &v.comment, errors.get("comment")))
            @for q in &s.questions {
                @let value = v.answers.get(&q.id).map(String::as_str).unwrap_or("");
                @match q.kind {
                    QuestionKind::Text => (text_area(&q.id, &q.prompt, value, errors.get(&q.id))),
                    QuestionKind::Choice => (choice(q, value, errors.get(&q.id))),
                }
            }
            button type="submit" { "Send my answer" }
        }
    }
}

/// "Please check your answer", with a link to each field in error (sorted, so stable).
fn error_summary(errors: &HashMap<String, String>) -> Markup {
    let mut keys: Vec<&String> = errors.keys().collect();
    keys.sort();
    html! {
        div.errors role="alert" {
            h2 { "Please check your answer" }
            ul {
                @for k in keys { li { a href={ "#" (k) } { (errors[k]) } } }
            }
        }
    }
}

/// The score scale: one radio per score (the lowest carries `required` and the id `score`,
/// which the error summary links to), the words at both ends, and the same for screen readers.
fn scale(kind: SurveyKind, question: &str, score: &str, error: Option<&String>) -> Markup {
    let (lo, hi) = kind.range();
    let (lo_word, hi_word) = kind.scale_ends();
    html! {
        fieldset class={ "scale scale-" (kind.key()) } aria-describedby=[error.map(|_| "score-error")] {
            legend { h1 { (question) } }
            @if let Some(e) = error { p.error #score-error { (e) } }
            div.options {
                @for n in kind.scores() {
                    @let id = if n == lo { "score".to_string() } else { format!("score-{n}") };
                    input type="radio" name="score" id=(id) value=(n) checked[score.trim() == n.to_string()] required[n == lo];
                    label for=(id) { (n) }
                }
            }
            div.ends aria-hidden="true" { span { (lo_word) } span { (hi_word) } }
            p.sr { (lo) " is " (lo_word) "; " (hi) " is " (hi_word) "." }
        }
    }
}

/// An optional free-text answer, its message beside it.
fn text_area(name: &str, label: &str, value: &str, error: Option<&String>) -> Markup {
    let error_id = format!("{name}-error");
    html! {
        div.field {
            label for=(name) { (label) " " span.optional { "(optional)" } }
            @if let Some(e) = error { p.error id=(error_id) { (e) } }
            textarea id=(name) name=(name) rows="4" maxlength=(MAX_TEXT)
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| &error_id)] { (value) }
        }
    }
}

/// An optional single-choice question: one labelled radio per option.
fn choice(q: &Question, value: &str, error: Option<&String>) -> Markup {
    html! {
        fieldset.choice {
            legend { (q.prompt) " " span.optional { "(optional)" } }
            @if let Some(e) = error { p.error { (e) } }
            @for (i, o) in q.options.iter().enumerate() {
                @let id = if i == 0 { q.id.clone() } else { format!("{}-{i}", q.id) };
                div {
                    input type="radio" name=(q.id) id=(id) value=(o) checked[value == o];
                    label for=(id) { (o) }
                }
            }
        }
    }
}

/// The thanks page: the recorded score for an invited contact (with a link to change it), or a
/// link to answer again on the anonymous survey.
pub(super) fn thanks(t: &Target) -> Markup {
    let previous = t.invitation.as_ref().and_then(|i| i.previous.as_ref());
    html! {
        h1 { "Thank you!" }
        p { "Your answer has been recorded and goes straight to the team that works with you." }
        @if let Some(p) = previous {
            p.answer { "Your score: " strong { (p.score) } " out of " (t.survey.kind.range().1) "." }
            p { a href=(t.base) { "Change your answer" } }
        } @else {
            p { a href=(t.base) { "Answer again" } }
        }
    }
}
