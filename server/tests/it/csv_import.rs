//! CSV import of accounts and contacts as the import page sends it: the file cut into slices
//! on record boundaries (a quoted cell may hold a line break), each checked or imported with
//! the file's headers and the admin's mapping. A bad row in the middle is reported by row and
//! column while the others go in; a second import changes nothing; a check writes nothing —
//! and the hostile side: other roles, bad mappings, oversized slices, unknown kinds.

use crate::common::*;
use app::model::import::{
    first_record_end, guess_mapping, last_record_end, parse_records, record_key, ImportKind,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Sends `text` as the page does, in slices of about `slice` bytes; answers every row result
/// and the outcome counts.
async fn run(
    admin: &Client, kind: ImportKind, text: &str, slice: usize, dry_run: bool,
) -> (Vec<Value>, BTreeMap<String, usize>) {
    let bytes = text.as_bytes();
    let head_end = first_record_end(bytes).unwrap();
    let headers = parse_records(&text[..head_end]).remove(0);
    let remembered: Vec<(String, String)> =
        serde_json::from_value(admin.ok("imports/mapping", &[("kind", kind.key())]).await).unwrap();
    let mapping = guess_mapping(kind, &headers, &remembered);
    let (mut at, mut first_row, mut rows) = (head_end, 2u32, Vec::new());
    let mut seen = std::collections::HashSet::new();
    while at < bytes.len() {
        let end = (at + slice).min(bytes.len());
        let end =
            if end == bytes.len() { end } else { at + last_record_end(&bytes[at..end]).unwrap() };
        let repeats: Vec<u32> = parse_records(&text[at..end])
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                seen.contains(&record_key(kind, &mapping, |c| r.get(c).map(String::as_str)))
            })
            .map(|(i, _)| i as u32)
            .collect();
        let body = json!({"kind": kind.key(), "headers": headers, "mapping": mapping,
            "csv": &text[at..end], "first_row": first_row, "dry_run": dry_run, "repeats": repeats});
        let report = admin.expect_json(StatusCode::OK, "imports/slice", &body).await;
        first_row += report["records"].as_u64().unwrap() as u32;
        for r in report["rows"].as_array().unwrap() {
            if r["outcome"] != "refused" && r["outcome"] != "duplicate" {
                seen.insert(r["key"].as_str().unwrap().to_string());
            }
            rows.push(r.clone());
        }
        at = end;
    }
    let mut counts = BTreeMap::new();
    for r in &rows {
        *counts.entry(r["outcome"].as_str().unwrap().to_string()).or_default() += 1;
    }
    (rows, counts)
}

fn accounts_csv(n: usize) -> String {
    let mut csv = String::from("CRM ID,Company,Tier,Industry,Stage,Currency,Start date,Notes\n");
    for i in 0..n {
        let tier = if i == n / 2 { "huge" } else { ["smb", "mid_market", "enterprise"][i % 3] };
        let name = if i == n / 2 + 1 { String::new() } else { format!("Import Co {i:05}") };
        let notes = if i % 7 == 0 { "\"two\nlines, and \"\"quotes\"\"\"" } else { "plain" };
        csv.push_str(&format!(
            "crm-{i:05},{name},{tier},Retail,growth,EUR,2026-01-{:02},{notes}\n",
            i % 28 + 1
        ));
    }
    csv.push_str("crm-00003,Import Co 00003 again,smb,Retail,growth,EUR,2026-01-04,dup\n");
    csv
}

fn count(counts: &BTreeMap<String, usize>, outcome: &str) -> usize {
    counts.get(outcome).copied().unwrap_or(0)
}

#[tokio::test]
async fn accounts_import_in_slices_a_bad_row_is_reported_and_a_second_import_changes_nothing() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let n = 1500;
    let csv = accounts_csv(n);

    // A check says what would happen and writes nothing.
    let (_, counts) = run(&admin, ImportKind::Accounts, &csv, 16 * 1024, true).await;
    assert_eq!(
        (count(&counts, "created"), count(&counts, "refused"), count(&counts, "duplicate")),
        (n - 2, 2, 1),
        "{counts:?}"
    );
    assert_eq!(portfolio_total(&admin, &[]).await, 0, "a check writes nothing");

    let (rows, counts) = run(&admin, ImportKind::Accounts, &csv, 16 * 1024, false).await;
    assert_eq!(
        (count(&counts, "created"), count(&counts, "refused"), count(&counts, "duplicate")),
        (n - 2, 2, 1),
        "{counts:?}"
    );
    assert_eq!(rows.len(), n + 1, "every row has its result");
    let refused: Vec<&Value> = rows.iter().filter(|r| r["outcome"] == "refused").collect();
    // Row numbers are the spreadsheet's (header = row 1), whatever the slices.
    assert_eq!(refused[0]["row"], n / 2 + 2);
    assert_eq!(refused[0]["problems"][0][0], "Tier", "named by the file's column");
    assert_eq!(refused[1]["row"], n / 2 + 3);
    assert_eq!(refused[1]["problems"][0][0], "Company");
    assert_eq!(rows.last().unwrap()["outcome"], "duplicate");
    for _ in 0..100 {
        if portfolio_total(&admin, &[]).await == (n - 2) as u64 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(portfolio_total(&admin, &[]).await, (n - 2) as u64);
    let reader = crate::rest_accounts::key(&app, &["accounts:read"]).await;
    let (_, found) =
        crate::rest_accounts::get_json(&app, &reader, "/api/v1/accounts?external_id=crm-00007")
            .await;
    let id = found["accounts"][0]["id"].as_str().unwrap().to_string();
    let (_, before) =
        crate::rest_accounts::get_json(&app, &reader, &format!("/api/v1/accounts/{id}")).await;
    assert_eq!(before["account"]["name"], "Import Co 00007");
    assert!(before["account"]["updated_at"].is_string(), "{before}");

    // Again, with the mapping remembered: nothing changes, nothing is written.
    let remembered = admin.ok("imports/mapping", &[("kind", "accounts")]).await;
    assert_eq!(remembered[0], json!(["CRM ID", "external_id"]), "{remembered}");
    let (_, counts) = run(&admin, ImportKind::Accounts, &csv, 64 * 1024, false).await;
    assert_eq!(
        (count(&counts, "unchanged"), count(&counts, "created"), count(&counts, "updated")),
        (n - 2, 0, 0),
        "{counts:?}"
    );
    let (_, after) =
        crate::rest_accounts::get_json(&app, &reader, &format!("/api/v1/accounts/{id}")).await;
    assert_eq!(
        after["account"]["updated_at"], before["account"]["updated_at"],
        "an unchanged row writes nothing"
    );

    // A changed row updates its account only.
    let changed = csv.replace("crm-00007,Import Co 00007,", "crm-00007,Import Co Seven,");
    let (_, counts) = run(&admin, ImportKind::Accounts, &changed, 64 * 1024, false).await;
    assert_eq!((count(&counts, "updated"), count(&counts, "unchanged")), (1, n - 3), "{counts:?}");
}

#[tokio::test]
async fn contacts_import_by_account_external_id_and_email() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    run(&admin, ImportKind::Accounts, &accounts_csv(10), 4096, false).await;
    let csv = "Account ID,Email,Full name,Job title,Champion\n\
        crm-00001,Dana@Acme.example,Dana Lee,VP Ops,yes\n\
        crm-00001,sam@acme.example,Sam Ortiz,,\n\
        crm-99999,ghost@acme.example,Ghost,,\n\
        crm-00002,not-an-email,Bad Email,,\n\
        crm-00001,dana@acme.example,Dana Again,,\n";
    let (rows, counts) = run(&admin, ImportKind::Contacts, csv, 4096, false).await;
    assert_eq!(
        (count(&counts, "created"), count(&counts, "refused"), count(&counts, "duplicate")),
        (2, 2, 1),
        "{counts:?}"
    );
    assert_eq!(rows[2]["problems"][0][0], "Account ID");
    assert!(rows[2]["problems"][0][1].as_str().unwrap().contains("import the accounts first"));
    assert_eq!(rows[3]["problems"][0][0], "Email");
    let (_, counts) = run(&admin, ImportKind::Contacts, csv, 4096, false).await;
    assert_eq!(count(&counts, "unchanged"), 2, "{counts:?}");
    let reader = crate::rest_accounts::key(&app, &["accounts:read"]).await;
    let (_, found) =
        crate::rest_accounts::get_json(&app, &reader, "/api/v1/accounts?external_id=crm-00001")
            .await;
    let id = found["accounts"][0]["id"].as_str().unwrap();
    let (_, detail) =
        crate::rest_accounts::get_json(&app, &reader, &format!("/api/v1/accounts/{id}")).await;
    let dana = detail["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["email"] == "dana@acme.example")
        .unwrap();
    assert_eq!((dana["name"].as_str(), dana["champion"].as_bool()), (Some("Dana Lee"), Some(true)));
}

#[tokio::test]
async fn imports_refuse_other_roles_bad_mappings_and_oversized_slices() {
    let (_app, admin, csm) = app_with_csm().await;
    let headers = json!(["CRM ID", "Company"]);
    let body = |mapping: Value, csv: String, kind: &str| json!({"kind": kind, "headers": headers, "mapping": mapping, "csv": csv, "first_row": 2, "dry_run": false});
    let full = json!(["external_id", "name"]);
    let res = csm.post_json("imports/slice", &body(full.clone(), "a,b\n".into(), "accounts")).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (status, _) = csm.call("imports/mapping", &[("kind", "accounts")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    for (mapping, says) in [
        (json!(["external_id", "external_id"]), "two columns"),
        (json!(["external_id", "password"]), "not a field"),
        (json!(["external_id"]), "every column"),
        (full.clone(), "Size tier"),
    ] {
        let refused = admin
            .expect_json(
                StatusCode::UNPROCESSABLE_ENTITY,
                "imports/slice",
                &body(mapping.clone(), "a,b\n".into(), "accounts"),
            )
            .await;
        let m = field_error(&refused, "mapping").unwrap_or_default();
        assert!(m.contains(says), "{mapping}: {refused}");
    }
    let ok_mapping = json!(["account_external_id", "email"]);
    let refused = admin
        .expect_json(
            StatusCode::UNPROCESSABLE_ENTITY,
            "imports/slice",
            &body(ok_mapping, "a,b\n".into(), "users"),
        )
        .await;
    assert!(field_error(&refused, "kind").is_some(), "{refused}");
    let huge = "x,y\n".repeat(300_000);
    let res = admin.post_json("imports/slice", &body(full, huge, "accounts")).await;
    assert!(res.status().is_client_error(), "{}", res.status());
    assert_eq!(portfolio_total(&admin, &[]).await, 0, "nothing refused was written");
}
