//! Escalations: the list (`/escalations`), one escalation with its live clocks
//! (`/escalations/:id`, [`view`]), the SLA compliance report (`/reports/sla`, [`report`]).

pub mod report;
pub mod view;

use leptos::prelude::*;

#[component]
pub fn EscalationsPage() -> impl IntoView {
    view! { <h1>"Escalations"</h1> }
}
