//! Success-plan and engagement steps the plan, security and fuzz tests share.

use super::Client;
use serde_json::Value;

/// Today, as the plan forms take a date.
pub fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

/// The form for a plan from the Onboarding template for `account`, laid out from `start`.
pub fn plan_form<'a>(account: &'a str, title: &'a str, start: &'a str) -> [(&'a str, &'a str); 4] {
    [
        ("account_id", account),
        ("input[title]", title),
        ("input[template_id]", "onboarding"),
        ("input[start]", start),
    ]
}

/// A new SMB account `name` with its champion, `champion` at `email`; returns the account's
/// and the contact's ids.
pub async fn account_with_champion(
    c: &Client, name: &str, champion: &str, email: &str,
) -> (String, String) {
    let account = super::create_account(c, name, "smb").await;
    let contact =
        super::add_contact(c, &account, champion, email, &[("input[champion]", "on")]).await;
    (account, contact)
}

/// Makes a plan from the Onboarding template for `account`, laid out from `start`; returns its
/// id.
pub async fn onboarding_plan(c: &Client, account: &str, title: &str, start: &str) -> String {
    let id = c.ok("plans/create", &plan_form(account, title, start)).await;
    id.as_str().expect("a plan id").to_string()
}

/// The form for a task in `milestone`, due on `due`, owned by `owner` (`r:csm`, `c:<contact>` …).
pub fn task_form<'a>(
    milestone: &'a str, title: &'a str, due: &'a str, owner: &'a str,
) -> [(&'a str, &'a str); 4] {
    [
        ("milestone_id", milestone),
        ("input[title]", title),
        ("input[due]", due),
        ("input[owner]", owner),
    ]
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

/// The ids of every task and objective of a plan: what a shared plan's forms may target.
pub fn task_and_objective_ids(detail: &Value) -> Vec<String> {
    let objectives = detail["plan"]["objectives"].as_array().unwrap().clone();
    tasks_of(detail).iter().chain(&objectives).map(super::id_of).collect()
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

/// The task `id` of a plan.
pub fn task_in(detail: &Value, id: &str) -> Value {
    tasks_of(detail).into_iter().find(|t| t["id"] == id).unwrap_or_else(|| panic!("no task {id}"))
}

/// The form for a cadence rule: a touchpoint of `kind` every `days` for `segment`'s accounts.
pub fn cadence_rule_form<'a>(
    segment: &'a str, kind: &'a str, days: &'a str,
) -> [(&'a str, &'a str); 3] {
    [("input[segment_id]", segment), ("input[kind]", kind), ("input[every_days]", days)]
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
