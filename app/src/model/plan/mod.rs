//! Success plans: journey templates, plans built from them, and the status every plan part
//! derives from its dates and completion (never typed by hand).
//!
//! The rules here run in the browser (the plan builder shows a status the moment a task is
//! ticked) and on the server (My work, the portfolio's "off track" list) alike. One room per
//! sub-aggregate:
//!
//! - [`template`]: journey templates and how a plan's dates are laid out from one;
//! - [`status`]: the derived on track / at risk / off track / done, with the reason in words;
//! - [`input`]: what the builder's forms send, and their checks;
//! - [`owner`]: who a task is given to ([`TaskOwner`]) and the choices the builder offers;
//! - [`event`]: the activity log, stored as a kind and its data and put into words here;
//! - [`actor`]: who changes a plan, and which plan a change touches;
//! - [`ttv`]: time to value.

pub mod actor;
pub mod event;
pub mod input;
pub mod owner;
pub mod status;
pub mod template;
pub mod ttv;

pub use actor::*;
pub use event::*;
pub use input::*;
pub use owner::*;
pub use status::*;
pub use template::*;
pub use ttv::*;

use crate::model::{AccountId, ContactId, PlanId};
use chrono::NaiveDate;
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

/// What the team sets for an objective: the metric and its unit, the baseline, current and
/// target values, and whether the customer may update the current one. The builder's form checks
/// into it ([`ObjectiveInput::validate`]); an [`Objective`] carries it with its id and last update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ObjectiveSpec {
    pub metric: String,
    #[serde(default)]
    pub unit: String,
    pub baseline: f64,
    pub current: f64,
    pub target: f64,
    /// The customer may update the current value on the shared plan.
    #[serde(default)]
    pub customer_can_update: bool,
}

/// An objective of a plan, as the builder and the shared plan show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Objective {
    pub id: String,
    #[serde(flatten)]
    pub spec: ObjectiveSpec,
    pub updated_by: Option<String>,
    pub updated_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl ObjectiveSpec {
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

    /// Whether the team has set a target (see [`ObjectiveSpec::progress`]).
    pub fn has_target(&self) -> bool {
        self.target != self.baseline
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Task {
    pub id: String,
    pub milestone_id: String,
    pub title: String,
    pub due: NaiveDate,
    pub status: TaskStatus,
    pub owner_role: OwnerRole,
    /// A user key (staff) or a contact key (customer), by `owner_role`; see [`Task::owner`].
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub position: i64,
    #[serde(default)]
    pub resources: Vec<TrainingResource>,
    /// Who marked it done and when ("Dana Chen (customer)").
    pub done_by: Option<String>,
    pub done_at: Option<chrono::DateTime<chrono::Utc>>,
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
    pub contact_id: ContactId,
    pub contact_name: String,
    pub contact_email: String,
    pub expires_at: crate::model::Timestamp,
    pub revoked_at: Option<crate::model::Timestamp>,
    pub created_at: crate::model::Timestamp,
    pub last_opened_at: Option<crate::model::Timestamp>,
    /// The link itself; only in the answer to "share", never stored.
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Plan {
    pub id: PlanId,
    pub account_id: AccountId,
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
    /// People a task can be given to.
    pub owners: Vec<OwnerChoice>,
}

/// A plan in a list (account page, My work).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanSummary {
    pub id: PlanId,
    pub account_id: AccountId,
    pub account_name: String,
    pub title: String,
    pub status: PlanStatus,
    pub reason: String,
    pub done: usize,
    pub total: usize,
    pub next_due: Option<NaiveDate>,
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
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
    fn objective_progress_handles_falling_targets() {
        let mut o = ObjectiveSpec {
            metric: "Tickets".into(),
            unit: "".into(),
            baseline: 100.0,
            current: 75.0,
            target: 50.0,
            customer_can_update: false,
        };
        assert_eq!(o.progress(), 0.5);
        o.current = 120.0;
        assert_eq!(o.progress(), 0.0);
        o.current = 10.0;
        assert_eq!(o.progress(), 1.0);
    }
}
