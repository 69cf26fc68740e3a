//! The survey-response feed: every response in the order it was last written (`changed_at`,
//! then id), read in keyset pages — what a warehouse or a CRM pulls to stay in step. A
//! response answered again moves to the end, so a reader sees it again, changed.
//!
//! Two transactions may take their `changed_at` in one order and commit in the other, so the
//! feed stops [`SETTLE`] short of now: a row is listed only once nothing can commit before it.

use super::super::{de, query_all, Db};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// How far behind now the feed stops.
pub const SETTLE: chrono::Duration = chrono::Duration::seconds(3);

/// Where a page of the feed starts: after this (changed_at, id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct After {
    pub changed_at: DateTime<Utc>,
    pub id: String,
}

impl After {
    /// The opaque cursor: nanoseconds since the epoch, and the id in hex (an imported
    /// response's id holds its sender's idempotency key, which may be any text).
    pub fn encode(&self) -> String {
        let nanos = self.changed_at.timestamp_nanos_opt().unwrap_or_default();
        format!("{nanos}-{}", hex::encode(&self.id))
    }

    pub fn decode(s: &str) -> Option<After> {
        let (nanos, id) = s.split_once('-')?;
        let nanos: i64 = nanos.parse().ok().filter(|n| *n >= 0)?;
        let id = String::from_utf8(hex::decode(id).ok()?).ok()?;
        (!id.is_empty() && id.len() <= MAX_ID)
            .then(|| After { changed_at: DateTime::from_timestamp_nanos(nanos), id })
    }
}

/// The longest id a cursor may name (an imported response's: `import:` and a 200-character key).
const MAX_ID: usize = 300;

/// A survey, named.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SurveyName {
    #[serde(deserialize_with = "de::key")]
    pub id: String,
    pub name: String,
}

/// The account a response is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FeedAccount {
    #[serde(deserialize_with = "de::key")]
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub external_id: Option<String>,
}

/// One response, as the feed lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FeedResponse {
    #[serde(deserialize_with = "de::key")]
    pub id: String,
    pub survey: SurveyName,
    /// `nps`, `csat` or `ces`.
    pub kind: String,
    pub score: i64,
    #[serde(default)]
    pub comment: Option<String>,
    /// Answers to the survey's extra questions, by question id.
    #[schema(value_type = Object)]
    #[serde(default)]
    pub answers: serde_json::Value,
    /// `email` (an invitation), `link` (the anonymous link) or `import`.
    pub channel: String,
    /// None for an answer through the anonymous link.
    #[serde(default)]
    pub account: Option<FeedAccount>,
    #[serde(default)]
    pub contact_email: Option<String>,
    /// When the customer answered (last).
    pub answered_at: chrono::DateTime<chrono::Utc>,
    /// When Bellwether last wrote it: the feed's order.
    pub changed_at: chrono::DateTime<chrono::Utc>,
}

const FIELDS: &str = "id, { id: survey, name: survey.name } AS survey, kind, score, comment,
    answers, channel,
    IF account = NONE { NONE } ELSE { { id: account, name: account.name,
        external_id: account.external_id } } AS account,
    contact.email AS contact_email, updated_at AS answered_at, changed_at";

/// Up to `limit` responses after `after` (from the start when `None`), in feed order, none
/// written within the last [`SETTLE`] before `now`.
pub async fn page(
    db: &Db, after: Option<&After>, limit: usize, now: DateTime<Utc>,
) -> Result<Vec<FeedResponse>, AppError> {
    let settled = (now - SETTLE).to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
    let Some(after) = after else {
        return query_all(
            db,
            &format!(
                "SELECT {FIELDS} FROM survey_response WHERE changed_at < <datetime>$settled
                 ORDER BY changed_at, id LIMIT $limit"
            ),
            json!({ "settled": settled, "limit": limit }),
        )
        .await;
    };
    let at = after.changed_at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
    let vars = json!({ "settled": settled, "limit": limit, "at": at, "id": after.id });
    // The rest of the cursor's instant (a bulk import writes many rows in one), then what
    // follows it: two range reads on the `changed_at` index rather than one OR it cannot use.
    let mut rows: Vec<FeedResponse> = query_all(
        db,
        &format!(
            "SELECT {FIELDS} FROM survey_response WHERE changed_at = <datetime>$at
                AND id > type::record('survey_response', $id) AND changed_at < <datetime>$settled
             ORDER BY id LIMIT $limit"
        ),
        vars.clone(),
    )
    .await?;
    if rows.len() < limit {
        let rest: Vec<FeedResponse> = query_all(
            db,
            &format!(
                "SELECT {FIELDS} FROM survey_response WHERE changed_at > <datetime>$at
                    AND changed_at < <datetime>$settled
                 ORDER BY changed_at, id LIMIT $limit"
            ),
            vars,
        )
        .await?;
        rows.extend(rest);
        rows.truncate(limit);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_forgeries_are_refused() {
        let at = DateTime::from_timestamp_nanos(1_764_921_600_123_456_789);
        for id in ["0193ab", "import:crm-7731/é"] {
            let a = After { changed_at: at, id: id.into() };
            assert_eq!(After::decode(&a.encode()), Some(a));
        }
        for bad in
            ["", "x-61", "-5-61", "12-", "12-zz", "12-ff", &format!("1-{}", "61".repeat(301))]
        {
            assert_eq!(After::decode(bad), None, "{bad}");
        }
    }
}
