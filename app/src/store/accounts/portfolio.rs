//! The portfolio read from the database: filtered pages, the filter's choices and the
//! dashboard's figures. Pages come from the in-memory
//! [`PortfolioIndex`](crate::store::portfolio_index::PortfolioIndex) once it has loaded; these
//! queries answer before that, and for what the index does not hold.

use crate::error::AppError;
use crate::model::usage_filter::inactive_cutoff;
use crate::model::*;
use crate::store::portfolio_index::{Entry, PortfolioIndex, ENTRY_FIELDS};
use crate::store::{date_param, key_of, query_all, query_many, vars, Count, Db};
use serde::Deserialize;
use serde_json::{json, Value};

/// The WHERE clause for a filter. Only fixed text goes into the query; every value is bound.
fn conditions(f: &PortfolioFilter) -> (String, Value) {
    let mut conds: Vec<&str> = Vec::new();
    let mut params = serde_json::Map::new();
    if let Some(q) = &f.q {
        conds.push("name_key CONTAINS $q");
        params.insert("q".into(), json!(q.to_lowercase()));
    }
    if let Some(t) = f.tier {
        conds.push("tier = $tier");
        params.insert("tier".into(), json!(t.key()));
    }
    if let Some(i) = &f.industry {
        conds.push("industry = $industry");
        params.insert("industry".into(), json!(i));
    }
    if let Some(s) = f.stage {
        conds.push("stage = $stage");
        params.insert("stage".into(), json!(s.key()));
    }
    match f.owner.as_deref() {
        Some("none") => conds.push("owner = NONE"),
        Some(o) => {
            conds.push("owner = type::record('user', $owner)");
            params.insert("owner".into(), json!(o));
        }
        None => {}
    }
    if let Some(d) = f.renewal_before {
        conds.push("renewal_date <= <datetime>$renewal_before");
        params.insert("renewal_before".into(), json!(date_param(d)));
    }
    usage_conditions(f, &mut conds, &mut params);
    let clause =
        if conds.is_empty() { String::new() } else { format!("WHERE {}", conds.join(" AND ")) };
    (clause, Value::Object(params))
}

/// The usage filters, with the same boundaries as
/// [`PortfolioFilter::admits_usage`](crate::model::PortfolioFilter::admits_usage): an account
/// without an adoption figure matches no adoption bound (NONE would compare as less than any
/// number), a never-active account is inactive.
fn usage_conditions(
    f: &PortfolioFilter, conds: &mut Vec<&str>, params: &mut serde_json::Map<String, Value>,
) {
    if !f.band.is_empty() {
        let colours: Vec<&str> =
            f.band.iter().filter(|b| *b != BandChoice::Unscored).map(|b| b.key()).collect();
        conds.push(if f.band.contains(BandChoice::Unscored) {
            "(health_band = NONE OR health_band IN $bands)"
        } else {
            "health_band IN $bands"
        });
        params.insert("bands".into(), json!(colours));
    }
    if let Some(m) = f.adoption_min {
        conds.push("(adoption != NONE AND adoption >= $adoption_min)");
        params.insert("adoption_min".into(), json!(m));
    }
    if let Some(m) = f.adoption_max {
        conds.push("(adoption != NONE AND adoption <= $adoption_max)");
        params.insert("adoption_max".into(), json!(m));
    }
    if !f.engagement.is_empty() {
        conds.push("engagement IN $engagement");
        params.insert(
            "engagement".into(),
            json!(f.engagement.iter().map(|e| e.key()).collect::<Vec<_>>()),
        );
    }
    if let Some(d) = f.inactive_days {
        conds.push("(last_active_on = NONE OR last_active_on <= $inactive_cutoff)");
        let cutoff = inactive_cutoff(d, chrono::Utc::now().date_naive());
        params.insert("inactive_cutoff".into(), json!(cutoff.to_string()));
    }
    if let Some(plans) = f.plan_filter() {
        conds.push("plan_status IN $plans");
        params.insert("plans".into(), json!(plans.iter().map(|p| p.key()).collect::<Vec<_>>()));
    }
}

fn order_by(f: &PortfolioFilter) -> String {
    let col = match f.sort {
        SortKey::Name => "name_key",
        SortKey::Arr => "arr_minor",
        SortKey::Renewal => "renewal_date",
        SortKey::Tier => "tier",
        SortKey::Industry => "industry",
        SortKey::Stage => "stage",
        SortKey::Owner => "owner_name",
        SortKey::Health => "health_score",
        SortKey::Adoption => "adoption",
        // Levels sort by rank, not by their keys' spelling (see `ENGAGEMENT_RANK`).
        SortKey::Engagement => "engagement_rank",
        SortKey::LastActive => "last_active_on",
    };
    let dir = if f.desc { "DESC" } else { "ASC" };
    // The name breaks ties so that paging is stable.
    if f.sort == SortKey::Name {
        format!("ORDER BY name_key {dir}")
    } else {
        format!("ORDER BY {col} {dir}, name_key ASC")
    }
}

/// Engagement levels in their order (none, low, medium, high), for sorting; an account never
/// scored sorts first, like NONE.
const ENGAGEMENT_RANK: &str = ", (IF engagement = NONE { -1 } ELSE { array::find_index(['none', 'low', 'medium', 'high'], engagement) }) AS engagement_rank";

/// One page of the portfolio and the number of accounts matching the filter.
pub async fn portfolio(db: &Db, f: &PortfolioFilter) -> Result<PortfolioPage, AppError> {
    let (clause, mut params) = conditions(f);
    params["start"] = json!(f.page as u64 * PAGE_SIZE as u64);
    params["limit"] = json!(PAGE_SIZE);
    let mut r = query_many(
        db,
        &format!(
            "SELECT {ENTRY_FIELDS}{} FROM account {clause} {} LIMIT $limit START $start;
             SELECT count() AS n FROM account {clause} GROUP ALL;",
            if f.sort == SortKey::Engagement { ENGAGEMENT_RANK } else { "" },
            order_by(f)
        ),
        vars(params),
    )
    .await?;
    let rows: Vec<Entry> = r.take(0)?;
    let total: Vec<Count> = r.take(1)?;
    Ok(PortfolioPage {
        rows: rows.iter().map(Entry::row).collect(),
        total: total.first().map_or(0, |c| c.n),
        page: f.page,
        page_size: PAGE_SIZE,
    })
}

/// Every account's lower-cased name (for bulk loaders that must avoid duplicates).
pub async fn name_keys(db: &Db) -> Result<Vec<String>, AppError> {
    query_all(db, "SELECT VALUE name_key FROM account", json!({})).await
}

/// The distinct industries in use, for the filter's choices.
pub async fn industries(db: &Db) -> Result<Vec<String>, AppError> {
    let mut v: Vec<String> =
        query_all(db, "SELECT VALUE industry FROM account GROUP BY industry", json!({})).await?;
    v.sort();
    Ok(v)
}

/// A count and ARR, by tier or stage (`key`) or in total.
#[derive(Deserialize)]
struct Group {
    #[serde(default)]
    key: String,
    n: u64,
    arr: Option<i64>,
}

/// Active ARR in one currency.
#[derive(Deserialize)]
struct Money {
    currency: String,
    arr: Option<i64>,
}

/// Each of `all` with its group's count and ARR (zero when no account is in it).
fn by_key<T: Copy>(
    all: &[T], key: impl Fn(&T) -> &'static str, groups: &[Group],
) -> Vec<(T, u64, i64)> {
    all.iter()
        .map(|t| {
            let g = groups.iter().find(|g| g.key == key(t));
            (*t, g.map_or(0, |g| g.n), g.and_then(|g| g.arr).unwrap_or(0))
        })
        .collect()
}

/// Counts and ARR by tier and stage, for the dashboard.
pub async fn summary(db: &Db) -> Result<PortfolioSummary, AppError> {
    let mut r = query_many(
        db,
        // Money is only added up within one currency: the tier and renewal figures are in
        // the portfolio's main currency (the one with the most active ARR).
        "SELECT currency, math::sum(arr_minor) AS arr FROM account WHERE stage != 'churned' GROUP BY currency;
         LET $cur = (SELECT currency, math::sum(arr_minor) AS arr FROM account WHERE stage != 'churned'
            GROUP BY currency ORDER BY arr DESC LIMIT 1)[0].currency;
         SELECT tier AS key, count() AS n, math::sum(IF currency = $cur { arr_minor } ELSE { 0 }) AS arr
            FROM account WHERE stage != 'churned' GROUP BY key;
         SELECT stage AS key, count() AS n, math::sum(IF currency = $cur { arr_minor } ELSE { 0 }) AS arr
            FROM account GROUP BY key;
         SELECT count() AS n, math::sum(IF currency = $cur { arr_minor } ELSE { 0 }) AS arr FROM account
            WHERE stage != 'churned' AND renewal_date >= time::now() AND renewal_date <= time::now() + 90d GROUP ALL;",
        json!({}),
    )
    .await?;
    let mut money: Vec<Money> = r.take(0)?;
    money.sort_by_key(|m| std::cmp::Reverse(m.arr.unwrap_or(0)));
    let tiers: Vec<Group> = r.take(2)?;
    let stages: Vec<Group> = r.take(3)?;
    let renewing: Vec<Group> = r.take(4)?;
    let main_currency = money.first().map(|m| m.currency.clone()).unwrap_or_else(|| "USD".into());
    Ok(PortfolioSummary {
        accounts: stages.iter().map(|g| g.n).sum(),
        arr_by_currency: money.into_iter().map(|m| (m.currency, m.arr.unwrap_or(0))).collect(),
        by_tier: by_key(SizeTier::ALL, |t| t.key(), &tiers),
        by_stage: by_key(Stage::ALL, |s| s.key(), &stages),
        renewing_90d: renewing.first().map_or(0, |g| g.n),
        renewing_90d_arr: renewing.first().and_then(|g| g.arr).unwrap_or(0),
        main_currency,
    })
}

/// The ids of every account a filter matches (sort and page ignored): from the in-memory
/// index when it is loaded, from SurrealDB otherwise.
pub async fn ids_matching(
    db: &Db, index: &PortfolioIndex, f: &PortfolioFilter,
) -> Result<Vec<String>, AppError> {
    if let Some(ids) = index.matching_ids(f) {
        return Ok(ids);
    }
    let (clause, params) = conditions(f);
    let ids: Vec<String> =
        query_all(db, &format!("SELECT VALUE id FROM account {clause}"), vars(params)).await?;
    Ok(ids.iter().map(|i| key_of(i)).collect())
}
