//! Users: the people who sign in.

use super::{db_err, de, new_key, take, unique_err, Db};
use crate::error::AppError;
use crate::model::{Role, User};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct UserRow {
    #[serde(deserialize_with = "de::key")]
    id: String,
    email: String,
    name: String,
    role: String,
    active: bool,
}

impl UserRow {
    fn into_user(self) -> User {
        User {
            id: self.id,
            email: self.email,
            name: self.name,
            role: Role::parse(&self.role).unwrap_or(Role::Exec),
            active: self.active,
        }
    }
}

const USER_FIELDS: &str = "id, email, name, role, active";

pub async fn count(db: &Db) -> Result<u64, AppError> {
    let mut r = db
        .query("SELECT count() AS n FROM user GROUP ALL")
        .await
        .map_err(db_err)?;
    let v: Vec<super::Count> = take(&mut r, 0)?;
    Ok(v.first().map_or(0, |c| c.n))
}

/// Creates a user. `password_hash` is already an Argon2id PHC string.
pub async fn create(
    db: &Db,
    email: &str,
    name: &str,
    role: Role,
    password_hash: &str,
) -> Result<User, AppError> {
    let id = new_key();
    let mut r = db
        .query(format!(
            "CREATE ONLY type::record('user', $id) SET email = $email, name = $name, role = $role, \
             password_hash = $hash, active = true RETURN {USER_FIELDS}"
        ))
        .bind(super::vars(json!({ "id": id, "email": email, "name": name, "role": role.key(), "hash": password_hash })))
        .await
        .and_then(|r| r.check())
        .map_err(|e| unique_err(e, "user_email", "email", "a user with this email already exists"))?;
    let row: UserRow = take(&mut r, 0)?;
    Ok(row.into_user())
}

/// Creates the first admin, but only while there is no user at all and only with a live set-up
/// code (see `setup_codes`): two people racing through the set-up page cannot both become
/// admin, because the checks and the write are one transaction. Every code ends with it.
pub async fn create_first_admin(
    db: &Db,
    email: &str,
    name: &str,
    password_hash: &str,
    setup_code: &str,
) -> Result<User, AppError> {
    let id = new_key();
    let mut r = super::run_checked(
        db,
        &format!(
            "BEGIN TRANSACTION;
             IF count(SELECT VALUE id FROM user LIMIT 1) > 0 {{
                THROW 'bw:forbidden:Bellwether is already set up; sign in instead'
             }};
             IF count(SELECT VALUE id FROM setup_code WHERE code_hash = $code AND expires_at > time::now()) = 0 {{
                THROW 'bw:field:setup_code:is not a set-up code from the server log, or it has expired; run `bellwether setup-code` on the server for a new one'
             }};
             DELETE setup_code;
             CREATE ONLY type::record('user', $id) SET email = $email, name = $name, role = 'admin',
                password_hash = $hash, active = true RETURN {USER_FIELDS};
             COMMIT TRANSACTION;"
        ),
        super::vars(json!({
            "id": id, "email": email, "name": name, "hash": password_hash,
            "code": super::setup_codes::code_hash(setup_code),
        })),
    )
    .await?;
    let row: UserRow = super::take_result_before_commit(&mut r)?;
    Ok(row.into_user())
}

pub async fn list(db: &Db) -> Result<Vec<User>, AppError> {
    let mut r = db
        .query(format!("SELECT {USER_FIELDS} FROM user ORDER BY name"))
        .await
        .map_err(db_err)?;
    let rows: Vec<UserRow> = take(&mut r, 0)?;
    Ok(rows.into_iter().map(UserRow::into_user).collect())
}

pub async fn get(db: &Db, id: &str) -> Result<User, AppError> {
    let mut r = db
        .query(format!(
            "SELECT {USER_FIELDS} FROM ONLY type::record('user', $id)"
        ))
        .bind(super::vars(json!({ "id": id })))
        .await
        .map_err(db_err)?;
    let row: Option<UserRow> = take(&mut r, 0)?;
    row.map(UserRow::into_user)
        .ok_or_else(|| AppError::NotFound("user".into()))
}

/// The user and password hash for a sign-in attempt.
pub async fn credentials(db: &Db, email: &str) -> Result<Option<(User, String)>, AppError> {
    #[derive(Deserialize)]
    struct Row {
        #[serde(flatten)]
        user: UserRow,
        password_hash: String,
    }
    let mut r = db
        .query(format!(
            "SELECT {USER_FIELDS}, password_hash FROM user WHERE email = $email LIMIT 1"
        ))
        .bind(super::vars(json!({ "email": email })))
        .await
        .map_err(db_err)?;
    let rows: Vec<Row> = take(&mut r, 0)?;
    Ok(rows
        .into_iter()
        .next()
        .map(|r| (r.user.into_user(), r.password_hash)))
}

/// Sets a new password (already hashed) and ends every other session of the user, in one
/// transaction: whoever knew the old password is signed out with it.
pub async fn set_password(
    db: &Db,
    id: &str,
    password_hash: &str,
    keep_session: &str,
) -> Result<(), AppError> {
    super::run_checked(
        db,
        "BEGIN TRANSACTION;
         UPDATE type::record('user', $id) SET password_hash = $hash;
         DELETE session WHERE user = type::record('user', $id) AND token_hash != $keep;
         COMMIT TRANSACTION;",
        super::vars(json!({ "id": id, "hash": password_hash, "keep": keep_session })),
    )
    .await?;
    Ok(())
}

/// The password hash of a user (to check the current password before a change).
pub async fn password_hash(db: &Db, id: &str) -> Result<Option<String>, AppError> {
    let mut r = db
        .query("SELECT VALUE password_hash FROM ONLY type::record('user', $id)")
        .bind(super::vars(json!({ "id": id })))
        .await
        .map_err(db_err)?;
    take(&mut r, 0)
}

/// Changes a user's role and active flag. Refuses to leave Bellwether without an active admin.
pub async fn update_access(db: &Db, id: &str, role: Role, active: bool) -> Result<User, AppError> {
    let result = db
        .query(format!(
            "BEGIN TRANSACTION;
             LET $u = type::record('user', $id);
             IF $u.id = NONE {{ THROW 'not_found' }};
             UPDATE $u SET role = $role, active = $active;
             IF count(SELECT VALUE id FROM user WHERE role = 'admin' AND active = true) = 0 {{ THROW 'last_admin' }};
             IF $active = false {{ DELETE session WHERE user = $u }};
             SELECT {USER_FIELDS} FROM ONLY $u;
             COMMIT TRANSACTION;"
        ))
        .bind(super::vars(json!({ "id": id, "role": role.key(), "active": active })))
        .await
        .and_then(|r| r.check());
    match result {
        Ok(mut r) => {
            let row: UserRow = super::take_result_before_commit(&mut r)?;
            Ok(row.into_user())
        }
        Err(e) if e.to_string().contains("last_admin") => Err(AppError::field(
            "role",
            "Bellwether needs at least one active admin; make someone else admin first",
        )),
        Err(e) if e.to_string().contains("not_found") => Err(AppError::NotFound("user".into())),
        Err(e) => Err(db_err(e)),
    }
}
