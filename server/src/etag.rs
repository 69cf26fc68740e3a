//! `ETag` and `If-None-Match` for the REST API's reads: a client polling an account or a list
//! gets `304 Not Modified` (no body) while nothing changed.
//!
//! Why a digest of the answer and not a version counter: an answer joins several records (an
//! account with its contacts and team, a page of a filtered list), and any of them may change;
//! hashing what would be sent is right for every read, and the same on every node. The answer
//! is still computed; what is saved is the transfer and the client's work.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// Reads larger than this are sent without an ETag rather than held to be hashed.
const MAX_HASHED: usize = 16 * 1024 * 1024;

/// The middleware: on a successful GET, sets a strong `ETag`; answers 304 when the request's
/// `If-None-Match` names it (or is `*`).
pub async fn etag(req: Request, next: Next) -> Response {
    if req.method() != Method::GET {
        return next.run(req).await;
    }
    let wanted = req.headers().get(header::IF_NONE_MATCH).cloned();
    let res = next.run(req).await;
    if res.status() != StatusCode::OK {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_HASHED).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let tag = format!("\"{}\"", &hex::encode(Sha256::digest(&bytes))[..32]);
    let value = HeaderValue::from_str(&tag).expect("hex is a valid header value");
    if wanted.as_ref().and_then(|w| w.to_str().ok()).is_some_and(|w| matches(w, &tag)) {
        let mut not_modified = StatusCode::NOT_MODIFIED.into_response();
        not_modified.headers_mut().insert(header::ETAG, value);
        return not_modified;
    }
    parts.headers.insert(header::ETAG, value);
    Response::from_parts(parts, Body::from(bytes))
}

/// Whether an `If-None-Match` value (`"a", W/"b"` or `*`) names `tag`. Weak comparison, as
/// RFC 9110 asks for `If-None-Match`.
fn matches(header: &str, tag: &str) -> bool {
    header.split(',').map(str::trim).any(|t| t == "*" || t.trim_start_matches("W/") == tag)
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn if_none_match_lists_and_weak_tags() {
        let tag = "\"abc\"";
        assert!(matches("\"abc\"", tag));
        assert!(matches("\"x\", W/\"abc\"", tag));
        assert!(matches("*", tag));
        assert!(!matches("\"abcd\"", tag));
        assert!(!matches("abc", tag));
        assert!(!matches("", tag));
    }
}
