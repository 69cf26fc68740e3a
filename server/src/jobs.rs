//! Work that must happen once across the nodes sharing a database, claimed there with a lease
//! (`store::jobs`, `store::invitations::claim`). Every node runs these loops; the database
//! decides which node does each piece of work, and a node that dies leaves leases that run
//! out, so another node finishes its work.

use app::state::AppState;
use app::store::jobs;
use std::time::Duration;

/// The hourly pass's name in the `job` table.
pub const HOURLY: &str = "hourly";

/// How long claims last and how often the hourly pass comes due (tests shorten both).
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// A claim (of the hourly pass, of a batch of invitations) is another node's to take once
    /// this long has passed without its holder renewing it.
    pub lease: Duration,
    /// The hourly pass comes due this long after it last finished.
    pub hourly: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self { lease: Duration::from_secs(120), hourly: Duration::from_secs(3600) }
    }
}

impl Timing {
    /// How often a node asks whether the hourly pass is due: often enough that a due pass
    /// (or one whose node died) starts soon, at most once a minute.
    fn poll(&self) -> Duration {
        (self.hourly / 5)
            .min(self.lease / 2)
            .clamp(Duration::from_millis(200), Duration::from_secs(60))
    }
}

/// Runs the hourly pass whenever this node wins its claim, until the process ends.
pub async fn run_hourly(state: AppState, timing: Timing) {
    loop {
        match jobs::claim(&state.db, HOURLY, &state.node, timing.lease).await {
            Ok(true) => run_claimed(&state, timing).await,
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "could not claim the hourly pass"),
        }
        tokio::time::sleep(timing.poll()).await;
    }
}

/// Runs the claimed pass while renewing the lease; stops if the lease is lost (this node was
/// too slow or cut off, and another node took the pass over).
async fn run_claimed(state: &AppState, timing: Timing) {
    let renew = async {
        loop {
            tokio::time::sleep(timing.lease / 3).await;
            match jobs::renew(&state.db, HOURLY, &state.node, timing.lease).await {
                Ok(true) => {}
                Ok(false) => return,
                Err(e) => tracing::warn!(error = %e, "could not renew the hourly pass's lease"),
            }
        }
    };
    tokio::select! {
        _ = hourly_pass(state) => {
            if let Err(e) = jobs::finish(&state.db, HOURLY, &state.node, timing.hourly).await {
                tracing::warn!(error = %e, "could not record the hourly pass");
            }
        }
        _ = renew => tracing::warn!("lost the hourly pass's lease; another node took it over"),
    }
}

/// Every account gets today's health snapshot (those scored today already have one, so score
/// history has no gaps), expired sessions go, recurring surveys are sent. Each step is
/// idempotent: a pass that a dead node left half done is finished by the next.
async fn hourly_pass(state: &AppState) {
    match app::service::health::daily(&state.db, &state.portfolio).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(accounts = n, "daily health snapshots"),
        Err(e) => tracing::warn!(error = %e, "daily health snapshots failed"),
    }
    if let Err(e) = app::store::sessions::purge_expired(&state.db, state.session_idle).await {
        tracing::warn!(error = %e, "could not purge expired sessions");
    }
    app::service::surveys::send_recurring(state).await;
}
