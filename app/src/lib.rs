//! Bellwether: the isomorphic crate. Compiled with `ssr` into the server and with `hydrate`
//! into the browser's WASM; the model, validation and metrics are the same code on both sides.

pub mod api;
pub mod components;
pub mod error;
pub mod metrics;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod csv_export;
#[cfg(feature = "ssr")]
pub mod limits;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod survey_token;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path, SsrMode,
};

/// The HTML document around the app (server side).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="data:,"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Scripts run only from our origin or with this response's nonce (the hydration bootstrap and
/// the streamed resource data); WASM may compile; no plugins, frames or foreign form targets.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    let Some(opts) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    let nonce = leptos::nonce::use_nonce().map(|n| format!(" 'nonce-{n}'")).unwrap_or_default();
    let csp = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{nonce}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    );
    if let Ok(v) = http::HeaderValue::from_str(&csp) {
        opts.insert_header(http::header::CONTENT_SECURITY_POLICY, v);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Effects run only in the browser, after hydration: the mark tells tests (and curious
    // people) that the page is live.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Stylesheet id="leptos" href="/pkg/bellwether.css"/>
        <Title formatter=|t: String| if t.is_empty() { "Bellwether".to_string() } else { format!("{t} · Bellwether") }/>
        <Router>
            <Routes fallback=pages::not_found::NotFound>
                <Route path=path!("/setup") view=pages::auth::setup::SetupPage ssr=SsrMode::Async/>
                <Route path=path!("/login") view=pages::auth::login::LoginPage/>
                // Async: the server waits for the session check before sending headers, so a
                // signed-out visitor gets a real 302 and an unknown account a real 404.
                <ParentRoute path=path!("") view=components::layout::Layout ssr=SsrMode::Async>
                    <Route path=path!("") view=pages::portfolio::PortfolioPage ssr=SsrMode::Async/>
                    <Route path=path!("accounts/new") view=pages::account::new::NewAccountPage ssr=SsrMode::Async/>
                    <Route path=path!("accounts/:id") view=pages::account::view::AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("accounts/:id/plans/:plan") view=pages::plan::PlanPage ssr=SsrMode::Async/>
                    <Route path=path!("accounts/:id/edit") view=pages::account::edit::EditAccountPage ssr=SsrMode::Async/>
                    <Route path=path!("segments") view=pages::segments::SegmentsPage ssr=SsrMode::Async/>
                    <Route path=path!("alerts") view=pages::alerts::AlertsPage ssr=SsrMode::Async/>
                    <Route path=path!("escalations") view=pages::escalations::EscalationsPage ssr=SsrMode::Async/>
                    <Route path=path!("escalations/:id") view=pages::escalations::view::EscalationPage ssr=SsrMode::Async/>
                    <Route path=path!("reports/sla") view=pages::escalations::report::SlaReportPage ssr=SsrMode::Async/>
                    <Route path=path!("dashboard") view=pages::dashboard::DashboardPage ssr=SsrMode::Async/>
                    <Route path=path!("revenue/import") view=pages::revenue_import::RevenueImportPage ssr=SsrMode::Async/>
                    <Route path=path!("surveys") view=pages::surveys::list::SurveysPage ssr=SsrMode::Async/>
                    <Route path=path!("surveys/new") view=pages::surveys::new::NewSurveyPage ssr=SsrMode::Async/>
                    <Route path=path!("surveys/:id") view=pages::surveys::view::SurveyPage ssr=SsrMode::Async/>
                    <Route path=path!("account") view=pages::auth::account::AccountSettingsPage ssr=SsrMode::Async/>
                    <Route path=path!("my-work") view=pages::my_work::MyWorkPage ssr=SsrMode::Async/>
                    <Route path=path!("follow-ups") view=pages::follow_ups::FollowUpsPage ssr=SsrMode::Async/>
                    <Route path=path!("feedback") view=pages::feedback::FeedbackPage ssr=SsrMode::Async/>
                    // Admins only: the parent checks the permission once for every tab.
                    <ParentRoute path=path!("settings") view=pages::settings::SettingsPage ssr=SsrMode::Async>
                        <Route path=path!("") view=pages::settings::users::UsersPage ssr=SsrMode::Async/>
                        <Route path=path!("health") view=pages::settings::health::HealthSettingsPage ssr=SsrMode::Async/>
                        <Route path=path!("templates") view=pages::settings::templates::TemplatesPage ssr=SsrMode::Async/>
                        <Route path=path!("engagement") view=pages::settings::engagement::EngagementSettingsPage ssr=SsrMode::Async/>
                        <Route path=path!("alerts") view=pages::settings::alerts::AlertSettingsPage ssr=SsrMode::Async/>
                        <Route path=path!("sla") view=pages::settings::sla::SlaSettingsPage ssr=SsrMode::Async/>
                        <Route path=path!("revenue") view=pages::settings::revenue::RevenueSettingsPage ssr=SsrMode::Async/>
                        <Route path=path!("api-keys") view=pages::settings::api_keys::ApiKeysPage ssr=SsrMode::Async/>
                    </ParentRoute>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
