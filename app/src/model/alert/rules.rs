//! The rules' settings: each rule kind has two numbers at most (a threshold and a window), a
//! severity and an on/off switch. A rule set holds one of each kind; there is a default set and
//! one per saved segment that needs its own, and every save is a new version (like health
//! models), so an alert says which version raised it.

use super::{RuleKind, Severity};
use crate::error::{AppError, Checks};
use crate::model::Timestamp;
use serde::{Deserialize, Serialize};

/// One of a rule's numbers: what it means, its unit, its bounds and its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    pub label: &'static str,
    pub unit: &'static str,
    pub min: u32,
    pub max: u32,
    pub default: u32,
}

const fn param(label: &'static str, unit: &'static str, min: u32, max: u32, default: u32) -> Param {
    Param { label, unit, min, max, default }
}

impl RuleKind {
    /// The threshold: how far a figure must move (or how late something must be) to trip.
    pub fn threshold(self) -> Option<Param> {
        use RuleKind::*;
        match self {
            DecliningEngagement => Some(param("Down by at least", "%", 1, 100, 40)),
            ReducedUsage => Some(param("Down by at least", "%", 1, 100, 40)),
            MissedMilestone => Some(param("Late by at least", "days", 1, 365, 1)),
            DelayedResponse => Some(param("Or median reply time up by", "%", 1, 1000, 50)),
            HealthDrop => Some(param("Or down by at least", "points", 1, 100, 15)),
            LowSurveyScore | RenewalAtRisk | SlaBreach => None,
            EscalationOpenLong => Some(param("Open for at least", "days", 1, 365, 14)),
        }
    }

    /// The window: how much history is compared, how long a wait trips, how far ahead.
    pub fn window(self) -> Option<Param> {
        use RuleKind::*;
        match self {
            DecliningEngagement => Some(param("Comparing the last", "weeks", 1, 12, 2)),
            ReducedUsage => Some(param("Comparing the last", "weeks", 1, 12, 4)),
            DelayedResponse => Some(param("Awaiting a reply for", "days", 1, 90, 5)),
            LowSurveyScore => Some(param("Answered in the last", "days", 1, 365, 30)),
            HealthDrop => Some(param("Within", "days", 1, 90, 7)),
            RenewalAtRisk => Some(param("Renewal within", "days", 1, 730, 90)),
            SlaBreach => Some(param("Breached in the last", "days", 1, 90, 30)),
            MissedMilestone | EscalationOpenLong => None,
        }
    }

    /// What the rule watches, in a sentence (Settings and the Alerts page say it).
    pub fn describe(self) -> &'static str {
        use RuleKind::*;
        match self {
            DecliningEngagement => {
                "Logins or active users fell, comparing the last weeks with the same number before."
            }
            ReducedUsage => "Event volume or key-feature adoption fell, comparing two windows.",
            MissedMilestone => "A success-plan milestone is past its due date and still open.",
            DelayedResponse => {
                "A message to the customer has waited too long for a reply, or the customer's \
                 median reply time over 30 days rose against their own previous 90 days."
            }
            LowSurveyScore => "A detractor NPS answer (0–6), a CSAT of 1–2 or a CES of 1–2.",
            HealthDrop => "The health score dropped a band, or by some points, within days.",
            RenewalAtRisk => "The renewal is near while health is red or yellow.",
            SlaBreach => {
                "An escalation's SLA clock (first response, update cadence or resolution) \
                 passed its target, or a month's uptime fell below the policy's target."
            }
            EscalationOpenLong => "An escalation has been open (unresolved) for too long.",
        }
    }

    /// The severity a new rule set starts with.
    pub fn default_severity(self) -> Severity {
        use RuleKind::*;
        match self {
            RenewalAtRisk | HealthDrop | SlaBreach => Severity::High,
            EscalationOpenLong => Severity::Medium,
            DecliningEngagement | ReducedUsage | MissedMilestone | LowSurveyScore => {
                Severity::Medium
            }
            DelayedResponse => Severity::Low,
        }
    }
}

/// One rule's settings in a rule set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleConfig {
    pub kind: RuleKind,
    pub enabled: bool,
    pub severity: Severity,
    /// See [`RuleKind::threshold`]; 0 where the kind has none.
    #[serde(default)]
    pub threshold: u32,
    /// See [`RuleKind::window`]; 0 where the kind has none.
    #[serde(default)]
    pub window: u32,
}

impl RuleConfig {
    pub fn default_for(kind: RuleKind) -> Self {
        RuleConfig {
            kind,
            enabled: true,
            severity: kind.default_severity(),
            threshold: kind.threshold().map_or(0, |p| p.default),
            window: kind.window().map_or(0, |p| p.default),
        }
    }
}

/// The settings of every rule kind, as stored in one version of a rule set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesConfig {
    pub rules: Vec<RuleConfig>,
}

impl Default for RulesConfig {
    fn default() -> Self {
        RulesConfig { rules: RuleKind::ALL.iter().map(|k| RuleConfig::default_for(*k)).collect() }
    }
}

impl RulesConfig {
    /// The settings of one kind (a kind missing from an older stored version runs with its
    /// defaults, so new rule kinds reach existing rule sets).
    pub fn rule(&self, kind: RuleKind) -> RuleConfig {
        self.rules.iter().find(|r| r.kind == kind).copied().unwrap_or(RuleConfig::default_for(kind))
    }

    /// Every kind once, in the vocabulary's order.
    pub fn all(&self) -> Vec<RuleConfig> {
        RuleKind::ALL.iter().map(|k| self.rule(*k)).collect()
    }

    /// Checks every number against its kind's bounds; fields are named `<kind>.threshold` and
    /// `<kind>.window`.
    pub fn validate(&self) -> Result<RulesConfig, AppError> {
        let mut c = Checks::new();
        for (i, r) in self.rules.iter().enumerate() {
            if self.rules[..i].iter().any(|o| o.kind == r.kind) {
                c.fail(r.kind.key(), "this rule appears twice");
            }
            for (name, p, v) in [
                ("threshold", r.kind.threshold(), r.threshold),
                ("window", r.kind.window(), r.window),
            ] {
                if let Some(p) = p {
                    if v < p.min || v > p.max {
                        c.fail(
                            &format!("{}.{name}", r.kind.key()),
                            format!("must be between {} and {} {}", p.min, p.max, p.unit),
                        );
                    }
                }
            }
        }
        c.finish()?;
        Ok(RulesConfig { rules: self.all() })
    }
}

/// One version of a rule set, as Settings shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleSet {
    /// "default", or the segment's id.
    pub scope: String,
    pub segment_id: Option<String>,
    /// "Default", or the segment's name.
    pub name: String,
    pub version: u32,
    pub config: RulesConfig,
    pub created_at: Timestamp,
    pub created_by: Option<String>,
}

/// The scope of the rule set every account falls back to.
pub const DEFAULT_RULES: &str = "default";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_inside_their_bounds_and_every_kind_has_one_rule() {
        let d = RulesConfig::default();
        assert_eq!(d.rules.len(), RuleKind::ALL.len());
        assert_eq!(d.validate().unwrap(), d);
    }

    #[test]
    fn numbers_out_of_bounds_are_named_by_kind_and_field() {
        let mut c = RulesConfig::default();
        c.rules[0].threshold = 0;
        c.rules[1].window = 13;
        let e = c.validate().unwrap_err();
        assert!(e
            .for_field("declining_engagement.threshold")
            .unwrap()
            .contains("between 1 and 100"));
        assert!(e.for_field("reduced_usage.window").unwrap().contains("between 1 and 12 weeks"));
        // A kind without a threshold ignores the number.
        let mut c = RulesConfig::default();
        let i = c.rules.iter().position(|r| r.kind == RuleKind::RenewalAtRisk).unwrap();
        c.rules[i].threshold = 99_999;
        assert!(c.validate().is_ok());
    }

    #[test]
    fn a_kind_missing_from_an_old_version_runs_with_its_defaults() {
        let c = RulesConfig { rules: vec![] };
        assert_eq!(c.rule(RuleKind::HealthDrop), RuleConfig::default_for(RuleKind::HealthDrop));
        let twice = RulesConfig {
            rules: vec![
                RuleConfig::default_for(RuleKind::HealthDrop),
                RuleConfig::default_for(RuleKind::HealthDrop),
            ],
        };
        assert!(twice.validate().unwrap_err().for_field("health_drop").is_some());
    }
}
