//! Survey responses: recording one (with its follow-up, in one transaction), results, export.

use super::{db_err, de, take, Db};
use crate::error::AppError;
use crate::metrics::survey as m;
use crate::model::*;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A response as the public page submits it, already checked against the survey.
pub struct NewResponse<'a> {
    pub survey: &'a Survey,
    /// `None` for the anonymous link.
    pub invitation: Option<&'a super::invitations::Opened>,
    pub score: i64,
    pub comment: Option<String>,
    pub answers: Map<String, Value>,
}

/// Records a response, or replaces the one given earlier through the same link; marks the
/// invitation answered; opens a follow-up for the account's owner when the score is low. All
/// in one transaction: a response never exists without the follow-up it calls for.
///
/// Anonymous answers open no follow-up: there is no one to follow up with.
pub async fn record(
    db: &Db,
    r: NewResponse<'_>,
    settings: &SurveySettings,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let kind = r.survey.kind;
    let key = r
        .invitation
        .map(|i| i.id.clone())
        .unwrap_or_else(super::new_key);
    let low = kind.needs_follow_up(r.score);
    let due = now + chrono::Duration::days(settings.follow_up_days);
    let invited = r.invitation.is_some();
    let links = if invited {
        "invitation = type::record('invitation', $key), contact = type::record('contact', $contact),
         account = type::record('account', $account), channel = 'email',"
    } else {
        "channel = 'link',"
    };
    // One statement is atomic by itself: the anonymous path needs no transaction around it.
    let sql = if !invited {
        "CREATE type::record('survey_response', $key) SET survey = type::record('survey', $survey),
            channel = 'link', kind = $kind, score = $score, comment = $comment, answers = $answers"
            .to_string()
    } else {
        format!(
        "BEGIN;
         LET $r = type::record('survey_response', $key);
         UPSERT $r SET survey = type::record('survey', $survey), {links} kind = $kind, score = $score,
            comment = $comment, answers = $answers, updated_at = time::now();
         {mark}
         {follow}
         COMMIT;",
        mark = if invited {
            "UPDATE type::record('invitation', $key) SET responded_at = time::now();"
        } else {
            ""
        },
        follow = if invited && low {
            "IF (SELECT VALUE id FROM follow_up WHERE response = $r) = [] {
                CREATE type::record('follow_up', $key) SET response = $r,
                    survey = type::record('survey', $survey),
                    account = type::record('account', $account),
                    contact = type::record('contact', $contact),
                    assignee = (SELECT VALUE owner FROM ONLY type::record('account', $account)),
                    reason = $reason, due_at = <datetime>$due, status = 'open';
             };"
        } else {
            ""
        },
    )
    };
    db.query(sql)
        .bind(super::vars(json!({
            "key": key,
            "survey": r.survey.id,
            "contact": r.invitation.map(|i| i.contact.clone()),
            "account": r.invitation.map(|i| i.account.clone()),
            "kind": kind.key(),
            "score": r.score,
            "comment": r.comment,
            "answers": r.answers,
            "reason": kind.follow_up_reason(r.score),
            "due": due.to_rfc3339(),
        })))
        .await
        .and_then(|r| r.check())
        .map_err(db_err)?;
    Ok(key)
}

/// The projection a [`ResponseRow`] is read from.
const ROW_FIELDS: &str =
    "id, survey, survey.name AS survey_name, survey.questions AS questions, kind,
    score, comment, answers, account, account.name AS account_name, contact.name AS contact_name,
    contact.email AS contact_email, channel, created_at";

#[derive(Deserialize)]
struct Row {
    #[serde(deserialize_with = "de::key")]
    id: String,
    #[serde(deserialize_with = "de::key")]
    survey: String,
    #[serde(default)]
    survey_name: Option<String>,
    #[serde(default)]
    questions: Option<Vec<Question>>,
    kind: SurveyKind,
    score: i64,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    answers: Map<String, Value>,
    #[serde(default, deserialize_with = "de::opt_key")]
    account: Option<String>,
    #[serde(default)]
    account_name: Option<String>,
    #[serde(default)]
    contact_name: Option<String>,
    #[serde(default)]
    contact_email: Option<String>,
    channel: String,
    created_at: String,
}

impl From<Row> for ResponseRow {
    fn from(r: Row) -> Self {
        let questions = r.questions.unwrap_or_default();
        let answers = questions
            .iter()
            .filter_map(|q| {
                r.answers
                    .get(&q.id)
                    .and_then(|a| a.as_str())
                    .filter(|a| !a.is_empty())
                    .map(|a| (q.prompt.clone(), a.to_string()))
            })
            .collect();
        ResponseRow {
            id: r.id,
            survey_id: r.survey,
            survey_name: r.survey_name.unwrap_or_default(),
            kind: r.kind,
            score: r.score,
            comment: r.comment,
            answers,
            account_id: r.account,
            account_name: r.account_name,
            contact_name: r.contact_name,
            contact_email: r.contact_email,
            channel: r.channel,
            at: r.created_at,
        }
    }
}

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

#[derive(Deserialize)]
pub(crate) struct Timing {
    pub status: String,
    pub created_at: String,
    #[serde(default)]
    pub closed_at: Option<String>,
    pub due_at: String,
}

pub(crate) fn timings(rows: &[Timing], now: DateTime<Utc>) -> Vec<m::FollowUpTiming> {
    rows.iter()
        .map(|t| {
            let opened = super::parse_time(&t.created_at);
            let closed = t.closed_at.as_deref().map(super::parse_time);
            m::FollowUpTiming {
                hours_to_close: closed
                    .filter(|_| t.status == "closed")
                    .map(|c| (c - opened).num_seconds() as f64 / 3600.0),
                overdue: t.status == "open" && super::parse_time(&t.due_at) < now,
            }
        })
        .collect()
}

/// Verbatim conditions; only fixed text enters the query, values are bound.
fn verbatim_conditions(
    survey: &Survey,
    f: &VerbatimFilter,
    segment_accounts: Option<Vec<String>>,
    params: &mut Map<String, Value>,
) -> String {
    let mut conds = vec!["survey = $s".to_string()];
    if let Some(b) = f.band {
        let scores: Vec<i64> = survey
            .kind
            .scores()
            .filter(|s| survey.kind.band(*s) == b)
            .collect();
        conds.push("score IN $scores".into());
        params.insert("scores".into(), json!(scores));
    }
    if let Some(from) = f.from {
        conds.push("created_at >= <datetime>$from".into());
        params.insert("from".into(), json!(super::date_param(from)));
    }
    if let Some(to) = f.to {
        conds.push("created_at < <datetime>$to".into());
        params.insert(
            "to".into(),
            json!(super::date_param(to + chrono::Duration::days(1))),
        );
    }
    if let Some(ids) = segment_accounts {
        conds.push("account IN $accounts".into());
        params.insert("account_ids".into(), json!(ids));
    }
    conds.join(" AND ")
}

/// Everything the results page shows for one survey.
pub async fn results(
    db: &Db,
    index: &super::portfolio_index::PortfolioIndex,
    survey: &Survey,
    filter: &VerbatimFilter,
    now: DateTime<Utc>,
) -> Result<SurveyResults, AppError> {
    let segments = super::segments::list(db).await?;
    let segment_accounts = match &filter.segment {
        Some(id) => match segments.iter().find(|s| &s.id == id) {
            Some(s) => Some(super::accounts::ids_matching(db, index, &s.filter).await?),
            None => return Err(AppError::field("segment", "this segment does not exist")),
        },
        None => None,
    };
    let mut params = Map::new();
    params.insert("survey".into(), json!(survey.id));
    let cond = verbatim_conditions(survey, filter, segment_accounts, &mut params);
    let mut r = db
        .query(format!(
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
        ))
        .bind(super::vars(Value::Object(params)))
        .await
        .map_err(db_err)?;
    let by_status: Vec<StatusN> = take(&mut r, 2)?;
    let responded: Vec<super::Count> = take(&mut r, 3)?;
    let dist: Vec<ScoreN> = take(&mut r, 4)?;
    let anonymous: Vec<super::Count> = take(&mut r, 5)?;
    let months: Vec<MonthScoreN> = take(&mut r, 6)?;
    let per_account: Vec<AccountScoreN> = take(&mut r, 7)?;
    let follow: Vec<Timing> = take(&mut r, 8)?;
    let verbatims: Vec<Row> = take(&mut r, 9)?;

    let status = |s: &str| {
        by_status
            .iter()
            .filter(|x| x.mail_status == s)
            .map(|x| x.n)
            .sum::<u64>()
    };
    let invited = status("sent") + status("queued") + status("failed");
    let delivered = status("sent");
    let invited_responded = responded.first().map_or(0, |c| c.n);
    let dist: Vec<(i64, u64)> = dist.iter().map(|d| (d.score, d.n)).collect();
    let kind = survey.kind;
    let mut month_dist: BTreeMap<String, Vec<(i64, u64)>> = BTreeMap::new();
    for x in months {
        month_dist.entry(x.month).or_default().push((x.score, x.n));
    }
    let by_month = month_dist
        .into_iter()
        .map(|(label, d)| ScorePoint {
            value: m::score(kind, &d),
            n: d.iter().map(|(_, n)| n).sum(),
            label,
        })
        .collect();
    let mut by_segment = Vec::new();
    for seg in &segments {
        let ids: HashSet<String> = super::accounts::ids_matching(db, index, &seg.filter)
            .await?
            .into_iter()
            .collect();
        let mut d: HashMap<i64, u64> = HashMap::new();
        for x in per_account.iter().filter(|x| ids.contains(&x.account)) {
            *d.entry(x.score).or_default() += x.n;
        }
        let d: Vec<(i64, u64)> = d.into_iter().collect();
        by_segment.push(ScorePoint {
            label: seg.name.clone(),
            value: m::score(kind, &d),
            n: d.iter().map(|(_, n)| n).sum(),
        });
    }
    Ok(SurveyResults {
        survey: survey.clone(),
        invited,
        mail_failed: status("failed"),
        mail_queued: status("queued"),
        invited_responded,
        anonymous_responses: anonymous.first().map_or(0, |c| c.n),
        response_rate: m::response_rate(invited_responded, delivered.max(invited_responded)),
        score: ScorePoint {
            label: "All responses".into(),
            value: m::score(kind, &dist),
            n: dist.iter().map(|(_, n)| n).sum(),
        },
        distribution: m::full_distribution(kind, &dist),
        by_month,
        by_segment,
        verbatims: verbatims.into_iter().map(ResponseRow::from).collect(),
        follow_ups: m::loop_stats(&timings(&follow, now)),
    })
}

/// Every response to a survey as CSV, newest first. Comments and free-text answers come from
/// customers (anonymous links are public), so the file is written through
/// [`SafeCsv`](crate::csv_export::SafeCsv): no cell can run as a spreadsheet formula.
pub async fn export_csv(db: &Db, survey: &Survey) -> Result<String, AppError> {
    let mut r = db
        .query(format!(
            "SELECT {ROW_FIELDS} FROM survey_response WHERE survey = type::record('survey', $s)
                ORDER BY created_at DESC"
        ))
        .bind(super::vars(json!({ "s": survey.id })))
        .await
        .map_err(db_err)?;
    let rows: Vec<Row> = take(&mut r, 0)?;
    let mut w = crate::csv_export::SafeCsv::new();
    let mut header = vec![
        "responded_at".to_string(),
        "survey".into(),
        "kind".into(),
        "score".into(),
        "band".into(),
        "comment".into(),
        "account".into(),
        "contact".into(),
        "email".into(),
        "channel".into(),
    ];
    header.extend(survey.questions.iter().map(|q| q.prompt.clone()));
    w.row(&header)?;
    for row in rows {
        let answers = row.answers.clone();
        let r = ResponseRow::from(row);
        let mut rec = vec![
            r.at.clone(),
            r.survey_name.clone(),
            r.kind.label().to_string(),
            r.score.to_string(),
            r.kind.band_label(r.kind.band(r.score)).to_string(),
            r.comment.clone().unwrap_or_default(),
            r.account_name.clone().unwrap_or_default(),
            r.contact_name.clone().unwrap_or_default(),
            r.contact_email.clone().unwrap_or_default(),
            r.channel.clone(),
        ];
        rec.extend(survey.questions.iter().map(|q| {
            answers
                .get(&q.id)
                .and_then(|a| a.as_str())
                .unwrap_or_default()
                .to_string()
        }));
        w.row(&rec)?;
    }
    w.finish()
}

#[derive(Deserialize)]
struct KindScoreN {
    kind: SurveyKind,
    score: i64,
    n: u64,
}

/// An account's recent responses and its figures over the last twelve months.
pub async fn for_account(db: &Db, account: &str) -> Result<AccountSurveys, AppError> {
    let mut r = db
        .query(format!(
            "LET $a = type::record('account', $account);
             SELECT {ROW_FIELDS} FROM survey_response WHERE account = $a ORDER BY created_at DESC LIMIT 20;
             SELECT kind, score, count() AS n FROM survey_response
                WHERE account = $a AND created_at > time::now() - 365d GROUP BY kind, score;"
        ))
        .bind(super::vars(json!({ "account": account })))
        .await
        .map_err(db_err)?;
    let recent: Vec<Row> = take(&mut r, 1)?;
    let dist: Vec<KindScoreN> = take(&mut r, 2)?;
    let figures = SurveyKind::ALL
        .iter()
        .filter_map(|k| {
            let d: Vec<(i64, u64)> = dist
                .iter()
                .filter(|x| x.kind == *k)
                .map(|x| (x.score, x.n))
                .collect();
            let n: u64 = d.iter().map(|(_, n)| n).sum();
            (n > 0).then(|| {
                (
                    *k,
                    ScorePoint {
                        label: k.label().into(),
                        value: m::score(*k, &d),
                        n,
                    },
                )
            })
        })
        .collect();
    Ok(AccountSurveys {
        recent: recent.into_iter().map(ResponseRow::from).collect(),
        figures,
    })
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
    let mut r = db
        .query(
            "SELECT kind, score, created_at > <datetime>$since AS recent, count() AS n
                FROM survey_response WHERE created_at > <datetime>$before GROUP BY kind, score, recent;
             SELECT status, created_at, closed_at, due_at FROM follow_up;",
        )
        .bind(super::vars(json!({ "since": since.to_rfc3339(), "before": before.to_rfc3339() })))
        .await
        .map_err(db_err)?;
    let rows: Vec<PeriodN> = take(&mut r, 0)?;
    let follow: Vec<Timing> = take(&mut r, 1)?;
    let point = |kind: SurveyKind, recent: bool, label: &str| {
        let d: Vec<(i64, u64)> = rows
            .iter()
            .filter(|x| x.kind == kind && x.recent == recent)
            .map(|x| (x.score, x.n))
            .collect();
        ScorePoint {
            label: label.into(),
            value: m::score(kind, &d),
            n: d.iter().map(|(_, n)| n).sum(),
        }
    };
    Ok(VoiceSummary {
        figures: SurveyKind::ALL
            .iter()
            .map(|k| {
                (
                    *k,
                    point(*k, true, "last 90 days"),
                    point(*k, false, "previous 90 days"),
                )
            })
            .collect(),
        follow_ups: m::loop_stats(&timings(&follow, now)),
    })
}
