//! The engagement model (touchpoints, cadence rules), the account timeline, a CSM's work list,
//! and time to value.

use crate::error::AppError;
use crate::model::engagement::*;
use crate::model::plan::TimeToValue;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ctx;
#[cfg(feature = "ssr")]
use crate::model::Role;
#[cfg(feature = "ssr")]
use crate::store;

/// Each account's cadences as they stand today. Segment membership is evaluated now (from the
/// portfolio index), so an account that moves segment gets the new segment's cadence at once.
#[cfg(feature = "ssr")]
pub async fn cadences_for(
    state: &crate::state::AppState,
    accounts: &[store::accounts::Basics],
    today: chrono::NaiveDate,
) -> Result<Vec<(String, Vec<CadenceDue>)>, AppError> {
    use std::collections::{HashMap, HashSet};
    let rules = store::touchpoints::rules(&state.db).await?;
    if rules.is_empty() || accounts.is_empty() {
        return Ok(accounts.iter().map(|a| (a.id.clone(), vec![])).collect());
    }
    let segments = store::segments::list(&state.db).await?;
    let mut members: HashMap<String, HashSet<String>> = HashMap::new();
    for r in &rules {
        if members.contains_key(&r.segment_id) {
            continue;
        }
        if let Some(seg) = segments.iter().find(|s| s.id == r.segment_id) {
            let ids =
                store::accounts::ids_matching(&state.db, &state.portfolio, &seg.filter).await?;
            members.insert(r.segment_id.clone(), ids.into_iter().collect());
        }
    }
    let ids: Vec<String> = accounts.iter().map(|a| a.id.clone()).collect();
    let last = store::touchpoints::last_by_kind(&state.db, &ids).await?;
    Ok(accounts
        .iter()
        .map(|a| {
            let applicable: Vec<&CadenceRule> = rules
                .iter()
                .filter(|r| {
                    members
                        .get(&r.segment_id)
                        .is_some_and(|m| m.contains(&a.id))
                })
                .collect();
            let mine: Vec<(TouchpointKind, chrono::NaiveDate)> = last
                .iter()
                .filter(|(acc, _, _)| *acc == a.id)
                .map(|(_, k, d)| (*k, *d))
                .collect();
            (
                a.id.clone(),
                cadence_due(&applicable, &mine, a.contract_start, today),
            )
        })
        .collect())
}

#[server(endpoint = "engagement/account")]
pub async fn get_engagement(account_id: String) -> Result<Engagement, AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(ctx::any_role, "").await?;
            let today = chrono::Utc::now().date_naive();
            let basics =
                store::accounts::basics(&state.db, std::slice::from_ref(&account_id)).await?;
            if basics.is_empty() {
                return Err(AppError::NotFound("account".into()));
            }
            let cadences = cadences_for(&state, &basics, today)
                .await?
                .pop()
                .map(|(_, c)| c)
                .unwrap_or_default();
            let touchpoints = store::touchpoints::for_account(&state.db, &account_id, 5).await?;
            Ok(Engagement {
                cadences,
                touchpoints,
            })
        }
        .await,
    )
}

#[server(endpoint = "engagement/log")]
pub async fn log_touchpoint(
    account_id: String,
    input: TouchpointInput,
) -> Result<Touchpoint, AppError> {
    ctx::respond(
        async {
            let (state, me) = ctx::require(
                Role::can_edit_accounts,
                "executives can read touchpoints but not log them",
            )
            .await?;
            let valid = input.validate(chrono::Utc::now().date_naive())?;
            let t = store::touchpoints::create(&state.db, &account_id, &valid, &me.id).await?;
            state.account_activity(&account_id);
            Ok(t)
        }
        .await,
    )
}

#[server(endpoint = "engagement/rules")]
pub async fn list_cadence_rules() -> Result<Vec<CadenceRule>, AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(ctx::any_role, "").await?;
            store::touchpoints::rules(&state.db).await
        }
        .await,
    )
}

#[server(endpoint = "engagement/rules/add")]
pub async fn add_cadence_rule(input: CadenceInput) -> Result<(), AppError> {
    ctx::respond(
        async {
            let (state, _) =
                ctx::require(Role::can_manage_users, "only admins set cadence rules").await?;
            let (segment, kind, every) = input.validate()?;
            store::touchpoints::add_rule(&state.db, &segment, kind, every).await
        }
        .await,
    )
}

#[server(endpoint = "engagement/rules/remove")]
pub async fn remove_cadence_rule(id: String) -> Result<(), AppError> {
    ctx::respond(
        async {
            let (state, _) =
                ctx::require(Role::can_manage_users, "only admins set cadence rules").await?;
            store::touchpoints::remove_rule(&state.db, &id).await
        }
        .await,
    )
}

/// One feed of everything that happened with the account, newest first; `kind` keeps one
/// kind (see [`TIMELINE_KINDS`]) or all when empty.
#[server(endpoint = "engagement/timeline")]
pub async fn get_timeline(
    account_id: String,
    #[server(default)] kind: String,
) -> Result<Vec<TimelineItem>, AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(ctx::any_role, "").await?;
            let kind = kind.trim();
            if !kind.is_empty() && !TIMELINE_KINDS.iter().any(|(k, _)| *k == kind) {
                return Err(AppError::field("kind", "choose a kind from the list"));
            }
            let want = |k: &str| kind.is_empty() || kind == k;
            let mut items = Vec::new();
            if want("touchpoint") {
                for t in store::touchpoints::for_account(&state.db, &account_id, 100).await? {
                    let mut detail = t.notes.clone();
                    if !t.next_steps.is_empty() {
                        detail = format!("{detail}\nNext steps: {}", t.next_steps);
                    }
                    if !t.attendees.is_empty() {
                        detail = format!("With {}. {detail}", t.attendees.join(", "));
                    }
                    items.push(TimelineItem {
                        kind: "touchpoint".into(),
                        // Logged the day it happened: its own moment orders it among the
                        // day's other entries; logged later: midday of that day.
                        at: if t.logged_at.get(..10) == Some(t.date.to_string().as_str()) {
                            t.logged_at.clone()
                        } else {
                            format!("{}T12:00:00Z", t.date)
                        },
                        title: t.kind.label().to_string(),
                        detail: detail.trim().to_string(),
                        actor: t.logged_by.unwrap_or_default(),
                        link: None,
                    });
                }
            }
            if want("plan") {
                for e in store::plans::account_events(&state.db, &account_id, 100).await? {
                    items.push(TimelineItem {
                        kind: "plan".into(),
                        at: e.at,
                        title: e.plan_title.unwrap_or_else(|| "Success plan".into()),
                        detail: e.text,
                        actor: e.actor,
                        link: Some(format!("/accounts/{account_id}/plans/{}", e.plan)),
                    });
                }
            }
            if want("survey") {
                let s = store::responses::for_account(&state.db, &account_id).await?;
                for r in s.recent {
                    items.push(TimelineItem {
                        kind: "survey".into(),
                        at: r.at,
                        title: format!("{} answer: {}", r.kind.label(), r.score),
                        detail: r.comment.unwrap_or_default(),
                        actor: r.contact_name.unwrap_or_else(|| "Anonymous".into()),
                        link: Some(format!("/surveys/{}", r.survey_id)),
                    });
                }
            }
            if want("follow_up") {
                for f in store::follow_ups::for_account(&state.db, &account_id).await? {
                    items.push(f);
                }
            }
            items.sort_by(|a, b| b.at.cmp(&a.at));
            items.truncate(200);
            Ok(items)
        }
        .await,
    )
}

/// What is due for the signed-in person across the accounts they own or serve on.
#[server(endpoint = "engagement/my_work")]
pub async fn get_my_work(#[server(default)] days: u32) -> Result<MyWork, AppError> {
    ctx::respond(
        async {
            let (state, me) = ctx::require(ctx::any_role, "").await?;
            let horizon = if days == 0 { 14 } else { days.min(90) } as i64;
            let today = chrono::Utc::now().date_naive();
            let until = today + chrono::Duration::days(horizon);
            let accounts = store::accounts::of_user(&state.db, &me.id).await?;
            let ids: Vec<String> = accounts.iter().map(|a| a.id.clone()).collect();
            let plans = store::plans::for_accounts(&state.db, Some(&ids)).await?;
            let mut tasks = Vec::new();
            let mut milestones = Vec::new();
            let mut off = Vec::new();
            for p in &plans {
                let s = crate::model::plan::summary(p, today);
                if s.status == crate::model::plan::PlanStatus::OffTrack {
                    off.push(s);
                }
                for m in &p.milestones {
                    if m.completed_on.is_none() && m.due <= until {
                        let d = crate::model::plan::milestone_status(m, today);
                        milestones.push(WorkMilestone {
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
                        // The team's tasks (the customer's own appear on their shared plan).
                        let mine = t.owner_id.as_deref() == Some(me.id.as_str())
                            || (t.owner_id.is_none()
                                && t.owner_role != crate::model::plan::OwnerRole::Customer);
                        if !t.is_done() && t.due <= until && mine {
                            tasks.push(WorkTask {
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
            tasks.sort_by_key(|t| t.due);
            milestones.sort_by_key(|m| m.due);
            let mut touchpoints = Vec::new();
            for (acc, dues) in cadences_for(&state, &accounts, today).await? {
                let name = accounts
                    .iter()
                    .find(|a| a.id == acc)
                    .map(|a| a.name.clone())
                    .unwrap_or_default();
                for due in dues.into_iter().filter(|d| d.next_due <= until) {
                    touchpoints.push(WorkTouchpoint {
                        account_id: acc.clone(),
                        account_name: name.clone(),
                        due,
                    });
                }
            }
            touchpoints.sort_by_key(|t| t.due.next_due);
            Ok(MyWork {
                tasks,
                milestones,
                touchpoints,
                plans_off_track: off,
                horizon_days: horizon,
            })
        }
        .await,
    )
}

/// Median days from contract start to the first-value milestone, overall, per cohort (the
/// month the contract started) and per saved segment.
#[server(endpoint = "engagement/ttv")]
pub async fn get_time_to_value() -> Result<TimeToValue, AppError> {
    ctx::respond(
        async {
            use crate::model::plan::{days_to_value, median_days, TtvRow};
            let (state, _) = ctx::require(ctx::any_role, "").await?;
            let rows = store::plans::first_value(&state.db).await?;
            let row = |label: String,
                       it: &mut dyn Iterator<
                Item = &(String, chrono::NaiveDate, Option<chrono::NaiveDate>),
            >| {
                let mut days = Vec::new();
                let mut waiting = 0;
                for (_, start, done) in it {
                    match done {
                        Some(d) => days.push(days_to_value(*start, *d)),
                        None => waiting += 1,
                    }
                }
                TtvRow {
                    label,
                    median_days: median_days(&days),
                    reached: days.len(),
                    waiting,
                }
            };
            let overall = row("All accounts".into(), &mut rows.iter());
            let mut cohorts: Vec<String> = rows
                .iter()
                .map(|(_, s, _)| s.format("%Y-%m").to_string())
                .collect();
            cohorts.sort();
            cohorts.dedup();
            let by_cohort = cohorts
                .into_iter()
                .rev()
                .take(12)
                .map(|c| {
                    let label = chrono::NaiveDate::parse_from_str(&format!("{c}-01"), "%Y-%m-%d")
                        .map(|d| d.format("%b %Y").to_string())
                        .unwrap_or(c.clone());
                    row(
                        label,
                        &mut rows
                            .iter()
                            .filter(|(_, s, _)| s.format("%Y-%m").to_string() == c),
                    )
                })
                .collect();
            let mut by_segment = Vec::new();
            for seg in store::segments::list(&state.db).await? {
                let ids: std::collections::HashSet<String> =
                    store::accounts::ids_matching(&state.db, &state.portfolio, &seg.filter)
                        .await?
                        .into_iter()
                        .collect();
                by_segment.push(row(
                    seg.name.clone(),
                    &mut rows.iter().filter(|(a, _, _)| ids.contains(a)),
                ));
            }
            Ok(TimeToValue {
                overall,
                by_cohort,
                by_segment,
            })
        }
        .await,
    )
}
