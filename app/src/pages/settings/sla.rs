//! Settings → SLA & escalations.

use leptos::prelude::*;

#[component]
pub fn SlaSettingsPage() -> impl IntoView {
    view! { <h1>"SLA"</h1> }
}
