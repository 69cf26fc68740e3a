//! The account 360 (details, contacts, team) and the account forms.

pub mod alerts;
pub mod cards;
pub mod contacts;
pub mod edit;
pub mod engagement;
pub mod escalations;
pub mod form;
pub mod health;
pub mod new;
pub mod plans;
pub mod revenue;
pub mod revenue_form;
pub mod surveys;
pub mod team;
pub mod timeline;
pub mod view;
