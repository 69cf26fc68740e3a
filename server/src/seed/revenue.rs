//! Two years of ARR movements for the seeded accounts, so every revenue figure (NRR, GRR, logo
//! retention, CLV, the waterfall and the cohort heatmap) has a plausible history to show.
//!
//! The ledger is the truth about ARR: an account's ARR is its last movement's `arr_after`. So
//! each history is built backwards from what the account was seeded with — it ends exactly at
//! the account's ARR, or, for a churned account, at that ARR and then a churn to 0 on its churn
//! day (after which the account's ARR is 0). Going forwards, every movement continues the one
//! before it and its kind fits its amounts, as [`MovementInput::validate`] demands of any
//! movement (the unit test replays every generated ledger through it).
//!
//! Per account, in the generator's fixed order: a `new` on the contract start; about 35 % of
//! accounts expand once or twice and about 12 % contract once, on days within the last two years
//! (not in their first month); about 2.5 % lose the account and win it back (a churn, then a
//! reactivation); churned accounts end with their churn.

use app::model::revenue::MovementKind;
use app::store::revenue::NewMovement;
use chrono::{Days, NaiveDate};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// What the generator needs to know about one seeded account.
#[derive(Debug, Clone)]
pub(super) struct SeedAccount {
    pub key: String,
    pub contract_start: NaiveDate,
    pub currency: String,
    /// The ARR the account was seeded with (minor units, > 0): the ledger ends there — before
    /// the churn, for a churned account.
    pub arr_minor: i64,
    /// For a churned account, the day it churned (moved into its contract if it falls outside).
    pub churned_on: Option<NaiveDate>,
    pub churned: bool,
}

/// How far back the changes after the first movement go.
const HISTORY_DAYS: u64 = 730;
/// Amounts are whole currency units (100 minor units), like the seeded ARR.
const UNIT: i64 = 100;

const EXPANSION: &[&str] = &[
    "Added seats",
    "Upgraded to a higher plan",
    "Onboarded another team",
    "Added a product module",
];
const CONTRACTION: &[&str] =
    &["Fewer seats at renewal", "Downgraded the plan", "Budget cut", "Dropped a product module"];
const CHURN: &[&str] =
    &["Did not renew", "Moved to a competitor", "Budget cut", "Company acquired"];
const REACTIVATION: &[&str] = &["Came back after a pilot elsewhere", "Renewed after a lapse"];

fn round_unit(minor: f64) -> i64 {
    ((minor / UNIT as f64).round() as i64 * UNIT).max(UNIT)
}

fn reason(rng: &mut ChaCha8Rng, kind: MovementKind) -> Option<String> {
    let list = match kind {
        MovementKind::New => return Some("Signed the first contract".into()),
        MovementKind::Expansion => EXPANSION,
        MovementKind::Contraction => CONTRACTION,
        MovementKind::Churn => CHURN,
        MovementKind::Reactivation => REACTIVATION,
    };
    list.choose(rng).map(|s| s.to_string())
}

/// Every account's movements, account after account, each ledger in date order. Deterministic
/// for a given generator state and input order.
pub(super) fn histories(
    rng: &mut ChaCha8Rng, accounts: &[SeedAccount], today: NaiveDate,
) -> Vec<NewMovement> {
    let mut out = Vec::with_capacity(accounts.len() * 2);
    for a in accounts {
        history(rng, a, today, &mut out);
    }
    out
}

/// The churn day: the recorded one if it falls within the contract (after its first day, up
/// to today), else a day drawn in the last 300 days of it.
fn churn_day(rng: &mut ChaCha8Rng, a: &SeedAccount, today: NaiveDate) -> NaiveDate {
    let first = a.contract_start + Days::new(1);
    match a.churned_on {
        Some(d) if d >= first && d <= today => d,
        _ => {
            let lo = first.max(today - Days::new(300)).min(today);
            lo + Days::new(rng.gen_range(0..=(today - lo).num_days().max(0) as u64))
        }
    }
}

fn history(rng: &mut ChaCha8Rng, a: &SeedAccount, today: NaiveDate, out: &mut Vec<NewMovement>) {
    use MovementKind::*;
    let churn_on = a.churned.then(|| churn_day(rng, a, today));
    // The changes between the `new` and the end, in order, as kinds first.
    let mut kinds: Vec<MovementKind> = Vec::new();
    if rng.gen_bool(0.35) {
        kinds.push(Expansion);
        if rng.gen_bool(0.4) {
            kinds.push(Expansion);
        }
    }
    if rng.gen_bool(0.12) {
        kinds.push(Contraction);
    }
    kinds.shuffle(rng);
    if rng.gen_bool(0.025) {
        let at = rng.gen_range(0..=kinds.len());
        kinds.splice(at..at, [Churn, Reactivation]);
    }
    // Their days: distinct, within the last two years, after the first month of the contract,
    // before the final churn (or up to today).
    let last = churn_on.map_or(today, |c| c - Days::new(1));
    let mut lo = (a.contract_start + Days::new(30)).max(today - Days::new(HISTORY_DAYS));
    if lo > last {
        lo = a.contract_start + Days::new(1);
    }
    let span = (last - lo).num_days() + 1;
    if span < kinds.len() as i64 {
        kinds.clear();
    }
    let mut days: Vec<NaiveDate> = if kinds.is_empty() {
        vec![]
    } else {
        rand::seq::index::sample(rng, span as usize, kinds.len())
            .into_iter()
            .map(|i| lo + Days::new(i as u64))
            .collect()
    };
    days.sort_unstable();
    // Amounts, backwards from the account's ARR: `after[i]` is the ARR after change i.
    let n = kinds.len();
    let (mut before, mut after) = (vec![0; n], vec![0; n]);
    let mut cur = a.arr_minor.max(UNIT);
    for i in (0..n).rev() {
        after[i] = cur;
        before[i] = match kinds[i] {
            Expansion => round_unit(cur as f64 / rng.gen_range(1.08..1.6)).min(cur - UNIT),
            Contraction => round_unit(cur as f64 / rng.gen_range(0.6..0.9)).max(cur + UNIT),
            Reactivation => 0,
            // Before the loss: about what it came back at (the reactivation that follows).
            Churn => round_unit(
                after.get(i + 1).copied().unwrap_or(cur) as f64 * rng.gen_range(0.7..1.15),
            ),
            New => cur,
        };
        cur = before[i];
    }
    let first = out.len();
    let mut push = |rng: &mut ChaCha8Rng, on: NaiveDate, kind, arr_before, arr_after| {
        let seq = out.len() - first;
        out.push(NewMovement {
            account: a.key.clone(),
            on,
            kind,
            arr_before,
            arr_after,
            currency: a.currency.clone(),
            reason: reason(rng, kind),
            source: "seed".into(),
            recorded_by: None,
            idempotency_key: format!("seed:{}:{seq}", a.key),
        });
    };
    push(rng, a.contract_start, New, 0, cur);
    for i in 0..n {
        push(rng, days[i], kinds[i], before[i], after[i]);
    }
    if let Some(c) = churn_on {
        push(rng, c, Churn, a.arr_minor.max(UNIT), 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::revenue::{LedgerEnd, Movement, MovementInput};
    use rand::SeedableRng;
    use std::collections::BTreeMap;

    fn accounts(rng: &mut ChaCha8Rng, n: usize, today: NaiveDate) -> Vec<SeedAccount> {
        (0..n)
            .map(|i| {
                // Some contracts start days ago, some years ago; some churn dates fall before
                // the contract (as the usage history may draw them) and must be moved.
                let start = today - Days::new(rng.gen_range(10..1800));
                let churned = rng.gen_bool(0.08);
                SeedAccount {
                    key: format!("acc{i:04}"),
                    contract_start: start,
                    currency: ["USD", "EUR", "GBP"][i % 3].into(),
                    arr_minor: rng.gen_range(2_400..2_500_000) * 100,
                    churned_on: churned.then(|| today - Days::new(rng.gen_range(15..300))),
                    churned,
                }
            })
            .collect()
    }

    #[test]
    fn every_generated_ledger_passes_validation_and_ends_at_the_account_arr() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        let accs = accounts(&mut rng, 300, today);
        let rows = histories(&mut rng, &accs, today);
        let mut by: BTreeMap<&str, Vec<&NewMovement>> = BTreeMap::new();
        for r in &rows {
            by.entry(r.account.as_str()).or_default().push(r);
        }
        let mut count = BTreeMap::<&str, usize>::new();
        for a in &accs {
            let ledger = &by[a.key.as_str()];
            let mut last: Option<Movement> = None;
            for m in ledger {
                let input = MovementInput {
                    kind: m.kind.key().into(),
                    on: m.on,
                    arr_before: m.arr_before,
                    arr_after: m.arr_after,
                    currency: m.currency.clone(),
                };
                let end = LedgerEnd {
                    contract_start: a.contract_start,
                    currency: &a.currency,
                    last: last.as_ref(),
                };
                let kind = input.validate(end).unwrap_or_else(|e| panic!("{}: {m:?}: {e}", a.key));
                assert_eq!(kind, m.kind);
                assert!(m.on <= today && m.arr_after % UNIT == 0, "{m:?}");
                assert_eq!((m.source.as_str(), m.reason.is_some()), ("seed", true));
                *count.entry(m.kind.key()).or_default() += 1;
                last = Some(Movement {
                    account: m.account.clone(),
                    on: m.on,
                    kind: m.kind,
                    arr_before: m.arr_before,
                    arr_after: m.arr_after,
                });
            }
            let (first, end) = (ledger[0], ledger[ledger.len() - 1]);
            assert_eq!((first.kind, first.on), (MovementKind::New, a.contract_start));
            if a.churned {
                assert_eq!(
                    (end.kind, end.arr_before, end.arr_after),
                    (MovementKind::Churn, a.arr_minor, 0)
                );
                if let Some(c) = a.churned_on.filter(|c| *c > a.contract_start) {
                    assert_eq!(end.on, c, "{}: the recorded churn day is kept", a.key);
                }
            } else {
                assert_eq!(end.arr_after, a.arr_minor, "{}", a.key);
            }
        }
        let keys: std::collections::HashSet<&str> =
            rows.iter().map(|r| r.idempotency_key.as_str()).collect();
        assert_eq!(keys.len(), rows.len(), "idempotency keys are unique");
        // Plausible proportions: some of every kind, mostly expansions among the changes.
        let churned = accs.iter().filter(|a| a.churned).count();
        println!("{} movements: {count:?}", rows.len());
        assert_eq!(count["new"], 300);
        assert!(count["expansion"] > 60 && count["expansion"] < 220, "{count:?}");
        assert!(count["contraction"] > 15 && count["contraction"] < 60, "{count:?}");
        assert!(count.get("reactivation").copied().unwrap_or(0) >= 2, "{count:?}");
        assert_eq!(count["churn"], churned + count.get("reactivation").copied().unwrap_or(0));

        // The same generator state gives the same history.
        let mut again = ChaCha8Rng::seed_from_u64(42);
        let accs2 = accounts(&mut again, 300, today);
        assert_eq!(histories(&mut again, &accs2, today), rows);
    }
}
