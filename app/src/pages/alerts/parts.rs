//! Small pieces every alert view shares (the Alerts page, the account's alerts, My work): the
//! severity badge, the status with its snooze date, "3 h ago", and what a step asks to log.

use crate::model::alert::{AlertStatus, RuleKind, Severity};
use crate::model::engagement::TouchpointKind;
use crate::model::Timestamp;
use leptos::prelude::*;

#[component]
pub fn SeverityBadge(severity: Severity) -> impl IntoView {
    view! { <span class=format!("badge sev sev-{}", severity.key())>{severity.label()}</span> }
}

/// The status as a pill: "Open", "Acknowledged", "Snoozed until 12 Dec" …
#[component]
pub fn StatusPill(status: AlertStatus, until: Option<Timestamp>) -> impl IntoView {
    let text = match (status, until) {
        (AlertStatus::Snoozed, Some(u)) => format!("Snoozed until {}", u.format("%-d %b")),
        (s, _) => s.label().to_string(),
    };
    view! { <span class=format!("pill st-{}", status.key()) data-testid="alert-status">{text}</span> }
}

/// A time as "just now", "12 min ago", "3 h ago", "5 days ago", or its date past a month.
pub fn ago(at: &Timestamp, now: &Timestamp) -> String {
    let mins = (*now - *at).num_minutes();
    match mins {
        m if m < 1 => "just now".into(),
        m if m < 60 => format!("{m} min ago"),
        m if m < 48 * 60 => format!("{} h ago", m / 60),
        m if m < 31 * 24 * 60 => format!("{} days ago", m / (24 * 60)),
        _ => at.format("%-d %b %Y").to_string(),
    }
}

/// `<time>` with the relative text and the exact time for machines (and a hover tooltip).
#[component]
pub fn Ago(at: Timestamp, now: Timestamp) -> impl IntoView {
    view! {
        <time datetime=at.to_rfc3339() title=at.format("%-d %b %Y %H:%M UTC").to_string()>{ago(&at, &now)}</time>
    }
}

/// The evidence sentence as a line of its own ("logins 30 → 5 …" reads "Logins 30 → 5 …").
pub fn sentence(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// What a step asks the owner to log: "log a call", "log an email", "log a meeting".
pub fn touchpoint_hint(kind: TouchpointKind) -> String {
    let label = kind.label().to_lowercase();
    let article = if label.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    format!("log {article} {label}")
}

/// "Due Thu 12 Dec", or "Overdue since 10 Dec"; and whether it is late.
pub fn due_text(due: chrono::NaiveDate, today: chrono::NaiveDate) -> (String, bool) {
    if due < today {
        (format!("Overdue since {}", due.format("%-d %b")), true)
    } else if due == today {
        ("Due today".into(), false)
    } else {
        (format!("Due {}", due.format("%a %-d %b")), false)
    }
}

/// What the rules watch, one line each (empty states say it, so "no alerts" reads as "nothing
/// is tripping", not "nothing is set up").
#[component]
pub fn RulesWatched() -> impl IntoView {
    view! {
        <ul class="rules-watched">
            {RuleKind::ALL.iter().map(|r| view! {
                <li><strong>{r.label()}</strong>" — "{r.describe()}</li>
            }).collect_view()}
        </ul>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: i64, m: i64) -> Timestamp {
        chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap()
            - chrono::Duration::hours(h)
            - chrono::Duration::minutes(m)
    }

    #[test]
    fn times_read_as_people_say_them() {
        let now = t(0, 0);
        assert_eq!(ago(&t(0, 0), &now), "just now");
        assert_eq!(ago(&t(0, 12), &now), "12 min ago");
        assert_eq!(ago(&t(3, 5), &now), "3 h ago");
        assert_eq!(ago(&t(24 * 5, 0), &now), "5 days ago");
        assert!(ago(&t(24 * 40, 0), &now).ends_with("2026"));
    }

    #[test]
    fn steps_say_what_to_log() {
        assert_eq!(touchpoint_hint(TouchpointKind::Call), "log a call");
        assert_eq!(touchpoint_hint(TouchpointKind::Email), "log an email");
        assert_eq!(
            touchpoint_hint(TouchpointKind::AnnualStrategy),
            "log an annual strategy planning"
        );
    }
}
