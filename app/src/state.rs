//! What every server function and REST handler can reach (server only).

use crate::store::portfolio_index::PortfolioIndex;
use crate::store::Db;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Mark cookies Secure: on behind HTTPS, off on plain-HTTP loopback (dev, tests).
    pub secure_cookies: bool,
    /// Sign-in attempts per email address: slows password guessing to a crawl without
    /// locking the real owner out for long. In memory per node (governor's GCRA), which is
    /// enough: a guesser spread over N nodes still gets only N times the budget.
    pub login_limiter: Arc<DefaultKeyedRateLimiter<String>>,
    /// The in-memory portfolio read model (see `store::portfolio_index`).
    pub portfolio: Arc<PortfolioIndex>,
}

/// Ten attempts, then one more every six seconds.
pub const LOGIN_ATTEMPTS_PER_MINUTE: u32 = 10;

impl AppState {
    /// Must be called inside a Tokio runtime: it starts the portfolio index's sync task.
    pub fn new(db: Db, secure_cookies: bool) -> Self {
        let quota =
            Quota::per_minute(NonZeroU32::new(LOGIN_ATTEMPTS_PER_MINUTE).expect("non-zero"));
        let portfolio = PortfolioIndex::new();
        portfolio.spawn_sync(db.clone());
        Self {
            db,
            secure_cookies,
            login_limiter: Arc::new(RateLimiter::keyed(quota)),
            portfolio,
        }
    }
}
