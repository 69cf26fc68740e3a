//! Sending usage events like an analytics pipeline: the batches, the accounts they go to, and
//! the load generator that posts them to `POST /api/v1/events` (the health and alerts
//! benchmarks share them).

#![allow(dead_code)]

use super::err;
use bellwether::seed::FEATURES;
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Batch `n` as an analytics pipeline would send it: a time slice of the stream, 1 000 events
/// from 50 active accounts (20 each: logins and feature use by their users) on one day.
pub fn batch(n: u64, accounts: &[String], prefix: &str) -> Vec<serde_json::Value> {
    let now = chrono::Utc::now();
    let day = now - chrono::Duration::days((n % 30) as i64) - chrono::Duration::minutes(10);
    let mut out = Vec::with_capacity(1000);
    for a in 0..50u64 {
        let acc = &accounts[((n * 50 + a) * 7919 % accounts.len() as u64) as usize];
        for e in 0..20u64 {
            let login = e % 3 == 0;
            let mut ev = json!({
                "account_id": acc,
                "kind": if login { "login" } else { "feature_used" },
                "contact_email": format!("user{}@bench.example", e % 8),
                "at": (day - chrono::Duration::seconds(e as i64)).to_rfc3339(),
                "idempotency_key": format!("{prefix}-{n}-{a}-{e}"),
            });
            if !login {
                ev["feature"] = json!(FEATURES[(e as usize + a as usize) % FEATURES.len()]);
            }
            out.push(ev);
        }
    }
    out
}

/// One run, in a fixed order on one database and server, so the figures can be compared:
/// accounts, then raw inserts, then the API, then a full re-score, then event-to-score latency.
/// Where the API is: the client, the server's base URL and an API key.
pub struct Target<'a> {
    pub http: &'a reqwest::Client,
    pub base: &'a str,
    pub key: &'a str,
}

/// `n` accounts, inserted directly (the portfolio index loads them at start); returns their ids.
pub async fn insert_accounts(
    db: &app::store::Db, n_accounts: usize,
) -> anyhow::Result<Vec<String>> {
    let mut ids = Vec::with_capacity(n_accounts);
    for chunk in 0..n_accounts.div_ceil(1000) {
        let mut rows = Vec::new();
        for i in chunk * 1000..((chunk + 1) * 1000).min(n_accounts) {
            let id = app::store::new_key();
            rows.push(json!({
                "id": id, "name": format!("Bench {i:05}"), "name_key": format!("bench {i:05}"),
                "tier": "smb", "industry": "Software", "stage": "growth", "arr_minor": 1_000_000 + i as i64,
                "currency": "USD", "contract_start": "2025-01-01T00:00:00Z", "renewal_date": "2027-01-01T00:00:00Z",
            }));
            ids.push(id);
        }
        app::store::accounts::insert_batch(db, rows, vec![], vec![]).await.map_err(err)?;
    }
    Ok(ids)
}

/// Phase 2, through the API: until every batch is in (the streaming recompute runs alongside, as it
/// would in production). Returns the sorted batch latencies (ms), the failed batches and the
/// seconds taken.
pub async fn api_ingest(
    api: &Target<'_>, bodies: Arc<Vec<String>>, conc: u64,
) -> anyhow::Result<(Vec<f64>, u64, f64)> {
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..conc {
        let (http, bodies, next, base, key) = (
            api.http.clone(),
            bodies.clone(),
            next.clone(),
            api.base.to_string(),
            api.key.to_string(),
        );
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut failed = 0u64;
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= bodies.len() as u64 {
                    break;
                }
                let t = Instant::now();
                let r = http
                    .post(format!("{base}/api/v1/events"))
                    .bearer_auth(&key)
                    .header("content-type", "application/json")
                    .body(bodies[n as usize].clone())
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == 202 => lat.push(t.elapsed().as_secs_f64() * 1000.0),
                    Ok(r) => {
                        failed += 1;
                        eprintln!(
                            "batch {n}: {} {}",
                            r.status(),
                            r.text().await.unwrap_or_default()
                        );
                    }
                    Err(e) => {
                        failed += 1;
                        eprintln!("batch {n}: {e}");
                    }
                }
            }
            (lat, failed)
        }));
    }
    let mut lat = Vec::new();
    let mut failed = 0;
    for t in tasks {
        let (l, f) = t.await?;
        lat.extend(l);
        failed += f;
    }
    let api_secs = started.elapsed().as_secs_f64();
    lat.sort_by(f64::total_cmp);
    Ok((lat, failed, api_secs))
}
