//! The executive dashboard and `GET /api/v1/metrics`: which accounts a view covers (segment,
//! owner, currency), their ledger from memory (`store::revenue::ledger`), and every figure
//! computed by the one metric layer (`metrics::revenue`, `metrics::revenue_series`,
//! `metrics::survey`). Nothing here computes a ratio itself.
//!
//! Scope: a saved segment and an owner select accounts by what they are now (a segment of
//! "enterprise accounts" covers today's enterprise accounts over the whole period), like every
//! segment view. Figures are per currency: ledgers in different currencies are never added.

use crate::error::AppError;
use crate::metrics::revenue::{self as rev, Figure, Retention};
use crate::metrics::revenue_series;
use crate::metrics::survey as sm;
use crate::model::dashboard::*;

use crate::model::fx::ALL_CURRENCIES;
use crate::model::health::Band;
use crate::model::money::format_compact;
use crate::model::revenue::Movement;
use crate::model::{AccountRow, Me, PortfolioFilter, Role, Stage, SurveyKind};
use crate::state::AppState;
use crate::store;
use chrono::{Datelike, Months, NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Gross margin when an admin has not set one (CLV).
pub const DEFAULT_GROSS_MARGIN: f64 = 0.8;

/// The accounts a view covers, in one currency.
pub struct Scope {
    pub rows: Vec<AccountRow>,
    pub ids: HashSet<String>,
    pub currency: String,
    pub currencies: Vec<String>,
    pub label: String,
    pub own_book: bool,
    /// For a combined view: each account's conversion rate into `currency`, and the label.
    pub rates: Option<HashMap<String, f64>>,
    pub converted: Option<String>,
}

fn field(e: (String, String)) -> AppError {
    AppError::field(&e.0, e.1)
}

/// Resolves segment, owner and currency to the accounts in scope; a combined view
/// (`currency=ALL`) converts at the rates in effect on `as_of` (the period's end).
pub async fn scope(
    state: &AppState, me: Option<&Me>, f: &DashboardFilter, as_of: NaiveDate,
) -> Result<Scope, AppError> {
    let mut pf = PortfolioFilter::default();
    let mut label = Vec::new();
    let segment = f.segment.trim();
    if !segment.is_empty() {
        let all = store::segments::list(&state.db).await?;
        let s = all
            .into_iter()
            .find(|s| s.id == segment)
            .ok_or_else(|| AppError::field("segment", "no saved segment has this id"))?;
        label.push(format!("Segment “{}”", s.name));
        pf = s.filter;
    }
    let owner = f.owner.trim();
    let (owner, own_book) = match (owner, me) {
        ("", Some(me)) if me.role == Role::Csm => (Some(me.id.to_string()), true),
        ("" | "all", _) => (None, false),
        (o, _) => (Some(o.to_string()), me.is_some_and(|m| *m.id == *o)),
    };
    let mut empty = false;
    if let Some(o) = &owner {
        if o.len() > 64 {
            return Err(AppError::field("owner", "is not a user id"));
        }
        let user = store::users::get(&state.db, o)
            .await
            .map_err(|_| AppError::field("owner", "no user has this id"))?;
        label.push(if own_book {
            "Your book".to_string()
        } else {
            format!("{}’s book", user.name)
        });
        match &pf.owner {
            Some(existing) if existing != o => empty = true,
            _ => pf.owner = Some(o.clone()),
        }
    } else {
        label.push("Whole company".into());
    }
    let rows = if empty { vec![] } else { super::portfolio::rows(&state.portfolio, &pf).await? };
    let mut by_currency: BTreeMap<&str, i64> = BTreeMap::new();
    for r in &rows {
        *by_currency.entry(r.currency.as_str()).or_default() += r.arr_minor;
    }
    let mut currencies: Vec<(&str, i64)> = by_currency.into_iter().collect();
    currencies.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let currencies: Vec<String> = currencies.into_iter().map(|(c, _)| c.to_string()).collect();
    let wanted = f.currency.trim().to_uppercase();
    if wanted == ALL_CURRENCIES {
        return combined(state, rows, currencies, label, own_book, as_of).await;
    }
    let currency = if wanted.is_empty() {
        currencies.first().cloned().unwrap_or_else(|| "USD".into())
    } else if crate::model::CURRENCIES.contains(&wanted.as_str()) {
        wanted
    } else {
        return Err(AppError::field(
            "currency",
            format!("must be one of {}", crate::model::CURRENCIES.join(", ")),
        ));
    };
    let rows: Vec<AccountRow> = rows.into_iter().filter(|r| r.currency == currency).collect();
    let ids = rows.iter().map(|r| r.id.clone()).collect();
    let mut currencies = currencies;
    if currencies.len() > 1
        && store::settings::revenue(&state.db).await?.is_some_and(|s| s.fx.is_some())
    {
        currencies.push(ALL_CURRENCIES.into());
    }
    Ok(Scope {
        rows,
        ids,
        currency,
        currencies,
        label: label.join(" · "),
        own_book,
        rates: None,
        converted: None,
    })
}

/// Every account in scope, its amounts converted into the reporting currency — only when the
/// admin has set a rate for each currency in scope (see `model::fx`).
async fn combined(
    state: &AppState, mut rows: Vec<AccountRow>, currencies: Vec<String>, label: Vec<String>,
    own_book: bool, as_of: NaiveDate,
) -> Result<Scope, AppError> {
    let fx = store::settings::revenue(&state.db).await?.and_then(|s| s.fx).ok_or_else(|| {
        AppError::field(
            "currency",
            "set conversion rates in Settings → Revenue to combine currencies",
        )
    })?;
    let mut used = Vec::new();
    for c in &currencies {
        let rate = fx.rate(c, as_of).ok_or_else(|| {
            AppError::field(
                "currency",
                format!("no conversion rate for {c} on or before {as_of} (Settings → Revenue)"),
            )
        })?;
        if *c != fx.reporting {
            used.push(format!("{c} {rate}"));
        }
    }
    let mut rates = HashMap::with_capacity(rows.len());
    for r in &mut rows {
        let rate = fx.rate(&r.currency, as_of).unwrap_or(1.0);
        r.arr_minor = (r.arr_minor as f64 * rate).round() as i64;
        rates.insert(r.id.clone(), rate);
    }
    let converted = format!(
        "Converted to {} at the rates in effect on {as_of}{}",
        fx.reporting,
        if used.is_empty() { String::new() } else { format!(" ({})", used.join(", ")) }
    );
    let mut all = vec![ALL_CURRENCIES.to_string()];
    all.extend(currencies);
    Ok(Scope {
        ids: rows.iter().map(|r| r.id.clone()).collect(),
        rows,
        currency: fx.reporting.clone(),
        currencies: all,
        label: label.join(" · "),
        own_book,
        rates: Some(rates),
        converted: Some(converted),
    })
}

/// The movements of the accounts in scope, from the in-memory ledger (waiting for its first
/// load, as the portfolio does).
pub async fn movements(state: &AppState, s: &Scope) -> Result<Vec<Movement>, AppError> {
    for _ in 0..200 {
        if state.revenue.is_ready() {
            let mut ms = state.revenue.movements(Some(&s.ids));
            if let Some(rates) = &s.rates {
                for m in &mut ms {
                    let rate = rates.get(&m.account).copied().unwrap_or(1.0);
                    m.arr_before = (m.arr_before as f64 * rate).round() as i64;
                    m.arr_after = (m.arr_after as f64 * rate).round() as i64;
                }
            }
            return Ok(ms);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Err(AppError::Internal("the revenue ledger is still loading".into()))
}

/// Survey answers (account, kind, score, day, comment) of the accounts in scope since `since`.
pub type Answer = store::responses::answers::Answer;

/// The answers of `ids` since `since`: from memory once loaded, from SurrealDB before.
async fn answers(
    state: &AppState, since: NaiveDate, ids: &HashSet<String>,
) -> Result<Vec<Answer>, AppError> {
    match state.revenue.answers(since, ids) {
        Some(a) => Ok(a),
        None => store::responses::answers::answers(&state.db, since, ids).await,
    }
}

fn dist(answers: &[&Answer], kind: SurveyKind) -> Vec<(i64, u64)> {
    let mut d: BTreeMap<i64, u64> = BTreeMap::new();
    for a in answers.iter().filter(|a| a.kind == kind) {
        *d.entry(a.score).or_default() += 1;
    }
    d.into_iter().collect()
}

fn in_period(answers: &[Answer], from: NaiveDate, to: NaiveDate) -> Vec<&Answer> {
    answers.iter().filter(|a| a.on >= from && a.on <= to).collect()
}

fn pct(f: &Figure) -> String {
    match f {
        Figure::Value(v) => format!("{:.1} %", v * 100.0),
        Figure::NotMeaningful(_) => "—".into(),
    }
}

fn reason(f: &Figure) -> Option<String> {
    match f {
        Figure::NotMeaningful(r) => Some(format!("Not meaningful: {r}")),
        Figure::Value(_) => None,
    }
}

/// Gross margin for CLV (an admin setting; 80 % until set).
pub async fn gross_margin(state: &AppState) -> Result<f64, AppError> {
    Ok(store::settings::revenue(&state.db)
        .await?
        .map(|r| r.gross_margin)
        .unwrap_or(DEFAULT_GROSS_MARGIN))
}

struct Computed {
    /// The dashboard's series (empty for the metrics API, which does not show them).
    monthly: Vec<MonthRetention>,
    cohorts: Vec<CohortRow>,
    now: Retention,
    prev: Retention,
    wf: rev::Waterfall,
    wf_prev: rev::Waterfall,
    clv: rev::Clv,
    clv_prev: rev::Clv,
}

/// Every figure of a view, off the async workers (100 000 accounts take ~0.2 s of CPU) and
/// split over two threads: CLV (two trailing years) and the cohorts on one, the rest on the
/// other.
async fn compute(
    ms: Vec<Movement>, p: Periods, gm: f64, today: Option<NaiveDate>,
) -> Result<Computed, AppError> {
    tokio::task::spawn_blocking(move || {
        std::thread::scope(|scope| {
            let side = scope.spawn(|| {
                let cohorts = today.map(|t| revenue_series::cohorts(&ms, t, 8)).unwrap_or_default();
                (rev::clv(&ms, p.to, gm), rev::clv(&ms, p.prev_to, gm), cohorts)
            });
            let now = rev::retention(&ms, p.from, p.to);
            let prev = rev::retention(&ms, p.prev_from, p.prev_to);
            let wf = rev::waterfall(&ms, p.from, p.to);
            let wf_prev = rev::waterfall(&ms, p.prev_from, p.prev_to);
            let monthly = today.map(|t| revenue_series::monthly(&ms, t, 24)).unwrap_or_default();
            let (clv, clv_prev, cohorts) = side.join().expect("the metric thread does not panic");
            Computed { monthly, cohorts, now, prev, wf, wf_prev, clv, clv_prev }
        })
    })
    .await
    .map_err(|e| AppError::Internal(format!("computing the dashboard failed: {e}")))
}

/// Red or yellow accounts (not churned) renewing within 90 days of `today`.
fn at_risk(rows: &[AccountRow], today: NaiveDate) -> Vec<&AccountRow> {
    let until = today + chrono::Duration::days(90);
    rows.iter()
        .filter(|r| {
            r.stage != Stage::Churned && matches!(r.health_band, Some(Band::Red | Band::Yellow))
        })
        .filter(|r| r.renewal_date >= today && r.renewal_date <= until)
        .collect()
}

/// The dashboard for `me`: the cached view unless something it shows changed since
/// (`service::dashboard_cache`).
pub async fn dashboard(
    state: &AppState, me: &Me, f: &DashboardFilter,
) -> Result<ExecDashboard, AppError> {
    let today = Utc::now().date_naive();
    let view =
        state.dashboards.get(f, &me.id, today, || compute_dashboard(state, me, f, today)).await?;
    Ok((*view).clone())
}

/// The dashboard computed now (see [`dashboard`]).
pub async fn compute_dashboard(
    state: &AppState, me: &Me, f: &DashboardFilter, today: NaiveDate,
) -> Result<ExecDashboard, AppError> {
    let p = f.periods(today).map_err(field)?;
    let s = scope(state, Some(me), f, p.to).await?;
    let ms = movements(state, &s).await?;
    let gm = gross_margin(state).await?;
    let c = compute(ms, p, gm, Some(today)).await?;
    let nps_from = first_of_month(today).checked_sub_months(Months::new(11)).unwrap_or(today);
    let answers = answers(state, p.prev_from.min(nps_from), &s.ids).await?;
    let ttv = state.dashboards.ttv(|| super::engagement::time_to_value(state)).await;
    let ttv = ttv.ok().and_then(|t| t.overall.median_days);
    let tiles = tiles(&s, &c, &answers, &p, today, ttv);
    Ok(ExecDashboard {
        periods: p,
        currency: s.currency.clone(),
        currencies: s.currencies.clone(),
        converted: s.converted.clone(),
        scope: s.label.clone(),
        own_book: s.own_book,
        tiles,
        waterfall: c.wf.clone(),
        monthly: c.monthly,
        cohorts: c.cohorts,
        health: health(&s.rows),
        nps: nps_months(&answers, nps_from, today),
        computed_at: Utc::now(),
    })
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn health(rows: &[AccountRow]) -> Vec<BandRow> {
    let mut out: Vec<BandRow> = [Some(Band::Red), Some(Band::Yellow), Some(Band::Green), None]
        .into_iter()
        .map(|band| BandRow { band, accounts: 0, arr: 0 })
        .collect();
    for r in rows.iter().filter(|r| r.stage != Stage::Churned) {
        if let Some(b) = out.iter_mut().find(|b| b.band == r.health_band) {
            b.accounts += 1;
            b.arr += r.arr_minor;
        }
    }
    out
}

fn nps_months(answers: &[Answer], from: NaiveDate, today: NaiveDate) -> Vec<NpsMonth> {
    let mut out = Vec::new();
    let mut m = from;
    while m <= today {
        let next = m.checked_add_months(Months::new(1)).unwrap_or(today);
        let last = next.pred_opt().unwrap_or(next);
        let these = in_period(answers, m, last);
        let d = dist(&these, SurveyKind::Nps);
        out.push(NpsMonth {
            month: m,
            nps: sm::nps(&d),
            responses: d.iter().map(|x| x.1 as usize).sum(),
        });
        m = next;
    }
    out
}

fn tiles(
    s: &Scope, c: &Computed, answers: &[Answer], p: &Periods, today: NaiveDate, ttv: Option<f64>,
) -> Vec<Tile> {
    let cur = s.currency.as_str();
    let money = |v: i64| format_compact(v, cur);
    let r = &c.now;
    let cohort_inputs = |extra: Vec<(String, String)>| {
        let mut v = vec![
            ("S: the cohort's ARR the day before the period".to_string(), money(r.start_arr)),
            ("Cohort".into(), format!("{} accounts", r.cohort.len())),
        ];
        v.extend(extra);
        v
    };
    let tile = |key: &str,
                label: &str,
                unit,
                now: Option<f64>,
                before: Option<f64>,
                why,
                better,
                formula: &str,
                inputs,
                drill| Tile {
        key: key.into(),
        label: label.into(),
        unit,
        now,
        before,
        reason: why,
        higher_is_better: better,
        formula: formula.into(),
        inputs,
        drill,
    };
    let survey = |kind: SurveyKind, from: NaiveDate, to: NaiveDate| {
        sm::score(kind, &dist(&in_period(answers, from, to), kind))
    };
    let n_survey = |kind: SurveyKind| {
        in_period(answers, p.from, p.to).iter().filter(|a| a.kind == kind).count()
    };
    let risk = at_risk(&s.rows, today);
    let risk_arr: i64 = risk.iter().map(|r| r.arr_minor).sum();
    vec![
        tile("nrr", "Net revenue retention", Unit::Ratio, r.nrr.value(), c.prev.nrr.value(), reason(&r.nrr), true,
            "(S + expansion − contraction − churn) ÷ S, over the cohort (accounts with ARR the day before the period); each account's change netted over the period; new logos never count",
            cohort_inputs(vec![("Expansion".into(), money(r.expansion)), ("Contraction".into(), money(r.contraction)), ("Churn".into(), money(r.churn))]),
            Some(Drill::Expanded)),
        tile("grr", "Gross revenue retention", Unit::Ratio, r.grr.value(), c.prev.grr.value(), reason(&r.grr), true,
            "(S − contraction − churn) ÷ S, over the cohort; expansion never counts",
            cohort_inputs(vec![("Contraction".into(), money(r.contraction)), ("Churn".into(), money(r.churn))]),
            Some(Drill::Contracted)),
        tile("logo_retention", "Logo retention", Unit::Ratio, r.logo_retention.value(), c.prev.logo_retention.value(), reason(&r.logo_retention), true,
            "(E − N) ÷ S_logos: accounts active at the end (E) less those new in the period (N), over the cohort's size",
            vec![("E: active at the end".into(), r.active_at_end.to_string()), ("N: new in the period".into(), r.new_in_period.to_string()),
                ("S_logos: cohort".into(), r.cohort.len().to_string())],
            Some(Drill::Cohort)),
        tile("logo_churn", "Logo churn", Unit::Ratio, r.logo_churn.value(), c.prev.logo_churn.value(), reason(&r.logo_churn), false,
            "1 − logo retention. Revenue churn (1 − GRR) is shown beside it",
            vec![("Churned accounts".into(), r.churned.len().to_string()), ("Revenue churn".into(), pct(&r.revenue_churn))],
            Some(Drill::Churned)),
        tile("clv", "Customer lifetime value", Unit::Money, c.clv.clv.value().map(|v| v.round()), c.clv_prev.clv.value().map(|v| v.round()), reason(&c.clv.clv), true,
            "ARPA × gross margin ÷ annual revenue churn (1 − GRR over the trailing 12 months ending with the period)",
            vec![("ARPA".into(), c.clv.arpa.value().map(|v| money(v.round() as i64)).unwrap_or_else(|| "—".into())),
                ("Gross margin".into(), format!("{:.0} %", c.clv.gross_margin * 100.0)),
                ("Annual revenue churn".into(), pct(&c.clv.annual_revenue_churn)),
                ("Cohort a year before".into(), format!("{} accounts", c.clv.cohort))],
            Some(Drill::Active)),
        tile("nps", "NPS", Unit::Score, survey(SurveyKind::Nps, p.from, p.to), survey(SurveyKind::Nps, p.prev_from, p.prev_to),
            (n_survey(SurveyKind::Nps) == 0).then(|| "No NPS answers in the period".to_string()), true,
            "% promoters (9–10) − % detractors (0–6), answers dated in the period (imported ones included)",
            vec![("Answers".into(), n_survey(SurveyKind::Nps).to_string())], Some(Drill::Detractors)),
        tile("csat", "CSAT", Unit::Score, survey(SurveyKind::Csat, p.from, p.to), survey(SurveyKind::Csat, p.prev_from, p.prev_to),
            (n_survey(SurveyKind::Csat) == 0).then(|| "No CSAT answers in the period".to_string()), true,
            "% of answers that are 4 or 5 (of 5), dated in the period",
            vec![("Answers".into(), n_survey(SurveyKind::Csat).to_string())], None),
        tile("arr", "ARR at the end", Unit::Money, Some(c.wf.end as f64), Some(c.wf_prev.end as f64), None, true,
            "Sum of every account's ARR at the end of the period (the ledger's last movement on or before that day)",
            vec![("Start".into(), money(c.wf.start)), ("New".into(), money(c.wf.new)), ("Expansion".into(), money(c.wf.expansion)),
                ("Contraction".into(), money(c.wf.contraction)), ("Churn".into(), money(c.wf.churn)), ("Reactivation".into(), money(c.wf.reactivation))],
            Some(Drill::Active)),
        tile("arr_at_risk", "ARR at risk", Unit::Money, Some(risk_arr as f64), None, None, false,
            "ARR of red or yellow accounts renewing in the next 90 days (as of today, whatever the period)",
            vec![("Accounts".into(), risk.len().to_string())], Some(Drill::AtRisk)),
        tile("ttv", "Time to value", Unit::Days, ttv, None, ttv.is_none().then(|| "No first-value milestone reached yet".to_string()), false,
            "Median days from contract start to the first-value milestone (all accounts to date)", vec![], None),
    ]
}

/// The accounts behind a tile.
pub async fn drill(
    state: &AppState, me: &Me, f: &DashboardFilter, drill: Drill,
) -> Result<DrillDown, AppError> {
    let today = Utc::now().date_naive();
    let p = f.periods(today).map_err(field)?;
    let s = scope(state, Some(me), f, p.to).await?;
    let ms = movements(state, &s).await?;
    let r = rev::retention(&ms, p.from, p.to);
    let by_id: HashMap<&str, &AccountRow> = s.rows.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut ledgers: HashMap<&str, Vec<&Movement>> = HashMap::new();
    for m in &ms {
        ledgers.entry(m.account.as_str()).or_default().push(m);
    }
    let arr_on = |a: &str, day: NaiveDate| {
        ledgers.get(a).map_or(0, |l| {
            l.iter().filter(|m| m.on <= day).max_by_key(|m| m.on).map_or(0, |m| m.arr_after)
        })
    };
    let eve = p.from.pred_opt().unwrap_or(p.from);
    let row = |id: &str, note: Option<String>| {
        by_id.get(id).map(|a| DrillRow {
            account: a.id.clone().into(),
            name: a.name.clone(),
            owner_name: a.owner_name.clone(),
            arr_before: arr_on(id, eve),
            arr_after: arr_on(id, p.to),
            note,
        })
    };
    let ids = |list: &[String]| list.iter().filter_map(|i| row(i, None)).collect::<Vec<_>>();
    let mut rows = match drill {
        Drill::Cohort => ids(&r.cohort),
        Drill::Expanded => ids(&r.expanded),
        Drill::Contracted => ids(&r.contracted),
        Drill::Churned => ids(&r.churned),
        Drill::Reactivated => ids(&r.reactivated_outside),
        Drill::New => {
            let new: HashSet<&str> = ms
                .iter()
                .filter(|m| {
                    m.kind == crate::model::revenue::MovementKind::New
                        && m.on >= p.from
                        && m.on <= p.to
                })
                .map(|m| m.account.as_str())
                .collect();
            new.into_iter().filter_map(|i| row(i, None)).collect()
        }
        Drill::Active => s
            .rows
            .iter()
            .filter(|a| arr_on(&a.id, p.to) > 0)
            .filter_map(|a| row(&a.id, None))
            .collect(),
        Drill::AtRisk => at_risk(&s.rows, today)
            .into_iter()
            .filter_map(|a| {
                let band = a.health_band.map(|b| b.label()).unwrap_or("—");
                row(&a.id, Some(format!("{band} · renews {}", a.renewal_date)))
            })
            .collect(),
        Drill::Detractors => {
            let answers = answers(state, p.from, &s.ids).await?;
            in_period(&answers, p.from, p.to)
                .into_iter()
                .filter(|a| a.kind == SurveyKind::Nps && a.score <= 6)
                .filter_map(|a| {
                    let comment =
                        a.comment.as_deref().map(|c| format!(": “{c}”")).unwrap_or_default();
                    row(&a.account, Some(format!("NPS {} on {}{comment}", a.score, a.on)))
                })
                .collect()
        }
    };
    rows.sort_by(|a, b| {
        (b.arr_after - b.arr_before)
            .abs()
            .cmp(&(a.arr_after - a.arr_before).abs())
            .then(a.name.cmp(&b.name))
    });
    Ok(DrillDown { drill, currency: s.currency, rows })
}

/// `GET /api/v1/metrics`: the figures for a period, with the counts and inputs behind them.
pub async fn metrics(state: &AppState, f: &DashboardFilter) -> Result<serde_json::Value, AppError> {
    let today = Utc::now().date_naive();
    let p = f.periods(today).map_err(field)?;
    let s = scope(state, None, f, p.to).await?;
    let ms = movements(state, &s).await?;
    let gm = gross_margin(state).await?;
    let c = compute(ms, p, gm, None).await?;
    let answers = answers(state, p.from, &s.ids).await?;
    let these = in_period(&answers, p.from, p.to);
    let mut reasons = serde_json::Map::new();
    let mut fig = |name: &str, f: &Figure| match f {
        Figure::Value(v) => serde_json::json!(v),
        Figure::NotMeaningful(r) => {
            reasons.insert(name.into(), r.clone().into());
            serde_json::Value::Null
        }
    };
    let r = &c.now;
    let body = serde_json::json!({
        "from": p.from, "to": p.to, "currency": s.currency, "converted": s.converted,
        "nrr": fig("nrr", &r.nrr), "grr": fig("grr", &r.grr),
        "logo_retention": fig("logo_retention", &r.logo_retention), "logo_churn": fig("logo_churn", &r.logo_churn),
        "revenue_churn": fig("revenue_churn", &r.revenue_churn),
        "arpa": fig("arpa", &c.clv.arpa), "clv": fig("clv", &c.clv.clv),
        "nps": sm::nps(&dist(&these, SurveyKind::Nps)), "csat": sm::csat(&dist(&these, SurveyKind::Csat)),
        "ces": sm::ces(&dist(&these, SurveyKind::Ces)),
        "arr_at_risk": at_risk(&s.rows, today).iter().map(|r| r.arr_minor).sum::<i64>(),
        "counts": {
            "cohort": r.cohort.len(), "retained": r.retained.len(), "churned": r.churned.len(), "expanded": r.expanded.len(),
            "contracted": r.contracted.len(), "churned_and_back": r.churned_and_back.len(), "reactivated": r.reactivated_outside.len(),
            "active_at_end": r.active_at_end, "new_in_period": r.new_in_period, "accounts": s.rows.len(),
            "nps_responses": these.iter().filter(|a| a.kind == SurveyKind::Nps).count(),
            "csat_responses": these.iter().filter(|a| a.kind == SurveyKind::Csat).count(),
            "ces_responses": these.iter().filter(|a| a.kind == SurveyKind::Ces).count(),
        },
        "inputs": {
            "start_arr": r.start_arr, "expansion": r.expansion, "contraction": r.contraction, "churn": r.churn,
            "reactivation_outside_cohort": r.reactivated_outside_arr, "gross_margin": c.clv.gross_margin,
            "annual_revenue_churn": c.clv.annual_revenue_churn.value(), "clv_cohort": c.clv.cohort,
            "waterfall": c.wf,
        },
    });
    let mut body = body;
    body["reasons"] = serde_json::Value::Object(reasons);
    Ok(body)
}
