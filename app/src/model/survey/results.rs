//! What staff read about surveys: lists, results, verbatims, follow-ups, an account's answers and
//! the dashboard's voice-of-the-customer figures.

use super::*;
use crate::model::{AccountId, ContactId, SurveyId, UserId};
use serde::{Deserialize, Serialize};

/// A survey as staff see it in lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveySummary {
    pub id: SurveyId,
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
    pub id: SurveyId,
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
    pub created_at: crate::model::Timestamp,
}

/// One contact in an audience preview and whether they would be invited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewRow {
    pub contact_id: ContactId,
    pub contact_name: String,
    pub email: String,
    pub account_id: AccountId,
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

/// A score and who gave it: what every response row shows, and what a follow-up shows of the
/// response that opened it. Flattened into both, so the JSON keeps one flat object each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoredResponse {
    pub survey_id: SurveyId,
    pub survey_name: String,
    pub kind: SurveyKind,
    pub score: i64,
    pub comment: Option<String>,
    /// `None` for an answer through the anonymous link.
    pub account_id: Option<AccountId>,
    pub account_name: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
}

/// One answer, as the results page and the CSV export show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseRow {
    pub id: String,
    #[serde(flatten)]
    pub response: ScoredResponse,
    /// (question, answer) for the extra questions answered.
    pub answers: Vec<(String, String)>,
    pub channel: String,
    /// RFC 3339.
    pub at: crate::model::Timestamp,
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
    /// The response that opened it.
    #[serde(flatten)]
    pub response: ScoredResponse,
    pub reason: String,
    pub assignee_id: Option<UserId>,
    pub assignee_name: Option<String>,
    pub due: chrono::NaiveDate,
    pub status: FollowUpStatus,
    pub outcome: Option<String>,
    pub closed_by_name: Option<String>,
    pub created_at: crate::model::Timestamp,
    pub closed_at: Option<crate::model::Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUpList {
    pub items: Vec<FollowUp>,
    pub stats: LoopStats,
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
