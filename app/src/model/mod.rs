//! Shared types: the same structs cross the wire both ways and are validated by the same code
//! in the browser (for instant feedback) and on the server (the check that counts).

#[macro_use]
pub mod enums;
pub mod account;
pub mod alert;
pub mod api_key;
pub mod cap;
pub mod dashboard;
pub mod dates;
pub mod engagement;
pub mod escalation;
pub mod fx;
pub mod health;
pub mod ids;
pub mod import;
pub mod message;
pub mod money;
pub mod my_work;
pub mod permission;
pub mod plan;
pub mod portfolio;
pub mod revenue;
pub mod segment;
pub mod survey;
pub mod timeline;
pub mod usage;
pub mod usage_filter;
pub mod user;
pub mod validate;
pub mod webhook;

/// A moment in time, as stored (UTC). Pages format it; nothing parses it twice.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

pub use account::*;
pub use enums::*;
pub use ids::*;
pub use permission::Permission;
pub use portfolio::*;
pub use segment::*;
pub use survey::*;
pub use usage_filter::UsageFacts;
pub use user::*;
