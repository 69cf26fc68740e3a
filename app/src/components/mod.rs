//! Reusable widgets.

pub mod badges;
pub mod charts;
pub mod field;
pub mod layout;
pub mod notice;
