//! The usage facts segments filter on, computed from the same facts health scoring reads:
//! feature adoption, engagement level and the worst status among open plans.

use crate::model::health::{HealthConfig, HealthFacts};
use crate::model::plan::PlanStatus;
use crate::model::segment::EngagementThresholds;
use crate::model::UsageFacts;
use std::collections::HashMap;

/// The share (0–100) of `key_features` used among `used` (names compared without case or
/// surrounding spaces); `None` when there are no key features to adopt.
pub fn adoption(key_features: &[String], used: &[String]) -> Option<f64> {
    if key_features.is_empty() {
        return None;
    }
    let hits = key_features
        .iter()
        .filter(|k| used.iter().any(|f| f.eq_ignore_ascii_case(k.trim())))
        .count();
    Some(100.0 * hits as f64 / key_features.len() as f64)
}

/// An account's usage facts as the scorer writes them (the last activity day is ingestion's,
/// so it is left empty here). Adoption counts the key features of the model that scores the
/// account; an account that used nothing in 30 days has adopted 0 %.
pub fn usage_facts(
    config: &HealthConfig, facts: &HealthFacts, thresholds: &EngagementThresholds,
    plan: Option<PlanStatus>,
) -> UsageFacts {
    UsageFacts {
        adoption: adoption(&config.key_features, &facts.features_30d),
        engagement: Some(thresholds.level(facts.logins_30d, facts.active_users_30d)),
        last_active_on: None,
        plan_status: plan,
    }
}

/// The worst status among each account's open (not done) plans, from every plan's (account,
/// status): off track before at risk before on track. Accounts without an open plan are absent.
pub fn worst_open_plans(
    plans: impl IntoIterator<Item = (String, PlanStatus)>,
) -> HashMap<String, PlanStatus> {
    let rank = |s: PlanStatus| match s {
        PlanStatus::OffTrack => 3,
        PlanStatus::AtRisk => 2,
        PlanStatus::OnTrack => 1,
        PlanStatus::Done => 0,
    };
    let mut out: HashMap<String, PlanStatus> = HashMap::new();
    for (acc, s) in plans {
        if s == PlanStatus::Done {
            continue;
        }
        let worst = out.entry(acc).or_insert(s);
        if rank(s) > rank(*worst) {
            *worst = s;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn adoption_is_the_share_of_key_features_used() {
        let keys = strings(&["dashboards", "reports", "alerts", "api", "sso"]);
        assert_eq!(adoption(&keys, &strings(&["Dashboards", "reports", "other"])), Some(40.0));
        assert_eq!(adoption(&keys, &[]), Some(0.0), "nothing used is 0 %, not unknown");
        assert_eq!(adoption(&[], &strings(&["reports"])), None, "no key features, no adoption");
        assert_eq!(adoption(&strings(&[" api "]), &strings(&["API"])), Some(100.0));
    }

    #[test]
    fn usage_facts_follow_the_model_and_thresholds() {
        let config = HealthConfig::default();
        let facts = HealthFacts {
            has_usage: true,
            logins_30d: 30,
            active_users_30d: 7,
            features_30d: strings(&["dashboards"]),
            ..Default::default()
        };
        let u = usage_facts(
            &config,
            &facts,
            &EngagementThresholds::default(),
            Some(PlanStatus::AtRisk),
        );
        assert_eq!(u.adoption, Some(100.0 / config.key_features.len() as f64));
        assert_eq!(u.engagement, Some(crate::model::segment::Engagement::Medium));
        assert_eq!(u.plan_status, Some(PlanStatus::AtRisk));
        let none =
            usage_facts(&config, &HealthFacts::default(), &EngagementThresholds::default(), None);
        assert_eq!(none.engagement, Some(crate::model::segment::Engagement::Dormant));
        assert_eq!(none.adoption, Some(0.0));
    }

    #[test]
    fn the_worst_open_plan_counts_and_finished_plans_do_not() {
        let plans = [
            ("a", PlanStatus::OnTrack),
            ("a", PlanStatus::OffTrack),
            ("a", PlanStatus::AtRisk),
            ("b", PlanStatus::Done),
            ("c", PlanStatus::Done),
            ("c", PlanStatus::AtRisk),
        ];
        let worst = worst_open_plans(plans.iter().map(|(a, s)| (a.to_string(), *s)));
        assert_eq!(worst.get("a"), Some(&PlanStatus::OffTrack));
        assert_eq!(worst.get("b"), None, "only finished plans: no open plan");
        assert_eq!(worst.get("c"), Some(&PlanStatus::AtRisk));
    }
}
