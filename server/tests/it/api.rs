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
    assert_eq!(body["migrations"], serde_json::json!([1, 2, 3, 4, 5, 6]));
}

#[tokio::test]
async fn migrations_apply_once_even_when_run_again() {
    let app = spawn_app().await;
    app::store::migrations::apply(&app.db).await.expect("second run is a no-op");
    assert_eq!(app::store::migrations::applied(&app.db).await.unwrap(), vec![1, 2, 3, 4, 5, 6]);
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
    let body = c
        .invalid("auth/setup", &[("email", "not-an-email"), ("name", ""), ("password", "short")])
        .await;
    assert!(field_error(&body, "email").unwrap().contains("email address"));
    assert_eq!(field_error(&body, "name").as_deref(), Some("is required"));
    assert!(field_error(&body, "password").unwrap().contains("at least 10"));
    assert_eq!(app::store::users::count(&app.db).await.unwrap(), 0, "nothing written");
}

#[tokio::test]
async fn login_refuses_a_wrong_password_without_saying_which_part_was_wrong() {
    let app = spawn_app().await;
    admin(&app).await;
    let c = Client::new(&app);
    let wrong_pass =
        c.invalid("auth/login", &[("email", ADMIN_EMAIL), ("password", "not the password")]).await;
    let (_, unknown) = c
        .call("auth/login", &[("email", "nobody@example.com"), ("password", "not the password")])
        .await;
    assert_eq!(wrong_pass, unknown, "same answer for unknown email and wrong password");
    let (_, me) = c.call("auth/me", &[]).await;
    assert_eq!(me, serde_json::Value::Null);
}

#[tokio::test]
async fn the_session_cookie_is_httponly_and_samesite() {
    let app = spawn_app().await;
    let res = reqwest::Client::new()
        .post(format!("{}/api/auth/setup", app.base))
        .form(&setup_form("Ada", &app.setup_code))
        .send()
        .await
        .unwrap();
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
    let form = [
        ("input[name]", " "),
        ("input[tier]", "galactic"),
        ("input[industry]", ""),
        ("input[stage]", "growth"),
        ("input[arr]", "-1"),
        ("input[currency]", "XYZ"),
        ("input[contract_start]", "2026-05-01"),
        ("input[renewal_date]", "2026-04-01"),
        ("input[owner_id]", ""),
    ];
    let body = c.invalid("accounts/create", &form).await;
    assert_eq!(field_error(&body, "name").as_deref(), Some("is required"));
    assert!(field_error(&body, "tier").unwrap().contains("Enterprise, Mid-market, SMB"));
    assert_eq!(field_error(&body, "industry").as_deref(), Some("is required"));
    assert_eq!(field_error(&body, "arr").as_deref(), Some("must be zero or more"));
    assert!(field_error(&body, "currency").is_some());
    assert_eq!(
        field_error(&body, "renewal_date").as_deref(),
        Some("must be after the contract start")
    );
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
    let body = c.invalid("accounts/create", &account_form("GLOBEX", "enterprise")).await;
    assert_eq!(
        field_error(&body, "name").as_deref(),
        Some("an account with this name already exists")
    );
    assert_eq!(portfolio_total(&c, &[]).await, 1);
}

#[tokio::test]
async fn an_unknown_owner_is_refused_and_the_account_is_not_created() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let mut form = account_form("Owned", "smb");
    form.retain(|(k, _)| *k != "input[owner_id]");
    form.push(("input[owner_id]", "nobody"));
    let body = c.invalid("accounts/create", &form).await;
    assert!(field_error(&body, "owner_id").is_some(), "{body}");
    assert_eq!(portfolio_total(&c, &[]).await, 0);
}

#[tokio::test]
async fn accounts_carry_contacts_and_team_and_unknown_ids_are_404() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let (_, me) = c.call("auth/me", &[]).await;
    let my_id = me["id"].as_str().unwrap();
    let mut form = account_form("Initech", "enterprise");
    form.retain(|(k, _)| *k != "input[owner_id]");
    form.push(("input[owner_id]", my_id));
    let acc = c.ok("accounts/create", &form).await;
    assert_eq!(acc["owner_name"], "Ada Admin");
    let id = acc["id"].as_str().unwrap();

    c.ok(
        "accounts/contacts/add",
        &[
            ("account_id", id),
            ("input[name]", "Peter Gibbons"),
            ("input[email]", "Peter@Initech.example"),
            ("input[title]", "Engineer"),
            ("input[champion]", "on"),
        ],
    )
    .await;
    let dup = c
        .invalid(
            "accounts/contacts/add",
            &[
                ("account_id", id),
                ("input[name]", "Peter again"),
                ("input[email]", "peter@initech.example"),
            ],
        )
        .await;
    assert!(field_error(&dup, "email").unwrap().contains("already has a contact"));
    c.ok("accounts/team/add", &[("account_id", id), ("user_id", my_id), ("role", "sme")]).await;
    let body = c
        .invalid("accounts/team/add", &[("account_id", id), ("user_id", my_id), ("role", "wizard")])
        .await;
    assert!(field_error(&body, "role").is_some());

    let detail = c.ok("accounts/get", &[("id", id)]).await;
    assert_eq!(detail["contacts"][0]["email"], "peter@initech.example");
    assert_eq!(detail["contacts"][0]["champion"], true);
    let roles: Vec<&str> =
        detail["team"].as_array().unwrap().iter().map(|m| m["role"].as_str().unwrap()).collect();
    assert_eq!(roles, vec!["csm", "sme"], "the owner joined as CSM when the account was created");

    let body = c.expect(StatusCode::NOT_FOUND, "accounts/get", &[("id", "does-not-exist")]).await;
    assert_eq!(body["NotFound"], "account");
    let (status, _) = c
        .call(
            "accounts/contacts/add",
            &[
                ("account_id", "does-not-exist"),
                ("input[name]", "X"),
                ("input[email]", "x@example.com"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
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
    let mut bad = account_form("Hooli", "smb");
    bad.retain(|(k, _)| *k != "input[arr]");
    bad.push(("input[arr]", "12k"));
    bad.push(("id", &id));
    let body = c.invalid("accounts/update", &bad).await;
    assert!(field_error(&body, "arr").unwrap().contains("must be a number"));
    let (_, detail) = c.call("accounts/get", &[("id", &id)]).await;
    assert_eq!(detail["account"]["arr_minor"], 12_000_000, "unchanged");

    let mut good = account_form("Hooli XYZ", "mid_market");
    good.push(("id", &id));
    let updated = c.ok("accounts/update", &good).await;
    assert_eq!(updated["name"], "Hooli XYZ");
    assert_eq!(updated["tier"], "mid_market");
}

#[tokio::test]
async fn the_portfolio_filters_sorts_and_pages() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    bellwether::seed::run(&app.db, 230, 7, false, false).await.unwrap();
    // The seed wrote straight to the database; the portfolio index hears of it through its
    // live query within moments.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while portfolio_total(&c, &[]).await != 230 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(portfolio_total(&c, &[]).await, 230);
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
    let (_, me) = admin.call("auth/me", &[]).await;
    admin
        .invalid(
            "users/access",
            &[("id", me["id"].as_str().unwrap()), ("role", "csm"), ("active", "true")],
        )
        .await;

    let csm = user_with_role(&app, &admin, "csm").await;
    let (_, csm_me) = csm.call("auth/me", &[]).await;
    csm.ok("accounts/portfolio", &[]).await;
    admin
        .ok(
            "users/access",
            &[("id", csm_me["id"].as_str().unwrap()), ("role", "csm"), ("active", "false")],
        )
        .await;
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
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let (status, _) = c
            .call("auth/login", &[("email", ADMIN_EMAIL), ("password", "guess guess guess")])
            .await;
        statuses.push(status);
    }
    assert!(statuses[..10].iter().all(|s| *s == StatusCode::UNPROCESSABLE_ENTITY), "{statuses:?}");
    assert_eq!(statuses[11], StatusCode::TOO_MANY_REQUESTS);
    let (status, _) = c.call("auth/login", &ADMIN_LOGIN).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    let other = Client::new(&app);
    let (status, _) = other
        .call(
            "auth/login",
            &[("email", "someone-else@example.com"), ("password", "guess guess guess")],
        )
        .await;
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
        let mut form = account_form(name, tier);
        form.retain(|(k, _)| *k != "input[arr]" && *k != "input[currency]");
        form.push(("input[arr]", arr));
        form.push(("input[currency]", cur));
        let (status, body) = c.call("accounts/create", &form).await;
        assert_eq!(status, StatusCode::OK, "{body}");
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
    let (_, a) = c.call("accounts/create", &account_form("Alpha", "smb")).await;
    let (_, b) = c.call("accounts/create", &account_form("Beta", "smb")).await;
    let (a, b) = (a["id"].as_str().unwrap().to_string(), b["id"].as_str().unwrap().to_string());
    let (_, dana) = c
        .call(
            "accounts/contacts/add",
            &[("account_id", &a), ("input[name]", "Dana"), ("input[email]", "dana@alpha.example")],
        )
        .await;
    let (_, sam) = c
        .call(
            "accounts/contacts/add",
            &[("account_id", &a), ("input[name]", "Sam"), ("input[email]", "sam@alpha.example")],
        )
        .await;
    let dana = dana["id"].as_str().unwrap().to_string();

    let edit = |account: &str, email: &str| {
        vec![
            ("account_id".to_string(), account.to_string()),
            ("contact_id".to_string(), dana.clone()),
            ("input[name]".to_string(), "Dana Scully".to_string()),
            ("input[email]".to_string(), email.to_string()),
            ("input[title]".to_string(), "CTO".to_string()),
            ("input[champion]".to_string(), "on".to_string()),
        ]
    };
    let call = |form: Vec<(String, String)>| {
        let c = &c;
        async move {
            let pairs: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            c.call("accounts/contacts/update", &pairs).await
        }
    };
    let (status, body) = call(edit(&a, "not-an-email")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&body, "email").is_some());
    let (status, body) = call(edit(&a, sam["email"].as_str().unwrap())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "Sam already has that email: {body}");
    let (status, body) = call(edit(&b, "dana@alpha.example")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "Dana is not Beta's contact: {body}");
    let (_, detail) = c.call("accounts/get", &[("id", &a)]).await;
    let before = detail["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == dana.as_str())
        .unwrap()
        .clone();
    assert_eq!(before["name"], "Dana", "nothing changed by the refused edits");

    let (status, body) = call(edit(&a, "DANA@alpha.example")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["name"], "Dana Scully");
    assert_eq!(body["email"], "dana@alpha.example");
    assert_eq!(body["champion"], true);
}

#[tokio::test]
async fn the_portfolio_index_and_the_database_agree() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    bellwether::seed::run(&app.db, 180, 11, false, false).await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while portfolio_total(&c, &[]).await != 180 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
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
