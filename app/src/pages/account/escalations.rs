//! The account's escalations (`#escalations`): the open ones with their most urgent clock, the
//! recently resolved, "Raise escalation" for people who handle escalations, and the account's
//! uptime when a month fell short. Follows `/live/escalations?account=ID`, so a clock breaching
//! or a colleague resolving shows without a reload.

use crate::api::escalations::{account_escalations, account_uptime, EscalationList, RaiseOptions};
use crate::components::live::listen_to;
use crate::components::notice::Loaded;
use crate::error::AppError;
use crate::model::escalation::{EscalationRow, EscalationStatus, MonthUptime};
use crate::model::{AccountId, Timestamp};
use crate::pages::escalations::parts::{browser_now, NextDue, SeverityBadge, Since, StatusPill};
use crate::pages::escalations::raise::RaiseForm;
use crate::pages::escalations::uptime::UptimeTable;
use leptos::prelude::*;

/// Resolved escalations the card lists (the Escalations page has the rest).
const RECENT_RESOLVED: usize = 5;

type Read<T> = Resource<Result<T, AppError>>;

/// The card's data. Made by the page itself, so the resources are the page's (as hydration
/// needs); the raise form's choices only for people who may raise.
#[derive(Clone, Copy)]
pub struct EscalationReads {
    list: Read<EscalationList>,
    uptime: Read<Vec<MonthUptime>>,
    choices: Option<Read<RaiseOptions>>,
}

pub fn reads(id: Signal<AccountId>, can_act: bool) -> EscalationReads {
    let tick = RwSignal::new(0u32);
    listen_to(
        Signal::derive(move || match id.get() {
            id if id.is_empty() => String::new(),
            id => format!("/live/escalations?account={}", crate::model::portfolio::encode(&id)),
        }),
        tick,
    );
    let list = Resource::new(move || (id.get(), tick.get()), |(id, _)| account_escalations(id));
    let uptime = Resource::new(move || id.get(), account_uptime);
    let choices =
        can_act.then(|| Resource::new(move || id.get(), crate::api::escalations::raise_choices));
    EscalationReads { list, uptime, choices }
}

#[component]
pub fn EscalationsCard(reads: EscalationReads, account_id: AccountId) -> impl IntoView {
    let EscalationReads { list, uptime, choices } = reads;
    let now = browser_now();
    view! {
        <section class="card esc-card" id="escalations" aria-labelledby="esc-h" data-testid="account-escalations">
            <div class="card-head">
                <h2 id="esc-h">"Escalations"</h2>
                <a class="button ghost small" href="/escalations">"All escalations"</a>
            </div>
            <Loaded resource=list inline=true let:l>
                <Lists rows=l.rows now/>
            </Loaded>
            <Loaded resource=uptime inline=true let:months>
                <UptimeTable months/>
            </Loaded>
            {choices.map(|choices| view! { <RaiseForm account_id=account_id.clone() choices/> })}
        </section>
    }
}

/// Open escalations first (every one), then the last few resolved.
#[component]
fn Lists(rows: Vec<EscalationRow>, now: RwSignal<Option<Timestamp>>) -> impl IntoView {
    let (resolved, open): (Vec<_>, Vec<_>) =
        rows.into_iter().partition(|r| r.status == EscalationStatus::Resolved);
    view! {
        {if open.is_empty() {
            view! { <p class="muted" data-testid="no-open-escalations">"No open escalations."</p> }.into_any()
        } else {
            view! {
                <ul class="esc-items" data-testid="open-escalations">
                    {open.into_iter().map(|r| view! { <Item r now/> }).collect_view()}
                </ul>
            }.into_any()
        }}
        {(!resolved.is_empty()).then(|| view! {
            <h3 class="small-h">"Recently resolved"</h3>
            <ul class="esc-items resolved" data-testid="resolved-escalations">
                {resolved.into_iter().take(RECENT_RESOLVED).map(|r| view! { <Item r now/> }).collect_view()}
            </ul>
        })}
    }
}

#[component]
fn Item(r: EscalationRow, now: RwSignal<Option<Timestamp>>) -> impl IntoView {
    let resolved = r.status == EscalationStatus::Resolved;
    let sev = r.severity.key().to_lowercase();
    view! {
        <li class=format!("esc-item esc-{sev}") class:breached=r.breached data-testid="account-escalation">
            <div class="esc-item-head">
                <SeverityBadge severity=r.severity/>
                <a class="esc-title" href=format!("/escalations/{}", r.id)>{r.title.clone()}</a>
                <StatusPill status=r.status/>
            </div>
            <p class="small muted">
                {format!("{} · level {}", r.type_label, r.level)}
                {r.responsible.clone().map(|n| format!(" · {n}"))}
                " · opened "<Since at=r.opened_at now/>
            </p>
            {(!resolved).then(|| view! { <p class="small"><NextDue next=r.next_due now/></p> })}
        </li>
    }
}
