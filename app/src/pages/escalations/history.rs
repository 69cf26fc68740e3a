//! An escalation's event log, newest first: what happened, when, who recorded it (or that it
//! happened automatically: a move up a level nobody acknowledged), the note and the level.

use super::parts::{relative, utc};
use crate::model::escalation::{event_label, Escalation, EscalationEvent, EventKind};
use crate::model::Timestamp;
use leptos::prelude::*;

#[component]
pub fn History(e: Escalation, now: Timestamp) -> impl IntoView {
    let n = e.events.len() + 1;
    let items = e.events.into_iter().rev().map(|ev| view! { <Item ev now/> }).collect_view();
    let opened_by = e.raised_by_name.map(|c| format!(" · raised by {c}")).unwrap_or_default();
    view! {
        <section class="card esc-history" aria-labelledby="hist-h" data-testid="esc-history">
            <h2 id="hist-h">"History "<span class="count">{format!("({n})")}</span></h2>
            <ol>
                {items}
                <li class="ev ev-opened">
                    <strong>"Opened"</strong>
                    <span class="muted small">
                        " "<time datetime=e.opened_at.to_rfc3339() title=utc(&e.opened_at)>{relative(&e.opened_at, &now)}</time>
                        {format!(" · level 1{opened_by}")}
                    </span>
                </li>
            </ol>
        </section>
    }
}

#[component]
fn Item(ev: EscalationEvent, now: Timestamp) -> impl IntoView {
    let what = match (ev.kind, ev.level) {
        (EventKind::Escalated, Some(l)) => format!("Escalated to level {l}"),
        (k, _) => event_label(k).to_string(),
    };
    let who = ev.by.clone().unwrap_or_else(|| "automatically".into());
    let cause = ev.root_cause.filter(|_| ev.kind == EventKind::Resolved);
    let class = format!("ev ev-{}", crate::model::escalation::event_key(ev.kind));
    view! {
        <li class=class data-testid="esc-event">
            <strong>{what}</strong>
            <span class="muted small">
                " "<time datetime=ev.at.to_rfc3339() title=utc(&ev.at)>{relative(&ev.at, &now)}</time>
                {format!(" · {who}")}
            </span>
            {cause.map(|c| view! { <p class="small">{format!("Root cause: {}", c.label())}</p> })}
            {ev.note.clone().map(|n| view! { <p class="note">{n}</p> })}
        </li>
    }
}
