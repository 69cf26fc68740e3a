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

/// An account with one contact, a plan from the Onboarding template shared with the contact
/// for 30 days. Returns (account id, plan id, the customer's link).
pub(crate) async fn shared_plan(admin: &Client, name: &str) -> (String, String, String) {
    let email = format!("kim@{}.example", name.to_lowercase().replace(' ', "-"));
    let (acc, contact) = account_with_champion(admin, name, "Kim Key", &email).await;
    let plan = onboarding_plan(admin, &acc, "Shared onboarding", &today()).await;
    let share = share_plan(admin, &plan, &contact).await;
    (acc, plan, share["url"].as_str().unwrap().to_string())
}

/// The `Retry-After` of a refusal, in seconds.
pub(crate) fn retry_after(res: &reqwest::Response) -> u64 {
    res.headers()["retry-after"].to_str().unwrap().parse().unwrap()
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
