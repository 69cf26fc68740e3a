//! Segments on product usage in a real browser: the portfolio filtered by red band and adoption
//! under 40 % (set with the usage filters), saved as a segment, a cadence rule aimed at it;
//! usage events sent through the REST API for one of its accounts, and the account leaving the
//! segment on the open Segments page without a reload; the move on the account's timeline.
//! Every page is loaded more than once, fails on any script error, and is photographed.

mod common;
use common::*;
use playwright_rs::expect;
use playwright_rs::protocol::{Page, SelectOption};
use std::time::Duration;

const ALL_FEATURES: [&str; 5] = ["dashboards", "reports", "integrations", "automation", "alerts"];

/// The admin, four accounts and an events key, over HTTP; returns (account ids, key).
async fn seed(base: &str) -> R<(Vec<String>, String)> {
    let api = Api::new(base)?;
    api.set_up_admin().await?;
    let mut ids = Vec::new();
    for name in ["Redwood Dental", "Rustic Farms", "Greenfield Labs", "Quiet Harbor"] {
        let account = NewAccount {
            name,
            tier: "smb",
            industry: "Software",
            stage: "growth",
            arr: "24000",
            currency: "USD",
            contract_start: "2026-01-01",
            renewal_date: "2027-06-01",
            owner_id: "",
        };
        ids.push(api.create_account(account).await?);
    }
    let made = api
        .call("api_keys/create", &[("name", "Product analytics"), ("scopes[0]", "events:write")])
        .await?;
    let key = made[1].as_str().expect("the key's secret").to_string();
    // Redwood and Rustic barely log in and use (almost) none of the key features: red, low
    // adoption. Greenfield uses everything. Quiet Harbor sends nothing (unscored).
    send_events(base, &key, usage_events(&ids[0], "redwood", 1, &[])).await?;
    send_events(base, &key, usage_events(&ids[1], "rustic", 1, &["dashboards"])).await?;
    send_events(base, &key, usage_events(&ids[2], "greenfield", 25, &ALL_FEATURES)).await?;
    Ok((ids, key))
}

#[tokio::test]
async fn a_low_adoption_segment_follows_usage_live() -> R {
    let server = start_server().await;
    let base = server.base.clone();
    let (ids, key) = seed(&base).await?;
    let (_pw, browser) = launch().await?;
    let page = new_page(&browser, 1360, 950).await?;
    let errors = collect_script_errors(&page).await?;
    accept_dialogs(&page).await?;
    sign_in(&page, &base).await?;

    filter_red_and_low_adoption(&page, &base).await?;
    save_the_view_as_a_segment(&page).await?;
    aim_a_cadence_rule_at_it(&page, &base).await?;
    leave_the_segment_live(&page, &base, &key, &ids[1]).await?;
    the_move_is_on_the_timeline(&page, &base, &ids[1]).await?;
    // Phone width: the cards stack.
    let phone = new_page(&browser, 390, 900).await?;
    sign_in(&phone, &base).await?;
    visit(&phone, &format!("{base}/segments")).await?;
    shot_showing(
        &phone,
        &[("[data-testid=segment-card]", "Red and low adoption")],
        "73-segments-phone",
    )
    .await?;
    let errors = errors.lock().unwrap().clone();
    assert!(errors.is_empty(), "script errors: {errors:?}");
    browser.close().await?;
    Ok(())
}

/// Band "Red" is a toggle link; adoption "to 39" is typed: the table shows exactly the two red,
/// low-adoption accounts, with their adoption, engagement and last activity.
async fn filter_red_and_low_adoption(page: &Page, base: &str) -> R {
    visit(page, &format!("{base}/")).await?;
    let rows = page.locator("table.accounts tbody tr");
    // Scores arrive from the streaming scorer within about a second.
    for _ in 0..3 {
        reload(page).await?;
        if page.locator("[data-testid=health-cell] .health-dot.red").count().await? >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    page.locator(".usage-filters a.toggle.t-red").click(None).await?;
    landed(page, "**/?band=red").await?;
    page.locator("#flt-adoption-max").fill("39", None).await?;
    page.locator("#flt-adoption-max").press("Tab", None).await?;
    landed(page, "**/?band=red&adoption_max=39").await?;
    expect(rows.clone()).to_have_count(2).await?;
    expect(page.locator(".usage-filters a.toggle.t-red"))
        .to_have_attribute("aria-pressed", "true")
        .await?;
    expect_texts(
        page,
        &[
            ("table.accounts", "Redwood Dental"),
            ("table.accounts", "Rustic Farms"),
            ("table.accounts", "20 %"),
        ],
    )
    .await?;
    // The same URL opened again shows the same (the URL is the state).
    reload(page).await?;
    expect(rows).to_have_count(2).await?;
    shot(page, "70-portfolio-usage-filters").await
}

async fn save_the_view_as_a_segment(page: &Page) -> R {
    page.locator("button:has-text('Save as segment')").click(None).await?;
    page.locator("#seg-name").fill("Red and low adoption", None).await?;
    page.locator(".inline-form button[type=submit]").click(None).await?;
    soon_shows(page, ".segments .chip", "Red and low adoption").await
}

/// Settings → Engagement: a monthly review for the new segment.
async fn aim_a_cadence_rule_at_it(page: &Page, base: &str) -> R {
    visit(page, &format!("{base}/settings/engagement")).await?;
    let segment = SelectOption::Label("Red and low adoption".into());
    page.locator("#f-segment_id").select_option(segment, None).await?;
    page.locator("#f-kind").select_option("monthly_review", None).await?;
    page.locator("#f-every_days").fill("30", None).await?;
    page.locator("main button:has-text('Add rule')").click(None).await?;
    soon_shows(page, "[data-testid=rule]", "Red and low adoption").await?;
    shot_showing(page, &[("#levels-h", "Engagement levels")], "71-settings-engagement-levels").await
}

/// The Segments page stays open; Rustic Farms starts using every key feature through the API;
/// it leaves the segment on the page without a reload.
async fn leave_the_segment_live(page: &Page, base: &str, key: &str, rustic: &str) -> R {
    visit(page, &format!("{base}/segments")).await?;
    let card = page.locator("[data-testid=segment-card][data-segment='Red and low adoption']");
    expect(card.locator("[data-testid=segment-accounts]")).to_have_text("2").await?;
    expect(card.clone()).to_contain_text("Nobody left.").await?;
    reload(page).await?;
    mark_not_reloaded(page).await?;
    send_events(base, key, usage_events(rustic, "rustic-later", 20, &ALL_FEATURES)).await?;
    expect(card.locator("[data-testid=segment-accounts]"))
        .with_timeout(Duration::from_secs(15))
        .to_have_text("1")
        .await?;
    expect(card.locator(".move-list").nth(1))
        .with_timeout(Duration::from_secs(15))
        .to_contain_text("Rustic Farms")
        .await?;
    expect(card.locator("[data-testid=segment-moves-30d]")).to_contain_text("−1").await?;
    assert_not_reloaded(page).await?;
    shot(page, "72-segments-live").await
}

async fn the_move_is_on_the_timeline(page: &Page, base: &str, rustic: &str) -> R {
    visit(page, &format!("{base}/accounts/{rustic}")).await?;
    soon_shows(page, ".timeline", "left Red and low adoption").await?;
    shot(page, "74-account-timeline-segment-move").await
}
