//! Hand-computed fixtures for the revenue metrics (amounts in whole units for reading ease).

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn mv(account: &str, on: NaiveDate, kind: MovementKind, before: i64, after: i64) -> Movement {
    Movement { account: account.into(), on, kind, arr_before: before, arr_after: after }
}

use MovementKind::*;

fn v(f: &Figure) -> f64 {
    f.value().expect("a value")
}

/// A 100, B 200, C 300 before Q1 2026; in Q1 A expands to 150, B contracts to 150, C churns,
/// D starts at 50 and E (churned last year) comes back at 80.
fn quarter() -> Vec<Movement> {
    vec![
        mv("A", d(2025, 1, 10), New, 0, 100),
        mv("B", d(2025, 2, 10), New, 0, 200),
        mv("C", d(2025, 3, 10), New, 0, 300),
        mv("E", d(2025, 1, 5), New, 0, 40),
        mv("E", d(2025, 6, 5), Churn, 40, 0),
        mv("A", d(2026, 2, 1), Expansion, 100, 150),
        mv("B", d(2026, 2, 2), Contraction, 200, 150),
        mv("C", d(2026, 3, 3), Churn, 300, 0),
        mv("D", d(2026, 1, 20), New, 0, 50),
        mv("E", d(2026, 3, 30), Reactivation, 0, 80),
    ]
}

#[test]
fn a_quarter_by_hand() {
    let (from, to) = (d(2026, 1, 1), d(2026, 3, 31));
    let r = retention(&quarter(), from, to);
    assert_eq!(r.cohort, ["A", "B", "C"]);
    assert_eq!((r.start_arr, r.expansion, r.contraction, r.churn), (600, 50, 50, 300));
    // GRR = (600 − 50 − 300) ÷ 600; NRR = (600 + 50 − 50 − 300) ÷ 600.
    assert!((v(&r.grr) - 250.0 / 600.0).abs() < 1e-12);
    assert!((v(&r.nrr) - 0.5).abs() < 1e-12);
    assert!((v(&r.revenue_churn) - 350.0 / 600.0).abs() < 1e-12);
    // Logos: E = 4 active at the end (A, B, D, E), N = 2 not in the cohort; (4 − 2) ÷ 3.
    assert_eq!((r.active_at_end, r.new_in_period), (4, 2));
    assert!((v(&r.logo_retention) - 2.0 / 3.0).abs() < 1e-12);
    assert!((v(&r.logo_churn) - 1.0 / 3.0).abs() < 1e-12);
    assert_eq!(
        (r.churned.clone(), r.expanded.clone(), r.contracted.clone()),
        (vec!["C".into()], vec!["A".into()], vec!["B".into()])
    );
    // E came back from before the period: shown apart, in no ratio.
    assert_eq!(
        (r.reactivated_outside.clone(), r.reactivated_outside_arr),
        (vec!["E".to_string()], 80)
    );

    let w = waterfall(&quarter(), from, to);
    assert_eq!(
        w,
        Waterfall {
            start: 600,
            new: 50,
            expansion: 50,
            contraction: 50,
            churn: 300,
            reactivation: 80,
            end: 430
        }
    );
    assert_eq!(w.start + w.new + w.expansion - w.contraction - w.churn + w.reactivation, w.end);
}

#[test]
fn an_empty_cohort_is_not_a_zero() {
    let ms = vec![mv("A", d(2026, 1, 1), New, 0, 100)];
    let r = retention(&ms, d(2026, 1, 1), d(2026, 3, 31));
    assert!(r.cohort.is_empty());
    assert!(matches!(&r.nrr, Figure::NotMeaningful(why) if why.contains("no account had ARR")));
    assert!(
        r.grr.value().is_none()
            && r.logo_retention.value().is_none()
            && r.logo_churn.value().is_none()
    );
    assert_eq!(r.new_in_period, 1);
    assert!(retention(&[], d(2026, 1, 1), d(2026, 1, 31)).nrr.value().is_none());
}

#[test]
fn a_churn_and_reactivation_within_one_period_nets_out() {
    let ms = vec![
        mv("A", d(2025, 6, 1), New, 0, 100),
        mv("A", d(2026, 1, 10), Churn, 100, 0),
        mv("A", d(2026, 2, 10), Reactivation, 0, 120),
    ];
    let r = retention(&ms, d(2026, 1, 1), d(2026, 3, 31));
    // Lost and back within the period: retained, and 20 above where it started.
    assert_eq!((r.churn, r.expansion), (0, 20));
    assert_eq!(r.churned_and_back, ["A"]);
    assert!((v(&r.grr) - 1.0).abs() < 1e-12 && (v(&r.nrr) - 1.2).abs() < 1e-12);
    assert!((v(&r.logo_retention) - 1.0).abs() < 1e-12);
    assert!(r.reactivated_outside.is_empty(), "a cohort account is not an outside reactivation");
    // The waterfall keeps both movements gross.
    let w = waterfall(&ms, d(2026, 1, 1), d(2026, 3, 31));
    assert_eq!((w.churn, w.reactivation, w.start, w.end), (100, 120, 100, 120));
    // Churned and not back by the end: churn.
    let r = retention(&ms, d(2026, 1, 1), d(2026, 1, 31));
    assert_eq!((r.churn, r.churned.len()), (100, 1));
    assert!((v(&r.nrr)).abs() < 1e-12);
}

#[test]
fn a_new_logo_that_expands_in_its_first_period_is_left_out() {
    let ms = vec![
        mv("A", d(2025, 6, 1), New, 0, 100),
        mv("N", d(2026, 1, 5), New, 0, 10),
        mv("N", d(2026, 2, 5), Expansion, 10, 500),
    ];
    let r = retention(&ms, d(2026, 1, 1), d(2026, 3, 31));
    assert_eq!((r.cohort.len(), r.expansion), (1, 0));
    assert!((v(&r.nrr) - 1.0).abs() < 1e-12, "N's growth must not lift NRR");
    assert_eq!(r.new_in_period, 1);
    let w = waterfall(&ms, d(2026, 1, 1), d(2026, 3, 31));
    assert_eq!((w.new, w.expansion, w.end), (10, 490, 600));
    // The next period, N is in the cohort and its growth counts.
    let next = [ms.clone(), vec![mv("N", d(2026, 4, 2), Expansion, 500, 600)]].concat();
    let r = retention(&next, d(2026, 4, 1), d(2026, 6, 30));
    assert_eq!((r.start_arr, r.expansion), (600, 100));
}

#[test]
fn a_contraction_to_almost_nothing_keeps_the_logo_a_churn_loses_it() {
    let ms = vec![
        mv("A", d(2025, 6, 1), New, 0, 100),
        mv("B", d(2025, 6, 1), New, 0, 100),
        mv("A", d(2026, 2, 1), Contraction, 100, 1),
        mv("B", d(2026, 2, 1), Churn, 100, 0),
    ];
    let r = retention(&ms, d(2026, 1, 1), d(2026, 3, 31));
    assert_eq!((r.contraction, r.churn), (99, 100));
    assert!((v(&r.grr) - 1.0 / 200.0).abs() < 1e-12);
    assert!((v(&r.logo_retention) - 0.5).abs() < 1e-12, "A is still a customer");
}

#[test]
fn period_boundaries_are_inclusive() {
    let (from, to) = (d(2026, 1, 1), d(2026, 1, 31));
    let on = |day: NaiveDate| {
        vec![mv("A", d(2025, 6, 1), New, 0, 100), mv("A", day, Expansion, 100, 150)]
    };
    // On the day before: part of the starting position (S = 150, nothing in the period).
    let r = retention(&on(d(2025, 12, 31)), from, to);
    assert_eq!((r.start_arr, r.expansion), (150, 0));
    // On the first and on the last day: in the period.
    for day in [from, to] {
        let r = retention(&on(day), from, to);
        assert_eq!((r.start_arr, r.expansion), (100, 50), "{day}");
        assert_eq!(waterfall(&on(day), from, to).expansion, 50);
    }
    // The day after: not yet.
    assert_eq!(retention(&on(d(2026, 2, 1)), from, to).expansion, 0);
}

#[test]
fn leap_days_start_and_end_periods() {
    assert_eq!(trailing_year(d(2024, 2, 29)), (d(2023, 3, 1), d(2024, 2, 29)));
    assert_eq!(trailing_year(d(2025, 2, 28)), (d(2024, 2, 29), d(2025, 2, 28)));
    assert_eq!(trailing_year(d(2026, 12, 31)), (d(2026, 1, 1), d(2026, 12, 31)));
    // A movement on 29 Feb is the starting position of a period from 1 March.
    let ms =
        vec![mv("A", d(2023, 6, 1), New, 0, 100), mv("A", d(2024, 2, 29), Expansion, 100, 130)];
    let r = retention(&ms, d(2024, 3, 1), d(2024, 3, 31));
    assert_eq!((r.start_arr, r.expansion), (130, 0));
    let r = retention(&ms, d(2024, 2, 1), d(2024, 2, 29));
    assert_eq!((r.start_arr, r.expansion), (100, 30));
}

#[test]
fn clv_divides_by_a_year_of_revenue_churn_and_says_when_it_cannot() {
    let to = d(2026, 12, 31);
    let mut ms: Vec<Movement> =
        (0..25).map(|i| mv(&format!("A{i:02}"), d(2025, 6, 1), New, 0, 1000)).collect();
    ms.push(mv("A00", d(2026, 5, 1), Churn, 1000, 0));
    let c = clv(&ms, to, 0.8);
    // ARPA = 24 000 ÷ 24; churn = 1 000 ÷ 25 000; CLV = 1 000 × 0.8 ÷ 0.04.
    assert!((v(&c.arpa) - 1000.0).abs() < 1e-9);
    assert!((v(&c.annual_revenue_churn) - 0.04).abs() < 1e-12);
    assert!((v(&c.clv) - 20_000.0).abs() < 1e-6);
    assert_eq!(c.cohort, 25);

    ms.pop();
    assert!(
        matches!(clv(&ms, to, 0.8).clv, Figure::NotMeaningful(why) if why.contains("churn is 0"))
    );
    let small: Vec<Movement> = ms.iter().take(19).cloned().collect();
    assert!(
        matches!(clv(&small, to, 0.8).clv, Figure::NotMeaningful(why) if why.contains("at least 20"))
    );
}
