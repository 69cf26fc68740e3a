//! What plans tell about accounts: time to value (first-value milestones) and health's
//! milestone slippage.

use super::in_accounts;
use crate::error::AppError;
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
