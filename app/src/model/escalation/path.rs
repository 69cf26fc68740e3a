//! Escalation types (an admin-editable list) and the path each type follows: ordered levels,
//! each a role on the account's team or a named person, and a time after which an
//! unacknowledged escalation moves up by itself (PagerDuty-style). An escalation keeps a copy
//! of the path it was opened with, so editing a path never moves people on open escalations.

use crate::error::{AppError, Checks};
use crate::metrics::sla::LevelTiming;
use crate::model::{TeamRole, UserId};
use serde::{Deserialize, Serialize};

pub const MAX_TYPES: usize = 20;
pub const MAX_LEVELS: usize = 6;
/// A level waits at most a week before moving up by itself.
pub const MAX_AFTER_MINUTES: u32 = 10_080;

vocabulary! {
    /// Who a path level names: a role on the account's team, or the executive sponsor (a
    /// named person, since accounts have no such team role).
    LevelRole {
        Csm => "csm", "CSM";
        TechnicalSupport => "technical_support", "Technical Support";
        Sme => "sme", "Subject Matter Expert";
        AccountManager => "account_manager", "Account Manager";
        ExecutiveSponsor => "executive_sponsor", "Executive sponsor";
    }
}

impl LevelRole {
    /// The account-team role this level is filled from, if any.
    pub fn team_role(self) -> Option<TeamRole> {
        match self {
            LevelRole::Csm => Some(TeamRole::Csm),
            LevelRole::TechnicalSupport => Some(TeamRole::TechnicalSupport),
            LevelRole::Sme => Some(TeamRole::SubjectMatterExpert),
            LevelRole::AccountManager => Some(TeamRole::AccountManager),
            LevelRole::ExecutiveSponsor => None,
        }
    }
}

/// One level of a path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathLevel {
    pub role: LevelRole,
    /// A named person; required for the executive sponsor, optional otherwise (it overrides
    /// the account team).
    #[serde(default)]
    pub user_id: Option<UserId>,
    /// Moves up by itself after this many minutes unacknowledged; `None` never does.
    #[serde(default)]
    pub after_minutes: Option<u32>,
}

/// An escalation type with its path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EscalationType {
    pub key: String,
    pub label: String,
    pub levels: Vec<PathLevel>,
}

/// Every type and path, as one settings record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EscalationSetup {
    pub types: Vec<EscalationType>,
}

fn level(role: LevelRole, after: Option<u32>) -> PathLevel {
    PathLevel { role, user_id: None, after_minutes: after }
}

impl Default for EscalationSetup {
    /// The four types of DESIGN.md; technical problems go to support before the account
    /// manager, commercial ones to the account manager first.
    fn default() -> Self {
        use LevelRole::*;
        let t = |key: &str, label: &str, levels| EscalationType {
            key: key.into(),
            label: label.into(),
            levels,
        };
        EscalationSetup {
            types: vec![
                t(
                    "technical",
                    "Technical",
                    vec![level(Csm, Some(30)), level(TechnicalSupport, Some(60)), level(Sme, None)],
                ),
                t(
                    "commercial",
                    "Commercial",
                    vec![level(Csm, Some(60)), level(AccountManager, None)],
                ),
                t(
                    "relationship",
                    "Relationship",
                    vec![level(Csm, Some(120)), level(AccountManager, None)],
                ),
                t(
                    "executive",
                    "Executive",
                    vec![level(AccountManager, Some(60)), level(Csm, None)],
                ),
            ],
        }
    }
}

impl EscalationSetup {
    pub fn keys(&self) -> Vec<String> {
        self.types.iter().map(|t| t.key.clone()).collect()
    }

    pub fn get(&self, key: &str) -> Option<&EscalationType> {
        self.types.iter().find(|t| t.key == key)
    }

    /// Checks every type and level; fields are named `types[i].key`, `types[i].levels[j].user_id`.
    pub fn validate(&self) -> Result<EscalationSetup, AppError> {
        let mut c = Checks::new();
        c.check(!self.types.is_empty(), "types", "keep at least one type");
        c.check(self.types.len() <= MAX_TYPES, "types", format!("at most {MAX_TYPES} types"));
        let mut out = Vec::new();
        for (i, t) in self.types.iter().enumerate() {
            let key = t.key.trim().to_lowercase();
            let ok_key = !key.is_empty()
                && key.len() <= 40
                && key
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
            c.check(ok_key, &format!("types[{i}].key"), "use 1–40 letters, digits or _");
            if self.types[..i].iter().any(|o| o.key.trim().to_lowercase() == key) {
                c.fail(&format!("types[{i}].key"), "appears twice");
            }
            let label = t.label.trim().to_string();
            c.check(
                !label.is_empty() && label.chars().count() <= 60,
                &format!("types[{i}].label"),
                "give it a name of at most 60 characters",
            );
            c.check(
                !t.levels.is_empty(),
                &format!("types[{i}].levels"),
                "a path needs at least one level",
            );
            c.check(
                t.levels.len() <= MAX_LEVELS,
                &format!("types[{i}].levels"),
                format!("at most {MAX_LEVELS} levels"),
            );
            for (j, l) in t.levels.iter().enumerate() {
                let f = format!("types[{i}].levels[{j}]");
                if l.role == LevelRole::ExecutiveSponsor && l.user_id.is_none() {
                    c.fail(&format!("{f}.user_id"), "name the executive sponsor");
                }
                if let Some(m) = l.after_minutes {
                    c.check(
                        (1..=MAX_AFTER_MINUTES).contains(&m),
                        &format!("{f}.after_minutes"),
                        format!("between 1 and {MAX_AFTER_MINUTES} minutes, or empty for never"),
                    );
                }
            }
            let mut levels = t.levels.clone();
            if let Some(last) = levels.last_mut() {
                // The last level has nowhere to go.
                last.after_minutes = None;
            }
            out.push(EscalationType { key, label, levels });
        }
        c.finish()?;
        Ok(EscalationSetup { types: out })
    }
}

/// The timings of a path, for `metrics::sla::level_state`.
pub fn timings(levels: &[PathLevel]) -> Vec<LevelTiming> {
    levels.iter().map(|l| LevelTiming { after_minutes: l.after_minutes }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_pass_and_the_last_level_never_moves_on() {
        let d = EscalationSetup::default();
        let v = d.validate().unwrap();
        assert_eq!(v.keys(), ["technical", "commercial", "relationship", "executive"]);
        assert!(v.types.iter().all(|t| t.levels.last().unwrap().after_minutes.is_none()));
    }

    #[test]
    fn bad_types_and_levels_are_named() {
        let mut d = EscalationSetup::default();
        d.types[1].key = "technical".into();
        d.types[2].levels.push(PathLevel {
            role: LevelRole::ExecutiveSponsor,
            user_id: None,
            after_minutes: None,
        });
        d.types[0].levels[0].after_minutes = Some(0);
        d.types[3].label = " ".into();
        let e = d.validate().unwrap_err();
        assert!(e.for_field("types[1].key").unwrap().contains("twice"));
        assert!(e.for_field("types[2].levels[2].user_id").is_some());
        assert!(e.for_field("types[0].levels[0].after_minutes").is_some());
        assert!(e.for_field("types[3].label").is_some());
    }
}
