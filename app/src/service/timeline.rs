//! An account's timeline: touchpoints, plan activity, survey answers, follow-ups, segment
//! moves and alerts in one feed,
//! newest first. How each record reads is `model::timeline`; this reads the records.

use crate::error::AppError;
use crate::model::engagement::{TimelineItem, TimelineKind};
use crate::model::timeline::{
    alert_item, newest_first, plan_item, segment_item, survey_item, touchpoint_item,
};
use crate::state::AppState;
use crate::store;

/// How many of each kind are read: the feed shows at most 200 entries in all.
const PER_KIND: usize = 100;

/// The account's feed; `kind` keeps one kind (a [`TimelineKind`] key), or all when empty.
pub async fn for_account(
    state: &AppState, account: &str, kind: &str,
) -> Result<Vec<TimelineItem>, AppError> {
    let only = match kind.trim() {
        "" => None,
        k => Some(
            TimelineKind::parse(k)
                .ok_or_else(|| AppError::field("kind", "choose a kind from the list"))?,
        ),
    };
    let want = |k: TimelineKind| only.is_none_or(|o| o == k);
    let mut items = Vec::new();
    if want(TimelineKind::Touchpoint) {
        let touchpoints = store::touchpoints::for_account(&state.db, account, PER_KIND).await?;
        items.extend(touchpoints.into_iter().map(touchpoint_item));
    }
    if want(TimelineKind::Plan) {
        let events = store::plans::account_events(&state.db, account, PER_KIND).await?;
        items.extend(events.into_iter().map(|e| plan_item(account, e)));
    }
    if want(TimelineKind::Survey) {
        let surveys = store::responses::for_account(&state.db, account).await?;
        items.extend(surveys.recent.into_iter().map(survey_item));
    }
    if want(TimelineKind::FollowUp) {
        items.extend(store::follow_ups::for_account(&state.db, account).await?);
    }
    if want(TimelineKind::Segment) {
        let moves = store::segment_moves::for_account(&state.db, account, PER_KIND).await?;
        items.extend(moves.into_iter().map(segment_item));
    }
    if want(TimelineKind::Alert) {
        let events = store::alerts::events_for_account(&state.db, account, PER_KIND).await?;
        items.extend(events.into_iter().map(|e| alert_item(account, e)));
    }
    if want(TimelineKind::Escalation) {
        let list =
            store::escalations::list(&state.db, None, Some(account), None, None, None, 50).await?;
        for e in list {
            let sev = e.severity.key();
            items.push(crate::model::timeline::escalation_opened(
                &e.id,
                &e.title,
                sev,
                e.opened_at,
                None,
            ));
            for ev in e.events {
                items.push(crate::model::timeline::escalation_item(&e.id, &e.title, sev, ev));
            }
        }
    }
    Ok(newest_first(items))
}
