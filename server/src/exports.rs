//! Downloads that are plain HTTP GETs (a link the browser saves), behind the same permission
//! check as every server function.

use app::csv_export::SafeCsv;
use app::error::AppError;
use app::model::dashboard::{DashboardFilter, Drill, ExecDashboard, Unit};
use app::model::Permission;
use app::service::session;
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

/// `GET /surveys/{id}/responses.csv`: every response, one row each, extra questions as columns.
pub async fn survey_responses(
    State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap,
) -> Result<Response, AppError> {
    session::authorise(&state, &headers, Permission::View).await?;
    let survey = app::store::surveys::get(&state.db, &id).await?;
    let csv = app::store::responses::export_csv(&state.db, &survey).await?;
    let file: String =
        survey.name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    Ok(csv_download(csv, &format!("{file}-responses.csv")))
}

/// The dashboard's filter from a download's query (the same keys as the page's address).
fn filter_of(params: &[(String, String)]) -> DashboardFilter {
    let get = |k: &str| {
        params
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    DashboardFilter {
        period: get("period"),
        from: get("from"),
        to: get("to"),
        segment: get("segment"),
        owner: get("owner"),
        currency: get("currency"),
    }
}

/// A CSV answer saved as `file`.
fn csv_download(csv: String, file: &str) -> Response {
    let mut res = csv.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// Minor units as a decimal amount ("1234.50"); amounts here are never negative.
fn major(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, (minor % 100).abs())
}

fn num(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.4}")).unwrap_or_default()
}

/// The dashboard's figures as one long table (section, item, period, value, previous, unit,
/// detail), so a spreadsheet or BI tool can filter it by section. Ratios are fractions, money
/// is in the major unit of `currency`.
pub fn dashboard_rows(d: &ExecDashboard) -> Result<String, AppError> {
    let mut w = SafeCsv::new();
    let p = &d.periods;
    let period = format!("{}..{}", p.from, p.to);
    w.row(["section", "item", "period", "value", "previous", "unit", "detail"])?;
    w.row([
        "scope",
        d.scope.as_str(),
        &period,
        "",
        &format!("{}..{}", p.prev_from, p.prev_to),
        &d.currency,
        p.kind.label(),
    ])?;
    for t in &d.tiles {
        let unit = match t.unit {
            Unit::Ratio => "ratio".to_string(),
            Unit::Money => d.currency.clone(),
            Unit::Score => "score".to_string(),
            Unit::Days => "days".to_string(),
        };
        let (now, before) = match t.unit {
            Unit::Money => {
                (t.now.map(|v| major(v.round() as i64)), t.before.map(|v| major(v.round() as i64)))
            }
            _ => (Some(num(t.now)), Some(num(t.before))),
        };
        let detail = t.reason.clone().unwrap_or_else(|| t.formula.clone());
        w.row([
            "kpi",
            t.key.as_str(),
            &period,
            &now.unwrap_or_default(),
            &before.unwrap_or_default(),
            &unit,
            &detail,
        ])?;
    }
    let wf = &d.waterfall;
    for (item, v) in [
        ("start", wf.start),
        ("new", wf.new),
        ("expansion", wf.expansion),
        ("contraction", wf.contraction),
        ("churn", wf.churn),
        ("reactivation", wf.reactivation),
        ("end", wf.end),
    ] {
        w.row(["waterfall", item, &period, &major(v), "", &d.currency, ""])?;
    }
    for m in &d.monthly {
        let month = m.month.format("%Y-%m").to_string();
        let cohort = format!("cohort of {}", m.cohort);
        w.row(["retention_by_month", "nrr", &month, &num(m.nrr), "", "ratio", &cohort])?;
        w.row(["retention_by_month", "grr", &month, &num(m.grr), "", "ratio", &cohort])?;
    }
    for c in &d.cohorts {
        for (q, cell) in c.cells.iter().enumerate() {
            if let Some((arr, logos)) = cell {
                let detail = format!(
                    "{} logos, starting ARR {} {}; logos retained {logos:.4}",
                    c.logos,
                    major(c.start_arr),
                    d.currency
                );
                w.row([
                    "cohort",
                    c.label.as_str(),
                    &format!("Q+{q}"),
                    &format!("{arr:.4}"),
                    "",
                    "ratio",
                    &detail,
                ])?;
            }
        }
    }
    for b in &d.health {
        let band = b.band.map(|b| b.key()).unwrap_or("not_scored");
        w.row([
            "health",
            band,
            "today",
            &major(b.arr),
            "",
            &d.currency,
            &format!("{} accounts", b.accounts),
        ])?;
    }
    for n in &d.nps {
        let month = n.month.format("%Y-%m").to_string();
        w.row([
            "nps_by_month",
            "nps",
            &month,
            &num(n.nps),
            "",
            "score",
            &format!("{} answers", n.responses),
        ])?;
    }
    w.finish()
}

/// `GET /exports/dashboard.csv?period=…&from=…&segment=…`: the figures of the dashboard view
/// with the same query, for whoever may open the dashboard.
pub async fn dashboard_csv(
    State(state): State<AppState>, Query(params): Query<Vec<(String, String)>>, headers: HeaderMap,
) -> Result<Response, AppError> {
    let caller = session::authorise(&state, &headers, Permission::View).await?;
    let filter = filter_of(&params);
    let d = app::service::dashboard::dashboard(&state, &caller.me, &filter).await?;
    let csv = dashboard_rows(&d)?;
    Ok(csv_download(csv, &format!("dashboard-{}-{}.csv", d.periods.from, d.periods.to)))
}

/// `GET /exports/dashboard-drill.csv?<the dashboard's query>&drill=expanded`: the accounts
/// behind one tile.
pub async fn dashboard_drill_csv(
    State(state): State<AppState>, Query(params): Query<Vec<(String, String)>>, headers: HeaderMap,
) -> Result<Response, AppError> {
    let caller = session::authorise(&state, &headers, Permission::View).await?;
    let filter = filter_of(&params);
    let key = params.iter().find(|(k, _)| k == "drill").map(|(_, v)| v.trim()).unwrap_or("");
    let drill = Drill::parse(key).ok_or_else(|| {
        let keys: Vec<&str> = Drill::ALL.iter().map(|d| d.key()).collect();
        AppError::field("drill", format!("must be one of {}", keys.join(", ")))
    })?;
    let d = app::service::dashboard::drill(&state, &caller.me, &filter, drill).await?;
    let mut w = SafeCsv::new();
    w.row(["account_id", "account", "owner", "arr_before", "arr_after", "currency", "note"])?;
    for r in &d.rows {
        w.row([
            r.account.to_string(),
            r.name.clone(),
            r.owner_name.clone().unwrap_or_default(),
            major(r.arr_before),
            major(r.arr_after),
            d.currency.clone(),
            r.note.clone().unwrap_or_default(),
        ])?;
    }
    Ok(csv_download(w.finish()?, &format!("dashboard-{}.csv", drill.key())))
}
