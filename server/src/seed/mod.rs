//! `bellwether seed-demo`: realistic, deterministic demo data.
//!
//! The same `--seed` always gives the same companies, contacts and owners, so screenshots,
//! benchmarks and bug reports can be reproduced. Accounts go in batches of 1 000, each batch one
//! transaction (a batch is all there or not at all).
//!
//! One random generator is threaded through every step in a fixed order — accounts, survey
//! answers, plans and touchpoints, product usage — so a step must draw exactly what it drew
//! before, in the same order, or every later step (and every screenshot) changes:
//!
//! - [`accounts`]: the demo CSMs, then the accounts with their contacts and team;
//! - [`surveys`]: a year of survey answers and the follow-ups they opened;
//! - [`plans`]: cadence rules, success plans from the journey templates, touchpoints;
//! - [`usage`]: a year of product usage, sentiment, churn dates and daily health scores;
//! - [`revenue`]: two years of ARR movements ending at each account's ARR (last, so the steps
//!   before draw what they always drew; before today's scoring, so it sees a churned account's
//!   ARR at 0).

mod accounts;
mod escalations;
mod names;
mod plans;
mod revenue;
mod surveys;
mod usage;

pub use usage::FEATURES;

use app::error::AppError;
use app::model::{AccountRow, SizeTier};
use app::store::{self, Db};
use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use std::io::IsTerminal;
use std::time::Instant;

/// What the later steps need to know about a seeded account.
struct SeededAccount {
    key: String,
    tier: SizeTier,
    start: NaiveDate,
    churned: bool,
    /// The company's e-mail domain word (`acme` for "Acme Labs Inc."), for contacts and users.
    domain: String,
    /// The owning CSM's user key.
    owner: String,
}

/// A demo CSM: user key and name.
type Staff = (String, String);

/// Store errors as the command line reports them.
fn err(e: AppError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// Seeds `accounts` accounts (plus demo CSMs to own them) from `seed`, with contacts, team and
/// a year of survey answers and — with `history` — success plans, touchpoints, a year of product
/// usage, sentiment, churn dates and daily health scores.
pub async fn run(
    db: &Db, accounts: usize, seed: u64, progress: bool, history: bool,
) -> anyhow::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let staff = accounts::demo_staff(db, &mut rng).await?;
    let today = chrono::Utc::now().date_naive();
    let started = Instant::now();
    let bar = progress_bar(progress, accounts);
    let (seeded, people) =
        accounts::seed_accounts(db, &mut rng, &staff, accounts, today, &bar).await?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    let made = seeded.len();
    println!(
        "seeded {made} accounts in {secs:.1}s ({:.0} accounts/s) with seed {seed}",
        made as f64 / secs.max(0.001)
    );
    let admin = staff.first().map(|s| s.0.as_str());
    let t = Instant::now();
    let answers = surveys::survey_history(db, &mut rng, &people, admin).await?;
    if answers > 0 {
        println!(
            "seeded {answers} survey answers over 12 months in {:.1}s",
            t.elapsed().as_secs_f64()
        );
    }
    if !history {
        return arr_movements(db, &mut rng, &seeded, today).await;
    }
    let t = Instant::now();
    let (plans, touchpoints) =
        plans::plans_and_touchpoints(db, &mut rng, &seeded, &staff, today).await?;
    println!(
        "seeded {plans} success plans and {touchpoints} touchpoints in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let (days, snaps) = usage::usage_history(db, &mut rng, &seeded, admin, today).await?;
    println!(
        "seeded {days} days of product usage and {snaps} daily health scores in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    store::usage::refresh_last_active(db).await.map_err(err)?;
    let t = Instant::now();
    let n = escalations::seed(db, &mut rng, &seeded, &staff, admin).await?;
    println!("seeded {n} escalations with SLA clocks in {:.1}s", t.elapsed().as_secs_f64());
    arr_movements(db, &mut rng, &seeded, today).await?;
    rescore_today(db).await?;
    usage_segments(db, admin).await
}

/// Two saved segments on product usage, so the demo's Segments page and filters have
/// something to show: accounts using under 40 % of the key features, and accounts with no
/// usage for 30 days. Their members are recorded as they are (no moves yet).
async fn usage_segments(db: &Db, admin: Option<&str>) -> anyhow::Result<()> {
    let Some(admin) = admin else { return Ok(()) };
    let portfolio = app::store::portfolio_index::PortfolioIndex::new();
    let existing = store::segments::list(db).await.map_err(err)?;
    for (name, query) in
        [("Low adoption", "adoption_max=39"), ("Inactive 30 days", "inactive_days=30")]
    {
        if existing.iter().any(|s| s.name == name) {
            continue;
        }
        let filter = app::model::PortfolioFilter::from_query_string(query);
        app::service::segments::create(db, &portfolio, name, &filter, admin).await.map_err(err)?;
    }
    Ok(())
}

/// The ARR ledger of the accounts just seeded (see [`revenue`]), stored with each account's ARR
/// set from its last movement (a churned account's to 0). The seeded ARR and currency are read
/// back from the portfolio index (a throwaway one: the scoring pass loads its own after these
/// writes); the churn days are those the usage history recorded, where it ran.
async fn arr_movements(
    db: &Db, rng: &mut ChaCha8Rng, seeded: &[SeededAccount], today: NaiveDate,
) -> anyhow::Result<()> {
    let t = Instant::now();
    let portfolio = app::store::portfolio_index::PortfolioIndex::new();
    portfolio.spawn_sync(db.clone());
    let keys: Vec<String> = seeded.iter().map(|a| a.key.clone()).collect();
    let rows = app::service::portfolio::when_loaded(&portfolio, |i| i.rows_of(&keys))
        .await
        .map_err(err)?;
    let rows: HashMap<String, AccountRow> = rows.into_iter().map(|r| (r.id.clone(), r)).collect();
    portfolio.stop();
    let churned: HashMap<String, NaiveDate> =
        store::health::churned(db).await.map_err(err)?.into_iter().collect();
    let accounts: Vec<revenue::SeedAccount> = seeded
        .iter()
        .filter_map(|a| {
            let row = rows.get(&a.key)?;
            Some(revenue::SeedAccount {
                key: a.key.clone(),
                contract_start: a.start,
                currency: row.currency.clone(),
                arr_minor: row.arr_minor,
                churned_on: churned.get(&a.key).copied(),
                churned: a.churned,
            })
        })
        .collect();
    let movements = revenue::histories(rng, &accounts, today);
    // One transaction per 2 000 accounts' movements (the store's chunk).
    store::revenue::insert_seed(db, &movements).await.map_err(err)?;
    println!(
        "seeded {} ARR movements for {} accounts over two years in {:.1}s",
        movements.len(),
        accounts.len(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

/// A bar on a terminal; nothing (but the same counting) otherwise.
fn progress_bar(progress: bool, accounts: usize) -> ProgressBar {
    if progress && std::io::stderr().is_terminal() {
        let b = ProgressBar::new(accounts as u64);
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} {bar:40} {pos}/{len} accounts ({per_sec}, {eta} left)",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    } else {
        ProgressBar::with_draw_target(Some(accounts as u64), ProgressDrawTarget::hidden())
    }
}

/// Today's scores again with the real engine reading the database, so they count the
/// touchpoints and plan milestones seeded before (the history is computed from usage alone);
/// the scoring pass then runs the early-warning rules, so the demo opens with the alerts its
/// data trips (declining accounts, late milestones, renewals near while red). The portfolio
/// index is loaded first: the rules read renewal dates and scores from it.
async fn rescore_today(db: &Db) -> anyhow::Result<()> {
    let portfolio = app::store::portfolio_index::PortfolioIndex::new();
    portfolio.spawn_sync(db.clone());
    let ids = app::service::portfolio::when_loaded(&portfolio, |i| {
        i.is_ready().then(|| i.matching_ids(&Default::default())).flatten()
    })
    .await
    .map_err(err)?;
    let t = Instant::now();
    let scored = app::service::health::recompute(db, &portfolio, Some(&ids), "seed-demo").await;
    portfolio.stop();
    scored.map_err(err)?;
    let open = app::store::alerts::list(
        db,
        &app::model::alert::AlertFilter { limit: 200, ..Default::default() },
        None,
    )
    .await
    .map_err(err)?;
    println!(
        "scored today and ran the early-warning rules in {:.1}s: {}{} alerts open",
        t.elapsed().as_secs_f64(),
        open.alerts.len(),
        if open.next_cursor.is_some() { "+" } else { "" }
    );
    Ok(())
}
