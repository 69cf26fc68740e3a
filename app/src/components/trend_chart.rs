//! A health score over time, as SVG rendered on the server: a 0–100 axis with the colour bands
//! behind the line, a dot with a tooltip per day, dashed markers where the model version
//! changed, and the same figures as a table for screen readers.

use super::charts::ChartText;
use crate::model::health::{Band, Bands};
use chrono::NaiveDate;
use leptos::prelude::*;

#[derive(Debug, Clone, PartialEq)]
pub struct TrendPoint {
    pub day: NaiveDate,
    pub score: Option<u8>,
    pub band: Option<Band>,
    /// e.g. "Default v2"
    pub version: String,
}

const W: f64 = 960.0;
const H: f64 = 220.0;
const LEFT: f64 = 36.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 26.0;

/// Day positions of the x-axis labels: about six, on round dates.
fn label_days(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let span = (to - from).num_days().max(1);
    let step = match span {
        0..=14 => 2,
        15..=45 => 7,
        46..=120 => 14,
        _ => 61,
    };
    let mut out = Vec::new();
    let mut d = to;
    while d >= from {
        out.push(d);
        d -= chrono::Duration::days(step);
    }
    out.reverse();
    out
}

#[component]
pub fn TrendChart(
    points: Vec<TrendPoint>, bands: Bands,
    /// The first day of the range shown (the axis starts here even without data).
    from: NaiveDate,
    to: NaiveDate, caption: String,
) -> impl IntoView {
    if points.iter().all(|p| p.score.is_none()) {
        return view! { <p class="muted small">"No score history in this period yet."</p> }
            .into_any();
    }
    let span = (to - from).num_days().max(1) as f64;
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let x = move |d: NaiveDate| LEFT + (d - from).num_days() as f64 / span * plot_w;
    let y = move |v: f64| TOP + (100.0 - v) / 100.0 * plot_h;
    // The line breaks where a day has no score.
    let mut segments: Vec<String> = Vec::new();
    let mut current = String::new();
    for p in &points {
        match p.score {
            Some(s) => {
                let cmd = if current.is_empty() { 'M' } else { 'L' };
                current.push_str(&format!("{cmd}{:.1},{:.1} ", x(p.day), y(s as f64)));
            }
            None if !current.is_empty() => segments.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        segments.push(current);
    }
    let changes: Vec<(NaiveDate, String)> = points
        .windows(2)
        .filter(|w| w[0].version != w[1].version)
        .map(|w| (w[1].day, w[1].version.clone()))
        .collect();
    let bands_view = [
        (0.0, bands.yellow_from as f64, "zone-red"),
        (bands.yellow_from as f64, bands.green_from as f64, "zone-yellow"),
        (bands.green_from as f64, 100.0, "zone-green"),
    ];
    let dots = points.iter().filter(|p| p.score.is_some()).count();
    let many = dots > 60;
    let table = points.clone();
    view! {
        <figure class="chart trend">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=caption.clone() preserveAspectRatio="xMidYMid meet">
                {bands_view.into_iter().map(|(lo, hi, class)| view! {
                    <rect class=class x=LEFT y=y(hi) width=plot_w height=(y(lo) - y(hi)).max(0.0)/>
                }).collect_view()}
                {[0.0, 25.0, 50.0, 75.0, 100.0].into_iter().map(|t| view! {
                    <g class="tick">
                        <line x1=LEFT x2=W - RIGHT y1=y(t) y2=y(t)/>
                        <text x=LEFT - 6.0 y=y(t) + 4.0 text-anchor="end">{format!("{t}")}</text>
                    </g>
                }).collect_view()}
                {label_days(from, to).into_iter().map(|d| view! {
                    // The last label ends at the axis end rather than running past it.
                    <text class="x" x=x(d) y=H - 8.0 text-anchor=if d == to { "end" } else { "middle" }>{d.format("%d %b").to_string()}</text>
                }).collect_view()}
                {changes.into_iter().map(|(d, v)| view! {
                    <g class="version-mark">
                        <line x1=x(d) x2=x(d) y1=TOP y2=H - BOTTOM/>
                        <text x=x(d) + 3.0 y=TOP + 10.0>{v.clone()}</text>
                        <title>{format!("Model changed to {v} on {}", d.format("%d %b %Y"))}</title>
                    </g>
                }).collect_view()}
                {segments.into_iter().map(|d| view! { <path class="line" d=d/> }).collect_view()}
                {points.into_iter().filter_map(|p| p.score.map(|s| (p, s))).map(|(p, s)| view! {
                    <circle class=format!("dot {}", p.band.map(|b| b.key()).unwrap_or("none")) cx=x(p.day) cy=y(s as f64) r=if many { 2.0 } else { 3.5 }>
                        <title>{format!("{}: {} ({})", p.day.format("%d %b %Y"), s, p.version)}</title>
                    </circle>
                }).collect_view()}
            </svg>
            <ChartText caption head=vec!["Day", "Score", "Model"] rows=table.into_iter().map(|p| vec![
                p.day.to_string(),
                p.score.map(|s| s.to_string()).unwrap_or_else(|| "no score".into()),
                p.version,
            ]).collect()/>
        </figure>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn about_six_round_labels_ending_today() {
        let to = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let l = label_days(to - chrono::Duration::days(30), to);
        assert_eq!(*l.last().unwrap(), to);
        assert!(l.len() >= 4 && l.len() <= 6, "{l:?}");
        let l = label_days(to - chrono::Duration::days(365), to);
        assert!(l.len() >= 5 && l.len() <= 7, "{l:?}");
    }
}
