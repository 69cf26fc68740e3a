//! Survey-wide settings an admin sets.

use crate::error::{AppError, Checks};
use serde::{Deserialize, Serialize};

/// Survey-wide settings (admin).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveySettings {
    /// A contact is not invited again within this many days, whatever the survey.
    pub cap_days: i64,
    /// Days a CSM has to close a follow-up.
    pub follow_up_days: i64,
}

impl Default for SurveySettings {
    fn default() -> Self {
        Self { cap_days: 90, follow_up_days: 7 }
    }
}

impl SurveySettings {
    pub fn parse(cap_days: &str, follow_up_days: &str) -> Result<Self, AppError> {
        let mut c = Checks::new();
        let cap = cap_days.trim().parse::<i64>();
        c.check(
            matches!(cap, Ok(0..=730)),
            "cap_days",
            "a whole number of days from 0 (no cap) to 730",
        );
        let due = follow_up_days.trim().parse::<i64>();
        c.check(matches!(due, Ok(1..=90)), "follow_up_days", "a whole number of days from 1 to 90");
        c.finish()?;
        Ok(Self { cap_days: cap.unwrap_or(90), follow_up_days: due.unwrap_or(7) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_have_bounds() {
        assert_eq!(SurveySettings::parse("90", "7").unwrap(), SurveySettings::default());
        let e = SurveySettings::parse("-1", "0").unwrap_err();
        assert!(e.for_field("cap_days").is_some());
        assert!(e.for_field("follow_up_days").is_some());
    }
}
