//! Revenue retention (DESIGN.md, "Metric definitions"), computed from the ARR movement ledger
//! of one currency. Periods are inclusive at both ends: a movement dated `from` or `to` is in
//! the period; one dated the day before `from` is part of the starting position.
//!
//! Two views of a period, each exact:
//! - [`waterfall`]: every account, gross movements by kind — start + new + expansion −
//!   contraction − churn + reactivation = end, to the cent.
//! - [`retention`]: the cohort (accounts with ARR > 0 the day before `from`), each account's
//!   change netted over the period (today's ARR from last period's customers ÷ their ARR
//!   then, as SaaS Capital defines it) — so a cohort account that churns and comes back
//!   within the period is neither churn nor expansion, and S + expansion − contraction −
//!   churn is exactly the cohort's ARR at the end. New logos never count; accounts outside
//!   the cohort that come back are shown apart as reactivations.

use crate::model::revenue::{Movement, MovementKind};
use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A figure, or why it is not meaningful (shown instead of a misleading number).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Figure {
    Value(f64),
    NotMeaningful(String),
}

impl Figure {
    pub fn value(&self) -> Option<f64> {
        match self {
            Figure::Value(v) => Some(*v),
            Figure::NotMeaningful(_) => None,
        }
    }
}

/// Each account's movements in date order (the ledger's order within a day is kept).
fn ledgers(movements: &[Movement]) -> BTreeMap<&str, Vec<&Movement>> {
    let mut by: BTreeMap<&str, Vec<&Movement>> = BTreeMap::new();
    for m in movements {
        by.entry(m.account.as_str()).or_default().push(m);
    }
    for l in by.values_mut() {
        l.sort_by_key(|m| m.on);
    }
    by
}

/// ARR at the end of `day`: the `arr_after` of the last movement dated on or before it.
fn arr_on(ledger: &[&Movement], day: NaiveDate) -> i64 {
    ledger.iter().take_while(|m| m.on <= day).last().map_or(0, |m| m.arr_after)
}

/// The day before `from` (the starting position); `from` itself for the earliest date.
fn eve(from: NaiveDate) -> NaiveDate {
    from.checked_sub_days(Days::new(1)).unwrap_or(from)
}

/// Gross movements in a period, over every account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Waterfall {
    pub start: i64,
    pub new: i64,
    pub expansion: i64,
    pub contraction: i64,
    pub churn: i64,
    pub reactivation: i64,
    pub end: i64,
}

pub fn waterfall(movements: &[Movement], from: NaiveDate, to: NaiveDate) -> Waterfall {
    let mut w = Waterfall::default();
    for ledger in ledgers(movements).values() {
        w.start += arr_on(ledger, eve(from));
        w.end += arr_on(ledger, to);
        for m in ledger.iter().filter(|m| m.on >= from && m.on <= to) {
            let delta = m.arr_after - m.arr_before;
            match m.kind {
                MovementKind::New => w.new += delta,
                MovementKind::Expansion => w.expansion += delta,
                MovementKind::Contraction => w.contraction -= delta,
                MovementKind::Churn => w.churn -= delta,
                MovementKind::Reactivation => w.reactivation += delta,
            }
        }
    }
    w
}

/// The cohort's retention over a period, with every input the formulas use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Retention {
    /// Accounts with ARR > 0 the day before the period (S_logos).
    pub cohort: Vec<String>,
    /// Their ARR then (S).
    pub start_arr: i64,
    /// Netted per cohort account over the period.
    pub expansion: i64,
    pub contraction: i64,
    pub churn: i64,
    /// Cohort accounts with ARR > 0 at the end (E − N).
    pub retained: Vec<String>,
    /// Cohort accounts at 0 at the end.
    pub churned: Vec<String>,
    pub expanded: Vec<String>,
    pub contracted: Vec<String>,
    /// Active at the end (E), and of them not in the cohort (N: new logos and accounts that
    /// came back from before the period).
    pub active_at_end: usize,
    pub new_in_period: usize,
    /// Accounts outside the cohort reactivated in the period, and their ARR at the end: shown
    /// apart, never counted in NRR, GRR or logo retention.
    pub reactivated_outside: Vec<String>,
    pub reactivated_outside_arr: i64,
    /// Cohort accounts that churned and came back within the period (netted: not churn).
    pub churned_and_back: Vec<String>,
    pub grr: Figure,
    pub nrr: Figure,
    pub logo_retention: Figure,
    pub logo_churn: Figure,
    pub revenue_churn: Figure,
}

fn ratio(num: f64, den: f64, empty: &str) -> Figure {
    if den > 0.0 {
        Figure::Value(num / den)
    } else {
        Figure::NotMeaningful(empty.into())
    }
}

fn complement(f: &Figure) -> Figure {
    match f {
        Figure::Value(v) => Figure::Value(1.0 - v),
        other => other.clone(),
    }
}

pub fn retention(movements: &[Movement], from: NaiveDate, to: NaiveDate) -> Retention {
    let mut r = Retention {
        cohort: vec![],
        start_arr: 0,
        expansion: 0,
        contraction: 0,
        churn: 0,
        retained: vec![],
        churned: vec![],
        expanded: vec![],
        contracted: vec![],
        active_at_end: 0,
        new_in_period: 0,
        reactivated_outside: vec![],
        reactivated_outside_arr: 0,
        churned_and_back: vec![],
        grr: Figure::NotMeaningful(String::new()),
        nrr: Figure::NotMeaningful(String::new()),
        logo_retention: Figure::NotMeaningful(String::new()),
        logo_churn: Figure::NotMeaningful(String::new()),
        revenue_churn: Figure::NotMeaningful(String::new()),
    };
    for (account, ledger) in ledgers(movements) {
        let (start, end) = (arr_on(&ledger, eve(from)), arr_on(&ledger, to));
        let in_period = || ledger.iter().filter(|m| m.on >= from && m.on <= to);
        if end > 0 {
            r.active_at_end += 1;
        }
        if start <= 0 {
            if end > 0 {
                r.new_in_period += 1;
                if in_period().any(|m| m.kind == MovementKind::Reactivation) {
                    r.reactivated_outside.push(account.to_string());
                    r.reactivated_outside_arr += end;
                }
            }
            continue;
        }
        r.cohort.push(account.to_string());
        r.start_arr += start;
        if end == 0 {
            r.churn += start;
            r.churned.push(account.to_string());
            continue;
        }
        r.retained.push(account.to_string());
        if in_period().any(|m| m.kind == MovementKind::Churn) {
            r.churned_and_back.push(account.to_string());
        }
        if end > start {
            r.expansion += end - start;
            r.expanded.push(account.to_string());
        } else if end < start {
            r.contraction += start - end;
            r.contracted.push(account.to_string());
        }
    }
    let s = r.start_arr as f64;
    let empty = "no account had ARR the day before the period";
    r.grr = ratio(s - r.contraction as f64 - r.churn as f64, s, empty);
    r.nrr = ratio(s + r.expansion as f64 - r.contraction as f64 - r.churn as f64, s, empty);
    r.logo_retention = ratio(r.retained.len() as f64, r.cohort.len() as f64, empty);
    r.logo_churn = complement(&r.logo_retention);
    r.revenue_churn = complement(&r.grr);
    r
}

/// The twelve months ending on `to` (inclusive): from the day after the same date a year
/// before (29 Feb 2024 → 1 Mar 2023 … 29 Feb 2024).
pub fn trailing_year(to: NaiveDate) -> (NaiveDate, NaiveDate) {
    let back = to - Months::new(12);
    (back.checked_add_days(Days::new(1)).unwrap_or(back), to)
}

/// Cohorts smaller than this give a churn rate too noisy to divide by.
pub const MIN_CLV_COHORT: usize = 20;

/// Customer lifetime value with its inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clv {
    /// ARR per active account at `to` (minor units).
    pub arpa: Figure,
    pub gross_margin: f64,
    /// 1 − GRR over the trailing twelve months.
    pub annual_revenue_churn: Figure,
    pub cohort: usize,
    pub clv: Figure,
}

/// CLV = ARPA × gross margin ÷ annual revenue churn (trailing 12 months ending `to`).
pub fn clv(movements: &[Movement], to: NaiveDate, gross_margin: f64) -> Clv {
    let (from, _) = trailing_year(to);
    let year = retention(movements, from, to);
    let w = waterfall(movements, to, to);
    let arpa = ratio(w.end as f64, year.active_at_end as f64, "no account has ARR");
    let churn = year.revenue_churn.clone();
    let cohort = year.cohort.len();
    let clv = match (&arpa, &churn) {
        _ if cohort < MIN_CLV_COHORT => Figure::NotMeaningful(format!(
            "the cohort a year ago had {cohort} accounts; at least {MIN_CLV_COHORT} are needed"
        )),
        (Figure::Value(a), Figure::Value(c)) if *c > 0.0 => Figure::Value(a * gross_margin / c),
        (Figure::Value(_), Figure::Value(_)) => {
            Figure::NotMeaningful("no revenue was lost in the last 12 months (churn is 0)".into())
        }
        (Figure::NotMeaningful(why), _) | (_, Figure::NotMeaningful(why)) => {
            Figure::NotMeaningful(why.clone())
        }
    };
    Clv { arpa, gross_margin, annual_revenue_churn: churn, cohort, clv }
}

#[cfg(test)]
#[path = "revenue_tests.rs"]
mod tests;
