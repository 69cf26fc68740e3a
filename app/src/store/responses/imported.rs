//! Survey answers imported from another tool (`POST /api/v1/survey-responses`): stored as
//! ordinary responses (channel `import`, `created_at` the day the customer answered) so every
//! figure counts them, each under its kind's "imported" survey (see migration 011).
//!
//! As for messages, a response's record key comes from its idempotency key, the keys are
//! checked first and the insert is a plain `INSERT` in one transaction: a key stored by another
//! request in between fails the whole transaction, which we run again, so nothing is stored
//! twice or half-written.

use crate::error::AppError;
use crate::model::SurveyKind;
use crate::store::{query_many, query_value, transact, vars, Db};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap, HashSet};

/// An imported answer whose account (and contact, if named) has been found.
#[derive(Debug, Clone)]
pub struct Imported {
    pub account: String,
    pub contact: Option<String>,
    pub kind: SurveyKind,
    pub score: i64,
    pub at: DateTime<Utc>,
    pub comment: Option<String>,
    pub idempotency_key: String,
    /// Opens a follow-up for the account's owner (a low score, recent enough to act on).
    pub follow_up: bool,
}

/// What one batch stored.
#[derive(Debug, Default)]
pub struct Stored {
    pub accepted: usize,
    pub duplicates: usize,
    /// Accounts that received new answers (to be re-scored).
    pub accounts: Vec<String>,
}

/// The key of the survey that holds imported answers of `kind`.
pub fn imported_survey(kind: SurveyKind) -> String {
    format!("imported_{}", kind.key())
}

/// The record key of the imported answer sent with idempotency key `key`: apart from the keys
/// of answers given through our own surveys.
fn record_key(key: &str) -> String {
    format!("import:{key}")
}

/// The contact of each `(account, email)` pair that names one.
pub async fn contacts_by_email(
    db: &Db, pairs: &[(String, String)],
) -> Result<HashMap<(String, String), String>, AppError> {
    #[derive(Deserialize)]
    struct Row {
        #[serde(deserialize_with = "crate::store::de::key")]
        id: String,
        #[serde(deserialize_with = "crate::store::de::key")]
        account: String,
        email: String,
    }
    if pairs.is_empty() {
        return Ok(HashMap::new());
    }
    let accounts: BTreeSet<&str> = pairs.iter().map(|(a, _)| a.as_str()).collect();
    let emails: BTreeSet<&str> = pairs.iter().map(|(_, e)| e.as_str()).collect();
    // The account records are made once, in a LET (inside the WHERE, `array::map` runs for
    // every contact and no index is used).
    let rows: Vec<Row> = query_many(
        db,
        "LET $accs = array::map($accounts, |$a| type::record('account', $a));
         SELECT id, account, email FROM contact WHERE account IN $accs AND email IN $emails;",
        json!({ "accounts": accounts, "emails": emails }),
    )
    .await?
    .take(1)?;
    Ok(rows.into_iter().map(|r| ((r.account, r.email), r.id)).collect())
}

/// Stores a batch of imported answers: new idempotency keys are inserted with the follow-ups
/// they call for (due `follow_up_days` after `now`); keys already stored, or repeated in the
/// batch, are counted as duplicates and change nothing.
pub async fn import(
    db: &Db, answers: &[Imported], follow_up_days: i64, now: DateTime<Utc>,
) -> Result<Stored, AppError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match try_import(db, answers, follow_up_days, now).await {
            Ok(s) => return Ok(s),
            Err(e) if attempt < 4 => {
                tracing::debug!(error = %e, attempt, "imported answers conflicted; retrying");
                tokio::time::sleep(std::time::Duration::from_millis(10 * attempt)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

async fn try_import(
    db: &Db, answers: &[Imported], follow_up_days: i64, now: DateTime<Utc>,
) -> Result<Stored, AppError> {
    let fresh = fresh(db, answers).await?;
    let duplicates = answers.len() - fresh.len();
    if fresh.is_empty() {
        return Ok(Stored { accepted: 0, duplicates, accounts: vec![] });
    }
    let row = |a: &Imported| {
        vars(json!({
            "key": record_key(&a.idempotency_key),
            "survey": imported_survey(a.kind),
            "account": a.account,
            "contact": a.contact,
            "kind": a.kind.key(),
            "score": a.score,
            "comment": a.comment,
            "at": a.at.to_rfc3339(),
            "reason": a.kind.follow_up_reason(a.score),
        }))
    };
    let rows: Vec<Value> = fresh.iter().map(|a| row(a)).collect();
    let follow: Vec<Value> = fresh.iter().filter(|a| a.follow_up).map(|a| row(a)).collect();
    let kinds: BTreeSet<SurveyKind> = fresh.iter().map(|a| a.kind).collect();
    let surveys: Vec<Value> = kinds
        .into_iter()
        .map(|k| {
            let name = format!("{} (imported)", k.label());
            json!({
                "id": imported_survey(k),
                "name_key": name.to_lowercase(),
                "name": name,
                "kind": k.key(),
                "question": k.default_question(),
                "public_key": crate::survey_token::random_key(),
            })
        })
        .collect();
    transact(
        db,
        "BEGIN;
         FOR $s IN $surveys {
            IF !record::exists(type::record('survey', $s.id)) {
                LET $taken = (SELECT VALUE id FROM survey WHERE name_key = $s.name_key LIMIT 1) != [];
                CREATE type::record('survey', $s.id) SET name = $s.name,
                    name_key = IF $taken { 'imported:' + $s.kind } ELSE { $s.name_key },
                    kind = $s.kind, question = $s.question, audience = { kind: 'accounts', ids: [] },
                    public_key = $s.public_key, active = false;
            };
         };
         INSERT INTO survey_response (SELECT type::record('survey_response', key) AS id,
             type::record('survey', survey) AS survey, type::record('account', account) AS account,
             (IF contact = NONE { NONE } ELSE { type::record('contact', contact) }) AS contact,
             kind, score, comment, 'import' AS channel, <datetime>at AS created_at,
             <datetime>at AS updated_at, time::now() AS imported_at FROM $rows) RETURN NONE;
         INSERT INTO follow_up (SELECT type::record('follow_up', key) AS id,
             type::record('survey_response', key) AS response, type::record('survey', survey) AS survey,
             type::record('account', account) AS account,
             (IF contact = NONE { NONE } ELSE { type::record('contact', contact) }) AS contact,
             type::record('account', account).owner AS assignee, reason, <datetime>$due AS due_at,
             'open' AS status FROM $follow) RETURN NONE;
         COMMIT;",
        json!({
            "surveys": surveys,
            "rows": rows,
            "follow": follow,
            "due": (now + chrono::Duration::days(follow_up_days)).to_rfc3339(),
        }),
    )
    .await?;
    let accounts: BTreeSet<&str> = fresh.iter().map(|a| a.account.as_str()).collect();
    Ok(Stored {
        accepted: fresh.len(),
        duplicates,
        accounts: accounts.into_iter().map(String::from).collect(),
    })
}

/// The answers of the batch not stored yet; of repeats inside the batch, the first one counts.
async fn fresh<'a>(db: &Db, answers: &'a [Imported]) -> Result<Vec<&'a Imported>, AppError> {
    let mut seen = HashSet::with_capacity(answers.len());
    let unique: Vec<&Imported> =
        answers.iter().filter(|a| seen.insert(a.idempotency_key.as_str())).collect();
    let keys: Vec<String> = unique.iter().map(|a| record_key(&a.idempotency_key)).collect();
    let existing: Vec<Value> = query_value(
        db,
        "RETURN array::filter($keys, |$k| record::exists(type::record('survey_response', $k)))",
        json!({ "keys": keys }),
    )
    .await?;
    let existing: HashSet<String> = existing
        .into_iter()
        .map(|v| match v {
            Value::String(s) => s,
            other => other.to_string(),
        })
        .collect();
    Ok(unique.into_iter().filter(|a| !existing.contains(&record_key(&a.idempotency_key))).collect())
}
