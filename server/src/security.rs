//! Security middleware: response headers, and refusal of cross-site writes.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Headers on every response. The CSP is set per page by the app (it carries the script nonce);
/// responses without one (JSON, files) get a strict default. A page that set its own referrer
/// policy (the public pages' `no-referrer`: their URLs are credentials) keeps it. Everything but
/// the built assets under `/pkg/` (`no-cache`: kept, revalidated; route packs, whose names carry
/// their content's hash, immutable) is `no-store` unless it says otherwise: signed-in pages and
/// JSON must not stay in shared or back-button caches. With Secure cookies (HTTPS), HSTS.
pub async fn headers(State(secure): State<bool>, req: Request, next: Next) -> Response {
    let cacheable = req.uri().path().starts_with("/pkg/");
    let immutable = cacheable && req.uri().path().ends_with(".pack");
    let mut res = next.run(req).await;
    // Not a missing pack's 404: that must not be kept for a year.
    let immutable = immutable && res.status().is_success();
    let h = res.headers_mut();
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    if !h.contains_key(header::REFERRER_POLICY) {
        h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        // The entry files' names carry no hash (the hydration script asks for pkg/bellwether.*),
        // so a browser may keep them but must revalidate (a 304 costs one round trip): a stale
        // WASM against a newer server would fail to hydrate. A route's pack is named after its
        // content (scripts/pack-routes.mjs): a new build names a new file, so it never goes stale.
        let policy = match (cacheable, immutable) {
            (true, true) => "public, max-age=31536000, immutable",
            (true, false) => "no-cache",
            _ => "no-store",
        };
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    if cacheable && !h.contains_key(header::VARY) {
        // Served brotli, gzip or plain by Accept-Encoding (precompressed files): a shared
        // cache must not hand one encoding to a browser that asked for another.
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if secure {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
            ),
        );
    }
    res
}

/// Session cookies are SameSite=Lax, which already keeps other sites' POSTs from carrying them;
/// this is the second lock: a state-changing request whose `Origin` (or `Sec-Fetch-Site`) says
/// it comes from another site is refused before it reaches any handler.
pub async fn same_origin_writes(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return refuse();
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
        let origin_host = origin.split("://").nth(1).unwrap_or("");
        if origin != "null" && origin_host != host {
            return refuse();
        }
    }
    next.run(req).await
}

fn refuse() -> Response {
    let body = serde_json::json!({ "Forbidden": "cross-site request refused" }).to_string();
    let mut res = (StatusCode::FORBIDDEN, Body::from(body)).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

/// Server functions answer every failure with the JSON of an `AppError`. Ours set the matching
/// status themselves; failures raised by the framework before our code runs (a form that does
/// not deserialise) arrive as 500. This maps those to the status the error itself names, so a
/// malformed request is a 4xx like every other bad input.
pub async fn error_status(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !is_api || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    if let Ok(err) = serde_json::from_slice::<app::error::AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}
