//! Escalations in a real browser: the admin raises a P1 from the account page (a form sent
//! empty is refused beside its fields), lands on the escalation with its three SLA clocks
//! running under the enterprise policy's 24/7 Berlin calendar, escalates it to level 2 (Grace,
//! the account's technical support), marks it waiting on the customer (resolution and update
//! cadence pause, first response keeps running — and visibly counts on without a reload),
//! records the customer's reply, resolves it (the root cause is required beside its field),
//! sees the follow-up scheduled, finds the resolution on the account's timeline and marks the
//! follow-up done. The Escalations page lists it with a breached escalation of another account
//! (filters kept in the URL); both pages fit a phone; an executive reads everything and can do
//! nothing. Every page is loaded more than once, fails on any script error, and is photographed.

mod common;
use common::*;
use playwright_rs::expect;
use playwright_rs::protocol::{Page, SelectOption};
use serde_json::json;
use std::time::Duration;

const TITLE: &str = "Checkout outage in the EU";

struct Seeded {
    /// Northwind (the admin's, enterprise), then Harbor (Grace's).
    accounts: Vec<String>,
    exec_email: String,
}

/// The admin, Grace (CSM) and Eve (exec); Northwind (enterprise, the admin's, Grace its
/// technical support, a contact, a three-hour outage this month) under an "Enterprise 24/7"
/// policy counting in a 24/7 Europe/Berlin calendar; Harbor (Grace's) with a P2 raised six
/// hours ago through the REST API, its first response long breached.
async fn seed(base: &str) -> R<Seeded> {
    let api = Api::new(base)?;
    let admin = id_of(&api.set_up_admin().await?);
    let grace = api.create_user("grace@bellwether.test", "Grace Hopper", "csm").await?;
    api.create_user("eve@bellwether.test", "Eve Executive", "exec").await?;
    let start = (chrono::Utc::now().date_naive() - chrono::Duration::days(400)).to_string();
    let mut accounts = Vec::new();
    for (name, owner, tier) in [
        ("Northwind Mills", admin.as_str(), "enterprise"),
        ("Harbor Logistics", grace.as_str(), "mid_market"),
    ] {
        let account = NewAccount {
            name,
            tier,
            industry: "Manufacturing",
            stage: "growth",
            arr: "240000",
            currency: "USD",
            contract_start: &start,
            renewal_date: "2029-06-01",
            owner_id: owner,
        };
        accounts.push(api.create_account(account).await?);
    }
    let nw = accounts[0].as_str();
    api.add_contact(nw, "Pat Example", "pat@northwind.example", &[]).await?;
    // The owner is on the team as its CSM already; Grace joins as technical support.
    let form = [("account_id", nw), ("user_id", grace.as_str()), ("role", "technical_support")];
    api.call("accounts/team/add", &form).await?;
    let scopes = ["settings:write", "escalations:write", "incidents:write"];
    let mut form = vec![("name", "Status page")];
    let names: Vec<String> = (0..scopes.len()).map(|i| format!("scopes[{i}]")).collect();
    form.extend(names.iter().map(String::as_str).zip(scopes));
    let key = api.call("api_keys/create", &form).await?[1].as_str().expect("a key").to_string();
    let day = json!([["00:00", "24:00"]]);
    let calendar = json!({ "name": "Support 24/7 (Berlin)", "time_zone": "Europe/Berlin",
        "hours": { "mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day }, "holidays": [] });
    let cal = rest_post(base, &key, "/api/v1/calendars", &calendar).await?;
    let segment = api.save_segment("Enterprise", "tier=enterprise").await?;
    let t = |f: u32, u: u32, r: u32| json!({ "first_response_minutes": f, "update_minutes": u, "resolution_minutes": r });
    let policy = json!({ "name": "Enterprise 24/7", "segment_id": segment, "calendar_id": cal["id"],
        "warn_at": 0.75, "uptime_target": 0.999, "follow_up_days": 7,
        "targets": { "P1": t(60, 240, 480), "P2": t(240, 480, 1440), "P3": t(480, 1440, 4800), "P4": t(1440, 2880, 9600) } });
    rest_post(base, &key, "/api/v1/sla-policies", &policy).await?;
    let now = chrono::Utc::now();
    let outage = json!({ "start": now - chrono::Duration::hours(4), "end": now - chrono::Duration::hours(1),
        "accounts": [nw], "severity": "P1", "title": "EU region down" });
    rest_post(base, &key, "/api/v1/incidents", &outage).await?;
    let breached = json!({ "account_id": accounts[1], "type": "commercial", "severity": "P2",
        "title": "Invoice disputed after the price change", "opened_at": now - chrono::Duration::hours(6) });
    rest_post(base, &key, "/api/v1/escalations", &breached).await?;
    Ok(Seeded { accounts, exec_email: "eve@bellwether.test".into() })
}

/// The status pill of one clock (`first_response`, `update`, `resolution`).
fn clock(kind: &str) -> &'static str {
    match kind {
        "first_response" => "[data-testid=clock-first_response] [data-testid=clock-status]",
        "update" => "[data-testid=clock-update] [data-testid=clock-status]",
        _ => "[data-testid=clock-resolution] [data-testid=clock-status]",
    }
}

#[tokio::test]
async fn an_escalation_is_raised_worked_up_a_level_resolved_and_followed_up() -> R {
    let server = start_server().await;
    let base = server.base.clone();
    let s = seed(&base).await?;
    let (_pw, browser) = launch().await?;
    let page = new_page(&browser, 1360, 950).await?;
    let errors = collect_script_errors(&page).await?;
    sign_in(&page, &base).await?;

    let escalation = raise_from_the_account_page(&page, &base, &s.accounts[0]).await?;
    the_clocks_run_and_it_moves_up_a_level(&page).await?;
    waiting_pauses_two_clocks_and_the_third_counts_on(&page).await?;
    resolve_with_a_root_cause(&page).await?;
    the_account_shows_the_resolution(&page).await?;
    mark_the_follow_up_done(&page, &base, &escalation).await?;
    the_list_filters_in_the_url(&page, &base).await?;
    the_report_judges_both(&page, &base).await?;
    // Every page again, a few times: no script error on any load.
    let again = [
        "/escalations".to_string(),
        "/escalations?state=all".into(),
        "/reports/sla".into(),
        escalation.clone(),
        format!("/accounts/{}", s.accounts[0]),
        format!("/accounts/{}", s.accounts[1]),
    ];
    for url in &again {
        for _ in 0..3 {
            visit(&page, &format!("{base}{url}")).await?;
            reload(&page).await?;
        }
    }

    let phone = new_page(&browser, 390, 900).await?;
    let phone_errors = collect_script_errors(&phone).await?;
    sign_in(&phone, &base).await?;
    visit(&phone, &format!("{base}{escalation}")).await?;
    shot_showing(&phone, &[(clock("resolution"), "Met")], "102-escalation-phone").await?;
    fits_the_width(&phone, "the escalation page").await?;
    visit(&phone, &format!("{base}/escalations?state=all")).await?;
    expect(phone.locator("[data-testid=escalation-row]")).to_have_count(2).await?;
    shot_showing(&phone, &[("[data-testid=escalations-table]", TITLE)], "103-escalations-phone")
        .await?;
    fits_the_width(&phone, "the escalations list").await?;
    visit(&phone, &format!("{base}/reports/sla")).await?;
    shot_showing(
        &phone,
        &[("[data-testid=sla-breaches]", "Invoice disputed")],
        "114-sla-report-phone",
    )
    .await?;
    fits_the_width(&phone, "the SLA report").await?;

    let exec = new_page(&browser, 1360, 950).await?;
    let exec_errors = collect_script_errors(&exec).await?;
    an_executive_reads_but_cannot_act(&exec, &base, &s, &escalation).await?;

    for errs in [errors, phone_errors, exec_errors] {
        let errs = errs.lock().unwrap().clone();
        assert!(errs.is_empty(), "script errors: {errs:?}");
    }
    browser.close().await?;
    Ok(())
}

/// The account's card: no open escalation, the outage in its uptime; the raise form sent
/// empty is refused beside its fields; filled in, it opens the escalation's page. Returns the
/// escalation's path.
async fn raise_from_the_account_page(page: &Page, base: &str, account: &str) -> R<String> {
    visit(page, &format!("{base}/accounts/{account}")).await?;
    let card = "[data-testid=account-escalations]";
    soon_shows(page, card, "No open escalations").await?;
    expect_texts(page, &[("[data-testid=esc-uptime]", "missed")]).await?;
    page.locator("[data-testid=raise-escalation] summary").click(None).await?;
    page.locator("[data-testid=raise-submit]").click(None).await?;
    soon_shows(page, "#raise-type-error", "choose a type").await?;
    expect_texts(
        page,
        &[("#raise-severity-error", "must be P1"), ("#raise-title-error", "say in a few words")],
    )
    .await?;
    to_top(page).await?;
    shot(page, "95-escalation-raise-refused").await?;

    page.locator("#raise-type").select_option("technical", None).await?;
    page.locator("#raise-severity").select_option("P1", None).await?;
    let pat = SelectOption::Label("Pat Example".into());
    page.locator("#raise-contact").select_option(pat, None).await?;
    page.locator("#raise-title").fill(TITLE, None).await?;
    let what = "Card payments fail for every EU shopper since 09:40; US is fine.";
    page.locator("#raise-description").fill(what, None).await?;
    page.locator("[data-testid=raise-submit]").click(None).await?;
    landed(page, "**/escalations/*").await?;
    let url = page.url();
    let path = url.trim_start_matches(base).to_string();
    Ok(path)
}

/// Three running clocks under the enterprise policy, due in UTC and in Berlin; the admin is
/// responsible at level 1 until it moves up; escalating hands it to Grace at level 2.
async fn the_clocks_run_and_it_moves_up_a_level(page: &Page) -> R {
    expect_texts(
        page,
        &[
            ("[data-testid=esc-head] h1", TITLE),
            ("[data-testid=esc-head]", "raised by Pat Example"),
            (".esc-facts", "Enterprise 24/7 · v1"),
            (".esc-facts", "Support 24/7 (Berlin) · v1 · Europe/Berlin"),
            ("[data-testid=esc-responsible]", "Ada Lovelace — Level 1 of 3 · CSM"),
            ("[data-testid=esc-moves-up]", "Moves up to level 2 at"),
            (clock("first_response"), "Running"),
            (clock("update"), "Running"),
            (clock("resolution"), "Running"),
            ("[data-testid=clock-first_response]", "1 h left"),
            ("[data-testid=clock-resolution]", "8 h"),
            ("[data-testid=clock-first_response] .due", "(calendar)"),
            ("[data-testid=clock-rules]", "never paused"),
        ],
    )
    .await?;
    // The reader's own time appears once the page is live.
    expect(page.locator("[data-testid=clock-first_response] .due .mine")).to_have_count(1).await?;
    reload(page).await?;
    shot_showing(page, &[(clock("resolution"), "Running")], "96-escalation-opened").await?;

    page.locator("[data-testid=act-escalated]").click(None).await?;
    soon_shows(
        page,
        "[data-testid=esc-responsible]",
        "Grace Hopper — Level 2 of 3 · Technical Support",
    )
    .await?;
    expect_texts(
        page,
        &[
            ("[data-testid=esc-history]", "Escalated to level 2"),
            ("[data-testid=act-escalated]", "Escalate to level 3"),
        ],
    )
    .await
}

/// Waiting on the customer (with a note) pauses resolution and update cadence; first response
/// runs on, and its business time grows on screen without a reload (the page re-reads its
/// clocks every 30 seconds); the customer's reply restarts resolution.
async fn waiting_pauses_two_clocks_and_the_third_counts_on(page: &Page) -> R {
    page.locator("#esc-note").fill("Asked for a HAR file from an EU shopper.", None).await?;
    page.locator("[data-testid=act-waiting_on_customer]").click(None).await?;
    soon_shows(page, clock("resolution"), "Paused").await?;
    expect_texts(
        page,
        &[
            (clock("update"), "Paused"),
            (clock("first_response"), "Running"),
            ("[data-testid=esc-head] [data-testid=esc-status]", "Waiting on customer"),
            ("[data-testid=clock-resolution] .due", "No due time while waiting on the customer"),
            ("[data-testid=esc-history]", "Asked for a HAR file"),
            ("[data-testid=esc-recorded]", "Recorded: Waiting on the customer."),
        ],
    )
    .await?;
    to_top(page).await?;
    shot(page, "97-escalation-waiting").await?;

    mark_not_reloaded(page).await?;
    expect(page.locator("[data-testid=clock-first_response] [data-testid=clock-used]"))
        .with_timeout(Duration::from_secs(100))
        .to_contain_text("1 min")
        .await?;
    expect_texts(page, &[(clock("first_response"), "Running"), (clock("resolution"), "Paused")])
        .await?;
    assert_not_reloaded(page).await?;

    page.locator("[data-testid=act-customer_replied]").click(None).await?;
    soon_shows(page, clock("resolution"), "Running").await?;
    expect_texts(page, &[(clock("update"), "Running")]).await
}

/// Resolving without a root cause is refused beside the select; with one it resolves, the
/// clocks stop met, and the follow-up is scheduled for the account's owner a week out.
async fn resolve_with_a_root_cause(page: &Page) -> R {
    page.locator("[data-testid=act-resolve]").click(None).await?;
    page.locator("[data-testid=act-resolved]").click(None).await?;
    soon_shows(page, "#esc-root-cause-error", "choose the root cause").await?;
    shot(page, "98-escalation-resolve-refused").await?;
    page.locator("#esc-root-cause").select_option("configuration", None).await?;
    let notes = "Rolled back the EU load-balancer configuration; payments flow again.";
    page.locator("#esc-resolution").fill(notes, None).await?;
    page.locator("[data-testid=act-resolved]").click(None).await?;
    soon_shows(page, "[data-testid=esc-head] [data-testid=esc-status]", "Resolved").await?;
    let due = chrono::Utc::now().date_naive() + chrono::Duration::days(7);
    let due = format!("Due {}", due.format("%a %-d %b %Y"));
    expect_texts(
        page,
        &[
            ("[data-testid=follow-up-line]", due.as_str()),
            ("[data-testid=follow-up-line]", "Ada Lovelace"),
            ("[data-testid=esc-resolution]", "root cause: Configuration"),
            ("[data-testid=esc-resolution]", "Rolled back the EU load-balancer"),
            (clock("resolution"), "Met"),
            (clock("first_response"), "Met"),
            ("[data-testid=esc-history]", "Root cause: Configuration"),
            ("[data-testid=act-reopened]", "Reopen"),
        ],
    )
    .await?;
    expect(page.locator("[data-testid=esc-responsible]")).to_have_count(0).await?;
    to_top(page).await?;
    shot(page, "99-escalation-resolved").await
}

/// The account's card lists it as recently resolved; the timeline tells the story.
async fn the_account_shows_the_resolution(page: &Page) -> R {
    follow(page, ".crumbs a[href^='/accounts/']", "**/accounts/*").await?;
    soon_shows(page, "[data-testid=resolved-escalations]", TITLE).await?;
    expect_texts(page, &[("[data-testid=account-escalations]", "No open escalations")]).await?;
    let show = page.locator("select[aria-label='Show in the timeline']");
    show.select_option("escalation", None).await?;
    let resolved = format!("Escalation “{TITLE}” (P1): resolved");
    soon_shows(page, "[data-testid=timeline]", &resolved).await?;
    expect_texts(
        page,
        &[
            ("[data-testid=timeline]", "Root cause: Configuration"),
            ("[data-testid=timeline]", "escalated to level 2"),
            ("[data-testid=timeline]", "waiting on the customer"),
        ],
    )
    .await?;
    to_top(page).await?;
    shot(page, "100-account-escalations-timeline").await
}

async fn mark_the_follow_up_done(page: &Page, base: &str, escalation: &str) -> R {
    // The owner finds it in My work, a week out, and follows the link to the escalation.
    visit(page, &format!("{base}/my-work")).await?;
    soon_shows(page, "[data-testid=work-follow-ups]", TITLE).await?;
    to_top(page).await?;
    shot(page, "115-my-work-follow-up").await?;
    let link = format!("[data-testid=work-follow-ups] a[href='{escalation}']");
    follow(page, &link, &format!("**{escalation}")).await?;
    page.locator("#fu-note").fill("Pat confirms checkout has been stable all week.", None).await?;
    page.locator("[data-testid=follow-up-done]").click(None).await?;
    soon_shows(page, "[data-testid=follow-up-line]", "Done").await?;
    expect(page.locator("[data-testid=follow-up-done]")).to_have_count(0).await?;
    visit(page, &format!("{base}/my-work")).await?;
    soon_shows(page, "section[aria-labelledby=mw-fu]", "No resolved escalation waits").await?;
    Ok(())
}

/// Open escalations by default (Harbor's, breached); all of them; only P1; only the admin's.
async fn the_list_filters_in_the_url(page: &Page, base: &str) -> R {
    follow(page, "nav[aria-label=Main] a[href='/escalations']", "**/escalations").await?;
    let rows = page.locator("[data-testid=escalation-row]");
    expect(rows.clone()).to_have_count(1).await?;
    expect_texts(
        page,
        &[
            ("[data-testid=escalations-table]", "Invoice disputed after the price change"),
            ("[data-testid=escalations-table]", "Harbor Logistics"),
            ("[data-testid=esc-next-due]", "breached"),
        ],
    )
    .await?;
    page.locator("#ef-state").select_option("all", None).await?;
    landed(page, "**/escalations?state=all").await?;
    expect(rows.clone()).to_have_count(2).await?;
    reload(page).await?;
    expect(rows.clone()).to_have_count(2).await?;
    expect(page.locator("#ef-state")).to_have_value("all").await?;
    shot_showing(page, &[("[data-testid=escalations-table]", TITLE)], "101-escalations-list")
        .await?;
    page.locator("#ef-severity").select_option("P1", None).await?;
    landed(page, "**/escalations?state=all&severity=P1").await?;
    expect(rows.clone()).to_have_count(1).await?;
    expect_texts(page, &[("[data-testid=escalations-table]", TITLE)]).await?;
    page.locator("#ef-severity").select_option("", None).await?;
    landed(page, "**/escalations?state=all").await?;
    page.locator("#ef-mine").click(None).await?;
    landed(page, "**/escalations?state=all&mine=1").await?;
    expect(rows.clone()).to_have_count(1).await?;
    expect_texts(page, &[("[data-testid=escalations-table]", "Northwind Mills")]).await?;
    // Nothing open on the admin's accounts: the page says what an escalation is.
    visit(page, &format!("{base}/escalations?mine=1")).await?;
    soon_shows(page, "[data-testid=escalations-empty]", "No escalations match").await?;
    expect_texts(page, &[("[data-testid=escalations-empty]", "Raise escalation")]).await
}

/// The SLA report for the last six months: both escalations, Harbor's first response missed
/// and listed as a breach, Northwind's resolved in time, its outage in the uptime table; the
/// period is in the URL and an unreadable one falls back to the default.
async fn the_report_judges_both(page: &Page, base: &str) -> R {
    follow(page, "a[href='/reports/sla']", "**/reports/sla").await?;
    expect_texts(
        page,
        &[
            ("[data-testid=kpi-first-response]", "50 %"),
            ("[data-testid=sla-kpis]", "1 of 2 first responses in time"),
            ("[data-testid=kpi-resolution]", "100 %"),
            ("[data-testid=sla-by-severity]", "P1"),
            ("[data-testid=sla-by-type]", "Commercial"),
            ("[data-testid=sla-by-segment]", "Enterprise"),
            ("[data-testid=sla-breaches]", "Invoice disputed after the price change"),
            ("[data-testid=sla-breaches]", "First response"),
            ("[data-testid=sla-uptime]", "Northwind Mills"),
        ],
    )
    .await?;
    to_top(page).await?;
    shot(page, "113-sla-report").await?;
    let this_month = chrono::Utc::now().format("%Y-%m").to_string();
    visit(page, &format!("{base}/reports/sla?from={this_month}&to={this_month}")).await?;
    expect_texts(page, &[("[data-testid=sla-kpis]", "1 of 2 first responses in time")]).await?;
    visit(page, &format!("{base}/reports/sla?from=2020-01&to=2026-01")).await?;
    expect_texts(page, &[("[data-testid=sla-report] .error", "at most 24 months")]).await
}

/// Eve (exec) sees the escalation, its clocks and history, the list and the account's card,
/// with nothing to press and no form to raise one.
async fn an_executive_reads_but_cannot_act(
    page: &Page, base: &str, s: &Seeded, escalation: &str,
) -> R {
    visit(page, &format!("{base}/login")).await?;
    submit_sign_in(page, &s.exec_email, USER_PASS).await?;
    page.wait_for_url(&format!("{base}/"), None).await?;
    visit(page, &format!("{base}{escalation}")).await?;
    expect_texts(
        page,
        &[
            ("[data-testid=esc-read-only]", "executives can read escalations but not act on them"),
            ("[data-testid=esc-history]", "Escalated to level 2"),
            ("[data-testid=follow-up-line]", "Done"),
        ],
    )
    .await?;
    expect(page.locator("[data-testid=esc-actions]")).to_have_count(0).await?;
    expect(page.locator(".esc-layout button")).to_have_count(0).await?;
    reload(page).await?;
    expect(page.locator(".esc-layout button")).to_have_count(0).await?;
    shot_showing(page, &[(clock("resolution"), "Met")], "104-escalation-exec-read-only").await?;
    visit(page, &format!("{base}/escalations?state=all")).await?;
    expect(page.locator("[data-testid=escalation-row]")).to_have_count(2).await?;
    expect_texts(page, &[(".read-only", "executives can read escalations")]).await?;
    visit(page, &format!("{base}/accounts/{}", s.accounts[1])).await?;
    soon_shows(page, "[data-testid=open-escalations]", "Invoice disputed").await?;
    expect(page.locator("[data-testid=raise-escalation]")).to_have_count(0).await?;
    Ok(())
}
