//! The first day with Bellwether, in a real browser: set up the first admin, sign out and in,
//! create an account (first with mistakes), find it by filter, reload, and check that an
//! executive can read it but not change it. Each page is saved as a screenshot.

mod common;
use common::*;
use playwright_rs::expect;
use playwright_rs::protocol::Viewport;

const ADMIN_EMAIL: &str = "ada@bellwether.test";
const ADMIN_PASS: &str = "correct horse battery";

#[tokio::test]
async fn first_day_with_bellwether() -> R {
    let server = start_server().await;
    let base = server.base.clone();
    let (_pw, browser) = launch().await?;
    let page = browser.new_page().await?;
    page.set_viewport_size(Viewport {
        width: 1280,
        height: 860,
    })
    .await?;

    // A new install sends everyone to set-up.
    page.goto(&format!("{base}/"), None).await?;
    page.wait_for_url("**/setup", None).await?;
    hydrated(&page).await?;
    shot(&page, "01-setup").await?;

    // A too-short password is refused with a message beside the field.
    page.locator("#f-setup_code").fill(SETUP_CODE, None).await?;
    page.locator("#f-name").fill("Ada Lovelace", None).await?;
    page.locator("#f-email").fill(ADMIN_EMAIL, None).await?;
    page.locator("#f-password").fill("short", None).await?;
    page.locator("main button[type=submit]").click(None).await?;
    expect(page.locator(".field.invalid #f-password-error"))
        .to_contain_text("at least 10 characters")
        .await?;
    shot(&page, "02-setup-error").await?;
    page.locator("#f-password").fill(ADMIN_PASS, None).await?;
    page.locator("main button[type=submit]").click(None).await?;
    page.wait_for_url(&format!("{base}/"), None).await?;
    hydrated(&page).await?;
    expect(page.locator("h1")).to_have_text("Portfolio").await?;
    expect(page.locator(".empty-state"))
        .to_contain_text("No accounts match")
        .await?;
    shot(&page, "03-empty-portfolio").await?;

    // Set-up is closed now.
    page.goto(&format!("{base}/setup"), None).await?;
    page.wait_for_url(&format!("{base}/login"), None).await?;

    // Sign out, then sign in again (a wrong password first).
    page.goto(&format!("{base}/"), None).await?;
    hydrated(&page).await?;
    page.locator("text=Sign out").click(None).await?;
    page.wait_for_url("**/login", None).await?;
    // A phishing link: `next` is "/<tab>/evil.example", which a browser would read as
    // "//evil.example". Signing in must stay on this site.
    page.goto(&format!("{base}/login?next=%2F%09%2Fevil.example"), None)
        .await?;
    hydrated(&page).await?;
    page.locator("#f-email").fill(ADMIN_EMAIL, None).await?;
    page.locator("#f-password")
        .fill("wrong password!", None)
        .await?;
    page.locator("main button[type=submit]").click(None).await?;
    expect(page.locator("#f-password-error"))
        .to_contain_text("email or password is not right")
        .await?;
    shot(&page, "04-login-error").await?;
    page.locator("#f-password").fill(ADMIN_PASS, None).await?;
    page.locator("main button[type=submit]").click(None).await?;
    page.wait_for_url(&format!("{base}/"), None).await?;
    hydrated(&page).await?;
    assert_eq!(page.url(), format!("{base}/"), "stayed on this site");

    // Your account (from the name in the top bar): a wrong current password is named.
    page.locator("header a.who").click(None).await?;
    page.wait_for_url("**/account", None).await?;
    hydrated(&page).await?;
    expect(page.locator("h1"))
        .to_have_text("Your account")
        .await?;
    page.locator("#f-current")
        .fill("not my password", None)
        .await?;
    page.locator("#f-new_password")
        .fill("a brand new passphrase", None)
        .await?;
    page.locator("button:has-text('Change password')")
        .click(None)
        .await?;
    expect(page.locator("#f-current-error"))
        .to_contain_text("not your current password")
        .await?;
    shot(&page, "04b-your-account").await?;

    // New account: every mistake is named next to its field, and nothing is created.
    page.locator("header a[href='/accounts/new']")
        .click(None)
        .await?;
    page.wait_for_url("**/accounts/new", None).await?;
    hydrated(&page).await?;
    page.locator("#f-arr").fill("-5", None).await?;
    page.locator("#f-contract_start")
        .fill("2026-06-01", None)
        .await?;
    page.locator("#f-renewal_date")
        .fill("2026-01-01", None)
        .await?;
    page.locator("main button[type=submit]").click(None).await?;
    expect(page.locator("#f-name-error"))
        .to_have_text("is required")
        .await?;
    expect(page.locator("#f-industry-error"))
        .to_have_text("is required")
        .await?;
    expect(page.locator("#f-tier-error"))
        .to_contain_text("must be one of")
        .await?;
    expect(page.locator("#f-arr-error"))
        .to_have_text("must be zero or more")
        .await?;
    expect(page.locator("#f-renewal_date-error"))
        .to_have_text("must be after the contract start")
        .await?;
    expect(page.locator(".banner-error"))
        .to_contain_text("highlighted fields")
        .await?;
    shot(&page, "05-new-account-errors").await?;

    page.locator("#f-name")
        .fill("Globex Analytics", None)
        .await?;
    page.locator("#f-industry").fill("Software", None).await?;
    page.locator("#f-tier")
        .select_option("enterprise", None)
        .await?;
    page.locator("#f-stage")
        .select_option("growth", None)
        .await?;
    page.locator("#f-arr").fill("480,000", None).await?;
    page.locator("#f-renewal_date")
        .fill("2027-06-01", None)
        .await?;
    page.locator("main button[type=submit]").click(None).await?;
    page.wait_for_url("**/accounts/*", None).await?;
    expect(page.locator("h1"))
        .to_have_text("Globex Analytics")
        .await?;
    expect(page.locator(".kpi-value").first())
        .to_have_text("$480,000")
        .await?;
    // The owner (the admin, preselected) joined the team as CSM in the same transaction.
    expect(page.locator("#team-h + ul"))
        .to_contain_text("Ada Lovelace")
        .await?;
    hydrated(&page).await?;

    // Add a contact; an invalid email is refused first.
    page.locator("text=Add a contact").click(None).await?;
    page.locator("section[aria-labelledby=contacts-h] #f-name")
        .fill("Dana Scully", None)
        .await?;
    page.locator("section[aria-labelledby=contacts-h] #f-email")
        .fill("dana-at-globex", None)
        .await?;
    page.locator("section[aria-labelledby=contacts-h] button[type=submit]")
        .click(None)
        .await?;
    expect(page.locator("section[aria-labelledby=contacts-h] #f-email-error"))
        .to_contain_text("email address")
        .await?;
    page.locator("section[aria-labelledby=contacts-h] #f-email")
        .fill("dana@globex.example.com", None)
        .await?;
    page.locator("section[aria-labelledby=contacts-h] button[type=submit]")
        .click(None)
        .await?;
    expect(page.locator(".people").first())
        .to_contain_text("dana@globex.example.com")
        .await?;
    // Fix the contact in place: her title was missing.
    page.locator("button[aria-label='Edit Dana Scully']")
        .click(None)
        .await?;
    page.locator("#f-edit-title")
        .fill("Chief Data Officer", None)
        .await?;
    page.locator(".edit-contact button[type=submit]")
        .click(None)
        .await?;
    expect(page.locator(".people").first())
        .to_contain_text("Chief Data Officer")
        .await?;
    let account_url = page.url();
    shot(&page, "06-account").await?;

    // A second account, so that the filter has something to filter out.
    page.goto(&format!("{base}/accounts/new"), None).await?;
    hydrated(&page).await?;
    page.locator("#f-name").fill("Initech", None).await?;
    page.locator("#f-industry")
        .fill("Manufacturing", None)
        .await?;
    page.locator("#f-tier").select_option("smb", None).await?;
    page.locator("#f-stage")
        .select_option("onboarding", None)
        .await?;
    page.locator("#f-arr").fill("12000", None).await?;
    page.locator("main button[type=submit]").click(None).await?;
    page.wait_for_url("**/accounts/*", None).await?;
    expect(page.locator("h1")).to_have_text("Initech").await?;
    hydrated(&page).await?;
    // Removing someone asks first; accepting the browser's dialog removes them.
    page.on_dialog(|dialog| async move { dialog.accept(None).await })
        .await?;
    page.locator("button[aria-label='Remove Ada Lovelace as CSM']")
        .click(None)
        .await?;
    expect(page.locator("section[aria-labelledby=team-h]"))
        .to_contain_text("Nobody is on this account's team yet.")
        .await?;

    // Find Globex in the portfolio by filtering on tier.
    page.goto(&format!("{base}/"), None).await?;
    hydrated(&page).await?;
    expect(page.locator("table.accounts tbody tr"))
        .to_have_count(2)
        .await?;
    page.locator("#flt-tier")
        .select_option("enterprise", None)
        .await?;
    page.wait_for_url("**/?tier=enterprise", None).await?;
    expect(page.locator("table.accounts tbody tr"))
        .to_have_count(1)
        .await?;
    expect(page.locator("table.accounts tbody"))
        .to_contain_text("Globex Analytics")
        .await?;

    // Save the filter as a segment.
    page.locator("text=Save as segment").click(None).await?;
    page.locator("#seg-name")
        .fill("Enterprise book", None)
        .await?;
    page.locator(".inline-form button[type=submit]")
        .click(None)
        .await?;
    expect(page.locator(".chip.active"))
        .to_contain_text("Enterprise book")
        .await?;
    shot(&page, "07-portfolio-filtered").await?;

    // Reload: it all came from the database.
    page.reload(None).await?;
    hydrated(&page).await?;
    expect(page.locator("table.accounts tbody tr"))
        .to_have_count(1)
        .await?;
    expect(page.locator(".chip"))
        .to_contain_text("Enterprise book")
        .await?;

    // The dashboard adds it up.
    page.goto(&format!("{base}/dashboard"), None).await?;
    expect(page.locator(".kpi:has-text('Accounts')"))
        .to_contain_text("2")
        .await?;
    expect(page.locator(".voice"))
        .to_contain_text("NPS")
        .await?;
    shot(&page, "08-dashboard").await?;

    // Settings: add an executive.
    page.goto(&format!("{base}/settings"), None).await?;
    hydrated(&page).await?;
    page.locator("section[aria-labelledby=invite-h] #f-name")
        .fill("Eve Exec", None)
        .await?;
    page.locator("section[aria-labelledby=invite-h] #f-email")
        .fill("eve@bellwether.test", None)
        .await?;
    page.locator("section[aria-labelledby=invite-h] #f-role")
        .select_option("exec", None)
        .await?;
    page.locator("section[aria-labelledby=invite-h] #f-password")
        .fill("executive pass 1", None)
        .await?;
    page.locator("section[aria-labelledby=invite-h] button[type=submit]")
        .click(None)
        .await?;
    expect(page.locator("table.users"))
        .to_contain_text("eve@bellwether.test")
        .await?;
    shot(&page, "09-settings-users").await?;

    // The executive reads but cannot edit.
    let ctx = browser.new_context().await?;
    let exec = ctx.new_page().await?;
    exec.set_viewport_size(Viewport {
        width: 1280,
        height: 860,
    })
    .await?;
    exec.goto(&account_url, None).await?;
    exec.wait_for_url("**/login?next=*", None).await?;
    hydrated(&exec).await?;
    exec.locator("#f-email")
        .fill("eve@bellwether.test", None)
        .await?;
    exec.locator("#f-password")
        .fill("executive pass 1", None)
        .await?;
    exec.locator("main button[type=submit]").click(None).await?;
    exec.wait_for_url(&account_url, None).await?;
    expect(exec.locator("h1"))
        .to_have_text("Globex Analytics")
        .await?;
    assert_eq!(
        exec.locator("text=Edit account").count().await?,
        0,
        "no edit button for executives"
    );
    assert_eq!(
        exec.locator("text=Add a contact").count().await?,
        0,
        "no contact form for executives"
    );
    assert_eq!(
        exec.locator("header a[href='/accounts/new']")
            .count()
            .await?,
        0
    );
    shot(&exec, "10-account-as-exec").await?;
    exec.goto(&format!("{account_url}/edit"), None).await?;
    expect(exec.locator(".empty-state h1"))
        .to_have_text("Not allowed")
        .await?;
    // And the server refuses even if the browser is bypassed.
    let status: u16 = exec
        .evaluate(
            "() => fetch('/api/accounts/create', {method: 'POST', headers: {'content-type': 'application/x-www-form-urlencoded'}, body: 'input[name]=Hack&input[tier]=smb&input[industry]=x&input[stage]=growth&input[arr]=1&input[currency]=USD&input[contract_start]=2026-01-01&input[renewal_date]=2027-01-01'}).then(r => r.status)",
            None::<&()>,
        )
        .await?;
    assert_eq!(status, 403, "the server refuses an executive's write");

    // On a phone.
    page.set_viewport_size(Viewport {
        width: 390,
        height: 844,
    })
    .await?;
    page.goto(&format!("{base}/"), None).await?;
    hydrated(&page).await?;
    shot(&page, "11-portfolio-phone").await?;

    // An unknown account is a proper 404 page.
    let resp = page
        .goto(&format!("{base}/accounts/nope"), None)
        .await?
        .expect("response");
    assert_eq!(resp.status(), 404);
    expect(page.locator(".empty-state h1"))
        .to_have_text("No such account")
        .await?;
    shot(&page, "12-not-found").await?;
    browser.close().await?;
    Ok(())
}
