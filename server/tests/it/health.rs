//! Health scores through the real server: the usage-event API (keys, scopes, every kind of bad
//! input, idempotency), streaming recompute, sentiment, model versions, and the backtest.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

async fn key(app: &TestApp, scopes: &[&str]) -> String {
    let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
    app::store::api_keys::create(&app.db, "test", &scopes, None).await.unwrap().1
}

async fn post_events(app: &TestApp, key: Option<&str>, body: String) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{}/api/v1/events", app.base))
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

/// Saves a model through its JSON server function, as the editor does.
async fn save_model(c: &Client, scope: &str, config: &Value) -> reqwest::Response {
    c.post_json("health/save_model", &json!({ "scope": scope, "config": config })).await
}

fn now_minus(minutes: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::minutes(minutes)).to_rfc3339()
}

async fn events_stored(app: &TestApp) -> u64 {
    app::store::usage::count_events(&app.db).await.unwrap()
}

/// Waits (up to 5 s) until the account's score is set; returns it.
async fn score_of(app: &TestApp, id: &str) -> Option<u8> {
    for _ in 0..100 {
        let detail = app::store::accounts::detail(&app.db, id).await.unwrap();
        if detail.account.health_score.is_some() {
            return detail.account.health_score;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

#[tokio::test]
async fn keys_scopes_and_bad_batches_get_clear_json_errors() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let acc = create_account(&admin, "Usage Co", "smb").await;
    let good = json!([{ "account_id": acc, "kind": "login", "contact_email": "a@usage.co",
                        "at": now_minus(5), "idempotency_key": "g1" }])
    .to_string();

    // No key, a made-up key, a revoked key, a key without the scope.
    let (s, b) = post_events(&app, None, good.clone()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(b["error"]["message"].as_str().unwrap().contains("missing API key"));
    let (s, b) = post_events(&app, Some("bw_madeup"), good.clone()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(b["error"]["message"].as_str().unwrap().contains("not valid"));
    let reader = key(&app, &["health:read"]).await;
    let (s, b) = post_events(&app, Some(&reader), good.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(b["error"]["message"].as_str().unwrap().contains("events:write"));
    // Keys made in Settings: only admins; the secret is returned once and works.
    let b =
        admin.ok("api_keys/create", &[("name", "Analytics"), ("scopes[0]", "events:write")]).await;
    let secret = b[1].as_str().unwrap().to_string();
    assert!(secret.starts_with("bw_"));
    let b = admin.invalid("api_keys/create", &[("name", ""), ("scopes[0]", "root")]).await;
    assert!(field_error(&b, "name").is_some());
    assert!(field_error(&b, "scopes").unwrap().contains("unknown scope"));
    let csm = user_with_role(&app, &admin, "csm").await;
    csm.expect(
        StatusCode::FORBIDDEN,
        "api_keys/create",
        &[("name", "Mine"), ("scopes[0]", "events:write")],
    )
    .await;
    assert_eq!(events_stored(&app).await, 0);

    // Malformed JSON, wrong shape, oversize batch: the whole request is refused.
    let (s, b) = post_events(&app, Some(&secret), "[{not json".into()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(b["error"]["message"].as_str().unwrap().contains("not valid JSON"));
    let (s, _) = post_events(&app, Some(&secret), json!({"event": 1}).to_string()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let many: Vec<Value> = (0..10_001)
        .map(|i| json!({"account_id": acc, "kind": "login", "at": now_minus(1), "idempotency_key": format!("o{i}")}))
        .collect();
    let (s, b) = post_events(&app, Some(&secret), json!(many).to_string()).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(b["error"]["message"].as_str().unwrap().contains("10000"));
    assert_eq!(events_stored(&app).await, 0);

    // Per-event errors: each named; the good events of the batch are stored.
    let batch = json!({ "events": [
        { "account_id": acc, "kind": "login", "contact_email": "a@usage.co", "at": now_minus(3), "idempotency_key": "e1" },
        { "account_id": "nope", "kind": "login", "at": now_minus(3), "idempotency_key": "e2" },
        { "external_id": "crm-unknown", "kind": "login", "at": now_minus(3), "idempotency_key": "e3" },
        { "account_id": acc, "kind": "login", "at": "last tuesday", "idempotency_key": "e4" },
        { "account_id": acc, "kind": "feature_used", "at": now_minus(3), "idempotency_key": "e5" },
        { "account_id": acc, "kind": "feature_used", "feature": "Reports", "contact_email": "b@usage.co", "at": now_minus(2), "idempotency_key": "e6" },
    ]});
    let (s, b) = post_events(&app, Some(&secret), batch.to_string()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["accepted"], 2);
    assert_eq!(b["rejected"], 4);
    let errs = b["errors"].as_array().unwrap();
    let at = |i: u64| errs.iter().find(|e| e["index"] == i).unwrap();
    assert_eq!(at(1)["field"], "account_id");
    assert_eq!(at(1)["message"], "no account has this id");
    assert_eq!(at(2)["field"], "external_id");
    assert_eq!(at(3)["field"], "at");
    assert!(at(3)["message"].as_str().unwrap().contains("RFC 3339"));
    assert_eq!(at(3)["idempotency_key"], "e4");
    assert_eq!(at(4)["field"], "feature");
    assert_eq!(events_stored(&app).await, 2);
}

#[tokio::test]
async fn resent_events_are_not_counted_twice_and_scores_follow_within_a_second() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let acc = create_account(&admin, "Idem Co", "smb").await;
    let secret = key(&app, &["events:write", "health:read"]).await;
    let today = chrono::Utc::now().date_naive().to_string();
    let mut events = Vec::new();
    for i in 0..30 {
        events.push(json!({ "account_id": acc, "kind": "login", "contact_email": format!("u{}@idem.co", i % 3),
            "at": now_minus(10 + i), "idempotency_key": format!("login-{i}") }));
    }
    for f in ["dashboards", "reports", "exports"] {
        events.push(json!({ "account_id": acc, "kind": "feature_used", "feature": f, "contact_email": "u0@idem.co",
            "at": now_minus(1), "idempotency_key": format!("feat-{f}") }));
    }
    // The same event twice in one batch counts once.
    events.push(json!({ "account_id": acc, "kind": "login", "contact_email": "u0@idem.co", "at": now_minus(10), "idempotency_key": "login-0" }));
    let started = std::time::Instant::now();
    let (s, b) = post_events(&app, Some(&secret), json!(events).to_string()).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    assert_eq!((b["accepted"].as_u64(), b["duplicates"].as_u64()), (Some(33), Some(1)));

    let score = score_of(&app, &acc).await.expect("scored");
    let latency = started.elapsed();
    assert!(latency < Duration::from_secs(3), "score arrived after {latency:?}");
    // 30 logins by 3 users in 30 days = 10/user/30 days = 2.33/user/week → 50 + 1.33/2·30 = 70
    // adoption: dashboards, reports of 5 key features = 40 % → 51.67; nothing else has data.
    // (70·20 + 51.67·25) / 45 = 59.8 → 60.
    assert_eq!(score, 60);

    // Re-sending the whole batch stores nothing and changes no rollup.
    let days_before = app::store::usage::days(&app.db, &acc).await.unwrap();
    let (s, b) = post_events(&app, Some(&secret), json!(events).to_string()).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    assert_eq!((b["accepted"].as_u64(), b["duplicates"].as_u64()), (Some(0), Some(34)));
    assert_eq!(app::store::usage::days(&app.db, &acc).await.unwrap(), days_before);
    assert_eq!(events_stored(&app).await, 33);
    let logins: u64 = days_before.iter().map(|d| d.logins).sum();
    assert_eq!(logins, 30);

    // The REST read of the score, with its contributions.
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/accounts/{acc}/health", app.base))
        .header("authorization", format!("Bearer {secret}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let snap: Value = res.json().await.unwrap();
    assert_eq!(snap["score"], 60);
    assert_eq!(snap["day"], today);
    let login = snap["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["measure"] == "login_frequency")
        .unwrap();
    assert!((login["sub_score"].as_f64().unwrap() - 70.0).abs() < 1e-6);

    // Sentiment: a CSM's red read is recomputed at once and disagrees with the data (yellow).
    let b = admin.invalid("health/sentiment", &[("account_id", &acc), ("colour", "purple")]).await;
    assert!(field_error(&b, "colour").is_some());
    admin
        .ok(
            "health/sentiment",
            &[("account_id", &acc), ("colour", "red"), ("note", "Champion left")],
        )
        .await;
    // (70·20 + 51.67·25 + 0·10) / 55 = 48.9 → 49
    let h = admin.ok("health/account", &[("id", &acc), ("days", "30")]).await;
    assert_eq!(h["current"]["score"], 49);
    assert_eq!(h["current"]["band"], "yellow");
    assert_eq!(h["sentiment"]["colour"], "red");
    assert_eq!(h["disagreement"], json!(["red", "yellow"]));
    let exec = user_with_role(&app, &admin, "exec").await;
    exec.expect(
        StatusCode::FORBIDDEN,
        "health/sentiment",
        &[("account_id", &acc), ("colour", "green")],
    )
    .await;
}

#[tokio::test]
async fn model_versions_validation_and_backtest() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let acc = create_account(&admin, "Model Co", "smb").await;
    let ed = admin.ok("health/editor", &[("scope", "default")]).await;
    assert_eq!(ed["model"]["version"], 1);
    assert_eq!(ed["accounts"].as_array().unwrap().len(), 1);
    let mut config = ed["model"]["config"].clone();

    // A bad model names each field and saves nothing.
    config["bands"]["green_from"] = json!(20);
    config["measures"][0]["points"][1]["raw"] = json!(0);
    let res = save_model(&admin, "default", &config).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let b: Value = res.json().await.unwrap();
    assert!(field_error(&b, "bands.green_from").is_some());
    assert!(field_error(&b, "login_frequency.points").is_some());

    // A good one becomes version 2; snapshots record it.
    config["bands"]["green_from"] = json!(80);
    config["measures"][0]["points"][1]["raw"] = json!(1);
    let res = save_model(&admin, "default", &config).await;
    assert_eq!(res.status(), StatusCode::OK);
    let saved: Value = res.json().await.unwrap();
    assert_eq!(saved["version"], 2);
    let csm = user_with_role(&app, &admin, "csm").await;
    let res = save_model(&csm, "default", &config).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let versions = app::store::health::all_versions(&app.db).await.unwrap();
    assert_eq!(versions.len(), 2);
    let secret = key(&app, &["events:write"]).await;
    let (s, _) = post_events(
        &app,
        Some(&secret),
        json!([{ "account_id": acc, "kind": "login", "contact_email": "x@m.co", "at": now_minus(1), "idempotency_key": "m1" }]).to_string(),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    assert!(score_of(&app, &acc).await.is_some());
    let snap =
        app::store::health::history(&app.db, &acc, chrono::Utc::now().date_naive()).await.unwrap();
    assert_eq!(snap.last().unwrap().version, 2);

    // Backtest: a churned account that had gone quiet vs a retained one that was busy.
    let gone = create_account(&admin, "Gone Co", "smb").await;
    let churn_day = chrono::Utc::now().date_naive() - chrono::Duration::days(10);
    app.db
        .query(
            "UPDATE type::record('account', $a) SET stage = 'churned', churned_on = <datetime>$d",
        )
        .bind(json!({ "a": gone, "d": format!("{churn_day}T00:00:00Z") }))
        .await
        .unwrap()
        .check()
        .unwrap();
    let mut events = Vec::new();
    // Gone Co: one login 100 days before it churned (last 30 days before the look-back: none).
    let d = (churn_day - chrono::Duration::days(130)).to_string();
    events.push(json!({ "account_id": gone, "kind": "login", "contact_email": "g@g.co", "at": format!("{d}T10:00:00Z"), "idempotency_key": "g1" }));
    // Model Co: busy 90–100 days ago.
    for i in 0..20 {
        let d = (chrono::Utc::now().date_naive() - chrono::Duration::days(95 + i % 5)).to_string();
        let feature = ["dashboards", "reports", "alerts"][i as usize % 3];
        events.push(json!({ "account_id": acc, "kind": "feature_used", "feature": feature, "contact_email": "x@m.co", "at": format!("{d}T10:00:00Z"), "idempotency_key": format!("b{i}") }));
    }
    let (s, b) = post_events(&app, Some(&secret), json!(events).to_string()).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    let res = admin
        .post_json("health/backtest", &json!({ "scope": "default", "config": config, "days": 90 }))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let bt: Value = res.json().await.unwrap();
    assert_eq!(bt["churned"], 1, "{bt}");
    assert_eq!(bt["retained"], 1, "{bt}");
    assert_eq!(bt["auc"], 1.0, "{bt}");
}

#[tokio::test]
async fn external_ids_and_segment_models() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let mut form = account_form("Crm Co", "enterprise");
    form.push(("input[external_id]", "crm-7"));
    let b = admin.ok("accounts/create", &form).await;
    let crm = b["id"].as_str().unwrap().to_string();
    assert_eq!(b["external_id"], "crm-7");
    // Two accounts cannot share an external id; nothing is written.
    let mut dup = account_form("Other Co", "smb");
    dup.push(("input[external_id]", "crm-7"));
    let b = admin.invalid("accounts/create", &dup).await;
    assert!(field_error(&b, "external_id").unwrap().contains("already"));
    assert_eq!(portfolio_total(&admin, &[]).await, 1);
    let smb = create_account(&admin, "Small Co", "smb").await;

    // Events may name the account by its external id.
    let secret = key(&app, &["events:write"]).await;
    let (s, b) = post_events(
        &app,
        Some(&secret),
        json!([{ "external_id": "crm-7", "kind": "login", "contact_email": "a@crm.co", "at": now_minus(2), "idempotency_key": "x1" },
               { "account_id": smb, "kind": "login", "contact_email": "a@small.co", "at": now_minus(2), "idempotency_key": "x2" }])
        .to_string(),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    assert_eq!(app::store::usage::days(&app.db, &crm).await.unwrap()[0].logins, 1);

    // A model for the Enterprise segment scores Crm Co; Small Co stays on the default.
    let seg =
        admin.ok("segments/save", &[("name", "Enterprise"), ("query", "tier=enterprise")]).await;
    let seg_id = seg["id"].as_str().unwrap().to_string();
    let (s, ed) = admin.call("health/editor", &[("scope", &seg_id)]).await;
    assert_eq!(s, StatusCode::OK, "{ed}");
    assert_eq!(ed["model"]["version"], 0, "not saved yet");
    assert_eq!(ed["accounts"].as_array().unwrap().len(), 1);
    let mut config = ed["model"]["config"].clone();
    config["bands"]["yellow_from"] = json!(1);
    config["bands"]["green_from"] = json!(2);
    let res = save_model(&admin, &seg_id, &config).await;
    assert_eq!(res.status(), StatusCode::OK);
    let saved: Value = res.json().await.unwrap();
    assert_eq!((saved["version"].as_u64(), saved["name"].as_str()), (Some(1), Some("Enterprise")));
    // The re-score after a save runs in the background.
    let today = chrono::Utc::now().date_naive();
    let mut model = String::new();
    for _ in 0..100 {
        let h = app::store::health::history(&app.db, &crm, today).await.unwrap();
        if let Some(s) = h.last() {
            model = s.model.clone();
            if model == seg_id {
                assert_eq!(s.band, Some(app::model::health::Band::Green));
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(model, seg_id);
    let small = app::store::health::history(&app.db, &smb, today).await.unwrap();
    assert_eq!(small.last().unwrap().model, "default");
    assert_eq!(small.last().unwrap().band, Some(app::model::health::Band::Red));
}
