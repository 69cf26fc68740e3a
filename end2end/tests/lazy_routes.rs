//! Lazily loaded routes (app/src/lazy.rs) in a real browser: the portfolio's first load does not
//! fetch the dashboard's chunk; navigating there fetches it and the page works; direct loads of
//! lazy routes (the server names their chunks in preload hints) hydrate, several times each,
//! with no script error; and a chunk that fails to download leaves a notice with a "Try again"
//! link instead of a dead page — which then loads the page.

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
    api.set_up_admin().await?;
    let (_pw, browser) = launch().await?;
    let page = new_page(&browser, 1280, 900).await?;
    let errors = collect_script_errors(&page).await?;
    let seen = record_requests(&page).await?;
    sign_in(&page, &base).await?;
    hydrated(&page).await?;

    // The portfolio is in the main bundle: no route chunk is fetched for it.
    assert!(fetched(&seen, "/pkg/bellwether.wasm"), "the main bundle is fetched");
    assert!(!fetched(&seen, "split___"), "no lazy route chunk for the portfolio");

    // Navigating to the dashboard fetches its chunk, and the page works.
    follow(&page, "header nav a[href='/dashboard']", "**/dashboard").await?;
    expect(page.locator("h1")).to_contain_text("Dashboard").await?;
    assert!(
        fetched(&seen, "split___dashboard_route"),
        "the dashboard's chunk is fetched on navigation"
    );
    assert!(!fetched(&seen, "split___sla_settings_route"), "other routes' chunks are not");

    // Direct loads of lazy routes: the server's page names the chunks to preload, and each
    // page hydrates (three loads each).
    let html = reqwest::Client::new().get(format!("{base}/login")).send().await?.text().await?;
    assert!(!html.contains("split___"), "the sign-in page preloads no route chunk");
    api.sign_in().await?;
    let html = api.page_html("/dashboard").await?;
    assert!(
        html.contains("split___dashboard_route"),
        "the dashboard's page names its chunk for preloading: {}",
        &html[..html.find("</head>").unwrap_or(html.len()).min(3000)]
    );
    for path in ["/dashboard", "/settings/sla", "/surveys", "/follow-ups", "/settings/api-keys"] {
        for _ in 0..3 {
            visit(&page, &format!("{base}{path}")).await?;
            expect(page.locator("main h1").first()).to_be_visible().await?;
        }
    }
    shot(&page, "160-lazy-route-direct-load").await?;
    assert!(errors.lock().unwrap().is_empty(), "script errors: {:?}", errors.lock().unwrap());

    // A chunk that does not arrive: a notice with "Try again", not a dead page.
    let flaky = new_page(&browser, 1280, 900).await?;
    flaky
        .route("**/split___surveys_route*", |route| async move { route.abort(None).await })
        .await?;
    sign_in(&flaky, &base).await?;
    hydrated(&flaky).await?;
    flaky.locator("header nav a[href='/surveys']").click(None).await?;
    let notice = flaky.locator("#app-broken");
    expect(notice.clone()).to_contain_text("could not be loaded").await?;
    expect(flaky.locator("#app-broken a")).to_have_text("Try again").await?;
    shot(&flaky, "161-lazy-chunk-failed").await?;
    // The connection is back: "Try again" loads the surveys page, live.
    flaky.unroute("**/split___surveys_route*").await?;
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
