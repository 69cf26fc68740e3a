//! Rate limits and the client address they key on (server only).
//!
//! Every limit is in memory per node (governor's GCRA): a visitor spread over N nodes gets N
//! times the budget, which still keeps guessing and flooding to a crawl. Keys are pruned on a
//! timer ([`Limits::prune`]), so a stream of new addresses or emails cannot grow memory for good.
//!
//! What is limited, and how much, is listed in SECURITY.md; change both together.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// Sign-in attempts per (client address, email) per minute: ten, then one every six seconds.
/// Keyed on the pair, so a guesser's address is throttled and the real owner signing in from
/// elsewhere is not.
pub const SIGN_IN_PER_ADDRESS_EMAIL: u32 = 10;
/// Sign-in attempts per client address per minute, whatever the email: stops one password
/// being sprayed across every staff email. An office behind one NAT signing in at 9:00 fits.
pub const SIGN_IN_PER_ADDRESS: u32 = 30;
/// Sign-in attempts per minute on this node from everyone: a ceiling on the Argon2 work a
/// flood from many addresses can cause (each verification is 19 MiB and tens of ms).
pub const SIGN_IN_GLOBAL: u32 = 600;
/// Public survey and shared-plan requests per client address per minute: a person answering
/// needs two or three; an office behind one NAT answering the same survey stays well inside.
pub const PUBLIC_REQUESTS_PER_MINUTE: u32 = 120;
/// REST API requests per key per minute.
pub const API_REQUESTS_PER_MINUTE: u32 = 600;
/// How long a sign-in waits for a free password-hashing slot before it is told to retry.
const HASHING_WAIT: Duration = Duration::from_secs(10);

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n.max(1)).expect("non-zero"))
}

/// Refused by a limit: retry after this many seconds (sent as `Retry-After`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

fn retry_after<T: governor::clock::Reference>(n: governor::NotUntil<T>) -> RetryAfter
where
    DefaultClock: Clock<Instant = T>,
{
    RetryAfter(n.wait_time_from(DefaultClock::default().now()).as_secs() + 1)
}

/// How the client address of a request is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddressPolicy {
    /// Behind reverse proxies that append the address they received from to
    /// `X-Forwarded-For`.
    pub trust_forwarded_for: bool,
    /// How many proxies append to `X-Forwarded-For`: the client is the N-th entry from the
    /// right. Entries further left are written by the client and never trusted.
    pub trusted_proxies: usize,
}

impl Default for ClientAddressPolicy {
    fn default() -> Self {
        Self { trust_forwarded_for: false, trusted_proxies: 1 }
    }
}

impl ClientAddressPolicy {
    /// The client's address: the peer, or behind trusted proxies the entry the outermost
    /// trusted proxy appended. A header with fewer entries than proxies (the request skipped
    /// one) or an unparsable entry falls back to the peer, never to client-written text.
    pub fn client(&self, forwarded_for: &[&str], peer: IpAddr) -> IpAddr {
        if !self.trust_forwarded_for {
            return peer;
        }
        let entries: Vec<&str> = forwarded_for
            .iter()
            .flat_map(|h| h.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        let n = self.trusted_proxies.max(1);
        if entries.len() < n {
            return peer;
        }
        parse_addr(entries[entries.len() - n]).unwrap_or(peer)
    }
}

/// An address as proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]:443`.
fn parse_addr(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse() {
        return Some(ip);
    }
    if let Ok(sa) = s.parse::<std::net::SocketAddr>() {
        return Some(sa.ip());
    }
    None
}

/// The key a client address is limited under: IPv4 as is (and IPv4-mapped IPv6 as IPv4), IPv6
/// by its /64 — one subscriber usually holds a whole /64 and could otherwise rotate through it.
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// All of a node's limiters.
#[derive(Clone)]
pub struct Limits {
    sign_in_address_email: Arc<DefaultKeyedRateLimiter<(IpAddr, String)>>,
    sign_in_address: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    sign_in_global: Arc<DefaultDirectRateLimiter>,
    public: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    api: Arc<DefaultKeyedRateLimiter<String>>,
    /// Password hashing runs on the blocking pool, at most this many at once, so a flood of
    /// sign-ins leaves cores for rendering pages.
    hashing: Arc<tokio::sync::Semaphore>,
}

/// Why a sign-in may not proceed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInRefusal {
    /// Too many attempts from this address (or for this email from this address).
    TooMany(RetryAfter),
    /// The node is busy hashing passwords.
    Busy,
}

impl Limits {
    pub fn new(sign_in_per_address: u32, public_per_minute: u32, api_per_minute: u32) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self {
            sign_in_address_email: Arc::new(RateLimiter::keyed(per_minute(
                SIGN_IN_PER_ADDRESS_EMAIL,
            ))),
            sign_in_address: Arc::new(RateLimiter::keyed(per_minute(sign_in_per_address))),
            sign_in_global: Arc::new(RateLimiter::direct(per_minute(SIGN_IN_GLOBAL))),
            public: Arc::new(RateLimiter::keyed(per_minute(public_per_minute))),
            api: Arc::new(RateLimiter::keyed(per_minute(api_per_minute))),
            hashing: Arc::new(tokio::sync::Semaphore::new((cores / 2).max(1))),
        }
    }

    /// Counts a sign-in attempt for `email` (already checked to be a plausible address) from
    /// `client`. The address limit is checked first, so a spray across emails never creates
    /// per-email keys once the address is over its budget.
    pub fn sign_in(&self, client: IpAddr, email: &str) -> Result<(), SignInRefusal> {
        let client = limit_key(client);
        self.sign_in_address
            .check_key(&client)
            .map_err(|n| SignInRefusal::TooMany(retry_after(n)))?;
        self.sign_in_address_email
            .check_key(&(client, email.to_string()))
            .map_err(|n| SignInRefusal::TooMany(retry_after(n)))?;
        self.sign_in_global.check().map_err(|n| SignInRefusal::TooMany(retry_after(n)))?;
        Ok(())
    }

    /// Runs a password hash or verification on the blocking pool once a slot is free; `Busy`
    /// when none frees up in time.
    pub async fn hash<T: Send + 'static>(
        &self, work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, SignInRefusal> {
        let permit = tokio::time::timeout(HASHING_WAIT, self.hashing.clone().acquire_owned())
            .await
            .map_err(|_| SignInRefusal::Busy)?
            .map_err(|_| SignInRefusal::Busy)?;
        let out = tokio::task::spawn_blocking(move || {
            let out = work();
            drop(permit);
            out
        })
        .await
        .map_err(|_| SignInRefusal::Busy)?;
        Ok(out)
    }

    /// A public page request from `client`.
    pub fn public(&self, client: IpAddr) -> Result<(), RetryAfter> {
        self.public.check_key(&limit_key(client)).map_err(retry_after)
    }

    /// A REST request with the API key `key_id`.
    pub fn api(&self, key_id: &str) -> Result<(), RetryAfter> {
        self.api.check_key(&key_id.to_string()).map_err(retry_after)
    }

    /// Forgets keys whose budget is full again (nothing to remember about them). Run on a
    /// timer; cheap.
    pub fn prune(&self) {
        self.sign_in_address_email.retain_recent();
        self.sign_in_address_email.shrink_to_fit();
        self.sign_in_address.retain_recent();
        self.sign_in_address.shrink_to_fit();
        self.public.retain_recent();
        self.public.shrink_to_fit();
        self.api.retain_recent();
        self.api.shrink_to_fit();
    }

    /// How many keys each keyed limiter holds (tests and diagnostics).
    pub fn key_counts(&self) -> KeyCounts {
        KeyCounts {
            sign_in_address_email: self.sign_in_address_email.len(),
            sign_in_address: self.sign_in_address.len(),
            public: self.public.len(),
            api: self.api.len(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyCounts {
    pub sign_in_address_email: usize,
    pub sign_in_address: usize,
    pub public: usize,
    pub api: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_read_from_the_right() {
        let peer = ip("10.0.0.1");
        let one = ClientAddressPolicy { trust_forwarded_for: true, trusted_proxies: 1 };
        // The client wrote "6.6.6.6"; the proxy appended the address it saw.
        assert_eq!(one.client(&["6.6.6.6, 203.0.113.9"], peer), ip("203.0.113.9"));
        assert_eq!(one.client(&["6.6.6.6", "203.0.113.9"], peer), ip("203.0.113.9"));
        let two = ClientAddressPolicy { trust_forwarded_for: true, trusted_proxies: 2 };
        assert_eq!(two.client(&["6.6.6.6, 203.0.113.9, 10.0.0.7"], peer), ip("203.0.113.9"));
        // Fewer entries than proxies, junk, or no trust: the peer.
        assert_eq!(two.client(&["203.0.113.9"], peer), peer);
        assert_eq!(one.client(&["not an address"], peer), peer);
        assert_eq!(one.client(&[], peer), peer);
        assert_eq!(ClientAddressPolicy::default().client(&["203.0.113.9"], peer), peer);
        assert_eq!(one.client(&["[2001:db8::1]:443"], peer), ip("2001:db8::1"));
        assert_eq!(one.client(&["203.0.113.9:5000"], peer), ip("203.0.113.9"));
    }

    #[test]
    fn ipv6_is_limited_per_64() {
        assert_eq!(limit_key(ip("2001:db8:1:2:aaaa::1")), limit_key(ip("2001:db8:1:2:bbbb::9")));
        assert_ne!(limit_key(ip("2001:db8:1:2::1")), limit_key(ip("2001:db8:1:3::1")));
        assert_eq!(limit_key(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
        assert_eq!(limit_key(ip("192.0.2.1")), ip("192.0.2.1"));
    }

    #[test]
    fn sign_in_limits_the_pair_then_the_address() {
        let l = Limits::new(30, 120, 600);
        let attacker = ip("192.0.2.1");
        for _ in 0..SIGN_IN_PER_ADDRESS_EMAIL {
            assert!(l.sign_in(attacker, "admin@example.com").is_ok());
        }
        assert!(matches!(
            l.sign_in(attacker, "admin@example.com"),
            Err(SignInRefusal::TooMany(RetryAfter(s))) if s >= 1
        ));
        // The owner elsewhere is not locked out.
        assert!(l.sign_in(ip("198.51.100.2"), "admin@example.com").is_ok());
        // Spraying other emails from the attacker's address runs into the address limit.
        let mut refused = 0;
        for i in 0..40 {
            if l.sign_in(attacker, &format!("u{i}@example.com")).is_err() {
                refused += 1;
            }
        }
        assert!(
            refused >= 40 - (SIGN_IN_PER_ADDRESS as usize - SIGN_IN_PER_ADDRESS_EMAIL as usize) - 1
        );
    }
}
