//! Reading accounts through the REST API: keyset pages that neither repeat nor skip while
//! accounts are added, filters refused by name, one account with its contacts and team, a
//! health history, ETags and 304s — and the hostile side: no key, the wrong scope, forged and
//! oversized ids and cursors, nonsense parameters.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::Value;

async fn key(app: &TestApp, scopes: &[&str]) -> String {
    let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
    app::store::api_keys::create(&app.db, "reader", &scopes, None).await.unwrap().1
}

async fn get(app: &TestApp, key: &str, path: &str) -> reqwest::Response {
    reqwest::Client::new().get(format!("{}{path}", app.base)).bearer_auth(key).send().await.unwrap()
}

async fn get_json(app: &TestApp, key: &str, path: &str) -> (StatusCode, Value) {
    let res = get(app, key, path).await;
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

async fn put_contact(app: &TestApp, key: &str, account: &str, body: &str) -> (StatusCode, Value) {
    let res = reqwest::Client::new()
        .put(format!("{}/api/v1/accounts/{account}/contacts", app.base))
        .bearer_auth(key)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
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
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/touchpoints", app.base))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
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
    let res = reqwest::Client::new()
        .put(format!("{}/api/v1/accounts/{account}/team", app.base))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
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
