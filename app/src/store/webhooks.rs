//! Webhook endpoints, and the outbox of deliveries the sender works through.
//!
//! Messages and deliveries are written by the database, in the transaction of the change they
//! report (migration 012: `DEFINE EVENT … fn::webhook_emit`); this module registers endpoints,
//! reads the log, and hands due deliveries to senders. A claim sets a lease in one transaction,
//! so of several nodes claiming at once each delivery goes to one (the others' transactions
//! conflict and retry, then find it leased); a sender that dies leaves a lease that runs out,
//! and another node sends the delivery again under the same message id.

use super::{de, query_all, query_one, transact, vars, Db};
use crate::error::AppError;
use crate::model::webhook::{DeliveryStatus, ValidEndpoint, WebhookDelivery, WebhookEndpoint};
use crate::model::Timestamp;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct EndpointRow {
    #[serde(deserialize_with = "de::key")]
    id: String,
    url: String,
    description: String,
    events: Vec<String>,
    enabled: bool,
    #[serde(default)]
    disabled_reason: Option<String>,
    #[serde(default)]
    failing_since: Option<Timestamp>,
    created_at: Timestamp,
    #[serde(default)]
    creator: Option<String>,
    #[serde(default)]
    pending: Option<u64>,
    #[serde(default)]
    last: Option<LastRow>,
}

#[derive(Deserialize)]
struct LastRow {
    status: DeliveryStatus,
    created_at: Timestamp,
}

impl From<EndpointRow> for WebhookEndpoint {
    fn from(r: EndpointRow) -> Self {
        WebhookEndpoint {
            id: r.id,
            url: r.url,
            description: r.description,
            events: r.events,
            enabled: r.enabled,
            disabled_reason: r.disabled_reason,
            failing_since: r.failing_since,
            created_at: r.created_at,
            created_by: r.creator,
            pending: r.pending.unwrap_or(0),
            last_status: r.last.as_ref().map(|l| l.status),
            last_at: r.last.map(|l| l.created_at),
        }
    }
}

const ENDPOINT_FIELDS: &str = "id, url, description, events, enabled, disabled_reason,
    failing_since, created_at, created_by.name AS creator,
    (SELECT count() AS n FROM webhook_delivery WHERE endpoint = $parent.id AND status = 'pending'
        GROUP ALL)[0].n AS pending,
    (SELECT status, created_at FROM webhook_delivery WHERE endpoint = $parent.id
        ORDER BY created_at DESC LIMIT 1)[0] AS last";

/// Registers an endpoint with its signing secret.
pub async fn create(
    db: &Db, v: &ValidEndpoint, secret: &str, by: Option<&str>,
) -> Result<WebhookEndpoint, AppError> {
    let row: EndpointRow = query_one(
        db,
        &format!(
            "CREATE webhook_endpoint SET url = $url, description = $description, events = $events,
                secret = $secret, enabled = true,
                created_by = IF $by THEN type::record('user', $by) ELSE NONE END
             RETURN {ENDPOINT_FIELDS}"
        ),
        vars(json!({
            "url": v.url, "description": v.description, "events": v.event_keys(),
            "secret": secret, "by": by,
        })),
    )
    .await?
    .ok_or_else(|| AppError::Internal("endpoint not created".into()))?;
    Ok(row.into())
}

/// Every endpoint, oldest first, with its pending count and newest delivery.
pub async fn list(db: &Db) -> Result<Vec<WebhookEndpoint>, AppError> {
    let rows: Vec<EndpointRow> = query_all(
        db,
        &format!("SELECT {ENDPOINT_FIELDS} FROM webhook_endpoint ORDER BY created_at"),
        json!({}),
    )
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Switches an endpoint on or off. Switching it on forgets why it was off and when it began
/// failing, so the sender gives it a whole new retry window.
pub async fn set_enabled(db: &Db, id: &str, enabled: bool) -> Result<(), AppError> {
    let changed: Vec<serde_json::Value> = query_all(
        db,
        "UPDATE type::record('webhook_endpoint', $id) SET enabled = $enabled,
            disabled_reason = NONE, failing_since = NONE WHERE id != NONE RETURN id",
        json!({ "id": id, "enabled": enabled }),
    )
    .await?;
    found(changed)
}

/// Removes an endpoint and its delivery log.
pub async fn delete(db: &Db, id: &str) -> Result<(), AppError> {
    transact(
        db,
        "BEGIN;
         LET $e = type::record('webhook_endpoint', $id);
         IF !record::exists($e) { THROW 'bw:not_found:endpoint' };
         DELETE webhook_delivery WHERE endpoint = $e;
         DELETE $e;
         COMMIT;",
        json!({ "id": id }),
    )
    .await
    .map(|_| ())
}

fn found(changed: Vec<serde_json::Value>) -> Result<(), AppError> {
    if changed.is_empty() {
        Err(AppError::NotFound("endpoint".into()))
    } else {
        Ok(())
    }
}

#[derive(Deserialize)]
struct DeliveryRow {
    #[serde(deserialize_with = "de::key")]
    id: String,
    #[serde(deserialize_with = "de::key")]
    message: String,
    #[serde(rename = "type")]
    event: String,
    status: DeliveryStatus,
    attempts: u32,
    created_at: Timestamp,
    #[serde(default)]
    last_at: Option<Timestamp>,
    #[serde(default)]
    next_at: Option<Timestamp>,
    #[serde(default)]
    response_status: Option<u16>,
    #[serde(default)]
    latency_ms: Option<u32>,
    #[serde(default)]
    response_snippet: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

/// The Standard Webhooks message id of a message key.
pub fn message_id(key: &str) -> String {
    format!("msg_{key}")
}

/// An endpoint's newest `limit` deliveries, newest first.
pub async fn deliveries(
    db: &Db, endpoint: &str, limit: usize,
) -> Result<Vec<WebhookDelivery>, AppError> {
    let rows: Vec<DeliveryRow> = query_all(
        db,
        "SELECT id, message, type, status, attempts, created_at, last_at, next_at, response_status,
            latency_ms, response_snippet, error
         FROM webhook_delivery WHERE endpoint = type::record('webhook_endpoint', $e)
         ORDER BY created_at DESC LIMIT $limit",
        json!({ "e": endpoint, "limit": limit }),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| WebhookDelivery {
            id: r.id,
            message_id: message_id(&r.message),
            event: r.event,
            status: r.status,
            attempts: r.attempts,
            created_at: r.created_at,
            last_at: r.last_at,
            next_at: (r.status == DeliveryStatus::Pending).then_some(r.next_at).flatten(),
            response_status: r.response_status,
            latency_ms: r.latency_ms,
            response_snippet: r.response_snippet,
            error: r.error,
        })
        .collect())
}

/// Sends a delivery again, now, under the same message id (a receiver that already has it can
/// tell). Only a delivery of `endpoint` is touched; one being sent right now is left alone.
pub async fn resend(db: &Db, endpoint: &str, delivery: &str) -> Result<(), AppError> {
    transact(
        db,
        "BEGIN;
         LET $d = type::record('webhook_delivery', $id);
         IF $d.endpoint != type::record('webhook_endpoint', $e) { THROW 'bw:not_found:delivery' };
         IF $d.status = 'pending' AND $d.lease_until != NONE AND $d.lease_until > time::now() {
             THROW 'bw:conflict:this delivery is being sent right now'
         };
         UPDATE $d SET status = 'pending', next_at = time::now(), lease_until = NONE,
             created_at = time::now();
         COMMIT;",
        json!({ "id": delivery, "e": endpoint }),
    )
    .await
    .map(|_| ())
}

/// A delivery handed to a sender: where, with which secret, what.
#[derive(Debug, Clone, Deserialize)]
pub struct Due {
    #[serde(deserialize_with = "de::key")]
    pub id: String,
    #[serde(deserialize_with = "de::key")]
    pub endpoint: String,
    pub url: String,
    pub secret: String,
    #[serde(deserialize_with = "de::key")]
    pub message: String,
    #[serde(rename = "type")]
    pub event: String,
    pub data: serde_json::Value,
    /// When the event happened (the payload's `timestamp`).
    pub at: Timestamp,
    pub attempts: u32,
    /// When this delivery was made (or resent): the retry window starts here.
    pub created_at: Timestamp,
}

/// Claims up to `limit` due deliveries of enabled endpoints for `lease`; each goes to one
/// caller until its lease runs out.
pub async fn claim(
    db: &Db, limit: usize, lease: std::time::Duration,
) -> Result<Vec<Due>, AppError> {
    let mut r = transact(
        db,
        "BEGIN;
         LET $now = time::now();
         LET $ids = (SELECT VALUE id FROM webhook_delivery WHERE status = 'pending'
             AND next_at <= $now AND (lease_until = NONE OR lease_until < $now)
             AND endpoint.enabled = true ORDER BY next_at LIMIT $limit);
         UPDATE $ids SET lease_until = $now + <duration>$lease RETURN NONE;
         RETURN (SELECT id, endpoint, endpoint.url AS url, endpoint.secret AS secret, message,
             type, message.data AS data, message.at AS at, attempts, created_at FROM $ids);
         COMMIT;",
        json!({ "limit": limit, "lease": super::duration(lease) }),
    )
    .await?;
    r.before_commit()
}

/// What one attempt got.
#[derive(Debug, Clone, Default)]
pub struct Attempt {
    pub response_status: Option<u16>,
    pub latency_ms: Option<u32>,
    pub response_snippet: Option<String>,
    pub error: Option<String>,
}

/// After a failed attempt: try again at `retry_at`, or give the delivery up.
#[derive(Debug, Clone, Copy)]
pub enum AfterFailure {
    RetryAt(Timestamp),
    GiveUp,
}

/// An endpoint the sender has just switched off.
#[derive(Debug, Clone, Deserialize)]
pub struct Disabled {
    #[serde(deserialize_with = "de::key")]
    pub id: String,
    pub url: String,
    pub description: String,
}

/// Records a successful attempt: the delivery is done, the endpoint no longer failing.
pub async fn delivered(db: &Db, d: &Due, a: &Attempt) -> Result<(), AppError> {
    transact(
        db,
        "BEGIN;
         LET $d = type::record('webhook_delivery', $id);
         UPDATE $d SET status = 'delivered', attempts += 1, last_at = time::now(),
             delivered_at = time::now(), response_status = $code, latency_ms = $ms,
             response_snippet = $snippet, error = NONE, lease_until = NONE;
         UPDATE type::record('webhook_endpoint', $e) SET failing_since = NONE,
             last_success_at = time::now();
         COMMIT;",
        attempt_vars(d, a, json!({})),
    )
    .await
    .map(|_| ())
}

/// Records a failed attempt, and switches the endpoint off when it has been failing for a whole
/// retry window: every attempt since before `disable_before` failed, or this delivery has run
/// out of retries without any delivery succeeding since it was made. Answers the endpoint if
/// this call switched it off — once, whichever node gets there first — so its admins are told
/// once.
pub async fn failed(
    db: &Db, d: &Due, a: &Attempt, next: AfterFailure, disable_before: Timestamp,
) -> Result<Option<Disabled>, AppError> {
    let (status, next_at) = match next {
        AfterFailure::RetryAt(t) => ("pending", t),
        AfterFailure::GiveUp => ("failed", chrono::Utc::now()),
    };
    let mut r = transact(
        db,
        "BEGIN;
         LET $d = type::record('webhook_delivery', $id);
         UPDATE $d SET status = $status, attempts += 1, last_at = time::now(),
             next_at = <datetime>$next, response_status = $code, latency_ms = $ms,
             response_snippet = $snippet, error = $error, lease_until = NONE;
         LET $ep = type::record('webhook_endpoint', $e);
         UPDATE $ep SET failing_since = time::now() WHERE failing_since = NONE;
         LET $off = (UPDATE $ep SET enabled = false,
             disabled_reason = 'every delivery failed for the whole retry window'
             WHERE enabled = true AND failing_since != NONE AND (
                 failing_since <= <datetime>$cutoff
                 OR ($status = 'failed' AND (last_success_at = NONE OR last_success_at < $d.created_at)))
             RETURN id, url, description);
         RETURN $off[0];
         COMMIT;",
        attempt_vars(
            d,
            a,
            json!({
                "status": status, "next": next_at.to_rfc3339(),
                "cutoff": disable_before.to_rfc3339(),
            }),
        ),
    )
    .await?;
    r.before_commit()
}

fn attempt_vars(d: &Due, a: &Attempt, extra: serde_json::Value) -> serde_json::Value {
    let mut v = json!({
        "id": d.id, "e": d.endpoint, "code": a.response_status, "ms": a.latency_ms,
        "snippet": a.response_snippet, "error": a.error,
    });
    if let (Some(m), serde_json::Value::Object(x)) = (v.as_object_mut(), extra) {
        m.extend(x);
    }
    vars(v)
}

/// How many messages have been written (tests: a rolled-back change writes none).
pub async fn message_count(db: &Db) -> Result<u64, AppError> {
    let rows: Vec<super::Count> =
        query_all(db, "SELECT count() AS n FROM webhook_message GROUP ALL", json!({})).await?;
    Ok(rows.first().map(|c| c.n).unwrap_or(0))
}

/// Forgets delivered and failed deliveries older than `before`, and messages no delivery needs
/// any more, so the log does not grow for ever.
pub async fn prune(db: &Db, before: Timestamp) -> Result<(), AppError> {
    transact(
        db,
        "BEGIN;
         DELETE webhook_delivery WHERE status != 'pending' AND created_at < <datetime>$before;
         DELETE webhook_message WHERE at < <datetime>$before
             AND (SELECT VALUE id FROM webhook_delivery WHERE message = $parent.id LIMIT 1) = [];
         COMMIT;",
        json!({ "before": before.to_rfc3339() }),
    )
    .await
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::webhook::validate_endpoint;

    const ACCOUNT: &str = "CREATE account:acme SET name = 'Acme', name_key = 'acme', tier = 'smb',
        industry = 'Retail', stage = 'growth', arr_minor = 100, currency = 'EUR',
        contract_start = d'2026-01-01T00:00:00Z', renewal_date = d'2027-01-01T00:00:00Z'";

    async fn endpoint(db: &Db, events: &[&str]) -> WebhookEndpoint {
        let events: Vec<String> = events.iter().map(|e| e.to_string()).collect();
        let v = validate_endpoint("http://127.0.0.1:9/hook", "test", &events, true).unwrap();
        create(db, &v, "whsec_x", None).await.unwrap()
    }

    #[tokio::test]
    async fn changes_write_deliveries_in_their_transaction_and_claims_are_exclusive() {
        let db = crate::store::connect("mem://", None, None).await.unwrap();
        // No endpoint: nothing is written.
        crate::store::execute(&db, ACCOUNT, json!({})).await.unwrap();
        assert_eq!(message_count(&db).await.unwrap(), 0);

        let e = endpoint(&db, &["account.updated", "health.band_changed"]).await;
        // A change that rolls back leaves nothing behind.
        let rolled_back = transact(
            &db,
            "BEGIN; UPDATE account:acme SET stage = 'renewal'; THROW 'bw:conflict:no'; COMMIT;",
            json!({}),
        )
        .await;
        assert!(rolled_back.is_err());
        assert_eq!(message_count(&db).await.unwrap(), 0);
        // A score without a band change is not an account update.
        crate::store::execute(&db, "UPDATE account:acme SET health_score = 50", json!({}))
            .await
            .unwrap();
        assert_eq!(message_count(&db).await.unwrap(), 0);
        crate::store::execute(
            &db,
            "UPDATE account:acme SET stage = 'renewal', health_band = 'red', health_score = 20",
            json!({}),
        )
        .await
        .unwrap();
        assert_eq!(message_count(&db).await.unwrap(), 2);

        let lease = std::time::Duration::from_secs(60);
        let (a, b) = tokio::join!(claim(&db, 10, lease), claim(&db, 10, lease));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.len() + b.len(), 2, "each delivery goes to one claimant");
        let mut all = a;
        all.extend(b);
        all.sort_by(|x, y| x.event.cmp(&y.event));
        assert_eq!(all[0].event, "account.updated");
        assert_eq!(all[0].data["stage"], "renewal");
        assert_eq!(all[0].data["id"], "acme");
        assert_eq!(all[1].event, "health.band_changed");
        assert_eq!(all[1].data["to"], "red");
        assert_eq!(all[1].data["account"]["name"], "Acme");
        assert_eq!(all[1].url, e.url);
        assert!(claim(&db, 10, lease).await.unwrap().is_empty(), "leased");

        delivered(&db, &all[0], &Attempt { response_status: Some(204), ..Default::default() })
            .await
            .unwrap();
        let long_ago = chrono::Utc::now() - chrono::Duration::hours(25);
        let next = AfterFailure::RetryAt(chrono::Utc::now());
        let off = failed(&db, &all[1], &Attempt::default(), next, long_ago).await.unwrap();
        assert!(off.is_none(), "failing for a moment does not switch an endpoint off");
        let log = deliveries(&db, &e.id, 10).await.unwrap();
        assert_eq!(log.len(), 2);
        assert!(log.iter().any(|d| d.status == DeliveryStatus::Delivered && d.attempts == 1));
        let listed = list(&db).await.unwrap();
        assert_eq!(listed[0].pending, 1);
        assert!(listed[0].failing_since.is_some());

        // Once it has failed for the whole window, the next failure switches it off, once.
        let again = claim(&db, 10, lease).await.unwrap();
        assert_eq!(again.len(), 1);
        let off =
            failed(&db, &again[0], &Attempt::default(), AfterFailure::GiveUp, chrono::Utc::now())
                .await
                .unwrap();
        assert_eq!(off.map(|d| d.id), Some(e.id.clone()));
        let listed = list(&db).await.unwrap();
        assert!(!listed[0].enabled);
        assert_eq!(listed[0].pending, 0);
        resend(&db, &e.id, &again[0].id).await.unwrap();
        assert!(claim(&db, 10, lease).await.unwrap().is_empty(), "disabled endpoints wait");
        set_enabled(&db, &e.id, true).await.unwrap();
        assert_eq!(claim(&db, 10, lease).await.unwrap().len(), 1);
        let other = endpoint(&db, &["account.created"]).await;
        assert!(resend(&db, &other.id, &again[0].id).await.is_err(), "another endpoint's delivery");
        delete(&db, &e.id).await.unwrap();
        assert!(deliveries(&db, &e.id, 10).await.unwrap().is_empty());
    }
}
