//! Settings → Alerts in a real browser, as an admin: the default rule set in force (loaded
//! several times), a threshold out of bounds named beside its input and blocking Save, fixed and
//! saved as version 2 (kept across a reload); an Enterprise segment given its own rules, then
//! removed; a playbook step edited, moved and saved. Fails on any script error; every screen is
//! photographed (90–94).

mod common;
use common::*;
use playwright_rs::expect;
use playwright_rs::protocol::{Page, SelectOption};

const THRESHOLD: &str = "#r-declining_engagement-threshold";

#[tokio::test]
async fn an_admin_tunes_the_rules_and_a_playbook() -> R {
    let server = start_server().await;
    let base = server.base.clone();
    let api = Api::new(&base)?;
    api.set_up_admin().await?;
    api.save_segment("Enterprise", "tier=enterprise").await?;
    let (_pw, browser) = launch().await?;
    let page = new_page(&browser, 1360, 950).await?;
    let errors = collect_script_errors(&page).await?;
    accept_dialogs(&page).await?;
    sign_in(&page, &base).await?;

    the_default_rules_are_in_force(&page, &base).await?;
    a_number_out_of_bounds_is_named_beside_it(&page).await?;
    fixed_and_saved_as_version_two(&page).await?;
    a_segment_gets_its_own_rules_then_loses_them(&page).await?;
    a_playbook_step_is_edited_moved_and_saved(&page).await?;

    let errors = errors.lock().unwrap().clone();
    assert!(errors.is_empty(), "script errors: {errors:?}");
    browser.close().await?;
    Ok(())
}

/// The Alerts tab, opened from the settings nav and loaded again: version 1 of the default
/// rules, every rule kind with its sentence; kinds without a threshold show no such input.
async fn the_default_rules_are_in_force(page: &Page, base: &str) -> R {
    // A forged set in the address: said so, with the way back.
    visit(page, &format!("{base}/settings/alerts?set=forged")).await?;
    expect_texts(page, &[("main", "No such rule set")]).await?;
    visit(page, &format!("{base}/settings")).await?;
    follow(page, "nav.tabs a:has-text('Alerts')", "**/settings/alerts").await?;
    for _ in 0..2 {
        reload(page).await?;
    }
    // Seven rules from the early-warning issue and two from escalations (SLA breach,
    // escalation open too long).
    expect(page.locator(".rule-row")).to_have_count(9).await?;
    expect(page.locator(".rule-row[data-rule=sla_breach]")).to_have_count(1).await?;
    expect(page.locator("#r-renewal_at_risk-threshold")).to_have_count(0).await?;
    expect(page.locator("#r-missed_milestone-window")).to_have_count(0).await?;
    expect(page.locator(THRESHOLD)).to_have_value("40").await?;
    let shows = [
        ("#rules-h", "Default rules"),
        ("[data-testid=rules-version]", "v1"),
        (".rule-row[data-rule=missed_milestone]", "past its due date"),
        (".playbook-editor", "Declining engagement playbook"),
    ];
    shot_showing(page, &shows, "90-settings-alert-rules").await
}

async fn a_number_out_of_bounds_is_named_beside_it(page: &Page) -> R {
    page.locator(THRESHOLD).fill("150", None).await?;
    let row = page.locator(".rule-row[data-rule=declining_engagement]");
    expect(row.locator(".field.invalid .error")).to_contain_text("between 1 and 100 %").await?;
    expect(page.locator(THRESHOLD)).to_have_attribute("aria-invalid", "true").await?;
    expect(page.locator("[data-testid=save-rules]")).to_be_disabled().await?;
    shot_showing(
        page,
        &[(".rules-actions", "Fix the marked numbers")],
        "91-alert-rules-out-of-bounds",
    )
    .await
}

/// Fixed, plus the health-drop rule off and missed milestones high: Save makes version 2, which
/// a reload shows.
async fn fixed_and_saved_as_version_two(page: &Page) -> R {
    page.locator(THRESHOLD).fill("30", None).await?;
    expect(page.locator(".rule-row[data-rule=declining_engagement] .field.invalid"))
        .to_have_count(0)
        .await?;
    page.locator("#r-health_drop-on").click(None).await?;
    page.locator("#r-missed_milestone-severity").select_option("high", None).await?;
    page.locator("[data-testid=save-rules]").click(None).await?;
    soon_shows(page, ".rules-card [role=status]", "version 2").await?;
    soon_shows(page, "[data-testid=rules-version]", "v2 · saved").await?;
    expect_texts(page, &[("[data-testid=rules-version]", ADMIN_NAME), (".rule-sets", "v2")])
        .await?;
    page.evaluate_expression("window.scrollTo(0, 0)").await?;
    shot(page, "92-alert-rules-saved").await?;
    reload(page).await?;
    expect(page.locator(THRESHOLD)).to_have_value("30").await?;
    expect(page.locator("#r-health_drop-on")).not().to_be_checked().await?;
    expect(page.locator("#r-missed_milestone-severity")).to_have_value("high").await?;
    Ok(())
}

/// "Give a segment its own rules": Enterprise starts from the default set (version 2's 30 %),
/// saved as its version 1, listed; then removed, back to the default rules.
async fn a_segment_gets_its_own_rules_then_loses_them(page: &Page) -> R {
    let enterprise = SelectOption::Label("Enterprise".into());
    page.locator("#new-set").select_option(enterprise, None).await?;
    page.locator(".new-set button[type=submit]").click(None).await?;
    landed(page, "**/settings/alerts?set=*").await?;
    expect_texts(
        page,
        &[("#rules-h", "Enterprise rules"), ("[data-testid=rules-version]", "Not saved yet")],
    )
    .await?;
    expect(page.locator(THRESHOLD)).to_have_value("30").await?;
    page.locator("#r-reduced_usage-window").fill("6", None).await?;
    page.locator("[data-testid=save-rules]").click(None).await?;
    soon_shows(page, ".rules-card [role=status]", "Saved Enterprise rules as version 1").await?;
    expect(page.locator("[data-testid=rule-set]")).to_have_count(2).await?;
    page.evaluate_expression("window.scrollTo(0, 0)").await?;
    shot_showing(page, &[(".rule-sets", "Enterprise rules")], "93-alert-rules-segment").await?;
    page.locator("[data-testid=remove-rules]").click(None).await?;
    landed(page, "**/settings/alerts").await?;
    soon_shows(page, ".rules-card [role=status]", "Removed the Enterprise rules").await?;
    expect(page.locator("[data-testid=rule-set]")).to_have_count(1).await?;
    expect(page.locator("#rules-h")).to_have_text("Default rules").await?;
    Ok(())
}

/// The missed-milestone playbook: step 1 retitled, an empty title refused beside it, step 2
/// moved up, saved; a reload shows the new order.
async fn a_playbook_step_is_edited_moved_and_saved(page: &Page) -> R {
    page.locator(".playbook-kinds button[data-rule=missed_milestone]").click(None).await?;
    let editor = page.locator(".playbook-editor[data-rule=missed_milestone]");
    expect(editor.locator("[data-testid=playbook-step]")).to_have_count(2).await?;
    page.locator("#pb-1-title").fill("", None).await?;
    expect(editor.locator(".pb-title.invalid .error"))
        .to_contain_text("step 1's title is required")
        .await?;
    expect(page.locator("[data-testid=save-playbook]")).to_be_disabled().await?;
    page.locator("#pb-1-title").fill("Ask the sponsor what blocks the milestone", None).await?;
    page.locator("#pb-2-due").fill("5", None).await?;
    page.locator("[aria-label='Move step 2 up']").click(None).await?;
    expect(page.locator("#pb-1-title"))
        .to_have_value("Re-plan the milestone with the customer")
        .await?;
    page.locator("#pb-2-role").select_option("account_manager", None).await?;
    page.locator("#pb-2-touchpoint").select_option("meeting", None).await?;
    page.locator("[data-testid=save-playbook]").click(None).await?;
    soon_shows(page, ".playbook-editor [role=status]", "Saved the Missed milestone playbook")
        .await?;
    expect(page.locator("[data-testid=save-playbook]")).to_be_disabled().await?;
    expect(page.locator(".pb-actions")).not().to_contain_text("Unsaved changes").await?;
    page.evaluate_expression("window.scrollTo(0, 0)").await?;
    shot_showing(page, &[(".playbook-kinds", "2 steps")], "94-playbook-saved").await?;
    reload(page).await?;
    page.locator(".playbook-kinds button[data-rule=missed_milestone]").click(None).await?;
    expect(page.locator("#pb-1-title"))
        .to_have_value("Re-plan the milestone with the customer")
        .await?;
    expect(page.locator("#pb-1-due")).to_have_value("5").await?;
    expect(page.locator("#pb-2-title"))
        .to_have_value("Ask the sponsor what blocks the milestone")
        .await?;
    expect(page.locator("#pb-2-role")).to_have_value("account_manager").await?;
    Ok(())
}
