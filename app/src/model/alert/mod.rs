//! Early warning: rules that watch the data every account already has, and the alerts they
//! raise — with the numbers that tripped them (evidence), one open alert per account and rule
//! (a re-trip updates it), and a playbook of next steps.
//!
//! Pure and shared with the browser: the rule kinds and their settings (`rules`), what a rule
//! says about one account's facts (`evaluate`), how evidence reads (`evidence`), what an
//! evaluation does to an existing alert (`lifecycle`), and playbooks (`playbook`).

pub mod evaluate;
pub mod evidence;
pub mod lifecycle;
pub mod playbook;
pub mod rules;

pub use evaluate::*;
pub use evidence::*;
pub use lifecycle::*;
pub use playbook::*;
pub use rules::*;

use crate::model::{AccountId, Timestamp, UserId};
use serde::{Deserialize, Serialize};

vocabulary! {
    /// What an early-warning rule watches. The keys are a contract of the REST API.
    RuleKind {
        DecliningEngagement => "declining_engagement", "Declining engagement";
        ReducedUsage => "reduced_usage", "Reduced product usage";
        MissedMilestone => "missed_milestone", "Missed milestone";
        DelayedResponse => "delayed_response", "Delayed customer response";
        LowSurveyScore => "low_survey_score", "Low survey score";
        HealthDrop => "health_drop", "Health drop";
        RenewalAtRisk => "renewal_at_risk", "Renewal at risk";
        SlaBreach => "sla_breach", "SLA breach";
        EscalationOpenLong => "escalation_open_long", "Escalation open too long";
    }
}

vocabulary! {
    /// How urgent an alert is: high ones are mailed at once, the others in a daily digest.
    Severity {
        High => "high", "High";
        Medium => "medium", "Medium";
        Low => "low", "Low";
    }
}

vocabulary! {
    /// Where an alert stands.
    AlertStatus {
        Open => "open", "Open";
        Acknowledged => "acknowledged", "Acknowledged";
        Snoozed => "snoozed", "Snoozed";
        Resolved => "resolved", "Resolved";
        Dismissed => "dismissed", "Dismissed";
    }
}

impl AlertStatus {
    /// Resolved and dismissed alerts are finished with; the others still ask for attention
    /// (a snoozed one from its date on).
    pub fn is_closed(self) -> bool {
        matches!(self, AlertStatus::Resolved | AlertStatus::Dismissed)
    }
}

vocabulary! {
    /// What happened to an alert (its history, and the account timeline).
    AlertEventKind {
        Opened => "opened", "Opened";
        Acknowledged => "acknowledged", "Acknowledged";
        Snoozed => "snoozed", "Snoozed";
        Woke => "woke", "Snooze ended, still tripping";
        Resolved => "resolved", "Resolved";
        Dismissed => "dismissed", "Dismissed";
        Reopened => "reopened", "Reopened";
    }
}

/// An alert as pages and the REST API show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub id: String,
    pub account_id: AccountId,
    pub account_name: String,
    pub rule: RuleKind,
    /// The rule set the rule came from ("Default" or the segment's name) and its version.
    pub rule_scope: String,
    pub rule_version: u32,
    pub severity: Severity,
    pub status: AlertStatus,
    pub owner_id: Option<UserId>,
    pub owner: Option<String>,
    pub evidence: Evidence,
    /// The evidence in one sentence.
    pub summary: String,
    pub opened_at: Timestamp,
    pub last_seen_at: Timestamp,
    /// How many evaluations found the rule tripping while this alert was live.
    pub trips: u32,
    pub snoozed_until: Option<Timestamp>,
    /// Why it was dismissed or snoozed, or the resolution note.
    pub reason: Option<String>,
    pub closed_at: Option<Timestamp>,
    /// Playbook steps done / all.
    pub steps_done: u32,
    pub steps: u32,
}

/// One playbook step of an alert, as My work and the alert show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertTask {
    pub id: String,
    pub alert_id: String,
    pub account_id: AccountId,
    pub account_name: String,
    pub rule: RuleKind,
    pub title: String,
    pub due: chrono::NaiveDate,
    pub owner_role: crate::model::TeamRole,
    pub owner: Option<String>,
    pub touchpoint_kind: Option<crate::model::engagement::TouchpointKind>,
    pub done: bool,
}

/// An entry of an alert's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertHistoryItem {
    pub alert_id: String,
    pub rule: RuleKind,
    pub kind: AlertEventKind,
    pub actor: Option<String>,
    pub note: Option<String>,
    pub at: Timestamp,
}

/// An alert with its steps and history (the account page and the alert's own view).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertDetail {
    pub alert: Alert,
    pub tasks: Vec<AlertTask>,
    pub history: Vec<AlertHistoryItem>,
    /// Whether the viewer may act on it (acknowledge, snooze, tick steps).
    pub can_act: bool,
}

/// Which alerts a list shows (the Alerts page, the REST API). Empty sets mean "any".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertFilter {
    #[serde(default)]
    pub account_id: Option<String>,
    #[serde(default)]
    pub rules: Vec<RuleKind>,
    #[serde(default)]
    pub statuses: Vec<AlertStatus>,
    #[serde(default)]
    pub severities: Vec<Severity>,
    /// A user id.
    #[serde(default)]
    pub owner: Option<String>,
    /// A saved segment's id: alerts of the accounts in it now.
    #[serde(default)]
    pub segment: Option<String>,
    /// The last alert id of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Page size (1–200; 0: 50).
    #[serde(default)]
    pub limit: u32,
}

impl AlertFilter {
    /// The statuses that still ask for attention: the Alerts page's default.
    pub const LIVE: [AlertStatus; 3] =
        [AlertStatus::Open, AlertStatus::Acknowledged, AlertStatus::Snoozed];

    pub fn page_size(&self) -> usize {
        match self.limit {
            0 => 50,
            n => n.min(200) as usize,
        }
    }
}

/// A page of alerts; `next_cursor` continues it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertPage {
    pub alerts: Vec<Alert>,
    pub next_cursor: Option<String>,
}
