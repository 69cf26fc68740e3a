//! Product-usage events and their daily rollups (one row per account per day: events, logins,
//! active users, distinct features). Scoring reads rollups only, never raw events.

use super::{execute, query_all, query_many, query_value, transact, Count, Db};
use crate::error::AppError;
use crate::model::usage::{AccountRef, ValidEvent};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeSet, HashMap, HashSet};

/// An event whose account has been found.
pub struct Resolved<'a> {
    pub account: String,
    pub event: &'a ValidEvent,
}

/// What one batch stored.
pub struct Stored {
    pub accepted: usize,
    pub duplicates: usize,
    /// Accounts that received new events (to be re-scored).
    pub accounts: Vec<String>,
    /// Each such account's latest event day in the batch (its last activity moves to it if
    /// later).
    pub latest: Vec<(String, chrono::NaiveDate)>,
}

#[derive(Serialize, Default)]
struct DayDelta {
    acc: String,
    day: String,
    events: u64,
    logins: u64,
    users: BTreeSet<String>,
    features: BTreeSet<String>,
}

/// Accounts named by id or external id, looked up in the database (the portfolio index answers
/// first; this is its fallback while it loads).
pub async fn resolve_accounts(
    db: &Db, refs: &[AccountRef],
) -> Result<HashMap<AccountRef, String>, AppError> {
    let ids: Vec<&str> = refs
        .iter()
        .filter_map(|r| match r {
            AccountRef::Id(i) => Some(i.as_str()),
            _ => None,
        })
        .collect();
    let ext: Vec<&str> = refs
        .iter()
        .filter_map(|r| match r {
            AccountRef::External(e) => Some(e.as_str()),
            _ => None,
        })
        .collect();
    #[derive(Deserialize)]
    struct Row {
        #[serde(deserialize_with = "super::de::key")]
        id: String,
        #[serde(default)]
        external_id: Option<String>,
    }
    let mut r = query_many(
        db,
        "SELECT id, external_id FROM array::map($ids, |$i| type::record('account', $i));
         SELECT id, external_id FROM account WHERE external_id IN $ext;",
        json!({ "ids": ids, "ext": ext }),
    )
    .await?;
    let by_id: Vec<Row> = r.take(0)?;
    let by_ext: Vec<Row> = r.take(1)?;
    let mut out = HashMap::new();
    for row in by_id {
        out.insert(AccountRef::Id(row.id.clone()), row.id);
    }
    for row in by_ext {
        if let Some(e) = row.external_id {
            out.insert(AccountRef::External(e), row.id);
        }
    }
    Ok(out)
}

/// Stores a batch of checked events: new idempotency keys are inserted and rolled up in one
/// transaction; keys already stored are counted as duplicates and change nothing.
///
/// Why check first and insert after: the rollup must count only events that are new. The
/// insert is a plain `INSERT` (not `IGNORE`), so if another request stored one of these keys
/// in between, the transaction fails as a whole and we start again: nothing is counted twice
/// and nothing is half-written.
pub async fn store(db: &Db, events: &[Resolved<'_>]) -> Result<Stored, AppError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match try_store(db, events).await {
            Ok(s) => return Ok(s),
            Err(e) if attempt < 4 => {
                tracing::debug!(error = %e, attempt, "usage batch conflicted; retrying");
                tokio::time::sleep(std::time::Duration::from_millis(10 * attempt)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

async fn try_store(db: &Db, events: &[Resolved<'_>]) -> Result<Stored, AppError> {
    let fresh = fresh_events(db, events).await?;
    let duplicates = events.len() - fresh.len();
    if fresh.is_empty() {
        return Ok(Stored { accepted: 0, duplicates, accounts: vec![], latest: vec![] });
    }
    let (rows, deltas) = rows_and_rollups(&fresh);
    let accounts: Vec<String> =
        deltas.iter().map(|d| d.acc.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let mut latest: HashMap<&str, &str> = HashMap::new();
    for d in &deltas {
        let day = latest.entry(d.acc.as_str()).or_insert(d.day.as_str());
        if *day < d.day.as_str() {
            *day = d.day.as_str();
        }
    }
    let latest_rows: Vec<serde_json::Value> =
        latest.iter().map(|(acc, day)| json!({ "acc": acc, "day": day })).collect();
    transact(
        db,
        "BEGIN;
         INSERT INTO usage_event (SELECT id, type::record('account', acc) AS account, contact_email, kind, feature,
             type::datetime(at) AS at FROM $rows) RETURN NONE;
         FOR $d IN $deltas {
             UPSERT type::record('usage_day', [$d.acc, $d.day]) SET
                 account = type::record('account', $d.acc), day = $d.day,
                 events = (events ?? 0) + $d.events, logins = (logins ?? 0) + $d.logins,
                 users = array::union(users ?? [], $d.users), features = array::union(features ?? [], $d.features)
                 RETURN NONE;
         };
         FOR $l IN $latest {
             UPDATE type::record('account', $l.acc) SET last_active_on = $l.day
                 WHERE last_active_on = NONE OR last_active_on < $l.day RETURN NONE;
         };
         COMMIT;",
        json!({ "rows": rows, "deltas": deltas, "latest": latest_rows }),
    )
    .await?;
    let latest = latest
        .into_iter()
        .filter_map(|(acc, day)| day.parse().ok().map(|d| (acc.to_string(), d)))
        .collect();
    Ok(Stored { accepted: fresh.len(), duplicates, accounts, latest })
}

/// The events of the batch not stored yet; of repeats inside the batch, the first one counts.
async fn fresh_events<'a, 'e>(
    db: &Db, events: &'a [Resolved<'e>],
) -> Result<Vec<&'a Resolved<'e>>, AppError> {
    let mut seen = HashSet::with_capacity(events.len());
    let unique: Vec<&Resolved> =
        events.iter().filter(|r| seen.insert(r.event.idempotency_key.as_str())).collect();
    let keys: Vec<&str> = unique.iter().map(|r| r.event.idempotency_key.as_str()).collect();
    let existing: Vec<serde_json::Value> = query_value(
        db,
        "RETURN array::filter($keys, |$k| record::exists(type::record('usage_event', $k)))",
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
    Ok(unique.into_iter().filter(|r| !existing.contains(&r.event.idempotency_key)).collect())
}

/// The event rows to insert (optional fields left out, so they are NONE rather than NULL) and
/// what they add to each account's day.
fn rows_and_rollups(fresh: &[&Resolved]) -> (Vec<serde_json::Value>, Vec<DayDelta>) {
    let mut rows = Vec::with_capacity(fresh.len());
    let mut days: HashMap<(String, String), DayDelta> = HashMap::new();
    for r in fresh {
        let e = r.event;
        rows.push(super::vars(json!({
            "id": e.idempotency_key,
            "acc": r.account,
            "contact_email": e.contact_email,
            "kind": e.kind,
            "feature": e.feature,
            "at": e.at.to_rfc3339(),
        })));
        let day = e.at.date_naive().to_string();
        let d = days.entry((r.account.clone(), day.clone())).or_insert_with(|| DayDelta {
            acc: r.account.clone(),
            day,
            ..Default::default()
        });
        d.events += 1;
        if e.kind == "login" {
            d.logins += 1;
        }
        if let Some(u) = &e.contact_email {
            d.users.insert(u.clone());
        }
        if let Some(f) = &e.feature {
            d.features.insert(f.clone());
        }
    }
    (rows, days.into_values().collect())
}

/// Sets every account's last active day from its usage rollups (seeding, which writes
/// rollups in bulk).
pub async fn refresh_last_active(db: &Db) -> Result<(), AppError> {
    execute(
        db,
        "FOR $r IN (SELECT account, array::max(array::group(day)) AS last FROM usage_day GROUP BY account) {
             UPDATE $r.account SET last_active_on = $r.last RETURN NONE;
         };",
        json!({}),
    )
    .await
}

/// Raw inserts of the same rows with no checks or rollups: the benchmark's yardstick.
pub async fn raw_insert(db: &Db, rows: serde_json::Value) -> Result<(), AppError> {
    execute(
        db,
        "INSERT INTO usage_event (SELECT id, type::record('account', acc) AS account, contact_email, kind, feature,
             type::datetime(at) AS at FROM $rows) RETURN NONE",
        json!({ "rows": rows }),
    )
    .await
}

/// Number of stored raw events (tests and benchmarks).
pub async fn count_events(db: &Db) -> Result<u64, AppError> {
    let rows: Vec<Count> =
        query_all(db, "SELECT count() AS n FROM usage_event GROUP ALL", json!({})).await?;
    Ok(rows.first().map(|c| c.n).unwrap_or(0))
}

/// One account's rollup for one day (tests and the account page).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct DayRow {
    pub day: String,
    pub events: u64,
    pub logins: u64,
    pub users: Vec<String>,
    pub features: Vec<String>,
}

pub async fn days(db: &Db, account: &str) -> Result<Vec<DayRow>, AppError> {
    query_all(
        db,
        "SELECT day, events, logins, users, features FROM usage_day:[$a, '0000']..=[$a, '9999']",
        json!({ "a": account }),
    )
    .await
}
