//! Lazily loaded routes (app/src/lazy.rs) in a real browser: the portfolio's first load fetches
//! no route's pack but, once live, warms up the account page's (the page and its two groups of
//! cards: app/src/pages/account/cards.rs) and My work's; navigating to the
//! dashboard fetches its pack (one file: scripts/pack-routes.mjs) and the page works; an account
//! opened from the portfolio works; direct loads of lazy routes (the server names their pack in
//! a preload hint) hydrate, several times each, with no script error; and a pack that fails to
//! download leaves a notice with a "Try again" link instead of a dead page — which then loads
//! the page.

mod common;
use common::*;
use playwright_rs::expect;
use std::sync::{Arc, Mutex};

fn fetched(seen: &Arc<Mutex<Vec<String>>>, part: &str) -> bool {
    seen.lock().unwrap().iter().any(|u| u.contains(part))
}

#[tokio::test]
async fn lazy_routes_load_on_demand_hydrate_on_direct_loads_and_survive_a_failed_chunk() -> R {
    let server = start_server().await;
    let base = server.base.clone();
    let api = Api::new(&base)?;
    let me = api.set_up_admin().await?;
    let today = chrono::Utc::now().date_naive();
    let account = api
        .create_account(NewAccount {
            name: "Lazy Loading GmbH",
            tier: "smb",
            industry: "Manufacturing",
            stage: "onboarding",
            arr: "12000",
            currency: "EUR",
            contract_start: &(today - chrono::Duration::days(30)).to_string(),
            renewal_date: &(today + chrono::Duration::days(300)).to_string(),
            owner_id: &id_of(&me),
        })
        .await?;
    let (_pw, browser) = launch().await?;
    let page = new_page(&browser, 1280, 900).await?;
    let errors = collect_script_errors(&page).await?;
    let seen = record_requests(&page).await?;
    sign_in(&page, &base).await?;
    hydrated(&page).await?;

    // The portfolio is in the main bundle; once it is live, the account page's and My work's
    // packs come in the background (their links are on it), and nothing else.
    assert!(fetched(&seen, "/pkg/bellwether.wasm"), "the main bundle is fetched");
    assert!(!fetched(&seen, "split___"), "routes come in packs, not module by module");
    // The account page comes in three packs: the page, then its two groups of cards.
    let warmed = || {
        [
            "/pkg/account_route.",
            "/pkg/account_route_part_attention.",
            "/pkg/account_route_part_work.",
        ]
        .iter()
        .all(|p| fetched(&seen, p))
            && fetched(&seen, "/pkg/my_work_route.")
    };
    for _ in 0..100 {
        if warmed() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(warmed(), "the account page's and My work's packs are warmed up");
    assert!(!fetched(&seen, "dashboard_route"), "no other route's pack");

    // An account from the portfolio: its (warmed) pack serves the page, which works.
    follow(&page, "table.accounts tbody a[href*='/accounts/'] >> nth=0", "**/accounts/*").await?;
    expect(page.locator("main h1")).to_contain_text("Lazy Loading GmbH").await?;
    expect(page.locator("section[aria-labelledby=plans-h]")).to_be_visible().await?;
    expect(page.locator("section[aria-labelledby=health-h]")).to_be_visible().await?;
    let account_packs =
        seen.lock().unwrap().iter().filter(|u| u.contains("/pkg/account_route")).count();
    assert_eq!(account_packs, 3, "the warmed-up packs are not fetched again");

    // Navigating to the dashboard fetches its pack, and the page works.
    follow(&page, "header nav a[href='/dashboard']", "**/dashboard").await?;
    expect(page.locator("h1")).to_contain_text("Dashboard").await?;
    assert!(
        fetched(&seen, "/pkg/dashboard_route."),
        "the dashboard's pack is fetched on navigation"
    );
    assert!(!fetched(&seen, "sla_settings_route"), "other routes' packs are not");

    // Direct loads of lazy routes: the server's page names the pack to preload, and each
    // page hydrates (three loads each).
    let html = reqwest::Client::new().get(format!("{base}/login")).send().await?.text().await?;
    // Sign-in is a lazy route too: its page preloads its own pack, and no other.
    assert!(
        html.contains("/pkg/login_route.") && html.matches(".pack\"").count() == 1,
        "the sign-in page preloads its pack alone"
    );
    api.sign_in().await?;
    let html = api.page_html("/dashboard").await?;
    assert!(
        html.contains("/pkg/dashboard_route.") && html.contains(".pack\""),
        "the dashboard's page names its pack for preloading: {}",
        &html[..html.find("</head>").unwrap_or(html.len()).min(3000)]
    );
    let account_path = format!("/accounts/{account}");
    let html = api.page_html(&account_path).await?;
    for pack in ["account_route.", "account_route_part_attention.", "account_route_part_work."] {
        assert!(html.contains(&format!("/pkg/{pack}")), "an account's page preloads {pack}");
    }
    for path in [
        "/dashboard",
        account_path.as_str(),
        "/my-work",
        "/settings/sla",
        "/surveys",
        "/follow-ups",
        "/settings/api-keys",
    ] {
        for _ in 0..3 {
            visit(&page, &format!("{base}{path}")).await?;
            expect(page.locator("main h1").first()).to_be_visible().await?;
        }
    }
    shot(&page, "160-lazy-route-direct-load").await?;
    assert!(errors.lock().unwrap().is_empty(), "script errors: {:?}", errors.lock().unwrap());

    // A pack that does not arrive: a notice with "Try again", not a dead page.
    let flaky = new_page(&browser, 1280, 900).await?;
    flaky.route("**/surveys_route.*", |route| async move { route.abort(None).await }).await?;
    sign_in(&flaky, &base).await?;
    hydrated(&flaky).await?;
    flaky.locator("header nav a[href='/surveys']").click(None).await?;
    let notice = flaky.locator("#app-broken");
    expect(notice.clone()).to_contain_text("could not be loaded").await?;
    expect(flaky.locator("#app-broken a")).to_have_text("Try again").await?;
    shot(&flaky, "161-lazy-chunk-failed").await?;
    // The connection is back: "Try again" loads the surveys page, live.
    flaky.unroute("**/surveys_route.*").await?;
    mark_not_reloaded(&flaky).await?;
    flaky.locator("#app-broken a").click(None).await?;
    expect(flaky.locator("main h1").first()).to_contain_text("Surveys").await?;
    hydrated(&flaky).await?;
    let reloaded: bool = flaky.evaluate("() => window.__stillHere !== true", None::<&()>).await?;
    assert!(reloaded, "Try again loads the page afresh");
    assert!(flaky.url().ends_with("/surveys"), "at {}", flaky.url());
    expect(flaky.locator("#app-broken")).to_have_count(0).await?;
    browser.close().await?;
    Ok(())
}
