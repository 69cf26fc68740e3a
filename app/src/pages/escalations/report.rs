//! The SLA compliance report.

use leptos::prelude::*;

#[component]
pub fn SlaReportPage() -> impl IntoView {
    view! { <h1>"SLA compliance"</h1> }
}
