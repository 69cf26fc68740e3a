//! Success plans through the real server: templates, building a plan, bad input (nothing
//! half-written), reordering, the shared plan by magic link (what a customer may and may not
//! change, revocation), touchpoints and cadences, the timeline, My work and time to value.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;

/// The health facts the scorer reads for `account` today.
async fn facts_today(app: &TestApp, account: &str) -> app::model::health::HealthFacts {
    let ids = [account.to_string()];
    let mut facts =
        app::store::health::facts_on(&app.db, Some(&ids), chrono::Utc::now().date_naive())
            .await
            .unwrap();
    facts.remove(account).expect("facts for the account")
}

#[tokio::test]
async fn a_plan_from_the_onboarding_template_and_bad_input() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let (acc, champion) =
        account_with_champion(&admin, "Plan Co", "Dana Lee", "dana@plan.co").await;

    // The three stages are seeded, in journey order.
    let templates = admin.ok("templates/list", &[]).await;
    let names: Vec<&str> =
        templates.as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Onboarding", "Implementation", "Growth"]);

    // Bad input: named fields, nothing written.
    let plans_before = rows(&app, "plan").await;
    let untitled = plan_form(&acc, "  ", "5 January");
    let [title, start] = admin.refused("plans/create", &untitled, ["title", "start"]).await;
    assert!(title.contains("required"));
    assert!(start.contains("2026-01-31"));
    assert_eq!(rows(&app, "plan").await, plans_before);

    // Executives read plans but do not make them.
    let exec = user_with_role(&app, &admin, "exec").await;
    let form = plan_form(&acc, "Onboarding plan", "2026-01-05");
    exec.expect(StatusCode::FORBIDDEN, "plans/create", &form).await;

    let plan_id = admin.ok("plans/create", &form).await.as_str().unwrap().to_string();
    let p = plan_detail(&admin, &plan_id).await;
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
    let events_before = rows(&app, "plan_event").await;
    let early = [("plan_id", plan_id.as_str()), ("input[title]", ""), ("input[due]", "2026-01-02")];
    let [_, due] = admin.refused("plans/milestone/add", &early, ["title", "due"]).await;
    assert!(due.contains("before the plan starts"));
    let m0 = id_of(&ms[0]);
    let stranger = task_form(&m0, "Send the agenda", "2026-01-06", "c:nosuchcontact");
    let [owner] = admin.refused("plans/task/add", &stranger, ["owner"]).await;
    assert!(owner.contains("not at this account"));
    let objective = [
        ("plan_id", plan_id.as_str()),
        ("input[metric]", "Tickets"),
        ("input[baseline]", "12k"),
        ("input[current]", "10"),
        ("input[target]", "5"),
    ];
    let [baseline] = admin.refused("plans/objective/add", &objective, ["baseline"]).await;
    assert!(baseline.contains("12k"));
    assert_eq!(rows(&app, "plan_event").await, events_before);
    assert_eq!(tasks_of(&plan_detail(&admin, &plan_id).await).len(), 8);

    // A good task goes last in its milestone; reorder puts it first.
    let b =
        admin.ok("plans/task/add", &task_form(&m0, "Send the agenda", "2026-01-06", "r:csm")).await;
    let mut order: Vec<String> =
        b["plan"]["milestones"][0]["tasks"].as_array().unwrap().iter().map(id_of).collect();
    assert_eq!(b["plan"]["milestones"][0]["tasks"][3]["title"], "Send the agenda");
    order.rotate_right(1);
    let (ok, refused) = (StatusCode::OK, StatusCode::UNPROCESSABLE_ENTITY);
    let reorder = "plans/task/reorder";
    let b = admin.expect_json(ok, reorder, &json!({ "milestone_id": m0, "ids": order })).await;
    assert_eq!(b["plan"]["milestones"][0]["tasks"][0]["title"], "Send the agenda");
    // A stale order (a task missing) moves nothing.
    let stale = json!({ "milestone_id": m0, "ids": &order[1..] });
    let b = admin.expect_json(refused, reorder, &stale).await;
    assert!(field_error(&b, "order").unwrap().contains("reload"));
    let p = plan_detail(&admin, &plan_id).await;
    assert_eq!(p["plan"]["milestones"][0]["tasks"][0]["title"], "Send the agenda");

    // Completing the first-value milestone sets time to value: 1 Jan → today.
    let m2 = p["plan"]["milestones"][2]["id"].as_str().unwrap().to_string();
    let b = admin.ok("plans/milestone/complete", &[("id", &m2), ("done", "true")]).await;
    assert!(b["plan"]["milestones"][2]["completed_on"].is_string());
    assert!(b["events"][0]["text"].as_str().unwrap().contains("completed the milestone"));
    let ttv = admin.ok("engagement/ttv", &[]).await;
    let expected = (chrono::Utc::now().date_naive()
        - chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap())
    .num_days() as f64;
    assert_eq!(ttv["overall"]["median_days"], expected);
    assert_eq!(ttv["overall"]["reached"], 1);
    assert_eq!(ttv["by_cohort"][0]["label"], "Jan 2026");

    // Editing the template makes version 2 and leaves the plan as it was.
    let mut t = templates[0].clone();
    t["milestones"][0]["title"] = json!("Kick-off call");
    let edited = json!({ "id": "onboarding", "input": {
        "name": t["name"], "stage": "onboarding", "description": t["description"],
        "milestones": t["milestones"], "objectives": t["objectives"] } });
    let saved = admin.expect_json(ok, "templates/save", &edited).await;
    assert_eq!(saved["version"], 2);
    let p = plan_detail(&admin, &plan_id).await;
    assert_eq!(p["plan"]["milestones"][0]["title"], "Welcome meeting and needs assessment");
    assert_eq!(p["plan"]["template_version"], 1);
    // A template with a task after its milestone is refused, naming the nested field.
    let mut bad = t.clone();
    bad["milestones"][0]["tasks"][0]["offset_days"] = json!(99);
    let late = json!({ "id": "onboarding", "input": {
        "name": "Onboarding", "milestones": bad["milestones"] } });
    let b = admin.expect_json(refused, "templates/save", &late).await;
    assert!(field_error(&b, "milestones[0].tasks[0].offset_days").is_some());
    // CSMs do not edit templates.
    let csm = user_with_role(&app, &admin, "csm").await;
    let mine = json!({ "id": "", "input": { "name": "Mine", "milestones": t["milestones"] } });
    csm.expect_json(StatusCode::FORBIDDEN, "templates/save", &mine).await;
}

#[tokio::test]
async fn the_customer_works_their_part_of_a_shared_plan() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let (acc, dana) =
        account_with_champion(&admin, "Shared Co", "Dana Lee", "dana@shared.co").await;
    let other_acc = create_account(&admin, "Other Co", "smb").await;
    let outsider = add_contact(&admin, &other_acc, "Olu Ade", "olu@other.co", &[]).await;
    let plan_id = onboarding_plan(&admin, &acc, "Shared onboarding", &today()).await;
    let other_plan = onboarding_plan(&admin, &other_acc, "Other onboarding", &today()).await;

    // Sharing needs a contact of this account and a known duration.
    admin.refused("plans/share", &share_form(&plan_id, &outsider, "30"), ["contact_id"]).await;
    admin.refused("plans/share", &share_form(&plan_id, &dana, "1000"), ["days"]).await;
    let share = share_plan(&admin, &plan_id, &dana).await;
    let url = share["url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&format!("{}/p/", app.base)), "{url}");

    // The customer reads the plan with no session and no script.
    let web = visitor();
    let res = web.get(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("default-src 'none'"));
    let html = res.text().await.unwrap();
    assert!(html.contains("Shared onboarding"));
    assert!(html.contains("Hi Dana,"));
    assert!(!html.contains("<script"));

    let p = plan_detail(&admin, &plan_id).await;
    let theirs = task_owned_by(&p, "customer");
    let ours = task_owned_by(&p, "csm");
    let foreign = task_owned_by(&plan_detail(&admin, &other_plan).await, "customer");

    // Their own task: ticked, redirected back, recorded with who and when.
    assert_eq!(
        post_status(&web, &format!("{url}/tasks/{theirs}"), &[("done", "1")]).await,
        StatusCode::SEE_OTHER
    );
    let p = plan_detail(&admin, &plan_id).await;
    let t = task_in(&p, &theirs);
    assert_eq!(t["status"], "done");
    assert_eq!(t["done_by"], "Dana Lee (customer)");
    assert!(p["events"][0]["by_customer"].as_bool().unwrap());

    // The team's task, and another plan's task: refused, nothing changed.
    let events_before = rows(&app, "plan_event").await;
    let res = post_form(&web, &format!("{url}/tasks/{ours}"), &[("done", "1")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("Nothing was changed"));
    let res = post_form(&web, &format!("{url}/tasks/{foreign}"), &[("done", "1")]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("not found"));
    let p = plan_detail(&admin, &plan_id).await;
    assert!(tasks_of(&p)
        .iter()
        .filter(|t| t["id"] != theirs.as_str())
        .all(|t| t["status"] == "open"));
    assert!(tasks_of(&plan_detail(&admin, &other_plan).await)
        .iter()
        .all(|t| t["status"] == "open"));
    assert_eq!(rows(&app, "plan_event").await, events_before);

    // Objectives: only when the team allowed it; the value must be a number.
    let obj = p["plan"]["objectives"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        post_status(&web, &format!("{url}/objectives/{obj}"), &[("value", "12")]).await,
        StatusCode::FORBIDDEN
    );
    admin
        .ok(
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
    let objective = format!("{url}/objectives/{obj}");
    let refused = post_status(&web, &objective, &[("value", "lots")]).await;
    assert_eq!(refused, StatusCode::UNPROCESSABLE_ENTITY);
    let updated = post_status(&web, &objective, &[("value", "21")]).await;
    assert_eq!(updated, StatusCode::SEE_OTHER);
    let p = plan_detail(&admin, &plan_id).await;
    assert_eq!(p["plan"]["objectives"][0]["current"], 21.0);
    assert_eq!(p["plan"]["objectives"][0]["updated_by"], "Dana Lee (customer)");

    // Comments: empty refused, a real one posted.
    let comments = format!("{url}/comments");
    let empty = post_status(&web, &comments, &[("text", "  ")]).await;
    assert_eq!(empty, StatusCode::UNPROCESSABLE_ENTITY);
    let posted = post_status(&web, &comments, &[("text", "Training booked for Tuesday")]).await;
    assert_eq!(posted, StatusCode::SEE_OTHER);
    let p = plan_detail(&admin, &plan_id).await;
    assert_eq!(p["events"][0]["kind"], "comment");
    assert_eq!(p["events"][0]["text"], "Training booked for Tuesday");

    // A forged link and an altered one show the same friendly 404.
    let token = url.rsplit('/').next().unwrap().to_string();
    let mut parts: Vec<&str> = token.split('.').collect();
    let later = "9999999999";
    parts[1] = later;
    let altered = parts.join(".");
    for bad in [format!("{}/p/nothing", app.base), format!("{}/p/{altered}", app.base)] {
        let res = web.get(&bad).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }

    // Revoked: the link stops working at once, for reading and for changes.
    let share_id = share["id"].as_str().unwrap();
    let b = admin.ok("plans/share/revoke", &[("plan_id", &plan_id), ("share_id", share_id)]).await;
    assert!(b["shares"][0]["revoked_at"].is_string());
    let res = web.get(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("no longer active"));
    assert_eq!(
        post_status(&web, &format!("{url}/tasks/{theirs}"), &[("done", "0")]).await,
        StatusCode::NOT_FOUND
    );
    let p = plan_detail(&admin, &plan_id).await;
    assert_eq!(task_in(&p, &theirs)["status"], "done");
}

#[tokio::test]
async fn touchpoints_cadences_timeline_and_my_work() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let acc = create_account(&admin, "Cadence Co", "smb").await;
    let seg_id = save_segment(&admin, "SMB", "tier=smb").await;

    // Rules: admins only, checked.
    let add_rule = "engagement/rules/add";
    let never = cadence_rule_form(&seg_id, "weekly_status", "0");
    admin.refused(add_rule, &never, ["every_days"]).await;
    let csm = user_with_role(&app, &admin, "csm").await;
    let rule = cadence_rule_form(&seg_id, "weekly_status", "7");
    csm.expect(StatusCode::FORBIDDEN, add_rule, &rule).await;
    admin.ok(add_rule, &rule).await;
    let [kind] = admin.refused(add_rule, &rule, ["kind"]).await;
    assert!(kind.contains("already"));

    // No touchpoint since the contract started (1 Jan): long overdue.
    let e = admin.ok("engagement/account", &[("account_id", &acc)]).await;
    assert_eq!(e["cadences"][0]["kind"], "weekly_status");
    assert!(e["cadences"][0]["overdue_days"].as_i64().unwrap() > 300);

    // Bad touchpoints are refused by field; nothing stored.
    let lunch_in_the_future =
        [("account_id", acc.as_str()), ("input[kind]", "lunch"), ("input[date]", "2099-01-01")];
    let [_, date] = admin.refused("engagement/log", &lunch_in_the_future, ["kind", "date"]).await;
    assert!(date.contains("future"));
    assert_eq!(rows(&app, "touchpoint").await, 0);
    let today = chrono::Utc::now().date_naive().to_string();
    admin
        .ok(
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
    let (_, e) = admin.call("engagement/account", &[("account_id", &acc)]).await;
    assert_eq!(e["cadences"][0]["overdue_days"], 0);
    assert_eq!(e["touchpoints"][0]["attendees"][1], "Sam Ortiz");

    // Health now knows when the account was last touched.
    let facts = facts_today(&app, &acc).await;
    assert_eq!(facts.days_since_touchpoint, Some(0));

    // A plan (owned by the admin through the account team) fills My work and the timeline.
    let my_id = admin.my_id().await;
    admin
        .ok("accounts/team/add", &[("account_id", &acc), ("user_id", &my_id), ("role", "csm")])
        .await;
    let start = (chrono::Utc::now().date_naive() - chrono::Duration::days(20)).to_string();
    onboarding_plan(&admin, &acc, "Onboarding", &start).await;
    let w = admin.ok("engagement/my_work", &[]).await;
    // Day 7 (and its tasks) are past: the plan is off track and its CSM tasks are overdue.
    assert_eq!(w["plans_off_track"][0]["title"], "Onboarding");
    assert!(w["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["overdue"] == true && t["account_name"] == "Cadence Co"));
    assert!(w["milestones"].as_array().unwrap().len() >= 2);
    let facts = facts_today(&app, &acc).await;
    assert_eq!(facts.overdue_milestones, Some(1));

    let tl = admin.ok("engagement/timeline", &[("account_id", &acc)]).await;
    let kinds: Vec<&str> =
        tl.as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"touchpoint") && kinds.contains(&"plan"), "{kinds:?}");
    let (_, only) =
        admin.call("engagement/timeline", &[("account_id", &acc), ("kind", "touchpoint")]).await;
    assert!(only.as_array().unwrap().iter().all(|i| i["kind"] == "touchpoint"));
    admin.invalid("engagement/timeline", &[("account_id", &acc), ("kind", "gossip")]).await;
}

#[tokio::test]
async fn hostile_text_is_escaped_on_the_shared_plan() {
    const XSS: &str = "<script>alert(1)</script>";
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let (corp, lee) = (format!("{XSS} Corp"), format!("{XSS} Lee"));
    let (acc, dana) = account_with_champion(&admin, &corp, &lee, "dana@xss.co").await;
    let plan_id = onboarding_plan(&admin, &acc, &format!("Plan {XSS}"), &today()).await;
    let share = share_plan(&admin, &plan_id, &dana).await;
    let url = share["url"].as_str().unwrap().to_string();
    let web = visitor();
    assert_eq!(
        post_status(&web, &format!("{url}/comments"), &[("text", XSS)]).await,
        StatusCode::SEE_OTHER
    );

    let res = web.get(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    eprintln!("shared plan page: {} bytes", html.len());
    assert!(html.len() < 30 * 1024, "{} bytes", html.len());
    assert!(!html.contains("<script"), "{html}");
    let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;";
    for shown in [
        format!("<title>Plan {escaped}</title>"),
        format!("Success plan for {escaped} Corp"),
        format!("Hi {escaped},"),
        format!("<p>{escaped}</p>"),
    ] {
        assert!(html.contains(&shown), "{shown} missing");
    }
}
