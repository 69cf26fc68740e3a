//! The SLA timer: one wake-up per due moment, not a periodic scan. Every warning time, due time
//! and automatic level move of every open escalation sits in a min-heap; the timer sleeps until
//! the earliest and then ticks the escalations due (`service::escalations::tick`), which act
//! and re-arm. After a restart, `recover` re-arms every open escalation from the database (and
//! ticks at once those whose moment passed while the process was down).
//!
//! Several nodes: every node arms every escalation (each learns of changes made elsewhere
//! through a live query on `escalation`), and the database decides which node's tick acts on
//! a moment (`store::escalations::fire`), so each is acted on once. Stale heap entries are
//! harmless: a tick recomputes from the log and does nothing when nothing is due.

use crate::model::Timestamp;
use crate::state::AppState;
use futures::StreamExt;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, Notify};

/// An escalation changed (on any node): its account, for live pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationChange {
    pub id: String,
    pub account: String,
}

pub struct SlaTimer {
    heap: Mutex<BinaryHeap<Reverse<(Timestamp, String)>>>,
    wake: Notify,
    changes: broadcast::Sender<EscalationChange>,
    /// Ticks run (for the benchmark).
    pub ticks: Arc<AtomicU64>,
    running: Arc<tokio::sync::Semaphore>,
}

/// Ticks in flight at once.
const CONCURRENT_TICKS: usize = 16;

impl SlaTimer {
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            heap: Mutex::new(BinaryHeap::new()),
            wake: Notify::new(),
            changes: broadcast::channel(1024).0,
            ticks: Arc::new(AtomicU64::new(0)),
            running: Arc::new(tokio::sync::Semaphore::new(CONCURRENT_TICKS)),
        })
    }

    /// Arms a wake-up for escalation `id` at `at` (at once if `at` has passed).
    pub fn schedule(&self, id: &str, at: Timestamp) {
        let mut heap = self.heap.lock().expect("timer heap");
        let earlier = heap.peek().is_none_or(|Reverse((first, _))| at < *first);
        heap.push(Reverse((at, id.to_string())));
        drop(heap);
        if earlier {
            self.wake.notify_one();
        }
    }

    /// How many wake-ups are armed.
    pub fn armed(&self) -> usize {
        self.heap.lock().expect("timer heap").len()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<EscalationChange> {
        self.changes.subscribe()
    }

    /// The ids due at `now`, taken off the heap (each once, however often it was armed).
    fn due(&self, now: Timestamp) -> Vec<String> {
        let mut heap = self.heap.lock().expect("timer heap");
        let mut out = Vec::new();
        while heap.peek().is_some_and(|Reverse((at, _))| *at <= now) {
            let Reverse((_, id)) = heap.pop().expect("peeked");
            if !out.contains(&id) {
                out.push(id);
            }
        }
        out
    }

    fn next(&self) -> Option<Timestamp> {
        self.heap.lock().expect("timer heap").peek().map(|Reverse((at, _))| *at)
    }

    /// Starts the timer loop and the live query; recovers every open escalation first.
    pub fn spawn(self: &Arc<Self>, state: AppState) {
        let timer = self.clone();
        let st = state.clone();
        tokio::spawn(async move {
            match crate::service::escalations::recover(&st).await {
                Ok(n) => tracing::info!(open = n, "SLA timer armed"),
                Err(e) => {
                    tracing::warn!(error = %e, "SLA timer could not recover open escalations")
                }
            }
            timer.run(st).await;
        });
        let timer = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = timer.follow(&state).await {
                    tracing::warn!(error = %e, "escalation live query ended; retrying");
                }
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            }
        });
    }

    async fn run(&self, state: AppState) {
        loop {
            let now = chrono::Utc::now();
            // Ticks run side by side (a burst of due times must not queue behind one another),
            // bounded so a restart with thousands overdue does not swamp the database.
            for id in self.due(now) {
                let Ok(permit) = self.running.clone().acquire_owned().await else { return };
                let (state, ticks) = (state.clone(), self.ticks.clone());
                tokio::spawn(async move {
                    ticks.fetch_add(1, Ordering::Relaxed);
                    if let Err(e) = crate::service::escalations::tick(&state, &id).await {
                        tracing::warn!(escalation = %id, error = %e, "SLA tick");
                    }
                    drop(permit);
                });
            }
            let wait = match self.next() {
                Some(at) => (at - chrono::Utc::now()).to_std().unwrap_or_default(),
                None => std::time::Duration::from_secs(3600),
            };
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(wait.min(std::time::Duration::from_secs(3600))) => {}
            }
        }
    }

    /// Follows escalation changes on any node: pages listen, and a change made elsewhere is
    /// armed here too.
    async fn follow(&self, state: &AppState) -> Result<(), String> {
        #[derive(serde::Deserialize)]
        struct Changed {
            id: String,
            account: String,
        }
        let mut stream = state
            .db
            .select::<Vec<surrealdb::types::Value>>("escalation")
            .live()
            .await
            .map_err(|e| e.to_string())?;
        while let Some(note) = stream.next().await {
            let note = note.map_err(|e| e.to_string())?;
            if let Ok(c) = serde_json::from_value::<Changed>(note.data.into_json_value()) {
                let id = crate::store::key_of(&c.id);
                // Re-arm through a tick: it recomputes the next moment from the log.
                self.schedule(&id, chrono::Utc::now());
                let _ = self
                    .changes
                    .send(EscalationChange { id, account: crate::store::key_of(&c.account) });
            }
        }
        Err("live query stream closed".into())
    }
}
