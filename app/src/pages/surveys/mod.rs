//! Surveys: the list, the survey form, and one survey's audience and results.

pub mod list;
pub mod new;
pub mod picker;
pub mod results;
pub mod view;

use crate::model::{Band, SurveyKind};
use leptos::prelude::*;

/// A rate as a whole percentage, or a dash when there is nothing to divide.
pub fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.0}%")).unwrap_or_else(|| "—".into())
}

/// A duration in hours: hours below two days, days above.
pub fn hours(h: Option<f64>) -> String {
    match h {
        None => "—".into(),
        Some(h) if h < 48.0 => format!("{h:.0} h"),
        Some(h) => format!("{:.1} days", h / 24.0),
    }
}

/// The CSS class of a band's colour.
pub fn band_class(band: Band) -> &'static str {
    match band {
        Band::Low => "band-low",
        Band::Mid => "band-mid",
        Band::High => "band-high",
    }
}

/// The day of a time (UTC), "2026-11-23".
pub fn day(at: &crate::model::Timestamp) -> String {
    at.format("%Y-%m-%d").to_string()
}

/// One answer in a list of verbatims: its score, coloured by band, and what was said
/// (`children`).
#[component]
pub fn Verbatim(kind: SurveyKind, score: i64, children: Children) -> impl IntoView {
    let band = kind.band(score);
    view! {
        <li class=format!("verbatim {}", band_class(band))>
            <span class="score-pill" title=kind.band_label(band)>{score}</span>
            <div>{children()}</div>
        </li>
    }
}
