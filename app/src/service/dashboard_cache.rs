//! Computed dashboards, kept until something they show changes. Every change an open
//! dashboard listens to (an ARR movement or survey response from the revenue ledger's live
//! queries, an account from the portfolio index's, an alert) bumps one generation counter (see
//! `server::live::feed_dashboards`); a cached dashboard of an older generation, or of another
//! day, is computed again on its next read. So a view is never staler than the change
//! notification that makes the page re-read it, and 2 000 open dashboards re-reading after one
//! write compute each distinct view once: readers of the same view wait for the one computing
//! it (a per-view async lock) instead of all computing it at once.

use crate::error::AppError;
use crate::model::dashboard::{DashboardFilter, ExecDashboard};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// One view: the filter and who asks (a CSM's default is their own book).
type Key = (DashboardFilter, String);
type Slot = Arc<tokio::sync::Mutex<Option<(u64, NaiveDate, Arc<ExecDashboard>)>>>;

/// Most distinct views kept; past it the cache starts again (views are cheap to recompute).
const MAX_VIEWS: usize = 512;

#[derive(Default)]
pub struct DashboardCache {
    generation: AtomicU64,
    views: Mutex<HashMap<Key, Slot>>,
    /// The page's older sections, computed again on a change or after [`SECTION_MAX_AGE`]
    /// (what they also depend on — follow-ups closing, milestones reached — does not bump the
    /// generation): the "customer voice" figures (every answer, anonymous ones too, and the
    /// follow-ups), time to value and the portfolio summary.
    voice: Aged<crate::model::VoiceSummary>,
    ttv: Aged<crate::model::plan::TimeToValue>,
    /// Accounts and ARR by tier and stage (every account row: ~250 ms at 100 000).
    summary: Aged<crate::model::PortfolioSummary>,
}

/// One cached section: its generation, when it was computed, and the value.
struct Aged<T>(tokio::sync::Mutex<Option<(u64, std::time::Instant, Arc<T>)>>);

impl<T> Default for Aged<T> {
    fn default() -> Self {
        Self(tokio::sync::Mutex::new(None))
    }
}

impl<T> Aged<T> {
    async fn get<F, Fut>(&self, generation: &AtomicU64, compute: F) -> Result<Arc<T>, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, AppError>>,
    {
        let mut held = self.0.lock().await;
        let g = generation.load(Ordering::Acquire);
        if let Some((at_g, at, v)) = held.as_ref() {
            if *at_g == g && at.elapsed() < SECTION_MAX_AGE {
                return Ok(v.clone());
            }
        }
        let v = Arc::new(compute().await?);
        *held = Some((g, std::time::Instant::now(), v.clone()));
        Ok(v)
    }
}

/// How long a section is kept at most.
pub const SECTION_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(60);

impl DashboardCache {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// The voice figures, computed by `compute` unless current ones are cached.
    pub async fn voice<F, Fut>(
        &self, compute: F,
    ) -> Result<Arc<crate::model::VoiceSummary>, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<crate::model::VoiceSummary, AppError>>,
    {
        self.voice.get(&self.generation, compute).await
    }

    /// The portfolio summary, likewise (account changes bump the generation).
    pub async fn summary<F, Fut>(
        &self, compute: F,
    ) -> Result<Arc<crate::model::PortfolioSummary>, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<crate::model::PortfolioSummary, AppError>>,
    {
        self.summary.get(&self.generation, compute).await
    }

    /// Time to value, likewise.
    pub async fn ttv<F, Fut>(
        &self, compute: F,
    ) -> Result<Arc<crate::model::plan::TimeToValue>, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<crate::model::plan::TimeToValue, AppError>>,
    {
        self.ttv.get(&self.generation, compute).await
    }

    /// Something a dashboard shows changed: every cached view is stale.
    pub fn bump(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// The view for `filter` as `who` sees it, computed by `compute` unless a current one is
    /// cached.
    pub async fn get<F, Fut>(
        &self, filter: &DashboardFilter, who: &str, today: NaiveDate, compute: F,
    ) -> Result<Arc<ExecDashboard>, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<ExecDashboard, AppError>>,
    {
        let slot = {
            let mut views = self.views.lock().unwrap_or_else(|p| p.into_inner());
            if views.len() >= MAX_VIEWS {
                views.clear();
            }
            views.entry((filter.clone(), who.to_string())).or_default().clone()
        };
        let mut held = slot.lock().await;
        // Read before computing: a change during the computation leaves the view stale.
        let generation = self.generation.load(Ordering::Acquire);
        if let Some((g, day, view)) = held.as_ref() {
            if *g == generation && *day == today {
                return Ok(view.clone());
            }
        }
        let view = Arc::new(compute().await?);
        *held = Some((generation, today, view.clone()));
        Ok(view)
    }
}
