//! Floods and forged addresses: the public pages' limit behind a proxy, and the REST API's key
//! check (before the body) and per-key limit.

use crate::common::*;
use reqwest::StatusCode;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn behind_proxy(public_per_minute: u32) -> TestApp {
    spawn_app_with(move |s| {
        let mut s = s.with_limits(app::limits::SIGN_IN_PER_ADDRESS, public_per_minute, 600);
        s.state.client_policy =
            app::limits::ClientAddressPolicy { trust_forwarded_for: true, trusted_proxies: 1 };
        s
    })
    .await
}

async fn statuses(http: &reqwest::Client, url: &str, forwarded: &[String]) -> Vec<StatusCode> {
    let mut out = Vec::new();
    for f in forwarded {
        let res = http.get(url).header("x-forwarded-for", f).send().await.unwrap();
        out.push(res.status());
    }
    out
}

/// The client writes the left of `X-Forwarded-For`; the proxy appends the address it saw. A
/// new made-up address per request used to get a fresh budget (ballot stuffing on anonymous
/// surveys) and a limiter key that was never removed.
#[tokio::test]
async fn made_up_forwarded_addresses_do_not_dodge_the_public_limit() {
    let app = behind_proxy(5).await;
    let http = reqwest::Client::new();
    let url = format!("{}/s/a/{}", app.base, "b".repeat(32));
    let spoofed: Vec<String> =
        (0..12).map(|i| format!("10.9.{}.{}, 203.0.113.7", i / 250, i % 250)).collect();
    let s = statuses(&http, &url, &spoofed).await;
    assert!(s[..5].iter().all(|s| *s == StatusCode::NOT_FOUND), "{s:?}");
    assert!(s[5..].iter().all(|s| *s == StatusCode::TOO_MANY_REQUESTS), "{s:?}");
    // Another real client behind the same proxy has its own budget.
    let other = statuses(&http, &url, &["198.51.100.1, 203.0.113.8".to_string()]).await;
    assert_eq!(other, vec![StatusCode::NOT_FOUND]);
    // The proxy's own address never stands in for everyone: a request without the header is
    // keyed on the peer, separately.
    let res = http.get(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // IPv6 clients rotating through their /64 share one budget.
    let v6: Vec<String> = (1..=8).map(|i| format!("6.6.6.6, 2001:db8:7:7::{i:x}")).collect();
    let s = statuses(&http, &url, &v6).await;
    assert_eq!(s.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count(), 3, "{s:?}");
    let keys = app.state.limits.key_counts();
    assert!(keys.public <= 4, "made-up addresses became keys: {keys:?}");
}

/// Sends the headers of a 16 MB upload without its body and reads the answer: a server that
/// waited for the body before checking the key would never answer.
async fn answer_before_body(base: &str, auth: Option<&str>) -> String {
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let auth = auth.map(|k| format!("Authorization: Bearer {k}\r\n")).unwrap_or_default();
    let head = format!(
        "POST /api/v1/events HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n{auth}Content-Length: 16000000\r\n\r\n["
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
        .await
        .expect("the server answers without waiting for the body")
        .unwrap();
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[tokio::test]
async fn the_api_checks_the_key_before_reading_the_body() {
    let app = spawn_app().await;
    let answer = answer_before_body(&app.base, None).await;
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(answer.contains("missing API key"), "{answer}");
    let answer = answer_before_body(&app.base, Some("bw_madeup")).await;
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    // A real key without the scope: refused before the body too.
    let (_, read_only) =
        app::store::api_keys::create(&app.db, "reader", &["health:read".to_string()], None)
            .await
            .unwrap();
    let answer = answer_before_body(&app.base, Some(&read_only)).await;
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
}

#[tokio::test]
async fn each_api_key_is_held_to_its_rate() {
    let app = spawn_app_with(|s| s.with_limits(app::limits::SIGN_IN_PER_ADDRESS, 120, 5)).await;
    let scopes = ["events:write".to_string()];
    let (_, noisy) = app::store::api_keys::create(&app.db, "noisy", &scopes, None).await.unwrap();
    let (_, quiet) = app::store::api_keys::create(&app.db, "quiet", &scopes, None).await.unwrap();
    let http = reqwest::Client::new();
    let send = |key: String| {
        let http = http.clone();
        let url = format!("{}/api/v1/events", app.base);
        async move { http.post(url).bearer_auth(key).json(&serde_json::json!([])).send().await.unwrap() }
    };
    let mut codes = Vec::new();
    for _ in 0..7 {
        codes.push(send(noisy.clone()).await.status());
    }
    assert!(codes[..5].iter().all(|s| *s == StatusCode::ACCEPTED), "{codes:?}");
    assert_eq!(codes[6], StatusCode::TOO_MANY_REQUESTS, "{codes:?}");
    let res = send(noisy.clone()).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait = super::retry_after(&res);
    assert!((1..=13).contains(&wait), "Retry-After {wait}");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["status"], 429);
    // Another key is not held back by the noisy one.
    assert_eq!(send(quiet).await.status(), StatusCode::ACCEPTED);
}
