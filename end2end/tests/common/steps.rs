//! The steps every scenario takes in the browser: open a page once it is live, follow a link,
//! fill and send a form, sign in, wait for what a screen should show and photograph it, open a
//! phone without JavaScript — so a scenario reads as its steps.

use super::{shot, EMAIL, PASS, R};
use playwright_rs::protocol::{Browser, BrowserContext, BrowserContextOptions, Page, Viewport};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Waits until the WASM has hydrated the page (the app marks <body> when it has).
pub async fn hydrated(page: &Page) -> R {
    playwright_rs::expect(page.locator("body[data-hydrated]"))
        .with_timeout(Duration::from_secs(20))
        .to_have_count(1)
        .await?;
    Ok(())
}

/// A new page (tab) of `width` × `height` CSS pixels.
pub async fn new_page(browser: &Browser, width: u32, height: u32) -> R<Page> {
    let page = browser.new_page().await?;
    page.set_viewport_size(Viewport { width, height }).await?;
    Ok(page)
}

/// Opens `url` and waits until the page is live.
pub async fn visit(page: &Page, url: &str) -> R {
    page.goto(url, None).await?;
    hydrated(page).await
}

/// Waits until the page is at `url` (a glob such as `**/accounts/*` works) and live there.
pub async fn landed(page: &Page, url: &str) -> R {
    page.wait_for_url(url, None).await?;
    hydrated(page).await
}

/// Clicks the link `selector` and waits until the page it leads to (`url`) is live.
pub async fn follow(page: &Page, selector: &str, url: &str) -> R {
    page.locator(selector).click(None).await?;
    landed(page, url).await
}

/// Reloads the page and waits until it is live again.
pub async fn reload(page: &Page) -> R {
    page.reload(None).await?;
    hydrated(page).await
}

/// Presses the submit button of the page's main form.
pub async fn submit(page: &Page) -> R {
    page.locator("main button[type=submit]").click(None).await?;
    Ok(())
}

/// Fills each `(selector, value)` field, then presses the main form's submit button.
pub async fn fill_and_submit(page: &Page, fields: &[(&str, &str)]) -> R {
    for (selector, value) in fields {
        page.locator(*selector).fill(value, None).await?;
    }
    submit(page).await
}

/// Fills the sign-in form on the page with `email` and `password` and sends it.
pub async fn submit_sign_in(page: &Page, email: &str, password: &str) -> R {
    fill_and_submit(page, &[("#f-email", email), ("#f-password", password)]).await
}

/// Signs in through the form as the admin ([`EMAIL`], [`PASS`]) and lands on the portfolio.
pub async fn sign_in(page: &Page, base: &str) -> R {
    visit(page, &format!("{base}/login")).await?;
    submit_sign_in(page, EMAIL, PASS).await?;
    page.wait_for_url(&format!("{base}/"), None).await?;
    Ok(())
}

/// Waits until each `(selector, text)` element contains its text.
pub async fn expect_texts(page: &Page, checks: &[(&str, &str)]) -> R {
    for (selector, text) in checks {
        playwright_rs::expect(page.locator(*selector)).to_contain_text(text).await?;
    }
    Ok(())
}

/// Waits up to 10 s (a server round trip, a live update) until `selector` contains `text`.
pub async fn soon_shows(page: &Page, selector: &str, text: &str) -> R {
    let within = Duration::from_secs(10);
    playwright_rs::expect(page.locator(selector))
        .with_timeout(within)
        .to_contain_text(text)
        .await?;
    Ok(())
}

/// Waits until each `(selector, text)` element contains its text, then photographs the page
/// as `name` (see [`shot`]): a screen is photographed once it shows what the step is about.
pub async fn shot_showing(page: &Page, checks: &[(&str, &str)], name: &str) -> R {
    expect_texts(page, checks).await?;
    shot(page, name).await
}

/// Accepts every confirmation dialog the page opens (the "Remove …?" questions).
pub async fn accept_dialogs(page: &Page) -> R {
    page.on_dialog(|dialog| async move { dialog.accept(None).await }).await?;
    Ok(())
}

/// Marks the page so that [`assert_not_reloaded`] can tell whether it was reloaded since.
pub async fn mark_not_reloaded(page: &Page) -> R {
    page.evaluate_expression("window.__stillHere = true").await?;
    Ok(())
}

/// The page still carries the mark [`mark_not_reloaded`] set: what changed on it came live.
pub async fn assert_not_reloaded(page: &Page) -> R {
    let still: bool = page.evaluate("() => window.__stillHere === true", None::<&()>).await?;
    assert!(still, "the page was reloaded");
    Ok(())
}

/// A phone (390 × `height` CSS pixels, touch) with JavaScript off and no session: how a
/// customer opens a mailed or shared link.
pub async fn phone_without_script(browser: &Browser, height: u32) -> R<BrowserContext> {
    let options = BrowserContextOptions::builder()
        .javascript_enabled(false)
        .viewport(Viewport { width: 390, height })
        .is_mobile(true)
        .build();
    Ok(browser.new_context_with_options(options).await?)
}

/// Every script error in the page (a panic in the WASM stops the page), to fail on at the end;
/// console errors are printed.
pub async fn collect_script_errors(page: &Page) -> R<Arc<Mutex<Vec<String>>>> {
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
    Ok(errors)
}

/// Fails when the page is wider than its window (a phone would scroll sideways); `what`
/// names the page in the failure, which lists the elements reaching past the right edge.
pub async fn fits_the_width(page: &Page, what: &str) -> R {
    let past: Vec<String> = page
        .evaluate(
            "() => { const w = document.documentElement.clientWidth;
                if (document.documentElement.scrollWidth <= w) return [];
                return [...document.querySelectorAll('body *')]
                  .filter(e => e.getBoundingClientRect().right > w + 1)
                  .filter(e => { for (let p = e.parentElement; p; p = p.parentElement)
                      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return false;
                    return true; })
                  .slice(0, 8)
                  .map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} → ${Math.round(e.getBoundingClientRect().right)}px`); }",
            None::<&()>,
        )
        .await?;
    assert!(past.is_empty(), "{what} is wider than the window: {past:?}");
    Ok(())
}

/// Scrolls back up, so the sticky top bar sits at the top of a full-page screenshot.
pub async fn to_top(page: &Page) -> R {
    page.evaluate_expression("window.scrollTo(0, 0)").await?;
    Ok(())
}

/// Records the URL of every request `page` makes from now on.
pub async fn record_requests(page: &Page) -> R<Arc<Mutex<Vec<String>>>> {
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = seen.clone();
    page.on_request(move |req| {
        let log = log.clone();
        async move {
            log.lock().unwrap().push(req.url().to_string());
            Ok(())
        }
    })
    .await?;
    Ok(seen)
}
