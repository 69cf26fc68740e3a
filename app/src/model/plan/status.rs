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
            reason: format!("{} past its due date", plural((-days_left) as usize, "day", "days")),
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
    Derived { status: PlanStatus::OnTrack, reason: format!("due {}", m.due.format("%d %b")) }
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
}
