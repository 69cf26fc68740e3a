//! Early warning through the real server: usage that falls trips `declining_engagement` once
//! with its numbers, re-trips update the same alert, missed milestones and low scores trip
//! their rules, people act on alerts (acknowledge, snooze, dismiss — bad input refused by
//! field, nothing written), playbook steps land in My work and resolve the alert, roles.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn key(app: &TestApp, scopes: &[&str]) -> String {
    let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
    app::store::api_keys::create(&app.db, "alerts", &scopes, None).await.unwrap().1
}

/// `n` logins by `users` distinct people `days_ago` for `account`.
fn logins(account: &str, n: usize, users: usize, days_ago: i64, tag: &str) -> Vec<Value> {
    let at = (chrono::Utc::now() - chrono::Duration::days(days_ago) - chrono::Duration::minutes(1))
        .to_rfc3339();
    (0..n)
        .map(|i| {
            json!({ "account_id": account, "kind": "login", "contact_email": format!("u{}@x.example", i % users),
                    "at": at, "idempotency_key": format!("{tag}-{account}-{days_ago}-{i}") })
        })
        .collect()
}

async fn send(app: &TestApp, key: &str, path: &str, body: &Value) -> (StatusCode, Value) {
    let res = reqwest::Client::new()
        .post(format!("{}{path}", app.base))
        .header("authorization", format!("Bearer {key}"))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn get_api(app: &TestApp, key: &str, path: &str) -> (StatusCode, Value) {
    let res = reqwest::Client::new()
        .get(format!("{}{path}", app.base))
        .header("authorization", format!("Bearer {key}"))
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Waits (up to 10 s) until the account has `n` alerts of `rule` (any status); returns them.
async fn wait_alerts(app: &TestApp, key: &str, account: &str, rule: &str, n: usize) -> Vec<Value> {
    let path = format!("/api/v1/alerts?account_id={account}&rule={rule}");
    let mut last = Value::Null;
    for _ in 0..200 {
        let (status, body) = get_api(app, key, &path).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if body["alerts"].as_array().map(Vec::len) == Some(n) {
            return body["alerts"].as_array().unwrap().clone();
        }
        last = body;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("expected {n} {rule} alerts on {account}: {last}");
}

/// An account owned by `owner`, renewing far enough ahead that `renewal_at_risk` stays quiet.
fn owned_account_form<'a>(name: &'a str, owner: &'a str) -> Vec<(&'a str, &'a str)> {
    with(
        account_form(name, "smb"),
        &[("input[owner_id]", owner), ("input[renewal_date]", "2029-06-01")],
    )
}

#[tokio::test]
async fn falling_usage_trips_declining_engagement_once_with_its_numbers() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let me = c.my_id().await;
    let acc = id_of(&c.ok("accounts/create", &owned_account_form("Falling Corp", &me)).await);
    let events = key(&app, &["events:write"]).await;
    let reader = key(&app, &["alerts:read"]).await;
    // The rule compares the last two weeks with the two before: 30 logins by 6 people 20 days
    // ago, 12 by 2 people 3 days ago — logins −60 %, active users −67 %: the steeper is named.
    let mut batch = logins(&acc, 30, 6, 20, "a");
    batch.extend(logins(&acc, 12, 2, 3, "a"));
    let (status, body) = send(&app, &events, "/api/v1/events", &json!(batch)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let alerts = wait_alerts(&app, &reader, &acc, "declining_engagement", 1).await;
    let a = &alerts[0];
    assert_eq!(a["status"], "open");
    assert_eq!(a["severity"], "medium");
    assert_eq!(a["rule_version"], 1);
    assert_eq!(a["owner"], me.as_str());
    assert_eq!(a["evidence"]["kind"], "decline");
    assert_eq!(a["evidence"]["metric"], "active users");
    assert_eq!(a["evidence"]["before"], 6.0);
    assert_eq!(a["evidence"]["after"], 2.0);
    let summary = a["summary"].as_str().unwrap();
    assert!(summary.starts_with("active users 6 → 2 (−67 %) comparing"), "{summary}");
    // Sent again (duplicates) and a login by a third person: still one alert, new numbers
    // (users −50 %, logins 30 → 13 −57 %: logins are now the steeper fall).
    let mut again = batch.clone();
    again.push(json!({ "account_id": acc, "kind": "login", "contact_email": "new@x.example",
        "at": chrono::Utc::now().to_rfc3339(), "idempotency_key": "b-1" }));
    send(&app, &events, "/api/v1/events", &json!(again)).await;
    for _ in 0..100 {
        let alerts = wait_alerts(&app, &reader, &acc, "declining_engagement", 1).await;
        if alerts[0]["evidence"]["after"] == 13.0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let alerts = wait_alerts(&app, &reader, &acc, "declining_engagement", 1).await;
    assert_eq!(alerts[0]["evidence"]["metric"], "logins", "{}", alerts[0]);
    assert_eq!(alerts[0]["evidence"]["after"], 13.0, "{}", alerts[0]);
    assert_eq!(alerts[0]["id"], a["id"]);
    // A full pass and the daily pass add nothing either.
    app::service::alerts::evaluate(&app.db, &app.state.portfolio, None).await.unwrap();
    app::service::health::daily(&app.db, &app.state.portfolio).await.unwrap();
    wait_alerts(&app, &reader, &acc, "declining_engagement", 1).await;
    // The playbook's three steps are in the owner's My work, linked to the alert.
    let tasks = c.ok("alerts/my-tasks", &[]).await;
    let tasks = tasks.as_array().unwrap();
    assert_eq!(tasks.len(), 3, "{tasks:?}");
    assert!(tasks.iter().all(|t| t["alert_id"] == a["id"]));
    // The header count.
    assert_eq!(c.ok("alerts/count", &[]).await, json!(1));
}

#[tokio::test]
async fn ticking_every_step_resolves_the_alert_and_the_episode_stays_closed() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let me = c.my_id().await;
    let acc = id_of(&c.ok("accounts/create", &owned_account_form("Late Corp", &me)).await);
    // A plan that started 200 days ago: its milestones are long past due.
    let start = (chrono::Utc::now().date_naive() - chrono::Duration::days(200)).to_string();
    onboarding_plan(&c, &acc, "Onboarding", &start).await;
    let reader = key(&app, &["alerts:read"]).await;
    let alerts = wait_alerts(&app, &reader, &acc, "missed_milestone", 1).await;
    let id = alerts[0]["id"].as_str().unwrap().to_string();
    assert!(alerts[0]["summary"].as_str().unwrap().contains("days late"), "{}", alerts[0]);
    let detail = c.ok("alerts/view", &[("id", &id)]).await;
    let steps: Vec<String> = detail["tasks"].as_array().unwrap().iter().map(id_of).collect();
    assert_eq!(steps.len(), 2);
    // A forged step id, or an executive ticking: refused, nothing written.
    c.expect(StatusCode::NOT_FOUND, "alerts/task", &[("task", "forged"), ("done", "true")]).await;
    let exec = user_with_role(&app, &c, "exec").await;
    exec.expect(StatusCode::FORBIDDEN, "alerts/task", &[("task", &steps[0]), ("done", "true")])
        .await;
    assert_eq!(c.ok("alerts/task", &[("task", &steps[0]), ("done", "true")]).await, json!(false));
    assert_eq!(c.ok("alerts/task", &[("task", &steps[1]), ("done", "true")]).await, json!(true));
    let detail = c.ok("alerts/view", &[("id", &id)]).await;
    assert_eq!(detail["alert"]["status"], "resolved");
    let kinds: Vec<&str> =
        detail["history"].as_array().unwrap().iter().map(|h| h["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["opened", "resolved"]);
    // Still late: the same episode opens no second alert.
    app::service::alerts::evaluate(&app.db, &app.state.portfolio, None).await.unwrap();
    wait_alerts(&app, &reader, &acc, "missed_milestone", 1).await;
    let left = c.ok("alerts/my-tasks", &[]).await;
    assert!(left.as_array().unwrap().iter().all(|t| t["alert_id"] != id.as_str()), "{left}");
    // The timeline shows the alert's history.
    let timeline = c.ok("engagement/timeline", &[("account_id", &acc), ("kind", "alert")]).await;
    let titles: Vec<&str> =
        timeline.as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap()).collect();
    assert!(titles.contains(&"Missed milestone: resolved"), "{titles:?}");
    assert!(titles.contains(&"Missed milestone: opened"), "{titles:?}");
}

#[tokio::test]
async fn people_act_on_alerts_and_bad_actions_are_refused_by_field() {
    let app = spawn_app().await;
    let admin_c = admin(&app).await;
    let me = admin_c.my_id().await;
    let acc = id_of(&admin_c.ok("accounts/create", &owned_account_form("Acted Corp", &me)).await);
    let start = (chrono::Utc::now().date_naive() - chrono::Duration::days(200)).to_string();
    onboarding_plan(&admin_c, &acc, "Onboarding", &start).await;
    let reader = key(&app, &["alerts:read"]).await;
    let writer = key(&app, &["alerts:write"]).await;
    let alerts = wait_alerts(&app, &reader, &acc, "missed_milestone", 1).await;
    let id = alerts[0]["id"].as_str().unwrap().to_string();
    let events = format!("/api/v1/alerts/{id}/events");
    let before = rows(&app, "alert_event").await;
    // Dismissing without a reason, snoozing into the past or without a date: 422, by field.
    let (s, b) = send(&app, &writer, &events, &json!({ "event": "dismissed" })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.to_string().contains("reason"), "{b}");
    let (s, b) = send(
        &app,
        &writer,
        &events,
        &json!({ "event": "snoozed", "reason": "QBR", "until": "2020-01-01" }),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.to_string().contains("until"), "{b}");
    let (s, _) = send(&app, &writer, &events, &json!({ "event": "exploded" })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(rows(&app, "alert_event").await, before, "nothing written");
    // The read-only key cannot act; no key, no entry.
    let (s, _) = send(&app, &reader, &events, &json!({ "event": "acknowledged" })).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Acknowledge, then snooze with a reason until a good date.
    let (s, b) = send(&app, &writer, &events, &json!({ "event": "acknowledged" })).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = send(&app, &writer, &events, &json!({ "event": "acknowledged" })).await;
    assert_eq!(s, StatusCode::CONFLICT, "acknowledging twice: {b}");
    let until = (chrono::Utc::now().date_naive() + chrono::Duration::days(7)).to_string();
    let (s, b) = send(
        &app,
        &writer,
        &events,
        &json!({ "event": "snoozed", "reason": "after the QBR", "until": until }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let a = &wait_alerts(&app, &reader, &acc, "missed_milestone", 1).await[0];
    assert_eq!(a["status"], "snoozed");
    assert_eq!(a["reason"], "after the QBR");
    // A forged id: 404. A bulk action from the page names what it refused.
    let (s, _) =
        send(&app, &writer, "/api/v1/alerts/nope/events", &json!({ "event": "acknowledged" }))
            .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let out = admin_c
        .expect_json(StatusCode::OK, "alerts/act", &json!({ "ids": [id, "forged"], "input": { "event": "dismissed", "reason": "seasonal" } }))
        .await;
    assert_eq!(out["done"], 1, "{out}");
    assert_eq!(out["refused"][0][0], "forged");
    // Executives read alerts but cannot act.
    let exec = user_with_role(&app, &admin_c, "exec").await;
    exec.expect_json(StatusCode::OK, "alerts/list", &json!({ "filter": {} })).await;
    let refused = exec
        .post_json("alerts/act", &json!({ "ids": [id], "input": { "event": "acknowledged" } }))
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn high_severity_alerts_are_mailed_at_once_and_the_rest_in_one_daily_digest() {
    let (port, mut inbox) = smtp::start().await;
    let mailer = || smtp::mailer(port);
    let app = spawn_app_with(move |s| s.with_mailer(mailer())).await;
    let c = admin(&app).await;
    let me = c.my_id().await;
    // Missed milestones are high severity here.
    let mut config = app::model::alert::RulesConfig::default();
    for r in &mut config.rules {
        if r.kind == app::model::alert::RuleKind::MissedMilestone {
            r.severity = app::model::alert::Severity::High;
        }
    }
    c.expect_json(
        StatusCode::OK,
        "alerts/rules/save",
        &json!({ "scope": "default", "config": config }),
    )
    .await;
    let late = id_of(&c.ok("accounts/create", &owned_account_form("Urgent <Corp>", &me)).await);
    let start = (chrono::Utc::now().date_naive() - chrono::Duration::days(200)).to_string();
    onboarding_plan(&c, &late, "Onboarding", &start).await;
    let mail = tokio::time::timeout(std::time::Duration::from_secs(15), inbox.recv())
        .await
        .expect("the urgent alert is mailed within seconds")
        .unwrap();
    assert!(mail.to.iter().any(|t| t.contains('@')), "{:?}", mail.to);
    assert!(mail.data.contains("Missed milestone at Urgent"), "{}", mail.data);
    assert!(mail.data.contains(&format!("/accounts/{late}#alerts")));
    assert!(mail.data.contains("Urgent &lt;Corp&gt;"), "names are escaped in the HTML part");
    // A medium alert on another account waits for the digest.
    let falling = id_of(&c.ok("accounts/create", &owned_account_form("Digest Corp", &me)).await);
    let events = key(&app, &["events:write"]).await;
    let reader = key(&app, &["alerts:read"]).await;
    let mut batch = logins(&falling, 30, 6, 20, "d");
    batch.extend(logins(&falling, 5, 1, 3, "d"));
    send(&app, &events, "/api/v1/events", &json!(batch)).await;
    wait_alerts(&app, &reader, &falling, "declining_engagement", 1).await;
    let state = app.state.clone();
    let early = chrono::Utc::now().date_naive().and_hms_opt(6, 0, 0).unwrap().and_utc();
    let m = mailer();
    // Before the digest hour: nothing more (the urgent one was already mailed).
    assert_eq!(bellwether::mail_alerts::send_due(&state, &m, early).await.unwrap(), 0);
    let morning = chrono::Utc::now().date_naive().and_hms_opt(8, 0, 0).unwrap().and_utc();
    // The background mailer may send the digest itself when the test runs after 07:00 UTC;
    // either way exactly one digest arrives, and a second run sends none.
    let sent = bellwether::mail_alerts::send_due(&state, &m, morning).await.unwrap();
    let again = bellwether::mail_alerts::send_due(&state, &m, morning).await.unwrap();
    assert_eq!(again, 0);
    let digest = tokio::time::timeout(std::time::Duration::from_secs(15), inbox.recv())
        .await
        .expect("the digest arrives")
        .unwrap();
    assert!(digest.data.contains("new alert"), "{}", digest.data);
    assert!(digest.data.contains("Digest Corp"), "{}", digest.data);
    assert!(!digest.data.contains("Urgent"), "the urgent alert is not mailed twice");
    let _ = sent;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(inbox.try_recv().is_err(), "no other mail");
}

#[tokio::test]
async fn messages_waiting_for_the_customer_trip_delayed_response() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let me = c.my_id().await;
    let acc = id_of(&c.ok("accounts/create", &owned_account_form("Quiet Corp", &me)).await);
    let writer = key(&app, &["messages:write"]).await;
    let reader = key(&app, &["alerts:read"]).await;
    let at = |days: i64| (chrono::Utc::now() - chrono::Duration::days(days)).to_rfc3339();
    // A thread answered within a day, then a question unanswered for 6 days (default: 5).
    let msgs = json!([
        { "account_id": acc, "thread_id": "t1", "direction": "out", "at": at(20), "idempotency_key": "m1" },
        { "account_id": acc, "thread_id": "t1", "direction": "in", "at": at(19), "idempotency_key": "m2" },
        { "account_id": acc, "thread_id": "t2", "direction": "out", "at": at(6), "idempotency_key": "m3" },
    ]);
    let (status, body) = send(&app, &writer, "/api/v1/messages", &msgs).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let alerts = wait_alerts(&app, &reader, &acc, "delayed_response", 1).await;
    assert_eq!(alerts[0]["evidence"]["kind"], "awaiting_reply");
    assert_eq!(alerts[0]["evidence"]["thread_id"], "t2");
    assert_eq!(alerts[0]["evidence"]["days"], 6);
    // The customer answers: the alert stays until someone handles it, with the old numbers.
    let reply = json!([{ "account_id": acc, "thread_id": "t2", "direction": "in", "at": at(0), "idempotency_key": "m4" }]);
    send(&app, &writer, "/api/v1/messages", &reply).await;
    app::service::alerts::evaluate(&app.db, &app.state.portfolio, None).await.unwrap();
    let alerts = wait_alerts(&app, &reader, &acc, "delayed_response", 1).await;
    assert_eq!(alerts[0]["status"], "open");
}

#[tokio::test]
async fn the_alerts_api_pages_filters_and_refuses_what_it_does_not_understand() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let me = c.my_id().await;
    let start = (chrono::Utc::now().date_naive() - chrono::Duration::days(200)).to_string();
    let mut accounts = Vec::new();
    for name in ["Page A", "Page B", "Page C"] {
        let acc = id_of(&c.ok("accounts/create", &owned_account_form(name, &me)).await);
        onboarding_plan(&c, &acc, "Onboarding", &start).await;
        accounts.push(acc);
    }
    let reader = key(&app, &["alerts:read"]).await;
    for acc in &accounts {
        wait_alerts(&app, &reader, acc, "missed_milestone", 1).await;
    }
    // Three pages of one, newest first, then no cursor.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    for _ in 0..3 {
        let path = format!(
            "/api/v1/alerts?rule=missed_milestone&status=open,acknowledged&limit=1&cursor={cursor}"
        );
        let (status, page) = get_api(&app, &reader, &path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["alerts"].as_array().unwrap().len(), 1);
        seen.push(page["alerts"][0]["account_id"].as_str().unwrap().to_string());
        cursor = page["next_cursor"].as_str().unwrap_or("").to_string();
    }
    assert!(cursor.is_empty(), "the last page has no cursor");
    seen.sort();
    let mut want = accounts.clone();
    want.sort();
    assert_eq!(seen, want, "every alert once");
    let (_, none) = get_api(&app, &reader, "/api/v1/alerts?severity=high").await;
    assert_eq!(none["alerts"], json!([]));
    // Nonsense is refused by parameter, never a 500.
    for (query, field) in [
        ("rule=everything", "rule"),
        ("status=open,maybe", "status"),
        ("severity=urgent", "severity"),
        ("limit=0", "limit"),
        ("limit=100000", "limit"),
        ("limit=ten", "limit"),
    ] {
        let (status, body) = get_api(&app, &reader, &format!("/api/v1/alerts?{query}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert!(body.to_string().contains(field), "{query}: {body}");
    }
    let long = "x".repeat(5000);
    let (status, _) = get_api(&app, &reader, &format!("/api/v1/alerts?account_id={long}")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Forged ids and cursors find nothing, they break nothing.
    for q in ["account_id=account:evil", "cursor=%27%3B%20DELETE%20alert%3B", "account_id=nope"] {
        let (status, body) = get_api(&app, &reader, &format!("/api/v1/alerts?{q}")).await;
        assert_eq!(status, StatusCode::OK, "{q}: {body}");
    }
    assert!(rows(&app, "alert").await >= 3, "the forged queries deleted nothing");
    // Scopes and keys.
    let events_only = key(&app, &["events:write"]).await;
    let (status, _) = get_api(&app, &events_only, "/api/v1/alerts").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = get_api(&app, "bw_forged", "/api/v1/alerts").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // An oversized or malformed event body.
    let writer = key(&app, &["alerts:write"]).await;
    let alert = get_api(&app, &reader, "/api/v1/alerts?limit=1").await.1["alerts"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/v1/alerts/{alert}/events");
    let res = reqwest::Client::new()
        .post(format!("{}{path}", app.base))
        .header("authorization", format!("Bearer {writer}"))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let (status, _) =
        send(&app, &writer, &path, &json!({ "event": "dismissed", "reason": "x".repeat(3000) }))
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = send(
        &app,
        &writer,
        &format!("/api/v1/alerts/{}/events", "a".repeat(500)),
        &json!({ "event": "acknowledged" }),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
