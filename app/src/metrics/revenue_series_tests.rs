//! The dashboard's revenue series: the monthly series against `retention` itself on a
//! generated ledger, and hand-computed cohort fixtures (amounts in whole units).

use super::*;
use crate::metrics::revenue::retention;
use crate::model::revenue::MovementKind::{self, *};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn mv(account: &str, on: NaiveDate, kind: MovementKind, before: i64, after: i64) -> Movement {
    Movement { account: account.into(), on, kind, arr_before: before, arr_after: after }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

/// A small deterministic generator (xorshift64*), so the fixture is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// `accounts` valid ledgers from 2023 into 2026: a `new`, then expansions, contractions,
/// churns and reactivations a few days to a few months apart, sometimes two on one day, some
/// on 29 February 2024; shuffled, so nothing relies on the input's order across accounts.
fn ledger_fixture(accounts: usize, seed: u64) -> Vec<Movement> {
    let mut rng = Rng(seed);
    let mut out: Vec<(u64, Movement)> = Vec::new();
    for a in 0..accounts {
        let shuffle = rng.next();
        let name = format!("acc{a:05}");
        let mut on = d(2023, 1, 1) + chrono::Duration::days(rng.below(900) as i64);
        if a % 17 == 0 {
            on = d(2024, 2, 29);
        }
        let mut arr = 100 + rng.below(10_000) as i64;
        out.push((shuffle, mv(&name, on, New, 0, arr)));
        for _ in 0..rng.below(8) {
            let gap = [0, 1, 3, 20, 45, 90, 200][rng.below(7) as usize];
            on += chrono::Duration::days(gap);
            let (kind, after) = if arr == 0 {
                (Reactivation, 50 + rng.below(5000) as i64)
            } else {
                match rng.below(5) {
                    0 | 1 => (Expansion, arr + 1 + rng.below(3000) as i64),
                    2 if arr > 1 => (Contraction, 1 + rng.below(arr as u64 - 1) as i64),
                    _ => (Churn, 0),
                }
            };
            out.push((shuffle, mv(&name, on, kind, arr, after)));
            arr = after;
        }
    }
    // Accounts in a random order; each account's own movements keep theirs (a stable sort).
    out.sort_by_key(|(k, _)| *k);
    out.into_iter().map(|(_, m)| m).collect()
}

#[test]
fn monthly_equals_retention_month_by_month() {
    let ms = ledger_fixture(400, 0x9E37_79B9_7F4A_7C15);
    for last in [d(2026, 3, 31), d(2025, 11, 17), d(2024, 2, 29)] {
        let series = monthly(&ms, last, 30);
        assert_eq!(series.len(), 30);
        for (i, m) in series.iter().enumerate() {
            let from = m.month;
            let next = from.checked_add_months(Months::new(1)).unwrap();
            let to = if i + 1 == series.len() { last } else { day_before(next) };
            let r = retention(&ms, from, to);
            assert_eq!(from.day(), 1);
            assert_eq!(
                (m.cohort, m.nrr, m.grr),
                (r.cohort.len(), r.nrr.value(), r.grr.value()),
                "{from}"
            );
        }
        assert_eq!(series.last().unwrap().month, first_of_month(last));
        assert!(series.windows(2).all(|w| w[0].month < w[1].month), "oldest first");
    }
    // The fixture is not trivial: months with churn, with expansion, and empty early months.
    let series = monthly(&ms, d(2026, 3, 31), 48);
    assert!(series.iter().any(|m| m.grr.is_some_and(|g| g < 1.0)));
    assert!(series.iter().any(|m| m.nrr.is_some_and(|n| n > 1.0)));
    assert!(series.first().unwrap().nrr.is_none() && series.first().unwrap().cohort == 0);
}

#[test]
fn monthly_by_hand_with_a_leap_day_and_an_empty_month() {
    let ms = vec![
        mv("A", d(2024, 1, 15), New, 0, 100),
        mv("B", d(2024, 1, 31), New, 0, 300),
        // On the leap day: February's movement, and March's starting position.
        mv("A", d(2024, 2, 29), Expansion, 100, 150),
        mv("B", d(2024, 3, 1), Churn, 300, 0),
        mv("B", d(2024, 3, 20), Reactivation, 0, 200),
    ];
    let s = monthly(&ms, d(2024, 3, 10), 3);
    let months: Vec<NaiveDate> = s.iter().map(|m| m.month).collect();
    assert_eq!(months, [d(2024, 1, 1), d(2024, 2, 1), d(2024, 3, 1)]);
    // January: nobody had ARR on 31 December.
    assert_eq!((s[0].cohort, s[0].nrr, s[0].grr), (0, None, None));
    // February: S = 400; A +50. NRR 450/400, GRR 1.
    assert_eq!(s[1].cohort, 2);
    assert!(close(s[1].nrr.unwrap(), 1.125) && close(s[1].grr.unwrap(), 1.0));
    // March to the 10th: S = 450 (A 150 after the leap day); B churned, not yet back.
    assert_eq!(s[2].cohort, 2);
    assert!(close(s[2].nrr.unwrap(), 150.0 / 450.0) && close(s[2].grr.unwrap(), 150.0 / 450.0));
    // The whole of March: B is back at 200, netted against its 300 — a contraction of 100.
    let s = monthly(&ms, d(2024, 3, 31), 1);
    assert!(close(s[0].nrr.unwrap(), 350.0 / 450.0) && close(s[0].grr.unwrap(), 350.0 / 450.0));
    assert!(monthly(&ms, d(2024, 3, 31), 0).is_empty());
    assert_eq!(monthly(&[], d(2024, 3, 31), 2).iter().map(|m| m.cohort).sum::<usize>(), 0);
}

fn cell(r: &CohortRow, k: usize) -> (f64, f64) {
    r.cells[k].unwrap_or_else(|| panic!("{} cell {k} is empty", r.label))
}

fn assert_cell(r: &CohortRow, k: usize, arr: f64, logos: f64) {
    let (a, l) = cell(r, k);
    assert!(
        close(a, arr) && close(l, logos),
        "{} cell {k}: ({a}, {l}) != ({arr}, {logos})",
        r.label
    );
}

/// Q1 2025: A (100) and B (300). A churns in Q2 and comes back at 150 in Q3; B expands to 500
/// in Q4. Q4 2025 (today's quarter, to 15 November): C starts at 200 and contracts to 150;
/// D starts after today. Q3 2024: E starts at 80 on 30 September and churns on 1 October.
fn heatmap_fixture() -> Vec<Movement> {
    vec![
        mv("E", d(2024, 9, 30), New, 0, 80),
        mv("E", d(2024, 10, 1), Churn, 80, 0),
        mv("A", d(2025, 2, 10), New, 0, 100),
        mv("B", d(2025, 3, 31), New, 0, 300),
        mv("A", d(2025, 5, 10), Churn, 100, 0),
        mv("A", d(2025, 8, 20), Reactivation, 0, 150),
        mv("B", d(2025, 11, 1), Expansion, 300, 500),
        mv("C", d(2025, 10, 5), New, 0, 200),
        mv("C", d(2025, 11, 15), Contraction, 200, 150),
        mv("D", d(2025, 11, 16), New, 0, 999),
        // After today: not yet.
        mv("B", d(2025, 12, 1), Churn, 500, 0),
    ]
}

#[test]
fn a_cohort_that_churns_comes_back_and_expands() {
    let today = d(2025, 11, 15);
    let rows = cohorts(&heatmap_fixture(), today, 8);
    let labels: Vec<&str> = rows.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(
        labels,
        ["2024 Q3", "2025 Q1", "2025 Q4"],
        "only quarters with accounts, oldest first"
    );
    // Columns: Q3 2024 … Q4 2025, six quarters, on every row.
    assert!(rows.iter().all(|r| r.cells.len() == 6));

    let q1 = &rows[1];
    assert_eq!((q1.logos, q1.start_arr), (2, 400), "B's new on 31 March is in its start quarter");
    assert_cell(q1, 0, 1.0, 1.0);
    // End of Q2: A gone. 300 ÷ 400, one logo of two.
    assert_cell(q1, 1, 0.75, 0.5);
    // End of Q3: A back at 150, counted in its original cohort: 450 ÷ 400.
    assert_cell(q1, 2, 1.125, 1.0);
    // Q4 to today: B at 500 — well over 100 % of the starting ARR; B's churn after today unseen.
    assert_cell(q1, 3, 1.625, 1.0);
    assert_eq!((q1.cells[4], q1.cells[5]), (None, None), "quarters not yet reached");
}

#[test]
fn the_current_quarter_is_counted_to_today() {
    let today = d(2025, 11, 15);
    let rows = cohorts(&heatmap_fixture(), today, 8);
    let q4 = &rows[2];
    // C contracted today: the base is its ARR today (150), not 200; D starts tomorrow.
    assert_eq!((q4.label.as_str(), q4.logos, q4.start_arr), ("2025 Q4", 1, 150));
    assert_cell(q4, 0, 1.0, 1.0);
    assert!(q4.cells[1..].iter().all(Option::is_none));
    // A day later D is in, and the base is C's 150 plus D's 999.
    let rows = cohorts(&heatmap_fixture(), d(2025, 11, 16), 8);
    assert_eq!((rows[2].logos, rows[2].start_arr), (2, 1149));
    // E started on the last day of Q3 2024 and left the next day.
    let q3 = &rows[0];
    assert_eq!((q3.label.as_str(), q3.logos, q3.start_arr), ("2024 Q3", 1, 80));
    assert_cell(q3, 0, 1.0, 1.0);
    assert_cell(q3, 1, 0.0, 0.0);
    // A cohort gone within its own quarter has no base: no cells, never a division by zero.
    let gone = vec![mv("X", d(2025, 7, 1), New, 0, 10), mv("X", d(2025, 7, 2), Churn, 10, 0)];
    let rows = cohorts(&gone, today, 4);
    assert_eq!((rows[0].logos, rows[0].start_arr), (1, 0));
    assert!(rows[0].cells.iter().all(Option::is_none));
}

#[test]
fn only_the_last_quarters_with_accounts_and_a_leap_day_start() {
    let ms = vec![
        // 29 February 2024 is in Q1 2024; a movement on 31 March is still its starting quarter,
        // one on 1 April the next.
        mv("L", d(2024, 2, 29), New, 0, 100),
        mv("L", d(2024, 3, 31), Expansion, 100, 120),
        mv("L", d(2024, 4, 1), Contraction, 120, 90),
        mv("M", d(2023, 12, 31), New, 0, 50),
        mv("N", d(2024, 7, 1), New, 0, 70),
    ];
    let today = d(2024, 8, 1);
    let rows = cohorts(&ms, today, 2);
    let labels: Vec<&str> = rows.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels, ["2024 Q1", "2024 Q3"], "2023 Q4 is beyond the last two");
    assert_eq!((rows[0].logos, rows[0].start_arr, rows[0].cells.len()), (1, 120, 3));
    assert_cell(&rows[0], 1, 0.75, 1.0);
    assert_cell(&rows[0], 2, 0.75, 1.0);
    assert_eq!(rows[1].cells, vec![Some((1.0, 1.0)), None, None]);
    assert!(cohorts(&ms, today, 0).is_empty());
    assert!(cohorts(&[], today, 8).is_empty());
    assert_eq!(quarter_end(quarter_of(d(2024, 2, 29))), d(2024, 3, 31));
    assert_eq!(quarter_end(quarter_of(d(2024, 12, 1))), d(2024, 12, 31));
}

/// How long the dashboard's series take over 500 000 movements, and the naive 24 calls to
/// `retention` for comparison: `cargo test -p app --lib --release revenue_series -- --ignored --nocapture`.
#[test]
#[ignore]
fn timing_over_half_a_million_movements() {
    let ms = ledger_fixture(110_000, 7);
    println!("{} movements", ms.len());
    let t = std::time::Instant::now();
    let fast = monthly(&ms, d(2026, 3, 31), 24);
    println!("monthly, one pass: {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let rows = cohorts(&ms, d(2026, 3, 31), 8);
    println!("cohorts: {:?} ({} rows)", t.elapsed(), rows.len());
    let t = std::time::Instant::now();
    for m in &fast {
        let next = m.month.checked_add_months(Months::new(1)).unwrap();
        let r = retention(&ms, m.month, day_before(next));
        assert_eq!(r.nrr.value(), m.nrr);
    }
    println!("monthly, 24 calls to retention: {:?}", t.elapsed());
}
