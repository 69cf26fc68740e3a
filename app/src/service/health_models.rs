//! The health model editor's use cases: the data it opens with (the model, the accounts it
//! scores with their facts, for the browser's what-if), saving a version, retiring a segment's
//! model, and the churn backtest.

use super::health::{facts_for, rescore_all_in_background, Assignment};
use super::portfolio;
use crate::error::AppError;
use crate::metrics::health as engine;
use crate::model::health::*;
use crate::model::{AccountRow, Stage};
use crate::store::health::DEFAULT_SCOPE;
use crate::store::portfolio_index::PortfolioIndex;
use crate::store::{self, Db};
use chrono::{NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// The accounts a model scores, with today's facts, for the what-if editor. Churned accounts
/// are left out: their score no longer matters.
pub async fn what_if_accounts(
    db: &Db, index: &PortfolioIndex, assignment: &Assignment, scope: &str,
) -> Result<Vec<WhatIfAccount>, AppError> {
    let rows: Vec<AccountRow> = portfolio::all_rows(index)
        .await?
        .into_iter()
        .filter(|r| r.stage != Stage::Churned && assignment.model_for(&r.id).scope == scope)
        .collect();
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let facts = facts_for(db, &ids, Utc::now().date_naive()).await?;
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
    db: &Db, index: &PortfolioIndex, scope: &str, config: &HealthConfig, days: u32,
) -> Result<Backtest, AppError> {
    let assignment = Assignment::load(db, index).await?;
    let today = Utc::now().date_naive();
    let back = chrono::Duration::days(days as i64);
    let churned: HashMap<String, NaiveDate> =
        store::health::churned(db).await?.into_iter().collect();
    let rows = portfolio::all_rows(index).await?;
    let mut by_date: BTreeMap<NaiveDate, Vec<String>> = BTreeMap::new();
    for r in rows.iter().filter(|r| assignment.model_for(&r.id).scope == scope) {
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

/// The model editor's data for one model (`default` or a segment key): the model (a segment
/// without one starts from the default's settings, as version 0), the accounts it scores with
/// their facts (the browser re-scores them for what-if), and its versions.
pub async fn model_editor(
    db: &Db, index: &PortfolioIndex, scope: &str,
) -> Result<ModelEditor, AppError> {
    let scope = if scope.is_empty() { DEFAULT_SCOPE } else { scope };
    let assignment = Assignment::load(db, index).await?;
    let segments = store::segments::list(db).await?;
    let model = match assignment.model(scope) {
        Some(m) => m.clone(),
        None => {
            // A segment without a model yet: start from the default's settings.
            let seg = segments
                .iter()
                .find(|s| s.id == scope)
                .ok_or_else(|| AppError::NotFound("segment".into()))?;
            let default = assignment
                .model(DEFAULT_SCOPE)
                .ok_or_else(|| AppError::Internal("no default model".into()))?;
            HealthModel {
                id: String::new(),
                scope: seg.id.clone(),
                segment_id: Some(seg.id.clone()),
                name: seg.name.clone(),
                version: 0,
                config: default.config.clone(),
                created_at: crate::model::Timestamp::default(),
                created_by: None,
            }
        }
    };
    let accounts = if model.version == 0 {
        // Not in force yet: the accounts it would take over are the segment's.
        let ids: HashSet<String> = match segments.iter().find(|s| s.id == scope) {
            Some(s) => portfolio::ids(db, index, &s.filter).await?.into_iter().collect(),
            None => HashSet::new(),
        };
        // (Accounts another segment model holds stay with it.)
        let mut out = what_if_accounts(db, index, &assignment, DEFAULT_SCOPE).await?;
        out.retain(|a| ids.contains(&a.id));
        out
    } else {
        what_if_accounts(db, index, &assignment, scope).await?
    };
    let versions = store::health::all_versions(db)
        .await?
        .into_iter()
        .filter(|m| m.scope == scope)
        .map(|m| (m.version, m.created_at))
        .collect();
    let free_segments = segments
        .iter()
        .filter(|s| assignment.model(&s.id).is_none() && s.cannot_scope_health().is_none())
        .map(|s| (s.id.clone(), s.name.clone()))
        .collect();
    Ok(ModelEditor { model, models: assignment.models.clone(), free_segments, accounts, versions })
}

/// Saves `config` (already checked) as the next version of the model for `scope`, then
/// re-scores every account in the background: the new version applies from now.
pub async fn save_model(
    db: &Db, index: &Arc<PortfolioIndex>, scope: &str, mut config: HealthConfig, by: &str,
) -> Result<HealthModel, AppError> {
    config.key_features = config.key_features.iter().map(|f| f.trim().to_lowercase()).collect();
    if scope != DEFAULT_SCOPE {
        let segments = store::segments::list(db).await?;
        let Some(segment) = segments.iter().find(|s| s.id == scope) else {
            return Err(AppError::NotFound("segment".into()));
        };
        // A model chosen by what models produce would choose itself (see the Segment docs).
        if let Some(why) = segment.cannot_scope_health() {
            return Err(AppError::field("segment", why));
        }
    }
    let saved = store::health::save_version(db, scope, &config, by).await?;
    rescore_all_in_background(db, index, "a model change");
    Ok(saved)
}

/// Stops using a segment's own model: its accounts fall to the default model (re-scored in the
/// background) and the segment can be deleted. The versions stay, so scores made with them
/// keep their explanation; saving a new version brings the model back.
pub async fn retire_model(
    db: &Db, index: &Arc<PortfolioIndex>, scope: &str,
) -> Result<(), AppError> {
    store::health::retire(db, scope).await?;
    rescore_all_in_background(db, index, "retiring a model");
    Ok(())
}
