//! The server, spoken to over HTTP: sign-in, roles, accounts, validation, segments, headers.

use crate::common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn healthz_answers_200_once_the_database_is_ready() {
    let app = spawn_app().await;
    let res = Client::new(&app).get("/healthz").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(
        body["migrations"],
        serde_json::json!([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14])
    );
}

#[tokio::test]
async fn migrations_apply_once_even_when_run_again() {
    let app = spawn_app().await;
    app::store::migrations::apply(&app.db).await.expect("second run is a no-op");
    assert_eq!(
        app::store::migrations::applied(&app.db).await.unwrap(),
        vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
    );
}

#[tokio::test]
async fn setup_creates_the_first_admin_only_once() {
    let app = spawn_app().await;
    let first = admin(&app).await;
    let me = first.ok("auth/me", &[]).await;
    assert_eq!(me["role"], "admin");

    let stranger = Client::new(&app);
    stranger
        .expect(
            StatusCode::FORBIDDEN,
            "auth/setup",
            &[("email", "eve@example.com"), ("name", "Eve"), ("password", "a long password")],
        )
        .await;
    let (_, needs) = stranger.call("auth/needs_setup", &[]).await;
    assert_eq!(needs, serde_json::json!(false));
}

#[tokio::test]
async fn setup_validates_and_names_each_field() {
    let app = spawn_app().await;
    let c = Client::new(&app);
    let form = [("email", "not-an-email"), ("name", ""), ("password", "short")];
    let [email, name, password] =
        c.refused("auth/setup", &form, ["email", "name", "password"]).await;
    assert!(email.contains("email address"));
    assert_eq!(name, "is required");
    assert!(password.contains("at least 10"));
    assert_eq!(app::store::users::count(&app.db).await.unwrap(), 0, "nothing written");
}

#[tokio::test]
async fn login_refuses_a_wrong_password_without_saying_which_part_was_wrong() {
    let app = spawn_app().await;
    admin(&app).await;
    let c = Client::new(&app);
    let wrong_pass =
        c.invalid("auth/login", &[("email", ADMIN_EMAIL), ("password", "not the password")]).await;
    let (_, unknown) = c.sign_in("nobody@example.com", "not the password").await;
    assert_eq!(wrong_pass, unknown, "same answer for unknown email and wrong password");
    let (_, me) = c.call("auth/me", &[]).await;
    assert_eq!(me, serde_json::Value::Null);
}

#[tokio::test]
async fn the_session_cookie_is_httponly_and_samesite() {
    let app = spawn_app().await;
    let res = Client::new(&app).request("auth/setup", &setup_form("Ada", &app.setup_code)).await;
    let cookie = res.headers().get("set-cookie").expect("cookie").to_str().unwrap().to_string();
    assert!(cookie.starts_with("bw_session="));
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    c.ok("auth/logout", &[]).await;
    c.expect(StatusCode::UNAUTHORIZED, "accounts/portfolio", &[]).await;
}

#[tokio::test]
async fn signed_out_callers_are_refused_and_pages_redirect_to_login() {
    let app = spawn_app().await;
    admin(&app).await;
    let c = Client::new(&app);
    c.expect(StatusCode::UNAUTHORIZED, "accounts/portfolio", &[]).await;
    let (status, _) = c.call("accounts/create", &account_form("Sneaky", "smb")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let res = c.get("/accounts/abc").await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers()["location"], "/login?next=%2Faccounts%2Fabc");
}

#[tokio::test]
async fn a_bad_account_is_refused_field_by_field_and_nothing_is_written() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let bad = [
        ("input[industry]", ""),
        ("input[arr]", "-1"),
        ("input[currency]", "XYZ"),
        ("input[contract_start]", "2026-05-01"),
        ("input[renewal_date]", "2026-04-01"),
    ];
    let form = with(account_form(" ", "galactic"), &bad);
    let fields = ["name", "tier", "industry", "arr", "currency", "renewal_date"];
    let [name, tier, industry, arr, _currency, renewal] =
        c.refused("accounts/create", &form, fields).await;
    assert_eq!(name, "is required");
    assert!(tier.contains("Enterprise, Mid-market, SMB"));
    assert_eq!(industry, "is required");
    assert_eq!(arr, "must be zero or more");
    assert_eq!(renewal, "must be after the contract start");
    assert_eq!(portfolio_total(&c, &[]).await, 0);

    // A missing field is a clear error too, not a crash.
    let (status, body) = c.call("accounts/create", &[("input[name]", "Half")]).await;
    assert!(status.is_client_error(), "{status} {body}");
    assert_eq!(portfolio_total(&c, &[]).await, 0);
}

#[tokio::test]
async fn account_names_are_unique_regardless_of_case() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let (status, _) = c.call("accounts/create", &account_form("Globex", "smb")).await;
    assert_eq!(status, StatusCode::OK);
    let [name] =
        c.refused("accounts/create", &account_form("GLOBEX", "enterprise"), ["name"]).await;
    assert_eq!(name, "an account with this name already exists");
    assert_eq!(portfolio_total(&c, &[]).await, 1);
}

#[tokio::test]
async fn an_unknown_owner_is_refused_and_the_account_is_not_created() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let form = with(account_form("Owned", "smb"), &[("input[owner_id]", "nobody")]);
    c.refused("accounts/create", &form, ["owner_id"]).await;
    assert_eq!(portfolio_total(&c, &[]).await, 0);
}

#[tokio::test]
async fn accounts_carry_contacts_and_team_and_unknown_ids_are_404() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let my_id = c.my_id().await;
    let form = with(account_form("Initech", "enterprise"), &[("input[owner_id]", &my_id)]);
    let acc = c.ok("accounts/create", &form).await;
    assert_eq!(acc["owner_name"], "Ada Admin");
    let id = acc["id"].as_str().unwrap();

    let peter = [("input[title]", "Engineer"), ("input[champion]", "on")];
    add_contact(&c, id, "Peter Gibbons", "Peter@Initech.example", &peter).await;
    let again = contact_form(id, "Peter again", "peter@initech.example");
    let [email] = c.refused("accounts/contacts/add", &again, ["email"]).await;
    assert!(email.contains("already has a contact"));
    c.ok("accounts/team/add", &[("account_id", id), ("user_id", &my_id), ("role", "sme")]).await;
    let wizard = [("account_id", id), ("user_id", &my_id), ("role", "wizard")];
    c.refused("accounts/team/add", &wizard, ["role"]).await;

    let detail = c.ok("accounts/get", &[("id", id)]).await;
    assert_eq!(detail["contacts"][0]["email"], "peter@initech.example");
    assert_eq!(detail["contacts"][0]["champion"], true);
    let roles: Vec<&str> =
        detail["team"].as_array().unwrap().iter().map(|m| m["role"].as_str().unwrap()).collect();
    assert_eq!(roles, vec!["csm", "sme"], "the owner joined as CSM when the account was created");

    let body = c.expect(StatusCode::NOT_FOUND, "accounts/get", &[("id", "does-not-exist")]).await;
    assert_eq!(body["NotFound"], "account");
    let nowhere = contact_form("does-not-exist", "X", "x@example.com");
    c.expect(StatusCode::NOT_FOUND, "accounts/contacts/add", &nowhere).await;
    let page = c.get("/accounts/does-not-exist").await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    let page = c.get("/no/such/page").await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn updating_an_account_validates_and_keeps_the_rest() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let (_, acc) = c.call("accounts/create", &account_form("Hooli", "smb")).await;
    let id = acc["id"].as_str().unwrap().to_string();
    let bad = with(account_form("Hooli", "smb"), &[("input[arr]", "12k"), ("id", &id)]);
    let [arr] = c.refused("accounts/update", &bad, ["arr"]).await;
    assert!(arr.contains("must be a number"));
    let (_, detail) = c.call("accounts/get", &[("id", &id)]).await;
    assert_eq!(detail["account"]["arr_minor"], 12_000_000, "unchanged");

    let good = with(account_form("Hooli XYZ", "mid_market"), &[("id", &id)]);
    let updated = c.ok("accounts/update", &good).await;
    assert_eq!(updated["name"], "Hooli XYZ");
    assert_eq!(updated["tier"], "mid_market");
}

#[tokio::test]
async fn the_portfolio_filters_sorts_and_pages() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    seed_portfolio(&app, &c, 230, 7).await;
    let ent = portfolio_total(&c, &[("filter[tier]", "enterprise")]).await;
    let mid = portfolio_total(&c, &[("filter[tier]", "mid_market")]).await;
    let smb = portfolio_total(&c, &[("filter[tier]", "smb")]).await;
    assert_eq!(ent + mid + smb, 230);
    assert!(ent > 0 && mid > 0 && smb > 0);

    let (_, p) = c
        .call(
            "accounts/portfolio",
            &[("filter[sort]", "arr"), ("filter[desc]", "true"), ("filter[page]", "1")],
        )
        .await;
    let rows = p["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 50);
    let arrs: Vec<i64> = rows.iter().map(|r| r["arr_minor"].as_i64().unwrap()).collect();
    assert!(arrs.windows(2).all(|w| w[0] >= w[1]), "sorted by ARR, largest first");
    let (_, last) = c.call("accounts/portfolio", &[("filter[page]", "4")]).await;
    assert_eq!(last["rows"].as_array().unwrap().len(), 30);

    let (_, combined) = c
        .call("accounts/portfolio", &[("filter[tier]", "enterprise"), ("filter[stage]", "growth")])
        .await;
    for r in combined["rows"].as_array().unwrap() {
        assert_eq!(r["tier"], "enterprise");
        assert_eq!(r["stage"], "growth");
    }
    let first_name = rows[0]["name"].as_str().unwrap().to_lowercase();
    let needle: String = first_name.chars().take(6).collect();
    let (_, found) = c.call("accounts/portfolio", &[("filter[q]", &needle)]).await;
    assert!(found["rows"].as_array().unwrap().iter().all(|r| r["name"]
        .as_str()
        .unwrap()
        .to_lowercase()
        .contains(&needle)));
    assert!(found["total"].as_u64().unwrap() >= 1);
}

#[tokio::test]
async fn segments_save_a_filter_under_a_unique_name() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let (status, body) = c.call("segments/save", &[("name", "Everything"), ("query", "")]).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an empty filter is not a segment: {body}"
    );
    let (status, seg) = c
        .call(
            "segments/save",
            &[
                ("name", "Enterprise renewals"),
                ("query", "tier=enterprise&stage=renewal&sort=arr&page=3"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{seg}");
    assert_eq!(seg["filter"]["tier"], "enterprise");
    assert_eq!(seg["filter"]["page"], 0, "paging is not part of a segment");
    let (status, dup) =
        c.call("segments/save", &[("name", "enterprise RENEWALS"), ("query", "tier=smb")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&dup, "name").unwrap().contains("already exists"));
    let (_, list) = c.call("segments/list", &[]).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let id = seg["id"].as_str().unwrap();
    c.ok("segments/delete", &[("id", id)]).await;
    c.expect(StatusCode::NOT_FOUND, "segments/delete", &[("id", id)]).await;
}

#[tokio::test]
async fn the_last_admin_cannot_be_removed_and_deactivation_ends_sessions() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    admin.invalid("users/access", &access_form(&admin.my_id().await, "csm", "true")).await;

    let csm = user_with_role(&app, &admin, "csm").await;
    csm.ok("accounts/portfolio", &[]).await;
    admin.ok("users/access", &access_form(&csm.my_id().await, "csm", "false")).await;
    let (status, _) = csm.call("accounts/portfolio", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a deactivated user is signed out at once");
}

#[tokio::test]
async fn cross_site_writes_are_refused_and_pages_carry_security_headers() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let res = c
        .http
        .post(format!("{}/api/accounts/create", app.base))
        .header("origin", "https://evil.example")
        .form(&account_form("Evil", "smb"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(portfolio_total(&c, &[]).await, 0);

    let page = c.get("/").await;
    assert_eq!(page.status(), StatusCode::OK);
    let h = page.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval' 'nonce-"), "{csp}");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
}

#[tokio::test]
async fn password_guessing_is_throttled_per_email() {
    let app = spawn_app().await;
    admin(&app).await;
    let c = Client::new(&app);
    assert_throttled_after(&wrong_sign_ins(&c, ADMIN_EMAIL, 12).await, 10);
    let (status, _) = c.sign_in(ADMIN_EMAIL, ADMIN_PASS).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    let other = Client::new(&app);
    let (status, _) = other.sign_in("someone-else@example.com", "guess guess guess").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "other addresses are not affected");
}

#[tokio::test]
async fn the_dashboard_adds_money_up_only_within_one_currency() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    for (name, tier, arr, cur) in [
        ("A", "enterprise", "300000", "USD"),
        ("B", "enterprise", "100000", "EUR"),
        ("C", "smb", "5000", "USD"),
    ] {
        let form = with(account_form(name, tier), &[("input[arr]", arr), ("input[currency]", cur)]);
        c.ok("accounts/create", &form).await;
    }
    let (status, s) = c.call("accounts/summary", &[]).await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(s["accounts"], 3);
    assert_eq!(s["main_currency"], "USD");
    let ent =
        s["by_tier"].as_array().unwrap().iter().find(|t| t[0] == "enterprise").unwrap().clone();
    assert_eq!(ent[1], 2, "two enterprise accounts");
    assert_eq!(ent[2], 30_000_000, "only the USD one is added to USD ARR");
}

#[tokio::test]
async fn contacts_are_edited_only_through_their_own_account() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let a = create_account(&c, "Alpha", "smb").await;
    let b = create_account(&c, "Beta", "smb").await;
    let dana = add_contact(&c, &a, "Dana", "dana@alpha.example", &[]).await;
    add_contact(&c, &a, "Sam", "sam@alpha.example", &[]).await;

    /// Dana's edit form, sent through `account`, with `email`.
    fn edit<'a>(account: &'a str, dana: &'a str, email: &'a str) -> [(&'a str, &'a str); 6] {
        [
            ("account_id", account),
            ("contact_id", dana),
            ("input[name]", "Dana Scully"),
            ("input[email]", email),
            ("input[title]", "CTO"),
            ("input[champion]", "on"),
        ]
    }
    let update = "accounts/contacts/update";
    c.refused(update, &edit(&a, &dana, "not-an-email"), ["email"]).await;
    let (status, body) = c.call(update, &edit(&a, &dana, "sam@alpha.example")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "Sam already has that email: {body}");
    let (status, body) = c.call(update, &edit(&b, &dana, "dana@alpha.example")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "Dana is not Beta's contact: {body}");
    let detail = c.ok("accounts/get", &[("id", &a)]).await;
    let before = by_id(&detail["contacts"], &dana);
    assert_eq!(before["name"], "Dana", "nothing changed by the refused edits");

    let body = c.ok(update, &edit(&a, &dana, "DANA@alpha.example")).await;
    assert_eq!(body["name"], "Dana Scully");
    assert_eq!(body["email"], "dana@alpha.example");
    assert_eq!(body["champion"], true);
}

#[tokio::test]
async fn the_portfolio_index_and_the_database_agree() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    seed_portfolio(&app, &c, 180, 11).await;
    use app::model::{PortfolioFilter, SizeTier, SortKey};
    let filters = [
        PortfolioFilter::default(),
        PortfolioFilter { sort: SortKey::Arr, desc: true, page: 1, ..Default::default() },
        PortfolioFilter { tier: Some(SizeTier::Smb), sort: SortKey::Renewal, ..Default::default() },
        PortfolioFilter { q: Some("a".into()), sort: SortKey::Owner, ..Default::default() },
    ];
    for f in filters {
        let from_db = app::store::accounts::portfolio(&app.db, &f).await.unwrap();
        let query = f.to_query();
        let mut pairs: Vec<(String, String)> = vec![
            ("filter[sort]".into(), f.sort.key().into()),
            ("filter[desc]".into(), f.desc.to_string()),
            ("filter[page]".into(), f.page.to_string()),
        ];
        if let Some(q) = &f.q {
            pairs.push(("filter[q]".into(), q.clone()));
        }
        if let Some(t) = f.tier {
            pairs.push(("filter[tier]".into(), t.key().into()));
        }
        let form: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let from_index = c.ok("accounts/portfolio", &form).await;
        assert_eq!(from_index["total"].as_u64().unwrap(), from_db.total, "{query}");
        let index_names: Vec<&str> = from_index["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        let db_names: Vec<&str> = from_db.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(index_names, db_names, "same page, same order for {query}");
    }
}
