//! Every ARR movement in memory, for the executive dashboard: two years of movements of
//! 100 000 accounts are a few hundred thousand small rows, and reading them from SurrealDB on
//! each dashboard view would take seconds; computing the metrics from memory takes
//! milliseconds.
//!
//! Consistency, as for the portfolio index: the ledger subscribes (`LIVE SELECT` on
//! `arr_movement`) *before* it loads the table and applies what arrived meanwhile, so nothing
//! falls between the two; every node runs its own subscription, so a movement written on any
//! node reaches every node's ledger (and its open dashboards) within milliseconds. Movements
//! are never changed or deleted, so applying one twice is the only hazard, and a movement's
//! record key makes that idempotent.
//!
//! A second task holds every survey answer given for an account the same way (NPS, CSAT, CES
//! and the detractors of any period, without a scan of the responses per view), and so
//! [`RevenueLedger::subscribe`] tells open dashboards about everything they show that is not an
//! account row.

use super::super::{de, query_all, Db};
use crate::model::revenue::{Movement, MovementKind};
use crate::store::responses::answers::Answer;
use chrono::NaiveDate;
use futures::StreamExt;
use serde::Deserialize;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use tokio::sync::broadcast;

#[derive(Deserialize)]
struct Row {
    id: String,
    #[serde(deserialize_with = "de::key")]
    account: String,
    #[serde(deserialize_with = "de::date")]
    on: NaiveDate,
    seq: i64,
    kind: MovementKind,
    arr_before: i64,
    arr_after: i64,
}

/// A survey answer as the live query and the load read it.
#[derive(Deserialize)]
struct AnswerRow {
    id: String,
    #[serde(default, deserialize_with = "de::opt_key")]
    account: Option<String>,
    kind: crate::model::SurveyKind,
    score: i64,
    #[serde(deserialize_with = "de::date")]
    created_at: NaiveDate,
    #[serde(default)]
    comment: Option<String>,
}

#[derive(Default)]
struct Inner {
    /// Each account's movements ordered by (day, seq).
    by_account: HashMap<String, Vec<(i64, Movement)>>,
    /// Record ids applied (a live notification and the load may both carry one).
    seen: HashSet<String>,
}

/// See the module note.
pub struct RevenueLedger {
    inner: RwLock<Inner>,
    ready: AtomicBool,
    /// Every survey answer given for an account, by record id (answering again updates one).
    answers: RwLock<HashMap<String, Answer>>,
    answers_ready: AtomicBool,
    changes: broadcast::Sender<&'static str>,
}

impl RevenueLedger {
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            inner: RwLock::new(Inner::default()),
            ready: AtomicBool::new(false),
            answers: RwLock::new(HashMap::new()),
            answers_ready: AtomicBool::new(false),
            changes: broadcast::channel(1024).0,
        })
    }

    /// `"movement"` or `"response"` each time one is written on any node, from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<&'static str> {
        self.changes.subscribe()
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Every movement of `accounts` (all when `None`), each account's in order.
    pub fn movements(&self, accounts: Option<&HashSet<String>>) -> Vec<Movement> {
        let inner = self.inner.read().unwrap_or_else(|p| p.into_inner());
        let mut out = Vec::new();
        match accounts {
            None => {
                for ms in inner.by_account.values() {
                    out.extend(ms.iter().map(|(_, m)| m.clone()));
                }
            }
            Some(set) => {
                for a in set {
                    if let Some(ms) = inner.by_account.get(a) {
                        out.extend(ms.iter().map(|(_, m)| m.clone()));
                    }
                }
            }
        }
        out
    }

    /// Number of movements held.
    pub fn len(&self) -> usize {
        let inner = self.inner.read().unwrap_or_else(|p| p.into_inner());
        inner.seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn put(&self, r: Row) -> bool {
        let mut inner = self.inner.write().unwrap_or_else(|p| p.into_inner());
        if !inner.seen.insert(r.id) {
            return false;
        }
        let m = Movement {
            account: r.account.clone(),
            on: r.on,
            kind: r.kind,
            arr_before: r.arr_before,
            arr_after: r.arr_after,
        };
        let ledger = inner.by_account.entry(r.account).or_default();
        let at = ledger.partition_point(|(seq, x)| (x.on, *seq) <= (m.on, r.seq));
        ledger.insert(at, (r.seq, m));
        true
    }

    /// Subscribes, loads, then follows, re-subscribing after a pause if the database drops
    /// the live query; responses are followed by a second task.
    pub fn spawn_sync(self: &Arc<Self>, db: Db) {
        let ledger = self.clone();
        let db2 = db.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = ledger.sync(&db).await {
                    tracing::warn!(error = %e, "revenue ledger lost its live query; reloading");
                }
                ledger.ready.store(false, Ordering::Release);
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            }
        });
        let ledger = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = ledger.follow_responses(&db2).await {
                    tracing::warn!(error = %e, "survey response live query ended; retrying");
                }
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            }
        });
    }

    /// Reads every movement now (no live query): for the command line and tests that have no
    /// background workers.
    pub async fn load(&self, db: &Db) -> Result<(), String> {
        let rows: Vec<Row> = query_all(
            db,
            "SELECT id, account, on, seq, kind, arr_before, arr_after FROM arr_movement",
            json!({}),
        )
        .await
        .map_err(|e| e.to_string())?;
        for r in rows {
            self.put(r);
        }
        self.ready.store(true, Ordering::Release);
        Ok(())
    }

    async fn sync(&self, db: &Db) -> Result<(), String> {
        let mut stream = db
            .select::<Vec<surrealdb::types::Value>>("arr_movement")
            .live()
            .await
            .map_err(|e| e.to_string())?;
        let started = std::time::Instant::now();
        self.load(db).await?;
        tracing::info!(
            movements = self.len(),
            ms = started.elapsed().as_millis() as u64,
            "revenue ledger loaded"
        );
        let _ = self.changes.send("movement");
        while let Some(note) = stream.next().await {
            let note = note.map_err(|e| e.to_string())?;
            if !matches!(note.action, surrealdb::types::Action::Create) {
                continue;
            }
            match serde_json::from_value::<Row>(note.data.into_json_value()) {
                Ok(r) => {
                    if self.put(r) {
                        let _ = self.changes.send("movement");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "unreadable ARR movement"),
            }
        }
        Err("live query stream closed".into())
    }

    /// Answers of `accounts` dated on or after `since`, oldest first; `None` until loaded.
    pub fn answers(&self, since: NaiveDate, accounts: &HashSet<String>) -> Option<Vec<Answer>> {
        if !self.answers_ready.load(Ordering::Acquire) {
            return None;
        }
        let all = self.answers.read().unwrap_or_else(|p| p.into_inner());
        let mut out: Vec<Answer> = all
            .values()
            .filter(|a| a.on >= since && accounts.contains(&a.account))
            .cloned()
            .collect();
        out.sort_by_key(|a| a.on);
        Some(out)
    }

    fn put_answer(&self, r: AnswerRow) {
        let Some(account) = r.account else { return };
        let a =
            Answer { account, kind: r.kind, score: r.score, on: r.created_at, comment: r.comment };
        self.answers.write().unwrap_or_else(|p| p.into_inner()).insert(r.id, a);
    }

    /// Subscribes to survey answers, loads them, then follows (as the movements).
    async fn follow_responses(&self, db: &Db) -> Result<(), String> {
        let mut stream = db
            .select::<Vec<surrealdb::types::Value>>("survey_response")
            .live()
            .await
            .map_err(|e| e.to_string())?;
        let rows: Vec<AnswerRow> = query_all(
            db,
            "SELECT id, account, kind, score, created_at, comment FROM survey_response WHERE account != NONE",
            json!({}),
        )
        .await
        .map_err(|e| e.to_string())?;
        for r in rows {
            self.put_answer(r);
        }
        self.answers_ready.store(true, Ordering::Release);
        while let Some(note) = stream.next().await {
            let note = note.map_err(|e| e.to_string())?;
            if matches!(
                note.action,
                surrealdb::types::Action::Create | surrealdb::types::Action::Update
            ) {
                match serde_json::from_value::<AnswerRow>(note.data.into_json_value()) {
                    Ok(r) => self.put_answer(r),
                    Err(e) => tracing::warn!(error = %e, "unreadable survey answer"),
                }
            }
            let _ = self.changes.send("response");
        }
        self.answers_ready.store(false, Ordering::Release);
        Err("live query stream closed".into())
    }
}
