//! Bellwether: the isomorphic crate. Compiled with `ssr` into the server and with `hydrate`
//! into the browser's WASM; the model, validation and metrics are the same code on both sides.

pub mod api;
pub mod components;
pub mod error;
pub mod lazy;
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
    path, Lazy, SsrMode,
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
                {route_preloads(&options)}
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Preload hints for the pack of a lazily loaded route opened directly (`app::lazy`), so it
/// downloads alongside the main bundle instead of after it. (Leptos's own hints come too late
/// with async server rendering.) The manifest is read once; a build that was not split has none.
#[cfg(feature = "ssr")]
fn route_preloads(options: &LeptosOptions) -> impl IntoView {
    use std::collections::HashMap;
    static MANIFEST: std::sync::OnceLock<HashMap<String, Vec<String>>> = std::sync::OnceLock::new();
    let manifest = MANIFEST.get_or_init(|| {
        let file =
            format!("{}/{}/__wasm_split_manifest.json", options.site_root, options.site_pkg_dir);
        std::fs::read_to_string(file)
            .ok()
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default()
    });
    let path =
        use_context::<http::request::Parts>().map(|p| p.uri.path().to_string()).unwrap_or_default();
    let pkg = options.site_pkg_dir.clone();
    lazy::files_for(manifest, &path)
        .iter()
        .map(|file| {
            view! { <link rel="preload" href=format!("/{pkg}/{file}") r#as="fetch" crossorigin=""/> }
        })
        .collect_view()
}

#[cfg(not(feature = "ssr"))]
fn route_preloads(_: &LeptosOptions) -> impl IntoView {}

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
    // `<body data-hydrated>` (the page is live) is set by the browser entry point once the
    // asynchronous hydration, lazily loaded route included, has finished (frontend/src/lib.rs).
    view! {
        <Stylesheet id="leptos" href="/pkg/bellwether.css"/>
        <Title formatter=|t: String| if t.is_empty() { "Bellwether".to_string() } else { format!("{t} · Bellwether") }/>
        <Router>
            <Routes fallback=pages::not_found::NotFound>
                <Route path=path!("/setup") view={Lazy::<lazy::SetupRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/login") view={Lazy::<lazy::LoginRoute>::new()}/>
                // Async: the server waits for the session check before sending headers, so a
                // signed-out visitor gets a real 302 and an unknown account a real 404.
                <ParentRoute path=path!("") view=components::layout::Layout ssr=SsrMode::Async>
                    <Route path=path!("") view=pages::portfolio::PortfolioPage ssr=SsrMode::Async/>
                    <Route path=path!("accounts/new") view={Lazy::<lazy::NewAccountRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("accounts/import") view={Lazy::<lazy::ImportRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("accounts/:id") view={Lazy::<lazy::AccountRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("accounts/:id/plans/:plan") view={Lazy::<lazy::PlanRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("accounts/:id/edit") view={Lazy::<lazy::EditAccountRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("segments") view={Lazy::<lazy::SegmentsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("alerts") view={Lazy::<lazy::AlertsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("escalations") view={Lazy::<lazy::EscalationsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("escalations/:id") view={Lazy::<lazy::EscalationRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("reports/sla") view={Lazy::<lazy::SlaReportRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("dashboard") view={Lazy::<lazy::DashboardRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("revenue/import") view={Lazy::<lazy::RevenueImportRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("surveys") view={Lazy::<lazy::SurveysRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("surveys/new") view={Lazy::<lazy::NewSurveyRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("surveys/:id") view={Lazy::<lazy::SurveyRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("account") view={Lazy::<lazy::AccountSettingsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("my-work") view={Lazy::<lazy::MyWorkRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("follow-ups") view={Lazy::<lazy::FollowUpsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("feedback") view={Lazy::<lazy::FeedbackRoute>::new()} ssr=SsrMode::Async/>
                    // Admins only: the parent checks the permission once for every tab.
                    <ParentRoute path=path!("settings") view=pages::settings::SettingsPage ssr=SsrMode::Async>
                        <Route path=path!("") view={Lazy::<lazy::UsersRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("health") view={Lazy::<lazy::HealthSettingsRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("templates") view={Lazy::<lazy::TemplatesRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("engagement") view={Lazy::<lazy::EngagementSettingsRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("alerts") view={Lazy::<lazy::AlertSettingsRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("sla") view={Lazy::<lazy::SlaSettingsRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("revenue") view={Lazy::<lazy::RevenueSettingsRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("api-keys") view={Lazy::<lazy::ApiKeysRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("webhooks") view={Lazy::<lazy::WebhooksRoute>::new()} ssr=SsrMode::Async/>
                    </ParentRoute>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
