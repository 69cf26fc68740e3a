//! Health models (versioned), CSM sentiment, the facts scoring needs, and daily snapshots.

use super::{db_err, de, take, Db};
use crate::error::AppError;
use crate::model::health::*;
use crate::model::SurveyKind;
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;

pub const DEFAULT_SCOPE: &str = "default";

#[derive(Deserialize)]
struct ModelRow {
    #[serde(deserialize_with = "de::key")]
    id: String,
    scope: String,
    #[serde(default, deserialize_with = "de::opt_key")]
    segment: Option<String>,
    #[serde(default)]
    segment_name: Option<String>,
    version: u32,
    config: HealthConfig,
    created_at: String,
    #[serde(default)]
    created_by: Option<String>,
    /// Retired by an admin (the segment no longer has a model of its own).
    #[serde(default)]
    retired: bool,
}

impl From<ModelRow> for HealthModel {
    fn from(r: ModelRow) -> Self {
        HealthModel {
            id: r.id,
            name: r.segment_name.unwrap_or_else(|| "Default".into()),
            scope: r.scope,
            segment_id: r.segment,
            version: r.version,
            config: r.config,
            created_at: r.created_at,
            created_by: r.created_by,
        }
    }
}

const MODEL_FIELDS: &str = "id, scope, segment, segment.name AS segment_name, version, config, \
                            created_at, created_by.name AS created_by, \
                            (retired_at != NONE) AS retired";

/// Creates version 1 of the default model if there is none (every node calls this at start;
/// the unique (scope, version) index lets only one of them succeed).
pub async fn ensure_default(db: &Db) -> Result<(), AppError> {
    let r = db
        .query(
            "IF (SELECT VALUE id FROM health_model WHERE scope = 'default' LIMIT 1) = [] {
                 CREATE health_model SET scope = 'default', version = 1, config = $config;
             }",
        )
        .bind(json!({ "config": HealthConfig::default() }))
        .await
        .and_then(|r| r.check());
    match r {
        Ok(_) => Ok(()),
        // Another node (or task) created it first: unique index hit, or a write conflict.
        Err(e)
            if e.to_string().contains("already contains")
                || e.to_string().contains("can be retried") =>
        {
            Ok(())
        }
        Err(e) => Err(db_err(e)),
    }
}

/// The version in force of every model: the default first, then segment models by name. A
/// retired segment model is in force no more (its accounts fall to the default model) until an
/// admin saves a new version of it.
pub async fn current_models(db: &Db) -> Result<Vec<HealthModel>, AppError> {
    let mut seen = std::collections::HashSet::new();
    let mut latest: Vec<HealthModel> = Vec::new();
    for row in version_rows(db).await? {
        if seen.insert(row.scope.clone()) && !row.retired {
            latest.push(row.into());
        }
    }
    latest.sort_by(|a, b| {
        (a.scope != DEFAULT_SCOPE, a.name.to_lowercase())
            .cmp(&(b.scope != DEFAULT_SCOPE, b.name.to_lowercase()))
    });
    Ok(latest)
}

/// Every version of every model, newest first within a scope.
pub async fn all_versions(db: &Db) -> Result<Vec<HealthModel>, AppError> {
    Ok(version_rows(db)
        .await?
        .into_iter()
        .map(HealthModel::from)
        .collect())
}

async fn version_rows(db: &Db) -> Result<Vec<ModelRow>, AppError> {
    let mut r = db
        .query(format!(
            "SELECT {MODEL_FIELDS} FROM health_model ORDER BY scope, version DESC"
        ))
        .await
        .map_err(db_err)?;
    take(&mut r, 0)
}

/// Stops using a segment's own model: every version is marked retired (kept for the history of
/// scores made with it), the segment's accounts fall to the default model, and the segment is
/// free to be deleted. Saving a new version brings a model back.
pub async fn retire(db: &Db, scope: &str) -> Result<(), AppError> {
    if scope == DEFAULT_SCOPE {
        return Err(AppError::field(
            "scope",
            "the default model scores every account no segment model holds; it cannot be retired",
        ));
    }
    super::run_checked(
        db,
        "BEGIN;
         IF (SELECT VALUE id FROM health_model WHERE scope = $scope AND retired_at = NONE LIMIT 1) = [] {
             THROW 'bw:not_found:health model in force for this segment'
         };
         UPDATE health_model SET retired_at = time::now() WHERE scope = $scope AND retired_at = NONE;
         COMMIT;",
        json!({ "scope": scope }),
    )
    .await?;
    Ok(())
}

/// Saves a new version of a model (`scope` = `default` or a segment key). Two admins saving at
/// once both get a version: the loser of the unique index retries with the next number.
pub async fn save_version(
    db: &Db,
    scope: &str,
    config: &HealthConfig,
    by: &str,
) -> Result<HealthModel, AppError> {
    for _ in 0..3 {
        let mut r = db
            .query(format!(
                "LET $next = ((SELECT VALUE version FROM health_model WHERE scope = $scope ORDER BY version DESC LIMIT 1)[0] ?? 0) + 1;
                 CREATE health_model SET scope = $scope,
                     segment = IF $scope = 'default' THEN NONE ELSE type::record('segment', $scope) END,
                     version = $next, config = $config, created_by = type::record('user', $by)
                 RETURN {MODEL_FIELDS};"
            ))
            .bind(json!({ "scope": scope, "config": config, "by": by }))
            .await
            .map_err(db_err)?;
        match r.take::<surrealdb::types::Value>(1) {
            Ok(v) => {
                let rows: Vec<ModelRow> = serde_json::from_value(v.into_json_value())
                    .map_err(|e| AppError::Internal(format!("unexpected model row: {e}")))?;
                if let Some(m) = rows.into_iter().next() {
                    return Ok(m.into());
                }
            }
            Err(e) if e.to_string().contains("already contains") => continue,
            Err(e) => return Err(db_err(e)),
        }
    }
    Err(AppError::Internal(
        "could not save the model version".into(),
    ))
}

#[derive(Deserialize)]
struct SentimentRow {
    colour: Band,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    set_by: Option<String>,
    set_at: String,
}

pub async fn set_sentiment(
    db: &Db,
    account: &str,
    colour: Band,
    note: Option<&str>,
    by: &str,
) -> Result<(), AppError> {
    let mut r = db
        .query(
            "IF record::exists(type::record('account', $a)) {
                 CREATE sentiment SET account = type::record('account', $a), colour = $c, note = $note,
                     set_by = type::record('user', $by) RETURN VALUE id;
             } ELSE { RETURN []; }",
        )
        .bind(super::vars(
            json!({ "a": account, "c": colour, "note": note, "by": by }),
        ))
        .await
        .map_err(db_err)?;
    let v: surrealdb::types::Value = r.take(0).map_err(db_err)?;
    let created = v.into_json_value();
    if created.as_array().is_some_and(|a| a.is_empty()) || created.is_null() {
        return Err(AppError::NotFound("account".into()));
    }
    Ok(())
}

/// The latest sentiment of an account (expired or not).
pub async fn latest_sentiment(
    db: &Db,
    account: &str,
    days: u32,
) -> Result<Option<SentimentEntry>, AppError> {
    let mut r = db
        .query(
            "SELECT colour, note, set_by.name AS set_by, set_at FROM sentiment
             WHERE account = type::record('account', $a) ORDER BY set_at DESC LIMIT 1",
        )
        .bind(json!({ "a": account }))
        .await
        .map_err(db_err)?;
    let rows: Vec<SentimentRow> = take(&mut r, 0)?;
    Ok(rows.into_iter().next().map(|s| {
        let set = super::parse_time(&s.set_at);
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

fn day_str(d: NaiveDate) -> String {
    d.to_string()
}

/// The facts behind every account's score on `date` (all accounts, or just `accounts`).
/// Usage comes from daily rollups, aggregated by the database: one row per account comes back.
pub async fn facts_on(
    db: &Db,
    accounts: Option<&[String]>,
    date: NaiveDate,
) -> Result<HashMap<String, HealthFacts>, AppError> {
    // For named accounts, rollups are read by key range ([account, day] keys sort by account,
    // then day), one range per account in the FROM list: a few rows each instead of the whole
    // window through the day index. (A range inside `array::map` is not planned as a range.)
    let (filter, recent, older) = match accounts {
        Some(list) if !list.is_empty() => {
            let ranges = |lo: &str, hi: &str| {
                (0..list.len())
                    .map(|i| format!("usage_day:[$k{i}, ${lo}]..=[$k{i}, ${hi}]"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            (
                " AND account IN $accs",
                format!(
                    "(SELECT account, logins, users, features FROM {})",
                    ranges("first30", "to")
                ),
                format!("(SELECT account FROM {})", ranges("first90", "last90")),
            )
        }
        Some(_) => (" AND account IN $accs", "[]".to_string(), "[]".to_string()),
        None => (
            "",
            "(SELECT account, logins, users, features FROM usage_day WHERE day >= $first30 AND day <= $to)".to_string(),
            "(SELECT account FROM usage_day WHERE day >= $first90 AND day <= $last90)".to_string(),
        ),
    };
    let q = format!(
        "LET $accs = array::map($keys, |$k| type::record('account', $k));
         SELECT account, math::sum(logins) AS logins, array::group(users) AS users,
             array::group(features) AS features
         FROM {recent} GROUP BY account;
         SELECT account FROM {older} GROUP BY account;
         SELECT account AS acc, kind, score, created_at FROM survey_response
         WHERE account != NONE AND created_at > <datetime>$from365t AND created_at < <datetime>$end{filter}
         ORDER BY created_at DESC;
         SELECT account AS acc, colour, set_at FROM sentiment
         WHERE set_at < <datetime>$end{filter} ORDER BY set_at DESC;"
    );
    let end = date + chrono::Duration::days(1);
    let mut r = db
        .query(q)
        .bind(json!({
            // The last 30 days are [date − 29, date]; the 60 before them [date − 89, date − 30].
            "first30": day_str(date - chrono::Duration::days(29)),
            "first90": day_str(date - chrono::Duration::days(89)),
            "last90": day_str(date - chrono::Duration::days(30)),
            "to": day_str(date),
            "from365t": super::date_param(date - chrono::Duration::days(365)),
            "end": super::date_param(end),
            "keys": accounts.unwrap_or_default(),
        }))
        .bind(serde_json::Value::Object(
            accounts
                .unwrap_or_default()
                .iter()
                .enumerate()
                .map(|(i, k)| (format!("k{i}"), serde_json::Value::String(k.clone())))
                .collect(),
        ))
        .await
        .map_err(db_err)?;
    #[derive(Deserialize)]
    struct Usage {
        #[serde(rename = "account", deserialize_with = "de::key")]
        acc: String,
        logins: f64,
        /// `array::group` may nest the per-day arrays; flattened below.
        users: serde_json::Value,
        features: serde_json::Value,
    }
    fn strings(v: serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s),
            serde_json::Value::Array(a) => a.into_iter().for_each(|x| strings(x, out)),
            _ => {}
        }
    }
    #[derive(Deserialize)]
    struct Acc {
        #[serde(rename = "account", deserialize_with = "de::key")]
        acc: String,
    }
    #[derive(Deserialize)]
    struct Resp {
        #[serde(deserialize_with = "de::key")]
        acc: String,
        kind: SurveyKind,
        score: u8,
    }
    #[derive(Deserialize)]
    struct Sent {
        #[serde(deserialize_with = "de::key")]
        acc: String,
        colour: Band,
        set_at: String,
    }
    let usage: Vec<Usage> = take(&mut r, 1)?;
    let older: Vec<Acc> = take(&mut r, 2)?;
    let responses: Vec<Resp> = take(&mut r, 3)?;
    let sentiments: Vec<Sent> = take(&mut r, 4)?;
    let mut out: HashMap<String, HealthFacts> = HashMap::new();
    if let Some(list) = accounts {
        for a in list {
            out.entry(a.clone()).or_default();
        }
    }
    for u in usage {
        let f = out.entry(u.acc).or_default();
        f.has_usage = true;
        f.logins_30d = u.logins as u32;
        let mut users = Vec::new();
        strings(u.users, &mut users);
        users.sort();
        users.dedup();
        f.active_users_30d = users.len() as u32;
        let mut feats = Vec::new();
        strings(u.features, &mut feats);
        feats.sort();
        feats.dedup();
        f.features_30d = feats;
    }
    for a in older {
        out.entry(a.acc).or_default().has_usage = true;
    }
    for s in responses {
        let f = out.entry(s.acc).or_default();
        if f.satisfaction.is_none() {
            f.satisfaction = Some(crate::metrics::health::satisfaction_scale(s.kind, s.score));
        }
    }
    for s in sentiments {
        let f = out.entry(s.acc).or_default();
        if f.sentiment.is_none() {
            let age = (date - super::parse_time(&s.set_at).date_naive())
                .num_days()
                .max(0) as u32;
            f.sentiment = Some((s.colour, age));
        }
    }
    // Engagement recency and milestone slippage (success plans and touchpoints).
    for (acc, days) in super::touchpoints::days_since_last(db, accounts, date).await? {
        out.entry(acc).or_default().days_since_touchpoint = Some(days);
    }
    for (acc, n) in super::plans::overdue_milestones(db, accounts, date).await? {
        out.entry(acc).or_default().overdue_milestones = Some(n);
    }
    if let Some(list) = accounts {
        out.retain(|k, _| list.contains(k));
    }
    Ok(out)
}

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
            .map(|m| {
                (
                    m.measure,
                    m.raw,
                    m.sub_score,
                    m.weight,
                    m.share,
                    m.contribution,
                )
            })
            .collect();
        rows.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<MeasureScore>, D::Error> {
        let rows: Vec<Row> = Vec::deserialize(d)?;
        Ok(rows
            .into_iter()
            .map(
                |(measure, raw, sub_score, weight, share, contribution)| MeasureScore {
                    measure,
                    raw,
                    sub_score,
                    weight,
                    share,
                    contribution,
                },
            )
            .collect())
    }
}

/// Stores snapshots (one per account per day: the day's latest) and copies each score onto
/// its account, in transactions of 1 000. `unchanged(acc, score, band)` says which accounts
/// already carry that score (the caller knows from the portfolio index): they are not
/// written, so the portfolio's live query hears only real changes.
pub async fn write_snapshots(
    db: &Db,
    snaps: &[SnapshotWrite],
    unchanged: impl Fn(&str, Option<u8>, Option<Band>) -> bool,
) -> Result<(), AppError> {
    #[derive(Serialize)]
    struct AccountScore<'a> {
        acc: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        score: Option<u8>,
        #[serde(skip_serializing_if = "Option::is_none")]
        band: Option<Band>,
    }
    let jobs: Vec<(serde_json::Value, usize)> = snaps
        .chunks(1000)
        .map(|chunk| {
            let changed: Vec<AccountScore> = chunk
                .iter()
                .filter(|s| !unchanged(&s.acc, s.score, s.band))
                .map(|s| AccountScore {
                    acc: &s.acc,
                    score: s.score,
                    band: s.band,
                })
                .collect();
            (json!({ "snaps": chunk, "changed": changed }), chunk.len())
        })
        .collect();
    use futures::StreamExt;
    let results: Vec<Result<surrealdb::IndexedResults, AppError>> =
        futures::stream::iter(jobs.into_iter().map(|(vars, _)| {
            super::run_checked(
                db,
                "BEGIN TRANSACTION;
                 INSERT INTO health_snapshot (SELECT type::record('health_snapshot', [acc, day]) AS id,
                     type::record('account', acc) AS account, day, time::now() AS at, score, band, model,
                     version, measures, cause FROM $snaps)
                     ON DUPLICATE KEY UPDATE at = time::now(), score = $input.score, band = $input.band,
                         model = $input.model, version = $input.version, measures = $input.measures,
                         cause = $input.cause
                     RETURN NONE;
                 FOR $c IN $changed {
                     UPDATE type::record('account', $c.acc) SET health_score = $c.score, health_band = $c.band
                         RETURN NONE;
                 };
                 COMMIT TRANSACTION;",
                vars,
            )
        }))
        // One at a time: two concurrent chunks conflict in SurrealKV's optimistic commits.
        .buffered(1)
        .collect()
        .await;
    for r in results {
        r?;
    }
    Ok(())
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
    let mut r = db
        .query(
            "SELECT day, score, band, model, version, measures FROM health_snapshot:[$a, $since]..=[$a, '9999-12-31']",
        )
        .bind(json!({ "a": account, "since": day_str(since) }))
        .await
        .map_err(db_err)?;
    let rows: Vec<SnapRow> = take(&mut r, 0)?;
    Ok(rows.into_iter().map(Snapshot::from).collect())
}

/// Accounts that have no snapshot for `day` yet (the daily job fills them in): one key lookup
/// per account, no index needed.
pub async fn accounts_without_snapshot(db: &Db, day: NaiveDate) -> Result<Vec<String>, AppError> {
    let mut r = db
        .query(
            "SELECT VALUE record::id(id) FROM account
             WHERE !record::exists(type::record('health_snapshot', [record::id(id), $day]))",
        )
        .bind(json!({ "day": day_str(day) }))
        .await
        .map_err(db_err)?;
    take(&mut r, 0)
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
    let mut r = db
        .query("SELECT id, churned_on FROM account WHERE stage = 'churned' AND churned_on != NONE")
        .await
        .map_err(db_err)?;
    let rows: Vec<C> = take(&mut r, 0)?;
    Ok(rows.into_iter().map(|c| (c.id, c.churned_on)).collect())
}

/// Demo history in bulk (seed-demo): daily rollups, churn dates and sentiment, 2 000 rows per
/// transaction.
pub async fn seed_history(
    db: &Db,
    days: &[serde_json::Value],
    churned: &[serde_json::Value],
    sentiments: &[serde_json::Value],
) -> Result<(), AppError> {
    for chunk in days.chunks(2000) {
        super::run_checked(
            db,
            "INSERT INTO usage_day (SELECT type::record('usage_day', [acc, day]) AS id,
                 type::record('account', acc) AS account, day, events, logins, users, features FROM $rows)
                 ON DUPLICATE KEY UPDATE events = $input.events RETURN NONE;",
            json!({ "rows": chunk }),
        )
        .await?;
    }
    super::run_checked(
        db,
        "BEGIN TRANSACTION;
         FOR $c IN $churned {
             UPDATE type::record('account', $c.id) SET churned_on = <datetime>$c.on RETURN NONE;
         };
         FOR $s IN $sentiments {
             CREATE sentiment SET account = type::record('account', $s.acc), colour = $s.colour,
                 set_at = <datetime>$s.at,
                 set_by = IF $s.by THEN type::record('user', $s.by) ELSE NONE END RETURN NONE;
         };
         COMMIT TRANSACTION;",
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
    let mut r = db
        .query("SELECT account AS acc, kind, score, created_at FROM survey_response WHERE account != NONE")
        .await
        .map_err(db_err)?;
    let rows: Vec<A> = take(&mut r, 0)?;
    let mut out: HashMap<String, Vec<(NaiveDate, SurveyKind, u8)>> = HashMap::new();
    for a in rows {
        out.entry(a.acc)
            .or_default()
            .push((a.created_at, a.kind, a.score));
    }
    Ok(out)
}
