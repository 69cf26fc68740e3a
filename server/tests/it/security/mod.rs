//! Attacks on the running server, one module per kind of hole (issue 11). Each test performs the
//! attack over HTTP against the real router on `mem://` and shows it fails.

mod access;
mod data;
mod floods;
mod fuzz;
mod hardening;
mod lifecycle;
mod signin;

use crate::common::*;
use reqwest::StatusCode;

/// Rows in `table`.
pub(crate) async fn rows(app: &TestApp, table: &str) -> u64 {
    let mut r = app
        .db
        .query(format!("SELECT count() AS n FROM {table} GROUP ALL"))
        .await
        .unwrap();
    let v: serde_json::Value = r
        .take::<surrealdb::types::Value>(0)
        .map(|v| v.into_json_value())
        .unwrap_or_default();
    v[0]["n"].as_u64().unwrap_or(0)
}

/// An account with one contact, a plan from the Onboarding template shared with the contact
/// for 30 days. Returns (account id, plan id, the customer's link).
pub(crate) async fn shared_plan(admin: &Client, name: &str) -> (String, String, String) {
    let (s, acc) = admin
        .call("accounts/create", &account_form(name, "smb"))
        .await;
    assert_eq!(s, StatusCode::OK, "{acc}");
    let acc = acc["id"].as_str().unwrap().to_string();
    let email = format!("kim@{}.example", name.to_lowercase().replace(' ', "-"));
    let (s, contact) = admin
        .call(
            "accounts/contacts/add",
            &[
                ("account_id", acc.as_str()),
                ("input[name]", "Kim Key"),
                ("input[email]", email.as_str()),
                ("input[champion]", "on"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{contact}");
    let today = chrono::Utc::now().date_naive().to_string();
    let (s, plan) = admin
        .call(
            "plans/create",
            &[
                ("account_id", acc.as_str()),
                ("input[title]", "Shared onboarding"),
                ("input[template_id]", "onboarding"),
                ("input[start]", today.as_str()),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{plan}");
    let plan = plan.as_str().unwrap().to_string();
    let (s, share) = admin
        .call(
            "plans/share",
            &[
                ("plan_id", plan.as_str()),
                ("contact_id", contact["id"].as_str().unwrap()),
                ("days", "30"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{share}");
    (acc, plan, share["url"].as_str().unwrap().to_string())
}

/// The `Retry-After` of a refusal, in seconds.
pub(crate) fn retry_after(res: &reqwest::Response) -> u64 {
    res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// The session token a `Set-Cookie` answer carries.
pub(crate) fn cookie_token(res: &reqwest::Response) -> String {
    let set = res.headers()["set-cookie"].to_str().unwrap();
    let pair = set.split(';').next().unwrap();
    pair.split_once('=').unwrap().1.to_string()
}

/// `auth/me` with exactly this `Cookie` header (no cookie jar): the user, or null.
pub(crate) async fn me_with_cookie(app: &TestApp, cookie: &str) -> serde_json::Value {
    reqwest::Client::new()
        .post(format!("{}/api/auth/me", app.base))
        .header("accept", "application/json")
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A cookie-less client that does not follow redirects: a visitor holding a public link.
pub(crate) fn visitor() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub(crate) async fn account_of(c: &Client, name: &str) -> String {
    let (s, b) = c
        .call("accounts/create", &account_form(name, "enterprise"))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["id"].as_str().unwrap().to_string()
}

pub(crate) async fn contact_of(c: &Client, account: &str, name: &str, email: &str) -> String {
    let (s, b) = c
        .call(
            "accounts/contacts/add",
            &[
                ("account_id", account),
                ("input[name]", name),
                ("input[email]", email),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["id"].as_str().unwrap().to_string()
}
