//! The cohort heatmap: one row per quarter in which accounts started, one column per quarter
//! since, each cell the share of the cohort's starting ARR still there (or, on the toggle, of
//! its logos). A real table with header cells, so it reads cell by cell; the colour only
//! repeats the number written in it.

use crate::model::dashboard::CohortRow;
use crate::model::money::{format_compact, format_minor};
use leptos::prelude::*;

/// The colour step of a retained share: 0 (lost most) … 5 (grew past its start).
pub fn heat(v: f64) -> u8 {
    match v {
        v if v >= 1.05 => 5,
        v if v >= 0.95 => 4,
        v if v >= 0.85 => 3,
        v if v >= 0.7 => 2,
        v if v >= 0.5 => 1,
        _ => 0,
    }
}

#[component]
pub fn CohortHeatmap(
    rows: Vec<CohortRow>, currency: String, logos: RwSignal<bool>,
) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted small">"No cohorts yet: a cohort is the accounts whose first ARR fell in the same quarter."</p> }
            .into_any();
    }
    let width = rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    let toggle = move |by_logos: bool, text: &'static str, id: &'static str| {
        view! {
            <button type="button" class="seg-btn" aria-pressed=move || (logos.get() == by_logos).to_string()
                on:click=move |_| logos.set(by_logos) data-testid=id>{text}</button>
        }
    };
    view! {
        <div class="toggle-row no-print" role="group" aria-label="Cells show">
            {toggle(false, "% of starting ARR", "cohort-arr")}{toggle(true, "% of logos", "cohort-logos")}
        </div>
        {move || {
            let by_logos = logos.get();
            let what = if by_logos { "logos still active" } else { "starting ARR retained" };
            view! {
                <div class="table-wrap heat-wrap">
                    <table class="heatmap" data-testid="cohorts">
                        <caption class="muted small">{format!("Share of each start quarter's {what}, by quarters since it started (Q+0 = the start quarter).")}</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Started"</th>
                                <th scope="col" class="num">"Logos"</th>
                                <th scope="col" class="num">"Starting ARR"</th>
                                {(0..width).map(|q| view! { <th scope="col" class="num">{format!("Q+{q}")}</th> }).collect_view()}
                            </tr>
                        </thead>
                        <tbody>
                            {rows.iter().map(|r| view! {
                                <tr>
                                    <th scope="row">{r.label.clone()}</th>
                                    <td class="num">{r.logos}</td>
                                    <td class="num" title=format_minor(r.start_arr, &currency)>{format_compact(r.start_arr, &currency)}</td>
                                    {(0..width).map(|q| match r.cells.get(q).copied().flatten() {
                                        Some((arr, logo)) => {
                                            let v = if by_logos { logo } else { arr };
                                            view! { <td class=format!("num heat heat-{}", heat(v))>{format!("{:.0} %", v * 100.0)}</td> }.into_any()
                                        }
                                        None => view! { <td class="num heat-none"><span class="sr-only">"not reached yet"</span></td> }.into_any(),
                                    }).collect_view()}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }
        }}
        <ul class="legend small heat-legend" aria-hidden="true">
            <li><span class="swatch heat-0"></span>"< 50 %"</li>
            <li><span class="swatch heat-2"></span>"70–85 %"</li>
            <li><span class="swatch heat-4"></span>"95–105 %"</li>
            <li><span class="swatch heat-5"></span>"> 105 %"</li>
        </ul>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    #[test]
    fn steps_of_colour_follow_the_share_kept() {
        let steps: Vec<u8> = [0.2, 0.5, 0.72, 0.9, 1.0, 1.2].into_iter().map(super::heat).collect();
        assert_eq!(steps, vec![0, 1, 2, 3, 4, 5]);
    }
}
