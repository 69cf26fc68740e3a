//! Settings (admins): users and survey rules, health models, journey templates, cadence rules,
//! alert rules and playbooks, SLA, revenue (gross margin), API keys, webhooks.
//!
//! Every settings page sits under one `/settings` parent route ([`SettingsPage`]) that asks the
//! permission question once and renders the page in its `<Outlet/>`. The pages need
//! `ManageUsers` (users), `ManageApiKeys` (API keys) or `ManageSettings` (the rest); all three
//! are admin-only, so the parent demands [`Permission::ManageSettings`]. If they ever part, the
//! page whose permission differs checks its own as well. The server functions behind each page
//! demand their own permission regardless: the route guard only spares people a page of errors.

pub mod alerts;
pub mod api_keys;
pub mod engagement;
pub mod engagement_levels;
pub mod health;
pub mod playbooks;
pub mod revenue;
pub mod sla;
pub mod surveys;
pub mod templates;
pub mod users;
pub mod webhooks;

use crate::components::layout::use_me;
use crate::components::notice::LoadError;
use crate::error::AppError;
use crate::model::Permission;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Outlet;

/// The permission every settings page needs.
const SETTINGS: Permission = Permission::ManageSettings;

/// The parent of every settings page: the permission check, then the page.
#[component]
pub fn SettingsPage() -> impl IntoView {
    if use_me().role.may(SETTINGS) {
        view! { <Outlet/> }.into_any()
    } else {
        view! { <LoadError error=AppError::Forbidden(SETTINGS.refusal().into())/> }.into_any()
    }
}

/// A settings tab: its key, link and label.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Users,
    Health,
    Templates,
    Engagement,
    Alerts,
    Sla,
    Revenue,
    ApiKeys,
    Webhooks,
}

impl Tab {
    const ALL: [Tab; 9] = [
        Tab::Users,
        Tab::Health,
        Tab::Templates,
        Tab::Engagement,
        Tab::Alerts,
        Tab::Sla,
        Tab::Revenue,
        Tab::ApiKeys,
        Tab::Webhooks,
    ];

    fn href(self) -> &'static str {
        match self {
            Tab::Users => "/settings",
            Tab::Health => "/settings/health",
            Tab::Templates => "/settings/templates",
            Tab::Engagement => "/settings/engagement",
            Tab::Alerts => "/settings/alerts",
            Tab::Sla => "/settings/sla",
            Tab::Revenue => "/settings/revenue",
            Tab::ApiKeys => "/settings/api-keys",
            Tab::Webhooks => "/settings/webhooks",
        }
    }

    /// The page's title (the tab's label, but "Users" for the first tab and "Alert rules" for
    /// the alerts tab).
    fn title(self) -> &'static str {
        match self {
            Tab::Users => "Users",
            // The Alerts page (outside settings) is "Alerts".
            Tab::Alerts => "Alert rules",
            tab => tab.label(),
        }
    }

    fn label(self) -> &'static str {
        match self {
            Tab::Users => "Users & surveys",
            Tab::Health => "Health models",
            Tab::Templates => "Journey templates",
            Tab::Engagement => "Engagement",
            Tab::Alerts => "Alerts",
            Tab::Sla => "SLA & escalations",
            Tab::Revenue => "Revenue",
            Tab::ApiKeys => "API keys",
            Tab::Webhooks => "Webhooks",
        }
    }
}

/// The head of a settings page: its title (in the document too), what this page is for
/// (`intro`), and the tabs with `current` marked.
#[component]
pub fn SettingsHead(current: Tab, intro: &'static str) -> impl IntoView {
    view! {
        <Title text=current.title()/>
        <div class="page-head"><div><h1>"Settings"</h1><p class="muted">{intro}</p></div></div>
        <nav class="tabs" aria-label="Settings">
            {Tab::ALL.into_iter().map(|tab| {
                let here = tab == current;
                view! { <a href=tab.href() class:active=here aria-current=if here { "page" } else { "false" }>{tab.label()}</a> }
            }).collect_view()}
        </nav>
    }
}
