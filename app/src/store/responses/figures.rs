//! The figures read from responses: a survey's results page, an account's survey figures and
//! the voice of the customer across the portfolio.

use super::{timings, Row, Timing, ROW_FIELDS};
use crate::error::AppError;
use crate::metrics::survey as m;
use crate::model::*;
use crate::store::portfolio_index::PortfolioIndex;
use crate::store::{date_param, de, query_many, vars, Count, Db};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Deserialize)]
struct ScoreN {
    score: i64,
    n: u64,
}

#[derive(Deserialize)]
struct StatusN {
    mail_status: String,
    n: u64,
}

#[derive(Deserialize)]
struct MonthScoreN {
    month: String,
    score: i64,
    n: u64,
}

#[derive(Deserialize)]
struct AccountScoreN {
    #[serde(deserialize_with = "de::key")]
    account: String,
    score: i64,
    n: u64,
}

/// Verbatim conditions; only fixed text enters the query, values are bound.
fn verbatim_conditions(
    survey: &Survey, f: &VerbatimFilter, segment_accounts: Option<Vec<String>>,
    params: &mut Map<String, Value>,
) -> String {
    let mut conds = vec!["survey = $s".to_string()];
    if let Some(b) = f.band {
        let scores: Vec<i64> = survey.kind.scores().filter(|s| survey.kind.band(*s) == b).collect();
        conds.push("score IN $scores".into());
        params.insert("scores".into(), json!(scores));
    }
    if let Some(from) = f.from {
        conds.push("created_at >= <datetime>$from".into());
        params.insert("from".into(), json!(date_param(from)));
    }
    if let Some(to) = f.to {
        conds.push("created_at < <datetime>$to".into());
        params.insert("to".into(), json!(date_param(to + chrono::Duration::days(1))));
    }
    if let Some(ids) = segment_accounts {
        conds.push("account IN $accounts".into());
        params.insert("account_ids".into(), json!(ids));
    }
    conds.join(" AND ")
}

/// A figure over a distribution of scores.
fn point(kind: SurveyKind, label: impl Into<String>, d: &[(i64, u64)]) -> ScorePoint {
    ScorePoint { label: label.into(), value: m::score(kind, d), n: d.iter().map(|(_, n)| n).sum() }
}

/// The accounts of the segment the verbatims are filtered by, if any.
async fn filter_accounts(
    db: &Db, index: &PortfolioIndex, segments: &[Segment], filter: &VerbatimFilter,
) -> Result<Option<Vec<String>>, AppError> {
    let Some(id) = &filter.segment else {
        return Ok(None);
    };
    match segments.iter().find(|s| &s.id == id) {
        Some(s) => Ok(Some(crate::store::accounts::ids_matching(db, index, &s.filter).await?)),
        None => Err(AppError::field("segment", "this segment does not exist")),
    }
}

/// The score by month of answer.
fn by_month(kind: SurveyKind, months: Vec<MonthScoreN>) -> Vec<ScorePoint> {
    let mut month_dist: BTreeMap<String, Vec<(i64, u64)>> = BTreeMap::new();
    for x in months {
        month_dist.entry(x.month).or_default().push((x.score, x.n));
    }
    month_dist.into_iter().map(|(label, d)| point(kind, label, &d)).collect()
}

/// The score within each saved segment (evaluated now).
async fn by_segment(
    db: &Db, index: &PortfolioIndex, kind: SurveyKind, segments: &[Segment],
    per_account: &[AccountScoreN],
) -> Result<Vec<ScorePoint>, AppError> {
    let mut out = Vec::new();
    for seg in segments {
        let ids: HashSet<String> = crate::store::accounts::ids_matching(db, index, &seg.filter)
            .await?
            .into_iter()
            .collect();
        let mut d: HashMap<i64, u64> = HashMap::new();
        for x in per_account.iter().filter(|x| ids.contains(&x.account)) {
            *d.entry(x.score).or_default() += x.n;
        }
        let d: Vec<(i64, u64)> = d.into_iter().collect();
        out.push(point(kind, seg.name.clone(), &d));
    }
    Ok(out)
}

/// Everything the results page shows for one survey.
pub async fn results(
    db: &Db, index: &PortfolioIndex, survey: &Survey, filter: &VerbatimFilter, now: DateTime<Utc>,
) -> Result<SurveyResults, AppError> {
    let segments = crate::store::segments::list(db).await?;
    let segment_accounts = filter_accounts(db, index, &segments, filter).await?;
    let mut params = Map::new();
    params.insert("survey".into(), json!(survey.id));
    let cond = verbatim_conditions(survey, filter, segment_accounts, &mut params);
    let mut r = query_many(
        db,
        &format!(
            "LET $s = type::record('survey', $survey);
             LET $accounts = array::map($account_ids ?? [], |$i| type::record('account', $i));
             SELECT mail_status, count() AS n FROM invitation WHERE survey = $s GROUP BY mail_status;
             SELECT count() AS n FROM invitation WHERE survey = $s AND responded_at != NONE GROUP ALL;
             SELECT score, count() AS n FROM survey_response WHERE survey = $s GROUP BY score;
             SELECT count() AS n FROM survey_response WHERE survey = $s AND channel = 'link' GROUP ALL;
             SELECT time::format(created_at, '%Y-%m') AS month, score, count() AS n FROM survey_response
                WHERE survey = $s GROUP BY month, score;
             SELECT account, score, count() AS n FROM survey_response
                WHERE survey = $s AND account != NONE GROUP BY account, score;
             SELECT status, created_at, closed_at, due_at FROM follow_up WHERE survey = $s;
             SELECT {ROW_FIELDS} FROM survey_response WHERE {cond} AND comment != NONE
                ORDER BY created_at DESC LIMIT 200;"
        ),
        vars(Value::Object(params)),
    )
    .await?;
    let by_status: Vec<StatusN> = r.take(2)?;
    let responded: Vec<Count> = r.take(3)?;
    let dist: Vec<ScoreN> = r.take(4)?;
    let anonymous: Vec<Count> = r.take(5)?;
    let months: Vec<MonthScoreN> = r.take(6)?;
    let per_account: Vec<AccountScoreN> = r.take(7)?;
    let follow: Vec<Timing> = r.take(8)?;
    let verbatims: Vec<Row> = r.take(9)?;

    let status =
        |s: &str| by_status.iter().filter(|x| x.mail_status == s).map(|x| x.n).sum::<u64>();
    let delivered = status("sent");
    let invited_responded = responded.first().map_or(0, |c| c.n);
    let dist: Vec<(i64, u64)> = dist.iter().map(|d| (d.score, d.n)).collect();
    let kind = survey.kind;
    Ok(SurveyResults {
        survey: survey.clone(),
        invited: status("sent") + status("queued") + status("failed"),
        mail_failed: status("failed"),
        mail_queued: status("queued"),
        invited_responded,
        anonymous_responses: anonymous.first().map_or(0, |c| c.n),
        response_rate: m::response_rate(invited_responded, delivered.max(invited_responded)),
        score: point(kind, "All responses", &dist),
        distribution: m::full_distribution(kind, &dist),
        by_month: by_month(kind, months),
        by_segment: by_segment(db, index, kind, &segments, &per_account).await?,
        verbatims: verbatims.into_iter().map(ResponseRow::from).collect(),
        follow_ups: m::loop_stats(&timings(&follow, now)),
    })
}

#[derive(Deserialize)]
struct KindScoreN {
    kind: SurveyKind,
    score: i64,
    n: u64,
}

/// An account's recent responses and its figures over the last twelve months.
pub async fn for_account(db: &Db, account: &str) -> Result<AccountSurveys, AppError> {
    let mut r = query_many(
        db,
        &format!(
            "LET $a = type::record('account', $account);
             SELECT {ROW_FIELDS} FROM survey_response WHERE account = $a ORDER BY created_at DESC LIMIT 20;
             SELECT kind, score, count() AS n FROM survey_response
                WHERE account = $a AND created_at > time::now() - 365d GROUP BY kind, score;"
        ),
        json!({ "account": account }),
    )
    .await?;
    let recent: Vec<Row> = r.take(1)?;
    let dist: Vec<KindScoreN> = r.take(2)?;
    let figures = SurveyKind::ALL
        .iter()
        .filter_map(|k| {
            let d: Vec<(i64, u64)> =
                dist.iter().filter(|x| x.kind == *k).map(|x| (x.score, x.n)).collect();
            let p = point(*k, k.label(), &d);
            (p.n > 0).then_some((*k, p))
        })
        .collect();
    Ok(AccountSurveys { recent: recent.into_iter().map(ResponseRow::from).collect(), figures })
}

#[derive(Deserialize)]
struct PeriodN {
    kind: SurveyKind,
    score: i64,
    recent: bool,
    n: u64,
}

/// NPS, CSAT and CES over the last 90 days and the 90 before, and closing-the-loop figures.
pub async fn voice(db: &Db, now: DateTime<Utc>) -> Result<VoiceSummary, AppError> {
    let since = now - chrono::Duration::days(90);
    let before = now - chrono::Duration::days(180);
    let mut r = query_many(
        db,
        "SELECT kind, score, created_at > <datetime>$since AS recent, count() AS n
            FROM survey_response WHERE created_at > <datetime>$before GROUP BY kind, score, recent;
         SELECT status, created_at, closed_at, due_at FROM follow_up;",
        json!({ "since": since.to_rfc3339(), "before": before.to_rfc3339() }),
    )
    .await?;
    let rows: Vec<PeriodN> = r.take(0)?;
    let follow: Vec<Timing> = r.take(1)?;
    let period = |kind: SurveyKind, recent: bool, label: &str| {
        let d: Vec<(i64, u64)> = rows
            .iter()
            .filter(|x| x.kind == kind && x.recent == recent)
            .map(|x| (x.score, x.n))
            .collect();
        point(kind, label, &d)
    };
    Ok(VoiceSummary {
        figures: SurveyKind::ALL
            .iter()
            .map(|k| (*k, period(*k, true, "last 90 days"), period(*k, false, "previous 90 days")))
            .collect(),
        follow_ups: m::loop_stats(&timings(&follow, now)),
    })
}
