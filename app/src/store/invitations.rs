//! Invitations: the mail queue, and looking an invitation up from its link.

use super::{de, execute, query_all, query_many, query_value, Db};
use crate::error::AppError;
use crate::model::*;
use serde::Deserialize;
use serde_json::json;

/// An invitation waiting to be mailed, with what the email says.
#[derive(Debug, Clone, Deserialize)]
pub struct Outgoing {
    #[serde(deserialize_with = "de::key")]
    pub id: String,
    pub email: String,
    pub contact_name: String,
    #[serde(default)]
    pub account_name: Option<String>,
    pub survey_name: String,
    pub kind: SurveyKind,
    pub question: String,
    pub expires_at: String,
    pub mail_attempts: i64,
}

/// After this many failed attempts an invitation is marked failed and left alone.
pub const MAX_ATTEMPTS: i64 = 3;

pub async fn queued(db: &Db, limit: usize) -> Result<Vec<Outgoing>, AppError> {
    query_all(
        db,
        "SELECT id, email, contact.name AS contact_name, account.name AS account_name,
                survey.name AS survey_name, survey.kind AS kind, survey.question AS question,
                expires_at, mail_attempts
         FROM invitation WHERE mail_status = 'queued' LIMIT $limit",
        json!({ "limit": limit }),
    )
    .await
}

pub async fn mark_sent(db: &Db, id: &str) -> Result<(), AppError> {
    execute(
        db,
        "UPDATE type::record('invitation', $id) SET mail_status = 'sent', mail_error = NONE, mail_attempts += 1",
        json!({ "id": id }),
    )
    .await
}

/// Records a failed attempt; the invitation stays queued until `MAX_ATTEMPTS`.
pub async fn mark_failed(db: &Db, id: &str, error: &str) -> Result<(), AppError> {
    execute(
        db,
        "UPDATE type::record('invitation', $id) SET mail_attempts += 1, mail_error = $error,
            mail_status = IF mail_attempts >= $max { 'failed' } ELSE { 'queued' }",
        json!({ "id": id, "error": error.chars().take(500).collect::<String>(), "max": MAX_ATTEMPTS }),
    )
    .await
}

/// What a survey page needs about the invitation behind a link.
#[derive(Debug, Clone, Deserialize)]
pub struct Opened {
    #[serde(deserialize_with = "de::key")]
    pub id: String,
    #[serde(deserialize_with = "de::key")]
    pub survey: SurveyId,
    #[serde(deserialize_with = "de::key")]
    pub contact: ContactId,
    #[serde(deserialize_with = "de::key")]
    pub account: AccountId,
    #[serde(default)]
    pub contact_name: Option<String>,
    #[serde(default)]
    pub account_name: Option<String>,
    /// The response already given through this link, if any.
    #[serde(skip)]
    pub previous: Option<Previous>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Previous {
    pub score: i64,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub answers: serde_json::Map<String, serde_json::Value>,
}

/// The invitation and its response (which shares the invitation's key: one per link).
pub async fn open(db: &Db, id: &str) -> Result<Option<Opened>, AppError> {
    let mut r = query_many(
        db,
        "SELECT id, survey, contact, account, contact.name AS contact_name,
                account.name AS account_name
         FROM ONLY type::record('invitation', $id);
         SELECT score, comment, answers FROM ONLY type::record('survey_response', $id);",
        json!({ "id": id }),
    )
    .await?;
    let opened: Option<Opened> = r.take(0)?;
    let previous: Option<Previous> = r.take(1)?;
    Ok(opened.map(|o| Opened { previous, ..o }))
}

/// The invitation behind a link, without names or the earlier answer: what recording an
/// answer needs (one statement instead of two on the busiest public path).
pub async fn open_for_answer(db: &Db, id: &str) -> Result<Option<Opened>, AppError> {
    query_value(
        db,
        "SELECT id, survey, contact, account FROM ONLY type::record('invitation', $id)",
        json!({ "id": id }),
    )
    .await
}
