//! Early warning in a real browser: My work stays open while usage events sent through the REST
//! API show a steep drop for an account the admin owns; the declining-engagement alert's
//! playbook steps appear there and the header's count becomes 1, without a reload. On the
//! account page the alert shows its evidence and steps; a snooze without a reason is refused
//! beside its field; the admin acknowledges it and ticks every step, and the alert resolves and
//! shows on the timeline. The Alerts page filters (kept in the URL), acknowledges in bulk (and
//! says which alerts refused and why), fits a phone, and is read-only for an executive. Every
//! page is loaded more than once, fails on any script error, and is photographed.

mod common;
use common::*;
use playwright_rs::expect;
use playwright_rs::protocol::{Page, SelectOption};
use serde_json::{json, Value};
use std::time::Duration;

/// `n` logins by `users` distinct people `days_ago` for `account`.
fn logins(account: &str, n: usize, users: usize, days_ago: i64, tag: &str) -> Vec<Value> {
    let at = (chrono::Utc::now() - chrono::Duration::days(days_ago)).to_rfc3339();
    (0..n)
        .map(|i| {
            json!({ "account_id": account, "kind": "login", "contact_email": format!("u{}@{tag}.example", i % users),
                    "at": at, "idempotency_key": format!("{tag}-{days_ago}-{i}") })
        })
        .collect()
}

/// The default rule compares the last two weeks with the two before: 30 logins by 6 people 20
/// days ago, then 5 by 2 people 3 days ago — logins 30 → 5 (−83 %), the steepest fall.
fn falling_usage(account: &str, tag: &str) -> Value {
    let mut batch = logins(account, 30, 6, 20, tag);
    batch.extend(logins(account, 5, 2, 3, tag));
    Value::Array(batch)
}

struct Seeded {
    /// The admin's account (the one the scenario follows), then Grace's, then an unowned one.
    accounts: Vec<String>,
    key: String,
    exec_email: String,
}

/// The admin, a CSM and an executive; three accounts renewing years ahead (so only the
/// engagement rule speaks); an events key. Grace's and the unowned account already fell.
async fn seed(base: &str) -> R<Seeded> {
    let api = Api::new(base)?;
    let admin = id_of(&api.set_up_admin().await?);
    let grace = api.create_user("grace@bellwether.test", "Grace Hopper", "csm").await?;
    api.create_user("eve@bellwether.test", "Eve Executive", "exec").await?;
    let start = (chrono::Utc::now().date_naive() - chrono::Duration::days(200)).to_string();
    let mut accounts = Vec::new();
    let owners = [
        ("Falling Star", admin.as_str(), "mid_market"),
        ("Drifting Pine", grace.as_str(), "mid_market"),
        ("Silent Brook", "", "smb"),
    ];
    for (name, owner, tier) in owners {
        let account = NewAccount {
            name,
            tier,
            industry: "Software",
            stage: "growth",
            arr: "48000",
            currency: "USD",
            contract_start: &start,
            renewal_date: "2029-06-01",
            owner_id: owner,
        };
        accounts.push(api.create_account(account).await?);
    }
    let made = api
        .call("api_keys/create", &[("name", "Product analytics"), ("scopes[0]", "events:write")])
        .await?;
    let key = made[1].as_str().expect("the key's secret").to_string();
    api.save_segment("Small business", "tier=smb").await?;
    send_events(base, &key, falling_usage(&accounts[1], "pine")).await?;
    send_events(base, &key, falling_usage(&accounts[2], "brook")).await?;
    Ok(Seeded { accounts, key, exec_email: "eve@bellwether.test".into() })
}

#[tokio::test]
async fn an_alert_arrives_live_is_worked_through_its_playbook_and_resolves() -> R {
    let server = start_server().await;
    let base = server.base.clone();
    let s = seed(&base).await?;
    let (_pw, browser) = launch().await?;
    let page = new_page(&browser, 1360, 950).await?;
    let errors = collect_script_errors(&page).await?;
    sign_in(&page, &base).await?;

    steps_arrive_live_in_my_work(&page, &base, &s).await?;
    the_account_shows_the_alert(&page, &s.accounts[0]).await?;
    acknowledge_and_tick_every_step(&page).await?;
    the_timeline_tells_the_story(&page).await?;
    the_alerts_page_filters_and_acknowledges_in_bulk(&page, &base).await?;
    // Every page again, a few times: no script error on any load.
    for url in
        ["/alerts", "/my-work", &format!("/accounts/{}", s.accounts[1]), "/alerts?status=all"]
    {
        for _ in 0..3 {
            visit(&page, &format!("{base}{url}")).await?;
            reload(&page).await?;
        }
    }

    let phone = new_page(&browser, 390, 900).await?;
    let phone_errors = collect_script_errors(&phone).await?;
    sign_in(&phone, &base).await?;
    visit(&phone, &format!("{base}/alerts?status=all")).await?;
    expect(phone.locator("[data-testid=alert-row]")).to_have_count(3).await?;
    shot_showing(&phone, &[("[data-testid=alerts-table]", "Silent Brook")], "87-alerts-phone")
        .await?;

    let exec = new_page(&browser, 1360, 950).await?;
    let exec_errors = collect_script_errors(&exec).await?;
    an_executive_reads_but_cannot_act(&exec, &base, &s).await?;

    for errs in [errors, phone_errors, exec_errors] {
        let errs = errs.lock().unwrap().clone();
        assert!(errs.is_empty(), "script errors: {errs:?}");
    }
    browser.close().await?;
    Ok(())
}

/// My work is open (and stays open); the drop arrives through the REST API; the playbook's
/// steps and the header's count appear without a reload.
async fn steps_arrive_live_in_my_work(page: &Page, base: &str, s: &Seeded) -> R {
    visit(page, &format!("{base}/my-work")).await?;
    soon_shows(page, ".alert-steps-card", "No open alert asks anything of you").await?;
    let bell = page.locator("[data-testid=alert-count]");
    expect(bell.clone()).to_have_attribute("aria-label", "No open alerts").await?;
    reload(page).await?;
    mark_not_reloaded(page).await?;
    send_events(base, &s.key, falling_usage(&s.accounts[0], "star")).await?;
    let steps = page.locator("[data-testid=work-alert-step]");
    expect(steps.clone()).with_timeout(Duration::from_secs(15)).to_have_count(3).await?;
    expect_texts(
        page,
        &[
            ("[data-testid=work-alert-steps]", "Review who stopped logging in"),
            ("[data-testid=work-alert-steps]", "Falling Star"),
            ("[data-testid=work-alert-steps]", "log a call"),
        ],
    )
    .await?;
    expect(bell.clone())
        .with_timeout(Duration::from_secs(10))
        .to_have_attribute("aria-label", "1 open alert")
        .await?;
    expect(bell).to_contain_text("1").await?;
    assert_not_reloaded(page).await?;
    shot(page, "80-my-work-alert-steps").await
}

/// From My work to the account: the alert with its evidence, rule set and version, and steps.
async fn the_account_shows_the_alert(page: &Page, account: &str) -> R {
    page.locator("[data-testid=work-alert-step] a").first().click(None).await?;
    landed(page, &format!("**/accounts/{account}*")).await?;
    let alert = page.locator("[data-testid=account-alert]");
    expect(alert.clone()).to_have_count(1).await?;
    expect_texts(
        page,
        &[
            ("[data-testid=account-alert] h3", "Declining engagement"),
            ("[data-testid=alert-evidence]", "Logins 30 → 5 (−83 %) comparing"),
            ("[data-testid=account-alert]", "Default rules v1"),
            ("[data-testid=alert-status]", "Open"),
        ],
    )
    .await?;
    expect(alert.locator("[data-testid=alert-step]")).to_have_count(3).await?;
    reload(page).await?;
    shot_showing(page, &[("[data-testid=alert-steps]", "Call the champion")], "81-account-alert")
        .await
}

/// A snooze without a reason is refused beside its field; acknowledging clears the header's
/// count; ticking the three steps resolves the alert (it leaves the list of live alerts).
async fn acknowledge_and_tick_every_step(page: &Page) -> R {
    let alert = page.locator("[data-testid=account-alert]");
    alert.locator("button:has-text('Snooze…')").click(None).await?;
    alert.locator("button:has-text('Snooze alert')").click(None).await?;
    soon_shows(page, "[data-testid=account-alert] .field.invalid", "say why the alert is snoozed")
        .await?;
    to_top(page).await?;
    shot(page, "82-account-alert-snooze-refused").await?;
    alert.locator("button:has-text('Cancel')").click(None).await?;

    alert.locator("button:has-text('Acknowledge')").click(None).await?;
    soon_shows(page, "[data-testid=alert-status]", "Acknowledged").await?;
    expect(page.locator("[data-testid=alert-count]"))
        .with_timeout(Duration::from_secs(10))
        .to_have_attribute("aria-label", "No open alerts")
        .await?;
    for done in 1..=3 {
        let open = page.locator("[data-testid=alert-step] input:not(:checked)").first();
        open.click(None).await?;
        if done < 3 {
            expect(page.locator("[data-testid=alert-step].done")).to_have_count(done).await?;
        }
    }
    soon_shows(page, "[data-testid=alert-resolved]", "the declining engagement alert is resolved")
        .await?;
    expect(alert).to_have_count(0).await?;
    soon_shows(page, "[data-testid=account-alerts]", "No open alerts").await?;
    to_top(page).await?;
    shot(page, "83-account-alert-resolved").await
}

async fn the_timeline_tells_the_story(page: &Page) -> R {
    page.locator("select[aria-label='Show in the timeline']").select_option("alert", None).await?;
    soon_shows(page, "[data-testid=timeline]", "Declining engagement: resolved").await?;
    expect_texts(
        page,
        &[
            ("[data-testid=timeline]", "Declining engagement: acknowledged"),
            ("[data-testid=timeline]", "Declining engagement: opened"),
        ],
    )
    .await?;
    to_top(page).await?;
    shot(page, "84-account-timeline-alerts").await
}

/// The live alerts (Grace's and the unowned one); every alert with a filter kept in the URL;
/// acknowledging in bulk, then again (both refused, with the reason).
async fn the_alerts_page_filters_and_acknowledges_in_bulk(page: &Page, base: &str) -> R {
    follow(page, "nav a[href='/alerts']", "**/alerts").await?;
    let rows = page.locator("[data-testid=alert-row]");
    expect(rows.clone()).to_have_count(2).await?;
    expect_texts(
        page,
        &[
            ("[data-testid=alerts-table]", "Drifting Pine"),
            ("[data-testid=alerts-table]", "Grace Hopper"),
        ],
    )
    .await?;

    page.locator("#af-status").select_option("all", None).await?;
    landed(page, "**/alerts?status=all").await?;
    expect(rows.clone()).to_have_count(3).await?;
    let segment = SelectOption::Label("Small business".into());
    page.locator("#af-segment").select_option(segment, None).await?;
    landed(page, "**/alerts?status=all&segment=*").await?;
    expect(rows.clone()).to_have_count(1).await?;
    // The URL is the state: the same view after a reload.
    reload(page).await?;
    expect(rows.clone()).to_have_count(1).await?;
    expect(page.locator("#af-status")).to_have_value("all").await?;
    expect(page.locator("#af-segment option:checked")).to_have_text("Small business").await?;
    shot_showing(page, &[("[data-testid=alerts-table]", "Silent Brook")], "85-alerts-filtered")
        .await?;
    // Mine in that segment: none, and the page says what the rules watch.
    page.locator("#af-owner").select_option("me", None).await?;
    landed(page, "**/alerts?status=all&owner=me&segment=*").await?;
    soon_shows(page, ".alerts-empty", "No alerts match").await?;
    expect_texts(page, &[(".alerts-empty", "Missed milestone")]).await?;
    page.locator("#af-segment").select_option("", None).await?;
    landed(page, "**/alerts?status=all&owner=me").await?;
    expect(rows.clone()).to_have_count(1).await?;
    expect_texts(
        page,
        &[
            ("[data-testid=alerts-table]", "Falling Star"),
            ("[data-testid=alerts-table]", "Resolved"),
        ],
    )
    .await?;

    visit(page, &format!("{base}/alerts")).await?;
    expect(rows.clone()).to_have_count(2).await?;
    let select_all = page.locator(".bulk-bar input[type=checkbox]");
    select_all.click(None).await?;
    soon_shows(page, ".bulk-bar", "2 selected").await?;
    page.locator("[data-testid=bulk-ack]").click(None).await?;
    soon_shows(page, "[data-testid=bulk-outcome]", "Acknowledged 2 alerts.").await?;
    expect(page.locator("[data-testid=alert-status]:has-text('Acknowledged')"))
        .with_timeout(Duration::from_secs(10))
        .to_have_count(2)
        .await?;
    // Again: nothing left to acknowledge, and the banner says which and why.
    select_all.click(None).await?;
    page.locator("[data-testid=bulk-ack]").click(None).await?;
    soon_shows(page, "[data-testid=bulk-outcome]", "this alert is already acknowledged").await?;
    expect_texts(page, &[("[data-testid=bulk-outcome]", "Drifting Pine · Declining engagement")])
        .await?;
    shot(page, "86-alerts-bulk-refused").await
}

/// Eve (exec) sees the alerts and the account's alert, with no tick box or button to act.
async fn an_executive_reads_but_cannot_act(page: &Page, base: &str, s: &Seeded) -> R {
    visit(page, &format!("{base}/login")).await?;
    submit_sign_in(page, &s.exec_email, USER_PASS).await?;
    page.wait_for_url(&format!("{base}/"), None).await?;
    visit(page, &format!("{base}/alerts")).await?;
    expect(page.locator("[data-testid=alert-row]")).to_have_count(2).await?;
    expect(page.locator("[data-testid=alerts-table] input[type=checkbox]"))
        .to_have_count(0)
        .await?;
    expect(page.locator("[data-testid=bulk-ack]")).to_have_count(0).await?;
    expect_texts(page, &[(".read-only", "executives can read alerts but not act on them")]).await?;
    shot_showing(
        page,
        &[("[data-testid=alerts-table]", "Silent Brook")],
        "88-alerts-exec-read-only",
    )
    .await?;
    visit(page, &format!("{base}/accounts/{}", s.accounts[2])).await?;
    let alert = page.locator("[data-testid=account-alert]");
    expect(alert.clone()).to_have_count(1).await?;
    expect(alert.locator("button")).to_have_count(0).await?;
    expect(alert.locator("[data-testid=alert-step] input:disabled")).to_have_count(3).await?;
    reload(page).await?;
    expect(alert).to_have_count(1).await?;
    Ok(())
}
