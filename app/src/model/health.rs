//! Health models: which measures count, how much, and how a raw value becomes 0–100. The same
//! types and checks run in the model editor (for instant what-if) and on the server (the check
//! that counts). The scoring itself is in `metrics::health`.

use crate::error::{AppError, Checks};
use serde::{Deserialize, Serialize};

vocabulary! {
    /// What a health model can weigh. Each has a raw value in its own unit.
    Measure {
        LoginFrequency => "login_frequency", "Login frequency";
        FeatureAdoption => "feature_adoption", "Feature adoption";
        SurveySatisfaction => "survey_satisfaction", "Survey satisfaction";
        SupportEscalations => "support_escalations", "Support escalations";
        EngagementRecency => "engagement_recency", "Engagement recency";
        MilestoneSlippage => "milestone_slippage", "Milestone slippage";
        CsmSentiment => "csm_sentiment", "CSM sentiment";
    }
}

vocabulary! {
    /// The colour of a score (and of a CSM's sentiment).
    Band {
        Red => "red", "Red";
        Yellow => "yellow", "Yellow";
        Green => "green", "Green";
    }
}

impl Measure {
    /// More is better (logins, adoption, satisfaction, sentiment) or worse (escalations, days
    /// since the last touchpoint, slipped milestones). Thresholds must follow this direction,
    /// which is what guarantees that improving a measure never lowers the score.
    pub fn higher_is_better(self) -> bool {
        matches!(
            self,
            Measure::LoginFrequency
                | Measure::FeatureAdoption
                | Measure::SurveySatisfaction
                | Measure::CsmSentiment
        )
    }

    /// The unit of the raw value, as the editor labels it.
    pub fn unit(self) -> &'static str {
        match self {
            Measure::LoginFrequency => "logins per active user per week",
            Measure::FeatureAdoption => "% of key features used in 30 days",
            Measure::SurveySatisfaction => "latest NPS/CSAT/CES answer on a 0–100 scale",
            Measure::SupportEscalations => "escalations open or in 90 days, weighted by severity",
            Measure::EngagementRecency => "days since the last touchpoint",
            Measure::MilestoneSlippage => "overdue milestones",
            Measure::CsmSentiment => "0 = red, 1 = yellow, 2 = green",
        }
    }

    /// Why a measure has no value, in words a CSM understands.
    pub fn missing_reason(self) -> &'static str {
        match self {
            Measure::LoginFrequency | Measure::FeatureAdoption => {
                "no product-usage events in the last 90 days"
            }
            Measure::SurveySatisfaction => "no survey answer in the last 12 months",
            Measure::SupportEscalations => "no escalation has been recorded in Bellwether yet",
            Measure::EngagementRecency => "no touchpoint has been logged for this account yet",
            Measure::MilestoneSlippage => "this account has no success plan milestones yet",
            Measure::CsmSentiment => "no current CSM sentiment (none set, or it expired)",
        }
    }

    /// A raw value as people read it.
    pub fn format_raw(self, raw: f64) -> String {
        match self {
            Measure::LoginFrequency => format!("{raw:.1}/user/week"),
            Measure::FeatureAdoption => format!("{raw:.0} %"),
            Measure::SurveySatisfaction => format!("{raw:.0}/100"),
            Measure::SupportEscalations => format!("{raw:.0}"),
            Measure::EngagementRecency => format!("{raw:.0} days"),
            Measure::MilestoneSlippage => format!("{raw:.0} overdue"),
            Measure::CsmSentiment => match raw.round() as i64 {
                0 => "red".into(),
                1 => "yellow".into(),
                _ => "green".into(),
            },
        }
    }

    fn default_weight(self) -> u32 {
        match self {
            Measure::LoginFrequency => 20,
            Measure::FeatureAdoption => 25,
            Measure::SurveySatisfaction => 20,
            Measure::SupportEscalations => 10,
            Measure::EngagementRecency => 10,
            Measure::MilestoneSlippage => 5,
            Measure::CsmSentiment => 10,
        }
    }

    fn default_points(self) -> Vec<Point> {
        let p = |raw, score| Point { raw, score };
        match self {
            Measure::LoginFrequency => vec![p(0.0, 0.0), p(1.0, 50.0), p(3.0, 80.0), p(5.0, 100.0)],
            Measure::FeatureAdoption => {
                vec![p(0.0, 0.0), p(30.0, 40.0), p(60.0, 75.0), p(80.0, 100.0)]
            }
            Measure::SurveySatisfaction => {
                vec![p(0.0, 0.0), p(60.0, 40.0), p(80.0, 75.0), p(100.0, 100.0)]
            }
            Measure::SupportEscalations => {
                vec![p(0.0, 100.0), p(1.0, 70.0), p(3.0, 30.0), p(5.0, 0.0)]
            }
            Measure::EngagementRecency => {
                vec![p(0.0, 100.0), p(14.0, 80.0), p(30.0, 50.0), p(60.0, 0.0)]
            }
            Measure::MilestoneSlippage => vec![p(0.0, 100.0), p(1.0, 60.0), p(3.0, 0.0)],
            Measure::CsmSentiment => vec![p(0.0, 0.0), p(1.0, 50.0), p(2.0, 100.0)],
        }
    }
}

impl Band {
    /// The numeric raw value of a sentiment colour (the `CsmSentiment` measure's unit).
    pub fn sentiment_value(self) -> f64 {
        match self {
            Band::Red => 0.0,
            Band::Yellow => 1.0,
            Band::Green => 2.0,
        }
    }
}

/// One threshold: a raw value and the 0–100 sub-score it maps to. Between points the sub-score
/// is interpolated linearly; beyond the ends it stays at the end's score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub raw: f64,
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureConfig {
    pub measure: Measure,
    /// Relative weight, 0–100 (0 = not used).
    pub weight: u32,
    pub points: Vec<Point>,
}

/// Where the colours start: red below `yellow_from`, green from `green_from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bands {
    pub yellow_from: u8,
    pub green_from: u8,
}

impl Bands {
    pub fn band(&self, score: u8) -> Band {
        if score >= self.green_from {
            Band::Green
        } else if score >= self.yellow_from {
            Band::Yellow
        } else {
            Band::Red
        }
    }
}

/// Everything an admin sets in a health model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthConfig {
    /// One entry per [`Measure`], in the editor's order.
    pub measures: Vec<MeasureConfig>,
    pub bands: Bands,
    /// The features whose use counts as adoption (the `feature` of usage events).
    pub key_features: Vec<String>,
    /// A CSM's sentiment counts for this many days after it was set.
    pub sentiment_days: u32,
}

impl Default for HealthConfig {
    fn default() -> Self {
        Self {
            measures: Measure::ALL
                .iter()
                .map(|&m| MeasureConfig {
                    measure: m,
                    weight: m.default_weight(),
                    points: m.default_points(),
                })
                .collect(),
            bands: Bands { yellow_from: 40, green_from: 70 },
            key_features: ["dashboards", "reports", "integrations", "automation", "alerts"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            sentiment_days: 30,
        }
    }
}

pub const MAX_POINTS: usize = 6;
pub const MAX_KEY_FEATURES: usize = 50;

impl HealthConfig {
    pub fn measure(&self, m: Measure) -> Option<&MeasureConfig> {
        self.measures.iter().find(|c| c.measure == m)
    }

    /// Every rule a model must satisfy. Field names are the editor's: `bands.yellow_from`,
    /// `login_frequency.weight`, `login_frequency.points`, `key_features`, `sentiment_days`.
    pub fn validate(&self) -> Result<(), AppError> {
        let mut c = Checks::new();
        let b = self.bands;
        c.check((1..=99).contains(&b.yellow_from), "bands.yellow_from", "must be between 1 and 99");
        c.check(
            b.green_from > b.yellow_from && b.green_from <= 100,
            "bands.green_from",
            "must be above the yellow threshold and at most 100",
        );
        c.check(
            (1..=365).contains(&self.sentiment_days),
            "sentiment_days",
            "must be between 1 and 365 days",
        );
        let mut seen = std::collections::HashSet::new();
        for f in &self.key_features {
            let t = f.trim();
            if t.is_empty() || t.chars().count() > 60 {
                c.fail("key_features", "each feature must be 1–60 characters");
            } else if !seen.insert(t.to_lowercase()) {
                c.fail("key_features", format!("“{t}” is listed twice"));
            }
        }
        c.check(
            self.key_features.len() <= MAX_KEY_FEATURES,
            "key_features",
            format!("at most {MAX_KEY_FEATURES} key features"),
        );
        for m in Measure::ALL {
            let count = self.measures.iter().filter(|c| c.measure == *m).count();
            c.check(count <= 1, &format!("{}.weight", m.key()), "appears more than once");
        }
        for mc in &self.measures {
            let key = mc.measure.key();
            c.check(mc.weight <= 100, &format!("{key}.weight"), "must be between 0 and 100");
            if let Err(msg) = check_points(mc.measure, &mc.points) {
                c.fail(&format!("{key}.points"), msg);
            }
        }
        c.check(
            self.measures.iter().any(|m| m.weight > 0),
            "measures",
            "give at least one measure a weight above 0",
        );
        c.finish()
    }
}

fn check_points(m: Measure, points: &[Point]) -> Result<(), String> {
    if points.len() < 2 || points.len() > MAX_POINTS {
        return Err(format!("needs 2 to {MAX_POINTS} thresholds"));
    }
    if points.iter().any(|p| !p.raw.is_finite() || !p.score.is_finite()) {
        return Err("every threshold needs a number".into());
    }
    if points.iter().any(|p| !(0.0..=100.0).contains(&p.score)) {
        return Err("scores must be between 0 and 100".into());
    }
    if points.iter().any(|p| p.raw < 0.0) {
        return Err("raw values cannot be negative".into());
    }
    if points.windows(2).any(|w| w[1].raw <= w[0].raw) {
        return Err("raw values must increase from one threshold to the next".into());
    }
    let rising = m.higher_is_better();
    if points.windows(2).any(
        |w| {
            if rising {
                w[1].score < w[0].score
            } else {
                w[1].score > w[0].score
            }
        },
    ) {
        return Err(if rising {
            "more is better here: scores must not fall as the raw value rises".into()
        } else {
            "less is better here: scores must not rise as the raw value rises".into()
        });
    }
    Ok(())
}

/// A saved model version, as the editor and the score panel show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthModel {
    pub id: String,
    /// `default`, or the saved segment's key.
    pub scope: String,
    pub segment_id: Option<String>,
    /// The segment's name, or "Default".
    pub name: String,
    pub version: u32,
    pub config: HealthConfig,
    pub created_at: crate::model::Timestamp,
    pub created_by: Option<String>,
}

/// Raw facts about one account on one day, gathered from rollups, surveys and sentiment. The
/// model turns them into measure values ([`crate::metrics::health::inputs`]): which features
/// count as key features, and how long sentiment lasts, are the model's to say.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HealthFacts {
    /// Any usage event in the last 90 days (otherwise usage measures are missing, not zero).
    pub has_usage: bool,
    /// Logins and distinct active users (contact emails) in the last 30 days.
    pub logins_30d: u32,
    pub active_users_30d: u32,
    /// Distinct features used in the last 30 days.
    pub features_30d: Vec<String>,
    /// The latest survey answer in 12 months, on a 0–100 scale.
    pub satisfaction: Option<f64>,
    /// The latest sentiment and its age in days.
    pub sentiment: Option<(Band, u32)>,
    /// Open escalations and those opened in the last 90 days, weighted by severity (P1 2,
    /// P2 1.5, P3 1, P4 0.5); `None` until escalations are used at all.
    pub escalations_90d: Option<f64>,
    pub days_since_touchpoint: Option<u32>,
    pub overdue_milestones: Option<u32>,
}

/// One measure's part in a score: why the score is what it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MeasureScore {
    pub measure: Measure,
    /// `None`: no data (its weight went to the others).
    pub raw: Option<f64>,
    pub sub_score: Option<f64>,
    /// The weight the admin set.
    pub weight: u32,
    /// The share of the score this measure had after missing ones were taken out (0–1).
    pub share: f64,
    /// Points of the final score that came from this measure (`sub_score × share`).
    pub contribution: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthScore {
    /// `None` when no weighted measure has data.
    pub score: Option<u8>,
    pub band: Option<Band>,
    pub measures: Vec<MeasureScore>,
}

/// A stored daily score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Snapshot {
    pub day: chrono::NaiveDate,
    pub score: Option<u8>,
    pub band: Option<Band>,
    pub model: String,
    pub version: u32,
    pub measures: Vec<MeasureScore>,
}

/// Everything the account's health panel shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountHealth {
    pub current: Option<Snapshot>,
    pub model_name: String,
    pub bands: Bands,
    pub history: Vec<Snapshot>,
    /// The snapshot from (about) a week ago, for the trend and "what changed".
    pub week_ago: Option<Snapshot>,
    pub sentiment: Option<SentimentEntry>,
    /// The score without the CSM's sentiment, when it and the sentiment disagree.
    pub disagreement: Option<(Band, Band)>,
    pub can_edit: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentimentEntry {
    pub colour: Band,
    pub note: Option<String>,
    pub set_by: Option<String>,
    pub set_at: crate::model::Timestamp,
    pub expires_on: chrono::NaiveDate,
    pub expired: bool,
}

/// One account as the what-if editor re-scores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhatIfAccount {
    pub id: String,
    pub name: String,
    pub arr_minor: i64,
    pub currency: String,
    pub facts: HealthFacts,
}

/// The data the model editor needs: the model, the other models, and the accounts it scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelEditor {
    pub model: HealthModel,
    pub models: Vec<HealthModel>,
    /// Segments without a model of their own (a model can be started for them).
    pub free_segments: Vec<(String, String)>,
    pub accounts: Vec<WhatIfAccount>,
    pub versions: Vec<(u32, crate::model::Timestamp)>,
}

/// Red / yellow / green counts and ARR, for the portfolio and the what-if.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    pub red: BandTotal,
    pub yellow: BandTotal,
    pub green: BandTotal,
    pub unscored: BandTotal,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BandTotal {
    pub accounts: u64,
    /// ARR in minor units, per currency.
    pub arr: Vec<(String, i64)>,
}

impl BandTotal {
    pub fn add(&mut self, currency: &str, arr_minor: i64) {
        self.accounts += 1;
        match self.arr.iter_mut().find(|(c, _)| c == currency) {
            Some((_, v)) => *v += arr_minor,
            None => self.arr.push((currency.to_string(), arr_minor)),
        }
    }
}

impl Distribution {
    pub fn add(&mut self, band: Option<Band>, currency: &str, arr_minor: i64) {
        match band {
            Some(Band::Red) => self.red.add(currency, arr_minor),
            Some(Band::Yellow) => self.yellow.add(currency, arr_minor),
            Some(Band::Green) => self.green.add(currency, arr_minor),
            None => self.unscored.add(currency, arr_minor),
        }
    }
    pub fn get(&self, band: Option<Band>) -> &BandTotal {
        match band {
            Some(Band::Red) => &self.red,
            Some(Band::Yellow) => &self.yellow,
            Some(Band::Green) => &self.green,
            None => &self.unscored,
        }
    }
}

/// How well a model's score N days before churn separated churned from retained accounts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backtest {
    pub days_before: u32,
    /// Probability that a retained account scored higher than a churned one (0.5 = a coin).
    pub auc: Option<f64>,
    pub churned: u32,
    pub retained: u32,
    /// Accounts without enough history to score then.
    pub skipped: u32,
    /// (band, accounts, churned) for the scores at the look-back date.
    pub per_band: Vec<(Band, u32, u32)>,
}
