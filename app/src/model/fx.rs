//! Conversion rates for combined revenue figures. Revenue figures are per currency; a figure
//! across currencies exists only when an admin has set a dated rate for each one, and is then
//! labelled as converted. A combined view converts every amount of an account (its whole
//! ledger) at one rate — the latest dated on or before the period's end — so each ledger stays
//! consistent and the figures are "constant currency", as finance teams report them.

use crate::error::AppError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The dashboard's currency value for "all currencies, converted".
pub const ALL_CURRENCIES: &str = "ALL";

/// One unit of `currency` is worth `rate` units of the reporting currency from `from` on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    pub currency: String,
    pub rate: f64,
    pub from: NaiveDate,
}

/// The reporting currency and the dated rates into it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FxTable {
    pub reporting: String,
    pub rates: Vec<Rate>,
}

impl FxTable {
    /// Reads rates written one per line as `EUR, 1.0832, 2026-11-01` (currency, value of one
    /// unit in the reporting currency, the day it applies from). Errors name the field and the
    /// line.
    pub fn parse(reporting: &str, text: &str) -> Result<Self, AppError> {
        let reporting = reporting.trim().to_uppercase();
        if !super::CURRENCIES.contains(&reporting.as_str()) {
            return Err(AppError::field(
                "reporting",
                format!("must be one of {}", super::CURRENCIES.join(", ")),
            ));
        }
        let mut rates = Vec::new();
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let n = i + 1;
            let parts: Vec<&str> = line.split([',', ';', '\t']).map(str::trim).collect();
            let bad = |m: String| AppError::field("rates", format!("line {n}: {m}"));
            let [cur, rate, from] = parts.as_slice() else {
                return Err(bad("write currency, rate, date (e.g. EUR, 1.08, 2026-01-01)".into()));
            };
            let cur = cur.to_uppercase();
            if !super::CURRENCIES.contains(&cur.as_str()) {
                return Err(bad(format!("“{cur}” is not one of {}", super::CURRENCIES.join(", "))));
            }
            if cur == reporting {
                return Err(bad(format!("{cur} is the reporting currency (its rate is 1)")));
            }
            let rate: f64 = rate.parse().map_err(|_| bad(format!("“{rate}” is not a number")))?;
            if !(rate.is_finite() && rate > 0.0 && rate < 1e6) {
                return Err(bad("the rate must be more than 0".into()));
            }
            let from = NaiveDate::parse_from_str(from, "%Y-%m-%d")
                .map_err(|_| bad(format!("“{from}” is not a date (YYYY-MM-DD)")))?;
            if rates.iter().any(|r: &Rate| r.currency == cur && r.from == from) {
                return Err(bad(format!("{cur} already has a rate from {from}")));
            }
            rates.push(Rate { currency: cur, rate, from });
        }
        if rates.len() > 1000 {
            return Err(AppError::field("rates", "at most 1 000 rates"));
        }
        rates.sort_by(|a, b| (&a.currency, a.from).cmp(&(&b.currency, b.from)));
        Ok(Self { reporting, rates })
    }

    /// The rate of `currency` on `on`: 1 for the reporting currency, the latest rate dated on
    /// or before `on` otherwise, `None` without one.
    pub fn rate(&self, currency: &str, on: NaiveDate) -> Option<f64> {
        if currency == self.reporting {
            return Some(1.0);
        }
        self.rates
            .iter()
            .filter(|r| r.currency == currency && r.from <= on)
            .max_by_key(|r| r.from)
            .map(|r| r.rate)
    }

    /// The rates as the settings form shows them, one per line.
    pub fn to_text(&self) -> String {
        self.rates
            .iter()
            .map(|r| format!("{}, {}, {}", r.currency, r.rate, r.from))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn rates_are_dated_and_named_by_line() {
        let t = FxTable::parse(
            "usd",
            "EUR, 1.10, 2026-01-01\n\nEUR; 1.05; 2025-01-01\nGBP\t1.27\t2026-06-01",
        )
        .unwrap();
        assert_eq!(t.reporting, "USD");
        assert_eq!(t.rate("USD", d("2020-01-01")), Some(1.0));
        assert_eq!(t.rate("EUR", d("2024-12-31")), None);
        assert_eq!(t.rate("EUR", d("2025-06-30")), Some(1.05));
        assert_eq!(t.rate("EUR", d("2026-01-01")), Some(1.10));
        assert_eq!(t.rate("GBP", d("2026-05-31")), None);
        let e = |r: &str, text: &str| {
            FxTable::parse(r, text).unwrap_err().for_field("rates").unwrap_or_default()
        };
        assert!(e("USD", "EUR, 1.1").starts_with("line 1:"));
        assert!(e("USD", "EUR, 1.1, 2026-01-01\nXXX, 1, 2026-01-01").starts_with("line 2:"));
        assert!(e("USD", "EUR, -1, 2026-01-01").contains("more than 0"));
        assert!(e("USD", "USD, 1, 2026-01-01").contains("reporting currency"));
        assert!(e("USD", "EUR, 1.1, 2026-01-01\nEUR, 1.2, 2026-01-01").contains("already"));
        assert!(FxTable::parse("XXX", "").unwrap_err().for_field("reporting").is_some());
    }
}
