//! Success plans in a real browser: a CSM builds a plan from the Onboarding template, moves a
//! task with the keyboard, completes a milestone and shares the plan; in a second browser
//! context with no session (a phone), the customer ticks their task off and the CSM's open
//! page shows it without a reload; a revoked link stops working. Touchpoints, the timeline,
//! My work, templates and cadence settings are photographed too.

mod common;
use common::*;
use playwright_rs::expect;
use playwright_rs::protocol::{BrowserContext, Page};
use std::time::Duration;

/// The admin, one account (contract started three days ago, so its plan is current), its
/// champion contact and an SMB segment, over HTTP. Returns the account id.
async fn seed(base: &str) -> R<String> {
    let api = Api::new(base)?;
    let me = api.set_up_admin().await?;
    let today = chrono::Utc::now().date_naive();
    let start = (today - chrono::Duration::days(3)).to_string();
    let renewal = (today + chrono::Duration::days(362)).to_string();
    let id = api
        .create_account(NewAccount {
            name: "Acme Rockets",
            tier: "smb",
            industry: "Manufacturing",
            stage: "onboarding",
            arr: "48000",
            currency: "USD",
            contract_start: &start,
            renewal_date: &renewal,
            owner_id: &id_of(&me),
        })
        .await?;
    api.add_contact(&id, "Dana Lee", "dana@acme.example", &[("input[champion]", "on")]).await?;
    api.save_segment("SMB", "tier=smb").await?;
    Ok(id)
}

#[tokio::test]
async fn build_share_and_work_a_plan_with_the_customer() -> R {
    let server = start_server().await;
    let base = server.base.clone();
    let acc = seed(&base).await?;
    let (_pw, browser) = launch().await?;
    let page = new_page(&browser, 1280, 900).await?;
    accept_dialogs(&page).await?;
    let errors = collect_script_errors(&page).await?;
    sign_in(&page, &base).await?;

    templates_and_a_cadence_in_settings(&page, &base).await?;
    let plan_url = plan_made_from_the_onboarding_template(&page, &base, &acc).await?;
    task_moved_with_the_keyboard_stays_moved(&page).await?;
    milestone_completed_and_recorded(&page).await?;
    let url = plan_shared_with_the_champion(&page).await?;
    let (_phone_ctx, phone) = customer_ticks_a_task_on_a_phone(&browser, &page, &url).await?;
    revoked_link_stops_working(&page, &phone, &url).await?;
    touchpoint_meets_the_cadence_and_joins_the_timeline(&page, &base, &acc).await?;
    my_work_and_time_to_value(&page, &base).await?;
    refused_tick_is_rolled_back(&page, &plan_url).await?;
    let errors = errors.lock().unwrap().clone();
    assert!(errors.is_empty(), "script errors: {errors:?}");
    Ok(())
}

/// Settings: the seeded templates (a blank task title is named at once and blocks Save), and a
/// weekly cadence for the SMB segment.
async fn templates_and_a_cadence_in_settings(page: &Page, base: &str) -> R {
    visit(page, &format!("{base}/settings/templates")).await?;
    expect(page.locator(".tpl-list")).to_contain_text("Onboarding").await?;
    expect(page.locator("#tpl-m2-title"))
        .to_have_value("Initial goal setting and success metrics")
        .await?;
    page.locator("#tpl-m0-t0").fill("", None).await?;
    expect(page.locator(".tpl-tasks").first())
        .to_contain_text("the task title is required")
        .await?;
    expect(page.locator(".sticky-actions button.primary")).to_be_disabled().await?;
    shot(page, "50-settings-templates").await?;
    visit(page, &format!("{base}/settings/engagement")).await?;
    page.locator("main button:has-text('Add rule')").click(None).await?;
    soon_shows(page, "[data-testid=rule]", "Weekly status update").await?;
    shot(page, "51-settings-engagement").await?;
    Ok(())
}

/// The account: no plan yet; the weekly status update is due; a plan from Onboarding (an empty
/// title refused by name first). Returns the plan's address.
async fn plan_made_from_the_onboarding_template(page: &Page, base: &str, acc: &str) -> R<String> {
    visit(page, &format!("{base}/accounts/{acc}")).await?;
    expect(page.locator("[data-testid=cadence]")).to_contain_text("Weekly status update").await?;
    page.locator("section[aria-labelledby=plans-h] .card-head button").click(None).await?;
    let submit = page.locator("section[aria-labelledby=plans-h] button[type=submit]");
    submit.click(None).await?;
    expect(page.locator("#f-plan-title-error")).to_contain_text("required").await?;
    page.locator("#f-plan-title").fill("Acme onboarding", None).await?;
    submit.click(None).await?;
    landed(page, "**/plans/**").await?;
    let plan_url = page.url();
    expect(page.locator("[data-testid=milestone]")).to_have_count(3).await?;
    expect(page.locator("[data-testid=task]")).to_have_count(8).await?;
    expect(first_milestone_tasks(page).first())
        .to_contain_text("Schedule the welcome meeting")
        .await?;
    shot(page, "52-plan-from-template").await?;
    Ok(plan_url)
}

fn first_milestone_tasks(page: &Page) -> playwright_rs::protocol::Locator {
    page.locator("[data-testid=milestone] >> nth=0 >> [data-testid=task]")
}

/// Keyboard: the first task's handle, arrow down → second place, announced; focus stays on
/// it, so a second press moves it again; a reload shows the saved order.
async fn task_moved_with_the_keyboard_stays_moved(page: &Page) -> R {
    let tasks = first_milestone_tasks(page);
    let handle = page.locator("[data-testid=milestone] >> nth=0 >> .handle >> nth=0");
    handle.focus().await?;
    handle.press("ArrowDown", None).await?;
    expect(page.locator("[data-testid=announce]")).to_contain_text("to position 2 of 3").await?;
    expect(tasks.clone().first()).to_contain_text("Share current tools").await?;
    page.keyboard().press("ArrowDown", None).await?;
    expect(tasks.clone().nth(2)).to_contain_text("Schedule the welcome meeting").await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    reload(page).await?;
    expect(tasks.nth(2))
        .with_timeout(Duration::from_secs(10))
        .to_contain_text("Schedule the welcome meeting")
        .await?;
    Ok(())
}

/// Complete the first milestone: done at once, and recorded.
async fn milestone_completed_and_recorded(page: &Page) -> R {
    page.locator("[data-testid=milestone] >> nth=0 >> text=Complete milestone").click(None).await?;
    expect(page.locator("[data-testid=milestone] >> nth=0 >> .pill")).to_have_text("Done").await?;
    soon_shows(page, "[data-testid=activity]", "completed the milestone").await?;
    Ok(())
}

/// Share with Dana for 30 days. Returns the shared link; from here on the CSM's page is not
/// reloaded.
async fn plan_shared_with_the_champion(page: &Page) -> R<String> {
    page.locator(".share-form button[type=submit]").click(None).await?;
    let url_box = page.locator("[data-testid=share-url]");
    expect(url_box.clone()).with_timeout(Duration::from_secs(10)).to_have_count(1).await?;
    let url = url_box.input_value(None).await?;
    assert!(url.contains("/p/"), "{url}");
    shot_showing(page, &[("[data-testid=share]", "active until")], "53-plan-shared").await?;
    mark_not_reloaded(page).await?;
    Ok(url)
}

/// The customer, on a phone, with no session and JavaScript off, reads the plan and ticks their
/// task (plain forms; the page has no script at all); the CSM's open page shows it without a
/// reload (the account's live stream). Returns the phone's context and page.
async fn customer_ticks_a_task_on_a_phone(
    browser: &playwright_rs::protocol::Browser, page: &Page, url: &str,
) -> R<(BrowserContext, Page)> {
    let phone_ctx = phone_without_script(browser, 844).await?;
    let phone = phone_ctx.new_page().await?;
    phone.goto(url, None).await?;
    expect(phone.locator("h1")).to_have_text("Acme onboarding").await?;
    expect(phone.locator(".hello")).to_have_text("Hi Dana,").await?;
    shot(&phone, "54-shared-plan-phone").await?;
    phone.locator("li.task:has-text('Share current tools') button").click(None).await?;
    expect(phone.locator(".notice")).to_contain_text("Saved").await?;
    expect(phone.locator("li.task:has-text('Share current tools')"))
        .to_contain_text("done by Dana Lee (customer)")
        .await?;
    shot(&phone, "55-shared-plan-ticked").await?;

    expect(page.locator("li.task:has-text('Share current tools') input[type=checkbox]"))
        .with_timeout(Duration::from_secs(10))
        .to_be_checked()
        .await?;
    expect(page.locator("[data-testid=activity]")).to_contain_text("Dana Lee (customer)").await?;
    assert_not_reloaded(page).await?;
    shot(page, "56-plan-customer-ticked").await?;
    Ok((phone_ctx, phone))
}

/// Revoke: shown at once, the server's answer adds the activity entry, and the customer's link
/// stops working.
async fn revoked_link_stops_working(page: &Page, phone: &Page, url: &str) -> R {
    page.locator("[data-testid=share] button").click(None).await?;
    soon_shows(page, "[data-testid=share]", "revoked").await?;
    soon_shows(page, "[data-testid=activity]", "revoked the link shared with Dana Lee").await?;
    let res = reqwest::get(url).await?;
    assert_eq!(res.status(), 404);
    phone.reload(None).await?;
    expect(phone.locator("h1")).to_have_text("This link is no longer active").await?;
    shot(phone, "57-shared-plan-revoked").await?;
    Ok(())
}

/// A touchpoint on the account; the cadence is no longer overdue; the timeline has it all.
async fn touchpoint_meets_the_cadence_and_joins_the_timeline(
    page: &Page, base: &str, acc: &str,
) -> R {
    visit(page, &format!("{base}/accounts/{acc}")).await?;
    page.locator("section[aria-labelledby=eng-h] .card-head button").click(None).await?;
    page.locator("select[name='input[kind]']").select_option("weekly_status", None).await?;
    page.locator("#f-tp-attendees").fill("Dana Lee, Sam Ortiz", None).await?;
    page.locator("#f-tp-notes").fill("Welcome call went well; training booked.", None).await?;
    page.locator("section[aria-labelledby=eng-h] button[type=submit]").click(None).await?;
    soon_shows(page, ".touchpoints", "Welcome call went well").await?;
    let shows = [
        ("[data-testid=cadence]", "last "),
        ("[data-testid=timeline]", "Weekly status update"),
        ("[data-testid=timeline]", "ticked off the task"),
        ("[data-testid=plan-summary]", "Acme onboarding"),
    ];
    shot_showing(page, &shows, "58-account-plans-engagement").await
}

/// My work and the dashboard's time to value.
async fn my_work_and_time_to_value(page: &Page, base: &str) -> R {
    visit(page, &format!("{base}/my-work")).await?;
    expect(page.locator("main h1")).to_have_text("My work").await?;
    shot(page, "59-my-work").await?;
    visit(page, &format!("{base}/dashboard")).await?;
    shot_showing(page, &[("[data-testid=ttv]", "Time to value")], "60-dashboard-ttv").await
}

/// A refusal rolls the optimistic change back and says why: the session ends (signed out
/// elsewhere) while the plan is open; ticking a task shows at once, then is undone.
async fn refused_tick_is_rolled_back(page: &Page, plan_url: &str) -> R {
    visit(page, plan_url).await?;
    let task =
        page.locator("li.task:has-text('Write up the needs assessment') input[type=checkbox]");
    expect(task.clone()).not().to_be_checked().await?;
    page.evaluate_expression("fetch('/api/auth/logout', { method: 'POST' })").await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    task.click(None).await?;
    soon_shows(page, ".banner-error", "was not saved and has been undone").await?;
    expect(task).not().to_be_checked().await?;
    shot(page, "61-plan-refused-rolled-back").await?;
    Ok(())
}
