//! The one metric layer (DESIGN.md, "Metric definitions"): pure functions, no I/O, the same
//! code on the server and in the browser, so a figure never differs between two screens.

pub mod health;
pub mod revenue;
pub mod revenue_series;
pub mod sla;
pub mod survey;
pub mod time_to_value;
pub mod usage;
