//! The one path every SurrealQL statement takes.
//!
//! Every query — one statement or a `BEGIN … COMMIT` transaction — runs through [`run`], which
//! checks every statement, retries SurrealKV's optimistic write conflicts, and turns failures into
//! [`AppError`]s by their *kind*, never by their message text:
//!
//! - a refusal raised inside a transaction with `THROW 'bw:kind:…'` (see [`thrown`]) becomes the
//!   matching `AppError` (the only convention: `bw:not_found:what`, `bw:forbidden:message`,
//!   `bw:conflict:message`, `bw:field:name:message`);
//! - a write conflict with a concurrent transaction (`QueryError::TransactionConflict`) is retried
//!   with a short back-off: a failed transaction applied nothing, so running it again is safe.
//!   A query of several statements *outside* a transaction could have applied some of them, so
//!   multi-statement writes must always be `BEGIN … COMMIT`;
//! - anything else is logged in full with the statement that caused it and shown as "database
//!   error".
//!
//! The small helpers ([`query_all`], [`query_one`], [`query_value`], [`query_many`], [`execute`],
//! [`transact`]) replace the `bind → map_err → take` chain each store function used to repeat.

use crate::error::AppError;
use serde::de::DeserializeOwned;
use surrealdb::types::QueryError;

use super::Db;

/// How many times a conflicting transaction is tried before we give up. Twelve tries back off
/// for about two seconds in all: eight (0.4 s) were seen to run out with eight writers on one
/// account while the whole test suite loaded both cores.
const ATTEMPTS: u64 = 12;

/// The results of a query that ran cleanly: read each statement's result by its index.
pub struct Results(surrealdb::IndexedResults);

impl Results {
    /// Statement `index`'s result, read through serde into `T`.
    pub fn take<T: DeserializeOwned>(&mut self, index: usize) -> Result<T, AppError> {
        let value: surrealdb::types::Value = self.0.take(index).map_err(unexpected)?;
        from_value(value)
    }

    /// The result of the last statement before `COMMIT` (which answers last itself).
    pub fn before_commit<T: DeserializeOwned>(&mut self) -> Result<T, AppError> {
        let n = self.0.num_statements();
        self.take(n.saturating_sub(2))
    }

    /// The result of the last statement.
    pub fn last<T: DeserializeOwned>(&mut self) -> Result<T, AppError> {
        let n = self.0.num_statements();
        self.take(n.saturating_sub(1))
    }
}

fn from_value<T: DeserializeOwned>(value: surrealdb::types::Value) -> Result<T, AppError> {
    serde_json::from_value(value.into_json_value()).map_err(|e| {
        tracing::error!(error = %e, "unexpected row shape");
        AppError::Internal("unexpected data in the database".into())
    })
}

fn unexpected(e: surrealdb::Error) -> AppError {
    tracing::error!(error = %e, "database error");
    AppError::Internal("database error".into())
}

/// Runs `sql` with `vars` (a JSON object), checks every statement and retries write conflicts.
/// See the module documentation for how failures are reported.
pub async fn run(db: &Db, sql: &str, vars: serde_json::Value) -> Result<Results, AppError> {
    let mut attempt = 0u64;
    loop {
        attempt += 1;
        let mut r = db.query(sql).bind(vars.clone()).await.map_err(|e| {
            if e.is_thrown() {
                thrown(e.message()).unwrap_or_else(|| unexpected(e))
            } else {
                unexpected(e)
            }
        })?;
        let errors = r.take_errors();
        if errors.is_empty() {
            return Ok(Results(r));
        }
        let mut errors: Vec<(usize, surrealdb::Error)> = errors.into_iter().collect();
        errors.sort_by_key(|(i, _)| *i);
        // Inside a failed transaction every statement reports "not executed"; the cause is the
        // first one that failed for another reason.
        let (index, cause) = errors
            .iter()
            .find(|(_, e)| e.query_details() != Some(&QueryError::NotExecuted))
            .or(errors.first())
            .map(|(i, e)| (*i, e))
            .expect("errors is not empty");
        if cause.is_thrown() {
            if let Some(e) = thrown(cause.message()) {
                return Err(e);
            }
        }
        if cause.query_details() == Some(&QueryError::TransactionConflict) && attempt < ATTEMPTS {
            tracing::debug!(attempt, "transaction conflict; retrying");
            // Jitter, so that writers that collided do not retry in step and collide again.
            let jitter = rand::random::<u64>() % (4 * attempt + 1);
            tokio::time::sleep(std::time::Duration::from_millis(3 * attempt * attempt + jitter))
                .await;
            continue;
        }
        tracing::error!(
            error = %cause,
            kind = cause.kind_str(),
            statement = index,
            query = %sql.chars().take(300).collect::<String>(),
            "database error"
        );
        return Err(AppError::Internal("database error".into()));
    }
}

/// All rows of a one-statement query.
pub async fn query_all<T: DeserializeOwned>(
    db: &Db, sql: &str, vars: serde_json::Value,
) -> Result<Vec<T>, AppError> {
    run(db, sql, vars).await?.take(0)
}

/// The first row of a one-statement query, if any.
pub async fn query_one<T: DeserializeOwned>(
    db: &Db, sql: &str, vars: serde_json::Value,
) -> Result<Option<T>, AppError> {
    let rows: Vec<T> = query_all(db, sql, vars).await?;
    Ok(rows.into_iter().next())
}

/// The whole result of a one-statement query read as `T` (`RETURN …`, `SELECT VALUE … LIMIT 1`
/// read as an `Option`, a count).
pub async fn query_value<T: DeserializeOwned>(
    db: &Db, sql: &str, vars: serde_json::Value,
) -> Result<T, AppError> {
    run(db, sql, vars).await?.take(0)
}

/// Several statements read in one round trip — `LET`s and `SELECT`s, or a single write among
/// them — each read with [`Results::take`] by its index. Two or more writes belong in
/// [`transact`], so that they apply together or not at all.
pub async fn query_many(db: &Db, sql: &str, vars: serde_json::Value) -> Result<Results, AppError> {
    run(db, sql, vars).await
}

/// Runs a query for its effect only.
pub async fn execute(db: &Db, sql: &str, vars: serde_json::Value) -> Result<(), AppError> {
    run(db, sql, vars).await.map(|_| ())
}

/// Runs a `BEGIN … COMMIT` transaction; read results with [`Results::take`] or
/// [`Results::before_commit`]. Refuses (in debug builds) a text that is not a transaction, so
/// every multi-statement write is atomic and safe to retry.
pub async fn transact(db: &Db, sql: &str, vars: serde_json::Value) -> Result<Results, AppError> {
    debug_assert!(sql.trim_start().starts_with("BEGIN"), "transact takes a BEGIN … COMMIT text");
    run(db, sql, vars).await
}

/// A refusal raised inside a transaction with `THROW 'bw:kind:…'`: `bw:not_found:what`,
/// `bw:forbidden:message`, `bw:conflict:message` or `bw:field:name:message`. Anything else is
/// not ours.
pub(crate) fn thrown(message: &str) -> Option<AppError> {
    let at = message.find("bw:")?;
    let rest = message[at + 3..].trim_end_matches(['\'', '"', '.']);
    let (kind, msg) = rest.split_once(':')?;
    match kind {
        "not_found" => Some(AppError::NotFound(msg.to_string())),
        "forbidden" => Some(AppError::Forbidden(msg.to_string())),
        "conflict" => Some(AppError::Conflict(msg.to_string())),
        "field" => {
            let (field, m) = msg.split_once(':')?;
            Some(AppError::field(field, m))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::error::AppError;

    #[test]
    fn refusals_thrown_in_transactions() {
        assert_eq!(
            super::thrown("An error occurred: bw:not_found:task on this plan"),
            Some(AppError::NotFound("task on this plan".into()))
        );
        assert_eq!(
            super::thrown("An error occurred: bw:field:due:is too late"),
            Some(AppError::field("due", "is too late"))
        );
        assert_eq!(
            super::thrown("An error occurred: bw:conflict:used by the survey “Q4: NPS”"),
            Some(AppError::Conflict("used by the survey “Q4: NPS”".into()))
        );
        assert_eq!(super::thrown("Database record already exists"), None);
    }
}
