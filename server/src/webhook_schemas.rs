//! The webhook payloads, as the OpenAPI document's `webhooks` section describes them. The
//! database writes each event's `data` (migration 012); these types say what it holds, and the
//! integration tests read every delivered payload into them with unknown fields refused, so the
//! description and what receivers get cannot drift apart.

use app::model::alert::{AlertStatus, RuleKind, Severity};
use app::model::engagement::TouchpointKind;
use app::model::escalation::{EscalationSeverity, EscalationStatus};
use app::model::health::Band;
use app::model::revenue::MovementKind;
use app::model::webhook::WebhookEvent;
use app::model::{FollowUpStatus, SizeTier, Stage, SurveyKind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{
    ContentBuilder, PathItem, Paths, PathsBuilder, Ref, RefOr, Required, ResponseBuilder, Schema,
};
use utoipa::{PartialSchema, ToSchema};

/// Every delivery's body (Standard Webhooks: `type`, `timestamp`, `data`; plus the payload
/// version, raised only when a `data` shape changes incompatibly).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    #[serde(rename = "type")]
    pub event: String,
    pub timestamp: DateTime<Utc>,
    pub version: u32,
    pub data: serde_json::Value,
}

/// The account an event is about.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountRef {
    pub id: String,
    pub name: String,
    pub external_id: Option<String>,
}

/// `account.created`, `account.updated`: the account as it is now.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountData {
    pub id: String,
    pub external_id: Option<String>,
    pub name: String,
    pub tier: SizeTier,
    pub industry: String,
    pub stage: Stage,
    /// ARR in minor units of `currency` (cents).
    pub arr_minor: i64,
    pub currency: String,
    pub contract_start: DateTime<Utc>,
    pub renewal_date: DateTime<Utc>,
    pub owner_email: Option<String>,
    pub health_score: Option<u8>,
    pub health_band: Option<Band>,
    pub updated_at: DateTime<Utc>,
}

/// `health.band_changed`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BandData {
    pub account: AccountRef,
    /// The band before; none for an account scored for the first time.
    pub from: Option<Band>,
    pub to: Band,
    pub score: Option<u8>,
}

/// A survey, named.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyRef {
    pub id: String,
    pub name: String,
}

/// `survey.response_recorded`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseData {
    pub id: String,
    pub survey: SurveyRef,
    /// None for an answer through an anonymous link.
    pub account: Option<AccountRef>,
    pub contact_email: Option<String>,
    pub kind: SurveyKind,
    pub score: u8,
    pub comment: Option<String>,
    /// `email` (an invitation), `link` (the anonymous link) or `import`.
    pub channel: String,
    /// The contact answered again through the same link: this replaces their earlier answer.
    pub revised: bool,
    pub answered_at: DateTime<Utc>,
}

/// `follow_up.opened`, `follow_up.closed`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpData {
    pub id: String,
    pub account: Option<AccountRef>,
    pub survey: SurveyRef,
    /// The survey response that opened it.
    pub response: String,
    pub reason: String,
    pub due_at: DateTime<Utc>,
    pub assignee_email: Option<String>,
    pub status: FollowUpStatus,
    pub outcome: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// A success plan, named.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanRef {
    pub id: String,
    pub title: String,
}

/// `plan.task_completed`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskData {
    pub plan: PlanRef,
    pub account: AccountRef,
    /// The task's id.
    pub task: Option<String>,
    pub title: Option<String>,
    /// Who ticked it off, as the plan's activity names them.
    pub by: String,
    /// Ticked off by the customer, through the shared plan.
    pub by_customer: bool,
    pub at: DateTime<Utc>,
}

/// `touchpoint.logged`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TouchpointData {
    pub id: String,
    pub account: AccountRef,
    pub kind: TouchpointKind,
    pub date: DateTime<Utc>,
    pub attendees: Vec<String>,
    pub notes: String,
    pub next_steps: String,
    pub logged_by_email: Option<String>,
}

/// `alert.opened`, `alert.closed`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertData {
    pub id: String,
    pub account: AccountRef,
    pub rule: RuleKind,
    pub severity: Severity,
    pub status: AlertStatus,
    pub summary: String,
    pub owner_email: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

/// `escalation.opened`, `escalation.sla_breached`, `escalation.resolved`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalationData {
    pub id: String,
    pub account: AccountRef,
    /// The issue type's key (`technical`, `commercial` …).
    #[serde(rename = "type")]
    pub issue_type: String,
    pub severity: EscalationSeverity,
    pub title: String,
    pub status: EscalationStatus,
    /// The level of the escalation path it is at (1 first).
    pub level: u32,
    pub opened_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub root_cause: Option<String>,
    pub resolution: Option<String>,
    /// For `escalation.sla_breached`: the breach (`clock`, `at`, `cycle`).
    #[schema(value_type = Option<Object>)]
    pub breach: Option<serde_json::Value>,
}

/// `arr.movement_recorded`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MovementData {
    pub account: AccountRef,
    /// The movement's place in the account's ledger (1, 2, …).
    pub seq: u32,
    /// The key it was recorded under (an API caller's, or one Bellwether made).
    pub idempotency_key: String,
    pub kind: MovementKind,
    /// The day it took effect.
    pub on: DateTime<Utc>,
    pub arr_before: i64,
    pub arr_after: i64,
    pub currency: String,
    pub reason: Option<String>,
    /// Where it was recorded: `app`, `api`, `import` …
    pub source: String,
}

/// The schema of an event type's `data`.
fn data_schema(e: WebhookEvent) -> (&'static str, RefOr<Schema>) {
    use WebhookEvent::*;
    match e {
        AccountCreated | AccountUpdated => ("AccountData", AccountData::schema()),
        HealthBandChanged => ("BandData", BandData::schema()),
        SurveyResponseRecorded => ("ResponseData", ResponseData::schema()),
        FollowUpOpened | FollowUpClosed => ("FollowUpData", FollowUpData::schema()),
        TaskCompleted => ("TaskData", TaskData::schema()),
        TouchpointLogged => ("TouchpointData", TouchpointData::schema()),
        AlertOpened | AlertClosed => ("AlertData", AlertData::schema()),
        EscalationOpened | EscalationBreached | EscalationResolved => {
            ("EscalationData", EscalationData::schema())
        }
        ArrMovementRecorded => ("MovementData", MovementData::schema()),
    }
}

/// Parses a delivered `data` as its type's documented shape (tests).
pub fn check_data(e: WebhookEvent, data: serde_json::Value) -> Result<(), serde_json::Error> {
    use WebhookEvent::*;
    fn read<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> Result<(), serde_json::Error> {
        serde_json::from_value::<T>(v).map(|_| ())
    }
    match e {
        AccountCreated | AccountUpdated => read::<AccountData>(data),
        HealthBandChanged => read::<BandData>(data),
        SurveyResponseRecorded => read::<ResponseData>(data),
        FollowUpOpened | FollowUpClosed => read::<FollowUpData>(data),
        TaskCompleted => read::<TaskData>(data),
        TouchpointLogged => read::<TouchpointData>(data),
        AlertOpened | AlertClosed => read::<AlertData>(data),
        EscalationOpened | EscalationBreached | EscalationResolved => read::<EscalationData>(data),
        ArrMovementRecorded => read::<MovementData>(data),
    }
}

/// The schemas the webhooks refer to, for the document's components.
pub fn schemas() -> Vec<(String, RefOr<Schema>)> {
    let mut out: Vec<(String, RefOr<Schema>)> = vec![
        ("AccountRef".into(), AccountRef::schema()),
        ("SurveyRef".into(), SurveyRef::schema()),
        ("PlanRef".into(), PlanRef::schema()),
    ];
    for e in WebhookEvent::ALL {
        let (name, schema) = data_schema(*e);
        if !out.iter().any(|(n, _)| n == name) {
            out.push((name.into(), schema));
        }
    }
    out
}

/// The `webhooks` section: one POST per event type, with the Standard Webhooks headers.
pub fn webhooks() -> Paths {
    let mut paths = PathsBuilder::new();
    for e in WebhookEvent::ALL {
        let (name, _) = data_schema(*e);
        let body = ObjectBuilder::new()
            .property(
                "type",
                ObjectBuilder::new().schema_type(Type::String).enum_values(Some([e.key()])),
            )
            .required("type")
            .property(
                "timestamp",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                        utoipa::openapi::KnownFormat::DateTime,
                    )))
                    .description(Some("When it happened.")),
            )
            .required("timestamp")
            .property(
                "version",
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .enum_values(Some([1]))
                    .description(Some("The payload version.")),
            )
            .required("version")
            .property("data", Ref::from_schema_name(name))
            .required("data");
        let header = |n: &str, d: &str| {
            ParameterBuilder::new()
                .name(n)
                .parameter_in(ParameterIn::Header)
                .required(Required::True)
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .description(Some(d))
                .build()
        };
        let op = OperationBuilder::new()
            .operation_id(Some(format!("webhook_{}", e.key().replace('.', "_"))))
            .tag("Webhooks")
            .summary(Some(capitalised(e.label())))
            .description(Some(
                "Sent to every enabled endpoint that wants this type. Verify `webhook-signature` \
                 with the endpoint's secret (any Standard Webhooks library) and drop repeats of \
                 a `webhook-id` you have seen: a delivery is retried, under the same id, until \
                 your endpoint answers 2xx within 10 s, for up to 24 h.",
            ))
            .parameter(header("webhook-id", "The message id (`msg_…`), the same on every retry."))
            .parameter(header("webhook-timestamp", "Seconds since the epoch, at this attempt."))
            .parameter(header(
                "webhook-signature",
                "`v1,` and the base64 HMAC-SHA256 of `id.timestamp.body` with the secret.",
            ))
            .request_body(Some(
                RequestBodyBuilder::new()
                    .content("application/json", ContentBuilder::new().schema(Some(body)).build())
                    .required(Some(Required::True))
                    .build(),
            ))
            .response("2XX", ResponseBuilder::new().description("Received; not sent again."))
            .response(
                "default",
                ResponseBuilder::new()
                    .description("Anything else (or no answer): retried with back-off."),
            )
            .build();
        paths = paths.path(e.key(), PathItem::new(HttpMethod::Post, op));
    }
    paths.build()
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}
