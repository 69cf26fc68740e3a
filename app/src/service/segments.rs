//! Saved segments as use cases: saving one (its members recorded as they are), noticing who
//! entered or left (after every scoring pass and the daily pass), and the Segments page.
//!
//! Evaluation order (README, "Segments"): usage facts are written first (last activity by
//! ingestion; adoption, engagement, plan status and the score by the scorer), then segment
//! membership is evaluated on them. A segment used to choose a health model is evaluated
//! before scoring, so it may not filter on what scoring produces (band, adoption): see
//! [`Segment::cannot_scope_health`](crate::model::Segment::cannot_scope_health).

use super::portfolio;
use crate::error::AppError;
use crate::model::*;
use crate::store::portfolio_index::PortfolioIndex;
use crate::store::segment_moves::Membership;
use crate::store::{self, Db};
use chrono::{Duration, Utc};
use std::collections::{HashMap, HashSet};

/// The key live listeners hear when segment membership moved (never an account key).
pub const MOVED: &str = "segments";

/// Saves a filter as a segment and records its members as they are now, without moves.
pub async fn create(
    db: &Db, index: &PortfolioIndex, name: &str, filter: &PortfolioFilter, by: &str,
) -> Result<Segment, AppError> {
    let seg = store::segments::create(db, name, filter, by).await?;
    let ids = portfolio::ids(db, index, &seg.filter).await?;
    store::segment_moves::baseline(db, &seg.id, &ids).await?;
    Ok(seg)
}

/// Evaluates every saved segment over `among` accounts (all for `None`), compares with the
/// membership last recorded and records who entered and left. Returns how many moves.
pub async fn track(
    db: &Db, index: &PortfolioIndex, among: Option<&[String]>,
) -> Result<usize, AppError> {
    let segments = store::segments::list(db).await?;
    if segments.is_empty() {
        return Ok(0);
    }
    let now = membership_now(db, index, &segments, among).await?;
    let recorded = store::segment_moves::members(db, among).await?;
    let looked_at: Option<HashSet<String>> = among.map(|a| a.iter().cloned().collect());
    let changes = membership_changes(&recorded, &now, looked_at.as_ref());
    if changes.is_empty() {
        return Ok(0);
    }
    let names: HashMap<String, String> = segments.into_iter().map(|s| (s.id, s.name)).collect();
    let n = store::segment_moves::record(db, &changes, &names).await?;
    if n > 0 {
        index.notify(MOVED);
        tracing::debug!(moves = n, "segment membership moved");
    }
    Ok(n)
}

/// Who is in each segment now: from the index in one pass, or (while it loads) from the
/// database, one query per segment.
async fn membership_now(
    db: &Db, index: &PortfolioIndex, segments: &[Segment], among: Option<&[String]>,
) -> Result<Membership, AppError> {
    let filters: Vec<(String, PortfolioFilter)> =
        segments.iter().map(|s| (s.id.clone(), s.filter.clone())).collect();
    if let Some(m) = index.members(&filters, among) {
        return Ok(m);
    }
    let among: Option<HashSet<&String>> = among.map(|a| a.iter().collect());
    let mut out = Membership::new();
    for (id, f) in filters {
        let ids = store::accounts::ids_matching(db, index, &f).await?;
        out.insert(
            id,
            ids.into_iter().filter(|a| among.as_ref().is_none_or(|s| s.contains(a))).collect(),
        );
    }
    Ok(out)
}

/// Every saved segment with its accounts, ARR, health and the moves of the last 30 days.
pub async fn overview(db: &Db, index: &PortfolioIndex) -> Result<Vec<SegmentOverview>, AppError> {
    let segments = store::segments::list(db).await?;
    let now = Utc::now();
    let week = store::segment_moves::counts(db, now - Duration::days(7)).await?;
    let month = store::segment_moves::counts(db, now - Duration::days(30)).await?;
    let mut out = Vec::with_capacity(segments.len());
    for segment in segments {
        let rows = portfolio::when_loaded(index, |i| i.money_and_bands(&segment.filter)).await?;
        let moves =
            store::segment_moves::for_segment(db, &segment.id, now - Duration::days(30), 100)
                .await?;
        let (entered_7d, left_7d) = week.get(&segment.id).copied().unwrap_or_default();
        let (entered_30d, left_30d) = month.get(&segment.id).copied().unwrap_or_default();
        out.push(SegmentOverview {
            description: segment.filter.describe(),
            query: segment.filter.criteria().to_query(),
            accounts: rows.len() as u64,
            arr: arr_by_currency(&rows),
            bands: bands(&rows),
            entered_7d,
            left_7d,
            entered_30d,
            left_30d,
            moves,
            segment,
        });
    }
    Ok(out)
}

/// An account as the Segments page sums it: currency, ARR, band.
type Money = (String, i64, Option<crate::model::health::Band>);

/// ARR per currency, largest first.
fn arr_by_currency(rows: &[Money]) -> Vec<(String, i64)> {
    let mut by: HashMap<&str, i64> = HashMap::new();
    for (currency, arr, _) in rows {
        *by.entry(currency.as_str()).or_default() += arr;
    }
    let mut v: Vec<(String, i64)> = by.into_iter().map(|(c, a)| (c.to_string(), a)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// Accounts per band: red, yellow, green, unscored.
fn bands(rows: &[Money]) -> [u64; 4] {
    let mut b = [0u64; 4];
    for (_, _, band) in rows {
        let i = BandChoice::ALL.iter().position(|c| *c == BandChoice::of(*band)).unwrap_or(3);
        b[i] += 1;
    }
    b
}
