//! Which alerts to mail, claimed in the database so that every node may run the mailer and an
//! alert is still mailed once: high-severity alerts one by one as they open, the others in one
//! daily digest per owner. Claiming marks `notified_at` before sending (a crash between the two
//! loses that mail rather than sending it twice).

use crate::error::AppError;
use crate::model::alert::{RuleKind, Severity};
use crate::store::{de, transact, Db};
use serde::Deserialize;
use serde_json::json;

/// An alert to mail, with what the mail says.
#[derive(Debug, Clone, Deserialize)]
pub struct MailAlert {
    #[serde(deserialize_with = "de::key")]
    pub id: String,
    #[serde(deserialize_with = "de::key")]
    pub account: String,
    pub account_name: String,
    pub rule: RuleKind,
    pub severity: Severity,
    pub summary: String,
    pub owner_email: String,
    pub owner_name: String,
}

const FIELDS: &str = "id, account, account.name AS account_name, rule, severity, summary,
    owner.email AS owner_email, owner.name AS owner_name";

/// Claims up to `limit` open high-severity alerts not mailed yet whose owner is active.
pub async fn claim_urgent(db: &Db, limit: usize) -> Result<Vec<MailAlert>, AppError> {
    let mut r = transact(
        db,
        &format!(
            "BEGIN;
             LET $ids = (SELECT VALUE id FROM alert WHERE status = 'open' AND severity = 'high'
                 AND notified_at = NONE AND owner != NONE AND owner.active != false LIMIT $limit);
             LET $rows = (SELECT {FIELDS} FROM $ids);
             UPDATE $ids SET notified_at = time::now() RETURN NONE;
             RETURN $rows;
             COMMIT;"
        ),
        json!({ "limit": limit }),
    )
    .await?;
    r.before_commit()
}

/// Claims today's digest (`day`, once across all nodes): every live alert not mailed yet whose
/// owner is active. Empty when another node (or an earlier run) already sent today's. A run
/// that finds nothing to send leaves the day open (a server started after the digest hour
/// with no alerts used to hold the day's first alerts back until the next morning).
pub async fn claim_digest(db: &Db, day: &str) -> Result<Vec<MailAlert>, AppError> {
    let mut r = transact(
        db,
        &format!(
            "BEGIN;
             LET $done = type::record('setting', 'alert_digest').data.day = $day;
             LET $ids = IF $done {{ [] }} ELSE {{
                 (SELECT VALUE id FROM alert WHERE status IN ['open', 'acknowledged']
                     AND notified_at = NONE AND owner != NONE AND owner.active != false)
             }};
             LET $rows = (SELECT {FIELDS} FROM $ids);
             UPDATE $ids SET notified_at = time::now() RETURN NONE;
             -- An empty claim does not use up the day: alerts that open later still go today.
             IF !$done AND array::len($ids) > 0 {{
                 UPSERT type::record('setting', 'alert_digest') SET data = {{ day: $day }},
                     updated_at = time::now() RETURN NONE;
             }};
             RETURN $rows;
             COMMIT;"
        ),
        json!({ "day": day }),
    )
    .await?;
    r.before_commit()
}
