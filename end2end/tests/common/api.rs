//! Seeding over HTTP: the scenarios set up what they do not photograph (the admin, accounts,
//! contacts, segments) by posting the same forms a browser posts to the server functions, as
//! a JavaScript client would (`Accept: application/json`, so the answer is the JSON result).

use super::{R, SETUP_CODE};
use serde_json::Value;

/// The first admin every scenario signs in as.
pub const EMAIL: &str = "ada@bellwether.test";
pub const PASS: &str = "correct horse battery";
pub const ADMIN_NAME: &str = "Ada Lovelace";
/// The password of every person a test creates besides the admin.
pub const USER_PASS: &str = "a long password";

/// A client with its own cookie jar (its own session).
pub struct Api {
    http: reqwest::Client,
    base: String,
}

/// An account as the new-account form takes it.
pub struct NewAccount<'a> {
    pub name: &'a str,
    pub tier: &'a str,
    pub industry: &'a str,
    pub stage: &'a str,
    pub arr: &'a str,
    pub currency: &'a str,
    pub contract_start: &'a str,
    pub renewal_date: &'a str,
    /// The owner's user id, or empty for none.
    pub owner_id: &'a str,
}

impl Api {
    pub fn new(base: &str) -> R<Self> {
        Ok(Self {
            http: reqwest::Client::builder().cookie_store(true).build()?,
            base: base.to_string(),
        })
    }

    /// Posts `form` to the server function at `/api/{path}`; the call must succeed.
    pub async fn call(&self, path: &str, form: &[(&str, &str)]) -> R<Value> {
        let res = self
            .http
            .post(format!("{}/api/{path}", self.base))
            .header("accept", "application/json")
            .form(form)
            .send()
            .await?;
        assert!(res.status().is_success(), "{path}: {}", res.text().await?);
        Ok(res.json().await?)
    }

    /// A person with `role` (this client, signed in as the admin, creates them) and
    /// [`USER_PASS`]; returns their id.
    pub async fn create_user(&self, email: &str, name: &str, role: &str) -> R<String> {
        let form = [
            ("input[email]", email),
            ("input[name]", name),
            ("input[role]", role),
            ("input[password]", USER_PASS),
        ];
        Ok(id_of(&self.call("users/create", &form).await?))
    }

    /// Sets up the first admin ([`EMAIL`], [`PASS`]) with the set-up code; this client is
    /// signed in as them. Returns the admin's user record.
    pub async fn set_up_admin(&self) -> R<Value> {
        self.call(
            "auth/setup",
            &[
                ("email", EMAIL),
                ("name", ADMIN_NAME),
                ("password", PASS),
                ("setup_code", SETUP_CODE),
            ],
        )
        .await
    }

    /// Signs this client in as the admin.
    pub async fn sign_in(&self) -> R {
        self.call("auth/login", &[("email", EMAIL), ("password", PASS)]).await?;
        Ok(())
    }

    /// The page at `path` as the server renders it for this (signed-in) client.
    pub async fn page_html(&self, path: &str) -> R<String> {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .header("accept", "text/html")
            .send()
            .await?;
        Ok(res.error_for_status()?.text().await?)
    }

    /// Creates an account; returns its id.
    pub async fn create_account(&self, a: NewAccount<'_>) -> R<String> {
        let acc = self
            .call(
                "accounts/create",
                &[
                    ("input[name]", a.name),
                    ("input[tier]", a.tier),
                    ("input[industry]", a.industry),
                    ("input[stage]", a.stage),
                    ("input[arr]", a.arr),
                    ("input[currency]", a.currency),
                    ("input[contract_start]", a.contract_start),
                    ("input[renewal_date]", a.renewal_date),
                    ("input[owner_id]", a.owner_id),
                ],
            )
            .await?;
        Ok(id_of(&acc))
    }

    /// Adds a contact to `account`, with the further form fields `extra`
    /// (`input[champion]`, `input[title]` …).
    pub async fn add_contact(
        &self, account: &str, name: &str, email: &str, extra: &[(&str, &str)],
    ) -> R {
        let mut form =
            vec![("account_id", account), ("input[name]", name), ("input[email]", email)];
        form.extend_from_slice(extra);
        self.call("accounts/contacts/add", &form).await?;
        Ok(())
    }

    /// Saves a segment for the portfolio `query`; returns its id.
    pub async fn save_segment(&self, name: &str, query: &str) -> R<String> {
        let seg = self.call("segments/save", &[("name", name), ("query", query)]).await?;
        Ok(id_of(&seg))
    }
}

/// Sends a batch of usage events through the public REST API with `key`, as a product's
/// analytics pipeline does; the batch must be accepted (202).
pub async fn send_events(base: &str, key: &str, events: Value) -> R {
    let url = format!("{base}/api/v1/events");
    let res = reqwest::Client::new().post(url).bearer_auth(key).json(&events).send().await?;
    assert_eq!(res.status(), 202, "{}", res.text().await?);
    Ok(())
}

/// Usage events for `account`: `logins` logins by one person (pat@`tag`.example), one a day
/// over the last days, and one use of each of `features` a minute ago. Idempotency keys come
/// from `tag`, so sending the same usage twice counts once.
pub fn usage_events(account: &str, tag: &str, logins: usize, features: &[&str]) -> Value {
    let now = chrono::Utc::now();
    let person = format!("pat@{tag}.example");
    let mut events = Vec::new();
    for d in 0..logins {
        let at = now - chrono::Duration::days(d as i64) - chrono::Duration::minutes(5);
        events.push(serde_json::json!({
            "account_id": account, "kind": "login", "contact_email": person,
            "at": at.to_rfc3339(), "idempotency_key": format!("{tag}-login-{d}"),
        }));
    }
    for f in features {
        let at = now - chrono::Duration::minutes(1);
        events.push(serde_json::json!({
            "account_id": account, "kind": "feature_used", "feature": f, "contact_email": person,
            "at": at.to_rfc3339(), "idempotency_key": format!("{tag}-{f}"),
        }));
    }
    Value::Array(events)
}

/// The `id` of a record a server function answered with.
pub fn id_of(record: &Value) -> String {
    record["id"].as_str().expect("an id").to_string()
}

/// Posts `body` as JSON to the public REST API at `path` with `key`, as an integration does;
/// the call must succeed. Returns the answer.
pub async fn rest_post(base: &str, key: &str, path: &str, body: &Value) -> R<Value> {
    let res = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .bearer_auth(key)
        .json(body)
        .send()
        .await?;
    assert!(res.status().is_success(), "{path}: {}", res.text().await?);
    Ok(res.json().await?)
}
