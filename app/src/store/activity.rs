//! "Something shown with this account changed" across nodes: a plan, a task, a touchpoint or an
//! escalation changed though the account row did not, so the account live query says nothing.
//! The node that made the change tells its own pages at once and writes one small row
//! (`account_touch:<account>`, rewritten each time); every node follows the table with a live
//! query and tells its pages about other nodes' touches.

use super::{execute, Db};
use crate::error::AppError;
use futures::StreamExt;
use serde_json::json;

/// Records that `account` changed on node `node`.
pub async fn touch(db: &Db, account: &str, node: &str) -> Result<(), AppError> {
    execute(
        db,
        "UPSERT type::record('account_touch', $account) SET node = $node RETURN NONE",
        json!({ "account": account, "node": node }),
    )
    .await
}

/// Follows every node's touches until the live query ends, calling `changed` with the account
/// of each touch another node made (this node's own were announced when made).
pub async fn follow(db: &Db, node: &str, changed: impl Fn(&str)) -> Result<(), String> {
    let mut stream = db
        .select::<Vec<surrealdb::types::Value>>("account_touch")
        .live()
        .await
        .map_err(|e| e.to_string())?;
    while let Some(note) = stream.next().await {
        let note = note.map_err(|e| e.to_string())?;
        match note.action {
            surrealdb::types::Action::Create | surrealdb::types::Action::Update => {
                let v = note.data.into_json_value();
                let from = v.get("node").and_then(|n| n.as_str()).unwrap_or_default();
                if from != node {
                    if let Some(id) = v.get("id").and_then(|i| i.as_str()) {
                        changed(&super::key_of(id));
                    }
                }
            }
            surrealdb::types::Action::Delete => {}
            _ => return Err("live query ended".into()),
        }
    }
    Err("live query stream closed".into())
}
