//! Saved segments (named portfolio filters), the usage vocabularies they filter on, and the
//! movement of accounts in and out of them.
//!
//! Membership is never stored as the answer to "who is in this segment": every user of a
//! segment (a health model's scope, a cadence rule, a survey's audience) evaluates its filter
//! when it runs, so it follows accounts as they move. The membership the store keeps
//! (`segment_member`) exists only to notice a move and record it once.

use super::enums::Keyed;
use super::health::Band;
use super::plan::PlanStatus;
use super::portfolio::PortfolioFilter;
use super::Timestamp;
use crate::error::{AppError, Checks};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::{BTreeSet, HashMap, HashSet};

vocabulary! {
    /// A health band as a filter choice: the three colours, or no score yet.
    BandChoice {
        Red => "red", "Red";
        Yellow => "yellow", "Yellow";
        Green => "green", "Green";
        Unscored => "unscored", "Unscored";
    }
}

impl BandChoice {
    /// The choice an account's band falls under.
    pub fn of(band: Option<Band>) -> Self {
        match band {
            Some(Band::Red) => BandChoice::Red,
            Some(Band::Yellow) => BandChoice::Yellow,
            Some(Band::Green) => BandChoice::Green,
            None => BandChoice::Unscored,
        }
    }
}

vocabulary! {
    /// How much an account's users log in: logins per active user per week over the last 30
    /// days, cut into levels at thresholds an admin sets ([`EngagementThresholds`]). `none`
    /// is no login at all in 30 days.
    Engagement {
        Dormant => "none", "None";
        Low => "low", "Low";
        Medium => "medium", "Medium";
        High => "high", "High";
    }
}

/// Where the engagement levels start, in logins per active user per week. Below `medium_from`
/// (but above zero) is Low.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EngagementThresholds {
    pub medium_from: f64,
    pub high_from: f64,
}

impl Default for EngagementThresholds {
    /// About one login a week per user is a tool in use; four or more is part of the daily
    /// routine.
    fn default() -> Self {
        Self { medium_from: 1.0, high_from: 4.0 }
    }
}

impl EngagementThresholds {
    /// Reads both thresholds as typed in a form (a comma works as the decimal mark) and checks
    /// them; an unreadable number is refused by its field.
    pub fn parse(medium_from: &str, high_from: &str) -> Result<Self, AppError> {
        let read = |s: &str| s.trim().replace(',', ".").parse::<f64>().unwrap_or(f64::NAN);
        let t = Self { medium_from: read(medium_from), high_from: read(high_from) };
        t.validate()?;
        Ok(t)
    }

    pub fn validate(&self) -> Result<(), AppError> {
        let mut c = Checks::new();
        let ok = |v: f64| v.is_finite() && v > 0.0 && v <= 100.0;
        c.check(
            ok(self.medium_from),
            "medium_from",
            "enter a number of logins above 0 and at most 100",
        );
        c.check(
            ok(self.high_from),
            "high_from",
            "enter a number of logins above 0 and at most 100",
        );
        c.check(
            !ok(self.medium_from) || !ok(self.high_from) || self.high_from > self.medium_from,
            "high_from",
            "High must start above Medium",
        );
        c.finish()
    }

    /// The level of an account with `logins` by `users` distinct people in 30 days.
    pub fn level(&self, logins: u32, users: u32) -> Engagement {
        if logins == 0 {
            return Engagement::Dormant;
        }
        let rate = per_user_week(logins, users);
        if rate >= self.high_from {
            Engagement::High
        } else if rate >= self.medium_from {
            Engagement::Medium
        } else {
            Engagement::Low
        }
    }
}

/// Logins per active user per week over a 30-day window (logins without a known user count as
/// one user's).
pub fn per_user_week(logins: u32, users: u32) -> f64 {
    // Multiplied out before dividing, so a rate exactly at a threshold lands on it.
    logins as f64 * 7.0 / (30.0 * users.max(1) as f64)
}

/// A set of vocabulary values, written `red,yellow` in URLs and stored filters. Unknown keys
/// are dropped when reading (an old bookmark must still open); the set is kept sorted so two
/// equal filters compare equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySet<T: Keyed>(pub BTreeSet<T>);

impl<T: Keyed> Default for KeySet<T> {
    fn default() -> Self {
        Self(BTreeSet::new())
    }
}

impl<T: Keyed> KeySet<T> {
    pub fn parse(s: &str) -> Self {
        Self(s.split(',').filter_map(|k| T::parse(k.trim())).collect())
    }
    pub fn to_key(&self) -> String {
        self.0.iter().map(|v| v.key()).collect::<Vec<_>>().join(",")
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn contains(&self, v: T) -> bool {
        self.0.contains(&v)
    }
    /// Whether `v` passes: an empty set lets everything through.
    pub fn admits(&self, v: Option<T>) -> bool {
        self.is_empty() || v.is_some_and(|v| self.0.contains(&v))
    }
    /// The set with `v` added or taken out.
    pub fn toggled(&self, v: T) -> Self {
        let mut s = self.0.clone();
        if !s.remove(&v) {
            s.insert(v);
        }
        Self(s)
    }
    pub fn iter(&self) -> impl Iterator<Item = T> + '_ {
        self.0.iter().copied()
    }
}

impl<T: Keyed> FromIterator<T> for KeySet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl<T: Keyed> Serialize for KeySet<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_key())
    }
}

impl<'de, T: Keyed> Deserialize<'de> for KeySet<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::parse(&String::deserialize(d)?))
    }
}

/// The plan statuses a filter can ask for (a finished plan is no longer "open").
pub fn plan_choices() -> impl Iterator<Item = PlanStatus> {
    PlanStatus::ALL.iter().copied().filter(|s| *s != PlanStatus::Done)
}

/// A saved, named filter. Later features (health models, SLA policies, surveys) target segments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub id: String,
    pub name: String,
    pub filter: PortfolioFilter,
}

impl Segment {
    /// Why this segment may not choose which health model scores its accounts, if it may not.
    /// Band and adoption are outputs of scoring (adoption counts the scoring model's key
    /// features): a model scoped by them would decide its own scope, and an account could
    /// flip between two models on every pass.
    pub fn cannot_scope_health(&self) -> Option<String> {
        let f = &self.filter;
        let what = if !f.band.is_empty() {
            "health band"
        } else if f.adoption_min.is_some() || f.adoption_max.is_some() {
            "feature adoption"
        } else {
            return None;
        };
        Some(format!(
            "“{}” filters on {what}, which the health model itself produces: scoping a model by it \
             would let the model decide which accounts it scores. Choose a segment without band \
             or adoption filters",
            self.name
        ))
    }
}

pub fn validate_segment_name(name: &str) -> Result<String, AppError> {
    let mut c = Checks::new();
    let name = super::validate::required_text(name, 80).map_err(|m| c.fail("name", m)).ok();
    c.finish()?;
    Ok(name.unwrap_or_default())
}

/// An account entering or leaving a saved segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentMove {
    pub account_id: String,
    pub account_name: String,
    pub segment_id: String,
    /// The segment's name when the move happened (the segment may since be gone).
    pub segment_name: String,
    pub entered: bool,
    pub at: Timestamp,
}

impl SegmentMove {
    /// "entered Low adoption"
    pub fn describe(&self) -> String {
        format!("{} {}", if self.entered { "entered" } else { "left" }, self.segment_name)
    }
}

/// Who came in and who went out, between what the store last recorded and what the filters
/// say now, for the accounts looked at. Both sides are (segment, account) pairs.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    pub entered: Vec<(String, String)>,
    pub left: Vec<(String, String)>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.entered.is_empty() && self.left.is_empty()
    }
}

/// The moves between `recorded` membership and `now` (segment → members), over `looked_at`
/// accounts only (`None`: all). A segment missing from `now` (deleted) is left alone: its
/// members are removed with it, not "left".
pub fn membership_changes(
    recorded: &HashMap<String, HashSet<String>>, now: &HashMap<String, HashSet<String>>,
    looked_at: Option<&HashSet<String>>,
) -> Changes {
    let mut c = Changes::default();
    let seen = |a: &String| looked_at.is_none_or(|l| l.contains(a));
    let empty = HashSet::new();
    for (seg, members) in now {
        let before = recorded.get(seg).unwrap_or(&empty);
        c.entered.extend(
            members
                .iter()
                .filter(|a| seen(a) && !before.contains(*a))
                .map(|a| (seg.clone(), a.clone())),
        );
        c.left.extend(
            before
                .iter()
                .filter(|a| seen(a) && !members.contains(*a))
                .map(|a| (seg.clone(), a.clone())),
        );
    }
    c.entered.sort();
    c.left.sort();
    c
}

/// One segment as the Segments page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentOverview {
    pub segment: Segment,
    pub description: String,
    pub accounts: u64,
    /// ARR per currency, largest first.
    pub arr: Vec<(String, i64)>,
    /// Accounts per band: red, yellow, green, unscored.
    pub bands: [u64; 4],
    pub entered_7d: u64,
    pub left_7d: u64,
    pub entered_30d: u64,
    pub left_30d: u64,
    /// The moves of the last 30 days, newest first (at most 100).
    pub moves: Vec<SegmentMove>,
    /// The portfolio URL query that shows its members.
    pub query: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> HashSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn engagement_levels_start_at_their_thresholds() {
        let t = EngagementThresholds::default();
        assert_eq!(t.level(0, 0), Engagement::Dormant);
        assert_eq!(t.level(0, 5), Engagement::Dormant);
        // 30 days = 30/7 weeks: 1 login a week per user is 30/7 ≈ 4.29 logins in 30 days.
        assert_eq!(t.level(4, 1), Engagement::Low);
        assert_eq!(t.level(5, 1), Engagement::Medium);
        assert_eq!(t.level(30, 7), Engagement::Medium, "exactly one a week each is Medium");
        assert_eq!(t.level(29, 7), Engagement::Low, "just under it is Low");
        assert_eq!(t.level(17, 1), Engagement::Medium);
        assert_eq!(t.level(18, 1), Engagement::High, "18 logins in 30 days = 4.2 a week");
        assert_eq!(t.level(18, 2), Engagement::Medium, "shared by two people");
        assert_eq!(
            t.level(3, 0),
            Engagement::Low,
            "logins without a known user count as one user's"
        );
    }

    #[test]
    fn thresholds_must_rise() {
        assert!(EngagementThresholds::default().validate().is_ok());
        let e = EngagementThresholds { medium_from: 3.0, high_from: 3.0 }.validate().unwrap_err();
        assert!(e.for_field("high_from").is_some());
        let e =
            EngagementThresholds { medium_from: f64::NAN, high_from: 3.0 }.validate().unwrap_err();
        assert!(e.for_field("medium_from").is_some());
        assert!(EngagementThresholds { medium_from: -1.0, high_from: 3.0 }.validate().is_err());
        assert_eq!(EngagementThresholds::parse(" 1,5 ", "4").unwrap().medium_from, 1.5);
        let e = EngagementThresholds::parse("lots", "4").unwrap_err();
        assert!(e.for_field("medium_from").is_some());
    }

    #[test]
    fn key_sets_read_forgivingly_and_write_sorted() {
        let s: KeySet<BandChoice> = KeySet::parse("green, red,purple,red");
        assert_eq!(s.to_key(), "red,green");
        assert!(s.admits(Some(BandChoice::Red)));
        assert!(!s.admits(Some(BandChoice::Yellow)));
        assert!(!s.admits(None));
        assert!(KeySet::<BandChoice>::default().admits(None), "an empty set admits everything");
        assert_eq!(s.toggled(BandChoice::Red).to_key(), "green");
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, "\"red,green\"");
        assert_eq!(serde_json::from_str::<KeySet<BandChoice>>(&json).unwrap(), s);
    }

    #[test]
    fn band_choice_of_an_unscored_account() {
        assert_eq!(BandChoice::of(None), BandChoice::Unscored);
        assert_eq!(BandChoice::of(Some(Band::Yellow)), BandChoice::Yellow);
    }

    #[test]
    fn segments_built_on_scores_cannot_scope_a_health_model() {
        let seg = |filter| Segment { id: "s".into(), name: "Low adoption".into(), filter };
        let by_band = PortfolioFilter { band: KeySet::parse("red"), ..Default::default() };
        assert!(seg(by_band).cannot_scope_health().unwrap().contains("health band"));
        let by_adoption = PortfolioFilter { adoption_max: Some(40), ..Default::default() };
        let msg = seg(by_adoption).cannot_scope_health().unwrap();
        assert!(msg.contains("feature adoption") && msg.contains("Low adoption"), "{msg}");
        let by_activity = PortfolioFilter {
            inactive_days: Some(30),
            engagement: KeySet::parse("low"),
            plan: KeySet::parse("off_track"),
            ..Default::default()
        };
        assert_eq!(seg(by_activity).cannot_scope_health(), None);
    }

    #[test]
    fn moves_are_the_difference_over_the_accounts_looked_at() {
        let recorded = HashMap::from([("low".to_string(), set(&["a", "b", "z"]))]);
        let now = HashMap::from([
            ("low".to_string(), set(&["b", "c", "y"])),
            ("new".to_string(), set(&["a"])),
        ]);
        let looked_at = set(&["a", "b", "c", "z"]);
        let c = membership_changes(&recorded, &now, Some(&looked_at));
        assert_eq!(
            c.entered,
            vec![("low".into(), "c".into()), ("new".into(), "a".into())],
            "y was not looked at"
        );
        assert_eq!(c.left, vec![("low".into(), "a".into()), ("low".into(), "z".into())]);
        let none = membership_changes(&now, &now, None);
        assert!(none.is_empty(), "no change, no move");
        let gone = membership_changes(&recorded, &HashMap::new(), None);
        assert!(gone.is_empty(), "a deleted segment's members do not 'leave'");
    }
}
