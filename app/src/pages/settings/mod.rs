//! Settings (admins): users and survey rules, health models, API keys.

pub mod api_keys;
pub mod engagement;
pub mod health;
pub mod surveys;
pub mod templates;
pub mod users;

use leptos::prelude::*;

/// The tabs across the settings pages.
#[component]
pub fn SettingsNav(current: &'static str) -> impl IntoView {
    let tabs = [
        ("users", "/settings", "Users & surveys"),
        ("health", "/settings/health", "Health models"),
        ("templates", "/settings/templates", "Journey templates"),
        ("engagement", "/settings/engagement", "Engagement"),
        ("api", "/settings/api-keys", "API keys"),
    ];
    view! {
        <nav class="tabs" aria-label="Settings">
            {tabs.into_iter().map(|(key, href, label)| view! {
                <a href=href class:active=key == current aria-current=if key == current { "page" } else { "false" }>{label}</a>
            }).collect_view()}
        </nav>
    }
}
