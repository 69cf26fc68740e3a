//! Where a case stands on its escalation path, PagerDuty-style: each level waits a number of
//! WALL-CLOCK minutes (an unanswered P1 at 03:00 must page the next person at 03:15, business
//! hours or not) before the case moves up by itself.
//!
//! Rules:
//! - Level 1 from `opened_at`. Every `Escalated` event moves up one level, capped at the last
//!   (and at least 1 when no levels are configured). The timer records its automatic moves as
//!   `Escalated` events too, so this function never infers a move the log does not show: the
//!   history stays explicit, and a `next_auto_at` at or before `now` means "overdue, fire now".
//! - Automatic escalation runs only while nobody has acknowledged the case since it was opened
//!   or last reopened, the case is not resolved, the current level has a delay, and a higher
//!   level exists.
//! - `Acknowledged` stops it. A manual `Escalated` after an acknowledgment still moves the case
//!   up but does not restart the automatic timer: someone acted, so the person now responsible
//!   was handed the case by a human and paging them on a timer would be noise.
//! - `Reopened` keeps the level (the people who know the case stay on it) and, since a reopened
//!   case is unacknowledged again, restarts the timer from the reopen.
//! - Only events at or before `now` count, sorted stably by time; an event before `opened_at`
//!   counts as happening at `opened_at`. A `Reopened` of a case that is not resolved is ignored,
//!   so a stray entry cannot undo an acknowledgment.

use super::clock::{ClockEvent, EventKind};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LevelTiming {
    /// `None`: this level never moves up by itself (the last resort, or a level that must be
    /// escalated by hand).
    pub after_minutes: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LevelState {
    /// 1-based, as the path is shown to people.
    pub level: u32,
    /// When the current level's wait began: reaching the level, or the last reopen.
    pub since: DateTime<Utc>,
    pub next_auto_at: Option<DateTime<Utc>>,
}

pub fn level_state(
    levels: &[LevelTiming], opened_at: DateTime<Utc>, events: &[ClockEvent], now: DateTime<Utc>,
) -> LevelState {
    let top = u32::try_from(levels.len()).unwrap_or(u32::MAX).max(1);
    let mut log: Vec<(EventKind, DateTime<Utc>)> =
        events.iter().filter(|e| e.at <= now).map(|e| (e.kind, e.at.max(opened_at))).collect();
    log.sort_by_key(|(_, at)| *at);
    let (mut level, mut since) = (1, opened_at);
    let (mut acknowledged, mut resolved) = (false, false);
    for (kind, at) in log {
        match kind {
            EventKind::Escalated if level < top => (level, since) = (level + 1, at),
            EventKind::Acknowledged => acknowledged = true,
            EventKind::Resolved => resolved = true,
            EventKind::Reopened if resolved => (acknowledged, resolved, since) = (false, false, at),
            _ => {}
        }
    }
    let delay = levels.get(level as usize - 1).and_then(|l| l.after_minutes);
    let next_auto_at = match delay {
        Some(minutes) if !acknowledged && !resolved && level < top => {
            since.checked_add_signed(TimeDelta::minutes(minutes.into()))
        }
        _ => None,
    };
    LevelState { level, since, next_auto_at }
}
