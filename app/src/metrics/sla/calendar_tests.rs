//! Business-calendar arithmetic, with every expected instant worked out by hand from the zone's
//! rules (Berlin: CET +1 / CEST +2, switching at 01:00 UTC; New York: EST −5 / EDT −4, switching
//! at 02:00 local).

use super::calendar::*;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

pub(super) fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// A local wall time that exists exactly once.
pub(super) fn local(tz: &str, s: &str) -> DateTime<Utc> {
    let tz: Tz = tz.parse().unwrap();
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    tz.from_local_datetime(&naive).single().unwrap().with_timezone(&Utc)
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn span(a: &str, b: &str) -> Span {
    Span(DayMinute::parse(a).unwrap(), DayMinute::parse(b).unwrap())
}

pub(super) fn cal(tz: &str, hours: WeekHours, holidays: &[&str]) -> BusinessTime {
    let holidays = holidays.iter().map(|h| d(h)).collect();
    BusinessTime::new(&CalendarSpec { time_zone: tz.into(), hours, holidays }).unwrap()
}

fn every_day(spans: &[Span]) -> WeekHours {
    let v = spans.to_vec();
    WeekHours {
        mon: v.clone(),
        tue: v.clone(),
        wed: v.clone(),
        thu: v.clone(),
        fri: v.clone(),
        sat: v.clone(),
        sun: v,
    }
}

fn hours_of(c: &BusinessTime, date: &str) -> f64 {
    c.intervals_on(d(date)).iter().map(|(a, b)| (*b - *a).num_seconds()).sum::<i64>() as f64
        / 3600.0
}

#[test]
fn day_minute_reads_and_writes_hh_mm_only() {
    assert_eq!(serde_json::from_str::<DayMinute>("\"09:00\"").unwrap(), DayMinute(540));
    assert_eq!(serde_json::from_str::<DayMinute>("\"24:00\"").unwrap(), DayMinute(1440));
    assert_eq!(serde_json::to_string(&DayMinute(545)).unwrap(), "\"09:05\"");
    for bad in ["24:30", "9:5", "ab", "12:60", "25:00", "09:00:00", ""] {
        let err = serde_json::from_str::<DayMinute>(&format!("\"{bad}\"")).unwrap_err().to_string();
        assert!(err.contains(&format!("\"{bad}\"")), "{bad}: {err}");
    }
    let err = DayMinute::parse("24:30").unwrap_err();
    assert!(err.contains("24:00 is the latest"), "{err}");
}

#[test]
fn span_is_a_pair_and_24_00_only_ends_one() {
    let s: Span = serde_json::from_str(r#"["09:00","17:00"]"#).unwrap();
    assert_eq!(s, Span(DayMinute(540), DayMinute(1020)));
    assert_eq!(serde_json::to_string(&s).unwrap(), r#"["09:00","17:00"]"#);
    assert_eq!(s.to_string(), "09:00–17:00");
    let err = serde_json::from_str::<Span>(r#"["24:00","24:00"]"#).unwrap_err().to_string();
    assert!(err.contains("24:00 can only end a span"), "{err}");
}

#[test]
fn spec_json_contract() {
    let json = r#"{"time_zone": "Europe/Berlin", "hours": {"mon": [["09:00","17:00"]], "tue": [],
        "wed": [], "thu": [], "fri": [], "sat": [], "sun": []}, "holidays": ["2026-12-25"]}"#;
    let spec: CalendarSpec = serde_json::from_str(json).unwrap();
    assert_eq!(spec.hours.mon, vec![span("09:00", "17:00")]);
    assert_eq!(spec.holidays, vec![d("2026-12-25")]);
    let back: CalendarSpec = serde_json::from_str(&serde_json::to_string(&spec).unwrap()).unwrap();
    assert_eq!(back, spec);
    // Missing days are closed and holidays may be left out.
    let short: CalendarSpec =
        serde_json::from_str(r#"{"time_zone":"UTC","hours":{"sat":[["10:00","24:00"]]}}"#).unwrap();
    assert_eq!((short.hours.mon.len(), short.hours.sat.len(), short.holidays.len()), (0, 1, 0));
    let always = serde_json::to_value(WeekHours::always()).unwrap();
    assert_eq!(always["sun"], serde_json::json!([["00:00", "24:00"]]));
    let office = serde_json::to_value(WeekHours::office()).unwrap();
    assert_eq!(
        (office["fri"].clone(), office["sat"].clone()),
        (serde_json::json!([["09:00", "17:00"]]), serde_json::json!([]))
    );
}

fn problem(tz: &str, hours: WeekHours, holidays: Vec<NaiveDate>) -> Option<FieldProblem> {
    CalendarSpec { time_zone: tz.into(), hours, holidays }.check().err()
}

#[test]
fn check_names_the_field() {
    let p = problem("Europe/Berln", WeekHours::office(), vec![]).unwrap();
    assert_eq!(p.field, "time_zone");
    assert!(p
        .message
        .contains("is not a known time zone (use an IANA name such as Europe/Berlin)"));
    let tue = |spans: Vec<Span>| WeekHours { tue: spans, ..WeekHours::office() };
    let p = problem("UTC", tue(vec![span("17:00", "09:00")]), vec![]).unwrap();
    assert_eq!(
        (p.field.as_str(), p.message.as_str()),
        ("hours.tue", "17:00–09:00 ends before it starts")
    );
    // Out of order as typed, still an overlap; the message names them in day order.
    let p =
        problem("UTC", tue(vec![span("12:00", "17:00"), span("09:00", "13:00")]), vec![]).unwrap();
    assert_eq!(
        (p.field.as_str(), p.message.as_str()),
        ("hours.tue", "09:00–13:00 overlaps 12:00–17:00")
    );
    assert_eq!(
        problem("UTC", tue(vec![span("13:00", "17:00"), span("09:00", "13:00")]), vec![]),
        None
    );
    let p = problem("UTC", tue(vec![span("09:00", "09:00")]), vec![]).unwrap();
    assert_eq!(p.message, "09:00–09:00 is empty");
    let seven: Vec<Span> =
        (0..7).map(|h| Span(DayMinute(h * 60), DayMinute(h * 60 + 30))).collect();
    let p = problem("UTC", WeekHours { sun: seven, ..WeekHours::default() }, vec![]).unwrap();
    assert_eq!(
        (p.field.as_str(), p.message.as_str()),
        ("hours.sun", "has 7 spans (at most 6 a day)")
    );
    let p = problem("UTC", WeekHours::default(), vec![]).unwrap();
    assert_eq!(
        (p.field.as_str(), p.message.as_str()),
        ("hours", "has no opening hours on any day")
    );
    let many: Vec<NaiveDate> = (0..2001).map(|i| d("2020-01-01") + TimeDelta::days(i)).collect();
    let p = problem("UTC", WeekHours::office(), many.clone()).unwrap();
    assert_eq!(
        (p.field.as_str(), p.message.as_str()),
        ("holidays", "has 2001 dates (at most 2000)")
    );
    // Duplicates are not a problem: 2000 distinct dates, one listed twice.
    let mut dup = many[..2000].to_vec();
    dup.push(dup[0]);
    assert_eq!(problem("UTC", WeekHours::office(), dup), None);
    assert_eq!(
        BusinessTime::new(&CalendarSpec {
            time_zone: "Mars/Olympus".into(),
            hours: WeekHours::always(),
            holidays: vec![]
        })
        .unwrap_err()
        .field,
        "time_zone"
    );
}

#[test]
fn normalized_sorts_spans_and_dedups_holidays() {
    let hours = WeekHours {
        wed: vec![span("13:00", "17:00"), span("09:00", "12:00")],
        ..WeekHours::default()
    };
    let holidays = vec![d("2026-12-26"), d("2026-12-25"), d("2026-12-26")];
    let n = CalendarSpec { time_zone: "UTC".into(), hours, holidays }.normalized();
    assert_eq!(n.hours.wed, vec![span("09:00", "12:00"), span("13:00", "17:00")]);
    assert_eq!(n.holidays, vec![d("2026-12-25"), d("2026-12-26")]);
}

#[test]
fn is_always_accepts_any_gapless_split() {
    assert!(WeekHours::always().is_always());
    assert!(!WeekHours::office().is_always());
    assert!(every_day(&[span("12:00", "24:00"), span("00:00", "12:00")]).is_always());
    assert!(!every_day(&[span("00:00", "23:59")]).is_always());
}

#[test]
fn weekend_is_closed() {
    let c = cal("Europe/Berlin", WeekHours::office(), &[]);
    // Fri 2026-11-27 16:00 CET → Mon 2026-11-30 10:00 CET: one hour each side of the weekend.
    let from = local("Europe/Berlin", "2026-11-27 16:00");
    assert_eq!(from, utc("2026-11-27T15:00:00Z"));
    assert_eq!(c.business_seconds(from, utc("2026-11-30T09:00:00Z")), 7200);
    assert!(c.intervals_on(d("2026-11-28")).is_empty());
    assert_eq!(c.business_seconds(utc("2026-11-28T08:00:00Z"), utc("2026-11-29T20:00:00Z")), 0);
    assert_eq!(c.business_seconds(utc("2026-11-30T09:00:00Z"), from), 0);
}

#[test]
fn holidays_are_closed_all_day() {
    // Christmas Day 2026 is a Friday: Thu 16:00 → Mon 10:00 is again two hours.
    let c = cal("Europe/Berlin", WeekHours::office(), &["2026-12-25"]);
    assert!(c.intervals_on(d("2026-12-25")).is_empty());
    let from = local("Europe/Berlin", "2026-12-24 16:00");
    let to = local("Europe/Berlin", "2026-12-28 10:00");
    assert_eq!(c.business_seconds(from, to), 7200);
    assert_eq!(c.add_business_seconds(from, 7200), to);
    assert!(!c.is_open(local("Europe/Berlin", "2026-12-25 11:00")));
}

#[test]
fn several_spans_per_day() {
    let split = [span("09:00", "12:00"), span("13:00", "17:00")];
    let c = cal("UTC", WeekHours { mon: split.to_vec(), ..WeekHours::default() }, &[]);
    let (monday, tuesday) = (utc("2026-06-01T00:00:00Z"), utc("2026-06-02T00:00:00Z"));
    assert_eq!(c.business_seconds(monday, tuesday), 7 * 3600);
    let nine = utc("2026-06-01T09:00:00Z");
    // Used up at the lunch break: due at 12:00, not 13:00.
    assert_eq!(c.add_business_seconds(nine, 3 * 3600), utc("2026-06-01T12:00:00Z"));
    assert_eq!(c.add_business_seconds(nine, 3 * 3600 + 1), utc("2026-06-01T13:00:01Z"));
    // Seven hours fill Monday; one more second is the next Monday's first.
    assert_eq!(c.add_business_seconds(nine, 7 * 3600 + 1), utc("2026-06-08T09:00:01Z"));
    assert!(c.is_open(utc("2026-06-01T11:59:59Z")));
    assert!(!c.is_open(utc("2026-06-01T12:00:00Z")));
    assert!(!c.is_open(utc("2026-06-01T12:30:00Z")));
    assert!(c.is_open(utc("2026-06-01T13:00:00Z")));
    assert!(!c.is_open(utc("2026-06-01T17:00:00Z")));
}

#[test]
fn always_open_counts_every_minute_across_midnight() {
    let c = cal("UTC", WeekHours::always(), &[]);
    let days = c.intervals_on(d("2026-06-01"));
    assert_eq!(days, vec![(utc("2026-06-01T00:00:00Z"), utc("2026-06-02T00:00:00Z"))]);
    assert_eq!(c.intervals_on(d("2026-06-02"))[0].0, days[0].1, "24:00 meets the next 00:00");
    assert_eq!(c.business_seconds(utc("2026-06-01T23:59:30Z"), utc("2026-06-02T00:00:30Z")), 60);
    assert_eq!(
        c.business_seconds(utc("2026-06-01T00:00:00Z"), utc("2026-06-08T00:00:00Z")),
        7 * 86400
    );
    assert_eq!(
        c.add_business_seconds(utc("2026-06-01T23:30:00Z"), 3600),
        utc("2026-06-02T00:30:00Z")
    );
    assert!(c.is_open(utc("2026-06-02T00:00:00Z")));
    // Sub-second parts are summed, then floored; an addition keeps the start's fraction.
    let half = utc("2026-06-01T10:00:00.5Z");
    assert_eq!(c.business_seconds(half, utc("2026-06-01T10:00:02Z")), 1);
    assert_eq!(c.add_business_seconds(half, 1), utc("2026-06-01T10:00:01.5Z"));
    // Zammad #3180 for contrast: "until 23:59" is what it says, a minute short every day.
    let short = cal("UTC", every_day(&[span("00:00", "23:59")]), &[]);
    assert_eq!(
        short.business_seconds(utc("2026-06-01T00:00:00Z"), utc("2026-06-02T00:00:00Z")),
        1439 * 60
    );
}

#[test]
fn always_open_on_transition_days_counts_real_time() {
    let berlin = cal("Europe/Berlin", WeekHours::always(), &[]);
    let spring = berlin.intervals_on(d("2026-03-29"));
    assert_eq!(spring, vec![(utc("2026-03-28T23:00:00Z"), utc("2026-03-29T22:00:00Z"))]);
    let autumn = berlin.intervals_on(d("2026-10-25"));
    assert_eq!(autumn, vec![(utc("2026-10-24T22:00:00Z"), utc("2026-10-25T23:00:00Z"))]);
    assert_eq!((hours_of(&berlin, "2026-03-29"), hours_of(&berlin, "2026-10-25")), (23.0, 25.0));
    let ny = cal("America/New_York", WeekHours::always(), &[]);
    let spring = ny.intervals_on(d("2026-03-08"));
    assert_eq!(spring, vec![(utc("2026-03-08T05:00:00Z"), utc("2026-03-09T04:00:00Z"))]);
    let autumn = ny.intervals_on(d("2026-11-01"));
    assert_eq!(autumn, vec![(utc("2026-11-01T04:00:00Z"), utc("2026-11-02T05:00:00Z"))]);
    // Any stretch across a transition counts exactly its elapsed time.
    for (c, from, to) in [
        (&berlin, "2026-03-27T10:17:00Z", "2026-03-31T08:00:09Z"),
        (&berlin, "2026-10-24T21:00:00Z", "2026-10-26T03:00:00Z"),
        (&ny, "2026-03-07T12:00:00Z", "2026-03-09T12:00:00Z"),
        (&ny, "2026-10-31T23:59:00Z", "2026-11-01T06:30:00Z"),
    ] {
        let (from, to) = (utc(from), utc(to));
        assert_eq!(c.business_seconds(from, to), (to - from).num_seconds(), "{from}..{to}");
    }
}

#[test]
fn office_day_is_eight_hours_on_transition_days() {
    let berlin = cal("Europe/Berlin", every_day(&[span("09:00", "17:00")]), &[]);
    let spring = berlin.intervals_on(d("2026-03-29"));
    assert_eq!(spring, vec![(utc("2026-03-29T07:00:00Z"), utc("2026-03-29T15:00:00Z"))]);
    let autumn = berlin.intervals_on(d("2026-10-25"));
    assert_eq!(autumn, vec![(utc("2026-10-25T08:00:00Z"), utc("2026-10-25T16:00:00Z"))]);
    let ny = cal("America/New_York", every_day(&[span("09:00", "17:00")]), &[]);
    for date in ["2026-03-08", "2026-11-01"] {
        assert_eq!(hours_of(&ny, date), 8.0, "{date}");
    }
    assert_eq!(ny.intervals_on(d("2026-03-08"))[0].0, utc("2026-03-08T13:00:00Z"));
    assert_eq!(ny.intervals_on(d("2026-11-01"))[0].0, utc("2026-11-01T14:00:00Z"));
}

#[test]
fn due_time_after_a_transition_keeps_the_local_hour() {
    // Friday 16:00 + 2 business hours = Monday 10:00 local, whatever the offset did on Sunday.
    for (tz, friday, monday) in [
        ("Europe/Berlin", "2026-03-27", "2026-03-30T08:00:00Z"),
        ("Europe/Berlin", "2026-10-23", "2026-10-26T09:00:00Z"),
        ("America/New_York", "2026-03-06", "2026-03-09T14:00:00Z"),
        ("America/New_York", "2026-10-30", "2026-11-02T15:00:00Z"),
    ] {
        let c = cal(tz, WeekHours::office(), &[]);
        let start = local(tz, &format!("{friday} 16:00"));
        let due = c.add_business_seconds(start, 7200);
        assert_eq!(due, utc(monday), "{tz} {friday}");
        assert_eq!(due.with_timezone(&c.time_zone()).format("%a %H:%M").to_string(), "Mon 10:00");
        assert_eq!(c.business_seconds(start, due), 7200);
    }
}

#[test]
fn spans_inside_the_berlin_night_of_the_change() {
    let sunday = |spans: &[Span]| {
        cal("Europe/Berlin", WeekHours { sun: spans.to_vec(), ..WeekHours::default() }, &[])
    };
    // 01:00 CET = 00:00Z; 02:00–03:00 does not exist; 04:00 CEST = 02:00Z: two real hours.
    let night = sunday(&[span("01:00", "04:00")]);
    assert_eq!(
        night.intervals_on(d("2026-03-29")),
        vec![(utc("2026-03-29T00:00:00Z"), utc("2026-03-29T02:00:00Z"))]
    );
    assert_eq!(
        night.business_seconds(utc("2026-03-28T00:00:00Z"), utc("2026-03-30T00:00:00Z")),
        7200
    );
    // In October 02:00–03:00 happens twice: 01:00 CEST = 23:00Z, 04:00 CET = 03:00Z, four hours.
    assert_eq!(
        night.intervals_on(d("2026-10-25")),
        vec![(utc("2026-10-24T23:00:00Z"), utc("2026-10-25T03:00:00Z"))]
    );
    // A start inside the gap opens at the transition instant (01:00Z, shown as 03:00 CEST).
    let late = sunday(&[span("02:30", "04:00")]);
    assert_eq!(
        late.intervals_on(d("2026-03-29")),
        vec![(utc("2026-03-29T01:00:00Z"), utc("2026-03-29T02:00:00Z"))]
    );
    // A span wholly inside the gap is empty and dropped.
    assert!(sunday(&[span("02:00", "02:59")]).intervals_on(d("2026-03-29")).is_empty());
    // An ambiguous time is its first occurrence (02:30 CEST = 00:30Z), for starts and ends alike,
    // so touching spans still meet at one instant.
    let touching = sunday(&[span("00:00", "02:30"), span("02:30", "05:00")]);
    let iv = touching.intervals_on(d("2026-10-25"));
    assert_eq!(
        iv,
        vec![
            (utc("2026-10-24T22:00:00Z"), utc("2026-10-25T00:30:00Z")),
            (utc("2026-10-25T00:30:00Z"), utc("2026-10-25T04:00:00Z"))
        ]
    );
}

#[test]
fn havana_changes_at_midnight_and_nothing_is_counted_twice() {
    // Cuba falls back 01:00 CDT → 00:00 CST on Sun 2026-11-01 (midnight happens twice) and
    // springs forward 00:00 CST → 01:00 CDT on Sun 2026-03-08 (midnight does not exist).
    let c = cal("America/Havana", WeekHours::always(), &[]);
    let (sat, sun) = (c.intervals_on(d("2026-10-31")), c.intervals_on(d("2026-11-01")));
    assert_eq!(sat, vec![(utc("2026-10-31T04:00:00Z"), utc("2026-11-01T04:00:00Z"))]);
    assert_eq!(sun, vec![(utc("2026-11-01T04:00:00Z"), utc("2026-11-02T05:00:00Z"))]);
    let (sat, sun) = (c.intervals_on(d("2026-03-07")), c.intervals_on(d("2026-03-08")));
    assert_eq!(sat, vec![(utc("2026-03-07T05:00:00Z"), utc("2026-03-08T05:00:00Z"))]);
    assert_eq!(sun, vec![(utc("2026-03-08T05:00:00Z"), utc("2026-03-09T04:00:00Z"))]);
    let (from, to) = (utc("2026-10-30T12:00:00Z"), utc("2026-11-03T12:00:00Z"));
    assert_eq!(c.business_seconds(from, to), (to - from).num_seconds());
}

#[test]
fn add_is_the_exact_inverse_of_business_seconds() {
    let split = [span("09:00", "12:00"), span("13:00", "17:30")];
    let weekdays = WeekHours {
        mon: split.to_vec(),
        tue: split.to_vec(),
        wed: split.to_vec(),
        thu: split.to_vec(),
        fri: split.to_vec(),
        ..WeekHours::default()
    };
    let calendars = [
        cal("Europe/Berlin", weekdays, &["2026-04-03", "2026-04-06", "2026-10-26"]),
        cal("America/New_York", WeekHours::always(), &[]),
        cal("America/New_York", every_day(&[span("01:00", "03:00"), span("22:00", "24:00")]), &[]),
    ];
    let budgets = [1, 59, 60, 3600, 3 * 3600, 8 * 3600 + 1, 40 * 3600, 200 * 3600];
    let mut checked = 0;
    for c in &calendars {
        for window in ["2026-03-05T00:00:00Z", "2026-10-21T00:00:00Z"] {
            let mut start = utc(window);
            for _ in 0..260 {
                assert_eq!(c.add_business_seconds(start, 0), start);
                for n in budgets {
                    let t = c.add_business_seconds(start, n);
                    assert_eq!(c.business_seconds(start, t), n, "{start} + {n}");
                    // The earliest such instant: one second less is one second short.
                    assert_eq!(
                        c.business_seconds(start, t - TimeDelta::seconds(1)),
                        n - 1,
                        "{start} + {n}"
                    );
                    checked += 1;
                }
                start += TimeDelta::seconds(37 * 60 + 13);
            }
        }
    }
    assert_eq!(checked, 3 * 2 * 260 * budgets.len());
}

#[test]
fn walks_stop_after_ten_years() {
    // Open only on Mondays, and 2000 Mondays (38 years) are holidays: no open time at all.
    let mondays: Vec<String> =
        (0..2000).map(|w| (d("2026-01-05") + TimeDelta::weeks(w)).to_string()).collect();
    let refs: Vec<&str> = mondays.iter().map(String::as_str).collect();
    let hours = WeekHours { mon: vec![span("09:00", "17:00")], ..WeekHours::default() };
    let c = cal("UTC", hours, &refs);
    let start = utc("2026-01-01T00:00:00Z");
    assert_eq!(c.add_business_seconds(start, 60), start + TimeDelta::days(MAX_WALK_DAYS));
    assert_eq!(c.business_seconds(start, start + TimeDelta::days(365 * 20)), 0);
    let always = cal("UTC", WeekHours::always(), &[]);
    assert_eq!(
        always.business_seconds(start, start + TimeDelta::days(365 * 20)),
        MAX_WALK_DAYS * 86400
    );
    assert_eq!(always.business_seconds(start, start - TimeDelta::days(1)), 0);
}

#[test]
fn is_open_follows_local_hours() {
    let c = cal("Europe/Berlin", WeekHours::office(), &["2026-04-03"]);
    assert_eq!(c.time_zone(), chrono_tz::Europe::Berlin);
    assert!(c.is_open(utc("2026-03-30T07:00:00Z")), "Mon 09:00 CEST");
    assert!(!c.is_open(utc("2026-03-30T06:59:59Z")));
    assert!(!c.is_open(utc("2026-03-30T15:00:00Z")), "17:00 is closed");
    assert!(c.is_open(utc("2026-03-27T15:59:59Z")), "Fri 16:59:59 CET");
    assert!(!c.is_open(utc("2026-03-28T10:00:00Z")), "Saturday");
    assert!(!c.is_open(utc("2026-04-03T10:00:00Z")), "Good Friday holiday");
}

#[test]
fn a_skipped_day_is_closed_and_its_neighbours_meet() {
    // Samoa skipped Friday 2011-12-30 (−10 → +14 at 2011-12-30T10:00Z): a 24-hour gap.
    let c = cal("Pacific/Apia", WeekHours::always(), &[]);
    assert_eq!(
        c.intervals_on(d("2011-12-29")),
        vec![(utc("2011-12-29T10:00:00Z"), utc("2011-12-30T10:00:00Z"))]
    );
    assert!(c.intervals_on(d("2011-12-30")).is_empty());
    assert_eq!(
        c.intervals_on(d("2011-12-31")),
        vec![(utc("2011-12-30T10:00:00Z"), utc("2011-12-31T10:00:00Z"))]
    );
}
