//! The usage half of the filter bar: health band, feature adoption, engagement, inactivity and
//! plan status. Set choices are links (each toggles one value, so they work before the page
//! hydrates); numbers navigate when changed, like the other filters.

use crate::model::plan::PlanStatus;
use crate::model::segment::plan_choices;
use crate::model::{BandChoice, Engagement, KeySet, Keyed, PortfolioFilter};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// The portfolio URL for a filter (first page).
fn href(mut f: PortfolioFilter) -> String {
    f.page = 0;
    let q = f.to_query();
    if q.is_empty() {
        "/".into()
    } else {
        format!("/?{q}")
    }
}

/// A number as an input shows it (empty for none).
fn shown<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// A group of toggle links, one per value of a vocabulary.
fn toggles<T: Keyed + 'static>(
    filter: Memo<PortfolioFilter>, label: &'static str, values: Vec<T>,
    name: fn(T) -> &'static str, get: fn(&PortfolioFilter) -> &KeySet<T>,
    set: fn(&mut PortfolioFilter, KeySet<T>),
) -> impl IntoView {
    view! {
        <div class="filter toggles" role="group" aria-label=label>
            <span class="filter-label">{label}</span>
            <div class="toggle-row">
                {values.into_iter().map(|v| {
                    let on = move || get(&filter.get()).contains(v);
                    let to = move || {
                        let mut f = filter.get();
                        let next = get(&f).toggled(v);
                        set(&mut f, next);
                        href(f)
                    };
                    view! {
                        <a class=format!("toggle t-{}", v.key()) class:on=on href=to
                            aria-pressed=move || on().to_string()>{name(v)}</a>
                    }
                }).collect_view()}
            </div>
        </div>
    }
}

#[component]
pub fn UsageFilters(filter: Memo<PortfolioFilter>) -> impl IntoView {
    let navigate = use_navigate();
    let number = move |apply: fn(&mut PortfolioFilter, Option<u32>)| {
        let navigate = navigate.clone();
        move |ev: leptos::ev::Event| {
            let mut f = filter.get_untracked();
            apply(&mut f, event_target_value(&ev).trim().parse::<u32>().ok());
            navigate(&href(f), Default::default());
        }
    };
    view! {
        <div class="filters usage-filters" role="search" aria-label="Filter accounts by usage">
            {toggles(filter, "Health", BandChoice::ALL.to_vec(), BandChoice::label, |f| &f.band, |f, s| f.band = s)}
            <div class="filter range">
                <span class="filter-label" id="flt-adoption">"Adoption %"</span>
                <div class="range-row" aria-labelledby="flt-adoption">
                    <input id="flt-adoption-min" type="number" min="0" max="100" inputmode="numeric" placeholder="from" aria-label="Adoption at least (percent)"
                        prop:value=move || shown(filter.get().adoption_min)
                        on:change=number(|f, v| f.adoption_min = v.filter(|p| *p <= 100).map(|p| p as u8))/>
                    <span aria-hidden="true">"–"</span>
                    <input id="flt-adoption-max" type="number" min="0" max="100" inputmode="numeric" placeholder="to" aria-label="Adoption at most (percent)"
                        prop:value=move || shown(filter.get().adoption_max)
                        on:change=number(|f, v| f.adoption_max = v.filter(|p| *p <= 100).map(|p| p as u8))/>
                </div>
            </div>
            {toggles(filter, "Engagement", Engagement::ALL.to_vec(), Engagement::label, |f| &f.engagement, |f, s| f.engagement = s)}
            <div class="filter">
                <label for="flt-inactive">"Inactive for"</label>
                <select id="flt-inactive" on:change=number(|f, v| f.inactive_days = v)>
                    <option value="" selected=move || filter.get().inactive_days.is_none()>"Any activity"</option>
                    {move || {
                        let current = filter.get().inactive_days;
                        let mut choices = vec![7u32, 14, 30, 60, 90];
                        if let Some(c) = current.filter(|c| !choices.contains(c)) {
                            choices.push(c);
                            choices.sort();
                        }
                        choices.into_iter().map(|d| view! {
                            <option value=d.to_string() selected=current == Some(d)>{format!("{d}+ days")}</option>
                        }).collect_view()
                    }}
                </select>
            </div>
            {toggles(filter, "Plan", plan_choices().collect(), PlanStatus::label, |f| &f.plan, |f, s| f.plan = s)}
        </div>
    }
}
