//! Sessions that end when they should: live streams after sign-out or deactivation, password
//! change, sign out everywhere, the idle timeout, and a planted session token at sign-in.

use crate::common::*;
use reqwest::StatusCode;
use std::time::Duration;

/// Asks for the account live stream with `c`'s session.
async fn ask_for_stream(c: &Client) -> reqwest::Response {
    c.get_accepting("/live/accounts/anything", "text/event-stream").await
}

/// Opens the account live stream with `c`'s session; the response must be a stream.
async fn open_stream(c: &Client) -> reqwest::Response {
    let res = ask_for_stream(c).await;
    assert_eq!(res.status(), StatusCode::OK);
    res
}

/// True when the stream ends within `within`.
async fn ends_within(mut res: reqwest::Response, within: Duration) -> bool {
    tokio::time::timeout(within, async {
        loop {
            match res.chunk().await {
                Ok(Some(_)) => continue,
                _ => return,
            }
        }
    })
    .await
    .is_ok()
}

async fn signed_in(c: &Client) -> bool {
    let me = c.ok("auth/me", &[]).await;
    !me.is_null()
}

#[tokio::test]
async fn a_live_stream_ends_at_sign_out_and_at_deactivation() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    // Sign-out on this node: the stream ends at once.
    let stream = open_stream(&admin).await;
    let (s, _) = admin.call("auth/logout", &[]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(ends_within(stream, Duration::from_secs(3)).await);
    // Without a session no stream opens.
    assert_eq!(ask_for_stream(&admin).await.status(), StatusCode::UNAUTHORIZED);

    // Deactivation: the CSM's open stream ends at once.
    let admin = admin_elsewhere(&app).await;
    let csm = user_with_role(&app, &admin, "csm").await;
    let csm_id = csm.my_id().await;
    let stream = open_stream(&csm).await;
    admin.ok("users/access", &access_form(&csm_id, "csm", "false")).await;
    assert!(ends_within(stream, Duration::from_secs(3)).await);
}

/// A session ended elsewhere (another node, expiry) ends the stream at the next re-check.
#[tokio::test]
async fn a_live_stream_notices_a_session_ended_on_another_node() {
    let app = spawn_app_with(|mut s| {
        s.state.live_recheck = Duration::from_secs(1);
        s
    })
    .await;
    let admin = admin(&app).await;
    let stream = open_stream(&admin).await;
    // What another node's sign-out does: the session row goes.
    app.db.query("DELETE session").await.unwrap();
    assert!(ends_within(stream, Duration::from_secs(4)).await);
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions() {
    let app = spawn_app().await;
    /// The password change form.
    fn change<'a>(current: &'a str, new_password: &'a str) -> [(&'a str, &'a str); 2] {
        [("current", current), ("new_password", new_password)]
    }
    const NEW: &str = "a brand new passphrase";
    let laptop = admin(&app).await;
    let phone = admin_elsewhere(&app).await;
    // Wrong current password, too-short new one: named, nothing changed.
    let endpoint = "auth/change_password";
    laptop.refused(endpoint, &change("not my password", "short"), ["new_password"]).await;
    laptop.refused(endpoint, &change("not my password", NEW), ["current"]).await;
    assert!(signed_in(&phone).await);
    // An attacker without a session cannot change anything.
    let (s, _) = Client::new(&app).call(endpoint, &change(ADMIN_PASS, "owned by eve now")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    laptop.ok(endpoint, &change(ADMIN_PASS, NEW)).await;
    assert!(signed_in(&laptop).await, "this session stays");
    assert!(!signed_in(&phone).await, "the other session ended");
    let c = Client::new(&app);
    let (s, _) = c.sign_in(ADMIN_EMAIL, ADMIN_PASS).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "the old password is dead");
    let (s, _) = c.sign_in(ADMIN_EMAIL, NEW).await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session() {
    let app = spawn_app().await;
    let laptop = admin(&app).await;
    let phone = admin_elsewhere(&app).await;
    let csm = user_with_role(&app, &laptop, "csm").await;
    let n = phone.ok("auth/logout_everywhere", &[]).await;
    assert_eq!(n, 2);
    assert!(!signed_in(&laptop).await);
    assert!(!signed_in(&phone).await);
    assert!(signed_in(&csm).await, "other people stay signed in");
}

#[tokio::test]
async fn an_idle_session_ends() {
    let app = spawn_app_with(|mut s| {
        s.state.session_idle = chrono::Duration::seconds(2);
        s
    })
    .await;
    let c = admin(&app).await;
    assert!(signed_in(&c).await);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(!signed_in(&c).await, "idle for longer than the timeout");
    // Purging removes it from the database too.
    app::store::sessions::purge_expired(&app.db, app.state.session_idle).await.unwrap();
    let mut r = app.db.query("SELECT VALUE id FROM session").await.unwrap();
    let left: Vec<surrealdb::types::Value> = r.take(0).unwrap();
    assert!(left.is_empty());
}

/// Session fixation: a token planted in the victim's browser before they sign in must not
/// become their signed-in session, and a new token is issued at every sign-in.
#[tokio::test]
async fn signing_in_rotates_the_session() {
    let app = spawn_app().await;
    let _admin = admin(&app).await;
    let raw = reqwest::Client::new();
    let login = |cookie: Option<String>| {
        let mut req = raw
            .post(format!("{}/api/auth/login", app.base))
            .header("accept", "application/json")
            .form(&ADMIN_LOGIN);
        if let Some(c) = cookie {
            req = req.header("cookie", format!("bw_session={c}"));
        }
        req.send()
    };
    let planted = super::cookie_token(&login(None).await.unwrap());
    let res = login(Some(planted.clone())).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let fresh = super::cookie_token(&res);
    assert_ne!(fresh, planted);
    let planted_me = super::me_with_cookie(&app, &format!("bw_session={planted}")).await;
    assert!(planted_me.is_null(), "the planted session ended");
    let fresh_me = super::me_with_cookie(&app, &format!("bw_session={fresh}")).await;
    assert_eq!(fresh_me["email"], "ada@example.com");
}

/// A page is rendered for the person the server looked up before rendering it
/// (`page_visitor`): a missing, forged, oversized or ended session cookie is sent to sign in —
/// never a server error, never someone's page — and a live one gets the page with its name.
#[tokio::test]
async fn pages_know_the_visitor_only_by_a_live_session() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let raw = reqwest::Client::new();
    let token = super::cookie_token(
        &raw.post(format!("{}/api/auth/login", app.base))
            .header("accept", "application/json")
            .form(&ADMIN_LOGIN)
            .send()
            .await
            .unwrap(),
    );
    let page = |cookie: Option<String>, path: &'static str| {
        let mut req = visitor().get(format!("{}{path}", app.base)).header("accept", "text/html");
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        req.send()
    };
    let refused = [
        None,
        Some("bw_session=forged".to_string()),
        Some(format!("bw_session={}", "A".repeat(4000))),
        Some(format!("bw_session={token}x")),
    ];
    for cookie in refused {
        for path in ["/", "/accounts/anything", "/settings"] {
            let res = page(cookie.clone(), path).await.unwrap();
            assert!(res.status().is_redirection(), "{path} {cookie:?}: {}", res.status());
            let to = res.headers()["location"].to_str().unwrap();
            assert!(to.starts_with("/login"), "{path}: sent to {to}");
        }
    }
    let live = Some(format!("bw_session={token}"));
    let res = page(live.clone(), "/").await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("Ada"), "the signed-in frame names the person");
    // Signed out everywhere: the same cookie is a stranger's again.
    admin.ok("auth/logout_everywhere", &[]).await;
    let res = page(live, "/").await.unwrap();
    assert!(res.status().is_redirection(), "an ended session is sent to sign in");
}
