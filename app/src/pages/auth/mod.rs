pub mod account;
pub mod login;
pub mod setup;
