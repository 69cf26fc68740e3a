//! The SLA compliance report and uptime, over HTTP: escalations judged against their own
//! policy version's targets (a clock still running is not judged), the report's refusals by
//! field (a period backwards, longer than 24 months, not a date), who may read it, and an
//! incident month under its uptime target raising an alert.

use super::escalations::{get, key, post, ALL};
use crate::common::*;
use chrono::{Datelike, Duration, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::json;

/// Opens an escalation `hours_ago` through the API and records `events` at minutes after the
/// opening; returns its id.
async fn mirrored(
    app: &TestApp, k: &str, account: &str, severity: &str, hours_ago: i64, events: &[(&str, i64)],
) -> String {
    let opened = Utc::now() - Duration::hours(hours_ago);
    let body = json!({ "account_id": account, "type": "technical", "severity": severity,
                       "title": format!("{severity} from the helpdesk"), "opened_at": opened });
    let (status, e) = post(app, k, "/api/v1/escalations", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    let id = e["id"].as_str().unwrap().to_string();
    for (kind, minutes) in events {
        let mut ev = json!({ "kind": kind, "at": opened + Duration::minutes(*minutes) });
        if *kind == "resolved" {
            ev["root_cause"] = json!("configuration");
        }
        let (status, body) = post(app, k, &format!("/api/v1/escalations/{id}/events"), &ev).await;
        assert_eq!(status, StatusCode::OK, "{kind}: {body}");
    }
    id
}

#[tokio::test]
async fn the_report_judges_stopped_clocks_against_their_targets_and_refuses_bad_periods() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let k = key(&app, ALL).await;
    let acc = create_account(&c, "Helpdesk Co", "smb").await;
    // Default policy, 24/7: P1 first response 1 h, resolution 8 h; P3 8 h and 80 h.
    // P1 answered after 30 min and resolved after 2 h: both in time.
    mirrored(&app, &k, &acc, "P1", 3, &[("first_response", 30), ("resolved", 120)]).await;
    // P3 answered after 9 h (target 8 h): missed; resolved after 9 h 30: in time.
    mirrored(&app, &k, &acc, "P3", 10, &[("first_response", 540), ("resolved", 570)]).await;
    // A P4 still open within its targets: counted, not judged.
    mirrored(&app, &k, &acc, "P4", 1, &[]).await;

    let month = Utc::now().date_naive().with_day(1).unwrap().to_string();
    let r = c.ok("sla/report", &[("from", &month), ("to", &month)]).await;
    let o = &r["overall"];
    assert_eq!(o["escalations"], 3, "{r}");
    assert_eq!(
        (o["first_response_judged"].as_u64(), o["first_response_met"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!((o["resolution_judged"].as_u64(), o["resolution_met"].as_u64()), (Some(2), Some(2)));
    // Business minutes to first response: 30 and 540 — median 285, p90 the larger.
    assert_eq!(
        (o["median_first_response"].as_f64(), o["p90_first_response"].as_f64()),
        (Some(285.0), Some(540.0))
    );
    assert_eq!(
        (o["median_resolution"].as_f64(), o["p90_resolution"].as_f64()),
        (Some(345.0), Some(570.0))
    );
    let p3 = r["by_severity"].as_array().unwrap().iter().find(|row| row[0] == "P3").unwrap();
    assert_eq!(p3[1]["first_response_met"], 0, "{p3}");

    // Refusals name the field; an executive reads; a stranger does not.
    let later = Utc::now().date_naive().with_day(1).unwrap() + Duration::days(40);
    let backwards =
        c.refused("sla/report", &[("from", &later.to_string()), ("to", &month)], ["to"]).await;
    assert!(backwards[0].contains("before the start"), "{backwards:?}");
    let long =
        c.refused("sla/report", &[("from", "2020-01-01"), ("to", "2026-01-01")], ["to"]).await;
    assert!(long[0].contains("24 months"), "{long:?}");
    let (status, _) = c.call("sla/report", &[("from", "2026-13-01"), ("to", &month)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "not a date");
    let exec = user_with_role(&app, &c, "exec").await;
    assert_eq!(
        exec.ok("sla/report", &[("from", &month), ("to", &month)]).await["overall"]["escalations"],
        3
    );
    let (status, _) =
        Client::new(&app).call("sla/report", &[("from", &month), ("to", &month)]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_month_under_its_uptime_target_raises_an_alert() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let k = key(&app, ALL).await;
    let acc = create_account(&c, "Outage Co", "smb").await;
    let fine = create_account(&c, "Fine Co", "smb").await;
    // 70 minutes down in the middle of last month: under 99.9 % (43 minutes allowed in 30 days).
    let this = Utc::now().date_naive().with_day(1).unwrap();
    let last = (this - Duration::days(1)).with_day(10).unwrap();
    let start = Utc.from_utc_datetime(&last.and_hms_opt(10, 0, 0).unwrap());
    let body = json!({ "start": start, "end": start + Duration::minutes(70), "accounts": [acc], "severity": "P1",
                       "title": "Database failover", "external_id": "status-1" });
    let (status, inc) = post(&app, &k, "/api/v1/incidents", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{inc}");
    // The monitor sends it again (idempotent by external id).
    let (_, again) = post(&app, &k, "/api/v1/incidents", &body).await;
    assert_eq!(again["id"], inc["id"]);
    assert_eq!(rows(&app, "incident").await, 1);
    let uptime = c.ok("escalations/uptime", &[("account", &acc)]).await;
    let month = &uptime[1];
    assert_eq!(month["down_minutes"], 70, "{uptime}");
    assert_eq!(month["met"], false);
    app::service::alerts::evaluate(&app.db, &app.state.portfolio, None).await.unwrap();
    let (_, body) =
        get(&app, &k, &format!("/api/v1/alerts?account_id={acc}&rule=sla_breach")).await;
    assert_eq!(body["alerts"][0]["evidence"]["kind"], "uptime", "{body}");
    let (_, body) =
        get(&app, &k, &format!("/api/v1/alerts?account_id={fine}&rule=sla_breach")).await;
    assert_eq!(body["alerts"].as_array().unwrap().len(), 0);
}
