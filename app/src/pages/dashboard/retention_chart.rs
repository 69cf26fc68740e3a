//! NRR and GRR month by month (each month's own cohort) over the last 12 or 24 months: two
//! lines against a 100 % reference, NRR solid and GRR dashed so they read apart in black and
//! white, a tooltip per point, and the figures as a table.

use crate::components::charts::ChartText;
use crate::model::dashboard::MonthRetention;
use leptos::prelude::*;

const W: f64 = 480.0;
const H: f64 = 230.0;
const LEFT: f64 = 54.0;
const RIGHT: f64 = 10.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 26.0;

fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{:.1} %", v * 100.0)).unwrap_or_else(|| "—".into())
}

/// The axis in percent: at least 90–110, widened to the data, on steps of 5, 10 or 25.
pub fn axis(months: &[MonthRetention]) -> (f64, f64, f64) {
    let vals = months.iter().flat_map(|m| [m.nrr, m.grr]).flatten().map(|v| v * 100.0);
    let (lo, hi) = vals.fold((90.0f64, 110.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let step = match hi - lo {
        s if s <= 30.0 => 5.0,
        s if s <= 60.0 => 10.0,
        _ => 25.0,
    };
    ((lo / step).floor() * step, (hi / step).ceil() * step, step)
}

/// A line through the months that have a figure (it breaks where one has none).
fn path(points: &[(f64, Option<f64>)], y: impl Fn(f64) -> f64) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for (x, v) in points {
        match v {
            Some(v) => {
                let cmd = if cur.is_empty() { 'M' } else { 'L' };
                cur.push_str(&format!("{cmd}{x:.1},{:.1} ", y(*v)));
            }
            None if !cur.is_empty() => out.push(std::mem::take(&mut cur)),
            None => {}
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The chart for the last `months.get()` months of `all` (oldest first), with its toggle.
#[component]
pub fn RetentionChart(all: Vec<MonthRetention>, months: RwSignal<usize>) -> impl IntoView {
    let toggle = move |n: usize| {
        view! {
            <button type="button" class="seg-btn" aria-pressed=move || (months.get() == n).to_string()
                on:click=move |_| months.set(n) data-testid=format!("months-{n}")>{format!("{n} months")}</button>
        }
    };
    view! {
        <div class="toggle-row no-print" role="group" aria-label="Months shown">{toggle(12)}{toggle(24)}</div>
        {move || {
            let n = months.get();
            let shown: Vec<MonthRetention> = all.iter().skip(all.len().saturating_sub(n)).cloned().collect();
            view! { <Lines shown/> }
        }}
    }
}

#[component]
fn Lines(shown: Vec<MonthRetention>) -> impl IntoView {
    if shown.iter().all(|m| m.nrr.is_none() && m.grr.is_none()) {
        return view! { <p class="muted small">"No month had a cohort yet: retention needs accounts with ARR at the start of a month."</p> }
            .into_any();
    }
    let (lo, hi, step) = axis(&shown);
    let plot_h = H - TOP - BOTTOM;
    let y = move |v: f64| TOP + (hi - v * 100.0) / (hi - lo) * plot_h;
    let slot = (W - LEFT - RIGHT) / shown.len() as f64;
    let x = move |i: usize| LEFT + slot * (i as f64 + 0.5);
    let every = if shown.len() > 12 { 3 } else { 2 };
    let mut ticks = Vec::new();
    let mut t = lo;
    while t <= hi + step / 2.0 {
        ticks.push(t);
        t += step;
    }
    let nrr: Vec<(f64, Option<f64>)> =
        shown.iter().enumerate().map(|(i, m)| (x(i), m.nrr)).collect();
    let grr: Vec<(f64, Option<f64>)> =
        shown.iter().enumerate().map(|(i, m)| (x(i), m.grr)).collect();
    let first = shown.first().map(|m| m.month.format("%b %Y").to_string()).unwrap_or_default();
    let last = shown.last().map(|m| m.month.format("%b %Y").to_string()).unwrap_or_default();
    let caption = format!("Net and gross revenue retention by month, {first} to {last} (each month's cohort; 100 % = kept all its ARR).");
    let rows: Vec<Vec<String>> = shown
        .iter()
        .map(|m| {
            vec![m.month.format("%b %Y").to_string(), pct(m.nrr), pct(m.grr), m.cohort.to_string()]
        })
        .collect();
    view! {
        <figure class="chart retention" data-testid="retention-chart">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=caption.clone() preserveAspectRatio="xMidYMid meet">
                {ticks.into_iter().map(|t| view! {
                    <g class="tick">
                        <line x1=LEFT x2=W - RIGHT y1=y(t / 100.0) y2=y(t / 100.0)/>
                        <text x=LEFT - 6.0 y=y(t / 100.0) + 4.0 text-anchor="end">{format!("{t:.0} %")}</text>
                    </g>
                }).collect_view()}
                <line class="ref" x1=LEFT x2=W - RIGHT y1=y(1.0) y2=y(1.0)/>
                {shown.iter().enumerate().filter(|(i, _)| (shown.len() - 1 - i).is_multiple_of(every)).map(|(i, m)| view! {
                    <text class="x" x=x(i) y=H - 8.0 text-anchor="middle">{m.month.format("%b %y").to_string()}</text>
                }).collect_view()}
                {path(&grr, y).into_iter().map(|d| view! { <path class="line grr" d=d/> }).collect_view()}
                {path(&nrr, y).into_iter().map(|d| view! { <path class="line nrr" d=d/> }).collect_view()}
                {shown.iter().enumerate().map(|(i, m)| {
                    let tip = format!("{}: NRR {}, GRR {} (cohort of {})", m.month.format("%b %Y"), pct(m.nrr), pct(m.grr), m.cohort);
                    view! {
                        <g class="pt">
                            {m.grr.map(|v| view! { <rect class="dot grr" x=x(i) - 3.0 y=y(v) - 3.0 width="6" height="6"><title>{tip.clone()}</title></rect> })}
                            {m.nrr.map(|v| view! { <circle class="dot nrr" cx=x(i) cy=y(v) r="3.5"><title>{tip.clone()}</title></circle> })}
                        </g>
                    }
                }).collect_view()}
            </svg>
            <ul class="legend small">
                <li><span class="key-line nrr" aria-hidden="true"></span>"NRR (with expansion)"</li>
                <li><span class="key-line grr" aria-hidden="true"></span>"GRR (losses only)"</li>
                <li><span class="key-line ref" aria-hidden="true"></span>"100 %"</li>
            </ul>
            <ChartText caption head=vec!["Month", "NRR", "GRR", "Cohort (logos)"] rows/>
        </figure>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn m(nrr: Option<f64>, grr: Option<f64>) -> MonthRetention {
        MonthRetention { month: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), nrr, grr, cohort: 3 }
    }

    #[test]
    fn the_axis_always_shows_100_and_widens_to_the_data() {
        assert_eq!(axis(&[m(Some(1.02), Some(0.97))]), (90.0, 110.0, 5.0));
        assert_eq!(axis(&[m(Some(1.31), Some(0.62))]), (50.0, 150.0, 25.0));
        assert_eq!(axis(&[m(None, None)]), (90.0, 110.0, 5.0));
    }

    #[test]
    fn lines_break_where_a_month_has_no_figure() {
        let p = path(&[(1.0, Some(1.0)), (2.0, None), (3.0, Some(1.0)), (4.0, Some(1.0))], |v| v);
        assert_eq!(p, vec!["M1.0,1.0 ".to_string(), "M3.0,1.0 L4.0,1.0 ".to_string()]);
    }
}
