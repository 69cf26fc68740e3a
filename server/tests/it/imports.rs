//! Imports through the REST API: accounts upserted by external id (`POST /api/v1/accounts`)
//! and survey answers from another tool (`POST /api/v1/survey-responses`) — scopes, every kind
//! of bad row named by index and field beside the good rows stored, hostile bodies, idempotent
//! re-sends, and the imported answers counted in the survey figures.

use crate::common::*;
use app::model::usage::AccountRef;
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn key(app: &TestApp, scopes: &[&str]) -> String {
    let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
    app::store::api_keys::create(&app.db, "test", &scopes, None).await.unwrap().1
}

async fn post(app: &TestApp, path: &str, key: Option<&str>, body: String) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{}/api/v1/{path}", app.base))
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

fn account(ext: &str, name: &str) -> Value {
    json!({ "external_id": ext, "name": name, "tier": "mid_market", "industry": "Software",
            "stage": "growth", "currency": "USD", "contract_start": "2025-03-01" })
}

fn answer(ext: &str, kind: &str, score: i64, days_ago: i64, key: &str) -> Value {
    let on = (Utc::now() - Duration::days(days_ago)).date_naive().to_string();
    json!({ "external_id": ext, "kind": kind, "score": score, "on": on, "idempotency_key": key })
}

/// The fields the report names for the row at `index`.
fn fields_at(report: &Value, index: u64) -> Vec<String> {
    let errors = report["errors"].as_array().unwrap_or_else(|| panic!("no errors: {report}"));
    errors
        .iter()
        .filter(|e| e["index"] == index)
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect()
}

/// The account the external id `ext` names, as the account page reads it.
async fn account_by_ext(app: &TestApp, c: &Client, ext: &str) -> Value {
    let r = AccountRef::External(ext.into());
    let found = app::service::portfolio::resolve(&app.db, &app.state.portfolio, [&r]).await;
    let id = found.unwrap()[&r].clone().unwrap_or_else(|| panic!("no account {ext}"));
    c.ok("accounts/get", &[("id", &id)]).await["account"].clone()
}

#[tokio::test]
async fn accounts_are_upserted_by_external_id_and_a_resend_creates_nothing_twice() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let k = key(&app, &["accounts:write"]).await;
    let mut owned = account("crm-2", "Globex");
    owned["owner_email"] = json!("ADA@example.com");
    owned["renewal"] = json!("2026-06-30");
    let batch = json!([account("crm-1", "Initech"), owned, account("crm-3", "Hooli")]);
    let (s, b) = post(&app, "accounts", Some(&k), batch.to_string()).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        b,
        json!({"created": 3, "updated": 0, "unchanged": 0, "duplicates": 0, "rejected": 0, "errors": []})
    );

    let a = account_by_ext(&app, &c, "crm-1").await;
    assert_eq!((a["name"].as_str(), a["tier"].as_str()), (Some("Initech"), Some("mid_market")));
    assert_eq!(a["arr_minor"], 0, "ARR comes only from movements");
    assert_eq!(a["renewal_date"], "2026-03-01", "a year after the start: {a}");
    let g = account_by_ext(&app, &c, "crm-2").await;
    assert_eq!(
        (g["owner_name"].as_str(), g["renewal_date"].as_str()),
        (Some("Ada Admin"), Some("2026-06-30"))
    );

    // The same batch again: every row found and equal, nothing new, nothing written.
    let (s, b) = post(&app, "accounts", Some(&k), json!({ "accounts": batch }).to_string()).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let counts = (b["created"].as_u64(), b["updated"].as_u64(), b["unchanged"].as_u64());
    assert_eq!(counts, (Some(0), Some(0), Some(3)), "{b}");
    assert_eq!(rows(&app, "account").await, 3);

    // An update changes what the row says and never the ARR its movements set; a repeated
    // external id is a duplicate of the first row.
    app.db
        .query("UPDATE account SET arr_minor = 500000 WHERE external_id = 'crm-1'")
        .await
        .unwrap();
    let mut renamed = account("crm-1", "Initech Global");
    renamed["tier"] = json!("enterprise");
    let again = json!([renamed, account("crm-1", "Initech Again"), account("crm-4", "Umbrella")]);
    let (s, b) = post(&app, "accounts", Some(&k), again.to_string()).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!((b["created"].as_u64(), b["updated"].as_u64()), (Some(1), Some(1)), "{b}");
    assert_eq!(b["duplicates"], 1);
    let a = account_by_ext(&app, &c, "crm-1").await;
    assert_eq!(
        (a["name"].as_str(), a["tier"].as_str()),
        (Some("Initech Global"), Some("enterprise"))
    );
    assert_eq!(a["arr_minor"], 500000);

    // Churning an account with ARR, or bringing a churned one back, is a movement's job.
    let mut churn = account("crm-1", "Initech Global");
    churn["stage"] = json!("churned");
    let (s, b) = post(&app, "accounts", Some(&k), json!([churn]).to_string()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(fields_at(&b, 0), ["stage"]);
    assert!(b["errors"][0]["message"].as_str().unwrap().contains("churn movement"), "{b}");
    app.db.query("UPDATE account SET stage = 'churned' WHERE external_id = 'crm-3'").await.unwrap();
    let (s, b) =
        post(&app, "accounts", Some(&k), json!([account("crm-3", "Hooli")]).to_string()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b["errors"][0]["message"].as_str().unwrap().contains("reactivation"), "{b}");
    assert_eq!(account_by_ext(&app, &c, "crm-1").await["stage"], "growth");
}

#[tokio::test]
async fn refused_account_rows_are_named_by_index_and_field_beside_the_stored_ones() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let exec = user_with_role(&app, &c, "exec").await;
    let exec_email = exec.ok("auth/me", &[]).await["email"].as_str().unwrap().to_string();
    let k = key(&app, &["accounts:write"]).await;
    let bad = |ext: &str, field: &str, value: Value| {
        let mut a = account(ext, &format!("Company {ext}"));
        a[field] = value;
        a
    };
    let batch = json!([
        account("ok-1", "Good One"),
        bad("b-1", "tier", json!("huge")),
        bad("b-2", "contract_start", json!("2025-02-30")),
        bad("b-3", "renewal", json!("2025-01-01")),
        bad("b-4", "owner_email", json!("nobody@example.com")),
        account("b-5", "good one"),
        bad("b-6", "currency", json!("XYZ")),
        bad("b-7", "owner_email", json!(exec_email)),
        bad("b-8", "name", json!("x".repeat(10_000))),
        bad("b-9", "external_id", json!("e".repeat(300))),
        bad("b-10", "tier", json!(3)),
        json!("not an object"),
        account("ok-2", "Good Two"),
    ]);
    let (s, b) = post(&app, "accounts", Some(&k), batch.to_string()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let expected = [
        (1, "tier"),
        (2, "contract_start"),
        (3, "renewal"),
        (4, "owner_email"),
        (5, "name"),
        (6, "currency"),
        (7, "owner_email"),
        (8, "name"),
        (9, "external_id"),
        (10, "tier"),
        (11, "account"),
    ];
    for (index, field) in expected {
        assert_eq!(fields_at(&b, index), [field], "row {index}: {b}");
    }
    assert_eq!((b["created"].as_u64(), b["rejected"].as_u64()), (Some(2), Some(11)), "{b}");
    assert_eq!(fields_at(&b, 0), Vec::<String>::new());
    assert_eq!(rows(&app, "account").await, 2, "only the good rows are stored");
    let messages: Vec<&str> =
        b["errors"].as_array().unwrap().iter().map(|e| e["message"].as_str().unwrap()).collect();
    assert!(messages.contains(&"must be \"enterprise\", \"mid_market\" or \"smb\""), "{b}");
    assert!(messages.contains(&"must be after the contract start"), "{b}");
    assert!(messages.contains(&"an account with this name already exists"), "{b}");
    assert!(messages.contains(&"must be an active admin or CSM"), "{b}");
}

#[tokio::test]
async fn account_imports_need_their_scope_and_a_sane_body() {
    let app = spawn_app().await;
    let good = json!([account("crm-1", "Initech")]).to_string();
    let (s, _) = post(&app, "accounts", None, good.clone()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let surveys_only = key(&app, &["surveys:write"]).await;
    let (s, b) = post(&app, "accounts", Some(&surveys_only), good.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(b["error"]["message"].as_str().unwrap().contains("accounts:write"), "{b}");
    let k = key(&app, &["accounts:write"]).await;
    let (s, _) = post(&app, "survey-responses", Some(&k), "[]".into()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the accounts scope does not open the survey import");

    let too_many: Vec<Value> =
        (0..1001).map(|i| account(&format!("x{i}"), &format!("X {i}"))).collect();
    let (s, b) = post(&app, "accounts", Some(&k), json!(too_many).to_string()).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{b}");
    assert!(b["error"]["message"].as_str().unwrap().contains("at most 1000"), "{b}");
    for body in ["{\"rows\": []}", "{\"external_id\": \"crm-1\"}", "[{not json", "42"] {
        let (s, _) = post(&app, "accounts", Some(&k), body.into()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    }
    assert_eq!(rows(&app, "account").await, 0, "nothing of a refused request is stored");

    // Exactly the limit is one call.
    let started = std::time::Instant::now();
    let (s, b) = post(&app, "accounts", Some(&k), json!(too_many[..1000]).to_string()).await;
    assert_eq!((s, b["created"].as_u64()), (StatusCode::OK, Some(1000)), "{b}");
    eprintln!("1 000 accounts upserted in {:?}", started.elapsed());
}

#[tokio::test]
async fn imported_answers_count_in_the_figures_and_a_resend_is_a_duplicate() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let accounts = key(&app, &["accounts:write"]).await;
    let batch = json!([account("crm-1", "Initech"), account("crm-2", "Globex")]);
    assert_eq!(post(&app, "accounts", Some(&accounts), batch.to_string()).await.0, StatusCode::OK);
    let initech = account_by_ext(&app, &c, "crm-1").await["id"].as_str().unwrap().to_string();
    add_contact(&c, &initech, "Dana Scully", "dana@initech.example", &[]).await;
    let k = key(&app, &["surveys:write"]).await;

    // NPS: two promoters, one passive, one detractor → (2 − 1) / 4 = +25; CSAT 5 and 2 → 50 %.
    let mut with_contact = answer("crm-1", "nps", 10, 5, "nps-1");
    with_contact["contact_email"] = json!("Dana@Initech.example");
    with_contact["comment"] = json!("Migration went smoothly");
    let answers = json!([
        with_contact,
        answer("crm-1", "nps", 9, 40, "nps-2"),
        answer("crm-2", "nps", 8, 50, "nps-3"),
        answer("crm-2", "nps", 6, 60, "nps-4"),
        answer("crm-1", "csat", 5, 10, "csat-1"),
        answer("crm-2", "csat", 2, 70, "csat-2"),
    ]);
    let (s, b) = post(&app, "survey-responses", Some(&k), answers.to_string()).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    assert_eq!(b, json!({"accepted": 6, "duplicates": 0, "rejected": 0, "errors": []}));
    let voice = c.ok("surveys/voice", &[]).await;
    let recent = |kind: &str| {
        let f = voice["figures"].as_array().unwrap().iter().find(|f| f[0] == kind).unwrap().clone();
        (f[1]["value"].as_f64().unwrap(), f[1]["n"].as_u64().unwrap())
    };
    assert_eq!(recent("nps"), (25.0, 4), "{voice}");
    assert_eq!(recent("csat"), (50.0, 2), "{voice}");

    // The account page lists them, marked imported, with the contact found by email.
    let acc = c.ok("surveys/account", &[("account", &initech)]).await;
    let latest = &acc["recent"][0];
    assert_eq!(
        (latest["channel"].as_str(), latest["survey_name"].as_str()),
        (Some("import"), Some("NPS (imported)")),
        "{acc}"
    );
    assert_eq!(latest["contact_name"], "Dana Scully");
    let list = c.ok("surveys/list", &[]).await;
    assert_eq!(list.as_array().unwrap().len(), 2, "one imported survey per kind: {list}");

    // The same batch again: all duplicates, nothing counted twice.
    let (s, b) =
        post(&app, "survey-responses", Some(&k), json!({ "responses": answers }).to_string()).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    assert_eq!((b["accepted"].as_u64(), b["duplicates"].as_u64()), (Some(0), Some(6)), "{b}");
    assert_eq!(rows(&app, "survey_response").await, 6);
}

#[tokio::test]
async fn refused_answers_are_named_and_hostile_bodies_refused_whole() {
    let app = spawn_app().await;
    let accounts = key(&app, &["accounts:write"]).await;
    post(&app, "accounts", Some(&accounts), json!([account("crm-1", "Initech")]).to_string()).await;
    let k = key(&app, &["surveys:write"]).await;
    let with = |field: &str, value: Value, key: &str| {
        let mut a = answer("crm-1", "nps", 7, 3, key);
        a[field] = value;
        a
    };
    let future = (Utc::now() + Duration::days(2)).date_naive().to_string();
    let batch = json!([
        answer("crm-1", "nps", 7, 3, "good-1"),
        answer("crm-404", "nps", 7, 3, "b-1"),
        with("score", json!(11), "b-2"),
        with("on", json!(future), "b-3"),
        with("kind", json!("csat"), "b-4"),
        with("contact_email", json!("stranger@example.com"), "b-5"),
        with("comment", json!("x".repeat(6000)), "b-6"),
        with("on", json!("03/01/2026"), "b-7"),
        with("idempotency_key", json!("k".repeat(300)), ""),
        with("at", json!("2026-01-01T00:00:00Z"), "b-9"),
        answer("crm-1", "ces", 7, 3, "good-2"),
    ]);
    let (s, b) = post(&app, "survey-responses", Some(&k), batch.to_string()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let expected = [
        (1, "external_id"),
        (2, "score"),
        (3, "on"),
        (4, "score"),
        (5, "contact_email"),
        (6, "comment"),
        (7, "on"),
        (8, "idempotency_key"),
        (9, "on"),
    ];
    for (index, field) in expected {
        assert_eq!(fields_at(&b, index), [field], "row {index}: {b}");
    }
    assert_eq!((b["accepted"].as_u64(), b["rejected"].as_u64()), (Some(2), Some(9)), "{b}");
    assert_eq!(b["errors"][0]["idempotency_key"], "b-1");
    assert_eq!(rows(&app, "survey_response").await, 2);

    let too_many: Vec<Value> =
        (0..10_001).map(|i| answer("crm-1", "nps", 9, 1, &format!("n{i}"))).collect();
    let (s, _) = post(&app, "survey-responses", Some(&k), json!(too_many).to_string()).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    let (s, _) = post(&app, "survey-responses", Some(&k), json!({"answers": []}).to_string()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = post(&app, "survey-responses", None, "[]".into()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(rows(&app, "survey_response").await, 2);
}

#[tokio::test]
async fn an_old_imported_detractor_opens_no_follow_up_and_a_recent_one_does() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let accounts = key(&app, &["accounts:write"]).await;
    let mut owned = account("crm-1", "Initech");
    owned["owner_email"] = json!(ADMIN_EMAIL);
    post(&app, "accounts", Some(&accounts), json!([owned]).to_string()).await;
    let k = key(&app, &["surveys:write"]).await;
    let batch = json!([
        answer("crm-1", "nps", 2, 45, "old-detractor"),
        answer("crm-1", "csat", 1, 31, "old-low-csat"),
        answer("crm-1", "nps", 3, 2, "recent-detractor"),
        answer("crm-1", "nps", 10, 1, "recent-promoter"),
    ]);
    let (s, b) = post(&app, "survey-responses", Some(&k), batch.to_string()).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    let list = c.ok("follow_ups/list", &[("status", "open")]).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["reason"], "NPS detractor (scored 3 of 10)");
    assert_eq!(
        (items[0]["assignee_name"].as_str(), items[0]["account_name"].as_str()),
        (Some("Ada Admin"), Some("Initech"))
    );
}

async fn feed(app: &TestApp, key: &str, query: &str) -> (StatusCode, Value) {
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/survey-responses{query}", app.base))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Reads the feed from `cursor` to its end in pages of `limit`: the ids in order and the last
/// cursor.
async fn read_feed(
    app: &TestApp, key: &str, mut cursor: Option<String>, limit: u32,
) -> (Vec<String>, String) {
    let mut ids = Vec::new();
    loop {
        let q = match &cursor {
            Some(c) => format!("?limit={limit}&cursor={c}"),
            None => format!("?limit={limit}"),
        };
        let (s, page) = feed(app, key, &q).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        let got = page["responses"].as_array().unwrap();
        ids.extend(got.iter().map(|r| r["id"].as_str().unwrap().to_string()));
        let next = page["next_cursor"].as_str().unwrap().to_string();
        if got.is_empty() {
            return (ids, next);
        }
        cursor = Some(next);
    }
}

/// The feed lists every response once, in the order it was written — and a response imported
/// late with an old answer date comes after the reader's cursor, not behind it.
#[tokio::test]
async fn the_response_feed_pages_by_change_and_misses_no_late_import() {
    let app = spawn_app().await;
    let writer = key(&app, &["accounts:write", "surveys:write"]).await;
    let reader = key(&app, &["surveys:read"]).await;
    let (s, _) = post(
        &app,
        "accounts",
        Some(&writer),
        json!([account("crm-f1", "Feed One"), account("crm-f2", "Feed Two")]).to_string(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let answers: Vec<Value> = (0..5)
        .map(|i| {
            answer(
                if i % 2 == 0 { "crm-f1" } else { "crm-f2" },
                "nps",
                9,
                10 + i,
                &format!("feed-{i}"),
            )
        })
        .collect();
    let (s, _) = post(&app, "survey-responses", Some(&writer), json!(answers).to_string()).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    // Nothing is listed until it has settled (a write committing late could precede it).
    let (_, page) = feed(&app, &reader, "").await;
    assert_eq!(page["responses"], json!([]), "{page}");
    let settle = app::store::responses::feed::SETTLE.to_std().unwrap();
    tokio::time::sleep(settle + std::time::Duration::from_millis(300)).await;
    let (ids, cursor) = read_feed(&app, &reader, None, 2).await;
    assert_eq!(ids.len(), 5, "{ids:?}");
    assert_eq!(ids.iter().collect::<std::collections::HashSet<_>>().len(), 5, "no repeats");
    let (_, page) = feed(&app, &reader, "?limit=1").await;
    let first = &page["responses"][0];
    assert_eq!(first["channel"], "import");
    assert!(first["account"]["external_id"].as_str().unwrap().starts_with("crm-f"), "{first}");

    // Answered a year ago, imported now: it follows the cursor.
    let late = answer("crm-f2", "csat", 4, 365, "feed-late");
    post(&app, "survey-responses", Some(&writer), json!([late]).to_string()).await;
    tokio::time::sleep(settle + std::time::Duration::from_millis(300)).await;
    let (ids, again) = read_feed(&app, &reader, Some(cursor.clone()), 2).await;
    assert_eq!(ids, vec!["import:feed-late".to_string()]);
    let (ids, _) = read_feed(&app, &reader, Some(again), 2).await;
    assert!(ids.is_empty(), "nothing new");

    // Hostile: no key, the wrong scope, forged or oversized cursors, bad limits.
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/survey-responses", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let (s, _) = feed(&app, &writer, "").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "writing is not reading");
    let long = format!("?cursor=1-{}", "61".repeat(400));
    for q in [
        "?cursor=nonsense",
        "?cursor=1-zz",
        "?cursor=-1-61",
        long.as_str(),
        "?limit=0",
        "?limit=201",
        "?limit=",
    ] {
        let (s, body) = feed(&app, &reader, q).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {body}");
    }
}
