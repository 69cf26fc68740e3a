//! Business calendars: a time zone, weekly opening hours and holidays, and the arithmetic the SLA
//! clocks need on top of them (open seconds between two instants, the instant a budget of open
//! seconds runs out).
//!
//! Decisions, each against a failure seen in other tools (shared/reviews, A2/A3):
//! - Opening hours are local wall times in an IANA zone, resolved per date through the zone's
//!   history, so a due time after a DST change lands at the same local hour (dbt_zendesk#25,
//!   Grafana OnCall #3261 shifted by an hour).
//! - "24:00" is a valid end, so 24/7 is `00:00–24:00` and consecutive days join with no lost
//!   minute (Zammad #3180 loses one at midnight with `00:00–23:59`).
//! - One rule maps a local wall time to an instant, for starts and ends alike: a time that does
//!   not exist (spring-forward gap) is the transition instant, the first instant after the gap; a
//!   time that happens twice (autumn fall-back) is its FIRST occurrence. Using the same rule for
//!   both ends is what makes spans that touch (`…–12:00` + `12:00–…`, or day D's `24:00` and
//!   day D+1's `00:00`) meet at one instant, so nothing is lost or counted twice. "Earlier start,
//!   later end" was considered and rejected: where the repeated hour contains midnight
//!   (America/Havana falls back from 01:00 to 00:00) day D's end would come an hour after day
//!   D+1's start and a 24/7 calendar would count that hour twice. With the single rule a 24/7
//!   calendar counts exactly the real elapsed time (23 h and 25 h on transition days), and a span
//!   clear of the transition (09:00–17:00 wherever clocks change at night) is always 8 h.
//! - The mapping is monotonic (a later wall time never maps to an earlier instant), so a span
//!   never turns negative; a span that falls wholly inside a gap is empty and dropped.
//! - The API speaks minutes (what people configure); the arithmetic runs on whole seconds so a
//!   due time is exact and `business_seconds(start, add_business_seconds(start, n)) == n`.
//! - Walks are capped at [`MAX_WALK_DAYS`] (about ten years): no SLA is measured in decades, and
//!   the cap keeps a corrupt timestamp (year 9999) from turning one request into a long loop.

use chrono::{DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeDelta};
use chrono::{TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeSet;
use std::fmt;

/// More spans than this on one day is a data-entry mistake, not a shift pattern.
pub const MAX_SPANS_PER_DAY: usize = 6;
/// A few decades of public holidays for several regions fit easily; more is an import gone wrong.
pub const MAX_HOLIDAYS: usize = 2000;
/// About ten years of days (3653 covers the leap days): the horizon of every calendar walk.
pub const MAX_WALK_DAYS: i64 = 3653;

const MINUTES_PER_DAY: u16 = 1440;

/// Minutes since local midnight, 0..=1440; 1440 ("24:00") is meaningful only as a span's end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DayMinute(pub u16);

impl DayMinute {
    /// Accepts exactly `HH:MM`: a lenient parser would let "9:5" mean 09:05 to one reader and
    /// 09:50 to another, and a stored calendar must read back the way it was meant.
    pub fn parse(s: &str) -> Result<Self, String> {
        let bad = || format!("\"{s}\" is not a time of day (use HH:MM, e.g. 09:00)");
        let b = s.as_bytes();
        if b.len() != 5 || b[2] != b':' || ![0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit()) {
            return Err(bad());
        }
        let hours = u16::from(b[0] - b'0') * 10 + u16::from(b[1] - b'0');
        let minutes = u16::from(b[3] - b'0') * 10 + u16::from(b[4] - b'0');
        if hours > 24 || minutes > 59 {
            return Err(bad());
        }
        if hours == 24 && minutes > 0 {
            return Err(format!("\"{s}\" is past the end of the day (24:00 is the latest)"));
        }
        Ok(DayMinute(hours * 60 + minutes))
    }
}

impl fmt::Display for DayMinute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl Serialize for DayMinute {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DayMinute {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        DayMinute::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// One opening span `[start, end)` within a day; stored as `["09:00","17:00"]` because that is
/// how people write it and how the settings form edits it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span(pub DayMinute, pub DayMinute);

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}–{}", self.0, self.1)
    }
}

/// In the OpenAPI document a span is what it is on the wire: `["09:00", "17:00"]`.
#[cfg(feature = "ssr")]
impl utoipa::PartialSchema for Span {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
        let time = ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"))
            .build();
        ArrayBuilder::new()
            .items(time)
            .min_items(Some(2))
            .max_items(Some(2))
            .description(Some("A start and an end, local time: [\"09:00\", \"17:00\"]"))
            .into()
    }
}

#[cfg(feature = "ssr")]
impl utoipa::ToSchema for Span {}

impl Serialize for Span {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (self.0, self.1).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (start, end) = <(DayMinute, DayMinute)>::deserialize(d)?;
        if start.0 == MINUTES_PER_DAY {
            return Err(serde::de::Error::custom("24:00 can only end a span, not start one"));
        }
        Ok(Span(start, end))
    }
}

/// Opening spans per weekday; a missing day is closed, so a partial JSON reads as intended.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WeekHours {
    pub mon: Vec<Span>,
    pub tue: Vec<Span>,
    pub wed: Vec<Span>,
    pub thu: Vec<Span>,
    pub fri: Vec<Span>,
    pub sat: Vec<Span>,
    pub sun: Vec<Span>,
}

/// The days in the order the form shows them, with the field name a problem is reported under.
const WEEK: [(Weekday, &str); 7] = [
    (Weekday::Mon, "mon"),
    (Weekday::Tue, "tue"),
    (Weekday::Wed, "wed"),
    (Weekday::Thu, "thu"),
    (Weekday::Fri, "fri"),
    (Weekday::Sat, "sat"),
    (Weekday::Sun, "sun"),
];

impl WeekHours {
    /// The "24/7" choice: every day `00:00–24:00` (not `23:59`, see the module doc).
    pub fn always() -> Self {
        Self::every(Span(DayMinute(0), DayMinute(MINUTES_PER_DAY)), 7)
    }

    /// Monday to Friday 09:00–17:00, the usual starting point in the settings form.
    pub fn office() -> Self {
        Self::every(Span(DayMinute(9 * 60), DayMinute(17 * 60)), 5)
    }

    fn every(span: Span, days: usize) -> Self {
        let mut week = WeekHours::default();
        for (day, _) in WEEK.iter().take(days) {
            *week.day_mut(*day) = vec![span];
        }
        week
    }

    pub fn day(&self, day: Weekday) -> &[Span] {
        match day {
            Weekday::Mon => &self.mon,
            Weekday::Tue => &self.tue,
            Weekday::Wed => &self.wed,
            Weekday::Thu => &self.thu,
            Weekday::Fri => &self.fri,
            Weekday::Sat => &self.sat,
            Weekday::Sun => &self.sun,
        }
    }

    fn day_mut(&mut self, day: Weekday) -> &mut Vec<Span> {
        match day {
            Weekday::Mon => &mut self.mon,
            Weekday::Tue => &mut self.tue,
            Weekday::Wed => &mut self.wed,
            Weekday::Thu => &mut self.thu,
            Weekday::Fri => &mut self.fri,
            Weekday::Sat => &mut self.sat,
            Weekday::Sun => &mut self.sun,
        }
    }

    /// True when every day is covered from 00:00 to 24:00 without a gap, however it is split, so
    /// the form shows "24/7" for `00:00–12:00 + 12:00–24:00` too.
    pub fn is_always(&self) -> bool {
        WEEK.iter().all(|(day, _)| {
            let mut spans = self.day(*day).to_vec();
            spans.sort();
            let mut covered = 0;
            for s in spans {
                if s.0 .0 > covered {
                    return false;
                }
                covered = covered.max(s.1 .0);
            }
            covered >= MINUTES_PER_DAY
        })
    }
}

/// The stored, user-edited calendar (a public JSON contract: field names must not change).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CalendarSpec {
    pub time_zone: String,
    pub hours: WeekHours,
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
}

/// A validation problem tied to the form field that must change, so the UI can mark that field
/// rather than show a generic error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl FieldProblem {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldProblem { field: field.into(), message: message.into() }
    }
}

impl fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldProblem {}

impl CalendarSpec {
    /// The first problem, in form order. Span order within a day and duplicate holidays are not
    /// problems: [`CalendarSpec::normalized`] fixes both without asking. Touching spans
    /// (`09:00–12:00`, `12:00–17:00`) are allowed; only a real overlap is refused, because it
    /// means the user believes in two different shapes of the same day.
    pub fn check(&self) -> Result<(), FieldProblem> {
        self.zone()?;
        for (day, name) in WEEK {
            check_day(self.hours.day(day))
                .map_err(|msg| FieldProblem::new(format!("hours.{name}"), msg))?;
        }
        if WEEK.iter().all(|(day, _)| self.hours.day(*day).is_empty()) {
            return Err(FieldProblem::new("hours", "has no opening hours on any day"));
        }
        let distinct = self.holidays.iter().collect::<BTreeSet<_>>().len();
        if distinct > MAX_HOLIDAYS {
            let msg = format!("has {distinct} dates (at most {MAX_HOLIDAYS})");
            return Err(FieldProblem::new("holidays", msg));
        }
        Ok(())
    }

    fn zone(&self) -> Result<Tz, FieldProblem> {
        self.time_zone.parse::<Tz>().map_err(|_| {
            let msg = "is not a known time zone (use an IANA name such as Europe/Berlin)";
            FieldProblem::new("time_zone", format!("\"{}\" {msg}", self.time_zone))
        })
    }

    /// Spans sorted per day, holidays sorted and deduplicated: the canonical form to store, so
    /// two equal calendars compare and diff equal.
    pub fn normalized(mut self) -> Self {
        for (day, _) in WEEK {
            self.hours.day_mut(day).sort();
        }
        self.holidays.sort();
        self.holidays.dedup();
        self
    }
}

fn check_day(spans: &[Span]) -> Result<(), String> {
    if spans.len() > MAX_SPANS_PER_DAY {
        return Err(format!("has {} spans (at most {MAX_SPANS_PER_DAY} a day)", spans.len()));
    }
    for s in spans {
        if s.0 .0 >= MINUTES_PER_DAY {
            return Err(format!("{s}: {} can only end a span", s.0));
        }
        if s.1 .0 > MINUTES_PER_DAY {
            return Err(format!("{s}: {} is past 24:00", s.1));
        }
        if s.0 == s.1 {
            return Err(format!("{s} is empty"));
        }
        if s.0 > s.1 {
            return Err(format!("{s} ends before it starts"));
        }
    }
    let mut sorted = spans.to_vec();
    sorted.sort();
    for pair in sorted.windows(2) {
        if pair[1].0 < pair[0].1 {
            return Err(format!("{} overlaps {}", pair[0], pair[1]));
        }
    }
    Ok(())
}

/// A validated calendar ready for arithmetic. Built only through [`BusinessTime::new`], so every
/// span is known to be well-formed and the zone to exist.
#[derive(Clone, Debug, PartialEq)]
pub struct BusinessTime {
    tz: Tz,
    hours: WeekHours,
    holidays: BTreeSet<NaiveDate>,
}

impl BusinessTime {
    pub fn new(spec: &CalendarSpec) -> Result<Self, FieldProblem> {
        spec.check()?;
        let spec = spec.clone().normalized();
        let tz = spec.zone()?;
        Ok(BusinessTime { tz, hours: spec.hours, holidays: spec.holidays.into_iter().collect() })
    }

    pub fn time_zone(&self) -> Tz {
        self.tz
    }

    /// The date's open spans as instants, in order. Holidays are closed all day in the
    /// calendar's zone, whatever zone the viewer is in.
    pub fn intervals_on(&self, local_date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if self.holidays.contains(&local_date) {
            return Vec::new();
        }
        let day = self.hours.day(local_date.weekday());
        day.iter()
            .filter_map(|s| {
                let start = self.instant(local_date, s.0 .0)?;
                let end = self.instant(local_date, s.1 .0)?;
                (start < end).then_some((start, end))
            })
            .collect()
    }

    /// Open time in `[from, to)`, in whole seconds (sub-second parts are summed first and the
    /// total floored). Counts at most [`MAX_WALK_DAYS`] from `from`.
    pub fn business_seconds(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        let to = to.min(from.checked_add_signed(TimeDelta::days(MAX_WALK_DAYS)).unwrap_or(to));
        let mut total = TimeDelta::zero();
        let last = self.local_date(to);
        let mut date = self.walk_start(from);
        while date <= last {
            for (a, b) in self.intervals_on(date) {
                let (s, e) = (a.max(from), b.min(to));
                if s < e {
                    total += e - s;
                }
            }
            let Some(next) = date.succ_opt() else { break };
            date = next;
        }
        total.num_seconds()
    }

    /// The earliest instant `t >= start` with `business_seconds(start, t) == secs`: when the
    /// budget runs out exactly at closing time, that closing instant (not the next opening) is
    /// the answer, because that is when the target was used up. `secs <= 0` is `start`. When
    /// the calendar has too little open time in [`MAX_WALK_DAYS`] (say, every day a holiday) the
    /// answer is `start` plus that horizon: "not within any horizon that matters", still a
    /// valid instant so callers need no special case.
    pub fn add_business_seconds(&self, start: DateTime<Utc>, secs: i64) -> DateTime<Utc> {
        if secs <= 0 {
            return start;
        }
        let horizon = start.checked_add_signed(TimeDelta::days(MAX_WALK_DAYS));
        let horizon = horizon.unwrap_or(DateTime::<Utc>::MAX_UTC);
        let Some(mut remaining) = TimeDelta::try_seconds(secs) else { return horizon };
        let mut date = self.walk_start(start);
        let last = self.local_date(horizon);
        while date <= last {
            for (a, b) in self.intervals_on(date) {
                let s = a.max(start);
                if s >= b {
                    continue;
                }
                if remaining <= b - s {
                    return s + remaining;
                }
                remaining -= b - s;
            }
            let Some(next) = date.succ_opt() else { break };
            date = next;
        }
        horizon
    }

    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        let date = self.local_date(at);
        [date.pred_opt(), Some(date)]
            .into_iter()
            .flatten()
            .any(|d| self.intervals_on(d).iter().any(|(a, b)| *a <= at && at < *b))
    }

    fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.tz).date_naive()
    }

    /// A day early: cheap insurance that no span of the previous local date reaching past
    /// midnight is missed, whatever a zone's transitions do.
    fn walk_start(&self, at: DateTime<Utc>) -> NaiveDate {
        let date = self.local_date(at);
        date.pred_opt().unwrap_or(date)
    }

    /// The instant of a local wall time, by the single rule in the module doc. `minute` 1440 is
    /// the next date's midnight. `None` only at the edge of chrono's date range.
    fn instant(&self, date: NaiveDate, minute: u16) -> Option<DateTime<Utc>> {
        let local =
            date.and_hms_opt(0, 0, 0)?.checked_add_signed(TimeDelta::minutes(minute.into()))?;
        match self.tz.from_local_datetime(&local) {
            LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
            LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
            LocalResult::None => self.gap_end(local),
        }
    }

    /// The transition instant of the gap that swallows `local`. With offset `before` ahead of the
    /// gap and `after` behind it, the transition lies in `(local - after, local - before]`; a
    /// binary search on the offset finds it to the second (a zone's history has transitions at
    /// odd seconds, and Samoa skipped a whole day in 2011, so no step size can be assumed).
    fn gap_end(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        let offset_at = |secs: i64| {
            let utc = DateTime::from_timestamp(secs, 0).map(|t| t.naive_utc());
            utc.map(|t| i64::from(self.tz.offset_from_utc_datetime(&t).fix().local_minus_utc()))
        };
        let wall = local.and_utc().timestamp();
        let before = offset_at(wall - 86_400)?;
        let after = offset_at(wall + 86_400)?;
        let (mut lo, mut hi) = (wall - after, wall - before);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if offset_at(mid)? == before {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        DateTime::from_timestamp(hi, 0)
    }
}
