//! Escalation-path timing in wall-clock minutes; the path is 15 min → 30 min → last resort.

use super::calendar_tests::utc;
use super::clock::{ClockEvent, EventKind::*};
use super::level::*;
use chrono::{DateTime, Utc};

fn t(hhmm: &str) -> DateTime<Utc> {
    utc(&format!("2026-11-29T{hhmm}:00Z"))
}

fn e(kind: super::clock::EventKind, hhmm: &str) -> ClockEvent {
    ClockEvent { kind, at: t(hhmm) }
}

fn path() -> Vec<LevelTiming> {
    vec![
        LevelTiming { after_minutes: Some(15) },
        LevelTiming { after_minutes: Some(30) },
        LevelTiming { after_minutes: None },
    ]
}

fn state(level: u32, since: &str, next: Option<&str>) -> LevelState {
    LevelState { level, since: t(since), next_auto_at: next.map(t) }
}

#[test]
fn moves_up_after_each_levels_delay() {
    // A Sunday 03:00 page: wall-clock minutes, no business hours.
    assert_eq!(level_state(&path(), t("03:00"), &[], t("03:05")), state(1, "03:00", Some("03:15")));
    let timer = [e(Escalated, "03:15")];
    assert_eq!(
        level_state(&path(), t("03:00"), &timer, t("03:20")),
        state(2, "03:15", Some("03:45"))
    );
    let both = [e(Escalated, "03:15"), e(Escalated, "03:45")];
    assert_eq!(level_state(&path(), t("03:00"), &both, t("04:00")), state(3, "03:45", None));
}

#[test]
fn an_overdue_move_is_reported_not_invented() {
    // The timer missed 03:15: still level 1, and the due move is in the past for it to fire.
    let s = level_state(&path(), t("03:00"), &[], t("03:40"));
    assert_eq!(s, state(1, "03:00", Some("03:15")));
}

#[test]
fn acknowledgment_stops_automatic_moves_but_not_manual_ones() {
    let acked = [e(Acknowledged, "03:10")];
    assert_eq!(level_state(&path(), t("03:00"), &acked, t("03:30")), state(1, "03:00", None));
    let manual = [e(Acknowledged, "03:10"), e(Escalated, "03:20")];
    assert_eq!(level_state(&path(), t("03:00"), &manual, t("03:30")), state(2, "03:20", None));
}

#[test]
fn the_last_level_caps_and_an_empty_path_is_level_one() {
    let many = [
        e(Escalated, "03:01"),
        e(Escalated, "03:02"),
        e(Escalated, "03:03"),
        e(Escalated, "03:04"),
    ];
    assert_eq!(level_state(&path(), t("03:00"), &many, t("03:10")), state(3, "03:02", None));
    assert_eq!(level_state(&[], t("03:00"), &many, t("03:10")), state(1, "03:00", None));
    // A level without a delay waits for a person even when a higher level exists.
    let manual_middle = [
        LevelTiming { after_minutes: Some(15) },
        LevelTiming { after_minutes: None },
        LevelTiming { after_minutes: Some(5) },
    ];
    assert_eq!(
        level_state(&manual_middle, t("03:00"), &many[..1], t("03:10")),
        state(2, "03:01", None)
    );
}

#[test]
fn resolve_and_reopen() {
    let resolved = [e(Escalated, "03:15"), e(Acknowledged, "03:20"), e(Resolved, "04:00")];
    assert_eq!(level_state(&path(), t("03:00"), &resolved, t("04:30")), state(2, "03:15", None));
    // Reopened: same level, unacknowledged again, the timer runs from the reopen.
    let mut reopened = resolved.to_vec();
    reopened.push(e(Reopened, "05:00"));
    assert_eq!(
        level_state(&path(), t("03:00"), &reopened, t("05:10")),
        state(2, "05:00", Some("05:30"))
    );
    // A stray reopen of an open case does not undo an acknowledgment.
    let stray = [e(Acknowledged, "03:05"), e(Reopened, "03:06")];
    assert_eq!(level_state(&path(), t("03:00"), &stray, t("03:10")), state(1, "03:00", None));
}

#[test]
fn only_the_past_counts_in_time_order() {
    let later = [e(Escalated, "03:15"), e(Acknowledged, "03:50")];
    assert_eq!(
        level_state(&path(), t("03:00"), &later, t("03:20")),
        state(2, "03:15", Some("03:45"))
    );
    let shuffled = [e(Escalated, "03:30"), e(Acknowledged, "03:10")];
    assert_eq!(level_state(&path(), t("03:00"), &shuffled, t("03:40")), state(2, "03:30", None));
    let early = [e(Escalated, "02:00")];
    assert_eq!(
        level_state(&path(), t("03:00"), &early, t("03:01")),
        state(2, "03:00", Some("03:30"))
    );
}
