//! An account's contacts: the people at the customer.

use crate::error::AppError;
use crate::model::*;
use crate::store::{de, new_key, query_all, query_many, transact, transact_on_account, vars, Db};
use serde::Deserialize;
use serde_json::json;

/// The fields a [`ContactRow`] is read from.
pub(super) const CONTACT_FIELDS: &str = "id, account, name, email, title, champion";

#[derive(Deserialize)]
pub(super) struct ContactRow {
    #[serde(deserialize_with = "de::key")]
    id: ContactId,
    #[serde(deserialize_with = "de::key")]
    account: AccountId,
    name: String,
    email: String,
    #[serde(default)]
    title: Option<String>,
    champion: bool,
}

impl From<ContactRow> for Contact {
    fn from(r: ContactRow) -> Self {
        Contact {
            id: r.id,
            account_id: r.account,
            name: r.name,
            email: r.email,
            title: r.title,
            champion: r.champion,
        }
    }
}

/// An account has one contact per email, checked where the contact is written (the
/// `contact_account_email` index stays as the backstop: a save racing this one conflicts and is
/// run again, and then finds the email taken).
const EMAIL_FREE: &str = "IF (SELECT VALUE id FROM contact WHERE account = $a AND email = $email
        AND id != type::record('contact', $id) LIMIT 1) != [] {
        THROW 'bw:field:email:this account already has a contact with this email'
     };";

fn contact_params(account_id: &str, contact_id: &str, c: &ValidContact) -> serde_json::Value {
    vars(json!({
        "id": contact_id, "account": account_id, "name": c.name, "email": c.email,
        "title": c.title, "champion": c.champion,
    }))
}

/// Every contact of `accounts`, in one query (the CSV import compares a slice's rows with them).
pub async fn contacts_of(db: &Db, accounts: &[String]) -> Result<Vec<Contact>, AppError> {
    let mut r = query_many(
        db,
        &format!(
            "LET $ids = array::map($accounts, |$a| type::record('account', $a));
             SELECT {CONTACT_FIELDS} FROM contact WHERE account IN $ids;"
        ),
        json!({ "accounts": accounts }),
    )
    .await?;
    let rows: Vec<ContactRow> = r.take(1)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn add_contact(db: &Db, account_id: &str, c: &ValidContact) -> Result<Contact, AppError> {
    let mut r = transact_on_account(
        db,
        &format!(
            "{EMAIL_FREE}
             CREATE ONLY type::record('contact', $id) SET account = $a,
                name = $name, email = $email, title = $title, champion = $champion
             RETURN {CONTACT_FIELDS};"
        ),
        contact_params(account_id, &new_key(), c),
    )
    .await?;
    Ok(r.before_commit::<ContactRow>()?.into())
}

/// Creates the account's contact with `c.email`, or updates the one that has it (what a CRM
/// sync sends: within an account a contact is known by email). Returns the contact and whether
/// it was created. One transaction; two syncs racing on one new email conflict on the
/// `contact_account_email` index, and the retry finds the first one's contact.
pub async fn upsert_contact(
    db: &Db, account_id: &str, c: &ValidContact,
) -> Result<(Contact, bool), AppError> {
    let mut r = transact_on_account(
        db,
        &format!(
            "LET $found = (SELECT VALUE id FROM contact WHERE account = $a AND email = $email
                LIMIT 1)[0];
             UPSERT ONLY ($found ?? type::record('contact', $id)) SET account = $a,
                name = $name, email = $email, title = $title, champion = $champion
             RETURN {CONTACT_FIELDS};
             RETURN $found == NONE;"
        ),
        contact_params(account_id, &new_key(), c),
    )
    .await?;
    let created: bool = r.before_commit()?;
    let contact: ContactRow = r.take(4)?;
    Ok((contact.into(), created))
}

/// Changes a contact; only a contact of `account_id` can be changed through that account.
pub async fn update_contact(
    db: &Db, account_id: &str, contact_id: &str, c: &ValidContact,
) -> Result<Contact, AppError> {
    let mut r = transact(
        db,
        &format!(
            "BEGIN;
             LET $a = type::record('account', $account);
             LET $c = type::record('contact', $id);
             IF !record::exists($c) OR $c.account != $a {{ THROW 'bw:not_found:contact' }};
             {EMAIL_FREE}
             UPDATE ONLY $c SET name = $name, email = $email, title = $title, champion = $champion
             RETURN {CONTACT_FIELDS};
             COMMIT;"
        ),
        contact_params(account_id, contact_id, c),
    )
    .await?;
    Ok(r.before_commit::<ContactRow>()?.into())
}

/// Removes a contact of the account and, in the same transaction, revokes the plan links shared
/// with them (see [`REVOKE_FOR_CONTACT`](crate::store::plan_shares::REVOKE_FOR_CONTACT));
/// `by_name` signs the activity entries.
pub async fn remove_contact(
    db: &Db, account_id: &str, contact_id: &str, by_name: &str,
) -> Result<(), AppError> {
    transact(
        db,
        &format!(
            "BEGIN;
             LET $c = type::record('contact', $id);
             IF !record::exists($c) OR $c.account != type::record('account', $account) {{
                 THROW 'bw:not_found:contact'
             }};
             {revoke}
             DELETE $c;
             COMMIT;",
            revoke = crate::store::plan_shares::REVOKE_FOR_CONTACT
        ),
        json!({ "id": contact_id, "account": account_id, "by_name": by_name }),
    )
    .await?;
    Ok(())
}

/// Contacts whose name or email contains `q` (case-insensitive), for pickers.
pub async fn search_contacts(db: &Db, q: &str, limit: usize) -> Result<Vec<PickItem>, AppError> {
    #[derive(Deserialize)]
    struct Hit {
        #[serde(deserialize_with = "de::key")]
        id: String,
        name: String,
        email: String,
        #[serde(default)]
        account_name: Option<String>,
    }
    let hits: Vec<Hit> = query_all(
        db,
        "SELECT id, name, email, account.name AS account_name FROM contact
         WHERE string::lowercase(name) CONTAINS $q OR string::lowercase(email) CONTAINS $q
         ORDER BY name LIMIT $limit",
        json!({ "q": q.trim().to_lowercase(), "limit": limit }),
    )
    .await?;
    Ok(hits
        .into_iter()
        .map(|h| PickItem {
            id: h.id,
            label: h.name,
            detail: format!("{} · {}", h.email, h.account_name.unwrap_or_default()),
        })
        .collect())
}
