//! Messages to and from customers (emails, helpdesk replies, meeting requests logged as
//! touchpoints): only their direction, thread and time. The delayed-response rule reads how
//! long the customer takes to answer.
//!
//! Messages arrive through the REST API (`POST /api/v1/messages`, checked one by one like usage
//! events, so one bad message is named by its index without refusing the others) and from
//! touchpoints marked "awaiting the customer". Their content never reaches us: an integration
//! sends the envelope only, which is all the rule needs and nothing a CSM would not want stored.

use super::usage::{AccountRef, EventError, MAX_AGE_DAYS};
use super::validate::is_email;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

vocabulary! {
    /// Which way a message went.
    Direction {
        In => "in", "From the customer";
        Out => "out", "To the customer";
    }
}

/// How quickly one account's customer answers, as the delayed-response rule reads it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReplyFacts {
    /// The oldest message to the customer still waiting for their reply: its thread and when it
    /// was sent.
    pub awaiting: Option<(String, DateTime<Utc>)>,
    /// Hours the customer took to reply, for replies received in the last 30 days.
    pub recent_hours: Vec<f64>,
    /// The same for replies received in the 90 days before those 30: their own baseline.
    pub baseline_hours: Vec<f64>,
}

/// Replies received this many days back (up to now) are "recent".
pub const RECENT_DAYS: i64 = 30;
/// Replies received in the days before the recent window, back to this many days, are the
/// customer's baseline; older messages are not read at all.
pub const BASELINE_DAYS: i64 = 120;
/// Most characters of a thread id or an idempotency key.
pub const MAX_ID_CHARS: usize = 200;
/// Thread ids and idempotency keys of the messages logged with touchpoints start with this.
/// The API refuses it, so no integration can answer a touchpoint's thread, or take the key of
/// its reply before the CSM logs it.
pub const TOUCHPOINT_PREFIX: &str = "touchpoint:";

/// The thread of the messages logged with touchpoint `id`.
pub fn touchpoint_thread(id: &str) -> String {
    format!("{TOUCHPOINT_PREFIX}{id}")
}

/// The idempotency key (and record key) of touchpoint `id`'s message in `direction`.
pub fn touchpoint_message_key(id: &str, direction: Direction) -> String {
    format!("{TOUCHPOINT_PREFIX}{id}:{}", direction.key())
}

/// A message that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidMessage {
    pub account: AccountRef,
    pub contact_email: Option<String>,
    pub thread_id: String,
    pub direction: Direction,
    pub at: DateTime<Utc>,
    pub idempotency_key: String,
}

/// A field's text, trimmed; `None` when absent, null or blank.
fn text<'a>(v: &'a serde_json::Value, field: &str) -> Result<Option<&'a str>, String> {
    match v.get(field) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s.trim()).filter(|s| !s.is_empty())),
        Some(_) => Err("must be a string".into()),
    }
}

/// Checks one message (a JSON value from the batch) at `now`: the same account, e-mail, time
/// and idempotency rules as usage events, so an integration that sends both learns them once.
pub fn check_message(
    index: usize, v: &serde_json::Value, now: DateTime<Utc>,
) -> Result<ValidMessage, EventError> {
    let key = v.get("idempotency_key").and_then(|k| k.as_str()).map(|s| s.trim().to_string());
    let fail = |field: &str, message: String| EventError {
        index,
        idempotency_key: key.clone().filter(|k| !k.is_empty()),
        field: field.to_string(),
        message,
    };
    if !v.is_object() {
        return Err(fail("message", "must be a JSON object".into()));
    }
    let idem = match text(v, "idempotency_key").map_err(|m| fail("idempotency_key", m))? {
        None => {
            return Err(fail(
                "idempotency_key",
                "is required (any string unique to this message, e.g. your message id)".into(),
            ))
        }
        Some(k) if k.chars().count() > MAX_ID_CHARS => {
            return Err(fail("idempotency_key", format!("must be at most {MAX_ID_CHARS} characters")))
        }
        Some(k) if k.starts_with(TOUCHPOINT_PREFIX) => {
            return Err(fail("idempotency_key", format!("must not start with “{TOUCHPOINT_PREFIX}” (kept for messages logged with touchpoints)")))
        }
        Some(k) => k.to_string(),
    };
    let id = text(v, "account_id").map_err(|m| fail("account_id", m))?;
    let ext = text(v, "external_id").map_err(|m| fail("external_id", m))?;
    let account = super::usage::account_ref(id, ext).map_err(|(f, m)| fail(f, m))?;
    let email = text(v, "contact_email").map_err(|m| fail("contact_email", m))?;
    if email.is_some_and(|e| !is_email(e)) {
        return Err(fail("contact_email", "is not an email address".into()));
    }
    let thread = text(v, "thread_id").map_err(|m| fail("thread_id", m))?.ok_or_else(|| {
        fail("thread_id", "is required: the conversation this message belongs to".into())
    })?;
    if thread.chars().count() > MAX_ID_CHARS {
        return Err(fail("thread_id", format!("must be at most {MAX_ID_CHARS} characters")));
    }
    if thread.starts_with(TOUCHPOINT_PREFIX) {
        return Err(fail(
            "thread_id",
            format!(
                "must not start with “{TOUCHPOINT_PREFIX}” (kept for touchpoints in Bellwether)"
            ),
        ));
    }
    let direction = text(v, "direction").map_err(|m| fail("direction", m))?;
    let direction = direction.and_then(Direction::parse).ok_or_else(|| {
        fail("direction", "must be \"in\" (from the customer) or \"out\" (to the customer)".into())
    })?;
    let at_text = text(v, "at").map_err(|m| fail("at", m))?.ok_or_else(|| {
        fail("at", "is required: when it was sent, RFC 3339 (2026-11-23T14:05:00Z)".into())
    })?;
    let at = DateTime::parse_from_rfc3339(at_text)
        .map_err(|_| {
            fail(
                "at",
                format!("“{at_text}” is not an RFC 3339 timestamp such as 2026-11-23T14:05:00Z"),
            )
        })?
        .with_timezone(&Utc);
    if at > now + Duration::minutes(5) {
        return Err(fail("at", "is in the future".into()));
    }
    if at < now - Duration::days(MAX_AGE_DAYS) {
        return Err(fail("at", format!("is more than {MAX_AGE_DAYS} days ago")));
    }
    Ok(ValidMessage {
        account,
        contact_email: email.map(|e| e.to_lowercase()),
        thread_id: thread.to_string(),
        direction,
        at,
        idempotency_key: idem,
    })
}

/// How one account's customer answers, from its messages (thread, direction, time; any order)
/// as of `now`.
///
/// Per thread, in time order: an `in` after one or more `out`s is a reply, timed from the
/// *first* unanswered `out` (a CSM who chases twice has waited since the first message, not the
/// reminder); an `in` with nothing unanswered before it (the customer writing first, or writing
/// twice) times nothing. A reply counts in `recent_hours` when received in [now − 30 d, now],
/// in `baseline_hours` when in [now − 120 d, now − 30 d). `awaiting` is the oldest first
/// unanswered `out` over all threads. An `out` and an `in` at the same instant read as a reply
/// after zero hours: of the two mistakes, that one raises no false alarm.
pub fn reply_facts(
    messages: &[(String, Direction, DateTime<Utc>)], now: DateTime<Utc>,
) -> ReplyFacts {
    let mut threads: BTreeMap<&str, Vec<(DateTime<Utc>, Direction)>> = BTreeMap::new();
    for (thread, direction, at) in messages {
        threads.entry(thread.as_str()).or_default().push((*at, *direction));
    }
    let recent_from = now - Duration::days(RECENT_DAYS);
    let baseline_from = now - Duration::days(BASELINE_DAYS);
    let mut facts = ReplyFacts::default();
    for (thread, mut items) in threads {
        // `Out` sorts before `In`: the same instant is a reply, not a new wait.
        items.sort_by_key(|(at, d)| (*at, *d == Direction::In));
        let mut unanswered: Option<DateTime<Utc>> = None;
        for (at, direction) in items {
            match direction {
                Direction::Out => {
                    unanswered.get_or_insert(at);
                }
                Direction::In => {
                    let Some(sent) = unanswered.take() else { continue };
                    let hours = (at - sent).num_seconds() as f64 / 3600.0;
                    if at >= recent_from && at <= now {
                        facts.recent_hours.push(hours);
                    } else if at >= baseline_from && at < recent_from {
                        facts.baseline_hours.push(hours);
                    }
                }
            }
        }
        if let Some(sent) = unanswered {
            let older = match &facts.awaiting {
                None => true,
                Some((_, oldest)) => sent < *oldest,
            };
            if older {
                facts.awaiting = Some((thread.to_string(), sent));
            }
        }
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        "2026-11-23T12:00:00Z".parse().unwrap()
    }

    fn ago(hours: i64) -> DateTime<Utc> {
        now() - Duration::hours(hours)
    }

    fn m(thread: &str, d: Direction, at: DateTime<Utc>) -> (String, Direction, DateTime<Utc>) {
        (thread.to_string(), d, at)
    }

    use Direction::{In, Out};

    #[test]
    fn a_good_message() {
        let msg = check_message(
            0,
            &json!({"external_id": "crm-1", "contact_email": "Ann@Example.com", "thread_id": " t-9 ",
                    "direction": "in", "at": "2026-11-23T11:00:00+01:00", "idempotency_key": "m1"}),
            now(),
        )
        .unwrap();
        assert_eq!(msg.account, AccountRef::External("crm-1".into()));
        assert_eq!(msg.contact_email.as_deref(), Some("ann@example.com"));
        assert_eq!(msg.thread_id, "t-9");
        assert_eq!(msg.direction, In);
        assert_eq!(msg.at, "2026-11-23T10:00:00Z".parse::<DateTime<Utc>>().unwrap());
    }

    #[test]
    fn each_mistake_names_its_field() {
        let base = json!({"account_id": "a1", "thread_id": "t", "direction": "out",
                          "at": "2026-11-23T11:00:00Z", "idempotency_key": "k"});
        let set = |k: &str, v: serde_json::Value| {
            let mut b = base.clone();
            b[k] = v;
            check_message(4, &b, now())
        };
        let with = |k: &str, v: serde_json::Value| set(k, v).unwrap_err();
        let without = |k: &str| {
            let mut b = base.clone();
            b.as_object_mut().unwrap().remove(k);
            check_message(4, &b, now()).unwrap_err()
        };
        assert_eq!(without("thread_id").field, "thread_id");
        assert_eq!(with("thread_id", json!("x".repeat(201))).field, "thread_id");
        assert!(set("thread_id", json!("x".repeat(200))).is_ok());
        assert_eq!(without("direction").field, "direction");
        assert_eq!(with("direction", json!("sideways")).field, "direction");
        assert_eq!(with("direction", json!("IN")).field, "direction");
        assert_eq!(with("at", json!("yesterday")).field, "at");
        assert!(with("at", json!("2026-11-23T12:06:00Z")).message.contains("future"));
        assert!(with("at", json!("2020-01-01T00:00:00Z")).message.contains("400 days"));
        assert_eq!(without("at").field, "at");
        assert_eq!(with("contact_email", json!("nope")).field, "contact_email");
        assert_eq!(with("external_id", json!("crm")).field, "account_id");
        assert_eq!(without("account_id").field, "account_id");
        assert_eq!(with("account_id", json!(7)).message, "must be a string");
        let e = without("idempotency_key");
        assert_eq!((e.index, e.field.as_str()), (4, "idempotency_key"));
        assert_eq!(with("idempotency_key", json!("k".repeat(201))).field, "idempotency_key");
        assert_eq!(with("thread_id", json!("")).idempotency_key.as_deref(), Some("k"));
        assert_eq!(with("thread_id", json!("touchpoint:abc")).field, "thread_id");
        assert_eq!(with("idempotency_key", json!("touchpoint:abc:in")).field, "idempotency_key");
        assert_eq!(check_message(0, &json!("hi"), now()).unwrap_err().field, "message");
        // A few minutes of clock skew are allowed.
        assert!(set("at", json!("2026-11-23T12:04:00Z")).is_ok());
    }

    #[test]
    fn replies_are_timed_from_the_first_unanswered_message_per_thread() {
        // Two threads interleaved; on "a" the CSM chased twice before the reply.
        let msgs = vec![
            m("a", Out, ago(100)),
            m("b", Out, ago(90)),
            m("a", Out, ago(80)),
            m("b", In, ago(88)),
            m("a", In, ago(40)),
            m("a", In, ago(39)),
        ];
        let f = reply_facts(&msgs, now());
        let mut hours = f.recent_hours.clone();
        hours.sort_by(f64::total_cmp);
        assert_eq!(hours, vec![2.0, 60.0]);
        assert!(f.baseline_hours.is_empty());
        assert_eq!(f.awaiting, None);
    }

    #[test]
    fn messages_from_the_customer_with_nothing_to_answer_time_nothing() {
        let msgs = vec![m("c", In, ago(50)), m("c", In, ago(10)), m("d", In, ago(5))];
        assert_eq!(reply_facts(&msgs, now()), ReplyFacts::default());
        // An in before the out does not answer it.
        let f = reply_facts(&[m("e", In, ago(20)), m("e", Out, ago(10))], now());
        assert_eq!(f.awaiting, Some(("e".into(), ago(10))));
        assert!(f.recent_hours.is_empty());
    }

    #[test]
    fn the_oldest_unanswered_thread_is_the_one_awaiting() {
        let msgs = vec![
            m("new", Out, ago(24)),
            m("old", Out, ago(200)),
            m("old", Out, ago(100)),
            m("done", Out, ago(300)),
            m("done", In, ago(250)),
            // Answered, then asked again: waiting since the new question.
            m("again", Out, ago(500)),
            m("again", In, ago(400)),
            m("again", Out, ago(150)),
        ];
        let f = reply_facts(&msgs, now());
        assert_eq!(f.awaiting, Some(("old".into(), ago(200))));
        assert_eq!(f.recent_hours.len(), 2);
    }

    #[test]
    fn window_edges() {
        let day = 24;
        let msgs = vec![
            // Received exactly 30 days ago: recent.
            m("r30", Out, ago(30 * day + 5)),
            m("r30", In, ago(30 * day)),
            // A second before that: baseline.
            m("b30", Out, ago(31 * day)),
            m("b30", In, ago(30 * day) - Duration::seconds(1)),
            // Exactly 120 days ago: baseline; a second before: neither.
            m("b120", Out, ago(121 * day)),
            m("b120", In, ago(120 * day)),
            m("old", Out, ago(125 * day)),
            m("old", In, ago(120 * day) - Duration::seconds(1)),
            // Received now: recent; at the same instant as the question: zero hours.
            m("now", Out, now()),
            m("now", In, now()),
        ];
        let f = reply_facts(&msgs, now());
        let mut recent = f.recent_hours.clone();
        recent.sort_by(f64::total_cmp);
        assert_eq!(recent, vec![0.0, 5.0]);
        let mut base = f.baseline_hours.clone();
        base.sort_by(f64::total_cmp);
        assert_eq!(base, vec![(24.0 - 1.0 / 3600.0), 24.0]);
        assert_eq!(f.awaiting, None);
    }
}
