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
    /// The "customer voice" figures (every answer, anonymous ones too, and the follow-ups):
    /// computed again on a change or after [`VOICE_MAX_AGE`] (follow-ups closing do not bump
    /// the generation).
    voice: VoiceSlot,
}

type VoiceSlot =
    tokio::sync::Mutex<Option<(u64, std::time::Instant, Arc<crate::model::VoiceSummary>)>>;

/// How long the voice figures are kept at most.
pub const VOICE_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(60);

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
        let mut held = self.voice.lock().await;
        let generation = self.generation.load(Ordering::Acquire);
        if let Some((g, at, v)) = held.as_ref() {
            if *g == generation && at.elapsed() < VOICE_MAX_AGE {
                return Ok(v.clone());
            }
        }
        let v = Arc::new(compute().await?);
        *held = Some((generation, std::time::Instant::now(), v.clone()));
        Ok(v)
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
