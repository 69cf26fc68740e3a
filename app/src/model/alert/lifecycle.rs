//! What happens to alerts: what an evaluation does given the alert already live for the account
//! and rule (de-duplication, snooze expiry, episodes), and what people may do to an alert.

use super::{AlertEventKind, AlertStatus, Evidence};
use crate::error::{AppError, Checks};
use crate::model::validate::optional_text;
use crate::model::Timestamp;
use serde::{Deserialize, Serialize};

/// How often an unchanged, still-tripping alert has its "last seen" moved forward: often
/// enough to tell a live alert from a stale one, rarely enough that a stream of events does not
/// rewrite it on every event.
pub const SEEN_EVERY_MINUTES: i64 = 60;
/// The longest snooze.
pub const MAX_SNOOZE_DAYS: i64 = 180;

/// The alert an account and rule already have (the latch), as the evaluator reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Latch {
    pub alert_id: String,
    pub status: AlertStatus,
    pub snoozed_until: Option<Timestamp>,
    pub evidence: Evidence,
    pub last_seen_at: Timestamp,
}

/// What one evaluation does.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// No live alert and the rule trips: open one (and its playbook tasks).
    Open(Evidence),
    /// Still tripping: new evidence and "last seen", never a second alert.
    Refresh { alert_id: String, evidence: Evidence },
    /// The snooze is over and the rule still trips: open again.
    Wake { alert_id: String, evidence: Evidence },
    /// The snooze is over and the rule no longer trips: resolved by itself.
    Clear { alert_id: String },
    /// A resolved or dismissed alert's episode is over (the rule stopped tripping): the next
    /// trip opens a new alert.
    Release,
}

/// Decides what an evaluation does. One alert per account and rule: while it is open or
/// acknowledged a re-trip refreshes it; a snoozed one stays quiet until its date, then
/// re-evaluates; a resolved or dismissed one keeps the episode closed until the rule stops
/// tripping (so dismissing "usage fell" is not answered by the same alert a minute later).
/// An open alert whose rule stops tripping stays open: someone decides it is over.
pub fn decide(latch: Option<&Latch>, trip: Option<Evidence>, now: Timestamp) -> Option<Action> {
    let Some(l) = latch else {
        return trip.map(Action::Open);
    };
    match l.status {
        AlertStatus::Resolved | AlertStatus::Dismissed => trip.is_none().then_some(Action::Release),
        AlertStatus::Snoozed if l.snoozed_until.is_some_and(|u| u > now) => None,
        AlertStatus::Snoozed => Some(match trip {
            Some(evidence) => Action::Wake { alert_id: l.alert_id.clone(), evidence },
            None => Action::Clear { alert_id: l.alert_id.clone() },
        }),
        AlertStatus::Open | AlertStatus::Acknowledged => {
            let evidence = trip?;
            let stale = now - l.last_seen_at >= chrono::Duration::minutes(SEEN_EVERY_MINUTES);
            (evidence != l.evidence || stale)
                .then(|| Action::Refresh { alert_id: l.alert_id.clone(), evidence })
        }
    }
}

/// The actions [`AlertEventInput::event`] takes, for the OpenAPI document.
#[cfg(feature = "ssr")]
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum AlertAction {
    Acknowledged,
    Resolved,
    Dismissed,
    Snoozed,
}

/// An action on an alert as a person or another system sends it (the REST API's
/// `POST /api/v1/alerts/{id}/events` body, and the pages' buttons).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AlertEventInput {
    /// `acknowledged`, `resolved`, `dismissed` or `snoozed`.
    #[cfg_attr(feature = "ssr", schema(value_type = AlertAction))]
    pub event: String,
    /// Why (required to dismiss or snooze).
    #[serde(default)]
    pub reason: String,
    /// Snooze until: a date (`2026-12-24`, the start of that day UTC) or an RFC 3339 time.
    #[serde(default)]
    pub until: String,
    /// A resolution note.
    #[serde(default)]
    pub note: String,
}

/// A checked action.
#[derive(Debug, Clone, PartialEq)]
pub enum AlertCommand {
    Acknowledge,
    Resolve { note: Option<String> },
    Dismiss { reason: String },
    Snooze { until: Timestamp, reason: String },
}

impl AlertCommand {
    /// The status the alert ends in.
    pub fn status(&self) -> AlertStatus {
        match self {
            AlertCommand::Acknowledge => AlertStatus::Acknowledged,
            AlertCommand::Resolve { .. } => AlertStatus::Resolved,
            AlertCommand::Dismiss { .. } => AlertStatus::Dismissed,
            AlertCommand::Snooze { .. } => AlertStatus::Snoozed,
        }
    }

    /// What the history records.
    pub fn event(&self) -> AlertEventKind {
        match self {
            AlertCommand::Acknowledge => AlertEventKind::Acknowledged,
            AlertCommand::Resolve { .. } => AlertEventKind::Resolved,
            AlertCommand::Dismiss { .. } => AlertEventKind::Dismissed,
            AlertCommand::Snooze { .. } => AlertEventKind::Snoozed,
        }
    }

    /// The note or reason kept with the alert.
    pub fn reason(&self) -> Option<&str> {
        match self {
            AlertCommand::Acknowledge => None,
            AlertCommand::Resolve { note } => note.as_deref(),
            AlertCommand::Dismiss { reason } | AlertCommand::Snooze { reason, .. } => Some(reason),
        }
    }

    /// Whether an alert in `from` may take this action: a finished alert takes none, and
    /// acknowledging twice is refused (so a bulk acknowledge says which were already).
    pub fn allowed_from(&self, from: AlertStatus) -> Result<(), String> {
        if from.is_closed() {
            return Err(format!("this alert is already {}", from.label().to_lowercase()));
        }
        if matches!(self, AlertCommand::Acknowledge) && from == AlertStatus::Acknowledged {
            return Err("this alert is already acknowledged".into());
        }
        Ok(())
    }
}

impl AlertEventInput {
    /// Checks the action at `now`; fields are named `event`, `reason`, `until`, `note`.
    pub fn validate(&self, now: Timestamp) -> Result<AlertCommand, AppError> {
        let mut c = Checks::new();
        let reason = optional_text(&self.reason, 2000)
            .map_err(|m| c.fail("reason", format!("the reason {m}")))
            .ok()
            .flatten();
        let note = optional_text(&self.note, 2000)
            .map_err(|m| c.fail("note", format!("the note {m}")))
            .ok()
            .flatten();
        let cmd = match self.event.trim() {
            "acknowledged" => Some(AlertCommand::Acknowledge),
            "resolved" => Some(AlertCommand::Resolve { note: note.or(reason.clone()) }),
            "dismissed" => {
                c.check(reason.is_some(), "reason", "say why the alert is dismissed");
                reason.clone().map(|reason| AlertCommand::Dismiss { reason })
            }
            "snoozed" => {
                c.check(reason.is_some(), "reason", "say why the alert is snoozed");
                let until = snooze_until(&self.until, now).map_err(|m| c.fail("until", m)).ok();
                until
                    .zip(reason.clone())
                    .map(|(until, reason)| AlertCommand::Snooze { until, reason })
            }
            _ => {
                c.fail("event", "choose one of acknowledged, resolved, dismissed, snoozed");
                None
            }
        };
        c.finish()?;
        Ok(cmd.expect("checked"))
    }
}

/// The end of a snooze: a date (the start of that day, UTC) or an RFC 3339 time, after `now`
/// and at most [`MAX_SNOOZE_DAYS`] ahead.
fn snooze_until(s: &str, now: Timestamp) -> Result<Timestamp, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("choose the date the alert wakes up".into());
    }
    let at = chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
        })
        .map_err(|_| "give a date as YYYY-MM-DD (or an RFC 3339 time)".to_string())?;
    if at <= now {
        return Err("the snooze must end in the future".into());
    }
    if at > now + chrono::Duration::days(MAX_SNOOZE_DAYS) {
        return Err(format!("snooze for at most {MAX_SNOOZE_DAYS} days"));
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::alert::Windows;

    fn now() -> Timestamp {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 24)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
            .and_utc()
    }

    fn ev(after: f64) -> Evidence {
        Evidence::Decline {
            metric: "logins".into(),
            before: 100.0,
            after,
            change_pct: after - 100.0,
            windows: Windows::weeks_to(now().date_naive(), 2),
        }
    }

    fn latch(status: AlertStatus) -> Latch {
        Latch {
            alert_id: "a1".into(),
            status,
            snoozed_until: None,
            evidence: ev(50.0),
            last_seen_at: now() - chrono::Duration::minutes(5),
        }
    }

    #[test]
    fn a_trip_opens_one_alert_and_a_re_trip_updates_it() {
        assert_eq!(decide(None, Some(ev(50.0)), now()), Some(Action::Open(ev(50.0))));
        assert_eq!(decide(None, None, now()), None);
        let open = latch(AlertStatus::Open);
        // The same numbers a few minutes later: nothing to write.
        assert_eq!(decide(Some(&open), Some(ev(50.0)), now()), None);
        // New numbers: the same alert gets them.
        assert_eq!(
            decide(Some(&open), Some(ev(40.0)), now()),
            Some(Action::Refresh { alert_id: "a1".into(), evidence: ev(40.0) })
        );
        // The same numbers an hour later: "last seen" moves.
        let later = now() + chrono::Duration::minutes(SEEN_EVERY_MINUTES);
        assert!(matches!(decide(Some(&open), Some(ev(50.0)), later), Some(Action::Refresh { .. })));
        // Acknowledged behaves the same; an open alert that stops tripping stays as it is.
        let ack = latch(AlertStatus::Acknowledged);
        assert!(matches!(decide(Some(&ack), Some(ev(40.0)), now()), Some(Action::Refresh { .. })));
        assert_eq!(decide(Some(&open), None, now()), None);
    }

    #[test]
    fn a_snoozed_alert_is_quiet_until_its_date_then_re_evaluates() {
        let mut s = latch(AlertStatus::Snoozed);
        s.snoozed_until = Some(now() + chrono::Duration::days(1));
        assert_eq!(decide(Some(&s), Some(ev(10.0)), now()), None);
        let after = now() + chrono::Duration::days(1);
        assert_eq!(
            decide(Some(&s), Some(ev(10.0)), after),
            Some(Action::Wake { alert_id: "a1".into(), evidence: ev(10.0) })
        );
        assert_eq!(decide(Some(&s), None, after), Some(Action::Clear { alert_id: "a1".into() }));
    }

    #[test]
    fn a_finished_alert_keeps_its_episode_closed_until_the_rule_stops_tripping() {
        for status in [AlertStatus::Resolved, AlertStatus::Dismissed] {
            let l = latch(status);
            assert_eq!(decide(Some(&l), Some(ev(10.0)), now()), None);
            assert_eq!(decide(Some(&l), None, now()), Some(Action::Release));
        }
    }

    fn input(event: &str, reason: &str, until: &str) -> AlertEventInput {
        AlertEventInput {
            event: event.into(),
            reason: reason.into(),
            until: until.into(),
            note: String::new(),
        }
    }

    #[test]
    fn dismissing_and_snoozing_need_a_reason_and_a_good_date() {
        let e = input("dismissed", " ", "").validate(now()).unwrap_err();
        assert_eq!(e.for_field("reason").as_deref(), Some("say why the alert is dismissed"));
        let ok = input("dismissed", "seasonal dip", "").validate(now()).unwrap();
        assert_eq!(ok, AlertCommand::Dismiss { reason: "seasonal dip".into() });
        let e = input("snoozed", "", "2026-11-20").validate(now()).unwrap_err();
        assert!(e.for_field("reason").is_some());
        assert_eq!(e.for_field("until").as_deref(), Some("the snooze must end in the future"));
        let e = input("snoozed", "wait", "next week").validate(now()).unwrap_err();
        assert!(e.for_field("until").unwrap().contains("YYYY-MM-DD"));
        let e = input("snoozed", "wait", "2027-12-24").validate(now()).unwrap_err();
        assert!(e.for_field("until").unwrap().contains("at most 180 days"));
        let s = input("snoozed", "wait for the QBR", "2026-12-01").validate(now()).unwrap();
        let until = chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc();
        assert_eq!(s, AlertCommand::Snooze { until, reason: "wait for the QBR".into() });
        let e = input("closed", "", "").validate(now()).unwrap_err();
        assert!(e.for_field("event").is_some());
        let long = "x".repeat(2001);
        assert!(input("resolved", &long, "")
            .validate(now())
            .unwrap_err()
            .for_field("reason")
            .is_some());
    }

    #[test]
    fn finished_alerts_take_no_more_actions() {
        let ack = AlertCommand::Acknowledge;
        assert!(ack.allowed_from(AlertStatus::Open).is_ok());
        assert!(ack.allowed_from(AlertStatus::Snoozed).is_ok());
        assert_eq!(
            ack.allowed_from(AlertStatus::Acknowledged).unwrap_err(),
            "this alert is already acknowledged"
        );
        let r = AlertCommand::Resolve { note: None };
        assert_eq!(
            r.allowed_from(AlertStatus::Dismissed).unwrap_err(),
            "this alert is already dismissed"
        );
        assert!(r.allowed_from(AlertStatus::Acknowledged).is_ok());
    }
}
