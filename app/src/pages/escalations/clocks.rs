//! The three SLA clocks of an escalation: target, due time (in UTC, in the calendar's zone and,
//! once the page is live, in the reader's), business time used and left, status, and a bar
//! of the budget used — with the rules they follow, since tools differ and people ask.

use super::parts::{duration, local, utc, ClockPill};
use crate::api::escalations::EscalationView;
use crate::model::escalation::{ClockKind, ClockState, ClockStatus};
use crate::model::Timestamp;
use leptos::prelude::*;

#[component]
pub fn ClocksCard(v: EscalationView, hydrated: RwSignal<bool>) -> impl IntoView {
    let EscalationView { escalation: e, now, due_in_zone, .. } = v;
    let zone = (e.time_zone != "UTC").then(|| e.time_zone.clone());
    let rows = e
        .clocks
        .iter()
        .map(|(kind, c)| {
            let in_zone = zone
                .as_ref()
                .and_then(|_| due_in_zone.iter().find(|(k, _)| *k == kind).map(|(_, s)| s.clone()));
            view! { <ClockRow kind c=c.clone() now in_zone hydrated/> }
        })
        .collect_view();
    view! {
        <section class="card esc-clocks" aria-labelledby="clocks-h" data-testid="esc-clocks">
            <div class="card-head">
                <h2 id="clocks-h">"SLA clocks"</h2>
                <span class="muted small">{format!("as of {}", now.format("%H:%M:%S UTC"))}</span>
            </div>
            <ul class="clocks">{rows}</ul>
            <ClockRules/>
        </section>
    }
}

/// One clock: its status and bar, then target, used, left and due.
#[component]
fn ClockRow(
    kind: ClockKind, c: ClockState, now: Timestamp, in_zone: Option<String>,
    hydrated: RwSignal<bool>,
) -> impl IntoView {
    let target = i64::from(c.target_minutes);
    let used = c.elapsed_business_minutes;
    let pct = if target > 0 { used * 100 / target } else { 100 };
    let over = used >= target || c.status == ClockStatus::Breached;
    let warn = !over && c.warn_at.is_some_and(|w| w <= now);
    let left = match (c.status, target - used) {
        (ClockStatus::Met, l) => format!("met with {} to spare", duration(l)),
        (_, l) if l <= 0 || over => format!("overdue by {}", duration(-l)),
        (_, l) => format!("{} left", duration(l)),
    };
    let cycle = (kind == ClockKind::Update && c.cycles.len() > 1)
        .then(|| format!("Cycle {} — restarts at every customer update", c.cycles.len()));
    let label_id = format!("clock-{}-h", kind.key());
    let labelled_by = label_id.clone();
    view! {
        <li class="clock" class:over=over class:warn=warn data-testid=format!("clock-{}", kind.key()) aria-labelledby=labelled_by>
            <div class="clock-head">
                <h3 id=label_id>{kind.label()}</h3>
                <ClockPill status=c.status/>
                <span class="clock-left" class:late=over data-testid="clock-left">{left}</span>
            </div>
            <div class="clock-bar" role="img" aria-label=format!("{pct} % of the target used")>
                <span style=format!("width:{}%", pct.clamp(0, 100))></span>
            </div>
            <dl class="clock-facts">
                <div><dt>"Target"</dt><dd>{duration(target)}</dd></div>
                <div><dt>"Business time used"</dt><dd data-testid="clock-used">{format!("{} ({pct} %)", duration(used))}</dd></div>
                <div class="due"><dt>"Due"</dt><dd><Due c=c.clone() in_zone hydrated/></dd></div>
            </dl>
            {cycle.map(|t| view! { <p class="muted small cycle">{t}</p> })}
        </li>
    }
}

/// When the clock is due, in UTC, the calendar's zone and the reader's; or why it has none.
#[component]
fn Due(c: ClockState, in_zone: Option<String>, hydrated: RwSignal<bool>) -> impl IntoView {
    match (c.status, c.due_at, c.breached_at) {
        (ClockStatus::Running | ClockStatus::Breached, Some(due), _) => {
            let mine = move || {
                hydrated.get().then(|| local(&due)).flatten().map(|l| {
                    view! { <span class="due-line mine">{l}" (your time)"</span> }
                })
            };
            view! {
                <time class="due-line" datetime=due.to_rfc3339()>{utc(&due)}</time>
                {in_zone.map(|z| view! { <span class="due-line">{z}" (calendar)"</span> })}
                {mine}
            }
            .into_any()
        }
        (ClockStatus::Paused, ..) => {
            view! { <span class="muted">"No due time while waiting on the customer"</span> }
                .into_any()
        }
        (_, _, Some(b)) => {
            view! { <span class="late">{format!("Breached at {}", utc(&b))}</span> }.into_any()
        }
        _ => view! { <span class="muted">"Stopped"</span> }.into_any(),
    }
}

/// The rules, one line per clock.
#[component]
fn ClockRules() -> impl IntoView {
    view! {
        <div class="clock-rules" data-testid="clock-rules">
            <h3 class="small-h">"How these clocks count"</h3>
            <ul>
                <li><strong>"First response"</strong>" — from opening until the first response is sent; never paused."</li>
                <li><strong>"Update cadence"</strong>" — restarts at every customer update; paused while waiting on the customer."</li>
                <li><strong>"Resolution"</strong>" — from opening until resolved; paused while waiting on the customer; a reopen continues the same clock."</li>
                <li>"All count business time in the policy's calendar: its opening hours, holidays and daylight-saving changes."</li>
            </ul>
        </div>
    }
}
