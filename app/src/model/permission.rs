//! What a role may do, as a type. Every server function demands one [`Permission`] in its first
//! line; pages ask the same question to decide what to show. The refusal message lives with the
//! permission, so the same refusal reads the same everywhere.

use super::enums::Role;

/// One thing a signed-in person may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read anything staff can see: accounts, plans, surveys, dashboards. Every role.
    View,
    /// Create and change accounts, their contacts, team and sentiment.
    EditAccounts,
    /// Create, change and share success plans; log touchpoints and comments.
    EditPlans,
    /// Create, send, open and close surveys; close follow-ups; log feedback.
    RunSurveys,
    /// Save and delete segments.
    EditSegments,
    /// Acknowledge, snooze, dismiss and resolve alerts; tick their playbook steps.
    HandleAlerts,
    /// Raise escalations and record work on them (acknowledge, respond, move up, resolve).
    HandleEscalations,
    /// Invite people, change roles, deactivate.
    ManageUsers,
    /// Health models, journey templates, cadence rules and survey settings.
    ManageSettings,
    /// Create and revoke REST API keys.
    ManageApiKeys,
}

impl Permission {
    /// Whether `role` has this permission.
    pub fn allows(self, role: Role) -> bool {
        match self {
            Permission::View => true,
            Permission::EditAccounts
            | Permission::EditPlans
            | Permission::RunSurveys
            | Permission::EditSegments
            | Permission::HandleAlerts
            | Permission::HandleEscalations => matches!(role, Role::Admin | Role::Csm),
            Permission::ManageUsers | Permission::ManageSettings | Permission::ManageApiKeys => {
                matches!(role, Role::Admin)
            }
        }
    }

    /// Why a role without this permission is refused, completing "your role does not allow
    /// this: …".
    pub fn refusal(self) -> &'static str {
        match self {
            Permission::View => "sign in as staff to see this",
            Permission::EditAccounts => "executives can view accounts but not change them",
            Permission::EditPlans => "executives can read success plans but not change them",
            Permission::RunSurveys => {
                "executives can read surveys and feedback but not act on them"
            }
            Permission::EditSegments => "executives can use segments but not change them",
            Permission::HandleAlerts => "executives can read alerts but not act on them",
            Permission::HandleEscalations => "executives can read escalations but not act on them",
            Permission::ManageUsers => "only admins manage users",
            Permission::ManageSettings => "only admins change settings",
            Permission::ManageApiKeys => "only admins manage API keys",
        }
    }
}

impl Role {
    /// Whether this role has `p`.
    pub fn may(self, p: Permission) -> bool {
        p.allows(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executives_read_csms_edit_admins_manage() {
        for p in [
            Permission::EditAccounts,
            Permission::EditPlans,
            Permission::RunSurveys,
            Permission::HandleAlerts,
            Permission::HandleEscalations,
        ] {
            assert!(!Role::Exec.may(p));
            assert!(Role::Csm.may(p));
            assert!(Role::Admin.may(p));
        }
        for p in [Permission::ManageUsers, Permission::ManageSettings, Permission::ManageApiKeys] {
            assert!(!Role::Csm.may(p));
            assert!(Role::Admin.may(p));
        }
        assert!(Role::Exec.may(Permission::View));
    }
}
