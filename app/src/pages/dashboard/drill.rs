//! A drill-down: the accounts behind a tile (the cohort, the expanded, the churned, the
//! detractors …), linkable as `?drill=expanded` next to the filters, with a CSV of the same
//! rows. Opening one from a tile moves the keyboard focus to it.

use super::filters::{href, href_at, Read};
use crate::model::dashboard::{DashboardFilter, Drill, DrillDown, DrillRow};
use crate::model::money::format_minor;
use leptos::html::Section;
use leptos::prelude::*;

/// The CSV download of a drill-down.
pub const CSV_PATH: &str = "/exports/dashboard-drill.csv";

#[component]
pub fn DrillPanel(
    open: Memo<Option<Drill>>, filter: Memo<DashboardFilter>, rows: Read<Option<DrillDown>>,
) -> impl IntoView {
    let panel = NodeRef::<Section>::new();
    // Opened (or switched) by a click: bring it into view and give it the focus.
    Effect::new(move |prev: Option<Option<Drill>>| {
        let now = open.get();
        if prev.is_some() && prev != Some(now) && now.is_some() {
            #[cfg(feature = "hydrate")]
            if let Some(el) = panel.get() {
                let _ = el.focus();
            }
        }
        now
    });
    view! {
        <section class="card drill" class:hidden=move || open.get().is_none() node_ref=panel tabindex="-1"
            aria-labelledby="drill-h" data-testid="drill">
            <div class="card-head">
                <h2 id="drill-h">{move || open.get().map(|d| d.label()).unwrap_or_default()}</h2>
                <div class="drill-actions no-print">
                    <a class="button small" href=move || href_at(CSV_PATH, &filter.get(), open.get()) download="" rel="external"
                        data-testid="drill-csv">"Download CSV"</a>
                    <a class="button ghost small" href=move || href(&filter.get(), None) aria-label="Close the list of accounts">"Close"</a>
                </div>
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || rows.get().map(|r| match r {
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    Ok(None) => ().into_any(),
                    Ok(Some(d)) => view! { <DrillTable d/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn DrillTable(d: DrillDown) -> impl IntoView {
    if d.rows.is_empty() {
        return view! { <p class="muted" data-testid="drill-empty">"No accounts in this period."</p> }.into_any();
    }
    let cur = d.currency.clone();
    let before: i64 = d.rows.iter().map(|r| r.arr_before).sum();
    let after: i64 = d.rows.iter().map(|r| r.arr_after).sum();
    let n = d.rows.len();
    view! {
        <p class="muted small">{format!("{n} account{} · ARR {} → {} ({cur})", if n == 1 { "" } else { "s" },
            format_minor(before, &cur), format_minor(after, &cur))}</p>
        <div class="table-wrap">
            <table class="drill-table">
                <thead>
                    <tr>
                        <th scope="col">"Account"</th>
                        <th scope="col">"Owner"</th>
                        <th scope="col" class="num">"ARR before"</th>
                        <th scope="col" class="num">"ARR after"</th>
                        <th scope="col">"Note"</th>
                    </tr>
                </thead>
                <tbody>
                    {d.rows.into_iter().map(|r| view! { <Row r cur=cur.clone()/> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn Row(r: DrillRow, cur: String) -> impl IntoView {
    let delta = r.arr_after - r.arr_before;
    let class = match delta.signum() {
        1 => "up",
        -1 => "down",
        _ => "",
    };
    view! {
        <tr data-testid="drill-row">
            <th scope="row"><a href=format!("/accounts/{}", r.account)>{r.name}</a></th>
            <td>{r.owner_name.unwrap_or_else(|| "—".into())}</td>
            <td class="num">{format_minor(r.arr_before, &cur)}</td>
            <td class=format!("num arr-after {class}")>{format_minor(r.arr_after, &cur)}</td>
            <td class="note">{r.note.unwrap_or_default()}</td>
        </tr>
    }
}
