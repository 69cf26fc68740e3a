//! Health by band (accounts and the ARR in each, as bars) and NPS month by month.

use crate::components::charts::{Column, ColumnChart};
use crate::model::dashboard::{BandRow, NpsMonth};
use crate::model::money::{format_compact, format_minor};
use leptos::prelude::*;

fn band_name(r: &BandRow) -> &'static str {
    r.band.map(|b| b.label()).unwrap_or("Not scored")
}

/// One bar per band, as long as its ARR; the count of accounts beside it.
#[component]
pub fn HealthBands(rows: Vec<BandRow>, currency: String) -> impl IntoView {
    if rows.iter().all(|r| r.accounts == 0) {
        return view! { <p class="muted small">"No accounts in this view."</p> }.into_any();
    }
    let max = rows.iter().map(|r| r.arr).max().unwrap_or(0).max(1);
    let total: usize = rows.iter().map(|r| r.accounts).sum();
    view! {
        <ul class="bars band-bars" data-testid="health-bands">
            {rows.into_iter().map(|r| {
                let pct = (r.arr.max(0) as f64 / max as f64 * 100.0).round();
                let key = r.band.map(|b| b.key()).unwrap_or("none");
                let label = format!("{}: {} accounts, {} ARR", band_name(&r), r.accounts, format_minor(r.arr, &currency));
                view! {
                    <li>
                        <span class="bar-label"><span class=format!("health-dot {key}") aria-hidden="true"></span>{band_name(&r)}
                            <span class="muted small band-count">{format!("{} of {total} accounts", r.accounts)}</span></span>
                        <span class="bar" role="img" aria-label=label>
                            <span class=format!("bar-fill band-{key}") style=format!("width:{pct}%")></span>
                        </span>
                        <span class="bar-value">{format_compact(r.arr, &currency)}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// NPS per month on its −100..100 scale; a month without answers says so.
#[component]
pub fn NpsChart(months: Vec<NpsMonth>) -> impl IntoView {
    if months.iter().all(|m| m.nps.is_none()) {
        return view! { <p class="muted small">"No NPS answers in the last 12 months. Send an NPS survey from Surveys, or import answers \
            through POST /api/v1/survey-responses."</p> }
        .into_any();
    }
    let columns = months
        .into_iter()
        .map(|m| {
            let label = m.month.format("%b").to_string();
            let when = m.month.format("%b %Y");
            match m.nps {
                Some(v) => Column {
                    label,
                    value: v,
                    class: if v < 0.0 {
                        "band-low"
                    } else if v < 30.0 {
                        "band-mid"
                    } else {
                        "band-high"
                    },
                    tip: format!("{when}: NPS {v:+.0} ({} answers)", m.responses),
                },
                None => Column {
                    label,
                    value: 0.0,
                    class: "col-none",
                    tip: format!("{when}: no answers"),
                },
            }
        })
        .collect();
    view! {
        <div data-testid="nps-chart">
            <ColumnChart columns caption="NPS by month, last 12 months (promoters % − detractors %).".to_string()
                value_name="NPS" min=-100.0 max=100.0/>
        </div>
    }
    .into_any()
}
