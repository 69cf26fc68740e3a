//! Journey templates: the milestones, tasks and objectives a plan starts from, the editor's
//! checks, and how a template's day offsets become due dates.

use super::{OwnerRole, ResourceKind, MAX_OFFSET_DAYS, MAX_TITLE};
use crate::error::{AppError, Checks};
use crate::model::enums::Stage;
use crate::model::validate::{optional_text, required_text};
use crate::model::TemplateId;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TrainingResource {
    pub kind: ResourceKind,
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateTask {
    pub title: String,
    /// Days after the plan's start the task is due.
    pub offset_days: i32,
    pub owner_role: OwnerRole,
    #[serde(default)]
    pub resources: Vec<TrainingResource>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateMilestone {
    pub title: String,
    pub offset_days: i32,
    #[serde(default)]
    pub first_value: bool,
    #[serde(default)]
    pub tasks: Vec<TemplateTask>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateObjective {
    pub metric: String,
    pub unit: String,
}

/// A journey template. Plans copy what they need when they are made, so editing a template
/// never rewrites a plan already made from it (the plan records the version it came from).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JourneyTemplate {
    pub id: TemplateId,
    pub name: String,
    pub stage: Option<Stage>,
    pub description: String,
    pub milestones: Vec<TemplateMilestone>,
    #[serde(default)]
    pub objectives: Vec<TemplateObjective>,
    pub version: u32,
}

/// A template as the editor sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TemplateInput {
    pub name: String,
    /// A stage key or empty.
    #[serde(default)]
    pub stage: String,
    #[serde(default)]
    pub description: String,
    pub milestones: Vec<TemplateMilestone>,
    #[serde(default)]
    pub objectives: Vec<TemplateObjective>,
}

impl TemplateInput {
    pub fn from_template(t: &JourneyTemplate) -> Self {
        Self {
            name: t.name.clone(),
            stage: t.stage.map(|s| s.key().to_string()).unwrap_or_default(),
            description: t.description.clone(),
            milestones: t.milestones.clone(),
            objectives: t.objectives.clone(),
        }
    }

    /// Every problem, each naming its field (`milestones[1].tasks[0].title`), so the editor can
    /// show it beside the input.
    pub fn validate(&self) -> Result<TemplateInput, AppError> {
        let mut c = Checks::new();
        let name = required_text(&self.name, 120)
            .map_err(|m| c.fail("name", format!("the name {m}")))
            .unwrap_or_default();
        let stage = self.stage.trim();
        if !stage.is_empty() && Stage::parse(stage).is_none() {
            c.fail("stage", format!("choose one of {}", Stage::choices()));
        }
        let description = optional_text(&self.description, 2000)
            .map_err(|m| c.fail("description", format!("the description {m}")))
            .ok()
            .flatten()
            .unwrap_or_default();
        if self.milestones.is_empty() {
            c.fail("milestones", "add at least one milestone");
        }
        if self.milestones.len() > 50 {
            c.fail("milestones", "at most 50 milestones");
        }
        if self.milestones.iter().filter(|m| m.first_value).count() > 1 {
            c.fail("milestones", "only one milestone can be the first-value milestone");
        }
        let milestones = (self.milestones.iter().enumerate())
            .map(|(i, m)| checked_milestone(&mut c, &format!("milestones[{i}]"), m))
            .collect();
        let objectives = (self.objectives.iter().enumerate())
            .map(|(i, o)| checked_objective(&mut c, &format!("objectives[{i}]"), o))
            .collect();
        c.finish()?;
        Ok(TemplateInput { name, stage: stage.to_string(), description, milestones, objectives })
    }
}

/// One milestone of a template, trimmed, its problems recorded under `f` (`milestones[1]`).
fn checked_milestone(c: &mut Checks, f: &str, m: &TemplateMilestone) -> TemplateMilestone {
    let title = required_text(&m.title, MAX_TITLE)
        .map_err(|e| c.fail(&format!("{f}.title"), format!("the milestone title {e}")))
        .unwrap_or_default();
    if !(0..=MAX_OFFSET_DAYS).contains(&m.offset_days) {
        c.fail(
            &format!("{f}.offset_days"),
            format!("the day must be between 0 and {MAX_OFFSET_DAYS}"),
        );
    }
    let tasks = (m.tasks.iter().enumerate())
        .map(|(j, t)| checked_task(c, &format!("{f}.tasks[{j}]"), m.offset_days, t))
        .collect();
    TemplateMilestone { title, offset_days: m.offset_days, first_value: m.first_value, tasks }
}

/// One task: due between day 0 and its milestone's day (`milestone_day`).
fn checked_task(c: &mut Checks, f: &str, milestone_day: i32, t: &TemplateTask) -> TemplateTask {
    let title = required_text(&t.title, MAX_TITLE)
        .map_err(|e| c.fail(&format!("{f}.title"), format!("the task title {e}")))
        .unwrap_or_default();
    if !(0..=milestone_day.max(0)).contains(&t.offset_days) {
        c.fail(
            &format!("{f}.offset_days"),
            format!("a task is due between day 0 and its milestone's day ({milestone_day})"),
        );
    }
    let resources = (t.resources.iter().enumerate())
        .map(|(k, r)| checked_resource(c, &format!("{f}.resources[{k}]"), r))
        .collect();
    TemplateTask { title, offset_days: t.offset_days, owner_role: t.owner_role, resources }
}

/// One training resource: a title and a web address (never `javascript:` or the like).
fn checked_resource(c: &mut Checks, f: &str, r: &TrainingResource) -> TrainingResource {
    let title = required_text(&r.title, MAX_TITLE)
        .map_err(|e| c.fail(&format!("{f}.title"), format!("the title {e}")))
        .unwrap_or_default();
    let url = r.url.trim().to_string();
    if !(url.starts_with("https://") || url.starts_with("http://"))
        || url.len() > 2000
        || url.contains(char::is_whitespace)
    {
        c.fail(&format!("{f}.url"), "must be a web address starting with https://");
    }
    TrainingResource { kind: r.kind, title, url }
}

fn checked_objective(c: &mut Checks, f: &str, o: &TemplateObjective) -> TemplateObjective {
    let metric = required_text(&o.metric, MAX_TITLE)
        .map_err(|e| c.fail(&format!("{f}.metric"), format!("the metric {e}")))
        .unwrap_or_default();
    let unit = optional_text(&o.unit, 40)
        .map_err(|e| c.fail(&format!("{f}.unit"), format!("the unit {e}")))
        .ok()
        .flatten()
        .unwrap_or_default();
    TemplateObjective { metric, unit }
}

/// A due date `offset` days after `start`, moved to the next Monday when it falls on a weekend
/// (nobody plans a kickoff for a Sunday).
pub fn due_from(start: NaiveDate, offset: i32) -> NaiveDate {
    let d = start + Duration::days(offset as i64);
    match d.weekday() {
        Weekday::Sat => d + Duration::days(2),
        Weekday::Sun => d + Duration::days(1),
        _ => d,
    }
}

/// The due dates of a template's milestones and of each of their tasks, laid out from `start`.
/// A task never falls after its milestone even when the weekend rule moves only one of them.
pub fn layout(t: &[TemplateMilestone], start: NaiveDate) -> Vec<(NaiveDate, Vec<NaiveDate>)> {
    t.iter()
        .map(|m| {
            let due = due_from(start, m.offset_days);
            let tasks = m.tasks.iter().map(|x| due_from(start, x.offset_days).min(due)).collect();
            (due, tasks)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::d;
    use super::*;

    fn template_task(title: &str, offset_days: i32, owner_role: OwnerRole) -> TemplateTask {
        TemplateTask { title: title.into(), offset_days, owner_role, resources: vec![] }
    }

    #[test]
    fn weekends_move_to_monday_and_tasks_never_follow_their_milestone() {
        // 2026-01-05 is a Monday.
        assert_eq!(due_from(d("2026-01-05"), 0), d("2026-01-05"));
        assert_eq!(due_from(d("2026-01-05"), 4), d("2026-01-09")); // Friday
        assert_eq!(due_from(d("2026-01-05"), 5), d("2026-01-12")); // Saturday → Monday
        assert_eq!(due_from(d("2026-01-05"), 6), d("2026-01-12")); // Sunday → Monday

        // Across a month end and a leap day.
        assert_eq!(due_from(d("2028-02-25"), 4), d("2028-02-29"));
        let t = vec![TemplateMilestone {
            title: "M".into(),
            offset_days: 4, // Friday 9th
            first_value: true,
            tasks: vec![
                template_task("a", 1, OwnerRole::Csm),
                template_task("b", 4, OwnerRole::Customer),
            ],
        }];
        let l = layout(&t, d("2026-01-05"));
        assert_eq!(l, vec![(d("2026-01-09"), vec![d("2026-01-06"), d("2026-01-09")])]);
        // Starting on a Wednesday: the milestone (day 3 = Saturday) moves to Monday 12th, its
        // task on day 3 as well; a task on day 2 (Friday) stays.
        let t2 = vec![TemplateMilestone {
            title: "M".into(),
            offset_days: 3,
            first_value: false,
            tasks: vec![template_task("a", 2, OwnerRole::Csm)],
        }];
        assert_eq!(layout(&t2, d("2026-01-07")), vec![(d("2026-01-12"), vec![d("2026-01-09")])]);
    }

    #[test]
    fn template_checks_name_nested_fields() {
        let input = TemplateInput {
            name: "Onboarding".into(),
            stage: "onboarding".into(),
            description: String::new(),
            milestones: vec![
                TemplateMilestone {
                    title: "Kickoff".into(),
                    offset_days: 10,
                    first_value: true,
                    tasks: vec![TemplateTask {
                        resources: vec![TrainingResource {
                            kind: ResourceKind::Video,
                            title: "Intro".into(),
                            url: "javascript:alert(1)".into(),
                        }],
                        ..template_task("", 12, OwnerRole::Csm)
                    }],
                },
                TemplateMilestone {
                    title: "Value".into(),
                    offset_days: 800,
                    first_value: true,
                    tasks: vec![],
                },
            ],
            objectives: vec![],
        };
        let e = input.validate().err().unwrap();
        assert!(e.for_field("milestones[0].tasks[0].title").is_some());
        assert!(e
            .for_field("milestones[0].tasks[0].offset_days")
            .unwrap()
            .contains("milestone's day (10)"));
        assert!(e.for_field("milestones[0].tasks[0].resources[0].url").is_some());
        assert!(e.for_field("milestones[1].offset_days").is_some());
        assert!(e.for_field("milestones").unwrap().contains("only one"));
    }
}
