//! CSV import of accounts and contacts, one slice of a file at a time: the browser reads the
//! file in slices that end on a record (`model::import`) and sends each with the file's
//! headers and the admin's mapping; the server never holds more than one slice, however large
//! the file. Each record becomes the JSON row the REST API takes, so a row is checked, refused
//! by column and written exactly as a CRM sync's would be: accounts upserted by external id
//! (`imports::account_outcomes`), contacts by account and email. A row that changes nothing
//! writes nothing, so importing a file again is harmless.

use super::imports::{account_outcomes, Outcome};
use super::portfolio;
use crate::error::AppError;
use crate::model::import::{
    check_mapping, label, record_key, ImportKind, RowOutcome, RowResult, SliceReport,
    MAX_SLICE_BYTES,
};
use crate::model::usage::AccountRef;
use crate::model::{Contact, ContactInput};
use crate::state::AppState;
use crate::store;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// What one call takes: the file's headers, a field key (or `""`) per column, one slice of
/// records (no header), and the spreadsheet row number of its first record.
pub struct Slice<'a> {
    pub kind: ImportKind,
    pub headers: &'a [String],
    pub mapping: &'a [String],
    pub csv: &'a str,
    pub first_row: u32,
    /// Check only: say what would happen, write nothing.
    pub dry_run: bool,
    /// Records (0-based, in this slice) whose key an earlier slice had: duplicates.
    pub repeats: &'a [u32],
}

/// Imports (or checks) one slice; every record gets a [`RowResult`].
pub async fn import_slice(state: &AppState, s: Slice<'_>) -> Result<SliceReport, AppError> {
    if s.csv.len() > MAX_SLICE_BYTES {
        return Err(AppError::field("csv", "a slice of the file may be at most 1 MB"));
    }
    check_mapping(s.kind, s.headers, s.mapping)?;
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(s.csv.as_bytes());
    let mut rows: Vec<(u32, Result<Value, String>)> = Vec::new();
    let mut results = Vec::new();
    let mut records = 0;
    for (i, record) in reader.records().enumerate() {
        records += 1;
        let row = s.first_row + i as u32;
        match record {
            Ok(r) if s.repeats.contains(&(i as u32)) => results.push(RowResult {
                row,
                key: record_key(s.kind, s.mapping, |c| r.get(c)),
                outcome: RowOutcome::Duplicate,
                problems: vec![],
            }),
            Ok(r) => rows.push((row, Ok(json_row(&s, &r)))),
            Err(e) => rows.push((row, Err(e.to_string()))),
        }
    }
    let (good, bad): (Vec<_>, Vec<_>) = rows.into_iter().partition(|(_, r)| r.is_ok());
    let batch: Vec<Value> = good.iter().map(|(_, r)| r.clone().unwrap_or_default()).collect();
    let outcomes = match s.kind {
        ImportKind::Accounts => account_outcomes(state, &batch, s.dry_run).await?,
        ImportKind::Contacts => contact_outcomes(state, &batch, s.dry_run).await?,
    };
    let column = columns(&s);
    let fields: Vec<String> = s.kind.fields().iter().map(|f| f.key.to_string()).collect();
    results.extend(outcomes.into_iter().map(|(i, outcome, problems)| RowResult {
        row: good[i].0,
        key: record_key(s.kind, &fields, |c| batch[i].get(&fields[c]).and_then(Value::as_str)),
        outcome,
        problems: problems.into_iter().map(|(f, m)| (column(&f), m)).collect(),
    }));
    results.extend(bad.into_iter().map(|(row, e)| RowResult {
        row,
        key: String::new(),
        outcome: RowOutcome::Refused,
        problems: vec![("file".into(), e.unwrap_err())],
    }));
    results.sort_by_key(|r| r.row);
    Ok(SliceReport { records, rows: results })
}

/// A record as the REST API's row: each mapped column's trimmed value under its field (empty
/// cells left out, so a field's default applies).
fn json_row(s: &Slice<'_>, record: &csv::StringRecord) -> Value {
    let mut row = Map::new();
    for (i, field) in s.mapping.iter().enumerate().filter(|(_, f)| !f.is_empty()) {
        let value = record.get(i).unwrap_or_default().trim();
        if !value.is_empty() {
            row.insert(field.clone(), Value::String(value.to_string()));
        }
    }
    Value::Object(row)
}

/// The column a field came from, as the file heads it (a computed field by its label).
fn columns<'a>(s: &'a Slice<'a>) -> impl Fn(&str) -> String + 'a {
    move |field: &str| {
        s.mapping
            .iter()
            .position(|m| m == field)
            .and_then(|i| s.headers.get(i))
            .cloned()
            .unwrap_or_else(|| match field {
                "account" | "file" => field.to_string(),
                other => label(s.kind, other).to_string(),
            })
    }
}

/// What becomes of each contact row: its account found by external id, the contact checked as
/// the account page checks it, then upserted by email within the account (unless it is the
/// same already). The first of two rows for one account and email counts.
async fn contact_outcomes(
    state: &AppState, batch: &[Value], dry_run: bool,
) -> Result<Vec<Outcome>, AppError> {
    let text =
        |v: &Value, f: &str| v.get(f).and_then(Value::as_str).unwrap_or_default().to_string();
    let refs: Vec<AccountRef> =
        batch.iter().map(|v| AccountRef::External(text(v, "account_external_id"))).collect();
    let found = portfolio::resolve(&state.db, &state.portfolio, &refs).await?;
    let accounts: Vec<String> =
        found.values().flatten().cloned().collect::<HashSet<_>>().into_iter().collect();
    let known: HashMap<(String, String), Contact> =
        store::accounts::contacts_of(&state.db, &accounts)
            .await?
            .into_iter()
            .map(|c| ((c.account_id.to_string(), c.email.clone()), c))
            .collect();
    let mut seen = HashSet::new();
    // Told once per account at the end of the slice, not once per row.
    let mut touched = HashSet::new();
    let mut out = Vec::with_capacity(batch.len());
    for (i, (v, r)) in batch.iter().zip(&refs).enumerate() {
        let mut problems = Vec::new();
        let account = match found.get(r).cloned().flatten() {
            Some(a) => Some(a),
            None if text(v, "account_external_id").is_empty() => {
                problems.push(("account_external_id".into(), "is required".into()));
                None
            }
            None => {
                problems.push((
                    "account_external_id".into(),
                    "no account has this external id: import the accounts first".into(),
                ));
                None
            }
        };
        let champion = text(v, "champion").to_lowercase();
        let input = ContactInput {
            name: text(v, "name"),
            email: text(v, "email"),
            title: text(v, "title"),
            champion: matches!(champion.as_str(), "yes" | "y" | "true" | "1" | "x")
                .then(|| "true".into()),
        };
        let valid = match input.validate() {
            Ok(c) => Some(c),
            Err(AppError::Validation(fields)) => {
                problems.extend(fields.into_iter().map(|f| (f.field, f.message)));
                None
            }
            Err(e) => return Err(e),
        };
        let (Some(account), Some(c), true) = (account, valid, problems.is_empty()) else {
            out.push((i, RowOutcome::Refused, problems));
            continue;
        };
        if !seen.insert((account.clone(), c.email.clone())) {
            out.push((i, RowOutcome::Duplicate, vec![]));
            continue;
        }
        let outcome = match known.get(&(account.clone(), c.email.clone())) {
            Some(k) if k.name == c.name && k.title == c.title && k.champion == c.champion => {
                RowOutcome::Unchanged
            }
            Some(_) if dry_run => RowOutcome::Updated,
            None if dry_run => RowOutcome::Created,
            _ => {
                let (_, created) = store::accounts::upsert_contact(&state.db, &account, &c).await?;
                touched.insert(account.clone());
                if created {
                    RowOutcome::Created
                } else {
                    RowOutcome::Updated
                }
            }
        };
        out.push((i, outcome, vec![]));
    }
    for account in touched {
        state.account_activity(&account);
    }
    Ok(out)
}
