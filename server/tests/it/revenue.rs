//! Revenue through the real server: ARR movements by API (every refusal named by row and field,
//! nothing written for refused rows, idempotent re-sends, hostile input), the account form's
//! ARR changes and stage changes recorded as movements, and `GET /api/v1/metrics` checked
//! against figures computed here, independently, from the same generated data.

use crate::common::*;
use chrono::{Days, NaiveDate};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashMap;

async fn key(app: &TestApp, scopes: &[&str]) -> String {
    let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
    app::store::api_keys::create(&app.db, "revenue test", &scopes, None).await.unwrap().1
}

async fn send(
    app: &TestApp, key: &str, method: &str, path: &str, body: Option<String>,
) -> (StatusCode, Value) {
    let http = reqwest::Client::new();
    let url = format!("{}{path}", app.base);
    let mut req = if method == "GET" {
        http.get(url)
    } else {
        http.post(url).header("content-type", "application/json")
    };
    if let Some(b) = body {
        req = req.body(b);
    }
    let res = req.header("authorization", format!("Bearer {key}")).send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}")))
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A tiny deterministic generator (no shared code with the server's seed).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Movement rows for `accounts` accounts over two years, in order per account.
fn history(accounts: usize) -> Vec<(String, NaiveDate, &'static str, i64, i64)> {
    let mut rng = Lcg(7);
    let mut out = Vec::new();
    for i in 0..accounts {
        let ext = format!("crm-{i}");
        let start = d("2024-07-01") + Days::new(rng.next(360));
        let mut arr = (5 + rng.next(60) as i64) * 100_000;
        let mut on = start;
        out.push((ext.clone(), on, "new", 0, arr));
        let mut had = true;
        loop {
            on = on + Days::new(30 + rng.next(150));
            if on > d("2026-10-31") {
                break;
            }
            let (kind, after) = match (arr, rng.next(10)) {
                (0, r) if r < 4 => ("reactivation", (5 + rng.next(40) as i64) * 100_000),
                (0, _) => continue,
                (_, 0) => ("churn", 0),
                (a, 1..=2) => ("contraction", a - a / 4),
                (a, 3..=5) => ("expansion", a + (1 + rng.next(20) as i64) * 50_000),
                _ => continue,
            };
            out.push((ext.clone(), on, kind, arr, after));
            arr = after;
            had |= after > 0;
        }
        assert!(had);
    }
    out
}

/// ARR of each account at the end of `day`, replaying the generated rows.
fn arr_on(rows: &[(String, NaiveDate, &str, i64, i64)], day: NaiveDate) -> HashMap<String, i64> {
    let mut out: HashMap<String, i64> = HashMap::new();
    for (acc, on, _, _, after) in rows {
        out.entry(acc.clone()).or_insert(0);
        if *on <= day {
            out.insert(acc.clone(), *after);
        }
    }
    out
}

#[tokio::test]
async fn metrics_over_two_years_of_movements_match_an_independent_computation() {
    let app = spawn_app().await;
    let key =
        key(&app, &["accounts:write", "revenue:write", "surveys:write", "metrics:read"]).await;
    let n = 240;
    let accounts: Vec<Value> = (0..n)
        .map(|i| json!({"external_id": format!("crm-{i}"), "name": format!("Revenue Co {i}"), "tier": "smb",
            "industry": "Software", "stage": "growth", "currency": "USD", "contract_start": "2024-07-01"}))
        .collect();
    let (s, b) =
        send(&app, &key, "POST", "/api/v1/accounts", Some(json!(accounts).to_string())).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["created"], n, "{b}");

    let rows = history(n);
    let body: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(i, (ext, on, kind, before, after))| json!({"external_id": ext, "kind": kind, "on": on.to_string(),
            "arr_before": before, "arr_after": after, "currency": "USD", "idempotency_key": format!("mv-{i}")}))
        .collect();
    let (s, b) = send(
        &app,
        &key,
        "POST",
        "/api/v1/arr-movements",
        Some(json!({ "movements": body }).to_string()),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    assert_eq!(b["accepted"], rows.len(), "{b}");
    // Sent again: every row a duplicate, nothing stored twice.
    let (s, b) =
        send(&app, &key, "POST", "/api/v1/arr-movements", Some(json!(body).to_string())).await;
    assert_eq!(
        (s, b["accepted"].clone(), b["duplicates"].clone()),
        (StatusCode::ACCEPTED, json!(0), json!(rows.len()))
    );

    // NPS answers: account i answers (i % 11) in May 2026.
    let answers: Vec<Value> = (0..n)
        .map(|i| json!({"external_id": format!("crm-{i}"), "kind": "nps", "score": i % 11, "on": "2026-05-15",
            "idempotency_key": format!("nps-{i}")}))
        .collect();
    let (s, b) =
        send(&app, &key, "POST", "/api/v1/survey-responses", Some(json!(answers).to_string()))
            .await;
    assert!(s.is_success(), "{b}");

    // The figures, computed here from the generated rows.
    let (from, to) = (d("2025-07-01"), d("2026-06-30"));
    let start = arr_on(&rows, d("2025-06-30"));
    let end = arr_on(&rows, to);
    let cohort: Vec<&String> = start.iter().filter(|(_, a)| **a > 0).map(|(k, _)| k).collect();
    let s_arr: i64 = cohort.iter().map(|k| start[*k]).sum();
    let (mut exp, mut con, mut churn, mut kept) = (0i64, 0i64, 0i64, 0usize);
    for k in &cohort {
        let (a, b) = (start[*k], end[*k]);
        if b == 0 {
            churn += a;
        } else {
            kept += 1;
            if b > a {
                exp += b - a;
            } else {
                con += a - b;
            }
        }
    }
    let nrr = (s_arr + exp - con - churn) as f64 / s_arr as f64;
    let grr = (s_arr - con - churn) as f64 / s_arr as f64;
    let logo = kept as f64 / cohort.len() as f64;
    let promoters = (0..n).filter(|i| i % 11 >= 9).count() as f64;
    let detractors = (0..n).filter(|i| i % 11 <= 6).count() as f64;
    let nps = (promoters - detractors) * 100.0 / n as f64;

    // The ledger reaches every node's memory through a live query: wait for it.
    let path = format!("/api/v1/metrics?from={from}&to={to}");
    let mut m = Value::Null;
    for _ in 0..100 {
        let (s, b) = send(&app, &key, "GET", &path, None).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        m = b;
        if m["inputs"]["start_arr"] == s_arr {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let close = |f: &str, want: f64| {
        let got = m[f].as_f64().unwrap_or_else(|| panic!("{f} missing: {m}"));
        assert!((got - want).abs() < 1e-9, "{f}: {got} ≠ {want}");
    };
    assert_eq!(m["inputs"]["start_arr"], s_arr, "{m}");
    assert_eq!(
        (
            m["inputs"]["expansion"].clone(),
            m["inputs"]["contraction"].clone(),
            m["inputs"]["churn"].clone()
        ),
        (json!(exp), json!(con), json!(churn))
    );
    assert_eq!(m["counts"]["cohort"], cohort.len());
    close("nrr", nrr);
    close("grr", grr);
    close("logo_retention", logo);
    close("logo_churn", 1.0 - logo);
    close("revenue_churn", 1.0 - grr);
    close("nps", nps);
    assert_eq!(m["counts"]["nps_responses"], n);
    // 240 accounts a year before: CLV is meaningful, and its reason absent.
    assert!(m["clv"].is_number() || m["reasons"]["clv"].is_string(), "{m}");

    // The account's ARR is its ledger's end.
    let total_end: i64 = end.values().sum();
    let today_arr: i64 = arr_on(&rows, d("2026-12-31")).values().sum();
    assert!(total_end > 0 && today_arr > 0);
    let (s, b) =
        send(&app, &key, "GET", "/api/v1/metrics?from=2026-11-01&to=2026-11-30", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["inputs"]["waterfall"]["end"], today_arr, "{b}");

    // Bad queries name the parameter.
    let (s, b) =
        send(&app, &key, "GET", "/api/v1/metrics?from=2026-02-30&to=2026-03-01", None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (s, _) = send(&app, &key, "GET", "/api/v1/metrics?from=2026-01-01", None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) =
        send(&app, &key, "GET", "/api/v1/metrics?from=2026-01-01&to=2026-02-01&segment=nope", None)
            .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

fn mv(acc: &str, kind: &str, on: &str, before: i64, after: i64, key: &str) -> Value {
    json!({"account_id": acc, "kind": kind, "on": on, "arr_before": before, "arr_after": after,
        "currency": "USD", "idempotency_key": key})
}

async fn ledger(app: &TestApp, acc: &str) -> Vec<(String, i64, i64)> {
    app::service::revenue::of_account(&app.state, acc)
        .await
        .unwrap()
        .movements
        .into_iter()
        .map(|m| (m.kind.key().to_string(), m.arr_before, m.arr_after))
        .collect()
}

#[tokio::test]
async fn every_refused_movement_is_named_by_row_and_field_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    // Created with 120 000.00 on 2026-01-01: its ledger opens with that `new`.
    let acc = create_account(&admin, "Ledger Co", "smb").await;
    let other = create_account(&admin, "Other Co", "smb").await;
    assert_eq!(ledger(&app, &acc).await, vec![("new".into(), 0, 12_000_000)]);
    let key = key(&app, &["revenue:write"]).await;
    let rows = json!([
        mv(&acc, "expansion", "2026-02-01", 12_000_000, 15_000_000, "ok-1"),
        mv(&acc, "expansion", "2026-03-01", 15_000_000, 14_000_000, "lowers"),
        mv(&acc, "contraction", "2026-03-01", 15_000_000, -1, "negative"),
        mv("nosuchaccount", "expansion", "2026-03-01", 1, 2, "unknown"),
        mv(&other, "expansion", "2025-06-01", 12_000_000, 13_000_000, "before-start"),
        json!({"account_id": other, "kind": "expansion", "on": "2026-03-01", "arr_before": 12_000_000,
            "arr_after": 13_000_000, "currency": "EUR", "idempotency_key": "eur"}),
        mv(&acc, "contraction", "2026-13-45", 15_000_000, 10_000_000, "not-a-date"),
        mv(&acc, "contraction", "2026-01-15", 15_000_000, 10_000_000, "out-of-order"),
        mv(&acc, "contraction", "2026-04-01", 12_000_000, 10_000_000, "wrong-before"),
        mv(&acc, "churn", "2026-05-01", 15_000_000, 0, "ok-2"),
    ]);
    let (s, b) = send(&app, &key, "POST", "/api/v1/arr-movements", Some(rows.to_string())).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!((b["accepted"].clone(), b["rejected"].clone()), (json!(2), json!(8)), "{b}");
    let field = |i: u64| {
        let e = b["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["index"] == i)
            .unwrap_or_else(|| panic!("{i}: {b}"));
        (e["field"].as_str().unwrap().to_string(), e["message"].as_str().unwrap().to_string())
    };
    assert_eq!(field(1).0, "kind");
    assert!(field(1).1.contains("raises"), "{:?}", field(1));
    assert_eq!(field(2).0, "arr_after");
    assert_eq!(field(3).0, "account_id");
    assert_eq!(field(4), ("on".into(), "is before the contract start (2026-01-01)".into()));
    assert_eq!(field(5).0, "currency");
    assert_eq!(field(6).0, "on");
    assert_eq!(field(7).0, "on");
    assert_eq!(field(8).0, "arr_before");
    assert!(field(8).1.contains("expansion on 2026-02-01"), "{:?}", field(8));
    assert_eq!(
        ledger(&app, &acc).await,
        vec![
            ("new".into(), 0, 12_000_000),
            ("expansion".into(), 12_000_000, 15_000_000),
            ("churn".into(), 15_000_000, 0)
        ]
    );
    assert_eq!(
        ledger(&app, &other).await,
        vec![("new".into(), 0, 12_000_000)],
        "refused rows write nothing"
    );
    // The churn marked the account Churned; its ARR is 0.
    let a = admin.ok("accounts/get", &[("id", acc.as_str())]).await;
    assert_eq!(
        (a["account"]["stage"].clone(), a["account"]["arr_minor"].clone()),
        (json!("churned"), json!(0)),
        "{a}"
    );
    // A reactivation brings it back.
    let (s, b) = send(
        &app,
        &key,
        "POST",
        "/api/v1/arr-movements",
        Some(json!([mv(&acc, "reactivation", "2026-06-01", 0, 9_000_000, "back")]).to_string()),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    let a = admin.ok("accounts/get", &[("id", acc.as_str())]).await;
    assert_eq!(
        (a["account"]["stage"].clone(), a["account"]["arr_minor"].clone()),
        (json!("onboarding"), json!(9_000_000))
    );

    // Hostile: no key, the wrong scope, a forged key, too many rows, junk, oversized fields.
    let events_only = {
        let scopes = vec!["events:write".to_string()];
        app::store::api_keys::create(&app.db, "events", &scopes, None).await.unwrap().1
    };
    let (s, _) = send(&app, &events_only, "POST", "/api/v1/arr-movements", Some("[]".into())).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = send(&app, "bw_forged", "POST", "/api/v1/arr-movements", Some("[]".into())).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) =
        send(&app, &events_only, "GET", "/api/v1/metrics?from=2026-01-01&to=2026-02-01", None)
            .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let many: Vec<Value> =
        (0..10_001).map(|i| mv(&acc, "expansion", "2026-07-01", 1, 2, &format!("k{i}"))).collect();
    let (s, _) =
        send(&app, &key, "POST", "/api/v1/arr-movements", Some(json!(many).to_string())).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    let (s, _) =
        send(&app, &key, "POST", "/api/v1/arr-movements", Some("{\"rows\": 1}".into())).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let long = "x".repeat(5000);
    let junk = json!([
        json!({"account_id": acc, "kind": "expansion", "on": "2026-07-01", "arr_before": 9_000_000, "arr_after": 9_500_000,
            "currency": "USD", "idempotency_key": long}),
        json!({"account_id": acc, "kind": "expansion", "on": "2026-07-01", "arr_before": 9_000_000.5, "arr_after": 9_500_000,
            "currency": "USD", "idempotency_key": "float"}),
        json!({"account_id": acc, "kind": "expansion", "on": "2026-07-01", "arr_before": 9_000_000, "arr_after": 9_500_000,
            "currency": "USD", "idempotency_key": "why", "reason": long}),
        json!({"account_id": acc, "kind": "expansion", "on": "2099-01-01", "arr_before": 9_000_000, "arr_after": 9_500_000,
            "currency": "USD", "idempotency_key": "future"}),
        json!("not an object"),
    ]);
    let (s, b) = send(&app, &key, "POST", "/api/v1/arr-movements", Some(junk.to_string())).await;
    assert_eq!((s, b["rejected"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!(5)), "{b}");
    assert_eq!(ledger(&app, &acc).await.len(), 4);
}

#[tokio::test]
async fn the_account_form_records_its_arr_changes_as_movements() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let acc = create_account(&admin, "Form Co", "smb").await;
    // The portfolio index (what lists, sums and health bands read) hears the ARR the create
    // recorded, not the 0 the account starts from.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let page = admin.ok("accounts/portfolio", &[]).await;
    assert_eq!(page["rows"][0]["arr_minor"], 12_000_000, "{page}");
    let form = |arr: &'static str, stage: &'static str, on: &'static str, reason: &'static str| {
        let mut f =
            with(account_form("Form Co", "smb"), &[("input[arr]", arr), ("input[stage]", stage)]);
        f.push(("input[arr_on]", on));
        f.push(("input[arr_reason]", reason));
        f
    };
    let mut upd = form("150000", "growth", "2026-03-01", "Added 20 seats");
    upd.insert(0, ("id", acc.as_str()));
    admin.ok("accounts/update", &upd).await;
    let mut churn = form("150000", "churned", "2026-04-01", "Budget cut");
    churn.insert(0, ("id", acc.as_str()));
    admin.ok("accounts/update", &churn).await;
    let r = app::service::revenue::of_account(&app.state, &acc).await.unwrap();
    let kinds: Vec<(&str, i64, Option<&str>)> =
        r.movements.iter().map(|m| (m.kind.key(), m.arr_after, m.reason.as_deref())).collect();
    assert_eq!(
        kinds,
        vec![
            ("new", 12_000_000, None),
            ("expansion", 15_000_000, Some("Added 20 seats")),
            ("churn", 0, Some("Budget cut"))
        ]
    );
    // Coming back from Churned needs an ARR above 0, and a date not before the churn.
    let mut back = form("0", "growth", "2026-05-01", "");
    back.insert(0, ("id", acc.as_str()));
    let b = admin.invalid("accounts/update", &back).await;
    assert!(field_error(&b, "arr").is_some(), "{b}");
    let mut early = form("90000", "growth", "2026-03-15", "");
    early.insert(0, ("id", acc.as_str()));
    let b = admin.invalid("accounts/update", &early).await;
    assert!(field_error(&b, "arr_on").unwrap().contains("in order"), "{b}");
    // The refused saves changed nothing, the account included.
    let a = admin.ok("accounts/get", &[("id", acc.as_str())]).await;
    assert_eq!(a["account"]["stage"], "churned");
    let mut ok = form("90000", "growth", "2026-05-01", "Came back");
    ok.insert(0, ("id", acc.as_str()));
    admin.ok("accounts/update", &ok).await;
    assert_eq!(
        ledger(&app, &acc).await.last().unwrap(),
        &("reactivation".to_string(), 0, 9_000_000)
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let page = admin.ok("accounts/portfolio", &[]).await;
    assert_eq!(page["rows"][0]["arr_minor"], 9_000_000, "{page}");
    // The movements card records a change too; the kind follows from the amounts.
    let r = admin
        .ok(
            "revenue/record",
            &[
                ("account", acc.as_str()),
                ("form[on]", "2026-06-01"),
                ("form[arr]", "80,000"),
                ("form[reason]", "Fewer seats"),
            ],
        )
        .await;
    assert_eq!(r["arr"], 8_000_000);
    let b = admin
        .invalid(
            "revenue/record",
            &[
                ("account", acc.as_str()),
                ("form[on]", "2026-06-01"),
                ("form[arr]", "80000"),
                ("form[reason]", ""),
            ],
        )
        .await;
    assert!(field_error(&b, "arr").is_some(), "same ARR: nothing to record: {b}");
    let viewer = user_with_role(&app, &admin, "exec").await;
    let (s, _) = viewer
        .call(
            "revenue/record",
            &[
                ("account", acc.as_str()),
                ("form[on]", "2026-06-02"),
                ("form[arr]", "1"),
                ("form[reason]", ""),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
