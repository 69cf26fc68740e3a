//! The status of a plan and of its milestones, derived from dates and completion (never typed
//! by hand), with the reason in words; and a plan's progress and summary for lists.

use super::{Milestone, Plan, PlanStatus, PlanSummary, Task, AT_RISK_WINDOW_DAYS};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

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

/// What a milestone's status is derived from: its dates and its tasks, counted. The plan page
/// builds it from a milestone; the daily segment pass reads it straight from the database for
/// every plan (counting tasks there instead of loading them all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MilestoneFacts {
    pub due: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    pub tasks: usize,
    pub done: usize,
    /// Tasks not done whose due date has passed.
    pub overdue: usize,
}

/// Why a milestone has its status (put into words by [`milestone_status`]).
enum Why {
    Completed(NaiveDate),
    Late(i64),
    OverdueTasks(usize),
    DueSoon(i64),
    Due,
}

impl MilestoneFacts {
    pub fn of(m: &Milestone, today: NaiveDate) -> Self {
        MilestoneFacts {
            due: m.due,
            completed_on: m.completed_on,
            tasks: m.tasks.len(),
            done: m.tasks.iter().filter(|t| t.is_done()).count(),
            overdue: m.tasks.iter().filter(|t| t.is_overdue(today)).count(),
        }
    }

    /// Done once completed; off track once its due date has passed; at risk when a task is
    /// overdue, or when it is due within [`AT_RISK_WINDOW_DAYS`] with less than half of its
    /// tasks done; otherwise on track.
    fn why(&self, today: NaiveDate) -> Why {
        let days_left = (self.due - today).num_days();
        match self.completed_on {
            Some(on) => Why::Completed(on),
            None if days_left < 0 => Why::Late(-days_left),
            None if self.overdue > 0 => Why::OverdueTasks(self.overdue),
            None if days_left <= AT_RISK_WINDOW_DAYS
                && self.tasks > 0
                && self.done * 2 < self.tasks =>
            {
                Why::DueSoon(days_left)
            }
            None => Why::Due,
        }
    }

    pub fn status(&self, today: NaiveDate) -> PlanStatus {
        match self.why(today) {
            Why::Completed(_) => PlanStatus::Done,
            Why::Late(_) => PlanStatus::OffTrack,
            Why::OverdueTasks(_) | Why::DueSoon(_) => PlanStatus::AtRisk,
            Why::Due => PlanStatus::OnTrack,
        }
    }
}

/// A plan's status from its milestones' facts: on track without milestones, done when every
/// milestone is, otherwise the worst of them (the same rule as [`plan_status`], without words).
pub fn status_of(milestones: &[MilestoneFacts], today: NaiveDate) -> PlanStatus {
    let all: Vec<PlanStatus> = milestones.iter().map(|m| m.status(today)).collect();
    if all.is_empty() {
        PlanStatus::OnTrack
    } else if all.iter().all(|s| *s == PlanStatus::Done) {
        PlanStatus::Done
    } else if all.contains(&PlanStatus::OffTrack) {
        PlanStatus::OffTrack
    } else if all.contains(&PlanStatus::AtRisk) {
        PlanStatus::AtRisk
    } else {
        PlanStatus::OnTrack
    }
}

/// A milestone's status and the reason for it, in words (see [`MilestoneFacts::why`]).
pub fn milestone_status(m: &Milestone, today: NaiveDate) -> Derived {
    let facts = MilestoneFacts::of(m, today);
    let status = facts.status(today);
    let reason = match facts.why(today) {
        Why::Completed(on) => format!("completed on {}", on.format("%d %b %Y")),
        Why::Late(days) => format!("{} past its due date", plural(days as usize, "day", "days")),
        Why::OverdueTasks(n) => format!("{} overdue", plural(n, "task", "tasks")),
        Why::DueSoon(days) => format!(
            "due in {} with {} of {} tasks done",
            plural(days as usize, "day", "days"),
            facts.done,
            facts.tasks
        ),
        Why::Due => format!("due {}", m.due.format("%d %b")),
    };
    Derived { status, reason }
}

/// A plan's status: the worst of its milestones' (done when every milestone is).
pub fn plan_status(p: &Plan, today: NaiveDate) -> Derived {
    if p.milestones.is_empty() {
        return Derived { status: PlanStatus::OnTrack, reason: "no milestones yet".into() };
    }
    let all: Vec<(&Milestone, Derived)> =
        p.milestones.iter().map(|m| (m, milestone_status(m, today))).collect();
    if all.iter().all(|(_, d)| d.status == PlanStatus::Done) {
        return Derived { status: PlanStatus::Done, reason: "every milestone is complete".into() };
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
                status: worst, reason: format!("“{}”: {}{more}", m.title, d.reason)
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
        + p.milestones.iter().filter(|m| m.completed_on.is_some()).count();
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
        next_due: p.milestones.iter().filter(|m| m.completed_on.is_none()).map(|m| m.due).min(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::d;
    use super::super::{OwnerRole, TaskStatus};
    use super::*;

    fn task(due: &str, done: bool) -> Task {
        Task {
            id: "t".into(),
            milestone_id: "m".into(),
            title: "T".into(),
            due: d(due),
            status: if done { TaskStatus::Done } else { TaskStatus::Open },
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
            vec![task("2026-03-12", true), task("2026-03-14", false), task("2026-03-14", false)],
        );
        let s = milestone_status(&m, today);
        assert_eq!(s.status, PlanStatus::AtRisk);
        assert_eq!(s.reason, "due in 5 days with 1 of 3 tasks done");
        // Half done is enough.
        let m =
            ms("Kickoff", "2026-03-15", vec![task("2026-03-12", true), task("2026-03-14", false)]);
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
        assert_eq!(plan_status(&plan(vec![ok.clone()]), today).status, PlanStatus::OnTrack);
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
        assert_eq!(plan_status(&plan(vec![done, risky, ok]), today).status, PlanStatus::AtRisk);
        assert_eq!(plan_status(&plan(vec![]), today).status, PlanStatus::OnTrack);
    }

    #[test]
    fn progress_counts_tasks_and_milestones() {
        let mut m =
            ms("A", "2026-04-01", vec![task("2026-03-01", true), task("2026-03-02", false)]);
        m.completed_on = None;
        let mut m2 = ms("B", "2026-04-01", vec![task("2026-03-01", true)]);
        m2.completed_on = Some(d("2026-03-05"));
        assert_eq!(progress(&plan(vec![m, m2])), (3, 5));
    }

    #[test]
    fn the_status_from_counted_facts_is_the_status_from_the_plan() {
        let today = d("2026-03-10");
        let mut done_ms = ms("Done", "2026-02-01", vec![task("2026-01-20", true)]);
        done_ms.completed_on = Some(d("2026-02-02"));
        let cases = vec![
            vec![],
            vec![done_ms.clone()],
            vec![done_ms.clone(), ms("Late", "2026-03-01", vec![])],
            vec![ms("Task late", "2026-04-01", vec![task("2026-03-01", false)])],
            vec![ms(
                "Soon",
                "2026-03-15",
                vec![task("2026-03-14", false), task("2026-03-14", false)],
            )],
            vec![ms(
                "Soon, half done",
                "2026-03-15",
                vec![task("2026-03-14", true), task("2026-03-14", false)],
            )],
            vec![ms("Far", "2026-06-01", vec![task("2026-05-01", false)]), done_ms],
        ];
        for milestones in cases {
            let p = plan(milestones);
            let facts: Vec<MilestoneFacts> =
                p.milestones.iter().map(|m| MilestoneFacts::of(m, today)).collect();
            assert_eq!(
                status_of(&facts, today),
                plan_status(&p, today).status,
                "{:?}",
                p.milestones
            );
        }
    }
}
