//! Periodic work that must run once across several nodes (the hourly pass), claimed in the
//! database with a lease. A claim succeeds when the job's time has come and no live lease holds
//! it; it is one transaction, so of several nodes claiming at once exactly one wins (the others
//! conflict, retry, and find it leased). The holder renews the lease while it works and, when
//! done, sets the next time and logs the run. A holder that dies stops renewing: its lease runs
//! out and the next node to poll claims the job again (the pass is idempotent, so work half
//! done is finished, not doubled).

use super::{query_all, query_value, transact, Db};
use crate::error::AppError;
use crate::model::Timestamp;
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

/// Claims `job` for `holder` for `lease` if its time has come (or it never ran) and no other
/// holder's lease is live. `true`: run it, renew, then [`finish`].
pub async fn claim(db: &Db, job: &str, holder: &str, lease: Duration) -> Result<bool, AppError> {
    let mut r = transact(
        db,
        "BEGIN;
         LET $now = time::now();
         LET $j = (SELECT * FROM ONLY type::record('job', $job));
         LET $free = $j = NONE OR ($j.next_at <= $now
             AND ($j.lease_until = NONE OR $j.lease_until < $now));
         IF $free {
             UPSERT type::record('job', $job) SET next_at = $j.next_at ?? $now,
                 lease_until = $now + <duration>$lease, holder = $holder, started_at = $now
                 RETURN NONE;
         };
         RETURN $free;
         COMMIT;",
        json!({ "job": job, "holder": holder, "lease": super::duration(lease) }),
    )
    .await?;
    r.before_commit()
}

/// Extends `holder`'s lease on `job`; `false` when the lease was lost (it ran out and another
/// node claimed the job): the caller stops working.
pub async fn renew(db: &Db, job: &str, holder: &str, lease: Duration) -> Result<bool, AppError> {
    let kept: Vec<String> = query_all(
        db,
        "UPDATE type::record('job', $job) SET lease_until = time::now() + <duration>$lease
         WHERE holder = $holder AND lease_until != NONE AND lease_until >= time::now()
         RETURN VALUE record::id(id)",
        json!({ "job": job, "holder": holder, "lease": super::duration(lease) }),
    )
    .await?;
    Ok(!kept.is_empty())
}

/// `holder` finished `job`: it comes due again `every` from now, and the run is logged. Does
/// nothing (answers `false`) if the lease was lost meanwhile.
pub async fn finish(db: &Db, job: &str, holder: &str, every: Duration) -> Result<bool, AppError> {
    let mut r = transact(
        db,
        "BEGIN;
         LET $now = time::now();
         LET $j = (SELECT * FROM ONLY type::record('job', $job));
         LET $mine = $j != NONE AND $j.holder = $holder AND $j.lease_until != NONE;
         IF $mine {
             UPDATE type::record('job', $job) SET next_at = $now + <duration>$every,
                 lease_until = NONE, last_done = $now, runs += 1 RETURN NONE;
             CREATE job_run SET job = $job, holder = $holder, started_at = $j.started_at ?? $now,
                 finished_at = $now RETURN NONE;
             DELETE job_run WHERE job = $job AND started_at < $now - 30d RETURN NONE;
         };
         RETURN $mine;
         COMMIT;",
        json!({ "job": job, "holder": holder, "every": super::duration(every) }),
    )
    .await?;
    r.before_commit()
}

/// One logged run of a job.
#[derive(Debug, Clone, Deserialize)]
pub struct Run {
    pub holder: String,
    pub started_at: Timestamp,
    pub finished_at: Timestamp,
}

/// The runs of `job` in the last 30 days, oldest first (operations, and the tests that check
/// no two runs overlapped).
pub async fn runs(db: &Db, job: &str) -> Result<Vec<Run>, AppError> {
    query_all(
        db,
        "SELECT holder, started_at, finished_at FROM job_run WHERE job = $job ORDER BY started_at",
        json!({ "job": job }),
    )
    .await
}

/// How many times `job` ran to the end.
pub async fn run_count(db: &Db, job: &str) -> Result<u64, AppError> {
    let n: Option<u64> = query_value(
        db,
        "RETURN (SELECT VALUE runs FROM ONLY type::record('job', $job))",
        json!({ "job": job }),
    )
    .await?;
    Ok(n.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEASE: Duration = Duration::from_millis(400);
    const EVERY: Duration = Duration::from_secs(3600);

    #[tokio::test]
    async fn one_claimant_wins_and_a_dead_holders_lease_runs_out() {
        let db = crate::store::connect("mem://", None, None).await.unwrap();
        // Eight nodes ask at once: one wins.
        let asks = (0..8).map(|i| {
            let db = db.clone();
            async move { claim(&db, "pass", &format!("node-{i}"), LEASE).await.unwrap() }
        });
        let won = futures::future::join_all(asks).await;
        assert_eq!(won.iter().filter(|w| **w).count(), 1, "{won:?}");
        let winner = format!("node-{}", won.iter().position(|w| *w).unwrap());
        let loser = if winner == "node-0" { "node-1" } else { "node-0" };
        // While the lease is live, nobody else; the holder renews; a stranger cannot.
        assert!(!claim(&db, "pass", loser, LEASE).await.unwrap());
        assert!(renew(&db, "pass", &winner, LEASE).await.unwrap());
        assert!(!renew(&db, "pass", loser, LEASE).await.unwrap());
        // The holder "dies": its lease runs out and another node takes the pass over.
        tokio::time::sleep(LEASE + Duration::from_millis(100)).await;
        assert!(claim(&db, "pass", loser, LEASE).await.unwrap());
        // The old holder can neither renew nor finish it any more.
        assert!(!renew(&db, "pass", &winner, LEASE).await.unwrap());
        assert!(!finish(&db, "pass", &winner, EVERY).await.unwrap());
        // The new holder finishes: one run logged, and the pass is not due for an hour.
        assert!(finish(&db, "pass", loser, EVERY).await.unwrap());
        assert_eq!(run_count(&db, "pass").await.unwrap(), 1);
        let runs = runs(&db, "pass").await.unwrap();
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].holder, loser);
        assert!(!claim(&db, "pass", &winner, LEASE).await.unwrap());
        // Another job is independent.
        assert!(claim(&db, "other", &winner, LEASE).await.unwrap());
    }
}
