//! Imports from other systems through the REST API: accounts upserted by their CRM id
//! (`POST /api/v1/accounts`) and survey answers collected by another tool
//! (`POST /api/v1/survey-responses`). Each row is checked on its own ([`rows`]), so one bad row
//! is named by its index and field without refusing the good rows around it; a refused row
//! changes nothing.
//!
//! Accounts are written one transaction per row through the account store — the form's own
//! path, so names stay unique, the owner joins the team and the portfolio index hears of it —
//! except that ARR is never set here: a new account starts at 0 and an update keeps what its
//! ARR movements made it. Survey answers are stored like messages: one transaction for the
//! batch, idempotent by key.

pub mod rows;

use super::portfolio;
use crate::error::AppError;
use crate::model::import::RowOutcome;
use crate::model::usage::{AccountRef, EventError, IngestReport, MAX_BATCH};
use crate::model::{Role, User, ValidAccount};
use crate::state::AppState;
use crate::store;
use crate::store::responses::imported::{self, Imported};
use rows::{account_row, contract_field, response_row, AccountRow, FOLLOW_UP_WINDOW_DAYS};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// Most accounts one request may carry: each is its own transaction.
pub const MAX_ACCOUNTS: usize = 1_000;

/// The answer to a batch of accounts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AccountsReport {
    /// Accounts created now (their external id was new).
    pub created: usize,
    /// Accounts found by their external id and updated.
    pub updated: usize,
    /// Accounts found by their external id whose row changed nothing (nothing was written).
    #[serde(default)]
    pub unchanged: usize,
    /// Rows repeating an external id seen earlier in the batch: the first one counts.
    pub duplicates: usize,
    /// Rows refused (each listed in `errors`, one entry per field it gets wrong).
    pub rejected: usize,
    pub errors: Vec<EventError>,
}

/// Checks and upserts a batch of accounts (JSON values as sent). An oversized batch is refused
/// whole; otherwise the report lists every refused row by index and field.
pub async fn accounts(
    state: &AppState, batch: &[serde_json::Value],
) -> Result<AccountsReport, AppError> {
    crate::model::usage::check_batch_size(batch.len(), MAX_ACCOUNTS, "accounts")?;
    let mut report = AccountsReport::default();
    for (i, outcome, fields) in account_outcomes(state, batch, false).await? {
        match outcome {
            RowOutcome::Created => report.created += 1,
            RowOutcome::Updated => report.updated += 1,
            RowOutcome::Unchanged => report.unchanged += 1,
            RowOutcome::Duplicate => report.duplicates += 1,
            RowOutcome::Refused => {
                report.rejected += 1;
                report.errors.extend(fields.into_iter().map(|(field, message)| EventError {
                    index: i,
                    idempotency_key: None,
                    field,
                    message,
                }));
            }
        }
    }
    Ok(report)
}

/// One row's fate: its index in the batch, what became of it, and (when refused) each field
/// it got wrong, in the contract's names.
pub type Outcome = (usize, RowOutcome, Vec<(String, String)>);

/// What becomes of each row of a batch of accounts, in order. A row equal to the account it
/// names is left alone (`Unchanged`: nothing written, no `updated_at` moved, no webhook); with
/// `dry_run` nothing is written at all and the outcomes say what would happen.
pub async fn account_outcomes(
    state: &AppState, batch: &[serde_json::Value], dry_run: bool,
) -> Result<Vec<Outcome>, AppError> {
    let mut out: Vec<Outcome> = Vec::with_capacity(batch.len());
    let mut valid = Vec::with_capacity(batch.len());
    let mut seen = HashSet::new();
    for (i, v) in batch.iter().enumerate() {
        match account_row(i, v) {
            Ok(row) if !seen.insert(row.external_id.clone()) => {
                out.push((i, RowOutcome::Duplicate, vec![]))
            }
            Ok(row) => valid.push((i, row)),
            Err(errors) => out.push((
                i,
                RowOutcome::Refused,
                errors.into_iter().map(|e| (e.field, e.message)).collect(),
            )),
        }
    }
    let owners = owners(&state.db, &valid).await?;
    let refs: Vec<AccountRef> =
        valid.iter().map(|(_, r)| AccountRef::External(r.external_id.clone())).collect();
    let existing = portfolio::resolve(&state.db, &state.portfolio, &refs).await?;
    let ids: Vec<String> = existing.values().flatten().cloned().collect();
    let now: HashMap<String, crate::model::Account> = store::accounts::current(&state.db, &ids)
        .await?
        .into_iter()
        .map(|a| (a.id.to_string(), a))
        .collect();
    for ((i, row), r) in valid.iter().zip(&refs) {
        let id = existing.get(r).cloned().flatten();
        let account = owner_of(row, &owners)
            .map(|owner| ValidAccount { owner_id: owner.map(Into::into), ..row.account.clone() });
        let written = match account {
            Err(e) => Err(e),
            Ok(a) => match id.as_ref().and_then(|id| now.get(id)) {
                Some(current) if same(current, &a) => Ok(RowOutcome::Unchanged),
                _ if dry_run => {
                    Ok(if id.is_some() { RowOutcome::Updated } else { RowOutcome::Created })
                }
                _ => upsert(state, id, &a, row.if_unmodified_since).await?,
            },
        };
        out.push(match written {
            Ok(outcome) => (*i, outcome, vec![]),
            Err(fields) => (*i, RowOutcome::Refused, fields),
        });
    }
    out.sort_by_key(|o| o.0);
    Ok(out)
}

/// Whether writing `a` would change nothing of the account as it is (ARR is never written by
/// an import).
fn same(current: &crate::model::Account, a: &ValidAccount) -> bool {
    let c: &ValidAccount = current;
    ValidAccount { arr_minor: c.arr_minor, ..a.clone() } == *c
}

/// The users the batch names as owners, by email.
async fn owners(
    db: &store::Db, rows: &[(usize, AccountRow)],
) -> Result<HashMap<String, User>, AppError> {
    if rows.iter().all(|(_, r)| r.owner_email.is_none()) {
        return Ok(HashMap::new());
    }
    Ok(store::users::list(db).await?.into_iter().map(|u| (u.email.to_lowercase(), u)).collect())
}

/// The owner's user id a row names (`None`: no owner), or why it cannot be the owner.
fn owner_of(
    row: &AccountRow, owners: &HashMap<String, User>,
) -> Result<Option<String>, Vec<(String, String)>> {
    let Some(email) = &row.owner_email else {
        return Ok(None);
    };
    let refuse = |m: &str| Err(vec![("owner_email".to_string(), m.to_string())]);
    match owners.get(email) {
        None => refuse("no Bellwether user has this email"),
        Some(u) if !u.active || !matches!(u.role, Role::Admin | Role::Csm) => {
            refuse("must be an active admin or CSM")
        }
        Some(u) => Ok(Some(u.id.to_string())),
    }
}

/// Creates the account (`existing` is `None`) or updates it; `Ok(true)` when created. A
/// refusal of the row comes back as its fields' errors, in the contract's names; anything else
/// fails the request.
async fn upsert(
    state: &AppState, existing: Option<String>, a: &ValidAccount,
    unmodified_since: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Result<RowOutcome, Vec<(String, String)>>, AppError> {
    let written = match &existing {
        Some(id) => store::accounts::update_from_api(&state.db, id, a, unmodified_since).await,
        None => store::accounts::create(&state.db, None, a, None).await,
    };
    match written {
        Ok(account) => {
            state.portfolio.apply(&account);
            Ok(Ok(if existing.is_none() { RowOutcome::Created } else { RowOutcome::Updated }))
        }
        Err(AppError::Validation(fields)) => Ok(Err(fields
            .into_iter()
            .map(|f| (contract_field(&f.field).to_string(), f.message))
            .collect())),
        Err(AppError::NotFound(_)) => {
            Ok(Err(vec![("external_id".into(), "the account was deleted while this ran".into())]))
        }
        Err(e) => Err(e),
    }
}

/// Checks and stores a batch of imported survey answers (JSON values as sent), answered like
/// the events API. Answers count in every survey figure; a low one opens a follow-up only when
/// answered in the last [`FOLLOW_UP_WINDOW_DAYS`] days. The accounts that got answers are
/// re-scored.
pub async fn responses(
    state: &AppState, batch: &[serde_json::Value],
) -> Result<IngestReport, AppError> {
    crate::model::usage::check_batch_size(batch.len(), MAX_BATCH, "responses")?;
    let now = chrono::Utc::now();
    let mut errors = Vec::new();
    let mut valid = Vec::with_capacity(batch.len());
    for (i, v) in batch.iter().enumerate() {
        match response_row(i, v, now) {
            Ok(r) => valid.push((i, (i, AccountRef::External(r.external_id.clone()), r))),
            Err(e) => errors.push(e),
        }
    }
    let (found, unknown) =
        portfolio::resolve_items(&state.db, &state.portfolio, &valid, |(_, account, r)| {
            (account, r.idempotency_key.as_str())
        })
        .await?;
    errors.extend(unknown);
    let pairs: Vec<(String, String)> = found
        .iter()
        .filter_map(|((_, _, r), acc)| r.contact_email.clone().map(|e| (acc.clone(), e)))
        .collect();
    let contacts = imported::contacts_by_email(&state.db, &pairs).await?;
    let since = now - chrono::Duration::days(FOLLOW_UP_WINDOW_DAYS);
    let mut ready = Vec::with_capacity(found.len());
    for ((index, _, r), account) in found {
        let contact = match &r.contact_email {
            None => None,
            Some(email) => match contacts.get(&(account.clone(), email.clone())) {
                Some(c) => Some(c.clone()),
                None => {
                    errors.push(EventError {
                        index: *index,
                        idempotency_key: Some(r.idempotency_key.clone()),
                        field: "contact_email".into(),
                        message: "no contact of this account has this email: add the contact first, or leave contact_email out".into(),
                    });
                    continue;
                }
            },
        };
        ready.push(Imported {
            account,
            contact,
            kind: r.kind,
            score: r.score,
            at: r.at,
            comment: r.comment.clone(),
            idempotency_key: r.idempotency_key.clone(),
            follow_up: r.kind.needs_follow_up(r.score) && r.at >= since,
        });
    }
    let stored = if ready.is_empty() {
        imported::Stored::default()
    } else {
        let settings = state.surveys.settings().await?;
        imported::import(&state.db, &ready, settings.follow_up_days, now).await?
    };
    state.rescore(stored.accounts);
    errors.sort_by_key(|e| e.index);
    Ok(IngestReport {
        accepted: stored.accepted,
        duplicates: stored.duplicates,
        rejected: errors.len(),
        errors,
    })
}
