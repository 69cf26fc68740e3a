//! What a CRM, a calendar or an email integration writes through the REST API, each once:
//! contacts upserted by email, account team seats, touchpoints per idempotency key, and account
//! upserts that never overwrite an edit they have not seen — with bad, oversized and foreign
//! input refused by field and nothing written.

use crate::common::*;
use crate::rest_accounts::{get_json, key, send};
use reqwest::StatusCode;
use serde_json::Value;

async fn put_contact(app: &TestApp, key: &str, account: &str, body: &str) -> (StatusCode, Value) {
    let path = format!("/api/v1/accounts/{account}/contacts");
    send(app, key, reqwest::Method::PUT, &path, body.to_string()).await
}

async fn contacts_of(admin: &Client, account: &str) -> Vec<Value> {
    let detail = admin.ok("accounts/get", &[("id", account)]).await;
    detail["contacts"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_crm_upserts_contacts_by_email_and_finds_accounts_by_its_own_id() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let acme = create_account(&admin, "Acme Sync", "smb").await;
    let other = create_account(&admin, "Other Sync", "smb").await;
    let writer = key(&app, &["accounts:write"]).await;

    let (status, made) = put_contact(
        &app,
        &writer,
        &acme,
        r#"{"email": "Dana@Acme.example", "name": "Dana Lee", "champion": true}"#,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(
        (made["email"].as_str(), made["champion"].as_bool()),
        (Some("dana@acme.example"), Some(true))
    );
    // The same email again (any case) updates that contact.
    let (status, again) = put_contact(
        &app,
        &writer,
        &acme,
        r#"{"email": "dana@acme.example", "name": "Dana Lee-Smith", "title": "VP Ops"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["id"], made["id"]);
    let list = contacts_of(&admin, &acme).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["name"], "Dana Lee-Smith");
    assert_eq!(list[0]["champion"], false, "left out is not a champion");

    // Another account's contact with the same email is its own; the first is untouched.
    let (status, _) =
        put_contact(&app, &writer, &other, r#"{"email": "dana@acme.example", "name": "Dana B"}"#)
            .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(contacts_of(&admin, &acme).await[0]["name"], "Dana Lee-Smith");

    // Bad input: named by field, nothing written.
    for (body, field) in [
        (r#"{"email": "not-an-email", "name": "X"}"#, "email"),
        (r#"{"email": "x@acme.example", "name": "   "}"#, "name"),
        (&format!(r#"{{"email": "x@acme.example", "name": "{}"}}"#, "n".repeat(201)), "name"),
    ] {
        let (status, err) = put_contact(&app, &writer, &acme, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {err}");
        assert!(err["error"]["fields"][field].is_string(), "{body}: {err}");
    }
    for body in ["{", "[]", r#"{"name": "No Email"}"#, r#"{"email": 7, "name": "X"}"#] {
        let (status, _) = put_contact(&app, &writer, &acme, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
    let (status, _) =
        put_contact(&app, &writer, "no-such-account", r#"{"email": "a@b.example", "name": "A"}"#)
            .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let huge = format!(r#"{{"email": "a@b.example", "name": "{}"}}"#, "n".repeat(100_000));
    let (status, _) = put_contact(&app, &writer, &acme, &huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(contacts_of(&admin, &acme).await.len(), 1, "nothing refused was written");
    let reader = key(&app, &["accounts:read"]).await;
    let (status, _) =
        put_contact(&app, &reader, &acme, r#"{"email": "a@b.example", "name": "A"}"#).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "reading is not writing");

    // A CRM finds Bellwether's id by its own.
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/accounts", app.base))
        .bearer_auth(&writer)
        .json(&serde_json::json!([{"external_id": "crm-77", "name": "From The CRM", "tier": "smb",
            "industry": "Retail", "stage": "onboarding", "currency": "USD",
            "contract_start": "2026-01-01"}]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let mut found = Value::Null;
    for _ in 0..50 {
        found = get_json(&app, &reader, "/api/v1/accounts?external_id=crm-77").await.1;
        if found["accounts"].as_array().is_some_and(|a| !a.is_empty()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(found["accounts"][0]["name"], "From The CRM", "{found}");
    let (_, none) = get_json(&app, &reader, "/api/v1/accounts?external_id=crm-unknown").await;
    assert_eq!(none["accounts"], serde_json::json!([]));
}

async fn post_touchpoint(app: &TestApp, key: &str, body: Value) -> (StatusCode, Value) {
    send(app, key, reqwest::Method::POST, "/api/v1/touchpoints", body.to_string()).await
}

async fn touchpoints_of(app: &TestApp, account: &str) -> usize {
    app::store::touchpoints::for_account(&app.db, account, 100).await.unwrap().len()
}

#[tokio::test]
async fn an_integration_logs_a_touchpoint_once_per_idempotency_key() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let acme = create_account(&admin, "Acme Calendar", "smb").await;
    let other = create_account(&admin, "Other Calendar", "smb").await;
    let key = key(&app, &["touchpoints:write"]).await;
    let today = chrono::Utc::now().date_naive().to_string();
    let meeting = serde_json::json!({"account_id": acme, "kind": "meeting", "date": today,
        "attendees": ["Dana Lee", ADMIN_EMAIL], "notes": "Roadmap walk-through",
        "awaiting_reply": true, "logged_by": ADMIN_EMAIL.to_uppercase(), "idempotency_key": "gcal-1"});

    let (status, logged) = post_touchpoint(&app, &key, meeting.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{logged}");
    assert_eq!(logged["kind"], "meeting");
    assert!(logged["logged_by"].is_string(), "{logged}");
    assert_eq!(logged["awaiting_reply"], true);
    // Sent again (a retry after a time-out): the same touchpoint, nothing new.
    let (status, again) = post_touchpoint(&app, &key, meeting.clone()).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["id"], logged["id"]);
    assert_eq!(touchpoints_of(&app, &acme).await, 1);
    // The same key for another account is refused, not moved.
    let mut moved = meeting.clone();
    moved["account_id"] = other.clone().into();
    let (status, _) = post_touchpoint(&app, &key, moved).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(touchpoints_of(&app, &other).await, 0);

    // Bad input: named by field, nothing logged.
    let bad = |patch: Value| {
        let mut body = meeting.clone();
        body["idempotency_key"] = "gcal-bad".into();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    for (patch, field) in [
        (serde_json::json!({"kind": "smoke_signal"}), "kind"),
        (serde_json::json!({"date": "2099-01-01"}), "date"),
        (serde_json::json!({"date": "yesterday"}), "date"),
        (serde_json::json!({"kind": "call", "awaiting_reply": true}), "awaiting_reply"),
        (serde_json::json!({"logged_by": "stranger@example.com"}), "logged_by"),
        (serde_json::json!({"account_id": "no-such-account"}), "account_id"),
        (serde_json::json!({"account_id": null, "external_id": "crm-nope"}), "external_id"),
        (serde_json::json!({"account_id": null}), "account_id"),
        (serde_json::json!({"idempotency_key": ""}), "idempotency_key"),
        (serde_json::json!({"idempotency_key": "k".repeat(201)}), "idempotency_key"),
        (serde_json::json!({"notes": "n".repeat(10_001)}), "notes"),
    ] {
        let (status, err) = post_touchpoint(&app, &key, bad(patch.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{patch}: {err}");
        assert!(err["error"]["fields"][field].is_string(), "{patch}: {err}");
    }
    let (status, _) = post_touchpoint(&app, &key, serde_json::json!(["not", "an", "object"])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let huge = bad(serde_json::json!({"notes": "n".repeat(200_000)}));
    let (status, _) = post_touchpoint(&app, &key, huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(touchpoints_of(&app, &acme).await, 1, "nothing refused was logged");
    let reader = self::key(&app, &["accounts:read"]).await;
    let (status, _) = post_touchpoint(&app, &reader, meeting).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// What a CRM sync does with `updated_at`: sends it back as `if_unmodified_since`, and an edit
/// made in Bellwether since is not overwritten.
#[tokio::test]
async fn a_conditional_upsert_never_overwrites_an_edit_it_has_not_seen() {
    let app = spawn_app().await;
    admin(&app).await;
    let writer = key(&app, &["accounts:write", "accounts:read"]).await;
    let upsert = |fields: Value| {
        let url = format!("{}/api/v1/accounts", app.base);
        let writer = writer.clone();
        async move {
            let mut row = serde_json::json!({"external_id": "crm-88", "name": "Versioned Co",
                "tier": "smb", "industry": "Retail", "stage": "onboarding", "currency": "USD",
                "contract_start": "2026-01-01"});
            for (k, v) in fields.as_object().unwrap() {
                row[k] = v.clone();
            }
            let res = reqwest::Client::new()
                .post(url)
                .bearer_auth(writer)
                .json(&serde_json::json!([row]))
                .send()
                .await
                .unwrap();
            let status = res.status();
            (status, res.json::<Value>().await.unwrap())
        }
    };
    let read = || async {
        let mut found = Value::Null;
        for _ in 0..50 {
            let (_, page) = get_json(&app, &writer, "/api/v1/accounts?external_id=crm-88").await;
            if let Some(id) = page["accounts"][0]["id"].as_str() {
                found = get_json(&app, &writer, &format!("/api/v1/accounts/{id}")).await.1;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        found
    };
    assert_eq!(upsert(serde_json::json!({})).await.0, StatusCode::OK);
    let first = read().await;
    let seen = first["account"]["updated_at"].as_str().expect("a version").to_string();

    // Sent back unchanged: the update goes through.
    let (status, report) =
        upsert(serde_json::json!({"industry": "Wholesale", "if_unmodified_since": seen})).await;
    assert_eq!((status, report["updated"].as_u64()), (StatusCode::OK, Some(1)), "{report}");
    let second = read().await;
    assert_eq!(second["account"]["industry"], "Wholesale");

    // The old version again: the account changed since, so the row is refused and nothing of
    // it is written.
    let (status, report) =
        upsert(serde_json::json!({"industry": "Stale", "if_unmodified_since": seen})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{report}");
    assert_eq!(report["errors"][0]["field"], "if_unmodified_since", "{report}");
    assert_eq!(read().await["account"]["industry"], "Wholesale");

    let (status, report) = upsert(serde_json::json!({"if_unmodified_since": "last tuesday"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(report["errors"][0]["field"], "if_unmodified_since", "{report}");
}

async fn put_seat(app: &TestApp, key: &str, account: &str, body: Value) -> (StatusCode, Value) {
    let path = format!("/api/v1/accounts/{account}/team");
    send(app, key, reqwest::Method::PUT, &path, body.to_string()).await
}

#[tokio::test]
async fn a_crm_puts_its_account_team_once_per_person_and_role() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let acme = create_account(&admin, "Acme Team", "smb").await;
    let writer = key(&app, &["accounts:write"]).await;
    let seat =
        serde_json::json!({"user_email": ADMIN_EMAIL.to_uppercase(), "role": "account_manager"});
    let (status, member) = put_seat(&app, &writer, &acme, seat.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{member}");
    assert_eq!(member["role"], "account_manager");
    let (status, again) = put_seat(&app, &writer, &acme, seat).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["id"], member["id"]);
    let team = admin.ok("accounts/get", &[("id", &acme)]).await["team"].clone();
    let seats = team.as_array().unwrap().iter().filter(|m| m["role"] == "account_manager").count();
    assert_eq!(seats, 1, "{team}");

    for (body, field) in [
        (serde_json::json!({"user_email": "nobody@example.com", "role": "csm"}), "user_email"),
        (serde_json::json!({"user_email": ADMIN_EMAIL, "role": "overlord"}), "role"),
        (serde_json::json!({"user_email": "", "role": "csm"}), "user_email"),
    ] {
        let (status, err) = put_seat(&app, &writer, &acme, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {err}");
        assert!(err["error"]["fields"][field].is_string(), "{body}: {err}");
    }
    let ok_seat = serde_json::json!({"user_email": ADMIN_EMAIL, "role": "csm"});
    let (status, _) = put_seat(&app, &writer, "no-such-account", ok_seat.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let reader = key(&app, &["accounts:read"]).await;
    assert_eq!(put_seat(&app, &reader, &acme, ok_seat).await.0, StatusCode::FORBIDDEN);
}
