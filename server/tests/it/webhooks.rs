//! Outbound webhooks against a real receiver on a loopback port that verifies every Standard
//! Webhooks signature with the reference crate: delivered once although the receiver fails
//! twice first (same `webhook-id` on every try), payloads in their documented shapes, nothing
//! sent for a change that rolled back, an endpoint failing for its whole window switched off
//! and its admins mailed — and the hostile side: private and metadata addresses refused unless
//! allowed (at registration and again at delivery), other roles, forged ids, oversized input.

use crate::common::*;
use crate::rest_accounts::{key, send};
use app::model::webhook::WebhookEvent;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use bellwether::webhook_schemas::{check_data, Envelope};
use bellwether::webhooks::Policy;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the receiver saw.
#[derive(Default)]
struct Seen {
    secret: String,
    /// Answer 500 to this many requests first.
    fail_first: usize,
    /// Every request: (webhook-id, verified, body).
    requests: Vec<(String, bool, Vec<u8>)>,
    /// Messages handled, once per webhook-id, in order.
    handled: Vec<(String, Envelope)>,
}

type Shared = Arc<Mutex<Seen>>;

/// Starts the receiver; answers its URL and what it sees.
async fn receiver() -> (String, Shared) {
    let seen: Shared = Arc::default();
    let state = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let seen = state.clone();
            async move {
                let mut s = seen.lock().unwrap();
                let id = headers
                    .get("webhook-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                let verified = standardwebhooks::Webhook::new(&s.secret)
                    .and_then(|w| w.verify(&body, &headers))
                    .is_ok();
                s.requests.push((id.clone(), verified, body.to_vec()));
                if !verified {
                    return (StatusCode::UNAUTHORIZED, "bad signature");
                }
                if s.requests.len() <= s.fail_first {
                    return (StatusCode::INTERNAL_SERVER_ERROR, "try again later");
                }
                if !s.handled.iter().any(|(seen, _)| *seen == id) {
                    let envelope: Envelope = serde_json::from_slice(&body).expect("envelope shape");
                    s.handled.push((id, envelope));
                }
                (StatusCode::OK, "thanks")
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), seen)
}

fn quick() -> Policy {
    Policy {
        first_retry: Duration::from_millis(50),
        max_retry: Duration::from_millis(200),
        poll: Duration::from_millis(50),
        timeout: Duration::from_secs(2),
        ..Policy::default()
    }
}

/// Registers an endpoint for `events`; answers its id and secret.
async fn register(admin: &Client, url: &str, events: &[&str]) -> (String, String) {
    let names: Vec<String> = (0..events.len()).map(|i| format!("events[{i}]")).collect();
    let mut form: Vec<(&str, &str)> = vec![("url", url), ("description", "Test receiver")];
    form.extend(names.iter().map(String::as_str).zip(events.iter().copied()));
    let made = admin.ok("webhooks/create", &form).await;
    (made[0]["id"].as_str().unwrap().to_string(), made[1].as_str().unwrap().to_string())
}

async fn wait_for(seen: &Shared, handled: usize) {
    for _ in 0..200 {
        if seen.lock().unwrap().handled.len() >= handled {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("expected {handled} messages, got {}", seen.lock().unwrap().handled.len());
}

#[tokio::test]
async fn deliveries_are_signed_retried_under_one_id_and_match_their_documented_shape() {
    let app = spawn_app_with(|s| s.with_webhook_policy(quick())).await;
    let admin = admin(&app).await;
    admin.ok("webhooks/private/save", &[("allow", "true")]).await;
    let (url, seen) = receiver().await;
    let (endpoint, secret) =
        register(&admin, &url, &["account.created", "account.updated", "touchpoint.logged"]).await;
    assert!(secret.starts_with("whsec_"), "{secret}");
    {
        let mut s = seen.lock().unwrap();
        s.secret = secret;
        s.fail_first = 2;
    }

    let acme = create_account(&admin, "Acme Hooks", "smb").await;
    wait_for(&seen, 1).await;
    {
        let s = seen.lock().unwrap();
        assert_eq!(s.requests.len(), 3, "two failures, then delivered");
        assert!(s.requests.iter().all(|(id, ok, _)| *ok && *id == s.requests[0].0), "one id");
        let (id, env) = &s.handled[0];
        assert!(id.starts_with("msg_"));
        assert_eq!(env.event, "account.created");
        assert_eq!(env.version, 1);
        assert_eq!(env.data["id"], acme.as_str());
        assert_eq!(env.data["name"], "Acme Hooks");
        check_data(WebhookEvent::AccountCreated, env.data.clone()).expect("documented shape");
    }
    let log = admin.ok("webhooks/deliveries", &[("endpoint", &endpoint)]).await;
    assert_eq!(log[0]["status"], "delivered", "{log}");
    assert_eq!(log[0]["attempts"], 3);
    assert_eq!(log[0]["response_status"], 200);
    assert_eq!(log[0]["response_snippet"], "thanks");
    assert!(log[0]["latency_ms"].is_u64());

    // A change that fails (the same name again) rolls back and writes no message.
    let before = app::store::webhooks::message_count(&app.db).await.unwrap();
    let (status, _) = admin.call("accounts/create", &account_form("Acme Hooks", "smb")).await;
    assert!(status.is_client_error(), "{status}");
    assert_eq!(app::store::webhooks::message_count(&app.db).await.unwrap(), before);

    // An integration's writes are events too, each in its documented shape.
    let writer = key(&app, &["touchpoints:write"]).await;
    let today = chrono::Utc::now().date_naive().to_string();
    let body = serde_json::json!({"account_id": acme, "kind": "call", "date": today,
        "notes": "Renewal chat", "idempotency_key": "hook-1"});
    let (status, _) =
        send(&app, &writer, reqwest::Method::POST, "/api/v1/touchpoints", body.to_string()).await;
    assert_eq!(status, reqwest::StatusCode::CREATED);
    wait_for(&seen, 2).await;
    let s = seen.lock().unwrap();
    let (_, env) = &s.handled[1];
    assert_eq!(env.event, "touchpoint.logged");
    assert_eq!(env.data["account"]["name"], "Acme Hooks");
    check_data(WebhookEvent::TouchpointLogged, env.data.clone()).expect("documented shape");
}

#[tokio::test]
async fn resend_delivers_again_under_the_same_id() {
    let app = spawn_app_with(|s| s.with_webhook_policy(quick())).await;
    let admin = admin(&app).await;
    admin.ok("webhooks/private/save", &[("allow", "true")]).await;
    let (url, seen) = receiver().await;
    let (endpoint, secret) = register(&admin, &url, &["account.created"]).await;
    seen.lock().unwrap().secret = secret;
    create_account(&admin, "Resend Co", "smb").await;
    wait_for(&seen, 1).await;
    let log = admin.ok("webhooks/deliveries", &[("endpoint", &endpoint)]).await;
    let delivery = log[0]["id"].as_str().unwrap().to_string();
    admin.ok("webhooks/resend", &[("endpoint", &endpoint), ("delivery", &delivery)]).await;
    for _ in 0..100 {
        if seen.lock().unwrap().requests.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    {
        let s = seen.lock().unwrap();
        assert_eq!(s.requests.len(), 2, "sent again");
        assert_eq!(s.requests[0].0, s.requests[1].0, "under the same webhook-id");
        assert_eq!(s.handled.len(), 1, "an idempotent receiver handles it once");
    }
    // Forged ids: another endpoint's delivery, or none at all.
    let (other, _) = register(&admin, &url, &["alert.opened"]).await;
    let (status, _) =
        admin.call("webhooks/resend", &[("endpoint", &other), ("delivery", &delivery)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for (call, form) in [
        ("webhooks/resend", vec![("endpoint", endpoint.as_str()), ("delivery", "nope")]),
        ("webhooks/delete", vec![("id", "nope")]),
        ("webhooks/enable", vec![("id", "nope"), ("enabled", "true")]),
    ] {
        let (status, _) = admin.call(call, &form).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{call}");
    }
}

#[tokio::test]
async fn an_endpoint_failing_for_its_whole_window_is_switched_off_and_admins_are_mailed() {
    let (port, mut inbox) = smtp::start().await;
    let mailer = smtp::mailer(port);
    let policy = Policy { window: Duration::from_millis(600), ..quick() };
    let app = spawn_app_with(move |s| s.with_webhook_policy(policy).with_mailer(mailer)).await;
    let admin = admin(&app).await;
    admin.ok("webhooks/private/save", &[("allow", "true")]).await;
    let (url, seen) = receiver().await;
    let (endpoint, secret) = register(&admin, &url, &["account.created"]).await;
    {
        let mut s = seen.lock().unwrap();
        s.secret = secret;
        s.fail_first = usize::MAX;
    }
    create_account(&admin, "Down Co", "smb").await;
    create_account(&admin, "Down Too", "smb").await;
    let mail = tokio::time::timeout(Duration::from_secs(15), inbox.recv())
        .await
        .expect("the admin is mailed")
        .unwrap();
    assert!(mail.data.contains("webhook endpoint was switched off"), "{}", mail.data);
    assert_eq!(mail.to, vec![ADMIN_EMAIL.to_string()]);
    let list = admin.ok("webhooks/list", &[]).await;
    assert_eq!(list[0]["enabled"], false, "{list}");
    assert!(list[0]["disabled_reason"].is_string());
    let log = admin.ok("webhooks/deliveries", &[("endpoint", &endpoint)]).await;
    assert!(log.as_array().unwrap().iter().any(|d| d["status"] == "failed"), "{log}");
    assert!(log[0]["error"].as_str().unwrap_or("").contains("500"), "{log}");
    // Switched off, nothing more is sent; nor is a second mail.
    let tries = seen.lock().unwrap().requests.len();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(seen.lock().unwrap().requests.len(), tries);
    assert!(inbox.try_recv().is_err(), "one mail");
}

#[tokio::test]
async fn private_and_metadata_addresses_are_refused_unless_allowed() {
    let app = spawn_app_with(|s| s.with_webhook_policy(quick())).await;
    let admin = admin(&app).await;
    let (url, seen) = receiver().await;
    let port = url.split(':').nth(2).unwrap().split('/').next().unwrap().to_string();
    for bad in [
        url.clone(),
        format!("http://localhost:{port}/hook"),
        format!("http://[::1]:{port}/hook"),
        format!("http://[::ffff:127.0.0.1]:{port}/hook"),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://10.0.0.8/hook".to_string(),
        "http://0.0.0.0/".to_string(),
    ] {
        let body = admin
            .invalid("webhooks/create", &[("url", &bad), ("events[0]", "account.created")])
            .await;
        let msg = field_error(&body, "url").unwrap_or_default();
        assert!(msg.contains("private"), "{bad}: {body}");
    }
    // Other input is named by field.
    let long = format!("https://hooks.example.com/{}", "a".repeat(3000));
    for (url, event, field) in [
        ("ftp://hooks.example.com/", "account.created", "url"),
        ("https://user:pw@hooks.example.com/", "account.created", "url"),
        (long.as_str(), "account.created", "url"),
        ("https://hooks.example.com/", "account.deleted", "events"),
        ("https://hooks.example.com/", "", "events"),
    ] {
        let body = admin.invalid("webhooks/create", &[("url", url), ("events[0]", event)]).await;
        assert!(field_error(&body, field).is_some(), "{url} {event}: {body}");
    }
    let description = "d".repeat(501);
    let body = admin
        .invalid(
            "webhooks/create",
            &[
                ("url", "https://hooks.example.com/"),
                ("description", &description),
                ("events[0]", "account.created"),
            ],
        )
        .await;
    assert!(field_error(&body, "description").is_some(), "{body}");
    assert_eq!(
        admin.ok("webhooks/list", &[]).await,
        serde_json::json!([]),
        "nothing refused was stored"
    );

    // Allowed, then forbidden again: the sender refuses to connect, and says why.
    admin.ok("webhooks/private/save", &[("allow", "true")]).await;
    let (endpoint, secret) = register(&admin, &url, &["account.created"]).await;
    seen.lock().unwrap().secret = secret;
    admin.ok("webhooks/private/save", &[("allow", "false")]).await;
    create_account(&admin, "Private Co", "smb").await;
    let mut log = Value::Null;
    for _ in 0..100 {
        log = admin.ok("webhooks/deliveries", &[("endpoint", &endpoint)]).await;
        if log[0]["attempts"].as_u64().unwrap_or(0) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(log[0]["error"].as_str().unwrap_or("").contains("refused"), "{log}");
    assert!(seen.lock().unwrap().requests.is_empty(), "nothing reached the private address");
}

#[tokio::test]
async fn only_admins_manage_webhooks() {
    let (app, admin, csm) = app_with_csm().await;
    admin.ok("webhooks/private/save", &[("allow", "true")]).await;
    let (endpoint, _) = register(&admin, "http://127.0.0.1:9/hook", &["account.created"]).await;
    for (call, form) in [
        ("webhooks/list", vec![]),
        (
            "webhooks/create",
            vec![("url", "https://hooks.example.com/"), ("events[0]", "account.created")],
        ),
        ("webhooks/deliveries", vec![("endpoint", endpoint.as_str())]),
        ("webhooks/delete", vec![("id", endpoint.as_str())]),
        ("webhooks/private/save", vec![("allow", "true")]),
    ] {
        let (status, _) = csm.call(call, &form).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{call}");
    }
    let (status, _) = Client::new(&app).call("webhooks/list", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(admin.ok("webhooks/list", &[]).await.as_array().unwrap().len(), 1);
    // A flood of endpoints stops at the cap (each change is written once per endpoint).
    for i in 1..app::service::webhooks::MAX_ENDPOINTS {
        register(&admin, &format!("http://127.0.0.1:9/hook{i}"), &["account.created"]).await;
    }
    let body = admin
        .invalid(
            "webhooks/create",
            &[("url", "http://127.0.0.1:9/one-more"), ("events[0]", "account.created")],
        )
        .await;
    assert!(field_error(&body, "url").unwrap_or_default().contains("delete one first"), "{body}");
}

/// Every event type, made by writes to the tables it watches, carries `data` in the shape the
/// OpenAPI document gives it (unknown fields refused).
#[tokio::test]
async fn every_event_type_matches_its_documented_shape() {
    let app = spawn_app_with(|s| {
        s.with_webhook_policy(Policy { poll: Duration::from_secs(3600), ..quick() })
    })
    .await;
    let admin = admin(&app).await;
    admin.ok("webhooks/private/save", &[("allow", "true")]).await;
    let all: Vec<&str> = WebhookEvent::ALL.iter().map(|e| e.key()).collect();
    register(&admin, "http://127.0.0.1:9/all", &all).await;
    let acme = create_account(&admin, "Every Event", "smb").await;
    let contact = add_contact(&admin, &acme, "Dana Lee", "dana@every.example", &[]).await;
    let me = admin.my_id().await;
    let writes = "
        UPDATE $acc SET stage = 'renewal';
        UPDATE $acc SET health_band = 'red', health_score = 20;
        CREATE survey:s1 SET name = 'Q4 NPS', name_key = 'q4 nps', kind = 'nps', question = 'Recommend?',
            audience = { kind: 'accounts', ids: [] }, public_key = 'pk-every';
        CREATE survey_response:r1 SET survey = survey:s1, contact = $contact, account = $acc, kind = 'nps',
            score = 3, comment = 'Slow', channel = 'email';
        UPDATE survey_response:r1 SET score = 4;
        CREATE follow_up:f1 SET response = survey_response:r1, survey = survey:s1, account = $acc,
            contact = $contact, assignee = $me, reason = 'Detractor (3)', due_at = time::now() + 7d, status = 'open';
        UPDATE follow_up:f1 SET status = 'closed', outcome = 'Called them', closed_by = $me, closed_at = time::now();
        CREATE plan:p1 SET account = $acc, title = 'Onboarding', start = time::now();
        CREATE plan_event SET plan = plan:p1, account = $acc, kind = 'task_done',
            data = { title: 'Kickoff', task: 't1' }, actor = 'Dana Lee (customer)', by_customer = true;
        CREATE touchpoint SET account = $acc, kind = 'qbr', date = time::now(), attendees = ['Dana Lee'],
            logged_by = $me;
        CREATE alert:a1 SET account = $acc, rule = 'health_drop', scope = 'default', rule_version = 1,
            severity = 'high', status = 'open', evidence = {}, summary = 'Health fell 30 points', owner = $me;
        UPDATE alert:a1 SET status = 'resolved', closed_at = time::now(), reason = 'Recovered';
        CREATE escalation:e1 SET account = $acc, type = 'technical', type_label = 'Technical', severity = 'P2',
            title = 'Exports fail', opened_at = time::now(), policy = sla_policy:x, policy_version = 1,
            calendar = calendar:x, calendar_version = 1, levels = [], status = 'open';
        UPDATE escalation:e1 SET breaches += { clock: 'first_response', at: time::now(), cycle: 0 };
        UPDATE escalation:e1 SET status = 'resolved', resolved_at = time::now(), root_cause = 'product_defect',
            resolution = 'Fixed in 4.2';
        CREATE arr_movement SET account = $acc, on = time::now(), seq = 1, kind = 'expansion',
            arr_before = 1000, arr_after = 2000, currency = 'EUR', source = 'api', idempotency_key = 'every-1';
    ";
    app::store::query::execute(
        &app.db,
        &format!("BEGIN; LET $acc = type::record('account', $a); LET $contact = type::record('contact', $c);
                  LET $me = type::record('user', $u); {writes} COMMIT;"),
        serde_json::json!({ "a": acme, "c": contact, "u": me }),
    )
    .await
    .expect("the writes");
    let messages: Vec<Value> = app::store::query::query_all(
        &app.db,
        "SELECT type, data FROM webhook_message",
        serde_json::json!({}),
    )
    .await
    .unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for m in messages {
        let event = WebhookEvent::parse(m["type"].as_str().unwrap()).unwrap();
        check_data(event, m["data"].clone())
            .unwrap_or_else(|e| panic!("{}: {e}: {}", event.key(), m["data"]));
        seen.insert(event.key());
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), {
        let mut keys = all.clone();
        keys.sort();
        keys
    });
}
