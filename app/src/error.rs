//! The one error type of Bellwether.
//!
//! Every failure a person can meet — in a server function, in the REST API, in a page — is an
//! [`AppError`]. It crosses the wire intact (it is `Serialize`), so the browser can put a
//! validation message next to the field it names instead of showing a generic banner, and the
//! server maps each variant to one HTTP status ([`AppError::status`]).

use serde::{Deserialize, Serialize};
use server_fn::error::{FromServerFnError, ServerFnErrorErr};
use std::fmt;

/// A message about one input field. `field` is the form field's name (`email`, `arr`, …) so the
/// UI can show it beside that field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// One or more fields are invalid; nothing was written.
    #[error("{}", describe_fields(.0))]
    Validation(Vec<FieldError>),
    /// The thing asked for does not exist (or the caller may not know it exists).
    #[error("{0} not found")]
    NotFound(String),
    /// No valid session: sign in first.
    #[error("please sign in")]
    Unauthenticated,
    /// Signed in, but the role does not allow this.
    #[error("your role does not allow this: {0}")]
    Forbidden(String),
    /// The change would pull something out from under what depends on it (a segment that a
    /// health model uses, say). The message names what stands in the way, so the person knows
    /// what to change first; nothing was written.
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts in a short time.
    #[error("too many attempts; wait a minute and try again")]
    RateLimited,
    /// A REST client over its key's request budget: the message says when to try again, and
    /// the answer carries `Retry-After: retry_after`.
    #[error("{message}")]
    OverLimit { message: String, retry_after: u64 },
    /// A REST call without a usable API key: the message says what to send instead.
    #[error("{0}")]
    BadCredentials(String),
    /// A request whose body cannot be read at all (REST: not JSON, or not the expected shape).
    /// Unlike [`AppError::Validation`], no field can be named.
    #[error("{0}")]
    BadRequest(String),
    /// A request carrying more than one call may (REST: an oversized batch).
    #[error("{0}")]
    TooLarge(String),
    /// Something broke on our side. The message is safe to show; details go to the log.
    #[error("something went wrong on our side ({0}); please try again")]
    Internal(String),
}

fn describe_fields(errors: &[FieldError]) -> String {
    errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
}

impl AppError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError::new(field, message)])
    }

    /// The HTTP status this error answers with, in the REST API and in server functions alike.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Validation(_) => 422,
            AppError::NotFound(_) => 404,
            AppError::Unauthenticated | AppError::BadCredentials(_) => 401,
            AppError::Forbidden(_) => 403,
            AppError::Conflict(_) => 409,
            AppError::RateLimited | AppError::OverLimit { .. } => 429,
            AppError::BadRequest(_) => 400,
            AppError::TooLarge(_) => 413,
            AppError::Internal(_) => 500,
        }
    }

    /// The message for `field`, if this is a validation error that names it.
    pub fn for_field(&self, field: &str) -> Option<String> {
        match self {
            AppError::Validation(errs) => {
                errs.iter().find(|e| e.field == field).map(|e| e.message.clone())
            }
            _ => None,
        }
    }

    /// A one-line message for a banner: validation errors are shown per field instead.
    pub fn banner(&self) -> Option<String> {
        match self {
            AppError::Validation(errs) if errs.len() == 1 && errs[0].field == "form" => {
                Some(format!("The form could not be sent: {}", errs[0].message))
            }
            AppError::Validation(errs) if errs.len() == 1 => {
                Some("Please fix the highlighted field.".into())
            }
            AppError::Validation(errs) => {
                Some(format!("Please fix the {} highlighted fields.", errs.len()))
            }
            other => Some(capitalise(&other.to_string())),
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Collects field errors while validating a form; `finish` turns them into one error.
#[derive(Default, Debug)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        if !self.0.iter().any(|e| e.field == field) {
            self.0.push(FieldError::new(field, message));
        }
    }
    pub fn check(&mut self, ok: bool, field: &str, message: impl Into<String>) {
        if !ok {
            self.fail(field, message);
        }
    }
    pub fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.0))
        }
    }
}

impl FromServerFnError for AppError {
    // Read as text, like every answer (api::codec): one JSON reader in the browser bundle.
    type Encoder = crate::api::codec::JsonText;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(msg) | ServerFnErrorErr::Deserialization(msg) => {
                AppError::field("form", format!("the form could not be read: {msg}"))
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// The REST API's answer to a failure: the error's status, and a JSON body a client can act on,
/// `{"error": {"status": 422, "message": "…", "fields": {"name": "is required"}}}` (`fields`
/// only for validation errors; an over-limit answer also carries `Retry-After`). Server
/// functions answer with the error itself instead (see `api::ctx`), which the browser reads back
/// into an `AppError`.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        use axum::http::{header, HeaderValue, StatusCode};
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut error =
            serde_json::json!({ "status": status.as_u16(), "message": self.to_string() });
        if let AppError::Validation(fields) = &self {
            error["fields"] = fields
                .iter()
                .map(|f| (f.field.clone(), serde_json::Value::from(f.message.clone())))
                .collect::<serde_json::Map<_, _>>()
                .into();
        }
        let mut res = (status, axum::Json(serde_json::json!({ "error": error }))).into_response();
        if let AppError::OverLimit { retry_after, .. } = self {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_keep_the_first_message_per_field() {
        let mut c = Checks::new();
        c.fail("name", "is required");
        c.fail("name", "is too long");
        c.fail("arr", "must be zero or more");
        let err = c.finish().unwrap_err();
        assert_eq!(err.for_field("name").as_deref(), Some("is required"));
        assert_eq!(err.for_field("arr").as_deref(), Some("must be zero or more"));
        assert_eq!(err.status(), 422);
    }

    #[test]
    fn every_variant_has_its_status() {
        assert_eq!(AppError::NotFound("account".into()).status(), 404);
        assert_eq!(AppError::Unauthenticated.status(), 401);
        assert_eq!(AppError::Forbidden("x".into()).status(), 403);
        assert_eq!(AppError::Conflict("x".into()).status(), 409);
        assert_eq!(AppError::Internal("x".into()).status(), 500);
        assert_eq!(AppError::BadRequest("x".into()).status(), 400);
        assert_eq!(AppError::TooLarge("x".into()).status(), 413);
        assert_eq!(AppError::BadCredentials("x".into()).status(), 401);
        let over = AppError::OverLimit { message: "x".into(), retry_after: 3 };
        assert_eq!(over.status(), 429);
    }

    #[cfg(feature = "ssr")]
    #[tokio::test]
    async fn rest_answers_carry_status_message_and_fields() {
        use axum::response::IntoResponse;
        let res = AppError::field("name", "is required").into_response();
        assert_eq!(res.status(), 422);
        let body = axum::body::to_bytes(res.into_body(), 1 << 16).await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"]["status"], 422);
        assert_eq!(v["error"]["message"], "name: is required");
        assert_eq!(v["error"]["fields"]["name"], "is required");
        let res =
            AppError::OverLimit { message: "slow down".into(), retry_after: 7 }.into_response();
        assert_eq!(res.status(), 429);
        assert_eq!(res.headers()["retry-after"], "7");
    }
}
