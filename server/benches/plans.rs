//! Success-plan page figures (BENCHMARKS.md): server-side rendering of the plan builder page for
//! plans of 30, 100 and 300 tasks, measured in one run so the ratios mean something on a noisy
//! machine; the customer's shared page (`/p/{token}`, plain HTML) for the same plans; and the
//! plan as JSON (the server function the builder re-reads).
//!
//! Run: `scripts/bench-plans.sh` (or `cargo bench -p server --bench plans`).
//! Knobs: BENCH_REQUESTS (200 per scenario, sequential). Bounded; loopback only.

use app::model::plan::{MilestoneInput, TaskInput, TaskOwner};
use app::store::plans::{Actor, PlanOwner};
use common::{bench_admin, env, err as e, open_db, pct, serve};
use std::time::Instant;

mod common;

/// Times `n` sequential GETs of `url`; returns (p50, p95, p99) in ms and the body size.
async fn measure(
    http: &reqwest::Client, url: &str, cookie: &str, n: u64,
) -> anyhow::Result<(f64, f64, f64, usize)> {
    let mut lat = Vec::new();
    let mut size = 0;
    for i in 0..n + 10 {
        let t = Instant::now();
        let res =
            http.get(url).header("cookie", cookie).header("accept", "text/html").send().await?;
        anyhow::ensure!(res.status().is_success(), "{url}: {}", res.status());
        let body = res.bytes().await?;
        // The first ten warm caches and connections.
        if i >= 10 {
            lat.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        size = body.len();
    }
    lat.sort_by(|a, b| a.total_cmp(b));
    Ok((pct(&lat, 0.5), pct(&lat, 0.95), pct(&lat, 0.99), size))
}

/// One run: the plans of 30, 100 and 300 tasks are built and measured in turn, so the ratios
/// between them come from the same machine state.
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n = env("BENCH_REQUESTS", 200);
    let dir = tempfile::tempdir()?;
    let db = open_db(dir.path(), "db").await?;
    bellwether::seed::run(&db, 50, 7, false, false).await?;
    let (base, state) = serve(&db, Some(10_000_000)).await?;

    // A signed-in admin (a session made directly: sign-in is not what is measured).
    let admin = bench_admin(&db, "Bench Admin").await?;
    let (token, hash) = app::auth::new_session_token();
    app::store::sessions::create(&db, &hash, &admin.id, 1).await.map_err(e)?;
    let cookie = format!("{}={token}", app::auth::SESSION_COOKIE);
    let by = Actor::Staff { id: admin.id.clone(), name: admin.name.clone() };
    let mut r = db.query("SELECT VALUE record::id(id) FROM account LIMIT 3").await?;
    let accounts: Vec<String> = r.take(0)?;
    let contact_of = |acc: String| {
        let db = db.clone();
        async move {
            let mut r = db
                .query("SELECT VALUE record::id(id) FROM contact WHERE account = type::record('account', $a) LIMIT 1")
                .bind(serde_json::json!({ "a": acc }))
                .await?;
            let c: Vec<String> = r.take(0)?;
            anyhow::Ok(c.into_iter().next())
        }
    };

    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    println!("| Plan | Page | p50 ms | p95 ms | p99 ms | HTML bytes |");
    println!("|---|---|---|---|---|---|");
    for (i, tasks) in [30usize, 100, 300].into_iter().enumerate() {
        let acc = accounts[i].clone();
        let contact = contact_of(acc.clone()).await?;
        let plan = build_plan(&db, &acc, tasks, contact.as_deref(), &by).await?;
        let builder = format!("{base}/accounts/{acc}/plans/{plan}");
        let (p50, p95, p99, size) = measure(&http, &builder, &cookie, n).await?;
        println!("| {tasks} tasks | builder (SSR) | {p50:.1} | {p95:.1} | {p99:.1} | {size} |");
        if let Some(c) = &contact {
            let expires = chrono::Utc::now() + chrono::Duration::days(30);
            let share = app::store::plan_shares::create(
                &db,
                &plan,
                &acc,
                c,
                expires,
                (&admin.id, &admin.name),
            )
            .await
            .map_err(e)?;
            let t = state.keyring().sign_share(&share.id, expires.timestamp());
            let (p50, p95, p99, size) = measure(&http, &format!("{base}/p/{t}"), "", n).await?;
            println!(
                "| {tasks} tasks | shared page (customer) | {p50:.1} | {p95:.1} | {p99:.1} | {size} |"
            );
        }
        // The plan as JSON, as the builder re-reads it.
        let mut lat = Vec::new();
        for _ in 0..n {
            let t = Instant::now();
            let res = http
                .post(format!("{base}/api/plans/get"))
                .header("cookie", &cookie)
                .form(&[("id", plan.as_str())])
                .send()
                .await?;
            anyhow::ensure!(res.status().is_success());
            let _ = res.bytes().await?;
            lat.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        lat.sort_by(|a, b| a.total_cmp(b));
        println!(
            "| {tasks} tasks | plan JSON (server function) | {:.1} | {:.1} | {:.1} | — |",
            pct(&lat, 0.5),
            pct(&lat, 0.95),
            pct(&lat, 0.99)
        );
    }
    Ok(())
}

/// A blank plan of `tasks` tasks for `acc`: milestones of 10 tasks each, every third task the
/// customer's (`contact`), through the same store calls the builder uses (each its own
/// transaction with an activity entry). Returns the plan's id.
async fn build_plan(
    db: &app::store::Db, acc: &str, tasks: usize, contact: Option<&str>, by: &Actor,
) -> anyhow::Result<String> {
    let start = chrono::Utc::now().date_naive();
    let plan = app::store::plans::create(
        db,
        acc,
        &app::model::plan::NewPlanInput {
            title: format!("Bench plan {tasks}"),
            template_id: String::new(),
            start: start.to_string(),
        }
        .validate()
        .map_err(e)?,
        None,
        by,
    )
    .await
    .map_err(e)?;
    let owner = PlanOwner { plan: plan.clone(), account: acc.into(), start };
    for m in 0..tasks / 10 {
        let due = start + chrono::Duration::days(7 * (m as i64 + 1));
        let ms = app::store::plans::add_milestone(
            db,
            &owner,
            &MilestoneInput {
                title: format!("Milestone {m}"),
                due: due.to_string(),
                first_value: m == 2,
            }
            .validate(start)
            .map_err(e)?,
            by,
        )
        .await
        .map_err(e)?;
        for t in 0..10 {
            let valid = TaskInput {
                title: format!("Task {m}.{t}: a realistic, fairly long task title"),
                due: due.to_string(),
                owner: String::new(),
            }
            .validate(start)
            .map_err(e)?;
            let who = match (contact, t % 3 == 0) {
                (Some(c), true) => {
                    app::store::plans::resolve_owner(db, acc, &TaskOwner::Contact(c.into()))
                        .await
                        .map_err(e)?
                }
                _ => app::store::plans::resolve_owner(db, acc, &valid.owner).await.map_err(e)?,
            };
            app::store::plans::add_task(db, &owner, &ms, &valid, who, by).await.map_err(e)?;
        }
    }
    Ok(plan.to_string())
}
