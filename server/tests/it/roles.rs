//! Who may do what: each role refused what it may not do, over HTTP, and the settings pages
//! behind their one admin check.

use crate::common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn every_settings_page_is_for_admins_only_and_keeps_its_address() {
    let (_app, admin, csm) = app_with_csm().await;
    let tabs = [
        ("/settings", "Users"),
        ("/settings/health", "Health models"),
        ("/settings/templates", "Journey templates"),
        ("/settings/engagement", "Engagement"),
        ("/settings/api-keys", "API keys"),
    ];
    for (path, title) in tabs {
        let page = admin.get(path).await;
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        let html = page.text().await.unwrap();
        assert!(html.contains(&format!("<title>{title} · Bellwether</title>")), "{path}");
        assert!(html.contains(r#"aria-label="Settings""#), "{path}: the tabs");
        let page = csm.get(path).await;
        let html = page.text().await.unwrap();
        assert!(html.contains("Only admins change settings"), "{path}");
        assert!(!html.contains(r#"aria-label="Settings""#), "{path}: no tabs for a CSM");
    }
}

#[tokio::test]
async fn each_role_is_refused_what_it_may_not_do() {
    let (app, admin, csm) = app_with_csm().await;
    let exec = user_with_role(&app, &admin, "exec").await;

    // Executives read but never write.
    let body = exec
        .expect(StatusCode::FORBIDDEN, "accounts/create", &account_form("Exec Co", "smb"))
        .await;
    assert!(body["Forbidden"].as_str().unwrap().contains("executives"));
    exec.ok("accounts/portfolio", &[]).await;
    exec.expect(StatusCode::FORBIDDEN, "segments/save", &[("name", "x"), ("query", "tier=smb")])
        .await;

    // CSMs manage accounts but not users.
    let created = csm.ok("accounts/create", &account_form("Csm Co", "smb")).await;
    let id = created["id"].as_str().unwrap();
    let upd = with(account_form("Csm Co", "mid_market"), &[("id", id)]);
    exec.expect(StatusCode::FORBIDDEN, "accounts/update", &upd).await;
    let contact = contact_form(id, "X", "x@example.com");
    exec.expect(StatusCode::FORBIDDEN, "accounts/contacts/add", &contact).await;
    for c in [&csm, &exec] {
        c.expect(StatusCode::FORBIDDEN, "users/list", &[]).await;
        c.expect(StatusCode::FORBIDDEN, "users/create", &user_form("z@example.com", "admin")).await;
    }
    let users = admin.ok("users/list", &[]).await;
    assert_eq!(users.as_array().unwrap().len(), 3, "nobody was added by the refused calls");
}
