//! Recording ARR movements: from the account page's movements card, from the account form
//! (a changed ARR, marking an account Churned or bringing it back) and from the REST API's
//! `POST /api/v1/arr-movements`. Each is checked against the account's ledger end
//! ([`MovementInput::validate`]) and appended with the account's ARR in one transaction
//! (`store::revenue`); the dashboard figures are computed in `service::dashboard`.

use crate::error::{AppError, Checks, FieldError};
use crate::model::money::parse_major;
use crate::model::revenue::*;
use crate::model::usage::{AccountRef, EventError, IngestReport, MAX_BATCH};
use crate::model::validate::{date, optional_text};
use crate::model::{Account, Stage, ValidAccount};
use crate::state::AppState;
use crate::store;
use crate::store::revenue::{End, NewMovement};
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};

/// An account's ARR and ledger (the movements card).
pub async fn of_account(state: &AppState, account: &str) -> Result<AccountRevenue, AppError> {
    let ends = store::revenue::ends(&state.db, &[account.to_string()]).await?;
    let end = ends.get(account).ok_or_else(|| AppError::NotFound("account".into()))?;
    Ok(AccountRevenue {
        currency: end.currency.clone(),
        arr: end.last.as_ref().map_or(0, |m| m.arr_after),
        contract_start: end.contract_start,
        movements: store::revenue::history(&state.db, account).await?,
    })
}

/// Checks one movement against the ledger end, with the errors named as `fields` says
/// (`on` → the form's `arr_on`, …).
fn check(
    input: &MovementInput, end: &End, rename: &[(&str, &str)],
) -> Result<MovementKind, AppError> {
    let ledger = LedgerEnd {
        contract_start: end.contract_start,
        currency: &end.currency,
        last: end.last.as_ref(),
    };
    input.validate(ledger).map_err(|e| match e {
        AppError::Validation(errs) => AppError::Validation(
            errs.into_iter()
                .map(|f| {
                    let name = rename
                        .iter()
                        .find(|(from, _)| *from == f.field)
                        .map_or(f.field.as_str(), |(_, to)| to);
                    FieldError::new(name, f.message)
                })
                .collect(),
        ),
        other => other,
    })
}

/// The movements card: the new ARR on a day, and why. The kind follows from the amounts.
pub async fn record(
    state: &AppState, who: &str, account: &str, form: &MovementForm,
) -> Result<AccountRevenue, AppError> {
    let mut c = Checks::new();
    let on = date(&form.on).map_err(|m| c.fail("on", m)).ok();
    let arr = parse_major(&form.arr).map_err(|m| c.fail("arr", m)).ok();
    let reason =
        optional_text(&form.reason, REASON_MAX).map_err(|m| c.fail("reason", m)).ok().flatten();
    if let Some(on) = on {
        c.check(on <= chrono::Utc::now().date_naive(), "on", "is in the future");
    }
    c.finish()?;
    let (on, arr) = (on.unwrap_or_default(), arr.unwrap_or_default());
    let ends = store::revenue::ends(&state.db, &[account.to_string()]).await?;
    let end = ends.get(account).ok_or_else(|| AppError::NotFound("account".into()))?;
    let before = end.last.as_ref().map_or(0, |m| m.arr_after);
    let Some(kind) = infer_kind(before, arr, end.last.is_some()) else {
        return Err(AppError::field(
            "arr",
            "is the ARR the account already has; nothing to record",
        ));
    };
    let input = MovementInput {
        kind: kind.key().into(),
        on,
        arr_before: before,
        arr_after: arr,
        currency: end.currency.clone(),
    };
    check(&input, end, &[("arr_after", "arr"), ("kind", "arr"), ("arr_before", "arr")])?;
    let row = NewMovement {
        account: account.to_string(),
        on,
        kind,
        arr_before: before,
        arr_after: arr,
        currency: end.currency.clone(),
        reason,
        source: "form".into(),
        recorded_by: Some(who.to_string()),
        idempotency_key: format!("form:{}", store::new_key()),
    };
    store::revenue::append(&state.db, &[row], &ends, true).await?;
    refresh(state, account).await;
    of_account(state, account).await
}

/// The node that wrote applies the account at once (its live query follows within
/// milliseconds anyway), so the writer's next page shows the new ARR.
async fn refresh(state: &AppState, account: &str) {
    if let Ok(d) = store::accounts::detail(&state.db, account).await {
        state.portfolio.apply(&d.account);
    }
    state.dashboards.bump();
    state.rescore(vec![account.to_string()]);
}

/// What the account form's save does to the ledger: the movement its changes imply, checked,
/// as `$groups` for `store::accounts::{create, update}` (which append it in the account's own
/// transaction), `None` when the ARR does not change; and the ledger position it was judged
/// against.
///
/// - A new account with ARR: `new` on the contract start.
/// - A changed ARR: the inferred kind on `arr_on` (default today), with `arr_reason`.
/// - Stage set to Churned: `churn` to 0 (whatever the ARR field says); from Churned back to
///   another stage: `reactivation` to the ARR typed, which must be more than 0.
pub async fn from_account_form(
    state: &AppState, who: &str, id: Option<&str>, a: &ValidAccount, arr_on: &str, arr_reason: &str,
) -> Result<(Option<serde_json::Value>, i64), AppError> {
    let mut c = Checks::new();
    let reason =
        optional_text(arr_reason, REASON_MAX).map_err(|m| c.fail("arr_reason", m)).ok().flatten();
    let today = chrono::Utc::now().date_naive();
    let on = if arr_on.trim().is_empty() {
        Some(today)
    } else {
        date(arr_on).map_err(|m| c.fail("arr_on", m)).ok()
    };
    if let Some(on) = on {
        c.check(on <= today, "arr_on", "is in the future");
    }
    c.finish()?;
    let on = on.unwrap_or(today);
    let (key, end) = match id {
        None => {
            let key = store::new_key();
            let end = End {
                account: key.clone(),
                name: a.name.clone(),
                contract_start: a.contract_start,
                currency: a.currency.clone(),
                stage: a.stage,
                seq: 0,
                last: None,
            };
            (key, end)
        }
        Some(id) => {
            let mut ends = store::revenue::ends(&state.db, &[id.to_string()]).await?;
            let end = ends.remove(id).ok_or_else(|| AppError::NotFound("account".into()))?;
            (id.to_string(), end)
        }
    };
    let before = end.last.as_ref().map_or(0, |m| m.arr_after);
    let after = if a.stage == Stage::Churned { 0 } else { a.arr_minor };
    if end.stage == Stage::Churned && a.stage != Stage::Churned && after == 0 {
        return Err(AppError::field("arr", "enter the ARR the account comes back with"));
    }
    let seq = end.seq;
    let Some(kind) = infer_kind(before, after, end.last.is_some()) else {
        return Ok((None, seq));
    };
    // A new account's first ARR starts with its contract (a signed contract starting later is
    // dated then: the figures count it from that day), unless a date was given.
    let on = if id.is_none() && arr_on.trim().is_empty() { a.contract_start } else { on };
    if a.currency != end.currency && end.last.is_some() {
        return Err(AppError::field(
            "currency",
            "cannot change while the account has ARR movements (they are in the old currency)",
        ));
    }
    let input = MovementInput {
        kind: kind.key().into(),
        on,
        arr_before: before,
        arr_after: after,
        currency: a.currency.clone(),
    };
    let end = End { currency: a.currency.clone(), contract_start: a.contract_start, ..end };
    check(
        &input,
        &end,
        &[("on", "arr_on"), ("arr_after", "arr"), ("kind", "arr"), ("arr_before", "arr")],
    )?;
    let row = NewMovement {
        account: key.clone(),
        on,
        kind,
        arr_before: before,
        arr_after: after,
        currency: a.currency.clone(),
        reason,
        source: if matches!(kind, MovementKind::Churn | MovementKind::Reactivation) {
            "stage"
        } else {
            "form"
        }
        .into(),
        recorded_by: Some(who.to_string()),
        idempotency_key: format!("form:{}", store::new_key()),
    };
    let ends = HashMap::from([(key, end)]);
    Ok((Some(store::revenue::groups(&[row], &ends, false)), seq))
}

/// Saves the account form: the account and the movement its changes imply, in one transaction.
pub async fn save_account(
    state: &AppState, who: &str, id: Option<&str>, a: &ValidAccount, arr_on: &str, arr_reason: &str,
) -> Result<Account, AppError> {
    // Two people saving the same account at once: the one whose ARR judgement went stale is
    // judged again against the ledger the other left.
    let mut attempt = 0;
    let account = loop {
        attempt += 1;
        let (groups, seq) = from_account_form(state, who, id, a, arr_on, arr_reason).await?;
        let key = groups.as_ref().and_then(|g| g[0]["account"].as_str().map(String::from));
        let saved = match id {
            None => store::accounts::create(&state.db, key, a, groups).await,
            Some(id) => store::accounts::update(&state.db, id, a, groups, seq).await,
        };
        match saved {
            Err(AppError::Conflict(_)) if attempt < 20 => {
                // Jitter, so that two savers that collided do not retry in step.
                let jitter = u64::from(chrono::Utc::now().timestamp_subsec_nanos() % 7);
                tokio::time::sleep(std::time::Duration::from_millis(2 * attempt + jitter)).await;
            }
            other => break other?,
        }
    };
    state.portfolio.apply(&account);
    // This node's dashboards are stale now, not only once the live query reports the write.
    state.dashboards.bump();
    Ok(account)
}

/// One movement row of an API batch, checked on its own (no database).
struct Row {
    index: usize,
    account: AccountRef,
    input: MovementInput,
    reason: Option<String>,
    key: String,
}

fn fail(index: usize, key: Option<&str>, field: &str, message: impl Into<String>) -> EventError {
    EventError {
        index,
        idempotency_key: key.map(String::from),
        field: field.into(),
        message: message.into(),
    }
}

fn parse_row(index: usize, v: &serde_json::Value) -> Result<Row, EventError> {
    let key =
        v.get("idempotency_key").and_then(|k| k.as_str()).map(str::trim).filter(|k| !k.is_empty());
    let err = |field: &str, m: &str| fail(index, key, field, m);
    let obj = v.as_object().ok_or_else(|| err("movement", "must be a JSON object"))?;
    let text = |f: &str| -> Result<Option<&str>, EventError> {
        match obj.get(f) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.trim()).filter(|s| !s.is_empty())),
            Some(_) => Err(err(f, "must be a string")),
        }
    };
    let key = match key {
        None => {
            return Err(err("idempotency_key", "is required (any string unique to this movement)"))
        }
        Some(k) if k.chars().count() > 200 => {
            return Err(err("idempotency_key", "must be at most 200 characters"))
        }
        Some(k) if k.starts_with("form:") || k.starts_with("opening:") => return Err(err(
            "idempotency_key",
            "must not start with “form:” or “opening:” (kept for movements recorded in Bellwether)",
        )),
        Some(k) => k.to_string(),
    };
    let account = crate::model::usage::account_ref(text("account_id")?, text("external_id")?)
        .map_err(|(f, m)| err(f, &m))?;
    let kind = text("kind")?.ok_or_else(|| {
        err("kind", "is required: new, expansion, contraction, churn or reactivation")
    })?;
    let on_text =
        text("on")?.ok_or_else(|| err("on", "is required: the day it took effect (YYYY-MM-DD)"))?;
    let on = NaiveDate::parse_from_str(on_text, "%Y-%m-%d").map_err(|_| {
        fail(index, Some(&key), "on", format!("“{on_text}” is not a date (YYYY-MM-DD)"))
    })?;
    if on > chrono::Utc::now().date_naive() {
        return Err(err("on", "is in the future"));
    }
    let amount = |f: &str| -> Result<i64, EventError> {
        match obj.get(f) {
            Some(n) if n.is_i64() => Ok(n.as_i64().unwrap_or_default()),
            Some(n) if n.is_number() => {
                Err(err(f, "must be a whole number of minor units (cents)"))
            }
            None | Some(serde_json::Value::Null) => {
                Err(err(f, "is required (minor units, e.g. 1200000 for 12 000.00)"))
            }
            Some(_) => Err(err(f, "must be a number (minor units)")),
        }
    };
    let arr_before = amount("arr_before")?;
    let arr_after = amount("arr_after")?;
    let currency = text("currency")?
        .ok_or_else(|| err("currency", "is required (the account's currency, e.g. USD)"))?;
    let reason = text("reason")?.map(String::from);
    if reason.as_ref().is_some_and(|r| r.chars().count() > REASON_MAX) {
        return Err(err("reason", "must be at most 1000 characters"));
    }
    Ok(Row {
        index,
        account,
        input: MovementInput {
            kind: kind.to_string(),
            on,
            arr_before,
            arr_after,
            currency: currency.to_string(),
        },
        reason,
        key,
    })
}

/// `POST /api/v1/arr-movements`: a batch in the events API's semantics. Each account's rows
/// are checked in the order sent, each against the ledger as the rows before it left it; a
/// refused row changes nothing (and the rows after it for that account are checked against
/// the ledger without it). Rows whose key is already stored are duplicates.
pub async fn ingest(
    state: &AppState, key_name: &str, rows: &[serde_json::Value],
) -> Result<IngestReport, AppError> {
    crate::model::usage::check_batch_size(rows.len(), MAX_BATCH, "movements")?;
    for attempt in 1..=3 {
        match try_ingest(state, key_name, rows, "api", false).await {
            Err(AppError::Conflict(_)) if attempt < 3 => continue,
            other => return other,
        }
    }
    unreachable!("the last attempt returns")
}

/// Checks a batch and, unless `dry_run`, stores the good rows (see [`ingest`]); `source` is
/// kept with each movement (`api`, `import`).
async fn try_ingest(
    state: &AppState, key_name: &str, rows: &[serde_json::Value], source: &str, dry_run: bool,
) -> Result<IngestReport, AppError> {
    let mut errors = Vec::new();
    let mut parsed = Vec::with_capacity(rows.len());
    for (i, v) in rows.iter().enumerate() {
        match parse_row(i, v) {
            Ok(r) => parsed.push(r),
            Err(e) => errors.push(e),
        }
    }
    let items: Vec<(usize, &Row)> = parsed.iter().map(|r| (r.index, r)).collect();
    let (found, unknown) =
        super::portfolio::resolve_items(&state.db, &state.portfolio, &items, |r| {
            (&r.account, r.key.as_str())
        })
        .await?;
    errors.extend(unknown);
    let keys: Vec<&str> = found.iter().map(|(r, _)| r.key.as_str()).collect();
    let stored: HashSet<String> =
        store::revenue::stored_keys(&state.db, &keys).await?.into_iter().collect();
    let accounts: Vec<String> =
        found.iter().map(|(_, a)| a.clone()).collect::<HashSet<_>>().into_iter().collect();
    let ends = store::revenue::ends(&state.db, &accounts).await?;
    // Each account's ledger end as the accepted rows move it.
    let mut moving: HashMap<String, End> = ends.clone();
    let mut seen = HashSet::new();
    let mut duplicates = 0;
    let mut ready = Vec::new();
    for (r, account) in found {
        if stored.contains(&r.key) || !seen.insert(r.key.clone()) {
            duplicates += 1;
            continue;
        }
        let Some(end) = moving.get_mut(&account) else {
            errors.push(fail(r.index, Some(&r.key), "account_id", "no such account"));
            continue;
        };
        match check(&r.input, end, &[]) {
            Err(AppError::Validation(errs)) => {
                for f in errs.into_iter().take(1) {
                    errors.push(fail(r.index, Some(&r.key), &f.field, f.message));
                }
            }
            Err(e) => return Err(e),
            Ok(kind) => {
                let m = NewMovement {
                    account: account.clone(),
                    on: r.input.on,
                    kind,
                    arr_before: r.input.arr_before,
                    arr_after: r.input.arr_after,
                    currency: end.currency.clone(),
                    reason: r.reason.clone(),
                    source: source.into(),
                    recorded_by: Some(key_name.to_string()),
                    idempotency_key: r.key.clone(),
                };
                end.last = Some(Movement {
                    account: account.clone(),
                    on: m.on,
                    kind,
                    arr_before: m.arr_before,
                    arr_after: m.arr_after,
                });
                ready.push(m);
            }
        }
    }
    if dry_run {
        errors.sort_by_key(|e| e.index);
        return Ok(IngestReport {
            accepted: ready.len(),
            duplicates,
            rejected: errors.len(),
            errors,
        });
    }
    // One transaction: a batch is all stored or (on a failure) not at all, never half.
    store::revenue::append(&state.db, &ready, &ends, true).await?;
    let touched: Vec<String> =
        ready.iter().map(|m| m.account.clone()).collect::<HashSet<_>>().into_iter().collect();
    for a in &touched {
        if let Ok(d) = store::accounts::detail(&state.db, a).await {
            state.portfolio.apply(&d.account);
        }
    }
    state.dashboards.bump();
    state.rescore(touched);
    errors.sort_by_key(|e| e.index);
    Ok(IngestReport { accepted: ready.len(), duplicates, rejected: errors.len(), errors })
}

/// Reads a movements CSV (a header row naming the API's fields: `external_id` or `account_id`,
/// `kind`, `on`, `arr_before`, `arr_after` (minor units), `currency`, `reason`?,
/// `idempotency_key`?) into the API's rows. A row without an idempotency key gets one made from
/// its content, so importing the same file twice stores nothing the second time.
fn csv_rows(text: &str) -> Result<(Vec<serde_json::Value>, Vec<usize>), AppError> {
    use sha2::Digest;
    let mut reader =
        csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| AppError::field("csv", format!("the header row cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    for need in ["kind", "on", "arr_before", "arr_after", "currency"] {
        if !headers.iter().any(|h| h == need) {
            let columns = "external_id or account_id, kind, on, arr_before, arr_after, currency, reason, idempotency_key";
            return Err(AppError::field(
                "csv",
                format!("the header row has no “{need}” column (columns: {columns})"),
            ));
        }
    }
    if !headers.iter().any(|h| h == "external_id" || h == "account_id") {
        return Err(AppError::field(
            "csv",
            "the header row needs an external_id or account_id column",
        ));
    }
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| AppError::field("csv", format!("line {}: {e}", i + 2)))?;
        let mut obj = serde_json::Map::new();
        for (h, v) in headers.iter().zip(record.iter()) {
            if v.is_empty() {
                continue;
            }
            let value = match h.as_str() {
                "arr_before" | "arr_after" => v
                    .replace([',', ' ', '_'], "")
                    .parse::<i64>()
                    .map(Into::into)
                    .unwrap_or_else(|_| v.into()),
                _ => serde_json::Value::from(v),
            };
            obj.insert(h.clone(), value);
        }
        if !obj.contains_key("idempotency_key") {
            let content: Vec<&str> = record.iter().collect();
            let digest = sha2::Sha256::digest(content.join("\u{1f}").as_bytes());
            obj.insert(
                "idempotency_key".into(),
                format!("import:{}", hex::encode(&digest[..12])).into(),
            );
        }
        rows.push(serde_json::Value::Object(obj));
        lines.push(i + 2);
    }
    if rows.len() > MAX_BATCH {
        return Err(AppError::field(
            "csv",
            format!("{} rows; import at most {MAX_BATCH} at a time", rows.len()),
        ));
    }
    Ok((rows, lines))
}

/// The CSV import: `confirm = false` checks every row against the ledgers and writes nothing
/// (the preview); `confirm = true` stores the good rows, exactly as the API would.
pub async fn import_csv(
    state: &AppState, who: &str, text: &str, confirm: bool,
) -> Result<ImportOutcome, AppError> {
    if text.len() > IMPORT_MAX_BYTES {
        return Err(AppError::field("csv", "the file is larger than 4 MB; split it"));
    }
    let (rows, lines) = csv_rows(text)?;
    let report = {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match try_ingest(state, who, &rows, "import", !confirm).await {
                Err(AppError::Conflict(_)) if attempt < 3 => continue,
                other => break other?,
            }
        }
    };
    let keys: Vec<&str> =
        rows.iter().map(|r| r["idempotency_key"].as_str().unwrap_or_default()).collect();
    let stored: HashSet<String> =
        store::revenue::stored_keys(&state.db, &keys).await?.into_iter().collect();
    let errors: HashMap<usize, &EventError> = report.errors.iter().map(|e| (e.index, e)).collect();
    let text_of = |v: &serde_json::Value, f: &str| match &v[f] {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    let out_rows = rows
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let err = errors.get(&i);
            let outcome = match err {
                Some(_) => "refused",
                // After an import the stored rows are found too: say what this import did.
                None if stored.contains(keys[i]) && !confirm => "duplicate",
                None => "new",
            };
            ImportRow {
                line: lines[i],
                account: if v.get("external_id").is_some() {
                    text_of(v, "external_id")
                } else {
                    text_of(v, "account_id")
                },
                kind: text_of(v, "kind"),
                on: text_of(v, "on"),
                arr_before: text_of(v, "arr_before"),
                arr_after: text_of(v, "arr_after"),
                currency: text_of(v, "currency"),
                outcome: outcome.into(),
                field: err.map(|e| e.field.clone()),
                message: err.map(|e| e.message.clone()),
            }
        })
        .collect();
    Ok(ImportOutcome {
        preview: !confirm,
        stored: if confirm { report.accepted } else { 0 },
        duplicates: report.duplicates,
        refused: report.rejected,
        rows: out_rows,
    })
}
