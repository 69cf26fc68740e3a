//! Sending surveys: who the cap lets a survey reach now, and queueing their invitations (the
//! mailer sends them). The Send button and the recurring scheduler both come here.

use crate::error::AppError;
use crate::model::{AudiencePreview, SendOutcome, Survey};
use crate::state::AppState;
use crate::store;

/// Who the survey would reach if sent now, and who the cap holds back and why.
pub async fn preview(state: &AppState, survey: &Survey) -> Result<AudiencePreview, AppError> {
    let settings = state.surveys.settings().await?;
    let now = chrono::Utc::now();
    let decided =
        store::surveys::decide(&state.db, &state.portfolio, survey, &settings, now).await?;
    Ok(store::surveys::preview(decided))
}

/// Queues the survey's due invitations (every contact the cap allows) and wakes the mailer.
pub async fn send(state: &AppState, survey: &Survey) -> Result<SendOutcome, AppError> {
    let settings = state.surveys.settings().await?;
    let now = chrono::Utc::now();
    let decided =
        store::surveys::decide(&state.db, &state.portfolio, survey, &settings, now).await?;
    let suppressed = decided.iter().filter(|(_, why)| why.is_some()).count() as u64;
    let eligible: Vec<_> =
        decided.into_iter().filter(|(_, why)| why.is_none()).map(|(c, _)| c).collect();
    let queued = store::surveys::queue(&state.db, survey, &eligible, &settings, now).await?;
    if queued > 0 {
        state.mail_wakeup.notify_one();
    }
    Ok(SendOutcome { queued, suppressed: suppressed + (eligible.len() as u64 - queued) })
}

/// Recurring surveys: invites every contact whose period has passed (the cap still applies).
/// A failure is logged and the next survey still goes.
pub async fn send_recurring(state: &AppState) {
    let surveys = match store::surveys::recurring(&state.db).await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "could not list recurring surveys");
            return;
        }
    };
    for s in surveys {
        match send(state, &s).await {
            Ok(o) if o.queued > 0 => {
                tracing::info!(survey = %s.name, queued = o.queued, "recurring survey sent")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(survey = %s.name, error = %e, "recurring survey"),
        }
    }
}

/// Invites one contact (the CSAT after an escalation is resolved) if the cap allows it; `true`
/// when an invitation was queued.
pub async fn send_to(
    state: &AppState, survey: &Survey, contact: store::surveys::AudienceContact,
) -> Result<bool, AppError> {
    let settings = state.surveys.settings().await?;
    let now = chrono::Utc::now();
    let decided =
        store::surveys::decide_for(&state.db, vec![contact], survey, &settings, now).await?;
    let eligible: Vec<_> =
        decided.into_iter().filter(|(_, why)| why.is_none()).map(|(c, _)| c).collect();
    let queued = store::surveys::queue(&state.db, survey, &eligible, &settings, now).await?;
    if queued > 0 {
        state.mail_wakeup.notify_one();
    }
    Ok(queued > 0)
}
