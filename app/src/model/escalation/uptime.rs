//! Incidents (outages a status page or monitor reports) and monthly availability per account.

use super::EscalationSeverity;
use crate::error::{AppError, Checks};
use crate::model::Timestamp;
use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// An incident may name at most this many accounts; more is "all".
pub const MAX_INCIDENT_ACCOUNTS: usize = 1_000;

/// `POST /api/v1/incidents`. `accounts` is `"all"` or a list of account ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IncidentInput {
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub start: Option<chrono::DateTime<chrono::Utc>>,
    /// After the start, not in the future.
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub end: Option<chrono::DateTime<chrono::Utc>>,
    /// `"all"`, or the ids of the accounts it hit (at most 1 000).
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = IncidentAccounts))]
    pub accounts: serde_json::Value,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = EscalationSeverity))]
    pub severity: String,
    #[serde(default)]
    pub title: String,
    /// The monitor's own id: posting it again updates the incident (its end, usually).
    #[serde(default)]
    pub external_id: Option<String>,
}

/// The accounts an incident hit, as the OpenAPI document describes `IncidentInput::accounts`.
#[cfg(feature = "ssr")]
#[derive(utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum IncidentAccounts {
    /// `"all"`.
    All(AllAccounts),
    /// Account ids.
    Some(Vec<String>),
}

/// The word `all`.
#[cfg(feature = "ssr")]
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum AllAccounts {
    All,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidIncident {
    pub start: chrono::DateTime<chrono::Utc>,
    pub end: chrono::DateTime<chrono::Utc>,
    /// `None`: every account.
    pub accounts: Option<Vec<String>>,
    pub severity: EscalationSeverity,
    pub title: String,
    pub external_id: Option<String>,
}

impl IncidentInput {
    pub fn validate(&self, now: Timestamp) -> Result<ValidIncident, AppError> {
        let mut c = Checks::new();
        let (start, end) = (self.start, self.end);
        c.check(start.is_some(), "start", "when did it start (RFC 3339)?");
        c.check(end.is_some(), "end", "when did it end (RFC 3339)?");
        if let (Some(s), Some(e)) = (start, end) {
            c.check(e > s, "end", "must be after the start");
            c.check(e <= now + Duration::seconds(5), "end", "cannot be in the future");
            c.check(s >= now - Duration::days(400), "start", "at most 400 days ago");
        }
        let accounts = match &self.accounts {
            serde_json::Value::String(s) if s == "all" => None,
            serde_json::Value::Array(a) => {
                let ids: Vec<String> =
                    a.iter().filter_map(|v| v.as_str()).map(|s| s.trim().to_string()).collect();
                c.check(
                    ids.len() == a.len() && !ids.is_empty(),
                    "accounts",
                    "list account ids, or say \"all\"",
                );
                c.check(
                    ids.len() <= MAX_INCIDENT_ACCOUNTS,
                    "accounts",
                    format!("at most {MAX_INCIDENT_ACCOUNTS} accounts; say \"all\" for more"),
                );
                Some(ids)
            }
            _ => {
                c.fail("accounts", "list account ids, or say \"all\"");
                None
            }
        };
        let severity = EscalationSeverity::parse(self.severity.trim());
        c.check(severity.is_some(), "severity", "must be P1, P2, P3 or P4");
        c.check(self.title.chars().count() <= 200, "title", "at most 200 characters");
        let external_id =
            self.external_id.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        c.check(
            external_id.as_ref().is_none_or(|s| s.len() <= 200),
            "external_id",
            "at most 200 characters",
        );
        c.finish()?;
        Ok(ValidIncident {
            start: start.expect("checked"),
            end: end.expect("checked"),
            accounts,
            severity: severity.expect("checked"),
            title: self.title.trim().to_string(),
            external_id,
        })
    }
}

/// One account's availability in one calendar month (UTC).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthUptime {
    /// The first day of the month.
    pub month: NaiveDate,
    /// Minutes of the month covered by at least one incident affecting the account.
    pub down_minutes: i64,
    pub month_minutes: i64,
    /// 1 − down ÷ month.
    pub availability: f64,
    pub target: f64,
    pub met: bool,
    pub incidents: u32,
}

/// The UTC bounds of the month starting on `first`.
pub fn month_bounds(first: NaiveDate) -> (Timestamp, Timestamp) {
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    }
    .expect("a valid month");
    let at = |d: NaiveDate| Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"));
    (at(first), at(next))
}

/// Availability in the month starting on `first`: overlapping incidents count once (the union
/// of their spans), clipped to the month. Counted in calendar (not business) time — an outage
/// at night is still an outage.
pub fn availability(
    first: NaiveDate, spans: &[(Timestamp, Timestamp)], target: f64,
) -> MonthUptime {
    let (lo, hi) = month_bounds(first);
    let mut clipped: Vec<(Timestamp, Timestamp)> =
        spans.iter().map(|(s, e)| ((*s).max(lo), (*e).min(hi))).filter(|(s, e)| e > s).collect();
    clipped.sort();
    let mut down = Duration::zero();
    let mut cur: Option<(Timestamp, Timestamp)> = None;
    for (s, e) in clipped.iter().copied() {
        cur = match cur {
            Some((cs, ce)) if s <= ce => Some((cs, ce.max(e))),
            Some((cs, ce)) => {
                down += ce - cs;
                Some((s, e))
            }
            None => Some((s, e)),
        };
    }
    if let Some((cs, ce)) = cur {
        down += ce - cs;
    }
    let month_minutes = (hi - lo).num_minutes();
    let down_minutes = (down.num_seconds() + 59) / 60;
    let availability = 1.0 - down.num_seconds() as f64 / (hi - lo).num_seconds() as f64;
    MonthUptime {
        month: first,
        down_minutes,
        month_minutes,
        availability,
        target,
        met: availability + 1e-12 >= target,
        incidents: clipped.len() as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(d: u32, h: u32, m: u32) -> Timestamp {
        Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap()
    }

    #[test]
    fn overlapping_incidents_count_once_and_are_clipped_to_the_month() {
        let first = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let spans = [
            (t(3, 10, 0), t(3, 10, 30)),
            (t(3, 10, 20), t(3, 11, 0)), // overlaps: 10:00–11:00 in all
            (Utc.with_ymd_and_hms(2026, 10, 31, 23, 50, 0).unwrap(), t(1, 0, 10)), // 10 min in November
        ];
        let u = availability(first, &spans, 0.999);
        assert_eq!(u.month_minutes, 30 * 24 * 60);
        assert_eq!(u.down_minutes, 70);
        assert!((u.availability - (1.0 - 70.0 / 43_200.0)).abs() < 1e-12);
        assert!(!u.met, "70 minutes is more than the 43.2 minutes 99.9 % allows");
        let ok = availability(first, &[(t(3, 10, 0), t(3, 10, 43))], 0.999);
        assert!(ok.met);
    }

    #[test]
    fn an_incident_needs_an_end_after_its_start_and_named_accounts() {
        let now = t(20, 0, 0);
        let bad = IncidentInput {
            start: Some(t(3, 10, 0)),
            end: Some(t(3, 9, 0)),
            accounts: serde_json::json!("some"),
            severity: "P7".into(),
            title: String::new(),
            external_id: None,
        };
        let e = bad.validate(now).unwrap_err();
        assert!(e.for_field("end").is_some());
        assert!(e.for_field("accounts").is_some());
        assert!(e.for_field("severity").is_some());
    }
}
