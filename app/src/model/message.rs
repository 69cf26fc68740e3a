//! Messages to and from customers (emails, helpdesk replies, meeting requests logged as
//! touchpoints): only their direction, thread and time. The delayed-response rule reads how
//! long the customer takes to answer.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

vocabulary! {
    /// Which way a message went.
    Direction {
        In => "in", "From the customer";
        Out => "out", "To the customer";
    }
}

/// How quickly one account's customer answers, as the delayed-response rule reads it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReplyFacts {
    /// The oldest message to the customer still waiting for their reply: its thread and when it
    /// was sent.
    pub awaiting: Option<(String, DateTime<Utc>)>,
    /// Hours the customer took to reply, for replies received in the last 30 days.
    pub recent_hours: Vec<f64>,
    /// The same for replies received in the 90 days before those 30: their own baseline.
    pub baseline_hours: Vec<f64>,
}

#[allow(unused_imports)]
use {Deserialize as _, Serialize as _};
