//! The three SLA clocks of a case as a pure function of its event log, so they replay the same
//! way on every screen and after every restart, and a closed cycle is never rewritten (JSM's
//! "reconstruction" flips past results; Zammad #188 miscounts reopened tickets).
//!
//! Rules, one per clock (stated because tools differ and users ask):
//! - Only events at or before `now` count; they are sorted stably by time (the caller's order
//!   breaks ties). An event before `opened_at` counts as happening at `opened_at`.
//! - **First response** runs from `opened_at` until the first `FirstResponse`; a `Resolved`
//!   before any response also stops it and is judged at that instant. It never pauses (waiting
//!   on the customer cannot happen before anyone answered them) and a reopen does not restart
//!   it: the first response happens once per case, as in Zammad.
//! - **Update cadence** runs from `opened_at` and starts a NEW cycle at every `FirstResponse` or
//!   `CustomerUpdate` (a reply metric resets, it does not pause). It pauses from
//!   `WaitingOnCustomer` until `CustomerReplied`, `Reopened` or `Resolved`; an update sent while
//!   waiting starts the new cycle paused, because the case is still waiting. `Resolved` stops
//!   it; `Reopened` starts a new cycle at the reopen. A cycle is breached once its own business
//!   time reaches the target. While open the status is the current cycle's; once resolved it is
//!   Met only if no cycle was breached.
//! - **Resolution** runs from `opened_at` until `Resolved` and pauses while waiting on the
//!   customer. `Reopened` continues the SAME clock (elapsed time carries on) and records a new
//!   cycle; the resolved cycle keeps the `breached` flag it had at its own stop. A cycle's
//!   `elapsed_business_minutes` is the time that cycle added; the clock's is the total.
//! - Reaching the target IS the breach: `due_at` is the first instant the budget is used up and
//!   an answer at or after it is late. This is what a timer waking at `due_at` must see, and it
//!   keeps a reply that arrives in closed hours after `due_at` (business time no longer growing)
//!   from flipping a shown "Breached" back to "Met".
//! - While running, `due_at`/`warn_at` come from the calendar to the second; `breached_at` is the
//!   instant the target was first reached. While paused or stopped both deadlines are `None`.
//! - Events that make no sense in the current state (a second `Resolved`, `CustomerReplied` with
//!   no wait, an update after resolution) are ignored rather than refused: the log is history,
//!   and one odd entry must not hide the clocks.

use super::calendar::BusinessTime;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum EventKind {
    Acknowledged,
    FirstResponse,
    CustomerUpdate,
    WaitingOnCustomer,
    CustomerReplied,
    Escalated,
    Resolved,
    Reopened,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClockEvent {
    pub kind: EventKind,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Targets {
    pub first_response_minutes: u32,
    pub update_minutes: u32,
    pub resolution_minutes: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ClockKind {
    FirstResponse,
    Update,
    Resolution,
}

impl ClockKind {
    pub const ALL: [ClockKind; 3] =
        [ClockKind::FirstResponse, ClockKind::Update, ClockKind::Resolution];

    /// The serde name, for URLs and stored keys.
    pub fn key(self) -> &'static str {
        match self {
            ClockKind::FirstResponse => "first_response",
            ClockKind::Update => "update",
            ClockKind::Resolution => "resolution",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ClockKind::FirstResponse => "First response",
            ClockKind::Update => "Update cadence",
            ClockKind::Resolution => "Resolution",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ClockStatus {
    Running,
    Paused,
    Met,
    Breached,
}

/// One start-to-stop stretch of a clock (JSM's completed/ongoing cycles).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Cycle {
    pub started_at: DateTime<Utc>,
    pub stopped_at: Option<DateTime<Utc>>,
    pub elapsed_business_minutes: i64,
    pub breached: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ClockState {
    pub target_minutes: u32,
    pub due_at: Option<DateTime<Utc>>,
    pub warn_at: Option<DateTime<Utc>>,
    pub elapsed_business_minutes: i64,
    pub status: ClockStatus,
    pub breached_at: Option<DateTime<Utc>>,
    pub cycles: Vec<Cycle>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Clocks {
    pub first_response: ClockState,
    pub update: ClockState,
    pub resolution: ClockState,
}

impl Clocks {
    /// In [`ClockKind::ALL`] order, the order the case page lists them.
    pub fn iter(&self) -> impl Iterator<Item = (ClockKind, &ClockState)> {
        ClockKind::ALL.into_iter().map(move |k| (k, self.get(k)))
    }

    pub fn get(&self, kind: ClockKind) -> &ClockState {
        match kind {
            ClockKind::FirstResponse => &self.first_response,
            ClockKind::Update => &self.update,
            ClockKind::Resolution => &self.resolution,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Moment {
    Warning,
    Breach,
}

/// The clocks as of `now`. `warn_fraction` is clamped to 0..=1 (NaN counts as 1, i.e. the
/// warning coincides with the breach) and rounded to whole seconds of the target, so 0.75 of
/// 60 minutes is exactly 45:00 rather than a float a hair past it.
pub fn clocks(
    opened_at: DateTime<Utc>, events: &[ClockEvent], targets: &Targets, warn_fraction: f64,
    cal: &BusinessTime, now: DateTime<Utc>,
) -> Clocks {
    let mut log: Vec<ClockEvent> = events
        .iter()
        .filter(|e| e.at <= now)
        .map(|e| ClockEvent { kind: e.kind, at: e.at.max(opened_at) })
        .collect();
    log.sort_by_key(|e| e.at);
    let fraction = if warn_fraction.is_nan() { 1.0 } else { warn_fraction.clamp(0.0, 1.0) };
    let meter = |minutes: u32| {
        let target = i64::from(minutes) * 60;
        Meter::new(cal, target, (fraction * target as f64).round() as i64)
    };
    Clocks {
        first_response: first_response(opened_at, &log, meter(targets.first_response_minutes), now),
        update: update(opened_at, &log, meter(targets.update_minutes), now),
        resolution: resolution(opened_at, &log, meter(targets.resolution_minutes), now),
    }
}

/// What a timer must wait for: the earliest warning or breach strictly after `after` among the
/// running clocks. A warning and a breach at the same instant (fraction 1) report the breach,
/// the one that matters; otherwise clocks tie in [`ClockKind::ALL`] order.
pub fn next_deadline(
    clocks: &Clocks, after: DateTime<Utc>,
) -> Option<(DateTime<Utc>, ClockKind, Moment)> {
    clocks
        .iter()
        .flat_map(|(kind, c)| {
            [(c.due_at, Moment::Breach), (c.warn_at, Moment::Warning)]
                .into_iter()
                .filter_map(move |(t, m)| t.filter(|t| *t > after).map(|t| (t, kind, m)))
        })
        .min_by_key(|(t, _, m)| (*t, *m == Moment::Warning))
}

fn first_response(
    opened_at: DateTime<Utc>, log: &[ClockEvent], mut m: Meter, now: DateTime<Utc>,
) -> ClockState {
    m.resume(opened_at);
    let stop =
        log.iter().find(|e| matches!(e.kind, EventKind::FirstResponse | EventKind::Resolved));
    if let Some(e) = stop {
        m.pause(e.at);
    }
    let r = m.read(now);
    let cycle = r.cycle(opened_at, stop.map(|e| e.at));
    let status = match (stop.is_some(), r.breached_at.is_some()) {
        (_, true) => ClockStatus::Breached,
        (true, false) => ClockStatus::Met,
        (false, false) => ClockStatus::Running,
    };
    r.state(m.target, status, r.breached_at, vec![cycle])
}

fn update(
    opened_at: DateTime<Utc>, log: &[ClockEvent], mut m: Meter, now: DateTime<Utc>,
) -> ClockState {
    use EventKind::*;
    m.resume(opened_at);
    let (mut cycles, mut cycle_start) = (Vec::new(), opened_at);
    let (mut open, mut waiting, mut first_breach) = (true, false, None);
    for e in log {
        let t = e.at;
        match e.kind {
            FirstResponse | CustomerUpdate | Resolved if open => {
                m.pause(t);
                let closed = m.read(t);
                cycles.push(closed.cycle(cycle_start, Some(t)));
                first_breach = first_breach.or(closed.breached_at);
                if e.kind == Resolved {
                    (open, waiting) = (false, false);
                } else {
                    (m, cycle_start) = (m.fresh(), t);
                    if !waiting {
                        m.resume(t);
                    }
                }
            }
            WaitingOnCustomer if open => {
                waiting = true;
                m.pause(t);
            }
            CustomerReplied if open => {
                waiting = false;
                m.resume(t);
            }
            Reopened => {
                if !open {
                    (open, m, cycle_start) = (true, m.fresh(), t);
                }
                waiting = false;
                m.resume(t);
            }
            _ => {}
        }
    }
    let r = m.read(now);
    if !open {
        let status = if first_breach.is_some() { ClockStatus::Breached } else { ClockStatus::Met };
        return r.state(m.target, status, first_breach, cycles);
    }
    cycles.push(r.cycle(cycle_start, None));
    let status = match (r.breached_at.is_some(), waiting) {
        (true, _) => ClockStatus::Breached,
        (false, true) => ClockStatus::Paused,
        (false, false) => ClockStatus::Running,
    };
    r.state(m.target, status, first_breach.or(r.breached_at), cycles)
}

fn resolution(
    opened_at: DateTime<Utc>, log: &[ClockEvent], mut m: Meter, now: DateTime<Utc>,
) -> ClockState {
    use EventKind::*;
    m.resume(opened_at);
    let (mut cycles, mut cycle_start, mut base) = (Vec::new(), opened_at, 0);
    let (mut open, mut waiting) = (true, false);
    for e in log {
        let t = e.at;
        match e.kind {
            Resolved if open => {
                m.pause(t);
                let mut cycle = m.read(t).cycle(cycle_start, Some(t));
                cycle.elapsed_business_minutes = (m.elapsed - base) / 60;
                cycles.push(cycle);
                (open, waiting) = (false, false);
            }
            WaitingOnCustomer if open => {
                waiting = true;
                m.pause(t);
            }
            CustomerReplied if open => {
                waiting = false;
                m.resume(t);
            }
            Reopened => {
                if !open {
                    (open, cycle_start, base) = (true, t, m.elapsed);
                }
                waiting = false;
                m.resume(t);
            }
            _ => {}
        }
    }
    let r = m.read(now);
    if open {
        let mut cycle = r.cycle(cycle_start, None);
        cycle.elapsed_business_minutes = (r.elapsed - base) / 60;
        cycles.push(cycle);
    }
    let status = match (r.breached_at.is_some(), open, waiting) {
        (true, _, _) => ClockStatus::Breached,
        (false, false, _) => ClockStatus::Met,
        (false, true, true) => ClockStatus::Paused,
        (false, true, false) => ClockStatus::Running,
    };
    r.state(m.target, status, r.breached_at, cycles)
}

/// Business time accumulated against one target, across runs separated by pauses. The warning
/// and breach instants are recorded when a run crosses them, so they stay exact however many
/// pauses follow.
struct Meter<'a> {
    cal: &'a BusinessTime,
    target: i64,
    warn: i64,
    /// Business seconds of the finished runs.
    elapsed: i64,
    running_since: Option<DateTime<Utc>>,
    warned_at: Option<DateTime<Utc>>,
    breached_at: Option<DateTime<Utc>>,
}

/// A meter as of some instant.
struct Reading {
    elapsed: i64,
    due_at: Option<DateTime<Utc>>,
    warn_at: Option<DateTime<Utc>>,
    breached_at: Option<DateTime<Utc>>,
}

impl<'a> Meter<'a> {
    fn new(cal: &'a BusinessTime, target: i64, warn: i64) -> Self {
        Meter {
            cal,
            target,
            warn,
            elapsed: 0,
            running_since: None,
            warned_at: None,
            breached_at: None,
        }
    }

    /// The same target on a new cycle.
    fn fresh(&self) -> Self {
        Meter::new(self.cal, self.target, self.warn)
    }

    fn resume(&mut self, at: DateTime<Utc>) {
        self.running_since.get_or_insert(at);
    }

    fn pause(&mut self, at: DateTime<Utc>) {
        if let Some(since) = self.running_since.take() {
            let run = self.cal.business_seconds(since, at);
            self.warned_at = self.warned_at.or_else(|| self.crossing(since, run, self.warn));
            self.breached_at = self.breached_at.or_else(|| self.crossing(since, run, self.target));
            self.elapsed += run;
        }
    }

    /// When a run from `since` that adds `run` seconds reaches `threshold`, if it does.
    fn crossing(&self, since: DateTime<Utc>, run: i64, threshold: i64) -> Option<DateTime<Utc>> {
        (self.elapsed + run >= threshold).then(|| self.instant_of(since, threshold))
    }

    /// The instant a run from `since` reaches `threshold` (now, if it already has).
    fn instant_of(&self, since: DateTime<Utc>, threshold: i64) -> DateTime<Utc> {
        self.cal.add_business_seconds(since, (threshold - self.elapsed).max(0))
    }

    fn read(&self, now: DateTime<Utc>) -> Reading {
        let Some(since) = self.running_since else {
            let (elapsed, breached_at) = (self.elapsed, self.breached_at);
            return Reading { elapsed, due_at: None, warn_at: None, breached_at };
        };
        let elapsed = self.elapsed + self.cal.business_seconds(since, now);
        // Once passed, a deadline is reported as the instant it was actually reached, not the
        // resume instant the plain formula would give for a budget already used up.
        let due = self.breached_at.unwrap_or_else(|| self.instant_of(since, self.target));
        let warn = self.warned_at.unwrap_or_else(|| self.instant_of(since, self.warn));
        let breached_at = self.breached_at.or((elapsed >= self.target).then_some(due));
        Reading { elapsed, due_at: Some(due), warn_at: Some(warn), breached_at }
    }
}

impl Reading {
    fn cycle(&self, started_at: DateTime<Utc>, stopped_at: Option<DateTime<Utc>>) -> Cycle {
        let (elapsed_business_minutes, breached) = (self.elapsed / 60, self.breached_at.is_some());
        Cycle { started_at, stopped_at, elapsed_business_minutes, breached }
    }

    fn state(
        &self, target_secs: i64, status: ClockStatus, breached_at: Option<DateTime<Utc>>,
        cycles: Vec<Cycle>,
    ) -> ClockState {
        ClockState {
            target_minutes: u32::try_from(target_secs / 60).unwrap_or(u32::MAX),
            due_at: self.due_at,
            warn_at: self.warn_at,
            elapsed_business_minutes: self.elapsed / 60,
            status,
            breached_at,
            cycles,
        }
    }
}
