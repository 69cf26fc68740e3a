//! Reusable widgets.

pub mod action;
pub mod badges;
pub mod charts;
pub mod distribution;
pub mod field;
pub mod layout;
pub mod live;
pub mod notice;
pub mod pager;
pub mod post_form;
pub mod trend_chart;
