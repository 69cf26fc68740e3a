//! The SLA report's tables: compliance per group, the breaches, open escalations by age and
//! the accounts whose uptime fell short.

use super::parts::{duration, utc, SeverityBadge};
use super::report::{minutes, rate};
use super::uptime::percent;
use crate::model::escalation::{ClockKind, Compliance, ReportRow, UptimeRow};
use crate::model::portfolio::encode;
use crate::model::Timestamp;
use leptos::prelude::*;

/// Breaches listed before "and N more" (the newest first).
const BREACHES_SHOWN: usize = 50;

/// "5 of 6 · 83 %", or "—" when none was judged.
fn met_of(met: u32, judged: u32, r: Option<f64>) -> String {
    if judged == 0 {
        "—".into()
    } else {
        format!("{met} of {judged} · {}", rate(r))
    }
}

/// One row per group: escalations, the two rates with their counts, median and p90 times.
#[component]
pub fn ComplianceTable(
    caption: &'static str, head: &'static str, testid: &'static str,
    rows: Vec<(String, Compliance)>,
) -> impl IntoView {
    if rows.iter().all(|(_, c)| c.escalations == 0) {
        return view! { <p class="muted small" data-testid=testid>"No escalations opened in the period."</p> }
            .into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="compact sla-compliance" data-testid=testid>
                <caption class="sr-only">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">{head}</th>
                        <th scope="col" class="num">"Escalations"</th>
                        <th scope="col" class="num" title="Met ÷ judged (stopped or breached)">"First response in time"</th>
                        <th scope="col" class="num" title="Met ÷ judged (stopped or breached)">"Resolved in time"</th>
                        <th scope="col" class="num">"First response, median · p90"</th>
                        <th scope="col" class="num">"Resolution, median · p90"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|(label, c)| {
                        let fr_missed = c.first_response_met < c.first_response_judged;
                        let res_missed = c.resolution_met < c.resolution_judged;
                        view! {
                            <tr>
                                <th scope="row">{label}</th>
                                <td class="num">{c.escalations}</td>
                                <td class="num" class:late=fr_missed>{met_of(c.first_response_met, c.first_response_judged, c.first_response_rate())}</td>
                                <td class="num" class:late=res_missed>{met_of(c.resolution_met, c.resolution_judged, c.resolution_rate())}</td>
                                <td class="num">{format!("{} · {}", minutes(c.median_first_response), minutes(c.p90_first_response))}</td>
                                <td class="num">{format!("{} · {}", minutes(c.median_resolution), minutes(c.p90_resolution))}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Every breach in the period, newest first: when, which clock, which escalation.
#[component]
pub fn BreachTable(breaches: Vec<(ReportRow, ClockKind, Timestamp)>) -> impl IntoView {
    if breaches.is_empty() {
        return view! { <p class="muted small" data-testid="sla-breaches">"No clock breached in the period."</p> }
            .into_any();
    }
    let more = breaches.len().saturating_sub(BREACHES_SHOWN);
    view! {
        <div class="table-wrap">
            <table class="compact sla-breach-table" data-testid="sla-breaches">
                <thead>
                    <tr><th scope="col">"Breached"</th><th scope="col">"Clock"</th><th scope="col">"Escalation"</th></tr>
                </thead>
                <tbody>
                    {breaches.into_iter().take(BREACHES_SHOWN).map(|(r, kind, at)| view! {
                        <tr>
                            <td><time datetime=at.to_rfc3339()>{utc(&at)}</time></td>
                            <td>{kind.label()}</td>
                            <td>
                                <SeverityBadge severity=r.severity/>" "
                                <a href=format!("/escalations/{}", encode(&r.id))>{r.title.clone()}</a>
                                <span class="muted small">" · "
                                    <a href=format!("/accounts/{}", encode(&r.account_id))>{r.account_name.clone()}</a>
                                </span>
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {(more > 0).then(|| view! { <p class="muted small">{format!("and {more} earlier")}</p> })}
    }
    .into_any()
}

/// Escalations open now, bucketed by how long they have been open.
#[component]
pub fn OpenByAge(buckets: Vec<(String, u32)>) -> impl IntoView {
    let total: u32 = buckets.iter().map(|(_, n)| n).sum();
    let widest = buckets.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    view! {
        <p class="muted small">{format!("{total} open, whenever opened.")}" "<a href="/escalations">"See them"</a></p>
        <ul class="age-bars" data-testid="sla-open-age">
            {buckets.into_iter().map(|(label, n)| view! {
                <li>
                    <span class="age-label">{label}</span>
                    <span class="age-bar"><span style=format!("width:{}%", n * 100 / widest)></span></span>
                    <span class="num">{n}</span>
                </li>
            }).collect_view()}
        </ul>
    }
}

/// Accounts an incident touched in the period, worst first, with each month's availability.
#[component]
pub fn UptimeReport(rows: Vec<UptimeRow>) -> impl IntoView {
    let Some(first) = rows.first() else {
        return view! { <p class="muted small" data-testid="sla-uptime">"No incident reported in the period: every account was fully available."</p> }
            .into_any();
    };
    let months: Vec<String> =
        first.months.iter().map(|m| m.month.format("%b %y").to_string()).collect();
    let missed = rows.iter().filter(|r| r.months.iter().any(|m| !m.met)).count();
    view! {
        <p class="muted small">{format!("{} account{} touched by incidents; {missed} missed a monthly target.",
            rows.len(), if rows.len() == 1 { "" } else { "s" })}</p>
        <div class="table-wrap">
            <table class="compact sla-uptime" data-testid="sla-uptime">
                <thead>
                    <tr><th scope="col">"Account"</th>
                        {months.into_iter().map(|m| view! { <th scope="col" class="num">{m}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr>
                            <th scope="row"><a href=format!("/accounts/{}#escalations", encode(&r.account_id))>{r.account_name.clone()}</a></th>
                            {r.months.into_iter().map(|m| {
                                let tip = format!("{} down, target {}", duration(m.down_minutes), percent(m.target));
                                view! { <td class="num" class:late=!m.met title=tip>{percent(m.availability)}</td> }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
