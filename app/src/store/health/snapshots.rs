//! Daily snapshots of every account's score: one per account per day (the day's latest), keyed
//! `[account, day]` so an account's history is a key range.

use super::day_str;
use crate::error::AppError;
use crate::model::health::*;
use crate::store::portfolio_index::Scored;
use crate::store::{de, query_all, transact, Db};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;

/// A snapshot to store: today's score of one account.
#[derive(Serialize)]
pub struct SnapshotWrite {
    pub acc: String,
    pub day: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub band: Option<Band>,
    pub model: String,
    pub version: u32,
    #[serde(serialize_with = "compact::serialize")]
    pub measures: Vec<MeasureScore>,
    pub cause: String,
}

/// Snapshots store each measure as a short array — `[measure, raw, sub_score, weight, share,
/// contribution]` — rather than an object with six keys: the same facts at about half the
/// bytes and parsing work, which is most of the cost of re-scoring a whole portfolio.
mod compact {
    use crate::model::health::{Measure, MeasureScore};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    type Row = (Measure, Option<f64>, Option<f64>, u32, f64, f64);

    pub fn serialize<S: Serializer>(m: &[MeasureScore], s: S) -> Result<S::Ok, S::Error> {
        let rows: Vec<Row> = m
            .iter()
            .map(|m| (m.measure, m.raw, m.sub_score, m.weight, m.share, m.contribution))
            .collect();
        rows.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<MeasureScore>, D::Error> {
        let rows: Vec<Row> = Vec::deserialize(d)?;
        Ok(rows
            .into_iter()
            .map(|(measure, raw, sub_score, weight, share, contribution)| MeasureScore {
                measure,
                raw,
                sub_score,
                weight,
                share,
                contribution,
            })
            .collect())
    }
}

/// The score and usage facts copied onto an account.
#[derive(Serialize)]
struct AccountScore<'a> {
    acc: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    band: Option<Band>,
    #[serde(skip_serializing_if = "Option::is_none")]
    adoption: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    engagement: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    plan_status: Option<&'static str>,
}

impl<'a> From<&'a Scored> for AccountScore<'a> {
    fn from(s: &'a Scored) -> Self {
        AccountScore {
            acc: &s.acc,
            score: s.score,
            band: s.band,
            adoption: s.usage.adoption,
            engagement: s.usage.engagement.map(|e| e.key()),
            plan_status: s.usage.plan_status.map(|p| p.key()),
        }
    }
}

/// Stores snapshots (one per account per day: the day's latest) and copies each score and
/// usage facts onto its account, in transactions of 1 000, one at a time (two concurrent
/// chunks would only conflict in SurrealKV's optimistic commits); a chunk that fails does not
/// stop the others, and the first failure is returned. Only `changed` accounts are written
/// (the caller knows from the portfolio index which already carry these values), so the
/// portfolio's live query hears only real changes.
pub async fn write_snapshots(
    db: &Db, snaps: &[SnapshotWrite], changed: &[Scored],
) -> Result<(), AppError> {
    let changed: HashMap<&str, &Scored> = changed.iter().map(|s| (s.acc.as_str(), s)).collect();
    let mut failed = None;
    for chunk in snaps.chunks(1000) {
        let changed: Vec<AccountScore> = chunk
            .iter()
            .filter_map(|s| changed.get(s.acc.as_str()))
            .map(|s| AccountScore::from(*s))
            .collect();
        let written = transact(
            db,
            "BEGIN;
             INSERT INTO health_snapshot (SELECT type::record('health_snapshot', [acc, day]) AS id,
                 type::record('account', acc) AS account, day, time::now() AS at, score, band, model,
                 version, measures, cause FROM $snaps)
                 ON DUPLICATE KEY UPDATE at = time::now(), score = $input.score, band = $input.band,
                     model = $input.model, version = $input.version, measures = $input.measures,
                     cause = $input.cause
                 RETURN NONE;
             FOR $c IN $changed {
                 UPDATE type::record('account', $c.acc) SET health_score = $c.score, health_band = $c.band,
                     adoption = $c.adoption, engagement = $c.engagement, plan_status = $c.plan_status
                     RETURN NONE;
             };
             COMMIT;",
            json!({ "snaps": chunk, "changed": changed }),
        )
        .await;
        if let Err(e) = written {
            failed.get_or_insert(e);
        }
    }
    failed.map_or(Ok(()), Err)
}

#[derive(Deserialize)]
struct SnapRow {
    #[serde(deserialize_with = "de::date")]
    day: NaiveDate,
    #[serde(default)]
    score: Option<u8>,
    #[serde(default)]
    band: Option<Band>,
    model: String,
    version: u32,
    #[serde(deserialize_with = "compact::deserialize")]
    measures: Vec<MeasureScore>,
}

impl From<SnapRow> for Snapshot {
    fn from(r: SnapRow) -> Self {
        Snapshot {
            day: r.day,
            score: r.score,
            band: r.band,
            model: r.model,
            version: r.version,
            measures: r.measures,
        }
    }
}

/// An account's daily snapshots from `since` on, oldest first (a key range: [account, day]).
pub async fn history(db: &Db, account: &str, since: NaiveDate) -> Result<Vec<Snapshot>, AppError> {
    let rows: Vec<SnapRow> = query_all(
        db,
        "SELECT day, score, band, model, version, measures
         FROM health_snapshot:[$a, $since]..=[$a, '9999-12-31']",
        json!({ "a": account, "since": day_str(since) }),
    )
    .await?;
    Ok(rows.into_iter().map(Snapshot::from).collect())
}

/// Accounts that have no snapshot for `day` yet (the daily job fills them in): one key lookup
/// per account, no index needed.
pub async fn accounts_without_snapshot(db: &Db, day: NaiveDate) -> Result<Vec<String>, AppError> {
    query_all(
        db,
        "SELECT VALUE record::id(id) FROM account
         WHERE !record::exists(type::record('health_snapshot', [record::id(id), $day]))",
        json!({ "day": day_str(day) }),
    )
    .await
}
