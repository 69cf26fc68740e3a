//! The first day with Bellwether, in a real browser: set up the first admin, sign out and in,
//! create an account (first with mistakes), find it by filter, reload, and check that an
//! executive can read it but not change it. Each page is saved as a screenshot.

mod common;
use common::*;
use playwright_rs::expect;
use playwright_rs::protocol::{Browser, Page, Viewport};

/// The executive the admin adds.
const EXEC_EMAIL: &str = "eve@bellwether.test";
const EXEC_PASS: &str = "executive pass 1";

#[tokio::test]
async fn first_day_with_bellwether() -> R {
    let server = start_server().await;
    let base = server.base.clone();
    let (_pw, browser) = launch().await?;
    let page = new_page(&browser, 1280, 860).await?;

    first_admin_set_up_after_a_refused_password(&page, &base).await?;
    sign_in_again_stays_on_this_site(&page, &base).await?;
    wrong_current_password_is_named(&page).await?;
    let account_url = account_created_after_its_mistakes_are_named(&page).await?;
    contact_added_then_fixed_in_place(&page).await?;
    second_account_without_a_team(&page, &base).await?;
    portfolio_filtered_and_saved_as_a_segment(&page, &base).await?;
    dashboard_adds_it_up(&page, &base).await?;
    executive_added_in_settings(&page, &base).await?;
    executive_reads_but_cannot_edit(&browser, &account_url).await?;
    phone_view_and_not_found_page(&page, &base).await?;
    browser.close().await?;
    Ok(())
}

/// A new install sends everyone to set-up; a too-short password is refused beside the field;
/// then set-up is closed.
async fn first_admin_set_up_after_a_refused_password(page: &Page, base: &str) -> R {
    page.goto(&format!("{base}/"), None).await?;
    landed(page, "**/setup").await?;
    shot(page, "01-setup").await?;

    let form = [
        ("#f-setup_code", SETUP_CODE),
        ("#f-name", ADMIN_NAME),
        ("#f-email", EMAIL),
        ("#f-password", "short"),
    ];
    fill_and_submit(page, &form).await?;
    let refusal = [(".field.invalid #f-password-error", "at least 10 characters")];
    shot_showing(page, &refusal, "02-setup-error").await?;
    fill_and_submit(page, &[("#f-password", PASS)]).await?;
    landed(page, &format!("{base}/")).await?;
    expect(page.locator("h1")).to_have_text("Portfolio").await?;
    shot_showing(page, &[(".empty-state", "No accounts match")], "03-empty-portfolio").await?;

    page.goto(&format!("{base}/setup"), None).await?;
    page.wait_for_url(&format!("{base}/login"), None).await?;
    Ok(())
}

/// Sign out, then sign in again (a wrong password first) from a phishing link: `next` is
/// "/<tab>/evil.example", which a browser would read as "//evil.example". Signing in must stay
/// on this site.
async fn sign_in_again_stays_on_this_site(page: &Page, base: &str) -> R {
    visit(page, &format!("{base}/")).await?;
    page.locator("text=Sign out").click(None).await?;
    page.wait_for_url("**/login", None).await?;
    visit(page, &format!("{base}/login?next=%2F%09%2Fevil.example")).await?;
    submit_sign_in(page, EMAIL, "wrong password!").await?;
    let refusal = [("#f-password-error", "email or password is not right")];
    shot_showing(page, &refusal, "04-login-error").await?;
    fill_and_submit(page, &[("#f-password", PASS)]).await?;
    landed(page, &format!("{base}/")).await?;
    assert_eq!(page.url(), format!("{base}/"), "stayed on this site");
    Ok(())
}

/// Your account (from the name in the top bar): a wrong current password is named.
async fn wrong_current_password_is_named(page: &Page) -> R {
    follow(page, "header a.who", "**/account").await?;
    expect(page.locator("h1")).to_have_text("Your account").await?;
    page.locator("#f-current").fill("not my password", None).await?;
    page.locator("#f-new_password").fill("a brand new passphrase", None).await?;
    page.locator("button:has-text('Change password')").click(None).await?;
    let refusal = [("#f-current-error", "not your current password")];
    shot_showing(page, &refusal, "04b-your-account").await
}

/// New account: every mistake is named next to its field, and nothing is created; then Globex
/// is created, its owner (the admin, preselected) on its team. Returns its address.
async fn account_created_after_its_mistakes_are_named(page: &Page) -> R<String> {
    follow(page, "header a[href='/accounts/new']", "**/accounts/new").await?;
    let mistakes =
        [("#f-arr", "-5"), ("#f-contract_start", "2026-06-01"), ("#f-renewal_date", "2026-01-01")];
    fill_and_submit(page, &mistakes).await?;
    for (field, message) in [
        ("name", "is required"),
        ("industry", "is required"),
        ("arr", "must be zero or more"),
        ("renewal_date", "must be after the contract start"),
    ] {
        expect(page.locator(format!("#f-{field}-error"))).to_have_text(message).await?;
    }
    let shows = [("#f-tier-error", "must be one of"), (".banner-error", "highlighted fields")];
    shot_showing(page, &shows, "05-new-account-errors").await?;

    page.locator("#f-name").fill("Globex Analytics", None).await?;
    page.locator("#f-industry").fill("Software", None).await?;
    page.locator("#f-tier").select_option("enterprise", None).await?;
    page.locator("#f-stage").select_option("growth", None).await?;
    fill_and_submit(page, &[("#f-arr", "480,000"), ("#f-renewal_date", "2027-06-01")]).await?;
    page.wait_for_url("**/accounts/*", None).await?;
    expect(page.locator("h1")).to_have_text("Globex Analytics").await?;
    expect(page.locator(".kpi-value").first()).to_have_text("$480,000").await?;
    // The owner (the admin, preselected) joined the team as CSM in the same transaction.
    expect(page.locator("#team-h + ul")).to_contain_text(ADMIN_NAME).await?;
    hydrated(page).await?;
    Ok(page.url())
}

/// Add a contact (an invalid email is refused first), then fix it in place: her title was
/// missing.
async fn contact_added_then_fixed_in_place(page: &Page) -> R {
    let form = |what: &str| page.locator(format!("section[aria-labelledby=contacts-h] {what}"));
    page.locator("text=Add a contact").click(None).await?;
    form("#f-name").fill("Dana Scully", None).await?;
    form("#f-email").fill("dana-at-globex", None).await?;
    form("button[type=submit]").click(None).await?;
    expect(form("#f-email-error")).to_contain_text("email address").await?;
    form("#f-email").fill("dana@globex.example.com", None).await?;
    form("button[type=submit]").click(None).await?;
    expect(page.locator(".people").first()).to_contain_text("dana@globex.example.com").await?;
    page.locator("button[aria-label='Edit Dana Scully']").click(None).await?;
    page.locator("#f-edit-title").fill("Chief Data Officer", None).await?;
    page.locator(".edit-contact button[type=submit]").click(None).await?;
    shot_showing(page, &[(".people >> nth=0", "Chief Data Officer")], "06-account").await
}

/// A second account, so that the filter has something to filter out. Removing someone from
/// its team asks first; accepting the browser's dialog removes them.
async fn second_account_without_a_team(page: &Page, base: &str) -> R {
    visit(page, &format!("{base}/accounts/new")).await?;
    page.locator("#f-name").fill("Initech", None).await?;
    page.locator("#f-industry").fill("Manufacturing", None).await?;
    page.locator("#f-tier").select_option("smb", None).await?;
    page.locator("#f-stage").select_option("onboarding", None).await?;
    fill_and_submit(page, &[("#f-arr", "12000")]).await?;
    page.wait_for_url("**/accounts/*", None).await?;
    expect(page.locator("h1")).to_have_text("Initech").await?;
    hydrated(page).await?;
    accept_dialogs(page).await?;
    page.locator("button[aria-label='Remove Ada Lovelace as CSM']").click(None).await?;
    expect(page.locator("section[aria-labelledby=team-h]"))
        .to_contain_text("Nobody is on this account's team yet.")
        .await?;
    Ok(())
}

/// Find Globex in the portfolio by filtering on tier, save the filter as a segment, and
/// reload: it all came from the database.
async fn portfolio_filtered_and_saved_as_a_segment(page: &Page, base: &str) -> R {
    let rows = page.locator("table.accounts tbody tr");
    visit(page, &format!("{base}/")).await?;
    expect(rows.clone()).to_have_count(2).await?;
    page.locator("#flt-tier").select_option("enterprise", None).await?;
    page.wait_for_url("**/?tier=enterprise", None).await?;
    expect(rows.clone()).to_have_count(1).await?;
    expect(page.locator("table.accounts tbody")).to_contain_text("Globex Analytics").await?;

    page.locator("text=Save as segment").click(None).await?;
    page.locator("#seg-name").fill("Enterprise book", None).await?;
    page.locator(".inline-form button[type=submit]").click(None).await?;
    shot_showing(page, &[(".chip.active", "Enterprise book")], "07-portfolio-filtered").await?;

    reload(page).await?;
    expect(rows).to_have_count(1).await?;
    expect(page.locator(".chip")).to_contain_text("Enterprise book").await?;
    Ok(())
}

/// The dashboard adds it up.
async fn dashboard_adds_it_up(page: &Page, base: &str) -> R {
    page.goto(&format!("{base}/dashboard"), None).await?;
    let shows = [(".kpi:has-text('Accounts')", "2"), (".voice", "NPS")];
    shot_showing(page, &shows, "08-dashboard").await
}

/// Settings: add an executive.
async fn executive_added_in_settings(page: &Page, base: &str) -> R {
    visit(page, &format!("{base}/settings")).await?;
    let form = |what: &str| page.locator(format!("section[aria-labelledby=invite-h] {what}"));
    form("#f-name").fill("Eve Exec", None).await?;
    form("#f-email").fill(EXEC_EMAIL, None).await?;
    form("#f-role").select_option("exec", None).await?;
    form("#f-password").fill(EXEC_PASS, None).await?;
    form("button[type=submit]").click(None).await?;
    shot_showing(page, &[("table.users", EXEC_EMAIL)], "09-settings-users").await
}

/// The executive, in a browser of their own, reads the account but cannot edit it — and the
/// server refuses even if the browser is bypassed.
async fn executive_reads_but_cannot_edit(browser: &Browser, account_url: &str) -> R {
    let ctx = browser.new_context().await?;
    let exec = ctx.new_page().await?;
    exec.set_viewport_size(Viewport { width: 1280, height: 860 }).await?;
    exec.goto(account_url, None).await?;
    landed(&exec, "**/login?next=*").await?;
    submit_sign_in(&exec, EXEC_EMAIL, EXEC_PASS).await?;
    exec.wait_for_url(account_url, None).await?;
    expect(exec.locator("h1")).to_have_text("Globex Analytics").await?;
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
    assert_eq!(exec.locator("header a[href='/accounts/new']").count().await?, 0);
    shot(&exec, "10-account-as-exec").await?;
    exec.goto(&format!("{account_url}/edit"), None).await?;
    expect(exec.locator(".empty-state h1")).to_have_text("Not allowed").await?;
    let status: u16 = exec
        .evaluate(
            "() => fetch('/api/accounts/create', {method: 'POST', headers: {'content-type': 'application/x-www-form-urlencoded'}, \
             body: 'input[name]=Hack&input[tier]=smb&input[industry]=x&input[stage]=growth&input[arr]=1&input[currency]=USD\
             &input[contract_start]=2026-01-01&input[renewal_date]=2027-01-01'}).then(r => r.status)",
            None::<&()>,
        )
        .await?;
    assert_eq!(status, 403, "the server refuses an executive's write");
    Ok(())
}

/// The portfolio on a phone, and an unknown account as a proper 404 page.
async fn phone_view_and_not_found_page(page: &Page, base: &str) -> R {
    page.set_viewport_size(Viewport { width: 390, height: 844 }).await?;
    visit(page, &format!("{base}/")).await?;
    shot(page, "11-portfolio-phone").await?;
    let resp = page.goto(&format!("{base}/accounts/nope"), None).await?.expect("response");
    assert_eq!(resp.status(), 404);
    expect(page.locator(".empty-state h1")).to_have_text("No such account").await?;
    shot(page, "12-not-found").await?;
    Ok(())
}
