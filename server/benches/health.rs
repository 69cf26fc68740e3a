//! Health-score figures (BENCHMARKS.md): usage events ingested through `POST /api/v1/events` in
//! batches of 1 000, compared in the same run with raw SurrealDB inserts of the same rows; the
//! time to re-score every account with a million events behind them; and the latency from an
//! event to its account's new stored score.
//!
//! Run: `scripts/bench-health.sh` (or `cargo bench -p server --bench health`).
//! Knobs: BENCH_ACCOUNTS (10 000), BENCH_EVENTS (1 000 000), BENCH_CONC (4), BENCH_SECS (10),
//! BENCH_SAMPLES (50). Bounded: ingestion stops after BENCH_EVENTS, the raw phase after
//! BENCH_SECS; everything listens on 127.0.0.1 only.

use common::ingest::{api_ingest, batch, insert_accounts, Target};
use common::{cores, cpu_model, env, err, open_db, pct, serve};
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    common::init_tracing();
    let n_accounts = env("BENCH_ACCOUNTS", 10_000) as usize;
    let n_events = env("BENCH_EVENTS", 1_000_000);
    let conc = env("BENCH_CONC", 4);
    let secs = env("BENCH_SECS", 10);
    let samples = env("BENCH_SAMPLES", 50) as usize;
    let dir = tempfile::tempdir()?;
    let db = open_db(dir.path(), "db").await?;
    let mut ids = insert_accounts(&db, n_accounts).await?;
    // The last `samples` accounts stay quiet until the latency test.
    let quiet: Vec<String> = ids.split_off(ids.len() - samples.min(ids.len() / 2));

    let (base, state) = serve(&db, None).await?;
    while !state.portfolio.is_ready() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (_, key) = app::store::api_keys::create(&db, "bench", &["events:write".to_string()], None)
        .await
        .map_err(err)?;
    let http = reqwest::Client::builder().pool_max_idle_per_host(conc as usize).build()?;
    let ids = Arc::new(ids);

    // Pre-serialise the bodies so the load generator's JSON work is not in the timing.
    let batches = n_events.div_ceil(1000);
    println!("preparing {batches} batches of 1 000 events for {n_accounts} accounts…");
    let bodies: Arc<Vec<String>> = Arc::new(
        (0..batches).map(|n| serde_json::to_string(&batch(n, &ids, "api")).unwrap()).collect(),
    );
    let raw_done = raw_inserts(&db, &ids, conc, secs).await?;
    let raw_rate = raw_done.0 as f64 / raw_done.1;
    let api = Target { http: &http, base: &base, key: &key };
    let (lat, failed, api_secs) = api_ingest(&api, bodies, conc).await?;
    let stored = app::store::usage::count_events(&db).await.map_err(err)? - raw_done.0;
    let api_rate = stored as f64 / api_secs;
    settle(&state).await;
    let all: Vec<String> = ids.iter().chain(quiet.iter()).cloned().collect();
    let r = rescore(&db, &state, &all).await?;
    let (stored_ms, latencies) = event_to_score(&db, &state, &api, &quiet).await?;

    println!("\nMachine: {}, {} cores", cpu_model(), cores());
    println!(
        "\n| Path | events/s | batch p50 ms | batch p99 ms | events | failed batches |\n|---|---|---|---|---|---|"
    );
    println!(
        "| API `POST /api/v1/events`, batches of 1 000, {conc} clients | {api_rate:.0} | {:.1} | {:.1} | {stored} | {failed} |",
        pct(&lat, 0.5),
        pct(&lat, 0.99)
    );
    println!(
        "| raw SurrealDB `INSERT` of the same rows, {conc} tasks | {raw_rate:.0} | | | {} | |",
        raw_done.0
    );
    println!("\nAPI / raw = {:.0} %", 100.0 * api_rate / raw_rate);
    println!(
        "\nRe-score {} accounts with {stored} events behind them: {:.2} s end to end ({} scored). \
         Parts: facts from rollups {:.2} s, scoring {:.0} ms, storing snapshots {:.2} s.",
        all.len(),
        r.full_secs,
        r.scored,
        r.facts_secs,
        r.score_secs * 1000.0,
        r.write_secs
    );
    println!(
        "\nEvent → new score stored ({} samples): p50 {:.0} ms, p99 {:.0} ms; → live notification ({} samples): p50 {:.0} ms, p99 {:.0} ms (both include the worker's 100 ms gathering window).",
        stored_ms.len(),
        pct(&stored_ms, 0.5),
        pct(&stored_ms, 0.99),
        latencies.len(),
        pct(&latencies, 0.5),
        pct(&latencies, 0.99)
    );
    Ok(())
}

/// Phase 1, raw SurrealDB inserts of the same rows (no HTTP, checks, idempotency or rollups), for
/// `secs`, at the same concurrency, on the same database, first (nothing else running).
/// Returns the events written and the seconds taken.
async fn raw_inserts(
    db: &app::store::Db, ids: &[String], conc: u64, secs: u64,
) -> anyhow::Result<(u64, f64)> {
    let raw_bodies: Arc<Vec<serde_json::Value>> = Arc::new(
        (0..200u64)
            .map(|n| {
                let rows: Vec<serde_json::Value> = batch(n, ids, "raw")
                    .into_iter()
                    .map(|e| {
                        json!({
                            "id": e["idempotency_key"], "acc": e["account_id"], "contact_email": e["contact_email"],
                            "kind": e["kind"], "feature": e.get("feature"), "at": e["at"],
                        })
                    })
                    .collect();
                json!(rows)
            })
            .collect(),
    );
    let raw_done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..conc {
        let (db, bodies, done) = (db.clone(), raw_bodies.clone(), raw_done.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < deadline {
                // Fresh keys every round so each insert really writes.
                let mut rows = bodies[(n as usize) % bodies.len()].clone();
                if let Some(a) = rows.as_array_mut() {
                    for r in a.iter_mut() {
                        let id = format!("{}-w{w}-r{n}", r["id"].as_str().unwrap_or(""));
                        r["id"] = json!(id);
                        if r["feature"].is_null() {
                            r.as_object_mut().map(|o| o.remove("feature"));
                        }
                    }
                }
                if app::store::usage::raw_insert(&db, rows).await.is_ok() {
                    done.fetch_add(1000, Ordering::Relaxed);
                }
                n += 1;
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    Ok((raw_done.load(Ordering::Relaxed), started.elapsed().as_secs_f64()))
}

/// Lets the streaming recompute catch up before the full re-score is timed: waits until no
/// account has changed for two seconds (at most a minute).
async fn settle(state: &app::state::AppState) {
    let mut quiet_rx = state.portfolio.subscribe();
    let settle = Instant::now();
    while settle.elapsed() < Duration::from_secs(60) {
        match tokio::time::timeout(Duration::from_secs(2), quiet_rx.recv()).await {
            Err(_) => break,
            Ok(_) => continue,
        }
    }
    println!(
        "streaming recompute settled {:.1} s after the last batch",
        settle.elapsed().as_secs_f64()
    );
}

/// How long a full re-score took, in parts.
struct Rescore {
    facts_secs: f64,
    score_secs: f64,
    write_secs: f64,
    full_secs: f64,
    scored: usize,
}

/// Phase 3: re-scores every account in `all` (the daily job / a model change), timed in parts.
async fn rescore(
    db: &app::store::Db, state: &app::state::AppState, all: &[String],
) -> anyhow::Result<Rescore> {
    let t = Instant::now();
    let facts = app::store::health::facts_on(db, None, chrono::Utc::now().date_naive())
        .await
        .map_err(err)?;
    let facts_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let assignment =
        app::service::health::Assignment::load(db, &state.portfolio).await.map_err(err)?;
    let (snaps, scored) = app::service::health::score_all(
        &assignment,
        all,
        &facts,
        &Default::default(),
        &Default::default(),
        chrono::Utc::now().date_naive(),
        "bench",
    );
    let score_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    app::store::health::write_snapshots(db, &snaps, &scored).await.map_err(err)?;
    let write_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let n =
        app::service::health::recompute(db, &state.portfolio, None, "bench").await.map_err(err)?;
    let full_secs = t.elapsed().as_secs_f64();

    Ok(Rescore { facts_secs, score_secs, write_secs, full_secs, scored: n })
}

/// Phase 4, event → new score: one login for each quiet account. Two clocks: until the new score is
/// stored (polled every 5 ms), and until the live query announces the change (what the account
/// page listens to), recorded by a listener as notifications arrive. Returns both, sorted (ms).
async fn event_to_score(
    db: &app::store::Db, state: &app::state::AppState, api: &Target<'_>, quiet: &[String],
) -> anyhow::Result<(Vec<f64>, Vec<f64>)> {
    let heard: Arc<std::sync::Mutex<std::collections::HashMap<String, Instant>>> =
        Arc::new(std::sync::Mutex::new(Default::default()));
    {
        let heard = heard.clone();
        let mut changes = state.portfolio.subscribe();
        tokio::spawn(async move {
            loop {
                match changes.recv().await {
                    Ok(id) => {
                        heard.lock().unwrap().entry(id).or_insert_with(Instant::now);
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(_) => break,
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    heard.lock().unwrap().clear();
    let today = chrono::Utc::now().date_naive();
    let (mut stored_ms, mut latencies) = (Vec::new(), Vec::new());
    for (i, acc) in quiet.iter().enumerate() {
        let body = json!([{ "account_id": acc, "kind": "login", "contact_email": "first@bench.example",
            "at": chrono::Utc::now().to_rfc3339(), "idempotency_key": format!("lat-{i}") }]);
        let t = Instant::now();
        let r = api
            .http
            .post(format!("{}/api/v1/events", api.base))
            .bearer_auth(api.key)
            .json(&body)
            .send()
            .await?;
        assert_eq!(r.status(), 202);
        while t.elapsed() < Duration::from_secs(10) {
            let h = app::store::health::history(db, acc, today).await.map_err(err)?;
            if h.last().is_some_and(|s| s.score.is_some()) {
                stored_ms.push(t.elapsed().as_secs_f64() * 1000.0);
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        while t.elapsed() < Duration::from_secs(10) {
            if let Some(at) = heard.lock().unwrap().get(acc) {
                latencies.push(at.duration_since(t).as_secs_f64() * 1000.0);
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    stored_ms.sort_by(f64::total_cmp);
    latencies.sort_by(f64::total_cmp);

    Ok((stored_ms, latencies))
}
