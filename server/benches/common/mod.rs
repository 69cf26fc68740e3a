//! What the benchmarks share: their knobs, percentiles, the app on an embedded SurrealKV
//! database served on a loopback port, a signed-in admin, and the machine the figures were
//! measured on. (A folder with `mod.rs`, so cargo does not take it for a benchmark itself.)

#![allow(dead_code)]

pub mod ingest;

use app::error::AppError;
use app::state::AppState;
use app::store::Db;
use bellwether::Server;
use std::path::Path;

/// Logs what RUST_LOG asks for (errors only by default).
pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "error".into()),
        )
        .try_init();
}

/// A knob: the environment variable `name` as a number, or `default`.
pub fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The `p` quantile (0–1) of `sorted` (nearest rank); 0 when empty.
pub fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// A store error, as a benchmark reports it.
pub fn err(e: AppError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// The app's database, embedded SurrealKV at `dir/name` (the engine production uses),
/// migrated.
pub async fn open_db(dir: &Path, name: &str) -> anyhow::Result<Db> {
    let url = format!("surrealkv://{}", dir.join(name).display());
    app::store::connect(&url, None, None).await.map_err(err)
}

/// Serves the app on `db` at a loopback port with its workers (the portfolio index and the
/// scoring worker; not the hourly jobs). `public_per_minute`: the public pages' rate limit per
/// address, raised out of the way of a load test. Returns the base URL and the app's state.
pub async fn serve(db: &Db, public_per_minute: Option<u32>) -> anyhow::Result<(String, AppState)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let base = format!("http://{addr}");
    let mut server = Server::new(db.clone(), "target/site", addr, false);
    if let Some(limit) = public_per_minute {
        server = server.with_public(&base, limit);
    }
    let state = server.state.clone();
    server.spawn_workers();
    tokio::spawn(async move {
        axum::serve(listener, server.service()).await.expect("serve");
    });
    Ok((base, state))
}

/// An admin made directly in the store (signing in is not what is measured).
pub async fn bench_admin(db: &Db, name: &str) -> anyhow::Result<app::model::User> {
    let role = app::model::Role::Admin;
    app::store::users::create(db, "bench@example.com", name, role, "x").await.map_err(err)
}

/// How many cores this machine has.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The CPU model, from /proc/cpuinfo (empty where there is none).
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default()
}
