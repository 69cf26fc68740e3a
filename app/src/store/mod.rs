//! SurrealDB access: the only place SurrealQL lives. One module per aggregate; every query binds
//! its parameters. Rows come back as JSON and are read into the shared model types.

pub mod accounts;
pub mod api_keys;
pub mod feedback;
pub mod follow_ups;
pub mod health;
pub mod invitations;
pub mod migrations;
pub mod plan_shares;
pub mod plans;
pub mod portfolio_index;
pub mod responses;
pub mod segments;
pub mod sessions;
pub mod settings;
pub mod setup_codes;
pub mod surveys;
pub mod templates;
pub mod touchpoints;
pub mod usage;
pub mod users;

use crate::error::AppError;
use serde::de::DeserializeOwned;
use surrealdb::engine::any::Any;
use surrealdb::Surreal;

pub type Db = Surreal<Any>;

pub const NAMESPACE: &str = "bellwether";
pub const DATABASE: &str = "main";

/// Connects to `url` (`surrealkv://dir`, `mem://`, `ws://host:port`), signs in when credentials
/// are given (a SurrealDB server), selects our namespace and applies pending migrations.
pub async fn connect(url: &str, user: Option<&str>, pass: Option<&str>) -> Result<Db, AppError> {
    let db = surrealdb::engine::any::connect(url)
        .await
        .map_err(|e| AppError::Internal(format!("cannot open the database at {url}: {e}")))?;
    if let (Some(u), Some(p)) = (user, pass) {
        db.signin(surrealdb::opt::auth::Root {
            username: u.to_string(),
            password: p.to_string(),
        })
        .await
        .map_err(|e| AppError::Internal(format!("database sign-in failed: {e}")))?;
    }
    db.use_ns(NAMESPACE)
        .use_db(DATABASE)
        .await
        .map_err(db_err)?;
    migrations::apply(&db).await?;
    Ok(db)
}

/// A database failure we did not expect: logged in full, shown briefly.
pub(crate) fn db_err(e: surrealdb::Error) -> AppError {
    tracing::error!(error = %e, "database error");
    AppError::Internal("database error".into())
}

/// Maps a unique-index violation to the field it concerns; anything else is a database error.
pub(crate) fn unique_err(e: surrealdb::Error, index: &str, field: &str, message: &str) -> AppError {
    let text = e.to_string();
    if text.contains(index) && text.contains("already contains") {
        AppError::field(field, message)
    } else {
        db_err(e)
    }
}

/// Runs one statement result through serde into `T`.
pub(crate) fn take<T: DeserializeOwned>(
    resp: &mut surrealdb::IndexedResults,
    index: usize,
) -> Result<T, AppError> {
    let value: surrealdb::types::Value = resp.take(index).map_err(db_err)?;
    serde_json::from_value(value.into_json_value()).map_err(|e| {
        tracing::error!(error = %e, "unexpected row shape");
        AppError::Internal("unexpected data in the database".into())
    })
}

/// Query variables from a JSON object, leaving out nulls: an absent variable is NONE in
/// SurrealQL, which `option<…>` fields accept, whereas JSON null arrives as NULL, which they
/// refuse.
pub(crate) fn vars(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => {
            serde_json::Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).collect())
        }
        other => other,
    }
}

/// Like [`vars`], but leaves out nulls at every depth (rows inside arrays too), so that a
/// missing value is NONE wherever it sits.
pub(crate) fn deep_vars(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => serde_json::Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, deep_vars(v)))
                .collect(),
        ),
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(deep_vars).collect())
        }
        other => other,
    }
}

/// The result of the last statement inside `BEGIN … COMMIT` (COMMIT itself answers last).
pub(crate) fn take_result_before_commit<T: DeserializeOwned>(
    resp: &mut surrealdb::IndexedResults,
) -> Result<T, AppError> {
    let n = resp.num_statements();
    take(resp, n.saturating_sub(2))
}

/// The row of `SELECT count() AS n … GROUP ALL`.
#[derive(serde::Deserialize)]
pub(crate) struct Count {
    pub n: u64,
}

/// A new record key: time-ordered (UUID v7), so inserts land at the end of the table's keyspace.
pub fn new_key() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// The key of a record id as SurrealDB prints it (`user:⟨0193…⟩` → `0193…`).
pub fn key_of(record: &str) -> String {
    let k = record.split_once(':').map(|(_, k)| k).unwrap_or(record);
    k.trim_matches(|c| c == '⟨' || c == '⟩' || c == '`')
        .to_string()
}

/// A datetime as SurrealDB returns it (RFC 3339); the epoch if unreadable.
pub(crate) fn parse_time(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&chrono::Utc))
        .unwrap_or_default()
}

/// Dates are stored as datetimes at midnight UTC.
pub(crate) fn date_param(d: chrono::NaiveDate) -> String {
    format!("{d}T00:00:00Z")
}

pub(crate) mod de {
    //! Serde helpers for values as SurrealDB returns them.
    use serde::{Deserialize, Deserializer};

    pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<chrono::NaiveDate, D::Error> {
        let s = String::deserialize(d)?;
        chrono::NaiveDate::parse_from_str(s.get(..10).unwrap_or(&s), "%Y-%m-%d")
            .map_err(serde::de::Error::custom)
    }

    pub fn key<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        Ok(super::key_of(&String::deserialize(d)?))
    }

    pub fn opt_key<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(Option::<String>::deserialize(d)?.map(|s| super::key_of(&s)))
    }

    pub fn opt_date<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<chrono::NaiveDate>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) => chrono::NaiveDate::parse_from_str(s.get(..10).unwrap_or(&s), "%Y-%m-%d")
                .map(Some)
                .map_err(serde::de::Error::custom),
        }
    }
}

/// Runs a multi-statement query (typically `BEGIN … COMMIT`) and checks every statement. When a
/// transaction fails, every statement reports "not executed due to a failed transaction"; the
/// error logged and returned is the one that caused it. A write conflict with a concurrent
/// transaction (SurrealKV is optimistic) is retried a few times: the transaction applied
/// nothing, so running it again is safe.
pub(crate) async fn run_checked(
    db: &Db,
    query: &str,
    vars: serde_json::Value,
) -> Result<surrealdb::IndexedResults, AppError> {
    let mut attempt = 0u64;
    loop {
        attempt += 1;
        let mut r = db.query(query).bind(vars.clone()).await.map_err(db_err)?;
        let errors = r.take_errors();
        if errors.is_empty() {
            return Ok(r);
        }
        let mut errors: Vec<(usize, surrealdb::Error)> = errors.into_iter().collect();
        errors.sort_by_key(|(i, _)| *i);
        let cause = errors
            .iter()
            .map(|(_, e)| e)
            .find(|e| !e.to_string().contains("failed transaction"))
            .or(errors.first().map(|(_, e)| e))
            .map(|e| e.to_string())
            .unwrap_or_default();
        if let Some(e) = thrown(&cause) {
            return Err(e);
        }
        if cause.contains("can be retried") && attempt < 6 {
            tracing::debug!(attempt, "transaction conflict; retrying");
            tokio::time::sleep(std::time::Duration::from_millis(5 * attempt * attempt)).await;
            continue;
        }
        tracing::error!(error = %cause, "database error");
        return Err(AppError::Internal("database error".into()));
    }
}

/// A refusal raised inside a transaction with `THROW 'bw:kind:…'`: `bw:not_found:what`,
/// `bw:forbidden:message`, `bw:conflict:message` or `bw:field:name:message`. Anything else is
/// not ours.
fn thrown(cause: &str) -> Option<AppError> {
    let at = cause.find("bw:")?;
    let rest = cause[at + 3..].trim_end_matches(['\'', '"', '.']);
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
    #[test]
    fn refusals_thrown_in_transactions() {
        use crate::error::AppError;
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

    #[test]
    fn keys_are_read_from_record_ids() {
        assert_eq!(super::key_of("user:⟨0193abc⟩"), "0193abc");
        assert_eq!(super::key_of("account:abc"), "abc");
        assert_eq!(super::key_of("abc"), "abc");
    }
}
