//! A year of product usage as daily rollups (what the events API would have built), CSM
//! sentiment, churn dates, and daily health snapshots: a realistic history for the trend charts
//! and a meaningful churn backtest.
//!
//! Each account gets a hidden engagement level; churned accounts fade over the 120 days before
//! they churn and go silent after; some retained accounts decline lately (the at-risk ones a
//! CSM should find). Scores are then computed with the real engine for every day of the last 30
//! and every week before that, from the same facts the server would read (kept in memory here,
//! so seeding does not query the database once per day). The default model gets a second
//! version 40 days ago (adoption weighed more), so the charts show a model change.

use super::{err, SeededAccount};
use app::metrics::health as engine;
use app::model::health::{Band, HealthConfig, HealthFacts, HealthModel, Measure};
use app::model::SizeTier;
use app::store::{self, Db};
use chrono::{Datelike, Duration, NaiveDate};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use std::collections::HashMap;

/// The product features demo accounts (and the health benchmark's events) use.
pub const FEATURES: &[&str] =
    &["dashboards", "reports", "integrations", "automation", "alerts", "exports", "api"];

/// Usage rollups written per call.
const ROWS_PER_WRITE: usize = 2000;

/// One active day, compactly: logins, the active users and the features used as bit sets.
#[derive(Clone, Copy)]
struct DayUsage {
    day: NaiveDate,
    logins: u32,
    users: u64,
    features: u8,
}

/// What one account's simulation produced, besides its usage rows.
struct AccountHistory {
    days: Vec<DayUsage>,
    churn_on: Option<NaiveDate>,
    /// The CSM's read (colour, day set), if any.
    felt: Option<(Band, NaiveDate)>,
}

/// Survey answers per account: (day, kind, score).
type Answers = HashMap<String, Vec<(NaiveDate, app::model::SurveyKind, u8)>>;

/// Seeds the usage, sentiment and churn history, then the daily health snapshots; returns
/// (active account-days, snapshots).
pub(super) async fn usage_history(
    db: &Db, rng: &mut ChaCha8Rng, accounts: &[SeededAccount], admin: Option<&str>,
    today: NaiveDate,
) -> anyhow::Result<(usize, usize)> {
    let mut rows = Vec::new();
    let mut churn_dates = Vec::new();
    let mut sentiments = Vec::new();
    let mut histories = Vec::with_capacity(accounts.len());
    for a in accounts {
        let h = simulate(rng, a, today, &mut rows);
        if let Some(c) = h.churn_on {
            churn_dates.push(json!({ "id": a.key, "on": format!("{c}T00:00:00Z") }));
        }
        if let Some((colour, set)) = h.felt {
            sentiments.push(json!({ "acc": a.key, "colour": colour, "at": format!("{set}T09:00:00Z"), "by": admin }));
        }
        histories.push(h);
        if rows.len() >= ROWS_PER_WRITE {
            store::health::seed_history(db, &rows, &[], &[]).await.map_err(err)?;
            rows.clear();
        }
    }
    store::health::seed_history(db, &rows, &churn_dates, &sentiments).await.map_err(err)?;
    let day_count = histories.iter().map(|h| h.days.len()).sum();
    let snaps = score_history(db, accounts, &histories, admin, today).await?;
    Ok((day_count, snaps))
}

/// One account's year: an engagement level (lower for churned accounts, low for 15 % of the
/// others), its usage on each weekday as rows for the store, and for a third of live accounts a
/// CSM read, mostly in line with the data.
fn simulate(
    rng: &mut ChaCha8Rng, a: &SeededAccount, today: NaiveDate, rows: &mut Vec<Value>,
) -> AccountHistory {
    let level: f64 = if a.churned {
        rng.gen_range(0.2..0.7)
    } else if rng.gen_bool(0.15) {
        rng.gen_range(0.15..0.5)
    } else {
        rng.gen_range(0.45..1.0)
    };
    let declining = !a.churned && rng.gen_bool(0.12);
    let churn_on = a.churned.then(|| today - Duration::days(rng.gen_range(15..300)));
    let users: usize = match a.tier {
        SizeTier::Enterprise => rng.gen_range(12..40),
        SizeTier::MidMarket => rng.gen_range(5..15),
        SizeTier::Smb => rng.gen_range(1..5),
    };
    // The features this account has taken up; on a given day it uses some of them.
    let mut adopted: Vec<usize> = (0..FEATURES.len()).collect();
    adopted.shuffle(rng);
    adopted.truncate(((FEATURES.len() as f64) * level).round().max(1.0) as usize);
    let first = a.start.max(today - Duration::days(365));
    let mut days = Vec::new();
    let mut d = first;
    while d <= today {
        let working = d.weekday().number_from_monday() < 6 && churn_on.is_none_or(|c| d < c);
        if working {
            let e = engagement(level, d, today, churn_on, declining);
            if let Some(u) = use_day(rng, a, d, e, users, &adopted, rows) {
                days.push(u);
            }
        }
        d += Duration::days(1);
    }
    let felt = sentiment_read(rng, a, level, declining, today);
    AccountHistory { days, churn_on, felt }
}

/// The account's engagement on day `d`: its level, fading over the 120 days before churn, and
/// for a declining account falling over the last 60 days to 30 %.
fn engagement(
    level: f64, d: NaiveDate, today: NaiveDate, churn_on: Option<NaiveDate>, declining: bool,
) -> f64 {
    let mut e = level;
    if let Some(c) = churn_on {
        let to_churn = (c - d).num_days() as f64;
        if to_churn < 120.0 {
            e *= (to_churn / 120.0).max(0.05);
        }
    }
    if declining {
        let ago = (today - d).num_days() as f64;
        if ago < 60.0 {
            e *= 0.3 + 0.7 * ago / 60.0;
        }
    }
    e
}

/// One weekday of use at engagement `e`: its rollup row pushed to `rows`, or `None` when nobody
/// was active.
fn use_day(
    rng: &mut ChaCha8Rng, a: &SeededAccount, d: NaiveDate, e: f64, users: usize, adopted: &[usize],
    rows: &mut Vec<Value>,
) -> Option<DayUsage> {
    // Expected active users; the fraction becomes a chance of one more, so a one-seat account
    // that uses the product a third of the time shows up a third of the days.
    let expected = (users as f64) * e * rng.gen_range(0.5..1.0);
    let active = expected.floor() as usize + usize::from(rng.gen_bool(expected.fract()));
    if active == 0 {
        return None;
    }
    let logins = active + rng.gen_range(0..=active);
    let n_features = ((adopted.len() as f64) * e * rng.gen_range(0.3..1.0))
        .round()
        .clamp(0.0, adopted.len() as f64) as usize;
    let mut feats = adopted.to_vec();
    feats.shuffle(rng);
    feats.truncate(n_features);
    let who: Vec<usize> = (0..active).map(|i| (i * 7 + d.ordinal() as usize) % users).collect();
    rows.push(json!({
        "acc": a.key, "day": d.to_string(), "events": logins + n_features, "logins": logins,
        "users": who.iter().map(|u| format!("user{u}@{}.example.com", a.domain)).collect::<Vec<_>>(),
        "features": feats.iter().map(|f| FEATURES[*f]).collect::<Vec<_>>(),
    }));
    Some(DayUsage {
        day: d,
        logins: logins as u32,
        users: who.iter().fold(0u64, |m, u| m | (1 << u)),
        features: feats.iter().fold(0u8, |m, f| m | (1 << f)),
    })
}

/// A third of live accounts have a CSM read set in the last 25 days: 80 % of them in line with
/// the account's engagement, the rest any colour.
fn sentiment_read(
    rng: &mut ChaCha8Rng, a: &SeededAccount, level: f64, declining: bool, today: NaiveDate,
) -> Option<(Band, NaiveDate)> {
    if a.churned || !rng.gen_bool(0.33) {
        return None;
    }
    let colour = if rng.gen_bool(0.8) {
        if level < 0.4 || declining {
            Band::Red
        } else if level < 0.65 {
            Band::Yellow
        } else {
            Band::Green
        }
    } else {
        *Band::ALL.choose(rng).unwrap_or(&Band::Yellow)
    };
    Some((colour, today - Duration::days(rng.gen_range(0..25))))
}

/// Daily health snapshots with the default model (v1, and v2 from forty days ago) for every day
/// of the last 30 and every week of the 48 before; none are copied onto the accounts (the final rescore does that).
/// Returns how many.
async fn score_history(
    db: &Db, accounts: &[SeededAccount], histories: &[AccountHistory], admin: Option<&str>,
    today: NaiveDate,
) -> anyhow::Result<usize> {
    // Survey answers (seeded before this) count as satisfaction on and after their day.
    let answers: Answers = store::health::survey_answers(db).await.map_err(err)?;
    let (v1, v2) = model_versions(db, admin).await?;
    let switch = today - Duration::days(40);
    let mut snaps = 0;
    for day in snapshot_days(today) {
        let (config, version) = match &v2 {
            Some(m) if day >= switch => (&m.config, m.version),
            _ => (&v1, 1),
        };
        let batch: Vec<_> = accounts
            .iter()
            .zip(histories)
            .filter(|(a, _)| a.start <= day)
            .map(|(a, h)| {
                let s = engine::score(config, &facts_on(day, a, h, &answers));
                store::health::SnapshotWrite {
                    acc: a.key.clone(),
                    day: day.to_string(),
                    score: s.score,
                    band: s.band,
                    model: "default".into(),
                    version,
                    measures: s.measures,
                    cause: "daily".into(),
                }
            })
            .collect();
        snaps += batch.len();
        // Nothing is copied onto the accounts here: the rescore that ends seeding writes
        // today's scores with their usage facts through the real engine.
        store::health::write_snapshots(db, &batch, &[]).await.map_err(err)?;
    }
    Ok(snaps)
}

/// The default model as shipped (v1) and, with an admin to save it, v2: adoption weighed more.
async fn model_versions(
    db: &Db, admin: Option<&str>,
) -> anyhow::Result<(HealthConfig, Option<HealthModel>)> {
    store::health::ensure_default(db).await.map_err(err)?;
    let v1 = HealthConfig::default();
    let mut v2 = v1.clone();
    if let Some(m) = v2.measures.iter_mut().find(|m| m.measure == Measure::FeatureAdoption) {
        m.weight = 35;
    }
    let saved = match admin {
        Some(by) => Some(store::health::save_version(db, "default", &v2, by).await.map_err(err)?),
        None => None,
    };
    Ok((v1, saved))
}

/// Every week of the 48 before the last 30 days, then each of those 30 days, oldest first.
fn snapshot_days(today: NaiveDate) -> Vec<NaiveDate> {
    let mut days: Vec<NaiveDate> = (1..=48).map(|w| today - Duration::days(29 + 7 * w)).collect();
    days.reverse();
    days.extend((0..30).map(|i| today - Duration::days(29 - i)));
    days
}

/// The facts the server would read for account `a` on `day`: usage of the last 30 days (any in
/// the last 90 counts as having usage), the latest survey answer of the past year, the CSM read.
fn facts_on(
    day: NaiveDate, a: &SeededAccount, h: &AccountHistory, answers: &Answers,
) -> HealthFacts {
    let (mut logins, mut users, mut feats, mut recent_usage) = (0u32, 0u64, 0u8, false);
    for u in &h.days {
        let age = (day - u.day).num_days();
        if !(0..90).contains(&age) {
            continue;
        }
        recent_usage = true;
        if age < 30 {
            logins += u.logins;
            users |= u.users;
            feats |= u.features;
        }
    }
    HealthFacts {
        has_usage: recent_usage,
        logins_30d: logins,
        active_users_30d: users.count_ones(),
        features_30d: (0..FEATURES.len())
            .filter(|f| feats & (1 << f) != 0)
            .map(|f| FEATURES[f].to_string())
            .collect(),
        satisfaction: answers.get(&a.key).and_then(|list| {
            list.iter()
                .filter(|(d, _, _)| *d <= day && (day - *d).num_days() < 365)
                .max_by_key(|(d, _, _)| *d)
                .map(|(_, kind, score)| engine::satisfaction_scale(*kind, *score))
        }),
        sentiment: h
            .felt
            .filter(|(_, set)| *set <= day)
            .map(|(b, set)| (b, (day - set).num_days() as u32)),
        ..Default::default()
    }
}
