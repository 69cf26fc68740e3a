//! My work: what is due for one person across the accounts they own or serve on, within a
//! horizon. Which tasks are theirs and what counts as due is `model::my_work`; this reads the
//! plans and cadences.

use super::engagement::cadences_for;
use crate::error::AppError;
use crate::model::engagement::{MyWork, WorkFollowUp};
use crate::model::my_work::{due_touchpoints, plan_work};
use crate::model::AccountId;
use crate::state::AppState;
use crate::store;

/// The horizon when none is asked for, and the longest one, in days.
const DEFAULT_DAYS: u32 = 14;
const MAX_DAYS: u32 = 90;

/// What is due for the user `me` within `days` (0: the default horizon).
pub async fn for_user(state: &AppState, me: &str, days: u32) -> Result<MyWork, AppError> {
    let horizon = if days == 0 { DEFAULT_DAYS } else { days.min(MAX_DAYS) } as i64;
    let today = chrono::Utc::now().date_naive();
    let until = today + chrono::Duration::days(horizon);
    let accounts = store::accounts::of_user(&state.db, me).await?;
    let ids: Vec<String> = accounts.iter().map(|a| a.id.to_string()).collect();
    let plans = store::plans::for_accounts(&state.db, Some(&ids)).await?;
    let work = plan_work(&plans, me, today, until);
    let names: Vec<(AccountId, String)> =
        accounts.iter().map(|a| (a.id.clone(), a.name.clone())).collect();
    let cadences = cadences_for(state, &accounts, today).await?;
    let follow_ups = store::escalations::follow_ups_due(&state.db, me, until)
        .await?
        .into_iter()
        .filter_map(|e| {
            let due = e.follow_up?.due;
            Some(WorkFollowUp {
                escalation_id: e.id.to_string(),
                account_id: e.account.clone(),
                account_name: e.account_name,
                title: e.title,
                due,
                overdue: due < today,
            })
        })
        .collect();
    Ok(MyWork {
        tasks: work.tasks,
        milestones: work.milestones,
        touchpoints: due_touchpoints(cadences, &names, until),
        plans_off_track: work.off_track,
        follow_ups,
        horizon_days: horizon,
    })
}
