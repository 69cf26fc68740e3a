//! The facts behind health scores: usage rollups, survey answers and CSM sentiment read in one
//! round trip, then touchpoint recency and milestone slippage from their own stores.

use super::day_str;
use crate::error::AppError;
use crate::model::health::*;
use crate::model::SurveyKind;
use crate::store::{date_param, de, parse_time, query_many, Db};
use chrono::{Duration, NaiveDate};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

type Facts = HashMap<String, HealthFacts>;

/// The facts behind every account's score on `date` (all accounts, or just `accounts`).
/// Usage comes from daily rollups, aggregated by the database: one row per account comes back.
pub async fn facts_on(
    db: &Db, accounts: Option<&[String]>, date: NaiveDate,
) -> Result<Facts, AppError> {
    let mut r = query_many(db, &facts_query(accounts), facts_vars(accounts, date)).await?;
    let mut out: Facts =
        accounts.unwrap_or_default().iter().map(|a| (a.clone(), HealthFacts::default())).collect();
    add_usage(&mut out, r.take(1)?, r.take(2)?);
    add_satisfaction(&mut out, r.take(3)?);
    add_sentiment(&mut out, r.take(4)?, date);
    // Engagement recency and milestone slippage (touchpoints and success plans).
    for (acc, days) in crate::store::touchpoints::days_since_last(db, accounts, date).await? {
        out.entry(acc).or_default().days_since_touchpoint = Some(days);
    }
    for (acc, n) in crate::store::plans::overdue_milestones(db, accounts, date).await? {
        out.entry(acc).or_default().overdue_milestones = Some(n);
    }
    // Support escalations: known for every account once escalations are in use at all.
    if let Some(weights) = crate::store::escalations::weighted(db, accounts, date).await? {
        let keys: Vec<String> = match accounts {
            Some(list) => list.to_vec(),
            None => out.keys().cloned().collect(),
        };
        for acc in keys {
            out.entry(acc.clone()).or_default().escalations_90d =
                Some(weights.get(&acc).copied().unwrap_or(0.0));
        }
    }
    if let Some(list) = accounts {
        out.retain(|k, _| list.contains(k));
    }
    Ok(out)
}

/// Usage of the last 30 days, accounts with any usage in the 60 before, survey answers of the
/// last year and sentiment, newest first (statements 1 to 4; 0 binds `$accs`).
///
/// For named accounts, rollups are read by key range ([account, day] keys sort by account,
/// then day), one range per account in the FROM list: a few rows each instead of the whole
/// window through the day index. (A range inside `array::map` is not planned as a range.)
fn facts_query(accounts: Option<&[String]>) -> String {
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
            "(SELECT account, logins, users, features FROM usage_day WHERE day >= $first30 AND day <= $to)"
                .to_string(),
            "(SELECT account FROM usage_day WHERE day >= $first90 AND day <= $last90)".to_string(),
        ),
    };
    // For named accounts, not also `account != NONE`: the planner would intersect their index
    // entries with every answer's.
    let answered_by = if accounts.is_some() { "account IN $accs" } else { "account != NONE" };
    format!(
        "LET $accs = array::map($keys, |$k| type::record('account', $k));
         SELECT account, math::sum(logins) AS logins, array::group(users) AS users,
             array::group(features) AS features
         FROM {recent} GROUP BY account;
         SELECT account FROM {older} GROUP BY account;
         SELECT account AS acc, kind, score, created_at FROM survey_response
         WHERE {answered_by} AND created_at > <datetime>$from365t AND created_at < <datetime>$end
         ORDER BY created_at DESC;
         SELECT account AS acc, colour, set_at FROM sentiment
         WHERE set_at < <datetime>$end{filter} ORDER BY set_at DESC;"
    )
}

/// The windows around `date`, and `$k0`, `$k1` … for the named accounts' key ranges.
fn facts_vars(accounts: Option<&[String]>, date: NaiveDate) -> Value {
    let keys = accounts.unwrap_or_default();
    let mut vars: Map<String, Value> =
        keys.iter().enumerate().map(|(i, k)| (format!("k{i}"), Value::String(k.clone()))).collect();
    let windows = json!({
        // The last 30 days are [date − 29, date]; the 60 before them [date − 89, date − 30].
        "first30": day_str(date - Duration::days(29)),
        "first90": day_str(date - Duration::days(89)),
        "last90": day_str(date - Duration::days(30)),
        "to": day_str(date),
        "from365t": date_param(date - Duration::days(365)),
        "end": date_param(date + Duration::days(1)),
        "keys": keys,
    });
    if let Value::Object(w) = windows {
        vars.extend(w);
    }
    Value::Object(vars)
}

/// An account's usage over the last 30 days.
#[derive(Deserialize)]
struct UsageRow {
    #[serde(rename = "account", deserialize_with = "de::key")]
    acc: String,
    logins: f64,
    /// `array::group` may nest the per-day arrays; flattened by [`distinct`].
    users: Value,
    features: Value,
}

/// An account with usage in the window before.
#[derive(Deserialize)]
struct ActiveRow {
    #[serde(rename = "account", deserialize_with = "de::key")]
    acc: String,
}

/// A survey answer.
#[derive(Deserialize)]
struct AnswerRow {
    #[serde(deserialize_with = "de::key")]
    acc: String,
    kind: SurveyKind,
    score: u8,
}

/// A CSM's sentiment.
#[derive(Deserialize)]
struct SentimentRow {
    #[serde(deserialize_with = "de::key")]
    acc: String,
    colour: Band,
    set_at: String,
}

/// The distinct strings in a value of strings and arrays of them, sorted (`array::group`
/// of per-day arrays may nest them).
pub(crate) fn distinct(v: Value) -> Vec<String> {
    fn collect(v: Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(s),
            Value::Array(a) => a.into_iter().for_each(|x| collect(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    collect(v, &mut out);
    out.sort();
    out.dedup();
    out
}

fn add_usage(out: &mut Facts, recent: Vec<UsageRow>, older: Vec<ActiveRow>) {
    for u in recent {
        let f = out.entry(u.acc).or_default();
        f.has_usage = true;
        f.logins_30d = u.logins as u32;
        f.active_users_30d = distinct(u.users).len() as u32;
        f.features_30d = distinct(u.features);
    }
    for a in older {
        out.entry(a.acc).or_default().has_usage = true;
    }
}

/// The latest answer of each account counts (answers come newest first).
fn add_satisfaction(out: &mut Facts, answers: Vec<AnswerRow>) {
    for s in answers {
        let f = out.entry(s.acc).or_default();
        if f.satisfaction.is_none() {
            f.satisfaction = Some(crate::metrics::health::satisfaction_scale(s.kind, s.score));
        }
    }
}

/// The latest sentiment of each account counts, with its age in days on `date`.
fn add_sentiment(out: &mut Facts, sentiments: Vec<SentimentRow>, date: NaiveDate) {
    for s in sentiments {
        let f = out.entry(s.acc).or_default();
        if f.sentiment.is_none() {
            let age = (date - parse_time(&s.set_at).date_naive()).num_days().max(0) as u32;
            f.sentiment = Some((s.colour, age));
        }
    }
}
