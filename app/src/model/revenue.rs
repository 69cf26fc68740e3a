//! ARR movements: the ledger every revenue metric is computed from (DESIGN.md, "ARR changes
//! are events"). An account's ARR is its latest movement's `arr_after`; each movement must
//! continue the one before it, so the ledger can be replayed for any day.
//!
//! Amounts are integer minor units in the account's currency (floats lose cents).

use crate::error::{AppError, Checks};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

vocabulary! {
    /// What a change of ARR was. The kind must agree with the amounts ([`kind_fits`]).
    MovementKind {
        New => "new", "New";
        Expansion => "expansion", "Expansion";
        Contraction => "contraction", "Contraction";
        Churn => "churn", "Churn";
        Reactivation => "reactivation", "Reactivation";
    }
}

/// One change of an account's ARR, as the metrics read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Movement {
    pub account: String,
    pub on: NaiveDate,
    pub kind: MovementKind,
    pub arr_before: i64,
    pub arr_after: i64,
}

/// A movement as an import, the API or the account form proposes it, before it is checked
/// against the account and its ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovementInput {
    pub kind: String,
    pub on: NaiveDate,
    pub arr_before: i64,
    pub arr_after: i64,
    pub currency: String,
}

/// What a movement is checked against: the account and the last movement on its ledger.
#[derive(Debug, Clone, Copy)]
pub struct LedgerEnd<'a> {
    pub contract_start: NaiveDate,
    pub currency: &'a str,
    /// The latest movement so far, if any.
    pub last: Option<&'a Movement>,
}

/// Whether `kind` agrees with the amounts and with whether the account ever had ARR. A
/// contraction to zero is a churn (the logo is lost); ARR coming back from zero is a
/// reactivation once the account had ARR before, and `new` only the first time.
pub fn kind_fits(kind: MovementKind, before: i64, after: i64, had_arr: bool) -> Result<(), String> {
    use MovementKind::*;
    let ok = match kind {
        New => before == 0 && after > 0 && !had_arr,
        Expansion => before > 0 && after > before,
        Contraction => before > 0 && after > 0 && after < before,
        Churn => before > 0 && after == 0,
        Reactivation => before == 0 && after > 0 && had_arr,
    };
    if ok {
        return Ok(());
    }
    Err(match kind {
        New if had_arr => "is not new: the account had ARR before (use reactivation)".into(),
        New => "a new account goes from 0 to more than 0".into(),
        Expansion => "an expansion raises ARR that was above 0".into(),
        Contraction if after == 0 => "a contraction to 0 is a churn".into(),
        Contraction => "a contraction lowers ARR and leaves more than 0".into(),
        Churn => "a churn takes ARR above 0 down to 0".into(),
        Reactivation if !had_arr => {
            "is not a reactivation: the account never had ARR (use new)".into()
        }
        Reactivation => "a reactivation goes from 0 to more than 0".into(),
    })
}

impl MovementInput {
    /// Checks the movement against the account and the end of its ledger; every problem is
    /// named by its field. Movements are appended in date order (same day allowed).
    pub fn validate(&self, end: LedgerEnd<'_>) -> Result<MovementKind, AppError> {
        let mut c = Checks::new();
        let kind = MovementKind::parse(self.kind.trim());
        if kind.is_none() {
            let keys: Vec<&str> = MovementKind::ALL.iter().map(|k| k.key()).collect();
            c.fail("kind", format!("must be one of {}", keys.join(", ")));
        }
        c.check(self.arr_before >= 0, "arr_before", "must be zero or more");
        c.check(self.arr_after >= 0, "arr_after", "must be zero or more");
        c.check(
            self.currency.trim().eq_ignore_ascii_case(end.currency),
            "currency",
            format!("is {}, but the account is in {}", self.currency.trim(), end.currency),
        );
        if self.on < end.contract_start {
            c.fail("on", format!("is before the contract start ({})", end.contract_start));
        }
        let previous_after = end.last.map_or(0, |m| m.arr_after);
        match end.last {
            Some(last) if self.on < last.on => c.fail(
                "on",
                format!(
                    "is before the last recorded movement ({}); movements go in order",
                    last.on
                ),
            ),
            _ => {}
        }
        if self.arr_before != previous_after {
            let why = match end.last {
                Some(last) => format!(
                    "is {}, but the previous movement ({} on {}) left ARR at {}",
                    self.arr_before,
                    last.kind.key(),
                    last.on,
                    last.arr_after
                ),
                None => format!(
                    "is {}, but the account has no ARR before its first movement (0)",
                    self.arr_before
                ),
            };
            c.fail("arr_before", why);
        }
        if let Some(k) = kind {
            if self.arr_before >= 0 && self.arr_after >= 0 {
                let had_arr = end.last.is_some();
                if let Err(why) = kind_fits(k, self.arr_before, self.arr_after, had_arr) {
                    c.fail("kind", why);
                }
            }
        }
        c.finish()?;
        Ok(kind.expect("checked above"))
    }
}

/// The kind a change from `before` to `after` is, given whether the account ever had ARR;
/// `None` when nothing changed. The account form and the movements card infer it, so a person
/// types the new ARR and never picks a kind that contradicts it.
pub fn infer_kind(before: i64, after: i64, had_arr: bool) -> Option<MovementKind> {
    use MovementKind::*;
    Some(match (before, after) {
        (b, a) if a == b => return None,
        (0, _) if had_arr => Reactivation,
        (0, _) => New,
        (_, 0) => Churn,
        (b, a) if a > b => Expansion,
        _ => Contraction,
    })
}

/// One movement as the account page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MovementRecord {
    pub on: NaiveDate,
    pub kind: MovementKind,
    pub arr_before: i64,
    pub arr_after: i64,
    pub currency: String,
    #[serde(default)]
    pub reason: Option<String>,
    /// form, stage, api, import, seed, opening.
    pub source: String,
    #[serde(default)]
    pub recorded_by: Option<String>,
    pub recorded_at: crate::model::Timestamp,
}

/// An account's ARR and its ledger, newest last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountRevenue {
    pub currency: String,
    pub arr: i64,
    pub contract_start: NaiveDate,
    pub movements: Vec<MovementRecord>,
}

/// The movements card's form as posted: the date, the new ARR in major units as typed, and why.
/// The kind follows from the amounts ([`infer_kind`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MovementForm {
    pub on: String,
    pub arr: String,
    pub reason: String,
}

/// One row of a movements CSV as the import preview shows it: what was read, and what
/// importing it would do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportRow {
    /// The CSV line (1 = the header).
    pub line: usize,
    /// `external_id` or `account_id` as written.
    pub account: String,
    pub kind: String,
    pub on: String,
    pub arr_before: String,
    pub arr_after: String,
    pub currency: String,
    /// `new` (would be stored), `duplicate` (already imported) or `refused`.
    pub outcome: String,
    /// Why it was refused: the column and the message.
    pub field: Option<String>,
    pub message: Option<String>,
}

/// A movements CSV read and checked (preview), or imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportOutcome {
    /// True when nothing was written (the preview).
    pub preview: bool,
    pub stored: usize,
    pub duplicates: usize,
    pub refused: usize,
    pub rows: Vec<ImportRow>,
}

/// Largest movements CSV the import takes (about 50 000 rows).
pub const IMPORT_MAX_BYTES: usize = 4 * 1024 * 1024;

/// Longest reason kept with a movement.
pub const REASON_MAX: usize = 1000;

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn input(kind: &str, on: NaiveDate, before: i64, after: i64) -> MovementInput {
        MovementInput {
            kind: kind.into(),
            on,
            arr_before: before,
            arr_after: after,
            currency: "USD".into(),
        }
    }

    fn field(r: Result<MovementKind, AppError>, name: &str) -> String {
        r.unwrap_err().for_field(name).unwrap_or_default().to_string()
    }

    #[test]
    fn the_kind_follows_from_the_amounts() {
        use MovementKind::*;
        assert_eq!(infer_kind(0, 100, false), Some(New));
        assert_eq!(infer_kind(0, 100, true), Some(Reactivation));
        assert_eq!(infer_kind(100, 150, true), Some(Expansion));
        assert_eq!(infer_kind(100, 50, true), Some(Contraction));
        assert_eq!(infer_kind(100, 0, true), Some(Churn));
        assert_eq!(infer_kind(100, 100, true), None);
        assert_eq!(infer_kind(0, 0, false), None);
    }

    #[test]
    fn a_movement_continues_the_ledger_and_its_kind_fits_the_amounts() {
        let start = d(2025, 1, 1);
        let first = LedgerEnd { contract_start: start, currency: "USD", last: None };
        assert_eq!(input("new", start, 0, 10000).validate(first).unwrap(), MovementKind::New);
        assert!(field(input("new", d(2024, 12, 31), 0, 10000).validate(first), "on")
            .contains("contract start"));
        assert!(field(input("expansion", start, 0, 10000).validate(first), "kind")
            .contains("expansion"));
        assert!(
            field(input("new", start, 5, 10000).validate(first), "arr_before").contains("no ARR")
        );
        let mut eur = input("new", start, 0, 10000);
        eur.currency = "EUR".into();
        assert!(field(eur.validate(first), "currency").contains("the account is in USD"));
        assert!(
            field(input("upsell", start, 0, 1).validate(first), "kind").contains("must be one of")
        );
        assert!(
            field(input("new", start, 0, -1).validate(first), "arr_after").contains("zero or more")
        );

        let last = Movement {
            account: "a".into(),
            on: d(2025, 3, 1),
            kind: MovementKind::New,
            arr_before: 0,
            arr_after: 10000,
        };
        let end = LedgerEnd { contract_start: start, currency: "USD", last: Some(&last) };
        assert_eq!(
            input("expansion", d(2025, 3, 1), 10000, 15000).validate(end).unwrap(),
            MovementKind::Expansion
        );
        // An expansion that lowers ARR is refused, and says why.
        assert!(field(input("expansion", d(2025, 4, 1), 10000, 9000).validate(end), "kind")
            .contains("raises"));
        // The before amount must be what the previous movement left.
        assert!(field(
            input("contraction", d(2025, 4, 1), 12000, 9000).validate(end),
            "arr_before"
        )
        .contains("left ARR at 10000"));
        assert!(
            field(input("churn", d(2025, 2, 1), 10000, 0).validate(end), "on").contains("in order")
        );
        assert!(field(input("contraction", d(2025, 4, 1), 10000, 0).validate(end), "kind")
            .contains("is a churn"));
        assert!(field(input("new", d(2025, 4, 1), 0, 5).validate(end), "arr_before")
            .contains("left ARR"));

        let churned =
            Movement { kind: MovementKind::Churn, arr_before: 10000, arr_after: 0, ..last.clone() };
        let end = LedgerEnd { last: Some(&churned), ..end };
        assert_eq!(
            input("reactivation", d(2025, 6, 1), 0, 8000).validate(end).unwrap(),
            MovementKind::Reactivation
        );
        assert!(field(input("new", d(2025, 6, 1), 0, 8000).validate(end), "kind")
            .contains("use reactivation"));
    }
}
