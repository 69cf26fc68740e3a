//! SurrealDB access: the only place SurrealQL lives. One module per aggregate; every query binds
//! its parameters. Rows come back as JSON and are read into the shared model types.

pub mod accounts;
pub mod activity;
pub mod alerts;
pub mod api_keys;
pub mod backup;
pub mod cache;
pub mod escalations;
pub mod feedback;
pub mod follow_ups;
pub mod health;
pub mod invitations;
pub mod jobs;
pub mod messages;
pub mod migrations;
pub mod plan_shares;
pub mod plans;
pub mod portfolio_index;
pub mod query;
pub mod responses;
pub mod revenue;
pub mod segment_moves;
pub mod segments;
pub mod sessions;
pub mod settings;
pub mod setup_codes;
pub mod surveys;
pub mod templates;
pub mod touchpoints;
pub mod usage;
pub mod users;
pub mod webhooks;

use crate::error::AppError;
use surrealdb::engine::any::Any;
use surrealdb::Surreal;

pub(crate) use query::{execute, query_all, query_many, query_one, query_value, transact, Results};

/// The database handle every layer passes around. Cloning it shares one client session: the
/// SDK's own `Surreal::clone` opens a new *server* session per clone on a SurrealDB server
/// (attach, then sign-in and `use` replayed over the connection, and clones made in a burst can
/// lose the replay and run unauthenticated) — and every request clones the app state.
#[derive(Clone)]
pub struct Db(std::sync::Arc<Surreal<Any>>);

impl std::ops::Deref for Db {
    type Target = Surreal<Any>;
    fn deref(&self) -> &Surreal<Any> {
        &self.0
    }
}

pub const NAMESPACE: &str = "bellwether";
pub const DATABASE: &str = "main";

/// Connects to `url` (`surrealkv://dir`, `mem://`, `ws://host:port`), signs in when credentials
/// are given (a SurrealDB server), selects our namespace and applies pending migrations.
pub async fn connect(url: &str, user: Option<&str>, pass: Option<&str>) -> Result<Db, AppError> {
    let db = open(url, user, pass).await?;
    migrations::apply(&db).await?;
    Ok(db)
}

/// [`connect`] without applying migrations (a restore loads a backup into an empty database
/// first, then migrates it).
pub async fn open(url: &str, user: Option<&str>, pass: Option<&str>) -> Result<Db, AppError> {
    let db = surrealdb::engine::any::connect(url)
        .await
        .map_err(|e| AppError::Internal(format!("cannot open the database at {url}: {e}")))?;
    let db = Db(std::sync::Arc::new(db));
    if let (Some(u), Some(p)) = (user, pass) {
        db.signin(surrealdb::opt::auth::Root { username: u.to_string(), password: p.to_string() })
            .await
            .map_err(|e| AppError::Internal(format!("database sign-in failed: {e}")))?;
    }
    db.use_ns(NAMESPACE).use_db(DATABASE).await.map_err(db_err)?;
    Ok(db)
}

/// The directory of an embedded SurrealKV store (`surrealkv://DIR?options`); `None` for any
/// other database URL.
pub fn surrealkv_dir(url: &str) -> Option<&std::path::Path> {
    let path = url.strip_prefix("surrealkv://")?;
    Some(std::path::Path::new(path.split('?').next().unwrap_or(path)))
}

/// Closes the database handle and, for an embedded SurrealKV store, waits until the store has
/// shut down — flushed its memtable to SSTables and released its `LOCK` file. Without this a
/// command that wrote a lot (`seed-demo`) exits with everything still in the write-ahead log
/// (the memtable is 1 GiB on a 24 GiB machine), and the next start replays all of it: 2.8 s
/// at 100 000 accounts. Every other handle must be gone already (the store closes when the
/// last one is dropped); after `patience` it gives up and says so.
pub async fn close(db: Db, url: &str, patience: std::time::Duration) {
    drop(db);
    let Some(dir) = surrealkv_dir(url) else { return };
    let lock = dir.join("LOCK");
    let deadline = std::time::Instant::now() + patience;
    loop {
        // The store holds an exclusive flock on LOCK until it is closed; once we can take it,
        // it is closed (our lock goes with the file handle at the end of this block).
        match std::fs::File::open(&lock) {
            Ok(f) if f.try_lock().is_ok() => return,
            Ok(_) => {}
            Err(_) => return,
        }
        if std::time::Instant::now() > deadline {
            tracing::warn!(
                "the database did not close within {patience:?}; the next start may be slow"
            );
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// A duration as SurrealQL reads it (`<duration>$lease`): whole milliseconds, at least one.
pub(crate) fn duration(d: std::time::Duration) -> String {
    format!("{}ms", d.as_millis().max(1))
}

/// A database failure we did not expect: logged in full, shown briefly.
fn db_err(e: surrealdb::Error) -> AppError {
    tracing::error!(error = %e, "database error");
    AppError::Internal("database error".into())
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
            map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, deep_vars(v))).collect(),
        ),
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(deep_vars).collect())
        }
        other => other,
    }
}

/// The row of `SELECT count() AS n … GROUP ALL`.
#[derive(serde::Deserialize)]
pub(crate) struct Count {
    pub n: u64,
}

/// The head of a row that belongs to an account, read from `id, account, account.name AS
/// account_name`: its own key (`K`, a typed id or `String`) and the account's key and name.
/// Flattened into each such row, so the three columns are read one way.
#[derive(serde::Deserialize)]
#[serde(bound = "K: From<String>")]
pub(crate) struct OnAccount<K> {
    #[serde(deserialize_with = "de::key")]
    pub id: K,
    #[serde(deserialize_with = "de::key")]
    pub account: crate::model::AccountId,
    #[serde(default)]
    pub account_name: Option<String>,
}

/// A new record key: time-ordered (UUID v7), so inserts land at the end of the table's keyspace.
pub fn new_key() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// The key of a record id as SurrealDB prints it (`user:⟨0193…⟩` → `0193…`).
pub fn key_of(record: &str) -> String {
    let k = record.split_once(':').map(|(_, k)| k).unwrap_or(record);
    k.trim_matches(|c| c == '⟨' || c == '⟩' || c == '`').to_string()
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

    /// A record id (`account:⟨0193…⟩`) read as its key, into a `String` or a typed id
    /// ([`crate::model::AccountId`] …).
    pub fn key<'de, D: Deserializer<'de>, K: From<String>>(d: D) -> Result<K, D::Error> {
        Ok(super::key_of(&String::deserialize(d)?).into())
    }

    /// Like [`key`], for a record link that may be absent.
    pub fn opt_key<'de, D: Deserializer<'de>, K: From<String>>(
        d: D,
    ) -> Result<Option<K>, D::Error> {
        Ok(Option::<String>::deserialize(d)?.map(|s| super::key_of(&s).into()))
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

/// A transaction on one account's rows: `body` runs with `$a` bound to the account named by the
/// `account` variable, after a check that it exists (refused as "account not found" otherwise).
pub(crate) async fn transact_on_account(
    db: &Db, body: &str, vars: serde_json::Value,
) -> Result<Results, AppError> {
    transact(
        db,
        &format!(
            "BEGIN;
             LET $a = type::record('account', $account);
             IF !record::exists($a) {{ THROW 'bw:not_found:account' }};
             {body}
             COMMIT;"
        ),
        vars,
    )
    .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_read_from_record_ids() {
        assert_eq!(super::key_of("user:⟨0193abc⟩"), "0193abc");
        assert_eq!(super::key_of("account:abc"), "abc");
        assert_eq!(super::key_of("abc"), "abc");
    }
}
