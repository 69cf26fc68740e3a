//! Health scoring: pure functions, no I/O. The server scores with them when data arrives; the
//! model editor's what-if runs the very same code in the browser.
//!
//! score = Σ sub_score(m) × weight(m) / Σ weight(m), over the measures that have data.
//! A measure without data is shown as missing and its weight is shared among the others (the
//! division above), never silently treated as zero.

use crate::model::health::*;

mod what_if;
pub use what_if::{score_changes, ScoreChange, ScoreChanges};

/// The 0–100 sub-score of `raw` through the thresholds: linear between points, flat beyond
/// the ends.
pub fn sub_score(points: &[Point], raw: f64) -> f64 {
    let Some(first) = points.first() else {
        return 0.0;
    };
    if raw <= first.raw {
        return first.score.clamp(0.0, 100.0);
    }
    for w in points.windows(2) {
        let (a, b) = (w[0], w[1]);
        if raw <= b.raw {
            let span = b.raw - a.raw;
            let t = if span > 0.0 { (raw - a.raw) / span } else { 1.0 };
            return (a.score + t * (b.score - a.score)).clamp(0.0, 100.0);
        }
    }
    points.last().map(|p| p.score).unwrap_or(0.0).clamp(0.0, 100.0)
}

/// Turns an account's facts into each measure's raw value under a model (`None` = missing).
pub fn inputs(config: &HealthConfig, facts: &HealthFacts) -> Vec<(Measure, Option<f64>)> {
    Measure::ALL
        .iter()
        .map(|&m| {
            let raw = match m {
                Measure::LoginFrequency => facts.has_usage.then(|| {
                    if facts.active_users_30d == 0 {
                        0.0
                    } else {
                        facts.logins_30d as f64 / facts.active_users_30d as f64 / (30.0 / 7.0)
                    }
                }),
                Measure::FeatureAdoption => facts
                    .has_usage
                    .then(|| super::usage::adoption(&config.key_features, &facts.features_30d))
                    .flatten(),
                Measure::SurveySatisfaction => facts.satisfaction,
                Measure::SupportEscalations => facts.escalations_90d,
                Measure::EngagementRecency => facts.days_since_touchpoint.map(f64::from),
                Measure::MilestoneSlippage => facts.overdue_milestones.map(f64::from),
                Measure::CsmSentiment => facts
                    .sentiment
                    .filter(|(_, age)| *age < config.sentiment_days)
                    .map(|(b, _)| b.sentiment_value()),
            };
            (m, raw)
        })
        .collect()
}

/// Scores raw measure values under a model.
pub fn score_inputs(config: &HealthConfig, raws: &[(Measure, Option<f64>)]) -> HealthScore {
    let raw_of = |m: Measure| raws.iter().find(|(k, _)| *k == m).and_then(|(_, v)| *v);
    let present_weight: u32 = config
        .measures
        .iter()
        .filter(|mc| mc.weight > 0 && raw_of(mc.measure).is_some())
        .map(|mc| mc.weight)
        .sum();
    let mut total = 0.0;
    let measures: Vec<MeasureScore> = config
        .measures
        .iter()
        .map(|mc| {
            let raw = raw_of(mc.measure);
            let sub = raw.map(|r| sub_score(&mc.points, r));
            let share = match sub {
                Some(_) if present_weight > 0 => mc.weight as f64 / present_weight as f64,
                _ => 0.0,
            };
            let contribution = sub.unwrap_or(0.0) * share;
            total += contribution;
            MeasureScore {
                measure: mc.measure,
                raw,
                sub_score: sub,
                weight: mc.weight,
                share,
                contribution,
            }
        })
        .collect();
    let score = (present_weight > 0).then(|| total.round().clamp(0.0, 100.0) as u8);
    HealthScore { score, band: score.map(|s| config.bands.band(s)), measures }
}

/// An account's score under a model.
pub fn score(config: &HealthConfig, facts: &HealthFacts) -> HealthScore {
    score_inputs(config, &inputs(config, facts))
}

/// The band the data alone gives, beside the CSM's sentiment, when they differ.
pub fn disagreement(config: &HealthConfig, facts: &HealthFacts) -> Option<(Band, Band)> {
    let raws = inputs(config, facts);
    let sentiment = raws.iter().find(|(m, _)| *m == Measure::CsmSentiment).and_then(|(_, v)| *v)?;
    let colour = match sentiment.round() as i64 {
        0 => Band::Red,
        1 => Band::Yellow,
        _ => Band::Green,
    };
    let without: Vec<(Measure, Option<f64>)> = raws
        .into_iter()
        .map(|(m, v)| if m == Measure::CsmSentiment { (m, None) } else { (m, v) })
        .collect();
    let data = score_inputs(config, &without).band?;
    (data != colour).then_some((colour, data))
}

/// Which way the score went over a week: up or down by at least 3 points, else flat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    Up,
    Down,
    Flat,
}

pub fn trend(now: Option<u8>, before: Option<u8>) -> Option<Trend> {
    let (n, b) = (now? as i32, before? as i32);
    Some(if n - b >= 3 {
        Trend::Up
    } else if b - n >= 3 {
        Trend::Down
    } else {
        Trend::Flat
    })
}

/// One measure's move between two scores.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub measure: Measure,
    pub before: Option<f64>,
    pub after: Option<f64>,
    /// Points of the score this measure added (+) or took away (−).
    pub points: f64,
}

/// The measures that moved the score most between two snapshots, largest first; moves under
/// half a point are left out.
pub fn changes(before: &[MeasureScore], after: &[MeasureScore]) -> Vec<Change> {
    let mut out: Vec<Change> = after
        .iter()
        .map(|a| {
            let b = before.iter().find(|b| b.measure == a.measure);
            Change {
                measure: a.measure,
                before: b.and_then(|b| b.raw),
                after: a.raw,
                points: a.contribution - b.map(|b| b.contribution).unwrap_or(0.0),
            }
        })
        .filter(|c| c.points.abs() >= 0.5)
        .collect();
    out.sort_by(|x, y| y.points.abs().total_cmp(&x.points.abs()));
    out
}

/// Red / yellow / green totals of a set of scored accounts.
pub fn distribution<'a>(
    scored: impl IntoIterator<Item = (Option<Band>, &'a str, i64)>,
) -> Distribution {
    let mut d = Distribution::default();
    for (band, currency, arr) in scored {
        d.add(band, currency, arr);
    }
    d
}

/// ROC AUC of "a higher score means the account stays": the probability that a randomly chosen
/// retained account scored above a randomly chosen churned one (ties count half), computed
/// from ranks (Mann–Whitney U) in O(n log n). `None` without both kinds of account.
pub fn roc_auc(samples: &[(u8, bool)]) -> Option<f64> {
    let churned = samples.iter().filter(|(_, c)| *c).count();
    let retained = samples.len() - churned;
    if churned == 0 || retained == 0 {
        return None;
    }
    let mut sorted: Vec<(u8, bool)> = samples.to_vec();
    sorted.sort_by_key(|(s, _)| *s);
    // Average ranks (1-based) over ties; sum the ranks of the retained accounts.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j < sorted.len() && sorted[j].0 == sorted[i].0 {
            j += 1;
        }
        let avg_rank = (i + 1 + j) as f64 / 2.0;
        rank_sum += avg_rank * sorted[i..j].iter().filter(|(_, c)| !*c).count() as f64;
        i = j;
    }
    let r = retained as f64;
    let u = rank_sum - r * (r + 1.0) / 2.0;
    Some(u / (r * churned as f64))
}

/// The backtest from scores at the look-back date: AUC and churn per band.
pub fn backtest(days_before: u32, bands: &Bands, samples: &[(Option<u8>, bool)]) -> Backtest {
    let scored: Vec<(u8, bool)> = samples.iter().filter_map(|(s, c)| s.map(|s| (s, *c))).collect();
    let per_band = Band::ALL
        .iter()
        .map(|&b| {
            let in_band: Vec<&(u8, bool)> =
                scored.iter().filter(|(s, _)| bands.band(*s) == b).collect();
            (b, in_band.len() as u32, in_band.iter().filter(|(_, c)| *c).count() as u32)
        })
        .collect();
    Backtest {
        days_before,
        auc: roc_auc(&scored),
        churned: scored.iter().filter(|(_, c)| *c).count() as u32,
        retained: scored.iter().filter(|(_, c)| !*c).count() as u32,
        skipped: (samples.len() - scored.len()) as u32,
        per_band,
    }
}

/// A survey answer on the satisfaction measure's 0–100 scale.
pub fn satisfaction_scale(kind: crate::model::SurveyKind, score: u8) -> f64 {
    use crate::model::SurveyKind;
    let s = score as f64;
    match kind {
        SurveyKind::Nps => s * 10.0,
        SurveyKind::Csat => ((s - 1.0) * 25.0).clamp(0.0, 100.0),
        SurveyKind::Ces => ((s - 1.0) * 100.0 / 6.0).clamp(0.0, 100.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> HealthFacts {
        HealthFacts {
            has_usage: true,
            logins_30d: 90,
            active_users_30d: 7,
            features_30d: vec!["Dashboards".into(), "reports".into(), "other".into()],
            satisfaction: Some(90.0),
            sentiment: Some((Band::Green, 3)),
            ..Default::default()
        }
    }

    #[test]
    fn thresholds_interpolate_and_stay_flat_beyond_the_ends() {
        let pts = [
            Point { raw: 0.0, score: 0.0 },
            Point { raw: 1.0, score: 50.0 },
            Point { raw: 3.0, score: 80.0 },
        ];
        assert_eq!(sub_score(&pts, -1.0), 0.0);
        assert_eq!(sub_score(&pts, 0.5), 25.0);
        assert_eq!(sub_score(&pts, 2.0), 65.0);
        assert_eq!(sub_score(&pts, 30.0), 80.0);
    }

    #[test]
    fn default_model_by_hand() {
        // login: 90 logins / 7 users / (30/7 weeks) = 3/user/week → 80
        // adoption: dashboards + reports of 5 key features = 40 % → 40 + (10/30)·35 = 51.667
        // satisfaction 90 → 75 + 0.5·25 = 87.5; sentiment green (3 days < 30) → 100
        // escalations, recency, slippage missing: weights 20 + 25 + 20 + 10 = 75 remain.
        let s = score(&HealthConfig::default(), &facts());
        let expected: f64 =
            (80.0 * 20.0 + (40.0 + 35.0 / 3.0) * 25.0 + 87.5 * 20.0 + 100.0 * 10.0) / 75.0;
        assert_eq!(s.score, Some(expected.round() as u8));
        assert_eq!(s.score, Some(75));
        assert_eq!(s.band, Some(Band::Green));
        let login = &s.measures[0];
        assert!((login.raw.unwrap() - 3.0).abs() < 1e-9);
        assert!((login.sub_score.unwrap() - 80.0).abs() < 1e-9);
        assert!((login.share - 20.0 / 75.0).abs() < 1e-9);
        assert!((login.contribution - 80.0 * 20.0 / 75.0).abs() < 1e-9);
        let missing = s.measures.iter().find(|m| m.measure == Measure::SupportEscalations).unwrap();
        assert_eq!((missing.raw, missing.share, missing.contribution), (None, 0.0, 0.0));
        let total: f64 = s.measures.iter().map(|m| m.contribution).sum();
        assert!((total - expected).abs() < 1e-9);
    }

    #[test]
    fn expired_sentiment_and_no_usage_are_missing_not_zero() {
        let mut f = facts();
        f.sentiment = Some((Band::Red, 30));
        f.has_usage = false;
        let raws = inputs(&HealthConfig::default(), &f);
        let get = |m| raws.iter().find(|(k, _)| *k == m).unwrap().1;
        assert_eq!(get(Measure::CsmSentiment), None);
        assert_eq!(get(Measure::LoginFrequency), None);
        assert_eq!(get(Measure::FeatureAdoption), None);
        // Only satisfaction is left: 87.5 → 88.
        assert_eq!(score(&HealthConfig::default(), &f).score, Some(88));
        // Usage present but no logins at all is a real zero.
        f.has_usage = true;
        f.logins_30d = 0;
        f.active_users_30d = 0;
        assert_eq!(inputs(&HealthConfig::default(), &f)[0], (Measure::LoginFrequency, Some(0.0)));
    }

    #[test]
    fn nothing_to_score_is_no_score() {
        let s = score(&HealthConfig::default(), &HealthFacts::default());
        assert_eq!((s.score, s.band), (None, None));
    }

    #[test]
    fn bands_follow_the_thresholds() {
        let b = Bands { yellow_from: 40, green_from: 70 };
        assert_eq!(b.band(39), Band::Red);
        assert_eq!(b.band(40), Band::Yellow);
        assert_eq!(b.band(69), Band::Yellow);
        assert_eq!(b.band(70), Band::Green);
    }

    #[test]
    fn sentiment_that_disagrees_with_the_data_is_flagged() {
        let mut f = facts();
        f.sentiment = Some((Band::Red, 1));
        // Without sentiment: (80·20 + 51.67·25 + 87.5·20)/65 = 71.4 → green.
        assert_eq!(disagreement(&HealthConfig::default(), &f), Some((Band::Red, Band::Green)));
        f.sentiment = Some((Band::Green, 1));
        assert_eq!(disagreement(&HealthConfig::default(), &f), None);
    }

    #[test]
    fn changes_name_the_measures_that_moved_most() {
        let c = HealthConfig::default();
        let before = score(&c, &facts());
        let mut f = facts();
        f.logins_30d = 30; // 1/user/week → 50
        let after = score(&c, &f);
        let ch = changes(&before.measures, &after.measures);
        assert_eq!(ch[0].measure, Measure::LoginFrequency);
        assert!((ch[0].points - (50.0 - 80.0) * 20.0 / 75.0).abs() < 1e-9);
        assert_eq!(ch.len(), 1);
        assert_eq!(trend(after.score, before.score), Some(Trend::Down));
        assert_eq!(trend(Some(50), Some(52)), Some(Trend::Flat));
        assert_eq!(trend(Some(50), None), None);
    }

    #[test]
    fn auc_by_hand() {
        // Retained 80, 60; churned 70, 20: pairs (80>70, 80>20, 60<70, 60>20) → 3/4.
        let s = [(80, false), (60, false), (70, true), (20, true)];
        assert_eq!(roc_auc(&s), Some(0.75));
        // A tie counts half: retained 50 vs churned 50 → 0.5.
        assert_eq!(roc_auc(&[(50, false), (50, true)]), Some(0.5));
        assert_eq!(roc_auc(&[(50, false)]), None);
        let b = backtest(
            90,
            &Bands { yellow_from: 40, green_from: 70 },
            &[
                (Some(80), false),
                (Some(60), false),
                (Some(70), true),
                (Some(20), true),
                (None, true),
            ],
        );
        assert_eq!(b.auc, Some(0.75));
        assert_eq!((b.churned, b.retained, b.skipped), (2, 2, 1));
        assert_eq!(b.per_band, vec![(Band::Red, 1, 1), (Band::Yellow, 1, 0), (Band::Green, 2, 1)]);
    }

    #[test]
    fn survey_scales() {
        use crate::model::SurveyKind;
        assert_eq!(satisfaction_scale(SurveyKind::Nps, 9), 90.0);
        assert_eq!(satisfaction_scale(SurveyKind::Csat, 5), 100.0);
        assert_eq!(satisfaction_scale(SurveyKind::Csat, 1), 0.0);
        assert_eq!(satisfaction_scale(SurveyKind::Ces, 7), 100.0);
    }

    #[test]
    fn validation_names_the_field() {
        let mut c = HealthConfig::default();
        c.bands.green_from = 30;
        c.measures[0].points[1].raw = 0.0;
        c.measures[3].points =
            vec![Point { raw: 0.0, score: 0.0 }, Point { raw: 5.0, score: 100.0 }];
        c.key_features.push("Dashboards".into());
        let err = c.validate().unwrap_err();
        assert!(err.for_field("bands.green_from").is_some());
        assert!(err.for_field("login_frequency.points").unwrap().contains("increase"));
        assert!(err.for_field("support_escalations.points").unwrap().contains("less is better"));
        assert!(err.for_field("key_features").unwrap().contains("twice"));
        let mut none = HealthConfig::default();
        none.measures.iter_mut().for_each(|m| m.weight = 0);
        assert!(none.validate().unwrap_err().for_field("measures").is_some());
        assert!(HealthConfig::default().validate().is_ok());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn any_facts() -> impl Strategy<Value = HealthFacts> {
            (
                any::<bool>(),
                0u32..500,
                0u32..50,
                proptest::sample::subsequence(
                    vec!["dashboards", "reports", "integrations", "automation", "alerts"],
                    0..5,
                ),
                proptest::option::of(0.0f64..=100.0),
                proptest::option::of((0usize..3, 0u32..60)),
                proptest::option::of(0u32..10),
                proptest::option::of(0u32..120),
                proptest::option::of(0u32..6),
            )
                .prop_map(|(u, l, a, f, s, se, e, d, m)| HealthFacts {
                    has_usage: u,
                    logins_30d: l,
                    active_users_30d: a,
                    features_30d: f.into_iter().map(String::from).collect(),
                    satisfaction: s,
                    sentiment: se.map(|(b, age)| (Band::ALL[b], age)),
                    escalations_90d: e.map(f64::from),
                    days_since_touchpoint: d,
                    overdue_milestones: m,
                })
        }

        fn any_config() -> impl Strategy<Value = HealthConfig> {
            (proptest::collection::vec(0u32..=100, 7), 1u8..60, 1u8..40).prop_map(|(w, y, g)| {
                let mut c = HealthConfig::default();
                for (mc, w) in c.measures.iter_mut().zip(w) {
                    mc.weight = w;
                }
                c.bands.yellow_from = y;
                c.bands.green_from = y + g;
                c
            })
        }

        proptest! {
            #[test]
            fn score_stays_in_0_to_100(c in any_config(), f in any_facts()) {
                let s = score(&c, &f);
                if let Some(v) = s.score { prop_assert!(v <= 100); }
                let shares: f64 = s.measures.iter().map(|m| m.share).sum();
                prop_assert!(s.score.is_none() || (shares - 1.0).abs() < 1e-9);
            }

            /// Raising a measure where more is better (or lowering one where less is better)
            /// never lowers the score, whatever the model's weights.
            #[test]
            fn improving_a_measure_never_lowers_the_score(
                c in any_config(), f in any_facts(), which in 0usize..7, delta in 0.0f64..50.0
            ) {
                let raws = inputs(&c, &f);
                let (m, raw) = raws[which];
                prop_assume!(raw.is_some());
                let better = if m.higher_is_better() { raw.unwrap() + delta } else { (raw.unwrap() - delta).max(0.0) };
                let mut improved = raws.clone();
                improved[which] = (m, Some(better));
                let before = score_inputs(&c, &raws);
                let after = score_inputs(&c, &improved);
                let (b, a) = (before.measures.iter().map(|m| m.contribution).sum::<f64>(), after.measures.iter().map(|m| m.contribution).sum::<f64>());
                prop_assert!(a + 1e-9 >= b, "{m:?}: {b} → {a}");
                prop_assert!(after.score >= before.score);
            }
        }
    }
}
