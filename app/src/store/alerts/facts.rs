//! The facts early-warning rules read, gathered for many accounts in a few queries: usage in
//! two windows (rollups, aggregated by the database), late milestones, survey answers, past
//! health scores (key look-ups). Messages come from `store::messages`; today's score, the
//! renewal date and the stage from the portfolio index.

use crate::error::AppError;
use crate::model::alert::{
    Answer, LateMilestone, PastScore, UsageComparison, UsageWindow, Windows,
};
use crate::model::health::Band;
use crate::model::SurveyKind;
use crate::store::health::distinct;
use crate::store::{date_param, de, query_all, query_many, Db};
use chrono::{Duration, NaiveDate};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;

/// Up to this many named accounts are read by key range; past it, one pass over the window.
const BY_KEY: usize = 500;

#[derive(Deserialize)]
struct UsageRow {
    #[serde(deserialize_with = "de::key")]
    account: String,
    logins: f64,
    events: f64,
    users: Value,
    features: Value,
}

/// The rollup source of a window: key ranges for a few named accounts, the day index for all.
fn source(accounts: Option<&[String]>, lo: &str, hi: &str) -> String {
    match accounts {
        Some(list) if list.len() <= BY_KEY => {
            let ranges: Vec<String> = (0..list.len())
                .map(|i| format!("usage_day:[$k{i}, ${lo}]..=[$k{i}, ${hi}]"))
                .collect();
            if ranges.is_empty() {
                "[]".into()
            } else {
                ranges.join(", ")
            }
        }
        Some(_) => format!("usage_day WHERE day >= ${lo} AND day <= ${hi} AND account IN $accs"),
        None => format!("usage_day WHERE day >= ${lo} AND day <= ${hi}"),
    }
}

/// Usage of each account in the two windows of each length in `weeks`, up to `today`.
pub async fn usage(
    db: &Db, accounts: Option<&[String]>, weeks: &[u32], today: NaiveDate,
) -> Result<HashMap<String, Vec<UsageComparison>>, AppError> {
    let mut out: HashMap<String, Vec<UsageComparison>> = HashMap::new();
    for &w in weeks {
        let win = Windows::weeks_to(today, w);
        let select = |lo: &str, hi: &str| {
            format!(
                "SELECT account, math::sum(logins) AS logins, math::sum(events) AS events,
                     array::group(users) AS users, array::group(features) AS features
                 FROM {} GROUP BY account;",
                source(accounts, lo, hi)
            )
        };
        let sql = format!(
            "LET $accs = array::map($keys, |$k| type::record('account', $k));
             {}
             {}",
            select("bf", "bt"),
            select("rf", "rt")
        );
        let keys = accounts.unwrap_or_default();
        let mut vars: serde_json::Map<String, Value> =
            keys.iter().enumerate().map(|(i, k)| (format!("k{i}"), json!(k))).collect();
        vars.insert("keys".into(), json!(keys));
        for (k, d) in [
            ("bf", win.before_from),
            ("bt", win.before_to),
            ("rf", win.recent_from),
            ("rt", win.recent_to),
        ] {
            vars.insert(k.into(), json!(d.to_string()));
        }
        let mut r = query_many(db, &sql, Value::Object(vars)).await?;
        let before: Vec<UsageRow> = r.take(1)?;
        let recent: Vec<UsageRow> = r.take(2)?;
        let mut pairs: HashMap<String, (UsageWindow, UsageWindow)> = HashMap::new();
        for (rows, is_recent) in [(before, false), (recent, true)] {
            for u in rows {
                let win = UsageWindow {
                    logins: u.logins as u64,
                    events: u.events as u64,
                    active_users: distinct(u.users).len() as u32,
                    features: distinct(u.features),
                };
                let pair = pairs.entry(u.account).or_default();
                if is_recent {
                    pair.1 = win
                } else {
                    pair.0 = win
                }
            }
        }
        for (acc, (before, recent)) in pairs {
            out.entry(acc).or_default().push(UsageComparison {
                weeks: w,
                windows: win,
                before,
                recent,
            });
        }
    }
    Ok(out)
}

/// Open milestones of the accounts' plans that were due before `today`.
pub async fn late_milestones(
    db: &Db, accounts: Option<&[String]>, today: NaiveDate,
) -> Result<HashMap<String, Vec<LateMilestone>>, AppError> {
    #[derive(Deserialize)]
    struct Row {
        #[serde(deserialize_with = "de::key")]
        account: String,
        #[serde(deserialize_with = "de::key")]
        plan: String,
        plan_title: Option<String>,
        title: String,
        due: crate::model::Timestamp,
    }
    let cond = if accounts.is_some() { " AND account IN $accs" } else { "" };
    let mut r = query_many(
        db,
        &format!(
            "LET $accs = array::map($keys, |$k| type::record('account', $k));
             SELECT account, plan, plan.title AS plan_title, title, due FROM milestone
             WHERE completed_on = NONE AND due < <datetime>$day{cond};"
        ),
        json!({ "keys": accounts.unwrap_or_default(), "day": date_param(today) }),
    )
    .await?;
    let rows: Vec<Row> = r.take(1)?;
    let mut out: HashMap<String, Vec<LateMilestone>> = HashMap::new();
    for r in rows {
        out.entry(r.account).or_default().push(LateMilestone {
            plan_id: r.plan,
            plan_title: r.plan_title.unwrap_or_default(),
            title: r.title,
            due: r.due.date_naive(),
        });
    }
    Ok(out)
}

/// Survey answers given since `since`, newest first per account.
pub async fn answers(
    db: &Db, accounts: Option<&[String]>, since: NaiveDate,
) -> Result<HashMap<String, Vec<Answer>>, AppError> {
    #[derive(Deserialize)]
    struct Row {
        #[serde(deserialize_with = "de::key")]
        account: String,
        kind: SurveyKind,
        score: u8,
        created_at: crate::model::Timestamp,
        contact_name: Option<String>,
        comment: Option<String>,
    }
    // Named accounts: through their index entries alone (with `account != NONE` as well, the
    // planner intersects them with every answer's).
    let answered_by = if accounts.is_some() { "account IN $accs" } else { "account != NONE" };
    let mut r = query_many(
        db,
        &format!(
            "LET $accs = array::map($keys, |$k| type::record('account', $k));
             SELECT account, kind, score, created_at, contact.name AS contact_name, comment
             FROM survey_response
             WHERE {answered_by} AND created_at >= <datetime>$since
             ORDER BY created_at DESC;"
        ),
        json!({ "keys": accounts.unwrap_or_default(), "since": date_param(since) }),
    )
    .await?;
    let rows: Vec<Row> = r.take(1)?;
    let mut out: HashMap<String, Vec<Answer>> = HashMap::new();
    for a in rows {
        out.entry(a.account).or_default().push(Answer {
            kind: a.kind,
            score: a.score,
            at: a.created_at,
            contact: a.contact_name,
            comment: a.comment,
        });
    }
    Ok(out)
}

/// Each account's stored score `days` days before `today`, for each length in `days`
/// (key look-ups: a snapshot is keyed [account, day]).
pub async fn past_scores(
    db: &Db, accounts: &[String], days: &[u32], today: NaiveDate,
) -> Result<HashMap<String, Vec<PastScore>>, AppError> {
    #[derive(Deserialize)]
    struct Row {
        acc: String,
        score: Option<u8>,
        band: Option<Band>,
    }
    let mut out: HashMap<String, Vec<PastScore>> = HashMap::new();
    for &n in days {
        let day = today - Duration::days(n as i64);
        for chunk in accounts.chunks(20_000) {
            let rows: Vec<Row> = query_all(
                db,
                "SELECT record::id(id)[0] AS acc, score, band FROM
                     array::map($keys, |$k| type::record('health_snapshot', [$k, $day]))
                 WHERE score != NONE",
                json!({ "keys": chunk, "day": day.to_string() }),
            )
            .await?;
            for r in rows {
                if let (Some(score), Some(band)) = (r.score, r.band) {
                    out.entry(r.acc).or_default().push(PastScore { days: n, day, score, band });
                }
            }
        }
    }
    Ok(out)
}
