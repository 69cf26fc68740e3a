//! Uptime: incidents reported by monitors, and each account's monthly availability against the
//! uptime target of the SLA policy covering it.

use crate::error::AppError;
use crate::model::alert::UptimeShortfall;
use crate::model::escalation::{availability, month_bounds, IncidentInput, MonthUptime};
use crate::model::Timestamp;
use crate::store::escalations::incidents;
use crate::store::portfolio_index::PortfolioIndex;
use crate::store::Db;
use chrono::{Datelike, Months, NaiveDate, Utc};
use std::collections::HashMap;

/// Records an incident; the affected accounts' rules run (a month under target raises an alert
/// once the month is complete — see [`shortfalls`]).
pub async fn record(db: &Db, input: &IncidentInput) -> Result<String, AppError> {
    let valid = input.validate(Utc::now())?;
    incidents::record(db, &valid).await
}

fn first_of(d: NaiveDate) -> NaiveDate {
    d.with_day(1).expect("day 1 exists")
}

/// The account's availability in each of the last `months` months (this one first, to date).
pub async fn for_account(
    db: &Db, index: &PortfolioIndex, account: &str, months: u32,
) -> Result<Vec<MonthUptime>, AppError> {
    let (_, terms) = super::sla::policy_for(db, index, account, None).await?;
    let this = first_of(Utc::now().date_naive());
    let oldest = this - Months::new(months.saturating_sub(1));
    let (from, _) = month_bounds(oldest);
    let (_, to) = month_bounds(this);
    let spans = incidents::overlapping(db, from, to).await?;
    let mine: Vec<(Timestamp, Timestamp)> =
        spans.iter().filter(|s| s.affects(account)).map(|s| (s.started_at, s.ended_at)).collect();
    Ok((0..months)
        .map(|i| availability(this - Months::new(i), &mine, terms.uptime_target))
        .collect())
}

/// Accounts whose last complete month fell under their policy's uptime target. Only accounts
/// an incident touched in that month are looked at (the others were up all month).
pub async fn shortfalls(
    db: &Db, index: &PortfolioIndex, accounts: Option<&[String]>, now: Timestamp,
) -> Result<HashMap<String, UptimeShortfall>, AppError> {
    let last = first_of(now.date_naive()) - Months::new(1);
    let (from, to) = month_bounds(last);
    let spans = incidents::overlapping(db, from, to).await?;
    if spans.is_empty() {
        return Ok(HashMap::new());
    }
    let candidates: Vec<String> = match accounts {
        Some(list) => list.iter().filter(|a| spans.iter().any(|s| s.affects(a))).cloned().collect(),
        None if spans.iter().any(|s| s.accounts.is_none()) => {
            super::portfolio::all_rows(index).await?.into_iter().map(|r| r.id.to_string()).collect()
        }
        None => {
            let mut v: Vec<String> =
                spans.iter().flat_map(|s| s.accounts.clone().unwrap_or_default()).collect();
            v.sort();
            v.dedup();
            v
        }
    };
    let mut out = HashMap::new();
    let policies = crate::store::escalations::sla::policies(db).await?;
    let default_target =
        policies.iter().find(|p| p.segment_id.is_none()).map_or(0.999, |p| p.terms.uptime_target);
    let segment_policies = policies.iter().any(|p| p.segment_id.is_some());
    for a in candidates {
        let mine: Vec<(Timestamp, Timestamp)> =
            spans.iter().filter(|s| s.affects(&a)).map(|s| (s.started_at, s.ended_at)).collect();
        let target = if segment_policies {
            super::sla::policy_for(db, index, &a, None).await?.1.uptime_target
        } else {
            default_target
        };
        let u = availability(last, &mine, target);
        if !u.met {
            out.insert(
                a,
                UptimeShortfall {
                    month: last,
                    availability: u.availability,
                    target,
                    down_minutes: u.down_minutes,
                },
            );
        }
    }
    Ok(out)
}
