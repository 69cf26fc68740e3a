//! The filter bar. Each change navigates to the new URL; the table follows the URL.

use crate::api::accounts::list_industries;
use crate::api::users::list_staff;
use crate::model::Permission;
use crate::model::{PortfolioFilter, SizeTier, Stage};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

#[component]
pub fn FilterBar(filter: Memo<PortfolioFilter>) -> impl IntoView {
    let industries = Resource::new(|| (), |_| list_industries());
    let staff = Resource::new(|| (), |_| list_staff());
    let navigate = use_navigate();
    let go = move |f: PortfolioFilter| {
        let q = f.to_query();
        navigate(
            &if q.is_empty() { "/".to_string() } else { format!("/?{q}") },
            Default::default(),
        );
    };
    let change = move |apply: fn(&mut PortfolioFilter, String)| {
        let go = go.clone();
        move |ev: leptos::ev::Event| {
            let mut f = filter.get_untracked();
            apply(&mut f, event_target_value(&ev));
            f.page = 0;
            go(f);
        }
    };
    view! {
        <form class="filters" role="search" aria-label="Filter accounts" on:submit=|ev| ev.prevent_default()>
            <div class="filter search">
                <label for="flt-q">"Search"</label>
                <input id="flt-q" type="search" placeholder="Account name" prop:value=move || filter.get().q.unwrap_or_default()
                    on:change=change(|f, v| f.q = (!v.trim().is_empty()).then(|| v.trim().to_string()))/>
            </div>
            <div class="filter">
                <label for="flt-tier">"Tier"</label>
                <select id="flt-tier" on:change=change(|f, v| f.tier = SizeTier::parse(&v))>
                    <option value="" selected=move || filter.get().tier.is_none()>"All tiers"</option>
                    {SizeTier::ALL.iter().map(|t| {
                        let t = *t;
                        view! { <option value=t.key() selected=move || filter.get().tier == Some(t)>{t.label()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="filter">
                <label for="flt-industry">"Industry"</label>
                <select id="flt-industry" on:change=change(|f, v| f.industry = (!v.is_empty()).then_some(v))>
                    <option value="" selected=move || filter.get().industry.is_none()>"All industries"</option>
                    <Suspense fallback=|| ()>
                        {move || industries.get().map(|r| r.unwrap_or_default().into_iter().map(|i| {
                            let sel = i.clone();
                            let label = i.clone();
                            view! { <option value=i selected=move || filter.get().industry.as_deref() == Some(sel.as_str())>{label}</option> }
                        }).collect_view())}
                    </Suspense>
                </select>
            </div>
            <div class="filter">
                <label for="flt-stage">"Stage"</label>
                <select id="flt-stage" on:change=change(|f, v| f.stage = Stage::parse(&v))>
                    <option value="" selected=move || filter.get().stage.is_none()>"All stages"</option>
                    {Stage::ALL.iter().map(|s| {
                        let s = *s;
                        view! { <option value=s.key() selected=move || filter.get().stage == Some(s)>{s.label()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="filter">
                <label for="flt-owner">"Owner"</label>
                <select id="flt-owner" on:change=change(|f, v| f.owner = (!v.is_empty()).then_some(v))>
                    <option value="" selected=move || filter.get().owner.is_none()>"Anyone"</option>
                    <option value="none" selected=move || filter.get().owner.as_deref() == Some("none")>"No owner"</option>
                    <Suspense fallback=|| ()>
                        {move || staff.get().map(|r| r.unwrap_or_default().into_iter().filter(|u| u.role.may(Permission::EditAccounts)).map(|u| {
                            let id = u.id.clone();
                            view! { <option value=u.id.to_string() selected=move || filter.get().owner.as_deref() == Some(id.as_str())>{u.name}</option> }
                        }).collect_view())}
                    </Suspense>
                </select>
            </div>
            <div class="filter">
                <label for="flt-renewal">"Renewing by"</label>
                <input id="flt-renewal" type="date" prop:value=move || filter.get().renewal_before.map(|d| d.to_string()).unwrap_or_default()
                    on:change=change(|f, v| f.renewal_before = crate::model::dates::parse_iso(&v))/>
            </div>
            <div class="filter actions">
                <a class="button ghost small" href="/" class:hidden=move || filter.get().is_empty()>"Clear filters"</a>
            </div>
        </form>
    }
}
