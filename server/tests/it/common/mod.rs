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

pub mod cluster;
pub mod smtp;

mod auth;
mod plans;
mod surveys;
pub use auth::*;
pub use plans::*;
pub use surveys::*;

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

    /// Posts `form` to the server function at `/api/{endpoint}` as a script does (URL-encoded,
    /// asking for JSON); the raw answer, for a test that reads its headers.
    pub async fn request(&self, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let url = format!("{}/api/{endpoint}", self.base);
        let req = self.http.post(url).header("accept", "application/json").form(form);
        req.send().await.expect("request")
    }

    /// Calls a server function the way a form does (URL-encoded POST); returns status and JSON.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let res = self.request(endpoint, form).await;
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

    /// Calls a server function that must refuse the input as invalid (422) and name each of
    /// `fields`; returns their messages, in the same order.
    pub async fn refused<const N: usize>(
        &self, endpoint: &str, form: &[(&str, &str)], fields: [&str; N],
    ) -> [String; N] {
        let body = self.invalid(endpoint, form).await;
        fields.map(|f| field_error(&body, f).unwrap_or_else(|| panic!("{endpoint}: {f}? {body}")))
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

    /// Opens the page at `path` as a browser does.
    /// Posts `body` as JSON (see [`Client::post_json`]) and asserts the answer's status (the
    /// body is in the message when it differs); returns the JSON answer.
    pub async fn expect_json(&self, status: StatusCode, endpoint: &str, body: &Value) -> Value {
        let res = self.post_json(endpoint, body).await;
        let got = res.status();
        let text = res.text().await.unwrap_or_default();
        assert_eq!(got, status, "{endpoint}: {text}");
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.get_accepting(path, "text/html").await
    }

    /// GETs `path` asking for `accept` (`text/event-stream` for a live stream).
    pub async fn get_accepting(&self, path: &str, accept: &str) -> reqwest::Response {
        let req = self.http.get(format!("{}{path}", self.base)).header("accept", accept);
        req.send().await.expect("request")
    }

    /// Signs in with `email` and `password`; returns the status and answer.
    pub async fn sign_in(&self, email: &str, password: &str) -> (StatusCode, Value) {
        self.call("auth/login", &[("email", email), ("password", password)]).await
    }

    /// The signed-in user's id.
    pub async fn my_id(&self) -> String {
        id_of(&self.ok("auth/me", &[]).await)
    }
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

/// `form` with each of `changes` set: a field's value replaced, or the field added.
pub fn with<'a>(
    mut form: Vec<(&'a str, &'a str)>, changes: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    for &(key, value) in changes {
        match form.iter_mut().find(|(k, _)| *k == key) {
            Some(field) => field.1 = value,
            None => form.push((key, value)),
        }
    }
    form
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

/// Seeds `accounts` accounts from `seed` straight into the database, then waits (up to 10 s)
/// until the portfolio index, which hears of them through its live query, counts them all.
pub async fn seed_portfolio(app: &TestApp, c: &Client, accounts: usize, seed: u64) {
    bellwether::seed::run(&app.db, accounts, seed, false, false).await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while portfolio_total(c, &[]).await != accounts as u64 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(portfolio_total(c, &[]).await, accounts as u64, "the index counts every account");
}

/// Posts `form` to `url` as a plain HTML form does (no script, no JSON answer asked for): what a
/// customer's phone sends from a public page.
pub async fn post_form(
    http: &reqwest::Client, url: &str, form: &[(&str, &str)],
) -> reqwest::Response {
    http.post(url).form(form).send().await.expect("request")
}

/// GETs `url` as a visitor's browser opens a public page.
pub async fn get_page(http: &reqwest::Client, url: &str) -> reqwest::Response {
    http.get(url).send().await.expect("request")
}

/// The status of [`post_form`]'s answer.
pub async fn post_status(http: &reqwest::Client, url: &str, form: &[(&str, &str)]) -> StatusCode {
    post_form(http, url, form).await.status()
}

/// The item of the JSON array `items` whose `id` is `id`.
pub fn by_id<'a>(items: &'a Value, id: &str) -> &'a Value {
    let list = items.as_array().unwrap_or_else(|| panic!("not a list: {items}"));
    list.iter().find(|i| i["id"] == id).unwrap_or_else(|| panic!("no {id} in {items}"))
}

/// The `id` of a record a server function answered with.
pub fn id_of(record: &Value) -> String {
    record["id"].as_str().expect("an id").to_string()
}

/// Creates an account named `name` of `tier` (see [`account_form`]); returns its id.
pub async fn create_account(c: &Client, name: &str, tier: &str) -> String {
    id_of(&c.ok("accounts/create", &account_form(name, tier)).await)
}

/// The form that adds a contact named `name` with `email` to `account`.
pub fn contact_form<'a>(
    account: &'a str, name: &'a str, email: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![("account_id", account), ("input[name]", name), ("input[email]", email)]
}

/// Adds a contact to `account`, with the further form fields `extra` (`input[champion]` …);
/// returns its id.
pub async fn add_contact(
    c: &Client, account: &str, name: &str, email: &str, extra: &[(&str, &str)],
) -> String {
    let mut form = contact_form(account, name, email);
    form.extend_from_slice(extra);
    id_of(&c.ok("accounts/contacts/add", &form).await)
}

/// Saves a segment for the portfolio `query`; returns its id.
pub async fn save_segment(c: &Client, name: &str, query: &str) -> String {
    id_of(&c.ok("segments/save", &[("name", name), ("query", query)]).await)
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
