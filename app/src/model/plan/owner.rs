//! Who a task is given to: a team member, a customer contact, or only a role (nobody named
//! yet). The builder's owner `<select>` needs one string per choice; [`TaskOwner::parse`] and
//! [`TaskOwner::value`] are the only places that string form is read and written.

use super::{OwnerRole, Task};
use crate::model::{ContactId, UserId};
use serde::{Deserialize, Serialize};

/// Who a task is given to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum TaskOwner {
    /// A staff member.
    User(UserId),
    /// A customer contact.
    Contact(ContactId),
    /// Anyone in this role.
    Role(OwnerRole),
}

impl TaskOwner {
    /// Reads a select value: `u:{user}`, `c:{contact}`, `r:{role}`, or empty for the CSM role.
    /// Keys are plain alphanumeric record keys; anything else is refused.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if s.is_empty() {
            return Some(TaskOwner::Role(OwnerRole::Csm));
        }
        let (kind, id) = s.split_once(':')?;
        let id_ok =
            !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric());
        match kind {
            "u" if id_ok => Some(TaskOwner::User(id.into())),
            "c" if id_ok => Some(TaskOwner::Contact(id.into())),
            "r" => OwnerRole::parse(id).map(TaskOwner::Role),
            _ => None,
        }
    }

    /// The select value [`TaskOwner::parse`] reads back.
    pub fn value(&self) -> String {
        match self {
            TaskOwner::User(u) => format!("u:{u}"),
            TaskOwner::Contact(c) => format!("c:{c}"),
            TaskOwner::Role(r) => format!("r:{}", r.key()),
        }
    }
}

impl From<TaskOwner> for String {
    fn from(o: TaskOwner) -> String {
        o.value()
    }
}

impl TryFrom<String> for TaskOwner {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        TaskOwner::parse(&s).ok_or_else(|| format!("not a task owner: {s}"))
    }
}

impl Task {
    /// Who the task is given to: the named person, or the role alone.
    pub fn owner(&self) -> TaskOwner {
        match (&self.owner_id, self.owner_role) {
            (Some(c), OwnerRole::Customer) => TaskOwner::Contact(c.into()),
            (Some(u), _) => TaskOwner::User(u.into()),
            (None, r) => TaskOwner::Role(r),
        }
    }

    /// The owner as the builder shows it: "Dana Lee (customer)", "Sam Ortiz", "Any CSM".
    pub fn owner_label(&self) -> String {
        match (&self.owner_name, self.owner_role) {
            (Some(n), OwnerRole::Customer) => format!("{n} (customer)"),
            (Some(n), _) => n.clone(),
            (None, r) => format!("Any {}", r.label()),
        }
    }
}

/// One entry of the builder's owner select.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerChoice {
    /// Crosses the wire as its select value (`u:{user}`, `c:{contact}`, `r:{role}`).
    pub value: TaskOwner,
    pub label: String,
    pub role: OwnerRole,
}

/// A [`TaskOwner`] checked against the account: the role the task is stored under and the
/// person, if one is named (a user's role is their seat on the account's team, CSM if none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignee {
    pub role: OwnerRole,
    pub user: Option<UserId>,
    pub contact: Option<ContactId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_values_read_back() {
        assert_eq!(TaskOwner::parse("c:abc1"), Some(TaskOwner::Contact("abc1".into())));
        assert_eq!(TaskOwner::parse("r:customer"), Some(TaskOwner::Role(OwnerRole::Customer)));
        assert_eq!(TaskOwner::parse(""), Some(TaskOwner::Role(OwnerRole::Csm)));
        assert_eq!(TaskOwner::parse("u:a'b"), None);
        assert_eq!(TaskOwner::parse("x:1"), None);
        for o in [
            TaskOwner::User("u1".into()),
            TaskOwner::Contact("c1".into()),
            TaskOwner::Role(OwnerRole::SubjectMatterExpert),
        ] {
            assert_eq!(TaskOwner::parse(&o.value()), Some(o.clone()));
            let json = serde_json::to_value(&o).unwrap();
            assert_eq!(json, serde_json::json!(o.value()));
            assert_eq!(serde_json::from_value::<TaskOwner>(json).unwrap(), o);
        }
    }
}
