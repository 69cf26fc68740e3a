//! Integration figures (BENCHMARKS.md, issue 18):
//!
//! - **CSV import** of BENCH_ROWS (100 000) accounts from a file on disk, read the way the
//!   import page reads it (slices of `SLICE_BYTES` ending on a record, the repeats of earlier
//!   slices named), through the same service the page's server function calls, on embedded
//!   SurrealKV: rows/s for the first import (every row created), for the same file again
//!   (every row unchanged, nothing written), and the process's peak memory, which must not
//!   grow with the file (one slice at a time).
//! - **The webhook outbox's cost on writes**: the same import of BENCH_OUTBOX_ROWS (5 000)
//!   accounts into a fresh database with no endpoint and with one endpoint that wants
//!   `account.created` (each write then also writes a message and a delivery in its
//!   transaction), alternated BENCH_ROUNDS (2) times in one run.
//! - **`GET /api/v1/accounts`** over those accounts: the first page and a page from a cursor
//!   half-way, BENCH_READS (50) requests each, p50 and p99 over loopback HTTP.
//!
//! Run: `cargo bench -p server --bench integrations`. Bounded; nothing leaves the machine.

use app::model::import::{
    first_record_end, guess_mapping, last_record_end, parse_records, record_key, ImportKind,
    RowOutcome, SLICE_BYTES,
};
use app::service::csv_import::{import_slice, Slice};
use common::{cores, cpu_model, env, err, open_db, serve};
use std::collections::{BTreeMap, HashSet};
use std::io::{Read, Seek, SeekFrom, Write};
use std::time::Instant;

mod common;

/// A CSV of `n` accounts at `path`.
fn write_file(path: &std::path::Path, n: u64, tag: &str) -> anyhow::Result<u64> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(f, "CRM ID,Company,Tier,Industry,Stage,Currency,Start date,Notes")?;
    for i in 0..n {
        let tier = ["smb", "mid_market", "enterprise"][(i % 3) as usize];
        writeln!(f, "{tag}-{i:07},{tag} Company {i:07},{tier},Retail,growth,EUR,2026-01-{:02},\"a note, with a comma\"", i % 28 + 1)?;
    }
    f.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

/// Imports the file at `path` slice by slice, as the page does; answers the outcome counts.
async fn import_file(
    state: &app::state::AppState, path: &std::path::Path,
) -> anyhow::Result<BTreeMap<&'static str, u64>> {
    let mut file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    let mut head = vec![0u8; 64 * 1024];
    let n = file.read(&mut head)?;
    let header_end = first_record_end(&head[..n]).unwrap();
    let headers = parse_records(std::str::from_utf8(&head[..header_end])?).remove(0);
    let kind = ImportKind::Accounts;
    let mapping = guess_mapping(kind, &headers, &[]);
    let (mut at, mut first_row) = (header_end as u64, 2u32);
    let mut seen: HashSet<String> = HashSet::new();
    let mut counts = BTreeMap::new();
    while at < size {
        let end = (at + SLICE_BYTES as u64).min(size);
        let mut bytes = vec![0u8; (end - at) as usize];
        file.seek(SeekFrom::Start(at))?;
        file.read_exact(&mut bytes)?;
        let cut = if end == size { bytes.len() } else { last_record_end(&bytes).unwrap() };
        bytes.truncate(cut);
        let text = String::from_utf8(bytes)?;
        let repeats: Vec<u32> = parse_records(&text)
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                seen.contains(&record_key(kind, &mapping, |c| r.get(c).map(String::as_str)))
            })
            .map(|(i, _)| i as u32)
            .collect();
        let slice = Slice {
            kind,
            headers: &headers,
            mapping: &mapping,
            csv: &text,
            first_row,
            dry_run: false,
            repeats: &repeats,
        };
        let report = import_slice(state, slice).await.map_err(err)?;
        first_row += report.records;
        at += cut as u64;
        for r in report.rows {
            if !matches!(r.outcome, RowOutcome::Refused | RowOutcome::Duplicate) {
                seen.insert(r.key);
            }
            *counts.entry(r.outcome.key()).or_default() += 1;
        }
    }
    Ok(counts)
}

/// The process's peak resident memory (VmHWM), in MB.
fn peak_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.to_string()))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|k| k.parse::<u64>().ok()))
        .map(|kb| kb / 1024)
        .unwrap_or(0)
}

/// Imports `rows` fresh accounts into a fresh database, with or without a webhook endpoint
/// that wants them; answers rows/s.
async fn outbox_round(
    dir: &std::path::Path, round: u64, rows: u64, endpoint: bool,
) -> anyhow::Result<f64> {
    let db = open_db(dir, &format!("outbox-{round}-{endpoint}")).await?;
    let (_, state) = serve(&db, None).await?;
    if endpoint {
        let events = ["account.created".to_string()];
        let v = app::model::webhook::validate_endpoint(
            "http://127.0.0.1:9/bench",
            "bench",
            &events,
            true,
        )
        .map_err(err)?;
        app::store::webhooks::create(&db, &v, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", None)
            .await
            .map_err(err)?;
    }
    let path = dir.join(format!("outbox-{round}-{endpoint}.csv"));
    write_file(&path, rows, &format!("o{round}{}", endpoint as u8))?;
    let t = Instant::now();
    let counts = import_file(&state, &path).await?;
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(counts.get("created").copied(), Some(rows), "{counts:?}");
    let messages = app::store::webhooks::message_count(&db).await.map_err(err)?;
    assert_eq!(messages, if endpoint { rows } else { 0 });
    Ok(rows as f64 / secs)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    common::init_tracing();
    let rows = env("BENCH_ROWS", 100_000);
    let outbox_rows = env("BENCH_OUTBOX_ROWS", 5_000);
    let rounds = env("BENCH_ROUNDS", 2);
    let dir = tempfile::tempdir()?;
    println!("machine: {} cores, {}", cores(), cpu_model());

    let mut without = Vec::new();
    let mut with = Vec::new();
    for round in 0..rounds {
        without.push(outbox_round(dir.path(), round, outbox_rows, false).await?);
        with.push(outbox_round(dir.path(), round, outbox_rows, true).await?);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    println!(
        "webhook outbox, {outbox_rows} accounts created per run, {rounds} rounds alternated: \
         {:.0} rows/s without an endpoint, {:.0} rows/s with one (ratio {:.2})",
        mean(&without),
        mean(&with),
        mean(&with) / mean(&without)
    );

    let db = open_db(dir.path(), "import").await?;
    let (base, state) = serve(&db, None).await?;
    let path = dir.path().join("accounts.csv");
    let size = write_file(&path, rows, "crm")?;
    let before = peak_mb();
    let t = Instant::now();
    let first = import_file(&state, &path).await?;
    let first_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let again = import_file(&state, &path).await?;
    let again_secs = t.elapsed().as_secs_f64();
    println!(
        "CSV import, {rows} accounts ({:.1} MB), slices of {} KB: first import {first_secs:.1} s \
         ({:.0} rows/s) {first:?}; the same file again {again_secs:.1} s ({:.0} rows/s) {again:?}; \
         peak memory {before} MB before, {} MB after",
        size as f64 / 1e6,
        SLICE_BYTES / 1024,
        rows as f64 / first_secs,
        rows as f64 / again_secs,
        peak_mb()
    );
    list_pages(&db, &base, env("BENCH_READS", 50)).await
}

/// p50 and p99 of `GET /api/v1/accounts?limit=200`, from the start and from half-way.
async fn list_pages(db: &app::store::Db, base: &str, reads: u64) -> anyhow::Result<()> {
    let scopes = vec!["accounts:read".to_string()];
    let key = app::store::api_keys::create(db, "bench", &scopes, None).await.map_err(err)?.1;
    let http = reqwest::Client::new();
    let get = |q: String| {
        let (http, key) = (http.clone(), key.clone());
        async move {
            let t = Instant::now();
            let res =
                http.get(format!("{base}/api/v1/accounts?{q}")).bearer_auth(&key).send().await?;
            anyhow::ensure!(res.status().is_success(), "{}", res.status());
            let page: serde_json::Value = res.json().await?;
            Ok::<_, anyhow::Error>((t.elapsed().as_secs_f64() * 1000.0, page))
        }
    };
    // A cursor half-way: follow pages of 200 to the middle once.
    let (_, first) = get("limit=200".into()).await?;
    let mut cursor = first["next_cursor"].as_str().unwrap_or_default().to_string();
    for _ in 0..(env("BENCH_ROWS", 100_000) / 400) {
        let (_, page) = get(format!("limit=200&cursor={cursor}")).await?;
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    for (what, q) in [
        ("first page", "limit=200".to_string()),
        ("half-way", format!("limit=200&cursor={cursor}")),
    ] {
        let mut ms = Vec::new();
        for _ in 0..reads {
            ms.push(get(q.clone()).await?.0);
        }
        ms.sort_by(|a, b| a.total_cmp(b));
        println!(
            "GET /api/v1/accounts?limit=200, {what}: p50 {:.1} ms, p99 {:.1} ms ({reads} requests)",
            common::pct(&ms, 0.5),
            common::pct(&ms, 0.99)
        );
    }
    Ok(())
}
