//! Segments on product usage through the real server: the usage filters (exact matches, the
//! index and the database fallback agreeing), movement in and out of saved segments recorded
//! once, the circularity rule for health models, and what hostile or careless input gets.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::Duration;

const KEY_FEATURES: [&str; 5] = ["dashboards", "reports", "integrations", "automation", "alerts"];

async fn events_key(app: &TestApp) -> String {
    app::store::api_keys::create(&app.db, "segments", &["events:write".to_string()], None)
        .await
        .unwrap()
        .1
}

/// Sends usage events (`(kind, feature, days ago)`) for `account` by `user`; all must be accepted.
async fn send_usage(
    app: &TestApp, key: &str, account: &str, user: &str, events: &[(&str, Option<&str>, i64)],
) {
    let at = |days: i64| {
        (chrono::Utc::now() - chrono::Duration::days(days) - chrono::Duration::minutes(1))
            .to_rfc3339()
    };
    let body: Vec<Value> = events
        .iter()
        .enumerate()
        .map(|(i, (kind, feature, days))| {
            let mut e = json!({ "account_id": account, "kind": kind, "contact_email": user, "at": at(*days),
                                "idempotency_key": format!("{account}-{user}-{i}-{}", uuid_like()) });
            if let Some(f) = feature {
                e["feature"] = json!(f);
            }
            e
        })
        .collect();
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/events", app.base))
        .header("authorization", format!("Bearer {key}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let report: Value = res.json().await.unwrap();
    assert!(status.is_success(), "{status}: {report}");
    assert_eq!(report["rejected"], 0, "{report}");
}

fn uuid_like() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
}

fn logins(n: usize) -> Vec<(&'static str, Option<&'static str>, i64)> {
    vec![("login", None, 0); n]
}

fn features(
    list: &[&'static str], days_ago: i64,
) -> Vec<(&'static str, Option<&'static str>, i64)> {
    list.iter().map(|f| ("feature_used", Some(*f), days_ago)).collect()
}

/// Six accounts with known usage, scored: A 40 % adoption and many logins, B 20 % and a few
/// (all yesterday),
/// C 100 %, D never active, E last active 40 days ago, F active today without logins.
async fn usage_portfolio(app: &TestApp, c: &Client) -> Vec<(String, String)> {
    let key = events_key(app).await;
    let mut ids = Vec::new();
    for name in ["A Corp", "B Corp", "C Corp", "D Corp", "E Corp", "F Corp"] {
        ids.push((name.to_string(), create_account(c, name, "smb").await));
    }
    let id = |i: usize| ids[i].1.clone();
    let usage = [
        (0, "ann@a.example", [logins(20), features(&["dashboards", "reports"], 0)].concat()),
        (1, "bob@b.example", [vec![("login", None, 1); 2], features(&["dashboards"], 1)].concat()),
        (2, "cat@c.example", [logins(5), features(&KEY_FEATURES, 2)].concat()),
        (4, "eve@e.example", [vec![("login", None, 40); 3], features(&["reports"], 40)].concat()),
        (5, "fay@f.example", features(&["automation"], 0)),
    ];
    for (i, user, events) in usage {
        send_usage(app, &key, &id(i), user, &events).await;
    }
    // A plan long overdue for A (off track), one starting today for C.
    let long_ago = (chrono::Utc::now().date_naive() - chrono::Duration::days(200)).to_string();
    onboarding_plan(c, &id(0), "Late onboarding", &long_ago).await;
    onboarding_plan(c, &id(2), "Fresh onboarding", &today()).await;
    app::service::health::recompute(&app.db, &app.state.portfolio, None, "test").await.unwrap();
    ids
}

/// The names of the accounts a portfolio query shows through the server (the index), and the
/// same from the database fallback; asserts they agree.
async fn names_for(app: &TestApp, c: &Client, query: &str) -> BTreeSet<String> {
    let filter = app::model::PortfolioFilter::from_query_string(query);
    let from_index = names_for_quiet(c, query).await;
    let from_db: BTreeSet<String> = db_names(app, &filter).await.into_iter().collect();
    assert_eq!(from_index, from_db, "index and database agree on {query}");
    from_index
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| format!("{n} Corp")).collect()
}

#[tokio::test]
async fn usage_filters_match_exactly_from_the_index_and_the_database() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    usage_portfolio(&app, &c).await;
    // Wait until the index has heard every write (its live query).
    for _ in 0..100 {
        if names_for_quiet(&c, "adoption_min=100").await == set(&["C"]) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        names_for(&app, &c, "adoption_max=40").await,
        set(&["A", "B", "D", "E", "F"]),
        "40 % is at most 40 %"
    );
    assert_eq!(names_for(&app, &c, "adoption_max=39").await, set(&["B", "D", "E", "F"]));
    assert_eq!(names_for(&app, &c, "adoption_min=40").await, set(&["A", "C"]));
    assert_eq!(names_for(&app, &c, "adoption_min=20&adoption_max=40").await, set(&["A", "B", "F"]));
    assert_eq!(
        names_for(&app, &c, "inactive_days=30").await,
        set(&["D", "E"]),
        "never active counts as inactive"
    );
    assert_eq!(names_for(&app, &c, "inactive_days=41").await, set(&["D"]));
    assert_eq!(
        names_for(&app, &c, "inactive_days=1").await,
        set(&["B", "D", "E"]),
        "B was last active yesterday"
    );
    assert_eq!(
        names_for(&app, &c, "inactive_days=2").await,
        set(&["D", "E"]),
        "yesterday is within 2 days"
    );
    assert_eq!(names_for(&app, &c, "engagement=high").await, set(&["A"]));
    assert_eq!(names_for(&app, &c, "engagement=medium").await, set(&["C"]));
    assert_eq!(names_for(&app, &c, "engagement=low").await, set(&["B"]));
    assert_eq!(names_for(&app, &c, "engagement=none").await, set(&["D", "E", "F"]));
    assert_eq!(names_for(&app, &c, "plan=off_track").await, set(&["A"]));
    assert_eq!(names_for(&app, &c, "plan=on_track,at_risk").await, set(&["C"]));
    let all = set(&["A", "B", "C", "D", "E", "F"]);
    assert_eq!(names_for(&app, &c, "band=red,yellow,green,unscored").await, all);
    let mut by_band = BTreeSet::new();
    for band in ["red", "yellow", "green", "unscored"] {
        let names = names_for(&app, &c, &format!("band={band}")).await;
        assert!(by_band.is_disjoint(&names), "each account has one band");
        by_band.extend(names);
    }
    assert_eq!(by_band, all);
    assert_eq!(
        names_for(&app, &c, "tier=smb&adoption_max=39&inactive_days=30").await,
        set(&["D", "E"])
    );
    // Bulk loads (seeding, the v7 migration) set the last active day from the rollups alone.
    app.db.query("UPDATE account SET last_active_on = NONE").await.unwrap().check().unwrap();
    app::store::usage::refresh_last_active(&app.db).await.unwrap();
    let mut r =
        app.db.query("SELECT VALUE last_active_on FROM account ORDER BY name_key").await.unwrap();
    let days: Vec<Option<String>> = r.take(0).unwrap();
    let ago =
        |d: i64| Some((chrono::Utc::now().date_naive() - chrono::Duration::days(d)).to_string());
    assert_eq!(days, vec![ago(0), ago(1), ago(0), None, ago(40), ago(0)]);
    // Sorting by the new columns agrees too (the same page in the same order).
    for sort in ["adoption", "engagement", "last_active"] {
        let filter = app::model::PortfolioFilter::from_query_string(&format!("sort={sort}"));
        let from_db = db_names(&app, &filter).await;
        let page = c
            .ok(
                "accounts/portfolio",
                &[("filter[sort]", sort), ("filter[desc]", &filter.desc.to_string())],
            )
            .await;
        let from_index: Vec<String> = page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(from_index, from_db, "sorted by {sort}");
    }
}

/// The names on the page the database fallback answers for `filter`, in order.
async fn db_names(app: &TestApp, filter: &app::model::PortfolioFilter) -> Vec<String> {
    let page = app::store::accounts::portfolio(&app.db, filter).await.unwrap();
    page.rows.into_iter().map(|r| r.name).collect()
}

/// The names of the accounts the portfolio server function shows for a URL query.
async fn names_for_quiet(c: &Client, query: &str) -> BTreeSet<String> {
    let form: Vec<(String, String)> = query
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (format!("filter[{k}]"), v.to_string()))
        .collect();
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let page = c.ok("accounts/portfolio", &pairs).await;
    page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

/// The Segments page's figures for one segment.
async fn overview_of(c: &Client, segment: &str) -> Value {
    let overview = c.ok("segments/overview", &[]).await;
    let found = overview.as_array().unwrap().iter().find(|o| o["segment"]["id"] == segment);
    found.unwrap_or_else(|| panic!("{segment} in {overview}")).clone()
}

/// The moves recorded for `account`, from the database: (segment name, entered).
async fn moves_of(app: &TestApp, account: &str) -> Vec<(String, bool)> {
    app::store::segment_moves::for_account(&app.db, account, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.segment_name, m.entered))
        .collect()
}

#[tokio::test]
async fn an_account_that_adopts_more_leaves_low_adoption_once_and_its_timeline_says_so() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    let ids = usage_portfolio(&app, &c).await;
    let b = ids[1].1.clone();
    let seg = save_segment(&c, "Low adoption", "adoption_max=39").await;
    let low = overview_of(&c, &seg).await;
    assert_eq!(low["accounts"], 4, "B, D, E and F: {low}");
    assert_eq!(low["entered_30d"], 0, "saving a segment moves nobody: {low}");
    assert!(moves_of(&app, &b).await.is_empty());

    // B starts using every key feature: the streaming scorer moves it out within seconds.
    let key = events_key(&app).await;
    let started = std::time::Instant::now();
    send_usage(&app, &key, &b, "bob@b.example", &features(&KEY_FEATURES, 0)).await;
    let mut left = false;
    while started.elapsed() < Duration::from_secs(10) {
        if moves_of(&app, &b).await == vec![("Low adoption".to_string(), false)] {
            left = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(left, "B left Low adoption within 10 s: {:?}", moves_of(&app, &b).await);
    // More passes (the daily one, another recompute) record nothing new.
    app::service::health::daily(&app.db, &app.state.portfolio).await.unwrap();
    app::service::health::recompute(&app.db, &app.state.portfolio, None, "test").await.unwrap();
    assert_eq!(
        moves_of(&app, &b).await,
        vec![("Low adoption".to_string(), false)],
        "recorded once"
    );
    assert_eq!(rows(&app, "segment_move").await, 1, "nobody else moved");

    let low = overview_of(&c, &seg).await;
    assert_eq!(
        (low["accounts"].as_u64(), low["left_7d"].as_u64(), low["left_30d"].as_u64()),
        (Some(3), Some(1), Some(1))
    );
    assert_eq!(low["moves"][0]["account_name"], "B Corp");
    let timeline = c.ok("engagement/timeline", &[("account_id", &b), ("kind", "segment")]).await;
    let items = timeline.as_array().unwrap();
    assert_eq!(items.len(), 1, "{timeline}");
    assert_eq!(items[0]["detail"], "left Low adoption");

    // Deleting the segment keeps the history readable and forgets the membership.
    c.ok("segments/delete", &[("id", &seg)]).await;
    assert_eq!(rows(&app, "segment_member").await, 0);
    assert_eq!(moves_of(&app, &b).await, vec![("Low adoption".to_string(), false)]);
}

#[tokio::test]
async fn a_health_model_cannot_be_scoped_by_what_scoring_produces() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    create_account(&c, "Scope Co", "smb").await;
    let config = c.ok("health/editor", &[("scope", "default")]).await["model"]["config"].clone();
    let save = |scope: String| {
        let (c, config) = (&c, config.clone());
        async move {
            c.post_json("health/save_model", &json!({ "scope": scope, "config": config })).await
        }
    };
    for (name, query, word) in [
        ("Red accounts", "band=red", "health band"),
        ("Low adoption", "adoption_max=39", "adoption"),
    ] {
        let seg = save_segment(&c, name, query).await;
        let res = save(seg.clone()).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let body: Value = res.json().await.unwrap();
        let msg =
            field_error(&body, "segment").unwrap_or_else(|| panic!("a message on segment: {body}"));
        assert!(msg.contains(word) && msg.contains(name), "{msg}");
        let editor = c.ok("health/editor", &[("scope", "default")]).await;
        assert!(!editor["free_segments"].to_string().contains(&seg), "not offered: {editor}");
    }
    assert_eq!(rows(&app, "health_model").await, 1, "only the default model exists");
    let inactive = save_segment(&c, "Inactive", "inactive_days=30&engagement=none,low").await;
    let res = save(inactive).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
}

#[tokio::test]
async fn careless_and_hostile_input_is_ignored_or_refused_never_a_500() {
    let app = spawn_app().await;
    let c = admin(&app).await;
    for name in ["One", "Two"] {
        create_account(&c, name, "smb").await;
    }
    // Nonsense in a bookmarked URL is ignored: the portfolio opens with those filters off.
    let bad = PortfolioFilterQuery(
        "band=purple&adoption_min=abc&inactive_days=-3&engagement=loud&plan=done",
    );
    let f = app::model::PortfolioFilter::from_query_string(bad.0);
    assert!(f.is_empty(), "{f:?}");
    // Posted straight to the server function, wrong types are a 4xx, not a 500.
    for (k, v) in [
        ("filter[adoption_min]", "abc"),
        ("filter[adoption_max]", "-1"),
        ("filter[inactive_days]", "-3"),
        ("filter[adoption_min]", "99999"),
    ] {
        let (status, body) = c.call("accounts/portfolio", &[(k, v)]).await;
        assert!(status.is_client_error() || status == StatusCode::OK, "{k}={v}: {status} {body}");
    }
    let (status, body) =
        c.call("accounts/portfolio", &[("filter[band]", "purple"), ("filter[plan]", "done")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["total"], 2, "unknown values filter nothing");

    // Saving: contradictions and oversized filters are refused by field; nothing is written.
    let body = c
        .invalid(
            "segments/save",
            &[("name", "Nothing"), ("query", "adoption_min=60&adoption_max=20")],
        )
        .await;
    assert!(field_error(&body, "adoption_max").unwrap().contains("below"), "{body}");
    let huge = format!("q={}", "x".repeat(5000));
    let body = c.invalid("segments/save", &[("name", "Huge"), ("query", &huge)]).await;
    assert!(field_error(&body, "name").is_some(), "{body}");
    let body = c
        .invalid("segments/save", &[("name", "Junk"), ("query", "band=purple&inactive_days=-3")])
        .await;
    assert!(field_error(&body, "name").unwrap().contains("at least one filter"), "{body}");
    assert_eq!(rows(&app, "segment").await, 0);

    // Engagement levels: admins only, numbers checked by field.
    let csm = user_with_role(&app, &c, "csm").await;
    let (status, _) = csm
        .call("segments/engagement-levels/save", &[("medium_from", "1"), ("high_from", "4")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let body = c
        .invalid("segments/engagement-levels/save", &[("medium_from", "lots"), ("high_from", "4")])
        .await;
    assert!(field_error(&body, "medium_from").is_some(), "{body}");
    let body = c
        .invalid("segments/engagement-levels/save", &[("medium_from", "5"), ("high_from", "2")])
        .await;
    assert!(field_error(&body, "high_from").is_some(), "{body}");
    c.ok("segments/engagement-levels/save", &[("medium_from", "1,5"), ("high_from", "6")]).await;
    let levels = c.ok("segments/engagement-levels", &[]).await;
    assert_eq!(levels, json!({ "medium_from": 1.5, "high_from": 6.0 }));

    // Strangers: no overview, no live stream.
    let stranger = Client::new(&app);
    let (status, _) = stranger.call("segments/overview", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let res = visitor().get(format!("{}/live/segments", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

/// A raw portfolio query as a bookmark holds it.
struct PortfolioFilterQuery(&'static str);
