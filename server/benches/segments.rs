//! Usage-segment figures (BENCHMARKS.md): the portfolio page filtered on health band +
//! adoption + inactivity at BENCH_ACCOUNTS (100 000) accounts, p50/p99 with one connection and
//! with 16, against the unfiltered page and today's tier/stage filter in the same run; and the
//! cost of one full segment-membership pass (the daily pass) with BENCH_SEGMENTS saved segments.
//!
//! Run: `scripts/bench-segments.sh` (or `cargo bench -p server --bench segments`).
//! Knobs: BENCH_ACCOUNTS (100 000), BENCH_REQUESTS (400, one connection), BENCH_SECS (10, 16
//! connections), BENCH_SEGMENTS (10). Bounded; loopback only.

use common::{bench_admin, cores, cpu_model, env, err, open_db, pct, serve};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;

/// Gives every account usage facts from a fixed pseudo-random sequence (bands, adoption in
/// steps of 20 %, engagement levels, last activity 0–120 days ago or never), as the scorer
/// would have written them.
async fn usage_facts(db: &app::store::Db) -> anyhow::Result<()> {
    let mut r = db.query("SELECT VALUE record::id(id) FROM account").await?;
    let ids: Vec<String> = r.take(0)?;
    let today = chrono::Utc::now().date_naive();
    for (c, chunk) in ids.chunks(5_000).enumerate() {
        let rows: Vec<serde_json::Value> = chunk
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let n = (c * 5_000 + i) as u64 * 2_654_435_761 % 1_000_003;
                let band = ["red", "yellow", "green"][(n % 3) as usize];
                let engagement = ["none", "low", "medium", "high"][(n / 7 % 4) as usize];
                let mut row = serde_json::json!({
                    "id": id, "band": band, "score": 20 + n % 70, "adoption": (n / 3 % 6) * 20,
                    "engagement": engagement,
                });
                if !n.is_multiple_of(10) {
                    row["last"] = serde_json::json!((today
                        - chrono::Duration::days((n / 11 % 120) as i64))
                    .to_string());
                }
                row
            })
            .collect();
        db.query(
            "FOR $r IN $rows { UPDATE type::record('account', $r.id) SET health_band = $r.band, health_score = $r.score,
                adoption = $r.adoption, engagement = $r.engagement, last_active_on = $r.last RETURN NONE; }",
        )
        .bind(("rows", rows))
        .await?
        .check()?;
    }
    Ok(())
}

/// `n` sequential GETs of `url`: latencies in ms, sorted.
async fn one_connection(
    http: &reqwest::Client, url: &str, cookie: &str, n: u64,
) -> anyhow::Result<Vec<f64>> {
    let mut ms = Vec::with_capacity(n as usize);
    for i in 0..n + 10 {
        let t = Instant::now();
        let res =
            http.get(url).header("cookie", cookie).header("accept", "text/html").send().await?;
        anyhow::ensure!(res.status().is_success(), "{url}: {}", res.status());
        res.bytes().await?;
        if i >= 10 {
            ms.push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    ms.sort_by(f64::total_cmp);
    Ok(ms)
}

/// 16 clients GETting `url` for `secs`: sorted latencies in ms and requests per second.
async fn sixteen(url: &str, cookie: &str, secs: u64) -> anyhow::Result<(Vec<f64>, f64)> {
    let until = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (url, cookie) = (url.to_string(), cookie.to_string());
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut ms = Vec::new();
            while Instant::now() < until {
                let t = Instant::now();
                let res = http
                    .get(&url)
                    .header("cookie", &cookie)
                    .header("accept", "text/html")
                    .send()
                    .await?;
                anyhow::ensure!(res.status().is_success(), "{url}: {}", res.status());
                res.bytes().await?;
                ms.push(t.elapsed().as_secs_f64() * 1e3);
            }
            Ok::<_, anyhow::Error>(ms)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    let rate = all.len() as f64 / started.elapsed().as_secs_f64();
    all.sort_by(f64::total_cmp);
    Ok((all, rate))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n_accounts = env("BENCH_ACCOUNTS", 100_000) as usize;
    let requests = env("BENCH_REQUESTS", 400);
    let secs = env("BENCH_SECS", 10);
    let n_segments = env("BENCH_SEGMENTS", 10) as usize;
    let dir = tempfile::tempdir()?;
    let db = open_db(dir.path(), "db").await?;
    let t = Instant::now();
    bellwether::seed::run(&db, n_accounts, 1, false, false).await?;
    usage_facts(&db).await?;
    println!(
        "# Usage segments — {n_accounts} accounts ({:.0} s to seed)",
        t.elapsed().as_secs_f64()
    );
    println!("machine: {} cores, {}", cores(), cpu_model());
    let (base, state) = serve(&db, None).await?;
    while !state.portfolio.is_ready() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let admin = bench_admin(&db, "Bench Admin").await?;
    let (token, hash) = app::auth::new_session_token();
    app::store::sessions::create(&db, &hash, &admin.id, 1).await.map_err(err)?;
    let cookie = format!("{}={token}", app::auth::SESSION_COOKIE);
    let http = reqwest::Client::new();

    println!("\n| portfolio page (SSR HTML) | matching | 1 conn p50 / p99 ms | 16 conns p50 / p99 ms | 16 conns req/s |");
    println!("|---|---|---|---|---|");
    for path in [
        "/",
        "/?tier=enterprise&stage=growth&q=a&sort=renewal",
        "/?band=red,yellow&adoption_max=40&inactive_days=30",
        "/?band=red&adoption_min=20&adoption_max=60&inactive_days=7&engagement=none,low&sort=last_active",
    ] {
        let filter = app::model::PortfolioFilter::from_query_string(path.trim_start_matches("/?"));
        let matching = state.portfolio.query(&filter).map_or(0, |p| p.total);
        let one = one_connection(&http, &format!("{base}{path}"), &cookie, requests).await?;
        let (many, rate) = sixteen(&format!("{base}{path}"), &cookie, secs).await?;
        println!(
            "| `{path}` | {matching} | {:.1} / {:.1} | {:.1} / {:.1} | {rate:.0} |",
            pct(&one, 0.5),
            pct(&one, 0.99),
            pct(&many, 0.5),
            pct(&many, 0.99)
        );
    }

    // The daily pass: every saved segment evaluated over every account, diffed with what is
    // recorded. The first pass after saving finds nothing to record (segments start with their
    // members); then a tenth of the accounts' adoption changes and the pass records the moves.
    let admin_id = admin.id.to_string();
    for i in 0..n_segments {
        let q = format!("adoption_max={}&inactive_days={}", 20 + (i % 4) * 20, 7 + i * 3);
        let f = app::model::PortfolioFilter::from_query_string(&q);
        app::service::segments::create(&db, &state.portfolio, &format!("Bench {i}"), &f, &admin_id)
            .await
            .map_err(err)?;
    }
    let index = Arc::clone(&state.portfolio);
    let t = Instant::now();
    let quiet = app::service::segments::track(&db, &index, None).await.map_err(err)?;
    let quiet_ms = t.elapsed().as_secs_f64() * 1e3;
    // A tenth of the accounts, counted (seeded ARRs are round sums: `arr_minor % 10 = 0`
    // picked nearly all of them).
    db.query("UPDATE (SELECT VALUE id FROM account LIMIT $n) SET adoption = 100 RETURN NONE")
        .bind(("n", n_accounts / 10))
        .await?
        .check()?;
    tokio::time::sleep(Duration::from_secs(2)).await; // the index hears the change
    let t = Instant::now();
    let moved = app::service::segments::track(&db, &index, None).await.map_err(err)?;
    let moved_ms = t.elapsed().as_secs_f64() * 1e3;
    // The Segments page's data: every segment's members, ARR, bands and recent moves.
    let mut page_ms = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        app::service::segments::overview(&db, &index).await.map_err(err)?;
        page_ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    page_ms.sort_by(f64::total_cmp);
    println!(
        "\nSegments page data ({n_segments} segments): p50 {:.0} ms, max {:.0} ms",
        pct(&page_ms, 0.5),
        pct(&page_ms, 1.0)
    );
    let (batch, with_let, inline) = batch_membership(&db).await?;
    println!(
        "\nRecorded memberships of {batch} accounts (a re-scoring batch): {with_let:.1} ms with \
         the list made in a LET (the store), {inline:.0} ms with `IN array::map(…)` in the WHERE"
    );
    println!("\n| daily segment pass, {n_segments} segments × {n_accounts} accounts | moves recorded | ms |");
    println!("|---|---|---|");
    println!("| nothing changed | {quiet} | {quiet_ms:.0} |");
    println!("| a tenth of the accounts reach 100 % adoption | {moved} | {moved_ms:.0} |");
    Ok(())
}

/// One batch's recorded segment memberships, as a re-scoring pass reads them: median ms of 5
/// reads through `store::segment_moves::members` (the account list made in a LET), and one
/// read with the list built inside the condition, as the store did before. BENCH_BATCH
/// accounts (100).
async fn batch_membership(db: &app::store::Db) -> anyhow::Result<(usize, f64, f64)> {
    let n = env("BENCH_BATCH", 100) as usize;
    let mut r =
        db.query("SELECT VALUE record::id(id) FROM account LIMIT $n").bind(("n", n)).await?;
    let ids: Vec<String> = r.take(0)?;
    let mut with_let = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        app::store::segment_moves::members(db, Some(&ids)).await.map_err(err)?;
        with_let.push(t.elapsed().as_secs_f64() * 1e3);
    }
    with_let.sort_by(f64::total_cmp);
    let t = Instant::now();
    db.query(
        "SELECT segment, account FROM segment_member
         WHERE account IN array::map($ids, |$k| type::record('account', $k))",
    )
    .bind(("ids", ids.clone()))
    .await?
    .check()?;
    Ok((ids.len(), pct(&with_let, 0.5), t.elapsed().as_secs_f64() * 1e3))
}
