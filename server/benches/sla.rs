//! SLA timer figures (BENCHMARKS.md): with BENCH_OPEN (100 000) open escalations armed, how
//! long after its due time a breach's alert is stored (target: p99 < 1 s), and how long the
//! timer takes to re-arm every open escalation after a restart.
//!
//! BENCH_BREACHES (300) P1 escalations, each on its own account (one `sla_breach` alert per
//! account), have first-response due times spread evenly over BENCH_SPREAD seconds (30)
//! starting 25 s after the server starts; the rest are P4s due hours later. Latency is the
//! alert's stored `opened_at` minus the clock's due time, both written by the server.
//!
//! Run: `scripts/bench-sla.sh` (or `cargo bench -p server --bench sla`). Bounded; loopback only.

use chrono::{Duration, Utc};
use common::ingest::insert_accounts;
use common::{cores, cpu_model, env, open_db, pct};
use serde_json::json;
use std::time::Instant;

mod common;

/// Inserts escalations straight into the store: `(account, opened_at, severity)` each, under
/// the seeded default policy and 24/7 calendar, with a one-level path (no automatic moves).
async fn insert(
    db: &app::store::Db, rows: &[(String, chrono::DateTime<Utc>, &str)],
) -> anyhow::Result<()> {
    for chunk in rows.chunks(2000) {
        let batch: Vec<serde_json::Value> = chunk
            .iter()
            .map(|(acc, opened, sev)| {
                json!({ "key": app::store::new_key(), "account": acc, "opened": opened, "severity": sev })
            })
            .collect();
        db.query(
            "INSERT INTO escalation (SELECT type::record('escalation', key) AS id,
                type::record('account', account) AS account, 'technical' AS type,
                'Technical' AS type_label, severity, 'Bench escalation' AS title,
                <datetime>opened AS opened_at, sla_policy:default AS policy, 1 AS policy_version,
                calendar:default AS calendar, 1 AS calendar_version,
                [{ role: 'csm' }] AS levels, [] AS events, 'open' AS status, 1 AS level
             FROM $rows) RETURN NONE",
        )
        .bind(("rows", batch))
        .await?
        .check()?;
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    common::init_tracing();
    let n_open = env("BENCH_OPEN", 100_000) as usize;
    let n_breach = env("BENCH_BREACHES", 300) as usize;
    let spread = env("BENCH_SPREAD", 30) as i64;
    let lead = env("BENCH_LEAD", 25) as i64;
    let dir = tempfile::tempdir()?;
    let db = open_db(dir.path(), "db").await?;
    let t = Instant::now();
    let accounts = insert_accounts(&db, n_breach + 1000).await?;
    let (breaching, others) = accounts.split_at(n_breach);
    // The P4s first (the bulk), then the breaching P1s: their due times are counted from
    // after the bulk is written, so seeding never eats into the lead.
    let now = Utc::now();
    let rows: Vec<_> = (0..n_open.saturating_sub(n_breach))
        .map(|i| {
            (others[i % others.len()].clone(), now - Duration::minutes((i % 600) as i64), "P4")
        })
        .collect();
    insert(&db, &rows).await?;
    let first_due = Utc::now() + Duration::seconds(lead);
    let rows: Vec<_> = breaching
        .iter()
        .enumerate()
        .map(|(i, acc)| {
            let due = first_due
                + Duration::milliseconds(spread * 1000 * i as i64 / n_breach.max(1) as i64);
            (acc.clone(), due - Duration::minutes(60), "P1")
        })
        .collect();
    insert(&db, &rows).await?;
    let seeded = t.elapsed().as_secs_f64();
    println!(
        "# SLA timer — {n_open} open escalations ({n_breach} breaching), seeded in {seeded:.0} s"
    );
    println!("machine: {} cores, {}", cores(), cpu_model());
    let started = Instant::now();
    let (_, state) = common::serve(&db, None).await?;
    // Re-arming: wait until every open escalation has a wake-up.
    while state.sla.armed() < n_open && started.elapsed().as_secs() < 600 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let armed_s = started.elapsed().as_secs_f64();
    println!("re-armed {} escalations after start: {armed_s:.1} s", state.sla.armed());
    if Utc::now() > first_due {
        println!("WARNING: re-arming took longer than the {lead} s lead; the first breaches were already late");
    }
    let last_due = first_due + Duration::seconds(spread);
    let wait =
        (last_due - Utc::now()).to_std().unwrap_or_default() + std::time::Duration::from_secs(10);
    tokio::time::sleep(wait).await;
    #[derive(serde::Deserialize)]
    struct Row {
        opened_at: chrono::DateTime<Utc>,
        at: chrono::DateTime<Utc>,
    }
    let rows: Vec<Row> = app::store::query::query_all(
        &db,
        "SELECT opened_at, evidence.at AS at FROM alert WHERE rule = 'sla_breach'",
        json!({}),
    )
    .await?;
    let mut lat: Vec<f64> =
        rows.iter().map(|r| (r.opened_at - r.at).num_milliseconds() as f64).collect();
    lat.sort_by(|a, b| a.total_cmp(b));
    println!(
        "breach → alert stored: {} of {n_breach} alerts; p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms (target p99 < 1000 ms)",
        lat.len(),
        pct(&lat, 0.5),
        pct(&lat, 0.99),
        lat.last().copied().unwrap_or(f64::NAN)
    );
    println!("timer ticks run: {}", state.sla.ticks.load(std::sync::atomic::Ordering::Relaxed));
    Ok(())
}
