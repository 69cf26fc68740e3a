//! Sign-in and set-up under attack: oversized emails, floods, lock-out of a real admin, password
//! spraying, claiming a fresh instance, and redirects to another site after sign-in.

use crate::common::*;
use reqwest::StatusCode;
use std::time::{Duration, Instant};

/// The admin signs in from `addr`, another desk than the attacker's; it must succeed.
async fn admin_signs_in_from(app: &TestApp, addr: &str) {
    let (status, body) = Client::from_addr(app, addr).sign_in(ADMIN_EMAIL, ADMIN_PASS).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// A sign-in form whose email is 900 KB of hex: it must be refused as a malformed email
/// without becoming a rate-limiter key or costing a password hash.
#[tokio::test]
async fn oversized_emails_are_refused_and_a_real_sign_in_still_gets_through_the_flood() {
    let app = spawn_app().await;
    let _admin = admin(&app).await;
    let huge = "ab".repeat(450_000);
    let attacker = Client::from_addr(&app, "127.0.0.2");
    let (started_tx, started_rx) = tokio::sync::oneshot::channel();
    let flood = {
        let http = attacker.http.clone();
        let url = format!("{}/api/auth/login", app.base);
        let body = format!("email={huge}&password=x");
        tokio::spawn(async move {
            let mut statuses = Vec::new();
            let mut started = Some(started_tx);
            // 300 requests, 6 at a time.
            for round in 0..50 {
                if round == 5 {
                    let _ = started.take().map(|tx| tx.send(()));
                }
                let batch: Vec<_> = (0..6)
                    .map(|_| {
                        http.post(&url)
                            .header("content-type", "application/x-www-form-urlencoded")
                            .header("accept", "application/json")
                            .body(body.clone())
                            .send()
                    })
                    .collect();
                for r in futures::future::join_all(batch).await {
                    let r = r.expect("request");
                    let status = r.status();
                    let text = r.text().await.unwrap_or_default();
                    statuses.push((status, text.len()));
                }
            }
            statuses
        })
    };
    // Meanwhile the admin signs in from elsewhere, promptly.
    started_rx.await.unwrap();
    let started = Instant::now();
    admin_signs_in_from(&app, "127.0.0.3").await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "sign-in took {took:?} during the flood");
    assert!(!flood.is_finished(), "the flood should still be running");

    let statuses = flood.await.unwrap();
    assert_eq!(statuses.len(), 300);
    assert!(
        statuses.iter().all(|(s, len)| *s == StatusCode::UNPROCESSABLE_ENTITY && *len < 1000),
        "every oversized email is a short 422: {:?}",
        &statuses[..3]
    );
    // The message names the field.
    let (s, b) = attacker.sign_in(&"x".repeat(300), "x").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&b, "email").unwrap().contains("email address"));
    // None of it became a limiter key: only the admin's own sign-ins did.
    let keys = app.state.limits.key_counts();
    assert!(
        keys.sign_in_address_email <= 2,
        "limiter keys: {keys:?} (the oversized emails must not be stored)"
    );
}

/// One bad password every few seconds used to keep the admin answering 429 forever. Now the
/// guesser's address is throttled and the admin, signing in from elsewhere, is not.
#[tokio::test]
async fn a_guesser_is_throttled_and_the_admin_elsewhere_is_not_locked_out() {
    let app = spawn_app().await;
    let _admin = admin(&app).await;
    let guesser = Client::from_addr(&app, "127.0.0.2");
    assert_throttled_after(&wrong_sign_ins(&guesser, ADMIN_EMAIL, 12).await, 10);
    // Even the right password is refused from the guesser's address for now…
    let res = guesser.request("auth/login", &ADMIN_LOGIN).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait = super::retry_after(&res);
    assert!((1..=61).contains(&wait), "Retry-After {wait}");
    // …while the admin at their desk signs in at once.
    admin_signs_in_from(&app, "127.0.0.3").await;
}

/// One password tried against many staff emails from one address runs into the per-address
/// limit long before it covers a team.
#[tokio::test]
async fn spraying_one_password_across_emails_is_cut_off_per_address() {
    let app = spawn_app().await;
    let _admin = admin(&app).await;
    let sprayer = Client::from_addr(&app, "127.0.0.4");
    let mut refused = 0;
    let mut tried = 0;
    for i in 0..45 {
        let (s, _) = sprayer.sign_in(&format!("staff{i}@example.com"), "Winter2026!!").await;
        match s {
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            StatusCode::UNPROCESSABLE_ENTITY => tried += 1,
            other => panic!("unexpected {other}"),
        }
    }
    // The budget refills one attempt every two seconds while the loop runs.
    let budget = app::limits::SIGN_IN_PER_ADDRESS as usize;
    assert!((budget..=budget + 4).contains(&tried), "{tried} tried");
    assert_eq!(refused, 45 - tried);
    admin_signs_in_from(&app, "127.0.0.5").await;
}

/// The first visitor of a fresh instance cannot make themselves admin without the code the
/// server printed to its log; guessing the code is throttled like passwords.
#[tokio::test]
async fn a_fresh_instance_cannot_be_claimed_without_the_setup_code() {
    let app = spawn_app().await;
    let visitor = Client::from_addr(&app, "127.0.0.2");
    let form = |code: &'static str| {
        vec![
            ("email", "eve@evil.example"),
            ("name", "Eve"),
            ("password", "a long password"),
            ("setup_code", code),
        ]
    };
    let [missing] = visitor.refused("auth/setup", &form(""), ["setup_code"]).await;
    assert!(missing.contains("log"));
    visitor.refused("auth/setup", &form("AAAA-BBBB-CCCC-DDDD"), ["setup_code"]).await;
    assert_eq!(app::store::users::count(&app.db).await.unwrap(), 0);
    // Guessing: the address runs out of attempts.
    let mut last = StatusCode::OK;
    for _ in 0..40 {
        last = visitor.call("auth/setup", &form("AAAA-BBBB-CCCC-DDDE")).await.0;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app::store::users::count(&app.db).await.unwrap(), 0);

    // The operator, with the code (typed in lower case, without dashes), sets up.
    let operator = Client::from_addr(&app, "127.0.0.3");
    let typed = app.setup_code.replace('-', "").to_lowercase();
    operator.ok("auth/setup", &setup_form("Ada", &typed)).await;
    // The code is spent, and set-up is closed.
    operator
        .expect(
            StatusCode::FORBIDDEN,
            "auth/setup",
            &[
                ("email", "bob@example.com"),
                ("name", "Bob"),
                ("password", ADMIN_PASS),
                ("setup_code", &app.setup_code),
            ],
        )
        .await;
    assert!(!app::store::setup_codes::any_live(&app.db).await.unwrap());
}

/// `next` after sign-in is decided by the server: only a path on this site.
#[tokio::test]
async fn sign_in_only_ever_sends_people_to_a_path_on_this_site() {
    let app = spawn_app().await;
    let _admin = admin(&app).await;
    let c = Client::new(&app);
    for (asked, expected) in [
        ("/accounts/42?tab=plans", "/accounts/42?tab=plans"),
        ("/\t/evil.example", "/"),
        ("/\n/evil.example", "/"),
        ("/\r\n/evil.example", "/"),
        ("/\\evil.example", "/"),
        ("//evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/%09/evil.example", "/%09/evil.example"),
    ] {
        let b = c
            .ok("auth/login", &[("email", ADMIN_EMAIL), ("password", ADMIN_PASS), ("next", asked)])
            .await;
        assert_eq!(b["next"], expected, "next={asked:?}");
    }
}
