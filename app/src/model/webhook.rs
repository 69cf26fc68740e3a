//! Outbound webhooks as Settings shows them: endpoints, the event types they want, and their
//! delivery log. Deliveries follow the Standard Webhooks specification (see README "Webhooks").
//!
//! What counts as a public address ([`is_public_ip`]) is decided here, once: Settings refuses an
//! endpoint whose host is a private address, and the sender refuses to connect to one (a name
//! may resolve differently at delivery time), unless an admin allowed private networks.

use crate::error::{AppError, Checks};
use crate::model::Timestamp;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

vocabulary! {
    /// What happened: a webhook's `type`.
    WebhookEvent {
        AccountCreated => "account.created", "an account was created";
        AccountUpdated => "account.updated", "an account's details changed (name, tier, industry, stage, ARR, dates, owner, external id)";
        HealthBandChanged => "health.band_changed", "an account's health band changed";
        SurveyResponseRecorded => "survey.response_recorded", "a survey answer was recorded or changed";
        FollowUpOpened => "follow_up.opened", "a low score opened a follow-up";
        FollowUpClosed => "follow_up.closed", "a follow-up was closed";
        TaskCompleted => "plan.task_completed", "a success-plan task was ticked off (by the customer or by staff)";
        TouchpointLogged => "touchpoint.logged", "a touchpoint was logged";
        AlertOpened => "alert.opened", "a risk alert opened";
        AlertClosed => "alert.closed", "a risk alert was resolved or dismissed";
        EscalationOpened => "escalation.opened", "an escalation was opened";
        EscalationBreached => "escalation.sla_breached", "an escalation's SLA clock breached";
        EscalationResolved => "escalation.resolved", "an escalation was resolved";
        ArrMovementRecorded => "arr.movement_recorded", "an ARR movement was recorded";
    }
}

vocabulary! {
    /// Where a delivery stands.
    DeliveryStatus {
        Pending => "pending", "Pending";
        Delivered => "delivered", "Delivered";
        Failed => "failed", "Failed";
    }
}

/// The longest endpoint URL accepted.
pub const MAX_URL: usize = 2000;
/// The longest description accepted.
pub const MAX_DESCRIPTION: usize = 500;

/// An endpoint as Settings lists it (the secret is shown once, when it is made).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEndpoint {
    pub id: String,
    pub url: String,
    pub description: String,
    /// The event type keys it receives (`account.created` …).
    pub events: Vec<String>,
    pub enabled: bool,
    /// Why it was switched off, when the sender did it (failing for the whole retry window).
    pub disabled_reason: Option<String>,
    /// Every delivery since then has failed.
    pub failing_since: Option<Timestamp>,
    pub created_at: Timestamp,
    pub created_by: Option<String>,
    /// Deliveries waiting to be sent (or retried).
    pub pending: u64,
    /// The newest delivery's status and time, if any.
    pub last_status: Option<DeliveryStatus>,
    pub last_at: Option<Timestamp>,
}

/// One message to one endpoint, with its latest attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    pub id: String,
    /// The Standard Webhooks message id (`webhook-id`), the same on every attempt.
    pub message_id: String,
    pub event: String,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub created_at: Timestamp,
    pub last_at: Option<Timestamp>,
    pub next_at: Option<Timestamp>,
    pub response_status: Option<u16>,
    pub latency_ms: Option<u32>,
    /// The start of the receiver's answer, as text.
    pub response_snippet: Option<String>,
    /// Why the last attempt failed before an answer came (time-out, refused address …).
    pub error: Option<String>,
}

/// An endpoint's URL, description and event types, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidEndpoint {
    pub url: String,
    pub host: String,
    pub description: String,
    pub events: Vec<WebhookEvent>,
}

impl ValidEndpoint {
    pub fn event_keys(&self) -> Vec<String> {
        self.events.iter().map(|e| e.key().to_string()).collect()
    }
}

/// Checks an endpoint. `allow_private`: an admin allowed endpoints on private networks.
pub fn validate_endpoint(
    url: &str, description: &str, events: &[String], allow_private: bool,
) -> Result<ValidEndpoint, AppError> {
    let mut c = Checks::new();
    let url = url.trim();
    let host = match parse_url(url) {
        Ok(host) => {
            if !allow_private && !is_public_host(&host) {
                c.fail("url", PRIVATE_REFUSAL);
            }
            host
        }
        Err(m) => {
            c.fail("url", m);
            String::new()
        }
    };
    let description = crate::model::validate::optional_text(description, MAX_DESCRIPTION)
        .map_err(|m| c.fail("description", m))
        .unwrap_or_default()
        .unwrap_or_default();
    let mut out = Vec::new();
    for e in events.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
        match WebhookEvent::parse(e) {
            Some(ev) if !out.contains(&ev) => out.push(ev),
            Some(_) => {}
            None => c.fail("events", format!("unknown event type “{}”", short(e))),
        }
    }
    if out.is_empty() {
        c.fail("events", "choose at least one event type");
    }
    c.finish()?;
    Ok(ValidEndpoint { url: url.to_string(), host, description, events: out })
}

/// What Settings and the sender say about an address that is not public.
pub const PRIVATE_REFUSAL: &str = "points to a private or local network address; an admin can allow those under “Private networks”";

fn short(s: &str) -> String {
    s.chars().take(60).collect()
}

/// The host of an `http(s)://` URL, checked: no credentials, a plausible host, a valid port.
pub fn parse_url(url: &str) -> Result<String, String> {
    if url.is_empty() {
        return Err("is required".into());
    }
    if url.len() > MAX_URL {
        return Err(format!("is too long (at most {MAX_URL} characters)"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces".into());
    }
    let lower = url.to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return Err("must start with https:// (or http://)".into());
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("must not carry a user name or password".into());
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6.split_once(']').ok_or("has an unclosed [ in its address")?;
        h.parse::<Ipv6Addr>().map_err(|_| "has an invalid IPv6 address".to_string())?;
        (h.to_string(), after.strip_prefix(':'))
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (authority.to_string(), None),
        }
    };
    if let Some(p) = port {
        if !matches!(p.parse::<u16>(), Ok(n) if n > 0) {
            return Err("has an invalid port".into());
        }
    }
    let host = host.to_ascii_lowercase();
    let plausible = !host.is_empty()
        && host.len() <= 253
        && (host.parse::<IpAddr>().is_ok()
            || host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'));
    if !plausible {
        return Err("has no valid host name".into());
    }
    Ok(host)
}

/// Whether a URL's host may be public: an address that is, or a name that is not obviously
/// local (a name is checked again, address by address, when it is resolved for delivery).
pub fn is_public_host(host: &str) -> bool {
    match host.parse::<IpAddr>() {
        Ok(ip) => is_public_ip(ip),
        Err(_) => {
            let h = host.trim_end_matches('.');
            !(h == "localhost"
                || h.ends_with(".localhost")
                || h.ends_with(".local")
                || h.ends_with(".internal")
                || !h.contains('.'))
        }
    }
}

/// Whether an address is on the public internet: not loopback, private, link-local (cloud
/// metadata lives there), shared (CGNAT), multicast, documentation or reserved, in IPv4 or
/// IPv6 (IPv4-mapped and NAT64 addresses are judged by the IPv4 address inside).
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = v6.segments();
            if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
                let o = v6.octets();
                return is_public_v4(Ipv4Addr::new(o[12], o[13], o[14], o[15]));
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || s[0] == 0 // the rest of ::/16: IPv4-compatible, reserved
                || s[0] == 0x0100) // discard-only
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // shared address space (CGNAT)
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // benchmarking
        || o[0] >= 240) // reserved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_judged_public_or_not() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2001:db8::1",
        ] {
            assert!(!is_public_ip(private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"] {
            assert!(is_public_ip(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn urls_are_checked_and_named() {
        assert_eq!(parse_url("https://hooks.example.com/bw?x=1").unwrap(), "hooks.example.com");
        assert_eq!(parse_url("http://[2606:4700::1]:8080/x").unwrap(), "2606:4700::1");
        for (bad, says) in [
            ("", "required"),
            ("ftp://x.example.com", "https://"),
            ("https://user:pw@x.example.com/", "password"),
            ("https://x.example.com:99999/", "port"),
            ("https:///path", "host"),
            ("https://exa mple.com", "spaces"),
            ("https://ex_ample.com", "host"),
        ] {
            let m = parse_url(bad).unwrap_err();
            assert!(m.contains(says), "{bad}: {m}");
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL));
        assert!(parse_url(&long).unwrap_err().contains("too long"));
    }

    #[test]
    fn endpoints_on_private_hosts_are_refused_unless_allowed() {
        let events = ["account.created".to_string()];
        for host in ["http://127.0.0.1:9000/", "http://localhost/", "http://metadata.internal/"] {
            let e = validate_endpoint(host, "", &events, false).unwrap_err();
            assert!(e.for_field("url").unwrap().contains("private"), "{host}");
            assert!(validate_endpoint(host, "", &events, true).is_ok(), "{host}");
        }
    }

    #[test]
    fn event_types_are_checked_and_kept_once() {
        let given = ["alert.opened", " account.created", "alert.opened"].map(String::from);
        let v = validate_endpoint("https://h.example.com", " CRM ", &given, false).unwrap();
        assert_eq!(v.events, vec![WebhookEvent::AlertOpened, WebhookEvent::AccountCreated]);
        assert_eq!(v.description, "CRM");
        let e = validate_endpoint("https://h.example.com", "", &["x.y".into()], false).unwrap_err();
        let m = e.for_field("events").unwrap();
        assert!(m.contains("unknown event type “x.y”"), "{m}");
        let e = validate_endpoint("https://h.example.com", "", &[], false).unwrap_err();
        assert_eq!(e.for_field("events").as_deref(), Some("choose at least one event type"));
    }
}
