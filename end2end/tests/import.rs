//! CSV import in a real browser: from the portfolio an admin opens "Import from CSV", chooses a
//! file whose id column the page cannot guess, maps it, checks the file (a bad row in the
//! middle listed by row and column, nothing written), imports it with the progress bar, and
//! downloads the report. Chosen again, the file's mapping is remembered and importing it again
//! changes nothing. Photographed at each step; no script error.

mod common;
use common::*;
use playwright_rs::expect;
use playwright_rs::protocol::{FilePayload, Page};

fn file() -> String {
    let mut csv = String::from("Account Ref,Company,Tier,Industry,Stage,Currency,Start date\n");
    for i in 0..30 {
        let tier = if i == 14 { "huge" } else { ["smb", "mid_market", "enterprise"][i % 3] };
        csv.push_str(&format!(
            "ref-{i:03},Imported {i:03},{tier},Retail,growth,EUR,2026-02-{:02}\n",
            i % 27 + 1
        ));
    }
    csv
}

async fn choose(page: &Page) -> R {
    let payload = FilePayload::new("crm-export.csv", "text/csv", file().into_bytes());
    page.locator("#import-file").set_input_files_payload(payload, None).await?;
    soon_shows(page, "[data-testid=import-picked]", "crm-export.csv").await
}

/// Captures what the page offers as a download (the report is made in the browser).
async fn capture_downloads(page: &Page) -> R {
    page.evaluate_expression(
        "window.__blobs = []; const made = URL.createObjectURL; \
         URL.createObjectURL = (b) => { window.__blobs.push(b); return made.call(URL, b); }; true",
    )
    .await?;
    Ok(())
}

#[tokio::test]
async fn an_admin_maps_checks_and_imports_a_csv_and_downloads_the_report() -> R {
    let server = start_server().await;
    let base = server.base.clone();
    Api::new(&base)?.set_up_admin().await?;
    let (_pw, browser) = launch().await?;
    let page = new_page(&browser, 1360, 1000).await?;
    let errors = collect_script_errors(&page).await?;
    sign_in(&page, &base).await?;

    follow(&page, "[data-testid=import-link]", "**/accounts/import").await?;
    choose(&page).await?;
    // "Account Ref" is not a name the page knows: the id column must be chosen.
    soon_shows(&page, "[data-testid=mapping-problem]", "External id").await?;
    expect(page.locator("[data-testid=import-check]")).to_be_disabled().await?;
    page.locator("select[data-column='0']").select_option("external_id", None).await?;
    expect(page.locator("[data-testid=mapping-problem]")).to_have_count(0).await?;
    to_top(&page).await?;
    shot(&page, "183-import-mapping").await?;

    page.locator("[data-testid=import-check]").click(None).await?;
    soon_shows(&page, "[data-testid=import-status]", "Checked 30 rows").await?;
    expect_texts(
        &page,
        &[
            ("[data-testid=count-created]", "29"),
            ("[data-testid=count-refused]", "1"),
            ("[data-testid=import-problems]", "Tier"),
            ("[data-testid=import-problems]", "16"),
        ],
    )
    .await?;
    to_top(&page).await?;
    shot(&page, "184-import-checked").await?;
    let api = Api::new(&base)?;
    api.sign_in().await?;
    let portfolio = api.page_html("/").await?;
    assert!(!portfolio.contains("Imported 000"), "a check writes nothing");

    page.locator("[data-testid=import-run]").click(None).await?;
    soon_shows(&page, "[data-testid=import-status]", "Imported: 30 rows").await?;
    expect_texts(
        &page,
        &[("[data-testid=count-created]", "29"), ("[data-testid=count-refused]", "1")],
    )
    .await?;
    capture_downloads(&page).await?;
    page.locator("[data-testid=import-report]").click(None).await?;
    let report: String = page
        .evaluate(
            "async () => window.__blobs.length ? await window.__blobs[0].text() : ''",
            None::<&()>,
        )
        .await?;
    assert!(report.starts_with("row,key,outcome,column,message\n"), "{report}");
    assert!(report.contains("2,ref-000,created,,"), "{report}");
    assert!(report.contains("16,ref-014,refused,Tier,"), "{report}");
    to_top(&page).await?;
    shot(&page, "185-import-done").await?;

    // The same file again, on a fresh page: the mapping is remembered, nothing changes.
    for _ in 0..2 {
        reload(&page).await?;
    }
    choose(&page).await?;
    expect(page.locator("[data-testid=mapping-problem]")).to_have_count(0).await?;
    page.locator("[data-testid=import-run]").click(None).await?;
    soon_shows(&page, "[data-testid=import-status]", "Imported: 30 rows").await?;
    expect_texts(
        &page,
        &[("[data-testid=count-unchanged]", "29"), ("[data-testid=count-created]", "0")],
    )
    .await?;

    visit(&page, &format!("{base}/?q=Imported")).await?;
    soon_shows(&page, "main", "Imported 029").await?;
    assert!(errors.lock().unwrap().is_empty(), "script errors: {:?}", errors.lock().unwrap());
    browser.close().await?;
    Ok(())
}
