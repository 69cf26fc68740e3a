//! The checks of one row of an import, with no database: what the row says, in the API's names,
//! or every field it gets wrong. The account rules are the account form's own
//! ([`AccountInput::validate`]), their field names mapped to the contract's.

use crate::error::AppError;
use crate::model::usage::EventError;
use crate::model::validate::is_email;
use crate::model::{AccountInput, Keyed, SizeTier, Stage, SurveyKind, ValidAccount};
use chrono::{DateTime, Months, NaiveDate, Utc};
use serde_json::Value;

/// Most characters of an external id or an idempotency key.
pub const MAX_KEY_CHARS: usize = 200;
/// Most characters of a comment (the `survey_response` schema's limit).
pub const MAX_COMMENT_CHARS: usize = 5000;
/// Imported answers older than this are history: they count in the figures but open no
/// follow-up (no one can close the loop on a months-old answer).
pub const FOLLOW_UP_WINDOW_DAYS: i64 = 30;
/// The earliest day an imported answer may carry: older is a broken export, not history.
pub const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => panic!("a valid date"),
};

/// A field's text, trimmed (`None` when absent, null or blank); an error when not a string.
fn text<'a>(v: &'a Value, field: &str) -> Result<Option<&'a str>, String> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim()).filter(|s| !s.is_empty())),
        Some(_) => Err("must be a string".into()),
    }
}

fn error(index: usize, key: Option<&str>, field: &str, message: impl Into<String>) -> EventError {
    EventError {
        index,
        idempotency_key: key.map(String::from),
        field: field.into(),
        message: message.into(),
    }
}

/// The keys of a closed set, quoted, for a message: `"a", "b" or "c"`.
fn keys<T: Keyed>() -> String {
    let all: Vec<String> = T::all().iter().map(|t| format!("\"{}\"", t.key())).collect();
    match all.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => all.join(""),
    }
}

/// An account row that passed every check that needs no database.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountRow {
    pub external_id: String,
    /// The account with no owner yet: the owner is found by `owner_email`.
    pub account: ValidAccount,
    pub owner_email: Option<String>,
    /// A conditional update: only if the account has not changed since (its `updated_at`).
    pub if_unmodified_since: Option<chrono::DateTime<chrono::Utc>>,
}

/// The contract's name of an account form field.
pub fn contract_field(form_field: &str) -> &str {
    match form_field {
        "renewal_date" => "renewal",
        "owner_id" => "owner_email",
        other => other,
    }
}

/// Checks one account row (`index` in the batch): every field error it has, in the contract's
/// names. A missing `renewal` is the contract start plus twelve months.
pub fn account_row(index: usize, v: &Value) -> Result<AccountRow, Vec<EventError>> {
    let mut errors = Vec::new();
    let mut fail = |field: &str, message: String| {
        if !errors.iter().any(|e: &EventError| e.field == field) {
            errors.push(error(index, None, field, message));
        }
    };
    if !v.is_object() {
        fail("account", "must be a JSON object".into());
        return Err(errors);
    }
    let mut field = |name: &str| text(v, name).map_err(|m| fail(name, m)).ok().flatten();
    let external_id = field("external_id");
    let [name, tier, industry, stage, currency, start, renewal, owner_email] = [
        "name",
        "tier",
        "industry",
        "stage",
        "currency",
        "contract_start",
        "renewal",
        "owner_email",
    ]
    .map(&mut field);
    match &external_id {
        None => fail("external_id", "is required: the account's id in your CRM".into()),
        Some(e) if e.chars().count() > MAX_KEY_CHARS => {
            fail("external_id", format!("must be at most {MAX_KEY_CHARS} characters"))
        }
        Some(_) => {}
    }
    if v.get("arr").is_some() || v.get("arr_minor").is_some() {
        let field = if v.get("arr").is_some() { "arr" } else { "arr_minor" };
        fail(field, "an account's ARR comes only from its ARR movements: send them to /api/v1/arr-movements".into());
    }
    let if_unmodified_since = match text(v, "if_unmodified_since") {
        Ok(None) => None,
        Ok(Some(t)) => match chrono::DateTime::parse_from_rfc3339(t) {
            Ok(t) => Some(t.with_timezone(&chrono::Utc)),
            Err(_) => {
                fail(
                    "if_unmodified_since",
                    "must be an RFC 3339 time, as updated_at is read".into(),
                );
                None
            }
        },
        Err(m) => {
            fail("if_unmodified_since", m);
            None
        }
    };
    let owner_email = owner_email.map(str::to_lowercase);
    if owner_email.as_deref().is_some_and(|e| !is_email(e)) {
        fail("owner_email", "is not an email address".into());
    }
    let renewal_given = renewal.is_some();
    let renewal = match renewal {
        Some(r) => r.to_string(),
        None => start
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .and_then(|s| s.checked_add_months(Months::new(12)))
            .map(|d| d.to_string())
            .unwrap_or_default(),
    };
    let input = AccountInput {
        name: name.unwrap_or_default().into(),
        tier: tier.unwrap_or_default().into(),
        industry: industry.unwrap_or_default().into(),
        stage: stage.unwrap_or_default().into(),
        arr: "0".into(),
        currency: currency.unwrap_or_default().into(),
        contract_start: start.unwrap_or_default().into(),
        renewal_date: renewal,
        external_id: external_id.unwrap_or_default().into(),
        ..AccountInput::default()
    };
    let account = match input.validate() {
        Ok(a) => Some(a),
        Err(AppError::Validation(found)) => {
            for e in found {
                let message = match e.field.as_str() {
                    "tier" => format!("must be {}", keys::<SizeTier>()),
                    "stage" => format!("must be {}", keys::<Stage>()),
                    // No renewal sent and no start to count from: the start's error says it.
                    "renewal_date" if !renewal_given => continue,
                    _ => e.message,
                };
                fail(contract_field(&e.field), message);
            }
            None
        }
        Err(e) => {
            fail("account", e.to_string());
            None
        }
    };
    match account {
        Some(account) if errors.is_empty() => Ok(AccountRow {
            external_id: input.external_id,
            account,
            owner_email,
            if_unmodified_since,
        }),
        _ => {
            errors.sort_by_key(|e| FIELD_ORDER.iter().position(|f| *f == e.field));
            Err(errors)
        }
    }
}

/// The order a row's errors are listed in: the contract's.
const FIELD_ORDER: [&str; 12] = [
    "account",
    "external_id",
    "name",
    "tier",
    "industry",
    "stage",
    "currency",
    "contract_start",
    "renewal",
    "owner_email",
    "arr",
    "arr_minor",
];

/// A survey answer row that passed every check that needs no database.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseRow {
    pub external_id: String,
    pub kind: SurveyKind,
    pub score: i64,
    pub at: DateTime<Utc>,
    pub comment: Option<String>,
    pub contact_email: Option<String>,
    pub idempotency_key: String,
}

/// Checks one imported survey answer (`index` in the batch) at `now`: the first thing wrong
/// with it, as the events API names it.
pub fn response_row(
    index: usize, v: &Value, now: DateTime<Utc>,
) -> Result<ResponseRow, EventError> {
    let key = v.get("idempotency_key").and_then(|k| k.as_str()).map(str::trim);
    let key = key.filter(|k| !k.is_empty() && k.chars().count() <= MAX_KEY_CHARS);
    let fail = |field: &str, message: String| error(index, key, field, message);
    if !v.is_object() {
        return Err(fail("response", "must be a JSON object".into()));
    }
    let field = |name: &str| text(v, name).map_err(|m| fail(name, m));
    let idempotency_key = match field("idempotency_key")? {
        None => {
            return Err(fail(
                "idempotency_key",
                "is required (any string unique to this answer, e.g. its id in the other tool)"
                    .into(),
            ))
        }
        Some(k) if k.chars().count() > MAX_KEY_CHARS => {
            return Err(fail(
                "idempotency_key",
                format!("must be at most {MAX_KEY_CHARS} characters"),
            ))
        }
        Some(k) => k.to_string(),
    };
    let external_id = match field("external_id")? {
        None => {
            return Err(fail("external_id", "is required: the account's id in your CRM".into()))
        }
        Some(e) if e.chars().count() > MAX_KEY_CHARS => {
            return Err(fail("external_id", format!("must be at most {MAX_KEY_CHARS} characters")))
        }
        Some(e) => e.to_string(),
    };
    let kind = field("kind")?
        .and_then(SurveyKind::parse)
        .ok_or_else(|| fail("kind", format!("must be {}", keys::<SurveyKind>())))?;
    let (lo, hi) = kind.range();
    let score = match v.get("score") {
        None | Some(Value::Null) => return Err(fail("score", "is required".into())),
        Some(s) => s.as_i64().filter(|n| (lo..=hi).contains(n)).ok_or_else(|| {
            fail("score", format!("must be a whole number from {lo} to {hi} ({})", kind.label()))
        })?,
    };
    let at = answered_at(field("on")?, field("at")?, now).map_err(|(f, m)| fail(f, m))?;
    let comment = field("comment")?;
    if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS) {
        return Err(fail("comment", format!("must be at most {MAX_COMMENT_CHARS} characters")));
    }
    let contact_email = field("contact_email")?.map(str::to_lowercase);
    if contact_email.as_deref().is_some_and(|e| !is_email(e)) {
        return Err(fail("contact_email", "is not an email address".into()));
    }
    Ok(ResponseRow {
        external_id,
        kind,
        score,
        at,
        comment: comment.map(String::from),
        contact_email,
        idempotency_key,
    })
}

/// When the customer answered: `on` (a day, read as its midnight UTC) or `at` (RFC 3339), one
/// of them; neither in the future nor before [`EARLIEST`].
fn answered_at(
    on: Option<&str>, at: Option<&str>, now: DateTime<Utc>,
) -> Result<DateTime<Utc>, (&'static str, String)> {
    let (field, when) =
        match (on, at) {
            (Some(_), Some(_)) => return Err(("on", "give on or at, not both".into())),
            (None, None) => return Err((
                "on",
                "is required: the day the customer answered, 2026-01-31 (or at: an RFC 3339 time)"
                    .into(),
            )),
            (Some(on), None) => {
                let day = NaiveDate::parse_from_str(on, "%Y-%m-%d")
                    .map_err(|_| ("on", "must be a date such as 2026-01-31".to_string()))?;
                ("on", day.and_time(chrono::NaiveTime::MIN).and_utc())
            }
            (None, Some(at)) => {
                let t = DateTime::parse_from_rfc3339(at).map_err(|_| {
                    ("at", "must be an RFC 3339 time such as 2026-01-31T14:05:00Z".to_string())
                })?;
                ("at", t.with_timezone(&Utc))
            }
        };
    // A clock a few minutes fast is not the future.
    if when > now + chrono::Duration::minutes(5) {
        return Err((field, "is in the future".into()));
    }
    if when.date_naive() < EARLIEST {
        return Err((field, format!("must be on or after {EARLIEST}")));
    }
    Ok(when)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        "2026-11-23T12:00:00Z".parse().unwrap()
    }

    fn account() -> Value {
        json!({"external_id": "crm-1", "name": "Acme", "tier": "mid_market", "industry": "Software",
               "stage": "growth", "currency": "usd", "contract_start": "2024-02-29"})
    }

    #[test]
    fn a_good_account_row_gets_its_renewal_a_year_on() {
        let row = account_row(0, &account()).unwrap();
        assert_eq!(row.external_id, "crm-1");
        let v = row.account;
        assert_eq!(v.renewal_date.to_string(), "2025-02-28");
        assert_eq!(v.arr_minor, 0);
        assert_eq!(v.currency, "USD");
    }

    #[test]
    fn every_bad_account_field_is_named_as_the_contract_names_it() {
        let mut bad = account();
        bad["tier"] = json!("huge");
        bad["renewal"] = json!("2024-01-01");
        bad["owner_email"] = json!("nobody");
        bad["currency"] = json!("XXX");
        bad["arr"] = json!(100);
        let errs = account_row(3, &bad).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["tier", "currency", "renewal", "owner_email", "arr"]);
        assert!(errs.iter().all(|e| e.index == 3));
        assert_eq!(errs[0].message, "must be \"enterprise\", \"mid_market\" or \"smb\"");
    }

    #[test]
    fn a_bad_start_without_renewal_is_one_error() {
        let mut bad = account();
        bad["contract_start"] = json!("2024-13-01");
        let errs = account_row(0, &bad).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "contract_start");
    }

    fn response() -> Value {
        json!({"external_id": "crm-1", "kind": "nps", "score": 3, "on": "2026-11-01",
               "idempotency_key": "r1"})
    }

    #[test]
    fn a_good_answer_and_its_scale() {
        let r = response_row(0, &response(), now()).unwrap();
        assert_eq!(r.at.to_rfc3339(), "2026-11-01T00:00:00+00:00");
        let mut csat = response();
        csat["kind"] = json!("csat");
        csat["score"] = json!(0);
        let e = response_row(4, &csat, now()).unwrap_err();
        assert_eq!((e.index, e.field.as_str()), (4, "score"));
        assert_eq!(e.idempotency_key.as_deref(), Some("r1"));
        csat["score"] = json!(4.5);
        assert_eq!(response_row(0, &csat, now()).unwrap_err().field, "score");
    }

    #[test]
    fn answers_are_dated_once_and_not_in_the_future() {
        let mut r = response();
        r["on"] = json!("2026-11-24");
        assert_eq!(response_row(0, &r, now()).unwrap_err().message, "is in the future");
        r["at"] = json!("2026-11-01T10:00:00Z");
        assert_eq!(response_row(0, &r, now()).unwrap_err().message, "give on or at, not both");
        r.as_object_mut().unwrap().remove("on");
        assert!(response_row(0, &r, now()).is_ok());
        r["at"] = json!("yesterday");
        assert_eq!(response_row(0, &r, now()).unwrap_err().field, "at");
        r["at"] = json!("1999-12-31T23:00:00Z");
        assert_eq!(response_row(0, &r, now()).unwrap_err().field, "at");
    }
}
