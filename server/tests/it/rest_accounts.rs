//! Reading accounts through the REST API: keyset pages that neither repeat nor skip while
//! accounts are added, filters refused by name, one account with its contacts and team, a
//! health history, plans, ETags and 304s — and the hostile side: no key, the wrong scope, forged and
//! oversized ids and cursors, nonsense parameters.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::Value;

pub(crate) async fn key(app: &TestApp, scopes: &[&str]) -> String {
    let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
    app::store::api_keys::create(&app.db, "reader", &scopes, None).await.unwrap().1
}

pub(crate) async fn get(app: &TestApp, key: &str, path: &str) -> reqwest::Response {
    reqwest::Client::new().get(format!("{}{path}", app.base)).bearer_auth(key).send().await.unwrap()
}

pub(crate) async fn get_json(app: &TestApp, key: &str, path: &str) -> (StatusCode, Value) {
    let res = get(app, key, path).await;
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// A request with a raw body, answered as (status, JSON or null).
pub(crate) async fn send(
    app: &TestApp, key: &str, method: reqwest::Method, path: &str, body: String,
) -> (StatusCode, Value) {
    let res = reqwest::Client::new()
        .request(method, format!("{}{path}", app.base))
        .bearer_auth(key)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Every id the list gives, page by page; `between` runs after the first page.
async fn walk(app: &TestApp, key: &str, query: &str, between: impl AsyncFnOnce()) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    let mut between = Some(between);
    for _ in 0..20 {
        let after = cursor.as_deref().map(|c| format!("&cursor={c}")).unwrap_or_default();
        let (status, page) = get_json(app, key, &format!("/api/v1/accounts?{query}{after}")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        ids.extend(page["accounts"].as_array().unwrap().iter().map(id_of));
        if let Some(f) = between.take() {
            f().await;
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return ids,
        }
    }
    panic!("the pages never ended");
}

#[tokio::test]
async fn accounts_are_listed_in_keyset_pages_and_filtered_by_name() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let mut made = Vec::new();
    for i in 0..7 {
        let tier = if i % 2 == 0 { "smb" } else { "enterprise" };
        made.push(create_account(&admin, &format!("Reader {i}"), tier).await);
    }
    let key = key(&app, &["accounts:read"]).await;

    // Pages of 3, with an account added after the first: every account of before comes once,
    // in id order.
    let ids = walk(&app, &key, "limit=3", async || {
        create_account(&admin, "Added Meanwhile", "smb").await;
    })
    .await;
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted, "in id order, none twice");
    for id in &made {
        assert!(ids.contains(id), "{id} was skipped");
    }

    // Filters: only small businesses; an unknown value is named.
    let smb = walk(&app, &key, "tier=smb&limit=200", async || {}).await;
    assert_eq!(smb.len(), 5, "four made as smb, and the one added meanwhile");
    for (query, field) in [
        ("tier=huge", "tier"),
        ("tier=", "tier"),
        ("tier=smb,enterprise", "tier"),
        ("band=purple", "band"),
        ("limit=0", "limit"),
        ("limit=", "limit"),
        ("limit=abc", "limit"),
        ("renewal_before=next-year", "renewal_before"),
    ] {
        let (status, body) = get_json(&app, &key, &format!("/api/v1/accounts?{query}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert!(body["error"]["fields"][field].is_string(), "{query}: {body}");
    }
    let (status, page) = get_json(&app, &key, "/api/v1/accounts?band=unscored&limit=200").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["accounts"].as_array().unwrap().len(), 8, "none is scored yet");

    // A forged cursor past every id is an empty last page; an oversized one is refused.
    let (_, page) = get_json(&app, &key, "/api/v1/accounts?cursor=zzzzzzzz").await;
    assert_eq!(page["accounts"], serde_json::json!([]));
    assert!(page["next_cursor"].is_null());
    let long = "a".repeat(5000);
    let (status, _) = get_json(&app, &key, &format!("/api/v1/accounts?cursor={long}")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn an_account_is_read_with_its_contacts_and_answers_304_until_it_changes() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let id = create_account(&admin, "Etag Industries", "mid_market").await;
    add_contact(&admin, &id, "Ann Read", "ann@etag.example", &[]).await;
    let key = key(&app, &["accounts:read"]).await;

    let res = get(&app, &key, &format!("/api/v1/accounts/{id}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let tag = res.headers()["etag"].to_str().unwrap().to_string();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["account"]["name"], "Etag Industries");
    assert_eq!(body["account"]["tier"], "mid_market");
    assert_eq!(body["contacts"][0]["email"], "ann@etag.example");

    let again = |tag: String| {
        let url = format!("{}/api/v1/accounts/{id}", app.base);
        let key = key.clone();
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(key)
                .header("if-none-match", tag)
                .send()
                .await
                .unwrap()
        }
    };
    let unchanged = again(tag.clone()).await;
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(unchanged.headers()["etag"].to_str().unwrap(), tag);
    assert!(unchanged.bytes().await.unwrap().is_empty());
    // Weak and listed forms match too; another tag does not.
    assert_eq!(again(format!("\"x\", W/{tag}")).await.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again("\"0000\"".into()).await.status(), StatusCode::OK);

    add_contact(&admin, &id, "Bob Read", "bob@etag.example", &[]).await;
    let changed = again(tag.clone()).await;
    assert_eq!(changed.status(), StatusCode::OK, "a new contact changes the account's answer");
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), tag);

    // Unknown, forged and oversized ids are all "no such account".
    for bad in ["nope", "account:other", &"x".repeat(3000), "%00"] {
        let (status, body) = get_json(&app, &key, &format!("/api/v1/accounts/{bad}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}: {body}");
    }
}

#[tokio::test]
async fn reads_need_a_key_with_their_scope() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let id = create_account(&admin, "Scoped", "smb").await;
    let events_only = key(&app, &["events:write"]).await;
    let health = key(&app, &["health:read"]).await;
    for path in ["/api/v1/accounts".to_string(), format!("/api/v1/accounts/{id}")] {
        let none = reqwest::get(format!("{}{path}", app.base)).await.unwrap();
        assert_eq!(none.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(get(&app, &events_only, &path).await.status(), StatusCode::FORBIDDEN, "{path}");
        assert_eq!(get(&app, "bw_forged", &path).await.status(), StatusCode::UNAUTHORIZED);
    }
    // The health history takes `health:read`, not `accounts:read`.
    let path = format!("/api/v1/accounts/{id}/health/history");
    assert_eq!(get(&app, &events_only, &path).await.status(), StatusCode::FORBIDDEN);
    let (status, body) = get_json(&app, &health, &path).await;
    assert_eq!((status, body), (StatusCode::OK, serde_json::json!([])), "not scored yet");
    for (query, ok) in [("since=2026-02-30", false), ("since=1999-01-01", false), ("since=", false)]
    {
        let (status, body) = get_json(&app, &health, &format!("{path}?{query}")).await;
        assert_eq!(status.is_success(), ok, "{query}: {body}");
        assert!(body["error"]["fields"]["since"].is_string(), "{query}: {body}");
    }
}

#[tokio::test]
async fn plans_are_read_whole_and_only_with_their_scope() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let acme = create_account(&admin, "Acme Plans", "smb").await;
    let plan = onboarding_plan(&admin, &acme, "Acme onboarding", &today()).await;
    let reader = key(&app, &["plans:read"]).await;

    let (status, plans) = get_json(&app, &reader, &format!("/api/v1/accounts/{acme}/plans")).await;
    assert_eq!(status, StatusCode::OK, "{plans}");
    assert_eq!(plans.as_array().unwrap().len(), 1);
    assert_eq!(plans[0]["title"], "Acme onboarding");
    let tasks: usize = plans[0]["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["tasks"].as_array().unwrap().len())
        .sum();
    let expected = tasks_of(&plan_detail(&admin, &plan).await).len();
    assert_eq!(tasks, expected, "every task of the plan");
    assert!(plans[0]["milestones"][0]["tasks"][0]["status"].is_string());

    let (status, one) = get_json(&app, &reader, &format!("/api/v1/plans/{plan}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["id"], plans[0]["id"]);
    for bad in ["nope", &"p".repeat(500)] {
        let (status, _) = get_json(&app, &reader, &format!("/api/v1/plans/{bad}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
        let (status, none) =
            get_json(&app, &reader, &format!("/api/v1/accounts/{bad}/plans")).await;
        assert_eq!((status, none), (StatusCode::OK, serde_json::json!([])));
    }
    let other = key(&app, &["accounts:read"]).await;
    assert_eq!(
        get(&app, &other, &format!("/api/v1/plans/{plan}")).await.status(),
        StatusCode::FORBIDDEN
    );
}

/// A project tool ticks a task off through the API: recorded as done by the key, and only a
/// task of the plan named, with a known status, under the `plans:write` scope.
#[tokio::test]
async fn a_task_status_is_set_by_api_and_recorded_as_the_key() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let acme = create_account(&admin, "Acme Tasks", "smb").await;
    let plan = onboarding_plan(&admin, &acme, "Acme onboarding", &today()).await;
    let other_plan = onboarding_plan(&admin, &acme, "Acme growth", &today()).await;
    let detail = plan_detail(&admin, &plan).await;
    let task = id_of(&tasks_of(&detail)[0]);
    let other_task = id_of(&tasks_of(&plan_detail(&admin, &other_plan).await)[0]);
    let scopes: Vec<String> = vec!["plans:write".into()];
    let writer = app::store::api_keys::create(&app.db, "Jira sync", &scopes, None).await.unwrap().1;
    let path = |p: &str, t: &str| format!("/api/v1/plans/{p}/tasks/{t}/status");

    let (status, body) = send(
        &app,
        &writer,
        reqwest::Method::PUT,
        &path(&plan, &task),
        r#"{"status": "done"}"#.into(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let done = body["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["tasks"].as_array().unwrap().clone())
        .find(|t| t["id"] == task.as_str())
        .unwrap();
    assert_eq!(done["status"], "done");
    assert_eq!(done["done_by"], "Jira sync (API)", "{done}");
    let activity = plan_detail(&admin, &plan).await["events"].to_string();
    assert!(activity.contains("Jira sync (API)"), "{activity}");

    // Hostile: another plan's task, forged ids, unknown statuses, bad bodies, the wrong scope.
    let (status, _) = send(
        &app,
        &writer,
        reqwest::Method::PUT,
        &path(&plan, &other_task),
        r#"{"status": "done"}"#.into(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a task of another plan");
    for (p, t) in [("nope", task.as_str()), (plan.as_str(), "nope"), (plan.as_str(), "a:b")] {
        let (status, _) =
            send(&app, &writer, reqwest::Method::PUT, &path(p, t), r#"{"status": "done"}"#.into())
                .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{p}/{t}");
    }
    let (status, body) = send(
        &app,
        &writer,
        reqwest::Method::PUT,
        &path(&plan, &task),
        r#"{"status": "finished"}"#.into(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["status"].as_str().unwrap().contains("in_progress"), "{body}");
    for bad in ["{", "[]", r#"{"status": 3}"#] {
        let (status, _) =
            send(&app, &writer, reqwest::Method::PUT, &path(&plan, &task), bad.into()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
    let huge = format!(r#"{{"status": "{}"}}"#, "d".repeat(10_000));
    let (status, _) = send(&app, &writer, reqwest::Method::PUT, &path(&plan, &task), huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let reader = key(&app, &["plans:read"]).await;
    let (status, _) = send(
        &app,
        &reader,
        reqwest::Method::PUT,
        &path(&plan, &task),
        r#"{"status": "open"}"#.into(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "reading is not writing");
    let still = plan_detail(&admin, &plan).await;
    assert_eq!(task_in(&still, &task)["status"], "done", "nothing refused was written");
}
