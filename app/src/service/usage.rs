//! Receiving product-usage events (the REST API's `POST /api/v1/events`): each event is checked
//! on its own, its account found, the good ones stored, and the accounts that got new events
//! re-scored. A refused event changes nothing; the others of its batch are still stored.

use super::portfolio;
use crate::error::AppError;
use crate::model::usage::{check_event, EventError, IngestReport, MAX_BATCH};
use crate::state::AppState;
use crate::store;

/// Checks and stores a batch of events (JSON values as sent). An oversized batch is refused
/// whole; otherwise the report lists every refused event by its index.
pub async fn ingest(
    state: &AppState, events: &[serde_json::Value],
) -> Result<IngestReport, AppError> {
    crate::model::usage::check_batch_size(events.len(), MAX_BATCH, "events")?;
    let now = chrono::Utc::now();
    let mut errors: Vec<EventError> = Vec::new();
    let mut valid = Vec::with_capacity(events.len());
    for (i, v) in events.iter().enumerate() {
        match check_event(i, v, now) {
            Ok(e) => valid.push((i, e)),
            Err(e) => errors.push(e),
        }
    }
    let (found, unknown) = portfolio::resolve_items(&state.db, &state.portfolio, &valid, |e| {
        (&e.account, e.idempotency_key.as_str())
    })
    .await?;
    errors.extend(unknown);
    let ready: Vec<_> = found
        .into_iter()
        .map(|(e, account)| store::usage::Resolved { account, event: e })
        .collect();
    let stored = if ready.is_empty() {
        store::usage::Stored { accepted: 0, duplicates: 0, accounts: vec![], latest: vec![] }
    } else {
        store::usage::store(&state.db, &ready).await?
    };
    // This node's index sees the new last activity at once (segment membership is evaluated
    // right after re-scoring); the live query brings it to the other nodes.
    state.portfolio.apply_activity(&stored.latest);
    state.rescore(stored.accounts);
    errors.sort_by_key(|e| e.index);
    Ok(IngestReport {
        accepted: stored.accepted,
        duplicates: stored.duplicates,
        rejected: errors.len(),
        errors,
    })
}
