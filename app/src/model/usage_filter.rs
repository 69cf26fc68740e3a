//! The portfolio filters on how customers use the product: health band, feature adoption,
//! engagement level, inactivity and plan status. One definition of each boundary, used by the
//! in-memory index, by the database fallback's tests and by the words on the page.

use super::health::Band;
use super::plan::PlanStatus;
use super::portfolio::PortfolioFilter;
use super::segment::{BandChoice, Engagement};
use crate::error::{AppError, Checks};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What an account's usage looks like, as the scorer last wrote it onto the account.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UsageFacts {
    /// Share of the scoring model's key features used in the last 30 days, 0–100 (`None`:
    /// the model names no key features, or the account was never scored).
    #[serde(default)]
    pub adoption: Option<f64>,
    #[serde(default)]
    pub engagement: Option<Engagement>,
    /// The day of the last usage event (`None`: never active).
    #[serde(default)]
    pub last_active_on: Option<NaiveDate>,
    /// The worst status among open plans (`None`: no open plan).
    #[serde(default)]
    pub plan_status: Option<PlanStatus>,
}

/// Whether an account last active on `last` has been inactive for `days` days on `today`: no
/// usage event in the last `days` days, i.e. its last event is `days` or more days old.
/// Never-active accounts are inactive.
pub fn inactive_for(last: Option<NaiveDate>, days: u32, today: NaiveDate) -> bool {
    last.is_none_or(|d| (today - d).num_days() >= days as i64)
}

/// The last day an account may have been active and still count as inactive for `days` days
/// (the database fallback compares `last_active_on <= cutoff`).
pub fn inactive_cutoff(days: u32, today: NaiveDate) -> NaiveDate {
    today - chrono::Duration::days(days as i64)
}

impl PortfolioFilter {
    /// Whether an account with this band and these facts passes the usage filters on `today`.
    pub fn admits_usage(&self, band: Option<Band>, u: &UsageFacts, today: NaiveDate) -> bool {
        self.band.admits(Some(BandChoice::of(band)))
            && self.adoption_min.is_none_or(|m| u.adoption.is_some_and(|a| a >= m as f64))
            && self.adoption_max.is_none_or(|m| u.adoption.is_some_and(|a| a <= m as f64))
            && self.engagement.admits(u.engagement)
            && self.inactive_days.is_none_or(|d| inactive_for(u.last_active_on, d, today))
            && self.plan_filter().is_none_or(|p| u.plan_status.is_some_and(|s| p.contains(&s)))
    }

    /// The plan statuses asked for, if any: `done` is dropped wherever it came from (a finished
    /// plan is not open, so no account carries it).
    pub fn plan_filter(&self) -> Option<Vec<PlanStatus>> {
        let open: Vec<PlanStatus> = self.plan.iter().filter(|p| *p != PlanStatus::Done).collect();
        (!open.is_empty()).then_some(open)
    }

    /// Whether any usage filter is set.
    pub fn uses_usage(&self) -> bool {
        !self.usage_pairs().is_empty()
    }

    /// The usage filters as URL pairs, in a fixed order.
    pub(crate) fn usage_pairs(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if !self.band.is_empty() {
            p.push(("band", self.band.to_key()));
        }
        if let Some(m) = self.adoption_min {
            p.push(("adoption_min", m.to_string()));
        }
        if let Some(m) = self.adoption_max {
            p.push(("adoption_max", m.to_string()));
        }
        if !self.engagement.is_empty() {
            p.push(("engagement", self.engagement.to_key()));
        }
        if let Some(d) = self.inactive_days {
            p.push(("inactive_days", d.to_string()));
        }
        if !self.plan.is_empty() {
            p.push(("plan", self.plan.to_key()));
        }
        p
    }

    /// The usage filters in words: "Red or Yellow health", "adoption ≤ 40 %", …
    pub(crate) fn describe_usage(&self) -> Vec<String> {
        let labels = |keys: Vec<&'static str>| keys.join(" or ");
        let mut parts = Vec::new();
        if !self.band.is_empty() {
            parts.push(format!("{} health", labels(self.band.iter().map(|b| b.label()).collect())));
        }
        match (self.adoption_min, self.adoption_max) {
            (Some(lo), Some(hi)) => parts.push(format!("adoption {lo}–{hi} %")),
            (Some(lo), None) => parts.push(format!("adoption ≥ {lo} %")),
            (None, Some(hi)) => parts.push(format!("adoption ≤ {hi} %")),
            (None, None) => {}
        }
        if !self.engagement.is_empty() {
            let l = labels(self.engagement.iter().map(|e| e.label()).collect());
            parts.push(format!("{l} engagement"));
        }
        if let Some(d) = self.inactive_days {
            parts.push(format!("inactive {d}+ days"));
        }
        if !self.plan.is_empty() {
            parts.push(format!(
                "plan {}",
                labels(self.plan.iter().map(|s| s.label()).collect()).to_lowercase()
            ));
        }
        parts
    }

    /// Filters that can match nothing, refused when saving a segment (viewing the portfolio
    /// with them just shows no accounts).
    pub fn check(&self) -> Result<(), AppError> {
        let mut c = Checks::new();
        if let (Some(lo), Some(hi)) = (self.adoption_min, self.adoption_max) {
            c.check(
                lo <= hi,
                "adoption_max",
                format!("the highest adoption ({hi} %) is below the lowest ({lo} %)"),
            );
        }
        c.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::segment::KeySet;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn facts(adoption: Option<f64>, last: Option<&str>) -> UsageFacts {
        UsageFacts { adoption, last_active_on: last.map(day), ..Default::default() }
    }

    #[test]
    fn adoption_bounds_are_inclusive() {
        let today = day("2026-12-03");
        let f = PortfolioFilter { adoption_max: Some(40), ..Default::default() };
        assert!(f.admits_usage(None, &facts(Some(40.0), None), today), "exactly at the threshold");
        assert!(!f.admits_usage(None, &facts(Some(40.01), None), today));
        assert!(f.admits_usage(None, &facts(Some(0.0), None), today));
        assert!(!f.admits_usage(None, &facts(None, None), today), "no adoption figure, no match");
        let f = PortfolioFilter { adoption_min: Some(60), ..Default::default() };
        assert!(f.admits_usage(None, &facts(Some(60.0), None), today));
        assert!(!f.admits_usage(None, &facts(Some(59.9), None), today));
    }

    #[test]
    fn inactivity_counts_whole_days_and_includes_the_never_active() {
        let today = day("2026-12-03");
        let f = PortfolioFilter { inactive_days: Some(30), ..Default::default() };
        assert!(f.admits_usage(None, &facts(None, None), today), "never active");
        assert!(f.admits_usage(None, &facts(None, Some("2026-11-03")), today), "30 days ago");
        assert!(!f.admits_usage(None, &facts(None, Some("2026-11-04")), today), "29 days ago");
        assert!(!f.admits_usage(None, &facts(None, Some("2026-12-03")), today), "today");
        assert_eq!(inactive_cutoff(30, today), day("2026-11-03"));
        assert!(inactive_for(Some(inactive_cutoff(7, today)), 7, today), "cutoff and rule agree");
    }

    #[test]
    fn bands_match_unscored_accounts_only_when_asked() {
        let today = day("2026-12-03");
        let u = UsageFacts::default();
        let red = PortfolioFilter { band: KeySet::parse("red"), ..Default::default() };
        assert!(red.admits_usage(Some(Band::Red), &u, today));
        assert!(!red.admits_usage(None, &u, today));
        let unscored =
            PortfolioFilter { band: KeySet::parse("red,unscored"), ..Default::default() };
        assert!(unscored.admits_usage(None, &u, today));
        assert!(!unscored.admits_usage(Some(Band::Green), &u, today));
        assert!(PortfolioFilter::default().admits_usage(None, &u, today));
    }

    #[test]
    fn engagement_and_plan_sets() {
        let today = day("2026-12-03");
        let f = PortfolioFilter {
            engagement: KeySet::parse("none,low"),
            plan: KeySet::parse("off_track"),
            ..Default::default()
        };
        let mut u = UsageFacts {
            engagement: Some(Engagement::Low),
            plan_status: Some(PlanStatus::OffTrack),
            ..Default::default()
        };
        assert!(f.admits_usage(None, &u, today));
        u.engagement = Some(Engagement::High);
        assert!(!f.admits_usage(None, &u, today));
        u.engagement = Some(Engagement::Dormant);
        u.plan_status = None;
        assert!(!f.admits_usage(None, &u, today), "no open plan does not match a plan filter");
    }

    #[test]
    fn usage_filters_round_trip_through_the_url_and_refuse_nonsense() {
        let f = PortfolioFilter::from_query([
            ("band", "red,purple"),
            ("adoption_min", "abc"),
            ("adoption_max", "40"),
            ("engagement", "low"),
            ("inactive_days", "-3"),
            ("plan", "done,at_risk"),
        ]);
        assert_eq!(f.band.to_key(), "red");
        assert_eq!(f.adoption_min, None);
        assert_eq!(f.adoption_max, Some(40));
        assert_eq!(f.inactive_days, None, "negative days are ignored");
        assert_eq!(f.plan.to_key(), "at_risk", "a done plan is not open");
        assert_eq!(PortfolioFilter::from_query_string(&f.to_query()), f);
        assert_eq!(f.describe(), "Red health · adoption ≤ 40 % · Low engagement · plan at risk");
        assert!(PortfolioFilter::from_query([("adoption_min", "101")]).adoption_min.is_none());
        let bad = PortfolioFilter {
            adoption_min: Some(50),
            adoption_max: Some(20),
            ..Default::default()
        };
        assert!(bad.check().unwrap_err().for_field("adoption_max").is_some());
    }
}
