//! Incidents reported by status pages and monitors, and the spans that affected an account.

use crate::error::AppError;
use crate::model::escalation::ValidIncident;
use crate::model::Timestamp;
use crate::store::{de, query_all, transact, Db};
use serde::Deserialize;
use serde_json::json;

/// Records an incident (an `external_id` seen before updates that incident); returns its id.
/// Every named account must exist, or nothing is written.
pub async fn record(db: &Db, i: &ValidIncident) -> Result<String, AppError> {
    let key = crate::store::new_key();
    let mut r = transact(
        db,
        "BEGIN;
         LET $accs = IF $i.accounts = NONE { NONE } ELSE {
             array::map($i.accounts, |$k| type::record('account', $k)) };
         IF $accs != NONE AND array::len(array::filter($accs, |$a| !record::exists($a))) > 0 {
             THROW 'bw:field:accounts:names an account that does not exist'
         };
         LET $old = IF $i.external_id = NONE { NONE } ELSE {
             (SELECT VALUE id FROM incident WHERE external_id = $i.external_id LIMIT 1)[0] };
         LET $id = $old ?? type::record('incident', $key);
         UPSERT $id CONTENT { started_at: <datetime>$i.start, ended_at: <datetime>$i.end, accounts: $accs,
             severity: $i.severity, title: $i.title, external_id: $i.external_id,
             created_at: time::now() } RETURN NONE;
         RETURN record::id($id);
         COMMIT;",
        json!({ "key": key, "i": crate::store::escalations::strip_nulls(json!(i)) }),
    )
    .await?;
    r.before_commit()
}

#[derive(Debug, Clone, Deserialize)]
pub struct IncidentSpan {
    pub started_at: Timestamp,
    pub ended_at: Timestamp,
    /// `None`: every account.
    #[serde(default)]
    pub accounts: Option<Vec<String>>,
}

impl IncidentSpan {
    pub fn affects(&self, account: &str) -> bool {
        self.accounts.as_ref().is_none_or(|a| a.iter().any(|x| crate::store::key_of(x) == account))
    }
}

#[derive(Deserialize)]
struct Row {
    started_at: Timestamp,
    ended_at: Timestamp,
    #[serde(default)]
    accounts: Option<Vec<serde_json::Value>>,
    #[serde(default, deserialize_with = "de::opt_key")]
    #[allow(dead_code)]
    id: Option<String>,
}

/// Incidents overlapping [from, to).
pub async fn overlapping(
    db: &Db, from: Timestamp, to: Timestamp,
) -> Result<Vec<IncidentSpan>, AppError> {
    let rows: Vec<Row> = query_all(
        db,
        "SELECT id, started_at, ended_at, accounts FROM incident
         WHERE started_at < <datetime>$to AND ended_at > <datetime>$from",
        json!({ "from": from, "to": to }),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| IncidentSpan {
            started_at: r.started_at,
            ended_at: r.ended_at,
            accounts: r
                .accounts
                .map(|a| a.iter().filter_map(|v| v.as_str()).map(crate::store::key_of).collect()),
        })
        .collect())
}
