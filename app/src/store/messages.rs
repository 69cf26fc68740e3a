//! Messages to and from customers (direction, thread, time) and how quickly each account's
//! customer answers them. A message's record key is its idempotency key, so "already stored?"
//! is a key look-up, as for usage events.

use super::{de, parse_time, query_all, query_many, query_value, transact, Db};
use crate::error::AppError;
use crate::model::message::ValidMessage;
use crate::model::message::{reply_facts as facts_of, Direction, ReplyFacts, BASELINE_DAYS};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::json;
use std::collections::{BTreeSet, HashMap, HashSet};

/// A message whose account has been found.
pub struct Resolved<'a> {
    pub account: String,
    pub message: &'a ValidMessage,
}

/// What one batch stored.
#[derive(Debug, Default)]
pub struct Stored {
    pub accepted: usize,
    pub duplicates: usize,
    /// Accounts that received new messages (their rules to be evaluated again).
    pub accounts: Vec<String>,
}

/// Stores a batch of checked messages in one transaction: new idempotency keys are inserted,
/// keys already stored (or repeated in the batch) are counted as duplicates and change nothing.
///
/// As for usage events, the keys are checked first and the insert is a plain `INSERT`: if
/// another request stored one of these keys in between, the whole transaction fails and we
/// start again, so nothing is stored twice or half-written.
pub async fn store(db: &Db, messages: &[Resolved<'_>]) -> Result<Stored, AppError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match try_store(db, messages).await {
            Ok(s) => return Ok(s),
            Err(e) if attempt < 4 => {
                tracing::debug!(error = %e, attempt, "message batch conflicted; retrying");
                tokio::time::sleep(std::time::Duration::from_millis(10 * attempt)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

async fn try_store(db: &Db, messages: &[Resolved<'_>]) -> Result<Stored, AppError> {
    let fresh = fresh_messages(db, messages).await?;
    let duplicates = messages.len() - fresh.len();
    if fresh.is_empty() {
        return Ok(Stored { accepted: 0, duplicates, accounts: vec![] });
    }
    let rows: Vec<serde_json::Value> = fresh
        .iter()
        .map(|r| {
            let m = r.message;
            super::vars(json!({
                "id": m.idempotency_key,
                "acc": r.account,
                "contact_email": m.contact_email,
                "thread_id": m.thread_id,
                "direction": m.direction.key(),
                "at": m.at.to_rfc3339(),
            }))
        })
        .collect();
    let accounts: BTreeSet<&str> = fresh.iter().map(|r| r.account.as_str()).collect();
    transact(
        db,
        "BEGIN;
         INSERT INTO message (SELECT id, type::record('account', acc) AS account, contact_email,
             thread_id, direction, type::datetime(at) AS at, id AS idempotency_key FROM $rows) RETURN NONE;
         COMMIT;",
        json!({ "rows": rows }),
    )
    .await?;
    Ok(Stored {
        accepted: fresh.len(),
        duplicates,
        accounts: accounts.into_iter().map(String::from).collect(),
    })
}

/// The messages of the batch not stored yet; of repeats inside the batch, the first one counts.
async fn fresh_messages<'a, 'm>(
    db: &Db, messages: &'a [Resolved<'m>],
) -> Result<Vec<&'a Resolved<'m>>, AppError> {
    let mut seen = HashSet::with_capacity(messages.len());
    let unique: Vec<&Resolved> =
        messages.iter().filter(|r| seen.insert(r.message.idempotency_key.as_str())).collect();
    let keys: Vec<&str> = unique.iter().map(|r| r.message.idempotency_key.as_str()).collect();
    let existing: Vec<serde_json::Value> = query_value(
        db,
        "RETURN array::filter($keys, |$k| record::exists(type::record('message', $k)))",
        json!({ "keys": keys }),
    )
    .await?;
    let existing: HashSet<String> = existing
        .into_iter()
        .map(|v| match v {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        })
        .collect();
    Ok(unique.into_iter().filter(|r| !existing.contains(&r.message.idempotency_key)).collect())
}

/// How quickly each account's customer answers, as of `now` (all accounts, or just
/// `accounts`), from the messages of the last [`BASELINE_DAYS`] days. Accounts without such
/// messages are left out.
///
/// Only that window is read: a reply whose question is older counts as a message with nothing
/// to answer, and a question unanswered for longer is no longer reported as awaiting — an
/// account quiet for four months is a matter for the engagement rules, not a reply alarm.
pub async fn reply_facts(
    db: &Db, accounts: Option<&[String]>, now: DateTime<Utc>,
) -> Result<HashMap<String, ReplyFacts>, AppError> {
    let since = (now - Duration::days(BASELINE_DAYS)).to_rfc3339();
    let rows = match accounts {
        None => window(db, None, &since).await?,
        Some(list) => {
            let mut rows = Vec::new();
            for chunk in list.chunks(ACCOUNTS_PER_QUERY) {
                rows.extend(window(db, Some(chunk), &since).await?);
            }
            rows
        }
    };
    let mut by_account: HashMap<String, Vec<(String, Direction, DateTime<Utc>)>> = HashMap::new();
    for r in rows {
        let at = parse_time(&r.at);
        by_account.entry(r.account).or_default().push((r.thread_id, r.direction, at));
    }
    Ok(by_account.into_iter().map(|(acc, msgs)| (acc, facts_of(&msgs, now))).collect())
}

/// Named accounts are read in chunks of this many (one sub-query each).
const ACCOUNTS_PER_QUERY: usize = 500;

#[derive(Deserialize)]
struct WindowRow {
    #[serde(deserialize_with = "de::key")]
    account: String,
    thread_id: String,
    direction: Direction,
    at: String,
}

const WINDOW: &str = "SELECT account, thread_id, direction, at FROM message";

/// The messages since `since` of `accounts` (or of all, through the `at` index).
///
/// Measured with EXPLAIN (SurrealDB 3.3): `account IN $accs AND at >= $s` intersects the whole
/// window of the `at` index with each account's entire history, whatever the number of
/// accounts; `account = $accs[i] AND at >= $s` is a range scan of the (account, at) index from
/// `since` on — so one such sub-query per account. (Joined with OR instead, more than about a
/// hundred terms exceed the parser's depth limit.) The time is cast once in a LET: a cast
/// inside WHERE is not planned on an index at all (the whole table is scanned).
async fn window(
    db: &Db, accounts: Option<&[String]>, since: &str,
) -> Result<Vec<WindowRow>, AppError> {
    let read = match accounts {
        None => format!("{WINDOW} WHERE at >= $s"),
        Some([]) => return Ok(vec![]),
        Some(list) => format!(
            "RETURN array::flatten([{}])",
            (0..list.len())
                .map(|i| format!("({WINDOW} WHERE account = $accs[{i}] AND at >= $s)"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    query_many(
        db,
        &format!(
            "LET $s = <datetime>$since;
             LET $accs = array::map($keys, |$k| type::record('account', $k));
             {read};"
        ),
        json!({ "keys": accounts.unwrap_or_default(), "since": since }),
    )
    .await?
    .take(2)
}

/// Number of stored messages (tests).
pub async fn count(db: &Db) -> Result<u64, AppError> {
    let rows: Vec<super::Count> =
        query_all(db, "SELECT count() AS n FROM message GROUP ALL", json!({})).await?;
    Ok(rows.first().map(|c| c.n).unwrap_or(0))
}
