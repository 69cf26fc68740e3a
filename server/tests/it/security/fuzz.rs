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

#[tokio::test]
async fn random_input_to_public_surfaces_never_breaks_the_server() {
    let app = spawn_app_with(|s| s.with_limits(1000, 100_000, 100_000)).await;
    let admin = admin(&app).await;
    let (account, plan_id, share_url) = shared_plan(&admin, "Fuzz Co").await;
    let (s, survey) = admin
        .call(
            "surveys/create",
            &[
                ("input[name]", "Fuzz NPS"),
                ("input[kind]", "nps"),
                ("input[audience]", "accounts"),
                ("input[ids][0]", account.as_str()),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{survey}");
    let survey_url = format!("{}/s/a/{}", app.base, survey["public_key"].as_str().unwrap());
    let (_, key) =
        app::store::api_keys::create(&app.db, "fuzz", &["events:write".to_string()], None)
            .await
            .unwrap();
    let plan = admin.ok("plans/get", &[("id", plan_id.as_str())]).await;
    let mut ids: Vec<String> = plan["plan"]["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["tasks"].as_array().unwrap().clone())
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    ids.extend(
        plan["plan"]["objectives"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_string()),
    );

    let mut rng = ChaCha8Rng::seed_from_u64(seed());
    let http = visitor();

    // 1. The events API.
    let started = Instant::now();
    let mut accepted_total = 0;
    for round in 0..ROUNDS {
        if started.elapsed() > BUDGET {
            break;
        }
        let body: Vec<u8> = match rng.gen_range(0..4) {
            0 => random_bytes(&mut rng),
            1 => serde_json::to_vec(&random_json(&mut rng, 0)).unwrap(),
            _ => {
                let events: Vec<Value> =
                    (0..rng.gen_range(0..20)).map(|_| random_event(&mut rng, &account)).collect();
                let v = if rng.gen_bool(0.5) { json!(events) } else { json!({ "events": events }) };
                serde_json::to_vec(&v).unwrap()
            }
        };
        let before = rows(&app, "usage_event").await;
        let res = http
            .post(format!("{}/api/v1/events", app.base))
            .bearer_auth(&key)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("round {round}: connection failed: {e}"));
        let status = res.status();
        assert!(status.is_success() || status.is_client_error(), "round {round}: {status}");
        assert!(content_type(&res).starts_with("application/json"));
        let answer: Value = res.json().await.expect("a JSON body");
        let after = rows(&app, "usage_event").await;
        let accepted = answer["accepted"].as_u64().unwrap_or(0);
        if status == StatusCode::ACCEPTED || status == StatusCode::UNPROCESSABLE_ENTITY {
            assert_eq!(after - before, accepted, "round {round}: {answer}");
            accepted_total += accepted;
        } else {
            assert_eq!(after, before, "round {round}: refused, yet rows changed");
        }
    }
    eprintln!("events: {accepted_total} accepted in the fuzz run");

    // 2. The anonymous survey.
    let started = Instant::now();
    for round in 0..ROUNDS {
        if started.elapsed() > BUDGET {
            break;
        }
        let body = random_form(&mut rng, &["score", "comment", "q1", "q2"]);
        let before = rows(&app, "survey_response").await;
        let res = http
            .post(&survey_url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("survey round {round}: {e}"));
        let status = res.status();
        let after = rows(&app, "survey_response").await;
        if status == StatusCode::SEE_OTHER {
            assert_eq!(after, before + 1, "survey round {round}");
        } else {
            assert!(status.is_client_error(), "survey round {round}: {status}");
            assert!(content_type(&res).starts_with("text/html"), "survey round {round}");
            assert!(!res.text().await.unwrap().contains("<script"));
            assert_eq!(after, before, "survey round {round}: refused, yet recorded");
        }
    }

    // 3. The shared plan: the live link with random targets, and forged links.
    let started = Instant::now();
    for round in 0..ROUNDS {
        if started.elapsed() > BUDGET {
            break;
        }
        let base = if rng.gen_bool(0.7) {
            share_url.clone()
        } else {
            let mut forged = share_url.clone();
            let cut = forged.len() - rng.gen_range(1..6);
            forged.truncate(cut);
            forged.push_str(
                &nasty_string(&mut rng)
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .take(8)
                    .collect::<String>(),
            );
            forged
        };
        let target = if rng.gen_bool(0.7) && !ids.is_empty() {
            ids[rng.gen_range(0..ids.len())].clone()
        } else {
            format!("{:x}", rng.gen::<u64>())
        };
        let path = match rng.gen_range(0..3) {
            0 => format!("{base}/tasks/{target}"),
            1 => format!("{base}/objectives/{target}"),
            _ => format!("{base}/comments"),
        };
        let body = random_form(&mut rng, &["done", "value", "text", "comment"]);
        let before = rows(&app, "plan_event").await;
        let res = http
            .post(&path)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("plan round {round}: {e}"));
        let status = res.status();
        let after = rows(&app, "plan_event").await;
        if status == StatusCode::SEE_OTHER {
            assert!(after >= before, "plan round {round}");
        } else {
            assert!(status.is_client_error(), "plan round {round}: {status} {path}");
            assert!(content_type(&res).starts_with("text/html"), "plan round {round}");
            assert_eq!(after, before, "plan round {round}: refused, yet changed");
        }
    }
    // Still healthy after all that.
    let res = http.get(format!("{}/healthz", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}
