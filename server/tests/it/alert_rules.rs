//! Alert rule sets and playbooks through the real server, as Settings → Alerts sends them: every
//! save is the next version and the alerts raised after it carry it; a segment's own set covers
//! its accounts only (and its removal hands them back to the default set); every number out of
//! bounds refused by `<kind>.threshold` / `<kind>.window` with nothing written; forged scopes,
//! the default set's removal and other roles refused; playbooks checked by step, and a saved
//! playbook's steps are the tasks of the next alert of its kind.

use crate::common::*;
use app::model::alert::{Playbook, PlaybookStep, RuleKind, RulesConfig, Severity};
use app::model::engagement::TouchpointKind;
use app::model::TeamRole;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

/// Saves `config` as the next version of the rule set of `scope`, as the settings page does.
async fn save_rules(c: &Client, scope: &str, config: &RulesConfig) -> reqwest::Response {
    c.post_json("alerts/rules/save", &json!({ "scope": scope, "config": config })).await
}

async fn save_playbook(c: &Client, playbook: &Value) -> reqwest::Response {
    c.post_json("alerts/playbook/save", &json!({ "playbook": playbook })).await
}

/// The answer of a refused JSON call: its status and body.
async fn answer(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// The defaults with `kind`'s rule changed by `f`.
fn rules_with(kind: RuleKind, f: impl FnOnce(&mut app::model::alert::RuleConfig)) -> RulesConfig {
    let mut config = RulesConfig::default();
    f(config.rules.iter_mut().find(|r| r.kind == kind).unwrap());
    config
}

/// An account of `tier` renewing far ahead (so `renewal_at_risk` stays quiet) with an
/// onboarding plan started 200 days ago, whose milestones are long past due; returns its id.
async fn late_account(c: &Client, name: &str, tier: &str) -> String {
    let form = with(account_form(name, tier), &[("input[renewal_date]", "2029-06-01")]);
    let acc = id_of(&c.ok("accounts/create", &form).await);
    let start = (chrono::Utc::now().date_naive() - chrono::Duration::days(200)).to_string();
    onboarding_plan(c, &acc, "Onboarding", &start).await;
    acc
}

/// The account's alerts of `rule` (any status), read as the Alerts page reads them.
async fn alerts_of(c: &Client, account: &str, rule: &str) -> Vec<Value> {
    let statuses = ["open", "acknowledged", "snoozed", "resolved", "dismissed"];
    let filter =
        json!({ "filter": { "account_id": account, "rules": [rule], "statuses": statuses } });
    let page = c.expect_json(StatusCode::OK, "alerts/list", &filter).await;
    page["alerts"].as_array().unwrap().clone()
}

/// Runs the full pass, as the daily pass does. A pass that overlaps the streaming one (after a
/// plan or a save) can fail where both open the same alert (reported; see the store's
/// `alerts::apply`), so a failed pass is run again, as the next change or day would.
async fn evaluate_all(app: &TestApp) {
    let mut last = None;
    for _ in 0..20 {
        match app::service::alerts::evaluate(&app.db, &app.state.portfolio, None).await {
            Ok(_) => return,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the full pass keeps failing: {last:?}");
}

/// Runs the full pass (as the daily pass does) until the account has an alert of `rule`
/// (the portfolio index hears of new accounts through a live query), up to 10 s.
async fn evaluated_alert(app: &TestApp, c: &Client, account: &str, rule: &str) -> Value {
    for _ in 0..100 {
        evaluate_all(app).await;
        if let Some(a) = alerts_of(c, account, rule).await.into_iter().next() {
            return a;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no {rule} alert on {account}");
}

/// Waits until the portfolio index counts `n` accounts, so a full pass sees them all.
async fn indexed(c: &Client, n: u64) {
    for _ in 0..200 {
        if portfolio_total(c, &[]).await == n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the index never counted {n} accounts");
}

#[tokio::test]
async fn saving_a_rule_set_makes_the_next_version_and_new_alerts_carry_it() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let overview = c.ok("alerts/rules", &[]).await;
    assert_eq!(overview["can_edit"], true);
    assert_eq!(overview["sets"].as_array().unwrap().len(), 1, "{overview}");
    assert_eq!(overview["sets"][0]["scope"], "default");
    assert_eq!(overview["sets"][0]["version"], 1);
    assert_eq!(overview["playbooks"].as_array().unwrap().len(), RuleKind::ALL.len());
    // Missed milestones become high severity and need 3 days' delay: version 2, by Ada.
    let config = rules_with(RuleKind::MissedMilestone, |r| {
        r.severity = Severity::High;
        r.threshold = 3;
    });
    let saved = c
        .expect_json(
            StatusCode::OK,
            "alerts/rules/save",
            &json!({ "scope": "default", "config": config }),
        )
        .await;
    assert_eq!(saved["version"], 2, "{saved}");
    assert_eq!(saved["created_by"], "Ada Admin");
    let overview = c.ok("alerts/rules", &[]).await;
    assert_eq!(overview["sets"][0]["version"], 2);
    assert_eq!(overview["sets"][0]["config"], serde_json::to_value(&config).unwrap());
    // An alert raised afterwards names version 2 and takes its severity.
    let acc = late_account(&c, "Late Corp", "smb").await;
    let alert = evaluated_alert(&app, &c, &acc, "missed_milestone").await;
    assert_eq!(alert["rule_version"], 2, "{alert}");
    assert_eq!(alert["severity"], "high", "{alert}");
    assert_eq!(rows(&app, "alert_rules").await, 2, "both versions are kept");
}

#[tokio::test]
async fn a_segments_own_rules_cover_its_accounts_only_until_removed() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let enterprise = save_segment(&c, "Enterprise", "tier=enterprise").await;
    let quiet = rules_with(RuleKind::MissedMilestone, |r| r.enabled = false);
    let (status, saved) = answer(save_rules(&c, &enterprise, &quiet).await).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["version"], 1);
    assert_eq!(saved["name"], "Enterprise");
    assert_eq!(saved["segment_id"], enterprise.as_str());
    let sets = c.ok("alerts/rules", &[]).await["sets"].clone();
    let scopes: Vec<&str> =
        sets.as_array().unwrap().iter().map(|s| s["scope"].as_str().unwrap()).collect();
    assert_eq!(scopes, ["default", enterprise.as_str()], "the default set first");
    let big = late_account(&c, "Big Co", "enterprise").await;
    let small = late_account(&c, "Small Co", "smb").await;
    indexed(&c, 2).await;
    // The SMB account follows the default rules; the enterprise one's set has the rule off.
    evaluated_alert(&app, &c, &small, "missed_milestone").await;
    evaluate_all(&app).await;
    assert!(
        alerts_of(&c, &big, "missed_milestone").await.is_empty(),
        "the segment's set has it off"
    );
    // Removed, the segment's accounts fall back to the default set.
    c.ok("alerts/rules/retire", &[("scope", &enterprise)]).await;
    let sets = c.ok("alerts/rules", &[]).await["sets"].clone();
    assert_eq!(sets.as_array().unwrap().len(), 1, "{sets}");
    let alert = evaluated_alert(&app, &c, &big, "missed_milestone").await;
    assert_eq!(alert["rule_scope"], "Default", "{alert}");
    // Removing it again: there is nothing in force to remove.
    c.expect(StatusCode::NOT_FOUND, "alerts/rules/retire", &[("scope", &enterprise)]).await;
}

#[tokio::test]
async fn every_number_out_of_bounds_is_refused_by_field_and_nothing_is_written() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    c.ok("alerts/rules", &[]).await;
    let before = rows(&app, "alert_rules").await;
    assert_eq!(before, 1, "version 1 of the default set");
    for kind in RuleKind::ALL.iter().copied() {
        for (name, param) in [("threshold", kind.threshold()), ("window", kind.window())] {
            let Some(p) = param else { continue };
            for bad in [p.min - 1, p.max + 1, u32::MAX] {
                let config = rules_with(kind, |r| {
                    if name == "threshold" {
                        r.threshold = bad
                    } else {
                        r.window = bad
                    }
                });
                let (status, body) = answer(save_rules(&c, "default", &config).await).await;
                assert_eq!(
                    status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{kind:?} {name} {bad}: {body}"
                );
                let field = format!("{}.{name}", kind.key());
                let msg = field_error(&body, &field).unwrap_or_else(|| panic!("{field}? {body}"));
                assert!(msg.contains(&format!("between {} and {}", p.min, p.max)), "{msg}");
            }
        }
    }
    // All at once: each named.
    let mut config = RulesConfig::default();
    for r in &mut config.rules {
        r.threshold = 0;
        r.window = 0;
    }
    let (status, body) = answer(save_rules(&c, "default", &config).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&body, "declining_engagement.threshold").is_some(), "{body}");
    assert!(field_error(&body, "renewal_at_risk.window").is_some(), "{body}");
    assert!(field_error(&body, "missed_milestone.window").is_none(), "the kind has no window");
    // A rule listed twice; not numbers at all; an unknown kind, severity or scope shape.
    let mut twice = RulesConfig::default();
    twice.rules.push(twice.rules[0]);
    let (status, body) = answer(save_rules(&c, "default", &twice).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&body, "declining_engagement").is_some(), "{body}");
    let mut raw = serde_json::to_value(RulesConfig::default()).unwrap();
    for (field, value) in [
        ("threshold", json!(-5)),
        ("threshold", json!("forty")),
        ("window", json!(5_000_000_000u64)),
        ("severity", json!("apocalyptic")),
        ("kind", json!("churn_predicted")),
    ] {
        let saved = raw["rules"][0][field].clone();
        raw["rules"][0][field] = value.clone();
        let res =
            c.post_json("alerts/rules/save", &json!({ "scope": "default", "config": raw })).await;
        let (status, body) = answer(res).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}={value}: {body}");
        raw["rules"][0][field] = saved;
    }
    assert_eq!(rows(&app, "alert_rules").await, before, "nothing written");
    assert_eq!(c.ok("alerts/rules", &[]).await["sets"][0]["version"], 1);
}

#[tokio::test]
async fn forged_scopes_and_removing_the_default_rules_are_refused() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    c.ok("alerts/rules", &[]).await;
    let acc = create_account(&c, "Not A Segment", "smb").await;
    let before = rows(&app, "alert_rules").await;
    let long = "s".repeat(101);
    for scope in
        ["", "   ", "forged", acc.as_str(), "segment:forged", "x' OR 1=1 --", "⚠️", long.as_str()]
    {
        let (status, body) = answer(save_rules(&c, scope, &RulesConfig::default()).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{scope:?}: {body}");
        assert!(field_error(&body, "segment").is_some(), "{scope:?}: {body}");
    }
    let body = c.invalid("alerts/rules/retire", &[("scope", "default")]).await;
    assert!(field_error(&body, "scope").unwrap().contains("cannot be removed"), "{body}");
    c.expect(StatusCode::NOT_FOUND, "alerts/rules/retire", &[("scope", "forged")]).await;
    assert_eq!(rows(&app, "alert_rules").await, before, "nothing written");
    let sets = c.ok("alerts/rules", &[]).await["sets"].clone();
    assert_eq!(sets.as_array().unwrap().len(), 1, "the default set is still in force: {sets}");
}

#[tokio::test]
async fn csms_and_executives_read_the_rules_but_change_nothing() {
    let app = spawn_app().await;
    let admin_c = admin(&app).await;
    let seg = save_segment(&admin_c, "SMB", "tier=smb").await;
    admin_c
        .expect_json(
            StatusCode::OK,
            "alerts/rules/save",
            &json!({ "scope": seg, "config": RulesConfig::default() }),
        )
        .await;
    // The first read makes version 1 of the default set; count after it.
    admin_c.ok("alerts/rules", &[]).await;
    let before = (rows(&app, "alert_rules").await, rows(&app, "playbook").await);
    let playbook = serde_json::to_value(Playbook::default_for(RuleKind::HealthDrop)).unwrap();
    for role in ["csm", "exec"] {
        let c = user_with_role(&app, &admin_c, role).await;
        let overview = c.ok("alerts/rules", &[]).await;
        assert_eq!(overview["can_edit"], false, "{role}");
        let res = save_rules(&c, "default", &RulesConfig::default()).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role} saves");
        let (status, _) = c.call("alerts/rules/retire", &[("scope", &seg)]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role} removes");
        assert_eq!(
            save_playbook(&c, &playbook).await.status(),
            StatusCode::FORBIDDEN,
            "{role} playbook"
        );
    }
    assert_eq!(
        (rows(&app, "alert_rules").await, rows(&app, "playbook").await),
        before,
        "nothing written"
    );
    assert_eq!(admin_c.ok("alerts/rules", &[]).await["sets"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn playbooks_are_checked_step_by_step_and_nothing_is_written() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let step = |title: &str, days: u32| json!({ "title": title, "due_after_days": days, "owner_role": "csm", "touchpoint": null });
    let refusals: [(Value, &[&str]); 5] = [
        (json!([step("Call", 1), step("   ", 2)]), &["steps.2.title"]),
        (json!([step("Call", 400)]), &["steps.1.due_after_days"]),
        (
            json!([step(&"x".repeat(201), 1), step("", 366)]),
            &["steps.1.title", "steps.2.title", "steps.2.due_after_days"],
        ),
        (Value::Array(vec![step("Call", 1); 13]), &["steps"]),
        (json!([step("Call", 1), step("Re-plan", 1)]), &[]),
    ];
    for (steps, fields) in refusals {
        let res = save_playbook(&c, &json!({ "rule": "missed_milestone", "steps": steps })).await;
        let (status, body) = answer(res).await;
        if fields.is_empty() {
            assert_eq!(status, StatusCode::OK, "a good playbook: {body}");
            continue;
        }
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        for f in fields {
            assert!(field_error(&body, f).is_some(), "{f}? {body}");
        }
    }
    assert_eq!(rows(&app, "playbook").await, 1, "only the good one");
    // Not a rule kind, a role or a touchpoint kind; a negative day: unreadable, nothing written.
    for bad in [
        json!({ "rule": "churn_predicted", "steps": [step("Call", 1)] }),
        json!({ "rule": "health_drop", "steps": [{ "title": "Call", "due_after_days": 1, "owner_role": "ceo" }] }),
        json!({ "rule": "health_drop", "steps": [{ "title": "Call", "due_after_days": 1, "owner_role": "csm", "touchpoint": "fax" }] }),
        json!({ "rule": "health_drop", "steps": [{ "title": "Call", "due_after_days": -1, "owner_role": "csm" }] }),
    ] {
        let (status, body) = answer(save_playbook(&c, &bad).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
    }
    assert_eq!(rows(&app, "playbook").await, 1, "nothing more written");
    // A playbook with no steps is allowed: its alerts open without tasks.
    let (status, body) =
        answer(save_playbook(&c, &json!({ "rule": "health_drop", "steps": [] })).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_saved_playbooks_steps_are_the_tasks_of_the_next_alert_of_its_kind() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let playbook = Playbook {
        rule: RuleKind::MissedMilestone,
        steps: vec![
            PlaybookStep {
                title: "  Ask the sponsor what blocks the milestone ".into(),
                due_after_days: 0,
                owner_role: TeamRole::AccountManager,
                touchpoint: Some(TouchpointKind::Meeting),
            },
            PlaybookStep {
                title: "Re-plan with the customer".into(),
                due_after_days: 4,
                owner_role: TeamRole::Csm,
                touchpoint: None,
            },
            PlaybookStep {
                title: "Confirm the new date in writing".into(),
                due_after_days: 9,
                owner_role: TeamRole::Csm,
                touchpoint: Some(TouchpointKind::Email),
            },
        ],
    };
    let res = save_playbook(&c, &serde_json::to_value(&playbook).unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let overview = c.ok("alerts/rules", &[]).await;
    let stored = overview["playbooks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["rule"] == "missed_milestone")
        .unwrap()
        .clone();
    assert_eq!(stored["steps"][0]["title"], "Ask the sponsor what blocks the milestone", "trimmed");
    assert_eq!(stored["steps"].as_array().unwrap().len(), 3);
    // The next missed-milestone alert gets these three steps, due from the day it opened.
    let acc = late_account(&c, "Slipping Co", "smb").await;
    let alert = evaluated_alert(&app, &c, &acc, "missed_milestone").await;
    let detail = c.ok("alerts/view", &[("id", alert["id"].as_str().unwrap())]).await;
    let tasks = detail["tasks"].as_array().unwrap();
    let titles: Vec<&str> = tasks.iter().map(|t| t["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        [
            "Ask the sponsor what blocks the milestone",
            "Re-plan with the customer",
            "Confirm the new date in writing"
        ]
    );
    let opened = chrono::DateTime::parse_from_rfc3339(alert["opened_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc)
        .date_naive();
    let due: Vec<String> = tasks.iter().map(|t| t["due"].as_str().unwrap().to_string()).collect();
    let expected: Vec<String> =
        [0, 4, 9].iter().map(|d| (opened + chrono::Duration::days(*d)).to_string()).collect();
    assert_eq!(due, expected);
    assert_eq!(tasks[0]["owner_role"], "account_manager");
    assert_eq!(tasks[0]["touchpoint_kind"], "meeting");
    assert_eq!(tasks[1]["touchpoint_kind"], Value::Null);
    assert_eq!(alert["steps"], 3);
}
