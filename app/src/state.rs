//! What every server function and REST handler can reach (server only).

use crate::limits::{ClientAddressPolicy, Limits};
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
    /// The in-memory portfolio read model (see `store::portfolio_index`).
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
    /// The keys that sign and verify survey and shared-plan links. Never in the database.
    keyring: Arc<Keyring>,
    /// When each API key's use was last recorded (at most once a minute, not per request).
    key_uses: Arc<std::sync::Mutex<std::collections::HashMap<String, std::time::Instant>>>,
    /// Survey settings as last read, and when: every public answer needs them.
    survey_settings:
        Arc<std::sync::RwLock<Option<(std::time::Instant, crate::model::SurveySettings)>>>,
    /// Survey definitions the public pages read on every answer, by `id:…` and `key:…`.
    public_surveys: Arc<std::sync::RwLock<std::collections::HashMap<String, CachedSurvey>>>,
}

/// Which sessions just ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// Every session of this user (deactivation, "sign out everywhere", password change).
    User(String),
    /// One session, by its token hash (sign-out).
    Session(String),
}

type CachedSurvey = (std::time::Instant, crate::model::Survey);

/// How long a node trusts its copy of the survey settings. A change made on another node
/// reaches this one within this time; a change made here applies at once.
const SETTINGS_TTL: std::time::Duration = std::time::Duration::from_secs(10);

/// Sessions end after this long without a request, unless configured otherwise.
pub const SESSION_IDLE_HOURS: i64 = 12;

impl AppState {
    /// Must be called inside a Tokio runtime: it starts the portfolio index's sync task.
    pub fn new(db: Db, secure_cookies: bool) -> Self {
        let portfolio = PortfolioIndex::new();
        portfolio.spawn_sync(db.clone());
        let (health_tx, health_rx) = tokio::sync::mpsc::unbounded_channel();
        crate::scoring::spawn_worker(db.clone(), portfolio.clone(), health_rx);
        Self {
            health_tx,
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
            portfolio,
            mail_wakeup: Arc::new(tokio::sync::Notify::new()),
            public_url: "http://127.0.0.1:3000".into(),
            company: "Customer Success".into(),
            keyring: Arc::new(Keyring::random()),
            key_uses: Arc::new(std::sync::Mutex::new(Default::default())),
            survey_settings: Arc::new(std::sync::RwLock::new(None)),
            public_surveys: Arc::new(std::sync::RwLock::new(Default::default())),
        }
    }

    /// Asks for these accounts' health to be re-scored (within about a second).
    pub fn rescore(&self, accounts: Vec<String>) {
        if !accounts.is_empty() {
            let _ = self.health_tx.send(accounts);
        }
    }

    /// Records that an API key was used (shown in Settings), at most once a minute per key.
    /// A plan or touchpoint of `account` changed: re-score it (milestone slippage, engagement
    /// recency) and tell the pages open on it.
    pub fn account_activity(&self, account: &str) {
        self.rescore(vec![account.to_string()]);
        self.portfolio.notify(account);
    }

    pub fn note_key_use(&self, id: &str) {
        let mut uses = self.key_uses.lock().unwrap_or_else(|p| p.into_inner());
        if uses
            .get(id)
            .is_some_and(|t| t.elapsed() < std::time::Duration::from_secs(60))
        {
            return;
        }
        uses.insert(id.to_string(), std::time::Instant::now());
        let (db, id) = (self.db.clone(), id.to_string());
        tokio::spawn(async move {
            if let Err(e) = crate::store::api_keys::touch(&db, &id).await {
                tracing::warn!(error = %e, "could not record an API key's use");
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

    /// The client address of a request, from its headers and the connection's peer.
    pub fn client_addr(&self, headers: &http::HeaderMap, peer: Option<SocketAddr>) -> IpAddr {
        let forwarded: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let peer = peer.map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |p| p.ip());
        self.client_policy.client(&forwarded, peer)
    }

    /// The signed-in user behind a request's session cookie, if the session is live (server
    /// functions and downloads; the live stream looks its session up by hash, as it keeps it).
    pub async fn signed_in(
        &self,
        headers: &http::HeaderMap,
    ) -> Result<Option<crate::model::Me>, crate::error::AppError> {
        let Some(token) = crate::auth::session_token(headers, self.secure_cookies) else {
            return Ok(None);
        };
        crate::store::sessions::lookup(
            &self.db,
            &crate::auth::token_hash(&token),
            self.session_idle,
        )
        .await
    }

    /// Sessions ended here: close their live streams on this node at once (other nodes notice
    /// at their next re-check).
    pub fn sessions_ended(&self, ended: Ended) {
        let _ = self.sessions_ended.send(ended);
    }

    pub fn with_public_url(mut self, url: &str) -> Self {
        self.public_url = url.trim_end_matches('/').to_string();
        self
    }

    /// The survey settings, from a copy at most `SETTINGS_TTL` old.
    pub async fn survey_settings(
        &self,
    ) -> Result<crate::model::SurveySettings, crate::error::AppError> {
        if let Some((at, s)) = *self
            .survey_settings
            .read()
            .unwrap_or_else(|p| p.into_inner())
        {
            if at.elapsed() < SETTINGS_TTL {
                return Ok(s);
            }
        }
        let s = crate::store::settings::surveys(&self.db).await?;
        self.remember_survey_settings(s);
        Ok(s)
    }

    pub fn remember_survey_settings(&self, s: crate::model::SurveySettings) {
        *self
            .survey_settings
            .write()
            .unwrap_or_else(|p| p.into_inner()) = Some((std::time::Instant::now(), s));
    }

    fn cached_survey(&self, key: &str) -> Option<crate::model::Survey> {
        let cache = self
            .public_surveys
            .read()
            .unwrap_or_else(|p| p.into_inner());
        cache
            .get(key)
            .filter(|(at, _)| at.elapsed() < SETTINGS_TTL)
            .map(|(_, s)| s.clone())
    }

    fn cache_survey(&self, s: &crate::model::Survey) {
        let mut cache = self
            .public_surveys
            .write()
            .unwrap_or_else(|p| p.into_inner());
        if cache.len() > 10_000 {
            cache.clear();
        }
        let now = std::time::Instant::now();
        cache.insert(format!("id:{}", s.id), (now, s.clone()));
        cache.insert(format!("key:{}", s.public_key), (now, s.clone()));
    }

    /// A survey for the public pages, from a copy at most `SETTINGS_TTL` old: every answer
    /// needs its definition, which changes rarely. Opening or closing a survey on this node
    /// applies at once (`forget_surveys`); on another node within the TTL.
    pub async fn public_survey(
        &self,
        id: &str,
    ) -> Result<Option<crate::model::Survey>, crate::error::AppError> {
        if let Some(s) = self.cached_survey(&format!("id:{id}")) {
            return Ok(Some(s));
        }
        let s = crate::store::surveys::get_public(&self.db, id).await?;
        if let Some(s) = &s {
            self.cache_survey(s);
        }
        Ok(s)
    }

    /// The active survey behind an anonymous link (cached like [`Self::public_survey`]).
    pub async fn survey_by_public_key(
        &self,
        key: &str,
    ) -> Result<Option<crate::model::Survey>, crate::error::AppError> {
        if let Some(s) = self.cached_survey(&format!("key:{key}")) {
            return Ok(s.active.then_some(s));
        }
        let s = crate::store::surveys::by_public_key(&self.db, key).await?;
        if let Some(s) = &s {
            self.cache_survey(s);
        }
        Ok(s)
    }

    pub fn forget_surveys(&self) {
        self.public_surveys
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// The keys that sign new links and verify presented ones.
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }
}
