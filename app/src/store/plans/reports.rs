//! What plans tell about accounts: time to value (first-value milestones) and health's
//! milestone slippage.

use super::in_accounts;
use super::read::{MsRow, MS_FIELDS};
use crate::error::AppError;
use crate::model::plan::{status_of, MilestoneFacts, PlanStatus};
use crate::store::{date_param, de, query_all, transact, Db};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

/// First-value completions: (account, contract start, first-value milestone completed on, or
/// `None` while it is still open). The earliest completion counts when an account has several.
pub async fn first_value(db: &Db) -> Result<Vec<(String, NaiveDate, Option<NaiveDate>)>, AppError> {
    #[derive(Deserialize)]
    struct Row {
        #[serde(deserialize_with = "de::key")]
        account: String,
        #[serde(deserialize_with = "de::date")]
        contract_start: NaiveDate,
        #[serde(default, deserialize_with = "de::opt_date")]
        completed_on: Option<NaiveDate>,
    }
    let rows: Vec<Row> = query_all(
        db,
        "SELECT account, account.contract_start AS contract_start, completed_on FROM milestone
         WHERE first_value = true",
        json!({}),
    )
    .await?;
    let mut by: HashMap<String, (NaiveDate, Option<NaiveDate>)> = HashMap::new();
    for row in rows {
        let e = (by.entry(row.account)).or_insert((row.contract_start, row.completed_on));
        e.1 = match (e.1, row.completed_on) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    Ok(by.into_iter().map(|(a, (s, c))| (a, s, c)).collect())
}

/// Milestones past due and not complete as of `date`, per account that has any milestone
/// (health's milestone slippage; accounts without plans are left out, so "missing").
pub async fn overdue_milestones(
    db: &Db, accounts: Option<&[String]>, date: NaiveDate,
) -> Result<Vec<(String, u32)>, AppError> {
    #[derive(Deserialize)]
    struct Late {
        #[serde(deserialize_with = "de::key")]
        account: String,
        overdue: u32,
    }
    let cond = in_accounts(accounts, "account");
    let mut r = transact(
        db,
        &format!(
            "BEGIN;
             LET $accs = array::map($keys, |$k| type::record('account', $k));
             SELECT account,
                math::sum(IF due < <datetime>$day AND (completed_on = NONE OR completed_on > <datetime>$day) {{ 1 }} ELSE {{ 0 }})
                AS overdue
             FROM milestone {cond} GROUP BY account;
             COMMIT;"
        ),
        json!({ "keys": accounts.unwrap_or_default(), "day": date_param(date) }),
    )
    .await?;
    let rows: Vec<Late> = r.take(2)?;
    Ok(rows.into_iter().map(|l| (l.account, l.overdue)).collect())
}

/// Every plan's status on `today` (of the given accounts, or all), as (account, status), from
/// counted facts: milestones with their dates, and per milestone how many tasks there are, are
/// done and are overdue. Counting in the database keeps the daily pass from loading every task
/// of every plan.
pub async fn statuses(
    db: &Db, accounts: Option<&[String]>, today: NaiveDate,
) -> Result<Vec<(String, PlanStatus)>, AppError> {
    #[derive(Deserialize)]
    struct PlanRow {
        #[serde(deserialize_with = "de::key")]
        id: String,
        #[serde(deserialize_with = "de::key")]
        account: String,
    }
    #[derive(Deserialize)]
    struct TaskCount {
        #[serde(deserialize_with = "de::key")]
        milestone: String,
        tasks: usize,
        done: usize,
        overdue: usize,
    }
    let cond = in_accounts(accounts, "account");
    let mut r = transact(
        db,
        &format!(
            "BEGIN;
             LET $accs = array::map($keys, |$k| type::record('account', $k));
             SELECT id, account FROM plan {cond};
             SELECT {MS_FIELDS} FROM milestone {cond};
             SELECT milestone, count() AS tasks, math::sum(IF status = 'done' {{ 1 }} ELSE {{ 0 }}) AS done,
                 math::sum(IF status != 'done' AND due < <datetime>$day {{ 1 }} ELSE {{ 0 }}) AS overdue
             FROM task {cond} GROUP BY milestone;
             COMMIT;"
        ),
        json!({ "keys": accounts.unwrap_or_default(), "day": date_param(today) }),
    )
    .await?;
    let plans: Vec<PlanRow> = r.take(2)?;
    let milestones: Vec<MsRow> = r.take(3)?;
    let counts: Vec<TaskCount> = r.take(4)?;
    let counts: HashMap<String, TaskCount> =
        counts.into_iter().map(|c| (c.milestone.clone(), c)).collect();
    let mut facts: HashMap<String, Vec<MilestoneFacts>> = HashMap::new();
    for m in milestones {
        let c = counts.get(&m.id);
        facts.entry(m.plan).or_default().push(MilestoneFacts {
            due: m.due,
            completed_on: m.completed_on,
            tasks: c.map_or(0, |c| c.tasks),
            done: c.map_or(0, |c| c.done),
            overdue: c.map_or(0, |c| c.overdue),
        });
    }
    Ok(plans
        .into_iter()
        .map(|p| {
            let status = status_of(facts.get(&p.id).map_or(&[][..], |f| f.as_slice()), today);
            (p.account, status)
        })
        .collect())
}
