//! Accounts with their contacts and team (one aggregate: contacts and team members never outlive
//! their account). This module holds the account itself; [`contacts`], [`team`] and
//! [`portfolio`] (the list, its filters and figures) hold the rest, re-exported here so callers
//! name everything `store::accounts::…`.

mod contacts;
mod portfolio;
mod team;

pub use contacts::*;
pub use portfolio::*;
pub use team::*;

use super::portfolio_index::{Entry, ENTRY_FIELDS};
use super::revenue::APPEND_SQL;
use super::{date_param, de, new_key, query_all, query_many, transact, Db};
use crate::error::AppError;
use crate::model::*;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{json, Value};

/// An account as read with `SELECT {ENTRY_FIELDS}, contract_start`: the portfolio's list row
/// and the one field it leaves out.
#[derive(Deserialize)]
struct AccountRowDb {
    #[serde(flatten)]
    entry: Entry,
    #[serde(deserialize_with = "de::date")]
    contract_start: NaiveDate,
    #[serde(default)]
    updated_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<AccountRowDb> for Account {
    fn from(r: AccountRowDb) -> Self {
        Account { updated_at: r.updated_at, ..r.entry.into_account(r.contract_start) }
    }
}

fn account_params(id: &str, a: &ValidAccount) -> Value {
    super::vars(json!({
        "id": id,
        "name": a.name,
        "name_key": a.name.to_lowercase(),
        "tier": a.tier.key(),
        "industry": a.industry,
        "stage": a.stage.key(),
        "arr_minor": a.arr_minor,
        "currency": a.currency,
        "contract_start": date_param(a.contract_start),
        "renewal_date": date_param(a.renewal_date),
        "owner": a.owner_id,
        "external_id": a.external_id,
    }))
}

/// The owner must be an active admin or CSM.
async fn check_owner(db: &Db, owner: &Option<UserId>) -> Result<(), AppError> {
    if let Some(owner) = owner {
        let user = super::users::get(db, owner)
            .await
            .map_err(|_| AppError::field("owner_id", "is not a Bellwether user"))?;
        if !user.active || !user.role.can_edit_accounts() {
            return Err(AppError::field("owner_id", "must be an active admin or CSM"));
        }
    }
    Ok(())
}

const SET_ACCOUNT: &str =
    "name = $name, name_key = $name_key, tier = $tier, industry = $industry, \
    stage = $stage, currency = $currency, \
    contract_start = <datetime>$contract_start, renewal_date = <datetime>$renewal_date, \
    owner = IF $owner = NONE { NONE } ELSE { type::record('user', $owner) }, \
    owner_name = IF $owner = NONE { NONE } ELSE { type::record('user', $owner).name }, \
    external_id = $external_id, \
    churned_on = IF $stage = 'churned' { churned_on ?? time::now() } ELSE { NONE }, \
    updated_at = time::now()";

/// External ids identify accounts to other systems, so two accounts cannot share one (no
/// unique index: it would count every account without one); checked inside the transaction
/// that writes, so two saves at once cannot both take it.
const EXTERNAL_ID_FREE: &str =
    "IF $external_id != NONE AND (SELECT VALUE id FROM account WHERE external_id = $external_id
        AND id != type::record('account', $id) LIMIT 1) != [] {
        THROW 'bw:field:external_id:another account already has this external id'
     };";

/// Names are unique (case-insensitively); the `account_name` index stays as the backstop.
const NAME_FREE: &str = "IF (SELECT VALUE id FROM account WHERE name_key = $name_key
        AND id != type::record('account', $id) LIMIT 1) != [] {
        THROW 'bw:field:name:an account with this name already exists'
     };";

/// Creates an account (with key `key`, or a new one); when it has an owner, the owner joins
/// its team as CSM in the same transaction. Its ARR starts at 0: `movements` (from
/// `store::revenue::groups`, for this key) set it through the ledger, in the same transaction.
pub async fn create(
    db: &Db, key: Option<String>, a: &ValidAccount, movements: Option<Value>,
) -> Result<Account, AppError> {
    check_owner(db, &a.owner_id).await?;
    let mut params = account_params(&key.unwrap_or_else(new_key), a);
    params["groups"] = movements.unwrap_or_else(|| json!([]));
    save(db, "", "CREATE", params).await
}

/// Changes an account; a new owner joins its team as CSM (unless already there) in the same
/// transaction. The ARR changes only through `movements` (see [`create`]). `arr_seq` is the
/// ledger position the form's ARR was judged against: if another save moved the ledger since,
/// the save is refused as a conflict (the caller judges again), so "ARR unchanged" never
/// silently keeps someone else's newer figure.
pub async fn update(
    db: &Db, id: &str, a: &ValidAccount, movements: Option<Value>, arr_seq: i64,
) -> Result<Account, AppError> {
    check_owner(db, &a.owner_id).await?;
    let mut params = account_params(id, a);
    params["groups"] = movements.unwrap_or_else(|| json!([]));
    params["arr_seq"] = json!(arr_seq);
    save(
        db,
        "IF !record::exists(type::record('account', $id)) { THROW 'bw:not_found:account' };
         IF (type::record('account', $id).arr_seq ?? 0) != $arr_seq {
            THROW 'bw:conflict:the account’s ARR changed meanwhile; check it again'
         };",
        "UPDATE",
        params,
    )
    .await
}

/// What an update through the accounts API (`POST /api/v1/accounts`) checks in the transaction
/// that writes: the stage crosses Churned, either way, only through a `churn` or
/// `reactivation` movement (`POST /api/v1/arr-movements`), which moves the ARR with it.
const API_UPDATE_GUARDS: &str =
    "IF !record::exists(type::record('account', $id)) { THROW 'bw:not_found:account' };
     LET $was = type::record('account', $id).stage;
     IF $stage = 'churned' AND $was != 'churned' AND type::record('account', $id).arr_minor > 0 {
        THROW 'bw:field:stage:send a churn movement to /api/v1/arr-movements; it marks the account Churned'
     };
     IF $stage != 'churned' AND $was = 'churned' {
        THROW 'bw:field:stage:this account is Churned; send a reactivation movement to /api/v1/arr-movements, which brings it back'
     };";

/// A conditional update (`if_unmodified_since`): refused when the account changed after the
/// time the caller last read it (its `updated_at`), so a sync never overwrites an edit it has
/// not seen.
const UNMODIFIED_SINCE: &str = "IF $unmodified_since != NONE
        AND type::record('account', $id).updated_at > <datetime>$unmodified_since {
        THROW 'bw:field:if_unmodified_since:the account was changed in Bellwether after this time; read it again (GET /api/v1/accounts/{id}), merge, and send its updated_at'
     };";

/// Changes an account as the accounts API does: like [`update`] with no movements, and never
/// churned nor reactivated here (see [`API_UPDATE_GUARDS`]); with `unmodified_since`, only if
/// the account has not changed since (see [`UNMODIFIED_SINCE`]).
pub async fn update_from_api(
    db: &Db, id: &str, a: &ValidAccount, unmodified_since: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Account, AppError> {
    check_owner(db, &a.owner_id).await?;
    let mut params = account_params(id, a);
    params["groups"] = json!([]);
    if let Some(t) = unmodified_since {
        params["unmodified_since"] = t.to_rfc3339().into();
    }
    save(db, &format!("{API_UPDATE_GUARDS}\n{UNMODIFIED_SINCE}"), "UPDATE", params).await
}

/// One transaction: the checks (`exists` first, for an update), the account written with
/// `write` (`CREATE` or `UPDATE`), its owner on the team as CSM unless already there, the ARR
/// movements (`$groups`), and the account read back.
async fn save(db: &Db, exists: &str, write: &str, params: Value) -> Result<Account, AppError> {
    let mut r = transact(
        db,
        &format!(
            "BEGIN;
             {EXTERNAL_ID_FREE}
             {exists}
             {NAME_FREE}
             LET $a = type::record('account', $id);
             {write} ONLY $a SET {SET_ACCOUNT}{arr};
             IF $owner != NONE AND (SELECT VALUE id FROM team_member WHERE account = $a
                    AND user = type::record('user', $owner) AND role = 'csm') = [] {{
                CREATE team_member SET account = $a, user = type::record('user', $owner), role = 'csm'
             }};
             {APPEND_SQL}
             SELECT {ENTRY_FIELDS}, contract_start FROM ONLY $a;
             COMMIT;",
            // The account's ARR is written in this first statement too (the movements below
            // write it again): a live query reports this statement's row, and the portfolio
            // index must not learn a stale ARR from it.
            arr = match (write, params["groups"][0]["arr"].as_i64()) {
                (_, Some(_)) => ", arr_minor = $groups[0].arr",
                ("CREATE", None) => ", arr_minor = 0",
                _ => "",
            },
        ),
        params,
    )
    .await?;
    Ok(r.before_commit::<AccountRowDb>()?.into())
}

/// The accounts among `ids` that exist, as they are now: what an import compares a row with,
/// so that a row changing nothing writes nothing.
pub async fn current(db: &Db, ids: &[String]) -> Result<Vec<Account>, AppError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let rows: Vec<AccountRowDb> = query_many(
        db,
        &format!(
            "LET $ids = array::map($keys, |$k| type::record('account', $k));
             SELECT {ENTRY_FIELDS}, contract_start, updated_at FROM $ids;"
        ),
        json!({ "keys": ids }),
    )
    .await?
    .take(1)?;
    Ok(rows.into_iter().map(Account::from).collect())
}

/// The account with its contacts and team, in one round trip.
pub async fn detail(db: &Db, id: &str) -> Result<AccountDetail, AppError> {
    let mut r = query_many(
        db,
        &format!(
            "LET $a = type::record('account', $id);
             SELECT {ENTRY_FIELDS}, contract_start, updated_at FROM ONLY $a;
             SELECT {CONTACT_FIELDS} FROM contact WHERE account = $a ORDER BY champion DESC, name;
             SELECT {TEAM_FIELDS} FROM team_member WHERE account = $a ORDER BY role, user_name;"
        ),
        json!({ "id": id }),
    )
    .await?;
    let account: Option<AccountRowDb> = r.take(1)?;
    let account = account.ok_or_else(|| AppError::NotFound("account".into()))?;
    let contacts: Vec<ContactRow> = r.take(2)?;
    let team: Vec<TeamRow> = r.take(3)?;
    Ok(AccountDetail {
        account: account.into(),
        contacts: contacts.into_iter().map(Into::into).collect(),
        team: team.into_iter().map(Into::into).collect(),
    })
}

/// Inserts many accounts (with their contacts and team) in one transaction; for demo data and
/// imports. Rows are already valid.
pub async fn insert_batch(
    db: &Db, accounts: Vec<Value>, contacts: Vec<Value>, team: Vec<Value>,
) -> Result<(), AppError> {
    transact(
        db,
        "BEGIN;
         INSERT INTO account (SELECT id, name, name_key, tier, industry, stage, arr_minor, currency,
             <datetime>contract_start AS contract_start, <datetime>renewal_date AS renewal_date,
             type::record('user', owner) AS owner, owner_name FROM $accounts) RETURN NONE;
         INSERT INTO contact (SELECT id, type::record('account', account) AS account, name, email, title, champion
             FROM $contacts) RETURN NONE;
         INSERT INTO team_member (SELECT type::record('account', account) AS account, type::record('user', user) AS user, role
             FROM $team) RETURN NONE;
         COMMIT;",
        super::vars(json!({ "accounts": accounts, "contacts": contacts, "team": team })),
    )
    .await?;
    Ok(())
}

/// An account's key, name and contract start: what cadences and My work need.
#[derive(Debug, Clone, Deserialize)]
pub struct Basics {
    #[serde(deserialize_with = "de::key")]
    pub id: AccountId,
    pub name: String,
    #[serde(deserialize_with = "de::date")]
    pub contract_start: chrono::NaiveDate,
    #[serde(default)]
    pub stage: Option<String>,
}

/// Live (not churned) accounts a person owns or is on the team of.
pub async fn of_user(db: &Db, user: &str) -> Result<Vec<Basics>, AppError> {
    query_many(
        db,
        "LET $u = type::record('user', $user);
         LET $team = SELECT VALUE account FROM team_member WHERE user = $u;
         SELECT id, name, contract_start, stage FROM account
         WHERE (owner = $u OR id IN $team) AND stage != 'churned' ORDER BY name;",
        json!({ "user": user }),
    )
    .await?
    .take(2)
}

/// Basics of the named accounts (unknown keys are left out).
pub async fn basics(db: &Db, ids: &[String]) -> Result<Vec<Basics>, AppError> {
    query_all(
        db,
        "SELECT id, name, contract_start, stage FROM array::map($keys, |$k| type::record('account', $k))
         WHERE name != NONE",
        json!({ "keys": ids }),
    )
    .await
}
