//! Who a task can be given to on an account: the choices the builder offers, and the check of
//! a choice against the account.

use crate::error::AppError;
use crate::model::plan::*;
use crate::model::{ContactId, UserId};
use crate::store::{de, query_all, transact, Db};
use serde::Deserialize;
use serde_json::json;

/// The user or contact a task goes to, checked against the account (a contact of another
/// account, or an unknown user, is refused).
pub async fn resolve_owner(
    db: &Db, account: &str, owner: &TaskOwner,
) -> Result<Assignee, AppError> {
    match owner {
        TaskOwner::Role(r) => Ok(Assignee { role: *r, user: None, contact: None }),
        TaskOwner::Contact(c) => {
            let found: Vec<serde_json::Value> = query_all(
                db,
                "SELECT VALUE id FROM type::record('contact', $c) WHERE account = type::record('account', $a)",
                json!({ "c": c, "a": account }),
            )
            .await?;
            if found.is_empty() {
                return Err(AppError::field("owner", "that contact is not at this account"));
            }
            Ok(Assignee { role: OwnerRole::Customer, user: None, contact: Some(c.clone()) })
        }
        TaskOwner::User(u) => {
            let mut r = transact(
                db,
                "BEGIN;
                 SELECT VALUE id FROM type::record('user', $u) WHERE active = true;
                 SELECT VALUE role FROM team_member
                    WHERE account = type::record('account', $a) AND user = type::record('user', $u);
                 COMMIT;",
                json!({ "u": u, "a": account }),
            )
            .await?;
            let found: Vec<serde_json::Value> = r.take(1)?;
            if found.is_empty() {
                return Err(AppError::field("owner", "that person is not an active user"));
            }
            let roles: Vec<String> = r.take(2)?;
            let role = (roles.first()).and_then(|r| OwnerRole::parse(r)).unwrap_or(OwnerRole::Csm);
            Ok(Assignee { role, user: Some(u.clone()), contact: None })
        }
    }
}

/// Owner choices for tasks on an account: its team, then its contacts, then bare roles.
pub async fn owner_choices(db: &Db, account: &str) -> Result<Vec<OwnerChoice>, AppError> {
    #[derive(Deserialize)]
    struct TeamRow {
        #[serde(deserialize_with = "de::key")]
        user: UserId,
        name: String,
        role: String,
    }
    #[derive(Deserialize)]
    struct ContactRow {
        #[serde(deserialize_with = "de::key")]
        id: ContactId,
        name: String,
    }
    let mut r = transact(
        db,
        "BEGIN;
         LET $a = type::record('account', $acc);
         SELECT user, user.name AS name, role FROM team_member WHERE account = $a AND user.active = true;
         SELECT id, name FROM contact WHERE account = $a ORDER BY name;
         COMMIT;",
        json!({ "acc": account }),
    )
    .await?;
    let team: Vec<TeamRow> = r.take(2)?;
    let contacts: Vec<ContactRow> = r.take(3)?;
    let mut out: Vec<OwnerChoice> = Vec::new();
    for t in team {
        let value = TaskOwner::User(t.user);
        if out.iter().any(|o| o.value == value) {
            continue;
        }
        let role = OwnerRole::parse(&t.role).unwrap_or(OwnerRole::Csm);
        out.push(OwnerChoice { value, label: format!("{} ({})", t.name, role.label()), role });
    }
    out.extend(contacts.into_iter().map(|c| OwnerChoice {
        value: TaskOwner::Contact(c.id),
        label: format!("{} (customer)", c.name),
        role: OwnerRole::Customer,
    }));
    out.extend(OwnerRole::ALL.iter().map(|role| OwnerChoice {
        value: TaskOwner::Role(*role),
        label: format!("Any {}", role.label()),
        role: *role,
    }));
    Ok(out)
}
