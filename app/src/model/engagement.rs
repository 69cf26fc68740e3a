//! The engagement model: touchpoints with customers, cadence rules per saved segment, and when
//! the next touchpoint of each kind is due.

use super::validate::{date, optional_text, required_text};
use crate::error::{AppError, Checks};
use crate::model::{AccountId, PlanId};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

vocabulary! {
    TouchpointKind {
        WeeklyStatus => "weekly_status", "Weekly status update";
        MonthlyReview => "monthly_review", "Monthly performance review";
        Qbr => "qbr", "Quarterly business review";
        AnnualStrategy => "annual_strategy", "Annual strategy planning";
        Call => "call", "Call";
        Email => "email", "Email";
        Meeting => "meeting", "Meeting";
    }
}

impl TouchpointKind {
    /// The usual interval for a cadence of this kind (a suggestion in the rule form).
    pub fn default_every_days(self) -> u32 {
        match self {
            TouchpointKind::WeeklyStatus => 7,
            TouchpointKind::MonthlyReview => 30,
            TouchpointKind::Qbr => 91,
            TouchpointKind::AnnualStrategy => 365,
            TouchpointKind::Call | TouchpointKind::Email | TouchpointKind::Meeting => 30,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Touchpoint {
    pub id: String,
    pub account_id: AccountId,
    pub account_name: String,
    pub kind: TouchpointKind,
    pub date: NaiveDate,
    pub attendees: Vec<String>,
    pub notes: String,
    pub next_steps: String,
    pub logged_by: Option<String>,
    /// When it was logged (RFC 3339).
    pub logged_at: chrono::DateTime<chrono::Utc>,
    /// An email or meeting request that waits for the customer's answer (a message to the
    /// customer was recorded when it was logged).
    #[serde(default)]
    pub awaiting_reply: bool,
    /// When the CSM logged the customer's reply.
    #[serde(default)]
    pub replied_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl Touchpoint {
    /// Whether "Customer replied" can be logged on it.
    pub fn awaits_reply(&self) -> bool {
        self.awaiting_reply && self.replied_at.is_none()
    }

    /// Where its wait for the customer stands: "Awaiting the customer since 3 Nov 2026" or
    /// "Replied after 4 days"; `None` when it never waited.
    pub fn reply_note(&self) -> Option<String> {
        if !self.awaiting_reply {
            return None;
        }
        Some(match self.replied_at {
            None => format!("Awaiting the customer since {}", self.logged_at.format("%-d %b %Y")),
            Some(at) => match (at - self.logged_at).num_days() {
                0 => "Replied within a day".to_string(),
                1 => "Replied after 1 day".to_string(),
                n => format!("Replied after {n} days"),
            },
        })
    }
}

/// Kinds of touchpoint that can wait for the customer's reply.
pub fn can_await_reply(kind: TouchpointKind) -> bool {
    matches!(kind, TouchpointKind::Email | TouchpointKind::Meeting)
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TouchpointInput {
    pub kind: String,
    pub date: String,
    /// One per line or comma-separated.
    #[serde(default)]
    pub attendees: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub next_steps: String,
    /// A checkbox ("on"/"true" when ticked): an email or meeting request that waits for the
    /// customer's reply.
    #[serde(default)]
    pub awaiting_reply: Option<String>,
}

pub struct ValidTouchpoint {
    pub kind: TouchpointKind,
    pub date: NaiveDate,
    pub attendees: Vec<String>,
    pub notes: String,
    pub next_steps: String,
    pub awaiting_reply: bool,
}

impl TouchpointInput {
    /// `today` bounds the date: a touchpoint is logged after it happens (a day of slack for
    /// time zones).
    pub fn validate(&self, today: NaiveDate) -> Result<ValidTouchpoint, AppError> {
        let mut c = Checks::new();
        let kind = TouchpointKind::parse(self.kind.trim());
        if kind.is_none() {
            c.fail("kind", format!("choose one of {}", TouchpointKind::choices()));
        }
        let when = match date(&self.date) {
            Err(m) => {
                c.fail("date", format!("the date {m}"));
                None
            }
            Ok(d) if d > today + Duration::days(1) => {
                c.fail("date", "log a touchpoint once it has happened (the date is in the future)");
                None
            }
            Ok(d) if d < today - Duration::days(5 * 365) => {
                c.fail("date", "the date is more than five years ago");
                None
            }
            Ok(d) => Some(d),
        };
        let attendees: Vec<String> = self
            .attendees
            .split([',', '\n'])
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if attendees.len() > 50 || attendees.iter().any(|a| a.chars().count() > 200) {
            c.fail("attendees", "at most 50 attendees of up to 200 characters each");
        }
        let notes = optional_text(&self.notes, 10_000)
            .map_err(|m| c.fail("notes", format!("the notes {m}")))
            .ok()
            .flatten()
            .unwrap_or_default();
        let next_steps = optional_text(&self.next_steps, 5_000)
            .map_err(|m| c.fail("next_steps", format!("the next steps {m}")))
            .ok()
            .flatten()
            .unwrap_or_default();
        let awaiting_reply = matches!(self.awaiting_reply.as_deref(), Some("on" | "true" | "1"));
        if awaiting_reply && kind.is_some_and(|k| !can_await_reply(k)) {
            c.fail(
                "awaiting_reply",
                "only an email or a meeting request awaits the customer's reply",
            );
        }
        c.finish()?;
        Ok(ValidTouchpoint {
            kind: kind.expect("checked"),
            date: when.expect("checked"),
            attendees,
            notes,
            next_steps,
            awaiting_reply,
        })
    }
}

/// "Accounts in this segment get a touchpoint of this kind every N days."
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CadenceRule {
    pub id: String,
    pub segment_id: String,
    pub segment_name: String,
    pub kind: TouchpointKind,
    pub every_days: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CadenceInput {
    pub segment_id: String,
    pub kind: String,
    pub every_days: String,
}

impl CadenceInput {
    pub fn validate(&self) -> Result<(String, TouchpointKind, u32), AppError> {
        let mut c = Checks::new();
        let seg = self.segment_id.trim().to_string();
        c.check(!seg.is_empty(), "segment_id", "choose a saved segment");
        let kind = TouchpointKind::parse(self.kind.trim());
        if kind.is_none() {
            c.fail("kind", format!("choose one of {}", TouchpointKind::choices()));
        }
        let every = match self.every_days.trim().parse::<u32>() {
            Ok(n) if (1..=730).contains(&n) => Some(n),
            _ => {
                c.fail("every_days", "every how many days: a whole number from 1 to 730");
                None
            }
        };
        let _ = required_text(&seg, 64).map_err(|m| c.fail("segment_id", m));
        c.finish()?;
        Ok((seg, kind.expect("checked"), every.expect("checked")))
    }
}

/// One cadence as it stands for one account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CadenceDue {
    pub kind: TouchpointKind,
    pub every_days: u32,
    pub segment_name: String,
    pub last: Option<NaiveDate>,
    pub next_due: NaiveDate,
    pub overdue_days: i64,
}

/// When each rule's next touchpoint is due: `every_days` after the last touchpoint of its kind,
/// or after the contract start when there has been none. Where two segments ask for the same
/// kind, the stricter (shorter) interval wins. Overdue ones first, most overdue first.
pub fn cadence_due(
    rules: &[&CadenceRule], last_by_kind: &[(TouchpointKind, NaiveDate)],
    contract_start: NaiveDate, today: NaiveDate,
) -> Vec<CadenceDue> {
    let mut out: Vec<CadenceDue> = Vec::new();
    for r in rules {
        if let Some(existing) = out.iter_mut().find(|c| c.kind == r.kind) {
            if existing.every_days <= r.every_days {
                continue;
            }
        }
        let last = last_by_kind.iter().filter(|(k, _)| *k == r.kind).map(|(_, d)| *d).max();
        let next_due = last.unwrap_or(contract_start) + Duration::days(r.every_days as i64);
        let due = CadenceDue {
            kind: r.kind,
            every_days: r.every_days,
            segment_name: r.segment_name.clone(),
            last,
            next_due,
            overdue_days: (today - next_due).num_days().max(0),
        };
        out.retain(|c| c.kind != r.kind);
        out.push(due);
    }
    out.sort_by(|a, b| b.overdue_days.cmp(&a.overdue_days).then(a.next_due.cmp(&b.next_due)));
    out
}

/// What the account page shows under Engagement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Engagement {
    pub cadences: Vec<CadenceDue>,
    pub touchpoints: Vec<Touchpoint>,
}

vocabulary! {
    /// What a timeline entry is; the key is also the timeline's filter in URLs and forms.
    TimelineKind {
        Touchpoint => "touchpoint", "Touchpoints";
        Plan => "plan", "Success plans";
        Survey => "survey", "Survey responses";
        FollowUp => "follow_up", "Follow-ups";
        Segment => "segment", "Segment moves";
        Alert => "alert", "Alerts";
        Escalation => "escalation", "Escalations";
    }
}

/// One entry of an account's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineItem {
    pub kind: TimelineKind,
    pub at: crate::model::Timestamp,
    pub title: String,
    pub detail: String,
    pub actor: String,
    pub link: Option<String>,
}

/// Everything due for one CSM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyWork {
    pub tasks: Vec<WorkTask>,
    pub milestones: Vec<WorkMilestone>,
    pub touchpoints: Vec<WorkTouchpoint>,
    pub plans_off_track: Vec<super::plan::PlanSummary>,
    /// Follow-ups of resolved escalations on the person's accounts, soonest first.
    #[serde(default)]
    pub follow_ups: Vec<WorkFollowUp>,
    pub horizon_days: i64,
}

/// "Call the customer: is it still fixed?" — the follow-up resolving an escalation scheduled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkFollowUp {
    pub escalation_id: String,
    pub account_id: AccountId,
    pub account_name: String,
    pub title: String,
    pub due: NaiveDate,
    pub overdue: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkTask {
    pub plan_id: PlanId,
    pub account_id: AccountId,
    pub account_name: String,
    pub title: String,
    pub milestone: String,
    pub due: NaiveDate,
    pub owner: String,
    pub overdue: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkMilestone {
    pub plan_id: PlanId,
    pub account_id: AccountId,
    pub account_name: String,
    pub title: String,
    pub due: NaiveDate,
    pub status: super::plan::PlanStatus,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkTouchpoint {
    pub account_id: AccountId,
    pub account_name: String,
    pub due: CadenceDue,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn rule(kind: TouchpointKind, every: u32, seg: &str) -> CadenceRule {
        CadenceRule {
            id: "r".into(),
            segment_id: seg.into(),
            segment_name: seg.into(),
            kind,
            every_days: every,
        }
    }

    #[test]
    fn next_due_from_last_touchpoint_or_contract_start() {
        let weekly = rule(TouchpointKind::WeeklyStatus, 7, "Enterprise");
        let qbr = rule(TouchpointKind::Qbr, 91, "Enterprise");
        let today = d("2026-03-10");
        let out = cadence_due(
            &[&weekly, &qbr],
            &[
                (TouchpointKind::WeeklyStatus, d("2026-02-20")),
                (TouchpointKind::WeeklyStatus, d("2026-03-01")),
                (TouchpointKind::Call, d("2026-03-09")),
            ],
            d("2026-01-01"),
            today,
        );
        // Weekly: last 1 March → due 8 March → 2 days overdue. QBR: never → 1 Jan + 91 = 2 April.
        assert_eq!(out[0].kind, TouchpointKind::WeeklyStatus);
        assert_eq!(out[0].next_due, d("2026-03-08"));
        assert_eq!(out[0].overdue_days, 2);
        assert_eq!(out[1].kind, TouchpointKind::Qbr);
        assert_eq!(out[1].last, None);
        assert_eq!(out[1].next_due, d("2026-04-02"));
        assert_eq!(out[1].overdue_days, 0);
    }

    #[test]
    fn the_stricter_rule_wins() {
        let a = rule(TouchpointKind::MonthlyReview, 30, "SMB");
        let b = rule(TouchpointKind::MonthlyReview, 14, "At risk");
        let out = cadence_due(&[&a, &b], &[], d("2026-01-01"), d("2026-01-05"));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].every_days, 14);
        assert_eq!(out[0].segment_name, "At risk");
        let out = cadence_due(&[&b, &a], &[], d("2026-01-01"), d("2026-01-05"));
        assert_eq!(out[0].every_days, 14);
    }

    #[test]
    fn a_touchpoint_says_how_its_wait_for_the_customer_went() {
        let at = |s: &str| s.parse::<crate::model::Timestamp>().unwrap();
        let mut t = Touchpoint {
            id: "t".into(),
            account_id: "a".into(),
            account_name: "Acme".into(),
            kind: TouchpointKind::Email,
            date: d("2026-11-03"),
            attendees: vec![],
            notes: String::new(),
            next_steps: String::new(),
            logged_by: None,
            logged_at: at("2026-11-03T09:00:00Z"),
            awaiting_reply: false,
            replied_at: None,
        };
        assert_eq!(t.reply_note(), None);
        assert!(!t.awaits_reply());
        t.awaiting_reply = true;
        assert!(t.awaits_reply());
        assert_eq!(t.reply_note().unwrap(), "Awaiting the customer since 3 Nov 2026");
        t.replied_at = Some(at("2026-11-03T17:00:00Z"));
        assert!(!t.awaits_reply());
        assert_eq!(t.reply_note().unwrap(), "Replied within a day");
        t.replied_at = Some(at("2026-11-04T10:00:00Z"));
        assert_eq!(t.reply_note().unwrap(), "Replied after 1 day");
        t.replied_at = Some(at("2026-11-07T10:00:00Z"));
        assert_eq!(t.reply_note().unwrap(), "Replied after 4 days");
    }

    #[test]
    fn touchpoint_checks() {
        let today = d("2026-03-10");
        let e = TouchpointInput {
            kind: "lunch".into(),
            date: "2026-04-01".into(),
            ..Default::default()
        }
        .validate(today)
        .err()
        .unwrap();
        assert!(e.for_field("kind").is_some());
        assert!(e.for_field("date").unwrap().contains("future"));
        let ok = TouchpointInput {
            kind: "qbr".into(),
            date: "2026-03-09".into(),
            attendees: "Dana, Lee\nSam".into(),
            notes: "Went well".into(),
            next_steps: String::new(),
            awaiting_reply: None,
        }
        .validate(today)
        .unwrap();
        assert_eq!(ok.attendees, vec!["Dana", "Lee", "Sam"]);
        assert!(!ok.awaiting_reply);
        let ask = |kind: &str| TouchpointInput {
            kind: kind.into(),
            date: "2026-03-09".into(),
            awaiting_reply: Some("on".into()),
            ..Default::default()
        };
        assert!(ask("email").validate(today).unwrap().awaiting_reply);
        assert!(ask("meeting").validate(today).unwrap().awaiting_reply);
        assert!(ask("qbr").validate(today).err().unwrap().for_field("awaiting_reply").is_some());
        assert!(CadenceInput {
            segment_id: "s".into(),
            kind: "qbr".into(),
            every_days: "0".into()
        }
        .validate()
        .err()
        .unwrap()
        .for_field("every_days")
        .is_some());
    }
}
