//! The SLA compliance report: escalations opened in a period, judged against the targets of
//! the policy version each was opened under (never today's), grouped by month, type, severity
//! and saved segment; breaches; open escalations by age; uptime per account per month.

use super::portfolio;
use crate::error::AppError;
use crate::model::escalation::*;
use crate::model::Timestamp;
use crate::state::AppState;
use crate::store::escalations::{self as store, incidents};
use chrono::{Datelike, Months, NaiveDate, TimeZone, Utc};
use std::collections::{BTreeMap, HashMap};

/// Months a report may span.
pub const MAX_MONTHS: u32 = 24;

fn first_of(d: NaiveDate) -> NaiveDate {
    d.with_day(1).expect("day 1")
}

pub async fn report(
    state: &AppState, from: NaiveDate, to: NaiveDate,
) -> Result<SlaReport, AppError> {
    let (from, to) = (first_of(from), first_of(to));
    if to < from {
        return Err(AppError::field("to", "must not be before the start"));
    }
    if (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32 >= MAX_MONTHS as i32
    {
        return Err(AppError::field("to", format!("a report spans at most {MAX_MONTHS} months")));
    }
    let at = |d: NaiveDate| Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"));
    let (start, end) = (at(from), month_bounds(to).1);
    let now = Utc::now();
    let stored = store::opened_between(&state.db, start, end).await?;
    // Segment membership now (a saved segment is evaluated when used).
    let segments = crate::store::segments::list(&state.db).await?;
    let mut members: Vec<(String, std::collections::HashSet<String>)> = Vec::new();
    for s in &segments {
        let ids = portfolio::ids(&state.db, &state.portfolio, &s.filter).await?;
        members.push((s.name.clone(), ids.into_iter().collect()));
    }
    let mut rows = Vec::with_capacity(stored.len());
    for e in &stored {
        let terms = super::sla::terms(&state.db, &e.policy, e.policy_version).await?;
        let t = terms.target(e.severity);
        let (clocks, ..) = super::sla::clocks_of(&state.db, e, now).await?;
        let stopped = |c: &ClockState| {
            c.due_at.is_none() && matches!(c.status, ClockStatus::Met | ClockStatus::Breached)
        };
        rows.push(ReportRow {
            first_response_minutes: stopped(&clocks.first_response)
                .then_some(clocks.first_response.elapsed_business_minutes),
            first_response_target: t.first_response_minutes,
            resolution_minutes: (e.status == EscalationStatus::Resolved
                && stopped(&clocks.resolution))
            .then_some(clocks.resolution.elapsed_business_minutes),
            resolution_target: t.resolution_minutes,
            // From the replayed log, not the timer's record: a helpdesk mirroring a first
            // response late can show that a breach fired at the time never happened.
            breaches: clocks.iter().filter_map(|(k, c)| c.breached_at.map(|at| (k, at))).collect(),
            segments: members
                .iter()
                .filter(|(_, m)| m.contains(e.account.as_str()))
                .map(|(n, _)| n.clone())
                .collect(),
            ..row_of(e)
        });
    }
    let group = |key: &dyn Fn(&ReportRow) -> Vec<String>| {
        let mut g: BTreeMap<String, Vec<&ReportRow>> = BTreeMap::new();
        for r in &rows {
            for k in key(r) {
                g.entry(k).or_default().push(r);
            }
        }
        g.into_iter().map(|(k, v)| (k, compliance(v))).collect::<Vec<_>>()
    };
    let by_type = group(&|r| vec![r.type_label.clone()]);
    let by_segment = group(&|r| r.segments.clone());
    let mut by_month = Vec::new();
    let mut m = from;
    while m <= to {
        let (lo, hi) = month_bounds(m);
        by_month
            .push((m, compliance(rows.iter().filter(|r| r.opened_at >= lo && r.opened_at < hi))));
        m = m + Months::new(1);
    }
    let by_severity = EscalationSeverity::ALL
        .iter()
        .map(|s| (*s, compliance(rows.iter().filter(|r| r.severity == *s))))
        .collect();
    let mut breaches: Vec<(ReportRow, ClockKind, Timestamp)> = rows
        .iter()
        .flat_map(|r| r.breaches.iter().map(move |(k, at)| (r.clone(), *k, *at)))
        .collect();
    breaches.sort_by_key(|b| std::cmp::Reverse(b.2));
    let open_now = store::all_open(&state.db).await?;
    let open_rows: Vec<ReportRow> = open_now.iter().map(row_of).collect();
    Ok(SlaReport {
        from,
        to,
        overall: compliance(&rows),
        by_month,
        by_type,
        by_severity,
        by_segment,
        breaches,
        open_by_age: open_by_age(&open_rows, now),
        uptime: uptime(state, from, to, start, end).await?,
    })
}

/// What the report knows of an escalation before its clocks are judged.
fn row_of(e: &store::StoredEscalation) -> ReportRow {
    ReportRow {
        id: e.id.to_string(),
        account_id: e.account.to_string(),
        account_name: e.account_name.clone(),
        title: e.title.clone(),
        type_label: e.type_label.clone(),
        severity: e.severity,
        status: e.status,
        opened_at: e.opened_at,
        first_response_minutes: None,
        first_response_target: 0,
        resolution_minutes: None,
        resolution_target: 0,
        breaches: vec![],
        segments: vec![],
    }
}

/// Availability per month of every account an incident touched in the period (the others were
/// up all the time).
async fn uptime(
    state: &AppState, from: NaiveDate, to: NaiveDate, start: Timestamp, end: Timestamp,
) -> Result<Vec<UptimeRow>, AppError> {
    let spans = incidents::overlapping(&state.db, start, end).await?;
    if spans.is_empty() {
        return Ok(vec![]);
    }
    let rows = portfolio::all_rows(&state.portfolio).await?;
    let names: HashMap<String, String> =
        rows.iter().map(|r| (r.id.to_string(), r.name.clone())).collect();
    let mut touched: Vec<String> = if spans.iter().any(|s| s.accounts.is_none()) {
        names.keys().cloned().collect()
    } else {
        spans.iter().flat_map(|s| s.accounts.clone().unwrap_or_default()).collect()
    };
    touched.sort();
    touched.dedup();
    touched.truncate(500);
    let mut out = Vec::new();
    for a in touched {
        let (_, terms) = super::sla::policy_for(&state.db, &state.portfolio, &a, None).await?;
        let mine: Vec<(Timestamp, Timestamp)> =
            spans.iter().filter(|s| s.affects(&a)).map(|s| (s.started_at, s.ended_at)).collect();
        let mut months = Vec::new();
        let mut m = from;
        while m <= to {
            months.push(availability(m, &mine, terms.uptime_target));
            m = m + Months::new(1);
        }
        out.push(UptimeRow {
            account_name: names.get(&a).cloned().unwrap_or_default(),
            account_id: a,
            months,
        });
    }
    out.sort_by(|a, b| {
        let worst = |r: &UptimeRow| r.months.iter().map(|m| m.availability).fold(1.0, f64::min);
        worst(a).total_cmp(&worst(b))
    });
    Ok(out)
}
