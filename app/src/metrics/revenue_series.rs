//! The executive dashboard's revenue series (DESIGN.md, "Metric definitions"), from the ARR
//! movement ledger of one currency:
//!
//! - [`monthly`]: NRR and GRR month by month, each month with its own cohort — exactly what
//!   [`retention`](super::revenue::retention) says for that month, computed for every month in
//!   one pass over each account's ledger (the dashboard asks for 24 months over up to half a
//!   million movements; 24 separate calls would regroup the whole ledger 24 times).
//! - [`cohorts`]: the cohort heatmap — accounts grouped by the calendar quarter in which their
//!   ARR began, and how much of that starting ARR, and how many of those logos, are still
//!   there at the end of each quarter since.
//!
//! An account's ARR on a day is the `arr_after` of its last movement dated on or before that
//! day (the ledger's order is kept within a day), as in [`super::revenue`].

use crate::model::dashboard::{CohortRow, MonthRetention};
use crate::model::revenue::Movement;
use chrono::{Datelike, Days, Months, NaiveDate};
use std::collections::HashMap;

/// Each account's movements in date order (a stable sort: same-day movements keep the
/// ledger's order, so the last one of a day is the day's ARR).
fn ledgers(movements: &[Movement]) -> Vec<Vec<&Movement>> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut by: Vec<Vec<&Movement>> = Vec::new();
    for m in movements {
        let i = *index.entry(m.account.as_str()).or_insert_with(|| {
            by.push(Vec::new());
            by.len() - 1
        });
        by[i].push(m);
    }
    for l in &mut by {
        l.sort_by_key(|m| m.on);
    }
    by
}

/// ARR at the end of each of `days` (ascending), walking the ledger once.
fn arr_at_each(ledger: &[&Movement], days: &[NaiveDate], out: &mut Vec<i64>) {
    out.clear();
    let (mut next, mut arr) = (0, 0);
    for &day in days {
        while next < ledger.len() && ledger[next].on <= day {
            arr = ledger[next].arr_after;
            next += 1;
        }
        out.push(arr);
    }
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn day_before(d: NaiveDate) -> NaiveDate {
    d.checked_sub_days(Days::new(1)).unwrap_or(d)
}

/// One month's cohort sums, netted per account as [`retention`](super::revenue::retention)
/// nets them.
#[derive(Default, Clone, Copy)]
struct MonthSums {
    logos: usize,
    start: i64,
    expansion: i64,
    contraction: i64,
    churn: i64,
}

/// NRR and GRR of each of the `months` calendar months ending with the month containing
/// `last_month`, oldest first. Each month is its own period: the cohort is the accounts with
/// ARR > 0 on the last day of the month before, S their ARR then, and each cohort account's
/// change is netted over the month (so a churn and a return within the month is neither churn
/// nor expansion; new logos never count). The month containing `last_month` runs up to
/// `last_month` (a month to date when that is today). NRR and GRR are `None` — not
/// meaningful, never 0 — when the month's cohort is empty.
///
/// Equal, month by month, to `retention(movements, first_day, last_day)`; the test
/// `monthly_equals_retention_month_by_month` holds it to that.
pub fn monthly(
    movements: &[Movement], last_month: NaiveDate, months: usize,
) -> Vec<MonthRetention> {
    if months == 0 {
        return vec![];
    }
    let first = first_of_month(last_month)
        .checked_sub_months(Months::new(months as u32 - 1))
        .unwrap_or(NaiveDate::MIN);
    let starts: Vec<NaiveDate> = (0..months)
        .map(|i| first.checked_add_months(Months::new(i as u32)).unwrap_or(first))
        .collect();
    // Boundary 0 is the eve of the first month; boundary i + 1 the last day of month i (the
    // eve of month i + 1), so month i runs from boundary i (exclusive) to i + 1 (inclusive).
    let mut bounds: Vec<NaiveDate> = Vec::with_capacity(months + 1);
    bounds.push(day_before(first));
    for s in &starts[1..] {
        bounds.push(day_before(*s));
    }
    bounds.push(last_month);
    let mut sums = vec![MonthSums::default(); months];
    let mut arr = Vec::with_capacity(months + 1);
    for ledger in ledgers(movements) {
        arr_at_each(&ledger, &bounds, &mut arr);
        for (i, s) in sums.iter_mut().enumerate() {
            let (start, end) = (arr[i], arr[i + 1]);
            if start <= 0 {
                continue;
            }
            s.logos += 1;
            s.start += start;
            if end == 0 {
                s.churn += start;
            } else if end > start {
                s.expansion += end - start;
            } else {
                s.contraction += start - end;
            }
        }
    }
    starts
        .iter()
        .zip(sums)
        .map(|(&month, s)| {
            // The same arithmetic, in the same order, as `retention`: the figures are equal
            // to the last bit, not merely close.
            let start = s.start as f64;
            let some = |num: f64| (start > 0.0).then(|| num / start);
            MonthRetention {
                month,
                nrr: some(start + s.expansion as f64 - s.contraction as f64 - s.churn as f64),
                grr: some(start - s.contraction as f64 - s.churn as f64),
                cohort: s.logos,
            }
        })
        .collect()
}

/// A calendar quarter as a running number (year × 4 + quarter − 1), so quarters subtract.
fn quarter_of(d: NaiveDate) -> i32 {
    d.year() * 4 + (d.month0() / 3) as i32
}

/// The last day of quarter `q`.
fn quarter_end(q: i32) -> NaiveDate {
    let next = q + 1;
    let first_next =
        NaiveDate::from_ymd_opt(next.div_euclid(4), next.rem_euclid(4) as u32 * 3 + 1, 1);
    first_next.map_or(NaiveDate::MAX, day_before)
}

fn quarter_label(q: i32) -> String {
    format!("{} Q{}", q.div_euclid(4), q.rem_euclid(4) + 1)
}

/// The cohort heatmap's rows: accounts grouped by the calendar quarter of their first movement
/// (their `new`), the last `quarters` start quarters that have accounts, oldest first.
///
/// - `logos`: the accounts in the cohort; `start_arr`: their ARR at the end of the starting
///   quarter (today, for the current quarter) — the base, as the SaaS Capital definition fixes
///   a cohort at its start, so growth within the first quarter is part of the base and a logo
///   lost within it already shows in cell 0.
/// - `cells[k]`, k quarters after the start: (the cohort's ARR at the end of that quarter —
///   today for the current one — ÷ `start_arr`, its accounts with ARR > 0 then ÷ `logos`).
///   An account that churned and came back counts again, in its original cohort (the cohort
///   is who started then, not who stayed). ARR retained may exceed 1 (expansion).
/// - Every row has as many cells as the oldest row has quarters up to today's, so the
///   heatmap's columns line up; quarters a younger cohort has not reached are `None`. A
///   cohort whose ARR was 0 at the end of its first quarter (every account gone within it)
///   has no base to divide by, and all its cells are `None`.
///
/// Movements dated after `today`, and accounts whose first movement is after `today`, are
/// left out.
pub fn cohorts(movements: &[Movement], today: NaiveDate, quarters: usize) -> Vec<CohortRow> {
    let now = quarter_of(today);
    let started: Vec<(i32, Vec<&Movement>)> = ledgers(movements)
        .into_iter()
        .filter_map(|l| {
            let q = l.first().filter(|m| m.on <= today).map(|m| quarter_of(m.on))?;
            Some((q, l))
        })
        .collect();
    let mut starts: Vec<i32> = started.iter().map(|(q, _)| *q).collect();
    starts.sort_unstable();
    starts.dedup();
    let starts = &starts[starts.len().saturating_sub(quarters)..];
    let Some(&oldest) = starts.first() else { return vec![] };
    let width = (now - oldest + 1) as usize;
    let ends: Vec<NaiveDate> = (oldest..=now).map(|q| quarter_end(q).min(today)).collect();
    // Per row: logos, and per quarter since its start the ARR and the active logos.
    let mut rows: Vec<(usize, Vec<i64>, Vec<usize>)> = starts
        .iter()
        .map(|&q| (0, vec![0; (now - q + 1) as usize], vec![0; (now - q + 1) as usize]))
        .collect();
    let mut arr = Vec::with_capacity(width);
    for (q, ledger) in &started {
        let Ok(row) = starts.binary_search(q) else { continue };
        let (logos, arrs, active) = &mut rows[row];
        *logos += 1;
        arr_at_each(ledger, &ends[(q - oldest) as usize..], &mut arr);
        for (k, a) in arr.iter().enumerate() {
            arrs[k] += a;
            active[k] += usize::from(*a > 0);
        }
    }
    starts
        .iter()
        .zip(rows)
        .map(|(&q, (logos, arrs, active))| {
            let start_arr = arrs[0];
            let mut cells: Vec<Option<(f64, f64)>> = arrs
                .iter()
                .zip(&active)
                .map(|(&a, &n)| {
                    (start_arr > 0).then(|| (a as f64 / start_arr as f64, n as f64 / logos as f64))
                })
                .collect();
            cells.resize(width, None);
            CohortRow { label: quarter_label(q), logos, start_arr, cells }
        })
        .collect()
}

#[cfg(test)]
#[path = "revenue_series_tests.rs"]
mod tests;
