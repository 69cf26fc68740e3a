//! Users: the people who sign in.

use super::{de, new_key, query_all, query_value, transact, vars, Count, Db};
use crate::error::AppError;
use crate::model::{Role, User, UserId};
use serde::Deserialize;
use serde_json::json;

/// A user as stored (the password hash aside); sessions read the same fields.
#[derive(Deserialize)]
pub(super) struct UserRow {
    #[serde(deserialize_with = "de::key")]
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: String,
    pub active: bool,
}

impl UserRow {
    fn into_user(self) -> User {
        User {
            role: self.role(),
            id: self.id,
            email: self.email,
            name: self.name,
            active: self.active,
        }
    }

    /// The role; an unknown one (a newer version's) grants no more than an executive's.
    pub(super) fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Exec)
    }
}

const USER_FIELDS: &str = "id, email, name, role, active";

/// Emails are unique, checked where a user is written (the `user_email` index stays as the
/// backstop: a write racing this one conflicts, runs again and finds the email taken).
const EMAIL_FREE: &str = "IF (SELECT VALUE id FROM user WHERE email = $email LIMIT 1) != [] {
        THROW 'bw:field:email:a user with this email already exists'
     };";

pub async fn count(db: &Db) -> Result<u64, AppError> {
    let v: Vec<Count> = query_all(db, "SELECT count() AS n FROM user GROUP ALL", json!({})).await?;
    Ok(v.first().map_or(0, |c| c.n))
}

/// Creates a user. `password_hash` is already an Argon2id PHC string.
pub async fn create(
    db: &Db, email: &str, name: &str, role: Role, password_hash: &str,
) -> Result<User, AppError> {
    let mut r = transact(
        db,
        &format!(
            "BEGIN;
             {EMAIL_FREE}
             CREATE ONLY type::record('user', $id) SET email = $email, name = $name, role = $role,
                password_hash = $hash, active = true RETURN {USER_FIELDS};
             COMMIT;"
        ),
        vars(json!({ "id": new_key(), "email": email, "name": name, "role": role.key(), "hash": password_hash })),
    )
    .await?;
    Ok(r.before_commit::<UserRow>()?.into_user())
}

/// Creates the first admin, but only while there is no user at all and only with a live set-up
/// code (see `setup_codes`): two people racing through the set-up page cannot both become
/// admin, because the checks and the write are one transaction. Every code ends with it.
pub async fn create_first_admin(
    db: &Db, email: &str, name: &str, password_hash: &str, setup_code: &str,
) -> Result<User, AppError> {
    let mut r = transact(
        db,
        &format!(
            "BEGIN;
             IF count(SELECT VALUE id FROM user LIMIT 1) > 0 {{
                THROW 'bw:forbidden:Bellwether is already set up; sign in instead'
             }};
             IF count(SELECT VALUE id FROM setup_code WHERE code_hash = $code AND expires_at > time::now()) = 0 {{
                THROW 'bw:field:setup_code:is not a set-up code from the server log, or it has expired; \
                    run `bellwether setup-code` on the server for a new one'
             }};
             DELETE setup_code;
             CREATE ONLY type::record('user', $id) SET email = $email, name = $name, role = 'admin',
                password_hash = $hash, active = true RETURN {USER_FIELDS};
             COMMIT;"
        ),
        vars(json!({
            "id": new_key(), "email": email, "name": name, "hash": password_hash,
            "code": super::setup_codes::code_hash(setup_code),
        })),
    )
    .await?;
    Ok(r.before_commit::<UserRow>()?.into_user())
}

pub async fn list(db: &Db) -> Result<Vec<User>, AppError> {
    let rows: Vec<UserRow> =
        query_all(db, &format!("SELECT {USER_FIELDS} FROM user ORDER BY name"), json!({})).await?;
    Ok(rows.into_iter().map(UserRow::into_user).collect())
}

pub async fn get(db: &Db, id: &str) -> Result<User, AppError> {
    let row: Option<UserRow> = query_value(
        db,
        &format!("SELECT {USER_FIELDS} FROM ONLY type::record('user', $id)"),
        json!({ "id": id }),
    )
    .await?;
    row.map(UserRow::into_user).ok_or_else(|| AppError::NotFound("user".into()))
}

/// The user and password hash for a sign-in attempt.
pub async fn credentials(db: &Db, email: &str) -> Result<Option<(User, String)>, AppError> {
    #[derive(Deserialize)]
    struct Row {
        #[serde(flatten)]
        user: UserRow,
        password_hash: String,
    }
    let row: Option<Row> = super::query_one(
        db,
        &format!("SELECT {USER_FIELDS}, password_hash FROM user WHERE email = $email LIMIT 1"),
        json!({ "email": email }),
    )
    .await?;
    Ok(row.map(|r| (r.user.into_user(), r.password_hash)))
}

/// Sets a new password (already hashed) and ends every other session of the user, in one
/// transaction: whoever knew the old password is signed out with it.
pub async fn set_password(
    db: &Db, id: &str, password_hash: &str, keep_session: &str,
) -> Result<(), AppError> {
    transact(
        db,
        "BEGIN;
         UPDATE type::record('user', $id) SET password_hash = $hash;
         DELETE session WHERE user = type::record('user', $id) AND token_hash != $keep;
         COMMIT;",
        json!({ "id": id, "hash": password_hash, "keep": keep_session }),
    )
    .await?;
    Ok(())
}

/// The password hash of a user (to check the current password before a change).
pub async fn password_hash(db: &Db, id: &str) -> Result<Option<String>, AppError> {
    query_value(
        db,
        "SELECT VALUE password_hash FROM ONLY type::record('user', $id)",
        json!({ "id": id }),
    )
    .await
}

/// Changes a user's role and active flag. Refuses to leave Bellwether without an active admin.
pub async fn update_access(db: &Db, id: &str, role: Role, active: bool) -> Result<User, AppError> {
    let mut r = transact(
        db,
        &format!(
            "BEGIN;
             LET $u = type::record('user', $id);
             IF !record::exists($u) {{ THROW 'bw:not_found:user' }};
             UPDATE $u SET role = $role, active = $active;
             IF count(SELECT VALUE id FROM user WHERE role = 'admin' AND active = true) = 0 {{
                 THROW 'bw:field:role:Bellwether needs at least one active admin; make someone else admin first'
             }};
             IF $active = false {{ DELETE session WHERE user = $u }};
             SELECT {USER_FIELDS} FROM ONLY $u;
             COMMIT;"
        ),
        json!({ "id": id, "role": role.key(), "active": active }),
    )
    .await?;
    Ok(r.before_commit::<UserRow>()?.into_user())
}
