//! NPS, CSAT and CES from score distributions, and closing-the-loop figures.
//!
//! Inputs are `(score, count)` pairs rather than raw scores: the database groups responses by
//! score, so a survey with a million answers arrives as at most eleven rows.

use crate::model::{Band, LoopStats, SurveyKind};

/// Net Promoter Score: % promoters (9–10) − % detractors (0–6), −100..100; `None` without
/// responses.
pub fn nps(dist: &[(i64, u64)]) -> Option<f64> {
    let n = total(dist);
    if n == 0 {
        return None;
    }
    let promoters = count_where(dist, |s| s >= 9);
    let detractors = count_where(dist, |s| s <= 6);
    Some((promoters as f64 - detractors as f64) * 100.0 / n as f64)
}

/// Customer satisfaction: % of responses scoring 4 or 5 on a 1–5 scale.
pub fn csat(dist: &[(i64, u64)]) -> Option<f64> {
    let n = total(dist);
    if n == 0 {
        return None;
    }
    Some(count_where(dist, |s| s >= 4) as f64 * 100.0 / n as f64)
}

/// Customer effort score: the mean of a 1–7 ease rating (7 = easiest).
pub fn ces(dist: &[(i64, u64)]) -> Option<f64> {
    let n = total(dist);
    if n == 0 {
        return None;
    }
    let sum: f64 = dist.iter().map(|&(s, c)| s as f64 * c as f64).sum();
    Some(sum / n as f64)
}

/// The metric of a survey kind.
pub fn score(kind: SurveyKind, dist: &[(i64, u64)]) -> Option<f64> {
    match kind {
        SurveyKind::Nps => nps(dist),
        SurveyKind::Csat => csat(dist),
        SurveyKind::Ces => ces(dist),
    }
}

/// A metric as people read it: NPS as a signed whole number, CSAT as a percentage, CES with
/// one decimal.
pub fn format_score(kind: SurveyKind, value: Option<f64>) -> String {
    match value {
        None => "—".into(),
        Some(v) => match kind {
            SurveyKind::Nps => format!("{:+.0}", v).replace("+0", "0"),
            SurveyKind::Csat => format!("{v:.0}%"),
            SurveyKind::Ces => format!("{v:.1}"),
        },
    }
}

/// Counts per band (low, mid, high).
pub fn bands(kind: SurveyKind, dist: &[(i64, u64)]) -> [(Band, u64); 3] {
    let mut out = [(Band::Low, 0), (Band::Mid, 0), (Band::High, 0)];
    for &(s, c) in dist {
        let i = kind.band(s) as usize;
        out[i].1 += c;
    }
    out
}

/// The full scale with a count for every score, so charts show empty bars too.
pub fn full_distribution(kind: SurveyKind, dist: &[(i64, u64)]) -> Vec<(i64, u64)> {
    kind.scores().map(|s| (s, dist.iter().filter(|(x, _)| *x == s).map(|(_, c)| c).sum())).collect()
}

/// Responses that came from invitations ÷ invitations sent.
pub fn response_rate(responded: u64, invited: u64) -> Option<f64> {
    (invited > 0).then(|| responded as f64 * 100.0 / invited as f64)
}

/// One follow-up for [`loop_stats`]: hours it took to close (`None` while open) and whether it
/// is past due while still open.
pub struct FollowUpTiming {
    pub hours_to_close: Option<f64>,
    pub overdue: bool,
}

/// Closed-loop rate (closed ÷ opened) and median time to close.
pub fn loop_stats(items: &[FollowUpTiming]) -> LoopStats {
    let mut closed: Vec<f64> = items.iter().filter_map(|i| i.hours_to_close).collect();
    closed.sort_by(|a, b| a.total_cmp(b));
    let opened = items.len() as u64;
    LoopStats {
        opened,
        closed: closed.len() as u64,
        overdue: items.iter().filter(|i| i.overdue).count() as u64,
        closed_rate: (opened > 0).then(|| closed.len() as f64 * 100.0 / opened as f64),
        median_hours_to_close: median(&closed),
    }
}

/// The median of sorted values.
pub fn median(sorted: &[f64]) -> Option<f64> {
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[n / 2]),
        n => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

fn total(dist: &[(i64, u64)]) -> u64 {
    dist.iter().map(|(_, c)| c).sum()
}

fn count_where(dist: &[(i64, u64)], f: impl Fn(i64) -> bool) -> u64 {
    dist.iter().filter(|(s, _)| f(*s)).map(|(_, c)| c).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(scores: &[i64]) -> Vec<(i64, u64)> {
        scores.iter().map(|&s| (s, 1)).collect()
    }

    #[test]
    fn nps_by_hand() {
        // 3 promoters, 1 passive, 2 detractors of 6: (3 - 2) / 6 = 16.7
        let d = dist(&[10, 9, 9, 8, 6, 0]);
        assert!((nps(&d).unwrap() - 100.0 / 6.0).abs() < 1e-9);
        assert_eq!(nps(&dist(&[10, 10])), Some(100.0));
        assert_eq!(nps(&dist(&[0, 6])), Some(-100.0));
        assert_eq!(nps(&dist(&[7, 8])), Some(0.0));
        assert_eq!(nps(&[]), None);
        // grouped counts give the same answer as single scores
        assert_eq!(nps(&[(10, 3), (5, 1)]), nps(&dist(&[10, 10, 10, 5])));
    }

    #[test]
    fn csat_and_ces_by_hand() {
        assert_eq!(csat(&dist(&[5, 4, 3, 1])), Some(50.0));
        assert_eq!(csat(&dist(&[3])), Some(0.0));
        assert_eq!(ces(&dist(&[7, 5, 3])), Some(5.0));
        assert_eq!(ces(&[(6, 3), (3, 1)]), Some(5.25));
        assert_eq!(ces(&[]), None);
    }

    #[test]
    fn formatting() {
        assert_eq!(format_score(SurveyKind::Nps, Some(33.4)), "+33");
        assert_eq!(format_score(SurveyKind::Nps, Some(-12.0)), "-12");
        assert_eq!(format_score(SurveyKind::Nps, Some(0.2)), "0");
        assert_eq!(format_score(SurveyKind::Csat, Some(87.5)), "88%");
        assert_eq!(format_score(SurveyKind::Ces, Some(5.25)), "5.2");
        assert_eq!(format_score(SurveyKind::Ces, None), "—");
    }

    #[test]
    fn bands_and_full_scale() {
        let d = dist(&[10, 9, 8, 6, 6]);
        assert_eq!(bands(SurveyKind::Nps, &d), [(Band::Low, 2), (Band::Mid, 1), (Band::High, 2)]);
        let full = full_distribution(SurveyKind::Csat, &[(2, 4)]);
        assert_eq!(full, vec![(1, 0), (2, 4), (3, 0), (4, 0), (5, 0)]);
    }

    #[test]
    fn closing_the_loop() {
        let items = [
            FollowUpTiming { hours_to_close: Some(10.0), overdue: false },
            FollowUpTiming { hours_to_close: Some(30.0), overdue: false },
            FollowUpTiming { hours_to_close: Some(20.0), overdue: false },
            FollowUpTiming { hours_to_close: None, overdue: true },
        ];
        let s = loop_stats(&items);
        assert_eq!(s.opened, 4);
        assert_eq!(s.closed, 3);
        assert_eq!(s.overdue, 1);
        assert_eq!(s.closed_rate, Some(75.0));
        assert_eq!(s.median_hours_to_close, Some(20.0));
        assert_eq!(median(&[1.0, 3.0]), Some(2.0));
        assert_eq!(loop_stats(&[]).closed_rate, None);
        assert_eq!(response_rate(1, 4), Some(25.0));
        assert_eq!(response_rate(0, 0), None);
    }
}
