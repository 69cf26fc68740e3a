//! Accounts with their contacts and team (one aggregate: contacts and team members never outlive
//! their account).

use super::portfolio_index::{Entry, ENTRY_FIELDS};
use super::{date_param, db_err, de, new_key, take, unique_err, Db};
use crate::error::AppError;
use crate::model::*;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
struct AccountRowDb {
    #[serde(deserialize_with = "de::key")]
    id: String,
    name: String,
    tier: SizeTier,
    industry: String,
    stage: Stage,
    arr_minor: i64,
    currency: String,
    #[serde(deserialize_with = "de::date")]
    contract_start: NaiveDate,
    #[serde(deserialize_with = "de::date")]
    renewal_date: NaiveDate,
    #[serde(default, deserialize_with = "de::opt_key")]
    owner: Option<String>,
    #[serde(default)]
    owner_name: Option<String>,
    #[serde(default)]
    external_id: Option<String>,
    #[serde(default)]
    health_score: Option<u8>,
    #[serde(default)]
    health_band: Option<crate::model::health::Band>,
}

impl From<AccountRowDb> for Account {
    fn from(r: AccountRowDb) -> Self {
        Account {
            id: r.id,
            name: r.name,
            tier: r.tier,
            industry: r.industry,
            stage: r.stage,
            arr_minor: r.arr_minor,
            currency: r.currency,
            contract_start: r.contract_start,
            renewal_date: r.renewal_date,
            owner_id: r.owner,
            owner_name: r.owner_name,
            external_id: r.external_id,
            health_score: r.health_score,
            health_band: r.health_band,
        }
    }
}

const ACCOUNT_FIELDS: &str =
    "id, name, tier, industry, stage, arr_minor, currency, contract_start, renewal_date, owner, owner_name, external_id, health_score, health_band";

fn account_params(id: &str, a: &ValidAccount) -> Value {
    json!({
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
    })
}

/// The owner must be an active admin or CSM; returns their name for the denormalised copy.
async fn check_owner(db: &Db, owner: &Option<String>) -> Result<(), AppError> {
    if let Some(owner) = owner {
        let user = super::users::get(db, owner)
            .await
            .map_err(|_| AppError::field("owner_id", "is not a Bellwether user"))?;
        if !user.active || !user.role.can_edit_accounts() {
            return Err(AppError::field(
                "owner_id",
                "must be an active admin or CSM",
            ));
        }
    }
    Ok(())
}

const SET_ACCOUNT: &str =
    "name = $name, name_key = $name_key, tier = $tier, industry = $industry, \
    stage = $stage, arr_minor = $arr_minor, currency = $currency, \
    contract_start = <datetime>$contract_start, renewal_date = <datetime>$renewal_date, \
    owner = IF $owner = NONE { NONE } ELSE { type::record('user', $owner) }, \
    owner_name = IF $owner = NONE { NONE } ELSE { type::record('user', $owner).name }, \
    external_id = $external_id, \
    churned_on = IF $stage = 'churned' { churned_on ?? time::now() } ELSE { NONE }, \
    updated_at = time::now()";

/// External ids identify accounts to other systems, so two accounts cannot share one.
async fn check_external_id(db: &Db, id: &str, external: &Option<String>) -> Result<(), AppError> {
    let Some(ext) = external else {
        return Ok(());
    };
    let mut r = db
        .query("SELECT VALUE id FROM account WHERE external_id = $ext AND id != type::record('account', $id) LIMIT 1")
        .bind(json!({ "ext": ext, "id": id }))
        .await
        .map_err(db_err)?;
    let taken: Vec<Value> = take(&mut r, 0)?;
    if taken.is_empty() {
        Ok(())
    } else {
        Err(AppError::field(
            "external_id",
            "another account already has this external id",
        ))
    }
}

/// Creates an account; when it has an owner, the owner joins its team as CSM in the same
/// transaction.
pub async fn create(db: &Db, a: &ValidAccount) -> Result<Account, AppError> {
    check_owner(db, &a.owner_id).await?;
    let id = new_key();
    check_external_id(db, &id, &a.external_id).await?;
    let mut r = db
        .query(format!(
            "BEGIN TRANSACTION;
             CREATE ONLY type::record('account', $id) SET {SET_ACCOUNT};
             IF $owner != NONE {{
                CREATE team_member SET account = type::record('account', $id), user = type::record('user', $owner), role = 'csm'
             }};
             SELECT {ACCOUNT_FIELDS} FROM ONLY type::record('account', $id);
             COMMIT TRANSACTION;"
        ))
        .bind(super::vars(account_params(&id, a)))
        .await
        .and_then(|r| r.check())
        .map_err(|e| unique_err(e, "account_name", "name", "an account with this name already exists"))?;
    let row: AccountRowDb = super::take_result_before_commit(&mut r)?;
    Ok(row.into())
}

pub async fn update(db: &Db, id: &str, a: &ValidAccount) -> Result<Account, AppError> {
    check_owner(db, &a.owner_id).await?;
    check_external_id(db, id, &a.external_id).await?;
    let result = db
        .query(format!(
            "BEGIN TRANSACTION;
             IF type::record('account', $id).id = NONE {{ THROW 'not_found' }};
             UPDATE ONLY type::record('account', $id) SET {SET_ACCOUNT};
             IF $owner != NONE AND (SELECT VALUE id FROM team_member WHERE account = type::record('account', $id) AND user = type::record('user', $owner) AND role = 'csm') = [] {{
                CREATE team_member SET account = type::record('account', $id), user = type::record('user', $owner), role = 'csm'
             }};
             SELECT {ACCOUNT_FIELDS} FROM ONLY type::record('account', $id);
             COMMIT TRANSACTION;"
        ))
        .bind(super::vars(account_params(id, a)))
        .await
        .and_then(|r| r.check());
    match result {
        Ok(mut r) => {
            let row: AccountRowDb = super::take_result_before_commit(&mut r)?;
            Ok(row.into())
        }
        Err(e) if e.to_string().contains("not_found") => Err(AppError::NotFound("account".into())),
        Err(e) => Err(unique_err(
            e,
            "account_name",
            "name",
            "an account with this name already exists",
        )),
    }
}

#[derive(Deserialize)]
struct ContactRow {
    #[serde(deserialize_with = "de::key")]
    id: String,
    #[serde(deserialize_with = "de::key")]
    account: String,
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

#[derive(Deserialize)]
struct TeamRow {
    #[serde(deserialize_with = "de::key")]
    id: String,
    #[serde(deserialize_with = "de::key")]
    account: String,
    #[serde(deserialize_with = "de::key")]
    user: String,
    user_name: String,
    user_email: String,
    role: TeamRole,
}

impl From<TeamRow> for TeamMember {
    fn from(r: TeamRow) -> Self {
        TeamMember {
            id: r.id,
            account_id: r.account,
            user_id: r.user,
            user_name: r.user_name,
            user_email: r.user_email,
            role: r.role,
        }
    }
}

/// The account with its contacts and team, in one round trip.
pub async fn detail(db: &Db, id: &str) -> Result<AccountDetail, AppError> {
    let mut r = db
        .query(format!(
            "LET $a = type::record('account', $id);
             SELECT {ACCOUNT_FIELDS} FROM ONLY $a;
             SELECT id, account, name, email, title, champion FROM contact WHERE account = $a ORDER BY champion DESC, name;
             SELECT id, account, user, user.name AS user_name, user.email AS user_email, role FROM team_member WHERE account = $a ORDER BY role, user_name;"
        ))
        .bind(super::vars(json!({ "id": id })))
        .await
        .map_err(db_err)?;
    let account: Option<AccountRowDb> = take(&mut r, 1)?;
    let account = account.ok_or_else(|| AppError::NotFound("account".into()))?;
    let contacts: Vec<ContactRow> = take(&mut r, 2)?;
    let team: Vec<TeamRow> = take(&mut r, 3)?;
    Ok(AccountDetail {
        account: account.into(),
        contacts: contacts.into_iter().map(Into::into).collect(),
        team: team.into_iter().map(Into::into).collect(),
    })
}

async fn ensure_account(db: &Db, id: &str) -> Result<(), AppError> {
    let mut r = db
        .query("SELECT VALUE id FROM ONLY type::record('account', $id)")
        .bind(super::vars(json!({ "id": id })))
        .await
        .map_err(db_err)?;
    let v: Option<Value> = take(&mut r, 0)?;
    match v {
        Some(Value::String(_)) => Ok(()),
        _ => Err(AppError::NotFound("account".into())),
    }
}

pub async fn add_contact(db: &Db, account_id: &str, c: &ValidContact) -> Result<Contact, AppError> {
    ensure_account(db, account_id).await?;
    let mut r = db
        .query(
            "CREATE ONLY type::record('contact', $id) SET account = type::record('account', $account),
                name = $name, email = $email, title = $title, champion = $champion
             RETURN id, account, name, email, title, champion",
        )
        .bind(super::vars(json!({ "id": new_key(), "account": account_id, "name": c.name, "email": c.email, "title": c.title, "champion": c.champion })))
        .await
        .and_then(|r| r.check())
        .map_err(|e| unique_err(e, "contact_account_email", "email", "this account already has a contact with this email"))?;
    let row: ContactRow = take(&mut r, 0)?;
    Ok(row.into())
}

/// Changes a contact; only a contact of `account_id` can be changed through that account.
pub async fn update_contact(
    db: &Db,
    account_id: &str,
    contact_id: &str,
    c: &ValidContact,
) -> Result<Contact, AppError> {
    let mut r = db
        .query(
            "UPDATE type::record('contact', $id) SET name = $name, email = $email, title = $title, champion = $champion
             WHERE account = type::record('account', $account)
             RETURN id, account, name, email, title, champion",
        )
        .bind(super::vars(json!({ "id": contact_id, "account": account_id, "name": c.name, "email": c.email, "title": c.title, "champion": c.champion })))
        .await
        .and_then(|r| r.check())
        .map_err(|e| unique_err(e, "contact_account_email", "email", "this account already has a contact with this email"))?;
    let rows: Vec<ContactRow> = take(&mut r, 0)?;
    rows.into_iter()
        .next()
        .map(Into::into)
        .ok_or_else(|| AppError::NotFound("contact".into()))
}

/// Removes a contact of the account and, in the same transaction, revokes the plan links shared
/// with them (see [`REVOKE_FOR_CONTACT`](super::plan_shares::REVOKE_FOR_CONTACT)); `by_name`
/// signs the activity entries.
pub async fn remove_contact(
    db: &Db,
    account_id: &str,
    contact_id: &str,
    by_name: &str,
) -> Result<(), AppError> {
    super::run_checked(
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
            revoke = super::plan_shares::REVOKE_FOR_CONTACT
        ),
        json!({ "id": contact_id, "account": account_id, "by_name": by_name }),
    )
    .await?;
    Ok(())
}

pub async fn add_team_member(
    db: &Db,
    account_id: &str,
    user_id: &str,
    role: TeamRole,
) -> Result<(), AppError> {
    ensure_account(db, account_id).await?;
    let user = super::users::get(db, user_id)
        .await
        .map_err(|_| AppError::field("user_id", "is not a Bellwether user"))?;
    if !user.active {
        return Err(AppError::field("user_id", "is deactivated"));
    }
    db.query("CREATE team_member SET account = type::record('account', $account), user = type::record('user', $user), role = $role")
        .bind(super::vars(json!({ "account": account_id, "user": user_id, "role": role.key() })))
        .await
        .and_then(|r| r.check())
        .map_err(|e| unique_err(e, "team_member_unique", "user_id", "is already on this team in that role"))?;
    Ok(())
}

pub async fn remove_team_member(
    db: &Db,
    account_id: &str,
    member_id: &str,
) -> Result<(), AppError> {
    let mut r = db
        .query("DELETE type::record('team_member', $id) WHERE account = type::record('account', $account) RETURN BEFORE")
        .bind(super::vars(json!({ "id": member_id, "account": account_id })))
        .await
        .and_then(|r| r.check())
        .map_err(db_err)?;
    let gone: Vec<Value> = take(&mut r, 0)?;
    if gone.is_empty() {
        return Err(AppError::NotFound("team member".into()));
    }
    Ok(())
}

/// The WHERE clause for a filter. Only fixed text goes into the query; every value is bound.
fn conditions(f: &PortfolioFilter) -> (String, Value) {
    let mut conds: Vec<&str> = Vec::new();
    let mut params = serde_json::Map::new();
    if let Some(q) = &f.q {
        conds.push("name_key CONTAINS $q");
        params.insert("q".into(), json!(q.to_lowercase()));
    }
    if let Some(t) = f.tier {
        conds.push("tier = $tier");
        params.insert("tier".into(), json!(t.key()));
    }
    if let Some(i) = &f.industry {
        conds.push("industry = $industry");
        params.insert("industry".into(), json!(i));
    }
    if let Some(s) = f.stage {
        conds.push("stage = $stage");
        params.insert("stage".into(), json!(s.key()));
    }
    match f.owner.as_deref() {
        Some("none") => conds.push("owner = NONE"),
        Some(o) => {
            conds.push("owner = type::record('user', $owner)");
            params.insert("owner".into(), json!(o));
        }
        None => {}
    }
    if let Some(d) = f.renewal_before {
        conds.push("renewal_date <= <datetime>$renewal_before");
        params.insert("renewal_before".into(), json!(date_param(d)));
    }
    let clause = if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    };
    (clause, Value::Object(params))
}

fn order_by(f: &PortfolioFilter) -> String {
    let col = match f.sort {
        SortKey::Name => "name_key",
        SortKey::Arr => "arr_minor",
        SortKey::Renewal => "renewal_date",
        SortKey::Tier => "tier",
        SortKey::Industry => "industry",
        SortKey::Stage => "stage",
        SortKey::Owner => "owner_name",
        SortKey::Health => "health_score",
    };
    let dir = if f.desc { "DESC" } else { "ASC" };
    // The name breaks ties so that paging is stable.
    if f.sort == SortKey::Name {
        format!("ORDER BY name_key {dir}")
    } else {
        format!("ORDER BY {col} {dir}, name_key ASC")
    }
}

/// One page of the portfolio and the number of accounts matching the filter.
pub async fn portfolio(db: &Db, f: &PortfolioFilter) -> Result<PortfolioPage, AppError> {
    let (clause, mut params) = conditions(f);
    params["start"] = json!(f.page as u64 * PAGE_SIZE as u64);
    params["limit"] = json!(PAGE_SIZE);
    let mut r = db
        .query(format!(
            "SELECT {ENTRY_FIELDS} FROM account {clause} {} LIMIT $limit START $start;
             SELECT count() AS n FROM account {clause} GROUP ALL;",
            order_by(f)
        ))
        .bind(super::vars(params))
        .await
        .map_err(db_err)?;
    let rows: Vec<Entry> = take(&mut r, 0)?;
    let total: Vec<super::Count> = take(&mut r, 1)?;
    Ok(PortfolioPage {
        rows: rows.iter().map(Entry::row).collect(),
        total: total.first().map_or(0, |c| c.n),
        page: f.page,
        page_size: PAGE_SIZE,
    })
}

/// Every account's lower-cased name (for bulk loaders that must avoid duplicates).
pub async fn name_keys(db: &Db) -> Result<Vec<String>, AppError> {
    let mut r = db
        .query("SELECT VALUE name_key FROM account")
        .await
        .map_err(db_err)?;
    take(&mut r, 0)
}

/// The distinct industries in use, for the filter's choices.
pub async fn industries(db: &Db) -> Result<Vec<String>, AppError> {
    let mut r = db
        .query("SELECT VALUE industry FROM account GROUP BY industry")
        .await
        .map_err(db_err)?;
    let mut v: Vec<String> = take(&mut r, 0)?;
    v.sort();
    Ok(v)
}

/// Counts and ARR by tier and stage, for the dashboard.
pub async fn summary(db: &Db) -> Result<PortfolioSummary, AppError> {
    #[derive(Deserialize)]
    struct Group {
        key: String,
        n: u64,
        arr: Option<i64>,
    }
    #[derive(Deserialize)]
    struct Money {
        currency: String,
        arr: Option<i64>,
    }
    let mut r = db
        .query(
            // Money is only added up within one currency: the tier and renewal figures are in
            // the portfolio's main currency (the one with the most active ARR).
            "SELECT currency, math::sum(arr_minor) AS arr FROM account WHERE stage != 'churned' GROUP BY currency;
             LET $cur = (SELECT currency, math::sum(arr_minor) AS arr FROM account WHERE stage != 'churned'
                GROUP BY currency ORDER BY arr DESC LIMIT 1)[0].currency;
             SELECT tier AS key, count() AS n, math::sum(IF currency = $cur { arr_minor } ELSE { 0 }) AS arr
                FROM account WHERE stage != 'churned' GROUP BY key;
             SELECT stage AS key, count() AS n, math::sum(IF currency = $cur { arr_minor } ELSE { 0 }) AS arr
                FROM account GROUP BY key;
             SELECT count() AS n, math::sum(IF currency = $cur { arr_minor } ELSE { 0 }) AS arr FROM account
                WHERE stage != 'churned' AND renewal_date >= time::now() AND renewal_date <= time::now() + 90d GROUP ALL;",
        )
        .await
        .map_err(db_err)?;
    let mut money: Vec<Money> = take(&mut r, 0)?;
    money.sort_by_key(|m| std::cmp::Reverse(m.arr.unwrap_or(0)));
    let tiers: Vec<Group> = take(&mut r, 2)?;
    let stages: Vec<Group> = take(&mut r, 3)?;
    #[derive(Deserialize)]
    struct Total {
        n: u64,
        arr: Option<i64>,
    }
    let renewing: Vec<Total> = take(&mut r, 4)?;
    let main_currency = money
        .first()
        .map(|m| m.currency.clone())
        .unwrap_or_else(|| "USD".into());
    let by_tier: Vec<_> = SizeTier::ALL
        .iter()
        .map(|t| {
            let g = tiers.iter().find(|g| g.key == t.key());
            (*t, g.map_or(0, |g| g.n), g.and_then(|g| g.arr).unwrap_or(0))
        })
        .collect();
    let by_stage = Stage::ALL
        .iter()
        .map(|s| {
            let g = stages.iter().find(|g| g.key == s.key());
            (*s, g.map_or(0, |g| g.n), g.and_then(|g| g.arr).unwrap_or(0))
        })
        .collect();
    Ok(PortfolioSummary {
        accounts: stages.iter().map(|g| g.n).sum(),
        arr_by_currency: money
            .into_iter()
            .map(|m| (m.currency, m.arr.unwrap_or(0)))
            .collect(),
        by_tier,
        by_stage,
        renewing_90d: renewing.first().map_or(0, |g| g.n),
        renewing_90d_arr: renewing.first().and_then(|g| g.arr).unwrap_or(0),
        main_currency,
    })
}

/// Inserts many accounts (with their contacts and team) in one transaction; for demo data and
/// imports. Rows are already valid.
pub async fn insert_batch(
    db: &Db,
    accounts: Vec<Value>,
    contacts: Vec<Value>,
    team: Vec<Value>,
) -> Result<(), AppError> {
    db.query(
        "BEGIN TRANSACTION;
         INSERT INTO account (SELECT id, name, name_key, tier, industry, stage, arr_minor, currency,
             <datetime>contract_start AS contract_start, <datetime>renewal_date AS renewal_date,
             type::record('user', owner) AS owner, owner_name FROM $accounts) RETURN NONE;
         INSERT INTO contact (SELECT id, type::record('account', account) AS account, name, email, title, champion
             FROM $contacts) RETURN NONE;
         INSERT INTO team_member (SELECT type::record('account', account) AS account, type::record('user', user) AS user, role
             FROM $team) RETURN NONE;
         COMMIT TRANSACTION;",
    )
    .bind(super::vars(json!({ "accounts": accounts, "contacts": contacts, "team": team })))
    .await
    .and_then(|r| r.check())
    .map_err(db_err)?;
    Ok(())
}

/// The ids of every account a filter matches (sort and page ignored): from the in-memory
/// index when it is loaded, from SurrealDB otherwise.
pub async fn ids_matching(
    db: &Db,
    index: &super::portfolio_index::PortfolioIndex,
    f: &PortfolioFilter,
) -> Result<Vec<String>, AppError> {
    if let Some(ids) = index.matching_ids(f) {
        return Ok(ids);
    }
    let (clause, params) = conditions(f);
    let mut r = db
        .query(format!("SELECT VALUE id FROM account {clause}"))
        .bind(super::vars(params))
        .await
        .map_err(db_err)?;
    let ids: Vec<String> = take(&mut r, 0)?;
    Ok(ids.iter().map(|i| super::key_of(i)).collect())
}

/// Contacts whose name or email contains `q` (case-insensitive), for pickers.
pub async fn search_contacts(db: &Db, q: &str, limit: usize) -> Result<Vec<PickItem>, AppError> {
    #[derive(serde::Deserialize)]
    struct Hit {
        #[serde(deserialize_with = "de::key")]
        id: String,
        name: String,
        email: String,
        #[serde(default)]
        account_name: Option<String>,
    }
    let mut r = db
        .query(
            "SELECT id, name, email, account.name AS account_name FROM contact
             WHERE string::lowercase(name) CONTAINS $q OR string::lowercase(email) CONTAINS $q
             ORDER BY name LIMIT $limit",
        )
        .bind(super::vars(
            json!({ "q": q.trim().to_lowercase(), "limit": limit }),
        ))
        .await
        .map_err(db_err)?;
    let hits: Vec<Hit> = take(&mut r, 0)?;
    Ok(hits
        .into_iter()
        .map(|h| PickItem {
            id: h.id,
            label: h.name,
            detail: format!("{} · {}", h.email, h.account_name.unwrap_or_default()),
        })
        .collect())
}

/// An account's key, name and contract start: what cadences and My work need.
#[derive(Debug, Clone, Deserialize)]
pub struct Basics {
    #[serde(deserialize_with = "de::key")]
    pub id: String,
    pub name: String,
    #[serde(deserialize_with = "de::date")]
    pub contract_start: chrono::NaiveDate,
    #[serde(default)]
    pub stage: Option<String>,
}

/// Live (not churned) accounts a person owns or is on the team of.
pub async fn of_user(db: &Db, user: &str) -> Result<Vec<Basics>, AppError> {
    let mut r = db
        .query(
            "LET $u = type::record('user', $user);
             LET $team = SELECT VALUE account FROM team_member WHERE user = $u;
             SELECT id, name, contract_start, stage FROM account
             WHERE (owner = $u OR id IN $team) AND stage != 'churned' ORDER BY name;",
        )
        .bind(json!({ "user": user }))
        .await
        .map_err(db_err)?;
    take(&mut r, 2)
}

/// Basics of the named accounts (unknown keys are left out).
pub async fn basics(db: &Db, ids: &[String]) -> Result<Vec<Basics>, AppError> {
    let mut r = db
        .query(
            "SELECT id, name, contract_start, stage FROM array::map($keys, |$k| type::record('account', $k))
             WHERE name != NONE",
        )
        .bind(json!({ "keys": ids }))
        .await
        .map_err(db_err)?;
    take(&mut r, 0)
}
