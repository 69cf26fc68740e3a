//! Access that outlives its reason: removed contacts keeping shared-plan links, API keys
//! outliving their creator.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;

// ---- a removed contact's shared-plan links --------------------------------------------------

/// Shares `plan` with `contact` for 30 days; returns the share's id and link.
async fn share_link(c: &Client, plan: &str, contact: &str) -> (String, String) {
    let share = share_plan(c, plan, contact).await;
    (id_of(&share), share["url"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn removing_a_contact_revokes_the_plan_links_shared_with_them() {
    let (app, _admin, csm) = app_with_csm().await;
    let acc = create_account(&csm, "Leaver Co", "enterprise").await;
    let dana = add_contact(&csm, &acc, "Dana Lee", "dana@leaver.co", &[]).await;
    let fox = add_contact(&csm, &acc, "Fox Mulder", "fox@leaver.co", &[]).await;
    let plan = onboarding_plan(&csm, &acc, "Leaver onboarding", &today()).await;
    let (dana_share, dana_url) = share_link(&csm, &plan, &dana).await;
    let (_, fox_url) = share_link(&csm, &plan, &fox).await;

    let web = visitor();
    let res = get_page(&web, &dana_url).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("Hi Dana,"));
    let task = task_owned_by(&plan_detail(&csm, &plan).await, "customer");

    // Dana leaves the customer; the CSM removes her.
    csm.ok("accounts/contacts/remove", &[("account_id", &acc), ("contact_id", &dana)]).await;
    let detail = plan_detail(&csm, &plan).await;
    let share = by_id(&detail["shares"], &dana_share);
    assert!(share["revoked_at"].is_string(), "{share}");
    assert_eq!(detail["events"][0]["kind"], "share_revoked");
    assert!(detail["events"][0]["text"].as_str().unwrap().contains("Dana Lee"));
    let events_after_removal = detail["events"].as_array().unwrap().len();

    // The link she kept is refused, for reading and for changes; nothing changes.
    let res = get_page(&web, &dana_url).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(!res.text().await.unwrap().contains("Leaver onboarding"));
    assert_eq!(
        post_status(&web, &format!("{dana_url}/tasks/{task}"), &[("done", "1")]).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post_status(&web, &format!("{dana_url}/comments"), &[("text", "Still here")]).await,
        StatusCode::NOT_FOUND
    );
    let detail = plan_detail(&csm, &plan).await;
    assert!(tasks_of(&detail).iter().all(|t| t["status"] == "open"));
    assert_eq!(detail["events"].as_array().unwrap().len(), events_after_removal);

    // Fox's link is his own and keeps working.
    assert_eq!(get_page(&web, &fox_url).await.status(), StatusCode::OK);

    // Removing a contact of another account through this one is refused, and revokes nothing.
    let other = create_account(&csm, "Other Co", "enterprise").await;
    csm.expect(
        StatusCode::NOT_FOUND,
        "accounts/contacts/remove",
        &[("account_id", &other), ("contact_id", &fox)],
    )
    .await;
    assert_eq!(get_page(&web, &fox_url).await.status(), StatusCode::OK);

    // A contact removed before removals revoked links left the share open in the database:
    // the link checks that its contact still exists.
    app.db
        .query("DELETE type::record('contact', $id)")
        .bind(("id", fox.clone()))
        .await
        .unwrap()
        .check()
        .unwrap();
    assert_eq!(get_page(&web, &fox_url).await.status(), StatusCode::NOT_FOUND);
}

// ---- API keys and the admins who made them --------------------------------------------------

/// Sends one good usage event with `key`; returns the status.
async fn send_event(app: &TestApp, key: &str, account: &str) -> StatusCode {
    let body = json!([{
        "account_id": account, "kind": "login", "contact_email": "a@keys.co",
        "at": chrono::Utc::now().to_rfc3339(), "idempotency_key": app::store::new_key(),
    }]);
    reqwest::Client::new()
        .post(format!("{}/api/v1/events", app.base))
        .header("authorization", format!("Bearer {key}"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
}

/// Creates a key through Settings; returns (id, secret).
async fn create_key(c: &Client, name: &str) -> (String, String) {
    let b = c.ok("api_keys/create", &[("name", name), ("scopes[0]", "events:write")]).await;
    (b[0]["id"].as_str().unwrap().to_string(), b[1].as_str().unwrap().to_string())
}

#[tokio::test]
async fn only_admins_list_and_revoke_api_keys_and_a_revoked_key_is_refused() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let acc = create_account(&admin, "Keys Co", "enterprise").await;
    let (id, secret) = create_key(&admin, "Analytics").await;
    assert_eq!(send_event(&app, &secret, &acc).await, StatusCode::ACCEPTED);

    for role in ["csm", "exec"] {
        let other = user_with_role(&app, &admin, role).await;
        let (s, b) = other.call("api_keys/list", &[]).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{role}: {b}");
        let (s, b) = other.call("api_keys/revoke", &[("id", &id)]).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{role}: {b}");
    }
    let (s, _) = Client::new(&app).call("api_keys/revoke", &[("id", &id)]).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(
        send_event(&app, &secret, &acc).await,
        StatusCode::ACCEPTED,
        "the refused revokes changed nothing"
    );

    admin.ok("api_keys/revoke", &[("id", &id)]).await;
    assert_eq!(send_event(&app, &secret, &acc).await, StatusCode::UNAUTHORIZED);
    let b = admin.ok("api_keys/list", &[]).await;
    assert_eq!(b[0]["revoked"], true, "{b}");
}

#[tokio::test]
async fn a_key_outlives_its_deactivated_maker_shows_it_and_another_admin_revokes_it() {
    let app = spawn_app().await;
    let ada = admin(&app).await;
    let ada_id = ada.my_id().await;
    let acc = create_account(&ada, "Leaver Keys Co", "enterprise").await;
    let (id, secret) = create_key(&ada, "Warehouse sync").await;
    let second = user_with_role(&app, &ada, "admin").await;

    let b = second.ok("api_keys/list", &[]).await;
    assert_eq!(b[0]["created_by"], json!({ "name": "Ada Admin", "active": true }));

    // Ada leaves; the second admin deactivates her.
    second.ok("users/access", &access_form(&ada_id, "admin", "false")).await;

    // By design her key keeps working, and Settings says whose it was.
    assert_eq!(send_event(&app, &secret, &acc).await, StatusCode::ACCEPTED);
    let b = second.ok("api_keys/list", &[]).await;
    let key = by_id(&b, &id);
    assert_eq!(key["created_by"], json!({ "name": "Ada Admin", "active": false }));
    assert_eq!(key["revoked"], false);

    second.ok("api_keys/revoke", &[("id", &id)]).await;
    assert_eq!(send_event(&app, &secret, &acc).await, StatusCode::UNAUTHORIZED);
}
