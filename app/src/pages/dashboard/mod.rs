//! The executive dashboard (`/dashboard`): KPI tiles with their formulas and the accounts
//! behind them, the ARR waterfall, NRR/GRR by month, the cohort heatmap, health by band and
//! NPS over time — then customer voice, the portfolio and time to value ([`overview`]).
//!
//! The filters live in the address ([`filters`]), so a view is a link. The figures are the
//! server's ([`ExecDashboard`]); the page follows `/live/dashboard` and re-reads them whenever
//! a movement, a survey answer, a health change or an alert is written anywhere (and once when
//! the stream opens, to catch what was written in between), keeping the last figures on
//! screen meanwhile. Every resource is made here, outside the `Transition`s that read it.

mod cohorts;
mod drill;
mod filters;
mod health_nps;
mod overview;
mod retention_chart;
mod tiles;
mod waterfall;

use crate::api::revenue::{get_drill_down, get_exec_dashboard};
use crate::components::layout::use_me;
use crate::components::live::listen_to;
use crate::error::AppError;
use crate::model::dashboard::{DashboardFilter, Drill, ExecDashboard};
use crate::model::{Role, Timestamp};
use crate::pages::escalations::parts::browser_now;
use filters::{href, href_at, Read};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The CSV of the dashboard's figures.
pub const CSV_PATH: &str = "/exports/dashboard.csv";

#[component]
pub fn DashboardPage() -> impl IntoView {
    let own_book = use_me().role == Role::Csm;
    let query = use_query_map();
    let filter = Memo::new(move |_| filters::filter_of(&query.get()));
    let open = Memo::new(move |_| query.get().get("drill").and_then(|d| Drill::parse(d.trim())));
    let tick = RwSignal::new(0u32);
    listen_to(Signal::derive(|| "/live/dashboard".to_string()), tick);
    let dash = Resource::new(move || (filter.get(), tick.get()), |(f, _)| get_exec_dashboard(f));
    let drill_rows: Read<Option<crate::model::dashboard::DrillDown>> = Resource::new(
        move || (filter.get(), open.get(), tick.get()),
        |(f, d, _)| async move {
            match d {
                Some(d) => get_drill_down(f, d).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let segments = Resource::new(|| (), |_| crate::api::segments::list_segments());
    let staff = Resource::new(|| (), |_| crate::api::users::list_staff());
    let summary = Resource::new(|| (), |_| crate::api::accounts::get_portfolio_summary());
    let voice = Resource::new(|| (), |_| crate::api::surveys::get_voice_summary());
    let ttv = Resource::new(|| (), |_| crate::api::engagement::get_time_to_value());
    let months = RwSignal::new(12usize);
    let logos = RwSignal::new(false);
    let now = browser_now();
    view! {
        <Title text="Dashboard"/>
        <div class="page-head dash-head">
            <div>
                <h1>"Dashboard"</h1>
                <Scope dash filter own_book/>
            </div>
            <div class="dash-tools no-print">
                <span class="updated muted small" data-testid="updated">
                    <Transition fallback=|| ()>
                        {move || dash.get().and_then(|r| r.ok()).map(|d| updated_text(d.computed_at, now.get()))}
                    </Transition>
                </span>
                <a class="button small" href=move || href_at(CSV_PATH, &filter.get(), None) download="" rel="external"
                    data-testid="dashboard-csv">"Download CSV"</a>
                <PrintButton/>
            </div>
        </div>
        <filters::FilterBar filter dash segments staff own_book/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || dash.get().map(|r| match r {
                Ok(d) => view! {
                    <section class="dash-section kpi-section" aria-labelledby="kpi-h">
                        <h2 id="kpi-h" class="sr-only">"Key figures"</h2>
                        <tiles::Tiles tiles=d.tiles currency=d.currency filter=filter.get() open=open.get()/>
                    </section>
                }.into_any(),
                Err(AppError::Validation(_)) => view! {
                    <div class="banner banner-error" role="alert">"These filters cannot be read: the problem is shown beside the filter."</div>
                }.into_any(),
                Err(e) => view! { <div class="banner banner-error" role="alert">{format!("The dashboard could not load: {e}")}</div> }.into_any(),
            })}
        </Transition>
        <drill::DrillPanel open filter rows=drill_rows/>
        <Transition fallback=|| ()>
            {move || dash.get().and_then(|r| r.ok()).map(|d| view! { <Charts d months logos/> })}
        </Transition>
        <section class="dash-section overview" aria-label="Customer voice, portfolio and time to value">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move { voice.await.ok().map(|v| view! { <overview::VoiceFigures v/> }) })}
            </Suspense>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match summary.await {
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                        Ok(s) => view! { <overview::PortfolioFigures s/> }.into_any(),
                    }
                })}
            </Suspense>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move { ttv.await.ok().map(|t| view! { <overview::TimeToValueCard t/> }) })}
            </Suspense>
        </section>
    }
}

/// Whose accounts and which period; for a CSM, the way to the whole company and back.
#[component]
fn Scope(
    dash: Read<ExecDashboard>, filter: Memo<DashboardFilter>, own_book: bool,
) -> impl IntoView {
    view! {
        <Transition fallback=|| ()>
            {move || dash.get().and_then(|r| r.ok()).map(|d| {
                let p = d.periods;
                let f = filter.get();
                let switch = own_book.then(|| {
                    let (text, owner) = if f.owner.is_empty() { ("See the whole company", "all") } else { ("Back to your book", "") };
                    let target = href(&DashboardFilter { owner: owner.to_string(), ..f.clone() }, None);
                    view! { " · " <a href=target data-testid="owner-switch">{text}</a> }
                });
                view! {
                    <p class="muted dash-scope" data-testid="scope">
                        <strong>{d.scope}</strong>
                        {format!(" · {} – {}, compared with {} – {} · {}", day(p.from), day(p.to), day(p.prev_from), day(p.prev_to), d.currency)}
                        {switch}
                        {d.converted.map(|c| view! { <br/><span class="small" data-testid="converted">{c}</span> })}
                    </p>
                }
            })}
        </Transition>
    }
}

fn day(d: chrono::NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// "Updated just now" / "Updated 3 min ago": how fresh the figures on screen are.
pub fn updated_text(at: Timestamp, now: Option<Timestamp>) -> String {
    let secs = now.map(|n| (n - at).num_seconds()).unwrap_or(0);
    match secs {
        s if s < 60 => "Updated just now".to_string(),
        s if s < 3600 => format!("Updated {} min ago", s / 60),
        _ => format!("Updated {}", at.format("%-d %b %H:%M UTC")),
    }
}

/// Prints the page (the print stylesheet leaves out the navigation and the filters).
#[component]
fn PrintButton() -> impl IntoView {
    view! {
        <button type="button" class="button ghost small" on:click=|_| {
            #[cfg(feature = "hydrate")]
            if let Some(w) = web_sys::window() {
                let _ = w.print();
            }
        }>"Print"</button>
    }
}

/// Whether no ARR movement exists in the view at all (not just in this period).
fn no_movements(d: &ExecDashboard) -> bool {
    let w = &d.waterfall;
    [w.start, w.new, w.expansion, w.contraction, w.churn, w.reactivation, w.end]
        .iter()
        .all(|v| *v == 0)
        && d.monthly.iter().all(|m| m.cohort == 0)
        && d.cohorts.is_empty()
}

/// The charts, each its own section (and printed page).
#[component]
fn Charts(d: ExecDashboard, months: RwSignal<usize>, logos: RwSignal<bool>) -> impl IntoView {
    let cur = d.currency.clone();
    let period = format!("{} – {}", day(d.periods.from), day(d.periods.to));
    let revenue = if no_movements(&d) {
        view! {
            <section class="card empty-state dash-section" data-testid="no-movements">
                <h2>"No ARR movements yet"</h2>
                <p>"Retention, the waterfall and the cohorts are computed from the ARR ledger: every new logo, expansion, contraction, \
                    churn and reactivation, dated. Record movements on an account's page, import them from a CSV file, or send them \
                    from your billing system to "<code>"POST /api/v1/arr-movements"</code>" with an API key holding "<code>"revenue:write"</code>"."</p>
            </section>
        }
        .into_any()
    } else {
        view! {
            <div class="columns dash-grid">
                <section class="card dash-section" aria-labelledby="wf-h">
                    <h2 id="wf-h">"ARR movements"</h2>
                    <waterfall::WaterfallChart w=d.waterfall.clone() currency=cur.clone() period/>
                </section>
                <section class="card dash-section" aria-labelledby="ret-h">
                    <h2 id="ret-h">"NRR and GRR by month"</h2>
                    <retention_chart::RetentionChart all=d.monthly.clone() months/>
                </section>
            </div>
            <section class="card dash-section" aria-labelledby="coh-h">
                <h2 id="coh-h">"Cohorts"</h2>
                <cohorts::CohortHeatmap rows=d.cohorts.clone() currency=cur.clone() logos/>
            </section>
        }
        .into_any()
    };
    view! {
        {revenue}
        <div class="columns dash-grid">
            <section class="card dash-section" aria-labelledby="hb-h">
                <h2 id="hb-h">"Health by band"</h2>
                <p class="muted small">{format!("Accounts in this view by health band today, bars by ARR ({cur}).")}</p>
                <health_nps::HealthBands rows=d.health currency=cur.clone()/>
            </section>
            <section class="card dash-section" aria-labelledby="nps-h">
                <h2 id="nps-h">"NPS over time"</h2>
                <health_nps::NpsChart months=d.nps/>
            </section>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshness_reads_in_words() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-12-04T10:00:00Z").unwrap().to_utc();
        assert_eq!(updated_text(at, None), "Updated just now");
        assert_eq!(updated_text(at, Some(at + chrono::Duration::seconds(59))), "Updated just now");
        assert_eq!(
            updated_text(at, Some(at + chrono::Duration::seconds(150))),
            "Updated 2 min ago"
        );
        assert_eq!(
            updated_text(at, Some(at + chrono::Duration::hours(2))),
            "Updated 4 Dec 10:00 UTC"
        );
    }
}
