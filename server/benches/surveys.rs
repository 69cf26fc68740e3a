//! Survey response throughput: answers posted to the public pages over HTTP on loopback,
//! compared in the same run with raw SurrealDB inserts of the same rows into the same kind of
//! database (embedded SurrealKV), at the same concurrency.
//!
//! Run: `scripts/bench-surveys.sh` (or `cargo bench -p server --bench surveys`).
//! Knobs: BENCH_SECS (default 10), BENCH_CONC (16), BENCH_ACCOUNTS (600).
//! Bounded: every scenario stops after BENCH_SECS; everything listens on 127.0.0.1 only.

use app::model::{SurveyInput, SurveySettings};
use common::{bench_admin, cores, cpu_model, env, err, open_db, serve};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;

struct Outcome {
    ok: u64,
    errors: u64,
    secs: f64,
    lat_us: Vec<u64>,
}

impl Outcome {
    fn rate(&self) -> f64 {
        self.ok as f64 / self.secs
    }
    fn pct(&self, p: f64) -> f64 {
        if self.lat_us.is_empty() {
            return 0.0;
        }
        let i = ((self.lat_us.len() as f64 - 1.0) * p).round() as usize;
        self.lat_us[i] as f64 / 1000.0
    }
    fn row(&self, name: &str) -> String {
        format!(
            "| {name} | {:.0} | {:.1} | {:.1} | {} | {} |",
            self.rate(),
            self.pct(0.5),
            self.pct(0.99),
            self.ok,
            self.errors
        )
    }
}

/// Runs `conc` workers for `secs`, each calling `op(worker, n)` in a loop.
async fn load<F, Fut>(conc: u64, secs: u64, op: F) -> Outcome
where
    F: Fn(u64, u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let op = Arc::new(op);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..conc {
        let op = op.clone();
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut err, mut lat) = (0u64, 0u64, Vec::new());
            let mut n = 0u64;
            while Instant::now() < deadline {
                let t = Instant::now();
                if op(w, n).await {
                    ok += 1;
                    lat.push(t.elapsed().as_micros() as u64);
                } else {
                    err += 1;
                }
                n += 1;
            }
            (ok, err, lat)
        }));
    }
    let mut out = Outcome { ok: 0, errors: 0, secs: 0.0, lat_us: Vec::new() };
    for t in tasks {
        let (ok, err, lat) = t.await.expect("worker");
        out.ok += ok;
        out.errors += err;
        out.lat_us.extend(lat);
    }
    out.secs = start.elapsed().as_secs_f64();
    out.lat_us.sort_unstable();
    out
}

/// Posts one answer to a survey page; true when it was recorded (303 to the thanks page).
async fn post_answer(
    h: reqwest::Client, url: String, n: u64, extra: &'static [(&'static str, &'static str)],
) -> bool {
    let score = (n % 11).to_string();
    let mut form = vec![("score", score.as_str()), ("comment", "Responsive team, clear plan.")];
    form.extend_from_slice(extra);
    matches!(
        h.post(url).form(&form).send().await,
        Ok(r) if r.status() == reqwest::StatusCode::SEE_OTHER
    )
}

/// One run: the same survey answered through each path in turn, for `BENCH_SECS` each, then the
/// figures side by side.
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let secs = env("BENCH_SECS", 10);
    let conc = env("BENCH_CONC", 16);
    let accounts = env("BENCH_ACCOUNTS", 600) as usize;
    let dir = tempfile::tempdir()?;

    // The app, on its own embedded database, with the public rate limit out of the way.
    let db = open_db(dir.path(), "app").await?;
    bellwether::seed::run(&db, accounts, 7, false, false).await?;
    let (base, state) = serve(&db, Some(10_000_000)).await?;

    let (survey, tokens) = invited_survey(&db, &state).await?;
    let tokens = Arc::new(tokens);

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(conc as usize)
        .build()?;

    let (plain, gz_body) = page_sizes(&http, &format!("{base}/s/{}?score=9", tokens[0])).await?;

    // 1. Invited answers: each POST updates its invitation's one response (and may open a
    //    follow-up) in one transaction; tokens rotate so most posts are first answers.
    let h = http.clone();
    let t = tokens.clone();
    let b = base.clone();
    let invited = load(conc, secs, move |w, n| {
        let url = format!("{b}/s/{}", t[((w + n * conc) as usize) % t.len()]);
        post_answer(h.clone(), url, w + n, &[("q1", "Support")])
    })
    .await;

    // 2. Anonymous link: every POST inserts a new response.
    let h = http.clone();
    let anon_url = format!("{base}/s/a/{}", survey.public_key);
    let anonymous =
        load(conc, secs, move |w, n| post_answer(h.clone(), anon_url.clone(), w + n, &[])).await;

    // 3. Raw SurrealDB: the same row inserted straight through the SDK, same concurrency,
    //    into a fresh embedded database with the same schema.
    let raw_db = open_db(dir.path(), "raw").await?;
    let survey_key = survey.id.clone();
    let raw = load(conc, secs, move |w, n| {
        let db = raw_db.clone();
        let s = survey_key.clone();
        async move {
            db.query(
                "CREATE survey_response SET survey = type::record('survey', $s), kind = 'nps',
                    score = $score, comment = $comment, answers = { q1: 'Support' }, channel = 'link'",
            )
            .bind(json!({ "s": s, "score": (w + n) % 11, "comment": "Responsive team, clear plan." }))
            .await
            .and_then(|r| r.check())
            .is_ok()
        }
    })
    .await;

    println!("machine: {} cores, {}", cores(), cpu_model());
    println!(
        "{} invitations over {accounts} accounts; {conc} concurrent clients; {secs} s per scenario; load generator in the same process\n",
        tokens.len()
    );
    println!("| scenario | responses/s | p50 ms | p99 ms | ok | errors |");
    println!("|---|---:|---:|---:|---:|---:|");
    println!("{}", invited.row("invited link (HTTP POST, upsert + follow-up txn)"));
    println!("{}", anonymous.row("anonymous link (HTTP POST, insert)"));
    println!("{}", raw.row("raw SurrealDB CREATE (SDK, no HTTP)"));
    println!(
        "\ninvited / raw = {:.0} %, anonymous / raw = {:.0} %",
        invited.rate() / raw.rate() * 100.0,
        anonymous.rate() / raw.rate() * 100.0
    );
    println!(
        "survey page: {plain} bytes uncompressed, {gz_body} bytes gzip (no script, no stylesheet request)"
    );
    Ok(())
}

/// One NPS survey to every seeded account, with an extra question, its invitations queued.
/// Returns the survey and each invitation's signed token.
async fn invited_survey(
    db: &app::store::Db, state: &app::state::AppState,
) -> anyhow::Result<(app::model::Survey, Vec<String>)> {
    let mut r = db.query("SELECT VALUE record::id(id) FROM account").await?;
    let ids: Vec<String> = r.take(0)?;
    let admin = bench_admin(db, "Bench").await?;
    let valid = SurveyInput {
        name: "Bench NPS".into(),
        kind: "nps".into(),
        audience: "accounts".into(),
        ids,
        questions: vec![app::model::QuestionInput {
            prompt: "Which team helped most?".into(),
            kind: "choice".into(),
            options: "Support\nOnboarding".into(),
        }],
        ..Default::default()
    }
    .validate()
    .map_err(err)?;
    let survey = app::store::surveys::create(db, &valid, &admin.id).await.map_err(err)?;
    let settings = SurveySettings::default();
    let now = chrono::Utc::now();
    let decided = app::store::surveys::decide(db, &state.portfolio, &survey, &settings, now)
        .await
        .map_err(err)?;
    let contacts: Vec<_> = decided.into_iter().map(|(c, _)| c).collect();
    app::store::surveys::queue(db, &survey, &contacts, &settings, now).await.map_err(err)?;
    let mut r = db
        .query(
            "SELECT VALUE record::id(id) FROM invitation WHERE survey = type::record('survey', $s)",
        )
        .bind(json!({ "s": survey.id }))
        .await?;
    let invitations: Vec<String> = r.take(0)?;
    let exp = (now + chrono::Duration::days(30)).timestamp();
    let tokens = invitations.iter().map(|k| state.keyring().sign(k, exp)).collect();

    Ok((survey, tokens))
}

/// The survey page's size as sent, plain and gzip-compressed.
async fn page_sizes(http: &reqwest::Client, page_url: &str) -> anyhow::Result<(usize, usize)> {
    let plain =
        http.get(page_url).header("accept-encoding", "identity").send().await?.bytes().await?.len();
    // Without automatic decompression the body is what crossed the wire.
    let gz_body = reqwest::Client::builder()
        .no_gzip()
        .build()?
        .get(page_url)
        .header("accept-encoding", "gzip")
        .send()
        .await?
        .bytes()
        .await?
        .len();

    Ok((plain, gz_body))
}
