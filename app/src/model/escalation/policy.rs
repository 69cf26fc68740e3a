//! SLA policies and business calendars as admins (and `settings:write` keys) write them.
//!
//! Both are versioned: every save is a new version and an escalation keeps the versions it was
//! opened under, so editing a policy never re-judges history (Jira's rebuild does) and never
//! waits for the next ticket update to apply (Zendesk's does) — new escalations take the new
//! version at once, open ones finish under the one they started with.

use super::{CalendarSpec, EscalationSeverity, Targets};
use crate::error::{AppError, Checks};
use crate::model::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A target may not exceed a year of business minutes.
pub const MAX_TARGET_MINUTES: u32 = 525_600;
pub const MAX_NAME: usize = 100;

/// `POST /api/v1/calendars` (and PUT for a new version).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CalendarInput {
    #[serde(default)]
    pub name: String,
    #[serde(flatten)]
    pub spec: CalendarSpec,
}

impl CalendarInput {
    pub fn validate(&self) -> Result<CalendarInput, AppError> {
        let mut c = Checks::new();
        let name = self.name.trim().to_string();
        c.check(!name.is_empty(), "name", "give the calendar a name");
        c.check(name.chars().count() <= MAX_NAME, "name", format!("at most {MAX_NAME} characters"));
        if let Err(p) = self.spec.check() {
            c.fail(&p.field, p.message);
        }
        c.finish()?;
        Ok(CalendarInput { name, spec: self.spec.clone().normalized() })
    }
}

/// A calendar as Settings shows it (the current version).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calendar {
    pub id: String,
    pub name: String,
    pub version: u32,
    #[serde(flatten)]
    pub spec: CalendarSpec,
    pub updated_at: Timestamp,
}

/// `POST /api/v1/sla-policies` (and PUT for a new version). Targets are keyed by severity
/// (`"P1"` … `"P4"`), all four required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PolicyInput {
    #[serde(default)]
    pub name: String,
    /// `None` is the default policy, matched last.
    #[serde(default)]
    pub segment_id: Option<String>,
    #[serde(default)]
    pub calendar_id: String,
    #[serde(default = "default_warn")]
    pub warn_at: f64,
    #[serde(default)]
    pub targets: BTreeMap<String, Targets>,
    #[serde(default = "default_uptime")]
    pub uptime_target: f64,
    /// Resolving schedules a follow-up for the owner this many days later.
    #[serde(default = "default_follow_up")]
    pub follow_up_days: u32,
    /// Resolving also sends the reporting contact a CSAT survey.
    #[serde(default)]
    pub csat_survey_id: Option<String>,
}

fn default_warn() -> f64 {
    0.75
}
fn default_uptime() -> f64 {
    0.999
}
fn default_follow_up() -> u32 {
    7
}

/// A policy's numbers, as stored in one version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyTerms {
    pub calendar_id: String,
    pub warn_at: f64,
    pub targets: BTreeMap<String, Targets>,
    pub uptime_target: f64,
    pub follow_up_days: u32,
    #[serde(default)]
    pub csat_survey_id: Option<String>,
}

impl PolicyTerms {
    pub fn target(&self, s: EscalationSeverity) -> Targets {
        self.targets.get(s.key()).copied().unwrap_or(Targets {
            first_response_minutes: MAX_TARGET_MINUTES,
            update_minutes: MAX_TARGET_MINUTES,
            resolution_minutes: MAX_TARGET_MINUTES,
        })
    }

    /// The targets Bellwether starts with: a 24/7 P1 answered within the hour.
    pub fn defaults(calendar_id: &str) -> Self {
        let t = |f, u, r| Targets {
            first_response_minutes: f,
            update_minutes: u,
            resolution_minutes: r,
        };
        let targets = BTreeMap::from([
            ("P1".to_string(), t(60, 240, 480)),
            ("P2".to_string(), t(240, 480, 1440)),
            ("P3".to_string(), t(480, 1440, 4800)),
            ("P4".to_string(), t(1440, 2880, 9600)),
        ]);
        PolicyTerms {
            calendar_id: calendar_id.into(),
            warn_at: 0.75,
            targets,
            uptime_target: 0.999,
            follow_up_days: 7,
            csat_survey_id: None,
        }
    }
}

impl PolicyInput {
    /// Checks the numbers; the segment, calendar and survey ids are checked by the service.
    pub fn validate(&self) -> Result<(String, Option<String>, PolicyTerms), AppError> {
        let mut c = Checks::new();
        let name = self.name.trim().to_string();
        c.check(!name.is_empty(), "name", "give the policy a name");
        c.check(name.chars().count() <= MAX_NAME, "name", format!("at most {MAX_NAME} characters"));
        c.check(!self.calendar_id.trim().is_empty(), "calendar_id", "choose a calendar");
        c.check(
            self.warn_at.is_finite() && self.warn_at > 0.0 && self.warn_at < 1.0,
            "warn_at",
            "must be a share of the target between 0 and 1 (0.75 warns at 75 %)",
        );
        c.check(
            self.uptime_target.is_finite() && (0.5..=1.0).contains(&self.uptime_target),
            "uptime_target",
            "must be between 0.5 and 1 (0.999 is 99.9 %)",
        );
        c.check(
            (1..=365).contains(&self.follow_up_days),
            "follow_up_days",
            "must be between 1 and 365 days",
        );
        for key in self.targets.keys() {
            if EscalationSeverity::parse(key).is_none() {
                c.fail(&format!("targets.{key}"), "is not a severity (P1, P2, P3 or P4)");
            }
        }
        for s in EscalationSeverity::ALL {
            let Some(t) = self.targets.get(s.key()) else {
                c.fail(&format!("targets.{}", s.key()), "targets for this severity are missing");
                continue;
            };
            for (field, v) in [
                ("first_response_minutes", t.first_response_minutes),
                ("update_minutes", t.update_minutes),
                ("resolution_minutes", t.resolution_minutes),
            ] {
                c.check(
                    (1..=MAX_TARGET_MINUTES).contains(&v),
                    &format!("targets.{}.{field}", s.key()),
                    format!("must be between 1 and {MAX_TARGET_MINUTES} minutes"),
                );
            }
        }
        c.finish()?;
        let segment =
            self.segment_id.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let terms = PolicyTerms {
            calendar_id: self.calendar_id.trim().to_string(),
            warn_at: self.warn_at,
            targets: self.targets.clone(),
            uptime_target: self.uptime_target,
            follow_up_days: self.follow_up_days,
            csat_survey_id: self.csat_survey_id.clone().filter(|s| !s.trim().is_empty()),
        };
        Ok((name, segment, terms))
    }
}

/// A policy as Settings shows it (the current version).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaPolicy {
    pub id: String,
    pub name: String,
    pub segment_id: Option<String>,
    pub segment_name: Option<String>,
    /// Matching order among segment policies (the default policy is always last).
    pub position: u32,
    pub version: u32,
    #[serde(flatten)]
    pub terms: PolicyTerms,
    pub calendar_name: String,
    pub updated_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> PolicyInput {
        PolicyInput {
            name: "Enterprise".into(),
            segment_id: None,
            calendar_id: "c1".into(),
            warn_at: 0.75,
            targets: PolicyTerms::defaults("c1").targets,
            uptime_target: 0.999,
            follow_up_days: 7,
            csat_survey_id: None,
        }
    }

    #[test]
    fn a_complete_policy_passes() {
        let (name, seg, terms) = input().validate().unwrap();
        assert_eq!((name.as_str(), seg, terms.targets.len()), ("Enterprise", None, 4));
    }

    #[test]
    fn every_bad_number_is_named() {
        let mut p = input();
        p.warn_at = 1.0;
        p.uptime_target = 99.9;
        p.targets.remove("P3");
        p.targets.insert(
            "P9".into(),
            Targets { first_response_minutes: 1, update_minutes: 1, resolution_minutes: 1 },
        );
        p.targets.get_mut("P1").unwrap().resolution_minutes = 0;
        let e = p.validate().unwrap_err();
        assert!(e.for_field("warn_at").is_some());
        assert!(e.for_field("uptime_target").unwrap().contains("0.999"));
        assert!(e.for_field("targets.P3").unwrap().contains("missing"));
        assert!(e.for_field("targets.P9").is_some());
        assert!(e.for_field("targets.P1.resolution_minutes").is_some());
    }
}
