//! Escalations: a customer problem that needs more than the usual attention, worked along an
//! escalation path (who is responsible at each level) under an SLA policy whose clocks count in
//! business time.
//!
//! The clocks themselves are `metrics::sla` (pure, replayable from the event log); this module
//! holds what pages, the REST API and the services exchange: the escalation as read, its
//! events, the inputs and their checks (`input`), SLA policies (`policy`) and the escalation
//! types and paths (`path`).

pub mod input;
pub mod path;
pub mod policy;
pub mod report;
pub mod uptime;

pub use crate::metrics::sla::{
    CalendarSpec, ClockKind, ClockState, ClockStatus, Clocks, Cycle, DayMinute, EventKind, Moment,
    Span, Targets, WeekHours,
};
pub use input::*;
pub use path::*;
pub use policy::*;
pub use report::*;
pub use uptime::*;

use crate::model::{AccountId, ContactId, EscalationId, UserId};
use serde::{Deserialize, Serialize};

vocabulary! {
    /// How bad it is: P1 (critical, the customer cannot work) to P4 (a question).
    EscalationSeverity {
        P1 => "P1", "P1 — critical";
        P2 => "P2", "P2 — high";
        P3 => "P3", "P3 — medium";
        P4 => "P4", "P4 — low";
    }
}

vocabulary! {
    /// Where an escalation stands, derived from its events.
    EscalationStatus {
        Open => "open", "Open";
        Waiting => "waiting", "Waiting on the customer";
        Resolved => "resolved", "Resolved";
    }
}

vocabulary! {
    /// Why it happened, recorded when it is resolved (the compliance report groups by it).
    RootCause {
        ProductDefect => "product_defect", "Product defect";
        Configuration => "configuration", "Configuration";
        Usage => "usage", "How-to / usage";
        Expectations => "expectations", "Expectations or scope";
        ThirdParty => "third_party", "Third party";
        Infrastructure => "infrastructure", "Outage or infrastructure";
        Unspecified => "unspecified", "Not stated";
    }
}

/// The events, with what a person reads and what they mean for the clocks.
pub fn event_label(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Acknowledged => "Acknowledged",
        EventKind::FirstResponse => "First response sent",
        EventKind::CustomerUpdate => "Customer update sent",
        EventKind::WaitingOnCustomer => "Waiting on the customer",
        EventKind::CustomerReplied => "Customer replied",
        EventKind::Escalated => "Escalated",
        EventKind::Resolved => "Resolved",
        EventKind::Reopened => "Reopened",
    }
}

/// Every event kind, in the order of a typical escalation.
pub const EVENT_KINDS: [EventKind; 8] = [
    EventKind::Acknowledged,
    EventKind::FirstResponse,
    EventKind::CustomerUpdate,
    EventKind::WaitingOnCustomer,
    EventKind::CustomerReplied,
    EventKind::Escalated,
    EventKind::Resolved,
    EventKind::Reopened,
];

pub fn event_key(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Acknowledged => "acknowledged",
        EventKind::FirstResponse => "first_response",
        EventKind::CustomerUpdate => "customer_update",
        EventKind::WaitingOnCustomer => "waiting_on_customer",
        EventKind::CustomerReplied => "customer_replied",
        EventKind::Escalated => "escalated",
        EventKind::Resolved => "resolved",
        EventKind::Reopened => "reopened",
    }
}

pub fn parse_event_kind(s: &str) -> Option<EventKind> {
    EVENT_KINDS.iter().copied().find(|k| event_key(*k) == s)
}

/// One recorded event of an escalation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EscalationEvent {
    pub kind: EventKind,
    pub at: chrono::DateTime<chrono::Utc>,
    #[serde(default)]
    pub note: Option<String>,
    /// Who recorded it (a name), or `None` for the system (an automatic move up a level).
    #[serde(default)]
    pub by: Option<String>,
    /// The level reached, for `escalated`.
    #[serde(default)]
    pub level: Option<u32>,
    /// For `resolved`.
    #[serde(default)]
    pub root_cause: Option<RootCause>,
}

/// The status an event log leaves an escalation in.
pub fn status_of(events: &[EscalationEvent]) -> EscalationStatus {
    let mut s = EscalationStatus::Open;
    for e in events {
        s = match e.kind {
            EventKind::WaitingOnCustomer => EscalationStatus::Waiting,
            EventKind::CustomerReplied | EventKind::Reopened => EscalationStatus::Open,
            EventKind::Resolved => EscalationStatus::Resolved,
            _ => s,
        };
    }
    s
}

/// A versioned thing an escalation was opened under.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VersionRef {
    pub id: String,
    pub version: u32,
    #[serde(default)]
    pub name: String,
}

/// Who is responsible now, and why ("Level 2 · Technical Support").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Responsible {
    pub user_id: Option<UserId>,
    pub name: Option<String>,
    /// The path level's description: a role or "named person".
    pub role: String,
}

/// The follow-up resolving schedules for the owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EscalationFollowUp {
    pub due: chrono::NaiveDate,
    pub owner_id: Option<UserId>,
    pub owner: Option<String>,
    pub done_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    pub survey_sent: bool,
}

/// An escalation as pages and the REST API read it (`GET /api/v1/escalations/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Escalation {
    pub id: EscalationId,
    pub account_id: AccountId,
    pub account_name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub type_label: String,
    pub severity: EscalationSeverity,
    pub title: String,
    pub description: String,
    pub raised_by: Option<ContactId>,
    pub raised_by_name: Option<String>,
    pub opened_at: chrono::DateTime<chrono::Utc>,
    pub status: EscalationStatus,
    pub level: u32,
    pub levels: u32,
    pub responsible: Responsible,
    /// When it moves up a level by itself if nobody acknowledges it.
    pub next_level_at: Option<chrono::DateTime<chrono::Utc>>,
    pub policy: VersionRef,
    pub calendar: VersionRef,
    /// The calendar's IANA time zone, so due times can be shown in it.
    pub time_zone: String,
    pub clocks: Clocks,
    pub resolved_at: Option<chrono::DateTime<chrono::Utc>>,
    pub root_cause: Option<RootCause>,
    pub resolution: Option<String>,
    pub follow_up: Option<EscalationFollowUp>,
    pub owner_id: Option<UserId>,
    pub owner: Option<String>,
    pub events: Vec<EscalationEvent>,
}

impl Escalation {
    /// The clock that is closest to (or furthest past) its due time, for lists.
    pub fn worst_clock(&self) -> Option<(ClockKind, &ClockState)> {
        self.clocks
            .iter()
            .filter(|(_, c)| matches!(c.status, ClockStatus::Running | ClockStatus::Breached))
            .min_by_key(|(_, c)| (c.status != ClockStatus::Breached, c.due_at))
    }
}

/// A line in the escalations list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EscalationRow {
    pub id: EscalationId,
    pub account_id: AccountId,
    pub account_name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub type_label: String,
    pub severity: EscalationSeverity,
    pub title: String,
    pub status: EscalationStatus,
    pub level: u32,
    pub responsible: Option<String>,
    pub opened_at: chrono::DateTime<chrono::Utc>,
    /// The most urgent running clock: its label, due time and status.
    pub next_due: Option<(ClockKind, Option<chrono::DateTime<chrono::Utc>>, ClockStatus)>,
    pub breached: bool,
}

impl From<&Escalation> for EscalationRow {
    fn from(e: &Escalation) -> Self {
        let breached = e.clocks.iter().any(|(_, c)| c.status == ClockStatus::Breached);
        EscalationRow {
            id: e.id.clone(),
            account_id: e.account_id.clone(),
            account_name: e.account_name.clone(),
            kind: e.kind.clone(),
            type_label: e.type_label.clone(),
            severity: e.severity,
            title: e.title.clone(),
            status: e.status,
            level: e.level,
            responsible: e.responsible.name.clone(),
            opened_at: e.opened_at,
            next_due: e.worst_clock().map(|(k, c)| (k, c.due_at, c.status)),
            breached,
        }
    }
}

/// Which escalations a list shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EscalationFilter {
    /// open (open + waiting), resolved, or all.
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub account_id: Option<AccountId>,
    #[serde(default)]
    pub severity: Option<EscalationSeverity>,
    #[serde(default)]
    pub mine: bool,
    #[serde(default)]
    pub limit: Option<u32>,
    /// Opened before this one (the list is newest first).
    #[serde(default)]
    pub cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_keys_round_trip_and_match_serde() {
        for k in EVENT_KINDS {
            assert_eq!(parse_event_kind(event_key(k)), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), serde_json::json!(event_key(k)));
        }
    }

    #[test]
    fn status_follows_the_log() {
        let at = chrono::Utc::now();
        let e = |kind| EscalationEvent {
            kind,
            at,
            note: None,
            by: None,
            level: None,
            root_cause: None,
        };
        assert_eq!(status_of(&[]), EscalationStatus::Open);
        assert_eq!(status_of(&[e(EventKind::WaitingOnCustomer)]), EscalationStatus::Waiting);
        assert_eq!(
            status_of(&[e(EventKind::WaitingOnCustomer), e(EventKind::CustomerReplied)]),
            EscalationStatus::Open
        );
        assert_eq!(
            status_of(&[e(EventKind::Resolved), e(EventKind::Reopened)]),
            EscalationStatus::Open
        );
        assert_eq!(status_of(&[e(EventKind::Resolved)]), EscalationStatus::Resolved);
    }
}
