//! Invitations: the mail queue, and looking an invitation up from its link.

use super::{de, execute, query_all, query_many, query_value, transact, Db};
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

fn ms(d: std::time::Duration) -> String {
    format!("{}ms", d.as_millis().max(1))
}

/// What a node whose mailer stopped in the middle of an SMTP conversation leaves behind: the
/// message may or may not have been accepted, so it is reported failed rather than mailed again.
pub const UNCERTAIN: &str =
    "the node mailing this stopped during the SMTP conversation; not sent again, so it cannot arrive twice";

/// Claims up to `limit` queued invitations for `holder` for `lease`: no other node's mailer
/// takes them until the lease runs out. One transaction, so two nodes claiming at once get
/// different invitations. Invitations a dead node was in the middle of mailing are first
/// reported (see [`UNCERTAIN`]).
pub async fn claim(
    db: &Db, holder: &str, limit: usize, lease: std::time::Duration,
) -> Result<Vec<Outgoing>, AppError> {
    let mut r = transact(
        db,
        "BEGIN;
         LET $now = time::now();
         UPDATE invitation SET mail_status = 'failed', mail_error = $uncertain,
             mail_sending_at = NONE, mail_lease_until = NONE, mail_holder = NONE
             WHERE mail_status = 'queued' AND mail_sending_at != NONE AND mail_lease_until < $now
             RETURN NONE;
         LET $ids = (SELECT VALUE id FROM invitation WHERE mail_status = 'queued'
             AND mail_sending_at = NONE AND (mail_lease_until = NONE OR mail_lease_until < $now)
             LIMIT $limit);
         UPDATE $ids SET mail_holder = $holder, mail_lease_until = $now + <duration>$lease
             RETURN NONE;
         RETURN (SELECT id, email, contact.name AS contact_name, account.name AS account_name,
                survey.name AS survey_name, survey.kind AS kind, survey.question AS question,
                expires_at, mail_attempts FROM $ids);
         COMMIT;",
        json!({ "holder": holder, "limit": limit, "lease": ms(lease), "uncertain": UNCERTAIN }),
    )
    .await?;
    r.before_commit()
}

/// Just before mailing `id`: marks it in flight if `holder` still holds its lease (renewing it).
/// `false`: the lease ran out and another node took it — leave it alone.
pub async fn begin_send(
    db: &Db, id: &str, holder: &str, lease: std::time::Duration,
) -> Result<bool, AppError> {
    let taken: Vec<String> = query_all(
        db,
        "UPDATE type::record('invitation', $id) SET mail_sending_at = time::now(),
             mail_lease_until = time::now() + <duration>$lease
         WHERE mail_status = 'queued' AND mail_holder = $holder AND mail_sending_at = NONE
             AND mail_lease_until >= time::now()
         RETURN VALUE record::id(id)",
        json!({ "id": id, "holder": holder, "lease": ms(lease) }),
    )
    .await?;
    Ok(!taken.is_empty())
}

/// Gives back claimed invitations `holder` will not mail this round.
pub async fn release(db: &Db, ids: &[&str], holder: &str) -> Result<(), AppError> {
    execute(
        db,
        "UPDATE array::map($ids, |$i| type::record('invitation', $i))
             SET mail_lease_until = NONE, mail_holder = NONE
             WHERE mail_holder = $holder AND mail_sending_at = NONE RETURN NONE",
        json!({ "ids": ids, "holder": holder }),
    )
    .await
}

pub async fn mark_sent(db: &Db, id: &str) -> Result<(), AppError> {
    execute(
        db,
        "UPDATE type::record('invitation', $id) SET mail_status = 'sent', mail_error = NONE, mail_attempts += 1,
            mail_sending_at = NONE, mail_lease_until = NONE, mail_holder = NONE",
        json!({ "id": id }),
    )
    .await
}

/// Records a failed attempt (the server refused it, or it could not be reached); the invitation
/// stays queued until `MAX_ATTEMPTS`.
pub async fn mark_failed(db: &Db, id: &str, error: &str) -> Result<(), AppError> {
    execute(
        db,
        "UPDATE type::record('invitation', $id) SET mail_attempts += 1, mail_error = $error,
            mail_status = IF mail_attempts >= $max { 'failed' } ELSE { 'queued' },
            mail_sending_at = NONE, mail_lease_until = NONE, mail_holder = NONE",
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
