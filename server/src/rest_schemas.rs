//! The request bodies of the REST API's batch endpoints, as the OpenAPI document describes them.
//!
//! Why separate types: a batch is read as JSON values and each row is checked on its own (one
//! bad row must not refuse the batch, and each refusal names its row and field), so no Rust type
//! deserialises it. These types say what a good row is; they carry only the constraints the
//! checks enforce, so a row the document calls valid is never refused for its shape (the
//! contract test holds the server to this). Ids, keys and dates are strings. Lengths are in the
//! descriptions, not in `maxLength`: the checks trim a value before they count it.

#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, Utc};
use utoipa::ToSchema;

/// A batch: a JSON array of rows, or an object wrapping it under the endpoint's name. (Its
/// size limit is in the endpoint's description: a larger batch is a 413.)
macro_rules! batch {
    ($(#[$doc:meta])* $name:ident, $wrapped:ident, $row:ty, $field:ident) => {
        $(#[$doc])*
        #[derive(ToSchema)]
        #[serde(untagged)]
        pub enum $name {
            Rows(Vec<$row>),
            Wrapped($wrapped),
        }

        #[derive(ToSchema)]
        pub struct $wrapped {
            $field: Vec<$row>,
        }
    };
}

batch!(
    /// Up to 10 000 usage events.
    EventsBatch, EventsWrapped, UsageEvent, events
);
batch!(
    /// Up to 10 000 messages.
    MessagesBatch, MessagesWrapped, MessageEnvelope, messages
);
batch!(
    /// Up to 1 000 accounts.
    AccountsBatch, AccountsWrapped, AccountUpsert, accounts
);
batch!(
    /// Up to 10 000 survey answers.
    ResponsesBatch, ResponsesWrapped, SurveyResponseRow, responses
);
batch!(
    /// Up to 10 000 ARR movements.
    MovementsBatch, MovementsWrapped, ArrMovementRow, movements
);

/// One product-usage event. Name the account by `account_id` or by `external_id`.
#[derive(ToSchema)]
#[schema(example = json!({"external_id": "crm-42", "kind": "feature_used", "feature": "Reports",
    "contact_email": "ann@acme.example", "at": "2026-11-23T14:05:00Z", "idempotency_key": "evt-9f2"}))]
pub struct UsageEvent {
    /// Bellwether's id of the account.
    account_id: Option<String>,
    /// The account's id in your CRM.
    external_id: Option<String>,
    /// `login`, `feature_used`, or your own name (lower-case letters, digits, `_ . : -`; at
    /// most 50).
    kind: String,
    /// The feature used (at most 100 characters): required when `kind` is `feature_used`.
    feature: Option<String>,
    /// Who did it, when known.
    contact_email: Option<String>,
    /// When it happened (not in the future).
    at: DateTime<Utc>,
    /// Unique to this event (at most 200 characters): a re-sent event is counted once.
    idempotency_key: String,
}

/// Where a message went.
#[derive(ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// From the customer.
    In,
    /// To the customer.
    Out,
}

/// One message to or from a customer: its envelope, never its content.
#[derive(ToSchema)]
#[schema(example = json!({"external_id": "crm-42", "contact_email": "ann@acme.example",
    "thread_id": "ticket-881", "direction": "in", "at": "2026-11-23T14:05:00Z", "idempotency_key": "msg-1"}))]
pub struct MessageEnvelope {
    account_id: Option<String>,
    external_id: Option<String>,
    contact_email: Option<String>,
    /// The conversation this message belongs to (at most 200 characters).
    thread_id: String,
    direction: Direction,
    /// When it was sent (not in the future, at most a year ago).
    at: DateTime<Utc>,
    /// Unique to this message (at most 200 characters).
    idempotency_key: String,
}

/// One account from a CRM, upserted by `external_id`. Its ARR comes only from ARR movements.
#[derive(ToSchema)]
#[schema(example = json!({"external_id": "crm-42", "name": "Acme Rockets", "tier": "enterprise",
    "industry": "Manufacturing", "stage": "adoption", "currency": "USD", "contract_start": "2026-01-15",
    "renewal": "2027-01-15", "owner_email": "ada@yourcompany.example"}))]
pub struct AccountUpsert {
    /// The account's id in your CRM: the key of the upsert.
    external_id: String,
    name: String,
    /// `enterprise`, `mid_market` or `smb`.
    tier: String,
    industry: Option<String>,
    /// The lifecycle stage (`onboarding`, `adoption`, …; Churned only through a `churn` movement).
    stage: Option<String>,
    /// ISO 4217 code.
    currency: Option<String>,
    contract_start: NaiveDate,
    /// The contract start plus twelve months when left out.
    renewal: Option<NaiveDate>,
    /// An active admin or CSM.
    owner_email: Option<String>,
    /// Update only if the account has not changed in Bellwether since this time: send the
    /// `updated_at` you last read (`GET /api/v1/accounts/{id}`). Changed since, the row is
    /// refused on this field and nothing of it is written.
    if_unmodified_since: Option<DateTime<Utc>>,
}

/// One survey answer collected by another tool. Give `on` (a day) or `at` (a time).
#[derive(ToSchema)]
#[schema(example = json!({"external_id": "crm-42", "kind": "nps", "score": 9, "on": "2026-11-20",
    "comment": "Great onboarding", "contact_email": "ann@acme.example", "idempotency_key": "typeform-77"}))]
pub struct SurveyResponseRow {
    external_id: String,
    /// `nps` (0–10), `csat` (1–5) or `ces` (1–7).
    kind: String,
    score: i64,
    on: Option<NaiveDate>,
    at: Option<DateTime<Utc>>,
    comment: Option<String>,
    contact_email: Option<String>,
    idempotency_key: String,
}

/// One ARR movement, in minor units of the account's currency.
#[derive(ToSchema)]
#[schema(example = json!({"external_id": "crm-42", "kind": "expansion", "on": "2026-11-01",
    "arr_before": 4800000, "arr_after": 6000000, "currency": "USD", "reason": "40 more seats",
    "idempotency_key": "billing-3391"}))]
pub struct ArrMovementRow {
    account_id: Option<String>,
    external_id: Option<String>,
    /// `new`, `expansion`, `contraction`, `churn` or `reactivation`.
    kind: String,
    on: NaiveDate,
    arr_before: i64,
    arr_after: i64,
    currency: String,
    reason: Option<String>,
    idempotency_key: String,
}
