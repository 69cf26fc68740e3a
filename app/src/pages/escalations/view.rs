//! One escalation with its live clocks (`/escalations/:id`): who is responsible now and when it
//! moves up, the three SLA clocks, the actions for people who handle escalations, the event
//! history and, once resolved, the follow-up.
//!
//! The clocks are the server's (business time needs the calendar and its time zone database),
//! so the page re-reads them: on the live stream (`/live/escalations?id=…`, anyone recording
//! anything, the timer warning, breaching or moving it up) and every 30 seconds. The forms sit
//! outside what those re-reads redraw — they are redrawn only when what they offer changes
//! (status, level) — so a note half typed survives the clock ticking.

use super::actions::{recorder, ActFacts, ActionsCard};
use super::clocks::ClocksCard;
use super::follow_up::FollowUpCard;
use super::head::{EscalationHead, ResponsibleNow};
use super::history::History;
use super::parts::{every, REFRESH};
use crate::api::escalations::escalation_page;
use crate::components::live::listen_to;
use crate::components::notice::LoadError;
use crate::model::escalation::EscalationStatus;
use crate::model::portfolio::encode;
use crate::model::Permission;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn EscalationPage() -> impl IntoView {
    let params = use_params_map();
    let id = Signal::derive(move || params.get().get("id").unwrap_or_default());
    let tick = RwSignal::new(0u32);
    listen_to(
        Signal::derive(move || match id.get() {
            id if id.is_empty() => String::new(),
            id => format!("/live/escalations?id={}", encode(&id)),
        }),
        tick,
    );
    every(REFRESH, move || {
        tick.try_update(|n| *n += 1);
    });
    let data = Resource::new(move || (id.get(), tick.get()), |(id, _)| escalation_page(id));
    // What the forms offer; they are redrawn only when it changes.
    let facts = Memo::new(move |_| data.get().and_then(Result::ok).map(|v| ActFacts::of(&v)));
    let rec = recorder(id, tick);
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let ok = move || data.get().and_then(Result::ok);
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || data.get().map(|r| match r {
                Err(e) => view! { <LoadError error=e/> }.into_any(),
                Ok(v) => view! {
                    <EscalationHead e=v.escalation.clone() now=v.now/>
                    {(!v.can_act).then(|| view! {
                        <p class="muted small read-only" data-testid="esc-read-only">{format!("Read only: {}.", Permission::HandleEscalations.refusal())}</p>
                    })}
                    {(v.escalation.status != EscalationStatus::Resolved).then(|| view! {
                        <ResponsibleNow e=v.escalation.clone() hydrated/>
                    })}
                }.into_any(),
            })}
            <div class="esc-layout">
                <div class="esc-main">
                    {move || ok().map(|v| view! { <ClocksCard v hydrated/> })}
                    {move || facts.get().filter(|f| f.can_act).map(|f| view! { <ActionsCard f rec/> })}
                </div>
                <aside class="esc-side">
                    {move || facts.get().map(|f| view! { <FollowUpCard f done=tick/> })}
                    {move || ok().map(|v| view! { <History e=v.escalation now=v.now/> })}
                </aside>
            </div>
        </Transition>
    }
}
