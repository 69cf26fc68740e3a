//! Escalations and SLA clocks through the real server: an Enterprise P1 mirrored in on a Friday
//! afternoon is due on Monday in its calendar's business hours; waiting on the customer pauses
//! resolution and not first response; an unacknowledged escalation moves up by itself; a
//! breach opens exactly one alert and mails the owner; bad input is refused by field with
//! nothing written; hostile callers (wrong scope, forged ids, oversized bodies, another
//! account's contact) get nowhere; executives read only; an open escalation holds back
//! relationship surveys; resolving schedules the follow-up and shows on the timeline.

use crate::common::*;
use chrono::{Datelike, Duration, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

pub(crate) const ALL: &[&str] =
    &["settings:write", "escalations:write", "escalations:read", "incidents:write", "alerts:read"];

pub(crate) async fn key(app: &TestApp, scopes: &[&str]) -> String {
    let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
    app::store::api_keys::create(&app.db, "escalations", &scopes, None).await.unwrap().1
}

async fn call(
    app: &TestApp, key: &str, method: reqwest::Method, path: &str, body: Option<&Value>,
) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new()
        .request(method, format!("{}{path}", app.base))
        .header("authorization", format!("Bearer {key}"));
    if let Some(b) = body {
        req = req.json(b);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

pub(crate) async fn post(
    app: &TestApp, key: &str, path: &str, body: &Value,
) -> (StatusCode, Value) {
    call(app, key, reqwest::Method::POST, path, Some(body)).await
}

pub(crate) async fn get(app: &TestApp, key: &str, path: &str) -> (StatusCode, Value) {
    call(app, key, reqwest::Method::GET, path, None).await
}

/// The REST error's message for `field`.
fn refused_field(body: &Value, field: &str) -> Option<String> {
    body["error"]["fields"][field].as_str().map(String::from)
}

fn berlin_office() -> Value {
    let day = json!([["09:00", "17:00"]]);
    json!({ "name": "Berlin office", "time_zone": "Europe/Berlin",
            "hours": { "mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": [], "sun": [] },
            "holidays": [] })
}

fn targets(fr: u32, upd: u32, res: u32) -> Value {
    let t =
        json!({ "first_response_minutes": fr, "update_minutes": upd, "resolution_minutes": res });
    json!({ "P1": t, "P2": t, "P3": t, "P4": t })
}

fn at(v: &Value) -> chrono::DateTime<Utc> {
    chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("a time: {v}")))
        .unwrap()
        .with_timezone(&Utc)
}

/// The Friday at least a week back, at `h:m` in Berlin, and the Monday after it at `h2:m2`.
fn friday_and_monday(
    h: u32, m: u32, h2: u32, m2: u32,
) -> (chrono::DateTime<Utc>, chrono::DateTime<Utc>) {
    let tz = chrono_tz::Europe::Berlin;
    let mut d = Utc::now().date_naive() - Duration::days(7);
    while d.weekday() != chrono::Weekday::Fri {
        d -= Duration::days(1);
    }
    let local = |day: chrono::NaiveDate, h, m| {
        tz.from_local_datetime(&day.and_hms_opt(h, m, 0).unwrap()).unwrap().with_timezone(&Utc)
    };
    (local(d, h, m), local(d + Duration::days(3), h2, m2))
}

#[tokio::test]
async fn an_enterprise_p1_opened_on_a_friday_afternoon_is_due_on_monday_in_business_hours() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let k = key(&app, ALL).await;
    let (status, cal) = post(&app, &k, "/api/v1/calendars", &berlin_office()).await;
    assert_eq!(status, StatusCode::CREATED, "{cal}");
    assert_eq!(cal["version"], 1);
    let segment = save_segment(&c, "Enterprise", "tier=enterprise").await;
    let policy = json!({ "name": "Enterprise", "segment_id": segment, "calendar_id": cal["id"], "warn_at": 0.75,
                         "targets": targets(60, 240, 480), "uptime_target": 0.999 });
    let (status, pol) = post(&app, &k, "/api/v1/sla-policies", &policy).await;
    assert_eq!(status, StatusCode::CREATED, "{pol}");
    let big = create_account(&c, "Big Enterprise", "enterprise").await;
    let small = create_account(&c, "Small Shop", "smb").await;
    // Friday 16:30 Berlin: 30 business minutes left that day, the rest on Monday from 09:00.
    let (opened, monday_0930) = friday_and_monday(16, 30, 9, 30);
    let monday_1630 = monday_0930 + Duration::hours(7);
    let body = json!({ "account_id": big, "type": "technical", "severity": "P1", "title": "Exports fail",
                       "description": "Every export times out.", "opened_at": opened });
    let (status, e) = post(&app, &k, "/api/v1/escalations", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    assert_eq!(e["policy"]["id"], pol["id"]);
    assert_eq!(e["policy"]["version"], 1);
    assert_eq!(e["calendar"], json!({ "id": cal["id"], "version": 1, "name": "Berlin office" }));
    let fr = &e["clocks"]["first_response"];
    assert_eq!(fr["target_minutes"], 60);
    assert_eq!(at(&fr["due_at"]), monday_0930, "{fr}");
    assert_eq!(at(&e["clocks"]["resolution"]["due_at"]), monday_1630, "{e}");
    // Opened a week ago: both are breached by now, and say so.
    assert_eq!(fr["status"], "breached");
    // The GET answers the same body.
    let (status, again) =
        get(&app, &k, &format!("/api/v1/escalations/{}", e["id"].as_str().unwrap())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["clocks"]["resolution"]["due_at"], e["clocks"]["resolution"]["due_at"]);
    // An account outside the segment falls to the default policy (24/7 UTC).
    let body = json!({ "account_id": small, "type": "commercial", "severity": "P2", "title": "Invoice wrong" });
    let (status, other) = post(&app, &k, "/api/v1/escalations", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{other}");
    assert_eq!(other["policy"]["id"], "default");
    assert_eq!(other["clocks"]["first_response"]["status"], "running");
    // A new policy version applies to new escalations; the open one keeps version 1.
    let mut newer = policy.clone();
    newer["targets"] = targets(30, 120, 240);
    let id = pol["id"].as_str().unwrap();
    let (status, v2) =
        call(&app, &k, reqwest::Method::PUT, &format!("/api/v1/sla-policies/{id}"), Some(&newer))
            .await;
    assert_eq!((status, v2["version"].clone()), (StatusCode::OK, json!(2)));
    let (_, kept) =
        get(&app, &k, &format!("/api/v1/escalations/{}", e["id"].as_str().unwrap())).await;
    assert_eq!(
        (
            kept["policy"]["version"].clone(),
            kept["clocks"]["first_response"]["target_minutes"].clone()
        ),
        (json!(1), json!(60))
    );
}

#[tokio::test]
async fn waiting_on_the_customer_pauses_resolution_and_updates_but_not_first_response() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let k = key(&app, ALL).await;
    let acc = create_account(&c, "Patient Co", "smb").await;
    let now = Utc::now();
    let body = json!({ "account_id": acc, "type": "technical", "severity": "P3", "title": "Slow reports",
                       "opened_at": now - Duration::minutes(30) });
    let (_, e) = post(&app, &k, "/api/v1/escalations", &body).await;
    let id = e["id"].as_str().unwrap().to_string();
    let events = format!("/api/v1/escalations/{id}/events");
    let (status, e) = post(
        &app,
        &k,
        &events,
        &json!({ "kind": "waiting_on_customer", "at": now - Duration::minutes(20) }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    assert_eq!(e["status"], "waiting");
    let res = &e["clocks"]["resolution"];
    assert_eq!(
        (res["status"].clone(), res["due_at"].clone(), res["elapsed_business_minutes"].clone()),
        (json!("paused"), Value::Null, json!(10))
    );
    assert_eq!(e["clocks"]["update"]["status"], "paused");
    let fr = &e["clocks"]["first_response"];
    assert_eq!(fr["status"], "running", "first response never pauses");
    assert!(fr["elapsed_business_minutes"].as_i64().unwrap() >= 29, "{fr}");
    assert_eq!(at(&fr["due_at"]), at(&json!(now - Duration::minutes(30))) + Duration::minutes(480));
    // The customer answers: resolution runs again from where it stopped (4800 − 10 minutes left).
    let (_, e) = post(&app, &k, &events, &json!({ "kind": "customer_replied" })).await;
    let due = at(&e["clocks"]["resolution"]["due_at"]);
    let expected = Utc::now() + Duration::minutes(4790);
    assert!((due - expected).num_seconds().abs() < 90, "{due} vs {expected}");
    // Resolve, reopen: the same resolution clock continues and a second cycle is recorded.
    post(
        &app,
        &k,
        &events,
        &json!({ "kind": "resolved", "root_cause": "configuration", "note": "Index rebuilt" }),
    )
    .await;
    let (status, e) = post(&app, &k, &events, &json!({ "kind": "reopened" })).await;
    assert_eq!(status, StatusCode::OK, "{e}");
    let cycles = e["clocks"]["resolution"]["cycles"].as_array().unwrap();
    assert_eq!(cycles.len(), 2, "{e}");
    assert!(cycles[0]["stopped_at"].is_string(), "the closed cycle is kept as it was");
}

#[tokio::test]
async fn an_unacknowledged_escalation_moves_up_a_level_by_itself_and_tells_the_next_person() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let k = key(&app, ALL).await;
    let mut setup =
        serde_json::to_value(app::model::escalation::EscalationSetup::default()).unwrap();
    setup["types"][0]["levels"] = json!([
        { "role": "csm", "after_minutes": 1 },
        { "role": "technical_support", "after_minutes": 5 },
        { "role": "account_manager" }
    ]);
    c.expect_json(StatusCode::OK, "sla/setup/save", &json!({ "setup": setup })).await;
    let acc = create_account(&c, "Quiet Co", "smb").await;
    let body = json!({ "account_id": acc, "type": "technical", "severity": "P2", "title": "Login loop",
                       "opened_at": Utc::now() - Duration::minutes(3) });
    let (status, e) = post(&app, &k, "/api/v1/escalations", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    // One minute unacknowledged at level 1: it is at level 2 already, recorded as an event by
    // no one, with the time it moved.
    assert_eq!(e["level"], 2, "{e}");
    let moved = e["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["kind"] == "escalated")
        .expect("an escalated event");
    assert_eq!(moved["by"], Value::Null);
    assert_eq!(moved["level"], 2);
    assert!(
        moved["note"].as_str().unwrap().contains("not acknowledged within 1 minutes"),
        "{moved}"
    );
    assert!(e["next_level_at"].is_string(), "level 2 moves on after 5 minutes: {e}");
    assert!(e["responsible"]["role"].as_str().unwrap().contains("Technical Support"), "{e}");
    assert!(rows(&app, "escalation_notice").await >= 1, "the new level is told");
    // Acknowledging stops it moving; a manual move still works, and not past the last level.
    let events = format!("/api/v1/escalations/{}/events", e["id"].as_str().unwrap());
    let (_, e) = post(&app, &k, &events, &json!({ "kind": "acknowledged" })).await;
    assert_eq!(e["next_level_at"], Value::Null);
    let (_, e) =
        post(&app, &k, &events, &json!({ "kind": "escalated", "note": "needs an AM" })).await;
    assert_eq!(e["level"], 3);
    let (status, body) = post(&app, &k, &events, &json!({ "kind": "escalated" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused_field(&body, "kind").unwrap().contains("last level"), "{body}");
}

#[tokio::test]
async fn a_breach_opens_exactly_one_alert_and_mails_the_owner() {
    let (port, mut inbox) = smtp::start().await;
    let mailer = move || smtp::mailer(port);
    let app = spawn_app_with(move |s| s.with_mailer(mailer())).await;
    let c = admin(&app).await;
    let me = c.my_id().await;
    let k = key(&app, ALL).await;
    let form = with(
        account_form("Breach Co", "smb"),
        &[("input[owner_id]", &me), ("input[renewal_date]", "2029-06-01")],
    );
    let acc = id_of(&c.ok("accounts/create", &form).await);
    // P1 first response within 60 minutes (24/7): opened 59 min 57 s ago, so it breaches in 3 s.
    let opened = Utc::now() - Duration::seconds(59 * 60 + 57);
    let body = json!({ "account_id": acc, "type": "technical", "severity": "P1", "title": "Site down", "opened_at": opened });
    let (_, e) = post(&app, &k, "/api/v1/escalations", &body).await;
    let due = at(&e["clocks"]["first_response"]["due_at"]);
    assert_eq!(e["clocks"]["first_response"]["status"], "running");
    let path = format!("/api/v1/alerts?account_id={acc}&rule=sla_breach");
    let mut alerts = Value::Null;
    for _ in 0..200 {
        let (_, body) = get(&app, &k, &path).await;
        if body["alerts"].as_array().is_some_and(|a| !a.is_empty()) {
            alerts = body;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let list =
        alerts["alerts"].as_array().unwrap_or_else(|| panic!("no sla_breach alert: {alerts}"));
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["evidence"]["kind"], "sla_breach");
    assert_eq!(list[0]["evidence"]["clock"], "first_response");
    assert_eq!(at(&list[0]["evidence"]["at"]), due, "the breach is recorded at its due time");
    // The owner hears of it: the alert (high severity, at once) and the escalation's notice.
    // (It also moved up a level and warned on the way: the default path waits 30 minutes.)
    let mut subjects = Vec::new();
    while !subjects.iter().any(|s: &String| s.contains("SLA breach at Breach Co")) {
        let mail = tokio::time::timeout(std::time::Duration::from_secs(15), inbox.recv())
            .await
            .unwrap_or_else(|_| panic!("no alert mail among {subjects:?}"))
            .unwrap();
        assert!(mail.to.iter().any(|t| t.contains('@')), "{:?}", mail.to);
        subjects.push(
            mail.data.lines().find(|l| l.starts_with("Subject:")).unwrap_or_default().to_string(),
        );
    }
    // Another pass (and another breach of the same escalation) does not open a second alert.
    post(
        &app,
        &k,
        &format!("/api/v1/escalations/{}/events", e["id"].as_str().unwrap()),
        &json!({ "kind": "acknowledged" }),
    )
    .await;
    app::service::alerts::evaluate(&app.db, &app.state.portfolio, None).await.unwrap();
    let (_, body) = get(&app, &k, &path).await;
    assert_eq!(body["alerts"].as_array().unwrap().len(), 1, "{body}");
}

#[tokio::test]
async fn bad_input_is_refused_by_field_and_nothing_is_written() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let k = key(&app, ALL).await;
    let acc = create_account(&c, "Careful Co", "smb").await;
    let other = create_account(&c, "Other Co", "smb").await;
    let stranger = add_contact(&c, &other, "Stan Ger", "stan@other.example", &[]).await;
    let cases = [
        (
            json!({ "account_id": acc, "type": "technical", "severity": "P0", "title": "x" }),
            "severity",
        ),
        (json!({ "account_id": acc, "type": "legal", "severity": "P1", "title": "x" }), "type"),
        (json!({ "account_id": acc, "type": "technical", "severity": "P1", "title": "" }), "title"),
        (
            json!({ "account_id": acc, "type": "technical", "severity": "P1", "title": "x".repeat(201) }),
            "title",
        ),
        (
            json!({ "account_id": acc, "type": "technical", "severity": "P1", "title": "x", "opened_at": Utc::now() + Duration::hours(1) }),
            "opened_at",
        ),
        (
            json!({ "account_id": "forged", "type": "technical", "severity": "P1", "title": "x" }),
            "account_id",
        ),
        (
            json!({ "external_id": "nobody", "type": "technical", "severity": "P1", "title": "x" }),
            "external_id",
        ),
        (
            json!({ "account_id": acc, "type": "technical", "severity": "P1", "title": "x", "raised_by": stranger }),
            "raised_by",
        ),
        (
            json!({ "account_id": acc, "type": "technical", "severity": "P1", "title": "x", "policy_id": "nope" }),
            "policy_id",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = post(&app, &k, "/api/v1/escalations", &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body} → {answer}");
        assert!(refused_field(&answer, field).is_some(), "{field}: {answer}");
    }
    assert_eq!(rows(&app, "escalation").await, 0, "nothing half-written");
    // Events: out of order, in the future, before the opening, unknown kind.
    let body = json!({ "account_id": acc, "type": "technical", "severity": "P3", "title": "ok", "opened_at": Utc::now() - Duration::hours(2) });
    let (_, e) = post(&app, &k, "/api/v1/escalations", &body).await;
    let events = format!("/api/v1/escalations/{}/events", e["id"].as_str().unwrap());
    post(
        &app,
        &k,
        &events,
        &json!({ "kind": "acknowledged", "at": Utc::now() - Duration::minutes(10) }),
    )
    .await;
    for (ev, field) in [
        (json!({ "kind": "first_response", "at": Utc::now() - Duration::minutes(30) }), "at"),
        (json!({ "kind": "first_response", "at": Utc::now() + Duration::minutes(5) }), "at"),
        (json!({ "kind": "first_response", "at": Utc::now() - Duration::hours(3) }), "at"),
        (json!({ "kind": "fixed" }), "kind"),
        (json!({ "kind": "customer_replied" }), "kind"),
        (json!({ "kind": "resolved", "root_cause": "gremlins" }), "root_cause"),
        (json!({ "kind": "customer_update", "note": "n".repeat(4001) }), "note"),
    ] {
        let (status, answer) = post(&app, &k, &events, &ev).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{ev} → {answer}");
        assert!(refused_field(&answer, field).is_some(), "{field}: {answer}");
    }
    let (_, e) = get(&app, &k, &format!("/api/v1/escalations/{}", e["id"].as_str().unwrap())).await;
    let recorded: Vec<&Value> =
        e["events"].as_array().unwrap().iter().filter(|v| v["by"] == "API").collect();
    assert_eq!(recorded.len(), 1, "only the acknowledgment: {e}");
    // Calendars and policies.
    let mut overlapping = berlin_office();
    overlapping["hours"]["mon"] = json!([["09:00", "13:00"], ["12:00", "17:00"]]);
    let mut bad_zone = berlin_office();
    bad_zone["time_zone"] = json!("Mars/Olympus");
    let mut backwards = berlin_office();
    backwards["hours"]["tue"] = json!([["17:00", "09:00"]]);
    for (cal, field) in
        [(overlapping, "hours.mon"), (bad_zone, "time_zone"), (backwards, "hours.tue")]
    {
        let (status, answer) = post(&app, &k, "/api/v1/calendars", &cal).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert!(refused_field(&answer, field).is_some(), "{field}: {answer}");
    }
    assert_eq!(rows(&app, "calendar").await, 1, "only the seeded 24/7 calendar");
    let mut t = targets(60, 240, 480);
    t.as_object_mut().unwrap().remove("P3");
    for (p, field) in [
        (
            json!({ "name": "X", "segment_id": null, "calendar_id": "default", "targets": targets(60, 240, 480) }),
            "segment_id",
        ),
        (
            json!({ "name": "X", "segment_id": "nope", "calendar_id": "default", "targets": targets(60, 240, 480) }),
            "segment_id",
        ),
        (
            json!({ "name": "X", "segment_id": "nope", "calendar_id": "default", "targets": t }),
            "targets.P3",
        ),
        (
            json!({ "name": "X", "calendar_id": "nope", "segment_id": "s", "targets": targets(60, 240, 480) }),
            "calendar_id",
        ),
        (
            json!({ "name": "X", "calendar_id": "default", "warn_at": 1.5, "targets": targets(60, 240, 480) }),
            "warn_at",
        ),
    ] {
        let (status, answer) = post(&app, &k, "/api/v1/sla-policies", &p).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p} → {answer}");
        assert!(refused_field(&answer, field).is_some(), "{field}: {answer}");
    }
    assert_eq!(rows(&app, "sla_policy").await, 1);
    let (status, answer) = post(&app, &k, "/api/v1/incidents", &json!({ "start": Utc::now(), "end": Utc::now() - Duration::hours(1), "accounts": "all", "severity": "P1" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused_field(&answer, "end").is_some(), "{answer}");
    let (status, answer) = post(&app, &k, "/api/v1/incidents", &json!({ "start": Utc::now() - Duration::hours(2), "end": Utc::now() - Duration::hours(1), "accounts": ["forged"], "severity": "P1" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused_field(&answer, "accounts").is_some(), "{answer}");
    assert_eq!(rows(&app, "incident").await, 0);
}

#[tokio::test]
async fn hostile_callers_get_nowhere_and_executives_only_read() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let acc = create_account(&c, "Guarded Co", "smb").await;
    let reader = key(&app, &["escalations:read"]).await;
    let writer = key(&app, &["escalations:write", "escalations:read"]).await;
    let body = json!({ "account_id": acc, "type": "technical", "severity": "P3", "title": "ok" });
    let (status, _) = post(&app, &reader, "/api/v1/escalations", &body).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a read key cannot open");
    let (status, _) = post(&app, &writer, "/api/v1/calendars", &berlin_office()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "settings need settings:write");
    let (status, _) = post(&app, &writer, "/api/v1/incidents", &json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = post(&app, "bw_forged", "/api/v1/escalations", &body).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Forged and absurd ids.
    for id in ["forged", &"x".repeat(300), "escalation:default"] {
        let (status, _) = get(&app, &reader, &format!("/api/v1/escalations/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id}");
        let (status, _) = post(
            &app,
            &writer,
            &format!("/api/v1/escalations/{id}/events"),
            &json!({ "kind": "acknowledged" }),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id}");
    }
    // An oversized body is refused before it is read whole; bad JSON names what was expected.
    let huge = json!({ "account_id": acc, "type": "technical", "severity": "P3", "title": "x", "description": "d".repeat(400_000) });
    let (status, _) = post(&app, &writer, "/api/v1/escalations", &huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/escalations", app.base))
        .header("authorization", format!("Bearer {writer}"))
        .body("[1, 2")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let (status, e) = post(&app, &writer, "/api/v1/escalations", &body).await;
    assert_eq!(status, StatusCode::CREATED);
    let id = e["id"].as_str().unwrap();
    // Executives read escalations but cannot open or act on them.
    let exec = user_with_role(&app, &c, "exec").await;
    exec.expect_json(StatusCode::OK, "escalations/list", &json!({ "filter": {} })).await;
    let (status, _) = exec.call("escalations/view", &[("id", id)]).await;
    assert_eq!(status, StatusCode::OK);
    let refused = exec
        .post_json("escalations/event", &json!({ "id": id, "input": { "kind": "acknowledged" } }))
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let refused = exec.post_json("escalations/open", &json!({ "input": body })).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let refused =
        exec.post_json("sla/calendar/save", &json!({ "id": null, "input": berlin_office() })).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    // People cannot backdate from the app (that is for mirrored tickets), nor name a policy.
    let backdated = c
        .expect_json(StatusCode::OK, "escalations/open", &json!({ "input": { "account_id": acc, "type": "technical", "severity": "P4", "title": "now", "opened_at": Utc::now() - Duration::days(30), "policy_id": "nope" } }))
        .await;
    assert!((at(&backdated["opened_at"]) - Utc::now()).num_seconds().abs() < 60, "{backdated}");
}

#[tokio::test]
async fn an_open_escalation_holds_back_nps_and_resolving_schedules_the_follow_up() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let k = key(&app, ALL).await;
    let acc = create_account(&c, "Loop Co", "smb").await;
    let dana = add_contact(&c, &acc, "Dana Scully", "dana@loop.example", &[]).await;
    let (_, survey) = create_survey(&c, "Relationship NPS", "nps", &[&acc]).await;
    let sid = survey["id"].as_str().unwrap().to_string();
    let body = json!({ "account_id": acc, "type": "relationship", "severity": "P2", "title": "Unhappy sponsor", "raised_by": dana });
    let (status, e) = post(&app, &k, "/api/v1/escalations", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    assert_eq!(e["raised_by_name"], "Dana Scully");
    let id = e["id"].as_str().unwrap().to_string();
    let preview = c.ok("surveys/preview", &[("id", &sid)]).await;
    assert_eq!(preview["to_invite"], 0, "{preview}");
    let why = preview["rows"][0]["suppressed"].as_str().unwrap_or_default();
    assert!(why.contains("open escalation “Unhappy sponsor” (P2)"), "{preview}");
    let resolved = c
        .expect_json(StatusCode::OK, "escalations/event", &json!({ "id": id, "input": { "kind": "resolved", "root_cause": "expectations", "note": "Agreed a roadmap review" } }))
        .await;
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["root_cause"], "expectations");
    let due = resolved["follow_up"]["due"].as_str().unwrap();
    assert_eq!(
        due,
        (Utc::now().date_naive() + Duration::days(7)).to_string(),
        "the default policy follows up after 7 days"
    );
    // My work lists the follow-up (due within its two-week horizon) for whoever resolved it,
    // since nobody owns the account.
    let work = c.ok("engagement/my_work", &[]).await;
    let fu = &work["follow_ups"];
    assert_eq!(fu.as_array().map(Vec::len), Some(1), "{work}");
    assert_eq!(
        (fu[0]["title"].as_str(), fu[0]["overdue"].as_bool()),
        (Some("Unhappy sponsor"), Some(false))
    );
    // Resolved: the survey may go again.
    let preview = c.ok("surveys/preview", &[("id", &sid)]).await;
    assert_eq!(preview["to_invite"], 1, "{preview}");
    // The timeline tells the story.
    let timeline =
        c.ok("engagement/timeline", &[("account_id", &acc), ("kind", "escalation")]).await;
    let titles: Vec<&str> =
        timeline.as_array().unwrap().iter().filter_map(|t| t["title"].as_str()).collect();
    assert!(
        titles.iter().any(|t| t.contains("Unhappy sponsor") && t.contains("resolved")),
        "{titles:?}"
    );
    assert!(titles.iter().any(|t| t.contains("opened")), "{titles:?}");
    // The follow-up, once done, is a logged call.
    let done =
        c.ok("escalations/follow-up", &[("id", &id), ("note", "Sponsor is happy again")]).await;
    assert!(done["follow_up"]["done_at"].is_string(), "{done}");
    let (status, again) = c.call("escalations/follow-up", &[("id", &id), ("note", "twice")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    let work = c.ok("engagement/my_work", &[]).await;
    assert_eq!(work["follow_ups"].as_array().map(Vec::len), Some(0), "done: off My work");
    // The health model's support-escalations measure now has a value for the account.
    let facts = app::store::health::facts_on(
        &app.db,
        Some(std::slice::from_ref(&acc)),
        Utc::now().date_naive(),
    )
    .await
    .unwrap();
    assert_eq!(facts[&acc].escalations_90d, Some(1.5), "one P2 in 90 days");
}
