//! Webhooks in a real browser: an admin allows private networks (the receiver runs beside the
//! server here), is told by field what is wrong with a bad URL, adds an endpoint that answers
//! and one that is down, copies the secret shown once, then reads each endpoint's delivery log
//! after an account is created — delivered with the receiver's answer, and failing with the
//! reason and the next try — and resends one. Loaded several times, photographed.

mod common;
use common::*;
use playwright_rs::expect;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A receiver that answers every POST `200 received`; counts what it got.
async fn receiver() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/bellwether", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let Ok(n) = stream.read(&mut chunk).await else { return };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().to_string())
                            })
                            .and_then(|v| v.parse::<usize>().ok())
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                seen.fetch_add(1, Ordering::SeqCst);
                let reply = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 8\r\nConnection: close\r\n\r\nreceived";
                let _ = stream.write_all(reply.as_bytes()).await;
            });
        }
    });
    (url, count)
}

/// A port nothing listens on: an endpoint that is down.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test]
async fn an_admin_adds_endpoints_and_reads_their_delivery_logs() -> R {
    let server = start_server().await;
    let base = server.base.clone();
    let api = Api::new(&base)?;
    api.set_up_admin().await?;
    let (url, received) = receiver().await;
    let (_pw, browser) = launch().await?;
    let page = new_page(&browser, 1360, 1000).await?;
    let errors = collect_script_errors(&page).await?;
    accept_dialogs(&page).await?;
    sign_in(&page, &base).await?;

    visit(&page, &format!("{base}/settings/api-keys")).await?;
    follow(&page, "nav.tabs a[href='/settings/webhooks']", "**/settings/webhooks").await?;
    expect_texts(&page, &[("#hooks-h + *", "No endpoints yet"), ("#log-h ~ p", "Choose")]).await?;

    // A private address is refused, by field, until an admin allows private networks.
    page.locator("#f-url").fill(&url, None).await?;
    page.locator("input[value='account.created']").check(None).await?;
    page.locator("#newhook-h ~ form button[type=submit]").click(None).await?;
    soon_shows(&page, "#newhook-h ~ form", "private").await?;
    to_top(&page).await?;
    shot(&page, "180-webhooks-private-refused").await?;
    page.locator("#private-h ~ * input[name=allow]").check(None).await?;
    page.locator("#private-h ~ * button[type=submit]").click(None).await?;
    reload(&page).await?;
    expect(page.locator("#private-h ~ * input[name=allow]")).to_be_checked().await?;

    // Added: the secret is shown once.
    page.locator("#f-url").fill(&url, None).await?;
    page.locator("#f-description").fill("CRM sync", None).await?;
    page.locator("input[value='account.created']").check(None).await?;
    page.locator("input[value='account.updated']").check(None).await?;
    page.locator("#newhook-h ~ form button[type=submit]").click(None).await?;
    soon_shows(&page, "[data-testid=webhook-secret]", "whsec_").await?;
    soon_shows(&page, "table.webhooks", "CRM sync").await?;
    let down = format!("http://127.0.0.1:{}/down", closed_port());
    page.locator("#f-url").fill(&down, None).await?;
    page.locator("#f-description").fill("Data warehouse (down)", None).await?;
    page.locator("input[value='account.created']").check(None).await?;
    page.locator("#newhook-h ~ form button[type=submit]").click(None).await?;
    soon_shows(&page, "table.webhooks", "Data warehouse").await?;

    // An account is created: the receiver gets it, the endpoint that is down waits for a retry.
    api.create_account(NewAccount {
        name: "Hooked Industries",
        tier: "smb",
        industry: "Retail",
        stage: "onboarding",
        arr: "12000",
        currency: "EUR",
        contract_start: "2026-01-01",
        renewal_date: "2027-01-01",
        owner_id: "",
    })
    .await?;
    for _ in 0..100 {
        if received.load(Ordering::SeqCst) >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(received.load(Ordering::SeqCst), 1, "the receiver got the event");

    for round in 0..3 {
        if round > 0 {
            reload(&page).await?;
        } else {
            reload(&page).await?;
            follow(
                &page,
                "[data-testid=webhook-row]:has-text('CRM sync') a:has-text('Log')",
                "**/settings/webhooks?endpoint=*",
            )
            .await?;
        }
        soon_shows(&page, "[data-testid=delivery-log]", "account.created").await?;
        expect_texts(
            &page,
            &[
                ("[data-testid=delivery-log]", "Delivered"),
                ("[data-testid=delivery-log]", "HTTP 200"),
                ("[data-testid=delivery-log]", "received"),
            ],
        )
        .await?;
    }
    expect(page.locator("[data-testid=webhook-row].selected")).to_contain_text("CRM sync").await?;
    to_top(&page).await?;
    shot(&page, "181-webhooks-delivered").await?;

    // Resend: the receiver gets it again (same message id; an idempotent receiver ignores it).
    page.locator("[data-testid=delivery-log] button:has-text('Resend')")
        .first()
        .click(None)
        .await?;
    for _ in 0..100 {
        if received.load(Ordering::SeqCst) >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(received.load(Ordering::SeqCst), 2, "resent");

    follow(
        &page,
        "[data-testid=webhook-row]:has-text('Data warehouse') a:has-text('Log')",
        "**/settings/webhooks?endpoint=*",
    )
    .await?;
    for _ in 0..50 {
        page.locator("#log-h ~ .log-head button:has-text('Refresh')").click(None).await?;
        tokio::time::sleep(Duration::from_millis(200)).await;
        if page
            .locator("[data-testid=delivery-log]")
            .inner_text()
            .await
            .unwrap_or_default()
            .contains("could not connect")
        {
            break;
        }
    }
    expect_texts(
        &page,
        &[
            ("[data-testid=delivery-log]", "Pending"),
            ("[data-testid=delivery-log]", "could not connect"),
            ("[data-testid=delivery-log]", "next try"),
            ("[data-testid=webhook-row]:has-text('Data warehouse')", "Failing"),
        ],
    )
    .await?;
    to_top(&page).await?;
    shot(&page, "182-webhooks-failing").await?;
    fits_the_width(&page, "the webhooks page").await?;

    assert!(errors.lock().unwrap().is_empty(), "script errors: {:?}", errors.lock().unwrap());
    browser.close().await?;
    Ok(())
}
