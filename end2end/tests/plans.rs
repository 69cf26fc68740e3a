//! Success plans in a real browser: a CSM builds a plan from the Onboarding template, moves a
//! task with the keyboard, completes a milestone and shares the plan; in a second browser
//! context with no session (a phone), the customer ticks their task off and the CSM's open
//! page shows it without a reload; a revoked link stops working. Touchpoints, the timeline,
//! My work, templates and cadence settings are photographed too.

mod common;
use common::*;
use playwright_rs::expect;
use playwright_rs::protocol::{BrowserContextOptions, Viewport};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const EMAIL: &str = "ada@bellwether.test";
const PASS: &str = "correct horse battery";

/// The admin, one account (contract started three days ago, so its plan is current), its
/// champion contact and an SMB segment, over HTTP. Returns the account id.
async fn seed(base: &str) -> R<String> {
    let http = reqwest::Client::builder().cookie_store(true).build()?;
    let call = |path: &str, form: Vec<(&'static str, String)>| {
        let http = http.clone();
        let url = format!("{base}/api/{path}");
        async move {
            let res = http
                .post(url)
                .header("accept", "application/json")
                .form(&form)
                .send()
                .await?;
            assert!(res.status().is_success(), "{}", res.text().await?);
            Ok::<serde_json::Value, Box<dyn std::error::Error>>(res.json().await?)
        }
    };
    let me = call(
        "auth/setup",
        vec![
            ("email", EMAIL.into()),
            ("name", "Ada Lovelace".into()),
            ("password", PASS.into()),
            ("setup_code", SETUP_CODE.into()),
        ],
    )
    .await?;
    let today = chrono::Utc::now().date_naive();
    let start = (today - chrono::Duration::days(3)).to_string();
    let renewal = (today + chrono::Duration::days(362)).to_string();
    let acc = call(
        "accounts/create",
        vec![
            ("input[name]", "Acme Rockets".into()),
            ("input[tier]", "smb".into()),
            ("input[industry]", "Manufacturing".into()),
            ("input[stage]", "onboarding".into()),
            ("input[arr]", "48000".into()),
            ("input[currency]", "USD".into()),
            ("input[contract_start]", start),
            ("input[renewal_date]", renewal),
            ("input[owner_id]", me["id"].as_str().unwrap().to_string()),
        ],
    )
    .await?;
    let id = acc["id"].as_str().unwrap().to_string();
    call(
        "accounts/contacts/add",
        vec![
            ("account_id", id.clone()),
            ("input[name]", "Dana Lee".into()),
            ("input[email]", "dana@acme.example".into()),
            ("input[champion]", "on".into()),
        ],
    )
    .await?;
    call(
        "segments/save",
        vec![("name", "SMB".into()), ("query", "tier=smb".into())],
    )
    .await?;
    Ok(id)
}

#[tokio::test]
async fn build_share_and_work_a_plan_with_the_customer() -> R {
    let server = start_server().await;
    let base = server.base.clone();
    let acc = seed(&base).await?;
    let (_pw, browser) = launch().await?;
    let page = browser.new_page().await?;
    page.set_viewport_size(Viewport {
        width: 1280,
        height: 900,
    })
    .await?;
    page.on_dialog(|dialog| async move { dialog.accept(None).await })
        .await?;
    // Every script error in the CSM's page is a failure (a panic in the WASM stops the page).
    let errors = Arc::new(Mutex::new(Vec::<String>::new()));
    {
        let errors = errors.clone();
        page.on_pageerror(move |m| {
            let errors = errors.clone();
            async move {
                eprintln!("page error: {m}");
                errors.lock().unwrap().push(m);
                Ok(())
            }
        })
        .await?;
    }
    page.on_console(|m| async move {
        if m.type_() == "error" {
            eprintln!("console error: {}", m.text());
        }
        Ok(())
    })
    .await?;
    page.goto(&format!("{base}/login"), None).await?;
    hydrated(&page).await?;
    page.locator("#f-email").fill(EMAIL, None).await?;
    page.locator("#f-password").fill(PASS, None).await?;
    page.locator("main button[type=submit]").click(None).await?;
    page.wait_for_url(&format!("{base}/"), None).await?;

    // Settings: the seeded templates, and a weekly cadence for the SMB segment.
    page.goto(&format!("{base}/settings/templates"), None)
        .await?;
    hydrated(&page).await?;
    expect(page.locator(".tpl-list"))
        .to_contain_text("Onboarding")
        .await?;
    expect(page.locator("#tpl-m2-title"))
        .to_have_value("Initial goal setting and success metrics")
        .await?;
    // A blank task title is named at once and Save is disabled.
    page.locator("#tpl-m0-t0").fill("", None).await?;
    expect(page.locator(".tpl-tasks").first())
        .to_contain_text("the task title is required")
        .await?;
    expect(page.locator(".sticky-actions button.primary"))
        .to_be_disabled()
        .await?;
    shot(&page, "50-settings-templates").await?;
    page.goto(&format!("{base}/settings/engagement"), None)
        .await?;
    hydrated(&page).await?;
    page.locator("main button[type=submit]").click(None).await?;
    expect(page.locator("[data-testid=rule]"))
        .with_timeout(Duration::from_secs(10))
        .to_contain_text("Weekly status update")
        .await?;
    shot(&page, "51-settings-engagement").await?;

    // The account: no plan yet; the weekly status update is due; a plan from Onboarding.
    page.goto(&format!("{base}/accounts/{acc}"), None).await?;
    hydrated(&page).await?;
    expect(page.locator("[data-testid=cadence]"))
        .to_contain_text("Weekly status update")
        .await?;
    page.locator("section[aria-labelledby=plans-h] .card-head button")
        .click(None)
        .await?;
    // An empty title is refused, by name.
    page.locator("section[aria-labelledby=plans-h] button[type=submit]")
        .click(None)
        .await?;
    expect(page.locator("#f-plan-title-error"))
        .to_contain_text("required")
        .await?;
    page.locator("#f-plan-title")
        .fill("Acme onboarding", None)
        .await?;
    page.locator("section[aria-labelledby=plans-h] button[type=submit]")
        .click(None)
        .await?;
    page.wait_for_url("**/plans/**", None).await?;
    let plan_url = page.url();
    hydrated(&page).await?;
    expect(page.locator("[data-testid=milestone]"))
        .to_have_count(3)
        .await?;
    expect(page.locator("[data-testid=task]"))
        .to_have_count(8)
        .await?;
    let first_ms_tasks = page.locator("[data-testid=milestone] >> nth=0 >> [data-testid=task]");
    expect(first_ms_tasks.clone().first())
        .to_contain_text("Schedule the welcome meeting")
        .await?;
    shot(&page, "52-plan-from-template").await?;

    // Keyboard: the first task's handle, arrow down → second place, announced.
    let handle = page.locator("[data-testid=milestone] >> nth=0 >> .handle >> nth=0");
    handle.focus().await?;
    handle.press("ArrowDown", None).await?;
    expect(page.locator("[data-testid=announce]"))
        .to_contain_text("to position 2 of 3")
        .await?;
    expect(first_ms_tasks.clone().first())
        .to_contain_text("Share current tools")
        .await?;
    // Focus stays on the moved task's handle: pressing again moves it once more.
    page.keyboard().press("ArrowDown", None).await?;
    expect(first_ms_tasks.clone().nth(2))
        .to_contain_text("Schedule the welcome meeting")
        .await?;
    // Saved: a reload shows the same order.
    tokio::time::sleep(Duration::from_millis(500)).await;
    page.reload(None).await?;
    hydrated(&page).await?;
    expect(first_ms_tasks.clone().nth(2))
        .with_timeout(Duration::from_secs(10))
        .to_contain_text("Schedule the welcome meeting")
        .await?;

    // Complete the first milestone: done at once, and recorded.
    page.locator("[data-testid=milestone] >> nth=0 >> text=Complete milestone")
        .click(None)
        .await?;
    expect(page.locator("[data-testid=milestone] >> nth=0 >> .pill"))
        .to_have_text("Done")
        .await?;
    expect(page.locator("[data-testid=activity]"))
        .with_timeout(Duration::from_secs(10))
        .to_contain_text("completed the milestone")
        .await?;

    // Share with Dana for 30 days.
    page.locator(".share-form button[type=submit]")
        .click(None)
        .await?;
    let url_box = page.locator("[data-testid=share-url]");
    expect(url_box.clone())
        .with_timeout(Duration::from_secs(10))
        .to_have_count(1)
        .await?;
    let url = url_box.input_value(None).await?;
    assert!(url.contains("/p/"), "{url}");
    expect(page.locator("[data-testid=share]"))
        .to_contain_text("active until")
        .await?;
    shot(&page, "53-plan-shared").await?;
    // From here on the CSM's page is not reloaded: this mark would vanish if it were.
    page.evaluate_expression("window.__stillHere = true")
        .await?;

    // The customer, on a phone, with no session and JavaScript off: reads the plan and ticks
    // their task (plain forms; the page has no script at all).
    let phone_ctx = browser
        .new_context_with_options(
            BrowserContextOptions::builder()
                .javascript_enabled(false)
                .viewport(Viewport {
                    width: 390,
                    height: 844,
                })
                .is_mobile(true)
                .build(),
        )
        .await?;
    let phone = phone_ctx.new_page().await?;
    phone.goto(&url, None).await?;
    expect(phone.locator("h1"))
        .to_have_text("Acme onboarding")
        .await?;
    expect(phone.locator(".hello"))
        .to_have_text("Hi Dana,")
        .await?;
    shot(&phone, "54-shared-plan-phone").await?;
    phone
        .locator("li.task:has-text('Share current tools') button")
        .click(None)
        .await?;
    expect(phone.locator(".notice"))
        .to_contain_text("Saved")
        .await?;
    expect(phone.locator("li.task:has-text('Share current tools')"))
        .to_contain_text("done by Dana Lee (customer)")
        .await?;
    shot(&phone, "55-shared-plan-ticked").await?;

    // The CSM's open page shows it without a reload (the account's live stream).
    expect(page.locator("li.task:has-text('Share current tools') input[type=checkbox]"))
        .with_timeout(Duration::from_secs(10))
        .to_be_checked()
        .await?;
    expect(page.locator("[data-testid=activity]"))
        .to_contain_text("Dana Lee (customer)")
        .await?;
    let still: bool = page
        .evaluate("() => window.__stillHere === true", None::<&()>)
        .await?;
    assert!(still, "the CSM's page was reloaded");
    shot(&page, "56-plan-customer-ticked").await?;

    // Revoke: the customer's link stops working.
    page.locator("[data-testid=share] button")
        .click(None)
        .await?;
    expect(page.locator("[data-testid=share]"))
        .with_timeout(Duration::from_secs(10))
        .to_contain_text("revoked")
        .await?;
    // Shown at once; the server's answer adds the activity entry.
    expect(page.locator("[data-testid=activity]"))
        .with_timeout(Duration::from_secs(10))
        .to_contain_text("revoked the link shared with Dana Lee")
        .await?;
    let res = reqwest::get(&url).await?;
    assert_eq!(res.status(), 404);
    phone.reload(None).await?;
    expect(phone.locator("h1"))
        .to_have_text("This link is no longer active")
        .await?;
    shot(&phone, "57-shared-plan-revoked").await?;

    // A touchpoint on the account; the cadence is no longer overdue; the timeline has it all.
    page.goto(&format!("{base}/accounts/{acc}"), None).await?;
    hydrated(&page).await?;
    page.locator("section[aria-labelledby=eng-h] .card-head button")
        .click(None)
        .await?;
    page.locator("select[name='input[kind]']")
        .select_option("weekly_status", None)
        .await?;
    page.locator("#f-tp-attendees")
        .fill("Dana Lee, Sam Ortiz", None)
        .await?;
    page.locator("#f-tp-notes")
        .fill("Welcome call went well; training booked.", None)
        .await?;
    page.locator("section[aria-labelledby=eng-h] button[type=submit]")
        .click(None)
        .await?;
    expect(page.locator(".touchpoints"))
        .with_timeout(Duration::from_secs(10))
        .to_contain_text("Welcome call went well")
        .await?;
    expect(page.locator("[data-testid=cadence]"))
        .to_contain_text("last ")
        .await?;
    expect(page.locator("[data-testid=timeline]"))
        .to_contain_text("Weekly status update")
        .await?;
    expect(page.locator("[data-testid=timeline]"))
        .to_contain_text("ticked off the task")
        .await?;
    expect(page.locator("[data-testid=plan-summary]"))
        .to_contain_text("Acme onboarding")
        .await?;
    shot(&page, "58-account-plans-engagement").await?;

    // My work and the dashboard's time to value.
    page.goto(&format!("{base}/my-work"), None).await?;
    hydrated(&page).await?;
    expect(page.locator("main h1"))
        .to_have_text("My work")
        .await?;
    shot(&page, "59-my-work").await?;
    page.goto(&format!("{base}/dashboard"), None).await?;
    hydrated(&page).await?;
    expect(page.locator("[data-testid=ttv]"))
        .to_contain_text("Time to value")
        .await?;
    shot(&page, "60-dashboard-ttv").await?;

    // A refusal rolls the optimistic change back and says why: the session ends (signed out
    // elsewhere) while the plan is open; ticking a task shows at once, then is undone.
    page.goto(&plan_url, None).await?;
    hydrated(&page).await?;
    let task =
        page.locator("li.task:has-text('Write up the needs assessment') input[type=checkbox]");
    expect(task.clone()).not().to_be_checked().await?;
    page.evaluate_expression("fetch('/api/auth/logout', { method: 'POST' })")
        .await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    task.click(None).await?;
    expect(page.locator(".banner-error"))
        .with_timeout(Duration::from_secs(10))
        .to_contain_text("was not saved and has been undone")
        .await?;
    expect(task.clone()).not().to_be_checked().await?;
    shot(&page, "61-plan-refused-rolled-back").await?;
    let errors = errors.lock().unwrap().clone();
    assert!(errors.is_empty(), "script errors: {errors:?}");
    Ok(())
}
