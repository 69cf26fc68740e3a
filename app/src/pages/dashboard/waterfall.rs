//! The ARR waterfall of the period: start → new → expansion → contraction → churn →
//! reactivation → end, as floating bars with their amounts, server-rendered SVG with the same
//! figures as a table. Drawn on a phone-sized canvas (360 units wide, labels staggered on two
//! rows) so it stays readable at 360 px and simply grows on a desktop.

use crate::components::charts::ChartText;
use crate::metrics::revenue::Waterfall;
use crate::model::money::{format_compact, format_minor};
use leptos::prelude::*;

const W: f64 = 360.0;
const H: f64 = 240.0;
const SIDE: f64 = 4.0;
const TOP: f64 = 22.0;
const BOTTOM: f64 = 40.0;

/// One bar: its name, the change it shows (signed; totals are their level), and where it
/// floats (low, high).
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub name: &'static str,
    pub amount: i64,
    pub total: bool,
    pub low: i64,
    pub high: i64,
}

/// The seven bars, each starting where the one before ended.
pub fn steps(w: &Waterfall) -> Vec<Step> {
    let mut level = w.start;
    let mut out = vec![Step { name: "Start", amount: w.start, total: true, low: 0, high: w.start }];
    for (name, delta) in [
        ("New", w.new),
        ("Expansion", w.expansion),
        ("Contraction", -w.contraction),
        ("Churn", -w.churn),
        ("Reactivation", w.reactivation),
    ] {
        let next = level + delta;
        out.push(Step {
            name,
            amount: delta,
            total: false,
            low: level.min(next),
            high: level.max(next),
        });
        level = next;
    }
    out.push(Step { name: "End", amount: w.end, total: true, low: 0, high: w.end });
    out
}

/// A bar's amount as its label reads: a level plainly, a movement with its sign.
fn amount_text(s: &Step, currency: &str, compact: bool) -> String {
    let f = |v: i64| if compact { format_compact(v, currency) } else { format_minor(v, currency) };
    match (s.total, s.amount.signum()) {
        (true, _) => f(s.amount),
        (false, -1) => format!("−{}", f(-s.amount)),
        (false, _) => format!("+{}", f(s.amount)),
    }
}

/// Where the axis starts: at zero, unless the movements are small beside the totals; then
/// below the lowest level they reach by their own span (on a round figure), so they show as
/// more than slivers. The totals' bars are drawn broken at the bottom to say so.
pub fn baseline(steps: &[Step]) -> i64 {
    let top = steps.iter().map(|s| s.high).max().unwrap_or(0);
    let floor = steps.iter().filter(|s| !s.total).map(|s| s.low).min().unwrap_or(0);
    let span = (top - floor).max(1);
    if floor < 3 * span {
        return 0;
    }
    let unit = 10f64.powf((span as f64).log10().floor()) as i64;
    ((floor - span) / unit * unit).max(0)
}

#[component]
pub fn WaterfallChart(w: Waterfall, currency: String, period: String) -> impl IntoView {
    let steps = steps(&w);
    let base = baseline(&steps);
    let hi = steps.iter().map(|s| s.high).max().unwrap_or(0).max(base + 1) as f64;
    let plot_h = H - TOP - BOTTOM;
    let y = move |v: i64| TOP + (hi - v.max(base) as f64) / (hi - base as f64) * plot_h;
    let slot = (W - 2.0 * SIDE) / steps.len() as f64;
    let bar_w = slot * 0.62;
    let axis_note = if base > 0 {
        format!(
            " The axis starts at {} (broken bars), so the movements show.",
            format_compact(base, &currency)
        )
    } else {
        String::new()
    };
    let caption = format!(
        "ARR movements, {period}: {} at the start, {} at the end ({currency}).{axis_note}",
        format_minor(w.start, &currency),
        format_minor(w.end, &currency)
    );
    let rows: Vec<Vec<String>> =
        steps.iter().map(|s| vec![s.name.to_string(), amount_text(s, &currency, false)]).collect();
    let summary = steps
        .iter()
        .map(|s| format!("{} {}", s.name, amount_text(s, &currency, false)))
        .collect::<Vec<_>>()
        .join(", ");
    let n = steps.len();
    let bars = steps
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let x = SIDE + slot * i as f64 + (slot - bar_w) / 2.0;
            let class = match (s.total, s.amount.signum()) {
                (true, _) => "wf-total",
                (false, -1) => "wf-down",
                _ => "wf-up",
            };
            let top = y(s.high);
            let height = (y(s.low) - top).max(1.5);
            // The level after this bar, carried to the next one by a dashed connector.
            let level = if s.total || s.amount >= 0 { s.high } else { s.low };
            let connector = (i + 1 < n).then(|| {
                view! { <line class="wf-link" x1=x + bar_w x2=x + slot y1=y(level) y2=y(level)/> }
            });
            let label_y = if i % 2 == 0 { H - BOTTOM + 15.0 } else { H - BOTTOM + 31.0 };
            let cx = x + bar_w / 2.0;
            view! {
                <g class=format!("wf {class}")>
                    <rect x=x y=top width=bar_w height=height rx="2">
                        <title>{format!("{}: {}", s.name, amount_text(&s, &currency, false))}</title>
                    </rect>
                    {(s.total && base > 0).then(|| {
                        let b = y(base) - 7.0;
                        let d = format!("M{:.1},{:.1} l{:.1},-4 l{:.1},4 l{:.1},-4", x - 1.0, b, (bar_w + 2.0) / 3.0, (bar_w + 2.0) / 3.0, (bar_w + 2.0) / 3.0);
                        view! { <path class="wf-break" d=d/> }
                    })}
                    // A loss is labelled under its bar, clear of the label of the gain before it.
                    <text class="wf-value" x=cx y=if class == "wf-down" { top + height + 12.0 } else { top - 5.0 }
                        text-anchor="middle">{amount_text(&s, &currency, true)}</text>
                    <text class="x" x=cx y=label_y text-anchor="middle">{s.name}</text>
                    {connector}
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart waterfall" data-testid="waterfall">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=format!("{caption} {summary}.") preserveAspectRatio="xMidYMid meet">
                <line class="axis" x1=SIDE x2=W - SIDE y1=y(0) y2=y(0)/>
                {bars}
            </svg>
            <ChartText caption head=vec!["Step", "Amount"] rows/>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bar_starts_where_the_last_ended_and_the_end_is_the_total() {
        let w = Waterfall {
            start: 1000,
            new: 200,
            expansion: 100,
            contraction: 50,
            churn: 150,
            reactivation: 20,
            end: 1120,
        };
        let s = steps(&w);
        let spans: Vec<(i64, i64)> = s.iter().map(|s| (s.low, s.high)).collect();
        assert_eq!(
            spans,
            vec![
                (0, 1000),
                (1000, 1200),
                (1200, 1300),
                (1250, 1300),
                (1100, 1250),
                (1100, 1120),
                (0, 1120)
            ]
        );
        assert_eq!(amount_text(&s[3], "USD", false), "−$0.50");
        assert_eq!(amount_text(&s[1], "USD", false), "+$2");
        assert_eq!(
            baseline(&s),
            700,
            "below the lowest level (1 000) by the movements' span (300)"
        );
        let big = Waterfall { start: 100, new: 200, end: 300, ..Default::default() };
        assert_eq!(
            baseline(&steps(&big)),
            0,
            "movements as large as the totals need no broken axis"
        );
        let small = Waterfall {
            start: 79_600_000,
            new: 0,
            expansion: 3_410_000,
            contraction: 2_410_000,
            churn: 1_600_000,
            reactivation: 900_000,
            end: 79_900_000,
        };
        let b = baseline(&steps(&small));
        assert!(b > 70_000_000 && b < 79_000_000, "{b}");
    }
}
