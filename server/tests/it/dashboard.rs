//! The executive dashboard through the real server: whose accounts a view covers (a CSM's own
//! book by default, the whole company on request), filters refused by name, drill-downs, the
//! live stream that tells open dashboards about a write, and the movements CSV import.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn tile<'a>(d: &'a Value, key: &str) -> &'a Value {
    d["tiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == key)
        .unwrap_or_else(|| panic!("{key}: {d}"))
}

/// The dashboard for a custom period, waiting (briefly) for the in-memory ledger to hear of
/// the latest movements through its live query.
async fn view(c: &Client, extra: &[(&str, &str)], until: impl Fn(&Value) -> bool) -> Value {
    let mut form = vec![
        ("filter[period]", "custom"),
        ("filter[from]", "2026-02-01"),
        ("filter[to]", "2026-11-30"),
    ];
    form.extend_from_slice(extra);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let d = c.ok("revenue/dashboard", &form).await;
        if until(&d) || Instant::now() > deadline {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_dashboard_covers_the_right_book_and_drills_down_to_the_accounts() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let csm = user_with_role(&app, &admin, "csm").await;
    let csm_id = csm.my_id().await;
    let exec = user_with_role(&app, &admin, "exec").await;
    let a = create_account(&admin, "Grows Co", "smb").await;
    let _b = create_account(&admin, "Flat Co", "smb").await;
    let mine = id_of(
        &admin
            .ok(
                "accounts/create",
                &with(account_form("Csm Co", "smb"), &[("input[owner_id]", csm_id.as_str())]),
            )
            .await,
    );
    // 120 000 → 150 000 on 1 March: the cohort's S is 360 000, expansion 30 000.
    admin
        .ok(
            "revenue/record",
            &[
                ("account", a.as_str()),
                ("form[on]", "2026-03-01"),
                ("form[arr]", "150000"),
                ("form[reason]", "Seats"),
            ],
        )
        .await;

    let d = view(&exec, &[], |d| tile(d, "nrr")["now"].as_f64().is_some_and(|v| v > 1.0)).await;
    assert_eq!(d["scope"], "Whole company");
    assert!(
        (tile(&d, "nrr")["now"].as_f64().unwrap() - 390_000.0 / 360_000.0).abs() < 1e-12,
        "{d}"
    );
    assert_eq!(tile(&d, "grr")["now"], 1.0);
    assert_eq!(tile(&d, "arr")["now"], 39_000_000.0);
    assert!(tile(&d, "nrr")["formula"]
        .as_str()
        .unwrap()
        .contains("(S + expansion − contraction − churn) ÷ S"));
    let w = &d["waterfall"];
    assert_eq!(
        (w["start"].clone(), w["expansion"].clone(), w["end"].clone()),
        (json!(36_000_000), json!(3_000_000), json!(39_000_000))
    );

    // A CSM sees their own book unless they ask for the whole company.
    let d = view(&csm, &[], |_| true).await;
    assert_eq!((d["scope"].clone(), d["own_book"].clone()), (json!("Your book"), json!(true)));
    assert_eq!(tile(&d, "arr")["now"], 12_000_000.0);
    let d = view(&csm, &[("filter[owner]", "all")], |_| true).await;
    assert_eq!(tile(&d, "arr")["now"], 39_000_000.0);

    // Drill-down from NRR to the expanded accounts.
    let form = [
        ("filter[period]", "custom"),
        ("filter[from]", "2026-02-01"),
        ("filter[to]", "2026-11-30"),
        ("drill", "Expanded"),
    ];
    let dd = exec.ok("revenue/drill", &form).await;
    let rows = dd["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{dd}");
    assert_eq!(
        (rows[0]["account"].clone(), rows[0]["arr_before"].clone(), rows[0]["arr_after"].clone()),
        (json!(a), json!(12_000_000), json!(15_000_000))
    );
    let csv = exec.get("/exports/dashboard-drill.csv?period=custom&from=2026-02-01&to=2026-11-30&drill=expanded").await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.text().await.unwrap().contains("Grows Co"));
    let _ = mine;

    // Filters are refused by name.
    for (field, value) in [
        ("period", "weekly"),
        ("segment", "nope"),
        ("currency", "XXX"),
        ("owner", "nobody"),
        ("from", "2026-02-30"),
    ] {
        let key = format!("filter[{field}]");
        let mut form = vec![(key.as_str(), value)];
        if field != "period" {
            form.push(("filter[period]", "month"));
        }
        let b = exec.invalid("revenue/dashboard", &form).await;
        assert!(field_error(&b, field).is_some(), "{field}: {b}");
    }
    // Signed-out visitors see nothing.
    let (s, _) = Client::new(&app).call("revenue/dashboard", &[]).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Only admins change the gross margin; it changes CLV's inputs at once.
    let (s, _) = csm.call("revenue/settings/save", &[("gross_margin", "70")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let b = admin.invalid("revenue/settings/save", &[("gross_margin", "170")]).await;
    assert!(field_error(&b, "gross_margin").is_some());
    admin.ok("revenue/settings/save", &[("gross_margin", "70")]).await;
    let d = view(&exec, &[], |_| true).await;
    assert!(tile(&d, "clv")["inputs"].to_string().contains("70 %"), "{}", tile(&d, "clv"));

    // Currencies are never added up unless an admin set conversion rates; then it says so.
    let eur = with(
        account_form("Euro Co", "smb"),
        &[("input[currency]", "EUR"), ("input[arr]", "100000")],
    );
    admin.ok("accounts/create", &eur).await;
    let all = [("filter[currency]", "ALL")];
    let b = exec.invalid("revenue/dashboard", &[("filter[period]", "month"), all[0]]).await;
    assert!(field_error(&b, "currency").unwrap().contains("Settings → Revenue"), "{b}");
    let b = admin
        .invalid(
            "revenue/settings/rates",
            &[("reporting", "USD"), ("rates", "EUR, 1.1, 2026-01-01\nEUR, x, 2026-02-01")],
        )
        .await;
    assert!(field_error(&b, "rates").unwrap().starts_with("line 2"), "{b}");
    admin
        .ok("revenue/settings/rates", &[("reporting", "USD"), ("rates", "EUR, 1.1, 2026-01-01")])
        .await;
    let d = view(&exec, &all, |d| tile(d, "arr")["now"].as_f64().is_some_and(|v| v > 39_000_000.0))
        .await;
    assert_eq!(tile(&d, "arr")["now"], 39_000_000.0 + 11_000_000.0, "{d}");
    assert!(d["converted"].as_str().unwrap().contains("EUR 1.1"), "{d}");
    assert_eq!(d["currency"], "USD");
    let d = view(&exec, &[], |_| true).await;
    assert!(d["currencies"].as_array().unwrap().contains(&json!("ALL")), "{d}");
    assert!(d["converted"].is_null());
}

/// Reads the SSE stream until an event named `changed` arrives, or `within` passes.
async fn changed(res: &mut reqwest::Response, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    let mut seen = String::new();
    while Instant::now() < deadline {
        match tokio::time::timeout(deadline - Instant::now(), res.chunk()).await {
            Ok(Ok(Some(bytes))) => {
                seen.push_str(&String::from_utf8_lossy(&bytes));
                if seen.contains("event: changed") {
                    return true;
                }
            }
            _ => return false,
        }
    }
    false
}

#[tokio::test]
async fn open_dashboards_hear_of_a_movement_within_a_second() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let acc = create_account(&admin, "Live Co", "smb").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut res = admin.get("/live/dashboard").await;
    assert_eq!(res.status(), StatusCode::OK);
    // Nothing happened yet: no event.
    assert!(!changed(&mut res, Duration::from_millis(300)).await);
    let key = {
        let scopes = vec!["revenue:write".to_string()];
        app::store::api_keys::create(&app.db, "live", &scopes, None).await.unwrap().1
    };
    let started = Instant::now();
    let body = json!([{"account_id": acc, "kind": "expansion", "on": "2026-06-01", "arr_before": 12_000_000,
        "arr_after": 13_000_000, "currency": "USD", "idempotency_key": "live-1"}]);
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/arr-movements", app.base))
        .header("authorization", format!("Bearer {key}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    assert!(changed(&mut res, Duration::from_secs(1)).await, "no change event within a second");
    println!("movement → dashboard event: {} ms", started.elapsed().as_millis());
    // Signed-out visitors get no stream.
    let res = Client::new(&app).get("/live/dashboard").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_movements_csv_is_previewed_then_imported_once() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let acc = create_account(&admin, "Csv Co", "smb").await;
    let csv = format!(
        "account_id,kind,on,arr_before,arr_after,currency,reason\n{acc},expansion,2026-03-01,12000000,14000000,USD,Upsell\n\
         {acc},expansion,2026-04-01,14000000,13000000,USD,Wrong kind\nnope,churn,2026-04-01,1,0,USD,\n"
    );
    let p = admin.ok("revenue/import/preview", &[("csv", csv.as_str())]).await;
    assert_eq!(
        (p["preview"].clone(), p["refused"].clone(), p["stored"].clone()),
        (json!(true), json!(2), json!(0)),
        "{p}"
    );
    let rows = p["rows"].as_array().unwrap();
    assert_eq!(
        (rows[0]["outcome"].clone(), rows[1]["field"].clone(), rows[2]["field"].clone()),
        (json!("new"), json!("kind"), json!("account_id"))
    );
    assert_eq!(rows[1]["line"], 3);
    // The preview wrote nothing.
    let r = app::service::revenue::of_account(&app.state, &acc).await.unwrap();
    assert_eq!(r.movements.len(), 1);
    let i = admin.ok("revenue/import", &[("csv", csv.as_str())]).await;
    assert_eq!((i["stored"].clone(), i["refused"].clone()), (json!(1), json!(2)), "{i}");
    let again = admin.ok("revenue/import", &[("csv", csv.as_str())]).await;
    assert_eq!(
        (again["stored"].clone(), again["duplicates"].clone()),
        (json!(0), json!(1)),
        "{again}"
    );
    let r = app::service::revenue::of_account(&app.state, &acc).await.unwrap();
    assert_eq!((r.movements.len(), r.arr), (2, 14_000_000));
    assert_eq!(r.movements[1].source, "import");
    // Bad files and non-admins are refused.
    let b = admin.invalid("revenue/import/preview", &[("csv", "name,amount\nx,1\n")]).await;
    assert!(field_error(&b, "csv").unwrap().contains("kind"), "{b}");
    let big = "x".repeat(4 * 1024 * 1024 + 1);
    let (s, _) = admin.call("revenue/import/preview", &[("csv", big.as_str())]).await;
    assert!(s == StatusCode::UNPROCESSABLE_ENTITY || s == StatusCode::PAYLOAD_TOO_LARGE, "{s}");
    let csm = user_with_role(&app, &admin, "csm").await;
    let (s, _) = csm.call("revenue/import", &[("csv", csv.as_str())]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
