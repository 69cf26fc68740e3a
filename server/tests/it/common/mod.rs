//! Black-box harness: the real router on a random loopback port against a fresh `mem://`
//! database; tests talk HTTP to it like a browser or script would.

#![allow(dead_code)]

use bellwether::Server;
use reqwest::StatusCode;
use serde_json::Value;

pub struct TestApp {
    pub base: String,
    pub db: app::store::Db,
    pub state: app::state::AppState,
    /// The one-time code `/setup` needs (the server logs it; tests read it here).
    pub setup_code: String,
}

pub mod smtp;

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|s| s).await
}

/// The app with its background tasks (mail queue) running, after `configure`.
pub async fn spawn_app_with(configure: impl FnOnce(Server) -> Server) -> TestApp {
    let _ = tracing_subscriber::fmt()
        .with_env_filter("warn,surrealdb=error,surrealdb_core=error")
        .with_test_writer()
        .try_init();
    let db = app::store::connect("mem://", None, None)
        .await
        .expect("database");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("port");
    let addr = listener.local_addr().unwrap();
    let server = configure(Server::new(db.clone(), "target/site", addr, false));
    let setup_code = server
        .prepare_setup(None)
        .await
        .expect("setup code")
        .unwrap_or_default();
    server.spawn_background();
    let state = server.state.clone();
    tokio::spawn(async move {
        axum::serve(listener, server.service())
            .await
            .expect("serve");
    });
    TestApp {
        base: format!("http://{addr}"),
        db,
        state,
        setup_code,
    }
}

/// A browser-like client with its own cookie jar.
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
}

impl Client {
    pub fn new(app: &TestApp) -> Self {
        Self::at(&app.base)
    }

    pub fn at(base: &str) -> Self {
        Self::at_from(base, None)
    }

    /// A client whose connections come from `from` (127.0.0.2, 127.0.0.3 … are distinct
    /// loopback addresses on Linux): another visitor, as far as the server can tell.
    pub fn from_addr(app: &TestApp, from: &str) -> Self {
        Self::at_from(&app.base, Some(from.parse().expect("an IP address")))
    }

    fn at_from(base: &str, from: Option<std::net::IpAddr>) -> Self {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .local_address(from)
            .build()
            .unwrap();
        Self {
            http,
            base: base.to_string(),
        }
    }

    /// Calls a server function the way a form does (URL-encoded POST); returns status and JSON.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let res = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .header("accept", "application/json")
            .form(form)
            .send()
            .await
            .expect("request");
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .header("accept", "text/html")
            .send()
            .await
            .expect("request")
    }
}

pub const ADMIN_PASS: &str = "correct horse battery";

/// Sets up the first admin and returns their signed-in client.
pub async fn admin(app: &TestApp) -> Client {
    let c = Client::new(app);
    let (status, body) = c
        .call(
            "auth/setup",
            &[
                ("email", "ada@example.com"),
                ("name", "Ada Admin"),
                ("password", ADMIN_PASS),
                ("setup_code", &app.setup_code),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    c
}

/// Creates a user with `role` through the admin and returns their signed-in client.
pub async fn user_with_role(app: &TestApp, admin: &Client, role: &str) -> Client {
    let email = format!("{role}-{}@example.com", app::store::new_key());
    let (status, body) = admin
        .call(
            "users/create",
            &[
                ("input[email]", &email),
                ("input[name]", role),
                ("input[role]", role),
                ("input[password]", "a long password"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let c = Client::new(app);
    let (status, body) = c
        .call(
            "auth/login",
            &[("email", &email), ("password", "a long password")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    c
}

pub fn account_form<'a>(name: &'a str, tier: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("input[name]", name),
        ("input[tier]", tier),
        ("input[industry]", "Software"),
        ("input[stage]", "growth"),
        ("input[arr]", "120000"),
        ("input[currency]", "USD"),
        ("input[contract_start]", "2026-01-01"),
        ("input[renewal_date]", "2027-01-01"),
        ("input[owner_id]", ""),
    ]
}

/// The message a validation error gives for `field`.
pub fn field_error(body: &Value, field: &str) -> Option<String> {
    body.get("Validation")?
        .as_array()?
        .iter()
        .find(|e| e["field"] == field)
        .and_then(|e| e["message"].as_str().map(String::from))
}

pub async fn portfolio_total(c: &Client, query: &[(&str, &str)]) -> u64 {
    let (status, body) = c.call("accounts/portfolio", query).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["total"].as_u64().unwrap()
}
