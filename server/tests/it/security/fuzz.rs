//! A seeded random fuzzer against the surfaces anyone can reach: `POST /api/v1/events` (with a
//! valid key), the anonymous survey POST, and the shared-plan POSTs (with a live link and with
//! forged ones). Every answer must be a 2xx/3xx/4xx with a JSON (API) or HTML (pages) body —
//! never a 5xx, never a dropped connection (a panic) — and rows may change only when the
//! answer says the input was accepted.
//!
//! Bounded: a fixed number of rounds per surface and a time budget. `BW_FUZZ_SEED=n` replays a
//! run; the seed is printed.

use super::shared_plan;
use crate::common::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const ROUNDS: usize = 150;
const BUDGET: Duration = Duration::from_secs(6);

fn seed() -> u64 {
    let s = std::env::var("BW_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::thread_rng().gen());
    eprintln!("fuzz seed {s} (BW_FUZZ_SEED={s} replays it)");
    s
}

/// Text that stresses parsers: empty, long, control characters, markup, quotes, non-ASCII,
/// numbers as text, SurrealQL and formula fragments.
fn nasty_string(rng: &mut ChaCha8Rng) -> String {
    const PIECES: &[&str] = &[
        "",
        "login",
        "feature_used",
        "reports",
        "0",
        "-1",
        "1e309",
        "NaN",
        "null",
        "true",
        "2026-11-23T09:12:00Z",
        "2099-01-01T00:00:00Z",
        "1970-01-01T00:00:00Z",
        "not a date",
        "ann@acme.com",
        "@",
        "a@b",
        "<script>alert(1)</script>",
        "'; DELETE account; --",
        "\" OR 1=1",
        "=HYPERLINK(\"x\")",
        "\u{0}",
        "\r\n",
        "\t",
        "é",
        "🦀",
        "\u{202e}",
        "../../etc/passwd",
        "account:⟨x⟩",
        "$value",
        "{}",
        "[]",
    ];
    let mut s = String::new();
    for _ in 0..rng.gen_range(0..4) {
        s.push_str(PIECES[rng.gen_range(0..PIECES.len())]);
    }
    if rng.gen_bool(0.1) {
        s.push_str(&"x".repeat(rng.gen_range(200..5000)));
    }
    s
}

fn random_json(rng: &mut ChaCha8Rng, depth: u32) -> Value {
    match rng.gen_range(0..if depth > 2 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => json!(rng.gen::<bool>()),
        2 => match rng.gen_range(0..4) {
            0 => json!(rng.gen::<i64>()),
            1 => json!(rng.gen::<f64>() * 1e12),
            2 => json!(u64::MAX),
            _ => json!(-1),
        },
        3 | 4 => json!(nasty_string(rng)),
        5 => Value::Array((0..rng.gen_range(0..5)).map(|_| random_json(rng, depth + 1)).collect()),
        _ => {
            let mut m = serde_json::Map::new();
            for _ in 0..rng.gen_range(0..6) {
                m.insert(nasty_string(rng), random_json(rng, depth + 1));
            }
            Value::Object(m)
        }
    }
}

/// An event-shaped object: the real field names with valid and invalid values mixed.
fn random_event(rng: &mut ChaCha8Rng, account: &str) -> Value {
    let mut m = serde_json::Map::new();
    let now = chrono::Utc::now();
    let pick = |rng: &mut ChaCha8Rng, good: Value| {
        if rng.gen_bool(0.7) {
            good
        } else {
            random_json(rng, 2)
        }
    };
    if rng.gen_bool(0.8) {
        let v = pick(rng, json!(account));
        m.insert("account_id".into(), v);
    }
    if rng.gen_bool(0.2) {
        let v = pick(rng, json!("ext-unknown"));
        m.insert("external_id".into(), v);
    }
    let kind = ["login", "feature_used", "report.export", "Bad Kind!"][rng.gen_range(0..4)];
    let v = pick(rng, json!(kind));
    m.insert("kind".into(), v);
    if rng.gen_bool(0.5) {
        let v = pick(rng, json!("reports"));
        m.insert("feature".into(), v);
    }
    let at = (now - chrono::Duration::minutes(rng.gen_range(0..10_000))).to_rfc3339();
    let v = pick(rng, json!(at));
    m.insert("at".into(), v);
    let key = format!("fuzz-{}", rng.gen::<u32>() % 50);
    let v = pick(rng, json!(key));
    m.insert("idempotency_key".into(), v);
    if rng.gen_bool(0.3) {
        let v = pick(rng, json!("ann@acme.com"));
        m.insert("contact_email".into(), v);
    }
    Value::Object(m)
}

fn random_bytes(rng: &mut ChaCha8Rng) -> Vec<u8> {
    let n = rng.gen_range(0..2048);
    (0..n).map(|_| rng.gen()).collect()
}

/// A random form body: sometimes raw bytes, sometimes fields that look right.
fn random_form(rng: &mut ChaCha8Rng, fields: &[&str]) -> Vec<u8> {
    if rng.gen_bool(0.3) {
        return random_bytes(rng);
    }
    let mut parts = Vec::new();
    for _ in 0..rng.gen_range(0..5) {
        let k = if rng.gen_bool(0.8) {
            fields[rng.gen_range(0..fields.len())].to_string()
        } else {
            nasty_string(rng)
        };
        let v = match rng.gen_range(0..4) {
            0 => rng.gen_range(-3..14).to_string(),
            1 => "on".to_string(),
            _ => nasty_string(rng),
        };
        let enc = |s: &str| {
            s.bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect::<String>()
        };
        parts.push(format!("{}={}", enc(&k), enc(&v)));
    }
    parts.join("&").into_bytes()
}

fn content_type(res: &reqwest::Response) -> String {
    res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
}

/// The rounds one surface gets: [`ROUNDS`], or fewer once [`BUDGET`] is spent.
fn rounds() -> impl Iterator<Item = usize> {
    let started = Instant::now();
    (0..ROUNDS).take_while(move |_| started.elapsed() <= BUDGET)
}

/// Sends `req` with the raw `body` as `content_type`; a dropped connection (a panic in the
/// server) fails the round named `label`.
async fn post_raw(
    req: reqwest::RequestBuilder, content_type: &str, body: Vec<u8>, label: &str,
) -> reqwest::Response {
    let req = req.header("content-type", content_type).body(body);
    req.send().await.unwrap_or_else(|e| panic!("{label}: connection failed: {e}"))
}

/// A public page refusing a fuzzed form: a 4xx HTML page without script, and the table's
/// rows as they were (`before`, `after`).
async fn refused_page(res: reqwest::Response, before: u64, after: u64, label: &str) {
    let status = res.status();
    assert!(status.is_client_error(), "{label}: {status}");
    assert!(content_type(&res).starts_with("text/html"), "{label}");
    assert!(!res.text().await.unwrap().contains("<script"), "{label}");
    assert_eq!(after, before, "{label}: refused, yet changed");
}

const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test]
async fn random_input_to_public_surfaces_never_breaks_the_server() {
    let app = spawn_app_with(|s| s.with_limits(1000, 100_000, 100_000)).await;
    let admin = admin(&app).await;
    let (account, plan_id, share_url) = shared_plan(&admin, "Fuzz Co").await;
    let (s, survey) = create_survey(&admin, "Fuzz NPS", "nps", &[&account]).await;
    assert_eq!(s, StatusCode::OK, "{survey}");
    let targets = task_and_objective_ids(&plan_detail(&admin, &plan_id).await);

    let mut rng = ChaCha8Rng::seed_from_u64(seed());
    fuzz_the_events_api(&app, &mut rng, &account).await;
    fuzz_the_anonymous_survey(&app, &mut rng, &anonymous_link(&app, &survey)).await;
    fuzz_the_shared_plan(&app, &mut rng, &share_url, &targets).await;

    // Still healthy after all that.
    let res = visitor().get(format!("{}/healthz", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

/// Random batches (bytes, JSON, event-shaped objects) with a valid key: a JSON answer, and
/// exactly the accepted events stored.
async fn fuzz_the_events_api(app: &TestApp, rng: &mut ChaCha8Rng, account: &str) {
    let scopes = ["events:write".to_string()];
    let (_, key) = app::store::api_keys::create(&app.db, "fuzz", &scopes, None).await.unwrap();
    let http = visitor();
    let mut accepted_total = 0;
    for round in rounds() {
        let label = format!("events round {round}");
        let body: Vec<u8> = match rng.gen_range(0..4) {
            0 => random_bytes(rng),
            1 => serde_json::to_vec(&random_json(rng, 0)).unwrap(),
            _ => {
                let events: Vec<Value> =
                    (0..rng.gen_range(0..20)).map(|_| random_event(rng, account)).collect();
                let v = if rng.gen_bool(0.5) { json!(events) } else { json!({ "events": events }) };
                serde_json::to_vec(&v).unwrap()
            }
        };
        let before = rows(app, "usage_event").await;
        let req = http.post(format!("{}/api/v1/events", app.base)).bearer_auth(&key);
        let res = post_raw(req, "application/json", body, &label).await;
        let status = res.status();
        assert!(status.is_success() || status.is_client_error(), "{label}: {status}");
        assert!(content_type(&res).starts_with("application/json"));
        let answer: Value = res.json().await.expect("a JSON body");
        let after = rows(app, "usage_event").await;
        let accepted = answer["accepted"].as_u64().unwrap_or(0);
        if status == StatusCode::ACCEPTED || status == StatusCode::UNPROCESSABLE_ENTITY {
            assert_eq!(after - before, accepted, "{label}: {answer}");
            accepted_total += accepted;
        } else {
            assert_eq!(after, before, "{label}: refused, yet rows changed");
        }
    }
    eprintln!("events: {accepted_total} accepted in the fuzz run");
}

/// Random forms to the anonymous survey link: one response per redirect, else a refusal page.
async fn fuzz_the_anonymous_survey(app: &TestApp, rng: &mut ChaCha8Rng, survey_url: &str) {
    let http = visitor();
    for round in rounds() {
        let label = format!("survey round {round}");
        let body = random_form(rng, &["score", "comment", "q1", "q2"]);
        let before = rows(app, "survey_response").await;
        let res = post_raw(http.post(survey_url), FORM, body, &label).await;
        let after = rows(app, "survey_response").await;
        if res.status() == StatusCode::SEE_OTHER {
            assert_eq!(after, before + 1, "{label}");
        } else {
            refused_page(res, before, after, &label).await;
        }
    }
}

/// Random forms to the shared plan's task, objective and comment addresses — on the live link
/// with real and made-up `targets`, and on forged links.
async fn fuzz_the_shared_plan(
    app: &TestApp, rng: &mut ChaCha8Rng, share_url: &str, targets: &[String],
) {
    let http = visitor();
    for round in rounds() {
        let base = if rng.gen_bool(0.7) {
            share_url.to_string()
        } else {
            let mut forged = share_url.to_string();
            let cut = forged.len() - rng.gen_range(1..6);
            forged.truncate(cut);
            forged.push_str(
                &nasty_string(rng)
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .take(8)
                    .collect::<String>(),
            );
            forged
        };
        let target = if rng.gen_bool(0.7) && !targets.is_empty() {
            targets[rng.gen_range(0..targets.len())].clone()
        } else {
            format!("{:x}", rng.gen::<u64>())
        };
        let path = match rng.gen_range(0..3) {
            0 => format!("{base}/tasks/{target}"),
            1 => format!("{base}/objectives/{target}"),
            _ => format!("{base}/comments"),
        };
        let label = format!("plan round {round} ({path})");
        let body = random_form(rng, &["done", "value", "text", "comment"]);
        let before = rows(app, "plan_event").await;
        let res = post_raw(http.post(&path), FORM, body, &label).await;
        let after = rows(app, "plan_event").await;
        if res.status() == StatusCode::SEE_OTHER {
            assert!(after >= before, "{label}");
        } else {
            refused_page(res, before, after, &label).await;
        }
    }
}
