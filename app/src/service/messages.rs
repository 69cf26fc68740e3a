//! Receiving messages to and from customers (the REST API's `POST /api/v1/messages`): each
//! message is checked on its own, its account found, the good ones stored, and the accounts
//! that got new messages re-scored (which evaluates their alert rules, delayed response among
//! them). A refused message changes nothing; the others of its batch are still stored.

use super::portfolio;
use crate::error::AppError;
use crate::model::message::check_message;
use crate::model::usage::{EventError, IngestReport, MAX_BATCH};
use crate::state::AppState;
use crate::store;

/// Checks and stores a batch of messages (JSON values as sent). An oversized batch is refused
/// whole; otherwise the report lists every refused message by its index.
pub async fn ingest(
    state: &AppState, messages: &[serde_json::Value],
) -> Result<IngestReport, AppError> {
    crate::model::usage::check_batch_size(messages.len(), MAX_BATCH, "messages")?;
    let now = chrono::Utc::now();
    let mut errors: Vec<EventError> = Vec::new();
    let mut valid = Vec::with_capacity(messages.len());
    for (i, v) in messages.iter().enumerate() {
        match check_message(i, v, now) {
            Ok(m) => valid.push((i, m)),
            Err(e) => errors.push(e),
        }
    }
    let (found, unknown) = portfolio::resolve_items(&state.db, &state.portfolio, &valid, |m| {
        (&m.account, m.idempotency_key.as_str())
    })
    .await?;
    errors.extend(unknown);
    let ready: Vec<_> = found
        .into_iter()
        .map(|(m, account)| store::messages::Resolved { account, message: m })
        .collect();
    let stored = if ready.is_empty() {
        store::messages::Stored::default()
    } else {
        store::messages::store(&state.db, &ready).await?
    };
    state.rescore(stored.accounts);
    errors.sort_by_key(|e| e.index);
    Ok(IngestReport {
        accepted: stored.accepted,
        duplicates: stored.duplicates,
        rejected: errors.len(),
        errors,
    })
}
