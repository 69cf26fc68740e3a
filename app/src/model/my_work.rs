//! My work, worked out from plans and cadences: the tasks and milestones due for one person
//! within a horizon, the plans off track, and the touchpoints a cadence asks for. Pure, so the
//! rules (whose task is whose, what counts as due) are tested here; `service::my_work` reads
//! the data.

use super::engagement::{CadenceDue, WorkMilestone, WorkTask, WorkTouchpoint};
use super::plan::{milestone_status, summary, OwnerRole, Plan, PlanStatus, PlanSummary};
use super::AccountId;
use chrono::NaiveDate;

/// What a person's plans ask of them up to a day.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanWork {
    /// Soonest first.
    pub tasks: Vec<WorkTask>,
    /// Open milestones due by then, soonest first.
    pub milestones: Vec<WorkMilestone>,
    pub off_track: Vec<PlanSummary>,
}

/// The work in `plans` for the user `me` due by `until`: open milestones, and open tasks that are
/// theirs or the team's with no one named (the customer's own tasks appear on their shared plan
/// instead).
pub fn plan_work(plans: &[Plan], me: &str, today: NaiveDate, until: NaiveDate) -> PlanWork {
    let mut work = PlanWork::default();
    for p in plans {
        let s = summary(p, today);
        if s.status == PlanStatus::OffTrack {
            work.off_track.push(s);
        }
        for m in &p.milestones {
            if m.completed_on.is_none() && m.due <= until {
                let d = milestone_status(m, today);
                work.milestones.push(WorkMilestone {
                    plan_id: p.id.clone(),
                    account_id: p.account_id.clone(),
                    account_name: p.account_name.clone(),
                    title: m.title.clone(),
                    due: m.due,
                    status: d.status,
                    reason: d.reason,
                });
            }
            for t in &m.tasks {
                let mine = t.owner_id.as_deref() == Some(me)
                    || (t.owner_id.is_none() && t.owner_role != OwnerRole::Customer);
                if !t.is_done() && t.due <= until && mine {
                    work.tasks.push(WorkTask {
                        plan_id: p.id.clone(),
                        account_id: p.account_id.clone(),
                        account_name: p.account_name.clone(),
                        title: t.title.clone(),
                        milestone: m.title.clone(),
                        due: t.due,
                        owner: t
                            .owner_name
                            .clone()
                            .unwrap_or_else(|| format!("Any {}", t.owner_role.label())),
                        overdue: t.is_overdue(today),
                    });
                }
            }
        }
    }
    work.tasks.sort_by_key(|t| t.due);
    work.milestones.sort_by_key(|m| m.due);
    work
}

/// The touchpoints due by `until`, soonest first, from each account's cadences; `names` gives
/// each account's name by id.
pub fn due_touchpoints(
    cadences: Vec<(AccountId, Vec<CadenceDue>)>, names: &[(AccountId, String)], until: NaiveDate,
) -> Vec<WorkTouchpoint> {
    let mut out = Vec::new();
    for (account, dues) in cadences {
        let name =
            names.iter().find(|(id, _)| *id == account).map(|(_, n)| n.clone()).unwrap_or_default();
        for due in dues.into_iter().filter(|d| d.next_due <= until) {
            out.push(WorkTouchpoint {
                account_id: account.clone(),
                account_name: name.clone(),
                due,
            });
        }
    }
    out.sort_by_key(|t| t.due.next_due);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::plan::{Milestone, Task, TaskStatus};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn task(
        title: &str, due: &str, role: OwnerRole, owner: Option<&str>, status: TaskStatus,
    ) -> Task {
        Task {
            id: title.into(),
            milestone_id: "m".into(),
            title: title.into(),
            due: d(due),
            status,
            owner_role: role,
            owner_id: owner.map(String::from),
            owner_name: owner.map(|o| format!("User {o}")),
            position: 0,
            resources: vec![],
            done_by: None,
            done_at: None,
        }
    }

    fn plan(tasks: Vec<Task>, milestone_due: &str, completed: Option<&str>) -> Plan {
        Plan {
            id: "p".into(),
            account_id: "a".into(),
            account_name: "Acme".into(),
            title: "Onboarding".into(),
            start: d("2026-01-01"),
            contract_start: d("2026-01-01"),
            template_name: None,
            template_version: None,
            objectives: vec![],
            milestones: vec![Milestone {
                id: "m".into(),
                title: "Kickoff".into(),
                due: d(milestone_due),
                first_value: false,
                completed_on: completed.map(d),
                completed_by: None,
                position: 0,
                tasks,
            }],
        }
    }

    #[test]
    fn mine_are_my_own_and_the_teams_unnamed_tasks_not_the_customers() {
        use OwnerRole::*;
        use TaskStatus::*;
        let p = plan(
            vec![
                task("late", "2026-03-01", Csm, Some("me"), Open),
                task("team", "2026-03-05", AccountManager, None, InProgress),
                task("someone else", "2026-03-05", Csm, Some("you"), Open),
                task("customer", "2026-03-05", Customer, None, Open),
                task("done", "2026-03-05", Csm, Some("me"), Done),
                task("later", "2026-06-01", Csm, Some("me"), Open),
            ],
            "2026-03-20",
            None,
        );
        let w = plan_work(&[p], "me", d("2026-03-03"), d("2026-03-17"));
        let titles: Vec<&str> = w.tasks.iter().map(|t| t.title.as_str()).collect();
        assert_eq!(titles, ["late", "team"]);
        assert!(w.tasks[0].overdue);
        assert_eq!(w.tasks[1].owner, "Any Account Manager");
        // The milestone is due after the horizon: not listed.
        assert!(w.milestones.is_empty());
    }

    #[test]
    fn open_milestones_within_the_horizon_and_off_track_plans_are_listed() {
        let w =
            plan_work(&[plan(vec![], "2026-03-01", None)], "me", d("2026-03-03"), d("2026-03-17"));
        assert_eq!(w.milestones.len(), 1);
        assert_eq!(w.milestones[0].status, PlanStatus::OffTrack);
        assert_eq!(w.off_track.len(), 1);
        let done = plan_work(
            &[plan(vec![], "2026-03-01", Some("2026-02-27"))],
            "me",
            d("2026-03-03"),
            d("2026-03-17"),
        );
        assert!(done.milestones.is_empty() && done.off_track.is_empty());
    }

    #[test]
    fn touchpoints_due_by_the_horizon_carry_their_account_name() {
        use crate::model::engagement::TouchpointKind;
        let due = |on: &str| CadenceDue {
            kind: TouchpointKind::ALL[0],
            every_days: 30,
            segment_name: "Enterprise".into(),
            last: None,
            next_due: d(on),
            overdue_days: 0,
        };
        let cadences = vec![
            (AccountId::from("b"), vec![due("2026-03-10"), due("2026-05-01")]),
            (AccountId::from("a"), vec![due("2026-03-04")]),
        ];
        let names = [(AccountId::from("a"), "Acme".to_string()), ("b".into(), "Beta".to_string())];
        let out = due_touchpoints(cadences, &names, d("2026-03-17"));
        let got: Vec<(&str, NaiveDate)> =
            out.iter().map(|t| (t.account_name.as_str(), t.due.next_due)).collect();
        assert_eq!(got, [("Acme", d("2026-03-04")), ("Beta", d("2026-03-10"))]);
    }
}
