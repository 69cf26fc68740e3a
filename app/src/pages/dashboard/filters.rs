//! The dashboard's global filters: period (with its day or custom span), segment, owner and
//! currency. The address bar is the state (`?period=month&from=2026-03-01&segment=…`), so a
//! view is a link that survives a reload and can be sent to the board; the bar is a plain GET
//! form, so it works before the page is live, and once it is, each change replaces the query.
//! A refusal from the server (a date that is not one, an unknown segment) shows beside the
//! filter it names.

use crate::error::AppError;
use crate::model::dashboard::{DashboardFilter, Drill, ExecDashboard, PeriodKind};
use crate::model::{Segment, User};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::params::ParamsMap;
use leptos_router::NavigateOptions;

pub type Read<T> = Resource<Result<T, AppError>>;

/// The page's address.
pub const PATH: &str = "/dashboard";

/// The filter as the address carries it (missing keys are empty: the defaults).
pub fn filter_of(q: &ParamsMap) -> DashboardFilter {
    let get = |k: &str| q.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    DashboardFilter {
        period: get("period"),
        from: get("from"),
        to: get("to"),
        segment: get("segment"),
        owner: get("owner"),
        currency: get("currency"),
    }
}

/// The query pairs of a filter, leaving out empty (default) values.
pub fn pairs(f: &DashboardFilter) -> Vec<(&'static str, String)> {
    [
        ("period", &f.period),
        ("from", &f.from),
        ("to", &f.to),
        ("segment", &f.segment),
        ("owner", &f.owner),
        ("currency", &f.currency),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| (k, v.clone()))
    .collect()
}

/// `path` with the filter (and the drill-down, if any) as its query.
pub fn href_at(path: &str, f: &DashboardFilter, drill: Option<Drill>) -> String {
    let mut p = pairs(f);
    if let Some(d) = drill {
        p.push(("drill", d.key().to_string()));
    }
    crate::components::pager::href(path, &p)
}

/// The dashboard's address for a filter and drill-down.
pub fn href(f: &DashboardFilter, drill: Option<Drill>) -> String {
    href_at(PATH, f, drill)
}

/// The period kind the filter names (the default is a quarter; an unknown one reads as it).
fn kind_of(f: &DashboardFilter) -> PeriodKind {
    PeriodKind::parse(&f.period).unwrap_or(PeriodKind::Quarter)
}

/// The filter after choosing `kind`: a custom span starts as the period on screen, so the
/// first custom view is the one the person was looking at; leaving custom keeps its start as
/// the day the period contains.
fn with_kind(
    mut f: DashboardFilter, kind: PeriodKind, shown: Option<(String, String)>,
) -> DashboardFilter {
    f.period = if kind == PeriodKind::Quarter { String::new() } else { kind.key().to_string() };
    match kind {
        PeriodKind::Custom => {
            if let Some((from, to)) = shown {
                if f.from.is_empty() {
                    f.from = from;
                }
                if f.to.is_empty() {
                    f.to = to;
                }
            }
        }
        PeriodKind::Ttm => {
            f.from.clear();
            f.to.clear();
        }
        _ => f.to.clear(),
    }
    f
}

/// The message the server gave for `field`, beside that filter.
#[component]
fn FilterError(field: &'static str, dash: Read<ExecDashboard>) -> impl IntoView {
    view! {
        <Transition fallback=|| ()>
            {move || {
                let msg = dash.get().and_then(|r| r.err()).and_then(|e| e.for_field(field));
                msg.map(|m| view! { <small class="error" id=format!("df-{field}-error") data-testid="filter-error">{m}</small> })
            }}
        </Transition>
    }
}

/// The filter bar. `dash`, `segments` and `staff` are the page's resources; `own_book` says
/// whether the signed-in person's default is their own book (a CSM).
#[component]
pub fn FilterBar(
    filter: Memo<DashboardFilter>, dash: Read<ExecDashboard>, segments: Read<Vec<Segment>>,
    staff: Read<Vec<User>>, own_book: bool,
) -> impl IntoView {
    let navigate = use_navigate();
    // Once live, a change applies at once; the Apply button is for the page before that.
    let live = RwSignal::new(false);
    Effect::new(move |_| live.set(true));
    let go = move |f: DashboardFilter| {
        let opts = NavigateOptions { replace: true, scroll: false, ..Default::default() };
        navigate(&href(&f, None), opts);
    };
    let go_kind = go.clone();
    let change = move |apply: fn(&mut DashboardFilter, String)| {
        let go = go.clone();
        move |ev: leptos::ev::Event| {
            let mut f = filter.get_untracked();
            apply(&mut f, event_target_value(&ev));
            go(f);
        }
    };
    let on_kind = move |ev: leptos::ev::Event| {
        let kind = PeriodKind::parse(&event_target_value(&ev)).unwrap_or(PeriodKind::Quarter);
        let shown = dash
            .get_untracked()
            .and_then(|r| r.ok())
            .map(|d| (d.periods.from.to_string(), d.periods.to.to_string()));
        go_kind(with_kind(filter.get_untracked(), kind, shown));
    };
    let f0 = filter.get_untracked();
    let kind = move || kind_of(&filter.get());
    let default_owner = if own_book { "Your book" } else { "Whole company" };
    view! {
        <form class="filters dash-filters" method="get" action=PATH role="search" aria-label="Dashboard filters"
            on:submit=|ev| ev.prevent_default()>
            <div class="filter">
                <label for="df-period">"Period"</label>
                <select id="df-period" name="period" prop:value=move || kind().key() on:change=on_kind>
                    {PeriodKind::ALL.iter().map(|k| view! {
                        <option value=k.key() selected=kind_of(&f0) == *k>{k.label()}</option>
                    }).collect_view()}
                </select>
                <FilterError field="period" dash/>
            </div>
            <div class="filter" class:hidden=move || kind() == PeriodKind::Ttm>
                <label for="df-from">{move || if kind() == PeriodKind::Custom { "From" } else { "Day in the period" }}</label>
                <input type="date" id="df-from" name="from" prop:value=move || filter.get().from
                    on:change=change(|f, v| f.from = v)/>
                <FilterError field="from" dash/>
            </div>
            <div class="filter" class:hidden=move || kind() != PeriodKind::Custom>
                <label for="df-to">"To"</label>
                <input type="date" id="df-to" name="to" prop:value=move || filter.get().to
                    on:change=change(|f, v| f.to = v)/>
                <FilterError field="to" dash/>
            </div>
            <div class="filter">
                <label for="df-segment">"Segment"</label>
                <select id="df-segment" name="segment" prop:value=move || filter.get().segment
                    on:change=change(|f, v| f.segment = v)>
                    <option value="" selected=f0.segment.is_empty()>"All accounts"</option>
                    <Transition fallback=|| ()>
                        {move || segments.get().map(|r| r.unwrap_or_default().into_iter().map(|s| {
                            let sel = filter.get_untracked().segment == s.id;
                            view! { <option value=s.id selected=sel>{s.name}</option> }
                        }).collect_view())}
                    </Transition>
                </select>
                <FilterError field="segment" dash/>
            </div>
            <div class="filter">
                <label for="df-owner">"Owner"</label>
                <select id="df-owner" name="owner" prop:value=move || filter.get().owner
                    on:change=change(|f, v| f.owner = v)>
                    <option value="" selected=f0.owner.is_empty()>{default_owner}</option>
                    {own_book.then(|| view! { <option value="all" selected=f0.owner == "all">"Whole company"</option> })}
                    <Transition fallback=|| ()>
                        {move || staff.get().map(|r| r.unwrap_or_default().into_iter()
                            .filter(|u| u.role.can_edit_accounts())
                            .map(|u| {
                                let id = u.id.to_string();
                                let sel = filter.get_untracked().owner == id;
                                view! { <option value=id selected=sel>{u.name}</option> }
                            }).collect_view())}
                    </Transition>
                </select>
                <FilterError field="owner" dash/>
            </div>
            <div class="filter">
                <label for="df-currency">"Currency"</label>
                <select id="df-currency" name="currency" prop:value=move || filter.get().currency
                    on:change=change(|f, v| f.currency = v)>
                    <option value="" selected=f0.currency.is_empty()>"Main currency"</option>
                    <Transition fallback=|| ()>
                        {move || dash.get().and_then(|r| r.ok()).map(|d| d.currencies.into_iter().map(|c| {
                            let sel = filter.get_untracked().currency == c;
                            let label = if c == crate::model::fx::ALL_CURRENCIES { "All currencies (converted)".to_string() } else { c.clone() };
                            view! { <option value=c.clone() selected=sel>{label}</option> }
                        }).collect_view())}
                    </Transition>
                </select>
                <FilterError field="currency" dash/>
            </div>
            <div class="filter actions">
                <button type="submit" class="button small" class:hidden=move || live.get()>"Apply"</button>
                <a class="button ghost small" href=PATH class:hidden=move || filter.get() == DashboardFilter::default()>"Clear filters"</a>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_is_a_link_without_its_defaults() {
        let f = DashboardFilter {
            period: "month".into(),
            from: "2026-03-01".into(),
            segment: "seg 1".into(),
            ..Default::default()
        };
        assert_eq!(href(&f, None), "/dashboard?period=month&from=2026-03-01&segment=seg%201");
        assert_eq!(
            href(&f, Some(Drill::Expanded)),
            "/dashboard?period=month&from=2026-03-01&segment=seg%201&drill=expanded"
        );
        assert_eq!(href(&DashboardFilter::default(), None), "/dashboard");
        let q = ParamsMap::from_iter([
            ("period".to_string(), "ttm".to_string()),
            ("owner".to_string(), " all ".to_string()),
        ]);
        let back = filter_of(&q);
        assert_eq!(
            (back.period.as_str(), back.owner.as_str(), back.from.as_str()),
            ("ttm", "all", "")
        );
    }

    #[test]
    fn choosing_custom_starts_from_the_period_on_screen() {
        let shown = Some(("2026-10-01".to_string(), "2026-12-31".to_string()));
        let f = with_kind(DashboardFilter::default(), PeriodKind::Custom, shown.clone());
        assert_eq!(
            (f.period.as_str(), f.from.as_str(), f.to.as_str()),
            ("custom", "2026-10-01", "2026-12-31")
        );
        let back = with_kind(f, PeriodKind::Quarter, shown);
        assert_eq!(
            (back.period.as_str(), back.from.as_str(), back.to.as_str()),
            ("", "2026-10-01", "")
        );
    }
}
