//! An account's timeline, put together: each kind of record becomes a [`TimelineItem`] here, and
//! the feed is ordered newest first. Pure, so how an entry reads and where it sorts is tested
//! here; `service::timeline` reads the records.

use super::engagement::{TimelineItem, TimelineKind, Touchpoint};
use super::plan::AccountEvent;
use super::segment::SegmentMove;
use super::survey::ResponseRow;

/// The most entries a timeline shows.
pub const TIMELINE_MAX: usize = 200;

/// A touchpoint as a timeline entry: its notes, with whom and the next steps.
pub fn touchpoint_item(t: Touchpoint) -> TimelineItem {
    let mut detail = t.notes.clone();
    if !t.next_steps.is_empty() {
        detail = format!("{detail}\nNext steps: {}", t.next_steps);
    }
    if !t.attendees.is_empty() {
        detail = format!("With {}. {detail}", t.attendees.join(", "));
    }
    // Logged the day it happened: its own moment orders it among the day's other entries;
    // logged later: midday of that day.
    let at = if t.logged_at.date_naive() == t.date {
        t.logged_at
    } else {
        t.date.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc()
    };
    TimelineItem {
        kind: TimelineKind::Touchpoint,
        at,
        title: t.kind.label().to_string(),
        detail: detail.trim().to_string(),
        actor: t.logged_by.unwrap_or_default(),
        link: None,
    }
}

/// A plan's activity entry as a timeline entry on `account`, linking to the plan.
pub fn plan_item(account: &str, e: AccountEvent) -> TimelineItem {
    TimelineItem {
        kind: TimelineKind::Plan,
        detail: e.event.describe(),
        at: e.event.at,
        title: e.plan_title.unwrap_or_else(|| "Success plan".into()),
        actor: e.event.actor,
        link: Some(format!("/accounts/{account}/plans/{}", e.plan)),
    }
}

/// An alert's history entry as a timeline entry ("Declining engagement: opened"), linking to
/// the account's alerts.
pub fn alert_item(account: &str, e: crate::model::alert::AlertHistoryItem) -> TimelineItem {
    TimelineItem {
        kind: TimelineKind::Alert,
        at: e.at,
        title: format!("{}: {}", e.rule.label(), e.kind.label().to_lowercase()),
        detail: e.note.unwrap_or_default(),
        actor: e.actor.unwrap_or_default(),
        link: Some(format!("/accounts/{account}#alerts")),
    }
}

/// An escalation's event as a timeline entry ("Escalation “Outage” (P1): resolved"), linking
/// to the escalation.
pub fn escalation_item(
    id: &str, title: &str, severity: &str, e: crate::model::escalation::EscalationEvent,
) -> TimelineItem {
    use crate::model::escalation::{event_label, EventKind};
    let what = match (e.kind, e.level) {
        (EventKind::Escalated, Some(l)) => format!("escalated to level {l}"),
        (k, _) => event_label(k).to_lowercase(),
    };
    let mut detail = e.note.unwrap_or_default();
    if let Some(rc) = e.root_cause.filter(|_| e.kind == EventKind::Resolved) {
        detail = format!("Root cause: {}. {detail}", rc.label()).trim().to_string();
    }
    TimelineItem {
        kind: TimelineKind::Escalation,
        at: e.at,
        title: format!("Escalation “{title}” ({severity}): {what}"),
        detail,
        actor: e.by.unwrap_or_else(|| "Bellwether".into()),
        link: Some(format!("/escalations/{id}")),
    }
}

/// An escalation's opening as a timeline entry.
pub fn escalation_opened(
    id: &str, title: &str, severity: &str, at: crate::model::Timestamp, by: Option<String>,
) -> TimelineItem {
    TimelineItem {
        kind: TimelineKind::Escalation,
        at,
        title: format!("Escalation “{title}” ({severity}): opened"),
        detail: String::new(),
        actor: by.unwrap_or_default(),
        link: Some(format!("/escalations/{id}")),
    }
}

/// A survey answer as a timeline entry, linking to the survey's results.
pub fn survey_item(r: ResponseRow) -> TimelineItem {
    TimelineItem {
        kind: TimelineKind::Survey,
        at: r.at,
        title: format!("{} answer: {}", r.response.kind.label(), r.response.score),
        detail: r.response.comment.unwrap_or_default(),
        actor: r.response.contact_name.unwrap_or_else(|| "Anonymous".into()),
        link: Some(format!("/surveys/{}", r.response.survey_id)),
    }
}

/// An account entering or leaving a saved segment, linking to the Segments page.
pub fn segment_item(m: SegmentMove) -> TimelineItem {
    TimelineItem {
        kind: TimelineKind::Segment,
        at: m.at,
        title: if m.entered { "Entered a segment" } else { "Left a segment" }.into(),
        detail: m.describe(),
        actor: "Bellwether".into(),
        link: Some("/segments".into()),
    }
}

/// The feed: newest first, at most [`TIMELINE_MAX`] entries.
pub fn newest_first(mut items: Vec<TimelineItem>) -> Vec<TimelineItem> {
    items.sort_by_key(|i| std::cmp::Reverse(i.at));
    items.truncate(TIMELINE_MAX);
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::engagement::TouchpointKind;
    use chrono::NaiveDate;

    fn touchpoint(date: &str, logged_at: &str) -> Touchpoint {
        Touchpoint {
            id: "t".into(),
            account_id: "a".into(),
            account_name: "Acme".into(),
            kind: TouchpointKind::ALL[0],
            date: NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(),
            attendees: vec!["Ann".into(), "Bo".into()],
            notes: "Went well.".into(),
            next_steps: "Send the deck".into(),
            logged_by: Some("Dana".into()),
            logged_at: logged_at.parse().unwrap(),
            awaiting_reply: false,
            replied_at: None,
        }
    }

    #[test]
    fn a_touchpoint_reads_with_whom_and_next_steps() {
        let item = touchpoint_item(touchpoint("2026-03-02", "2026-03-02T15:30:00Z"));
        assert_eq!(item.detail, "With Ann, Bo. Went well.\nNext steps: Send the deck");
        assert_eq!(item.actor, "Dana");
        assert_eq!(item.kind, TimelineKind::Touchpoint);
    }

    #[test]
    fn a_touchpoint_logged_later_sorts_at_midday_of_its_day() {
        assert_eq!(
            touchpoint_item(touchpoint("2026-03-02", "2026-03-02T15:30:00Z")).at.to_rfc3339(),
            "2026-03-02T15:30:00+00:00"
        );
        assert_eq!(
            touchpoint_item(touchpoint("2026-03-02", "2026-03-05T08:00:00Z")).at.to_rfc3339(),
            "2026-03-02T12:00:00+00:00"
        );
    }

    #[test]
    fn the_feed_is_newest_first_and_capped() {
        let item = |at: String| TimelineItem {
            at: at.parse().unwrap(),
            kind: TimelineKind::Plan,
            title: String::new(),
            detail: String::new(),
            actor: String::new(),
            link: None,
        };
        let items: Vec<TimelineItem> =
            (0..250).map(|i| item(format!("2026-01-01T00:{:02}:{:02}Z", i / 60, i % 60))).collect();
        let feed = newest_first(items);
        assert_eq!(feed.len(), TIMELINE_MAX);
        assert_eq!(feed[0].at.to_rfc3339(), "2026-01-01T00:04:09+00:00");
        assert!(feed.windows(2).all(|w| w[0].at >= w[1].at));
    }
}
