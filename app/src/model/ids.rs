//! Typed ids for the main aggregates, so an account's id cannot be passed where a plan's is
//! expected.
//!
//! Each is the record key as text (`0193…`, never `account:⟨0193…⟩`) and crosses the wire as
//! that bare string (`#[serde(transparent)]`), so JSON, form posts and URLs look exactly as they
//! did when ids were `String`. `Deref<Target = str>` lets `&id` go wherever a `&str` is taken
//! (query variables, `format!`, comparisons), so only the places that *make* an id from text
//! say which kind it is. Plain data, no server-only dependency: the browser build uses them too.

use serde::{Deserialize, Serialize};

/// Defines one id newtype over `String` with the conversions every id shares.
macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)+) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        /// Maps and sets keyed by id can be searched with a plain `&str`.
        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_string())
            }
        }

        impl From<&String> for $name {
            fn from(s: &String) -> Self {
                Self(s.clone())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }
    )+};
}

ids! {
    /// A customer account (`account` table).
    AccountId;
    /// A staff member who signs in (`user` table).
    UserId;
    /// A success plan (`plan` table).
    PlanId;
    /// A survey (`survey` table).
    SurveyId;
    /// A person at a customer (`contact` table).
    ContactId;
    /// A journey template plans are built from (`journey_template` table).
    TemplateId;
    /// An escalation on an account (`escalation` table).
    EscalationId;
    /// A business calendar SLA clocks count in (`calendar` table).
    CalendarId;
    /// An SLA policy (`sla_policy` table).
    PolicyId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_cross_the_wire_as_bare_strings() {
        let id = AccountId::from("0193abc");
        assert_eq!(serde_json::to_value(&id).unwrap(), serde_json::json!("0193abc"));
        assert_eq!(serde_json::from_value::<AccountId>(serde_json::json!("0193abc")).unwrap(), id);
        assert_eq!(id.to_string(), "0193abc");
        assert_eq!(id, "0193abc");
    }

    #[test]
    fn ids_pass_as_str() {
        fn takes(s: &str) -> usize {
            s.len()
        }
        let id = PlanId::from(String::from("p1"));
        assert_eq!(takes(&id), 2);
        let mut set = std::collections::HashSet::new();
        set.insert(id.clone());
        assert!(set.contains("p1"));
        assert_eq!(id.into_inner(), "p1");
    }
}
