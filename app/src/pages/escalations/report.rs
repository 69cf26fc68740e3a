//! The SLA compliance report (`/reports/sla?from=2026-06&to=2026-11`): escalations opened in a
//! span of months, judged against the targets of the policy version each was opened under
//! (never today's, so editing a policy does not rewrite last quarter), grouped by month,
//! severity, type and saved segment; every breach; what is open now by age; and the accounts
//! whose uptime fell short.
//!
//! The period lives in the address bar and is picked with a plain GET form, so a report is a
//! link that works before the page is live (and for someone who never runs its WASM).

use super::parts::duration;
use super::report_tables::{BreachTable, ComplianceTable, OpenByAge, UptimeReport};
use crate::api::sla::sla_compliance;
use crate::components::charts::{Column, ColumnChart};
use crate::components::notice::Loaded;
use crate::model::escalation::{Compliance, SlaReport};
use chrono::{Datelike, Months, NaiveDate, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Months shown when the address bar names none: this one and the five before.
const DEFAULT_MONTHS: u32 = 6;

/// "2026-06" → the first of June 2026.
fn parse_month(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{}-01", s.trim()), "%Y-%m-%d").ok()
}

fn month_key(d: NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}

/// The period the address bar asks for: unreadable or missing months fall back to the last
/// [`DEFAULT_MONTHS`]; the server refuses spans it will not compute (and says why).
fn period(from: Option<String>, to: Option<String>, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let this_month = today.with_day(1).expect("day 1");
    let to = to.as_deref().and_then(parse_month).unwrap_or(this_month);
    let from = from
        .as_deref()
        .and_then(parse_month)
        .unwrap_or_else(|| to - Months::new(DEFAULT_MONTHS - 1));
    (from, to)
}

/// "met ÷ judged" as a percentage, or "—" when nothing was judged.
pub fn rate(r: Option<f64>) -> String {
    r.map(|r| format!("{:.0} %", r * 100.0)).unwrap_or_else(|| "—".into())
}

/// Business minutes (a median may be a half) as "3 h 30 min", or "—".
pub fn minutes(m: Option<f64>) -> String {
    m.map(|m| duration(m.round() as i64)).unwrap_or_else(|| "—".into())
}

#[component]
pub fn SlaReportPage() -> impl IntoView {
    let query = use_query_map();
    let range = Memo::new(move |_| {
        let q = query.get();
        period(q.get("from"), q.get("to"), Utc::now().date_naive())
    });
    let report = Resource::new(move || range.get(), |(from, to)| sla_compliance(from, to));
    view! {
        <Title text="SLA compliance"/>
        <div class="page-head">
            <div>
                <h1>"SLA compliance"</h1>
                <p class="muted">"Escalations opened in the period, each judged against the targets of the policy version it was \
                    opened under. A clock counts as met or missed once it stopped or breached; one still running is not judged yet."</p>
            </div>
            <a class="button ghost" href="/escalations">"Escalations"</a>
        </div>
        <PeriodForm range/>
        <div data-testid="sla-report">
            <Loaded resource=report inline=true let:r>
                <ReportBody r/>
            </Loaded>
        </div>
    }
}

/// From and to month, as a GET form.
#[component]
fn PeriodForm(range: Memo<(NaiveDate, NaiveDate)>) -> impl IntoView {
    view! {
        <form class="filters sla-period" method="get" action="/reports/sla" data-testid="sla-period">
            <label>"From"
                <input type="month" name="from" prop:value=move || month_key(range.get().0)/>
            </label>
            <label>"To"
                <input type="month" name="to" prop:value=move || month_key(range.get().1)/>
            </label>
            <button type="submit" class="button primary">"Show"</button>
        </form>
    }
}

#[component]
fn ReportBody(r: SlaReport) -> impl IntoView {
    let span = format!("{} – {}", r.from.format("%B %Y"), r.to.format("%B %Y"));
    let chart = months_chart(&r.by_month);
    let breaches = r.breaches.len();
    view! {
        <p class="muted small" data-testid="sla-span">{span}</p>
        <Kpis c=r.overall.clone() breaches/>
        <section class="card" aria-labelledby="sla-month-h">
            <h2 id="sla-month-h">"Resolved within target, by month"</h2>
            <div class="sla-month-chart">{chart}</div>
            <ComplianceTable caption="By month" head="Month" testid="sla-by-month"
                rows=r.by_month.iter().map(|(m, c)| (m.format("%b %Y").to_string(), c.clone())).collect()/>
        </section>
        <section class="card" aria-labelledby="sla-sev-h">
            <h2 id="sla-sev-h">"By severity"</h2>
            <ComplianceTable caption="By severity" head="Severity" testid="sla-by-severity"
                rows=r.by_severity.iter().map(|(s, c)| (s.label().to_string(), c.clone())).collect()/>
        </section>
        <section class="card" aria-labelledby="sla-type-h">
            <h2 id="sla-type-h">"By type"</h2>
            <ComplianceTable caption="By type" head="Type" testid="sla-by-type" rows=r.by_type.clone()/>
        </section>
        <section class="card" aria-labelledby="sla-seg-h">
            <h2 id="sla-seg-h">"By saved segment"</h2>
            <p class="muted small">"Segment membership as it is now; an account in several segments counts in each."</p>
            <ComplianceTable caption="By saved segment" head="Segment" testid="sla-by-segment" rows=r.by_segment.clone()/>
        </section>
        <div class="columns wide-left sla-columns">
            <section class="card" aria-labelledby="sla-breach-h">
                <h2 id="sla-breach-h">{format!("Breaches ({breaches})")}</h2>
                <BreachTable breaches=r.breaches.clone()/>
            </section>
            <section class="card" aria-labelledby="sla-age-h">
                <h2 id="sla-age-h">"Open now, by age"</h2>
                <OpenByAge buckets=r.open_by_age.clone()/>
            </section>
        </div>
        <section class="card" aria-labelledby="sla-up-h">
            <h2 id="sla-up-h">"Uptime"</h2>
            <UptimeReport rows=r.uptime.clone()/>
        </section>
    }
}

/// The period's headline figures, each with its formula on hover and focus.
#[component]
fn Kpis(c: Compliance, breaches: usize) -> impl IntoView {
    let fr =
        format!("{} of {} first responses in time", c.first_response_met, c.first_response_judged);
    let res = format!("{} of {} resolutions in time", c.resolution_met, c.resolution_judged);
    view! {
        <div class="kpis" data-testid="sla-kpis">
            <div class="kpi" tabindex="0" title="Escalations opened in the period">
                <span class="kpi-label">"Escalations"</span>
                <span class="kpi-value">{c.escalations}</span>
                <span class="kpi-note">{format!("{breaches} breach{}", if breaches == 1 { "" } else { "es" })}</span>
            </div>
            <div class="kpi" tabindex="0" title="First responses within target ÷ first-response clocks that stopped or breached">
                <span class="kpi-label">"First response in time"</span>
                <span class="kpi-value" data-testid="kpi-first-response">{rate(c.first_response_rate())}</span>
                <span class="kpi-note">{fr}</span>
            </div>
            <div class="kpi" tabindex="0" title="Resolutions within target ÷ resolution clocks that stopped or breached">
                <span class="kpi-label">"Resolved in time"</span>
                <span class="kpi-value" data-testid="kpi-resolution">{rate(c.resolution_rate())}</span>
                <span class="kpi-note">{res}</span>
            </div>
            <div class="kpi" tabindex="0" title="Business time from opening to the first response sent: median (p90)">
                <span class="kpi-label">"Time to first response"</span>
                <span class="kpi-value">{minutes(c.median_first_response)}</span>
                <span class="kpi-note">{format!("median · p90 {}", minutes(c.p90_first_response))}</span>
            </div>
            <div class="kpi" tabindex="0" title="Business time from opening to resolution, waiting on the customer excluded: median (p90)">
                <span class="kpi-label">"Time to resolution"</span>
                <span class="kpi-value">{minutes(c.median_resolution)}</span>
                <span class="kpi-note">{format!("median · p90 {}", minutes(c.p90_resolution))}</span>
            </div>
        </div>
    }
}

/// One column per month: the share of judged resolutions that met their target.
fn months_chart(by_month: &[(NaiveDate, Compliance)]) -> impl IntoView {
    let columns = by_month
        .iter()
        .map(|(m, c)| {
            let r = c.resolution_rate();
            Column {
                label: m.format("%b").to_string(),
                value: r.map(|r| r * 100.0).unwrap_or(0.0),
                class: match r {
                    None => "col-none",
                    Some(r) if r >= 0.95 => "band-high",
                    Some(r) if r >= 0.8 => "band-mid",
                    Some(_) => "band-low",
                },
                tip: match r {
                    None => format!("{}: nothing resolved or breached", m.format("%B %Y")),
                    Some(_) => format!(
                        "{}: {} ({} of {})",
                        m.format("%B %Y"),
                        rate(r),
                        c.resolution_met,
                        c.resolution_judged
                    ),
                },
            }
        })
        .collect();
    view! {
        <ColumnChart columns caption="Share of resolutions within target, per month the escalation was opened".into()
            value_name="Resolved in time" min=0.0 max=100.0/>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_period_defaults_to_the_last_six_months_and_reads_the_address_bar() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        let d = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap();
        assert_eq!(period(None, None, today), (d(2026, 7), d(2026, 12)));
        assert_eq!(
            period(Some("2025-11".into()), Some("2026-02".into()), today),
            (d(2025, 11), d(2026, 2))
        );
        // Garbage falls back rather than failing the page.
        assert_eq!(
            period(Some("june".into()), Some("2026-13".into()), today),
            (d(2026, 7), d(2026, 12))
        );
        assert_eq!(rate(Some(0.8333)), "83 %");
        assert_eq!(rate(None), "—");
        assert_eq!(minutes(Some(90.5)), "1 h 31 min");
    }
}
