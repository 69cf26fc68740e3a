//! Pages a person rarely opens first, each in its own WASM chunk that the browser fetches when
//! it goes there (or, on a direct load, alongside the main bundle: the server names the chunks
//! a page needs in preload hints). Only the portfolio — where a CSM's day starts — stays in the
//! main bundle, with the layout. Sign-in and set-up are lazy too: a signed-out visitor's page
//! names its pack in a preload hint, so it comes alongside the main bundle. The pages a CSM goes to next (an account, My work,
//! a plan) are fetched in the background once the page before them is live ([`warm_up`]), so
//! the click that opens them does not wait for the network.
//!
//! A route here is a [`LazyRoute`] whose `view` renders the page component: the page still
//! creates its own resources (hydration needs them made in the page component), so the data
//! request starts once the chunk is in. The split itself is done at build time by
//! `tools/wasm-split` (scripts/build-site.sh); on the server, and in a build that was not
//! split, these are ordinary routes.

use crate::pages;
use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// `RouteName ("/its/:path") => page component`: one lazily loaded route per line. The path
/// must be the route's in `App` (a test checks each against the router's own list); the server
/// uses it to name the files a directly loaded page needs ([`files_for`]).
macro_rules! lazy_pages {
    ($($route:ident ($path:literal) => $page:path),* $(,)?) => {
        /// Each lazy route's path pattern and the stem of its split point in the manifest.
        pub const PATHS: &[(&str, &str)] =
            &[("/accounts/:id", "AccountRoute"), $(($path, stringify!($route))),*];
        $(
        #[derive(Clone, Copy)]
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                use $page as Page;
                view! { <Page/> }.into_any()
            }
        }
    )*};
}

lazy_pages! {
    LoginRoute ("/login") => pages::auth::login::LoginPage,
    SetupRoute ("/setup") => pages::auth::setup::SetupPage,
    MyWorkRoute ("/my-work") => pages::my_work::MyWorkPage,
    NewAccountRoute ("/accounts/new") => pages::account::new::NewAccountPage,
    ImportRoute ("/accounts/import") => pages::import::ImportPage,
    EditAccountRoute ("/accounts/:id/edit") => pages::account::edit::EditAccountPage,
    PlanRoute ("/accounts/:id/plans/:plan") => pages::plan::PlanPage,
    SegmentsRoute ("/segments") => pages::segments::SegmentsPage,
    AlertsRoute ("/alerts") => pages::alerts::AlertsPage,
    EscalationsRoute ("/escalations") => pages::escalations::EscalationsPage,
    EscalationRoute ("/escalations/:id") => pages::escalations::view::EscalationPage,
    SlaReportRoute ("/reports/sla") => pages::escalations::report::SlaReportPage,
    DashboardRoute ("/dashboard") => pages::dashboard::DashboardPage,
    RevenueImportRoute ("/revenue/import") => pages::revenue_import::RevenueImportPage,
    SurveysRoute ("/surveys") => pages::surveys::list::SurveysPage,
    NewSurveyRoute ("/surveys/new") => pages::surveys::new::NewSurveyPage,
    SurveyRoute ("/surveys/:id") => pages::surveys::view::SurveyPage,
    AccountSettingsRoute ("/account") => pages::auth::account::AccountSettingsPage,
    FollowUpsRoute ("/follow-ups") => pages::follow_ups::FollowUpsPage,
    FeedbackRoute ("/feedback") => pages::feedback::FeedbackPage,
    UsersRoute ("/settings") => pages::settings::users::UsersPage,
    HealthSettingsRoute ("/settings/health") => pages::settings::health::HealthSettingsPage,
    TemplatesRoute ("/settings/templates") => pages::settings::templates::TemplatesPage,
    EngagementSettingsRoute ("/settings/engagement") => pages::settings::engagement::EngagementSettingsPage,
    AlertSettingsRoute ("/settings/alerts") => pages::settings::alerts::AlertSettingsPage,
    SlaSettingsRoute ("/settings/sla") => pages::settings::sla::SlaSettingsPage,
    RevenueSettingsRoute ("/settings/revenue") => pages::settings::revenue::RevenueSettingsPage,
    ApiKeysRoute ("/settings/api-keys") => pages::settings::api_keys::ApiKeysPage,
    WebhooksRoute ("/settings/webhooks") => pages::settings::webhooks::WebhooksPage,
}

/// The account page: a lazy route like those above, whose cards come in two packs of their
/// own (`pages::account::cards`; one pack was over the 150 KB a route may add). Its view waits
/// for both groups as well as for the page: then each group's `Suspend` is ready the moment it
/// is polled, so a directly loaded account hydrates against the cards the server sent (a group
/// still on its way would hydrate as an empty slot and panic), and a click from the portfolio
/// shows the whole page at once, not the head first. Written out because `#[lazy_route]`
/// allows no waiting in `view`; the split point keeps the name that macro gives it, which the
/// manifest lookup ([`files_for`]) and scripts/pack-routes.mjs expect.
#[derive(Clone, Copy)]
pub struct AccountRoute;

#[allow(non_snake_case)]
#[leptos::lazy]
fn __AccountRoute_View(_this: AccountRoute) -> AnyView {
    use pages::account::view::AccountPage;
    view! { <AccountPage/> }.into_any()
}

impl LazyRoute for AccountRoute {
    fn data() -> Self {
        AccountRoute
    }

    async fn view(this: Self) -> AnyView {
        futures::join!(__AccountRoute_View(this), pages::account::cards::load()).0
    }

    async fn preload() {
        #[cfg(target_arch = "wasm32")]
        futures::join!(__preload___AccountRoute_View(), pages::account::cards::load());
    }
}

/// How long a page is live before [`warm_up`] starts: just long enough for the requests a page
/// makes as it comes alive (its live stream, a re-read) to go first. Measured on slow 4G: with
/// 1.5 s, an account clicked at once on the portfolio took 2.2 s to show (BENCHMARKS.md).
const WARM_UP_AFTER_MS: u64 = 300;

/// Once the current page has been live a moment, fetch route `R`'s pack in the background: its
/// links are on this page, and on a slow phone network the pack takes seconds to come. Loading
/// it is all it does (nothing renders); a second call finds it loaded.
pub fn warm_up<R: LazyRoute>() {
    Effect::new(|_| {
        set_timeout(
            || leptos::task::spawn_local(R::preload()),
            std::time::Duration::from_millis(WARM_UP_AFTER_MS),
        );
    });
}

/// The route pattern `path` (`/surveys/:id`) matches: static segments equal, `:param` any one.
fn matches(pattern: &str, path: &str) -> bool {
    let mut want = pattern.trim_matches('/').split('/');
    let mut got = path.trim_matches('/').split('/');
    loop {
        match (want.next(), got.next()) {
            (None, None) => return true,
            (Some(w), Some(g)) if w.starts_with(':') && !g.is_empty() => {}
            (Some(w), Some(g)) if w == g => {}
            _ => return false,
        }
    }
}

/// The files in `pkg/` a direct load of `path` needs, read from the split manifest
/// (`{ "__dashboard_route_view_<hash>": ["dashboard_route.<hash>.pack"] }`, as
/// scripts/pack-routes.mjs leaves it; a route with parts lists their packs after its own): the
/// server names them in preload hints so they download alongside the main bundle, not after
/// it. A static pattern wins over a parameter (`/surveys/new` over `/surveys/:id`). Empty for a main-bundle page.
pub fn files_for<'m>(
    manifest: &'m std::collections::HashMap<String, Vec<String>>, path: &str,
) -> &'m [String] {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let route = PATHS
        .iter()
        .filter(|(pattern, _)| matches(pattern, path))
        .min_by_key(|(pattern, _)| pattern.matches(':').count());
    let Some((_, route)) = route else { return &[] };
    let stem = format!("__{}_view_", snake(route));
    manifest.iter().find(|(k, _)| k.starts_with(&stem)).map(|(_, v)| v.as_slice()).unwrap_or(&[])
}

/// `DashboardRoute` → `dashboard_route`, as the split point is named.
fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn manifest() -> HashMap<String, Vec<String>> {
        HashMap::from([
            ("__survey_route_view_1".into(), vec!["survey_route.0a1b.pack".into()]),
            ("__new_survey_route_view_1".into(), vec!["new_survey_route.2c3d.pack".into()]),
            ("__plan_route_view_1".into(), vec!["plan_route.4e5f.pack".into()]),
            // A route with parts (pages::account::cards) lists their packs after its own.
            (
                "__account_route_view_1".into(),
                vec![
                    "account_route.6a7b.pack".into(),
                    "account_route_part_attention.8c9d.pack".into(),
                    "account_route_part_work.0e1f.pack".into(),
                ],
            ),
            ("account_route_part_work_2".into(), vec!["account_route_part_work.0e1f.pack".into()]),
        ])
    }

    #[test]
    fn a_direct_load_names_its_route_chunks() {
        let m = manifest();
        assert_eq!(files_for(&m, "/surveys/0193abc?tab=answers"), ["survey_route.0a1b.pack"]);
        assert_eq!(files_for(&m, "/surveys/new"), ["new_survey_route.2c3d.pack"]);
        assert_eq!(files_for(&m, "/accounts/acme/plans/p1"), ["plan_route.4e5f.pack"]);
        assert_eq!(
            files_for(&m, "/accounts/acme"),
            [
                "account_route.6a7b.pack",
                "account_route_part_attention.8c9d.pack",
                "account_route_part_work.0e1f.pack"
            ]
        );
        // Main-bundle pages, and paths that only look alike, preload nothing.
        for path in ["/", "/surveys/a/b", "/accounts//plans/p1", "/accounts/acme/x"] {
            assert!(files_for(&m, path).is_empty(), "{path}");
        }
        assert_eq!(snake("SlaSettingsRoute"), "sla_settings_route");
    }

    /// Every lazy path is the path of its route in the router (else nothing is preloaded).
    #[test]
    fn every_lazy_path_is_a_route_of_the_app() {
        let routes = include_str!("lib.rs");
        for (path, route) in PATHS {
            let line = routes
                .lines()
                .find(|l| l.contains(&format!("Lazy::<lazy::{route}>")))
                .unwrap_or_else(|| panic!("{route} is not routed"));
            let segment = line.split("path!(\"").nth(1).and_then(|r| r.split('"').next()).unwrap();
            assert!(path.ends_with(segment), "{path} is routed as {segment}");
        }
    }
}
