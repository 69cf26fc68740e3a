//! Reading the portfolio: from the in-memory index (`store::portfolio_index`), and what to do
//! while it loads (at start, or after its live query dropped). The rule lives here once:
//!
//! - a page, the industries, matching ids and account lookups are small questions the database
//!   answers quickly, so they fall back to it;
//! - every row a filter matches (scoring, what-if, the health distribution) would mean reading
//!   every account, which is what the index's own load does, so those wait for the index
//!   instead.

use crate::error::AppError;
use crate::model::usage::AccountRef;
use crate::model::{AccountRow, PortfolioFilter, PortfolioPage, PortfolioSummary};
use crate::store::portfolio_index::PortfolioIndex;
use crate::store::{self, Db};
use std::collections::{HashMap, HashSet};
use std::time::Duration;

/// How long a whole-portfolio read waits for the index's first load before giving up.
const LOAD_WAIT: Duration = Duration::from_secs(10);

/// One page of the portfolio.
pub async fn page(
    db: &Db, index: &PortfolioIndex, filter: &PortfolioFilter,
) -> Result<PortfolioPage, AppError> {
    match index.query(filter) {
        Some(page) => Ok(page),
        None => store::accounts::portfolio(db, filter).await,
    }
}

/// The industries in use, A→Z.
pub async fn industries(db: &Db, index: &PortfolioIndex) -> Result<Vec<String>, AppError> {
    match index.industries() {
        Some(list) => Ok(list),
        None => store::accounts::industries(db).await,
    }
}

/// The id of every account a filter matches (a segment's members).
pub async fn ids(
    db: &Db, index: &PortfolioIndex, filter: &PortfolioFilter,
) -> Result<Vec<String>, AppError> {
    store::accounts::ids_matching(db, index, filter).await
}

/// Every account row a filter matches, unsorted; waits for the index's load (see the module
/// note).
pub async fn rows(
    index: &PortfolioIndex, filter: &PortfolioFilter,
) -> Result<Vec<AccountRow>, AppError> {
    when_loaded(index, |i| i.rows_matching(filter)).await
}

/// What `read` answers from the index, once it has loaded (at most [`LOAD_WAIT`]).
pub async fn when_loaded<T>(
    index: &PortfolioIndex, read: impl Fn(&PortfolioIndex) -> Option<T>,
) -> Result<T, AppError> {
    let step = Duration::from_millis(50);
    for _ in 0..(LOAD_WAIT.as_millis() / step.as_millis()) {
        if let Some(found) = read(index) {
            return Ok(found);
        }
        tokio::time::sleep(step).await;
    }
    Err(AppError::Internal("the portfolio is still loading".into()))
}

/// Every account row.
pub async fn all_rows(index: &PortfolioIndex) -> Result<Vec<AccountRow>, AppError> {
    rows(index, &PortfolioFilter::default()).await
}

/// The account each reference names (`None`: no such account).
pub async fn resolve<'a>(
    db: &Db, index: &PortfolioIndex, refs: impl IntoIterator<Item = &'a AccountRef>,
) -> Result<HashMap<AccountRef, Option<String>>, AppError> {
    let mut found: HashMap<AccountRef, Option<String>> = HashMap::new();
    let mut unknown = HashSet::new();
    for r in refs {
        if found.contains_key(r) || unknown.contains(r) {
            continue;
        }
        match index.resolve(r) {
            Some(account) => {
                found.insert(r.clone(), account);
            }
            None => {
                unknown.insert(r.clone());
            }
        }
    }
    if !unknown.is_empty() {
        let unknown: Vec<AccountRef> = unknown.into_iter().collect();
        let map = store::usage::resolve_accounts(db, &unknown).await?;
        for r in unknown {
            let account = map.get(&r).cloned();
            found.insert(r, account);
        }
    }
    Ok(found)
}

/// The account of each checked batch item (`(index, item)`; `refs` gives an item's account
/// reference and idempotency key): the items whose account exists with its id, and an error
/// on `account_id` / `external_id` for each that names none. Events and messages alike.
pub async fn resolve_items<'a, T>(
    db: &Db, index: &PortfolioIndex, items: &'a [(usize, T)],
    refs: impl Fn(&T) -> (&AccountRef, &str),
) -> Result<(Vec<(&'a T, String)>, Vec<crate::model::usage::EventError>), AppError> {
    let accounts = resolve(db, index, items.iter().map(|(_, t)| refs(t).0)).await?;
    let mut found = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (i, t) in items {
        let (account, key) = refs(t);
        match accounts.get(account).cloned().flatten() {
            Some(id) => found.push((t, id)),
            None => errors.push(crate::model::usage::EventError {
                index: *i,
                idempotency_key: Some(key.to_string()),
                field: match account {
                    AccountRef::Id(_) => "account_id".into(),
                    AccountRef::External(_) => "external_id".into(),
                },
                message: "no account has this id".into(),
            }),
        }
    }
    Ok((found, errors))
}

/// Counts and ARR by tier and stage, and what renews soon (the dashboard), from the in-memory
/// index (a `GROUP BY` over every account took ~200 ms at 10 000 accounts); from SurrealDB
/// while the index loads.
pub async fn summary(db: &Db, index: &PortfolioIndex) -> Result<PortfolioSummary, AppError> {
    match index.rows_matching(&PortfolioFilter::default()) {
        Some(rows) => Ok(PortfolioSummary::of(&rows, chrono::Utc::now().date_naive())),
        None => store::accounts::summary(db).await,
    }
}
