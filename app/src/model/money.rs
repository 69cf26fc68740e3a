//! ARR is stored as integer minor units (cents) with an ISO currency: floats lose cents.

/// Parses what a person types for an amount in major units ("120000", "120,000.50", "1 200")
/// into minor units. Errors are phrased to follow the field's name.
pub fn parse_major(input: &str) -> Result<i64, String> {
    let cleaned: String =
        input.trim().chars().filter(|c| *c != ',' && *c != ' ' && *c != '_').collect();
    if cleaned.is_empty() {
        return Err("is required".into());
    }
    if cleaned.starts_with('-') {
        return Err("must be zero or more".into());
    }
    let (whole, frac) = match cleaned.split_once('.') {
        Some((w, f)) => (w, f),
        None => (cleaned.as_str(), ""),
    };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !digits(whole) || !(frac.is_empty() || digits(frac)) {
        return Err("must be a number, such as 120000 or 120,000.50".into());
    }
    if frac.len() > 2 {
        return Err("can have at most two decimals".into());
    }
    if whole.len() > 13 {
        return Err("is too large".into());
    }
    let whole: i64 = whole.parse().map_err(|_| "is too large".to_string())?;
    let frac: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().unwrap_or(0) };
    Ok(whole * 100 + frac)
}

/// The sign written before an amount in `currency` (empty for a currency shown by its code).
fn symbol(currency: &str) -> &'static str {
    match currency {
        "USD" | "CAD" | "AUD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "JPY" => "¥",
        _ => "",
    }
}

/// Formats minor units for people: `$1,234,567` (cents shown only when there are any).
pub fn format_minor(minor: i64, currency: &str) -> String {
    let symbol = symbol(currency);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let whole = group_thousands(abs / 100);
    let cents = abs % 100;
    let number = if cents == 0 { whole } else { format!("{whole}.{cents:02}") };
    if symbol.is_empty() {
        format!("{sign}{number} {currency}")
    } else if currency == "CAD" || currency == "AUD" {
        format!("{sign}{symbol}{number} {currency}")
    } else {
        format!("{sign}{symbol}{number}")
    }
}

/// Compact form for dense tables and charts: `$1.2M`, `$940K`.
pub fn format_compact(minor: i64, currency: &str) -> String {
    let major = minor as f64 / 100.0;
    let symbol = symbol(currency);
    let (value, suffix) = if major >= 1e9 {
        (major / 1e9, "B")
    } else if major >= 1e6 {
        (major / 1e6, "M")
    } else if major >= 1e3 {
        (major / 1e3, "K")
    } else {
        (major, "")
    };
    let num = if suffix.is_empty() || value >= 100.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    };
    if symbol.is_empty() {
        format!("{num}{suffix} {currency}")
    } else {
        format!("{symbol}{num}{suffix}")
    }
}

/// The minor units as the plain major-unit text a form field shows ("120000.5" → "120000.50").
pub fn minor_to_input(minor: i64) -> String {
    if minor % 100 == 0 {
        (minor / 100).to_string()
    } else {
        format!("{}.{:02}", minor / 100, minor % 100)
    }
}

fn group_thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_people_type() {
        assert_eq!(parse_major("120000"), Ok(12_000_000));
        assert_eq!(parse_major(" 120,000.5 "), Ok(12_000_050));
        assert_eq!(parse_major("0"), Ok(0));
        assert_eq!(parse_major("1 200.05"), Ok(120_005));
    }

    #[test]
    fn refuses_what_is_not_money() {
        assert_eq!(parse_major("-5").unwrap_err(), "must be zero or more");
        assert!(parse_major("abc").is_err());
        assert!(parse_major("1.234").unwrap_err().contains("two decimals"));
        assert_eq!(parse_major("").unwrap_err(), "is required");
        assert!(parse_major("99999999999999").is_err());
    }

    #[test]
    fn formats_for_people() {
        assert_eq!(format_minor(123_456_700, "USD"), "$1,234,567");
        assert_eq!(format_minor(50, "EUR"), "€0.50");
        assert_eq!(format_minor(100_000, "SEK"), "1,000 SEK");
        assert_eq!(format_compact(120_000_000, "USD"), "$1.2M");
        assert_eq!(format_compact(94_000_000, "GBP"), "£940K");
        assert_eq!(minor_to_input(12_000_050), "120000.50");
    }
}
