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

mod plans;
pub use plans::*;

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|s| s).await
}

/// The app with its background tasks (mail queue) running, after `configure`.
pub async fn spawn_app_with(configure: impl FnOnce(Server) -> Server) -> TestApp {
    spawn_app_on("mem://", configure).await
}

/// The app on the database at `url` — `surrealkv://<dir>` where a test needs the real storage
/// engine's behaviour (its optimistic write conflicts, its files) — after `configure`.
pub async fn spawn_app_on(url: &str, configure: impl FnOnce(Server) -> Server) -> TestApp {
    let _ = tracing_subscriber::fmt()
        .with_env_filter("warn,surrealdb=error,surrealdb_core=error")
        .with_test_writer()
        .try_init();
    let db = app::store::connect(url, None, None).await.expect("database");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("port");
    let addr = listener.local_addr().unwrap();
    let server = configure(Server::new(db.clone(), "target/site", addr, false));
    let setup_code = server.prepare_setup(None).await.expect("setup code").unwrap_or_default();
    server.spawn_background();
    let state = server.state.clone();
    tokio::spawn(async move {
        axum::serve(listener, server.service()).await.expect("serve");
    });
    TestApp { base: format!("http://{addr}"), db, state, setup_code }
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
        Self { http, base: base.to_string() }
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
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// Calls a server function and asserts the answer's status (the body is in the message when
    /// it differs); returns the JSON answer.
    pub async fn expect(&self, status: StatusCode, endpoint: &str, form: &[(&str, &str)]) -> Value {
        let (got, body) = self.call(endpoint, form).await;
        assert_eq!(got, status, "{endpoint}: {body}");
        body
    }

    /// Calls a server function that must refuse the input as invalid (422); returns the
    /// refusal, whose field errors [`field_error`] reads.
    pub async fn invalid(&self, endpoint: &str, form: &[(&str, &str)]) -> Value {
        self.expect(StatusCode::UNPROCESSABLE_ENTITY, endpoint, form).await
    }

    /// Calls a server function that must succeed; returns its JSON answer.
    pub async fn ok(&self, endpoint: &str, form: &[(&str, &str)]) -> Value {
        self.expect(StatusCode::OK, endpoint, form).await
    }

    /// Posts `body` as JSON to the server function at `/api/{endpoint}` (how the model editor,
    /// the template editor and drag-and-drop send structured input).
    pub async fn post_json(&self, endpoint: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(format!("{}/api/{endpoint}", self.base))
            .json(body)
            .send()
            .await
            .expect("request")
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
    let (status, body) =
        c.call("auth/login", &[("email", &email), ("password", "a long password")]).await;
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

/// Posts `form` to `url` as a plain HTML form does (no script, no JSON answer asked for): what a
/// customer's phone sends from a public page.
pub async fn post_form(
    http: &reqwest::Client, url: &str, form: &[(&str, &str)],
) -> reqwest::Response {
    http.post(url).form(form).send().await.expect("request")
}

/// The status of [`post_form`]'s answer.
pub async fn post_status(http: &reqwest::Client, url: &str, form: &[(&str, &str)]) -> StatusCode {
    post_form(http, url, form).await.status()
}

/// The `id` of a record a server function answered with.
pub fn id_of(record: &Value) -> String {
    record["id"].as_str().expect("an id").to_string()
}

/// Creates an account named `name` of `tier` (see [`account_form`]); returns its id.
pub async fn create_account(c: &Client, name: &str, tier: &str) -> String {
    id_of(&c.ok("accounts/create", &account_form(name, tier)).await)
}

/// Adds a contact to `account`, with the further form fields `extra` (`input[champion]` …);
/// returns its id.
pub async fn add_contact(
    c: &Client, account: &str, name: &str, email: &str, extra: &[(&str, &str)],
) -> String {
    let mut form = vec![("account_id", account), ("input[name]", name), ("input[email]", email)];
    form.extend_from_slice(extra);
    id_of(&c.ok("accounts/contacts/add", &form).await)
}

/// Rows in `table`, read from the database directly (to show nothing was written).
pub async fn rows(app: &TestApp, table: &str) -> u64 {
    let mut r = app.db.query(format!("SELECT count() AS n FROM {table} GROUP ALL")).await.unwrap();
    let v: Value =
        r.take::<surrealdb::types::Value>(0).map(|v| v.into_json_value()).unwrap_or_default();
    v[0]["n"].as_u64().unwrap_or(0)
}

/// A cookie-less client that does not follow redirects: a visitor holding a public link (a
/// customer on their phone).
pub fn visitor() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}
