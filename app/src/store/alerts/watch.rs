//! Alert changes as they happen on any node: live queries on alerts and their playbook tasks
//! feed a broadcast that live streams (the header count, the Alerts page, My work, the account
//! page) listen to. A change made on another node arrives through the same live query.

use crate::store::Db;
use futures::StreamExt;
use serde::Deserialize;
use std::sync::Arc;
use tokio::sync::broadcast;

/// What changed: an alert (or one of its tasks) of `account`, owned by `owner`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertChange {
    pub account: String,
    pub owner: Option<String>,
}

pub struct AlertWatch {
    tx: broadcast::Sender<AlertChange>,
}

#[derive(Deserialize)]
struct Changed {
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    owner: Option<String>,
}

impl AlertWatch {
    pub fn new() -> Arc<Self> {
        Arc::new(Self { tx: broadcast::channel(1024).0 })
    }

    pub fn subscribe(&self) -> broadcast::Receiver<AlertChange> {
        self.tx.subscribe()
    }

    /// Follows `alert` and `alert_task` changes until the database drops the live query, then
    /// subscribes again after a pause.
    pub fn spawn(self: &Arc<Self>, db: Db) {
        for table in ["alert", "alert_task"] {
            let watch = self.clone();
            let db = db.clone();
            tokio::spawn(async move {
                loop {
                    if let Err(e) = watch.follow(&db, table).await {
                        tracing::warn!(error = %e, table, "alert live query ended; retrying");
                    }
                    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                }
            });
        }
    }

    async fn follow(&self, db: &Db, table: &str) -> Result<(), String> {
        let mut stream = db
            .select::<Vec<surrealdb::types::Value>>(table)
            .live()
            .await
            .map_err(|e| e.to_string())?;
        while let Some(note) = stream.next().await {
            let note = note.map_err(|e| e.to_string())?;
            if let Ok(c) = serde_json::from_value::<Changed>(note.data.into_json_value()) {
                let _ = self.tx.send(AlertChange {
                    account: c.account.map(|a| super::super::key_of(&a)).unwrap_or_default(),
                    owner: c.owner.map(|o| super::super::key_of(&o)),
                });
            }
        }
        Err("live query stream closed".into())
    }
}
