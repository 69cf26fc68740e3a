//! An alert's evidence: the numbers that tripped its rule, stored with the alert (JSON, tagged
//! by `kind`) and read as one sentence.

use crate::model::health::Band;
use crate::model::SurveyKind;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Two consecutive date ranges that were compared (both inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Windows {
    pub before_from: NaiveDate,
    pub before_to: NaiveDate,
    pub recent_from: NaiveDate,
    pub recent_to: NaiveDate,
}

impl Windows {
    /// The last `weeks` weeks up to and including `today`, and the same length before them.
    pub fn weeks_to(today: NaiveDate, weeks: u32) -> Self {
        let len = chrono::Duration::days(7 * weeks as i64);
        let recent_from = today - len + chrono::Duration::days(1);
        let before_to = recent_from - chrono::Duration::days(1);
        Windows {
            before_from: before_to - len + chrono::Duration::days(1),
            before_to,
            recent_from,
            recent_to: today,
        }
    }
}

/// The numbers behind an alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Evidence {
    /// A figure fell between two windows (declining engagement, reduced usage).
    Decline {
        /// "logins", "active users", "events", "key-feature adoption".
        metric: String,
        before: f64,
        after: f64,
        /// Negative: the fall in per cent of `before`.
        change_pct: f64,
        #[serde(flatten)]
        windows: Windows,
    },
    MissedMilestone {
        plan_id: String,
        plan_title: String,
        milestone: String,
        due: NaiveDate,
        days_late: u32,
        /// Other milestones of the account's plans that are late too.
        also_late: u32,
    },
    AwaitingReply {
        thread_id: String,
        since: chrono::DateTime<chrono::Utc>,
        days: u32,
    },
    SlowerReplies {
        median_hours: f64,
        baseline_hours: f64,
        change_pct: f64,
        replies: u32,
    },
    SurveyScore {
        survey_kind: SurveyKind,
        score: u8,
        at: chrono::DateTime<chrono::Utc>,
        contact: Option<String>,
        comment: Option<String>,
    },
    HealthDrop {
        from_score: u8,
        to_score: u8,
        from_band: Band,
        to_band: Band,
        since: NaiveDate,
    },
    Renewal {
        renews_on: NaiveDate,
        days: u32,
        band: Band,
        score: Option<u8>,
    },
    /// An SLA clock passed its target (the latest breach in the window).
    SlaBreach {
        escalation_id: String,
        title: String,
        severity: String,
        /// "first_response", "update", "resolution".
        clock: String,
        at: chrono::DateTime<chrono::Utc>,
        /// Other breaches in the window.
        others: u32,
    },
    /// A month's availability under the policy's uptime target.
    Uptime {
        month: NaiveDate,
        availability: f64,
        target: f64,
        down_minutes: i64,
    },
    EscalationOpen {
        escalation_id: String,
        title: String,
        severity: String,
        opened_at: chrono::DateTime<chrono::Utc>,
        days: u32,
    },
}

/// "11 Nov" (the year is added when the range spans two).
fn day(d: NaiveDate) -> String {
    d.format("%-d %b").to_string()
}

fn range(from: NaiveDate, to: NaiveDate) -> String {
    use chrono::Datelike;
    if from.year() == to.year() {
        format!("{}–{}", day(from), day(to))
    } else {
        format!("{} {}–{} {}", day(from), from.year(), day(to), to.year())
    }
}

/// A number as people read it: whole when it is, one decimal otherwise.
fn num(x: f64) -> String {
    if (x - x.round()).abs() < 0.05 {
        format!("{}", x.round() as i64)
    } else {
        format!("{x:.1}")
    }
}

/// A change in per cent with its sign ("−54 %", "+30 %"): the minus is a real minus sign.
pub fn pct(change: f64) -> String {
    let r = change.round() as i64;
    if r < 0 {
        format!("−{} %", -r)
    } else {
        format!("+{r} %")
    }
}

/// Hours as "36 h" up to two days, "3.5 days" after.
fn hours(h: f64) -> String {
    if h < 48.0 {
        format!("{} h", num(h))
    } else {
        format!("{} days", num(h / 24.0))
    }
}

fn days(n: u32) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

impl Evidence {
    /// The evidence in one sentence, e.g. "logins 212 → 97 (−54 %) comparing 11 Nov–24 Nov
    /// with 28 Oct–10 Nov".
    pub fn summary(&self) -> String {
        match self {
            Evidence::Decline { metric, before, after, change_pct, windows: w } => {
                let unit = if metric.contains("adoption") { " %" } else { "" };
                format!(
                    "{metric} {}{unit} → {}{unit} ({}) comparing {} with {}",
                    num(*before),
                    num(*after),
                    pct(*change_pct),
                    range(w.recent_from, w.recent_to),
                    range(w.before_from, w.before_to)
                )
            }
            Evidence::MissedMilestone {
                plan_title, milestone, due, days_late, also_late, ..
            } => {
                let more = match also_late {
                    0 => String::new(),
                    1 => "; 1 other milestone is late too".into(),
                    n => format!("; {n} other milestones are late too"),
                };
                format!(
                    "“{milestone}” ({plan_title}) was due {} and is {} late{more}",
                    day(*due),
                    days(*days_late)
                )
            }
            Evidence::AwaitingReply { since, days: d, .. } => format!(
                "a message sent {} has waited {} for the customer's reply",
                day(since.date_naive()),
                days(*d)
            ),
            Evidence::SlowerReplies { median_hours, baseline_hours, change_pct, replies } => {
                format!(
                    "median reply time {} → {} ({}) over the last 30 days ({replies} replies) \
                     against the 90 days before",
                    hours(*baseline_hours),
                    hours(*median_hours),
                    pct(*change_pct)
                )
            }
            Evidence::SurveyScore { survey_kind, score, at, contact, .. } => {
                let who = contact.as_deref().unwrap_or("an anonymous contact");
                let scale = match survey_kind {
                    SurveyKind::Nps => "0–10",
                    SurveyKind::Csat => "1–5",
                    SurveyKind::Ces => "1–7",
                };
                format!(
                    "{} {score} ({scale}) from {who} on {}",
                    survey_kind.label(),
                    day(at.date_naive())
                )
            }
            Evidence::HealthDrop { from_score, to_score, from_band, to_band, since } => {
                let change = *to_score as i32 - *from_score as i32;
                let band = if to_band != from_band {
                    format!(
                        ", {} → {}",
                        from_band.label().to_lowercase(),
                        to_band.label().to_lowercase()
                    )
                } else {
                    String::new()
                };
                let sign = if change < 0 { "−" } else { "+" };
                format!(
                    "health {from_score} → {to_score} ({sign}{} points{band}) since {}",
                    change.abs(),
                    day(*since)
                )
            }
            Evidence::Renewal { renews_on, days: d, band, score } => {
                let score = score.map(|s| format!(" ({s})")).unwrap_or_default();
                format!(
                    "renews {} (in {}) while health is {}{score}",
                    day(*renews_on),
                    days(*d),
                    band.label().to_lowercase()
                )
            }
            Evidence::SlaBreach { title, severity, clock, at, others, .. } => {
                let clock = match clock.as_str() {
                    "first_response" => "first response",
                    "update" => "update cadence",
                    _ => "resolution",
                };
                let more = match others {
                    0 => String::new(),
                    1 => "; 1 other breach in the window".into(),
                    n => format!("; {n} other breaches in the window"),
                };
                format!(
                    "the {clock} target of “{title}” ({severity}) was breached {}{more}",
                    at.format("%-d %b %H:%M UTC")
                )
            }
            Evidence::Uptime { month, availability, target, down_minutes } => format!(
                "availability in {} was {:.3} % against a target of {:.3} % ({down_minutes} minutes down)",
                month.format("%B %Y"),
                availability * 100.0,
                target * 100.0
            ),
            Evidence::EscalationOpen { title, severity, opened_at, days: d, .. } => format!(
                "“{title}” ({severity}) has been open {} since {}",
                days(*d),
                day(opened_at.date_naive())
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_decline_reads_like_the_issue_asks() {
        let e = Evidence::Decline {
            metric: "logins".into(),
            before: 212.0,
            after: 97.0,
            change_pct: -54.2,
            windows: Windows::weeks_to(d("2026-11-24"), 2),
        };
        assert_eq!(
            e.summary(),
            "logins 212 → 97 (−54 %) comparing 11 Nov–24 Nov with 28 Oct–10 Nov"
        );
    }

    #[test]
    fn windows_are_consecutive_and_equal() {
        let w = Windows::weeks_to(d("2026-01-06"), 1);
        assert_eq!((w.recent_from, w.recent_to), (d("2025-12-31"), d("2026-01-06")));
        assert_eq!((w.before_from, w.before_to), (d("2025-12-24"), d("2025-12-30")));
        let e = Evidence::Decline {
            metric: "events".into(),
            before: 10.0,
            after: 2.5,
            change_pct: -75.0,
            windows: w,
        };
        assert!(
            e.summary().contains("31 Dec 2025–6 Jan 2026 with 24 Dec–30 Dec"),
            "{}",
            e.summary()
        );
    }

    #[test]
    fn every_kind_of_evidence_says_its_numbers() {
        let at = d("2026-11-20").and_hms_opt(9, 0, 0).unwrap().and_utc();
        let m = Evidence::MissedMilestone {
            plan_id: "p".into(),
            plan_title: "Onboarding".into(),
            milestone: "Kickoff".into(),
            due: d("2026-11-01"),
            days_late: 12,
            also_late: 2,
        };
        assert_eq!(m.summary(), "“Kickoff” (Onboarding) was due 1 Nov and is 12 days late; 2 other milestones are late too");
        let a = Evidence::AwaitingReply { thread_id: "t".into(), since: at, days: 6 };
        assert_eq!(a.summary(), "a message sent 20 Nov has waited 6 days for the customer's reply");
        let s = Evidence::SlowerReplies {
            median_hours: 72.0,
            baseline_hours: 20.0,
            change_pct: 260.0,
            replies: 5,
        };
        assert_eq!(s.summary(), "median reply time 20 h → 3 days (+260 %) over the last 30 days (5 replies) against the 90 days before");
        let v = Evidence::SurveyScore {
            survey_kind: SurveyKind::Nps,
            score: 3,
            at,
            contact: Some("Ann Lee".into()),
            comment: None,
        };
        assert_eq!(v.summary(), "NPS 3 (0–10) from Ann Lee on 20 Nov");
        let h = Evidence::HealthDrop {
            from_score: 72,
            to_score: 55,
            from_band: Band::Green,
            to_band: Band::Yellow,
            since: d("2026-11-13"),
        };
        assert_eq!(h.summary(), "health 72 → 55 (−17 points, green → yellow) since 13 Nov");
        let r = Evidence::Renewal {
            renews_on: d("2027-01-15"),
            days: 44,
            band: Band::Red,
            score: Some(31),
        };
        assert_eq!(r.summary(), "renews 15 Jan (in 44 days) while health is red (31)");
    }

    #[test]
    fn evidence_is_stored_as_tagged_json() {
        let e = Evidence::AwaitingReply {
            thread_id: "t-1".into(),
            since: d("2026-11-20").and_hms_opt(0, 0, 0).unwrap().and_utc(),
            days: 6,
        };
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["kind"], "awaiting_reply");
        assert_eq!(v["thread_id"], "t-1");
        assert_eq!(serde_json::from_value::<Evidence>(v).unwrap(), e);
        let w = Windows::weeks_to(d("2026-11-24"), 2);
        let dec = Evidence::Decline {
            metric: "logins".into(),
            before: 1.0,
            after: 0.0,
            change_pct: -100.0,
            windows: w,
        };
        let v = serde_json::to_value(&dec).unwrap();
        assert_eq!(v["recent_from"], "2026-11-11");
        assert_eq!(serde_json::from_value::<Evidence>(v).unwrap(), dec);
    }
}
