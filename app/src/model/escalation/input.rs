//! What people and integrations send to open an escalation or record an event on one, and the
//! checks both pass (the same in the browser, the server functions and the REST API).

use super::{
    event_key, parse_event_kind, EscalationEvent, EscalationSeverity, EventKind, RootCause,
};
use crate::error::{AppError, Checks};
use crate::model::Timestamp;
use chrono::Duration;
use serde::{Deserialize, Serialize};

pub const MAX_TITLE: usize = 200;
pub const MAX_DESCRIPTION: usize = 10_000;
pub const MAX_NOTE: usize = 4_000;
/// An escalation's log is bounded: past this, something is mirroring a chat into it.
pub const MAX_EVENTS: usize = 500;
/// Mirrored tickets may be backdated, but not by more than this.
pub const MAX_BACKDATE_DAYS: i64 = 366;
/// Clocks on two machines disagree by a little; an `at` this far ahead of ours is "now".
pub const CLOCK_SKEW_SECONDS: i64 = 5;

/// `POST /api/v1/escalations` and the "Raise escalation" form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EscalationInput {
    #[serde(default)]
    pub account_id: Option<String>,
    #[serde(default)]
    pub external_id: Option<String>,
    /// An escalation type in force (Settings → SLA & escalations), e.g. `technical`.
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = super::EscalationSeverity))]
    pub severity: String,
    /// What is wrong, in a few words (at most 200 characters).
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub opened_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    pub policy_id: Option<String>,
    /// The contact who raised it.
    #[serde(default)]
    pub raised_by: Option<String>,
}

/// An escalation input that passed its checks (the account, type, policy and contact are
/// checked against the database by the service).
#[derive(Debug, Clone, PartialEq)]
pub struct ValidEscalation {
    pub kind: String,
    pub severity: EscalationSeverity,
    pub title: String,
    pub description: String,
    pub opened_at: chrono::DateTime<chrono::Utc>,
    pub policy_id: Option<String>,
    pub raised_by: Option<String>,
}

fn blank_to_none(s: &Option<String>) -> Option<String> {
    s.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

impl EscalationInput {
    /// Checks the fields; `types` are the escalation type keys in force.
    pub fn validate(&self, types: &[String], now: Timestamp) -> Result<ValidEscalation, AppError> {
        let mut c = Checks::new();
        let kind = self.kind.trim().to_string();
        if kind.is_empty() {
            c.fail("type", "choose a type");
        } else if !types.contains(&kind) {
            c.fail("type", format!("must be one of {}", types.join(", ")));
        }
        let severity = EscalationSeverity::parse(self.severity.trim());
        if severity.is_none() {
            c.fail("severity", "must be P1, P2, P3 or P4");
        }
        let title = self.title.trim().to_string();
        c.check(!title.is_empty(), "title", "say in a few words what is wrong");
        c.check(
            title.chars().count() <= MAX_TITLE,
            "title",
            format!("at most {MAX_TITLE} characters"),
        );
        let description = self.description.trim().to_string();
        c.check(
            description.chars().count() <= MAX_DESCRIPTION,
            "description",
            format!("at most {MAX_DESCRIPTION} characters"),
        );
        let opened_at = self.opened_at.unwrap_or(now);
        if opened_at > now + Duration::seconds(CLOCK_SKEW_SECONDS) {
            c.fail("opened_at", "cannot be in the future");
        } else if opened_at < now - Duration::days(MAX_BACKDATE_DAYS) {
            c.fail("opened_at", format!("at most {MAX_BACKDATE_DAYS} days ago"));
        }
        if self.account_id.as_deref().is_none_or(|s| s.trim().is_empty())
            && self.external_id.as_deref().is_none_or(|s| s.trim().is_empty())
        {
            c.fail("account_id", "name the account (account_id or external_id)");
        }
        c.finish()?;
        Ok(ValidEscalation {
            kind,
            severity: severity.expect("checked"),
            title,
            description,
            opened_at: opened_at.min(now),
            policy_id: blank_to_none(&self.policy_id),
            raised_by: blank_to_none(&self.raised_by),
        })
    }
}

/// `POST /api/v1/escalations/{id}/events` and the buttons on the escalation page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EventInput {
    #[cfg_attr(feature = "ssr", schema(value_type = crate::metrics::sla::EventKind))]
    pub kind: String,
    #[serde(default)]
    pub at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    pub note: Option<String>,
    /// For `resolved`; "unspecified" when a mirrored ticket has none.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<super::RootCause>))]
    pub root_cause: Option<String>,
}

/// Where the escalation stands when an event arrives (what the event is checked against).
#[derive(Debug, Clone, PartialEq)]
pub struct EventContext<'a> {
    pub opened_at: chrono::DateTime<chrono::Utc>,
    pub events: &'a [EscalationEvent],
    pub level: u32,
    pub levels: u32,
}

impl EventInput {
    /// Checks the event against the log so far: a known kind, allowed in the current state,
    /// `at` not in the future, not before the escalation opened, not before the last event.
    pub fn validate(
        &self, cx: &EventContext<'_>, by: Option<String>, now: chrono::DateTime<chrono::Utc>,
    ) -> Result<EscalationEvent, AppError> {
        let mut c = Checks::new();
        let kind = parse_event_kind(self.kind.trim());
        let Some(kind) = kind else {
            let keys: Vec<&str> = super::EVENT_KINDS.iter().map(|k| event_key(*k)).collect();
            return Err(AppError::field("kind", format!("must be one of {}", keys.join(", "))));
        };
        let at = self.at.unwrap_or(now);
        // Order is kept among what people and integrations record. The timer's automatic moves
        // up a level are recorded when they happen and do not stop a helpdesk from mirroring
        // in, late, what its agents did before them.
        let last = cx.events.iter().filter(|e| e.by.is_some()).map(|e| e.at).max();
        if at > now + Duration::seconds(CLOCK_SKEW_SECONDS) {
            c.fail("at", "cannot be in the future");
        } else if at < cx.opened_at {
            c.fail("at", format!("is before the escalation was opened ({})", cx.opened_at));
        } else if let Some(last) = last.filter(|l| at < *l) {
            c.fail("at", format!("is before the last recorded event ({last}); events go in order"));
        }
        if let Err(why) = allowed(kind, cx) {
            c.fail("kind", why);
        }
        let note = blank_to_none(&self.note);
        c.check(
            note.as_ref().is_none_or(|n| n.chars().count() <= MAX_NOTE),
            "note",
            format!("at most {MAX_NOTE} characters"),
        );
        let root_cause = match (kind, blank_to_none(&self.root_cause)) {
            (EventKind::Resolved, None) => Some(RootCause::Unspecified),
            (EventKind::Resolved, Some(k)) => {
                let r = RootCause::parse(&k);
                if r.is_none() {
                    let keys: Vec<&str> = RootCause::ALL.iter().map(|r| r.key()).collect();
                    c.fail("root_cause", format!("must be one of {}", keys.join(", ")));
                }
                r
            }
            (_, _) => None,
        };
        c.check(cx.events.len() < MAX_EVENTS, "kind", "this escalation has too many events");
        c.finish()?;
        let level = (kind == EventKind::Escalated).then_some(cx.level + 1);
        Ok(EscalationEvent { kind, at: at.min(now), note, by, level, root_cause })
    }
}

/// Whether `kind` may follow the log so far, or why not.
fn allowed(kind: EventKind, cx: &EventContext<'_>) -> Result<(), String> {
    use super::EscalationStatus::*;
    let status = super::status_of(cx.events);
    let had = |k: EventKind| cx.events.iter().any(|e| e.kind == k);
    match (kind, status) {
        (EventKind::Reopened, Resolved) => Ok(()),
        (EventKind::Reopened, _) => Err("only a resolved escalation can be reopened".into()),
        (_, Resolved) => Err("the escalation is resolved; reopen it first".into()),
        (EventKind::FirstResponse, _) if had(EventKind::FirstResponse) => {
            Err("the first response is already recorded; record a customer update".into())
        }
        (EventKind::WaitingOnCustomer, Waiting) => Err("already waiting on the customer".into()),
        (EventKind::CustomerReplied, Open) => {
            Err("not waiting on the customer (record “waiting on the customer” first)".into())
        }
        (EventKind::Escalated, _) if cx.level >= cx.levels.max(1) => {
            Err(format!("already at the last level of the path (level {})", cx.level))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 12, 4, 12, 0, 0).unwrap()
    }

    fn ev(kind: EventKind, mins_ago: i64) -> EscalationEvent {
        EscalationEvent {
            kind,
            at: now() - Duration::minutes(mins_ago),
            note: None,
            by: None,
            level: None,
            root_cause: None,
        }
    }

    fn input(kind: &str, at: Option<chrono::DateTime<chrono::Utc>>) -> EventInput {
        EventInput { kind: kind.into(), at, note: None, root_cause: None }
    }

    #[test]
    fn an_escalation_needs_known_type_and_severity_and_a_title() {
        let types = vec!["technical".to_string()];
        let bad = EscalationInput {
            account_id: Some("a".into()),
            kind: "legal".into(),
            severity: "P0".into(),
            opened_at: Some(now() + Duration::hours(1)),
            ..Default::default()
        };
        let e = bad.validate(&types, now()).unwrap_err();
        assert!(e.for_field("type").unwrap().contains("technical"));
        assert!(e.for_field("severity").unwrap().contains("P1"));
        assert!(e.for_field("title").is_some());
        assert!(e.for_field("opened_at").unwrap().contains("future"));
        let ok = EscalationInput {
            external_id: Some("sf-1".into()),
            kind: "technical".into(),
            severity: "P1".into(),
            title: " Outage ".into(),
            ..Default::default()
        };
        let v = ok.validate(&types, now()).unwrap();
        assert_eq!(
            (v.title.as_str(), v.severity, v.opened_at),
            ("Outage", EscalationSeverity::P1, now())
        );
    }

    #[test]
    fn events_go_in_order_never_in_the_future_never_before_the_opening() {
        // An acknowledgement someone recorded, and a later automatic move up a level (no `by`).
        let mut events = vec![
            EscalationEvent { by: Some("user:ann".into()), ..ev(EventKind::Acknowledged, 30) },
            ev(EventKind::Escalated, 5),
        ];
        events[1].level = Some(2);
        let cx = EventContext {
            opened_at: now() - Duration::hours(1),
            events: &events,
            level: 1,
            levels: 3,
        };
        let e =
            input("first_response", Some(now() + Duration::minutes(1))).validate(&cx, None, now());
        assert!(e.unwrap_err().for_field("at").unwrap().contains("future"));
        let e =
            input("first_response", Some(now() - Duration::hours(2))).validate(&cx, None, now());
        assert!(e
            .unwrap_err()
            .for_field("at")
            .unwrap()
            .contains("before the escalation was opened"));
        let e =
            input("first_response", Some(now() - Duration::minutes(40))).validate(&cx, None, now());
        assert!(e.unwrap_err().for_field("at").unwrap().contains("in order"));
        // Before the timer's move (recorded late by a helpdesk), after the person's event: fine.
        let ok =
            input("first_response", Some(now() - Duration::minutes(10))).validate(&cx, None, now());
        assert_eq!(ok.unwrap().kind, EventKind::FirstResponse);
        let e = input("fixed", None).validate(&cx, None, now());
        assert!(e.unwrap_err().for_field("kind").unwrap().contains("first_response"));
    }

    #[test]
    fn events_must_fit_the_state() {
        let check = |events: &[EscalationEvent], kind: &str, level: u32| {
            let cx =
                EventContext { opened_at: now() - Duration::hours(5), events, level, levels: 2 };
            input(kind, None).validate(&cx, None, now())
        };
        let resolved = [ev(EventKind::Resolved, 10)];
        assert!(check(&resolved, "customer_update", 1).is_err());
        assert!(check(&resolved, "reopened", 1).is_ok());
        assert!(check(&[], "reopened", 1).is_err());
        assert!(check(&[], "customer_replied", 1).is_err());
        let waiting = [ev(EventKind::WaitingOnCustomer, 10)];
        assert!(check(&waiting, "waiting_on_customer", 1).is_err());
        assert!(check(&waiting, "customer_replied", 1).is_ok());
        assert!(check(&[ev(EventKind::FirstResponse, 10)], "first_response", 1).is_err());
        assert!(check(&[], "escalated", 2)
            .unwrap_err()
            .for_field("kind")
            .unwrap()
            .contains("last level"));
        assert_eq!(check(&[], "escalated", 1).unwrap().level, Some(2));
        let r = check(&[], "resolved", 1).unwrap();
        assert_eq!(r.root_cause, Some(RootCause::Unspecified));
        let cx = EventContext {
            opened_at: now() - Duration::hours(5),
            events: &[],
            level: 1,
            levels: 2,
        };
        let bad = EventInput { root_cause: Some("gremlins".into()), ..input("resolved", None) };
        assert!(bad.validate(&cx, None, now()).unwrap_err().for_field("root_cause").is_some());
    }
}
