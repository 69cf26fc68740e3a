//! Plans shared with a customer contact by magic link. The link's token names a `plan_share`
//! row and carries its expiry under the instance's signing secret; the row says whether it was
//! revoked. Every use of a link checks both.

use super::{de, execute, new_key, query_all, query_one, transact, Db};
use crate::error::AppError;
use crate::model::plan::{PlanEventKind, PlanShare};
use crate::model::{AccountId, ContactId, PlanId};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Row {
    #[serde(deserialize_with = "de::key")]
    id: String,
    #[serde(deserialize_with = "de::key")]
    contact: ContactId,
    #[serde(default)]
    contact_name: Option<String>,
    #[serde(default)]
    contact_email: Option<String>,
    expires_at: crate::model::Timestamp,
    #[serde(default)]
    revoked_at: Option<crate::model::Timestamp>,
    created_at: crate::model::Timestamp,
    #[serde(default)]
    last_opened_at: Option<crate::model::Timestamp>,
}

const FIELDS: &str = "id, contact, contact.name AS contact_name, contact.email AS contact_email,
    expires_at, revoked_at, created_at, last_opened_at";

impl From<Row> for PlanShare {
    fn from(r: Row) -> Self {
        PlanShare {
            id: r.id,
            contact_id: r.contact,
            contact_name: r.contact_name.unwrap_or_default(),
            contact_email: r.contact_email.unwrap_or_default(),
            expires_at: r.expires_at,
            revoked_at: r.revoked_at,
            created_at: r.created_at,
            last_opened_at: r.last_opened_at,
            url: None,
        }
    }
}

pub async fn list(db: &Db, plan: &str) -> Result<Vec<PlanShare>, AppError> {
    let rows: Vec<Row> = query_all(
        db,
        &format!(
            "SELECT {FIELDS} FROM plan_share WHERE plan = type::record('plan', $p) ORDER BY created_at DESC"
        ),
        json!({ "p": plan }),
    )
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Shares a plan with a contact of its account until `expires`; the activity entry is written
/// in the same transaction. Returns the share.
pub async fn create(
    db: &Db, plan: &str, account: &str, contact: &str, expires: DateTime<Utc>, by: (&str, &str),
) -> Result<PlanShare, AppError> {
    let key = new_key();
    let mut r = transact(
        db,
        &format!(
            "BEGIN;
             LET $p = type::record('plan', $plan);
             LET $acc = type::record('account', $account);
             LET $c = type::record('contact', $contact);
             IF $c.account != $acc {{ THROW 'bw:field:contact_id:choose a contact of this account' }};
             CREATE type::record('plan_share', $key) SET plan = $p, account = $acc, contact = $c,
                expires_at = <datetime>$expires, created_by = type::record('user', $by);
             CREATE plan_event SET plan = $p, account = $acc, kind = $kind,
                data = {{ contact: $c.name, until: $until }}, actor = $by_name, by_customer = false, at = time::now();
             SELECT {FIELDS} FROM type::record('plan_share', $key);
             COMMIT;"
        ),
        json!({
            "plan": plan, "account": account, "contact": contact, "key": key,
            "expires": expires.to_rfc3339(), "until": expires.date_naive(), "by": by.0, "by_name": by.1,
            "kind": PlanEventKind::Shared.key(),
        }),
    )
    .await?;
    let rows: Vec<Row> = r.before_commit()?;
    rows.into_iter()
        .next()
        .map(Into::into)
        .ok_or_else(|| AppError::Internal("the share was not created".into()))
}

/// Revokes a share of `plan`: its link stops working at once.
pub async fn revoke(db: &Db, plan: &str, share: &str, by_name: &str) -> Result<(), AppError> {
    transact(
        db,
        "BEGIN;
         LET $s = type::record('plan_share', $share);
         IF $s.plan != type::record('plan', $plan) { THROW 'bw:not_found:share of this plan' };
         IF $s.revoked_at != NONE { THROW 'bw:field:share:this link is already revoked' };
         UPDATE $s SET revoked_at = time::now();
         CREATE plan_event SET plan = $s.plan, account = $s.account, kind = $kind,
            data = { contact: $s.contact.name }, actor = $by_name, by_customer = false, at = time::now();
         COMMIT;",
        json!({
            "plan": plan, "share": share, "by_name": by_name,
            "kind": PlanEventKind::ShareRevoked.key(),
        }),
    )
    .await?;
    Ok(())
}

/// Revokes every share still open for the contact `$c` (a record id bound in the surrounding
/// transaction) and notes each in its plan's activity as done by `$by_name`. Removing a contact
/// runs this in the same transaction as the delete: a person who has left the customer must not
/// keep working in the plan through a link they still hold.
pub(crate) const REVOKE_FOR_CONTACT: &str = "
    LET $open_shares = (SELECT plan, account FROM plan_share WHERE contact = $c AND revoked_at = NONE);
    UPDATE plan_share SET revoked_at = time::now() WHERE contact = $c AND revoked_at = NONE;
    FOR $share IN $open_shares {
        CREATE plan_event SET plan = $share.plan, account = $share.account, kind = 'share_revoked',
            data = { contact: $c.name, contact_removed: true }, actor = $by_name, by_customer = false,
            at = time::now();
    };";

/// The live share behind a verified token (a model type; reachable here as before).
pub use crate::model::plan::Opened;

/// The share behind a verified token, or `None` when it is revoked, past its stored expiry, or
/// gone, or when its contact is gone (removing a contact revokes their shares; this also covers
/// shares of contacts removed before that was so).
pub async fn open(db: &Db, share: &str, now: DateTime<Utc>) -> Result<Option<Opened>, AppError> {
    #[derive(Deserialize)]
    struct R {
        #[serde(deserialize_with = "de::key")]
        plan: PlanId,
        #[serde(deserialize_with = "de::key")]
        account: AccountId,
        #[serde(deserialize_with = "de::key")]
        contact: ContactId,
        contact_name: Option<String>,
    }
    let row: Option<R> = query_one(
        db,
        "SELECT plan, account, contact, contact.name AS contact_name FROM type::record('plan_share', $share)
         WHERE record::exists(type::record('plan_share', $share)) AND revoked_at = NONE
            AND expires_at > <datetime>$now AND record::exists(contact)",
        json!({ "share": share, "now": now.to_rfc3339() }),
    )
    .await?;
    Ok(row.map(|x| Opened {
        plan: x.plan,
        account: x.account,
        contact: x.contact,
        contact_name: x.contact_name.unwrap_or_else(|| "Customer".into()),
    }))
}

/// Remembers when the customer last opened the link (at most one write a minute).
pub async fn touch(db: &Db, share: &str) -> Result<(), AppError> {
    execute(
        db,
        "UPDATE type::record('plan_share', $share) SET last_opened_at = time::now()
         WHERE last_opened_at = NONE OR last_opened_at < time::now() - 1m",
        json!({ "share": share }),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revoking_for_a_removed_contact_logs_a_known_kind() {
        let kind = format!("kind = '{}'", PlanEventKind::ShareRevoked.key());
        assert!(REVOKE_FOR_CONTACT.contains(&kind));
    }
}
