//! What every server function and REST handler can reach (server only): handles to shared
//! things (the database, the portfolio index, caches, channels to the background workers) and
//! the node's configuration. Nothing here starts work: the server starts every background
//! worker in one place (`Server::spawn_background`).

use crate::limits::{ClientAddressPolicy, Limits};
use crate::service::health::Rescores;
use crate::store::cache::{KeyUses, SurveyCache};
use crate::store::portfolio_index::PortfolioIndex;
use crate::store::Db;
use crate::survey_token::Keyring;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Mark cookies Secure: on behind HTTPS, off on plain-HTTP loopback (dev, tests).
    pub secure_cookies: bool,
    /// Sign-in, public-page and API rate limits (see `limits`).
    pub limits: Limits,
    /// How a request's client address is found (behind proxies or not).
    pub client_policy: ClientAddressPolicy,
    /// A session unused for this long ends (sign in again).
    pub session_idle: chrono::Duration,
    /// How often an open live stream re-checks its session (ends it after sign-out or
    /// deactivation on any node; sign-out on this node ends it at once).
    pub live_recheck: std::time::Duration,
    /// Sessions that just ended on this node (sign-out, sign out everywhere, deactivation,
    /// password change): their live streams close at once.
    pub sessions_ended: tokio::sync::broadcast::Sender<Ended>,
    /// The in-memory portfolio read model (see `store::portfolio_index`); read it through
    /// `service::portfolio`, which knows what to do while it loads.
    pub portfolio: Arc<PortfolioIndex>,
    /// Wakes the mailer when invitations are queued, so they leave within a second.
    pub mail_wakeup: Arc<tokio::sync::Notify>,
    /// The base URL people reach this server at (links in emails), without a trailing slash.
    pub public_url: String,
    /// The company customers see on shared plans and survey pages.
    pub company: String,
    /// Accounts whose health must be re-scored (events, sentiment, survey answers arrived);
    /// the scoring worker gathers them for a moment and scores them together.
    pub health_tx: tokio::sync::mpsc::UnboundedSender<Vec<String>>,
    /// Survey settings and definitions the public pages read on every answer.
    pub surveys: Arc<SurveyCache>,
    /// Alert changes on any node (live streams listen; `Server::spawn_workers` starts it).
    pub alerts: Arc<crate::store::alerts::watch::AlertWatch>,
    /// The SLA timer: wake-ups at every warning, due time and automatic level move, and
    /// escalation changes on any node (`Server::spawn_workers` starts it).
    pub sla: Arc<crate::service::sla_timer::SlaTimer>,
    /// Every ARR movement in memory, followed on every node (`Server::spawn_workers` starts it).
    pub revenue: Arc<crate::store::revenue::ledger::RevenueLedger>,
    /// Something an open executive dashboard shows changed on any node (an ARR movement, a
    /// survey response, an account's health or ARR, an alert); fed by `Server::spawn_workers`.
    pub dashboard_changes: tokio::sync::broadcast::Sender<()>,
    /// Computed dashboards until the next such change (`service::dashboard_cache`).
    pub dashboards: Arc<crate::service::dashboard_cache::DashboardCache>,
    /// When each API key's use was last recorded (at most once a minute, not per request).
    pub key_uses: Arc<KeyUses>,
    /// The keys that sign and verify survey and shared-plan links. Never in the database.
    keyring: Arc<Keyring>,
    /// This process among the nodes sharing the database: holds leases on claimed work and
    /// marks the account touches it writes. New at every start.
    pub node: Arc<str>,
}

/// Which sessions just ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// Every session of this user (deactivation, "sign out everywhere", password change).
    User(crate::model::UserId),
    /// One session, by its token hash (sign-out).
    Session(String),
}

/// Sessions end after this long without a request, unless configured otherwise.
pub const SESSION_IDLE_HOURS: i64 = 12;

impl AppState {
    /// The state with default configuration, and the queue of accounts to re-score, which the
    /// scoring worker (`service::health::spawn_worker`) takes.
    pub fn new(db: Db, secure_cookies: bool) -> (Self, Rescores) {
        let (health_tx, rescores) = crate::service::health::rescore_queue();
        let state = Self {
            health_tx,
            surveys: Arc::new(SurveyCache::new(db.clone())),
            key_uses: Arc::new(KeyUses::new(db.clone())),
            alerts: crate::store::alerts::watch::AlertWatch::new(),
            sla: crate::service::sla_timer::SlaTimer::new(),
            revenue: crate::store::revenue::ledger::RevenueLedger::new(),
            dashboard_changes: tokio::sync::broadcast::channel(256).0,
            dashboards: crate::service::dashboard_cache::DashboardCache::new(),
            db,
            secure_cookies,
            limits: Limits::new(
                crate::limits::SIGN_IN_PER_ADDRESS,
                crate::limits::PUBLIC_REQUESTS_PER_MINUTE,
                crate::limits::API_REQUESTS_PER_MINUTE,
            ),
            client_policy: ClientAddressPolicy::default(),
            session_idle: chrono::Duration::hours(SESSION_IDLE_HOURS),
            live_recheck: std::time::Duration::from_secs(30),
            sessions_ended: tokio::sync::broadcast::channel(64).0,
            portfolio: PortfolioIndex::new(),
            mail_wakeup: Arc::new(tokio::sync::Notify::new()),
            public_url: "http://127.0.0.1:3000".into(),
            company: "Customer Success".into(),
            keyring: Arc::new(Keyring::random()),
            node: format!("node-{:016x}", rand::random::<u64>()).into(),
        };
        (state, rescores)
    }

    /// Asks for these accounts' health to be re-scored (within about a second).
    pub fn rescore(&self, accounts: Vec<String>) {
        if !accounts.is_empty() {
            let _ = self.health_tx.send(accounts);
        }
    }

    /// A plan or touchpoint of `account` changed: re-score it (milestone slippage, engagement
    /// recency) and tell the pages open on it, on this node at once and on the others through
    /// the touch written here (`store::activity`).
    pub fn account_activity(&self, account: &str) {
        self.rescore(vec![account.to_string()]);
        self.portfolio.notify(account);
        let (db, node, account) = (self.db.clone(), self.node.clone(), account.to_string());
        tokio::spawn(async move {
            if let Err(e) = crate::store::activity::touch(&db, &account, &node).await {
                tracing::warn!(error = %e, "could not tell other nodes about an account change");
            }
        });
    }

    /// Replaces the rate limits (sign-ins per address, public-page and API requests per
    /// minute).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The keys that sign and verify links.
    pub fn with_keyring(mut self, keyring: Keyring) -> Self {
        self.keyring = Arc::new(keyring);
        self
    }

    pub fn with_public_url(mut self, url: &str) -> Self {
        self.public_url = url.trim_end_matches('/').to_string();
        self
    }

    /// The company customers see on shared plans and survey pages.
    pub fn with_company(mut self, company: &str) -> Self {
        self.company = company.to_string();
        self
    }

    /// The client address of a request, from its headers and the connection's peer.
    pub fn client_addr(&self, headers: &http::HeaderMap, peer: Option<SocketAddr>) -> IpAddr {
        let forwarded: Vec<&str> =
            headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
        let peer = peer.map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |p| p.ip());
        self.client_policy.client(&forwarded, peer)
    }

    /// Sessions ended here: close their live streams on this node at once (other nodes notice
    /// at their next re-check).
    pub fn sessions_ended(&self, ended: Ended) {
        let _ = self.sessions_ended.send(ended);
    }

    /// The keys that sign new links and verify presented ones.
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }
}
