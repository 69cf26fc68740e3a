//! Feedback from other channels (interviews, focus groups, social media, support), tagged with
//! themes.

use super::*;
use crate::error::{AppError, Checks};
use crate::model::validate::required_text;
use crate::model::AccountId;
use serde::{Deserialize, Serialize};

/// A feedback item as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackInput {
    #[serde(default)]
    pub account_id: String,
    pub source: String,
    pub sentiment: String,
    /// Comma-separated tags.
    #[serde(default)]
    pub themes: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidFeedback {
    pub account_id: Option<AccountId>,
    pub source: FeedbackSource,
    pub sentiment: Sentiment,
    pub themes: Vec<String>,
    pub text: String,
}

impl FeedbackInput {
    pub fn validate(&self) -> Result<ValidFeedback, AppError> {
        let mut c = Checks::new();
        let source = FeedbackSource::parse(self.source.trim());
        c.check(source.is_some(), "source", format!("choose one of {}", FeedbackSource::choices()));
        let sentiment = Sentiment::parse(self.sentiment.trim());
        c.check(
            sentiment.is_some(),
            "sentiment",
            format!("choose one of {}", Sentiment::choices()),
        );
        let themes = parse_themes(&self.themes);
        c.check(themes.len() <= 10, "themes", "at most 10 themes");
        c.check(
            themes.iter().all(|t| t.chars().count() <= 40),
            "themes",
            "each theme must be at most 40 characters",
        );
        let text = required_text(&self.text, MAX_TEXT).unwrap_or_else(|m| {
            c.fail("text", format!("the feedback {m}"));
            String::new()
        });
        c.finish()?;
        let account = self.account_id.trim();
        Ok(ValidFeedback {
            account_id: (!account.is_empty()).then(|| account.into()),
            source: source.unwrap_or(FeedbackSource::Other),
            sentiment: sentiment.unwrap_or(Sentiment::Neutral),
            themes,
            text,
        })
    }
}

/// Themes are tags: lower-cased, trimmed, de-duplicated, in the order typed.
pub fn parse_themes(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in s.split(',') {
        let t = t.trim().to_lowercase();
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackItem {
    pub id: String,
    pub account_id: Option<AccountId>,
    pub account_name: Option<String>,
    pub source: FeedbackSource,
    pub sentiment: Sentiment,
    pub themes: Vec<String>,
    pub text: String,
    pub by_name: Option<String>,
    pub at: crate::model::Timestamp,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackFilter {
    #[serde(default)]
    pub theme: Option<String>,
    #[serde(default)]
    pub source: Option<FeedbackSource>,
    #[serde(default)]
    pub sentiment: Option<Sentiment>,
}

/// How often a theme came up, and how many of those were negative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeCount {
    pub theme: String,
    pub count: u64,
    pub negative: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackView {
    pub items: Vec<FeedbackItem>,
    pub themes: Vec<ThemeCount>,
    pub total: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feedback_themes_are_tags() {
        assert_eq!(
            parse_themes(" Onboarding, pricing ,onboarding,,"),
            vec!["onboarding", "pricing"]
        );
        let e = FeedbackInput {
            source: "tv".into(),
            sentiment: "".into(),
            text: " ".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        for f in ["source", "sentiment", "text"] {
            assert!(e.for_field(f).is_some(), "{f}");
        }
    }
}
