//! Server functions, grouped by area and kept thin: authorise → validate → store.

pub mod accounts;
pub mod auth;
pub mod engagement;
pub mod feedback;
pub mod health;
pub mod plans;
pub mod segments;
pub mod surveys;
pub mod users;

#[cfg(feature = "ssr")]
pub mod ctx;
