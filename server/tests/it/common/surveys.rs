//! Survey steps the survey, security and fuzz tests share: defining a survey and reaching its
//! public pages.

use super::{Client, TestApp};
use reqwest::StatusCode;
use serde_json::Value;

/// Defines a survey of `kind` for the contacts of `accounts`; returns the call's status and
/// answer.
pub async fn create_survey(
    c: &Client, name: &str, kind: &str, accounts: &[&str],
) -> (StatusCode, Value) {
    create_survey_with(c, name, kind, accounts, &[]).await
}

/// [`create_survey`] with the further form fields `extra` (questions, recurrence …).
pub async fn create_survey_with(
    c: &Client, name: &str, kind: &str, accounts: &[&str], extra: &[(&str, &str)],
) -> (StatusCode, Value) {
    let ids: Vec<String> = (0..accounts.len()).map(|i| format!("input[ids][{i}]")).collect();
    let mut form =
        vec![("input[name]", name), ("input[kind]", kind), ("input[audience]", "accounts")];
    form.extend(ids.iter().map(String::as_str).zip(accounts.iter().copied()));
    form.extend_from_slice(extra);
    c.call("surveys/create", &form).await
}

/// The address of a survey's anonymous link (`/s/a/<public key>`).
pub fn anonymous_link(app: &TestApp, survey: &Value) -> String {
    format!("{}/s/a/{}", app.base, survey["public_key"].as_str().expect("a public key"))
}

/// The address a survey's answer form posts to: a mailed one-click `link` without its
/// pre-selected score.
pub fn form_url(link: &str) -> String {
    link.split('?').next().unwrap().to_string()
}
