//! Health: versioned models ([`models`]), the facts scoring reads ([`facts`]), daily snapshots
//! of the scores ([`snapshots`]), CSM sentiment, and the bulk loads demo data uses. Everything
//! is re-exported here, so callers name it `store::health::…`.

mod facts;
mod models;
mod snapshots;

pub(crate) use facts::distinct;
pub use facts::facts_on;
pub use models::*;
pub use snapshots::*;

use super::{de, execute, query_all, query_one, transact, transact_on_account, vars, Db};
use crate::error::AppError;
use crate::model::health::*;
use crate::model::SurveyKind;
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

/// A day as usage rollups and snapshots key it (`YYYY-MM-DD`).
fn day_str(d: NaiveDate) -> String {
    d.to_string()
}

/// Records a CSM's read of an account (the latest one counts while it is fresh).
pub async fn set_sentiment(
    db: &Db, account: &str, colour: Band, note: Option<&str>, by: &str,
) -> Result<(), AppError> {
    transact_on_account(
        db,
        "CREATE sentiment SET account = $a, colour = $c, note = $note,
             set_by = type::record('user', $by) RETURN NONE;",
        vars(json!({ "account": account, "c": colour, "note": note, "by": by })),
    )
    .await?;
    Ok(())
}

#[derive(Deserialize)]
struct SentimentRow {
    colour: Band,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    set_by: Option<String>,
    set_at: crate::model::Timestamp,
}

/// The latest sentiment of an account (expired or not); it expires `days` after it was set.
pub async fn latest_sentiment(
    db: &Db, account: &str, days: u32,
) -> Result<Option<SentimentEntry>, AppError> {
    let row: Option<SentimentRow> = query_one(
        db,
        "SELECT colour, note, set_by.name AS set_by, set_at FROM sentiment
         WHERE account = type::record('account', $a) ORDER BY set_at DESC LIMIT 1",
        json!({ "a": account }),
    )
    .await?;
    Ok(row.map(|s| {
        let set = s.set_at;
        let expires_on = set.date_naive() + chrono::Duration::days(days as i64);
        SentimentEntry {
            colour: s.colour,
            note: s.note,
            set_by: s.set_by,
            set_at: s.set_at,
            expires_on,
            expired: Utc::now().date_naive() >= expires_on,
        }
    }))
}

/// Churned accounts and the day they churned.
pub async fn churned(db: &Db) -> Result<Vec<(String, NaiveDate)>, AppError> {
    #[derive(Deserialize)]
    struct C {
        #[serde(deserialize_with = "de::key")]
        id: String,
        #[serde(deserialize_with = "de::date")]
        churned_on: NaiveDate,
    }
    let rows: Vec<C> = query_all(
        db,
        "SELECT id, churned_on FROM account WHERE stage = 'churned' AND churned_on != NONE",
        json!({}),
    )
    .await?;
    Ok(rows.into_iter().map(|c| (c.id, c.churned_on)).collect())
}

/// Demo history in bulk (seed-demo): daily rollups, churn dates and sentiment, 2 000 rows per
/// transaction.
pub async fn seed_history(
    db: &Db, days: &[serde_json::Value], churned: &[serde_json::Value],
    sentiments: &[serde_json::Value],
) -> Result<(), AppError> {
    for chunk in days.chunks(2000) {
        execute(
            db,
            "INSERT INTO usage_day (SELECT type::record('usage_day', [acc, day]) AS id,
                 type::record('account', acc) AS account, day, events, logins, users, features FROM $rows)
                 ON DUPLICATE KEY UPDATE events = $input.events RETURN NONE;",
            json!({ "rows": chunk }),
        )
        .await?;
    }
    transact(
        db,
        "BEGIN;
         FOR $c IN $churned {
             UPDATE type::record('account', $c.id) SET churned_on = <datetime>$c.on RETURN NONE;
         };
         FOR $s IN $sentiments {
             CREATE sentiment SET account = type::record('account', $s.acc), colour = $s.colour,
                 set_at = <datetime>$s.at,
                 set_by = IF $s.by THEN type::record('user', $s.by) ELSE NONE END RETURN NONE;
         };
         COMMIT;",
        json!({ "churned": churned, "sentiments": sentiments }),
    )
    .await?;
    Ok(())
}

/// Every account's survey answers (day, kind, score), for seeding score history.
pub async fn survey_answers(
    db: &Db,
) -> Result<HashMap<String, Vec<(NaiveDate, SurveyKind, u8)>>, AppError> {
    #[derive(Deserialize)]
    struct A {
        #[serde(deserialize_with = "de::key")]
        acc: String,
        kind: SurveyKind,
        score: u8,
        #[serde(deserialize_with = "de::date")]
        created_at: NaiveDate,
    }
    let rows: Vec<A> = query_all(
        db,
        "SELECT account AS acc, kind, score, created_at FROM survey_response WHERE account != NONE",
        json!({}),
    )
    .await?;
    let mut out: HashMap<String, Vec<(NaiveDate, SurveyKind, u8)>> = HashMap::new();
    for a in rows {
        out.entry(a.acc).or_default().push((a.created_at, a.kind, a.score));
    }
    Ok(out)
}
