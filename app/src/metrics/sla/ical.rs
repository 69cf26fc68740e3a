//! Holiday import from an iCalendar (.ics) file, as a PREVIEW: the admin sees every date and name
//! before anything is added to a calendar, because a feed that silently adds surprise holidays
//! stops SLA clocks for a day nobody expected (Zammad #390).
//!
//! Only what holiday feeds use is read: each VEVENT's DTSTART, DTEND or DURATION (whole days or
//! weeks), SUMMARY and RRULE. Decisions:
//! - Times and TZID parameters are ignored; a holiday is a local date in the calendar's zone, and
//!   reinterpreting it through another zone would move it to the day before.
//! - DTEND is exclusive for all-day events (RFC 5545), so a 3-day event gives 3 dates. A timed
//!   DTEND at 00:00:00 is exclusive too; any later time includes its date.
//! - RRULE: FREQ=YEARLY with INTERVAL, COUNT and UNTIL, plus the one BY-form holiday feeds use
//!   (`BYMONTH=11;BYDAY=4TH`, `BYMONTH=5;BYDAY=-1MO`). Any other rule yields its first occurrence
//!   only: showing one date too few in a preview is fixable, inventing wrong dates is not. A
//!   yearly Feb 29 skips the years without one and those do not count toward COUNT (RFC 5545).
//! - Cancelled events (`STATUS:CANCELLED`) are skipped.
//! - Dates are kept within `[from, to]`, sorted, one per date (the first name in file order
//!   wins: a merged feed often lists the same day twice under two names).
//! - Limits: 5 MB of input and 5000 dates in the range, so a wrong file or an unbounded rule
//!   fails with a message instead of filling a preview nobody can read.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

pub const MAX_ICS_BYTES: usize = 5 * 1024 * 1024;
pub const MAX_DATES: usize = 5000;
/// Years a file's yearly rules may walk in total, so a rule from year 0001 with a huge COUNT in
/// every one of thousands of events cannot keep a request busy.
const MAX_RULE_YEARS: u32 = 1_000_000;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: String,
}

pub fn parse_holidays(ics: &str, from: NaiveDate, to: NaiveDate) -> Result<Vec<Holiday>, String> {
    if ics.len() > MAX_ICS_BYTES {
        return Err(format!("the file is {} bytes; at most 5 MB can be imported", ics.len()));
    }
    let lines = unfold(ics);
    if !lines.iter().any(|(_, l)| l.trim().eq_ignore_ascii_case("BEGIN:VCALENDAR")) {
        return Err("not an iCalendar file (no BEGIN:VCALENDAR)".into());
    }
    let mut out = Vec::new();
    let mut event: Option<Event> = None;
    let (mut nested, mut budget) = (0usize, MAX_RULE_YEARS);
    for (line_no, line) in &lines {
        let Some((name, value)) = property(line) else { continue };
        let Some(ev) = event.as_mut() else {
            if name == "BEGIN" && value.eq_ignore_ascii_case("VEVENT") {
                event = Some(Event { line: *line_no, ..Event::default() });
                nested = 0;
            }
            continue;
        };
        match name.as_str() {
            // A VALARM inside the event has properties of its own; they are not the event's.
            "BEGIN" => nested += 1,
            "END" if nested > 0 => nested -= 1,
            "END" if value.eq_ignore_ascii_case("VEVENT") => {
                if let Some(ev) = event.take() {
                    ev.expand(from, to, &mut budget, &mut out)?;
                }
            }
            _ if nested > 0 => {}
            "DTSTART" => ev.start = Some(date_value(value, *line_no, "DTSTART")?),
            "DTEND" => ev.end = Some(date_value(value, *line_no, "DTEND")?),
            "DURATION" => ev.duration_days = duration_days(value),
            "SUMMARY" => ev.summary = unescape(value),
            "RRULE" => ev.rrule = Some(value.to_string()),
            "STATUS" => ev.cancelled = value.trim().eq_ignore_ascii_case("CANCELLED"),
            _ => {}
        }
    }
    out.sort_by_key(|h| h.date);
    out.dedup_by_key(|h| h.date);
    Ok(out)
}

/// Logical lines with the 1-based number of the physical line each starts on (for messages).
fn unfold(ics: &str) -> Vec<(usize, String)> {
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (i, raw) in ics.trim_start_matches('\u{feff}').split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(rest), Some((_, last))) => last.push_str(rest),
            _ => lines.push((i + 1, raw.to_string())),
        }
    }
    lines
}

/// `NAME;PARAM=…:value` → (upper-case NAME, value). Parameters are skipped; a quoted parameter
/// value may contain ':' so the split is the first colon outside quotes.
fn property(line: &str) -> Option<(String, &str)> {
    let mut quoted = false;
    let colon = line.char_indices().find_map(|(i, c)| {
        if c == '"' {
            quoted = !quoted;
        }
        (c == ':' && !quoted).then_some(i)
    })?;
    let head = &line[..colon];
    let name = head.split(';').next().unwrap_or(head).trim().to_ascii_uppercase();
    Some((name, &line[colon + 1..]))
}

/// A DATE (`20261225`) or DATE-TIME (`20261225T090000`, `…Z`) value: its date, and whether
/// it carried a time that is past midnight (which matters only for DTEND).
fn date_value(value: &str, line: usize, name: &str) -> Result<(NaiveDate, bool), String> {
    let v = value.trim();
    let bad = || format!("line {line}: {name} \"{v}\" is not a date (expected YYYYMMDD)");
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (date, time) = match v.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t.strip_suffix(['Z', 'z']).unwrap_or(t))),
        None => (v, None),
    };
    if date.len() != 8 || !digits(date) || time.is_some_and(|t| t.len() != 6 || !digits(t)) {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| date[r].parse::<u32>().unwrap_or(0);
    let year = i32::try_from(num(0..4)).map_err(|_| bad())?;
    let date = NaiveDate::from_ymd_opt(year, num(4..6), num(6..8))
        .ok_or_else(|| format!("line {line}: {name} \"{v}\" is not a valid calendar date"))?;
    Ok((date, time.is_some_and(|t| t != "000000")))
}

/// Whole days of `P3D`, `P1W` or `P1DT12H` (the hours are ignored); anything else is `None`.
fn duration_days(value: &str) -> Option<i64> {
    let v = value.trim().trim_start_matches('+').strip_prefix(['P', 'p'])?;
    let end = v.find(|c: char| !c.is_ascii_digit())?;
    let n: i64 = v[..end].parse().ok()?;
    match v[end..].chars().next() {
        Some('D' | 'd') => Some(n),
        Some('W' | 'w') => n.checked_mul(7),
        _ => None,
    }
}

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other @ (',' | ';' | '\\' | ':')) => out.push(other),
            Some(other) => out.extend(['\\', other]),
            None => out.push('\\'),
        }
    }
    out.trim().to_string()
}

#[derive(Default)]
struct Event {
    line: usize,
    start: Option<(NaiveDate, bool)>,
    end: Option<(NaiveDate, bool)>,
    duration_days: Option<i64>,
    summary: String,
    rrule: Option<String>,
    cancelled: bool,
}

/// The part of a yearly rule this reader follows.
struct Yearly {
    interval: i32,
    count: Option<u32>,
    until: Option<NaiveDate>,
    /// `BYMONTH` + `BYDAY` with an ordinal: (month, weekday, n), n < 0 counting from the end.
    nth: Option<(u32, Weekday, i32)>,
}

impl Event {
    fn expand(
        self, from: NaiveDate, to: NaiveDate, budget: &mut u32, out: &mut Vec<Holiday>,
    ) -> Result<(), String> {
        if self.cancelled {
            return Ok(());
        }
        let Some((start, _)) = self.start else {
            return Err(format!("line {}: an event without DTSTART", self.line));
        };
        let days = match (self.end, self.duration_days) {
            (Some((end, past_midnight)), _) => (end - start).num_days() + i64::from(past_midnight),
            (None, Some(d)) => d,
            (None, None) => 1,
        }
        .max(1);
        let rule = self.rrule.as_deref().and_then(|r| yearly(r, start));
        let Some(rule) = rule else {
            return push_days(start, days, &self.summary, from, to, out);
        };
        // Without COUNT the years before the range can be skipped; with it they must be counted.
        let span_years = i32::try_from(days / 365 + 1).unwrap_or(i32::MAX);
        let first_k = match rule.count {
            Some(_) => 0,
            None => (from.year().saturating_sub(start.year()).saturating_sub(span_years)
                / rule.interval)
                .max(0),
        };
        let mut produced = 0u32;
        for k in first_k.. {
            let Some(year) = k.checked_mul(rule.interval).and_then(|y| y.checked_add(start.year()))
            else {
                break;
            };
            if year > to.year() || rule.count.is_some_and(|c| produced >= c) {
                break;
            }
            *budget = budget.checked_sub(1).ok_or_else(|| {
                format!(
                    "line {}: the yearly rules in this file repeat too often to preview",
                    self.line
                )
            })?;
            let date = match (k, rule.nth) {
                (0, _) => Some(start),
                (_, Some((month, weekday, n))) => nth_weekday(year, month, weekday, n),
                (_, None) => NaiveDate::from_ymd_opt(year, start.month(), start.day()),
            };
            let Some(date) = date else { continue };
            if rule.until.is_some_and(|u| date > u) {
                break;
            }
            produced += 1;
            push_days(date, days, &self.summary, from, to, out)?;
        }
        Ok(())
    }
}

fn push_days(
    start: NaiveDate, days: i64, name: &str, from: NaiveDate, to: NaiveDate, out: &mut Vec<Holiday>,
) -> Result<(), String> {
    let length = chrono::TimeDelta::try_days(days - 1);
    let last = length.and_then(|l| start.checked_add_signed(l)).unwrap_or(NaiveDate::MAX);
    let (mut date, last) = (start.max(from), last.min(to));
    while date <= last {
        if out.len() >= MAX_DATES {
            return Err(format!(
                "more than {MAX_DATES} holiday dates between {from} and {to}; choose a shorter range"
            ));
        }
        out.push(Holiday { date, name: name.to_string() });
        let Some(next) = date.succ_opt() else { break };
        date = next;
    }
    Ok(())
}

/// The rule if it is one this reader follows fully; `None` means "first occurrence only".
/// `BYMONTH`/`BYMONTHDAY` that merely restate DTSTART (Outlook writes them) change nothing.
fn yearly(rrule: &str, start: NaiveDate) -> Option<Yearly> {
    let mut rule = Yearly { interval: 1, count: None, until: None, nth: None };
    let (mut freq, mut month, mut day, mut byday) = (None, None, None, None);
    for part in rrule.trim().split(';').filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=')?;
        match key.trim().to_ascii_uppercase().as_str() {
            "FREQ" => freq = Some(value.trim().to_ascii_uppercase()),
            "INTERVAL" => rule.interval = value.trim().parse().ok().filter(|i| *i >= 1)?,
            "COUNT" => rule.count = Some(value.trim().parse().ok()?),
            "UNTIL" => rule.until = Some(date_value(value, 0, "UNTIL").ok()?.0),
            "BYMONTH" => {
                month = Some(value.trim().parse::<u32>().ok().filter(|m| (1..=12).contains(m))?)
            }
            "BYMONTHDAY" => day = Some(value.trim().parse::<u32>().ok()?),
            "BYDAY" => byday = Some(ordinal_weekday(value.trim())?),
            "WKST" => {}
            _ => return None,
        }
    }
    if freq.as_deref() != Some("YEARLY") {
        return None;
    }
    match (month, day, byday) {
        (Some(m), None, Some((weekday, n))) => rule.nth = Some((m, weekday, n)),
        (_, _, Some(_)) => return None,
        (m, d, None)
            if m.is_some_and(|m| m != start.month()) || d.is_some_and(|d| d != start.day()) =>
        {
            return None
        }
        _ => {}
    }
    Some(rule)
}

/// `4TH`, `+1MO`, `-1MO` → (weekday, n); a BYDAY without an ordinal means every such weekday,
/// which no holiday is, so it is not followed.
fn ordinal_weekday(value: &str) -> Option<(Weekday, i32)> {
    let split = value.len().checked_sub(2)?;
    let n: i32 = value.get(..split)?.trim_start_matches('+').parse().ok()?;
    let weekday = match value.get(split..)?.to_ascii_uppercase().as_str() {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    };
    (n != 0 && n.abs() <= 5).then_some((weekday, n))
}

/// The n-th `weekday` of the month (n < 0: from the end); `None` when the month has no such day
/// (a fifth Monday), which RFC 5545 says to skip.
fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: i32) -> Option<NaiveDate> {
    if n > 0 {
        return NaiveDate::from_weekday_of_month_opt(year, month, weekday, u8::try_from(n).ok()?);
    }
    let next_month = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    let last = next_month?.pred_opt()?;
    let back = (7 + last.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
    let date = last - chrono::TimeDelta::days(i64::from(back) + 7 * i64::from(-n - 1));
    (date.month() == month).then_some(date)
}
