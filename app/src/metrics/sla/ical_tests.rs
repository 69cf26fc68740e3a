//! Holiday import on realistic feed snippets (a German public-holiday export with CRLF line ends,
//! a US feed with TZID date-times and weekday rules).

use super::ical::*;
use chrono::NaiveDate;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn dates(hs: &[Holiday]) -> Vec<String> {
    hs.iter().map(|h| format!("{} {}", h.date, h.name)).collect()
}

/// Lines joined with CRLF, as RFC 5545 writes them.
fn crlf(lines: &[&str]) -> String {
    lines.join("\r\n") + "\r\n"
}

const GERMAN: &[&str] = &[
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Example//Feiertage Deutschland//DE",
    "METHOD:PUBLISH",
    "X-WR-CALNAME:Feiertage Deutschland",
    "X-WR-TIMEZONE:Europe/Berlin",
    "BEGIN:VEVENT",
    "UID:neujahr-2026@example.de",
    "DTSTAMP:20251201T120000Z",
    "DTSTART;VALUE=DATE:20260101",
    "DTEND;VALUE=DATE:20260102",
    "SUMMARY:Neujahr",
    "TRANSP:TRANSPARENT",
    "END:VEVENT",
    "BEGIN:VEVENT",
    "DTSTART;VALUE=DATE:20260403",
    "DTEND;VALUE=DATE:20260404",
    "SUMMARY;LANGUAGE=de:Karfreitag",
    "END:VEVENT",
    "BEGIN:VEVENT",
    "DTSTART;VALUE=DATE:20260406",
    "SUMMARY:Ostermontag",
    "END:VEVENT",
    "BEGIN:VEVENT",
    "DTSTART;VALUE=DATE:20261003",
    "DTEND;VALUE=DATE:20261004",
    "RRULE:FREQ=YEARLY",
    "SUMMARY:Tag der Deutschen",
    "  Einheit",
    "END:VEVENT",
    "BEGIN:VEVENT",
    "DTSTART;VALUE=DATE:20261224",
    "DTEND;VALUE=DATE:20261227",
    "SUMMARY:Weihnachten (Heiligabend\\, 1. und 2. Feiertag)",
    "END:VEVENT",
    "END:VCALENDAR",
];

#[test]
fn german_feed() {
    let hs = parse_holidays(&crlf(GERMAN), d("2026-01-01"), d("2027-12-31")).unwrap();
    assert_eq!(
        dates(&hs),
        [
            "2026-01-01 Neujahr",
            "2026-04-03 Karfreitag",
            "2026-04-06 Ostermontag",
            "2026-10-03 Tag der Deutschen Einheit",
            "2026-12-24 Weihnachten (Heiligabend, 1. und 2. Feiertag)",
            "2026-12-25 Weihnachten (Heiligabend, 1. und 2. Feiertag)",
            "2026-12-26 Weihnachten (Heiligabend, 1. und 2. Feiertag)",
            "2027-10-03 Tag der Deutschen Einheit",
        ]
    );
    // The range cuts a multi-day event too.
    let tail = parse_holidays(&crlf(GERMAN), d("2026-12-25"), d("2026-12-31")).unwrap();
    assert_eq!(tail.iter().map(|h| h.date).collect::<Vec<_>>(), [d("2026-12-25"), d("2026-12-26")]);
}

const US: &[&str] = &[
    "BEGIN:VCALENDAR",
    "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
    "VERSION:2.0",
    "BEGIN:VEVENT",
    "DTSTART;TZID=America/New_York:20261126T000000",
    "DTEND;TZID=America/New_York:20261127T000000",
    "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH",
    "SUMMARY:Thanksgiving Day",
    "BEGIN:VALARM",
    "ACTION:EMAIL",
    "SUMMARY:Reminder",
    "TRIGGER:-P1D",
    "END:VALARM",
    "END:VEVENT",
    "BEGIN:VEVENT",
    "DTSTART;VALUE=DATE:20260525",
    "RRULE:FREQ=YEARLY;BYMONTH=5;BYDAY=-1MO",
    "SUMMARY:Memorial Day",
    "END:VEVENT",
    "BEGIN:VEVENT",
    "DTSTART;VALUE=DATE:20260119",
    "RRULE:FREQ=YEARLY;BYDAY=3MO;BYMONTH=1",
    "SUMMARY:Martin Luther King Jr. Day",
    "END:VEVENT",
    "BEGIN:VEVENT",
    "DTSTART;VALUE=DATE:20260704",
    "RRULE:FREQ=YEARLY;COUNT=2",
    "SUMMARY:Independence Day",
    "END:VEVENT",
    "BEGIN:VEVENT",
    "DTSTART:20261225T000000Z",
    "RRULE:FREQ=YEARLY;UNTIL=20271231T235959Z",
    "SUMMARY:Christmas Day",
    "END:VEVENT",
    "BEGIN:VEVENT",
    "DTSTART;VALUE=DATE:20260115",
    "RRULE:FREQ=MONTHLY",
    "SUMMARY:Payroll close",
    "END:VEVENT",
    "BEGIN:VEVENT",
    "DTSTART;VALUE=DATE:20260101",
    "STATUS:CANCELLED",
    "SUMMARY:Cancelled office party",
    "END:VEVENT",
    "END:VCALENDAR",
];

#[test]
fn us_feed_with_weekday_rules() {
    let hs = parse_holidays(&crlf(US), d("2026-01-01"), d("2028-12-31")).unwrap();
    assert_eq!(
        dates(&hs),
        [
            "2026-01-15 Payroll close",
            "2026-01-19 Martin Luther King Jr. Day",
            "2026-05-25 Memorial Day",
            "2026-07-04 Independence Day",
            "2026-11-26 Thanksgiving Day",
            "2026-12-25 Christmas Day",
            "2027-01-18 Martin Luther King Jr. Day",
            "2027-05-31 Memorial Day",
            "2027-07-04 Independence Day",
            "2027-11-25 Thanksgiving Day",
            "2027-12-25 Christmas Day",
            "2028-01-17 Martin Luther King Jr. Day",
            "2028-05-29 Memorial Day",
            "2028-11-23 Thanksgiving Day",
        ]
    );
}

#[test]
fn same_date_twice_keeps_the_first_name() {
    let ics = crlf(&[
        "BEGIN:VCALENDAR",
        "BEGIN:VEVENT",
        "DTSTART;VALUE=DATE:20261225",
        "SUMMARY:Christmas Day",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "DTSTART;VALUE=DATE:20261224",
        "DTEND;VALUE=DATE:20261226",
        "SUMMARY:Weihnachten",
        "END:VEVENT",
        "END:VCALENDAR",
    ]);
    let hs = parse_holidays(&ics, d("2026-01-01"), d("2026-12-31")).unwrap();
    assert_eq!(dates(&hs), ["2026-12-24 Weihnachten", "2026-12-25 Christmas Day"]);
}

#[test]
fn folding_escapes_and_line_ends() {
    // LF only, a tab fold, and every escape RFC 5545 defines.
    let ics = concat!(
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20260501\n",
        "SUMMARY:Tag der\n\t Arbeit\\; Labour Day\\nMay Day \\\\ 1. Mai\n",
        "END:VEVENT\nEND:VCALENDAR"
    );
    let hs = parse_holidays(ics, d("2026-01-01"), d("2026-12-31")).unwrap();
    assert_eq!(hs[0].name, "Tag der Arbeit; Labour Day\nMay Day \\ 1. Mai");
    // A fold may split a word, and the property name itself.
    let ics = crlf(&[
        "BEGIN:VCALENDAR",
        "BEGIN:VEVENT",
        "DTST",
        " ART;VALUE=DATE:202",
        " 60501",
        "SUMMARY:Mai",
        " feiertag",
        "END:VEVENT",
        "END:VCALENDAR",
    ]);
    assert_eq!(
        dates(&parse_holidays(&ics, d("2026-01-01"), d("2026-12-31")).unwrap()),
        ["2026-05-01 Maifeiertag"]
    );
}

fn one_event(props: &[&str]) -> String {
    let mut lines = vec!["BEGIN:VCALENDAR", "BEGIN:VEVENT"];
    lines.extend_from_slice(props);
    lines.extend_from_slice(&["END:VEVENT", "END:VCALENDAR"]);
    crlf(&lines)
}

#[test]
fn rule_details() {
    let range = (d("2020-01-01"), d("2036-12-31"));
    let run = |props: &[&str]| {
        parse_holidays(&one_event(props), range.0, range.1)
            .unwrap()
            .iter()
            .map(|h| h.date.to_string())
            .collect::<Vec<_>>()
    };
    // Feb 29 skips the years without one, and those do not count toward COUNT.
    assert_eq!(
        run(&["DTSTART;VALUE=DATE:20240229", "RRULE:FREQ=YEARLY;COUNT=3"]),
        ["2024-02-29", "2028-02-29", "2032-02-29"]
    );
    assert_eq!(
        run(&["DTSTART;VALUE=DATE:20260601", "RRULE:FREQ=YEARLY;INTERVAL=4;UNTIL=20340601"]),
        ["2026-06-01", "2030-06-01", "2034-06-01"]
    );
    // A rule that started long before the range.
    assert_eq!(run(&["DTSTART;VALUE=DATE:19901003", "RRULE:FREQ=YEARLY", "SUMMARY:x"]).len(), 17);
    // Outlook restates DTSTART in BYMONTH/BYMONTHDAY; a contradicting restatement is not followed.
    let christmas =
        run(&["DTSTART;VALUE=DATE:20341225", "RRULE:FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25"]);
    assert_eq!(christmas, ["2034-12-25", "2035-12-25", "2036-12-25"]);
    assert_eq!(
        run(&["DTSTART;VALUE=DATE:20341225", "RRULE:FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=26"]),
        ["2034-12-25"]
    );
    assert_eq!(run(&["DTSTART;VALUE=DATE:20260601", "DURATION:P2D"]), ["2026-06-01", "2026-06-02"]);
    assert_eq!(run(&["DTSTART;VALUE=DATE:20360601", "DURATION:P99999999999999D"]).len(), 214);
    assert_eq!(run(&["DTSTART;VALUE=DATE:20260601", "DURATION:P1W"]).len(), 7);
    // Timed events: an end at midnight is exclusive, a later end includes its date.
    assert_eq!(run(&["DTSTART:20260601T090000", "DTEND:20260602T000000"]), ["2026-06-01"]);
    assert_eq!(
        run(&["DTSTART:20260601T220000", "DTEND:20260602T020000"]),
        ["2026-06-01", "2026-06-02"]
    );
    // An end before the start still gives the start date.
    assert_eq!(run(&["DTSTART;VALUE=DATE:20260601", "DTEND;VALUE=DATE:20260530"]), ["2026-06-01"]);
    // Rules not followed fully give their first occurrence only.
    assert_eq!(
        run(&["DTSTART;VALUE=DATE:20260601", "RRULE:FREQ=YEARLY;BYMONTHDAY=1,15"]),
        ["2026-06-01"]
    );
    assert_eq!(run(&["DTSTART;VALUE=DATE:20260601", "RRULE:FREQ=WEEKLY"]), ["2026-06-01"]);
    // A fifth Monday that a year lacks is skipped.
    assert_eq!(
        run(&["DTSTART;VALUE=DATE:20260629", "RRULE:FREQ=YEARLY;BYMONTH=6;BYDAY=5MO;COUNT=3"]),
        ["2026-06-29", "2031-06-30", "2036-06-30"]
    );
    assert!(parse_holidays(
        &one_event(&["DTSTART;VALUE=DATE:20260601"]),
        d("2026-12-31"),
        d("2026-01-01")
    )
    .unwrap()
    .is_empty());
}

#[test]
fn errors_say_what_and_where() {
    let range = (d("2026-01-01"), d("2026-12-31"));
    let err = |ics: &str| parse_holidays(ics, range.0, range.1).unwrap_err();
    assert_eq!(
        err("BEGIN:VEVENT\nDTSTART:20260101\nEND:VEVENT\n"),
        "not an iCalendar file (no BEGIN:VCALENDAR)"
    );
    assert_eq!(err("{\"holidays\": []}"), "not an iCalendar file (no BEGIN:VCALENDAR)");
    // Line 3 of the file (BEGIN:VCALENDAR, BEGIN:VEVENT, DTSTART).
    assert_eq!(
        err(&one_event(&["DTSTART;VALUE=DATE:2026-12-25"])),
        "line 3: DTSTART \"2026-12-25\" is not a date (expected YYYYMMDD)"
    );
    assert_eq!(
        err(&one_event(&["SUMMARY:x", "DTEND:20261332"])),
        "line 4: DTEND \"20261332\" is not a valid calendar date"
    );
    assert_eq!(err(&one_event(&["SUMMARY:No date"])), "line 2: an event without DTSTART");
    let huge = format!("BEGIN:VCALENDAR\r\n{}", "X-PAD:0123456789\r\n".repeat(300_000));
    assert!(err(&huge).contains("at most 5 MB"), "{}", err(&huge));
    let long = one_event(&["DTSTART;VALUE=DATE:20000101", "DTEND;VALUE=DATE:20300101"]);
    let e = parse_holidays(&long, d("2000-01-01"), d("2030-12-31")).unwrap_err();
    assert_eq!(
        e,
        "more than 5000 holiday dates between 2000-01-01 and 2030-12-31; choose a shorter range"
    );
}
