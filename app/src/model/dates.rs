//! Dates as pages show them, written out by hand: chrono's `format` brings its whole
//! `strftime` interpreter into the browser bundle, and the portfolio (first load) needs only
//! this one shape.

use chrono::{Datelike, NaiveDate};

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// "07 Mar 2026": what `d.format("%d %b %Y")` writes.
pub fn day_month_year(d: NaiveDate) -> String {
    format!("{:02} {} {}", d.day(), MONTHS[d.month0() as usize], d.year())
}

/// A `YYYY-MM-DD` date (an `<input type="date">`'s value, a URL parameter); `None` otherwise.
pub fn parse_iso(s: &str) -> Option<NaiveDate> {
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some() || !digits(y, 4) || !digits(m, 2) || !digits(d, 2) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_as_chrono_writes_it() {
        let mut d = NaiveDate::from_ymd_opt(1999, 12, 25).unwrap();
        for _ in 0..800 {
            assert_eq!(day_month_year(d), d.format("%d %b %Y").to_string());
            d += chrono::Duration::days(17);
        }
    }

    #[test]
    fn only_whole_iso_dates_parse() {
        assert_eq!(parse_iso("2026-03-07"), NaiveDate::from_ymd_opt(2026, 3, 7));
        assert_eq!(parse_iso("2024-02-29"), NaiveDate::from_ymd_opt(2024, 2, 29));
        for bad in [
            "",
            "2026-3-07",
            "2026-03-7",
            "2025-02-29",
            "2026-13-01",
            "2026-03-07x",
            "2026-03-07-01",
            " 2026-03-07",
            "+2026-03-07",
            "2026/03/07",
            "२०२६-03-07",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad:?}");
        }
    }
}
