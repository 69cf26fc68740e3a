//! Health scores in a real browser: an admin creates an API key in Settings; usage events sent
//! through the REST API move an account's score and chart while its page is open (no reload);
//! the CSM's sentiment is set and flagged as disagreeing; in the model editor a weight moved
//! with the keyboard changes the distribution at once, nothing is saved until Save, and Save
//! makes version 2. Every page is photographed.

mod common;
use common::*;
use playwright_rs::expect;
use std::time::Duration;

const EMAIL: &str = "ada@bellwether.test";
const PASS: &str = "correct horse battery";

/// The admin and three accounts, over HTTP. Returns the account ids.
async fn seed(base: &str) -> R<Vec<String>> {
    let http = reqwest::Client::builder().cookie_store(true).build()?;
    let call = |path: &str, form: Vec<(&'static str, String)>| {
        let http = http.clone();
        let url = format!("{base}/api/{path}");
        async move {
            let res = http
                .post(url)
                .header("accept", "application/json")
                .form(&form)
                .send()
                .await?;
            assert!(res.status().is_success(), "{}", res.text().await?);
            Ok::<serde_json::Value, Box<dyn std::error::Error>>(res.json().await?)
        }
    };
    call(
        "auth/setup",
        vec![
            ("email", EMAIL.into()),
            ("name", "Ada Lovelace".into()),
            ("password", PASS.into()),
            ("setup_code", SETUP_CODE.into()),
        ],
    )
    .await?;
    let mut ids = Vec::new();
    for (name, tier) in [
        ("Globex Analytics", "enterprise"),
        ("Initech", "mid_market"),
        ("Umbrella Labs", "smb"),
    ] {
        let acc = call(
            "accounts/create",
            vec![
                ("input[name]", name.into()),
                ("input[tier]", tier.into()),
                ("input[industry]", "Software".into()),
                ("input[stage]", "growth".into()),
                ("input[arr]", "120000".into()),
                ("input[currency]", "USD".into()),
                ("input[contract_start]", "2026-01-01".into()),
                ("input[renewal_date]", "2027-06-01".into()),
                ("input[owner_id]", String::new()),
            ],
        )
        .await?;
        ids.push(acc["id"].as_str().unwrap().to_string());
    }
    Ok(ids)
}

/// Sends a batch through the public API; asserts it was accepted.
async fn send(base: &str, key: &str, events: serde_json::Value) -> R {
    let res = reqwest::Client::new()
        .post(format!("{base}/api/v1/events"))
        .bearer_auth(key)
        .json(&events)
        .send()
        .await?;
    assert_eq!(res.status(), 202, "{}", res.text().await?);
    Ok(())
}

/// 25 logins by one person over the last 25 days (≈ 5.8 a week: login frequency 100) and use
/// of `features`.
fn usage(account: &str, tag: &str, features: &[&str]) -> serde_json::Value {
    let now = chrono::Utc::now();
    let mut events = Vec::new();
    for d in 0..25 {
        events.push(serde_json::json!({
            "account_id": account, "kind": "login", "contact_email": format!("pat@{tag}.example"),
            "at": (now - chrono::Duration::days(d) - chrono::Duration::minutes(5)).to_rfc3339(),
            "idempotency_key": format!("{tag}-login-{d}"),
        }));
    }
    for f in features {
        events.push(serde_json::json!({
            "account_id": account, "kind": "feature_used", "feature": f, "contact_email": format!("pat@{tag}.example"),
            "at": (now - chrono::Duration::minutes(1)).to_rfc3339(), "idempotency_key": format!("{tag}-{f}"),
        }));
    }
    serde_json::Value::Array(events)
}

#[tokio::test]
async fn events_move_scores_live_and_what_if_changes_nothing_until_saved() -> R {
    let server = start_server().await;
    let base = server.base.clone();
    let ids = seed(&base).await?;
    let (_pw, browser) = launch().await?;
    let page = browser.new_page().await?;
    page.set_viewport_size(playwright_rs::protocol::Viewport {
        width: 1280,
        height: 900,
    })
    .await?;
    page.goto(&format!("{base}/login"), None).await?;
    hydrated(&page).await?;
    page.locator("#f-email").fill(EMAIL, None).await?;
    page.locator("#f-password").fill(PASS, None).await?;
    page.locator("main button[type=submit]").click(None).await?;
    page.wait_for_url(&format!("{base}/"), None).await?;

    // An API key, made in Settings and shown once.
    page.goto(&format!("{base}/settings/api-keys"), None)
        .await?;
    hydrated(&page).await?;
    page.locator("main button[type=submit]").click(None).await?;
    expect(page.locator("#f-name-error"))
        .to_contain_text("required")
        .await?;
    page.locator("#f-name")
        .fill("Product analytics", None)
        .await?;
    page.locator("main button[type=submit]").click(None).await?;
    let secret_box = page.locator("[data-testid=new-key]");
    expect(secret_box.clone())
        .with_timeout(Duration::from_secs(10))
        .to_contain_text("bw_")
        .await?;
    let key = secret_box.inner_text().await?.trim().to_string();
    expect(page.locator("table.users tbody tr"))
        .to_contain_text("events:write")
        .await?;
    shot(&page, "40-api-keys").await?;

    // Initech: busy, but only with a feature that is not a key feature → yellow (44).
    send(&base, &key, usage(&ids[1], "initech", &["exports"])).await?;
    // Globex: the same logins, no features yet → 44; its page is opened and left open.
    send(&base, &key, usage(&ids[0], "globex", &[])).await?;
    page.goto(&format!("{base}/accounts/{}", ids[0]), None)
        .await?;
    hydrated(&page).await?;
    let score = page.locator("[data-testid=health-score]");
    expect(score.clone())
        .with_timeout(Duration::from_secs(15))
        .to_have_text("44")
        .await?;
    // The page is not reloaded from here on: this mark would vanish if it were.
    page.evaluate_expression("window.__stillHere = true")
        .await?;
    shot(&page, "41-account-health-before").await?;

    // Four key features arrive through the API: adoption 80 % → 100; score (100·20 + 100·25)/45.
    send(
        &base,
        &key,
        usage(
            &ids[0],
            "globex",
            &["dashboards", "reports", "integrations", "automation"],
        ),
    )
    .await?;
    expect(score.clone())
        .with_timeout(Duration::from_secs(15))
        .to_have_text("100")
        .await?;
    // The chart's text alternative (and its dot) carry the new score too.
    expect(page.locator("figure.trend table.sr-only tbody"))
        .to_contain_text("100")
        .await?;
    let still: bool = page
        .evaluate("() => window.__stillHere === true", None::<&()>)
        .await?;
    assert!(still, "the page was reloaded");
    expect(page.locator("table.breakdown"))
        .to_contain_text("80 %")
        .await?;
    shot(&page, "42-account-health-live").await?;

    // The CSM's read disagrees with the data: flagged; the score drops to 82.
    page.locator("label.choice.red").click(None).await?;
    page.locator(".sentiment-form input[name=note]")
        .fill("Champion left last week", None)
        .await?;
    page.locator(".sentiment-form button[type=submit]")
        .click(None)
        .await?;
    expect(page.locator(".flag"))
        .with_timeout(Duration::from_secs(10))
        .to_contain_text("the CSM says red, the data alone says green")
        .await?;
    expect(score.clone()).to_have_text("82").await?;
    expect(page.locator(".sentiment-now"))
        .to_contain_text("Red")
        .await?;
    shot(&page, "43-account-sentiment").await?;

    // The portfolio: health column, sort, distribution.
    page.goto(&format!("{base}/?sort=health&dir=desc"), None)
        .await?;
    hydrated(&page).await?;
    expect(page.locator("table.accounts tbody tr").first())
        .to_contain_text("Globex Analytics")
        .await?;
    expect(page.locator(".health-dist [data-band=green] .n"))
        .to_contain_text("1")
        .await?;
    expect(page.locator(".health-dist [data-band=yellow] .n"))
        .to_contain_text("1")
        .await?;
    shot(&page, "44-portfolio-health").await?;

    // What-if: login frequency weight to 100 with the keyboard → Initech turns green at once.
    page.goto(&format!("{base}/settings/health"), None).await?;
    hydrated(&page).await?;
    expect(page.locator("#model-h + p"))
        .to_contain_text("Version 1")
        .await?;
    let green = page.locator(".what-if [data-band=green] .n");
    expect(green.clone()).to_contain_text("1 ").await?;
    page.locator("#w-login_frequency")
        .press("End", None)
        .await?;
    expect(page.locator("[data-measure=login_frequency] output"))
        .to_have_text("100")
        .await?;
    expect(green.clone()).to_contain_text("2 ").await?;
    expect(page.locator(".what-if [data-band=yellow] .delta"))
        .to_contain_text("-1 accounts")
        .await?;
    expect(page.locator(".affected"))
        .to_contain_text("Initech")
        .await?;
    expect(page.locator(".unsaved")).to_be_visible().await?;
    shot(&page, "45-model-what-if").await?;
    // A threshold that breaks the rules is named and blocks Save.
    page.locator("[aria-label='Login frequency threshold 2 raw value']")
        .fill("0", None)
        .await?;
    expect(page.locator("[data-measure=login_frequency] .error"))
        .to_contain_text("must increase")
        .await?;
    expect(page.locator("[data-testid=save-model]"))
        .to_be_disabled()
        .await?;
    page.locator("[aria-label='Login frequency threshold 2 raw value']")
        .fill("1", None)
        .await?;

    // Nothing was saved: a reload shows version 1 with weight 20 and one green account.
    page.reload(None).await?;
    hydrated(&page).await?;
    expect(page.locator("[data-measure=login_frequency] output"))
        .to_have_text("20")
        .await?;
    expect(green.clone()).to_contain_text("1 ").await?;
    expect(page.locator("[data-testid=auc]"))
        .with_timeout(Duration::from_secs(20))
        .to_be_visible()
        .await?;

    // Save makes version 2, and the accounts are re-scored with it.
    page.locator("#w-login_frequency")
        .press("End", None)
        .await?;
    page.locator("[data-testid=save-model]").click(None).await?;
    expect(page.locator("#model-h + p"))
        .with_timeout(Duration::from_secs(10))
        .to_contain_text("Version 2")
        .await?;
    expect(page.locator(".model-list"))
        .to_contain_text("v2")
        .await?;
    shot(&page, "46-model-saved").await?;
    page.goto(&format!("{base}/accounts/{}", ids[1]), None)
        .await?;
    hydrated(&page).await?;
    expect(page.locator("[data-testid=health-score]"))
        .with_timeout(Duration::from_secs(15))
        .to_have_text("80")
        .await?;
    expect(page.locator(".health-head"))
        .to_contain_text("Default v2")
        .await?;
    shot(&page, "47-account-after-model-change").await?;

    // A segment with a model of its own, then that model retired by the admin: the segment's
    // accounts fall to the default model and the segment may be deleted.
    let http = reqwest::Client::builder().cookie_store(true).build()?;
    let api = |path: &str| format!("{base}/api/{path}");
    let res = http
        .post(api("auth/login"))
        .header("accept", "application/json")
        .form(&[("email", EMAIL), ("password", PASS)])
        .send()
        .await?;
    assert!(res.status().is_success());
    let seg: serde_json::Value = http
        .post(api("segments/save"))
        .header("accept", "application/json")
        .form(&[("name", "Enterprise"), ("query", "tier=enterprise")])
        .send()
        .await?
        .json()
        .await?;
    let seg = seg["id"].as_str().unwrap().to_string();
    page.goto(&format!("{base}/settings/health?model={seg}"), None)
        .await?;
    hydrated(&page).await?;
    expect(page.locator("#model-h + p"))
        .to_contain_text("Not saved yet")
        .await?;
    page.locator("#w-login_frequency")
        .press("Home", None)
        .await?;
    page.locator("[data-testid=save-model]").click(None).await?;
    expect(page.locator("#model-h + p"))
        .with_timeout(Duration::from_secs(10))
        .to_contain_text("Version 1")
        .await?;
    expect(page.locator("[data-testid=retire-model]"))
        .to_be_visible()
        .await?;
    page.evaluate_expression("window.scrollTo(0, 0)").await?;
    shot(&page, "48-segment-model").await?;
    page.on_dialog(|dialog| async move { dialog.accept(None).await })
        .await?;

    // A CSM-level delete from the portfolio is refused while the model uses the segment, and
    // says what uses it.
    page.goto(&format!("{base}/"), None).await?;
    hydrated(&page).await?;
    page.locator("[aria-label='Delete segment Enterprise']")
        .click(None)
        .await?;
    expect(page.locator(".error[role=alert]"))
        .to_contain_text("used by the health model “Enterprise”")
        .await?;
    shot(&page, "48b-segment-in-use").await?;
    page.goto(&format!("{base}/settings/health?model={seg}"), None)
        .await?;
    hydrated(&page).await?;
    page.locator("[data-testid=retire-model]")
        .click(None)
        .await?;
    expect(page.locator("#model-h + p"))
        .with_timeout(Duration::from_secs(10))
        .to_contain_text("Not in use (stopped)")
        .await?;
    expect(page.locator("#model-h + p"))
        .to_contain_text("1 past version")
        .await?;
    // Out of force: the list offers it as a new model again, and its accounts use the default.
    expect(page.locator(".model-list"))
        .not()
        .to_contain_text("Enterprise v1")
        .await?;
    expect(page.locator(".model-list"))
        .to_contain_text("(new)")
        .await?;
    page.evaluate_expression("window.scrollTo(0, 0)").await?;
    shot(&page, "49-segment-model-retired").await?;
    let res = http
        .post(api("segments/delete"))
        .header("accept", "application/json")
        .form(&[("id", seg.as_str())])
        .send()
        .await?;
    assert!(res.status().is_success(), "{}", res.text().await?);
    browser.close().await?;
    Ok(())
}
