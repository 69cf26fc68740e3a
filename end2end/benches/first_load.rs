//! The first load on a slow phone network: Chromium through playwright-rs, a fresh browser
//! context (cold cache) per run, the network throttled to slow 4G (1.6 Mbit/s down, 750 kbit/s
//! up, 150 ms round trip) and the CPU 4× through the DevTools protocol.
//!
//! Measures, per run:
//!   - portfolio: navigation → the page is live (`body[data-hydrated]`) → a click on a column
//!     header has sorted the table (client-side, as only a live page does);
//!   - an account page opened directly (a link in an e-mail): navigation → live;
//!   - from the live portfolio, a click on an account → its page shown, clicked at once and
//!     after 8 s on the portfolio (which warms the account page's chunks up);
//!   - plan builder: from a live account page, a click on its plan → the plan's milestones are
//!     shown (a lazily loaded route: its chunks are fetched on this navigation), clicked as soon
//!     as the account page is live and after 8 s on it (the page warms the chunks up).
//!
//! Run: `cargo bench -p end2end --bench first_load` (after `scripts/build-site.sh --release`);
//! `E2E_SITE=<dir>` serves another build of the site (to compare two), `RUNS` (default 5).
//! Prints the median and the spread; figures in BENCHMARKS.md.

#[path = "../tests/common/mod.rs"]
mod common;
use common::*;
use playwright_rs::expect;
use playwright_rs::protocol::{Browser, Page};
use serde_json::json;
use std::time::{Duration, Instant};

const SLOW: Duration = Duration::from_secs(120);

#[tokio::main]
async fn main() -> R {
    let runs: usize = std::env::var("RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(5);
    let server = start_server().await;
    let base = server.base.clone();
    let (_pw, browser) = launch().await?;
    let plan_url = seed(&browser, &base).await?;
    let account_url = plan_url.split("/plans/").next().unwrap_or_default().to_string();

    let (mut live, mut sorted, mut plan, mut plan_later) = (vec![], vec![], vec![], vec![]);
    let (mut account, mut opened, mut opened_later) = (vec![], vec![], vec![]);
    for _ in 0..runs {
        let (l, s) = portfolio(&browser, &base).await?;
        live.push(l);
        sorted.push(s);
        account.push(account_direct(&browser, &account_url).await?);
        opened.push(account_from_portfolio(&browser, &base, Duration::ZERO).await?);
        opened_later.push(account_from_portfolio(&browser, &base, Duration::from_secs(8)).await?);
        plan.push(plan_builder(&browser, &account_url, Duration::ZERO).await?);
        plan_later.push(plan_builder(&browser, &account_url, Duration::from_secs(8)).await?);
    }
    println!("site: {}", std::env::var("E2E_SITE").unwrap_or_else(|_| "target/site".into()));
    report("portfolio: navigation → live", &mut live);
    report("portfolio: navigation → sorted by a header click", &mut sorted);
    report("account page opened directly: navigation → live", &mut account);
    report("portfolio → account page shown (clicked as soon as live)", &mut opened);
    report("portfolio → account page shown (clicked after 8 s on it)", &mut opened_later);
    report("account page → plan builder shown (clicked as soon as live)", &mut plan);
    report("account page → plan builder shown (clicked after 8 s on it)", &mut plan_later);
    browser.close().await?;
    Ok(())
}

fn report(what: &str, ms: &mut [u128]) {
    ms.sort();
    println!(
        "{what}: median {} ms (min {}, max {}, {} runs)",
        ms[ms.len() / 2],
        ms[0],
        ms[ms.len() - 1],
        ms.len()
    );
}

/// An admin, a dozen accounts, and one plan made from the onboarding template (in the browser,
/// unthrottled). Returns the plan's address.
async fn seed(browser: &Browser, base: &str) -> R<String> {
    let api = Api::new(base)?;
    let me = api.set_up_admin().await?;
    let today = chrono::Utc::now().date_naive();
    let (start, renewal) = (
        (today - chrono::Duration::days(30)).to_string(),
        (today + chrono::Duration::days(300)).to_string(),
    );
    let mut first = String::new();
    for i in 0..12 {
        let id = api
            .create_account(NewAccount {
                name: &format!("Account {i:02}"),
                tier: "smb",
                industry: "Manufacturing",
                stage: "onboarding",
                arr: &format!("{}", 12_000 + i * 1_000),
                currency: "USD",
                contract_start: &start,
                renewal_date: &renewal,
                owner_id: &id_of(&me),
            })
            .await?;
        if first.is_empty() {
            first = id;
        }
    }
    let page = new_page(browser, 1280, 900).await?;
    sign_in(&page, base).await?;
    visit(&page, &format!("{base}/accounts/{first}")).await?;
    page.locator("section[aria-labelledby=plans-h] .card-head button").click(None).await?;
    page.locator("#f-plan-title").fill("Onboarding", None).await?;
    page.locator("section[aria-labelledby=plans-h] button[type=submit]").click(None).await?;
    landed(&page, "**/plans/**").await?;
    let url = page.url();
    page.close().await?;
    Ok(url)
}

/// A signed-in page in a fresh context (empty cache), throttled.
async fn cold_page(browser: &Browser, base: &str) -> R<Page> {
    let context = browser.new_context().await?;
    let page = context.new_page().await?;
    page.set_default_timeout(SLOW.as_millis() as f64).await;
    sign_in(&page, base).await?;
    let cdp = context.new_cdp_session(&page).await?;
    cdp.send("Network.enable", None).await?;
    cdp.send("Network.setCacheDisabled", Some(json!({ "cacheDisabled": true }))).await?;
    cdp.send(
        "Network.emulateNetworkConditions",
        Some(json!({ "offline": false, "latency": 150,
            "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8 })),
    )
    .await?;
    cdp.send("Emulation.setCPUThrottlingRate", Some(json!({ "rate": 4 }))).await?;
    Ok(page)
}

async fn portfolio(browser: &Browser, base: &str) -> R<(u128, u128)> {
    let page = cold_page(browser, base).await?;
    let t0 = Instant::now();
    page.goto(&format!("{base}/"), None).await?;
    expect(page.locator("body[data-hydrated]")).with_timeout(SLOW).to_have_count(1).await?;
    let live = t0.elapsed().as_millis();
    page.locator("table.accounts thead th:has-text('ARR') a").click(None).await?;
    expect(page.locator("table.accounts thead th:has-text('ARR'):not([aria-sort=none])"))
        .with_timeout(SLOW)
        .to_have_count(1)
        .await?;
    let sorted = t0.elapsed().as_millis();
    page.context()?.close().await?;
    Ok((live, sorted))
}

/// An account page opened cold (a link from an e-mail or an alert).
async fn account_direct(browser: &Browser, account_url: &str) -> R<u128> {
    let base = account_url.split("/accounts/").next().unwrap_or_default();
    let page = cold_page(browser, base).await?;
    let t0 = Instant::now();
    page.goto(account_url, None).await?;
    expect(page.locator("body[data-hydrated]")).with_timeout(SLOW).to_have_count(1).await?;
    let live = t0.elapsed().as_millis();
    page.context()?.close().await?;
    Ok(live)
}

/// The portfolio opened cold; after `dwell` on it, its first account clicked.
async fn account_from_portfolio(browser: &Browser, base: &str, dwell: Duration) -> R<u128> {
    let page = cold_page(browser, base).await?;
    page.goto(&format!("{base}/"), None).await?;
    expect(page.locator("body[data-hydrated]")).with_timeout(SLOW).to_have_count(1).await?;
    tokio::time::sleep(dwell).await;
    let t0 = Instant::now();
    page.locator("table.accounts tbody a[href*='/accounts/']").first().click(None).await?;
    expect(page.locator("section[aria-labelledby=plans-h]"))
        .with_timeout(SLOW)
        .to_have_count(1)
        .await?;
    let shown = t0.elapsed().as_millis();
    page.context()?.close().await?;
    Ok(shown)
}

/// The account page opened cold; after `dwell` on it, its plan clicked.
async fn plan_builder(browser: &Browser, account_url: &str, dwell: Duration) -> R<u128> {
    let base = account_url.split("/accounts/").next().unwrap_or_default();
    let page = cold_page(browser, base).await?;
    page.goto(account_url, None).await?;
    expect(page.locator("body[data-hydrated]")).with_timeout(SLOW).to_have_count(1).await?;
    tokio::time::sleep(dwell).await;
    let t0 = Instant::now();
    page.locator("section[aria-labelledby=plans-h] a[href*='/plans/']").first().click(None).await?;
    expect(page.locator("[data-testid=milestone]")).with_timeout(SLOW).to_have_count(3).await?;
    let shown = t0.elapsed().as_millis();
    page.context()?.close().await?;
    Ok(shown)
}
