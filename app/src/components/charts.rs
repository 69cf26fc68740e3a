//! Charts as plain SVG: rendered on the server (visible before the WASM loads, and on pages
//! that never load it), with axes, a tooltip per mark (`<title>`), and the same figures as a
//! table for screen readers.

use leptos::prelude::*;

/// One column of a [`ColumnChart`].
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub label: String,
    pub value: f64,
    /// CSS class of the bar (colour by band).
    pub class: &'static str,
    /// Tooltip and table text, e.g. "9: 14 responses".
    pub tip: String,
}

const W: f64 = 600.0;
const H: f64 = 220.0;
const LEFT: f64 = 44.0;
const BOTTOM: f64 = 28.0;
const TOP: f64 = 10.0;

/// "Nice" axis bounds and step: 0, 25, 50 … rather than 0, 23.7, 47.4.
fn nice_step(span: f64) -> f64 {
    let raw = span / 4.0;
    if raw <= 0.0 {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let nice = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 2.5 {
        2.5
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// Vertical columns from a zero baseline (negative values hang below it, as NPS can).
#[component]
pub fn ColumnChart(
    columns: Vec<Column>,
    /// What the chart shows, for its caption and for screen readers.
    caption: String,
    /// Name of the value column in the text alternative.
    value_name: &'static str,
    /// Force the axis to include these bounds (e.g. −100..100 for NPS).
    #[prop(optional)]
    min: Option<f64>,
    #[prop(optional)] max: Option<f64>,
    /// Counts: ticks at whole numbers only.
    #[prop(optional)]
    whole: bool,
) -> impl IntoView {
    if columns.is_empty() {
        return view! { <p class="muted small">"No data yet."</p> }.into_any();
    }
    let lo = columns.iter().map(|c| c.value).fold(min.unwrap_or(0.0).min(0.0), f64::min);
    let hi = columns.iter().map(|c| c.value).fold(max.unwrap_or(0.0).max(1.0), f64::max);
    let step = if whole { nice_step(hi - lo).max(1.0) } else { nice_step(hi - lo) };
    let lo = (lo / step).floor() * step;
    let hi = (hi / step).ceil() * step;
    let plot_h = H - TOP - BOTTOM;
    let y = move |v: f64| TOP + (hi - v) / (hi - lo) * plot_h;
    let n = columns.len() as f64;
    let slot = (W - LEFT) / n;
    let bar_w = (slot * 0.7).min(48.0);
    // Labels need ~50 px each: beyond 12 columns, label every other one (or fewer).
    let label_every = (n / 12.0).ceil().max(1.0) as usize;
    let label_every = if n > 8.0 && label_every == 1 && slot < 50.0 { 2 } else { label_every };
    let mut ticks = Vec::new();
    let mut t = lo;
    while t <= hi + step / 2.0 {
        ticks.push(t);
        t += step;
    }
    let zero = y(0.0);
    let table_rows = columns.clone();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=caption.clone() preserveAspectRatio="xMidYMid meet">
                {ticks.into_iter().map(|t| view! {
                    <g class="tick">
                        <line x1=LEFT x2=W y1=y(t) y2=y(t)/>
                        <text x=LEFT - 6.0 y=y(t) + 4.0 text-anchor="end">{format!("{t}")}</text>
                    </g>
                }).collect_view()}
                <line class="axis" x1=LEFT x2=W y1=zero y2=zero/>
                {columns.into_iter().enumerate().map(|(i, c)| {
                    let x = LEFT + slot * i as f64 + (slot - bar_w) / 2.0;
                    let top = y(c.value.max(0.0));
                    // A zero still gets a sliver, so "0" reads as a value, not as missing.
                    let height = (y(c.value.min(0.0)) - top).max(2.0);
                    let show = i % label_every == 0;
                    view! {
                        <g class=format!("col {}", c.class)>
                            <rect x=x y=top width=bar_w height=height rx="3"><title>{c.tip.clone()}</title></rect>
                            {show.then(|| view! { <text class="x" x=x + bar_w / 2.0 y=H - 8.0 text-anchor="middle">{c.label.clone()}</text> })}
                        </g>
                    }
                }).collect_view()}
            </svg>
            <ChartText caption head=vec!["Label", value_name] rows=table_rows.into_iter().map(|c| vec![c.label, c.tip]).collect()/>
        </figure>
    }
    .into_any()
}

/// A chart's caption, and its figures as a table for screen readers: columns `head`, one row
/// per mark (the first cell heads its row).
#[component]
pub fn ChartText(
    caption: String, head: Vec<&'static str>, rows: Vec<Vec<String>>,
) -> impl IntoView {
    view! {
        <figcaption class="muted small">{caption}</figcaption>
        <table class="sr-only">
            <thead><tr>{head.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr></thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let mut cells = row.into_iter();
                    let first = cells.next().unwrap_or_default();
                    view! { <tr><th scope="row">{first}</th>{cells.map(|c| view! { <td>{c}</td> }).collect_view()}</tr> }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn steps_are_round() {
        assert_eq!(super::nice_step(200.0), 50.0);
        assert_eq!(super::nice_step(14.0), 5.0);
        assert_eq!(super::nice_step(7.0), 2.0);
        assert_eq!(super::nice_step(0.0), 1.0);
    }
}
