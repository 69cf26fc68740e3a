//! Time to value: days from contract start to the completion of the plan's first-value
//! milestone, and the medians the dashboard reports.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Time to value for one account: days from contract start to the first-value milestone's
/// completion.
pub fn days_to_value(contract_start: NaiveDate, completed: NaiveDate) -> i64 {
    (completed - contract_start).num_days().max(0)
}

/// The median of a list of day counts (the mean of the middle two for an even count).
pub fn median_days(values: &[i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] as f64 } else { (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0 })
}

/// One row of the time-to-value report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TtvRow {
    pub label: String,
    pub median_days: Option<f64>,
    /// Accounts that reached first value.
    pub reached: usize,
    /// Accounts with a first-value milestone not reached yet.
    pub waiting: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeToValue {
    pub overall: TtvRow,
    pub by_cohort: Vec<TtvRow>,
    pub by_segment: Vec<TtvRow>,
}

#[cfg(test)]
mod tests {
    use super::super::tests::d;
    use super::*;

    #[test]
    fn time_to_value_median() {
        assert_eq!(median_days(&[]), None);
        assert_eq!(median_days(&[30]), Some(30.0));
        assert_eq!(median_days(&[40, 10, 30]), Some(30.0));
        assert_eq!(median_days(&[10, 40, 20, 30]), Some(25.0));
        assert_eq!(days_to_value(d("2026-01-01"), d("2026-02-15")), 45);
    }
}
