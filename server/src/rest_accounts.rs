//! Reading accounts through the REST API: what a CRM sync or a data warehouse pulls.
//!
//! - `GET /api/v1/accounts` (scope `accounts:read`): filters `tier`, `stage`, `band`
//!   (comma-separated or repeated), `owner` (a user id, or `none`), `industry`,
//!   `renewal_before` (YYYY-MM-DD); `cursor`, `limit` (1–200, default 50). Ordered by id, so a
//!   cursor (the last id of a page) stays right while accounts are added: keyset pagination,
//!   never an offset.
//! - `GET /api/v1/accounts/{id}` (`accounts:read`): the account with its contacts and team.
//! - `PUT /api/v1/accounts/{id}/contacts` (`accounts:write`): a contact upserted by email.
//! - `PUT /api/v1/accounts/{id}/team` (`accounts:write`): a staff member on the account's team in
//!   a role, once.
//! - `GET /api/v1/accounts/{id}/health/history` (`health:read`): daily scores from `since`
//!   (default 90 days back, at most 3 years).
//!
//! Every read answers with an `ETag`; `If-None-Match` gets a 304 (`crate::etag`).

use crate::openapi::{ApiError, BadRequest, KeyErrors, NotModified, TooLarge, Unprocessable};
use crate::rest::{is_key, json_body, key_or_404, AccountsWrite, ApiKey, HealthRead};
use crate::scope;
use app::error::AppError;
use app::model::health::Snapshot;
use app::model::portfolio::{AccountRow, PortfolioFilter};
use app::model::segment::BandChoice;
use app::model::usage::AccountRef;
use app::model::{
    AccountDetail, Contact, ContactInput, Keyed, SizeTier, Stage, TeamMember, TeamRole,
};
use app::state::AppState;
use app::{service, store};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

scope!(AccountsRead, AccountsRead, "`accounts:read`: read accounts, contacts and team.");

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(one))
        .routes(routes!(history))
        .routes(routes!(upsert_contact))
        .routes(routes!(put_team_member))
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
}

/// A page of accounts, ordered by id.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = AccountPage)]
struct Page {
    accounts: Vec<AccountRow>,
    /// Pass as `cursor` for the next page; `null` on the last.
    next_cursor: Option<String>,
}

/// A query's parameters as sent (repeated ones joined), for the checks below.
/// A request's query parameters, read one by one with their checks (shared by the list reads).
pub(crate) struct Params(pub(crate) Vec<(String, String)>);

impl Params {
    pub(crate) fn one(&self, name: &str, max: usize) -> Result<Option<String>, AppError> {
        let mut found = self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim());
        match found.next() {
            None => Ok(None),
            Some(v) if v.chars().count() > max => {
                Err(AppError::field(name, format!("at most {max} characters")))
            }
            Some(v) => Ok(Some(v.to_string())),
        }
    }

    /// A closed-set parameter: each value must be one of `T`'s keys (sent empty, it is none).
    fn keys<T: Keyed>(&self, name: &str) -> Result<Vec<T>, AppError> {
        if self.0.iter().any(|(k, v)| k == name && v.trim().is_empty()) {
            let all: Vec<&str> = T::all().iter().map(|t| t.key()).collect();
            return Err(AppError::field(name, format!("use one of {}", all.join(", "))));
        }
        crate::rest_alerts::keys(&self.0, name)
    }

    /// `limit`: 1–200, 50 when absent. Present but empty is refused, as any other non-number.
    pub(crate) fn limit(&self) -> Result<usize, AppError> {
        match self.one("limit", 10)? {
            None => Ok(50),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (1..=200).contains(&n) => Ok(n),
                _ => Err(AppError::field("limit", "give a whole number from 1 to 200")),
            },
        }
    }

    fn date(&self, name: &str) -> Result<Option<NaiveDate>, AppError> {
        match self.one(name, 10)? {
            None => Ok(None),
            Some(v) => app::model::dates::parse_iso(&v)
                .map(Some)
                .ok_or_else(|| AppError::field(name, "give a date as YYYY-MM-DD")),
        }
    }
}

/// The one value a single-valued closed-set parameter may have.
fn single<T: Keyed + Copy>(values: Vec<T>, name: &str) -> Result<Option<T>, AppError> {
    match values.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        _ => Err(AppError::field(name, "give one value")),
    }
}

/// List accounts.
///
/// Ordered by id; `next_cursor` continues after the last one (keyset pagination: an account
/// added meanwhile neither repeats nor shifts a page). An unknown filter value is a 422 naming
/// the parameter.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts",
    security(("api_key" = ["accounts:read"])),
    params(
        ("tier" = Option<SizeTier>, Query, description = "`enterprise`, `mid_market` or `smb`"),
        ("stage" = Option<Stage>, Query, description = "The lifecycle stage"),
        ("band" = Option<String>, Query,
            description = "Health bands, comma-separated: `red`, `yellow`, `green`, `unscored`"),
        ("owner" = Option<String>, Query, description = "A user's id, or `none` for no owner"),
        ("industry" = Option<String>, Query, description = "Exactly this industry"),
        ("renewal_before" = Option<NaiveDate>, Query, description = "Renewing on or before"),
        ("external_id" = Option<String>, Query,
            description = "The account your CRM knows by this id (a page of one, or empty)"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the page before"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200,
            description = "Accounts per page (default 50)"),
    ),
    responses(
        (status = 200, description = "A page of accounts", body = Page),
        NotModified, KeyErrors, BadRequest, Unprocessable))]
async fn list(
    State(state): State<AppState>, _key: ApiKey<AccountsRead>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<Page>, AppError> {
    let p = Params(params);
    let filter = PortfolioFilter {
        tier: single(p.keys::<SizeTier>("tier")?, "tier")?,
        stage: single(p.keys::<Stage>("stage")?, "stage")?,
        band: p.keys::<BandChoice>("band")?.into_iter().collect(),
        owner: p.one("owner", 64)?,
        industry: p.one("industry", 100)?,
        renewal_before: p.date("renewal_before")?,
        ..PortfolioFilter::default()
    };
    let (limit, cursor) = (p.limit()?, p.one("cursor", 100)?);
    // A CRM knows its own ids: `external_id` finds Bellwether's.
    let only = match p.one("external_id", 200)? {
        None => None,
        Some(ext) => {
            let r = AccountRef::External(ext);
            let found = service::portfolio::resolve(&state.db, &state.portfolio, [&r]).await?;
            Some(found.get(&r).cloned().flatten().unwrap_or_default())
        }
    };
    let mut rows = service::portfolio::rows(&state.portfolio, &filter).await?;
    rows.retain(|r| only.as_deref().is_none_or(|id| r.id == id));
    rows.retain(|r| cursor.as_deref().is_none_or(|c| r.id.as_str() > c));
    rows.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    let next_cursor = (rows.len() > limit).then(|| rows[limit - 1].id.clone());
    rows.truncate(limit);
    Ok(Json(Page { accounts: rows, next_cursor }))
}

/// Read an account, with its contacts and team.
#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts",
    security(("api_key" = ["accounts:read"])),
    params(("id" = String, Path, description = "Bellwether's id of the account")),
    responses(
        (status = 200, description = "The account", body = AccountDetail),
        NotModified,
        (status = 404, description = "No such account", body = ApiError),
        KeyErrors))]
async fn one(
    State(state): State<AppState>, _key: ApiKey<AccountsRead>, Path(id): Path<String>,
) -> Result<Json<AccountDetail>, AppError> {
    key_or_404(&id, "account")?;
    Ok(Json(store::accounts::detail(&state.db, &id).await?))
}

/// How far back a history may reach.
const HISTORY_DAYS_MAX: i64 = 3 * 366;

/// Read an account's daily health scores.
///
/// One score per day from `since` (default 90 days back, at most three years), oldest first,
/// each with its measures' contributions. An unknown account has no scores: an empty list.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/health/history", tag = "health",
    security(("api_key" = ["health:read"])),
    params(
        ("id" = String, Path, description = "Bellwether's id of the account"),
        ("since" = Option<NaiveDate>, Query, description = "The first day (default 90 days ago)"),
    ),
    responses(
        (status = 200, description = "Daily scores, oldest first", body = Vec<Snapshot>),
        NotModified, KeyErrors, BadRequest, Unprocessable))]
async fn history(
    State(state): State<AppState>, _key: ApiKey<HealthRead>, Path(id): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<Vec<Snapshot>>, AppError> {
    let today = chrono::Utc::now().date_naive();
    let since = Params(params).date("since")?.unwrap_or(today - chrono::Duration::days(90));
    if since < today - chrono::Duration::days(HISTORY_DAYS_MAX) {
        return Err(AppError::field("since", "at most three years back"));
    }
    if !is_key(&id) {
        return Ok(Json(Vec::new()));
    }
    Ok(Json(store::health::history(&state.db, &id, since).await?))
}

/// A contact as a CRM sends it: within an account, the email is its key.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"email": "dana@acme.example", "name": "Dana Lee", "title": "VP Operations",
    "champion": true}))]
struct ContactUpsert {
    /// The contact's key within the account (compared in lower case).
    email: String,
    name: String,
    title: Option<String>,
    /// Whether they champion the product inside the customer (false when left out).
    #[serde(default)]
    champion: bool,
}

/// Create or update a contact, by email.
///
/// The account's contact with this email is updated, or created if it has none. Each field is
/// checked as on the account page; a refused one is a 422 naming it, and nothing is written.
#[utoipa::path(put, path = "/api/v1/accounts/{id}/contacts", tag = "accounts",
    security(("api_key" = ["accounts:write"])),
    params(("id" = String, Path, description = "Bellwether's id of the account")),
    request_body = ContactUpsert,
    responses(
        (status = 200, description = "Updated", body = Contact),
        (status = 201, description = "Created", body = Contact),
        (status = 404, description = "No such account", body = ApiError),
        KeyErrors, BadRequest, TooLarge, Unprocessable))]
async fn upsert_contact(
    State(state): State<AppState>, _key: ApiKey<AccountsWrite>, Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Contact>), AppError> {
    key_or_404(&id, "account")?;
    let input: ContactUpsert =
        json_body(&body, r#"{"email": "dana@acme.example", "name": "Dana Lee"}"#)?;
    let valid = ContactInput {
        name: input.name,
        email: input.email,
        title: input.title.unwrap_or_default(),
        champion: input.champion.then(|| "true".to_string()),
    }
    .validate()?;
    let (contact, created) = store::accounts::upsert_contact(&state.db, &id, &valid).await?;
    state.account_activity(contact.account_id.as_str());
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(contact)))
}

/// A seat on the account's team, as a CRM's account team sends it.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"user_email": "ada@yourcompany.example", "role": "csm"}))]
struct TeamSeat {
    /// An active Bellwether user.
    user_email: String,
    #[schema(value_type = TeamRole)]
    role: String,
}

/// Put a staff member on the account's team.
///
/// Once per user and role: sending it again answers 200 with the seat already there.
#[utoipa::path(put, path = "/api/v1/accounts/{id}/team", tag = "accounts",
    security(("api_key" = ["accounts:write"])),
    params(("id" = String, Path, description = "Bellwether's id of the account")),
    request_body = TeamSeat,
    responses(
        (status = 201, description = "Added", body = TeamMember),
        (status = 200, description = "Already on the team in that role", body = TeamMember),
        (status = 404, description = "No such account", body = ApiError),
        KeyErrors, BadRequest, TooLarge, Unprocessable))]
async fn put_team_member(
    State(state): State<AppState>, _key: ApiKey<AccountsWrite>, Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<TeamMember>), AppError> {
    key_or_404(&id, "account")?;
    let seat: TeamSeat =
        json_body(&body, r#"{"user_email": "ada@yourcompany.example", "role": "csm"}"#)?;
    let role = TeamRole::parse(seat.role.trim())
        .ok_or_else(|| AppError::field("role", format!("must be one of {}", keys::<TeamRole>())))?;
    let email = seat.user_email.trim();
    if email.is_empty() || email.chars().count() > 320 {
        return Err(AppError::field("user_email", "give the email of a Bellwether user"));
    }
    let (member, added) = store::accounts::ensure_team_member(&state.db, &id, email, role).await?;
    let status = if added { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(member)))
}

/// A closed set's keys, for a message: `csm, account_manager, …`.
fn keys<T: Keyed>() -> String {
    T::all().iter().map(|t| t.key()).collect::<Vec<_>>().join(", ")
}
