//! Success plans: journey templates, plans built from them, and the status every plan part
//! derives from its dates and completion (never typed by hand).
//!
//! The rules here run in the browser (the plan builder shows a status the moment a task is
//! ticked) and on the server (My work, the portfolio's "off track" list) alike.

use super::enums::Stage;
use super::validate::{date, optional_text, required_text};
use crate::error::{AppError, Checks};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

vocabulary! {
    /// Who is expected to do a step: a team role, or the customer.
    OwnerRole {
        Csm => "csm", "CSM";
        AccountManager => "account_manager", "Account Manager";
        TechnicalSupport => "technical_support", "Technical Support";
        SubjectMatterExpert => "sme", "Subject Matter Expert";
        Customer => "customer", "Customer";
    }
}

vocabulary! {
    /// What a training resource is.
    ResourceKind {
        Documentation => "doc", "Documentation";
        Video => "video", "Video";
        Webinar => "webinar", "Webinar";
    }
}

vocabulary! {
    TaskStatus {
        Open => "open", "Open";
        InProgress => "in_progress", "In progress";
        Done => "done", "Done";
    }
}

vocabulary! {
    /// A plan's, a milestone's or a task's state, derived from dates and completion.
    PlanStatus {
        OnTrack => "on_track", "On track";
        AtRisk => "at_risk", "At risk";
        OffTrack => "off_track", "Off track";
        Done => "done", "Done";
    }
}

/// A milestone due within this many days with less than half of its tasks done is at risk.
pub const AT_RISK_WINDOW_DAYS: i64 = 7;
/// Offsets in templates stay within two years of the start.
pub const MAX_OFFSET_DAYS: i32 = 730;
pub const MAX_TITLE: usize = 200;
pub const MAX_TASKS_PER_PLAN: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    pub id: String,
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
            c.fail(
                "milestones",
                "only one milestone can be the first-value milestone",
            );
        }
        let mut milestones = Vec::new();
        for (i, m) in self.milestones.iter().enumerate() {
            let f = format!("milestones[{i}]");
            let title = required_text(&m.title, MAX_TITLE)
                .map_err(|e| c.fail(&format!("{f}.title"), format!("the milestone title {e}")))
                .unwrap_or_default();
            if !(0..=MAX_OFFSET_DAYS).contains(&m.offset_days) {
                c.fail(
                    &format!("{f}.offset_days"),
                    format!("the day must be between 0 and {MAX_OFFSET_DAYS}"),
                );
            }
            let mut tasks = Vec::new();
            for (j, t) in m.tasks.iter().enumerate() {
                let tf = format!("{f}.tasks[{j}]");
                let title = required_text(&t.title, MAX_TITLE)
                    .map_err(|e| c.fail(&format!("{tf}.title"), format!("the task title {e}")))
                    .unwrap_or_default();
                if !(0..=m.offset_days.max(0)).contains(&t.offset_days) {
                    c.fail(
                        &format!("{tf}.offset_days"),
                        format!(
                            "a task is due between day 0 and its milestone's day ({})",
                            m.offset_days
                        ),
                    );
                }
                let mut resources = Vec::new();
                for (k, r) in t.resources.iter().enumerate() {
                    let rf = format!("{tf}.resources[{k}]");
                    let title = required_text(&r.title, MAX_TITLE)
                        .map_err(|e| c.fail(&format!("{rf}.title"), format!("the title {e}")))
                        .unwrap_or_default();
                    let url = r.url.trim().to_string();
                    if !(url.starts_with("https://") || url.starts_with("http://"))
                        || url.len() > 2000
                        || url.contains(char::is_whitespace)
                    {
                        c.fail(
                            &format!("{rf}.url"),
                            "must be a web address starting with https://",
                        );
                    }
                    resources.push(TrainingResource {
                        kind: r.kind,
                        title,
                        url,
                    });
                }
                tasks.push(TemplateTask {
                    title,
                    offset_days: t.offset_days,
                    owner_role: t.owner_role,
                    resources,
                });
            }
            milestones.push(TemplateMilestone {
                title,
                offset_days: m.offset_days,
                first_value: m.first_value,
                tasks,
            });
        }
        let mut objectives = Vec::new();
        for (i, o) in self.objectives.iter().enumerate() {
            let metric = required_text(&o.metric, MAX_TITLE)
                .map_err(|e| {
                    c.fail(
                        &format!("objectives[{i}].metric"),
                        format!("the metric {e}"),
                    )
                })
                .unwrap_or_default();
            let unit = optional_text(&o.unit, 40)
                .map_err(|e| c.fail(&format!("objectives[{i}].unit"), format!("the unit {e}")))
                .ok()
                .flatten()
                .unwrap_or_default();
            objectives.push(TemplateObjective { metric, unit });
        }
        c.finish()?;
        Ok(TemplateInput {
            name,
            stage: stage.to_string(),
            description,
            milestones,
            objectives,
        })
    }
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
            let tasks = m
                .tasks
                .iter()
                .map(|x| due_from(start, x.offset_days).min(due))
                .collect();
            (due, tasks)
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Objective {
    pub id: String,
    pub metric: String,
    pub unit: String,
    pub baseline: f64,
    pub current: f64,
    pub target: f64,
    /// The customer may update the current value on the shared plan.
    pub customer_can_update: bool,
    pub updated_by: Option<String>,
    pub updated_at: Option<String>,
}

impl Objective {
    /// Share of the way from baseline to target, 0–1 (works for targets below the baseline).
    /// An objective whose target equals its baseline has no target yet (one copied from a
    /// template starts that way): no progress.
    pub fn progress(&self) -> f64 {
        let span = self.target - self.baseline;
        if span == 0.0 {
            return 0.0;
        }
        ((self.current - self.baseline) / span).clamp(0.0, 1.0)
    }

    /// Whether the team has set a target (see [`Objective::progress`]).
    pub fn has_target(&self) -> bool {
        self.target != self.baseline
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: String,
    pub milestone_id: String,
    pub title: String,
    pub due: NaiveDate,
    pub status: TaskStatus,
    pub owner_role: OwnerRole,
    /// A user key (staff) or a contact key (customer), by `owner_role`.
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub position: i64,
    #[serde(default)]
    pub resources: Vec<TrainingResource>,
    /// Who marked it done and when ("Dana Chen (customer)").
    pub done_by: Option<String>,
    pub done_at: Option<String>,
}

impl Task {
    pub fn is_done(&self) -> bool {
        self.status == TaskStatus::Done
    }
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        !self.is_done() && self.due < today
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    pub id: String,
    pub title: String,
    pub due: NaiveDate,
    pub first_value: bool,
    pub completed_on: Option<NaiveDate>,
    pub completed_by: Option<String>,
    pub position: i64,
    pub tasks: Vec<Task>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanShare {
    pub id: String,
    pub contact_id: String,
    pub contact_name: String,
    pub contact_email: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
    pub created_at: String,
    pub last_opened_at: Option<String>,
    /// The link itself; only in the answer to "share", never stored.
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanEvent {
    pub kind: String,
    pub text: String,
    /// "Dana Chen (customer)" or a staff member's name.
    pub actor: String,
    pub by_customer: bool,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub id: String,
    pub account_id: String,
    pub account_name: String,
    pub title: String,
    pub start: NaiveDate,
    pub contract_start: NaiveDate,
    pub template_name: Option<String>,
    pub template_version: Option<u32>,
    pub objectives: Vec<Objective>,
    pub milestones: Vec<Milestone>,
}

/// A plan, its shares and recent activity: what the builder page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanDetail {
    pub plan: Plan,
    pub shares: Vec<PlanShare>,
    pub events: Vec<PlanEvent>,
    /// People a task can be given to: (value for the owner select, label).
    pub owners: Vec<OwnerChoice>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerChoice {
    /// `u:{user}` or `c:{contact}`.
    pub value: String,
    pub label: String,
    pub role: OwnerRole,
}

/// A plan in a list (account page, My work).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanSummary {
    pub id: String,
    pub account_id: String,
    pub account_name: String,
    pub title: String,
    pub status: PlanStatus,
    pub reason: String,
    pub done: usize,
    pub total: usize,
    pub next_due: Option<NaiveDate>,
}

/// A status and the reason for it, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Derived {
    pub status: PlanStatus,
    pub reason: String,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// A milestone's status: done once completed; off track once its due date has passed; at risk
/// when a task is overdue, or when it is due within [`AT_RISK_WINDOW_DAYS`] with less than half
/// of its tasks done; otherwise on track.
pub fn milestone_status(m: &Milestone, today: NaiveDate) -> Derived {
    if let Some(on) = m.completed_on {
        return Derived {
            status: PlanStatus::Done,
            reason: format!("completed on {}", on.format("%d %b %Y")),
        };
    }
    let days_left = (m.due - today).num_days();
    if days_left < 0 {
        return Derived {
            status: PlanStatus::OffTrack,
            reason: format!(
                "{} past its due date",
                plural((-days_left) as usize, "day", "days")
            ),
        };
    }
    let overdue = m.tasks.iter().filter(|t| t.is_overdue(today)).count();
    if overdue > 0 {
        return Derived {
            status: PlanStatus::AtRisk,
            reason: format!("{} overdue", plural(overdue, "task", "tasks")),
        };
    }
    let total = m.tasks.len();
    let done = m.tasks.iter().filter(|t| t.is_done()).count();
    if days_left <= AT_RISK_WINDOW_DAYS && total > 0 && done * 2 < total {
        return Derived {
            status: PlanStatus::AtRisk,
            reason: format!(
                "due in {} with {done} of {total} tasks done",
                plural(days_left as usize, "day", "days")
            ),
        };
    }
    Derived {
        status: PlanStatus::OnTrack,
        reason: format!("due {}", m.due.format("%d %b")),
    }
}

/// A plan's status: the worst of its milestones' (done when every milestone is).
pub fn plan_status(p: &Plan, today: NaiveDate) -> Derived {
    if p.milestones.is_empty() {
        return Derived {
            status: PlanStatus::OnTrack,
            reason: "no milestones yet".into(),
        };
    }
    let all: Vec<(&Milestone, Derived)> = p
        .milestones
        .iter()
        .map(|m| (m, milestone_status(m, today)))
        .collect();
    if all.iter().all(|(_, d)| d.status == PlanStatus::Done) {
        return Derived {
            status: PlanStatus::Done,
            reason: "every milestone is complete".into(),
        };
    }
    for worst in [PlanStatus::OffTrack, PlanStatus::AtRisk] {
        let hits: Vec<_> = all.iter().filter(|(_, d)| d.status == worst).collect();
        if let Some((m, d)) = hits.first() {
            let more = if hits.len() > 1 {
                format!(" (and {} more)", hits.len() - 1)
            } else {
                String::new()
            };
            return Derived {
                status: worst,
                reason: format!("“{}”: {}{more}", m.title, d.reason),
            };
        }
    }
    let next = all
        .iter()
        .filter(|(_, d)| d.status != PlanStatus::Done)
        .map(|(m, _)| m)
        .min_by_key(|m| m.due);
    Derived {
        status: PlanStatus::OnTrack,
        reason: next
            .map(|m| format!("next: “{}” due {}", m.title, m.due.format("%d %b")))
            .unwrap_or_default(),
    }
}

/// (done, total) over tasks and milestones together.
pub fn progress(p: &Plan) -> (usize, usize) {
    let tasks: Vec<&Task> = p.milestones.iter().flat_map(|m| &m.tasks).collect();
    let done = tasks.iter().filter(|t| t.is_done()).count()
        + p.milestones
            .iter()
            .filter(|m| m.completed_on.is_some())
            .count();
    (done, tasks.len() + p.milestones.len())
}

pub fn summary(p: &Plan, today: NaiveDate) -> PlanSummary {
    let d = plan_status(p, today);
    let (done, total) = progress(p);
    PlanSummary {
        id: p.id.clone(),
        account_id: p.account_id.clone(),
        account_name: p.account_name.clone(),
        title: p.title.clone(),
        status: d.status,
        reason: d.reason,
        done,
        total,
        next_due: p
            .milestones
            .iter()
            .filter(|m| m.completed_on.is_none())
            .map(|m| m.due)
            .min(),
    }
}

/// Moves the item at `from` by `delta` places (clamped); returns whether anything moved. The
/// keyboard reorder and the optimistic drag-and-drop share it.
pub fn move_item<T>(items: &mut [T], from: usize, delta: i64) -> bool {
    if items.is_empty() || from >= items.len() {
        return false;
    }
    let to = (from as i64 + delta).clamp(0, items.len() as i64 - 1) as usize;
    if to == from {
        return false;
    }
    if to < from {
        items[to..=from].rotate_right(1);
    } else {
        items[from..=to].rotate_left(1);
    }
    true
}

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
    pub template_id: Option<String>,
    pub start: NaiveDate,
}

impl NewPlanInput {
    pub fn validate(&self) -> Result<ValidNewPlan, AppError> {
        let mut c = Checks::new();
        let title = required_text(&self.title, MAX_TITLE)
            .map_err(|m| c.fail("title", format!("the title {m}")))
            .unwrap_or_default();
        let start = date(&self.start)
            .map_err(|m| c.fail("start", format!("the start date {m}")))
            .ok();
        c.finish()?;
        Ok(ValidNewPlan {
            title,
            template_id: Some(self.template_id.trim().to_string()).filter(|s| !s.is_empty()),
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
        let title = required_text(&self.title, MAX_TITLE)
            .map_err(|m| c.fail("title", format!("the milestone title {m}")))
            .unwrap_or_default();
        let due = due_check(&mut c, &self.due, start);
        c.finish()?;
        Ok(ValidMilestone {
            title,
            due: due.expect("checked"),
            first_value: self.first_value,
        })
    }
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
            c.fail(
                "due",
                "the due date is more than three years after the plan starts",
            );
            None
        }
        Ok(d) => Some(d),
    }
}

/// A task as the builder sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskInput {
    pub title: String,
    pub due: String,
    /// `u:{user}`, `c:{contact}`, `r:{role}` (a role, nobody named yet) or empty (CSM).
    #[serde(default)]
    pub owner: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnerRef {
    User(String),
    Contact(String),
    Role(OwnerRole),
}

pub struct ValidTask {
    pub title: String,
    pub due: NaiveDate,
    pub owner: OwnerRef,
}

impl TaskInput {
    pub fn validate(&self, start: NaiveDate) -> Result<ValidTask, AppError> {
        let mut c = Checks::new();
        let title = required_text(&self.title, MAX_TITLE)
            .map_err(|m| c.fail("title", format!("the task title {m}")))
            .unwrap_or_default();
        let due = due_check(&mut c, &self.due, start);
        let owner = parse_owner(&self.owner);
        if owner.is_none() {
            c.fail(
                "owner",
                "choose a team member, a customer contact or a role",
            );
        }
        c.finish()?;
        Ok(ValidTask {
            title,
            due: due.expect("checked"),
            owner: owner.expect("checked"),
        })
    }
}

pub fn parse_owner(s: &str) -> Option<OwnerRef> {
    let s = s.trim();
    if s.is_empty() {
        return Some(OwnerRef::Role(OwnerRole::Csm));
    }
    let (kind, id) = s.split_once(':')?;
    let id_ok = !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric());
    match kind {
        "u" if id_ok => Some(OwnerRef::User(id.to_string())),
        "c" if id_ok => Some(OwnerRef::Contact(id.to_string())),
        "r" => OwnerRole::parse(id).map(OwnerRef::Role),
        _ => None,
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

pub struct ValidObjective {
    pub metric: String,
    pub unit: String,
    pub baseline: f64,
    pub current: f64,
    pub target: f64,
    pub customer_can_update: bool,
}

/// A number as a person types it ("1,200", " 3.5 "); the message names what is wrong.
pub fn parse_number(value: &str) -> Result<f64, String> {
    let v: String = value
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '_')
        .collect();
    if v.is_empty() {
        return Err("is required".into());
    }
    match v.parse::<f64>() {
        Ok(n) if n.is_finite() && n.abs() < 1e12 => Ok(n),
        _ => Err(format!(
            "must be a number such as 42 or 3.5 (not “{}”)",
            value.trim()
        )),
    }
}

impl ObjectiveInput {
    pub fn validate(&self) -> Result<ValidObjective, AppError> {
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
            parse_number(v)
                .map_err(|m| c.fail(field, format!("the {field} value {m}")))
                .ok()
        };
        let baseline = num("baseline", &self.baseline);
        let current = num("current", &self.current);
        let target = num("target", &self.target);
        if let (Some(b), Some(t)) = (baseline, target) {
            c.check(b != t, "target", "the target must differ from the baseline");
        }
        c.finish()?;
        Ok(ValidObjective {
            metric,
            unit,
            baseline: baseline.unwrap_or_default(),
            current: current.unwrap_or_default(),
            target: target.unwrap_or_default(),
            customer_can_update: self.customer_can_update,
        })
    }
}

/// A number as people write it: no trailing zeros, at most two decimals.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.2}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}

/// Time to value for one account: days from contract start to the first-value milestone's
/// completion.
pub fn days_to_value(contract_start: NaiveDate, completed: NaiveDate) -> i64 {
    (completed - contract_start).num_days().max(0)
}

/// The median of a list of day counts (the mean of the middle two for an even count).
pub fn median_days(values: &[i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2] as f64
    } else {
        (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0
    })
}

/// One row of the time-to-value report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TtvRow {
    pub label: String,
    pub median_days: Option<f64>,
    /// Accounts that reached first value.
    pub reached: usize,
    /// Accounts with a first-value milestone not reached yet.
    pub waiting: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeToValue {
    pub overall: TtvRow,
    pub by_cohort: Vec<TtvRow>,
    pub by_segment: Vec<TtvRow>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn task(due: &str, done: bool) -> Task {
        Task {
            id: "t".into(),
            milestone_id: "m".into(),
            title: "T".into(),
            due: d(due),
            status: if done {
                TaskStatus::Done
            } else {
                TaskStatus::Open
            },
            owner_role: OwnerRole::Csm,
            owner_id: None,
            owner_name: None,
            position: 0,
            resources: vec![],
            done_by: None,
            done_at: None,
        }
    }

    fn ms(title: &str, due: &str, tasks: Vec<Task>) -> Milestone {
        Milestone {
            id: title.into(),
            title: title.into(),
            due: d(due),
            first_value: false,
            completed_on: None,
            completed_by: None,
            position: 0,
            tasks,
        }
    }

    fn plan(milestones: Vec<Milestone>) -> Plan {
        Plan {
            id: "p".into(),
            account_id: "a".into(),
            account_name: "Acme".into(),
            title: "Onboarding".into(),
            start: d("2026-01-05"),
            contract_start: d("2026-01-05"),
            template_name: None,
            template_version: None,
            objectives: vec![],
            milestones,
        }
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
                TemplateTask {
                    title: "a".into(),
                    offset_days: 1,
                    owner_role: OwnerRole::Csm,
                    resources: vec![],
                },
                TemplateTask {
                    title: "b".into(),
                    offset_days: 4,
                    owner_role: OwnerRole::Customer,
                    resources: vec![],
                },
            ],
        }];
        let l = layout(&t, d("2026-01-05"));
        assert_eq!(
            l,
            vec![(d("2026-01-09"), vec![d("2026-01-06"), d("2026-01-09")])]
        );
        // Starting on a Wednesday: the milestone (day 3 = Saturday) moves to Monday 12th, its
        // task on day 3 as well; a task on day 2 (Friday) stays.
        let t2 = vec![TemplateMilestone {
            title: "M".into(),
            offset_days: 3,
            first_value: false,
            tasks: vec![TemplateTask {
                title: "a".into(),
                offset_days: 2,
                owner_role: OwnerRole::Csm,
                resources: vec![],
            }],
        }];
        assert_eq!(
            layout(&t2, d("2026-01-07")),
            vec![(d("2026-01-12"), vec![d("2026-01-09")])]
        );
    }

    #[test]
    fn milestone_status_from_dates_and_completion() {
        let today = d("2026-03-10");
        // Far away, nothing done: on track.
        let m = ms("Kickoff", "2026-04-01", vec![task("2026-03-20", false)]);
        assert_eq!(milestone_status(&m, today).status, PlanStatus::OnTrack);
        // A task overdue: at risk, and the reason says so.
        let m = ms("Kickoff", "2026-04-01", vec![task("2026-03-09", false)]);
        let s = milestone_status(&m, today);
        assert_eq!(s.status, PlanStatus::AtRisk);
        assert_eq!(s.reason, "1 task overdue");
        // Due within the window with fewer than half the tasks done: at risk.
        let m = ms(
            "Kickoff",
            "2026-03-15",
            vec![
                task("2026-03-12", true),
                task("2026-03-14", false),
                task("2026-03-14", false),
            ],
        );
        let s = milestone_status(&m, today);
        assert_eq!(s.status, PlanStatus::AtRisk);
        assert_eq!(s.reason, "due in 5 days with 1 of 3 tasks done");
        // Half done is enough.
        let m = ms(
            "Kickoff",
            "2026-03-15",
            vec![task("2026-03-12", true), task("2026-03-14", false)],
        );
        assert_eq!(milestone_status(&m, today).status, PlanStatus::OnTrack);
        // Past due and not complete: off track, even with every task done.
        let m = ms("Kickoff", "2026-03-09", vec![task("2026-03-01", true)]);
        let s = milestone_status(&m, today);
        assert_eq!(s.status, PlanStatus::OffTrack);
        assert_eq!(s.reason, "1 day past its due date");
        // Due today is not late yet.
        let m = ms("Kickoff", "2026-03-10", vec![]);
        assert_eq!(milestone_status(&m, today).status, PlanStatus::OnTrack);
        // Completed: done, whatever the dates.
        let mut m = ms("Kickoff", "2026-03-01", vec![task("2026-02-01", false)]);
        m.completed_on = Some(d("2026-03-02"));
        assert_eq!(milestone_status(&m, today).status, PlanStatus::Done);
    }

    #[test]
    fn plan_status_is_the_worst_milestone() {
        let today = d("2026-03-10");
        let ok = ms("Setup", "2026-05-01", vec![]);
        let risky = ms("Training", "2026-04-01", vec![task("2026-03-01", false)]);
        let late = ms("Kickoff", "2026-03-01", vec![]);
        assert_eq!(
            plan_status(&plan(vec![ok.clone()]), today).status,
            PlanStatus::OnTrack
        );
        assert_eq!(
            plan_status(&plan(vec![ok.clone(), risky.clone()]), today).status,
            PlanStatus::AtRisk
        );
        let s = plan_status(&plan(vec![ok.clone(), risky.clone(), late.clone()]), today);
        assert_eq!(s.status, PlanStatus::OffTrack);
        assert_eq!(s.reason, "“Kickoff”: 9 days past its due date");
        let mut done = late.clone();
        done.completed_on = Some(today);
        let s = plan_status(&plan(vec![done.clone()]), today);
        assert_eq!(s.status, PlanStatus::Done);
        // Completing the late milestone brings the plan back to the next worst.
        assert_eq!(
            plan_status(&plan(vec![done, risky, ok]), today).status,
            PlanStatus::AtRisk
        );
        assert_eq!(
            plan_status(&plan(vec![]), today).status,
            PlanStatus::OnTrack
        );
    }

    #[test]
    fn progress_counts_tasks_and_milestones() {
        let mut m = ms(
            "A",
            "2026-04-01",
            vec![task("2026-03-01", true), task("2026-03-02", false)],
        );
        m.completed_on = None;
        let mut m2 = ms("B", "2026-04-01", vec![task("2026-03-01", true)]);
        m2.completed_on = Some(d("2026-03-05"));
        assert_eq!(progress(&plan(vec![m, m2])), (3, 5));
    }

    #[test]
    fn moving_items() {
        let mut v = vec![1, 2, 3, 4];
        assert!(move_item(&mut v, 0, 1));
        assert_eq!(v, vec![2, 1, 3, 4]);
        assert!(move_item(&mut v, 3, -2));
        assert_eq!(v, vec![2, 4, 1, 3]);
        assert!(!move_item(&mut v, 0, -1));
        assert!(move_item(&mut v, 0, 10));
        assert_eq!(v, vec![4, 1, 3, 2]);
        assert!(!move_item(&mut v, 9, 1));
    }

    #[test]
    fn inputs_name_their_fields() {
        let start = d("2026-03-01");
        let e = MilestoneInput {
            title: " ".into(),
            due: "2026-02-27".into(),
            first_value: false,
        }
        .validate(start)
        .err()
        .unwrap();
        assert!(e.for_field("title").unwrap().contains("required"));
        assert!(e
            .for_field("due")
            .unwrap()
            .contains("before the plan starts"));
        let e = TaskInput {
            title: "Call".into(),
            due: "tomorrow".into(),
            owner: "x:1".into(),
        }
        .validate(start)
        .err()
        .unwrap();
        assert!(e.for_field("due").unwrap().contains("2026-01-31"));
        assert!(e.for_field("owner").is_some());
        assert_eq!(
            parse_owner("c:abc1"),
            Some(OwnerRef::Contact("abc1".into()))
        );
        assert_eq!(
            parse_owner("r:customer"),
            Some(OwnerRef::Role(OwnerRole::Customer))
        );
        assert_eq!(parse_owner("u:a'b"), None);
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
                        title: "".into(),
                        offset_days: 12,
                        owner_role: OwnerRole::Csm,
                        resources: vec![TrainingResource {
                            kind: ResourceKind::Video,
                            title: "Intro".into(),
                            url: "javascript:alert(1)".into(),
                        }],
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
        assert!(e
            .for_field("milestones[0].tasks[0].resources[0].url")
            .is_some());
        assert!(e.for_field("milestones[1].offset_days").is_some());
        assert!(e.for_field("milestones").unwrap().contains("only one"));
    }

    #[test]
    fn time_to_value_median() {
        assert_eq!(median_days(&[]), None);
        assert_eq!(median_days(&[30]), Some(30.0));
        assert_eq!(median_days(&[40, 10, 30]), Some(30.0));
        assert_eq!(median_days(&[10, 40, 20, 30]), Some(25.0));
        assert_eq!(days_to_value(d("2026-01-01"), d("2026-02-15")), 45);
    }

    #[test]
    fn objective_progress_handles_falling_targets() {
        let mut o = Objective {
            id: "o".into(),
            metric: "Tickets".into(),
            unit: "".into(),
            baseline: 100.0,
            current: 75.0,
            target: 50.0,
            customer_can_update: false,
            updated_by: None,
            updated_at: None,
        };
        assert_eq!(o.progress(), 0.5);
        o.current = 120.0;
        assert_eq!(o.progress(), 0.0);
        o.current = 10.0;
        assert_eq!(o.progress(), 1.0);
    }
}
