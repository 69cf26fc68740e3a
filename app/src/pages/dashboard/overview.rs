//! The sections the dashboard had before the revenue figures, below them: customer voice
//! (last 90 days against the 90 before), the portfolio by tier and stage, and time to value.

use crate::components::layout::Card;
use crate::metrics::survey::format_score;
use crate::model::money::{format_compact, format_minor};
use leptos::prelude::*;
/// Survey scores of the last 90 days against the 90 before, and the closed-loop figures.
#[component]
pub fn VoiceFigures(v: crate::model::VoiceSummary) -> impl IntoView {
    let fu = v.follow_ups.clone();
    view! {
        <section aria-labelledby="voice-h" class="voice">
            <h2 id="voice-h">"Customer voice " <span class="muted small">"· last 90 days vs the 90 before · "<a
                href="/surveys">"surveys"</a></span></h2>
            <div class="kpis">
                {v.figures.into_iter().map(|(k, now, before)| {
                    let delta = now.value.zip(before.value).map(|(a, b)| a - b);
                    view! {
                        <div class="kpi" title=k.formula()>
                            <span class="kpi-label">{k.label()}</span>
                            <span class="kpi-value">{format_score(k, now.value)}</span>
                            <span class="kpi-note">
                                {format!("{} response{}", now.n, if now.n == 1 { "" } else { "s" })}
                                {delta.map(|d| {
                                    let (arrow, class) = if d > 0.05 { ("▲", "up") } else if d < -0.05 { ("▼", "down") } else { ("▶", "flat") };
                                    let txt = if k == crate::model::SurveyKind::Ces { format!("{d:+.1}") } else { format!("{d:+.0}") };
                                    view! { " · " <span class=format!("trend {class}")>{format!("{arrow} {txt}")}</span> }
                                })}
                            </span>
                        </div>
                    }
                }).collect_view()}
                <div class="kpi" title="Follow-ups closed ÷ follow-ups opened by low scores (all time)">
                    <span class="kpi-label">"Closed-loop rate"</span>
                    <span class="kpi-value">{fu.closed_rate.map(|r| format!("{r:.0}%")).unwrap_or_else(|| "—".into())}</span>
                    <span class="kpi-note">{format!("{} open · {} overdue", fu.opened - fu.closed, fu.overdue)}
                        {fu.median_hours_to_close.map(|h| format!(" · median {:.1} days to close", h / 24.0))}</span>
                </div>
            </div>
        </section>
    }
}

/// Accounts, ARR and renewals, and the portfolio by size tier and by lifecycle stage.
#[component]
pub fn PortfolioFigures(s: crate::model::PortfolioSummary) -> impl IntoView {
    let cur = s.main_currency.clone();
    let arr_main = s.arr_by_currency.iter().find(|(c, _)| *c == cur).map(|(_, a)| *a).unwrap_or(0);
    let others: Vec<String> = s
        .arr_by_currency
        .iter()
        .filter(|(c, _)| *c != cur)
        .map(|(c, a)| format_compact(*a, c))
        .collect();
    let max_tier = s.by_tier.iter().map(|t| t.2).max().unwrap_or(1).max(1);
    let max_stage = s.by_stage.iter().map(|t| t.1).max().unwrap_or(1).max(1);
    let cur2 = cur.clone();
    view! {
        <div class="kpis">
            <div class="kpi"><span class="kpi-label">"Accounts"</span><span class="kpi-value">{group(s.accounts)}</span></div>
            <div class="kpi" title="Sum of ARR of accounts not churned">
                <span class="kpi-label">"ARR (active)"</span>
                <span class="kpi-value">{format_compact(arr_main, &cur)}</span>
                {(!others.is_empty()).then(|| view! { <span class="kpi-note">"+ " {others.join(", ")}</span> })}
            </div>
            <div class="kpi"><span class="kpi-label">"Renewing in 90 days"</span><span class="kpi-value">{group(s.renewing_90d)}</span>
                <span class="kpi-note">{format_compact(s.renewing_90d_arr, &cur)} " ARR"</span></div>
        </div>
        <div class="columns">
            <Card id="by-tier" title="ARR by size tier">
                <p class="muted small">{format!("Active accounts; ARR in {cur}, the main currency.")}</p>
                <ul class="bars">
                    {s.by_tier.iter().map(|(t, n, arr)| {
                        let pct = (*arr as f64 / max_tier as f64 * 100.0).round();
                        view! {
                            <li>
                                <span class="bar-label">{t.label()}<span class="muted small">
                                    {format!(" · {} accounts", group(*n))}</span></span>
                                <span class="bar" role="img" aria-label=format!("{}: {}", t.label(), format_minor(*arr, &cur2))>
                                    <span class="bar-fill" style=format!("width:{pct}%")></span>
                                </span>
                                <span class="bar-value">{format_compact(*arr, &cur2)}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </Card>
            <Card id="by-stage" title="Accounts by lifecycle stage">
                <ul class="bars">
                    {s.by_stage.iter().map(|(st, n, _)| {
                        let pct = (*n as f64 / max_stage as f64 * 100.0).round();
                        view! {
                            <li>
                                <span class="bar-label">{st.label()}</span>
                                <span class="bar" role="img" aria-label=format!("{}: {n} accounts", st.label())>
                                    <span class=format!("bar-fill stage-{}", st.key()) style=format!("width:{pct}%")></span>
                                </span>
                                <span class="bar-value">{group(*n)}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </Card>
        </div>
    }
}

fn days(v: Option<f64>) -> String {
    v.map(|d| if d.fract() == 0.0 { format!("{d:.0} days") } else { format!("{d:.1} days") })
        .unwrap_or_else(|| "—".into())
}

/// Median days from contract start to the first-value milestone, per cohort and segment.
#[component]
pub fn TimeToValueCard(t: crate::model::plan::TimeToValue) -> impl IntoView {
    let row = |r: crate::model::plan::TtvRow| {
        view! {
            <tr>
                <th scope="row">{r.label.clone()}</th>
                <td class="num">{days(r.median_days)}</td>
                <td class="num">{r.reached}</td>
                <td class="num">{r.waiting}</td>
            </tr>
        }
    };
    let head = || {
        view! { <thead><tr><th scope="col"></th><th scope="col" class="num">"Median"</th><th scope="col" class="num">"Reached"</th>
        <th scope="col" class="num">"Not yet"</th></tr></thead> }
    };
    view! {
        <section class="card ttv" aria-labelledby="ttv-h" data-testid="ttv">
            <h2 id="ttv-h">"Time to value"</h2>
            <p class="kpi-value">{days(t.overall.median_days)}</p>
            <p class="muted small formula">"Median over accounts of (date the first-value milestone was completed − contract start), in days. Accounts \
                whose first-value milestone is still open are counted under “Not yet” and left out of the median."</p>
            <div class="columns">
                <div>
                    <h3 class="small-h">"By cohort (contract start month)"</h3>
                    {if t.by_cohort.is_empty() { view! { <p class="muted small">"No first-value milestones yet."</p> }.into_any() } else { view! {
                        <table class="compact">{head()}<tbody>{t.by_cohort.into_iter().map(row).collect_view()}</tbody></table>
                    }.into_any() }}
                </div>
                <div>
                    <h3 class="small-h">"By saved segment"</h3>
                    {if t.by_segment.is_empty() { view! { <p class="muted small">"No saved segments."</p> }.into_any() } else { view! {
                        <table class="compact">{head()}<tbody>{t.by_segment.into_iter().map(row).collect_view()}</tbody></table>
                    }.into_any() }}
                </div>
            </div>
        </section>
    }
}

/// 100000 → "100,000".
fn group(n: u64) -> String {
    format_minor(n as i64 * 100, "").trim().to_string()
}
