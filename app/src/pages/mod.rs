//! One folder per area.

pub mod account;
pub mod alerts;
pub mod auth;
pub mod dashboard;
pub mod escalations;
pub mod feedback;
pub mod follow_ups;
pub mod import;
pub mod my_work;
pub mod not_found;
pub mod plan;
pub mod portfolio;
pub mod revenue_import;
pub mod segments;
pub mod settings;
pub mod surveys;

/// A time as `fmt` writes it (in UTC, as stored).
pub fn format_time(at: &crate::model::Timestamp, fmt: &str) -> String {
    at.format(fmt).to_string()
}
