//! One folder per area.

pub mod account;
pub mod auth;
pub mod dashboard;
pub mod feedback;
pub mod follow_ups;
pub mod my_work;
pub mod not_found;
pub mod plan;
pub mod portfolio;
pub mod settings;
pub mod surveys;

/// An RFC 3339 time as `fmt` writes it (in UTC, as stored); the date part if unreadable.
pub fn format_time(at: &str, fmt: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|d| d.format(fmt).to_string())
        .unwrap_or_else(|_| at.get(..10).unwrap_or(at).to_string())
}
