//! Health scores in a real browser: an admin creates an API key in Settings; usage events sent
//! through the REST API move an account's score and chart while its page is open (no reload);
//! the CSM's sentiment is set and flagged as disagreeing; in the model editor a weight moved
//! with the keyboard changes the distribution at once, nothing is saved until Save, and Save
//! makes version 2. Every page is photographed.

mod common;
use common::*;
use playwright_rs::expect;
use playwright_rs::protocol::Page;
use std::time::Duration;

/// The admin and three accounts, over HTTP. Returns the account ids.
async fn seed(base: &str) -> R<Vec<String>> {
    let api = Api::new(base)?;
    api.set_up_admin().await?;
    let mut ids = Vec::new();
    for (name, tier) in
        [("Globex Analytics", "enterprise"), ("Initech", "mid_market"), ("Umbrella Labs", "smb")]
    {
        let id = api
            .create_account(NewAccount {
                name,
                tier,
                industry: "Software",
                stage: "growth",
                arr: "120000",
                currency: "USD",
                contract_start: "2026-01-01",
                renewal_date: "2027-06-01",
                owner_id: "",
            })
            .await?;
        ids.push(id);
    }
    Ok(ids)
}

/// 25 logins by one person over the last 25 days (≈ 5.8 a week: login frequency 100) and use
/// of `features`.
fn usage(account: &str, tag: &str, features: &[&str]) -> serde_json::Value {
    usage_events(account, tag, 25, features)
}

#[tokio::test]
async fn events_move_scores_live_and_what_if_changes_nothing_until_saved() -> R {
    let server = start_server().await;
    let base = server.base.clone();
    let ids = seed(&base).await?;
    let (_pw, browser) = launch().await?;
    let page = new_page(&browser, 1280, 900).await?;
    sign_in(&page, &base).await?;

    let key = api_key_made_in_settings(&page, &base).await?;
    events_move_the_open_account_live(&page, &base, &key, &ids).await?;
    sentiment_that_disagrees_is_flagged(&page).await?;
    portfolio_sorts_and_counts_by_health(&page, &base).await?;
    what_if_changes_nothing_until_saved(&page, &base).await?;
    saving_makes_version_two(&page, &base, &ids[1]).await?;
    segment_model_saved_then_retired(&page, &base).await?;
    browser.close().await?;
    Ok(())
}

/// An account opened while its first score is being computed (events just sent) hydrates:
/// the server builds the page once, so the data it hands the browser is the data its HTML was
/// drawn from. (The frame around pages used to wait for the person in a `Suspense`, which now
/// and then built the page twice on the server: the first build's data went to the browser,
/// the second's HTML — and a score arriving between the two broke hydration. A slow phone
/// CPU widened that window: 6× here, where it broke within about fifteen pages.)
#[tokio::test]
async fn pages_served_while_their_account_is_rescored_hydrate() -> R {
    let server = start_server().await;
    let base = server.base.clone();
    let api = Api::new(&base)?;
    api.set_up_admin().await?;
    let made = api
        .call("api_keys/create", &[("name", "Product analytics"), ("scopes[0]", "events:write")])
        .await?;
    let key = made[1].as_str().expect("the key's secret").to_string();
    let (_pw, browser) = launch().await?;
    let context = browser.new_context().await?;
    let page = context.new_page().await?;
    let errors = collect_script_errors(&page).await?;
    let cdp = context.new_cdp_session(&page).await?;
    cdp.send("Emulation.setCPUThrottlingRate", Some(serde_json::json!({ "rate": 6 }))).await?;
    sign_in(&page, &base).await?;
    for i in 0..15 {
        let name = format!("Rescored {i}");
        let id = api
            .create_account(NewAccount {
                name: &name,
                tier: "smb",
                industry: "Software",
                stage: "growth",
                arr: "12000",
                currency: "USD",
                contract_start: "2026-01-01",
                renewal_date: "2027-06-01",
                owner_id: "",
            })
            .await?;
        send_events(&base, &key, usage(&id, &format!("rescored{i}"), &[])).await?;
        visit(&page, &format!("{base}/accounts/{id}")).await?;
        let seen = errors.lock().unwrap().clone();
        assert!(seen.is_empty(), "page {i}: {seen:?}");
    }
    browser.close().await?;
    Ok(())
}

/// An API key, made in Settings (a missing name is named first) and shown once. Returns it.
async fn api_key_made_in_settings(page: &Page, base: &str) -> R<String> {
    visit(page, &format!("{base}/settings/api-keys")).await?;
    submit(page).await?;
    expect(page.locator("#f-name-error")).to_contain_text("required").await?;
    fill_and_submit(page, &[("#f-name", "Product analytics")]).await?;
    let secret_box = page.locator("[data-testid=new-key]");
    expect(secret_box.clone()).with_timeout(Duration::from_secs(10)).to_contain_text("bw_").await?;
    let key = secret_box.inner_text().await?.trim().to_string();
    shot_showing(page, &[("table.users tbody tr", "events:write")], "40-api-keys").await?;
    Ok(key)
}

/// Usage arrives through the REST API while Globex's page is open: its score and chart follow
/// without a reload.
async fn events_move_the_open_account_live(
    page: &Page, base: &str, key: &str, ids: &[String],
) -> R {
    // Initech: busy, but only with a feature that is not a key feature → yellow (44).
    send_events(base, key, usage(&ids[1], "initech", &["exports"])).await?;
    // Globex: the same logins, no features yet → 44; its page is opened and left open.
    send_events(base, key, usage(&ids[0], "globex", &[])).await?;
    visit(page, &format!("{base}/accounts/{}", ids[0])).await?;
    let score = page.locator("[data-testid=health-score]");
    expect(score.clone()).with_timeout(Duration::from_secs(15)).to_have_text("44").await?;
    // The page is not reloaded from here on.
    mark_not_reloaded(page).await?;
    shot(page, "41-account-health-before").await?;

    // Four key features arrive through the API: adoption 80 % → 100; score (100·20 + 100·25)/45.
    let features = ["dashboards", "reports", "integrations", "automation"];
    send_events(base, key, usage(&ids[0], "globex", &features)).await?;
    expect(score.clone()).with_timeout(Duration::from_secs(15)).to_have_text("100").await?;
    // The chart's text alternative (and its dot) carry the new score too.
    expect(page.locator("figure.trend table.sr-only tbody")).to_contain_text("100").await?;
    assert_not_reloaded(page).await?;
    shot_showing(page, &[("table.breakdown", "80 %")], "42-account-health-live").await
}

/// The CSM's read disagrees with the data: flagged; the score drops to 82.
async fn sentiment_that_disagrees_is_flagged(page: &Page) -> R {
    page.locator("label.choice.red").click(None).await?;
    page.locator(".sentiment-form input[name=note]").fill("Champion left last week", None).await?;
    page.locator(".sentiment-form button[type=submit]").click(None).await?;
    soon_shows(page, ".flag", "the CSM says red, the data alone says green").await?;
    expect(page.locator("[data-testid=health-score]")).to_have_text("82").await?;
    shot_showing(page, &[(".sentiment-now", "Red")], "43-account-sentiment").await
}

/// The portfolio: health column, sort, distribution.
async fn portfolio_sorts_and_counts_by_health(page: &Page, base: &str) -> R {
    visit(page, &format!("{base}/?sort=health&dir=desc")).await?;
    let shows = [
        ("table.accounts tbody tr >> nth=0", "Globex Analytics"),
        (".health-dist [data-band=green] .n", "1"),
        (".health-dist [data-band=yellow] .n", "1"),
    ];
    shot_showing(page, &shows, "44-portfolio-health").await
}

/// What-if: login frequency weight to 100 with the keyboard → Initech turns green at once; a
/// threshold that breaks the rules blocks Save; a reload shows nothing was saved.
async fn what_if_changes_nothing_until_saved(page: &Page, base: &str) -> R {
    visit(page, &format!("{base}/settings/health")).await?;
    expect(page.locator("#model-h + p")).to_contain_text("Version 1").await?;
    let green = page.locator(".what-if [data-band=green] .n");
    expect(green.clone()).to_contain_text("1 ").await?;
    page.locator("#w-login_frequency").press("End", None).await?;
    expect(page.locator("[data-measure=login_frequency] output")).to_have_text("100").await?;
    expect(green.clone()).to_contain_text("2 ").await?;
    expect(page.locator(".what-if [data-band=yellow] .delta"))
        .to_contain_text("-1 accounts")
        .await?;
    expect(page.locator(".affected")).to_contain_text("Initech").await?;
    expect(page.locator(".unsaved")).to_be_visible().await?;
    shot(page, "45-model-what-if").await?;
    // A threshold that breaks the rules is named and blocks Save.
    let threshold = page.locator("[aria-label='Login frequency threshold 2 raw value']");
    threshold.fill("0", None).await?;
    expect(page.locator("[data-measure=login_frequency] .error"))
        .to_contain_text("must increase")
        .await?;
    expect(page.locator("[data-testid=save-model]")).to_be_disabled().await?;
    threshold.fill("1", None).await?;

    // Nothing was saved: a reload shows version 1 with weight 20 and one green account.
    reload(page).await?;
    expect(page.locator("[data-measure=login_frequency] output")).to_have_text("20").await?;
    expect(green).to_contain_text("1 ").await?;
    expect(page.locator("[data-testid=auc]"))
        .with_timeout(Duration::from_secs(20))
        .to_be_visible()
        .await?;
    Ok(())
}

/// Save makes version 2, and the accounts are re-scored with it (Initech: 80).
async fn saving_makes_version_two(page: &Page, base: &str, initech: &str) -> R {
    page.locator("#w-login_frequency").press("End", None).await?;
    page.locator("[data-testid=save-model]").click(None).await?;
    soon_shows(page, "#model-h + p", "Version 2").await?;
    shot_showing(page, &[(".model-list", "v2")], "46-model-saved").await?;
    visit(page, &format!("{base}/accounts/{initech}")).await?;
    expect(page.locator("[data-testid=health-score]"))
        .with_timeout(Duration::from_secs(15))
        .to_have_text("80")
        .await?;
    shot_showing(page, &[(".health-head", "Default v2")], "47-account-after-model-change").await
}

/// A segment with a model of its own, then that model retired by the admin: the segment's
/// accounts fall to the default model and the segment may be deleted.
async fn segment_model_saved_then_retired(page: &Page, base: &str) -> R {
    let api = Api::new(base)?;
    api.sign_in().await?;
    let seg = api.save_segment("Enterprise", "tier=enterprise").await?;
    let model_page = format!("{base}/settings/health?model={seg}");
    visit(page, &model_page).await?;
    expect(page.locator("#model-h + p")).to_contain_text("Not saved yet").await?;
    page.locator("#w-login_frequency").press("Home", None).await?;
    page.locator("[data-testid=save-model]").click(None).await?;
    soon_shows(page, "#model-h + p", "Version 1").await?;
    expect(page.locator("[data-testid=retire-model]")).to_be_visible().await?;
    page.evaluate_expression("window.scrollTo(0, 0)").await?;
    shot(page, "48-segment-model").await?;
    accept_dialogs(page).await?;
    segment_in_use_is_not_deleted(page, base).await?;

    visit(page, &model_page).await?;
    page.locator("[data-testid=retire-model]").click(None).await?;
    soon_shows(page, "#model-h + p", "Not in use (stopped)").await?;
    expect(page.locator("#model-h + p")).to_contain_text("1 past version").await?;
    // Out of force: the list offers it as a new model again, and its accounts use the default.
    expect(page.locator(".model-list")).not().to_contain_text("Enterprise v1").await?;
    expect(page.locator(".model-list")).to_contain_text("(new)").await?;
    page.evaluate_expression("window.scrollTo(0, 0)").await?;
    shot(page, "49-segment-model-retired").await?;
    api.call("segments/delete", &[("id", seg.as_str())]).await?;
    Ok(())
}

/// A CSM-level delete from the portfolio is refused while the model uses the segment, and
/// says what uses it.
async fn segment_in_use_is_not_deleted(page: &Page, base: &str) -> R {
    visit(page, &format!("{base}/")).await?;
    page.locator("[aria-label='Delete segment Enterprise']").click(None).await?;
    let refusal = [(".error[role=alert]", "used by the health model “Enterprise”")];
    shot_showing(page, &refusal, "48b-segment-in-use").await
}
