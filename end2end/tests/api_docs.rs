//! The API reference in a real browser: an admin follows Settings → API keys to `/api/docs`,
//! which renders the server's own OpenAPI document with Swagger UI served from the site (no
//! request leaves the server's origin, no script error, under the page's strict CSP), and opens
//! an endpoint to read its scope, body and answers. Loaded more than once, and photographed.

mod common;
use common::*;
use playwright_rs::expect;
use std::time::Duration;

#[tokio::test]
async fn the_api_reference_renders_from_settings() -> R {
    let server = start_server().await;
    let base = server.base.clone();
    Api::new(&base)?.set_up_admin().await?;
    let (_pw, browser) = launch().await?;
    let page = new_page(&browser, 1360, 950).await?;
    let errors = collect_script_errors(&page).await?;
    let seen = record_requests(&page).await?;
    sign_in(&page, &base).await?;

    visit(&page, &format!("{base}/settings/api-keys")).await?;
    let link = page.locator("[data-testid=api-reference] a[href='/api/docs']");
    expect(link.clone()).to_have_text("API reference").await?;
    link.click(None).await?;
    // Not a Leptos page: nothing hydrates; Swagger UI marks the body once the document is in.
    page.wait_for_url("**/api/docs", None).await?;
    for round in 0..3 {
        if round > 0 {
            page.reload(None).await?;
        }
        expect(page.locator("body[data-ready]"))
            .with_timeout(Duration::from_secs(20))
            .to_have_count(1)
            .await?;
        expect(page.locator(".info .title").first()).to_contain_text("Bellwether API").await?;
        // Every endpoint is listed, under its tag, and every webhook event type (14).
        expect(page.locator(".opblock")).to_have_count(28 + 14).await?;
        expect(page.locator(".opblock-summary-path[data-path='health.band_changed']"))
            .to_have_count(1)
            .await?;
    }
    // An endpoint opened: its scope, its body and its answers.
    page.locator(".opblock-summary-path[data-path='/api/v1/events']").click(None).await?;
    let open = page.locator(".opblock.is-open");
    expect(open.clone()).to_contain_text("Send product-usage events").await?;
    expect(open.clone()).to_contain_text("idempotency_key").await?;
    expect(open.locator(".responses-table")).to_contain_text("422").await?;
    shot(&page, "170-api-reference").await?;

    let foreign: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|u| !u.starts_with(&base) && !u.starts_with("data:"))
        .cloned()
        .collect();
    assert!(foreign.is_empty(), "the reference fetched from elsewhere: {foreign:?}");
    assert!(errors.lock().unwrap().is_empty(), "script errors: {:?}", errors.lock().unwrap());
    browser.close().await?;
    Ok(())
}
