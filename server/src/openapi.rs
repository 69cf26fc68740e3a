//! The REST API's OpenAPI 3.1 document, generated from the handlers (`#[utoipa::path]`) and the
//! types they take and answer (`ToSchema`), served at `/api/v1/openapi.json`; and the reference
//! page at `/api/docs` (Swagger UI from npm's `swagger-ui-dist`, copied into the site by
//! `scripts/build-site.sh`: nothing comes from a CDN).
//!
//! Why utoipa with utoipa-axum: each endpoint's path and method are written once, in its
//! `#[utoipa::path]`, and `OpenApiRouter::routes` mounts the handler from the same attribute, so
//! a route cannot be served without being documented, nor documented at a path it is not served
//! at. The contract test (`server/tests/it/contract.rs`) runs schemathesis against the live
//! server with this document.

use app::state::AppState;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, DOCTYPE};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoResponses, Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;

/// The document's frame: what the API is, how to authenticate, and its tags. The paths come
/// from the routers merged in [`routes`].
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Bellwether API",
        version = "1",
        description = "What other systems send to Bellwether and read from it: product usage, \
            messages, accounts from a CRM, survey answers, ARR movements, alerts, escalations \
            and SLA settings, health scores and the retention metrics.\n\n\
            **Authentication.** Every endpoint takes an API key: `Authorization: Bearer bw_…`. \
            Admins create keys in Settings → API keys, each with the scopes it may use; an \
            endpoint names its scope. A key is limited in requests per minute (429 with \
            `Retry-After` beyond).\n\n\
            **Errors.** Every error answers `{\"error\": {\"status\", \"message\"}}`; a refused \
            field is named in `error.fields` (`{\"name\": \"is required\"}`). Batches check each \
            row on its own: the good rows are stored, and the answer lists each refused row by \
            `index` and `field` (422 when any was refused)."
    ),
    modifiers(&BearerKey, &Webhooks),
    tags(
        (name = "usage", description = "Product usage and messages, in batches"),
        (name = "accounts", description = "Accounts: read, and upserted from a CRM by `external_id`"),
        (name = "health", description = "Health scores"),
        (name = "plans", description = "Success plans: read them, and set task status"),
        (name = "surveys", description = "Survey answers collected elsewhere"),
        (name = "revenue", description = "ARR movements and the retention metrics"),
        (name = "alerts", description = "Early-warning alerts"),
        (name = "escalations", description = "Escalations, SLA calendars and policies, incidents"),
        (name = "Webhooks", description = "What Bellwether sends to the endpoints admins register \
            in Settings → Webhooks, signed as Standard Webhooks specifies"),
    ),
    components(schemas(ApiError, ErrorBody))
)]
pub struct ApiDoc;

/// The `webhooks` section: what Bellwether sends, per event type, and the payload schemas.
struct Webhooks;

impl Modify for Webhooks {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        doc.webhooks = Some(crate::webhook_schemas::webhooks());
        let components = doc.components.get_or_insert_with(Default::default);
        components.schemas.extend(crate::webhook_schemas::schemas());
    }
}

/// The bearer API key every endpoint takes (`security(("api_key" = ["scope"]))`).
struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("bw_…")
                    .description(Some(
                        "An API key made in Settings → API keys, carrying the endpoint's scope.",
                    ))
                    .build(),
            ),
        );
    }
}

/// Every error's body (see `AppError`'s `IntoResponse`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ApiError {
    error: ErrorBody,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ErrorBody {
    /// The HTTP status, repeated.
    status: u16,
    /// What went wrong, for a person to read.
    message: String,
    /// For a refused input: each refused field and why.
    fields: Option<std::collections::HashMap<String, String>>,
}

/// What any endpoint may answer before it looks at the request: no key, a key without the
/// scope, a key over its limit.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum KeyErrors {
    /// No API key, or one that is unknown or revoked.
    #[response(status = 401)]
    Unauthorized(#[to_schema] ApiError),
    /// The key lacks this endpoint's scope.
    #[response(status = 403)]
    Forbidden(#[to_schema] ApiError),
    /// The key is over its requests per minute; `Retry-After` says when to try again.
    #[response(status = 429)]
    TooManyRequests(#[to_schema] ApiError),
}

/// Nothing changed since the `ETag` sent in `If-None-Match`: no body.
#[derive(IntoResponses)]
#[response(status = 304)]
#[allow(dead_code)]
pub struct NotModified;

/// The request is not understood: the body is not JSON or not of the shape described (a batch:
/// neither an array of rows nor an object wrapping one), or a query parameter cannot be read.
#[derive(IntoResponses)]
#[response(status = 400)]
#[allow(dead_code)]
pub struct BadRequest(#[to_schema] ApiError);

/// The body is over the endpoint's size limit, or a batch has more rows than it takes.
#[derive(IntoResponses)]
#[response(status = 413)]
#[allow(dead_code)]
pub struct TooLarge(#[to_schema] ApiError);

/// A field or parameter was refused: `error.fields` names each one and says why.
#[derive(IntoResponses)]
#[response(status = 422)]
#[allow(dead_code)]
pub struct Unprocessable(#[to_schema] ApiError);

/// The REST API (every `/api/v1` endpoint), its document and the reference page.
pub fn routes(state: AppState) -> Router {
    let (router, doc) = api().split_for_parts();
    let json =
        axum::body::Bytes::from(doc.to_pretty_json().expect("the OpenAPI document serialises"));
    router
        .layer(axum::middleware::from_fn(crate::etag::etag))
        .with_state(state)
        .route("/api/v1/openapi.json", get(move || document(json.clone())))
        .route("/api/docs", get(reference_page))
}

/// Every REST endpoint, each with its part of the document.
fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(crate::rest::routes())
        .merge(crate::rest_alerts::routes())
        .merge(crate::rest_revenue::routes())
        .merge(crate::rest_escalations::routes())
        .merge(crate::rest_imports::routes())
        .merge(crate::rest_accounts::routes())
        .merge(crate::rest_engagement::routes())
        .merge(crate::rest_plans::routes())
}

/// The document as JSON, built once at start (each answer shares its bytes).
async fn document(json: axum::body::Bytes) -> Response {
    let mut res = json.into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

/// The reference page: Swagger UI reading the document. Its scripts and styles are the site's
/// own files (`/pkg/swagger-ui-bundle.js`, `/pkg/api-docs.js`), so the CSP allows only 'self'.
async fn reference_page() -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width,initial-scale=1";
                title { "Bellwether API reference" }
                link rel="stylesheet" href="/pkg/swagger-ui.css";
                link rel="stylesheet" href="/pkg/api-docs.css";
            }
            body {
                header.api-docs-bar {
                    a href="/" { "Bellwether" }
                    span { "API reference" }
                    a href="/api/v1/openapi.json" { "openapi.json" }
                    a href="/settings/api-keys" { "API keys" }
                }
                div #docs {
                    noscript {
                        p { "This page needs JavaScript. The document itself is at "
                            a href="/api/v1/openapi.json" { "/api/v1/openapi.json" } "." }
                    }
                }
                script src="/pkg/swagger-ui-bundle.js" {}
                script src="/pkg/api-docs.js" {}
            }
        }
    };
    let mut res = markup.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data:; connect-src 'self'; font-src 'self' data:; \
             base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every endpoint is in the document, with its scope; this list is the README's.
    #[test]
    fn the_document_describes_every_endpoint_with_its_scope() {
        let (_, doc) = api().split_for_parts();
        let v = serde_json::to_value(&doc).unwrap();
        assert_eq!(v["openapi"], "3.1.0");
        let expected = [
            ("post", "/api/v1/events", "events:write"),
            ("post", "/api/v1/messages", "messages:write"),
            ("get", "/api/v1/accounts/{id}/health", "health:read"),
            ("post", "/api/v1/accounts", "accounts:write"),
            ("post", "/api/v1/survey-responses", "surveys:write"),
            ("post", "/api/v1/arr-movements", "revenue:write"),
            ("get", "/api/v1/metrics", "metrics:read"),
            ("get", "/api/v1/alerts", "alerts:read"),
            ("post", "/api/v1/alerts/{id}/events", "alerts:write"),
            ("post", "/api/v1/calendars", "settings:write"),
            ("put", "/api/v1/calendars/{id}", "settings:write"),
            ("post", "/api/v1/sla-policies", "settings:write"),
            ("put", "/api/v1/sla-policies/{id}", "settings:write"),
            ("post", "/api/v1/escalations", "escalations:write"),
            ("get", "/api/v1/escalations", "escalations:read"),
            ("get", "/api/v1/escalations/{id}", "escalations:read"),
            ("post", "/api/v1/escalations/{id}/events", "escalations:write"),
            ("post", "/api/v1/incidents", "incidents:write"),
            ("get", "/api/v1/accounts", "accounts:read"),
            ("get", "/api/v1/accounts/{id}", "accounts:read"),
            ("get", "/api/v1/accounts/{id}/health/history", "health:read"),
            ("put", "/api/v1/accounts/{id}/contacts", "accounts:write"),
            ("post", "/api/v1/touchpoints", "touchpoints:write"),
            ("put", "/api/v1/accounts/{id}/team", "accounts:write"),
            ("get", "/api/v1/accounts/{id}/plans", "plans:read"),
            ("get", "/api/v1/plans/{id}", "plans:read"),
            ("get", "/api/v1/survey-responses", "surveys:read"),
            ("put", "/api/v1/plans/{id}/tasks/{task_id}/status", "plans:write"),
        ];
        let paths = v["paths"].as_object().unwrap();
        let count: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
        assert_eq!(count, expected.len(), "documented: {:?}", paths.keys().collect::<Vec<_>>());
        let hooks = v["webhooks"].as_object().unwrap();
        assert_eq!(hooks.len(), app::model::webhook::WebhookEvent::ALL.len());
        let breach = &hooks["escalation.sla_breached"]["post"];
        let body = &breach["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(body["properties"]["data"]["$ref"], "#/components/schemas/EscalationData");
        assert!(v["components"]["schemas"]["EscalationData"].is_object());
        for (method, path, scope) in expected {
            let op = &v["paths"][path][method];
            assert!(op.is_object(), "{method} {path} is not documented");
            assert_eq!(op["security"][0]["api_key"][0], scope, "{method} {path}");
            for status in ["401", "403", "429"] {
                assert!(op["responses"][status].is_object(), "{method} {path} lacks {status}");
            }
        }
    }
}
