//! Surveys in a real browser: a CSM builds an NPS survey and sends it; the mailed links are
//! answered once with JavaScript off and once with it on; the results, the follow-up that the
//! detractor opened, feedback and settings are checked and photographed.

mod common;
use common::*;
use playwright_rs::expect;
use playwright_rs::protocol::{Browser, Page};
use std::path::Path;
use std::time::{Duration, Instant};

/// Sets up the admin, one account they own and two contacts, over HTTP.
async fn seed(base: &str) -> R<String> {
    let api = Api::new(base)?;
    let me = api.set_up_admin().await?;
    let id = api
        .create_account(NewAccount {
            name: "Globex Analytics",
            tier: "enterprise",
            industry: "Software",
            stage: "growth",
            arr: "480000",
            currency: "USD",
            contract_start: "2026-01-01",
            renewal_date: "2027-06-01",
            owner_id: &id_of(&me),
        })
        .await?;
    for (name, email) in
        [("Dana Scully", "dana@globex.example"), ("Fox Mulder", "fox@globex.example")]
    {
        api.add_contact(&id, name, email, &[("input[title]", "")]).await?;
    }
    Ok(id)
}

/// The one-click link for `score` in the mail sent to `to`, read from the mail directory.
async fn link_for(dir: &Path, to: &str, score: u8) -> R<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.extension().and_then(|e| e.to_str()) != Some("eml") {
                continue;
            }
            let raw = std::fs::read(&path)?;
            let msg = mail_parser::MessageParser::default().parse(&raw).ok_or("unparsable mail")?;
            let addressed = msg
                .to()
                .and_then(|a| a.first())
                .and_then(|a| a.address())
                .map(|a| a == to)
                .unwrap_or(false);
            if addressed {
                let text = msg.body_text(0).ok_or("no text part")?;
                let prefix = format!("{score}: ");
                if let Some(l) = text.lines().find_map(|l| l.trim().strip_prefix(&prefix)) {
                    return Ok(l.to_string());
                }
            }
        }
        if Instant::now() > deadline {
            return Err(format!("no mail to {to}").into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_survey_goes_out_is_answered_without_javascript_and_closes_the_loop() -> R {
    let mail = tempfile::tempdir()?;
    let server = start_server_with(&["--mail-dir", mail.path().to_str().unwrap()]).await;
    let base = server.base.clone();
    let account = seed(&base).await?;
    let (_pw, browser) = launch().await?;
    let page = new_page(&browser, 1280, 900).await?;
    sign_in(&page, &base).await?;

    no_surveys_yet(&page).await?;
    let survey_url = survey_built_with_its_mistakes_named(&page).await?;
    invitations_sent(&page).await?;
    promoter_answers_on_a_phone_without_javascript(&browser, mail.path()).await?;
    detractor_answers_with_javascript(&browser, mail.path()).await?;
    results_show_both_answers(&page, &survey_url).await?;
    detractor_follow_up_closed_with_an_outcome(&page).await?;
    account_shows_what_its_people_said(&page, &base, &account).await?;
    feedback_from_another_channel(&page, &base).await?;
    frequency_cap_checked_in_settings(&page, &base).await?;
    Ok(())
}

/// Opens a page from the top navigation.
async fn open_from_nav(page: &Page, href: &str) -> R {
    follow(page, &format!("header nav a[href='{href}']"), &format!("**{href}")).await
}

/// No surveys yet.
async fn no_surveys_yet(page: &Page) -> R {
    open_from_nav(page, "/surveys").await?;
    shot_showing(page, &[(".empty-state", "No surveys yet")], "20-surveys-empty").await
}

/// The survey form: a mistake first (no name, no account), each named beside its field; then
/// an NPS with a choice question for Globex. Returns the survey's address.
async fn survey_built_with_its_mistakes_named(page: &Page) -> R<String> {
    follow(page, "a[href='/surveys/new']", "**/surveys/new").await?;
    page.locator("label.seg-option:has-text('Chosen accounts')").click(None).await?;
    submit(page).await?;
    expect(page.locator(".field.invalid #f-name-error")).to_contain_text("is required").await?;
    expect(page.locator(".audience-detail .error"))
        .to_contain_text("choose at least one account")
        .await?;
    shot(page, "21-survey-form-errors").await?;

    page.locator("#f-name").fill("Q4 NPS – Enterprise", None).await?;
    page.locator("text=+ Add a question").click(None).await?;
    page.locator("#q-0-prompt").fill("Which team helped you most?", None).await?;
    page.locator("#q-0-kind").select_option("choice", None).await?;
    page.locator("#q-0-options").fill("Support\nOnboarding\nAccount management", None).await?;
    page.locator("#pick-accounts").fill("globex", None).await?;
    page.locator("button.pick:has-text('Globex Analytics')").click(None).await?;
    expect(page.locator(".chips .chip")).to_contain_text("Globex Analytics").await?;
    shot(page, "22-survey-form").await?;
    submit(page).await?;
    landed(page, "**/surveys/*").await?;
    expect(page.locator("#aud-h + p, #aud-h ~ *").first())
        .to_contain_text("2 of 2 contacts would be invited")
        .await?;
    Ok(page.url())
}

/// Send: two invitations go out.
async fn invitations_sent(page: &Page) -> R {
    page.locator("button:has-text('Send invitations')").click(None).await?;
    let shows = [
        (".banner-ok", "2 invitations on the way"),
        ("#aud-h ~ * >> nth=0", "0 of 2 contacts would be invited"),
    ];
    shot_showing(page, &shows, "23-survey-sent").await
}

/// Dana answers 9 with JavaScript off, on a phone: the page loads no script and no WASM.
async fn promoter_answers_on_a_phone_without_javascript(browser: &Browser, mail: &Path) -> R {
    let dana = link_for(mail, "dana@globex.example", 9).await?;
    let no_js = phone_without_script(browser, 800).await?;
    let phone = no_js.new_page().await?;
    let requested = record_requests(&phone).await?;
    phone.goto(&dana, None).await?;
    expect(phone.locator("input[name=score][value='9']")).to_be_checked().await?;
    let html = phone.content().await?;
    assert!(!html.to_lowercase().contains("<script"), "no script on the survey page");
    shot(&phone, "24-survey-page-phone-no-js").await?;
    phone.locator("#comment").fill("The onboarding team was superb.", None).await?;
    phone.locator("label[for='q1-1']").click(None).await?;
    phone.locator("button[type=submit]").click(None).await?;
    phone.wait_for_url("**/thanks", None).await?;
    expect(phone.locator("h1")).to_have_text("Thank you!").await?;
    shot_showing(&phone, &[(".answer", "9")], "25-survey-thanks-phone").await?;
    let urls = requested.lock().unwrap().clone();
    assert!(
        urls.iter().all(|u| !u.ends_with(".wasm") && !u.ends_with(".js")),
        "no script or WASM requested: {urls:?}"
    );
    Ok(())
}

/// Fox answers 3 with JavaScript on, after first trying an empty form.
async fn detractor_answers_with_javascript(browser: &Browser, mail: &Path) -> R {
    let fox = link_for(mail, "fox@globex.example", 3).await?;
    let js = browser.new_context().await?;
    let desk = js.new_page().await?;
    desk.goto(fox.split('?').next().unwrap(), None).await?;
    desk.locator("button[type=submit]").click(None).await?;
    expect(desk.locator("#score-error")).to_contain_text("choose a score").await?;
    shot(&desk, "26-survey-page-error").await?;
    desk.locator("label[for='score-3']").click(None).await?;
    desk.locator("#comment").fill("Support tickets wait for days.", None).await?;
    desk.locator("button[type=submit]").click(None).await?;
    desk.wait_for_url("**/thanks", None).await?;
    Ok(())
}

/// Results: NPS is (1 promoter − 1 detractor) / 2 = 0, the verbatims and chart show both; the
/// verbatims filtered to detractors (once the filters have hydrated).
async fn results_show_both_answers(page: &Page, survey_url: &str) -> R {
    visit(page, survey_url).await?;
    expect(page.locator(".kpi-value.score")).to_have_text("0").await?;
    let verbatims = page.locator(".verbatims");
    for said in ["superb", "Which team helped you most?", "wait for days"] {
        expect(verbatims.clone()).to_contain_text(said).await?;
    }
    expect(page.locator(".chart svg").first()).to_have_count(1).await?;
    shot(page, "27-survey-results").await?;
    expect(page.locator("form.filters[data-live]")).to_have_count(1).await?;
    page.locator("#v-band").select_option("low", None).await?;
    expect(page.locator(".verbatim")).to_have_count(1).await?;
    expect(verbatims).to_contain_text("wait for days").await?;
    Ok(())
}

/// The detractor opened a follow-up for the account owner; close it with an outcome (none is
/// refused first).
async fn detractor_follow_up_closed_with_an_outcome(page: &Page) -> R {
    open_from_nav(page, "/follow-ups").await?;
    let follow_up = page.locator(".follow-up");
    expect(follow_up.clone()).to_have_count(1).await?;
    expect(follow_up.clone()).to_contain_text("NPS detractor").await?;
    expect(follow_up).to_contain_text("Owner: Ada Lovelace").await?;
    shot(page, "28-follow-ups").await?;
    page.locator(".fu-close button").click(None).await?;
    expect(page.locator(".fu-close .error")).to_contain_text("is required").await?;
    page.locator(".fu-close textarea")
        .fill("Called Fox; support lead now reviews their queue daily.", None)
        .await?;
    page.locator(".fu-close button").click(None).await?;
    expect(page.locator(".empty-state")).to_contain_text("Nothing here").await?;
    page.locator("label.seg-option:has-text('Closed')").click(None).await?;
    let shows = [(".follow-up .outcome", "reviews their queue"), (".kpis", "100%")];
    shot_showing(page, &shows, "29-follow-ups-closed").await
}

/// The account page shows what its people said.
async fn account_shows_what_its_people_said(page: &Page, base: &str, account: &str) -> R {
    visit(page, &format!("{base}/accounts/{account}")).await?;
    shot_showing(page, &[("#acc-surveys-h ~ * >> nth=0", "NPS")], "30-account-surveys").await
}

/// Feedback from another channel (an empty text refused first), counted by theme.
async fn feedback_from_another_channel(page: &Page, base: &str) -> R {
    visit(page, &format!("{base}/feedback")).await?;
    submit(page).await?;
    expect(page.locator("#f-text ~ .error")).to_contain_text("is required").await?;
    page.locator("label.seg-option:has-text('Negative')").click(None).await?;
    let said = [
        ("#f-themes", "Support, response time"),
        ("#f-text", "Said on a call: tickets sit unanswered."),
    ];
    fill_and_submit(page, &said).await?;
    let shows = [(".themes", "response time"), (".feedback-items", "tickets sit unanswered")];
    shot_showing(page, &shows, "31-feedback").await
}

/// Settings: the cap is there, and a bad value is named.
async fn frequency_cap_checked_in_settings(page: &Page, base: &str) -> R {
    visit(page, &format!("{base}/settings")).await?;
    page.locator("#f-cap_days").fill("-3", None).await?;
    page.locator("button:has-text('Save survey settings')").click(None).await?;
    shot_showing(page, &[("#f-cap_days-error", "from 0")], "32-settings-surveys").await
}
