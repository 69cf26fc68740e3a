//! Server functions, grouped by area and kept thin: each demands a `Permission` in its first line
//! (`ctx::run`), validates its input, then calls one service (`crate::service`) or store function.

pub mod accounts;
pub mod alerts;
pub mod auth;
pub mod codec;
pub mod csv_import;
pub mod engagement;
pub mod escalations;
pub mod feedback;
pub mod health;
pub mod plans;
pub mod revenue;
pub mod segments;
pub mod sla;
pub mod surveys;
pub mod users;
pub mod webhooks;

#[cfg(feature = "ssr")]
pub mod ctx;
