//! Health scoring as a service: which model scores which account, the streaming recompute when
//! new data arrives, the daily snapshot that keeps history gap-free, the account's health panel
//! and the CSM's sentiment. The arithmetic is `metrics::health` (pure, shared with the browser);
//! the data comes from `store::health` and `store::usage`. The model editor's use cases are in
//! [`super::health_models`].

use super::portfolio;
use crate::error::AppError;
use crate::metrics::health as engine;
use crate::model::health::*;
use crate::model::plan::PlanStatus;
use crate::model::EngagementThresholds;
use crate::store::health::{SnapshotWrite, DEFAULT_SCOPE};
use crate::store::portfolio_index::{PortfolioIndex, Scored};
use crate::store::{self, Db};
use chrono::{NaiveDate, Utc};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::mpsc;

/// The models in force and the accounts each segment model covers. An account is scored by the
/// first segment model (in the order Settings lists them: by segment name) whose segment holds
/// it, otherwise by the default model.
pub struct Assignment {
    pub models: Vec<HealthModel>,
    members: Vec<HashSet<String>>,
}

impl Assignment {
    pub async fn load(db: &Db, index: &PortfolioIndex) -> Result<Self, AppError> {
        let mut models = store::health::current_models(db).await?;
        // Only a brand-new database lacks the default model; every later load just reads.
        if !models.iter().any(|m| m.scope == DEFAULT_SCOPE) {
            store::health::ensure_default(db).await?;
            models = store::health::current_models(db).await?;
        }
        let segments = store::segments::list(db).await?;
        let mut members = Vec::with_capacity(models.len());
        for m in &models {
            let segment = segments.iter().find(|s| Some(&s.id) == m.segment_id.as_ref());
            let set = match segment {
                Some(seg) if m.scope != DEFAULT_SCOPE => {
                    portfolio::ids(db, index, &seg.filter).await?.into_iter().collect()
                }
                _ => HashSet::new(),
            };
            members.push(set);
        }
        Ok(Self { models, members })
    }

    pub fn model_for(&self, account: &str) -> &HealthModel {
        self.models
            .iter()
            .zip(&self.members)
            .find(|(m, set)| m.scope != DEFAULT_SCOPE && set.contains(account))
            .map(|(m, _)| m)
            .or_else(|| self.models.iter().find(|m| m.scope == DEFAULT_SCOPE))
            .or(self.models.first())
            .expect("the default model exists")
    }

    pub fn model(&self, scope: &str) -> Option<&HealthModel> {
        self.models.iter().find(|m| m.scope == scope)
    }
}

/// The facts of these accounts on `day`: a short list is fetched by account, a long one in one
/// pass over the day's rollups (faster past a few hundred accounts).
pub(crate) async fn facts_for(
    db: &Db, ids: &[String], day: NaiveDate,
) -> Result<HashMap<String, HealthFacts>, AppError> {
    if ids.len() <= 500 {
        store::health::facts_on(db, Some(ids), day).await
    } else {
        store::health::facts_on(db, None, day).await
    }
}

/// Scores accounts (all of them with `None`) as of today, stores the day's snapshots with the
/// usage facts segments filter on, and records who entered or left a saved segment. Returns
/// how many were scored.
pub async fn recompute(
    db: &Db, index: &PortfolioIndex, ids: Option<&[String]>, cause: &str,
) -> Result<usize, AppError> {
    let started = std::time::Instant::now();
    let assignment = Assignment::load(db, index).await?;
    let loaded = started.elapsed();
    let today = Utc::now().date_naive();
    let all = ids.is_none();
    let ids: Vec<String> = match ids {
        Some(i) => i.to_vec(),
        None => portfolio::all_rows(index).await?.into_iter().map(|r| r.id).collect(),
    };
    let facts = facts_for(db, &ids, today).await?;
    let levels = store::settings::engagement_levels(db).await?;
    let plans = store::plans::statuses(db, (!all).then_some(ids.as_slice()), today).await?;
    let plans = crate::metrics::usage::worst_open_plans(plans);
    let gathered = started.elapsed();
    let (snaps, scored) = score_all(&assignment, &ids, &facts, &levels, &plans, today, cause);
    let changed: Vec<Scored> =
        scored.into_iter().filter(|s| index.scored(&s.acc).as_ref() != Some(s)).collect();
    store::health::write_snapshots(db, &snaps, &changed).await?;
    index.apply_scores(&changed);
    super::segments::track(db, index, (!all).then_some(ids.as_slice())).await?;
    // Alert rules read the scores just stored (health drops, renewals while red).
    super::alerts::after_scoring(db, index, (!all).then_some(ids.as_slice())).await;
    tracing::debug!(
        accounts = snaps.len(),
        changed = changed.len(),
        models_ms = loaded.as_millis() as u64,
        facts_ms = (gathered - loaded).as_millis() as u64,
        total_ms = started.elapsed().as_millis() as u64,
        cause,
        "re-scored"
    );
    Ok(snaps.len())
}

/// Re-scores every account without making the caller wait (a model changed: the new version
/// applies from now). A failure is logged with `what` happened.
pub fn rescore_all_in_background(db: &Db, index: &Arc<PortfolioIndex>, what: &'static str) {
    let (db, index) = (db.clone(), index.clone());
    tokio::spawn(async move {
        if let Err(e) = recompute(&db, &index, None, "model").await {
            tracing::warn!(error = %e, "re-scoring after {what} failed");
        }
    });
}

/// The pure part of a recompute: facts in, snapshots and what to copy onto each account out
/// (the benchmark times it alone too).
pub fn score_all(
    assignment: &Assignment, ids: &[String], facts: &HashMap<String, HealthFacts>,
    levels: &EngagementThresholds, plans: &HashMap<String, PlanStatus>, day: NaiveDate,
    cause: &str,
) -> (Vec<SnapshotWrite>, Vec<Scored>) {
    let empty = HealthFacts::default();
    ids.iter()
        .map(|id| {
            let m = assignment.model_for(id);
            let f = facts.get(id).unwrap_or(&empty);
            let s = engine::score(&m.config, f);
            let usage =
                crate::metrics::usage::usage_facts(&m.config, f, levels, plans.get(id).copied());
            let scored = Scored { acc: id.clone(), score: s.score, band: s.band, usage };
            let snap = SnapshotWrite {
                acc: id.clone(),
                day: day.to_string(),
                score: s.score,
                band: s.band,
                model: m.scope.clone(),
                version: m.version,
                measures: s.measures,
                cause: cause.to_string(),
            };
            (snap, scored)
        })
        .unzip()
}

/// Accounts waiting to be re-scored, as the scoring worker receives them.
pub struct Rescores(mpsc::UnboundedReceiver<Vec<String>>);

/// The queue of accounts to re-score: the sender goes into `AppState` (`AppState::rescore`),
/// the receiver to [`spawn_worker`].
pub fn rescore_queue() -> (mpsc::UnboundedSender<Vec<String>>, Rescores) {
    let (tx, rx) = mpsc::unbounded_channel();
    (tx, Rescores(rx))
}

/// How long the worker gathers changed accounts before scoring them together: events arrive in
/// bursts, and one recompute of 300 accounts costs about what one of 3 does.
const GATHER: std::time::Duration = std::time::Duration::from_millis(100);

/// Starts the streaming recompute: account ids sent on the queue are re-scored within about
/// GATHER plus one recompute (tens of milliseconds).
pub fn spawn_worker(db: Db, index: Arc<PortfolioIndex>, Rescores(mut rx): Rescores) {
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut ids: HashSet<String> = first.into_iter().collect();
            let deadline = tokio::time::Instant::now() + GATHER;
            while let Ok(Some(more)) = tokio::time::timeout_at(deadline, rx.recv()).await {
                ids.extend(more);
                if ids.len() >= 5_000 {
                    break;
                }
            }
            let ids: Vec<String> = ids.into_iter().collect();
            for chunk in ids.chunks(500) {
                // A failed pass (a conflict that outlasted the store's retries) is tried again
                // after a pause: dropped, these scores would wait for the daily pass.
                for attempt in 1..=3u64 {
                    match recompute(&db, &index, Some(chunk), "data").await {
                        Ok(_) => break,
                        Err(e) => {
                            tracing::warn!(error = %e, attempt, "health recompute failed");
                            tokio::time::sleep(std::time::Duration::from_millis(500 * attempt))
                                .await;
                        }
                    }
                }
            }
        }
    });
}

/// The daily pass: snapshots every account that has none for today (history without gaps),
/// then evaluates every saved segment and every alert rule over every account, since
/// inactivity grows with the calendar alone and plans slip without anyone touching them.
pub async fn daily(db: &Db, index: &PortfolioIndex) -> Result<usize, AppError> {
    let today = Utc::now().date_naive();
    let missing = store::health::accounts_without_snapshot(db, today).await?;
    if missing.len() > 500 {
        // A full recompute evaluates every segment over every account itself.
        return recompute(db, index, None, "daily").await;
    }
    let scored =
        if missing.is_empty() { 0 } else { recompute(db, index, Some(&missing), "daily").await? };
    super::segments::track(db, index, None).await?;
    // Rules trip with the calendar alone too (milestones fall due, renewals come near, messages
    // wait longer, snoozes end): every account once a day.
    super::alerts::evaluate(db, index, None).await?;
    Ok(scored)
}

/// The CSM's own read of an account, stored and scored at once.
pub async fn set_sentiment(
    db: &Db, index: &PortfolioIndex, account: &str, colour: Band, note: Option<&str>, by: &str,
) -> Result<(), AppError> {
    store::health::set_sentiment(db, account, colour, note, by).await?;
    recompute(db, index, Some(&[account.to_string()]), "sentiment").await?;
    Ok(())
}

/// Everything the account's health panel shows: today's score, `days` of history, the
/// snapshot from a week ago, the sentiment, and whether it disagrees with the data.
pub async fn account_health(
    db: &Db, index: &PortfolioIndex, id: &str, days: u32, can_edit: bool,
) -> Result<AccountHealth, AppError> {
    let id = id.to_string();
    let today = chrono::Utc::now().date_naive();
    let since = today - chrono::Duration::days(days.max(8) as i64);
    // An unknown account is a 404 before anything else is read.
    store::accounts::detail(db, &id).await?;
    let assignment = Assignment::load(db, index).await?;
    let model = assignment.model_for(&id).clone();
    let history = store::health::history(db, &id, since).await?;
    let facts = store::health::facts_on(db, Some(std::slice::from_ref(&id)), today)
        .await?
        .remove(&id)
        .unwrap_or_default();
    let week = today - chrono::Duration::days(7);
    let week_ago = history.iter().rev().find(|s| s.day <= week).cloned();
    let current = history.last().cloned();
    let window = today - chrono::Duration::days(days as i64);
    let sentiment = store::health::latest_sentiment(db, &id, model.config.sentiment_days).await?;
    Ok(AccountHealth {
        disagreement: engine::disagreement(&model.config, &facts),
        current,
        model_name: format!("{} v{}", model.name, model.version),
        bands: model.config.bands,
        history: history.into_iter().filter(|s| s.day > window).collect(),
        week_ago,
        sentiment,
        can_edit,
    })
}

/// Red / yellow / green counts and ARR of the accounts a portfolio filter shows (churned ones
/// left out: their health no longer matters).
pub async fn distribution(
    index: &PortfolioIndex, filter: &crate::model::PortfolioFilter,
) -> Result<Distribution, AppError> {
    let rows = portfolio::when_loaded(index, |i| i.active_money_and_bands(filter)).await?;
    Ok(engine::distribution(
        rows.iter().map(|(currency, arr, band)| (*band, currency.as_str(), *arr)),
    ))
}
