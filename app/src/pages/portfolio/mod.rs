//! The portfolio: every account, filtered, sorted and paged, with saved segments.

mod filters;
mod segments;
mod table;
mod usage_filters;

use crate::api::accounts::get_portfolio;
use crate::components::layout::Card;
use crate::model::PortfolioFilter;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const KEYS: &[&str] = &[
    "q",
    "tier",
    "industry",
    "stage",
    "owner",
    "renewal_before",
    "band",
    "adoption_min",
    "adoption_max",
    "engagement",
    "inactive_days",
    "plan",
    "sort",
    "dir",
    "page",
];

/// The filter in the address bar: the URL is the state, so every view can be bookmarked,
/// shared and reloaded.
pub fn use_filter() -> Memo<PortfolioFilter> {
    let query = use_query_map();
    Memo::new(move |_| {
        let q = query.get();
        let pairs: Vec<(&str, String)> =
            KEYS.iter().filter_map(|k| q.get(k).map(|v| (*k, v))).collect();
        PortfolioFilter::from_query(pairs.iter().map(|(k, v)| (*k, v.as_str())))
    })
}

#[component]
pub fn PortfolioPage() -> impl IntoView {
    let filter = use_filter();
    let page = Resource::new(move || filter.get(), get_portfolio);
    let health = Resource::new(
        move || filter.get().criteria().to_query(),
        crate::api::health::health_distribution,
    );
    let can_import =
        crate::components::layout::use_me().role.may(crate::model::Permission::ManageSettings);
    // Every row links to an account page and the nav to My work: both are lazily loaded.
    crate::lazy::warm_up::<crate::lazy::AccountRoute>();
    crate::lazy::warm_up::<crate::lazy::MyWorkRoute>();
    view! {
        <Title text="Portfolio"/>
        <div class="page-head">
            <div>
                <h1>"Portfolio"</h1>
                <p class="muted" aria-live="polite">
                    <Transition fallback=|| "Loading…">
                        {move || page.get().map(|r| r.map(|p| p.range_label()).unwrap_or_default())}
                    </Transition>
                </p>
            </div>
            {can_import.then(|| view! {
                <a class="button ghost small" href="/accounts/import" data-testid="import-link">"Import from CSV"</a>
            })}
        </div>
        <segments::SegmentBar filter/>
        <filters::FilterBar filter/>
        <usage_filters::UsageFilters filter/>
        <Card id="dist-h" title="Health of these accounts" class="health-dist">
            <Transition fallback=|| view! { <p class="muted small">"Loading…"</p> }>
                {move || health.get().map(|r| match r {
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    Ok(d) => view! {
                        <crate::components::distribution::DistributionView dist=d
                            caption="Accounts matching the filters (churned left out); ARR per band.".to_string()/>
                    }.into_any(),
                })}
            </Transition>
        </Card>
        <table::AccountsTable filter page/>
    }
}
