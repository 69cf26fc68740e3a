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
        json!({ "holder": holder, "limit": limit, "lease": super::duration(lease), "uncertain": UNCERTAIN }),
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
        json!({ "id": id, "holder": holder, "lease": super::duration(lease) }),
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// `n` queued invitations of one survey to one account's contacts.
    async fn queue(db: &Db, n: usize) {
        crate::store::execute(
            db,
            "CREATE account:acme SET name = 'Acme', name_key = 'acme', tier = 'smb',
                industry = 'Retail', stage = 'growth', arr_minor = 100, currency = 'EUR',
                contract_start = d'2026-01-01T00:00:00Z', renewal_date = d'2027-01-01T00:00:00Z';
             CREATE survey:nps SET name = 'NPS', name_key = 'nps', kind = 'nps',
                question = 'Recommend us?', audience = {}, public_key = 'pk';",
            json!({}),
        )
        .await
        .unwrap();
        for i in 0..n {
            crate::store::execute(
                db,
                "LET $c = CREATE ONLY contact SET account = account:acme, name = $name, email = $email;
                 CREATE invitation SET survey = survey:nps, contact = $c.id, account = account:acme,
                     email = $email, expires_at = time::now() + 30d, mail_status = 'queued';",
                json!({ "name": format!("C {i}"), "email": format!("c{i}@acme.example") }),
            )
            .await
            .unwrap();
        }
    }

    #[tokio::test]
    async fn claims_split_the_queue_and_a_dead_mailers_send_is_reported_not_repeated() {
        let db = crate::store::connect("mem://", None, None).await.unwrap();
        queue(&db, 30).await;
        let lease = Duration::from_millis(400);
        // Three mailers claim at once: no invitation goes to two of them.
        let asks = (0..3).map(|i| {
            let db = db.clone();
            async move { claim(&db, &format!("node-{i}"), 12, lease).await.unwrap() }
        });
        let got = futures::future::join_all(asks).await;
        let mut ids: Vec<&str> = got.iter().flatten().map(|o| o.id.as_str()).collect();
        assert_eq!(ids.len(), 30);
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 30, "an invitation was claimed twice");
        // node-0 starts mailing its first, then dies; node-1 gives one back unsent.
        let first = got[0][0].id.clone();
        assert!(begin_send(&db, &first, "node-0", lease).await.unwrap());
        assert!(!begin_send(&db, &got[1][0].id, "node-0", lease).await.unwrap(), "not its claim");
        release(&db, &[got[1][0].id.as_str()], "node-1").await.unwrap();
        mark_sent(&db, &got[2][0].id).await.unwrap();
        // After the leases ran out, the next claim reports the one in flight and takes the rest
        // back — everything but the sent one and the uncertain one.
        tokio::time::sleep(lease + Duration::from_millis(100)).await;
        let again = claim(&db, "node-9", 50, lease).await.unwrap();
        assert_eq!(again.len(), 28);
        assert!(again.iter().all(|o| o.id != first && o.id != got[2][0].id));
        let status: Vec<serde_json::Value> = query_all(
            &db,
            "SELECT mail_status, mail_error FROM type::record('invitation', $id)",
            json!({ "id": first }),
        )
        .await
        .unwrap();
        assert_eq!(status[0]["mail_status"], "failed");
        assert_eq!(status[0]["mail_error"], UNCERTAIN);
    }
}
