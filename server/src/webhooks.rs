//! Webhook delivery: every node runs [`run`]; the database hands each due delivery to one of
//! them (store::webhooks::claim, with a lease). Deliveries follow the Standard Webhooks
//! specification — `webhook-id` (the message id, the same on every retry), `webhook-timestamp`
//! and `webhook-signature` (HMAC-SHA256 over `id.timestamp.body`, made by the `standardwebhooks`
//! crate) — so receivers can verify them with that project's libraries.
//!
//! A failed attempt is retried with exponential back-off and jitter until the retry window
//! (24 h) has passed since the delivery was made, then marked failed. An endpoint whose
//! deliveries have all failed for a whole window is switched off and its admins are mailed.
//!
//! Server-side request forgery: unless an admin allowed private networks, a delivery never
//! connects to a private, loopback or link-local address — checked on the address actually
//! dialled (our resolver refuses such answers, and IP-literal URLs are checked before sending),
//! with redirects off, so neither a name that changes where it points nor a redirect gets
//! around it.

use crate::mail::Mailer;
use crate::mail_alerts::{deliver, recipient};
use app::model::webhook::{is_public_ip, PRIVATE_REFUSAL};
use app::model::Role;
use app::state::AppState;
use app::store::webhooks::{self as outbox, AfterFailure, Attempt, Disabled, Due};
use chrono::Utc;
use maud::{html, DOCTYPE};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// When and how often deliveries are tried.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The wait after the first failure; it doubles after each one …
    pub first_retry: Duration,
    /// … up to this.
    pub max_retry: Duration,
    /// How long a delivery is retried, and how long an endpoint may fail before it is
    /// switched off.
    pub window: Duration,
    /// The time-out of one attempt (connect, send, answer).
    pub timeout: Duration,
    /// How long a claim holds a delivery: well over the time-out, so a live sender never
    /// loses its claim, short enough that a dead node's deliveries go out soon.
    pub lease: Duration,
    /// How often the outbox is looked at.
    pub poll: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            first_retry: Duration::from_secs(10),
            max_retry: Duration::from_secs(3600),
            window: Duration::from_secs(24 * 3600),
            timeout: Duration::from_secs(10),
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(1),
        }
    }
}

impl Policy {
    /// The wait after failed attempt number `attempt` (1-based): exponential, capped, with
    /// ±20 % jitter so that many failed deliveries do not all come back at once.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let base = self.first_retry.saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
        let base = base.min(self.max_retry);
        base.mul_f64(0.8 + rand::random::<f64>() * 0.4)
    }
}

/// The payload at most this long is read back from a receiver, for the log.
const SNIPPET: usize = 512;
/// How many deliveries one claim takes.
const BATCH: usize = 20;
/// Delivered and failed deliveries are kept this long in the log.
const KEEP_DAYS: i64 = 30;

/// Sends webhooks: an HTTP client that refuses private addresses unless allowed.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    allow_private: Arc<AtomicBool>,
    policy: Policy,
}

impl Sender {
    pub fn new(policy: Policy) -> Self {
        let allow_private = Arc::new(AtomicBool::new(false));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(policy.timeout)
            .connect_timeout(policy.timeout)
            .user_agent(concat!("Bellwether-Webhooks/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(Guard { allow_private: allow_private.clone() }))
            .build()
            .expect("the webhook client builds");
        Sender { client, allow_private, policy }
    }
}

/// Runs until the process ends: sends what is due, prunes the log once an hour.
pub async fn run(state: AppState, sender: Sender, mailer: Option<Mailer>) {
    let mut pruned = Instant::now() - Duration::from_secs(3600);
    loop {
        if let Err(e) = send_due(&state, &sender, mailer.as_ref()).await {
            tracing::warn!(error = %e, "webhook delivery");
        }
        if pruned.elapsed() >= Duration::from_secs(3600) {
            pruned = Instant::now();
            let before = Utc::now() - chrono::Duration::days(KEEP_DAYS);
            if let Err(e) = outbox::prune(&state.db, before).await {
                tracing::warn!(error = %e, "could not prune the webhook log");
            }
        }
        tokio::time::sleep(sender.policy.poll).await;
    }
}

/// Sends every due delivery (claimed in batches); answers how many attempts were made.
pub async fn send_due(
    state: &AppState, sender: &Sender, mailer: Option<&Mailer>,
) -> Result<usize, app::error::AppError> {
    let allow = app::store::settings::webhooks_allow_private(&state.db).await?;
    sender.allow_private.store(allow, Ordering::Relaxed);
    let mut attempts = 0;
    loop {
        let due = outbox::claim(&state.db, BATCH, sender.policy.lease).await?;
        if due.is_empty() {
            return Ok(attempts);
        }
        attempts += due.len();
        let sends = due.iter().map(|d| settle(state, sender, mailer, d));
        futures::future::join_all(sends).await;
    }
}

/// One delivery: send it, record what happened, tell the admins if its endpoint is switched off.
async fn settle(state: &AppState, sender: &Sender, mailer: Option<&Mailer>, d: &Due) {
    let (ok, attempt) = send(sender, d).await;
    let result = if ok {
        outbox::delivered(&state.db, d, &attempt).await.map(|_| None)
    } else {
        let p = &sender.policy;
        let now = Utc::now();
        let retry_at =
            now + chrono::Duration::from_std(p.backoff(d.attempts + 1)).unwrap_or_default();
        let window = chrono::Duration::from_std(p.window).unwrap_or_default();
        let next = if retry_at > d.created_at + window {
            AfterFailure::GiveUp
        } else {
            AfterFailure::RetryAt(retry_at)
        };
        outbox::failed(&state.db, d, &attempt, next, now - window).await
    };
    match result {
        Ok(Some(off)) => {
            tracing::warn!(endpoint = %off.url, "webhook endpoint switched off after failing for the whole retry window");
            if let Some(mailer) = mailer {
                tell_admins(state, mailer, &off).await;
            }
        }
        Ok(None) => {}
        Err(e) => {
            tracing::warn!(error = %e, delivery = %d.id, "could not record a webhook attempt")
        }
    }
}

/// The body every receiver gets: `{ type, timestamp, data }` (Standard Webhooks' shape) and the
/// payload version.
pub fn body(d: &Due) -> Vec<u8> {
    let payload = serde_json::json!({
        "type": d.event,
        "timestamp": d.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "version": 1,
        "data": d.data,
    });
    serde_json::to_vec(&payload).unwrap_or_default()
}

/// One attempt: whether the receiver took it (2xx), and what to log.
async fn send(sender: &Sender, d: &Due) -> (bool, Attempt) {
    let fail = |error: String| (false, Attempt { error: Some(error), ..Default::default() });
    let url = match reqwest::Url::parse(&d.url) {
        Ok(u) => u,
        Err(e) => return fail(format!("the URL cannot be used: {e}")),
    };
    let literal = url
        .host_str()
        .and_then(|h| h.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().ok());
    if let Some(ip) = literal {
        if !sender.allow_private.load(Ordering::Relaxed) && !is_public_ip(ip) {
            return fail(format!("refused: the URL {PRIVATE_REFUSAL}"));
        }
    }
    let id = outbox::message_id(&d.message);
    let body = body(d);
    let now = Utc::now().timestamp();
    let signature =
        match standardwebhooks::Webhook::new(&d.secret).and_then(|w| w.sign(&id, now, &body)) {
            Ok(s) => s,
            Err(e) => return fail(format!("could not sign: {e}")),
        };
    let started = Instant::now();
    let sent = sender
        .client
        .post(url)
        .header("webhook-id", &id)
        .header("webhook-timestamp", now.to_string())
        .header("webhook-signature", signature)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await;
    let mut response = match sent {
        Ok(r) => r,
        Err(e) => {
            let latency_ms = Some(started.elapsed().as_millis().min(u32::MAX as u128) as u32);
            return (
                false,
                Attempt { latency_ms, error: Some(describe(&e)), ..Default::default() },
            );
        }
    };
    let status = response.status();
    let mut snippet = Vec::new();
    while snippet.len() < SNIPPET {
        match response.chunk().await {
            Ok(Some(chunk)) => snippet.extend_from_slice(&chunk),
            _ => break,
        }
    }
    snippet.truncate(SNIPPET);
    let latency_ms = Some(started.elapsed().as_millis().min(u32::MAX as u128) as u32);
    let text = String::from_utf8_lossy(&snippet).trim().to_string();
    let attempt = Attempt {
        response_status: Some(status.as_u16()),
        latency_ms,
        response_snippet: (!text.is_empty()).then_some(text),
        error: (!status.is_success()).then(|| match status.is_redirection() {
            true => "redirects are not followed".to_string(),
            false => format!("the receiver answered {status}"),
        }),
    };
    (status.is_success(), attempt)
}

/// What went wrong before an answer came, in words for the log.
fn describe(e: &reqwest::Error) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.downcast_ref::<Refused>().is_some() {
            return format!("refused: the host {PRIVATE_REFUSAL}");
        }
        source = s.source();
    }
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "could not connect".into()
    } else {
        format!("could not send: {e}")
    }
}

/// Resolves host names for deliveries, refusing any answer with a private address unless
/// private networks are allowed.
struct Guard {
    allow_private: Arc<AtomicBool>,
}

#[derive(Debug)]
struct Refused;

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the host resolves to a private address")
    }
}

impl std::error::Error for Refused {}

impl reqwest::dns::Resolve for Guard {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow_private.load(Ordering::Relaxed);
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            if !allow && addrs.iter().any(|a| !is_public_ip(a.ip())) {
                return Err(Box::new(Refused) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Mails every active admin that an endpoint was switched off.
async fn tell_admins(state: &AppState, mailer: &Mailer, off: &Disabled) {
    let admins = match app::store::users::list(&state.db).await {
        Ok(users) => users,
        Err(e) => return tracing::warn!(error = %e, "could not list admins"),
    };
    let url = format!("{}/settings/webhooks", state.public_url);
    let subject = "A webhook endpoint was switched off".to_string();
    let what = if off.description.is_empty() {
        off.url.clone()
    } else {
        format!("{} ({})", off.description, off.url)
    };
    let text = format!(
        "Every delivery to {what} failed for 24 hours, so Bellwether stopped sending to it.\n\
         Deliveries wait until it is switched on again.\n\nOpen the webhooks: {url}\n"
    );
    for admin in admins.iter().filter(|u| u.role == Role::Admin && u.active) {
        let html = html! {
            (DOCTYPE)
            html { body style="font:16px/1.5 sans-serif;color:#1f2933;max-width:560px;margin:auto;padding:16px" {
                p style="font-size:18px;font-weight:600;margin:0" { (subject) }
                p { "Every delivery to " strong { (what) } " failed for 24 hours, so Bellwether stopped sending to it. Deliveries wait until it is switched on again." }
                p { a href=(url) { "Open the webhooks" } }
            } }
        }
        .into_string();
        let to = recipient(&admin.email, &admin.name);
        let m = to
            .and_then(|to| crate::mail::two_part(mailer, to, subject.clone(), text.clone(), html));
        deliver(mailer, m).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_up_to_the_cap() {
        let p = Policy::default();
        for (attempt, secs) in [(1, 10.0), (2, 20.0), (3, 40.0), (10, 3600.0), (40, 3600.0)] {
            let d = p.backoff(attempt).as_secs_f64();
            assert!(d >= secs * 0.79 && d <= secs * 1.21, "attempt {attempt}: {d}");
        }
    }
}
