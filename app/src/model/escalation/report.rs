//! The SLA compliance report's arithmetic: pure, so the formulas shown beside each figure are
//! the ones computed.

use super::{ClockKind, EscalationSeverity, EscalationStatus};
use crate::model::Timestamp;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One escalation as the report reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportRow {
    pub id: String,
    pub account_id: String,
    pub account_name: String,
    pub title: String,
    pub type_label: String,
    pub severity: EscalationSeverity,
    pub status: EscalationStatus,
    pub opened_at: Timestamp,
    /// Business minutes to the first response, once it was sent.
    pub first_response_minutes: Option<i64>,
    pub first_response_target: u32,
    /// Business minutes to resolution (waiting on the customer excluded), once resolved.
    pub resolution_minutes: Option<i64>,
    pub resolution_target: u32,
    pub breaches: Vec<(ClockKind, Timestamp)>,
    /// The saved segments the account is in now.
    pub segments: Vec<String>,
}

impl ReportRow {
    fn breached(&self, k: ClockKind) -> bool {
        self.breaches.iter().any(|(c, _)| *c == k)
    }
    /// Met, missed, or not decided yet (still running within target).
    pub fn first_response_met(&self) -> Option<bool> {
        if self.breached(ClockKind::FirstResponse) {
            return Some(false);
        }
        self.first_response_minutes.map(|m| m <= self.first_response_target as i64)
    }
    pub fn resolution_met(&self) -> Option<bool> {
        if self.breached(ClockKind::Resolution) {
            return Some(false);
        }
        self.resolution_minutes.map(|m| m <= self.resolution_target as i64)
    }
}

/// Compliance of a group of escalations.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Compliance {
    pub escalations: u32,
    pub first_response_judged: u32,
    pub first_response_met: u32,
    pub resolution_judged: u32,
    pub resolution_met: u32,
    pub median_first_response: Option<f64>,
    pub p90_first_response: Option<f64>,
    pub median_resolution: Option<f64>,
    pub p90_resolution: Option<f64>,
}

impl Compliance {
    /// met ÷ judged (escalations whose clock stopped or breached); `None` with none judged.
    pub fn first_response_rate(&self) -> Option<f64> {
        (self.first_response_judged > 0)
            .then(|| self.first_response_met as f64 / self.first_response_judged as f64)
    }
    pub fn resolution_rate(&self) -> Option<f64> {
        (self.resolution_judged > 0)
            .then(|| self.resolution_met as f64 / self.resolution_judged as f64)
    }
}

/// The `p`-th percentile by nearest rank (p90 of 10 values is the 9th smallest).
pub fn percentile(values: &[i64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let rank = ((p / 100.0) * v.len() as f64).ceil().max(1.0) as usize;
    Some(v[rank.min(v.len()) - 1] as f64)
}

/// The median (the mean of the middle two for an even count).
pub fn median(values: &[i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let m = v.len() / 2;
    Some(if v.len().is_multiple_of(2) { (v[m - 1] + v[m]) as f64 / 2.0 } else { v[m] as f64 })
}

pub fn compliance<'a>(rows: impl IntoIterator<Item = &'a ReportRow>) -> Compliance {
    let mut c = Compliance::default();
    let (mut fr, mut res) = (Vec::new(), Vec::new());
    for r in rows {
        c.escalations += 1;
        if let Some(met) = r.first_response_met() {
            c.first_response_judged += 1;
            c.first_response_met += met as u32;
        }
        if let Some(met) = r.resolution_met() {
            c.resolution_judged += 1;
            c.resolution_met += met as u32;
        }
        fr.extend(r.first_response_minutes);
        res.extend(r.resolution_minutes);
    }
    c.median_first_response = median(&fr);
    c.p90_first_response = percentile(&fr, 90.0);
    c.median_resolution = median(&res);
    c.p90_resolution = percentile(&res, 90.0);
    c
}

/// An account's availability in a month, for the report's uptime table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UptimeRow {
    pub account_id: String,
    pub account_name: String,
    pub months: Vec<super::MonthUptime>,
}

/// The whole report for a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub overall: Compliance,
    pub by_month: Vec<(NaiveDate, Compliance)>,
    pub by_type: Vec<(String, Compliance)>,
    pub by_severity: Vec<(EscalationSeverity, Compliance)>,
    pub by_segment: Vec<(String, Compliance)>,
    /// Every breach in the period, newest first.
    pub breaches: Vec<(ReportRow, ClockKind, Timestamp)>,
    /// Open escalations by age: under a day, 1–7 days, 7–30 days, over 30 days.
    pub open_by_age: Vec<(String, u32)>,
    pub uptime: Vec<UptimeRow>,
}

/// Buckets open escalations by how long they have been open.
pub fn open_by_age(rows: &[ReportRow], now: Timestamp) -> Vec<(String, u32)> {
    let mut b = [0u32; 4];
    for r in rows.iter().filter(|r| r.status != EscalationStatus::Resolved) {
        let d = (now - r.opened_at).num_days();
        b[match d {
            0 => 0,
            1..=6 => 1,
            7..=29 => 2,
            _ => 3,
        }] += 1;
    }
    ["under a day", "1–7 days", "7–30 days", "over 30 days"]
        .iter()
        .zip(b)
        .map(|(l, n)| (l.to_string(), n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn row(fr: Option<i64>, res: Option<i64>, breaches: Vec<ClockKind>) -> ReportRow {
        let at = chrono::Utc.with_ymd_and_hms(2026, 11, 2, 10, 0, 0).unwrap();
        ReportRow {
            id: "e".into(),
            account_id: "a".into(),
            account_name: "A".into(),
            title: "t".into(),
            type_label: "Technical".into(),
            severity: EscalationSeverity::P1,
            status: if res.is_some() { EscalationStatus::Resolved } else { EscalationStatus::Open },
            opened_at: at,
            first_response_minutes: fr,
            first_response_target: 60,
            resolution_minutes: res,
            resolution_target: 480,
            breaches: breaches.into_iter().map(|k| (k, at)).collect(),
            segments: vec![],
        }
    }

    #[test]
    fn compliance_counts_only_decided_clocks() {
        let rows = [
            row(Some(30), Some(400), vec![]),
            row(Some(60), Some(500), vec![]), // exactly on target: met; resolution late
            row(None, None, vec![ClockKind::FirstResponse]), // breached while running: missed
            row(None, None, vec![]),          // still running: not judged
        ];
        let c = compliance(&rows);
        assert_eq!((c.escalations, c.first_response_judged, c.first_response_met), (4, 3, 2));
        assert_eq!((c.resolution_judged, c.resolution_met), (2, 1));
        assert_eq!(c.median_first_response, Some(45.0));
        assert_eq!(c.p90_resolution, Some(500.0));
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&v, 90.0), Some(9.0));
        assert_eq!(percentile(&v, 100.0), Some(10.0));
        assert_eq!(percentile(&[7], 90.0), Some(7.0));
        assert_eq!(median(&[1, 3, 2, 4]), Some(2.5));
        assert_eq!(percentile(&[], 50.0), None);
    }
}
