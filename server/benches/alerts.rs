//! Early-warning figures (BENCHMARKS.md): the daily rule pass over BENCH_ACCOUNTS (100 000)
//! accounts with a year of usage rollups behind them (target < 5 s), and the cost of streaming
//! rule evaluation on the events API: the same ingestion with the rules on and off, alternated
//! in one run (target: events/s drops by < 10 %).
//!
//! Run: `scripts/bench-alerts.sh` (or `cargo bench -p server --bench alerts`).
//! Knobs: BENCH_ACCOUNTS (100 000), BENCH_EVENTS (100 000 per ingestion run), BENCH_CONC (4),
//! BENCH_ROUNDS (2 on/off pairs). Bounded; loopback only.

use common::ingest::{api_ingest, batch, insert_accounts, Target};
use common::{cores, cpu_model, env, err, open_db};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;

/// A year of rollups per account: one usage day a week for the last 8 weeks (every window a
/// rule reads: 2 × 4 weeks at most), one a month for the 10 months before (they only make the
/// table a year deep). One account in twenty logs in a third as often in the last two weeks,
/// so the declining-engagement rule has something to find. Returns the rows written.
async fn year_of_rollups(db: &app::store::Db, ids: &[String]) -> anyhow::Result<u64> {
    let today = chrono::Utc::now().date_naive();
    let mut rows = Vec::with_capacity(10_000);
    let mut written = 0u64;
    for (i, acc) in ids.iter().enumerate() {
        let declining = i % 20 == 0;
        let weekly = (0..8i64).map(|w| w * 7);
        let monthly = (2..12i64).map(|m| m * 30);
        for (week, back) in weekly.chain(monthly).enumerate() {
            let week = week as i64;
            let day = today - chrono::Duration::days(back + (i % 7) as i64);
            let mut logins = 10 + (i % 20) as i64;
            if declining && week < 2 {
                logins /= 3;
            }
            let users: Vec<String> =
                (0..(2 + i % 5)).map(|u| format!("u{u}@bench.example")).collect();
            rows.push(json!({
                "id": [acc, day.to_string()], "account": acc, "day": day.to_string(),
                "events": logins * 3, "logins": logins, "users": users,
                "features": ["dashboards", "reports"],
            }));
        }
        if rows.len() >= 10_000 || i + 1 == ids.len() {
            if written % 200_000 < 10_000 {
                eprintln!("  {written} rollups written…");
            }
            written += rows.len() as u64;
            db.query(
                "INSERT INTO usage_day (SELECT type::record('usage_day', id) AS id,
                    type::record('account', account) AS account, day, events, logins, users, features
                 FROM $rows) RETURN NONE",
            )
            .bind(("rows", std::mem::take(&mut rows)))
            .await?
            .check()?;
        }
    }
    Ok(written)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    common::init_tracing();
    let n_accounts = env("BENCH_ACCOUNTS", 100_000) as usize;
    let n_events = env("BENCH_EVENTS", 100_000);
    let conc = env("BENCH_CONC", 4);
    let rounds = env("BENCH_ROUNDS", 2);
    let dir = tempfile::tempdir()?;
    let db = open_db(dir.path(), "db").await?;
    let t = Instant::now();
    let ids = insert_accounts(&db, n_accounts).await?;
    let rollups = year_of_rollups(&db, &ids).await?;
    println!(
        "# Early warning — {n_accounts} accounts, {rollups} usage rollups ({:.0} s to seed)",
        t.elapsed().as_secs_f64()
    );
    println!("machine: {} cores, {}", cores(), cpu_model());
    let (base, state) = common::serve(&db, None).await?;
    while !state.portfolio.is_ready() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    println!("\n| daily rule pass, {n_accounts} accounts | total s | reading facts s | rules ms | writing s | decisions | alerts opened |");
    println!("|---|---|---|---|---|---|---|");
    for run in ["first (opens alerts)", "second (nothing new)", "third"] {
        let t = Instant::now();
        let e = app::service::alerts::evaluate(&db, &state.portfolio, None).await.map_err(err)?;
        println!(
            "| {run} | {:.2} | {:.2} | {} | {:.2} | {} | {} |",
            t.elapsed().as_secs_f64(),
            e.read_ms as f64 / 1000.0,
            e.rules_ms,
            e.write_ms as f64 / 1000.0,
            e.written,
            e.opened.len()
        );
    }

    // Streaming overhead: the same kind of ingestion with the rules on and off, alternated.
    let key = app::store::api_keys::create(&db, "bench", &["events:write".to_string()], None)
        .await
        .map_err(err)?
        .1;
    let http = reqwest::Client::new();
    let api = Target { http: &http, base: &base, key: &key };
    let hot: Vec<String> = ids.iter().take(10_000).cloned().collect();
    println!("\n| events API, {n_events} events per run, {conc} clients | events/s | batch p50 ms | batch p99 ms | failed |");
    println!("|---|---|---|---|---|");
    let mut rates = (Vec::new(), Vec::new());
    for round in 0..rounds {
        for on in [true, false] {
            app::service::alerts::set_streaming(on);
            let batches = n_events.div_ceil(1000);
            let prefix = format!("r{round}-{on}");
            let bodies: Arc<Vec<String>> = Arc::new(
                (0..batches)
                    .map(|n| serde_json::to_string(&batch(n, &hot, &prefix)).unwrap())
                    .collect(),
            );
            let (lat, failed, secs) = api_ingest(&api, bodies, conc).await?;
            let rate = (batches * 1000) as f64 / secs;
            if on {
                rates.0.push(rate)
            } else {
                rates.1.push(rate)
            }
            println!(
                "| rules {} (round {}) | {rate:.0} | {:.0} | {:.0} | {failed} |",
                if on { "on" } else { "off" },
                round + 1,
                common::pct(&lat, 0.5),
                common::pct(&lat, 0.99)
            );
            // Let the scoring worker (and the rules) finish before the next run.
            tokio::time::sleep(Duration::from_secs(3)).await;
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    println!(
        "\nWith streaming rules: {:.0} events/s; without: {:.0} events/s; change {:+.1} %",
        mean(&rates.0),
        mean(&rates.1),
        100.0 * (mean(&rates.0) / mean(&rates.1) - 1.0)
    );
    Ok(())
}
