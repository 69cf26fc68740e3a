//! The model editor's "most affected accounts": which accounts a draft model scores differently
//! from the saved one, and by how much. Pure, so the browser runs it on every keystroke and a
//! unit test pins it down.

use crate::model::health::WhatIfAccount;

/// An account whose score the draft changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreChange {
    pub id: String,
    pub name: String,
    /// The saved model's score (`None`: not scored).
    pub before: Option<u8>,
    /// The draft's score.
    pub after: Option<u8>,
    /// `after − before`, a missing score counting as 0.
    pub delta: i32,
}

impl ScoreChange {
    /// Whether the draft scores the account higher (or equal, for a score that only appears or
    /// disappears at 0).
    pub fn rises(&self) -> bool {
        self.delta >= 0
    }
}

/// The accounts a draft changes: the most affected, and how many change in all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScoreChanges {
    /// At most the `keep` asked for: the largest moves (up or down) first, equal moves in the
    /// accounts' order.
    pub most_affected: Vec<ScoreChange>,
    /// How many accounts change.
    pub total: usize,
}

/// Compares `before[i]` with `after[i]` for each of `accounts[i]` and keeps the `keep` largest
/// moves.
pub fn score_changes(
    accounts: &[WhatIfAccount], before: &[Option<u8>], after: &[Option<u8>], keep: usize,
) -> ScoreChanges {
    let mut moved: Vec<ScoreChange> = accounts
        .iter()
        .zip(before.iter().zip(after))
        .filter(|(_, (old, new))| old != new)
        .map(|(a, (old, new))| ScoreChange {
            id: a.id.clone(),
            name: a.name.clone(),
            before: *old,
            after: *new,
            delta: i32::from(new.unwrap_or(0)) - i32::from(old.unwrap_or(0)),
        })
        .collect();
    moved.sort_by_key(|m| std::cmp::Reverse(m.delta.abs()));
    let total = moved.len();
    moved.truncate(keep);
    ScoreChanges { most_affected: moved, total }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: &str) -> WhatIfAccount {
        WhatIfAccount {
            id: id.into(),
            name: format!("Account {id}"),
            arr_minor: 0,
            currency: "USD".into(),
            facts: Default::default(),
        }
    }

    #[test]
    fn the_largest_moves_come_first_and_unchanged_accounts_are_left_out() {
        let accounts: Vec<_> = ["a", "b", "c", "d", "e"].into_iter().map(account).collect();
        let before = [Some(50), Some(60), Some(70), None, Some(30)];
        let after = [Some(50), Some(65), Some(58), Some(40), Some(25)];
        let changes = score_changes(&accounts, &before, &after, 3);
        assert_eq!(changes.total, 4);
        let order: Vec<(&str, i32)> =
            changes.most_affected.iter().map(|c| (c.id.as_str(), c.delta)).collect();
        // d appears (0 → 40), c falls by 12; b and e tie at 5 and keep their order.
        assert_eq!(order, [("d", 40), ("c", -12), ("b", 5)]);
        assert!(changes.most_affected[0].rises());
        assert!(!changes.most_affected[1].rises());
        assert_eq!(changes.most_affected[1].before, Some(70));
        assert_eq!(changes.most_affected[1].after, Some(58));
        assert_eq!(changes.most_affected[1].name, "Account c");
    }

    #[test]
    fn a_draft_like_the_saved_model_changes_nothing() {
        let accounts = vec![account("a")];
        let changes = score_changes(&accounts, &[Some(10)], &[Some(10)], 8);
        assert_eq!(changes, ScoreChanges::default());
    }
}
