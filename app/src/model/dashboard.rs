//! The executive dashboard's view (`/dashboard`): its filters (kept in the URL, so a view is
//! a link), the period they resolve to, and the figures the server computed from the ARR
//! ledger, the surveys and the portfolio. The browser only draws them.

use crate::metrics::revenue::Waterfall;
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

vocabulary! {
    /// The span of the period the dashboard shows.
    PeriodKind {
        Month => "month", "Month";
        Quarter => "quarter", "Quarter";
        Year => "year", "Year";
        Ttm => "ttm", "Trailing 12 months";
        Custom => "custom", "Custom";
    }
}

/// The dashboard's filters exactly as the URL carries them (every value text, so a
/// hand-edited link is answered field by field). Empty means the default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DashboardFilter {
    /// `month`, `quarter`, `year`, `ttm` or `custom` (default `quarter`).
    #[serde(default)]
    pub period: String,
    /// For a month, quarter or year: a day inside it (default today). For custom: the start.
    #[serde(default)]
    pub from: String,
    /// For custom only: the last day (inclusive).
    #[serde(default)]
    pub to: String,
    /// A saved segment's id, or empty for all accounts.
    #[serde(default)]
    pub segment: String,
    /// A user id; `all` for the whole company; empty means the caller's own book for a CSM
    /// and the whole company for everyone else.
    #[serde(default)]
    pub owner: String,
    /// Figures are per currency; empty means the main currency.
    #[serde(default)]
    pub currency: String,
}

/// A period and the one before it, both inclusive at both ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Periods {
    pub kind: PeriodKind,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub prev_from: NaiveDate,
    pub prev_to: NaiveDate,
}

/// The longest custom period (a longer one would make "the period before" meaningless).
pub const MAX_CUSTOM_DAYS: i64 = 5 * 366;

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn day_before(d: NaiveDate) -> NaiveDate {
    d.checked_sub_days(Days::new(1)).unwrap_or(d)
}

fn parse_day(field: &str, s: &str) -> Result<Option<NaiveDate>, (String, String)> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| (field.to_string(), format!("“{s}” is not a date (YYYY-MM-DD)")))
}

impl DashboardFilter {
    /// The period the filter names, as of `today`. A month, quarter or year is the calendar
    /// one containing `from` (default today), compared with the one before; trailing 12
    /// months end today; a custom period is compared with the same number of days before it.
    /// Errors name the field: `(field, message)`.
    pub fn periods(&self, today: NaiveDate) -> Result<Periods, (String, String)> {
        let kind = if self.period.trim().is_empty() {
            PeriodKind::Quarter
        } else {
            PeriodKind::parse(self.period.trim()).ok_or_else(|| {
                let keys: Vec<&str> = PeriodKind::ALL.iter().map(|k| k.key()).collect();
                ("period".to_string(), format!("must be one of {}", keys.join(", ")))
            })?
        };
        let anchor = parse_day("from", &self.from)?.unwrap_or(today);
        let span = |from: NaiveDate, months: u32| {
            let next = from.checked_add_months(Months::new(months)).unwrap_or(from);
            let prev_from = from.checked_sub_months(Months::new(months)).unwrap_or(from);
            (from, day_before(next), prev_from, day_before(from))
        };
        let (from, to, prev_from, prev_to) = match kind {
            PeriodKind::Month => span(first_of_month(anchor), 1),
            PeriodKind::Quarter => {
                let m = (anchor.month0() / 3) * 3 + 1;
                span(NaiveDate::from_ymd_opt(anchor.year(), m, 1).unwrap_or(anchor), 3)
            }
            PeriodKind::Year => {
                span(NaiveDate::from_ymd_opt(anchor.year(), 1, 1).unwrap_or(anchor), 12)
            }
            PeriodKind::Ttm => {
                let (from, to) = crate::metrics::revenue::trailing_year(today);
                let (prev_from, prev_to) = crate::metrics::revenue::trailing_year(day_before(from));
                (from, to, prev_from, prev_to)
            }
            PeriodKind::Custom => {
                let from = parse_day("from", &self.from)?.ok_or_else(|| {
                    ("from".to_string(), "is required for a custom period".into())
                })?;
                let to = parse_day("to", &self.to)?
                    .ok_or_else(|| ("to".to_string(), "is required for a custom period".into()))?;
                if to < from {
                    return Err(("to".into(), "must be on or after the start".into()));
                }
                let days = (to - from).num_days() + 1;
                if days > MAX_CUSTOM_DAYS {
                    return Err(("to".into(), "the period may be at most five years".into()));
                }
                let prev_to = day_before(from);
                let prev_from = prev_to - chrono::Duration::days(days - 1);
                (from, to, prev_from, prev_to)
            }
        };
        Ok(Periods { kind, from, to, prev_from, prev_to })
    }
}

/// How a tile's figure reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    /// A fraction shown as a percentage (0.97 → 97.0 %).
    Ratio,
    /// Minor units of the dashboard's currency.
    Money,
    /// A survey score on its own scale (NPS −100..100, CSAT %, CES 1..7).
    Score,
    Days,
}

/// Which accounts stand behind a tile (a drill-down).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Drill {
    /// The cohort: accounts with ARR the day before the period.
    Cohort,
    Expanded,
    Contracted,
    Churned,
    /// New logos in the period.
    New,
    /// Accounts outside the cohort that came back (reactivations).
    Reactivated,
    /// Active accounts at the end of the period.
    Active,
    /// Red or yellow accounts renewing in the next 90 days.
    AtRisk,
    /// Contacts who answered NPS 0–6 in the period.
    Detractors,
}

impl Drill {
    pub const ALL: [Drill; 9] = [
        Drill::Cohort,
        Drill::Expanded,
        Drill::Contracted,
        Drill::Churned,
        Drill::New,
        Drill::Reactivated,
        Drill::Active,
        Drill::AtRisk,
        Drill::Detractors,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Drill::Cohort => "cohort",
            Drill::Expanded => "expanded",
            Drill::Contracted => "contracted",
            Drill::Churned => "churned",
            Drill::New => "new",
            Drill::Reactivated => "reactivated",
            Drill::Active => "active",
            Drill::AtRisk => "at_risk",
            Drill::Detractors => "detractors",
        }
    }

    pub fn parse(s: &str) -> Option<Drill> {
        Self::ALL.into_iter().find(|d| d.key() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Drill::Cohort => "The cohort (ARR the day before the period)",
            Drill::Expanded => "Expanded",
            Drill::Contracted => "Contracted",
            Drill::Churned => "Churned",
            Drill::New => "New logos",
            Drill::Reactivated => "Reactivated (outside the cohort)",
            Drill::Active => "Active at the end",
            Drill::AtRisk => "ARR at risk (red or yellow, renewing within 90 days)",
            Drill::Detractors => "Detractors (NPS 0–6)",
        }
    }
}

/// One KPI tile: this period, the one before, how it is computed and from what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tile {
    /// Stable key (`nrr`, `grr`, `logo_retention`, `logo_churn`, `clv`, `nps`, `csat`, `arr`,
    /// `arr_at_risk`, `ttv`): tests and the CSV export name tiles by it.
    pub key: String,
    pub label: String,
    pub unit: Unit,
    pub now: Option<f64>,
    pub before: Option<f64>,
    /// Why `now` is missing ("not meaningful: …"), shown instead of a number.
    pub reason: Option<String>,
    /// Whether a higher figure is better (colours the change).
    pub higher_is_better: bool,
    pub formula: String,
    /// The inputs of this period's figure, formatted ("S (starting ARR)", "$1.2M").
    pub inputs: Vec<(String, String)>,
    pub drill: Option<Drill>,
}

/// NRR and GRR of one month (the month's own cohort).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthRetention {
    /// The month's first day.
    pub month: NaiveDate,
    pub nrr: Option<f64>,
    pub grr: Option<f64>,
    /// Cohort size (logos) that month.
    pub cohort: usize,
}

/// One row of the cohort heatmap: the accounts whose first ARR fell in one quarter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortRow {
    /// "2025 Q1".
    pub label: String,
    pub logos: usize,
    /// Their ARR at the end of the quarter they started in.
    pub start_arr: i64,
    /// Per quarter since (0 = the starting quarter): (share of starting ARR retained, share
    /// of logos still active), as fractions; `None` for quarters not yet reached.
    pub cells: Vec<Option<(f64, f64)>>,
}

/// Accounts and ARR in one health band (or not scored yet).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BandRow {
    pub band: Option<crate::model::health::Band>,
    pub accounts: usize,
    pub arr: i64,
}

/// NPS of one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NpsMonth {
    pub month: NaiveDate,
    pub nps: Option<f64>,
    pub responses: usize,
}

/// Everything `/dashboard` draws.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecDashboard {
    pub periods: Periods,
    /// The currency every money figure is in.
    pub currency: String,
    /// Currencies with accounts in scope (the currency filter's choices).
    pub currencies: Vec<String>,
    /// Whose accounts: "Whole company", "Your book", "Ann Lee's book", plus the segment.
    pub scope: String,
    /// Whether the caller sees only their own book by default (a CSM), so the page offers
    /// "whole company".
    pub own_book: bool,
    /// Set when money figures combine currencies: how they were converted.
    #[serde(default)]
    pub converted: Option<String>,
    pub tiles: Vec<Tile>,
    pub waterfall: Waterfall,
    /// The last 24 months, oldest first.
    pub monthly: Vec<MonthRetention>,
    /// Start quarters, oldest first (at most 8).
    pub cohorts: Vec<CohortRow>,
    pub health: Vec<BandRow>,
    /// The last 12 months, oldest first.
    pub nps: Vec<NpsMonth>,
    pub computed_at: crate::model::Timestamp,
}

/// One account behind a tile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrillRow {
    pub account: crate::model::AccountId,
    pub name: String,
    pub owner_name: Option<String>,
    /// ARR the day before the period and at its end (minor units).
    pub arr_before: i64,
    pub arr_after: i64,
    /// What else the row says (a detractor's score and comment, a renewal date).
    pub note: Option<String>,
}

/// A drill-down: which accounts, and in which currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrillDown {
    pub drill: Drill,
    pub currency: String,
    pub rows: Vec<DrillRow>,
}

/// Admin settings for revenue metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevenueSettings {
    /// Gross margin as a fraction (0.8 = 80 %), for CLV.
    pub gross_margin: f64,
    /// Conversion rates for combined figures; none until an admin sets them.
    #[serde(default)]
    pub fx: Option<crate::model::fx::FxTable>,
}

/// Settings → Revenue as the form shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevenueSettingsView {
    /// Percent (80.0).
    pub gross_margin: f64,
    pub reporting: String,
    /// One rate per line (`EUR, 1.08, 2026-01-01`).
    pub rates: String,
}

impl RevenueSettings {
    /// A gross margin typed as a percentage ("80", "72.5").
    pub fn parse(percent: &str) -> Result<Self, crate::error::AppError> {
        let v: f64 = percent.trim().trim_end_matches('%').trim().parse().map_err(|_| {
            crate::error::AppError::field("gross_margin", "must be a percentage, e.g. 80")
        })?;
        if !(v > 0.0 && v <= 100.0) {
            return Err(crate::error::AppError::field(
                "gross_margin",
                "must be more than 0 and at most 100",
            ));
        }
        Ok(Self { gross_margin: v / 100.0, fx: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn f(period: &str, from: &str, to: &str) -> DashboardFilter {
        DashboardFilter {
            period: period.into(),
            from: from.into(),
            to: to.into(),
            ..Default::default()
        }
    }

    #[test]
    fn periods_are_calendar_spans_compared_with_the_one_before() {
        let today = d(2026, 12, 4);
        let q = f("", "", "").periods(today).unwrap();
        assert_eq!(
            (q.from, q.to, q.prev_from, q.prev_to),
            (d(2026, 10, 1), d(2026, 12, 31), d(2026, 7, 1), d(2026, 9, 30))
        );
        let m = f("month", "2024-03-15", "").periods(today).unwrap();
        assert_eq!(
            (m.from, m.to, m.prev_from, m.prev_to),
            (d(2024, 3, 1), d(2024, 3, 31), d(2024, 2, 1), d(2024, 2, 29))
        );
        let y = f("year", "2025-06-01", "").periods(today).unwrap();
        assert_eq!((y.from, y.to, y.prev_from), (d(2025, 1, 1), d(2025, 12, 31), d(2024, 1, 1)));
        let t = f("ttm", "", "").periods(today).unwrap();
        assert_eq!((t.from, t.to, t.prev_to), (d(2025, 12, 5), today, d(2025, 12, 4)));
        let c = f("custom", "2026-01-10", "2026-01-19").periods(today).unwrap();
        assert_eq!((c.prev_from, c.prev_to), (d(2025, 12, 31), d(2026, 1, 9)));
        assert_eq!(f("weekly", "", "").periods(today).unwrap_err().0, "period");
        assert_eq!(f("custom", "2026-01-10", "").periods(today).unwrap_err().0, "to");
        assert_eq!(f("custom", "2026-01-10", "2026-01-01").periods(today).unwrap_err().0, "to");
        assert_eq!(f("month", "2026-02-30", "").periods(today).unwrap_err().0, "from");
    }
}
