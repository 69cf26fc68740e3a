//! Touchpoints with customers and the cadence rules that say how often each segment gets them.
//!
//! An email or meeting request logged as "awaiting the customer" records a message to the
//! customer in the same transaction, and "Customer replied" records their answer with the reply
//! time: the delayed-response rule reads those messages like the ones the REST API receives.

use super::{
    date_param, de, new_key, query_all, query_many, transact, transact_on_account, vars, Db,
    OnAccount,
};
use crate::error::AppError;
use crate::model::engagement::*;
use crate::model::message::{touchpoint_message_key, touchpoint_thread, Direction};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Row {
    #[serde(flatten)]
    head: OnAccount<String>,
    kind: TouchpointKind,
    #[serde(deserialize_with = "de::date")]
    date: NaiveDate,
    #[serde(default)]
    attendees: Vec<String>,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    next_steps: String,
    #[serde(default)]
    logged_by: Option<String>,
    #[serde(default)]
    created_at: crate::model::Timestamp,
    #[serde(default)]
    awaiting_reply: bool,
    #[serde(default)]
    replied_at: Option<crate::model::Timestamp>,
}

impl From<Row> for Touchpoint {
    fn from(r: Row) -> Self {
        Touchpoint {
            id: r.head.id,
            account_id: r.head.account,
            account_name: r.head.account_name.unwrap_or_default(),
            kind: r.kind,
            date: r.date,
            attendees: r.attendees,
            notes: r.notes,
            next_steps: r.next_steps,
            logged_by: r.logged_by,
            logged_at: r.created_at,
            awaiting_reply: r.awaiting_reply,
            replied_at: r.replied_at,
        }
    }
}

/// Touchpoints logged before schema v8 have no `awaiting_reply` (NONE): read as `false`.
const FIELDS: &str = "id, account, account.name AS account_name, kind, date, attendees, notes,
    next_steps, logged_by.name AS logged_by, created_at, awaiting_reply ?? false AS awaiting_reply,
    replied_at";

/// Logs a touchpoint; one awaiting the customer also records its message to the customer, sent
/// when it was logged (thread `touchpoint:<id>`).
pub async fn create(
    db: &Db, account: &str, t: &ValidTouchpoint, by: &str,
) -> Result<Touchpoint, AppError> {
    Ok(create_once(db, account, t, Some(by), &new_key()).await?.0)
}

/// [`create`] under a chosen id, once: an integration re-sending a touchpoint (its id derived
/// from the sender's idempotency key) finds the one already logged — returned with `false` —
/// and changes nothing. The id used for another account is a conflict. `by`: the staff member
/// who logged it, if any.
pub async fn create_once(
    db: &Db, account: &str, t: &ValidTouchpoint, by: Option<&str>, id: &str,
) -> Result<(Touchpoint, bool), AppError> {
    let mut r = transact_on_account(
        db,
        &format!(
            "LET $t = type::record('touchpoint', $id);
             IF record::exists($t) AND $t.account != $a {{
                 THROW 'bw:conflict:this idempotency key was used for another account'
             }};
             LET $new = !record::exists($t);
             IF $new {{
                 LET $now = time::now();
                 CREATE $t SET account = $a, kind = $kind, date = <datetime>$date,
                    attendees = $attendees, notes = $notes, next_steps = $next_steps,
                    logged_by = IF $by = NONE {{ NONE }} ELSE {{ type::record('user', $by) }},
                    created_at = $now, awaiting_reply = $awaiting RETURN NONE;
                 IF $awaiting {{
                     CREATE type::record('message', $key) SET account = $a, thread_id = $thread,
                         direction = 'out', at = $now, idempotency_key = $key, touchpoint = $t
                         RETURN NONE;
                 }};
             }};
             SELECT {FIELDS} FROM ONLY $t;
             RETURN $new;"
        ),
        vars(json!({
            "account": account, "id": id, "kind": t.kind.key(), "date": date_param(t.date),
            "attendees": t.attendees, "notes": t.notes, "next_steps": t.next_steps, "by": by,
            "awaiting": t.awaiting_reply, "thread": touchpoint_thread(id),
            "key": touchpoint_message_key(id, Direction::Out),
        })),
    )
    .await?;
    let created: bool = r.before_commit()?;
    let row: Row = r.take(7)?;
    Ok((row.into(), created))
}

/// Logs the customer's reply to touchpoint `id` of `account` now: sets its `replied_at` and
/// records their message in its thread, together. Refused when the touchpoint is not the
/// account's (not found), never waited for a reply, or has its reply already.
pub async fn customer_replied(db: &Db, account: &str, id: &str) -> Result<Touchpoint, AppError> {
    let mut r = transact(
        db,
        &format!(
            "BEGIN;
             LET $t = type::record('touchpoint', $id);
             IF !record::exists($t) OR $t.account != type::record('account', $account) {{
                 THROW 'bw:not_found:touchpoint on this account'
             }};
             IF !($t.awaiting_reply ?? false) {{
                 THROW 'bw:conflict:this touchpoint is not awaiting the customer'
             }};
             IF $t.replied_at != NONE {{
                 THROW 'bw:conflict:the customer reply to this touchpoint is already logged'
             }};
             LET $now = time::now();
             UPDATE $t SET replied_at = $now RETURN NONE;
             CREATE type::record('message', $key) SET account = $t.account, thread_id = $thread,
                 direction = 'in', at = $now, idempotency_key = $key, touchpoint = $t RETURN NONE;
             SELECT {FIELDS} FROM ONLY $t;
             COMMIT;"
        ),
        json!({
            "account": account, "id": id, "thread": touchpoint_thread(id),
            "key": touchpoint_message_key(id, Direction::In),
        }),
    )
    .await?;
    Ok(r.before_commit::<Row>()?.into())
}

pub async fn for_account(
    db: &Db, account: &str, limit: usize,
) -> Result<Vec<Touchpoint>, AppError> {
    let rows: Vec<Row> = query_all(
        db,
        &format!(
            "SELECT {FIELDS} FROM touchpoint WHERE account = type::record('account', $a)
             ORDER BY date DESC, created_at DESC LIMIT $limit"
        ),
        json!({ "a": account, "limit": limit }),
    )
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// The latest touchpoint of each kind per account: (account, kind, date).
pub async fn last_by_kind(
    db: &Db, accounts: &[String],
) -> Result<Vec<(String, TouchpointKind, NaiveDate)>, AppError> {
    #[derive(Deserialize)]
    struct L {
        #[serde(deserialize_with = "de::key")]
        account: String,
        kind: TouchpointKind,
        #[serde(deserialize_with = "de::date")]
        last: NaiveDate,
    }
    let rows: Vec<L> = query_many(
        db,
        "LET $accs = array::map($keys, |$k| type::record('account', $k));
         SELECT account, kind, time::max(date) AS last FROM touchpoint
         WHERE account IN $accs GROUP BY account, kind;",
        json!({ "keys": accounts }),
    )
    .await?
    .take(1)?;
    Ok(rows.into_iter().map(|l| (l.account, l.kind, l.last)).collect())
}

#[derive(Deserialize)]
struct RuleRow {
    #[serde(deserialize_with = "de::key")]
    id: String,
    #[serde(deserialize_with = "de::key")]
    segment: String,
    #[serde(default)]
    segment_name: Option<String>,
    kind: TouchpointKind,
    every_days: u32,
}

pub async fn rules(db: &Db) -> Result<Vec<CadenceRule>, AppError> {
    let rows: Vec<RuleRow> = query_all(
        db,
        "SELECT id, segment, segment.name AS segment_name, kind, every_days, created_at FROM cadence_rule
         ORDER BY created_at",
        json!({}),
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter(|r| r.segment_name.is_some())
        .map(|r| CadenceRule {
            id: r.id,
            segment_id: r.segment,
            segment_name: r.segment_name.unwrap_or_default(),
            kind: r.kind,
            every_days: r.every_days,
        })
        .collect())
}

pub async fn add_rule(
    db: &Db, segment: &str, kind: TouchpointKind, every_days: u32,
) -> Result<(), AppError> {
    transact(
        db,
        "BEGIN;
         LET $s = type::record('segment', $segment);
         IF !record::exists($s) { THROW 'bw:field:segment_id:choose a saved segment' };
         IF (SELECT VALUE id FROM cadence_rule WHERE segment = $s AND kind = $kind LIMIT 1) != [] {
             THROW 'bw:field:kind:this segment already has a rule for this kind; remove it first'
         };
         CREATE cadence_rule SET segment = $s, kind = $kind, every_days = $every RETURN NONE;
         COMMIT;",
        json!({ "segment": segment, "kind": kind.key(), "every": every_days }),
    )
    .await?;
    Ok(())
}

pub async fn remove_rule(db: &Db, id: &str) -> Result<(), AppError> {
    let rows: Vec<serde_json::Value> = query_all(
        db,
        "DELETE type::record('cadence_rule', $id) RETURN BEFORE",
        json!({ "id": id }),
    )
    .await?;
    if rows.is_empty() {
        return Err(AppError::NotFound("cadence rule".into()));
    }
    Ok(())
}

/// Days since each account's latest touchpoint of any kind, as of `date` (health's engagement
/// recency). Accounts without touchpoints are left out.
pub async fn days_since_last(
    db: &Db, accounts: Option<&[String]>, date: NaiveDate,
) -> Result<Vec<(String, u32)>, AppError> {
    #[derive(Deserialize)]
    struct L {
        #[serde(deserialize_with = "de::key")]
        account: String,
        #[serde(deserialize_with = "de::date")]
        last: NaiveDate,
    }
    let cond = if accounts.is_some() { "AND account IN $accs" } else { "" };
    let rows: Vec<L> = query_many(
        db,
        &format!(
            "LET $accs = array::map($keys, |$k| type::record('account', $k));
             SELECT account, time::max(date) AS last FROM touchpoint
             WHERE date < <datetime>$end {cond} GROUP BY account;"
        ),
        json!({
            "keys": accounts.unwrap_or_default(),
            "end": date_param(date + chrono::Duration::days(1)),
        }),
    )
    .await?
    .take(1)?;
    Ok(rows.into_iter().map(|l| (l.account, (date - l.last).num_days().max(0) as u32)).collect())
}
