//! The ARR movement ledger (migration 010): appending movements together with the account's
//! ARR, one account's history, and the ledger's end that the next movement is checked against.
//! [`ledger`] holds every movement in memory for the dashboard.
//!
//! One write path: [`append_sql`] runs inside a transaction (the batch API, the account form's
//! save, marking an account Churned), checks that the account's ledger has not moved since it
//! was read (`arr_seq`), creates the movements and sets the account's ARR, stage and ledger
//! end — so an account's ARR never disagrees with its ledger.

pub mod ledger;

use super::{date_param, de, query_all, transact, Db};
use crate::error::AppError;
use crate::model::revenue::{Movement, MovementKind, MovementRecord};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

/// A checked movement to store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewMovement {
    /// The account's key.
    pub account: String,
    pub on: NaiveDate,
    pub kind: MovementKind,
    pub arr_before: i64,
    pub arr_after: i64,
    pub currency: String,
    pub reason: Option<String>,
    /// form, stage, api, import, seed.
    pub source: String,
    pub recorded_by: Option<String>,
    pub idempotency_key: String,
}

/// Where an account's ledger ends: what the next movement is checked against.
#[derive(Debug, Clone, PartialEq)]
pub struct End {
    pub account: String,
    pub name: String,
    pub contract_start: NaiveDate,
    pub currency: String,
    pub stage: crate::model::Stage,
    /// Movements so far (0: none); the next one gets `seq + 1`.
    pub seq: i64,
    /// The last movement (its amounts, day and kind), if any.
    pub last: Option<Movement>,
}

#[derive(Deserialize)]
struct EndRow {
    #[serde(deserialize_with = "de::key")]
    id: String,
    name: String,
    #[serde(deserialize_with = "de::date")]
    contract_start: NaiveDate,
    currency: String,
    stage: crate::model::Stage,
    arr_minor: i64,
    #[serde(default)]
    arr_seq: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_date")]
    arr_last_on: Option<NaiveDate>,
    #[serde(default)]
    arr_last_kind: Option<MovementKind>,
}

impl From<EndRow> for End {
    fn from(r: EndRow) -> Self {
        let last = match (r.arr_last_on, r.arr_last_kind) {
            (Some(on), Some(kind)) => Some(Movement {
                account: r.id.clone(),
                on,
                kind,
                // Only `arr_after` and the day are compared; the before amount is not kept.
                arr_before: 0,
                arr_after: r.arr_minor,
            }),
            _ => None,
        };
        End {
            account: r.id,
            name: r.name,
            contract_start: r.contract_start,
            currency: r.currency,
            stage: r.stage,
            seq: r.arr_seq.unwrap_or(0),
            last,
        }
    }
}

const END_FIELDS: &str =
    "id, name, contract_start, currency, stage, arr_minor, arr_seq, arr_last_on, arr_last_kind";

/// The ledger ends of these accounts (unknown keys are left out).
pub async fn ends(db: &Db, accounts: &[String]) -> Result<HashMap<String, End>, AppError> {
    let mut out = HashMap::with_capacity(accounts.len());
    for chunk in accounts.chunks(2000) {
        let rows: Vec<EndRow> = query_all(
            db,
            &format!(
                "SELECT {END_FIELDS} FROM array::map($keys, |$k| type::record('account', $k)) WHERE name != NONE"
            ),
            json!({ "keys": chunk }),
        )
        .await?;
        out.extend(rows.into_iter().map(|r| (r.id.clone(), End::from(r))));
    }
    Ok(out)
}

/// The movements of several accounts to append, grouped per account in order, with the
/// ledger position each group was checked against, as [`append_sql`] takes them (`$groups`).
/// `stage` is set on the account when a movement changes it (a churn → churned, a reactivation
/// of a churned account → onboarding); `None` leaves the stage alone.
pub fn groups(rows: &[NewMovement], ends: &HashMap<String, End>, set_stage: bool) -> Value {
    let mut by: BTreeMap<&str, Vec<&NewMovement>> = BTreeMap::new();
    for r in rows {
        by.entry(r.account.as_str()).or_default().push(r);
    }
    let groups: Vec<Value> = by
        .into_iter()
        .filter_map(|(account, ms)| {
            let end = ends.get(account)?;
            let last = ms.last()?;
            let stage = set_stage
                .then(|| match last.kind {
                    MovementKind::Churn => Some("churned"),
                    MovementKind::Reactivation | MovementKind::New
                        if end.stage == crate::model::Stage::Churned =>
                    {
                        Some("onboarding")
                    }
                    _ => None,
                })
                .flatten();
            let rows: Vec<Value> = ms
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    json!({
                        "day": m.on.to_string(),
                        "seq": end.seq + 1 + i as i64,
                        "on": date_param(m.on),
                        "kind": m.kind.key(),
                        "arr_before": m.arr_before,
                        "arr_after": m.arr_after,
                        "currency": m.currency,
                        "reason": m.reason,
                        "source": m.source,
                        "recorded_by": m.recorded_by,
                        "idempotency_key": m.idempotency_key,
                    })
                })
                .collect();
            Some(json!({
                "account": account,
                "seq_before": end.seq,
                "seq": end.seq + ms.len() as i64,
                "arr": last.arr_after,
                "last_on": date_param(last.on),
                "last_kind": last.kind.key(),
                "stage": stage,
                "rows": rows,
            }))
        })
        .collect();
    super::deep_vars(json!(groups))
}

/// The statements that append `$groups` (see [`groups`]); run inside a transaction. A group
/// whose account's ledger moved since it was read is refused as a conflict, and with it the
/// whole transaction, so the caller checks again against the new end.
pub const APPEND_SQL: &str = "FOR $g IN $groups {
        LET $acc = type::record('account', $g.account);
        IF !record::exists($acc) { THROW 'bw:not_found:account' };
        IF ($acc.arr_seq ?? 0) != $g.seq_before {
            THROW 'bw:conflict:the account’s ARR changed meanwhile; check it again'
        };
        FOR $r IN $g.rows {
            CREATE type::record('arr_movement', [$g.account, $r.day, $r.seq]) SET account = $acc,
                on = <datetime>$r.on, seq = $r.seq, kind = $r.kind, arr_before = $r.arr_before,
                arr_after = $r.arr_after, currency = $r.currency, reason = $r.reason, source = $r.source,
                recorded_by = $r.recorded_by, idempotency_key = $r.idempotency_key RETURN NONE;
        };
        UPDATE $acc SET arr_minor = $g.arr, arr_seq = $g.seq, arr_last_on = <datetime>$g.last_on,
            arr_last_kind = $g.last_kind,
            churned_on = IF $g.stage = 'churned' { <datetime>$g.last_on } ELSE IF $g.stage != NONE { NONE } ELSE { churned_on },
            stage = $g.stage ?? stage, updated_at = time::now() RETURN NONE;
    };";

/// Appends checked movements (several accounts, each in order) in one transaction.
pub async fn append(
    db: &Db, rows: &[NewMovement], ends: &HashMap<String, End>, set_stage: bool,
) -> Result<(), AppError> {
    if rows.is_empty() {
        return Ok(());
    }
    transact(
        db,
        &format!("BEGIN; {APPEND_SQL} COMMIT;"),
        json!({ "groups": groups(rows, ends, set_stage) }),
    )
    .await?;
    Ok(())
}

/// Which of these idempotency keys are already stored.
pub async fn stored_keys(db: &Db, keys: &[&str]) -> Result<Vec<String>, AppError> {
    let mut out = Vec::new();
    for chunk in keys.chunks(1000) {
        let found: Vec<String> = query_all(
            db,
            "SELECT VALUE idempotency_key FROM arr_movement WHERE idempotency_key IN $keys",
            json!({ "keys": chunk }),
        )
        .await?;
        out.extend(found);
    }
    Ok(out)
}

/// One account's ledger, oldest first.
pub async fn history(db: &Db, account: &str) -> Result<Vec<MovementRecord>, AppError> {
    let rows: Vec<RecordedRow> = query_all(
        db,
        "SELECT on, kind, arr_before, arr_after, currency, reason, source, recorded_by, recorded_at
         FROM arr_movement:[$account, '0000']..=[$account, '9999'];",
        json!({ "account": account }),
    )
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

#[derive(Deserialize)]
struct RecordedRow {
    #[serde(deserialize_with = "de::date")]
    on: NaiveDate,
    kind: MovementKind,
    arr_before: i64,
    arr_after: i64,
    currency: String,
    #[serde(default)]
    reason: Option<String>,
    source: String,
    #[serde(default)]
    recorded_by: Option<String>,
    recorded_at: crate::model::Timestamp,
}

impl From<RecordedRow> for MovementRecord {
    fn from(r: RecordedRow) -> Self {
        MovementRecord {
            on: r.on,
            kind: r.kind,
            arr_before: r.arr_before,
            arr_after: r.arr_after,
            currency: r.currency,
            reason: r.reason,
            source: r.source,
            recorded_by: r.recorded_by,
            recorded_at: r.recorded_at,
        }
    }
}

/// Stores generated movements (demo data): one transaction per chunk, each account's ARR and
/// ledger end set from its last movement. Rows are valid and in order per account; an
/// account's movements must all be in the same call.
pub async fn insert_seed(db: &Db, rows: &[NewMovement]) -> Result<(), AppError> {
    let mut by: BTreeMap<&str, Vec<&NewMovement>> = BTreeMap::new();
    for r in rows {
        by.entry(r.account.as_str()).or_default().push(r);
    }
    let accounts: Vec<(&str, Vec<&NewMovement>)> = by.into_iter().collect();
    for chunk in accounts.chunks(2000) {
        let mut movements = Vec::new();
        let mut ends = Vec::new();
        for (account, ms) in chunk {
            for (i, m) in ms.iter().enumerate() {
                movements.push(json!({
                    "id": [account, m.on.to_string(), i as i64 + 1],
                    "account": account,
                    "on": date_param(m.on),
                    "seq": i as i64 + 1,
                    "kind": m.kind.key(),
                    "arr_before": m.arr_before,
                    "arr_after": m.arr_after,
                    "currency": m.currency,
                    "reason": m.reason,
                    "source": m.source,
                    "recorded_by": m.recorded_by,
                    "idempotency_key": m.idempotency_key,
                }));
            }
            if let Some(last) = ms.last() {
                ends.push(json!({
                    "id": account,
                    "arr": last.arr_after,
                    "seq": ms.len(),
                    "last_on": date_param(last.on),
                    "last_kind": last.kind.key(),
                    "churned": last.kind == MovementKind::Churn,
                }));
            }
        }
        transact(
            db,
            "BEGIN;
             INSERT INTO arr_movement (SELECT type::record('arr_movement', id) AS id,
                 type::record('account', account) AS account, <datetime>on AS on, seq, kind, arr_before, arr_after,
                 currency, reason, source, recorded_by, idempotency_key FROM $movements) RETURN NONE;
             FOR $e IN $ends {
                 UPDATE type::record('account', $e.id) SET arr_minor = $e.arr, arr_seq = $e.seq,
                     arr_last_on = <datetime>$e.last_on, arr_last_kind = $e.last_kind,
                     stage = IF $e.churned { 'churned' } ELSE IF stage = 'churned' { 'growth' } ELSE { stage },
                     churned_on = IF $e.churned { <datetime>$e.last_on } ELSE { NONE } RETURN NONE;
             };
             COMMIT;",
            super::deep_vars(json!({ "movements": movements, "ends": ends })),
        )
        .await?;
    }
    Ok(())
}
