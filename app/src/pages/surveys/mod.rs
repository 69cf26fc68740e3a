//! Surveys: the list, the survey form, and one survey's audience and results.

pub mod list;
pub mod new;
pub mod picker;
pub mod results;
pub mod view;

use crate::metrics::survey::format_score;
use crate::model::{Band, SurveyKind};

/// The score shown with its formula as tooltip.
pub fn score_text(kind: SurveyKind, value: Option<f64>) -> String {
    format_score(kind, value)
}

/// The CSS class of a band's colour.
pub fn band_class(band: Band) -> &'static str {
    match band {
        Band::Low => "band-low",
        Band::Mid => "band-mid",
        Band::High => "band-high",
    }
}

/// "2026-11-23T10:00:00Z" → "2026-11-23".
pub fn day(at: &str) -> String {
    at.get(..10).unwrap_or(at).to_string()
}
