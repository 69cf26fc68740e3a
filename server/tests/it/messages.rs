//! Messages to and from customers through the real server: the messages API (keys, scopes,
//! every kind of bad input, idempotency), touchpoints awaiting the customer and their reply, and
//! the reply facts the delayed-response rule reads.

use crate::common::*;
use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn key(app: &TestApp, scopes: &[&str]) -> String {
    let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
    app::store::api_keys::create(&app.db, "test", &scopes, None).await.unwrap().1
}

async fn post_messages(app: &TestApp, key: Option<&str>, body: String) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{}/api/v1/messages", app.base))
        .header("content-type", "application/json")
        .body(body);
    if let Some(k) = key {
        req = req.header("authorization", format!("Bearer {k}"));
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}")))
}

fn hours_ago(h: i64) -> String {
    (Utc::now() - Duration::hours(h)).to_rfc3339()
}

fn message(acc: &str, thread: &str, direction: &str, at: &str, key: &str) -> Value {
    json!({ "account_id": acc, "thread_id": thread, "direction": direction, "at": at,
            "idempotency_key": key })
}

async fn stored(app: &TestApp) -> u64 {
    app::store::messages::count(&app.db).await.unwrap()
}

/// The error the 422 report gives for the message at `index`.
fn error_at(report: &Value, index: u64) -> &Value {
    let errors = report["errors"].as_array().unwrap_or_else(|| panic!("no errors: {report}"));
    errors.iter().find(|e| e["index"] == index).unwrap_or_else(|| panic!("{index}? {report}"))
}

#[tokio::test]
async fn messages_need_a_key_with_their_scope_and_a_batch_of_sane_size() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let acc = create_account(&admin, "Mail Co", "smb").await;
    let good = json!([message(&acc, "t1", "out", &hours_ago(1), "m1")]).to_string();

    let (s, b) = post_messages(&app, None, good.clone()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(b["error"]["message"].as_str().unwrap().contains("missing API key"));
    let (s, _) = post_messages(&app, Some("bw_madeup"), good.clone()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let events_only = key(&app, &["events:write"]).await;
    let (s, b) = post_messages(&app, Some(&events_only), good.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(b["error"]["message"].as_str().unwrap().contains("messages:write"));
    // The messages scope does not open the events API either.
    let secret = key(&app, &["messages:write"]).await;
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/events", app.base))
        .header("authorization", format!("Bearer {secret}"))
        .body("[]")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(stored(&app).await, 0);

    // Not JSON, the wrong shape, too many: the whole request is refused.
    let (s, b) = post_messages(&app, Some(&secret), "[{not json".into()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(b["error"]["message"].as_str().unwrap().contains("not valid JSON"));
    let wrong = json!({ "events": [message(&acc, "t1", "out", &hours_ago(1), "m1")] });
    let (s, b) = post_messages(&app, Some(&secret), wrong.to_string()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(b["error"]["message"].as_str().unwrap().contains("\"messages\""), "{b}");
    let at = hours_ago(1);
    let many: Vec<Value> =
        (0..10_001).map(|i| message(&acc, "t", "out", &at, &format!("o{i}"))).collect();
    let (s, b) = post_messages(&app, Some(&secret), json!(many).to_string()).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(b["error"]["message"].as_str().unwrap().contains("10000"));
    assert_eq!(stored(&app).await, 0);

    let (s, b) = post_messages(&app, Some(&secret), good).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    assert_eq!(stored(&app).await, 1);
}

#[tokio::test]
async fn good_messages_are_stored_once_and_bad_ones_are_named_by_index_and_field() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let acc = create_account(&admin, "Inbox Co", "smb").await;
    let mut crm = account_form("Helpdesk Co", "smb");
    crm.push(("input[external_id]", "crm-42"));
    let other = id_of(&admin.ok("accounts/create", &crm).await);
    let secret = key(&app, &["messages:write"]).await;

    let batch = json!({ "messages": [
        message(&acc, "t1", "out", &hours_ago(50), "a1"),
        message(&acc, "t1", "in", &hours_ago(20), "a2"),
        { "external_id": "crm-42", "contact_email": "Pat@Helpdesk.example", "thread_id": "ticket-7",
          "direction": "out", "at": hours_ago(3), "idempotency_key": "h1" },
        // The same key twice in one batch counts once.
        message(&acc, "t1", "out", &hours_ago(50), "a1"),
    ]});
    let (s, b) = post_messages(&app, Some(&secret), batch.to_string()).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    assert_eq!((b["accepted"].as_u64(), b["duplicates"].as_u64()), (Some(3), Some(1)));
    assert_eq!(b["rejected"], 0);

    // Sent again: all duplicates, nothing doubled.
    let (s, b) = post_messages(&app, Some(&secret), batch.to_string()).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    assert_eq!((b["accepted"].as_u64(), b["duplicates"].as_u64()), (Some(0), Some(4)));
    assert_eq!(stored(&app).await, 3);

    // One mistake per message, each named; the good ones around them are stored.
    let ok = |key: &str| message(&acc, "t2", "out", &hours_ago(1), key);
    let with = |key: &str, field: &str, value: Value| {
        let mut m = ok(key);
        m[field] = value;
        m
    };
    let without = |key: &str, field: &str| {
        let mut m = ok(key);
        m.as_object_mut().unwrap().remove(field);
        m
    };
    let future = (Utc::now() + Duration::hours(1)).to_rfc3339();
    let batch = json!([
        ok("b0"),
        without("b1", "thread_id"),
        with("b2", "thread_id", json!("x".repeat(201))),
        with("b3", "direction", json!("sideways")),
        with("b4", "at", json!("last tuesday")),
        with("b5", "at", json!(future)),
        with("b6", "at", json!("2020-01-01T00:00:00Z")),
        with("b7", "contact_email", json!("not-an-email")),
        with("b8", "account_id", json!("no-such-account")),
        { "external_id": "crm-unknown", "thread_id": "t", "direction": "in", "at": hours_ago(1), "idempotency_key": "b9" },
        without("b10", "account_id"),
        with("b11", "idempotency_key", json!("")),
        with("b12", "idempotency_key", json!("k".repeat(201))),
        with("b13", "thread_id", json!("touchpoint:forged")),
        with("b14", "idempotency_key", json!("touchpoint:forged:in")),
        json!("not an object"),
        ok("b16"),
    ]);
    let (s, b) = post_messages(&app, Some(&secret), batch.to_string()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!((b["accepted"].as_u64(), b["rejected"].as_u64()), (Some(2), Some(15)));
    let expected = [
        (1, "thread_id"),
        (2, "thread_id"),
        (3, "direction"),
        (4, "at"),
        (5, "at"),
        (6, "at"),
        (7, "contact_email"),
        (8, "account_id"),
        (9, "external_id"),
        (10, "account_id"),
        (11, "idempotency_key"),
        (12, "idempotency_key"),
        (13, "thread_id"),
        (14, "idempotency_key"),
        (15, "message"),
    ];
    for (index, field) in expected {
        assert_eq!(error_at(&b, index)["field"], field, "message {index}: {b}");
    }
    assert!(error_at(&b, 4)["message"].as_str().unwrap().contains("RFC 3339"));
    assert!(error_at(&b, 5)["message"].as_str().unwrap().contains("future"));
    assert_eq!(error_at(&b, 8)["message"], "no account has this id");
    assert_eq!(error_at(&b, 3)["idempotency_key"], "b3");
    assert_eq!(stored(&app).await, 5, "b0 and b16 stored, nothing else");

    // The helpdesk account's message landed on it, by its external id.
    let facts =
        app::store::messages::reply_facts(&app.db, Some(std::slice::from_ref(&other)), Utc::now())
            .await
            .unwrap();
    assert_eq!(facts[&other].awaiting.as_ref().map(|(t, _)| t.as_str()), Some("ticket-7"));
}

#[tokio::test]
async fn reply_facts_follow_each_thread_of_each_account() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let slow = create_account(&admin, "Slow Co", "smb").await;
    let quick = create_account(&admin, "Quick Co", "smb").await;
    let silent = create_account(&admin, "Silent Co", "smb").await;
    let secret = key(&app, &["messages:write"]).await;
    let day = 24;
    let msgs = json!([
        // Slow: chased twice on "q1", answered 60 h after the first message.
        message(&slow, "q1", "out", &hours_ago(100), "s1"),
        message(&slow, "q1", "out", &hours_ago(70), "s2"),
        message(&slow, "q1", "in", &hours_ago(40), "s3"),
        // Answered 48 h later, 60 days ago: their baseline.
        message(&slow, "q0", "out", &hours_ago(62 * day), "s4"),
        message(&slow, "q0", "in", &hours_ago(60 * day), "s5"),
        // Two threads still waiting; the older is the one reported.
        message(&slow, "q2", "out", &hours_ago(30), "s6"),
        message(&slow, "q3", "out", &hours_ago(9 * day), "s7"),
        // The customer writing first answers nothing.
        message(&slow, "q4", "in", &hours_ago(5), "s8"),
        // Older than 120 days: not read.
        message(&slow, "q5", "out", &hours_ago(130 * day), "s9"),
        // Quick: answered in 2 h.
        message(&quick, "x", "out", &hours_ago(10), "k1"),
        message(&quick, "x", "in", &hours_ago(8), "k2"),
    ]);
    let (s, b) = post_messages(&app, Some(&secret), msgs.to_string()).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");

    let now = Utc::now();
    let all = app::store::messages::reply_facts(&app.db, None, now).await.unwrap();
    assert!(!all.contains_key(&silent), "no messages, no facts");
    let f = &all[&slow];
    let (thread, since) = f.awaiting.clone().expect("awaiting");
    assert_eq!(thread, "q3");
    assert!(near(since, now - Duration::hours(9 * day)), "{since}");
    assert_eq!(rounded(&f.recent_hours), vec![60]);
    assert_eq!(rounded(&f.baseline_hours), vec![48]);
    assert_eq!(all[&quick].awaiting, None);
    assert_eq!(rounded(&all[&quick].recent_hours), vec![2]);

    // The same facts for named accounts only.
    let some =
        app::store::messages::reply_facts(&app.db, Some(&[quick.clone(), silent.clone()]), now)
            .await
            .unwrap();
    assert_eq!(some.keys().collect::<Vec<_>>(), vec![&quick]);
    assert_eq!(some[&quick], all[&quick]);
    let none = app::store::messages::reply_facts(&app.db, Some(&[]), now).await.unwrap();
    assert!(none.is_empty());
    // Many accounts are read in chunks; one at the end of the list is still found.
    let mut many: Vec<String> = (0..600).map(|i| format!("nobody-{i}")).collect();
    many.push(slow.clone());
    let chunked = app::store::messages::reply_facts(&app.db, Some(&many), now).await.unwrap();
    assert_eq!(chunked.len(), 1);
    assert_eq!(chunked[&slow], all[&slow]);
}

fn rounded(hours: &[f64]) -> Vec<i64> {
    let mut v: Vec<i64> = hours.iter().map(|h| h.round() as i64).collect();
    v.sort();
    v
}

/// Within a minute (the test's clock and the request's differ by its run time).
fn near(a: DateTime<Utc>, b: DateTime<Utc>) -> bool {
    (a - b).num_seconds().abs() < 60
}

/// The form that logs a touchpoint of `kind` on `date`, awaiting the customer when `awaiting`
/// is "on".
fn touchpoint_form<'a>(
    acc: &'a str, kind: &'a str, date: &'a str, awaiting: &'a str,
) -> [(&'a str, &'a str); 4] {
    [
        ("account_id", acc),
        ("input[kind]", kind),
        ("input[date]", date),
        ("input[awaiting_reply]", awaiting),
    ]
}

#[tokio::test]
async fn a_touchpoint_can_await_the_customer_and_log_their_reply_once() {
    let (app, admin, csm) = app_with_csm().await;
    let acc = create_account(&admin, "Waiting Co", "smb").await;
    let elsewhere = create_account(&admin, "Elsewhere Co", "smb").await;
    let today = Utc::now().date_naive().to_string();
    // Only an email or a meeting request can await the customer; nothing written otherwise.
    let qbr = touchpoint_form(&acc, "qbr", &today, "on");
    let [why] = csm.refused("engagement/log", &qbr, ["awaiting_reply"]).await;
    assert!(why.contains("email or a meeting"), "{why}");
    assert_eq!((rows(&app, "touchpoint").await, stored(&app).await), (0, 0));

    // An email awaiting the customer records the message to them, in its own thread.
    let t = csm.ok("engagement/log", &touchpoint_form(&acc, "email", &today, "on")).await;
    let tid = id_of(&t);
    assert_eq!(t["awaiting_reply"], true);
    assert_eq!(t["replied_at"], Value::Null);
    let facts = app::store::messages::reply_facts(&app.db, None, Utc::now()).await.unwrap();
    let (thread, since) = facts[&acc].awaiting.clone().expect("awaiting");
    assert_eq!(thread, format!("touchpoint:{tid}"));
    assert!(near(since, Utc::now()));
    // An email not awaiting anyone records no message.
    let plain = id_of(&csm.ok("engagement/log", &touchpoint_form(&acc, "email", &today, "")).await);
    assert_eq!(stored(&app).await, 1);

    // Refused: an executive; another account's or an unknown touchpoint; one that never waited.
    let exec = user_with_role(&app, &admin, "exec").await;
    let r = [("account_id", acc.as_str()), ("touchpoint_id", tid.as_str())];
    exec.expect(StatusCode::FORBIDDEN, "engagement/replied", &r).await;
    let wrong = [("account_id", elsewhere.as_str()), ("touchpoint_id", tid.as_str())];
    csm.expect(StatusCode::NOT_FOUND, "engagement/replied", &wrong).await;
    let unknown = [("account_id", acc.as_str()), ("touchpoint_id", "no-such-touchpoint")];
    csm.expect(StatusCode::NOT_FOUND, "engagement/replied", &unknown).await;
    let long = "x".repeat(500);
    let huge = [("account_id", acc.as_str()), ("touchpoint_id", long.as_str())];
    csm.expect(StatusCode::NOT_FOUND, "engagement/replied", &huge).await;
    let never = [("account_id", acc.as_str()), ("touchpoint_id", plain.as_str())];
    let b = csm.expect(StatusCode::CONFLICT, "engagement/replied", &never).await;
    assert!(b["Conflict"].as_str().unwrap().contains("not awaiting"), "{b}");
    assert_eq!(stored(&app).await, 1);

    // The reply: logged once, with its message; the thread is no longer waiting.
    let t = csm.ok("engagement/replied", &r).await;
    assert_eq!(t["awaiting_reply"], true);
    assert!(t["replied_at"].is_string(), "{t}");
    assert_eq!(stored(&app).await, 2);
    let facts = app::store::messages::reply_facts(&app.db, None, Utc::now()).await.unwrap();
    assert_eq!(facts[&acc].awaiting, None);
    assert_eq!(facts[&acc].recent_hours.len(), 1);
    assert!(facts[&acc].recent_hours[0] < 0.1);
    let b = csm.expect(StatusCode::CONFLICT, "engagement/replied", &r).await;
    assert!(b["Conflict"].as_str().unwrap().contains("already"), "{b}");
    assert_eq!(stored(&app).await, 2);

    // The account page's list shows it answered.
    let e = csm.ok("engagement/account", &[("account_id", &acc)]).await;
    let shown = by_id(&e["touchpoints"], &tid);
    assert!(shown["replied_at"].is_string());
    assert_eq!(by_id(&e["touchpoints"], &plain)["awaiting_reply"], false);
}
