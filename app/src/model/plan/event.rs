//! A plan's activity: who did what, and when. An entry is stored as its kind and the data it
//! is about (`milestone_added`, `{ "title": "Kickoff" }`), never as sentences: the words are
//! made here, by [`PlanEvent::describe`], for the builder, the account timeline and the shared
//! plan alike. Entries written before schema v6 kept only their words; those are shown as
//! stored.

use super::{fmt_num, TaskStatus};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

vocabulary! {
    /// What happened to a plan.
    PlanEventKind {
        PlanCreated => "plan_created", "Plan made";
        MilestoneAdded => "milestone_added", "Milestone added";
        MilestoneEdited => "milestone_edited", "Milestone edited";
        MilestoneDone => "milestone_done", "Milestone completed";
        MilestoneReopened => "milestone_reopened", "Milestone reopened";
        MilestoneDeleted => "milestone_deleted", "Milestone deleted";
        TaskAdded => "task_added", "Task added";
        TaskEdited => "task_edited", "Task edited";
        TaskDone => "task_done", "Task ticked off";
        TaskStatusChanged => "task_status", "Task status changed";
        TasksReordered => "tasks_reordered", "Tasks reordered";
        TaskDeleted => "task_deleted", "Task deleted";
        ObjectiveAdded => "objective_added", "Objective added";
        ObjectiveEdited => "objective_edited", "Objective edited";
        ObjectiveUpdated => "objective_updated", "Objective updated";
        ObjectiveDeleted => "objective_deleted", "Objective deleted";
        Comment => "comment", "Comment";
        Shared => "shared", "Plan shared";
        ShareRevoked => "share_revoked", "Link revoked";
    }
}

impl PlanEventKind {
    /// Whether the customer sees entries of this kind on the shared plan: comments and
    /// progress, not the team's housekeeping.
    pub fn shown_to_customer(self) -> bool {
        use PlanEventKind::*;
        matches!(
            self,
            Comment
                | TaskDone
                | MilestoneDone
                | ObjectiveUpdated
                | ObjectiveEdited
                | Shared
                | PlanCreated
        )
    }
}

/// What an entry is about, as it was at the time (a later rename does not rewrite history).
/// Each kind uses the fields [`PlanEvent::describe`] reads for it; the others stay empty and
/// are not stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventData {
    /// The milestone's or task's title, or the objective's metric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The template a plan was made from, and its version (none for a blank plan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// The status a task was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TaskStatus>,
    /// An objective's new current value, and its target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    /// The contact a plan was shared with, and the day the link stops working.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    /// The link was revoked because its contact was removed from the account.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub contact_removed: bool,
    /// A comment, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The task ticked off (its key), for the `plan.task_completed` webhook; entries from
    /// before it was recorded have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
}

impl EventData {
    /// Data naming the milestone, task or objective an entry is about.
    pub fn titled(title: impl Into<String>) -> Self {
        EventData { title: Some(title.into()), ..Default::default() }
    }
}

/// One activity entry.
///
/// Over the wire an entry travels as its words (`{ kind, text, actor, by_customer, at }`, the
/// shape API clients know): the browser shows what [`PlanEvent::describe`] made of it on the
/// server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "EventWire", from = "EventWire")]
pub struct PlanEvent {
    pub kind: PlanEventKind,
    /// What the entry is about; `None` for an entry from before v6 (words only).
    pub data: Option<EventData>,
    /// The words of an entry from before v6, or as received over the wire: used only when
    /// there is no data to describe it from.
    pub stored_text: Option<String>,
    /// "Dana Chen (customer)" or a staff member's name.
    pub actor: String,
    pub by_customer: bool,
    pub at: crate::model::Timestamp,
}

impl PlanEvent {
    /// What happened, in words ("completed the milestone “Kickoff”"); a comment is its text.
    pub fn describe(&self) -> String {
        match &self.data {
            Some(d) => words(self.kind, d),
            None => self.stored_text.clone().unwrap_or_default(),
        }
    }
}

/// The sentence for `kind` about `d`. A field the kind needs but the entry lacks reads as empty
/// rather than failing: the log is history and is shown as far as it can be.
fn words(kind: PlanEventKind, d: &EventData) -> String {
    use PlanEventKind::*;
    let title = d.title.as_deref().unwrap_or_default();
    let num = |v: Option<f64>| v.map(fmt_num).unwrap_or_default();
    match kind {
        PlanCreated => match (&d.template, d.version) {
            (Some(t), Some(v)) => format!("made the plan from the “{t}” template (version {v})"),
            (Some(t), None) => format!("made the plan from the “{t}” template"),
            (None, _) => "made a blank plan".to_string(),
        },
        MilestoneAdded => format!("added the milestone “{title}”"),
        MilestoneEdited => format!("edited the milestone “{title}”"),
        MilestoneDone => format!("completed the milestone “{title}”"),
        MilestoneReopened => format!("reopened the milestone “{title}”"),
        MilestoneDeleted => format!("deleted the milestone “{title}” and its tasks"),
        TaskAdded => format!("added the task “{title}”"),
        TaskEdited => format!("edited the task “{title}”"),
        TaskDone => format!("ticked off the task “{title}”"),
        TaskStatusChanged => {
            let verb = match d.status {
                Some(TaskStatus::Done) => "ticked off",
                Some(TaskStatus::InProgress) => "started",
                Some(TaskStatus::Open) | None => "reopened",
            };
            format!("{verb} the task “{title}”")
        }
        TasksReordered => format!("reordered the tasks of “{title}”"),
        TaskDeleted => format!("deleted the task “{title}”"),
        ObjectiveAdded => format!("added the objective “{title}”"),
        ObjectiveEdited => format!("set “{title}” to {} (target {})", num(d.value), num(d.target)),
        ObjectiveUpdated => format!("updated “{title}” to {}", num(d.value)),
        ObjectiveDeleted => format!("deleted the objective “{title}”"),
        Comment => d.text.clone().unwrap_or_default(),
        Shared => format!(
            "shared the plan with {} until {}",
            d.contact.as_deref().unwrap_or_default(),
            d.until.map(|u| u.format("%d %b %Y").to_string()).unwrap_or_default()
        ),
        ShareRevoked => format!(
            "revoked the link shared with {}{}",
            d.contact.as_deref().unwrap_or_default(),
            if d.contact_removed { " (removed from the contacts)" } else { "" }
        ),
    }
}

/// How an entry crosses the wire (see [`PlanEvent`]).
#[derive(Serialize, Deserialize)]
struct EventWire {
    kind: PlanEventKind,
    text: String,
    actor: String,
    #[serde(default)]
    by_customer: bool,
    at: crate::model::Timestamp,
}

impl From<PlanEvent> for EventWire {
    fn from(e: PlanEvent) -> Self {
        EventWire {
            text: e.describe(),
            kind: e.kind,
            actor: e.actor,
            by_customer: e.by_customer,
            at: e.at,
        }
    }
}

impl From<EventWire> for PlanEvent {
    fn from(w: EventWire) -> Self {
        PlanEvent {
            kind: w.kind,
            data: None,
            stored_text: Some(w.text),
            actor: w.actor,
            by_customer: w.by_customer,
            at: w.at,
        }
    }
}

/// An entry on an account's timeline: the plan it belongs to, and the entry.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountEvent {
    pub plan: crate::model::PlanId,
    pub plan_title: Option<String>,
    pub event: PlanEvent,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: PlanEventKind, data: EventData) -> PlanEvent {
        PlanEvent {
            kind,
            data: Some(data),
            stored_text: None,
            actor: "Sam Ortiz".into(),
            by_customer: false,
            at: "2026-03-10T09:00:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn entries_are_put_into_words_from_their_data() {
        use PlanEventKind::*;
        let kickoff = || EventData::titled("Kickoff");
        assert_eq!(event(MilestoneDone, kickoff()).describe(), "completed the milestone “Kickoff”");
        assert_eq!(
            event(MilestoneDeleted, kickoff()).describe(),
            "deleted the milestone “Kickoff” and its tasks"
        );
        let started =
            EventData { status: Some(TaskStatus::InProgress), ..EventData::titled("Call") };
        assert_eq!(event(TaskStatusChanged, started).describe(), "started the task “Call”");
        let set = EventData {
            value: Some(12.0),
            target: Some(50.5),
            ..EventData::titled("Active users")
        };
        assert_eq!(
            event(ObjectiveEdited, set).describe(),
            "set “Active users” to 12 (target 50.5)"
        );
        let from = EventData {
            template: Some("Onboarding".into()),
            version: Some(2),
            ..Default::default()
        };
        assert_eq!(
            event(PlanCreated, from).describe(),
            "made the plan from the “Onboarding” template (version 2)"
        );
        assert_eq!(event(PlanCreated, EventData::default()).describe(), "made a blank plan");
        let shared = EventData {
            contact: Some("Dana Lee".into()),
            until: NaiveDate::from_ymd_opt(2026, 4, 9),
            ..Default::default()
        };
        assert_eq!(
            event(Shared, shared).describe(),
            "shared the plan with Dana Lee until 09 Apr 2026"
        );
        let removed = EventData {
            contact: Some("Dana Lee".into()),
            contact_removed: true,
            ..Default::default()
        };
        assert_eq!(
            event(ShareRevoked, removed).describe(),
            "revoked the link shared with Dana Lee (removed from the contacts)"
        );
        let said = EventData { text: Some("Training booked".into()), ..Default::default() };
        assert_eq!(event(Comment, said).describe(), "Training booked");
    }

    #[test]
    fn entries_from_before_v6_show_their_stored_words() {
        let mut e = event(PlanEventKind::TaskDone, EventData::default());
        e.data = None;
        e.stored_text = Some("ticked off the task “Call”".into());
        assert_eq!(e.describe(), "ticked off the task “Call”");
    }

    #[test]
    fn entries_cross_the_wire_as_words() {
        let e = event(PlanEventKind::MilestoneAdded, EventData::titled("Kickoff"));
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "kind": "milestone_added", "text": "added the milestone “Kickoff”",
                "actor": "Sam Ortiz", "by_customer": false, "at": "2026-03-10T09:00:00Z",
            })
        );
        let back: PlanEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back.describe(), e.describe());
        assert_eq!(back.kind, e.kind);
    }

    #[test]
    fn stored_data_leaves_out_what_a_kind_does_not_use() {
        let json = serde_json::to_value(EventData::titled("Kickoff")).unwrap();
        assert_eq!(json, serde_json::json!({ "title": "Kickoff" }));
    }
}
