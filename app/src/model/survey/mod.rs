//! Surveys, their invitations and responses, follow-ups that close the loop, and feedback from
//! other channels. Shared by server and browser: the browser validates a survey form with the
//! same code the server trusts.

mod feedback;
mod input;
mod results;
mod settings;

pub use feedback::*;
pub use input::*;
pub use results::*;
pub use settings::*;

use crate::error::AppError;
use serde::{Deserialize, Serialize};

vocabulary! {
    /// The three survey types; each has its own scale and metric (DESIGN.md, metric layer).
    SurveyKind {
        Nps => "nps", "NPS";
        Csat => "csat", "CSAT";
        Ces => "ces", "CES";
    }
}

vocabulary! {
    /// Who a survey goes to.
    AudienceKind {
        Segment => "segment", "A saved segment";
        Accounts => "accounts", "Chosen accounts";
        Contacts => "contacts", "Chosen contacts";
    }
}

vocabulary! {
    /// The kind of an extra question.
    QuestionKind {
        Text => "text", "Free text";
        Choice => "choice", "Single choice";
    }
}

vocabulary! {
    /// Where a feedback item came from.
    FeedbackSource {
        Interview => "interview", "Interview";
        FocusGroup => "focus_group", "Focus group";
        SocialMedia => "social_media", "Social media";
        Support => "support", "Support";
        Other => "other", "Other";
    }
}

vocabulary! {
    /// The tone of a feedback item.
    Sentiment {
        Positive => "positive", "Positive";
        Neutral => "neutral", "Neutral";
        Negative => "negative", "Negative";
    }
}

/// Where a score falls: detractor/passive/promoter for NPS, and the same three-way split for
/// CSAT (1–2 / 3 / 4–5) and CES (1–3 / 4 / 5–7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum Band {
    #[serde(rename = "low")]
    Low,
    #[serde(rename = "mid")]
    Mid,
    #[serde(rename = "high")]
    High,
}

impl Band {
    pub const ALL: [Band; 3] = [Band::Low, Band::Mid, Band::High];
    pub fn key(self) -> &'static str {
        match self {
            Band::Low => "low",
            Band::Mid => "mid",
            Band::High => "high",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Band::ALL.into_iter().find(|b| b.key() == s)
    }
}

/// Longest free-text answer accepted (comment, extra question, follow-up outcome, feedback).
pub const MAX_TEXT: usize = 5000;
pub const MAX_QUESTIONS: usize = 5;
pub const MAX_OPTIONS: usize = 10;
/// How long an invitation link works.
pub const INVITATION_DAYS: i64 = 30;

impl SurveyKind {
    /// The lowest and highest score on this survey's scale.
    pub fn range(self) -> (i64, i64) {
        match self {
            SurveyKind::Nps => (0, 10),
            SurveyKind::Csat => (1, 5),
            SurveyKind::Ces => (1, 7),
        }
    }

    pub fn scores(self) -> std::ops::RangeInclusive<i64> {
        let (lo, hi) = self.range();
        lo..=hi
    }

    pub fn default_question(self) -> &'static str {
        match self {
            SurveyKind::Nps => "How likely are you to recommend us to a friend or colleague?",
            SurveyKind::Csat => "How satisfied are you with our service?",
            SurveyKind::Ces => "How easy was it to get what you needed from us?",
        }
    }

    /// The words at each end of the scale, shown under the buttons.
    pub fn scale_ends(self) -> (&'static str, &'static str) {
        match self {
            SurveyKind::Nps => ("Not at all likely", "Extremely likely"),
            SurveyKind::Csat => ("Very unsatisfied", "Very satisfied"),
            SurveyKind::Ces => ("Very difficult", "Very easy"),
        }
    }

    pub fn band(self, score: i64) -> Band {
        match self {
            SurveyKind::Nps => match score {
                9.. => Band::High,
                7..=8 => Band::Mid,
                _ => Band::Low,
            },
            SurveyKind::Csat => match score {
                4.. => Band::High,
                3 => Band::Mid,
                _ => Band::Low,
            },
            SurveyKind::Ces => match score {
                5.. => Band::High,
                4 => Band::Mid,
                _ => Band::Low,
            },
        }
    }

    pub fn band_label(self, band: Band) -> &'static str {
        match (self, band) {
            (SurveyKind::Nps, Band::Low) => "Detractors (0–6)",
            (SurveyKind::Nps, Band::Mid) => "Passives (7–8)",
            (SurveyKind::Nps, Band::High) => "Promoters (9–10)",
            (SurveyKind::Csat, Band::Low) => "Unsatisfied (1–2)",
            (SurveyKind::Csat, Band::Mid) => "Neutral (3)",
            (SurveyKind::Csat, Band::High) => "Satisfied (4–5)",
            (SurveyKind::Ces, Band::Low) => "Difficult (1–3)",
            (SurveyKind::Ces, Band::Mid) => "Neutral (4)",
            (SurveyKind::Ces, Band::High) => "Easy (5–7)",
        }
    }

    /// A score low enough to open a follow-up: an NPS detractor (0–6), CSAT ≤ 2, CES ≤ 3.
    pub fn needs_follow_up(self, score: i64) -> bool {
        self.band(score) == Band::Low
    }

    /// Why a follow-up was opened, in words.
    pub fn follow_up_reason(self, score: i64) -> String {
        match self {
            SurveyKind::Nps => format!("NPS detractor (scored {score} of 10)"),
            SurveyKind::Csat => format!("Low CSAT (scored {score} of 5)"),
            SurveyKind::Ces => format!("Hard effort (CES {score} of 7)"),
        }
    }

    /// The metric's formula as the metric layer defines it (DESIGN.md), for tooltips.
    pub fn formula(self) -> &'static str {
        match self {
            SurveyKind::Nps => "NPS = % promoters (9–10) − % detractors (0–6); from −100 to 100",
            SurveyKind::Csat => "CSAT = % of responses scoring 4 or 5 on the 1–5 scale",
            SurveyKind::Ces => "CES = mean of the 1–7 ease rating (7 = easiest)",
        }
    }

    /// The score checked against this survey's scale, with a message naming the field.
    pub fn check_score(self, raw: &str) -> Result<i64, AppError> {
        let (lo, hi) = self.range();
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(AppError::field("score", "choose a score"));
        }
        match raw.parse::<i64>() {
            Ok(n) if (lo..=hi).contains(&n) => Ok(n),
            _ => Err(AppError::field(
                "score",
                format!("the score must be a whole number from {lo} to {hi}"),
            )),
        }
    }
}

/// An extra question after the score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub prompt: String,
    pub kind: QuestionKind,
    #[serde(default)]
    pub options: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audience {
    pub kind: AudienceKind,
    /// The segment's id when `kind` is `Segment`.
    #[serde(default)]
    pub segment: Option<String>,
    /// Account or contact ids when `kind` is `Accounts` or `Contacts`.
    #[serde(default)]
    pub ids: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_checked_against_the_scale() {
        assert_eq!(SurveyKind::Nps.check_score("0").unwrap(), 0);
        assert_eq!(SurveyKind::Nps.check_score("10").unwrap(), 10);
        assert!(SurveyKind::Nps.check_score("11").is_err());
        assert!(SurveyKind::Csat.check_score("0").is_err());
        assert!(SurveyKind::Ces.check_score("8").is_err());
        assert!(SurveyKind::Ces.check_score("seven").is_err());
        let e = SurveyKind::Csat.check_score("").unwrap_err();
        assert_eq!(e.for_field("score").as_deref(), Some("choose a score"));
    }

    #[test]
    fn low_scores_open_follow_ups() {
        assert!(SurveyKind::Nps.needs_follow_up(6));
        assert!(!SurveyKind::Nps.needs_follow_up(7));
        assert!(SurveyKind::Csat.needs_follow_up(2));
        assert!(!SurveyKind::Csat.needs_follow_up(3));
        assert!(SurveyKind::Ces.needs_follow_up(3));
        assert!(!SurveyKind::Ces.needs_follow_up(4));
    }
}
