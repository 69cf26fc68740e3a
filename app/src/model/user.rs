//! People who sign in to Bellwether.

use super::enums::Role;
use super::ids::UserId;
use super::validate::{is_email, required_text};
use crate::error::{AppError, Checks};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
}

/// The signed-in person, as every page knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
}

impl From<User> for Me {
    fn from(u: User) -> Self {
        Me { id: u.id, email: u.email, name: u.name, role: u.role }
    }
}

/// What a successful sign-in answers: who, and where to go next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub me: Me,
    /// The page to open: the `next` asked for when it is a path on this site, else `/`.
    pub next: String,
}

/// `next` when it is a path on this origin, else `/`: the only redirect target after sign-in.
/// Browsers drop tabs and newlines from URLs and read `\` as `/`, so `/\t/evil.example` or
/// `/\\evil.example` would reach another site; any control character, whitespace or backslash,
/// a scheme-relative `//…`, or anything that is not a plain path is refused.
pub fn safe_next(next: Option<&str>) -> String {
    let Some(n) = next else {
        return "/".into();
    };
    let plain = n.starts_with('/')
        && !n.starts_with("//")
        && n.len() <= 2000
        && !n.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    if plain {
        n.to_string()
    } else {
        "/".into()
    }
}

pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 256;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewUserInput {
    pub email: String,
    pub name: String,
    pub role: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValidUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password: String,
}

pub fn check_password(c: &mut Checks, field: &str, password: &str) {
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        c.fail(field, format!("must be at least {PASSWORD_MIN} characters"));
    } else if n > PASSWORD_MAX {
        c.fail(field, format!("must be at most {PASSWORD_MAX} characters"));
    }
}

pub fn check_email(c: &mut Checks, field: &str, email: &str) -> String {
    let email = email.trim().to_lowercase();
    if email.is_empty() {
        c.fail(field, "is required");
    } else if !is_email(&email) {
        c.fail(field, "must be an email address such as dana@example.com");
    }
    email
}

impl NewUserInput {
    pub fn validate(&self) -> Result<ValidUser, AppError> {
        let mut c = Checks::new();
        let email = check_email(&mut c, "email", &self.email);
        let name = required_text(&self.name, 200).map_err(|m| c.fail("name", m)).ok();
        let role = Role::parse(&self.role);
        if role.is_none() {
            c.fail("role", format!("must be one of {}", Role::choices()));
        }
        check_password(&mut c, "password", &self.password);
        c.finish()?;
        Ok(ValidUser {
            email,
            name: name.unwrap_or_default(),
            role: role.unwrap_or(Role::Exec),
            password: self.password.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_users_are_checked() {
        let ok = NewUserInput {
            email: "A@B.io".into(),
            name: "Ana".into(),
            role: "csm".into(),
            password: "correct horse".into(),
        };
        let v = ok.validate().unwrap();
        assert_eq!(v.email, "a@b.io");
        assert_eq!(v.role, Role::Csm);
        let bad = NewUserInput {
            email: "x".into(),
            name: "".into(),
            role: "god".into(),
            password: "short".into(),
        };
        let e = bad.validate().unwrap_err();
        for f in ["email", "name", "role", "password"] {
            assert!(e.for_field(f).is_some(), "{f}");
        }
    }
}
