//! The alerts as a table (cards on a phone), with a tick box per live alert and "Acknowledge
//! selected" for people who handle alerts, and "Load more" while there are more.

use super::filters::AlertQuery;
use super::parts::{sentence, Ago, RulesWatched, SeverityBadge, StatusPill};
use crate::api::alerts::{alert_act, BulkOutcome};
use crate::components::notice::LoadError;
use crate::components::pager::Pager;
use crate::error::AppError;
use crate::model::alert::{Alert, AlertEventInput, AlertPage};
use leptos::prelude::*;
use std::collections::{BTreeSet, HashMap};

type BulkAction = Action<Vec<String>, Result<BulkOutcome, AppError>>;

#[component]
pub fn AlertsTable(
    query: Memo<AlertQuery>, list: Resource<Result<AlertPage, AppError>>, can_act: bool,
    tick: RwSignal<u32>,
) -> impl IntoView {
    let selected = RwSignal::new(BTreeSet::<String>::new());
    // "Acme · Declining engagement" per alert shown, to name the refused ones.
    let names = StoredValue::new(HashMap::<String, String>::new());
    let bulk: BulkAction = Action::new(|ids: &Vec<String>| {
        let input = AlertEventInput { event: "acknowledged".into(), ..Default::default() };
        alert_act(ids.clone(), input)
    });
    // Another view starts with nothing selected and no old outcome.
    Effect::new(move |_| {
        query.track();
        selected.set(BTreeSet::new());
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = bulk.value().get() {
            selected.set(BTreeSet::new());
            tick.update(|n| *n += 1);
        }
    });
    view! {
        {can_act.then(|| view! { <BulkOutcomeBanner bulk names/> })}
        <Transition fallback=|| view! { <div class="table-skeleton">"Loading alerts…"</div> }>
            {move || list.get().map(|r| match r {
                Err(e) => view! { <LoadError error=e/> }.into_any(),
                Ok(p) if p.alerts.is_empty() => view! { <NoAlerts default_view=query.get_untracked().is_default()/> }.into_any(),
                Ok(p) => {
                    names.set_value(p.alerts.iter().map(|a| (a.id.clone(), format!("{} · {}", a.account_name, a.rule.label()))).collect());
                    let selectable: Vec<String> = p.alerts.iter().filter(|a| !a.status.is_closed()).map(|a| a.id.clone()).collect();
                    let now = chrono::Utc::now();
                    let count = p.alerts.len();
                    let more = p.next_cursor.is_some();
                    view! {
                        {(can_act && !selectable.is_empty()).then(|| view! { <BulkBar selectable selected bulk/> })}
                        <div class="table-wrap">
                            <table class="alerts-table" data-testid="alerts-table">
                                <caption class="sr-only">{format!("{count} alerts, newest first")}</caption>
                                <thead>
                                    <tr>
                                        {can_act.then(|| view! { <th scope="col" class="select-cell"><span class="sr-only">"Select"</span></th> })}
                                        <th scope="col">"Severity"</th>
                                        <th scope="col">"Alert"</th>
                                        <th scope="col">"Account"</th>
                                        <th scope="col">"Owner"</th>
                                        <th scope="col">"Status"</th>
                                        <th scope="col">"Opened"</th>
                                        <th scope="col" class="num">"Steps"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {p.alerts.into_iter().map(|a| view! { <AlertRow a can_act selected now/> }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <Pager count one="alert" many="alerts" label="More alerts"
                            next=more.then(|| AlertQuery { pages: query.get_untracked().pages + 1, ..query.get_untracked() }.href())/>
                    }.into_any()
                }
            })}
        </Transition>
    }
}

/// One alert: severity, rule and evidence, account, owner, status, when, steps done.
#[component]
fn AlertRow(
    a: Alert, can_act: bool, selected: RwSignal<BTreeSet<String>>,
    now: chrono::DateTime<chrono::Utc>,
) -> impl IntoView {
    let id = a.id.clone();
    let pick = (can_act && !a.status.is_closed()).then(|| {
        let (on, change) = (id.clone(), id.clone());
        let label = format!("Select {} at {}", a.rule.label(), a.account_name);
        view! {
            <input type="checkbox" aria-label=label
                prop:checked=move || selected.with(|s| s.contains(&on))
                on:change=move |ev| {
                    let tick = event_target_checked(&ev);
                    selected.update(|s| { if tick { s.insert(change.clone()); } else { s.remove(&change); } });
                }/>
        }
    });
    let pct = (a.steps_done * 100).checked_div(a.steps).unwrap_or(0);
    view! {
        <tr class=format!("alert-row sev-{}", a.severity.key()) class:closed=a.status.is_closed() data-testid="alert-row">
            {can_act.then(|| view! { <td class="select-cell">{pick}</td> })}
            <td class="sev-cell"><SeverityBadge severity=a.severity/></td>
            <td class="what">
                <strong>{a.rule.label()}</strong>
                <p class="summary" data-testid="alert-summary">{sentence(&a.summary)}</p>
            </td>
            <td class="account"><a href=format!("/accounts/{}#alerts", a.account_id)>{a.account_name.clone()}</a></td>
            <td class="owner">{a.owner.clone().unwrap_or_else(|| "No owner".into())}</td>
            <td class="status">
                <StatusPill status=a.status until=a.snoozed_until/>
                {a.reason.clone().filter(|_| a.status.is_closed() || a.snoozed_until.is_some()).map(|r| view! { <span class="muted small reason">{r}</span> })}
            </td>
            <td class="when">
                <Ago at=a.opened_at now/>
                <span class="muted small seen">"seen "<Ago at=a.last_seen_at now/></span>
            </td>
            <td class="num steps">
                {(a.steps > 0).then(|| view! {
                    <span class="steps-text">{format!("{}/{}", a.steps_done, a.steps)}</span>
                    <span class="progress mini" aria-hidden="true"><span style=format!("width:{pct}%")></span></span>
                })}
                {(a.steps == 0).then_some("—")}
            </td>
        </tr>
    }
}

/// "Select all", how many are selected, and the bulk button.
#[component]
fn BulkBar(
    selectable: Vec<String>, selected: RwSignal<BTreeSet<String>>, bulk: BulkAction,
) -> impl IntoView {
    let all = StoredValue::new(selectable);
    let n = move || {
        selected.with(|s| all.with_value(|a| a.iter().filter(|id| s.contains(*id)).count()))
    };
    let every = move || all.with_value(|a| n() == a.len());
    let send = move |_| {
        let ids: Vec<String> = selected
            .with(|s| all.with_value(|a| a.iter().filter(|id| s.contains(*id)).cloned().collect()));
        if !ids.is_empty() {
            bulk.dispatch(ids);
        }
    };
    view! {
        <div class="bulk-bar" role="group" aria-label="Act on selected alerts">
            <label class="check">
                <input type="checkbox" prop:checked=every on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    selected.set(if on { all.get_value().into_iter().collect() } else { BTreeSet::new() });
                }/>
                " Select all"
            </label>
            <span class="muted small" aria-live="polite">{move || match n() { 0 => "None selected".to_string(), n => format!("{n} selected") }}</span>
            <button type="button" class="button primary small" data-testid="bulk-ack"
                disabled=move || n() == 0 || bulk.pending().get() on:click=send>"Acknowledge selected"</button>
        </div>
    }
}

/// What the last bulk action did: how many took it, and each refused one with why.
#[component]
fn BulkOutcomeBanner(
    bulk: BulkAction, names: StoredValue<HashMap<String, String>>,
) -> impl IntoView {
    move || {
        bulk.value().get().map(|r| match r {
            Err(e) => {
                let msg = e.for_field("ids").or_else(|| e.banner()).unwrap_or_default();
                view! { <div class="banner banner-error" role="alert">{msg}</div> }.into_any()
            }
            Ok(o) => {
                let plural = |n: u32| if n == 1 { "1 alert".to_string() } else { format!("{n} alerts") };
                let done = match (o.done, o.refused.len() as u32) {
                    (d, 0) => format!("Acknowledged {}.", plural(d)),
                    (0, r) => format!("{} not acknowledged:", plural(r)),
                    (d, r) => format!("Acknowledged {}; {r} not:", plural(d)),
                };
                let refused = o.refused.into_iter().map(|(id, why)| {
                    let name = names.with_value(|m| m.get(&id).cloned()).unwrap_or(id);
                    view! { <li><strong>{name}</strong>" — "{why}</li> }
                }).collect::<Vec<_>>();
                let class = if refused.is_empty() { "banner banner-ok" } else { "banner banner-warn" };
                view! {
                    <div class=class role="status" data-testid="bulk-outcome">
                        {done}
                        {(!refused.is_empty()).then(|| view! { <ul class="refused">{refused}</ul> })}
                    </div>
                }.into_any()
            }
        })
    }
}

/// No alert matches: say so, and what the rules watch.
#[component]
fn NoAlerts(default_view: bool) -> impl IntoView {
    view! {
        <section class="empty-state alerts-empty">
            {if default_view {
                view! { <h2>"No live alerts"</h2><p>"Nothing is tripping a rule right now. The rules re-check each account as its data arrives, and once a day:"</p> }.into_any()
            } else {
                view! { <h2>"No alerts match"</h2><p>"Try fewer filters. The rules watch:"</p> }.into_any()
            }}
            <RulesWatched/>
        </section>
    }
}
