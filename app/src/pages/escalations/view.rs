//! One escalation with its live clocks.

use leptos::prelude::*;

#[component]
pub fn EscalationPage() -> impl IntoView {
    view! { <h1>"Escalation"</h1> }
}
