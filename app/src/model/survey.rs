//! Surveys, their invitations and responses, follow-ups that close the loop, and feedback from
//! other channels. Shared by server and browser: the browser validates a survey form with the
//! same code the server trusts.

use super::validate::{optional_text, required_text};
use crate::error::{AppError, Checks};
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

/// An extra question as typed into the survey form: options one per line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionInput {
    pub prompt: String,
    pub kind: String,
    #[serde(default)]
    pub options: String,
}

/// The survey form as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyInput {
    pub name: String,
    pub kind: String,
    /// Blank means the kind's standard question.
    #[serde(default)]
    pub question: String,
    #[serde(default)]
    pub questions: Vec<QuestionInput>,
    pub audience: String,
    #[serde(default)]
    pub segment: String,
    #[serde(default)]
    pub ids: Vec<String>,
    /// Months between invitations to the same contact; blank = one-off.
    #[serde(default)]
    pub recurrence_months: String,
}

/// A survey that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSurvey {
    pub name: String,
    pub kind: SurveyKind,
    pub question: String,
    pub questions: Vec<Question>,
    pub audience: Audience,
    pub recurrence_months: Option<i64>,
}

impl SurveyInput {
    pub fn validate(&self) -> Result<ValidSurvey, AppError> {
        let mut c = Checks::new();
        let name = required_text(&self.name, 120).unwrap_or_else(|m| {
            c.fail("name", m);
            String::new()
        });
        let kind = SurveyKind::parse(self.kind.trim());
        c.check(
            kind.is_some(),
            "kind",
            format!("choose one of {}", SurveyKind::choices()),
        );
        let kind = kind.unwrap_or(SurveyKind::Nps);
        let question = match optional_text(&self.question, 300) {
            Ok(Some(q)) => q,
            Ok(None) => kind.default_question().to_string(),
            Err(m) => {
                c.fail("question", m);
                String::new()
            }
        };
        if self.questions.len() > MAX_QUESTIONS {
            c.fail(
                "questions",
                format!("at most {MAX_QUESTIONS} extra questions"),
            );
        }
        let mut questions = Vec::new();
        for (i, q) in self.questions.iter().enumerate().take(MAX_QUESTIONS) {
            let field = format!("questions.{i}");
            let prompt = match required_text(&q.prompt, 300) {
                Ok(p) => p,
                Err(m) => {
                    c.fail(&field, format!("question {}: the question {m}", i + 1));
                    continue;
                }
            };
            let Some(qk) = QuestionKind::parse(q.kind.trim()) else {
                c.fail(
                    &field,
                    format!("question {}: choose free text or single choice", i + 1),
                );
                continue;
            };
            let options: Vec<String> = q
                .options
                .lines()
                .flat_map(|l| l.split(','))
                .map(|o| o.trim().to_string())
                .filter(|o| !o.is_empty())
                .collect();
            if qk == QuestionKind::Choice {
                if options.len() < 2 || options.len() > MAX_OPTIONS {
                    c.fail(
                        &field,
                        format!(
                            "question {}: a single-choice question needs 2 to {MAX_OPTIONS} options",
                            i + 1
                        ),
                    );
                    continue;
                }
                if options.iter().any(|o| o.chars().count() > 80) {
                    c.fail(
                        &field,
                        format!("question {}: options must be at most 80 characters", i + 1),
                    );
                    continue;
                }
            }
            questions.push(Question {
                id: format!("q{}", i + 1),
                prompt,
                kind: qk,
                options: if qk == QuestionKind::Choice {
                    options
                } else {
                    Vec::new()
                },
            });
        }
        let audience_kind = AudienceKind::parse(self.audience.trim());
        c.check(
            audience_kind.is_some(),
            "audience",
            "choose a segment, accounts or contacts",
        );
        let mut audience = Audience {
            kind: audience_kind.unwrap_or(AudienceKind::Segment),
            segment: None,
            ids: Vec::new(),
        };
        match audience_kind {
            Some(AudienceKind::Segment) => {
                let s = self.segment.trim();
                c.check(!s.is_empty(), "segment", "choose a saved segment");
                audience.segment = Some(s.to_string());
            }
            Some(k) => {
                let mut ids: Vec<String> = self
                    .ids
                    .iter()
                    .map(|i| i.trim().to_string())
                    .filter(|i| !i.is_empty())
                    .collect();
                ids.sort();
                ids.dedup();
                let what = if k == AudienceKind::Accounts {
                    "account"
                } else {
                    "contact"
                };
                c.check(
                    !ids.is_empty(),
                    "ids",
                    format!("choose at least one {what}"),
                );
                c.check(
                    ids.len() <= 5000,
                    "ids",
                    format!("at most 5 000 {what}s; use a segment for more"),
                );
                audience.ids = ids;
            }
            None => {}
        }
        let recurrence_months = match self.recurrence_months.trim() {
            "" | "0" => None,
            s => match s.parse::<i64>() {
                Ok(n) if (1..=24).contains(&n) => Some(n),
                _ => {
                    c.fail(
                        "recurrence_months",
                        "repeat every 1 to 24 months, or leave blank for a one-off survey",
                    );
                    None
                }
            },
        };
        c.finish()?;
        Ok(ValidSurvey {
            name,
            kind,
            question,
            questions,
            audience,
            recurrence_months,
        })
    }
}

/// A survey as staff see it in lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveySummary {
    pub id: String,
    pub name: String,
    pub kind: SurveyKind,
    pub audience_label: String,
    pub recurrence_months: Option<i64>,
    pub active: bool,
    pub invited: u64,
    pub responses: u64,
    /// The survey's metric over all responses (NPS, CSAT % or CES mean).
    pub score: Option<f64>,
}

/// One survey in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Survey {
    pub id: String,
    pub name: String,
    pub kind: SurveyKind,
    pub question: String,
    pub questions: Vec<Question>,
    pub audience: Audience,
    pub audience_label: String,
    pub recurrence_months: Option<i64>,
    pub public_key: String,
    /// The anonymous link in full (set by the server, which knows its public address).
    #[serde(default)]
    pub share_url: String,
    pub active: bool,
    pub created_at: String,
}

/// One contact in an audience preview and whether they would be invited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewRow {
    pub contact_id: String,
    pub contact_name: String,
    pub email: String,
    pub account_id: String,
    pub account_name: String,
    /// `None`: will be invited; otherwise why not.
    pub suppressed: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudiencePreview {
    pub total: u64,
    pub to_invite: u64,
    pub suppressed: u64,
    /// Up to 500 rows, the suppressed first so the reasons are seen.
    pub rows: Vec<PreviewRow>,
}

/// One answer, as the results page and the CSV export show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseRow {
    pub id: String,
    pub survey_id: String,
    pub survey_name: String,
    pub kind: SurveyKind,
    pub score: i64,
    pub comment: Option<String>,
    /// (question, answer) for the extra questions answered.
    pub answers: Vec<(String, String)>,
    pub account_id: Option<String>,
    pub account_name: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub channel: String,
    /// RFC 3339.
    pub at: String,
}

/// What the verbatims list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerbatimFilter {
    #[serde(default)]
    pub band: Option<Band>,
    #[serde(default)]
    pub segment: Option<String>,
    #[serde(default)]
    pub from: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub to: Option<chrono::NaiveDate>,
}

/// A metric with the number of responses behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScorePoint {
    pub label: String,
    pub value: Option<f64>,
    pub n: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyResults {
    pub survey: Survey,
    pub invited: u64,
    pub mail_failed: u64,
    pub mail_queued: u64,
    pub invited_responded: u64,
    pub anonymous_responses: u64,
    /// Invited contacts who answered ÷ invitations sent.
    pub response_rate: Option<f64>,
    pub score: ScorePoint,
    /// Count per score on the scale, low to high.
    pub distribution: Vec<(i64, u64)>,
    /// Per calendar month (UTC), oldest first.
    pub by_month: Vec<ScorePoint>,
    /// Per saved segment (accounts in the segment now).
    pub by_segment: Vec<ScorePoint>,
    pub verbatims: Vec<ResponseRow>,
    pub follow_ups: LoopStats,
}

/// Closing the loop, in figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoopStats {
    pub opened: u64,
    pub closed: u64,
    pub overdue: u64,
    /// closed ÷ opened.
    pub closed_rate: Option<f64>,
    /// Median hours from opening to closing, over closed follow-ups.
    pub median_hours_to_close: Option<f64>,
}

vocabulary! {
    /// The state of a follow-up.
    FollowUpStatus {
        Open => "open", "Open";
        Closed => "closed", "Closed";
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub id: String,
    pub survey_id: String,
    pub survey_name: String,
    pub kind: SurveyKind,
    pub score: i64,
    pub comment: Option<String>,
    pub reason: String,
    pub account_id: Option<String>,
    pub account_name: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    pub due: chrono::NaiveDate,
    pub status: FollowUpStatus,
    pub outcome: Option<String>,
    pub closed_by_name: Option<String>,
    pub created_at: String,
    pub closed_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUpList {
    pub items: Vec<FollowUp>,
    pub stats: LoopStats,
}

/// Survey-wide settings (admin).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveySettings {
    /// A contact is not invited again within this many days, whatever the survey.
    pub cap_days: i64,
    /// Days a CSM has to close a follow-up.
    pub follow_up_days: i64,
}

impl Default for SurveySettings {
    fn default() -> Self {
        Self {
            cap_days: 90,
            follow_up_days: 7,
        }
    }
}

impl SurveySettings {
    pub fn parse(cap_days: &str, follow_up_days: &str) -> Result<Self, AppError> {
        let mut c = Checks::new();
        let cap = cap_days.trim().parse::<i64>();
        c.check(
            matches!(cap, Ok(0..=730)),
            "cap_days",
            "a whole number of days from 0 (no cap) to 730",
        );
        let due = follow_up_days.trim().parse::<i64>();
        c.check(
            matches!(due, Ok(1..=90)),
            "follow_up_days",
            "a whole number of days from 1 to 90",
        );
        c.finish()?;
        Ok(Self {
            cap_days: cap.unwrap_or(90),
            follow_up_days: due.unwrap_or(7),
        })
    }
}

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
    pub account_id: Option<String>,
    pub source: FeedbackSource,
    pub sentiment: Sentiment,
    pub themes: Vec<String>,
    pub text: String,
}

impl FeedbackInput {
    pub fn validate(&self) -> Result<ValidFeedback, AppError> {
        let mut c = Checks::new();
        let source = FeedbackSource::parse(self.source.trim());
        c.check(
            source.is_some(),
            "source",
            format!("choose one of {}", FeedbackSource::choices()),
        );
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
            account_id: (!account.is_empty()).then(|| account.to_string()),
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
    pub account_id: Option<String>,
    pub account_name: Option<String>,
    pub source: FeedbackSource,
    pub sentiment: Sentiment,
    pub themes: Vec<String>,
    pub text: String,
    pub by_name: Option<String>,
    pub at: String,
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

/// A survey response on an account's page, with the account's latest figures per survey kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountSurveys {
    pub recent: Vec<ResponseRow>,
    /// (kind, metric over the account's responses in the last 12 months, n)
    pub figures: Vec<(SurveyKind, ScorePoint)>,
}

/// A search result in the audience picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickItem {
    pub id: String,
    pub label: String,
    pub detail: String,
}

/// What pressing Send did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendOutcome {
    pub queued: u64,
    pub suppressed: u64,
}

/// The customer's voice for the dashboard: each survey metric over the last 90 days, the 90
/// days before (for the trend), and closing the loop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoiceSummary {
    /// (kind, last 90 days, the 90 days before)
    pub figures: Vec<(SurveyKind, ScorePoint, ScorePoint)>,
    pub follow_ups: LoopStats,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> SurveyInput {
        SurveyInput {
            name: "Q4 NPS".into(),
            kind: "nps".into(),
            audience: "segment".into(),
            segment: "seg1".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_valid_survey_gets_the_standard_question() {
        let v = input().validate().unwrap();
        assert_eq!(v.question, SurveyKind::Nps.default_question());
        assert_eq!(v.audience.segment.as_deref(), Some("seg1"));
        assert_eq!(v.recurrence_months, None);
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = SurveyInput {
            name: " ".into(),
            kind: "rating".into(),
            question: "x".repeat(301),
            questions: vec![
                QuestionInput {
                    prompt: "Which plan?".into(),
                    kind: "choice".into(),
                    options: "Only one".into(),
                },
                QuestionInput {
                    prompt: "".into(),
                    kind: "text".into(),
                    options: "".into(),
                },
            ],
            audience: "accounts".into(),
            segment: "".into(),
            ids: vec![],
            recurrence_months: "36".into(),
        };
        let e = bad.validate().unwrap_err();
        for f in [
            "name",
            "kind",
            "question",
            "questions.0",
            "questions.1",
            "ids",
            "recurrence_months",
        ] {
            assert!(e.for_field(f).is_some(), "{f} should be named: {e}");
        }
    }

    #[test]
    fn choice_options_split_on_lines_and_commas() {
        let mut i = input();
        i.questions = vec![QuestionInput {
            prompt: "Which team?".into(),
            kind: "choice".into(),
            options: "Sales, Support\nProduct\n\n".into(),
        }];
        let v = i.validate().unwrap();
        assert_eq!(v.questions[0].options, vec!["Sales", "Support", "Product"]);
        assert_eq!(v.questions[0].id, "q1");
    }

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

    #[test]
    fn settings_have_bounds() {
        assert_eq!(
            SurveySettings::parse("90", "7").unwrap(),
            SurveySettings::default()
        );
        let e = SurveySettings::parse("-1", "0").unwrap_err();
        assert!(e.for_field("cap_days").is_some());
        assert!(e.for_field("follow_up_days").is_some());
    }
}
