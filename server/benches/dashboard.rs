//! The executive dashboard (BENCHMARKS.md), at each of BENCH_SIZES accounts (10 000 and
//! 100 000) seeded by `seed-demo`'s code with two years of ARR movements:
//! - the metric computation alone (pure functions over every movement in memory);
//! - the dashboard server function computed from scratch (cache made stale before each call)
//!   and as served (cached until a change), and the whole page rendered on the server
//!   (`GET /dashboard`, HTML with the figures in it) — target p99 < 100 ms at 100 000;
//! - write → notification latency with BENCH_SUBSCRIBERS (2 000) open `/live/dashboard`
//!   streams on this node: an ARR movement posted through the API, timed until each stream
//!   has its `changed` event, then the re-read a page makes (target p95 < 300 ms).
//!
//! Run: `cargo bench -p server --bench dashboard` (release; loopback only; bounded).
//! Knobs: BENCH_SIZES ("10000,100000"), BENCH_CALLS (200), BENCH_SUBSCRIBERS (2000),
//! BENCH_WRITES (20).

use common::{cores, cpu_model, env, err, open_db, pct};
use std::time::{Duration, Instant};

mod common;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn summary(mut v: Vec<f64>) -> String {
    v.sort_by(|a, b| a.total_cmp(b));
    format!("{:.1} | {:.1} | {:.1}", pct(&v, 0.5), pct(&v, 0.95), pct(&v, 0.99))
}

async fn timed<F, Fut>(n: u64, mut f: F) -> anyhow::Result<Vec<f64>>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let mut out = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let t = Instant::now();
        f().await?;
        out.push(ms(t.elapsed()));
    }
    Ok(out)
}

async fn wait_ready(state: &app::state::AppState) {
    while !(state.portfolio.is_ready() && state.revenue.is_ready()) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    common::init_tracing();
    let sizes: Vec<usize> = std::env::var("BENCH_SIZES")
        .unwrap_or_else(|_| "10000,100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let calls = env("BENCH_CALLS", 200);
    let subscribers = env("BENCH_SUBSCRIBERS", 2000) as usize;
    let writes = env("BENCH_WRITES", 20);
    println!("# Executive dashboard — machine: {} cores, {}", cores(), cpu_model());
    if std::env::var("BENCH_METRICS_ONLY").is_ok() {
        for n in &sizes {
            metric_parts(*n);
        }
        return Ok(());
    }
    for n in sizes {
        run(n, calls, subscribers, writes).await?;
    }
    Ok(())
}

/// Each metric function alone over `n` synthetic ledgers (no database): where the time goes,
/// with short keys in order and with keys like the real ones (32 hex digits sharing a
/// time-ordered prefix, as UUIDv7 keys do) in the order the in-memory ledger returns them.
fn metric_parts(n: usize) {
    metric_parts_keyed(n, false);
    metric_parts_keyed(n, true);
}

fn metric_parts_keyed(n: usize, real_keys: bool) {
    use app::model::revenue::{Movement, MovementKind};
    let today = chrono::Utc::now().date_naive();
    let mut mv = Vec::new();
    for i in 0..n {
        let start = today - chrono::Duration::days(30 + (i * 7 % 700) as i64);
        let a = if real_keys {
            format!("01a2431e{:024x}", (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 8)
        } else {
            format!("{i:08}")
        };
        let arr = 1_000_000 + (i as i64 % 50) * 100_000;
        mv.push(Movement {
            account: a.clone(),
            on: start,
            kind: MovementKind::New,
            arr_before: 0,
            arr_after: arr,
        });
        if i % 3 == 0 {
            let on = start + chrono::Duration::days(20);
            mv.push(Movement {
                account: a,
                on,
                kind: MovementKind::Expansion,
                arr_before: arr,
                arr_after: arr * 2,
            });
        }
    }
    let (from, to) = app::metrics::revenue::trailing_year(today);
    let keys = if real_keys { "32-digit keys" } else { "8-digit keys" };
    let time = |name: &str, f: &dyn Fn()| {
        let t = Instant::now();
        for _ in 0..5 {
            f();
        }
        println!(
            "| {n} accounts, {} movements, {keys}: {name} | {:.1} ms |",
            mv.len(),
            ms(t.elapsed()) / 5.0
        );
    };
    let mv = &mv;
    time("retention", &|| {
        std::hint::black_box(app::metrics::revenue::retention(mv, from, to));
    });
    time("waterfall", &|| {
        std::hint::black_box(app::metrics::revenue::waterfall(mv, from, to));
    });
    time("clv", &|| {
        std::hint::black_box(app::metrics::revenue::clv(mv, to, 0.8));
    });
    time("monthly ×24", &|| {
        std::hint::black_box(app::metrics::revenue_series::monthly(mv, today, 24));
    });
    time("cohorts ×8", &|| {
        std::hint::black_box(app::metrics::revenue_series::cohorts(mv, today, 8));
    });
}

async fn run(n: usize, calls: u64, subscribers: usize, writes: u64) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = open_db(dir.path(), "db").await?;
    let t = Instant::now();
    bellwether::seed::run(&db, n, 42, false, false).await?;
    let seeded = t.elapsed().as_secs_f64();
    let (base, state) = common::serve(&db, None).await?;
    let t = Instant::now();
    wait_ready(&state).await;
    let movements = state.revenue.movements(None);
    println!(
        "\n## {n} accounts, {} ARR movements (seeded in {seeded:.0} s; index + ledger loaded in {:.1} s)",
        movements.len(),
        t.elapsed().as_secs_f64()
    );

    // The metric layer alone, over every movement.
    let today = chrono::Utc::now().date_naive();
    let f = app::model::dashboard::DashboardFilter::default();
    let p = f.periods(today).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let metric = timed(calls.min(50), || {
        let ms = &movements;
        async move {
            let r = app::metrics::revenue::retention(ms, p.from, p.to);
            let r2 = app::metrics::revenue::retention(ms, p.prev_from, p.prev_to);
            let w = app::metrics::revenue::waterfall(ms, p.from, p.to);
            let c = app::metrics::revenue::clv(ms, p.to, 0.8);
            let m = app::metrics::revenue_series::monthly(ms, today, 24);
            let h = app::metrics::revenue_series::cohorts(ms, today, 8);
            std::hint::black_box((r, r2, w, c, m, h));
            Ok(())
        }
    })
    .await?;

    let admin = common::bench_admin(&db, "Bench Admin").await?;
    let (token, hash) = app::auth::new_session_token();
    app::store::sessions::create(&db, &hash, &admin.id, 1).await.map_err(err)?;
    let cookie = format!("{}={token}", app::auth::SESSION_COOKIE);
    let http = reqwest::Client::new();
    let fn_url = format!("{base}/api/revenue/dashboard");
    let call = || {
        let (http, url, cookie) = (&http, &fn_url, &cookie);
        async move {
            let r = http
                .post(url)
                .header("cookie", cookie)
                .header("accept", "application/json")
                .form(&[("filter[period]", "quarter")])
                .send()
                .await?;
            anyhow::ensure!(r.status().is_success(), "dashboard: {}", r.status());
            r.bytes().await?;
            Ok(())
        }
    };
    let cold = timed(calls.min(50), || {
        state.dashboards.bump();
        call()
    })
    .await?;
    let warm = timed(calls, call).await?;
    let page_url = format!("{base}/dashboard");
    let page = timed(calls, || {
        let (http, url, cookie) = (&http, &page_url, &cookie);
        async move {
            let r =
                http.get(url).header("cookie", cookie).header("accept", "text/html").send().await?;
            anyhow::ensure!(r.status().is_success(), "page: {}", r.status());
            let body = r.text().await?;
            anyhow::ensure!(body.contains("Net revenue retention"), "the page shows the figures");
            Ok(())
        }
    })
    .await?;
    println!("| {n} accounts | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|");
    println!(
        "| metrics alone (retention ×2, waterfall, CLV, 24 months, cohorts) | {} |",
        summary(metric)
    );
    println!("| dashboard server function, computed (cache stale) | {} |", summary(cold));
    println!("| dashboard server function, as served (cached) | {} |", summary(warm));
    println!("| `GET /dashboard`, server-rendered page (cached figures) | {} |", summary(page));
    // What else the page reads (the sections below the revenue figures).
    for endpoint in
        ["accounts/summary", "surveys/voice", "engagement/ttv", "segments/list", "users/staff"]
    {
        let url = format!("{base}/api/{endpoint}");
        let t = timed(calls.min(30), || {
            let (http, url, cookie) = (&http, &url, &cookie);
            async move {
                let r = http
                    .post(url)
                    .header("cookie", cookie)
                    .header("accept", "application/json")
                    .send()
                    .await?;
                anyhow::ensure!(r.status().is_success(), "{url}: {}", r.status());
                r.bytes().await?;
                Ok(())
            }
        })
        .await?;
        println!("| page section `{endpoint}` | {} |", summary(t));
    }

    // Write → notification with many open dashboards.
    let mut streams = Vec::with_capacity(subscribers);
    let sse = reqwest::Client::builder().pool_max_idle_per_host(0).build()?;
    let t = Instant::now();
    for _ in 0..subscribers {
        let r = sse.get(format!("{base}/live/dashboard")).header("cookie", &cookie).send().await?;
        anyhow::ensure!(r.status().is_success(), "live: {}", r.status());
        streams.push(r);
    }
    println!(
        "\n{subscribers} open `/live/dashboard` streams opened in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, Instant)>();
    for (i, mut r) in streams.into_iter().enumerate() {
        let tx = tx.clone();
        tokio::spawn(async move {
            while let Ok(Some(chunk)) = r.chunk().await {
                if String::from_utf8_lossy(&chunk).contains("changed")
                    && tx.send((i, Instant::now())).is_err()
                {
                    return;
                }
            }
        });
    }
    let key = {
        let scopes = vec!["revenue:write".to_string()];
        app::store::api_keys::create(&db, "bench", &scopes, None).await.map_err(err)?.1
    };
    let account =
        state.revenue.movements(None).iter().find(|m| m.arr_after > 0).map(|m| m.account.clone());
    let account = account.ok_or_else(|| anyhow::anyhow!("no account with ARR"))?;
    let held = app::service::revenue::of_account(&state, &account).await.map_err(err)?;
    let (mut arr, currency) = (held.arr, held.currency);
    let mut notified = Vec::new();
    let mut reread = Vec::new();
    let mut missed = 0usize;
    for w in 0..writes {
        tokio::time::sleep(Duration::from_millis(600)).await;
        while rx.try_recv().is_ok() {}
        let after = arr + 100_000;
        let body = serde_json::json!([{"account_id": account, "kind": "expansion", "on": today.to_string(),
            "arr_before": arr, "arr_after": after, "currency": currency, "idempotency_key": format!("bench-{n}-{w}")}]);
        let sent = Instant::now();
        let r = http
            .post(format!("{base}/api/v1/arr-movements"))
            .bearer_auth(&key)
            .json(&body)
            .send()
            .await?;
        anyhow::ensure!(r.status().as_u16() == 202, "movement: {} {}", r.status(), r.text().await?);
        arr = after;
        let mut heard = std::collections::HashSet::new();
        let deadline = sent + Duration::from_secs(3);
        while heard.len() < subscribers {
            match tokio::time::timeout_at(tokio::time::Instant::from_std(deadline), rx.recv()).await
            {
                Ok(Some((i, at))) => {
                    if heard.insert(i) {
                        notified.push(ms(at - sent));
                    }
                }
                _ => break,
            }
        }
        missed += subscribers - heard.len();
        // The page's re-read after the event.
        call().await?;
        reread.push(ms(sent.elapsed()));
    }
    println!("| {subscribers} streams, {writes} movements | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|");
    println!("| movement posted → `changed` on every stream | {} |", summary(notified));
    println!("| movement posted → re-read dashboard answered | {} |", summary(reread));
    println!("streams that missed an event within 3 s: {missed}");
    Ok(())
}
