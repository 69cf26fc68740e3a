//! The account's live alerts (`#alerts`, where the timeline's alert entries link): each with its
//! evidence, the rule set and version that raised it, its playbook steps to tick, the actions
//! (acknowledge, snooze, dismiss, resolve) and its history. Follows `/live/alerts?account=ID`,
//! so an alert the rules open while the page is open appears without a reload.

use crate::api::alerts::account_alerts;
use crate::components::live::listen_to;
use crate::components::notice::Loaded;
use crate::error::AppError;
use crate::model::alert::{AlertDetail, AlertHistoryItem, AlertTask};
use crate::model::AccountId;
use crate::pages::alerts::act::AlertActions;
use crate::pages::alerts::parts::{
    due_text, sentence, touchpoint_hint, Ago, RulesWatched, SeverityBadge, StatusPill,
};
use leptos::prelude::*;

/// Ticks a step (task id, done, the alert's rule label); answers with the rule when that last
/// step resolved the alert (the card says so: the alert itself leaves the list).
type StepAction = Action<(String, bool, &'static str), Result<Option<&'static str>, AppError>>;

/// The card's data and the signal that re-reads it.
#[derive(Clone, Copy)]
pub struct AlertReads {
    data: Resource<Result<Vec<AlertDetail>, AppError>>,
    tick: RwSignal<u32>,
}

/// Subscribes to the account's alert changes and reads its alerts. Called by the page itself,
/// so the resource is the page's (as hydration needs).
pub fn reads(id: Signal<AccountId>) -> AlertReads {
    let tick = RwSignal::new(0u32);
    listen_to(
        Signal::derive(move || {
            let id = id.get();
            if id.is_empty() {
                String::new()
            } else {
                format!("/live/alerts?account={}", crate::model::portfolio::encode(&id))
            }
        }),
        tick,
    );
    let data = Resource::new(move || (id.get(), tick.get()), |(id, _)| account_alerts(id));
    AlertReads { data, tick }
}

#[component]
pub fn AlertsCard(reads: AlertReads) -> impl IntoView {
    let AlertReads { data, tick } = reads;
    // Step ticks are shared by every alert on the card; their answer says whether the last
    // step resolved the alert.
    let step: StepAction = Action::new(|(task, done, rule): &(String, bool, &'static str)| {
        let (task, done, rule) = (task.clone(), *done, *rule);
        async move {
            let resolved = crate::api::alerts::alert_task_done(task, done).await?;
            Ok(resolved.then_some(rule))
        }
    });
    Effect::new(move |_| {
        if step.value().with(Option::is_some) {
            tick.update(|n| *n += 1);
        }
    });
    let notice = move || {
        match step.value().get() {
        Some(Ok(Some(rule))) => Some(view! {
            <div class="banner banner-ok" role="status" data-testid="alert-resolved">
                {format!("Every step is done: the {} alert is resolved.", rule.to_lowercase())}</div>
        }.into_any()),
        Some(Err(e)) => Some(view! { <div class="banner banner-error" role="alert">{e.banner()}</div> }.into_any()),
        _ => None,
    }
    };
    view! {
        <section class="card alerts-card" id="alerts" aria-labelledby="alerts-h" data-testid="account-alerts">
            <div class="card-head">
                <h2 id="alerts-h">"Alerts"</h2>
                <a class="button ghost small" href="/alerts">"All alerts"</a>
            </div>
            {notice}
            <Loaded resource=data inline=true let:list>
                {if list.is_empty() {
                    view! {
                        <details class="quiet-alerts">
                            <summary class="muted">"No open alerts — see what the rules watch"</summary>
                            <RulesWatched/>
                        </details>
                    }.into_any()
                } else {
                    let now = chrono::Utc::now();
                    view! {
                        <ul class="alert-items">
                            {list.into_iter().map(|d| view! { <AlertItem d now step tick/> }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </Loaded>
        </section>
    }
}

/// One alert: what tripped, how it stands, its steps, the actions and the history.
#[component]
fn AlertItem(
    d: AlertDetail, now: chrono::DateTime<chrono::Utc>, step: StepAction, tick: RwSignal<u32>,
) -> impl IntoView {
    let AlertDetail { alert: a, tasks, history, can_act } = d;
    let heading = format!("alert-{}", a.id);
    let labelled_by = heading.clone();
    let today = now.date_naive();
    let trips = match a.trips {
        0 | 1 => String::new(),
        n => format!(" · tripped {n} times"),
    };
    let owner =
        a.owner.clone().map_or_else(|| " · No owner".to_string(), |o| format!(" · Owner: {o}"));
    view! {
        <li class=format!("alert-item sev-{}", a.severity.key()) aria-labelledby=labelled_by data-testid="account-alert">
            <div class="alert-head">
                <SeverityBadge severity=a.severity/>
                <h3 id=heading>{a.rule.label()}</h3>
                <StatusPill status=a.status until=a.snoozed_until/>
                <span class="muted small when">"opened "<Ago at=a.opened_at now/>" · seen "<Ago at=a.last_seen_at now/></span>
            </div>
            <p class="evidence" data-testid="alert-evidence">{sentence(&a.summary)}</p>
            <p class="muted small rule-source">
                {format!("{} rules v{}", a.rule_scope, a.rule_version)}{owner}{trips}
                {a.reason.clone().map(|r| view! { <br/><span>{format!("Reason: {r}")}</span> })}
            </p>
            {(!tasks.is_empty()).then(|| view! {
                <h4 class="small-h">{format!("Playbook · {} of {} done", a.steps_done, a.steps)}</h4>
                <ol class="alert-steps" data-testid="alert-steps">
                    {tasks.into_iter().map(|t| view! { <Step t today can_act step rule=a.rule.label()/> }).collect_view()}
                </ol>
            })}
            {can_act.then(|| view! { <AlertActions id=a.id.clone() status=a.status rule=a.rule.label() done=tick/> })}
            <History items=history now/>
        </li>
    }
}

/// A playbook step: its tick box (disabled for people who may not act), due date, owner and
/// the touchpoint it asks for.
#[component]
fn Step(
    t: AlertTask, today: chrono::NaiveDate, can_act: bool, step: StepAction, rule: &'static str,
) -> impl IntoView {
    let box_id = format!("step-{}", t.id);
    let (due, late) = due_text(t.due, today);
    let late = late && !t.done;
    let done = t.done;
    let id = t.id.clone();
    let who = t.owner.clone().map_or_else(
        || t.owner_role.label().to_string(),
        |o| format!("{o} ({})", t.owner_role.label()),
    );
    view! {
        <li class="alert-step" class:done=done class:late=late data-testid="alert-step">
            <input type="checkbox" id=box_id.clone() checked=done prop:checked=done disabled=!can_act
                on:change=move |ev| { step.dispatch((id.clone(), event_target_checked(&ev), rule)); }/>
            <div class="step-main">
                <label for=box_id>{t.title.clone()}</label>
                <span class="small">
                    <span class="due" class:late=late>{due}</span>
                    <span class="muted">{format!(" · {who}")}</span>
                    {t.touchpoint_kind.map(|k| view! { <span class="hint-tp">{format!(" · {}", touchpoint_hint(k))}</span> })}
                </span>
            </div>
        </li>
    }
}

/// The alert's history, collapsed: opened, acknowledged, snoozed … with who and why.
#[component]
fn History(items: Vec<AlertHistoryItem>, now: chrono::DateTime<chrono::Utc>) -> impl IntoView {
    let n = items.len();
    view! {
        <details class="alert-history">
            <summary>{format!("History ({n})")}</summary>
            <ol>
                {items.into_iter().map(|h| view! {
                    <li>
                        <strong>{h.kind.label()}</strong>
                        <span class="muted small">" "<Ago at=h.at now/>{h.actor.map(|a| format!(" · {a}"))}</span>
                        {h.note.map(|n| view! { <p class="small">{n}</p> })}
                    </li>
                }).collect_view()}
            </ol>
        </details>
    }
}
