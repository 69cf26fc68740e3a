//! Escalations: the list (`/escalations`), one escalation with its live clocks
//! (`/escalations/:id`, [`view`]), the SLA compliance report (`/reports/sla`, [`report`]).
//!
//! The list follows the live stream: an escalation raised, worked or breached anywhere shows
//! here without a reload.

mod actions;
mod clocks;
pub mod fields;
mod filters;
mod follow_up;
mod head;
mod history;
pub mod parts;
pub mod raise;
pub mod report;
mod report_tables;
mod table;
pub mod uptime;
pub mod view;

use crate::api::escalations::{escalations_page, EscalationList};
use crate::components::layout::use_me;
use crate::components::live::listen_to;
use crate::error::AppError;
use crate::model::Permission;
use filters::{EscalationQuery, FilterBar};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The filters in the address bar.
fn use_escalation_query() -> Memo<EscalationQuery> {
    let query = use_query_map();
    Memo::new(move |_| {
        let q = query.get();
        let keys = ["state", "severity", "mine", "pages"];
        let pairs: Vec<(&str, String)> =
            keys.iter().filter_map(|k| q.get(k).map(|v| (*k, v))).collect();
        EscalationQuery::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
    })
}

/// The escalations `q` shows: its pages one after another, each continuing the last one's
/// cursor. Re-read as a whole (live changes, "Load more"), so what is on screen is never stale.
async fn load(q: EscalationQuery) -> Result<EscalationList, AppError> {
    let mut f = q.filter();
    let mut first = escalations_page(f.clone()).await?;
    f.cursor = first.next_cursor.clone();
    for _ in 1..q.pages {
        if f.cursor.is_none() {
            break;
        }
        let page = escalations_page(f.clone()).await?;
        first.rows.extend(page.rows);
        f.cursor = page.next_cursor;
    }
    first.next_cursor = f.cursor;
    Ok(first)
}

#[component]
pub fn EscalationsPage() -> impl IntoView {
    let me = use_me();
    let can_act = me.role.may(Permission::HandleEscalations);
    let query = use_escalation_query();
    let tick = RwSignal::new(0u32);
    listen_to(Signal::derive(|| "/live/escalations".to_string()), tick);
    let list = Resource::new(move || (query.get(), tick.get()), |(q, _)| load(q));
    let now = parts::browser_now();
    view! {
        <Title text="Escalations"/>
        <div class="page-head">
            <div>
                <h1>"Escalations"</h1>
                <p class="muted">"Customer problems worked along an escalation path, against SLA clocks that count business time. Newest first; the most urgent clock of each."</p>
                {(!can_act).then(|| view! { <p class="muted small read-only">{format!("Read only: {}.", Permission::HandleEscalations.refusal())}</p> })}
            </div>
            <a class="button ghost" href="/reports/sla">"SLA compliance"</a>
        </div>
        <FilterBar query/>
        <table::EscalationsTable query list now/>
    }
}
