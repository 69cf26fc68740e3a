//! Survey answers as the executive dashboard reads them: account, kind, score, day and
//! comment of every answer since a day, for the accounts in view (NPS, CSAT and CES of a
//! period, NPS by month, the detractors behind the NPS tile). Imported answers are answers
//! like any other here; they are dated by the day they were given.

use super::super::{de, query_all, Db};
use crate::error::AppError;
use crate::model::SurveyKind;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashSet;

/// One answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Answer {
    #[serde(deserialize_with = "de::key")]
    pub account: String,
    pub kind: SurveyKind,
    pub score: i64,
    #[serde(rename = "created_at", deserialize_with = "de::date")]
    pub on: NaiveDate,
    #[serde(default)]
    pub comment: Option<String>,
}

/// Answers since `since` (inclusive) of the accounts in `accounts`, oldest first. Answers
/// without an account (an anonymous link) belong to no account in view and are left out.
pub async fn answers(
    db: &Db, since: NaiveDate, accounts: &HashSet<String>,
) -> Result<Vec<Answer>, AppError> {
    let rows: Vec<Answer> = query_all(
        db,
        "SELECT account, kind, score, created_at, comment FROM survey_response
         WHERE created_at >= <datetime>$since AND account != NONE ORDER BY created_at",
        json!({ "since": super::super::date_param(since) }),
    )
    .await?;
    Ok(rows.into_iter().filter(|a| accounts.contains(&a.account)).collect())
}
