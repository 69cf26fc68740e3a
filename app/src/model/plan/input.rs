//! What the plan builder's forms send (dates and numbers as typed), and the checks that turn
//! them into valid values, each problem naming its field.

use super::{ObjectiveSpec, TaskOwner, MAX_TITLE};
use crate::error::{AppError, Checks};
use crate::model::validate::{date, optional_text, required_text};
use crate::model::TemplateId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A new plan as the form sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewPlanInput {
    pub title: String,
    /// A template id, or empty for a blank plan.
    #[serde(default)]
    pub template_id: String,
    /// The date due dates are laid out from (contract start by default).
    pub start: String,
}

pub struct ValidNewPlan {
    pub title: String,
    pub template_id: Option<TemplateId>,
    pub start: NaiveDate,
}

impl NewPlanInput {
    pub fn validate(&self) -> Result<ValidNewPlan, AppError> {
        let mut c = Checks::new();
        let title = required_text(&self.title, MAX_TITLE)
            .map_err(|m| c.fail("title", format!("the title {m}")))
            .unwrap_or_default();
        let start =
            date(&self.start).map_err(|m| c.fail("start", format!("the start date {m}"))).ok();
        c.finish()?;
        Ok(ValidNewPlan {
            title,
            template_id: Some(self.template_id.trim())
                .filter(|s| !s.is_empty())
                .map(TemplateId::from),
            start: start.expect("checked"),
        })
    }
}

/// A milestone as the builder sends it (new or edited).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MilestoneInput {
    pub title: String,
    pub due: String,
    #[serde(default)]
    pub first_value: bool,
}

pub struct ValidMilestone {
    pub title: String,
    pub due: NaiveDate,
    pub first_value: bool,
}

impl MilestoneInput {
    /// `start` is the plan's start: nothing in a plan is due before it.
    pub fn validate(&self, start: NaiveDate) -> Result<ValidMilestone, AppError> {
        let mut c = Checks::new();
        let (title, due) = title_and_due(&mut c, "milestone", &self.title, &self.due, start);
        c.finish()?;
        Ok(ValidMilestone { title, due: due.expect("checked"), first_value: self.first_value })
    }
}

/// A task as the builder sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskInput {
    pub title: String,
    pub due: String,
    /// The owner select's value (see [`TaskOwner::parse`]); empty means the CSM.
    #[serde(default)]
    pub owner: String,
}

pub struct ValidTask {
    pub title: String,
    pub due: NaiveDate,
    pub owner: TaskOwner,
}

impl TaskInput {
    pub fn validate(&self, start: NaiveDate) -> Result<ValidTask, AppError> {
        let mut c = Checks::new();
        let (title, due) = title_and_due(&mut c, "task", &self.title, &self.due, start);
        let owner = TaskOwner::parse(&self.owner);
        if owner.is_none() {
            c.fail("owner", "choose a team member, a customer contact or a role");
        }
        c.finish()?;
        Ok(ValidTask { title, due: due.expect("checked"), owner: owner.expect("checked") })
    }
}

/// The title and due date every dated part of a plan has (`what`: "milestone", "task"): the
/// title required, the due date within the plan that starts on `start`.
fn title_and_due(
    c: &mut Checks, what: &str, title: &str, due: &str, start: NaiveDate,
) -> (String, Option<NaiveDate>) {
    let title = required_text(title, MAX_TITLE)
        .map_err(|m| c.fail("title", format!("the {what} title {m}")))
        .unwrap_or_default();
    (title, due_check(c, due, start))
}

fn due_check(c: &mut Checks, value: &str, start: NaiveDate) -> Option<NaiveDate> {
    match date(value) {
        Err(m) => {
            c.fail("due", format!("the due date {m}"));
            None
        }
        Ok(d) if d < start => {
            c.fail(
                "due",
                format!(
                    "the due date is before the plan starts ({}); choose {} or later",
                    start.format("%d %b %Y"),
                    start.format("%d %b %Y")
                ),
            );
            None
        }
        Ok(d) if (d - start).num_days() > 3 * 365 => {
            c.fail("due", "the due date is more than three years after the plan starts");
            None
        }
        Ok(d) => Some(d),
    }
}

/// An objective as the builder sends it; numbers arrive as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ObjectiveInput {
    pub metric: String,
    #[serde(default)]
    pub unit: String,
    pub baseline: String,
    pub current: String,
    pub target: String,
    #[serde(default)]
    pub customer_can_update: bool,
}

impl ObjectiveInput {
    pub fn validate(&self) -> Result<ObjectiveSpec, AppError> {
        let mut c = Checks::new();
        let metric = required_text(&self.metric, MAX_TITLE)
            .map_err(|m| c.fail("metric", format!("the metric {m}")))
            .unwrap_or_default();
        let unit = optional_text(&self.unit, 40)
            .map_err(|m| c.fail("unit", format!("the unit {m}")))
            .ok()
            .flatten()
            .unwrap_or_default();
        let mut num = |field: &str, v: &str| {
            parse_number(v).map_err(|m| c.fail(field, format!("the {field} value {m}"))).ok()
        };
        let baseline = num("baseline", &self.baseline);
        let current = num("current", &self.current);
        let target = num("target", &self.target);
        if let (Some(b), Some(t)) = (baseline, target) {
            c.check(b != t, "target", "the target must differ from the baseline");
        }
        c.finish()?;
        Ok(ObjectiveSpec {
            metric,
            unit,
            baseline: baseline.unwrap_or_default(),
            current: current.unwrap_or_default(),
            target: target.unwrap_or_default(),
            customer_can_update: self.customer_can_update,
        })
    }
}

/// A number as a person types it ("1,200", " 3.5 "); the message names what is wrong.
pub fn parse_number(value: &str) -> Result<f64, String> {
    let v: String = value.trim().chars().filter(|c| *c != ',' && *c != '_').collect();
    if v.is_empty() {
        return Err("is required".into());
    }
    match v.parse::<f64>() {
        Ok(n) if n.is_finite() && n.abs() < 1e12 => Ok(n),
        _ => Err(format!("must be a number such as 42 or 3.5 (not “{}”)", value.trim())),
    }
}

/// A number as people write it: no trailing zeros, at most two decimals.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.2}").trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::d;
    use super::*;

    #[test]
    fn inputs_name_their_fields() {
        let start = d("2026-03-01");
        let e = MilestoneInput { title: " ".into(), due: "2026-02-27".into(), first_value: false }
            .validate(start)
            .err()
            .unwrap();
        assert!(e.for_field("title").unwrap().contains("required"));
        assert!(e.for_field("due").unwrap().contains("before the plan starts"));
        let e = TaskInput { title: "Call".into(), due: "tomorrow".into(), owner: "x:1".into() }
            .validate(start)
            .err()
            .unwrap();
        assert!(e.for_field("due").unwrap().contains("2026-01-31"));
        assert!(e.for_field("owner").is_some());
        let e = ObjectiveInput {
            metric: "Active users".into(),
            unit: "users".into(),
            baseline: "10".into(),
            current: "12k".into(),
            target: "10".into(),
            customer_can_update: true,
        }
        .validate()
        .err()
        .unwrap();
        assert!(e.for_field("current").unwrap().contains("12k"));
        assert!(e.for_field("target").unwrap().contains("differ"));
        assert_eq!(parse_number(" 1,200.5 "), Ok(1200.5));
    }

    #[test]
    fn numbers_as_people_write_them() {
        assert_eq!(fmt_num(12.0), "12");
        assert_eq!(fmt_num(12.5), "12.5");
        assert_eq!(fmt_num(1.256), "1.26");
        assert_eq!(fmt_num(2.1), "2.1");
    }
}
