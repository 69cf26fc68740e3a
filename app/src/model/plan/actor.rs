//! Who changes a plan (a staff member, or a customer through a shared link), which plan a
//! change touches, and which kind of plan part a request names.

use super::{OwnerRole, Task};
use crate::model::{AccountId, ContactId, PlanId, UserId};
use chrono::NaiveDate;

/// Who acts: a staff member (user key + name) or a customer contact through a shared link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Staff {
        id: UserId,
        name: String,
    },
    Customer {
        contact: ContactId,
        name: String,
    },
    /// Another system, through an API key (named as Settings names the key).
    Integration {
        key: String,
    },
}

impl Actor {
    /// The name the activity log shows ("Dana Lee (customer)" for a customer).
    pub fn label(&self) -> String {
        match self {
            Actor::Staff { name, .. } => name.clone(),
            Actor::Customer { name, .. } => format!("{name} (customer)"),
            Actor::Integration { key } => format!("{key} (API)"),
        }
    }

    pub fn by_customer(&self) -> bool {
        matches!(self, Actor::Customer { .. })
    }
}

/// The plan (and account) a change touches, and the plan's start (nothing in a plan is due
/// before it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOwner {
    pub plan: PlanId,
    pub account: AccountId,
    pub start: NaiveDate,
}

/// A kind of plan part a request names by id (the store's `owner_of` finds the plan it belongs
/// to): a closed set, so no request can name a table that is not part of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanPart {
    Plan,
    Milestone,
    Task,
    Objective,
}

impl PlanPart {
    /// The table its rows live in; also what a "not found" names.
    pub fn table(self) -> &'static str {
        match self {
            PlanPart::Plan => "plan",
            PlanPart::Milestone => "milestone",
            PlanPart::Task => "task",
            PlanPart::Objective => "objective",
        }
    }
}

/// The live share behind a verified link: its plan and account, and the contact it was made
/// for. The store answers `None` instead when it is revoked, past its stored expiry, or gone,
/// or when its contact is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub plan: PlanId,
    pub account: AccountId,
    pub contact: ContactId,
    pub contact_name: String,
}

impl Opened {
    /// The plan a customer's change touches. Customers never set due dates, so the plan's
    /// start is not needed (and not read).
    pub fn owner(&self) -> PlanOwner {
        PlanOwner { plan: self.plan.clone(), account: self.account.clone(), start: NaiveDate::MIN }
    }

    /// The customer acting through the link.
    pub fn actor(&self) -> Actor {
        Actor::Customer { contact: self.contact.clone(), name: self.contact_name.clone() }
    }

    /// Whether the customer may tick `t` off: a customer task given to them or to nobody in
    /// particular.
    pub fn may_tick(&self, t: &Task) -> bool {
        t.owner_role == OwnerRole::Customer
            && t.owner_id.as_deref().is_none_or(|c| c == self.contact.as_str())
    }
}
