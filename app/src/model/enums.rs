//! The closed vocabularies of customer success, each with its stored key and its label.

use serde::{Deserialize, Serialize};

/// A closed set with stored keys: what [`KeySet`](crate::model::segment::KeySet) needs to
/// read and write a set of them as `a,b,c`.
pub trait Keyed: Copy + Ord + Send + Sync + 'static {
    fn key(self) -> &'static str;
    fn parse(s: &str) -> Option<Self>;
    fn all() -> &'static [Self];
}

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $key:literal, $label:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
        pub enum $name { $(#[serde(rename = $key)] $variant,)+ }

        /// In the OpenAPI document: a string, one of the keys (utoipa's derive does not see a
        /// `serde(rename)` written through a macro, and would list the variants' Rust names).
        #[cfg(feature = "ssr")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                use utoipa::openapi::schema::{ObjectBuilder, Type};
                let labels: Vec<String> =
                    vec![$(format!("`{}`: {}", $key, $label)),+];
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some([$($key),+]))
                    .description(Some(labels.join("; ")))
                    .into()
            }
        }

        #[cfg(feature = "ssr")]
        impl utoipa::ToSchema for $name {}

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];
            /// The key stored in the database and used in URLs and forms.
            pub fn key(self) -> &'static str { match self { $($name::$variant => $key,)+ } }
            /// What a person reads.
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label,)+ } }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($key => Some($name::$variant),)+ _ => None }
            }
            /// The keys joined for a message such as "must be one of …".
            pub fn choices() -> String {
                Self::ALL.iter().map(|v| v.label()).collect::<Vec<_>>().join(", ")
            }
        }

        impl $crate::model::enums::Keyed for $name {
            fn key(self) -> &'static str { $name::key(self) }
            fn parse(s: &str) -> Option<Self> { $name::parse(s) }
            fn all() -> &'static [Self] { Self::ALL }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

vocabulary! {
    /// A person's role in Bellwether itself.
    Role {
        Admin => "admin", "Admin";
        Csm => "csm", "CSM";
        Exec => "exec", "Executive";
    }
}

vocabulary! {
    /// Company size tier, the first cut of every portfolio.
    SizeTier {
        Enterprise => "enterprise", "Enterprise";
        MidMarket => "mid_market", "Mid-market";
        Smb => "smb", "SMB";
    }
}

vocabulary! {
    /// Where the customer is in its journey.
    Stage {
        Onboarding => "onboarding", "Onboarding";
        Implementation => "implementation", "Implementation";
        Growth => "growth", "Growth";
        Renewal => "renewal", "Renewal";
        Churned => "churned", "Churned";
    }
}

vocabulary! {
    /// A staff member's role on one account's team.
    TeamRole {
        Csm => "csm", "CSM";
        AccountManager => "account_manager", "Account Manager";
        TechnicalSupport => "technical_support", "Technical Support";
        SubjectMatterExpert => "sme", "Subject Matter Expert";
    }
}

impl Role {
    /// Executives watch; they never change customer data.
    pub fn can_edit_accounts(self) -> bool {
        matches!(self, Role::Admin | Role::Csm)
    }
    pub fn can_manage_users(self) -> bool {
        matches!(self, Role::Admin)
    }
}

/// Industries offered as suggestions; any other industry may be typed.
pub const INDUSTRIES: &[&str] = &[
    "Software",
    "Financial Services",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Education",
    "Logistics",
    "Media",
    "Telecommunications",
    "Energy",
    "Public Sector",
    "Hospitality",
];

/// Currencies accepted for ARR. A short, explicit list beats accepting any three letters.
pub const CURRENCIES: &[&str] =
    &["USD", "EUR", "GBP", "CAD", "AUD", "CHF", "JPY", "SEK", "NOK", "DKK"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.key()), Some(*s));
        }
        for t in TeamRole::ALL {
            assert_eq!(TeamRole::parse(t.key()), Some(*t));
        }
        assert_eq!(SizeTier::parse("mid_market"), Some(SizeTier::MidMarket));
        assert_eq!(SizeTier::parse("Mid-market"), None);
    }

    #[test]
    fn only_admins_and_csms_edit() {
        assert!(Role::Admin.can_edit_accounts());
        assert!(Role::Csm.can_edit_accounts());
        assert!(!Role::Exec.can_edit_accounts());
        assert!(!Role::Csm.can_manage_users());
    }
}
