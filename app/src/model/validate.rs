//! Small checks shared by every form.

use chrono::NaiveDate;

/// A pragmatic email check: one `@`, a local part, a dotted domain, no spaces, ≤ 254 chars.
/// Deliverability is proven by sending mail, not by a regex.
pub fn is_email(s: &str) -> bool {
    if s.len() > 254 || s.chars().any(|c| c.is_whitespace()) {
        return false;
    }
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

/// Trims and checks a required text field; returns the message on failure.
pub fn required_text(value: &str, max: usize) -> Result<String, String> {
    let v = value.trim();
    if v.is_empty() {
        Err("is required".into())
    } else if v.chars().count() > max {
        Err(format!("must be at most {max} characters"))
    } else {
        Ok(v.to_string())
    }
}

/// Trims an optional text field; empty means none.
pub fn optional_text(value: &str, max: usize) -> Result<Option<String>, String> {
    let v = value.trim();
    if v.is_empty() {
        Ok(None)
    } else if v.chars().count() > max {
        Err(format!("must be at most {max} characters"))
    } else {
        Ok(Some(v.to_string()))
    }
}

/// Parses an ISO date as an `<input type=date>` sends it.
pub fn date(value: &str) -> Result<NaiveDate, String> {
    let v = value.trim();
    if v.is_empty() {
        return Err("is required".into());
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| "must be a date such as 2026-01-31".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(is_email("dana@example.com"));
        assert!(is_email("d.o+tag@sub.example.co.uk"));
        for bad in [
            "",
            "dana",
            "dana@",
            "@example.com",
            "dana@example",
            "da na@example.com",
            "a@b@c.com",
            "a@.com",
            "a@b..com",
        ] {
            assert!(!is_email(bad), "{bad} should be refused");
        }
    }

    #[test]
    fn text_and_dates() {
        assert_eq!(required_text("  Acme  ", 10), Ok("Acme".into()));
        assert_eq!(required_text("   ", 10), Err("is required".into()));
        assert!(required_text("abcdefghijk", 10).is_err());
        assert_eq!(optional_text("", 5), Ok(None));
        assert_eq!(date("2026-02-28"), Ok(NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()));
        assert!(date("2026-02-30").is_err());
        assert!(date("28/02/2026").is_err());
    }
}
