//! Playbooks: per rule kind, the ordered steps an alert puts in its owners' My work.

use super::RuleKind;
use crate::error::{AppError, Checks};
use crate::model::engagement::TouchpointKind;
use crate::model::TeamRole;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Most steps one playbook may have.
pub const MAX_STEPS: usize = 12;

/// One step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaybookStep {
    pub title: String,
    /// Due this many days after the alert opens.
    pub due_after_days: u32,
    /// Who on the account's team does it (the alert's owner when the team has no one in the
    /// role).
    pub owner_role: TeamRole,
    /// The touchpoint the step asks for, if any (shown as "log a call").
    #[serde(default)]
    pub touchpoint: Option<TouchpointKind>,
}

/// A rule kind's playbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Playbook {
    pub rule: RuleKind,
    pub steps: Vec<PlaybookStep>,
}

fn step(title: &str, days: u32, role: TeamRole, tp: Option<TouchpointKind>) -> PlaybookStep {
    PlaybookStep { title: title.into(), due_after_days: days, owner_role: role, touchpoint: tp }
}

impl Playbook {
    /// What a new installation starts with: the usual first moves of a CS team.
    pub fn default_for(rule: RuleKind) -> Self {
        use RuleKind::*;
        use TeamRole::*;
        use TouchpointKind::{Call, Email, Meeting};
        let steps = match rule {
            DecliningEngagement => vec![
                step("Review who stopped logging in and since when", 1, Csm, None),
                step("Call the champion about the drop", 3, Csm, Some(Call)),
                step("Agree a re-engagement plan with the customer", 10, Csm, Some(Meeting)),
            ],
            ReducedUsage => vec![
                step("Check which features lost usage", 1, Csm, None),
                step(
                    "Offer a training session on the key features",
                    5,
                    TechnicalSupport,
                    Some(Meeting),
                ),
            ],
            MissedMilestone => vec![
                step("Find out what blocks the milestone", 2, Csm, Some(Call)),
                step("Re-plan the milestone with the customer", 7, Csm, None),
            ],
            DelayedResponse => vec![
                step("Follow up through another channel", 1, Csm, Some(Call)),
                step(
                    "Ask the account manager to reach the sponsor",
                    5,
                    AccountManager,
                    Some(Email),
                ),
            ],
            LowSurveyScore => vec![
                step("Read the comment and call the contact", 2, Csm, Some(Call)),
                step("Log what will change and tell the contact", 7, Csm, Some(Email)),
            ],
            HealthDrop => vec![
                step("Review what moved the score", 1, Csm, None),
                step("Check in with the customer", 3, Csm, Some(Call)),
            ],
            RenewalAtRisk => vec![
                step("Review the renewal risk with the account manager", 2, AccountManager, None),
                step("Hold a value review with the sponsor", 14, Csm, Some(Meeting)),
            ],
            SlaBreach => vec![
                step("Call the customer about the breached commitment", 0, Csm, Some(Call)),
                step("Agree a recovery plan with support", 1, TechnicalSupport, None),
            ],
            EscalationOpenLong => vec![
                step("Review the escalation with support and set a date", 2, Csm, None),
                step("Update the customer's sponsor", 3, AccountManager, Some(Email)),
            ],
        };
        Playbook { rule, steps }
    }

    /// Checks every step; fields are named `steps.<n>.title` and `steps.<n>.due_after_days`
    /// (n from 1), or `steps` for the list.
    pub fn validate(&self) -> Result<Playbook, AppError> {
        let mut c = Checks::new();
        if self.steps.len() > MAX_STEPS {
            c.fail("steps", format!("a playbook has at most {MAX_STEPS} steps"));
        }
        let mut steps = Vec::with_capacity(self.steps.len());
        for (i, s) in self.steps.iter().enumerate() {
            let n = i + 1;
            let title = crate::model::validate::required_text(&s.title, 200)
                .map_err(|m| c.fail(&format!("steps.{n}.title"), format!("step {n}'s title {m}")))
                .unwrap_or_default();
            if s.due_after_days > 365 {
                c.fail(
                    &format!("steps.{n}.due_after_days"),
                    format!("step {n} must be due within 365 days"),
                );
            }
            steps.push(PlaybookStep { title, ..s.clone() });
        }
        c.finish()?;
        Ok(Playbook { rule: self.rule, steps })
    }

    /// The tasks an alert opened on `opened` gets: (position, title, due, role, touchpoint).
    pub fn tasks(
        &self, opened: NaiveDate,
    ) -> Vec<(u32, String, NaiveDate, TeamRole, Option<TouchpointKind>)> {
        self.steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let due = opened + chrono::Duration::days(s.due_after_days as i64);
                (i as u32, s.title.clone(), due, s.owner_role, s.touchpoint)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_kind_starts_with_a_valid_playbook() {
        for k in RuleKind::ALL {
            let p = Playbook::default_for(*k);
            assert!(!p.steps.is_empty());
            assert_eq!(p.validate().unwrap(), p);
        }
    }

    #[test]
    fn tasks_are_due_after_the_opening_day_in_order() {
        let p = Playbook::default_for(RuleKind::DecliningEngagement);
        let opened = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let t = p.tasks(opened);
        assert_eq!(t.len(), 3);
        assert_eq!(t[0].0, 0);
        assert_eq!(t[1].2, NaiveDate::from_ymd_opt(2026, 11, 27).unwrap());
        assert_eq!(t[1].4, Some(TouchpointKind::Call));
        assert_eq!(t[2].2, NaiveDate::from_ymd_opt(2026, 12, 4).unwrap());
    }

    #[test]
    fn bad_steps_are_named_by_position() {
        let mut p = Playbook::default_for(RuleKind::HealthDrop);
        p.steps[1].title = "  ".into();
        p.steps[0].due_after_days = 400;
        let e = p.validate().unwrap_err();
        assert!(e.for_field("steps.2.title").is_some());
        assert!(e.for_field("steps.1.due_after_days").is_some());
        p.steps = vec![p.steps[0].clone(); MAX_STEPS + 1];
        assert!(p.validate().unwrap_err().for_field("steps").is_some());
    }
}
