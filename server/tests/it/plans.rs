//! Success plans through the real server: templates, building a plan, bad input (nothing
//! half-written), reordering, the shared plan by magic link (what a customer may and may not
//! change, revocation), touchpoints and cadences, the timeline, My work and time to value.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn account(c: &Client, name: &str) -> String {
    let (status, body) = c.call("accounts/create", &account_form(name, "smb")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["id"].as_str().unwrap().to_string()
}

async fn contact(c: &Client, account: &str, name: &str, email: &str, champion: bool) -> String {
    let mut form = vec![
        ("account_id", account),
        ("input[name]", name),
        ("input[email]", email),
    ];
    if champion {
        form.push(("input[champion]", "on"));
    }
    let (s, b) = c.call("accounts/contacts/add", &form).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["id"].as_str().unwrap().to_string()
}

async fn plan(c: &Client, id: &str) -> Value {
    let (s, b) = c.call("plans/get", &[("id", id)]).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b
}

async fn count(app: &TestApp, table: &str) -> u64 {
    let mut r = app
        .db
        .query(format!("SELECT count() AS n FROM {table} GROUP ALL"))
        .await
        .unwrap();
    let v: Option<Value> = r
        .take::<surrealdb::types::Value>(0)
        .map(|v| v.into_json_value())
        .ok()
        .and_then(|v| v.as_array().and_then(|a| a.first().cloned()));
    v.and_then(|v| v["n"].as_u64()).unwrap_or(0)
}

fn tasks_of(p: &Value) -> Vec<Value> {
    p["plan"]["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["tasks"].as_array().unwrap().clone())
        .collect()
}

/// A raw client without cookies: the customer on their phone.
fn stranger() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_plan_from_the_onboarding_template_and_bad_input() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let acc = account(&admin, "Plan Co").await;
    let champion = contact(&admin, &acc, "Dana Lee", "dana@plan.co", true).await;

    // The three stages are seeded, in journey order.
    let (s, templates) = admin.call("templates/list", &[]).await;
    assert_eq!(s, StatusCode::OK, "{templates}");
    let names: Vec<&str> = templates
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Onboarding", "Implementation", "Growth"]);

    // Bad input: named fields, nothing written.
    let plans_before = count(&app, "plan").await;
    let (s, b) = admin
        .call(
            "plans/create",
            &[
                ("account_id", &acc),
                ("input[title]", "  "),
                ("input[template_id]", "onboarding"),
                ("input[start]", "5 January"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(field_error(&b, "title").unwrap().contains("required"));
    assert!(field_error(&b, "start").unwrap().contains("2026-01-31"));
    assert_eq!(count(&app, "plan").await, plans_before);

    // Executives read plans but do not make them.
    let exec = user_with_role(&app, &admin, "exec").await;
    let form = [
        ("account_id", acc.as_str()),
        ("input[title]", "Onboarding plan"),
        ("input[template_id]", "onboarding"),
        ("input[start]", "2026-01-05"),
    ];
    let (s, _) = exec.call("plans/create", &form).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let (s, b) = admin.call("plans/create", &form).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let plan_id = b.as_str().unwrap().to_string();
    let p = plan(&admin, &plan_id).await;
    let ms = p["plan"]["milestones"].as_array().unwrap();
    assert_eq!(ms.len(), 3);
    // Laid out from Monday 5 January: day 7 → Monday 12th; day 21 → Monday 26th; day 30 →
    // Wednesday 4 February, the first-value milestone.
    assert_eq!(ms[0]["due"], "2026-01-12");
    assert_eq!(ms[1]["due"], "2026-01-26");
    assert_eq!(ms[2]["due"], "2026-02-04");
    assert_eq!(ms[2]["first_value"], true);
    let tasks = tasks_of(&p);
    assert_eq!(tasks.len(), 8);
    // Day 5 is a Saturday: the customer's task moves to Monday.
    let share_goals = &ms[0]["tasks"][1];
    assert_eq!(share_goals["due"], "2026-01-12");
    // Customer steps go to the champion; training resources are copied.
    assert_eq!(share_goals["owner_role"], "customer");
    assert_eq!(share_goals["owner_id"], champion);
    assert_eq!(ms[1]["tasks"][2]["resources"].as_array().unwrap().len(), 2);
    assert_eq!(p["plan"]["template_version"], 1);
    assert_eq!(p["plan"]["objectives"][0]["metric"], "Weekly active users");

    // Bad milestone and task input: named, nothing changed.
    let events_before = count(&app, "plan_event").await;
    let (s, b) = admin
        .call(
            "plans/milestone/add",
            &[
                ("plan_id", &plan_id),
                ("input[title]", ""),
                ("input[due]", "2026-01-02"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(field_error(&b, "title").is_some());
    assert!(field_error(&b, "due")
        .unwrap()
        .contains("before the plan starts"));
    let m0 = ms[0]["id"].as_str().unwrap().to_string();
    let (s, b) = admin
        .call(
            "plans/task/add",
            &[
                ("milestone_id", &m0),
                ("input[title]", "Send the agenda"),
                ("input[due]", "2026-01-06"),
                ("input[owner]", "c:nosuchcontact"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(field_error(&b, "owner")
        .unwrap()
        .contains("not at this account"));
    let (s, b) = admin
        .call(
            "plans/objective/add",
            &[
                ("plan_id", &plan_id),
                ("input[metric]", "Tickets"),
                ("input[baseline]", "12k"),
                ("input[current]", "10"),
                ("input[target]", "5"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(field_error(&b, "baseline").unwrap().contains("12k"));
    assert_eq!(count(&app, "plan_event").await, events_before);
    assert_eq!(tasks_of(&plan(&admin, &plan_id).await).len(), 8);

    // A good task goes last in its milestone; reorder puts it first.
    let (s, b) = admin
        .call(
            "plans/task/add",
            &[
                ("milestone_id", &m0),
                ("input[title]", "Send the agenda"),
                ("input[due]", "2026-01-06"),
                ("input[owner]", "r:csm"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let ids: Vec<String> = b["plan"]["milestones"][0]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        b["plan"]["milestones"][0]["tasks"][3]["title"],
        "Send the agenda"
    );
    let mut order = ids.clone();
    order.rotate_right(1);
    let res = admin
        .http
        .post(format!("{}/api/plans/task/reorder", app.base))
        .json(&json!({ "milestone_id": m0, "ids": order }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let b: Value = res.json().await.unwrap();
    assert_eq!(
        b["plan"]["milestones"][0]["tasks"][0]["title"],
        "Send the agenda"
    );
    // A stale order (a task missing) moves nothing.
    let res = admin
        .http
        .post(format!("{}/api/plans/task/reorder", app.base))
        .json(&json!({ "milestone_id": m0, "ids": &order[1..] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let b: Value = res.json().await.unwrap();
    assert!(field_error(&b, "order").unwrap().contains("reload"));
    let p = plan(&admin, &plan_id).await;
    assert_eq!(
        p["plan"]["milestones"][0]["tasks"][0]["title"],
        "Send the agenda"
    );

    // Completing the first-value milestone sets time to value: 1 Jan → today.
    let m2 = p["plan"]["milestones"][2]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, b) = admin
        .call("plans/milestone/complete", &[("id", &m2), ("done", "true")])
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(b["plan"]["milestones"][2]["completed_on"].is_string());
    assert!(b["events"][0]["text"]
        .as_str()
        .unwrap()
        .contains("completed the milestone"));
    let (s, ttv) = admin.call("engagement/ttv", &[]).await;
    assert_eq!(s, StatusCode::OK, "{ttv}");
    let expected = (chrono::Utc::now().date_naive()
        - chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap())
    .num_days() as f64;
    assert_eq!(ttv["overall"]["median_days"], expected);
    assert_eq!(ttv["overall"]["reached"], 1);
    assert_eq!(ttv["by_cohort"][0]["label"], "Jan 2026");

    // Editing the template makes version 2 and leaves the plan as it was.
    let mut t = templates[0].clone();
    t["milestones"][0]["title"] = json!("Kick-off call");
    let res = admin
        .http
        .post(format!("{}/api/templates/save", app.base))
        .json(&json!({ "id": "onboarding", "input": {
            "name": t["name"], "stage": "onboarding", "description": t["description"],
            "milestones": t["milestones"], "objectives": t["objectives"] } }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let saved: Value = res.json().await.unwrap();
    assert_eq!(saved["version"], 2);
    let p = plan(&admin, &plan_id).await;
    assert_eq!(
        p["plan"]["milestones"][0]["title"],
        "Welcome meeting and needs assessment"
    );
    assert_eq!(p["plan"]["template_version"], 1);
    // A template with a task after its milestone is refused, naming the nested field.
    let mut bad = t.clone();
    bad["milestones"][0]["tasks"][0]["offset_days"] = json!(99);
    let res = admin
        .http
        .post(format!("{}/api/templates/save", app.base))
        .json(&json!({ "id": "onboarding", "input": {
            "name": "Onboarding", "milestones": bad["milestones"] } }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let b: Value = res.json().await.unwrap();
    assert!(field_error(&b, "milestones[0].tasks[0].offset_days").is_some());
    // CSMs do not edit templates.
    let csm = user_with_role(&app, &admin, "csm").await;
    let res = csm
        .http
        .post(format!("{}/api/templates/save", app.base))
        .json(&json!({ "id": "", "input": { "name": "Mine", "milestones": t["milestones"] } }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_customer_works_their_part_of_a_shared_plan() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let acc = account(&admin, "Shared Co").await;
    let dana = contact(&admin, &acc, "Dana Lee", "dana@shared.co", true).await;
    let other_acc = account(&admin, "Other Co").await;
    let outsider = contact(&admin, &other_acc, "Olu Ade", "olu@other.co", false).await;
    let today = chrono::Utc::now().date_naive().to_string();
    let mk = |title: &'static str, acc: String| {
        let admin = &admin;
        let today = today.clone();
        async move {
            let (s, b) = admin
                .call(
                    "plans/create",
                    &[
                        ("account_id", acc.as_str()),
                        ("input[title]", title),
                        ("input[template_id]", "onboarding"),
                        ("input[start]", today.as_str()),
                    ],
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{b}");
            b.as_str().unwrap().to_string()
        }
    };
    let plan_id = mk("Shared onboarding", acc.clone()).await;
    let other_plan = mk("Other onboarding", other_acc.clone()).await;

    // Sharing needs a contact of this account and a known duration.
    let (s, b) = admin
        .call(
            "plans/share",
            &[
                ("plan_id", &plan_id),
                ("contact_id", &outsider),
                ("days", "30"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(field_error(&b, "contact_id").is_some());
    let (s, b) = admin
        .call(
            "plans/share",
            &[
                ("plan_id", &plan_id),
                ("contact_id", &dana),
                ("days", "1000"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(field_error(&b, "days").is_some());
    let (s, share) = admin
        .call(
            "plans/share",
            &[("plan_id", &plan_id), ("contact_id", &dana), ("days", "30")],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{share}");
    let url = share["url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&format!("{}/p/", app.base)), "{url}");

    // The customer reads the plan with no session and no script.
    let web = stranger();
    let res = web.get(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("default-src 'none'"));
    let html = res.text().await.unwrap();
    assert!(html.contains("Shared onboarding"));
    assert!(html.contains("Hi Dana,"));
    assert!(!html.contains("<script"));

    let p = plan(&admin, &plan_id).await;
    let tasks = tasks_of(&p);
    let theirs = tasks
        .iter()
        .find(|t| t["owner_role"] == "customer")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ours = tasks.iter().find(|t| t["owner_role"] == "csm").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let foreign = tasks_of(&plan(&admin, &other_plan).await)
        .iter()
        .find(|t| t["owner_role"] == "customer")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Their own task: ticked, redirected back, recorded with who and when.
    let res = web
        .post(format!("{url}/tasks/{theirs}"))
        .form(&[("done", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let p = plan(&admin, &plan_id).await;
    let t = tasks_of(&p)
        .into_iter()
        .find(|t| t["id"] == theirs.as_str())
        .unwrap();
    assert_eq!(t["status"], "done");
    assert_eq!(t["done_by"], "Dana Lee (customer)");
    assert!(p["events"][0]["by_customer"].as_bool().unwrap());

    // The team's task, and another plan's task: refused, nothing changed.
    let events_before = count(&app, "plan_event").await;
    let res = web
        .post(format!("{url}/tasks/{ours}"))
        .form(&[("done", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("Nothing was changed"));
    let res = web
        .post(format!("{url}/tasks/{foreign}"))
        .form(&[("done", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("not found"));
    let p = plan(&admin, &plan_id).await;
    assert!(tasks_of(&p)
        .iter()
        .filter(|t| t["id"] != theirs.as_str())
        .all(|t| t["status"] == "open"));
    assert!(tasks_of(&plan(&admin, &other_plan).await)
        .iter()
        .all(|t| t["status"] == "open"));
    assert_eq!(count(&app, "plan_event").await, events_before);

    // Objectives: only when the team allowed it; the value must be a number.
    let obj = p["plan"]["objectives"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let res = web
        .post(format!("{url}/objectives/{obj}"))
        .form(&[("value", "12")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (s, b) = admin
        .call(
            "plans/objective/update",
            &[
                ("id", &obj),
                ("input[metric]", "Weekly active users"),
                ("input[unit]", "users"),
                ("input[baseline]", "0"),
                ("input[current]", "5"),
                ("input[target]", "50"),
                ("input[customer_can_update]", "true"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let res = web
        .post(format!("{url}/objectives/{obj}"))
        .form(&[("value", "lots")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = web
        .post(format!("{url}/objectives/{obj}"))
        .form(&[("value", "21")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let p = plan(&admin, &plan_id).await;
    assert_eq!(p["plan"]["objectives"][0]["current"], 21.0);
    assert_eq!(
        p["plan"]["objectives"][0]["updated_by"],
        "Dana Lee (customer)"
    );

    // Comments: empty refused, a real one posted.
    let res = web
        .post(format!("{url}/comments"))
        .form(&[("text", "  ")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = web
        .post(format!("{url}/comments"))
        .form(&[("text", "Training booked for Tuesday")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let p = plan(&admin, &plan_id).await;
    assert_eq!(p["events"][0]["kind"], "comment");
    assert_eq!(p["events"][0]["text"], "Training booked for Tuesday");

    // A forged link and an altered one show the same friendly 404.
    let token = url.rsplit('/').next().unwrap().to_string();
    let mut parts: Vec<&str> = token.split('.').collect();
    let later = "9999999999";
    parts[1] = later;
    let altered = parts.join(".");
    for bad in [
        format!("{}/p/nothing", app.base),
        format!("{}/p/{altered}", app.base),
    ] {
        let res = web.get(&bad).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }

    // Revoked: the link stops working at once, for reading and for changes.
    let share_id = share["id"].as_str().unwrap();
    let (s, b) = admin
        .call(
            "plans/share/revoke",
            &[("plan_id", &plan_id), ("share_id", share_id)],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(b["shares"][0]["revoked_at"].is_string());
    let res = web.get(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("no longer active"));
    let res = web
        .post(format!("{url}/tasks/{theirs}"))
        .form(&[("done", "0")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let p = plan(&admin, &plan_id).await;
    assert_eq!(
        tasks_of(&p)
            .into_iter()
            .find(|t| t["id"] == theirs.as_str())
            .unwrap()["status"],
        "done"
    );
}

#[tokio::test]
async fn touchpoints_cadences_timeline_and_my_work() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let acc = account(&admin, "Cadence Co").await;
    let (s, seg) = admin
        .call("segments/save", &[("name", "SMB"), ("query", "tier=smb")])
        .await;
    assert_eq!(s, StatusCode::OK, "{seg}");
    let seg_id = seg["id"].as_str().unwrap();

    // Rules: admins only, checked.
    let (s, b) = admin
        .call(
            "engagement/rules/add",
            &[
                ("input[segment_id]", seg_id),
                ("input[kind]", "weekly_status"),
                ("input[every_days]", "0"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(field_error(&b, "every_days").is_some());
    let csm = user_with_role(&app, &admin, "csm").await;
    let rule = [
        ("input[segment_id]", seg_id),
        ("input[kind]", "weekly_status"),
        ("input[every_days]", "7"),
    ];
    let (s, _) = csm.call("engagement/rules/add", &rule).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = admin.call("engagement/rules/add", &rule).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = admin.call("engagement/rules/add", &rule).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(field_error(&b, "kind").unwrap().contains("already"));

    // No touchpoint since the contract started (1 Jan): long overdue.
    let (s, e) = admin
        .call("engagement/account", &[("account_id", &acc)])
        .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    assert_eq!(e["cadences"][0]["kind"], "weekly_status");
    assert!(e["cadences"][0]["overdue_days"].as_i64().unwrap() > 300);

    // Bad touchpoints are refused by field; nothing stored.
    let (s, b) = admin
        .call(
            "engagement/log",
            &[
                ("account_id", &acc),
                ("input[kind]", "lunch"),
                ("input[date]", "2099-01-01"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(field_error(&b, "kind").is_some());
    assert!(field_error(&b, "date").unwrap().contains("future"));
    assert_eq!(count(&app, "touchpoint").await, 0);
    let today = chrono::Utc::now().date_naive().to_string();
    let (s, b) = admin
        .call(
            "engagement/log",
            &[
                ("account_id", &acc),
                ("input[kind]", "weekly_status"),
                ("input[date]", &today),
                ("input[attendees]", "Dana Lee, Sam Ortiz"),
                ("input[notes]", "Rollout on schedule"),
                ("input[next_steps]", "Invite the finance team"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, e) = admin
        .call("engagement/account", &[("account_id", &acc)])
        .await;
    assert_eq!(e["cadences"][0]["overdue_days"], 0);
    assert_eq!(e["touchpoints"][0]["attendees"][1], "Sam Ortiz");

    // Health now knows when the account was last touched.
    let facts = app::store::health::facts_on(
        &app.db,
        Some(std::slice::from_ref(&acc)),
        chrono::Utc::now().date_naive(),
    )
    .await
    .unwrap();
    assert_eq!(facts[&acc].days_since_touchpoint, Some(0));

    // A plan (owned by the admin through the account team) fills My work and the timeline.
    let (s, me) = admin.call("auth/me", &[]).await;
    assert_eq!(s, StatusCode::OK, "{me}");
    let my_id = me["id"].as_str().unwrap();
    let (s, b) = admin
        .call(
            "accounts/team/add",
            &[("account_id", &acc), ("user_id", my_id), ("role", "csm")],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let start = (chrono::Utc::now().date_naive() - chrono::Duration::days(20)).to_string();
    let (s, b) = admin
        .call(
            "plans/create",
            &[
                ("account_id", acc.as_str()),
                ("input[title]", "Onboarding"),
                ("input[template_id]", "onboarding"),
                ("input[start]", start.as_str()),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, w) = admin.call("engagement/my_work", &[]).await;
    assert_eq!(s, StatusCode::OK, "{w}");
    // Day 7 (and its tasks) are past: the plan is off track and its CSM tasks are overdue.
    assert_eq!(w["plans_off_track"][0]["title"], "Onboarding");
    assert!(w["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["overdue"] == true && t["account_name"] == "Cadence Co"));
    assert!(w["milestones"].as_array().unwrap().len() >= 2);
    let facts = app::store::health::facts_on(
        &app.db,
        Some(std::slice::from_ref(&acc)),
        chrono::Utc::now().date_naive(),
    )
    .await
    .unwrap();
    assert_eq!(facts[&acc].overdue_milestones, Some(1));

    let (s, tl) = admin
        .call("engagement/timeline", &[("account_id", &acc)])
        .await;
    assert_eq!(s, StatusCode::OK, "{tl}");
    let kinds: Vec<&str> = tl
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"touchpoint") && kinds.contains(&"plan"),
        "{kinds:?}"
    );
    let (_, only) = admin
        .call(
            "engagement/timeline",
            &[("account_id", &acc), ("kind", "touchpoint")],
        )
        .await;
    assert!(only
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["kind"] == "touchpoint"));
    let (s, b) = admin
        .call(
            "engagement/timeline",
            &[("account_id", &acc), ("kind", "gossip")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
}
