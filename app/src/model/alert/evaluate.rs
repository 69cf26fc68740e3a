//! What a rule says about one account: the facts the rules read, and for each rule kind whether
//! it trips, with the evidence. Pure, so every threshold is tested at, just below and just above.

use super::evidence::{Evidence, Windows};
use super::{RuleConfig, RuleKind};
use crate::model::health::Band;
use crate::model::message::ReplyFacts;
use crate::model::{SurveyKind, Timestamp};
use chrono::NaiveDate;

/// A figure must have been at least this large before a fall in it counts: 3 logins falling to
/// 1 is noise, not a decline.
pub const MIN_LOGINS_BEFORE: f64 = 10.0;
pub const MIN_USERS_BEFORE: f64 = 3.0;
pub const MIN_EVENTS_BEFORE: f64 = 20.0;
/// A median reply time needs this many replies on both sides to be compared.
pub const MIN_REPLIES: usize = 3;

/// Usage in one window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UsageWindow {
    pub logins: u64,
    pub events: u64,
    pub active_users: u32,
    /// Distinct features used.
    pub features: Vec<String>,
}

/// Usage in two consecutive windows of the same length.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageComparison {
    pub weeks: u32,
    pub windows: Windows,
    pub before: UsageWindow,
    pub recent: UsageWindow,
}

/// An open milestone past its due date.
#[derive(Debug, Clone, PartialEq)]
pub struct LateMilestone {
    pub plan_id: String,
    pub plan_title: String,
    pub title: String,
    pub due: NaiveDate,
}

/// A survey answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub kind: SurveyKind,
    pub score: u8,
    pub at: Timestamp,
    pub contact: Option<String>,
    pub comment: Option<String>,
}

impl Answer {
    /// A detractor (NPS 0–6), a dissatisfied CSAT (1–2) or a hard CES (1–2 of 7).
    pub fn is_low(&self) -> bool {
        match self.kind {
            SurveyKind::Nps => self.score <= 6,
            SurveyKind::Csat | SurveyKind::Ces => self.score <= 2,
        }
    }
}

/// A past score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PastScore {
    /// How many days back it was asked for.
    pub days: u32,
    pub day: NaiveDate,
    pub score: u8,
    pub band: Band,
}

/// An escalation of the account, as the SLA rules read it.
#[derive(Debug, Clone, PartialEq)]
pub struct EscalationFacts {
    pub id: String,
    pub title: String,
    /// "P1" … "P4".
    pub severity: String,
    pub open: bool,
    pub opened_at: Timestamp,
    /// (clock key, when it breached).
    pub breaches: Vec<(String, Timestamp)>,
}

/// The last complete month's availability, when under its target.
#[derive(Debug, Clone, PartialEq)]
pub struct UptimeShortfall {
    pub month: NaiveDate,
    pub availability: f64,
    pub target: f64,
    pub down_minutes: i64,
}

/// Everything the rules read about one account.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertFacts {
    /// One comparison per window length the account's rules ask for.
    pub usage: Vec<UsageComparison>,
    /// The key features of the health model scoring the account (adoption is their share).
    pub key_features: Vec<String>,
    pub late_milestones: Vec<LateMilestone>,
    pub replies: ReplyFacts,
    /// Answers of the last year, newest first.
    pub answers: Vec<Answer>,
    /// Today's score and band.
    pub health: Option<(u8, Band)>,
    /// Scores some days back, one per window length the rules ask for.
    pub past: Vec<PastScore>,
    pub renewal: Option<NaiveDate>,
    pub churned: bool,
    /// Open escalations and those opened in the last 90 days.
    pub escalations: Vec<EscalationFacts>,
    pub uptime: Option<UptimeShortfall>,
}

/// Per cent change from `before` to `after` (negative: a fall).
fn change(before: f64, after: f64) -> f64 {
    (after - before) / before * 100.0
}

/// Whether a change trips a "down by at least `threshold` %" rule (exactly the threshold trips).
fn fell(change_pct: f64, threshold: u32) -> bool {
    change_pct <= -(threshold as f64) + 1e-9
}

/// The share of `key` features among `used`, in per cent.
fn adoption(used: &[String], key: &[String]) -> f64 {
    let n = key.iter().filter(|k| used.contains(k)).count();
    n as f64 * 100.0 / key.len() as f64
}

/// The median of some numbers.
pub fn median(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let mut v = xs.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let m = v.len() / 2;
    Some(if v.len().is_multiple_of(2) { (v[m - 1] + v[m]) / 2.0 } else { v[m] })
}

/// Whether `rule` trips for an account with `facts` at `now`, and the evidence if so. A
/// disabled rule never trips.
pub fn evaluate(rule: &RuleConfig, f: &AlertFacts, now: Timestamp) -> Option<Evidence> {
    if !rule.enabled || f.churned {
        return None;
    }
    let today = now.date_naive();
    match rule.kind {
        RuleKind::DecliningEngagement => {
            let u = f.usage.iter().find(|u| u.weeks == rule.window)?;
            let candidates = [
                ("logins", u.before.logins as f64, u.recent.logins as f64, MIN_LOGINS_BEFORE),
                (
                    "active users",
                    u.before.active_users as f64,
                    u.recent.active_users as f64,
                    MIN_USERS_BEFORE,
                ),
            ];
            steepest(&candidates, rule.threshold, u.windows)
        }
        RuleKind::ReducedUsage => {
            let u = f.usage.iter().find(|u| u.weeks == rule.window)?;
            let mut candidates =
                vec![("events", u.before.events as f64, u.recent.events as f64, MIN_EVENTS_BEFORE)];
            if !f.key_features.is_empty() {
                let (b, r) = (
                    adoption(&u.before.features, &f.key_features),
                    adoption(&u.recent.features, &f.key_features),
                );
                candidates.push(("key-feature adoption", b, r, f64::MIN_POSITIVE));
            }
            steepest(&candidates, rule.threshold, u.windows)
        }
        RuleKind::MissedMilestone => {
            let late = |m: &&LateMilestone| (today - m.due).num_days() >= rule.threshold as i64;
            let mut late: Vec<&LateMilestone> = f.late_milestones.iter().filter(late).collect();
            late.sort_by_key(|m| (m.due, m.title.clone()));
            let worst = late.first()?;
            Some(Evidence::MissedMilestone {
                plan_id: worst.plan_id.clone(),
                plan_title: worst.plan_title.clone(),
                milestone: worst.title.clone(),
                due: worst.due,
                days_late: (today - worst.due).num_days() as u32,
                also_late: late.len() as u32 - 1,
            })
        }
        RuleKind::DelayedResponse => {
            if let Some((thread, since)) = &f.replies.awaiting {
                let days = (now - *since).num_days();
                if days >= rule.window as i64 {
                    return Some(Evidence::AwaitingReply {
                        thread_id: thread.clone(),
                        since: *since,
                        days: days as u32,
                    });
                }
            }
            let (recent, baseline) = (&f.replies.recent_hours, &f.replies.baseline_hours);
            if recent.len() < MIN_REPLIES || baseline.len() < MIN_REPLIES {
                return None;
            }
            let (m, b) = (median(recent)?, median(baseline)?);
            let up = if b > 0.0 { change(b, m) } else { return None };
            (up >= rule.threshold as f64 - 1e-9).then_some(Evidence::SlowerReplies {
                median_hours: m,
                baseline_hours: b,
                change_pct: up,
                replies: recent.len() as u32,
            })
        }
        RuleKind::LowSurveyScore => {
            let since = now - chrono::Duration::days(rule.window as i64);
            let a = f.answers.iter().filter(|a| a.at >= since).find(|a| a.is_low())?;
            Some(Evidence::SurveyScore {
                survey_kind: a.kind,
                score: a.score,
                at: a.at,
                contact: a.contact.clone(),
                comment: a.comment.clone(),
            })
        }
        RuleKind::HealthDrop => {
            let (score, band) = f.health?;
            let past = f.past.iter().find(|p| p.days == rule.window)?;
            let dropped_band = band < past.band;
            let dropped_points = past.score as i32 - score as i32 >= rule.threshold as i32;
            (dropped_band || dropped_points).then_some(Evidence::HealthDrop {
                from_score: past.score,
                to_score: score,
                from_band: past.band,
                to_band: band,
                since: past.day,
            })
        }
        RuleKind::RenewalAtRisk => {
            let (score, band) = f.health?;
            let renews = f.renewal?;
            let days = (renews - today).num_days();
            let near = (0..=rule.window as i64).contains(&days);
            (near && band != Band::Green).then_some(Evidence::Renewal {
                renews_on: renews,
                days: days as u32,
                band,
                score: Some(score),
            })
        }
        RuleKind::SlaBreach => sla_breach(f, rule.window, now),
        RuleKind::EscalationOpenLong => open_long(f, rule.threshold, now),
    }
}

/// The latest SLA breach within `window` days, or a month under its uptime target.
fn sla_breach(f: &AlertFacts, window: u32, now: Timestamp) -> Option<Evidence> {
    let since = now - chrono::Duration::days(window as i64);
    let mut breaches: Vec<(&EscalationFacts, &(String, Timestamp))> = f
        .escalations
        .iter()
        .flat_map(|e| e.breaches.iter().map(move |b| (e, b)))
        .filter(|(_, b)| b.1 >= since && b.1 <= now)
        .collect();
    breaches.sort_by_key(|(_, b)| std::cmp::Reverse(b.1));
    if let Some((e, (clock, at))) = breaches.first() {
        return Some(Evidence::SlaBreach {
            escalation_id: e.id.clone(),
            title: e.title.clone(),
            severity: e.severity.clone(),
            clock: clock.clone(),
            at: *at,
            others: breaches.len() as u32 - 1,
        });
    }
    f.uptime.as_ref().map(|u| Evidence::Uptime {
        month: u.month,
        availability: u.availability,
        target: u.target,
        down_minutes: u.down_minutes,
    })
}

/// The oldest open escalation open for at least `days` days.
fn open_long(f: &AlertFacts, days: u32, now: Timestamp) -> Option<Evidence> {
    let e = f
        .escalations
        .iter()
        .filter(|e| e.open && (now - e.opened_at).num_days() >= days as i64)
        .min_by_key(|e| e.opened_at)?;
    Some(Evidence::EscalationOpen {
        escalation_id: e.id.clone(),
        title: e.title.clone(),
        severity: e.severity.clone(),
        opened_at: e.opened_at,
        days: (now - e.opened_at).num_days() as u32,
    })
}

/// The figure that fell the most among those that fell by the threshold from a large enough
/// base: (metric, before, after, smallest base).
fn steepest(
    candidates: &[(&str, f64, f64, f64)], threshold: u32, windows: Windows,
) -> Option<Evidence> {
    candidates
        .iter()
        .filter(|(_, before, _, min)| *before >= *min && *before > 0.0)
        .map(|(metric, before, after, _)| (*metric, *before, *after, change(*before, *after)))
        .filter(|(.., c)| fell(*c, threshold))
        .min_by(|a, b| a.3.total_cmp(&b.3))
        .map(|(metric, before, after, change_pct)| Evidence::Decline {
            metric: metric.to_string(),
            before,
            after,
            change_pct,
            windows,
        })
}

#[cfg(test)]
#[path = "evaluate_tests.rs"]
mod tests;
