//! Time to value as the dashboard reports it: the median days from contract start to the
//! first-value milestone, over all accounts, per cohort (the month the contract started) and per
//! segment, with how many accounts reached it and how many still wait.

use crate::model::plan::{days_to_value, median_days, TtvRow};
use chrono::{Datelike, NaiveDate};

/// One account's way to first value: (account, contract start, first value reached on).
pub type FirstValue = (String, NaiveDate, Option<NaiveDate>);

/// How many monthly cohorts the report shows, newest first.
pub const COHORTS: usize = 12;

/// The row for these accounts under `label`.
pub fn row<'a>(label: String, accounts: impl IntoIterator<Item = &'a FirstValue>) -> TtvRow {
    let mut days = Vec::new();
    let mut waiting = 0;
    for (_, start, done) in accounts {
        match done {
            Some(d) => days.push(days_to_value(*start, *d)),
            None => waiting += 1,
        }
    }
    TtvRow { label, median_days: median_days(&days), reached: days.len(), waiting }
}

/// One row per month contracts started in ("Mar 2026"), the newest [`COHORTS`] first.
pub fn by_cohort(accounts: &[FirstValue]) -> Vec<TtvRow> {
    let month = |d: &NaiveDate| d.format("%Y-%m").to_string();
    let mut cohorts: Vec<(String, NaiveDate)> =
        accounts.iter().map(|(_, s, _)| (month(s), s.with_day0(0).unwrap_or(*s))).collect();
    cohorts.sort();
    cohorts.dedup();
    cohorts
        .into_iter()
        .rev()
        .take(COHORTS)
        .map(|(key, first)| {
            let label = first.format("%b %Y").to_string();
            row(label, accounts.iter().filter(|(_, s, _)| month(s) == key))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn fv(start: &str, done: Option<&str>) -> FirstValue {
        ("a".into(), d(start), done.map(d))
    }

    #[test]
    fn a_row_counts_reached_and_waiting_and_takes_the_median() {
        let all = [
            fv("2026-01-01", Some("2026-01-31")),
            fv("2026-01-10", Some("2026-02-19")),
            fv("2026-02-01", None),
        ];
        let r = row("All accounts".into(), &all);
        assert_eq!((r.reached, r.waiting), (2, 1));
        assert_eq!(r.median_days, Some(35.0));
    }

    #[test]
    fn cohorts_are_months_newest_first() {
        let all = [
            fv("2026-01-05", Some("2026-01-15")),
            fv("2026-03-02", None),
            fv("2026-01-20", Some("2026-02-19")),
        ];
        let rows = by_cohort(&all);
        let labels: Vec<&str> = rows.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["Mar 2026", "Jan 2026"]);
        assert_eq!((rows[1].reached, rows[1].median_days), (2, Some(20.0)));
        assert_eq!(rows[0].waiting, 1);
        // Fourteen months of contracts: only the newest twelve get a row.
        let many: Vec<FirstValue> = (0..14u32)
            .map(|i| ("a".into(), d("2025-01-01") + chrono::Months::new(i), None))
            .collect();
        assert_eq!(by_cohort(&many).len(), COHORTS);
    }
}
