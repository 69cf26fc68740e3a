//! The clocks on hand-worked cases. Unless a test says otherwise the calendar is Berlin office
//! hours (Mon–Fri 09:00–17:00; November/December is CET, UTC+1) and times are Berlin wall
//! times; 2026-11-27 is a Friday.

use super::calendar::{BusinessTime, WeekHours};
use super::calendar_tests::{cal, local, utc};
use super::clock::*;
use chrono::{DateTime, Utc};
use EventKind::*;

fn at(s: &str) -> DateTime<Utc> {
    local("Europe/Berlin", s)
}

fn e(kind: EventKind, s: &str) -> ClockEvent {
    ClockEvent { kind, at: at(s) }
}

fn office() -> BusinessTime {
    cal("Europe/Berlin", WeekHours::office(), &[])
}

fn targets(first_response: u32, update: u32, resolution: u32) -> Targets {
    Targets {
        first_response_minutes: first_response,
        update_minutes: update,
        resolution_minutes: resolution,
    }
}

fn run(opened: &str, events: &[ClockEvent], t: Targets, now: &str) -> Clocks {
    clocks(at(opened), events, &t, 0.75, &office(), at(now))
}

fn cycle(start: &str, stop: Option<&str>, minutes: i64, breached: bool) -> Cycle {
    Cycle {
        started_at: at(start),
        stopped_at: stop.map(at),
        elapsed_business_minutes: minutes,
        breached,
    }
}

#[test]
fn friday_afternoon_p1_is_due_monday_afternoon() {
    // Fri 16:00–17:00 uses 60 of 480 minutes; the other 420 run Mon 09:00–16:00.
    let t = targets(60, 120, 480);
    let sat = run("2026-11-27 16:00", &[], t, "2026-11-28 12:00").resolution;
    assert_eq!(sat.due_at, Some(utc("2026-11-30T15:00:00Z")));
    assert_eq!(sat.due_at, Some(at("2026-11-30 16:00")));
    // 75 % = 360 minutes: 60 on Friday, 300 on Monday → 14:00.
    assert_eq!(sat.warn_at, Some(at("2026-11-30 14:00")));
    assert_eq!(
        (sat.status, sat.elapsed_business_minutes, sat.breached_at),
        (ClockStatus::Running, 60, None)
    );
    let just_before = run("2026-11-27 16:00", &[], t, "2026-11-30 15:59").resolution;
    assert_eq!(
        (just_before.status, just_before.elapsed_business_minutes),
        (ClockStatus::Running, 479)
    );
    let due = run("2026-11-27 16:00", &[], t, "2026-11-30 16:00").resolution;
    assert_eq!(
        (due.status, due.breached_at, due.due_at),
        (ClockStatus::Breached, due.due_at, Some(at("2026-11-30 16:00")))
    );
    assert_eq!(due.elapsed_business_minutes, 480);
}

#[test]
fn first_response_opened_friday_1630_is_due_monday_0930() {
    let t = targets(60, 120, 480);
    let fr = run("2026-11-27 16:30", &[], t, "2026-11-28 09:00").first_response;
    assert_eq!(fr.due_at, Some(at("2026-11-30 09:30")));
    assert_eq!(fr.warn_at, Some(at("2026-11-30 09:15")));
    assert_eq!((fr.status, fr.elapsed_business_minutes), (ClockStatus::Running, 30));
    // Answered a second before the deadline: met, and stopped.
    let met = run(
        "2026-11-27 16:30",
        &[ClockEvent {
            kind: FirstResponse,
            at: at("2026-11-30 09:30") - chrono::TimeDelta::seconds(1),
        }],
        t,
        "2026-11-30 12:00",
    )
    .first_response;
    assert_eq!(
        (met.status, met.due_at, met.warn_at, met.breached_at),
        (ClockStatus::Met, None, None, None)
    );
    assert_eq!(
        met.cycles,
        vec![Cycle {
            started_at: at("2026-11-27 16:30"),
            stopped_at: Some(utc("2026-11-30T08:29:59Z")),
            elapsed_business_minutes: 59,
            breached: false
        }]
    );
    // Answered on the deadline: the budget is used up, so it is late.
    let late =
        run("2026-11-27 16:30", &[e(FirstResponse, "2026-11-30 09:30")], t, "2026-11-30 12:00")
            .first_response;
    assert_eq!(
        (late.status, late.breached_at),
        (ClockStatus::Breached, Some(at("2026-11-30 09:30")))
    );
}

#[test]
fn a_reply_in_closed_hours_after_the_deadline_stays_breached() {
    // Due at Friday's closing time; the Saturday reply adds no business time but is still late.
    let t = targets(60, 120, 480);
    let running = run("2026-11-27 16:00", &[], t, "2026-11-27 17:00").first_response;
    assert_eq!(
        (running.status, running.breached_at),
        (ClockStatus::Breached, Some(at("2026-11-27 17:00")))
    );
    let fr =
        run("2026-11-27 16:00", &[e(FirstResponse, "2026-11-28 10:00")], t, "2026-11-28 11:00")
            .first_response;
    assert_eq!((fr.status, fr.elapsed_business_minutes), (ClockStatus::Breached, 60));
    assert_eq!(fr.breached_at, Some(at("2026-11-27 17:00")));
}

#[test]
fn waiting_on_the_customer_pauses_update_and_resolution_not_first_response() {
    let t = targets(240, 240, 960);
    let events = [e(WaitingOnCustomer, "2026-11-30 10:00")];
    let c = run("2026-11-30 09:00", &events, t, "2026-11-30 12:00");
    assert_eq!(
        (c.first_response.status, c.first_response.elapsed_business_minutes),
        (ClockStatus::Running, 180)
    );
    assert_eq!(c.first_response.due_at, Some(at("2026-11-30 13:00")));
    for clock in [&c.update, &c.resolution] {
        assert_eq!((clock.status, clock.elapsed_business_minutes), (ClockStatus::Paused, 60));
        assert_eq!((clock.due_at, clock.warn_at), (None, None));
    }
    let events = [e(WaitingOnCustomer, "2026-11-30 10:00"), e(CustomerReplied, "2026-11-30 14:00")];
    let c = run("2026-11-30 09:00", &events, t, "2026-11-30 15:00");
    assert_eq!((c.update.status, c.update.elapsed_business_minutes), (ClockStatus::Running, 120));
    assert_eq!(c.update.due_at, Some(at("2026-11-30 17:00")), "14:00 + the 180 minutes left");
    // 900 minutes left at 14:00: 3 h Monday, 8 h Tuesday, 4 h Wednesday.
    assert_eq!(c.resolution.due_at, Some(at("2026-12-02 13:00")));
    assert_eq!(c.resolution.cycles.len(), 1, "a pause is not a new cycle");
}

#[test]
fn a_pause_over_night() {
    // 60 minutes Tuesday before the pause; the pause swallows Tue 16–17 and Wed 09–11.
    let events = [e(WaitingOnCustomer, "2026-12-01 16:00"), e(CustomerReplied, "2026-12-02 11:00")];
    let r = run("2026-12-01 15:00", &events, targets(60, 600, 480), "2026-12-02 12:00").resolution;
    assert_eq!((r.status, r.elapsed_business_minutes), (ClockStatus::Running, 120));
    // 420 left at Wed 11:00: 360 on Wednesday, 60 on Thursday; the warning at 360 in total.
    assert_eq!(r.due_at, Some(at("2026-12-03 10:00")));
    assert_eq!(r.warn_at, Some(at("2026-12-02 16:00")));
    let asleep =
        run("2026-12-01 15:00", &events, targets(60, 600, 480), "2026-12-02 03:00").resolution;
    assert_eq!(
        (asleep.status, asleep.elapsed_business_minutes, asleep.due_at),
        (ClockStatus::Paused, 60, None)
    );
}

#[test]
fn a_reopen_continues_resolution_in_a_second_cycle() {
    let t = targets(60, 600, 480);
    let resolved = [e(FirstResponse, "2026-11-30 09:10"), e(Resolved, "2026-11-30 15:00")];
    let before = run("2026-11-30 09:00", &resolved, t, "2026-11-30 16:00").resolution;
    assert_eq!(
        (before.status, before.elapsed_business_minutes, before.due_at),
        (ClockStatus::Met, 360, None)
    );
    let first = cycle("2026-11-30 09:00", Some("2026-11-30 15:00"), 360, false);
    assert_eq!(before.cycles, vec![first.clone()]);

    let mut reopened = resolved.to_vec();
    reopened.push(e(Reopened, "2026-12-01 10:00"));
    // 360 + 180 = 540: the target (480) was reached at Tue 12:00.
    let r = run("2026-11-30 09:00", &reopened, t, "2026-12-01 13:00").resolution;
    assert_eq!((r.status, r.elapsed_business_minutes), (ClockStatus::Breached, 540));
    assert_eq!(
        (r.breached_at, r.due_at),
        (Some(at("2026-12-01 12:00")), Some(at("2026-12-01 12:00")))
    );
    assert_eq!(r.cycles, vec![first.clone(), cycle("2026-12-01 10:00", None, 180, true)]);

    reopened.push(e(Resolved, "2026-12-01 14:00"));
    let done = run("2026-11-30 09:00", &reopened, t, "2026-12-03 09:00").resolution;
    assert_eq!(
        (done.status, done.elapsed_business_minutes, done.due_at),
        (ClockStatus::Breached, 600, None)
    );
    assert_eq!(
        done.cycles,
        vec![first, cycle("2026-12-01 10:00", Some("2026-12-01 14:00"), 240, true)]
    );
    let fr = run("2026-11-30 09:00", &reopened, t, "2026-12-03 09:00").first_response;
    assert_eq!((fr.status, fr.cycles.len()), (ClockStatus::Met, 1), "a reopen does not restart it");

    // Two short cycles stay within the budget together.
    let short = [
        e(Resolved, "2026-11-30 11:00"),
        e(Reopened, "2026-12-01 09:00"),
        e(Resolved, "2026-12-01 11:00"),
    ];
    let met = run("2026-11-30 09:00", &short, t, "2026-12-02 09:00").resolution;
    assert_eq!(
        (met.status, met.elapsed_business_minutes, met.cycles.len()),
        (ClockStatus::Met, 240, 2)
    );
}

#[test]
fn update_cadence_restarts_on_every_update() {
    let t = targets(60, 120, 2400);
    let mut events =
        vec![e(FirstResponse, "2026-11-30 09:30"), e(CustomerUpdate, "2026-11-30 11:00")];
    let u = run("2026-11-30 09:00", &events, t, "2026-11-30 12:30").update;
    assert_eq!((u.status, u.elapsed_business_minutes), (ClockStatus::Running, 90));
    assert_eq!((u.due_at, u.warn_at), (Some(at("2026-11-30 13:00")), Some(at("2026-11-30 12:30"))));
    assert_eq!(
        u.cycles,
        vec![
            cycle("2026-11-30 09:00", Some("2026-11-30 09:30"), 30, false),
            cycle("2026-11-30 09:30", Some("2026-11-30 11:00"), 90, false),
            cycle("2026-11-30 11:00", None, 90, false),
        ]
    );
    let late = run("2026-11-30 09:00", &events, t, "2026-11-30 13:30").update;
    assert_eq!(
        (late.status, late.breached_at),
        (ClockStatus::Breached, Some(at("2026-11-30 13:00")))
    );
    // The next update starts a fresh cycle: running again, the first breach still on record.
    events.push(e(CustomerUpdate, "2026-11-30 14:00"));
    let next = run("2026-11-30 09:00", &events, t, "2026-11-30 14:30").update;
    assert_eq!(
        (next.status, next.elapsed_business_minutes, next.breached_at),
        (ClockStatus::Running, 30, Some(at("2026-11-30 13:00")))
    );
    assert_eq!(next.cycles[2], cycle("2026-11-30 11:00", Some("2026-11-30 14:00"), 180, true));
    events.push(e(Resolved, "2026-11-30 15:00"));
    let done = run("2026-11-30 09:00", &events, t, "2026-12-01 09:00").update;
    assert_eq!(
        (done.status, done.elapsed_business_minutes, done.due_at),
        (ClockStatus::Breached, 60, None)
    );
    // Without the late cycle the same shape is met.
    let fine = [
        e(FirstResponse, "2026-11-30 09:30"),
        e(CustomerUpdate, "2026-11-30 11:00"),
        e(Resolved, "2026-11-30 12:00"),
    ];
    let met = run("2026-11-30 09:00", &fine, t, "2026-12-01 09:00").update;
    assert_eq!((met.status, met.breached_at, met.cycles.len()), (ClockStatus::Met, None, 3));
}

#[test]
fn update_cycles_while_waiting_and_after_a_reopen() {
    let t = targets(60, 120, 2400);
    // An update sent while waiting starts the new cycle paused; the reply resumes it.
    let events = [
        e(FirstResponse, "2026-11-30 09:30"),
        e(WaitingOnCustomer, "2026-11-30 10:00"),
        e(CustomerUpdate, "2026-11-30 11:00"),
        e(CustomerReplied, "2026-11-30 15:00"),
    ];
    let paused = run("2026-11-30 09:00", &events[..3], t, "2026-11-30 12:00").update;
    assert_eq!(
        (paused.status, paused.elapsed_business_minutes, paused.due_at),
        (ClockStatus::Paused, 0, None)
    );
    assert_eq!(paused.cycles[1], cycle("2026-11-30 09:30", Some("2026-11-30 11:00"), 30, false));
    let resumed = run("2026-11-30 09:00", &events, t, "2026-11-30 15:30").update;
    assert_eq!((resumed.status, resumed.elapsed_business_minutes), (ClockStatus::Running, 30));
    assert_eq!(
        resumed.due_at,
        Some(at("2026-11-30 17:00")),
        "15:00 + 120: used up at closing time"
    );
    // A reopen starts a new cycle at the reopen.
    let reopened = [
        e(FirstResponse, "2026-11-30 09:30"),
        e(Resolved, "2026-11-30 10:00"),
        e(Reopened, "2026-12-01 10:00"),
    ];
    let u = run("2026-11-30 09:00", &reopened, t, "2026-12-01 11:00").update;
    assert_eq!(u.cycles.last(), Some(&cycle("2026-12-01 10:00", None, 60, false)));
    assert_eq!(
        (u.status, u.cycles.len(), u.due_at),
        (ClockStatus::Running, 3, Some(at("2026-12-01 12:00")))
    );
}

#[test]
fn resolved_before_any_response_stops_first_response() {
    let t = targets(60, 120, 480);
    let fr = run("2026-11-30 09:00", &[e(Resolved, "2026-11-30 09:20")], t, "2026-11-30 12:00")
        .first_response;
    assert_eq!((fr.status, fr.elapsed_business_minutes), (ClockStatus::Met, 20));
    assert_eq!(fr.cycles, vec![cycle("2026-11-30 09:00", Some("2026-11-30 09:20"), 20, false)]);
    let late = run("2026-11-30 09:00", &[e(Resolved, "2026-11-30 11:00")], t, "2026-11-30 12:00")
        .first_response;
    assert_eq!(
        (late.status, late.breached_at),
        (ClockStatus::Breached, Some(at("2026-11-30 10:00")))
    );
}

#[test]
fn events_after_now_are_ignored_and_order_is_repaired() {
    let t = targets(60, 120, 480);
    let future = [e(FirstResponse, "2026-11-30 09:20"), e(Resolved, "2026-11-30 16:00")];
    let c = run("2026-11-30 09:00", &future, t, "2026-11-30 10:00");
    assert_eq!(
        (c.first_response.status, c.resolution.status),
        (ClockStatus::Met, ClockStatus::Running)
    );
    // Given out of order, replayed in time order.
    let shuffled =
        [e(CustomerReplied, "2026-11-30 11:00"), e(WaitingOnCustomer, "2026-11-30 10:00")];
    let r = run("2026-11-30 09:00", &shuffled, t, "2026-11-30 12:00").resolution;
    assert_eq!((r.status, r.elapsed_business_minutes), (ClockStatus::Running, 120));
    // An event stamped before the case opened counts at the opening.
    let early = [e(FirstResponse, "2026-11-30 08:00")];
    let fr = run("2026-11-30 09:00", &early, t, "2026-11-30 12:00").first_response;
    assert_eq!(
        (fr.status, fr.elapsed_business_minutes, fr.cycles[0].stopped_at),
        (ClockStatus::Met, 0, Some(at("2026-11-30 09:00")))
    );
}

#[test]
fn warn_fraction_is_clamped_and_business_time_on_24_7_is_real_time() {
    // 24/7 in Berlin over the spring change: 24 business hours are 24 real hours.
    let always = cal("Europe/Berlin", WeekHours::always(), &[]);
    let opened = local("Europe/Berlin", "2026-03-28 12:00");
    let t = targets(60, 120, 1440);
    let c = clocks(opened, &[], &t, 0.5, &always, opened);
    assert_eq!(c.resolution.due_at, Some(utc("2026-03-29T11:00:00Z")), "13:00 CEST");
    assert_eq!(c.resolution.warn_at, Some(utc("2026-03-28T23:00:00Z")));
    for (fraction, warn) in [
        (1.5, "2026-03-29T11:00:00Z"),
        (-1.0, "2026-03-28T11:00:00Z"),
        (f64::NAN, "2026-03-29T11:00:00Z"),
    ] {
        let c = clocks(opened, &[], &t, fraction, &always, opened);
        assert_eq!(c.resolution.warn_at, Some(utc(warn)), "{fraction}");
    }
}

#[test]
fn next_deadline_is_what_a_timer_waits_for() {
    let t = targets(60, 120, 480);
    let c = run("2026-11-30 09:00", &[], t, "2026-11-30 09:00");
    let fr_warn = at("2026-11-30 09:45");
    assert_eq!(
        next_deadline(&c, at("2026-11-30 09:00")),
        Some((fr_warn, ClockKind::FirstResponse, Moment::Warning))
    );
    assert_eq!(
        next_deadline(&c, fr_warn),
        Some((at("2026-11-30 10:00"), ClockKind::FirstResponse, Moment::Breach))
    );
    assert_eq!(
        next_deadline(&c, at("2026-11-30 10:00")),
        Some((at("2026-11-30 10:30"), ClockKind::Update, Moment::Warning))
    );
    // Paused clocks have nothing to wait for; a stopped first response neither.
    let events = [e(FirstResponse, "2026-11-30 09:05"), e(WaitingOnCustomer, "2026-11-30 09:10")];
    let quiet = run("2026-11-30 09:00", &events, t, "2026-11-30 09:30");
    assert_eq!(next_deadline(&quiet, at("2026-11-30 09:30")), None);
    // Warning and breach together: the breach is reported.
    let same = clocks(at("2026-11-30 09:00"), &[], &t, 1.0, &office(), at("2026-11-30 09:00"));
    assert_eq!(
        next_deadline(&same, at("2026-11-30 09:00")),
        Some((at("2026-11-30 10:00"), ClockKind::FirstResponse, Moment::Breach))
    );
}

#[test]
fn names_and_serde() {
    assert_eq!(serde_json::to_string(&WaitingOnCustomer).unwrap(), "\"waiting_on_customer\"");
    assert_eq!(serde_json::from_str::<EventKind>("\"customer_update\"").unwrap(), CustomerUpdate);
    assert_eq!(serde_json::to_string(&ClockStatus::Breached).unwrap(), "\"breached\"");
    let labels: Vec<_> = ClockKind::ALL.iter().map(|k| (k.key(), k.label())).collect();
    assert_eq!(
        labels,
        [
            ("first_response", "First response"),
            ("update", "Update cadence"),
            ("resolution", "Resolution")
        ]
    );
    for k in ClockKind::ALL {
        assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{}\"", k.key()));
    }
    let c = run("2026-11-30 09:00", &[], targets(60, 120, 480), "2026-11-30 09:30");
    let order: Vec<_> = c.iter().map(|(k, s)| (k, s.target_minutes)).collect();
    assert_eq!(
        order,
        [(ClockKind::FirstResponse, 60), (ClockKind::Update, 120), (ClockKind::Resolution, 480)]
    );
    let back: Clocks = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
    assert_eq!(back, c);
}
