//! Surveys end to end over HTTP and SMTP: define, preview under the cap, send through a real
//! SMTP conversation, follow the mailed link, answer, close the loop.

use crate::common::*;
use reqwest::StatusCode;
use std::time::Duration;

/// The mail the test SMTP server received, in order.
type Inbox = tokio::sync::mpsc::UnboundedReceiver<smtp::Received>;

/// An app that mails through a test SMTP server; returns the app and the mailbox.
async fn app_with_smtp(public_rate: u32) -> (TestApp, Inbox) {
    let (port, inbox) = smtp::start().await;
    let app = spawn_app_with(move |s| {
        let mailer = smtp::mailer(port);
        let url = s.state.public_url.clone();
        s.with_public(&url, public_rate).with_mailer(mailer)
    })
    .await;
    (app, inbox)
}

/// An account owned by the caller with two contacts, Dana and Fox; returns its id.
async fn account_with_contacts(c: &Client, name: &str) -> String {
    let my_id = c.my_id().await;
    let form = with(account_form(name, "enterprise"), &[("input[owner_id]", &my_id)]);
    let id = id_of(&c.ok("accounts/create", &form).await);
    let slug = name.to_lowercase().replace(' ', "");
    for who in ["Dana Scully", "Fox Mulder"] {
        let email = format!("{}@{slug}.example", who.split(' ').next().unwrap().to_lowercase());
        add_contact(c, &id, who, &email, &[("input[title]", "")]).await;
    }
    id
}

/// An NPS survey of a new account `name`'s two contacts, sent; returns the survey's id and
/// the one-click link for `score` in the first invitation to arrive.
async fn sent_nps(c: &Client, inbox: &mut Inbox, name: &str, score: i64) -> (String, String) {
    let account = account_with_contacts(c, name).await;
    let (status, survey) = create_survey(c, &format!("{name} NPS"), "nps", &[&account]).await;
    assert_eq!(status, StatusCode::OK, "{survey}");
    let id = id_of(&survey);
    c.ok("surveys/send", &[("id", &id)]).await;
    (id, score_link(&text_of(&next_mail(inbox).await), score))
}

async fn next_mail(inbox: &mut Inbox) -> smtp::Received {
    tokio::time::timeout(Duration::from_secs(15), inbox.recv())
        .await
        .expect("a mail within 15 s")
        .expect("mailbox open")
}

/// The plain-text body of a mail, decoded.
fn text_of(mail: &smtp::Received) -> String {
    let msg = mail_parser::MessageParser::default()
        .parse(mail.data.as_bytes())
        .expect("a parsable message");
    msg.body_text(0).expect("a text part").to_string()
}

/// The one-click link for `score` in a mail's text.
fn score_link(text: &str, score: i64) -> String {
    let prefix = format!("{score}: ");
    text.lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no link for {score} in:\n{text}"))
        .to_string()
}

#[tokio::test]
async fn an_invitation_travels_by_smtp_and_only_a_post_records_the_answer() {
    let (app, mut inbox) = app_with_smtp(1000).await;
    let c = admin(&app).await;
    let account = account_with_contacts(&c, "Initech").await;
    let (status, survey) = create_survey(&c, "Q4 NPS", "nps", &[&account]).await;
    assert_eq!(status, StatusCode::OK, "{survey}");
    let sid = survey["id"].as_str().unwrap();

    let preview = c.ok("surveys/preview", &[("id", sid)]).await;
    assert_eq!(preview["to_invite"], 2, "{preview}");

    let sent = c.ok("surveys/send", &[("id", sid)]).await;
    assert_eq!(sent["queued"], 2);

    let mut mails = [next_mail(&mut inbox).await, next_mail(&mut inbox).await];
    mails.sort_by(|a, b| a.to.cmp(&b.to));
    assert_eq!(mails[0].to, vec!["dana@initech.example".to_string()]);
    assert_eq!(mails[0].from, "success@acme.example");
    let text = text_of(&mails[0]);
    assert!(text.contains("How likely are you to recommend us"), "{text}");
    let link = score_link(&text, 9);
    assert!(link.starts_with(&app.base), "{link}");

    // A mail scanner (or the person) opening the link records nothing.
    let http = visitor();
    let page = get_page(&http, &link).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"value="9" checked"#), "score 9 pre-selected");
    assert!(!html.to_lowercase().contains("<script"), "no script at all");
    assert_eq!(rows(&app, "survey_response").await, 0);

    // Pressing the button records it and redirects to the thanks page.
    let answer_url = form_url(&link);
    let res =
        post_form(&http, &answer_url, &[("score", "9"), ("comment", "Great onboarding")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let thanks = res.headers()["location"].to_str().unwrap().to_string();
    let page = get_page(&http, &format!("{}{thanks}", app.base)).await;
    assert!(page.text().await.unwrap().contains("Your score: <strong>9</strong>"));

    let (_, results) = c.call("surveys/results", &[("id", sid)]).await;
    assert_eq!(results["score"]["value"], 100.0, "{results}");
    assert_eq!(results["invited"], 2);
    assert_eq!(results["invited_responded"], 1);
    assert_eq!(results["response_rate"], 50.0);
    assert_eq!(results["verbatims"][0]["comment"], "Great onboarding");
    assert_eq!(results["verbatims"][0]["contact_name"], "Dana Scully");

    // Answering again with the same link updates the one response, and a detractor's score
    // opens a follow-up for the account's owner.
    let again = [("score", "3"), ("comment", "Support went silent")];
    assert_eq!(post_status(&http, &answer_url, &again).await, StatusCode::SEE_OTHER);
    assert_eq!(rows(&app, "survey_response").await, 1);
    let (_, results) = c.call("surveys/results", &[("id", sid)]).await;
    assert_eq!(results["score"]["value"], -100.0);
    let list = c.ok("follow_ups/list", &[("status", "open")]).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["assignee_name"], "Ada Admin");
    assert_eq!(items[0]["account_name"], "Initech");
    assert!(items[0]["reason"].as_str().unwrap().contains("detractor"));
    let fid = items[0]["id"].as_str().unwrap();

    // Closing needs an outcome, and happens once.
    c.refused("follow_ups/close", &[("id", fid), ("outcome", "  ")], ["outcome"]).await;
    let outcome = [("id", fid), ("outcome", "Called Dana; support lead assigned")];
    assert_eq!(c.ok("follow_ups/close", &outcome).await["status"], "closed");
    c.invalid("follow_ups/close", &[("id", fid), ("outcome", "again")]).await;
    let (_, list) = c.call("follow_ups/list", &[]).await;
    assert_eq!(list["stats"]["closed_rate"], 100.0, "{list}");
    assert!(list["stats"]["median_hours_to_close"].as_f64().is_some());

    // The account page's figures include the response.
    let (_, acc) = c.call("surveys/account", &[("account", &account)]).await;
    assert_eq!(acc["recent"].as_array().unwrap().len(), 1, "{acc}");

    // The answer re-scored the account's health at once: NPS 3 is 30/100 on the satisfaction
    // scale → sub-score 20 (0→0 … 60→40), the only measure with data.
    let mut score = None;
    for _ in 0..60 {
        score = app::store::accounts::detail(&app.db, &account).await.unwrap().account.health_score;
        if score == Some(20) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(score, Some(20), "the first answer (9) gave 88; the second (3) must give 20");
}

#[tokio::test]
async fn the_frequency_cap_holds_contacts_back_and_says_why() {
    let (app, mut inbox) = app_with_smtp(1000).await;
    let c = admin(&app).await;
    let account = account_with_contacts(&c, "Hooli").await;
    let (_, first) = create_survey(&c, "Onboarding CSAT", "csat", &[&account]).await;
    let first = id_of(&first);
    let (_, sent) = c.call("surveys/send", &[("id", &first)]).await;
    assert_eq!(sent["queued"], 2, "{sent}");
    next_mail(&mut inbox).await;
    next_mail(&mut inbox).await;

    // Sending the same one-off survey again invites nobody.
    let (_, again) = c.call("surveys/send", &[("id", &first)]).await;
    assert_eq!(again["queued"], 0, "{again}");

    // Another survey to the same people: held back by the 90-day cap, with the reason.
    let (_, second) = create_survey(&c, "Support CES", "ces", &[&account]).await;
    let sid = second["id"].as_str().unwrap();
    let (_, preview) = c.call("surveys/preview", &[("id", sid)]).await;
    assert_eq!(preview["to_invite"], 0, "{preview}");
    assert_eq!(preview["suppressed"], 2);
    let why = preview["rows"][0]["suppressed"].as_str().unwrap();
    assert!(why.contains("Onboarding CSAT") && why.contains("90 days"), "{why}");
    let (_, sent) = c.call("surveys/send", &[("id", sid)]).await;
    assert_eq!(sent["queued"], 0);
    assert_eq!(sent["suppressed"], 2);

    // An admin may lower the cap; bad values are named.
    let bad = [("cap_days", "-5"), ("follow_up_days", "0")];
    c.refused("settings/surveys/save", &bad, ["cap_days", "follow_up_days"]).await;
    c.ok("settings/surveys/save", &[("cap_days", "0"), ("follow_up_days", "5")]).await;
    let (_, preview) = c.call("surveys/preview", &[("id", sid)]).await;
    assert_eq!(preview["to_invite"], 2, "{preview}");
}

#[tokio::test]
async fn bad_answers_and_bad_links_are_refused_and_nothing_is_written() {
    let (app, mut inbox) = app_with_smtp(1000).await;
    let c = admin(&app).await;
    let (_, link) = sent_nps(&c, &mut inbox, "Globex", 5).await;
    let url = form_url(&link);
    let http = visitor();

    for (form, field_text) in [
        (vec![("score", "11")], "from 0 to 10"),
        (vec![("score", "")], "choose a score"),
        (vec![("score", "ten")], "from 0 to 10"),
    ] {
        let res = post_form(&http, &url, &form).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(html.contains(field_text), "{html}");
        assert!(html.contains("id=\"score-error\""), "message beside the scale");
    }
    let long = "x".repeat(5001);
    let res = post_form(&http, &url, &[("score", "8"), ("comment", long.as_str())]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("under 5000 characters"));
    assert!(html.contains(r#"value="8" checked"#), "the score is kept");
    assert_eq!(rows(&app, "survey_response").await, 0);
    assert_eq!(rows(&app, "follow_up").await, 0);

    // Tampered, made-up and expired links all get the same friendly page and reveal nothing.
    let token = url.rsplit('/').next().unwrap();
    let (key, rest) = token.split_once('.').unwrap();
    let sig = rest.split('.').nth(1).unwrap();
    let expired = app.state.keyring().sign(key, chrono::Utc::now().timestamp() - 60);
    let mut bodies = Vec::new();
    for bad in [
        format!("{key}.99999999999.{sig}"),
        "nonsense".to_string(),
        format!("{}.{rest}", "0".repeat(32)),
        expired,
    ] {
        let bad_url = format!("{}/s/{bad}", app.base);
        let res = get_page(&http, &bad_url).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{bad}");
        bodies.push(res.text().await.unwrap());
        assert_eq!(post_status(&http, &bad_url, &[("score", "10")]).await, StatusCode::NOT_FOUND);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "one page for all");
    assert!(bodies[0].contains("no longer active"));
    assert_eq!(rows(&app, "survey_response").await, 0);
}

#[tokio::test]
async fn survey_pages_carry_no_script_and_stay_small() {
    let (app, mut inbox) = app_with_smtp(1000).await;
    let c = admin(&app).await;
    let (_, link) = sent_nps(&c, &mut inbox, "Umbrella", 10).await;
    let res = visitor().get(&link).header("accept-encoding", "identity").send().await.unwrap();
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("default-src 'none'") && !csp.contains("script-src"), "{csp}");
    let html = res.text().await.unwrap();
    assert!(html.len() < 30 * 1024, "{} bytes", html.len());
    let lower = html.to_lowercase();
    for banned in ["<script", ".wasm", "<link", "onclick", "javascript:"] {
        assert!(!lower.contains(banned), "{banned} found");
    }
    // Accessible structure: a fieldset whose legend is the question, labelled radios.
    assert!(html.contains("<fieldset") && html.contains("<legend>"));
    assert_eq!(html.matches("<label for=\"score").count(), 11);
}

#[tokio::test]
async fn the_anonymous_link_records_answers_without_a_contact() {
    let (app, _inbox) = app_with_smtp(1000).await;
    let c = admin(&app).await;
    let account = account_with_contacts(&c, "Stark").await;
    let (_, survey) = create_survey(&c, "Event CSAT", "csat", &[&account]).await;
    let sid = id_of(&survey);
    let http = visitor();
    let url = anonymous_link(&app, &survey);
    assert_eq!(get_page(&http, &url).await.status(), StatusCode::OK);
    let answer = [("score", "2"), ("comment", "Queue too long")];
    assert_eq!(post_status(&http, &url, &answer).await, StatusCode::SEE_OTHER);
    let (_, results) = c.call("surveys/results", &[("id", &sid)]).await;
    assert_eq!(results["anonymous_responses"], 1, "{results}");
    assert_eq!(results["score"]["value"], 0.0);
    // Nobody to follow up with.
    assert_eq!(rows(&app, "follow_up").await, 0);
    // A closed survey's link stops working.
    c.call("surveys/set_active", &[("id", &sid), ("active", "false")]).await;
    assert_eq!(get_page(&http, &url).await.status(), StatusCode::NOT_FOUND);
    let bogus = format!("{}/s/a/{}", app.base, "f".repeat(32));
    assert_eq!(get_page(&http, &bogus).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn public_pages_are_rate_limited_per_address() {
    let (app, _inbox) = app_with_smtp(5).await;
    let http = visitor();
    let url = format!("{}/s/a/{}", app.base, "a".repeat(32));
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(get_page(&http, &url).await.status());
    }
    assert!(statuses[..5].iter().all(|s| *s == StatusCode::NOT_FOUND), "{statuses:?}");
    assert_eq!(statuses[7], StatusCode::TOO_MANY_REQUESTS);
    // Retry-After says when the next request will be let through (5 a minute: within 12 s).
    let res = get_page(&http, &url).await;
    let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=13).contains(&wait), "{wait}");
}

#[tokio::test]
async fn survey_definitions_are_validated_and_roles_enforced() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let account = account_with_contacts(&c, "Wayne").await;
    let bad = [
        ("input[name]", ""),
        ("input[kind]", "stars"),
        ("input[audience]", "segment"),
        ("input[recurrence_months]", "99"),
        ("input[questions][0][prompt]", "Which plan?"),
        ("input[questions][0][kind]", "choice"),
        ("input[questions][0][options]", "Only one"),
    ];
    let fields = ["name", "kind", "segment", "recurrence_months", "questions.0"];
    c.refused("surveys/create", &bad, fields).await;
    let (status, body) = create_survey(&c, "Ghosts", "nps", &["nonexistent"]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&body, "ids").unwrap().contains("no longer exist"));
    assert_eq!(rows(&app, "survey").await, 0, "nothing written");

    let (status, ok) = create_survey(&c, "Wayne NPS", "nps", &[&account]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, dup) = create_survey(&c, "wayne nps", "nps", &[&account]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&dup, "name").is_some());

    // Executives read results but neither create nor send; signed-out callers get 401.
    let exec = user_with_role(&app, &c, "exec").await;
    let (status, _) = create_survey(&exec, "Exec NPS", "nps", &[&account]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let sid = ok["id"].as_str().unwrap();
    exec.expect(StatusCode::FORBIDDEN, "surveys/send", &[("id", sid)]).await;
    exec.ok("surveys/results", &[("id", sid)]).await;
    exec.expect(
        StatusCode::FORBIDDEN,
        "settings/surveys/save",
        &[("cap_days", "1"), ("follow_up_days", "1")],
    )
    .await;
    let anon = Client::new(&app);
    let (status, _) = anon.call("surveys/list", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let res = anon.get(&format!("/surveys/{sid}/responses.csv")).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn responses_export_as_csv() {
    let (app, mut inbox) = app_with_smtp(1000).await;
    let c = admin(&app).await;
    let (sid, link) = sent_nps(&c, &mut inbox, "Cyberdyne", 10).await;
    let answer = [("score", "10"), ("comment", "Fast, \"reliable\", friendly")];
    post_form(&visitor(), &form_url(&link), &answer).await;
    let res = c.get(&format!("/surveys/{sid}/responses.csv")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("Cyberdyne-NPS-responses.csv"));
    let body = res.text().await.unwrap();
    let mut rdr = csv::Reader::from_reader(body.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    assert_eq!(&headers[3], "score");
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][3], "10");
    assert_eq!(&rows[0][4], "Promoters (9–10)");
    assert_eq!(&rows[0][5], "Fast, \"reliable\", friendly");
    assert_eq!(&rows[0][6], "Cyberdyne");
}

#[tokio::test]
async fn feedback_items_are_logged_and_counted_by_theme() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let account = account_with_contacts(&c, "Soylent").await;
    let bad = [("input[source]", "radio"), ("input[sentiment]", ""), ("input[text]", "")];
    c.refused("feedback/create", &bad, ["source", "sentiment", "text"]).await;
    for (source, sentiment, themes, text) in [
        ("interview", "negative", "Onboarding, pricing", "Setup took weeks"),
        ("support", "negative", "onboarding", "Could not find the SSO docs"),
        ("social_media", "positive", "product", "Love the new dashboard"),
    ] {
        c.ok(
            "feedback/create",
            &[
                ("input[account_id]", &account),
                ("input[source]", source),
                ("input[sentiment]", sentiment),
                ("input[themes]", themes),
                ("input[text]", text),
            ],
        )
        .await;
    }
    let (_, view) = c.call("feedback/list", &[]).await;
    assert_eq!(view["total"], 3);
    assert_eq!(view["themes"][0]["theme"], "onboarding");
    assert_eq!(view["themes"][0]["count"], 2);
    assert_eq!(view["themes"][0]["negative"], 2);
    let (_, view) = c.call("feedback/list", &[("filter[theme]", "Pricing")]).await;
    assert_eq!(view["total"], 1, "{view}");
    assert_eq!(view["items"][0]["account_name"], "Soylent");
    let exec = user_with_role(&app, &c, "exec").await;
    exec.expect(
        StatusCode::FORBIDDEN,
        "feedback/create",
        &[("input[source]", "support"), ("input[sentiment]", "neutral"), ("input[text]", "x")],
    )
    .await;
}

#[tokio::test]
async fn hostile_text_is_escaped_on_the_survey_page() {
    const XSS: &str = "<script>alert(1)</script>";
    let (app, mut inbox) = app_with_smtp(1000).await;
    let c = admin(&app).await;
    let account = account_with_contacts(&c, "Tyrell").await;
    let roy = format!("{XSS} Batty");
    let contact =
        add_contact(&c, &account, &roy, "roy@tyrell.example", &[("input[title]", "")]).await;
    let (status, survey) = c
        .call(
            "surveys/create",
            &[
                ("input[name]", "Tyrell CSAT"),
                ("input[kind]", "csat"),
                ("input[question]", &format!("How was it? {XSS}")),
                ("input[audience]", "contacts"),
                ("input[ids][0]", &contact),
                ("input[questions][0][prompt]", XSS),
                ("input[questions][0][kind]", "choice"),
                ("input[questions][0][options]", "\"><b>bold</b>\nPlain"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{survey}");
    c.ok("surveys/send", &[("id", &id_of(&survey))]).await;
    let link = score_link(&text_of(&next_mail(&mut inbox).await), 4);
    let http = visitor();
    let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;";
    let res = get_page(&http, &link).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    eprintln!("invited survey form: {} bytes", html.len());
    assert!(!html.contains("<script") && !html.contains("<b>"), "{html}");
    assert!(html.contains(&format!("Hi {escaped},")), "{html}");
    assert!(html.contains(&format!("<title>How was it? {escaped}</title>")));
    assert!(html.contains(r#"value="&quot;&gt;&lt;b&gt;bold&lt;/b&gt;""#), "{html}");

    // Typed text comes back escaped with the error.
    let res = post_form(&http, &form_url(&link), &[("score", "9"), ("comment", XSS)]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    eprintln!("survey form with errors: {} bytes", html.len());
    assert!(!html.contains("<script"), "{html}");
    assert!(html.contains(&format!(">{escaped}</textarea>")), "{html}");
}
