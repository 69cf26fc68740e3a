//! An account's team: the people on our side and the role each plays.

use crate::error::AppError;
use crate::model::*;
use crate::store::{de, query_all, transact_on_account, Db};
use serde::Deserialize;
use serde_json::json;

/// The fields a [`TeamRow`] is read from.
pub(super) const TEAM_FIELDS: &str =
    "id, account, user, user.name AS user_name, user.email AS user_email, role";

#[derive(Deserialize)]
pub(super) struct TeamRow {
    #[serde(deserialize_with = "de::key")]
    id: String,
    #[serde(deserialize_with = "de::key")]
    account: AccountId,
    #[serde(deserialize_with = "de::key")]
    user: UserId,
    user_name: String,
    user_email: String,
    role: TeamRole,
}

impl From<TeamRow> for TeamMember {
    fn from(r: TeamRow) -> Self {
        TeamMember {
            id: r.id,
            account_id: r.account,
            user_id: r.user,
            user_name: r.user_name,
            user_email: r.user_email,
            role: r.role,
        }
    }
}

/// Puts an active user on the account's team in a role (once per role: checked here, with the
/// `team_member_unique` index as the backstop).
pub async fn add_team_member(
    db: &Db, account_id: &str, user_id: &str, role: TeamRole,
) -> Result<(), AppError> {
    transact_on_account(
        db,
        "LET $u = type::record('user', $user);
         IF !record::exists($u) { THROW 'bw:field:user_id:is not a Bellwether user' };
         IF !$u.active { THROW 'bw:field:user_id:is deactivated' };
         IF (SELECT VALUE id FROM team_member WHERE account = $a AND user = $u AND role = $role LIMIT 1) != [] {
             THROW 'bw:field:user_id:is already on this team in that role'
         };
         CREATE team_member SET account = $a, user = $u, role = $role RETURN NONE;",
        json!({ "account": account_id, "user": user_id, "role": role.key() }),
    )
    .await?;
    Ok(())
}

/// Puts the active user with `email` on the account's team in `role`, unless already there (what
/// a CRM sync sends, again and again: the second time changes nothing). Returns the member and
/// whether it was added. One transaction.
pub async fn ensure_team_member(
    db: &Db, account_id: &str, email: &str, role: TeamRole,
) -> Result<(TeamMember, bool), AppError> {
    let mut r = transact_on_account(
        db,
        &format!(
            "LET $u = (SELECT VALUE id FROM user WHERE email = $email LIMIT 1)[0];
             IF $u = NONE {{ THROW 'bw:field:user_email:names no Bellwether user' }};
             IF !$u.active {{ THROW 'bw:field:user_email:is deactivated' }};
             LET $found = (SELECT VALUE id FROM team_member WHERE account = $a AND user = $u
                AND role = $role LIMIT 1)[0];
             LET $m = IF $found != NONE {{ $found }} ELSE {{
                (CREATE ONLY team_member SET account = $a, user = $u, role = $role RETURN VALUE id)
             }};
             SELECT {TEAM_FIELDS} FROM ONLY $m;
             RETURN $found = NONE;"
        ),
        json!({ "account": account_id, "email": email.trim().to_lowercase(), "role": role.key() }),
    )
    .await?;
    let added: bool = r.before_commit()?;
    let member: TeamRow = r.take(8)?;
    Ok((member.into(), added))
}

/// Takes a member off the account's team.
pub async fn remove_team_member(
    db: &Db, account_id: &str, member_id: &str,
) -> Result<(), AppError> {
    let gone: Vec<serde_json::Value> = query_all(
        db,
        "DELETE type::record('team_member', $id) WHERE account = type::record('account', $account) RETURN BEFORE",
        json!({ "id": member_id, "account": account_id }),
    )
    .await?;
    if gone.is_empty() {
        return Err(AppError::NotFound("team member".into()));
    }
    Ok(())
}
