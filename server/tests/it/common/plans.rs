//! Success-plan steps the plan, security and fuzz tests share.

use super::Client;
use serde_json::Value;

/// Today, as the plan forms take a date.
pub fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

/// Makes a plan from the Onboarding template for `account`, laid out from `start`; returns its
/// id.
pub async fn onboarding_plan(c: &Client, account: &str, title: &str, start: &str) -> String {
    let id = c
        .ok(
            "plans/create",
            &[
                ("account_id", account),
                ("input[title]", title),
                ("input[template_id]", "onboarding"),
                ("input[start]", start),
            ],
        )
        .await;
    id.as_str().expect("a plan id").to_string()
}

/// The share form: `plan` shared with `contact` for `days`.
pub fn share_form<'a>(plan: &'a str, contact: &'a str, days: &'a str) -> [(&'a str, &'a str); 3] {
    [("plan_id", plan), ("contact_id", contact), ("days", days)]
}

/// Shares `plan` with `contact` for 30 days; returns the share (its `id` and `url`).
pub async fn share_plan(c: &Client, plan: &str, contact: &str) -> Value {
    c.ok("plans/share", &share_form(plan, contact, "30")).await
}

/// A plan as staff see it (`plans/get`).
pub async fn plan_detail(c: &Client, id: &str) -> Value {
    c.ok("plans/get", &[("id", id)]).await
}

/// Every task of a plan, milestone by milestone.
pub fn tasks_of(detail: &Value) -> Vec<Value> {
    detail["plan"]["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["tasks"].as_array().unwrap().clone())
        .collect()
}

/// The id of the first task owned by `role` (`customer`, `csm` …).
pub fn task_owned_by(detail: &Value, role: &str) -> String {
    tasks_of(detail)
        .iter()
        .find(|t| t["owner_role"] == role)
        .unwrap_or_else(|| panic!("no {role} task"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}
