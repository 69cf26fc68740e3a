//! Health scoring as a service (server only): which model scores which account, the streaming
//! recompute when new data arrives, the daily snapshot that keeps history gap-free, and the
//! backtest. The arithmetic is `metrics::health` (pure, shared with the browser); the data
//! comes from `store::health` and `store::usage`.

use crate::error::AppError;
use crate::metrics::health as engine;
use crate::model::health::*;
use crate::model::{AccountRow, PortfolioFilter, Stage};
use crate::store::health::{SnapshotWrite, DEFAULT_SCOPE};
use crate::store::portfolio_index::PortfolioIndex;
use crate::store::{self, Db};
use chrono::{NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};
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
    pub async fn load(db: &Db, portfolio: &PortfolioIndex) -> Result<Self, AppError> {
        let mut models = store::health::current_models(db).await?;
        // Only a brand-new database lacks the default model; every later load just reads.
        if !models.iter().any(|m| m.scope == DEFAULT_SCOPE) {
            store::health::ensure_default(db).await?;
            models = store::health::current_models(db).await?;
        }
        let segments = store::segments::list(db).await?;
        let mut members = Vec::with_capacity(models.len());
        for m in &models {
            let set = match segments
                .iter()
                .find(|s| Some(&s.id) == m.segment_id.as_ref())
            {
                Some(seg) if m.scope != DEFAULT_SCOPE => {
                    store::accounts::ids_matching(db, portfolio, &seg.filter)
                        .await?
                        .into_iter()
                        .collect()
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

/// Every account row, from the portfolio index (waiting briefly for its first load).
pub async fn all_rows(portfolio: &PortfolioIndex) -> Result<Vec<AccountRow>, AppError> {
    rows_matching(portfolio, &PortfolioFilter::default()).await
}

/// The account rows a filter matches, from the portfolio index (waiting briefly for its first
/// load).
pub async fn rows_matching(
    portfolio: &PortfolioIndex,
    filter: &PortfolioFilter,
) -> Result<Vec<AccountRow>, AppError> {
    for _ in 0..200 {
        if let Some(rows) = portfolio.rows_matching(filter) {
            return Ok(rows);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Err(AppError::Internal("the portfolio is still loading".into()))
}

/// Scores accounts (all of them with `None`) as of today and stores the day's snapshots.
/// Returns how many were scored.
pub async fn recompute(
    db: &Db,
    portfolio: &PortfolioIndex,
    ids: Option<&[String]>,
    cause: &str,
) -> Result<usize, AppError> {
    let started = std::time::Instant::now();
    let assignment = Assignment::load(db, portfolio).await?;
    let loaded = started.elapsed();
    let today = Utc::now().date_naive();
    let ids: Vec<String> = match ids {
        Some(i) => i.to_vec(),
        None => all_rows(portfolio)
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect(),
    };
    // A short list is fetched by account; a long one in one pass over the day's rollups.
    let facts = if ids.len() <= 500 {
        store::health::facts_on(db, Some(&ids), today).await?
    } else {
        store::health::facts_on(db, None, today).await?
    };
    let gathered = started.elapsed();
    let snaps = score_all(&assignment, &ids, &facts, today, cause);
    store::health::write_snapshots(db, &snaps, |acc, score, band| {
        portfolio.health(acc) == Some((score, band))
    })
    .await?;
    tracing::debug!(
        accounts = snaps.len(),
        models_ms = loaded.as_millis() as u64,
        facts_ms = (gathered - loaded).as_millis() as u64,
        total_ms = started.elapsed().as_millis() as u64,
        cause,
        "re-scored"
    );
    Ok(snaps.len())
}

/// The pure part of a recompute: facts in, snapshots out (the benchmark times it alone too).
pub fn score_all(
    assignment: &Assignment,
    ids: &[String],
    facts: &HashMap<String, HealthFacts>,
    day: NaiveDate,
    cause: &str,
) -> Vec<SnapshotWrite> {
    let empty = HealthFacts::default();
    ids.iter()
        .map(|id| {
            let m = assignment.model_for(id);
            let s = engine::score(&m.config, facts.get(id).unwrap_or(&empty));
            SnapshotWrite {
                acc: id.clone(),
                day: day.to_string(),
                score: s.score,
                band: s.band,
                model: m.scope.clone(),
                version: m.version,
                measures: s.measures,
                cause: cause.to_string(),
            }
        })
        .collect()
}

/// How long the worker gathers changed accounts before scoring them together: events arrive in
/// bursts, and one recompute of 300 accounts costs about what one of 3 does.
const GATHER: std::time::Duration = std::time::Duration::from_millis(100);

/// Starts the streaming recompute: account ids sent on the channel are re-scored within about
/// GATHER plus one recompute (tens of milliseconds).
pub fn spawn_worker(
    db: Db,
    portfolio: Arc<PortfolioIndex>,
    mut rx: mpsc::UnboundedReceiver<Vec<String>>,
) {
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
                if let Err(e) = recompute(&db, &portfolio, Some(chunk), "data").await {
                    tracing::warn!(error = %e, "health recompute failed");
                }
            }
        }
    });
}

/// Snapshots every account that has none for today (the daily job: history without gaps).
pub async fn daily(db: &Db, portfolio: &PortfolioIndex) -> Result<usize, AppError> {
    let today = Utc::now().date_naive();
    let missing = store::health::accounts_without_snapshot(db, today).await?;
    if missing.is_empty() {
        return Ok(0);
    }
    if missing.len() > 500 {
        return recompute(db, portfolio, None, "daily").await;
    }
    recompute(db, portfolio, Some(&missing), "daily").await
}

/// The accounts a model scores, with today's facts, for the what-if editor. Churned accounts
/// are left out: their score no longer matters.
pub async fn what_if_accounts(
    db: &Db,
    portfolio: &PortfolioIndex,
    assignment: &Assignment,
    scope: &str,
) -> Result<Vec<WhatIfAccount>, AppError> {
    let rows: Vec<AccountRow> = all_rows(portfolio)
        .await?
        .into_iter()
        .filter(|r| r.stage != Stage::Churned && assignment.model_for(&r.id).scope == scope)
        .collect();
    let today = Utc::now().date_naive();
    let facts = if rows.len() <= 500 {
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        store::health::facts_on(db, Some(&ids), today).await?
    } else {
        store::health::facts_on(db, None, today).await?
    };
    let mut out: Vec<WhatIfAccount> = rows
        .into_iter()
        .map(|r| WhatIfAccount {
            facts: facts.get(&r.id).cloned().unwrap_or_default(),
            id: r.id,
            name: r.name,
            arr_minor: r.arr_minor,
            currency: r.currency,
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// How well `config` would have predicted churn: each churned account scored as of `days`
/// before it churned, each retained account as of `days` before today, from the rollups,
/// survey answers and sentiment that existed then.
pub async fn backtest(
    db: &Db,
    portfolio: &PortfolioIndex,
    assignment: &Assignment,
    scope: &str,
    config: &HealthConfig,
    days: u32,
) -> Result<Backtest, AppError> {
    let today = Utc::now().date_naive();
    let back = chrono::Duration::days(days as i64);
    let churned: HashMap<String, NaiveDate> =
        store::health::churned(db).await?.into_iter().collect();
    let rows = all_rows(portfolio).await?;
    let mut by_date: BTreeMap<NaiveDate, Vec<String>> = BTreeMap::new();
    for r in rows
        .iter()
        .filter(|r| assignment.model_for(&r.id).scope == scope)
    {
        let at = match (r.stage, churned.get(&r.id)) {
            (Stage::Churned, Some(d)) => *d - back,
            (Stage::Churned, None) => continue,
            _ => today - back,
        };
        by_date.entry(at).or_default().push(r.id.clone());
    }
    let mut samples = Vec::new();
    for (date, ids) in by_date {
        for chunk in ids.chunks(500) {
            let facts = store::health::facts_on(db, Some(chunk), date).await?;
            for id in chunk {
                let f = facts.get(id).cloned().unwrap_or_default();
                samples.push((engine::score(config, &f).score, churned.contains_key(id)));
            }
        }
    }
    Ok(engine::backtest(days, &config.bands, &samples))
}

/// Everything the account's health panel shows: today's score, `days` of history, the
/// snapshot from a week ago, the sentiment, and whether it disagrees with the data.
pub async fn account_health(
    db: &Db,
    portfolio: &PortfolioIndex,
    id: &str,
    days: u32,
    can_edit: bool,
) -> Result<AccountHealth, AppError> {
    let id = id.to_string();
    let today = chrono::Utc::now().date_naive();
    let since = today - chrono::Duration::days(days.max(8) as i64);
    // An unknown account is a 404 before anything else is read.
    store::accounts::detail(db, &id).await?;
    let assignment = Assignment::load(db, portfolio).await?;
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

/// The model editor's data for one model (`default` or a segment key): the model (a segment
/// without one starts from the default's settings, as version 0), the accounts it scores with
/// their facts (the browser re-scores them for what-if), and its versions.
pub async fn model_editor(
    db: &Db,
    portfolio: &PortfolioIndex,
    scope: &str,
) -> Result<ModelEditor, AppError> {
    let scope = scope.to_string();
    let assignment = Assignment::load(db, portfolio).await?;
    let segments = store::segments::list(db).await?;
    let model = match assignment.model(&scope) {
        Some(m) => m.clone(),
        None => {
            // A segment without a model yet: start from the default's settings.
            let seg = segments
                .iter()
                .find(|s| s.id == scope)
                .ok_or_else(|| AppError::NotFound("segment".into()))?;
            let default = assignment
                .model(store::health::DEFAULT_SCOPE)
                .ok_or_else(|| AppError::Internal("no default model".into()))?;
            HealthModel {
                id: String::new(),
                scope: seg.id.clone(),
                segment_id: Some(seg.id.clone()),
                name: seg.name.clone(),
                version: 0,
                config: default.config.clone(),
                created_at: String::new(),
                created_by: None,
            }
        }
    };
    let accounts = if model.version == 0 {
        // Not in force yet: the accounts it would take over are the segment's.
        let seg = segments.iter().find(|s| s.id == scope);
        let ids: std::collections::HashSet<String> = match seg {
            Some(s) => store::accounts::ids_matching(db, portfolio, &s.filter)
                .await?
                .into_iter()
                .collect(),
            None => Default::default(),
        };
        // (Accounts another segment model holds stay with it.)
        let mut out = what_if_accounts(db, portfolio, &assignment, DEFAULT_SCOPE).await?;
        out.retain(|a| ids.contains(&a.id));
        out
    } else {
        what_if_accounts(db, portfolio, &assignment, &scope).await?
    };
    let versions = store::health::all_versions(db)
        .await?
        .into_iter()
        .filter(|m| m.scope == scope)
        .map(|m| (m.version, m.created_at))
        .collect();
    let free_segments = segments
        .iter()
        .filter(|s| assignment.model(&s.id).is_none())
        .map(|s| (s.id.clone(), s.name.clone()))
        .collect();
    Ok(ModelEditor {
        model,
        models: assignment.models.clone(),
        free_segments,
        accounts,
        versions,
    })
}
