//! Small pieces every escalation view shares (the list, the escalation page, the account's
//! card): severity and status labels, clock pills, business time in hours and minutes, and
//! times written the same way on the server and in the browser.
//!
//! The server does not know where the reader is or what time their browser says, so anything
//! relative to "now" or in local time renders from the server's data first and changes only
//! in an Effect once the page is live (a different first render would break hydration).

use crate::model::escalation::{ClockKind, ClockStatus, EscalationSeverity, EscalationStatus};
use crate::model::Timestamp;
use leptos::prelude::*;
use std::time::Duration;

/// How often live pages look at the clock again (and the escalation page re-reads).
pub const REFRESH: Duration = Duration::from_secs(30);

#[component]
pub fn SeverityBadge(severity: EscalationSeverity) -> impl IntoView {
    let class = format!("badge esc-sev esc-{}", severity.key().to_lowercase());
    view! { <span class=class title=severity.label() data-testid="esc-severity">{severity.key()}</span> }
}

#[component]
pub fn StatusPill(status: EscalationStatus) -> impl IntoView {
    let text = match status {
        EscalationStatus::Waiting => "Waiting on customer",
        s => s.label(),
    };
    view! { <span class=format!("pill est-{}", status.key()) data-testid="esc-status">{text}</span> }
}

pub fn clock_status_label(s: ClockStatus) -> &'static str {
    match s {
        ClockStatus::Running => "Running",
        ClockStatus::Paused => "Paused",
        ClockStatus::Met => "Met",
        ClockStatus::Breached => "Breached",
    }
}

fn clock_status_key(s: ClockStatus) -> &'static str {
    match s {
        ClockStatus::Running => "running",
        ClockStatus::Paused => "paused",
        ClockStatus::Met => "met",
        ClockStatus::Breached => "breached",
    }
}

#[component]
pub fn ClockPill(status: ClockStatus) -> impl IntoView {
    let class = format!("pill clock-{}", clock_status_key(status));
    view! { <span class=class data-testid="clock-status">{clock_status_label(status)}</span> }
}

/// Business minutes as people say them: "45 min", "4 h", "1 h 30 min" (never days: a
/// business day is as long as the calendar says, so "2 d" would mislead).
pub fn duration(minutes: i64) -> String {
    let m = minutes.max(0);
    match (m / 60, m % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// A time in UTC: "Mon 30 Nov 14:05 UTC".
pub fn utc(at: &Timestamp) -> String {
    at.format("%a %-d %b %H:%M UTC").to_string()
}

/// A wall-clock span until (or since) `at`: "in 42 min", "3 h ago".
pub fn relative(at: &Timestamp, now: &Timestamp) -> String {
    let mins = (*at - *now).num_minutes();
    let span = |m: i64| match m {
        m if m < 60 => format!("{m} min"),
        m if m < 48 * 60 => duration(m),
        m => format!("{} days", m / (24 * 60)),
    };
    match mins {
        0 => "now".into(),
        m if m > 0 => format!("in {}", span(m)),
        m => format!("{} ago", span(-m)),
    }
}

/// `at` in the reader's time zone ("Mon 30 Nov 15:05, UTC+1"), from the browser's clock
/// settings; `None` on the server, which cannot know where the reader is.
pub fn local(at: &Timestamp) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let ms = wasm_bindgen::JsValue::from_f64(at.timestamp_millis() as f64);
        // Minutes *behind* UTC at that instant (so DST at the due time, not today, applies).
        let behind = (js_sys::Date::new(&ms).get_timezone_offset() * 60.0) as i32;
        let zone = chrono::FixedOffset::west_opt(behind)?;
        Some(format!(
            "{}, {}",
            at.with_timezone(&zone).format("%a %-d %b %H:%M"),
            offset_name(-behind)
        ))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = at;
        None
    }
}

/// "UTC", "UTC+1", "UTC+5:30", "UTC−4" for an offset east of UTC in seconds.
pub fn offset_name(east: i32) -> String {
    let (sign, abs) = if east < 0 { ("−", -east) } else { ("+", east) };
    match (abs / 3600, abs % 3600 / 60) {
        (0, 0) => "UTC".into(),
        (h, 0) => format!("UTC{sign}{h}"),
        (h, m) => format!("UTC{sign}{h}:{m:02}"),
    }
}

/// Runs `tick` every `period` once the page is live, and stops when the view goes away.
pub fn every(period: Duration, tick: impl Fn() + Clone + 'static) {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let tick = tick.clone();
        if let Ok(h) = set_interval_with_handle(tick, period) {
            on_cleanup(move || h.clear());
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (period, tick);
}

/// The browser's "now", refreshed every [`REFRESH`]: `None` until the page is live, so the
/// server's render and the first browser render agree.
pub fn browser_now() -> RwSignal<Option<Timestamp>> {
    let now = RwSignal::new(None);
    Effect::new(move |_| now.set(Some(chrono::Utc::now())));
    every(REFRESH, move || {
        now.try_set(Some(chrono::Utc::now()));
    });
    now
}

/// `at` as a `<time>`: its date and UTC time until the page is live, then "3 h ago" (the
/// exact time stays in the tooltip).
#[component]
pub fn Since(at: Timestamp, now: RwSignal<Option<Timestamp>>) -> impl IntoView {
    let exact = utc(&at);
    view! {
        <time datetime=at.to_rfc3339() title=exact>
            {move || match now.get() {
                Some(n) => relative(&at, &n),
                None => at.format("%-d %b %H:%M").to_string(),
            }}
        </time>
    }
}

/// The most urgent clock of a row in a few words: "Resolution due in 3 h", "First response
/// breached 5 min ago", "Update cadence paused".
#[component]
pub fn NextDue(
    next: Option<(ClockKind, Option<Timestamp>, ClockStatus)>, now: RwSignal<Option<Timestamp>>,
) -> impl IntoView {
    let Some((kind, due, status)) = next else {
        return view! { <span class="muted">"No clock running"</span> }.into_any();
    };
    let breached = status == ClockStatus::Breached;
    let when = move || match (due, now.get()) {
        (Some(d), Some(n)) => relative(&d, &n),
        (Some(d), None) => d.format("%-d %b %H:%M UTC").to_string(),
        (None, _) => String::new(),
    };
    let verb = match status {
        ClockStatus::Breached => "breached",
        ClockStatus::Paused => "paused",
        ClockStatus::Met => "met",
        ClockStatus::Running => "due",
    };
    view! {
        <span class="next-due" class:late=breached data-testid="esc-next-due">
            <strong>{kind.label()}</strong>
            " "{verb}" "
            {due.map(|d| view! { <time datetime=d.to_rfc3339() title=utc(&d)>{when}</time> })}
        </span>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_time_reads_in_hours_and_minutes() {
        assert_eq!(duration(0), "0 min");
        assert_eq!(duration(45), "45 min");
        assert_eq!(duration(240), "4 h");
        assert_eq!(duration(90), "1 h 30 min");
        assert_eq!(duration(9600), "160 h");
        assert_eq!(duration(-5), "0 min");
    }

    #[test]
    fn times_read_relative_to_now() {
        let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let at = |m: i64| now + chrono::Duration::minutes(m);
        assert_eq!(relative(&at(42), &now), "in 42 min");
        assert_eq!(relative(&at(-180), &now), "3 h ago");
        assert_eq!(relative(&at(0), &now), "now");
        assert_eq!(relative(&at(60 * 24 * 3), &now), "in 3 days");
    }

    #[test]
    fn offsets_are_named_like_utc_plus_hours() {
        assert_eq!(offset_name(0), "UTC");
        assert_eq!(offset_name(3600), "UTC+1");
        assert_eq!(offset_name(19_800), "UTC+5:30");
        assert_eq!(offset_name(-4 * 3600), "UTC−4");
    }
}
