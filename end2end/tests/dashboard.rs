//! The executive dashboard in a real browser. Two dozen accounts with two years of ARR
//! movements and NPS answers arrive through the REST API, as a billing system and another
//! survey tool would send them. An executive opens /dashboard: the tiles show figures, a tile
//! shows its formula on hover and on keyboard focus, NRR drills down to the expanded accounts
//! (a link: `?drill=expanded`). With the dashboard open, an NPS answer and an expansion are
//! posted through the API and the NPS and NRR tiles change without a reload (the latency is
//! printed). The period and segment change, a reload shows the same view. Photographed on a
//! desktop, a phone (without sideways scrolling), in dark mode, a drill-down and print media;
//! every load fails on any script error.

mod common;
use chrono::{Datelike, Duration as Days, NaiveDate};
use common::*;
use playwright_rs::expect;
use playwright_rs::protocol::{
    ColorScheme, EmulateMediaOptions, Media, Page, SelectOption, Viewport,
};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const EXEC: &str = "eve@bellwether.test";
const NAMES: [&str; 24] = [
    "Acme Analytics",
    "Birch Logistics",
    "Cobalt Health",
    "Delta Freight",
    "Ember Studios",
    "Fjord Energy",
    "Granite Bank",
    "Harbor Foods",
    "Indigo Retail",
    "Juniper Labs",
    "Kestrel Air",
    "Lumen Schools",
    "Maple Insurance",
    "Nimbus Cloud",
    "Orchid Travel",
    "Pioneer Mining",
    "Quartz Media",
    "Rowan Legal",
    "Summit Telecom",
    "Tidal Water",
    "Umber Textiles",
    "Vista Hotels",
    "Willow Care",
    "Yarrow Farms",
];

/// The first day of the calendar quarter containing `d`.
fn quarter_start(d: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year(), d.month0() / 3 * 3 + 1, 1).unwrap()
}

struct Seeded {
    key: String,
    today: NaiveDate,
    /// The ARR of the account the live expansion is posted for (acct-08, in the cohort).
    live_arr: i64,
}

/// One movement row; `arr` is the account's ARR before, updated to after.
fn movement(i: usize, kind: &str, on: NaiveDate, arr: &mut i64, after: i64) -> Value {
    let row = json!({ "external_id": format!("acct-{i:02}"), "kind": kind, "on": on.to_string(), "arr_before": *arr,
        "arr_after": after, "currency": "USD", "idempotency_key": format!("mv-{i}-{kind}-{on}") });
    *arr = after;
    row
}

/// The admin, an executive, an API key; 24 accounts started ~two years ago; movements this
/// quarter and before (expansions, contractions, a churn, a reactivation); monthly NPS answers.
async fn seed(base: &str) -> R<Seeded> {
    let api = Api::new(base)?;
    api.set_up_admin().await?;
    api.create_user(EXEC, "Eve Executive", "exec").await?;
    let scopes = [
        ("name", "Billing"),
        ("scopes[0]", "accounts:write"),
        ("scopes[1]", "revenue:write"),
        ("scopes[2]", "surveys:write"),
    ];
    let made = api.call("api_keys/create", &scopes).await?;
    let key = made[1].as_str().expect("the key's secret").to_string();
    let today = chrono::Utc::now().date_naive();
    let start = today - Days::days(700);
    let q = quarter_start(today);
    let this_quarter = |d: i64| (q + Days::days(d)).min(today);
    let tiers = ["enterprise", "mid_market", "smb"];
    let accounts: Vec<Value> = NAMES
        .iter()
        .enumerate()
        .map(|(i, name)| {
            json!({ "external_id": format!("acct-{i:02}"), "name": name, "tier": tiers[i % 3], "industry": "Software",
                "stage": "growth", "currency": "USD", "contract_start": start.to_string(), "renewal": (today + Days::days(400)).to_string() })
        })
        .collect();
    rest_post(base, &key, "/api/v1/accounts", &json!(accounts)).await?;
    let mut rows = Vec::new();
    let mut live_arr = 0;
    for i in 0..NAMES.len() {
        let mut arr = 0;
        rows.push(movement(i, "new", start, &mut arr, 1_000_000 + i as i64 * 200_000));
        if i == 11 {
            rows.push(movement(i, "churn", today - Days::days(300), &mut arr, 0));
            rows.push(movement(i, "reactivation", this_quarter(15), &mut arr, 900_000));
            continue;
        }
        if i % 4 == 0 {
            let after = arr * 12 / 10;
            rows.push(movement(i, "expansion", q - Days::days(45), &mut arr, after));
        }
        if i % 5 == 1 {
            let after = arr * 5 / 4;
            rows.push(movement(i, "expansion", this_quarter(5), &mut arr, after));
        }
        if i % 7 == 2 {
            let after = arr * 85 / 100;
            rows.push(movement(i, "contraction", this_quarter(8), &mut arr, after));
        }
        if i == 3 {
            rows.push(movement(i, "churn", this_quarter(12), &mut arr, 0));
        }
        if i == 8 {
            live_arr = arr;
        }
    }
    rest_post(base, &key, "/api/v1/arr-movements", &json!(rows)).await?;
    let mut answers = Vec::new();
    for m in 0..11i64 {
        let on = if m == 0 { this_quarter(3) } else { today - Days::days(m * 30) };
        for (j, score) in [10, 9, 7, 3, 9].into_iter().enumerate() {
            answers.push(json!({ "external_id": format!("acct-{:02}", (m as usize * 5 + j) % 24), "kind": "nps", "score": score,
                "on": on.to_string(), "idempotency_key": format!("nps-{m}-{j}") }));
        }
    }
    rest_post(base, &key, "/api/v1/survey-responses", &json!(answers)).await?;
    api.save_segment("Enterprise", "tier=enterprise").await?;
    Ok(Seeded { key, today, live_arr })
}

async fn tile_value(page: &Page, key: &str) -> R<String> {
    Ok(page.locator(format!("[data-key={key}] [data-testid=tile-value]")).inner_text().await?)
}

#[tokio::test]
async fn an_executive_reads_the_dashboard_drills_down_and_watches_it_move() -> R {
    let server = start_server().await;
    let base = server.base.as_str();
    let s = seed(base).await?;
    let (_pw, browser) = launch().await?;
    let page = new_page(&browser, 1280, 900).await?;
    let errors = collect_script_errors(&page).await?;
    visit(&page, &format!("{base}/login")).await?;
    submit_sign_in(&page, EXEC, USER_PASS).await?;
    page.wait_for_url(&format!("{base}/"), None).await?;

    visit(&page, &format!("{base}/dashboard")).await?;
    tiles_show_figures_and_formulas(&page).await?;
    to_top(&page).await?;
    shot(&page, "116-dashboard").await?;
    moves_live(&page, base, &s).await?;
    drills_down_to_the_expanded(&page).await?;
    filters_survive_a_reload(&page, base).await?;
    phone_dark_and_print(&page, base).await?;

    let errors = errors.lock().unwrap().clone();
    assert!(errors.is_empty(), "script errors: {errors:?}");
    Ok(())
}

/// Every tile has a label and a figure (or "not meaningful"); the NRR tile shows its formula
/// on hover, the GRR tile on keyboard focus.
async fn tiles_show_figures_and_formulas(page: &Page) -> R {
    expect(page.locator("[data-testid=tile]")).to_have_count(10).await?;
    assert!(tile_value(page, "nrr").await?.contains('%'), "NRR reads as a percentage");
    assert!(tile_value(page, "arr").await?.contains('$'), "ARR reads as money");
    expect_texts(
        page,
        &[("[data-testid=updated]", "Updated just now"), ("[data-testid=scope]", "Whole company")],
    )
    .await?;
    let tip = page.locator("[data-key=nrr] [data-testid=tile-tip]");
    expect(tip.clone()).to_be_hidden().await?;
    page.locator("[data-key=nrr]").hover(None).await?;
    expect(tip.clone()).to_be_visible().await?;
    expect(tip).to_contain_text("Formula").await?;
    page.locator("h1").hover(None).await?;
    page.locator("[data-key=grr]").focus().await?;
    expect(page.locator("[data-key=grr] [data-testid=tile-tip]")).to_be_visible().await?;
    shot(page, "117-dashboard-tile-formula").await?;
    page.locator("[data-key=grr]").blur().await?;
    // The toggles: 24 months of NRR/GRR, and the cohorts by logos.
    let months = page.locator("[data-testid=retention-chart] table tbody tr");
    expect(months.clone()).to_have_count(12).await?;
    page.locator("[data-testid=months-24]").click(None).await?;
    expect(months).to_have_count(24).await?;
    page.locator("[data-testid=cohort-logos]").click(None).await?;
    expect(page.locator("[data-testid=cohorts] caption"))
        .to_contain_text("logos still active")
        .await?;
    for section in ["waterfall", "retention-chart", "cohorts", "health-bands", "nps-chart"] {
        expect(page.locator(format!("[data-testid={section}]"))).to_have_count(1).await?;
    }
    Ok(())
}

/// A detractor's answer and an expansion posted through the API change the NPS and NRR tiles
/// of the open page, without a reload.
async fn moves_live(page: &Page, base: &str, s: &Seeded) -> R {
    mark_not_reloaded(page).await?;
    let (nps, nrr) = (tile_value(page, "nps").await?, tile_value(page, "nrr").await?);
    let sent = Instant::now();
    let answer = json!([{ "external_id": "acct-08", "kind": "nps", "score": 0, "on": s.today.to_string(), "idempotency_key": "live-nps" }]);
    rest_post(base, &s.key, "/api/v1/survey-responses", &answer).await?;
    let grow = json!([{ "external_id": "acct-08", "kind": "expansion", "on": s.today.to_string(), "arr_before": s.live_arr,
        "arr_after": s.live_arr + 500_000, "currency": "USD", "idempotency_key": "live-expansion" }]);
    rest_post(base, &s.key, "/api/v1/arr-movements", &grow).await?;
    let posted = sent.elapsed();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (n, r) = (tile_value(page, "nps").await?, tile_value(page, "nrr").await?);
        if n != nps && r != nrr {
            println!("live: NPS {nps} → {n}, NRR {nrr} → {r}; {:?} after the first post ({posted:?} posting)", sent.elapsed());
            break;
        }
        assert!(Instant::now() < deadline, "the tiles did not change live: NPS {n}, NRR {r}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    expect_texts(page, &[("[data-testid=updated]", "Updated just now")]).await?;
    assert_not_reloaded(page).await
}

/// NRR's "See the accounts" opens the expanded accounts beside the filters, as a link.
async fn drills_down_to_the_expanded(page: &Page) -> R {
    page.locator("[data-key=nrr] [data-testid=drill-link]").click(None).await?;
    page.wait_for_url("**/dashboard?drill=expanded", None).await?;
    expect(page.locator("[data-testid=drill] h2")).to_contain_text("Expanded").await?;
    expect(page.locator("[data-testid=drill-row]").first()).to_be_visible().await?;
    expect_texts(
        page,
        &[("[data-testid=drill]", "Birch Logistics"), ("[data-testid=drill]", "Granite Bank")],
    )
    .await?;
    let csv =
        page.locator("[data-testid=drill-csv]").get_attribute("href").await?.unwrap_or_default();
    assert_eq!(csv, "/exports/dashboard-drill.csv?drill=expanded");
    reload(page).await?;
    expect(page.locator("[data-testid=drill-row]").first()).to_be_visible().await?;
    to_top(page).await?;
    shot(page, "118-dashboard-drill-down").await
}

/// Month and the Enterprise segment: the address carries both, a reload keeps the view.
async fn filters_survive_a_reload(page: &Page, base: &str) -> R {
    page.locator("#df-period").select_option("month", None).await?;
    page.wait_for_url("**/dashboard?period=month", None).await?;
    page.locator("#df-segment")
        .select_option(SelectOption::Label("Enterprise".into()), None)
        .await?;
    page.wait_for_url("**/dashboard?period=month&segment=*", None).await?;
    soon_shows(page, "[data-testid=scope]", "Enterprise").await?;
    let url = page.url();
    reload(page).await?;
    assert_eq!(page.url(), url);
    expect(page.locator("#df-period")).to_have_value("month").await?;
    soon_shows(page, "[data-testid=scope]", "Enterprise").await?;
    expect(page.locator("[data-testid=tile]")).to_have_count(10).await?;
    // A date that is not one is refused beside its filter.
    visit(page, &format!("{base}/dashboard?period=custom&from=2026-02-30&to=2026-03-01")).await?;
    soon_shows(page, "#df-from-error", "not a date").await?;
    Ok(())
}

/// The default view on a phone (no sideways scrolling), in dark mode, and as it prints.
async fn phone_dark_and_print(page: &Page, base: &str) -> R {
    page.set_viewport_size(Viewport { width: 360, height: 780 }).await?;
    visit(page, &format!("{base}/dashboard")).await?;
    expect(page.locator("[data-testid=tile]")).to_have_count(10).await?;
    fits_the_width(page, "the dashboard on a phone").await?;
    shot(page, "119-dashboard-phone").await?;
    page.set_viewport_size(Viewport { width: 1280, height: 900 }).await?;
    page.emulate_media(EmulateMediaOptions::builder().color_scheme(ColorScheme::Dark).build())
        .await?;
    reload(page).await?;
    shot(page, "120-dashboard-dark").await?;
    page.emulate_media(
        EmulateMediaOptions::builder().color_scheme(ColorScheme::Light).media(Media::Print).build(),
    )
    .await?;
    expect(page.locator("header.topbar")).to_be_hidden().await?;
    expect(page.locator("form.dash-filters")).to_be_hidden().await?;
    shot(page, "121-dashboard-print").await?;
    // As a PDF: the tiles, then each chart and the portfolio sections on pages of their own.
    let pdf = page.pdf(None).await?;
    let pages = pdf.windows(12).filter(|w| w.starts_with(b"/Type /Page") && w[11] != b's').count();
    println!("print: {pages} pages");
    assert!(pages >= 7, "one page per section: {pages} pages");
    page.emulate_media(EmulateMediaOptions::builder().media(Media::Screen).build()).await?;
    Ok(())
}

/// Fetches `path` in the page (with its session); answers the status and the body.
async fn fetch_text(page: &Page, path: &str) -> R<(u16, String)> {
    let script = format!(
        "async () => {{ const r = await fetch('{path}'); return [r.status, await r.text()]; }}"
    );
    let (status, body): (u16, String) = page.evaluate(&script, None::<&()>).await?;
    Ok((status, body))
}

/// A CSM starts on their own book and reaches the whole company with one click; with no ARR
/// movement anywhere, the page says where they come from. The CSV downloads answer.
#[tokio::test]
async fn a_csm_starts_on_their_book_and_an_empty_ledger_explains_itself() -> R {
    let server = start_server().await;
    let base = server.base.as_str();
    let api = Api::new(base)?;
    api.set_up_admin().await?;
    api.create_user("grace@bellwether.test", "Grace Hopper", "csm").await?;
    let (_pw, browser) = launch().await?;
    let page = new_page(&browser, 1280, 900).await?;
    let errors = collect_script_errors(&page).await?;
    visit(&page, &format!("{base}/login")).await?;
    submit_sign_in(&page, "grace@bellwether.test", USER_PASS).await?;
    page.wait_for_url(&format!("{base}/"), None).await?;
    visit(&page, &format!("{base}/dashboard")).await?;
    expect_texts(
        &page,
        &[
            ("[data-testid=scope]", "Your book"),
            ("[data-testid=no-movements]", "POST /api/v1/arr-movements"),
        ],
    )
    .await?;
    expect(page.locator("#df-owner")).to_have_value("").await?;
    to_top(&page).await?;
    shot(&page, "122-dashboard-empty").await?;
    page.locator("[data-testid=owner-switch]").click(None).await?;
    page.wait_for_url("**/dashboard?owner=all", None).await?;
    soon_shows(&page, "[data-testid=scope]", "Whole company").await?;
    reload(&page).await?;
    expect(page.locator("#df-owner")).to_have_value("all").await?;

    let (status, csv) = fetch_text(&page, "/exports/dashboard.csv?owner=all&period=year").await?;
    assert_eq!(status, 200, "{csv}");
    assert!(csv.starts_with("section,item,period,value,previous,unit,detail"), "{csv}");
    assert!(csv.contains("\nkpi,nrr,") && csv.contains("\nwaterfall,end,"), "{csv}");
    let (status, csv) = fetch_text(&page, "/exports/dashboard-drill.csv?drill=churned").await?;
    assert_eq!(
        (status, csv.lines().next()),
        (200, Some("account_id,account,owner,arr_before,arr_after,currency,note"))
    );
    let (status, body) = fetch_text(&page, "/exports/dashboard-drill.csv?drill=nope").await?;
    assert!(status == 422 && body.contains("drill"), "{status} {body}");
    let (status, _) = fetch_text(&page, "/exports/dashboard.csv?period=weekly").await?;
    assert_eq!(status, 422);

    let errors = errors.lock().unwrap().clone();
    assert!(errors.is_empty(), "script errors: {errors:?}");
    Ok(())
}
