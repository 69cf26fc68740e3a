//! The contact-frequency cap across every survey, as one pure decision per contact, so the
//! audience preview and the actual send can never disagree.

use crate::model::SurveyId;
use chrono::{DateTime, Months, Utc};

/// An invitation a contact already received.
#[derive(Debug, Clone)]
pub struct PastInvitation {
    pub survey_id: SurveyId,
    pub survey_name: String,
    pub sent_at: DateTime<Utc>,
}

/// Why `history`'s contact must not be invited to `survey_id` now, or `None` if they may be.
///
/// In order: a one-off survey invites each contact once; a recurring one waits
/// `recurrence_months` since that contact's last invitation to it; and no contact gets any
/// survey within `cap_days` of their last invitation to any survey (0 = no cap).
pub fn suppression(
    now: DateTime<Utc>, cap_days: i64, survey_id: &str, recurrence_months: Option<i64>,
    history: &[PastInvitation],
) -> Option<String> {
    let last_here = history.iter().filter(|h| h.survey_id == survey_id).map(|h| h.sent_at).max();
    if let Some(last) = last_here {
        match recurrence_months {
            None => {
                return Some(format!("already invited to this survey on {}", last.date_naive()))
            }
            Some(m) => {
                let due = last.checked_add_months(Months::new(m as u32)).unwrap_or(last);
                if due > now {
                    return Some(format!(
                        "invited to this survey on {}; due again on {}",
                        last.date_naive(),
                        due.date_naive()
                    ));
                }
            }
        }
    }
    if cap_days > 0 {
        let since = now - chrono::Duration::days(cap_days);
        if let Some(recent) = history.iter().filter(|h| h.sent_at > since).max_by_key(|h| h.sent_at)
        {
            return Some(format!(
                "invited to “{}” on {}; at most one survey every {cap_days} days",
                recent.survey_name,
                recent.sent_at.date_naive()
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    fn inv(survey: &str, when: DateTime<Utc>) -> PastInvitation {
        PastInvitation {
            survey_id: survey.into(),
            survey_name: format!("Survey {survey}"),
            sent_at: when,
        }
    }

    #[test]
    fn a_new_contact_is_invited() {
        assert_eq!(suppression(at(2026, 6, 1), 90, "s", None, &[]), None);
    }

    #[test]
    fn one_off_surveys_invite_once() {
        let h = [inv("s", at(2025, 1, 1))];
        let why = suppression(at(2026, 6, 1), 90, "s", None, &h).unwrap();
        assert!(why.contains("already invited"), "{why}");
    }

    #[test]
    fn recurring_surveys_wait_their_period() {
        let h = [inv("s", at(2026, 1, 15))];
        let why = suppression(at(2026, 6, 1), 0, "s", Some(6), &h).unwrap();
        assert!(why.contains("due again on 2026-07-15"), "{why}");
        assert_eq!(suppression(at(2026, 7, 16), 0, "s", Some(6), &h), None);
    }

    #[test]
    fn the_cap_spans_all_surveys() {
        let h = [inv("other", at(2026, 5, 1))];
        let why = suppression(at(2026, 6, 1), 90, "s", None, &h).unwrap();
        assert!(why.contains("“Survey other”"), "{why}");
        assert!(why.contains("90 days"), "{why}");
        // outside the window, or with the cap off
        assert_eq!(suppression(at(2026, 8, 1), 90, "s", None, &h), None);
        assert_eq!(suppression(at(2026, 6, 1), 0, "s", None, &h), None);
    }
}
