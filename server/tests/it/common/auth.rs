//! Who is calling: the first admin, users of each role, sign-in attempts and their throttling.

use super::{spawn_app, Client, TestApp};
use reqwest::StatusCode;

pub const ADMIN_EMAIL: &str = "ada@example.com";
pub const ADMIN_PASS: &str = "correct horse battery";

/// The sign-in form of the first admin.
pub const ADMIN_LOGIN: [(&str, &str); 2] = [("email", ADMIN_EMAIL), ("password", ADMIN_PASS)];

/// The set-up form for the first admin, named `name`, with the server's set-up `code`.
pub fn setup_form<'a>(name: &'a str, code: &'a str) -> [(&'a str, &'a str); 4] {
    [("email", ADMIN_EMAIL), ("name", name), ("password", ADMIN_PASS), ("setup_code", code)]
}

/// Sets up the first admin and returns their signed-in client.
pub async fn admin(app: &TestApp) -> Client {
    let c = Client::new(app);
    c.ok("auth/setup", &setup_form("Ada Admin", &app.setup_code)).await;
    c
}

/// The first admin signing in again from another browser (a phone, a second tab's session).
pub async fn admin_elsewhere(app: &TestApp) -> Client {
    let c = Client::new(app);
    c.ok("auth/login", &ADMIN_LOGIN).await;
    c
}

/// The form that makes a user with `role`, named after it.
pub fn user_form<'a>(email: &'a str, role: &'a str) -> [(&'a str, &'a str); 4] {
    [
        ("input[email]", email),
        ("input[name]", role),
        ("input[role]", role),
        ("input[password]", "a long password"),
    ]
}

/// The form that gives `user` the `role` and, with `active` "false", signs them out for good.
pub fn access_form<'a>(user: &'a str, role: &'a str, active: &'a str) -> [(&'a str, &'a str); 3] {
    [("id", user), ("role", role), ("active", active)]
}

/// Creates a user with `role` through the admin and returns their signed-in client.
pub async fn user_with_role(app: &TestApp, admin: &Client, role: &str) -> Client {
    let email = format!("{role}-{}@example.com", app::store::new_key());
    admin.ok("users/create", &user_form(&email, role)).await;
    let c = Client::new(app);
    let (status, body) = c.sign_in(&email, "a long password").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    c
}

/// A fresh app with its admin and a CSM, each signed in: the cast of most role tests.
pub async fn app_with_csm() -> (TestApp, Client, Client) {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let csm = user_with_role(&app, &admin, "csm").await;
    (app, admin, csm)
}

/// Signs in `tries` times as `email` with wrong passwords from `c`; returns the statuses.
pub async fn wrong_sign_ins(c: &Client, email: &str, tries: usize) -> Vec<StatusCode> {
    let mut statuses = Vec::new();
    for i in 0..tries {
        statuses.push(c.sign_in(email, &format!("guess number {i}")).await.0);
    }
    statuses
}

/// The first `judged` attempts were judged (422, a wrong password) and the last was throttled.
pub fn assert_throttled_after(statuses: &[StatusCode], judged: usize) {
    let wrong = StatusCode::UNPROCESSABLE_ENTITY;
    assert!(statuses[..judged].iter().all(|s| *s == wrong), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
}
