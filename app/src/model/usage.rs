//! Product-usage events as the REST API receives them, and their checks. Each event is checked
//! on its own so that one bad event can be named (index, field, message) without rejecting
//! the good ones around it.

use super::validate::is_email;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Most events one request may carry.
pub const MAX_BATCH: usize = 10_000;
/// Events may be back-filled up to this many days; older ones cannot affect any score.
pub const MAX_AGE_DAYS: i64 = 400;

/// How an event names its account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AccountRef {
    Id(String),
    External(String),
}

/// An event that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidEvent {
    pub account: AccountRef,
    pub contact_email: Option<String>,
    pub kind: String,
    pub feature: Option<String>,
    pub at: DateTime<Utc>,
    pub idempotency_key: String,
}

/// What was wrong with one event of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EventError {
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    pub field: String,
    pub message: String,
}

fn text<'a>(v: &'a serde_json::Value, field: &str) -> Result<Option<&'a str>, String> {
    match v.get(field) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s.trim()).filter(|s| !s.is_empty())),
        Some(_) => Err("must be a string".into()),
    }
}

fn is_kind(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 50
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.:-".contains(c))
}

/// Checks one event (a JSON value from the batch) at `now`.
pub fn check_event(
    index: usize, v: &serde_json::Value, now: DateTime<Utc>,
) -> Result<ValidEvent, EventError> {
    let key = v.get("idempotency_key").and_then(|k| k.as_str()).map(|s| s.trim().to_string());
    let fail = |field: &str, message: String| EventError {
        index,
        idempotency_key: key.clone().filter(|k| !k.is_empty()),
        field: field.to_string(),
        message,
    };
    if !v.is_object() {
        return Err(fail("event", "must be a JSON object".into()));
    }
    let idem = text(v, "idempotency_key").map_err(|m| fail("idempotency_key", m))?;
    let idem = match idem {
        None => {
            return Err(fail(
                "idempotency_key",
                "is required (any string unique to this event, e.g. your event id)".into(),
            ))
        }
        Some(k) if k.chars().count() > 200 => {
            return Err(fail("idempotency_key", "must be at most 200 characters".into()))
        }
        Some(k) => k.to_string(),
    };
    let id = text(v, "account_id").map_err(|m| fail("account_id", m))?;
    let ext = text(v, "external_id").map_err(|m| fail("external_id", m))?;
    let account = account_ref(id, ext).map_err(|(f, m)| fail(f, m))?;
    let kind = text(v, "kind").map_err(|m| fail("kind", m))?.ok_or_else(|| {
        fail("kind", "is required: login, feature_used or your own (a–z, 0–9, _ . : -)".into())
    })?;
    if !is_kind(kind) {
        return Err(fail("kind", "must be login, feature_used or your own name of lower-case letters, digits and _ . : - (at most 50)".into()));
    }
    let feature = text(v, "feature").map_err(|m| fail("feature", m))?;
    if kind == "feature_used" && feature.is_none() {
        return Err(fail("feature", "is required when kind is feature_used".into()));
    }
    if feature.is_some_and(|f| f.chars().count() > 100) {
        return Err(fail("feature", "must be at most 100 characters".into()));
    }
    let email = text(v, "contact_email").map_err(|m| fail("contact_email", m))?;
    if email.is_some_and(|e| !is_email(e)) {
        return Err(fail("contact_email", "is not an email address".into()));
    }
    let at_text = text(v, "at").map_err(|m| fail("at", m))?.ok_or_else(|| {
        fail("at", "is required: when it happened, RFC 3339 (2026-11-23T14:05:00Z)".into())
    })?;
    let at = DateTime::parse_from_rfc3339(at_text)
        .map_err(|_| {
            fail(
                "at",
                format!("“{at_text}” is not an RFC 3339 timestamp such as 2026-11-23T14:05:00Z"),
            )
        })?
        .with_timezone(&Utc);
    if at > now + chrono::Duration::minutes(5) {
        return Err(fail("at", "is in the future".into()));
    }
    if at < now - chrono::Duration::days(MAX_AGE_DAYS) {
        return Err(fail("at", format!("is more than {MAX_AGE_DAYS} days ago")));
    }
    Ok(ValidEvent {
        account,
        contact_email: email.map(|e| e.to_lowercase()),
        kind: kind.to_string(),
        feature: feature.map(|f| f.to_lowercase()),
        at,
        idempotency_key: idem,
    })
}

/// Refuses a batch of more than `max` items whole, naming what it holds (`events`,
/// `movements` …): every batch endpoint answers an oversized request the same way.
pub fn check_batch_size(len: usize, max: usize, noun: &str) -> Result<(), crate::error::AppError> {
    if len > max {
        return Err(crate::error::AppError::TooLarge(format!(
            "{len} {noun} in one batch; send at most {max} per request"
        )));
    }
    Ok(())
}

/// An item's account, named by `account_id` or `external_id` (exactly one of them), as every
/// batch endpoint reads it; the error is `(field, message)`.
pub fn account_ref(
    id: Option<&str>, ext: Option<&str>,
) -> Result<AccountRef, (&'static str, String)> {
    match (id, ext) {
        (Some(_), Some(_)) => {
            Err(("account_id", "give account_id or external_id, not both".into()))
        }
        (None, None) => {
            Err(("account_id", "is required (or external_id: the id in your CRM)".into()))
        }
        (Some(id), None) if id.len() <= 64 => Ok(AccountRef::Id(id.to_string())),
        (None, Some(e)) if e.chars().count() <= 200 => Ok(AccountRef::External(e.to_string())),
        (Some(_), None) => Err(("account_id", "is not an account id".into())),
        (None, Some(_)) => Err(("external_id", "must be at most 200 characters".into())),
    }
}

/// The answer to a batch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IngestReport {
    /// Events stored now.
    pub accepted: usize,
    /// Events whose idempotency key was already stored (or repeated in this batch): not counted again.
    pub duplicates: usize,
    pub rejected: usize,
    pub errors: Vec<EventError>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        "2026-11-23T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_good_event() {
        let e = check_event(
            0,
            &json!({"account_id": "abc", "kind": "feature_used", "feature": "Reports",
                    "contact_email": "Ann@Example.com", "at": "2026-11-23T11:00:00+01:00", "idempotency_key": "e1"}),
            now(),
        )
        .unwrap();
        assert_eq!(e.account, AccountRef::Id("abc".into()));
        assert_eq!(e.feature.as_deref(), Some("reports"));
        assert_eq!(e.contact_email.as_deref(), Some("ann@example.com"));
        assert_eq!(e.at, "2026-11-23T10:00:00Z".parse::<DateTime<Utc>>().unwrap());
    }

    #[test]
    fn each_mistake_names_its_field() {
        let base = json!({"external_id": "crm-1", "kind": "login", "at": "2026-11-23T11:00:00Z", "idempotency_key": "k"});
        let with = |k: &str, v: serde_json::Value| {
            let mut b = base.clone();
            b[k] = v;
            check_event(3, &b, now()).unwrap_err()
        };
        assert_eq!(with("at", json!("yesterday")).field, "at");
        assert!(with("at", json!("2027-01-01T00:00:00Z")).message.contains("future"));
        assert!(with("at", json!("2020-01-01T00:00:00Z")).message.contains("400 days"));
        assert_eq!(with("kind", json!("Log In")).field, "kind");
        assert_eq!(with("kind", json!("feature_used")).field, "feature");
        assert_eq!(with("contact_email", json!("nope")).field, "contact_email");
        assert_eq!(
            with("account_id", json!("a1")).message,
            "give account_id or external_id, not both"
        );
        let e = with("idempotency_key", json!(""));
        assert_eq!((e.index, e.field.as_str()), (3, "idempotency_key"));
        assert_eq!(with("kind", json!(5)).message, "must be a string");
        assert_eq!(check_event(0, &json!([1]), now()).unwrap_err().field, "event");
        let e = with("at", json!("nope"));
        assert_eq!(e.idempotency_key.as_deref(), Some("k"));
    }
}
