//! ARR movements in a real browser: the admin opens an account and finds its movements card
//! (the ARR, a sparkline, the `new` movement the account started with); records an expansion
//! from the card (the kind shows as they type; the ARR in the card and the page head and the
//! history follow) and is refused beside the date for a day before the contract start; edits
//! the ARR on the account form (the "took effect on" and "reason" fields appear, saying it is a
//! contraction) and finds the new row; imports a CSV with a good and a bad row (the preview
//! marks the bad row's column, nothing is stored until confirmed; the same file again stores
//! nothing). Both pages, and the whole account page, fit a phone; an executive reads the card
//! and can change nothing. In Settings → Revenue the admin saves a gross margin, is refused a
//! rate that is not a number (under the rates, naming the line, what was typed kept), saves
//! rates for euros and pounds, and the dashboard's "All currencies (converted)" view says how it
//! converted. Every page is loaded more than once, fails on any script error, and is
//! photographed.

mod common;
use chrono::NaiveDate;
use common::*;
use playwright_rs::expect;
use playwright_rs::protocol::{ColorScheme, EmulateMediaOptions, Page};

const CARD: &str = "[data-testid=revenue-card]";
const ARR: &str = "[data-testid=rev-arr]";
const FIRST_ROW: &str = "[data-testid=rev-row] >> nth=0";

struct Seeded {
    account: String,
    start: NaiveDate,
    today: NaiveDate,
}

/// The admin, Eve (executive), and Northwind (the admin's, $240,000 since 400 days ago: one
/// `new` movement on its contract start).
async fn seed(base: &str) -> R<Seeded> {
    let api = Api::new(base)?;
    let admin = id_of(&api.set_up_admin().await?);
    api.create_user("eve@bellwether.test", "Eve Executive", "exec").await?;
    let today = chrono::Utc::now().date_naive();
    let start = today - chrono::Duration::days(400);
    let start_text = start.to_string();
    let account = api
        .create_account(NewAccount {
            name: "Northwind Mills",
            tier: "enterprise",
            industry: "Manufacturing",
            stage: "growth",
            arr: "240000",
            currency: "USD",
            contract_start: &start_text,
            renewal_date: "2029-06-01",
            owner_id: &admin,
        })
        .await?;
    Ok(Seeded { account, start, today })
}

/// A good row (an expansion today) and a bad one (in euros, the account is in dollars).
fn csv(s: &Seeded) -> String {
    format!(
        "account_id,kind,on,arr_before,arr_after,currency,reason\n\
         {a},expansion,{t},28000000,32000000,USD,Upsell in the CSV\n\
         {a},contraction,{t},32000000,30000000,EUR,Wrong currency\n",
        a = s.account,
        t = s.today
    )
}

#[tokio::test]
async fn arr_changes_are_recorded_on_the_card_the_form_and_by_import() -> R {
    let server = start_server().await;
    let base = server.base.clone();
    let s = seed(&base).await?;
    let (_pw, browser) = launch().await?;
    let page = new_page(&browser, 1360, 950).await?;
    let errors = collect_script_errors(&page).await?;
    sign_in(&page, &base).await?;
    let account = format!("{base}/accounts/{}", s.account);

    record_an_expansion_on_the_card(&page, &account, &s).await?;
    change_the_arr_on_the_form(&page, &account).await?;
    import_a_csv(&page, &base, &s).await?;
    // The import's expansion reached the account.
    visit(&page, &account).await?;
    soon_shows(&page, ARR, "$320,000").await?;
    expect_texts(&page, &[(FIRST_ROW, "Expansion"), (FIRST_ROW, "CSV import")]).await?;

    for url in [account.clone(), format!("{account}/edit"), format!("{base}/revenue/import")] {
        for _ in 0..3 {
            visit(&page, &url).await?;
            reload(&page).await?;
        }
    }

    let phone = new_page(&browser, 390, 900).await?;
    let phone_errors = collect_script_errors(&phone).await?;
    on_a_phone(&phone, &base, &s).await?;

    let dark = new_page(&browser, 1360, 950).await?;
    let dark_errors = collect_script_errors(&dark).await?;
    in_the_dark(&dark, &base, &s).await?;

    let exec = new_page(&browser, 1360, 950).await?;
    let exec_errors = collect_script_errors(&exec).await?;
    an_executive_reads_the_card(&exec, &base, &account).await?;

    for errs in [errors, phone_errors, dark_errors, exec_errors] {
        let errs = errs.lock().unwrap().clone();
        assert!(errs.is_empty(), "script errors: {errs:?}");
    }
    browser.close().await?;
    Ok(())
}

/// The card shows $240,000 and its `new` movement; typing 300000 says "Expansion +$60,000";
/// recording it moves the card, the page head and the history; a day before the contract
/// start is refused beside the date.
async fn record_an_expansion_on_the_card(page: &Page, account: &str, s: &Seeded) -> R {
    visit(page, account).await?;
    soon_shows(page, ARR, "$240,000").await?;
    expect_texts(page, &[(FIRST_ROW, "New"), (CARD, "1 movement since")]).await?;
    expect(page.locator(".rev-spark svg[aria-label*='ARR over time']")).to_have_count(1).await?;

    page.locator("#rev-arr").fill("300,000", None).await?;
    soon_shows(page, "[data-testid=rev-kind]", "Expansion").await?;
    expect_texts(page, &[("[data-testid=rev-kind]", "+$60,000")]).await?;
    page.locator("#rev-reason").fill("Added 50 seats for the Lyon plant", None).await?;
    page.locator("[data-testid=record-submit]").click(None).await?;
    soon_shows(page, ARR, "$300,000").await?;
    expect_texts(
        page,
        &[
            ("[data-testid=account-arr]", "$300,000"),
            (FIRST_ROW, "Expansion"),
            (FIRST_ROW, "+$60,000"),
            (FIRST_ROW, "Added 50 seats"),
            (FIRST_ROW, "Ada Lovelace"),
            (CARD, "2 movements since"),
        ],
    )
    .await?;
    expect(page.locator("#rev-arr")).to_have_value("").await?;
    expect(page.locator("[data-testid=rev-row]")).to_have_count(2).await?;
    to_top(page).await?;
    shot_showing(page, &[(CARD, "Record change")], "140-revenue-card").await?;

    let early = (s.start - chrono::Duration::days(10)).to_string();
    page.locator("#rev-on").fill(&early, None).await?;
    page.locator("#rev-arr").fill("310000", None).await?;
    page.locator("[data-testid=record-submit]").click(None).await?;
    soon_shows(page, "#rev-on-error", "before the contract start").await?;
    // Refused: nothing recorded, and what was typed stays.
    expect(page.locator("[data-testid=rev-row]")).to_have_count(2).await?;
    expect(page.locator("#rev-arr")).to_have_value("310000").await?;
    Ok(())
}

/// The edit form hides "took effect on" and "reason" until the ARR changes; 280000 reveals
/// them as a contraction; saved, the history has the row with its reason.
async fn change_the_arr_on_the_form(page: &Page, account: &str) -> R {
    visit(page, &format!("{account}/edit")).await?;
    let change = "[data-testid=arr-change]";
    expect(page.locator(change)).to_be_hidden().await?;
    expect(page.locator("#f-arr")).to_have_value("300000").await?;
    page.locator("#f-arr").fill("280000", None).await?;
    expect(page.locator(change)).to_be_visible().await?;
    soon_shows(page, change, "Recorded as a contraction to $280,000").await?;
    // Back to the saved figure: nothing to record, nothing to ask.
    page.locator("#f-arr").fill("300000", None).await?;
    expect(page.locator(change)).to_be_hidden().await?;
    page.locator("#f-arr").fill("280000", None).await?;
    page.locator("#f-arr_reason").fill("Dropped the analytics add-on", None).await?;
    to_top(page).await?;
    shot_showing(page, &[(change, "contraction")], "141-account-form-arr-change").await?;
    submit(page).await?;
    landed(page, "**/accounts/*").await?;
    soon_shows(page, ARR, "$280,000").await?;
    expect_texts(
        page,
        &[
            (FIRST_ROW, "Contraction"),
            (FIRST_ROW, "Dropped the analytics add-on"),
            (FIRST_ROW, "−$20,000"),
        ],
    )
    .await?;
    Ok(())
}

/// Paste, preview (one new, one refused at its currency), import, and the same file again.
async fn import_a_csv(page: &Page, base: &str, s: &Seeded) -> R {
    visit(page, &format!("{base}/accounts/{}", s.account)).await?;
    follow(page, "[data-testid=rev-import-link]", "**/revenue/import").await?;
    let file = csv(s);
    page.locator("[data-testid=import-csv]").fill(&file, None).await?;
    page.locator("[data-testid=import-preview]").click(None).await?;
    let preview = "[data-testid=import-outcome-preview]";
    soon_shows(page, preview, "Nothing has been imported yet").await?;
    expect_texts(
        page,
        &[
            ("[data-testid=import-counts]", "1 new row"),
            ("[data-testid=import-counts]", "1 refused"),
            ("[data-testid=import-confirm]", "Import 1 row"),
        ],
    )
    .await?;
    expect(page.locator("[data-testid=import-row]")).to_have_count(2).await?;
    expect(page.locator("tr.imp-refused")).to_have_count(1).await?;
    let field = page.locator("tr.imp-refused [data-testid=import-field]");
    expect(field).to_have_text("currency").await?;
    expect(page.locator("tr.imp-refused td.rev-bad")).to_have_count(1).await?;
    shot(page, "142-revenue-import-preview").await?;

    page.locator("[data-testid=import-confirm]").click(None).await?;
    let done = "[data-testid=import-outcome-done]";
    soon_shows(page, done, "1 row stored").await?;
    expect_texts(page, &[(done, "1 refused")]).await?;

    // The same file again: the good row is a duplicate, nothing new to import.
    page.locator("[data-testid=import-preview]").click(None).await?;
    soon_shows(page, preview, "1 duplicate").await?;
    expect_texts(page, &[("[data-testid=import-counts]", "0 new rows")]).await?;
    expect(page.locator("[data-testid=import-confirm]")).to_be_disabled().await?;
    // And imported anyway, as a client would: nothing stored twice.
    let api = Api::new(base)?;
    api.sign_in().await?;
    let again = api.call("revenue/import", &[("csv", file.as_str())]).await?;
    assert_eq!(again["stored"], 0, "{again}");
    assert_eq!(again["duplicates"], 1, "{again}");
    Ok(())
}

/// The card and the import page at 390 px: nothing wider than the screen.
async fn on_a_phone(phone: &Page, base: &str, s: &Seeded) -> R {
    sign_in(phone, base).await?;
    visit(phone, &format!("{base}/accounts/{}", s.account)).await?;
    soon_shows(phone, ARR, "$320,000").await?;
    fits_inside(phone, "#revenue").await?;
    // The whole page, the health card's "Why this score" table among the rest: with a scored
    // measure (the CSM's sentiment, set here) and the missing ones.
    phone.locator("label.choice.green").click(None).await?;
    phone.locator(".sentiment-form button[type=submit]").click(None).await?;
    soon_shows(phone, "table.breakdown", "100.0").await?;
    expect_texts(phone, &[("table.breakdown", "Login frequency")]).await?;
    fits_the_width(phone, "the account page").await?;
    to_top(phone).await?;
    shot(phone, "154-account-phone").await?;
    shot_of(phone, "#revenue", "143-revenue-card-phone").await?;
    shot_of(phone, ".health-card", "156-account-health-phone").await?;
    visit(phone, &format!("{base}/revenue/import")).await?;
    phone.locator("[data-testid=import-csv]").fill(&csv(s), None).await?;
    phone.locator("[data-testid=import-preview]").click(None).await?;
    soon_shows(phone, "[data-testid=import-counts]", "1 duplicate").await?;
    fits_the_width(phone, "the import page").await?;
    to_top(phone).await?;
    shot(phone, "144-revenue-import-phone").await?;
    Ok(())
}

/// The card and the import preview with the system in dark mode.
async fn in_the_dark(page: &Page, base: &str, s: &Seeded) -> R {
    let dark = EmulateMediaOptions::builder().color_scheme(ColorScheme::Dark).build();
    page.emulate_media(Some(dark)).await?;
    sign_in(page, base).await?;
    visit(page, &format!("{base}/accounts/{}", s.account)).await?;
    soon_shows(page, ARR, "$320,000").await?;
    page.locator("#rev-arr").fill("0", None).await?;
    soon_shows(page, "[data-testid=rev-kind]", "Churn").await?;
    shot_of(page, "#revenue", "145-revenue-card-dark").await?;
    visit(page, &format!("{base}/revenue/import")).await?;
    page.locator("[data-testid=import-csv]").fill(&csv(s), None).await?;
    page.locator("[data-testid=import-preview]").click(None).await?;
    soon_shows(page, "[data-testid=import-counts]", "1 duplicate").await?;
    shot(page, "146-revenue-import-dark").await?;
    Ok(())
}

/// Photographs just the element `selector` as end2end/screenshots/NAME.png.
async fn shot_of(page: &Page, selector: &str, name: &str) -> R {
    // The sticky top bar would cover the element's top once it is scrolled into view.
    page.evaluate_expression("document.querySelector('.topbar').style.position = 'static'").await?;
    let png = page.locator(selector).screenshot(None).await?;
    std::fs::write(workspace().join(format!("end2end/screenshots/{name}.png")), png)?;
    Ok(())
}

/// Eve sees the ARR and the history, no form and no import link; the import page refuses her.
async fn an_executive_reads_the_card(page: &Page, base: &str, account: &str) -> R {
    visit(page, &format!("{base}/login")).await?;
    submit_sign_in(page, "eve@bellwether.test", USER_PASS).await?;
    page.wait_for_url(&format!("{base}/"), None).await?;
    for _ in 0..2 {
        visit(page, account).await?;
        soon_shows(page, ARR, "$320,000").await?;
        expect(page.locator("[data-testid=rev-row]")).to_have_count(4).await?;
        expect(page.locator("[data-testid=record-movement]")).to_have_count(0).await?;
        expect(page.locator("[data-testid=rev-import-link]")).to_have_count(0).await?;
    }
    visit(page, &format!("{base}/revenue/import")).await?;
    soon_shows(page, "main", "Not allowed").await?;
    Ok(())
}

/// Fails when something in `selector` reaches past the window's right edge (the rest of the
/// account page has cards of its own to answer for).
async fn fits_inside(page: &Page, selector: &str) -> R {
    let script = format!(
        "() => {{ const w = document.documentElement.clientWidth;
            return [...document.querySelectorAll('{selector}, {selector} *')]
              .filter(e => e.getBoundingClientRect().right > w + 1)
              .filter(e => {{ for (let p = e.parentElement; p; p = p.parentElement)
                  if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return false;
                return true; }})
              .slice(0, 8)
              .map(e => `${{e.tagName.toLowerCase()}}.${{[...e.classList].join('.')}}`); }}"
    );
    let past: Vec<String> = page.evaluate(&script, None::<&()>).await?;
    assert!(past.is_empty(), "{selector} is wider than the window: {past:?}");
    Ok(())
}

/// The admin and an account in each of three currencies (dollars, euros, pounds), the admin's.
async fn seed_currencies(base: &str) -> R {
    let api = Api::new(base)?;
    let admin = id_of(&api.set_up_admin().await?);
    for (name, arr, currency) in [
        ("Northwind Mills", "240000", "USD"),
        ("Lyon Textiles", "90000", "EUR"),
        ("Brighton Ferries", "60000", "GBP"),
    ] {
        api.create_account(NewAccount {
            name,
            tier: "enterprise",
            industry: "Manufacturing",
            stage: "growth",
            arr,
            currency,
            contract_start: "2025-03-01",
            renewal_date: "2029-06-01",
            owner_id: &admin,
        })
        .await?;
    }
    Ok(())
}

const MARGIN_STATUS: &str = ".margin-form [role=status]";
const RATES_STATUS: &str = ".rates-form [role=status]";
const RATES_ERROR: &str = "#fx-rates-err";

#[tokio::test]
async fn revenue_settings_set_the_margin_and_the_rates_the_dashboard_converts_with() -> R {
    let server = start_server().await;
    let base = server.base.clone();
    seed_currencies(&base).await?;
    let (_pw, browser) = launch().await?;
    let page = new_page(&browser, 1360, 950).await?;
    let errors = collect_script_errors(&page).await?;
    sign_in(&page, &base).await?;
    let settings = format!("{base}/settings/revenue");
    let dashboard = format!("{base}/dashboard?currency=ALL");

    save_a_gross_margin(&page, &settings).await?;
    refuse_then_save_rates(&page, &settings).await?;
    the_dashboard_converts(&page, &dashboard).await?;
    for url in [&settings, &dashboard] {
        for _ in 0..3 {
            visit(&page, url).await?;
            reload(&page).await?;
        }
    }

    let phone = new_page(&browser, 390, 900).await?;
    let phone_errors = collect_script_errors(&phone).await?;
    sign_in(&phone, &base).await?;
    visit(&phone, &settings).await?;
    expect(phone.locator("#fx-rates")).to_have_value(RATES).await?;
    fits_the_width(&phone, "Settings → Revenue").await?;
    shot(&phone, "152-revenue-settings-phone").await?;

    let dark = new_page(&browser, 1360, 950).await?;
    let dark_errors = collect_script_errors(&dark).await?;
    dark.emulate_media(Some(
        EmulateMediaOptions::builder().color_scheme(ColorScheme::Dark).build(),
    ))
    .await?;
    sign_in(&dark, &base).await?;
    visit(&dark, &settings).await?;
    dark.locator("#fx-rates").fill("EUR, 1.08, 2025-01-01\nGBP, 1.27, 01/01/2025", None).await?;
    dark.locator(".rates-form button[type=submit]").click(None).await?;
    soon_shows(&dark, RATES_ERROR, "line 2:").await?;
    shot(&dark, "155-revenue-settings-dark").await?;

    for errs in [errors, phone_errors, dark_errors] {
        let errs = errs.lock().unwrap().clone();
        assert!(errs.is_empty(), "script errors: {errs:?}");
    }
    browser.close().await?;
    Ok(())
}

/// The rates for every currency the accounts use besides the reporting one (dollars).
const RATES: &str = "EUR, 1.08, 2025-01-01\nGBP, 1.27, 2025-01-01";

/// 72.5 % is saved ("Saved"), and the field shows it after a reload.
async fn save_a_gross_margin(page: &Page, settings: &str) -> R {
    visit(page, settings).await?;
    expect(page.locator("#f-gross_margin")).to_have_value("80").await?;
    page.locator("#f-gross_margin").fill("72.5", None).await?;
    page.locator(".margin-form button[type=submit]").click(None).await?;
    soon_shows(page, MARGIN_STATUS, "Saved").await?;
    expect(page.locator("#f-gross_margin")).to_have_value("72.5").await?;
    shot(page, "150-revenue-settings").await?;
    reload(page).await?;
    expect(page.locator("#f-gross_margin")).to_have_value("72.5").await?;
    expect(page.locator(MARGIN_STATUS)).to_have_count(0).await?;
    Ok(())
}

/// A rate that is not a number is refused under the rates, naming its line, and what was
/// typed stays; then a rate for euros and pounds is saved and shown after a reload.
async fn refuse_then_save_rates(page: &Page, settings: &str) -> R {
    expect(page.locator("#f-reporting")).to_have_value("USD").await?;
    page.locator("#fx-rates").fill("EUR, x, 2026-01-01", None).await?;
    page.locator(".rates-form button[type=submit]").click(None).await?;
    soon_shows(page, RATES_ERROR, "line 1:").await?;
    expect_texts(page, &[(RATES_ERROR, "“x” is not a number")]).await?;
    expect(page.locator("#fx-rates")).to_have_value("EUR, x, 2026-01-01").await?;
    expect(page.locator("#fx-rates")).to_have_attribute("aria-invalid", "true").await?;
    expect(page.locator(RATES_STATUS)).to_have_count(0).await?;
    // The error sits right under the textarea, above the button.
    let under: bool = page
        .evaluate(
            "() => { const t = document.getElementById('fx-rates').getBoundingClientRect();
                const e = document.getElementById('fx-rates-err').getBoundingClientRect();
                const b = document.querySelector('.rates-form button[type=submit]').getBoundingClientRect();
                return e.top >= t.bottom && e.top - t.bottom < 40 && b.top >= e.bottom; }",
            None::<&()>,
        )
        .await?;
    shot(page, "151-revenue-settings-rates-error").await?;
    assert!(under, "the rates error is not right under the textarea");

    page.locator("#fx-rates").fill(RATES, None).await?;
    page.locator(".rates-form button[type=submit]").click(None).await?;
    soon_shows(page, RATES_STATUS, "Saved").await?;
    expect(page.locator(RATES_ERROR)).to_have_text("").await?;
    visit(page, settings).await?;
    expect(page.locator("#fx-rates")).to_have_value(RATES).await?;
    expect(page.locator("#f-gross_margin")).to_have_value("72.5").await?;
    Ok(())
}

/// All currencies, converted into dollars: the scope line says so and the select offers it.
async fn the_dashboard_converts(page: &Page, dashboard: &str) -> R {
    visit(page, dashboard).await?;
    soon_shows(page, "[data-testid=converted]", "Converted to USD").await?;
    let text = page.locator("[data-testid=converted]").inner_text().await?;
    assert!(text.starts_with("Converted to"), "{text}");
    expect_texts(
        page,
        &[("[data-testid=converted]", "EUR 1.08"), ("[data-testid=converted]", "GBP 1.27")],
    )
    .await?;
    expect(page.locator("#df-currency option[value=ALL]"))
        .to_have_text("All currencies (converted)")
        .await?;
    expect(page.locator("#df-currency")).to_have_value("ALL").await?;
    to_top(page).await?;
    shot(page, "153-dashboard-converted").await?;
    Ok(())
}
