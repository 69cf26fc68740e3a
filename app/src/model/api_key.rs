//! REST API keys as Settings lists them, and the scopes a key can carry. A scope is a closed set
//! (`ApiScope`): the REST extractors demand one by type, Settings offers `ApiScope::ALL`, and a key
//! stores the scope's key (`events:write`), so an old key keeps working whatever the labels say.

use crate::error::{AppError, Checks};
use serde::{Deserialize, Serialize};

vocabulary! {
    /// What an API key lets another system do.
    ApiScope {
        EventsWrite => "events:write", "send product-usage events";
        HealthRead => "health:read", "read health scores";
        AlertsRead => "alerts:read", "read alerts";
        AlertsWrite => "alerts:write", "acknowledge, snooze, dismiss and resolve alerts";
        MessagesWrite => "messages:write", "send messages to and from customers";
        SettingsWrite => "settings:write", "create and change business calendars and SLA policies";
        EscalationsRead => "escalations:read", "read escalations and their SLA clocks";
        EscalationsWrite => "escalations:write", "open escalations and record work on them";
        IncidentsWrite => "incidents:write", "report outages (incidents) for uptime";
        AccountsRead => "accounts:read", "read accounts, their contacts and team";
        AccountsWrite => "accounts:write", "create and update accounts (upsert by external id)";
        TouchpointsWrite => "touchpoints:write", "log touchpoints (calls, emails, meetings)";
        PlansRead => "plans:read", "read success plans";
        PlansWrite => "plans:write", "set the status of success-plan tasks";
        RevenueWrite => "revenue:write", "record ARR movements";
        SurveysRead => "surveys:read", "read survey responses (a feed in the order they change)";
        SurveysWrite => "surveys:write", "import survey responses collected elsewhere";
        MetricsRead => "metrics:read", "read revenue, retention and survey metrics";
    }
}

/// The API keys list in Settings (the secret itself is shown once, at creation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKey {
    pub id: String,
    pub name: String,
    pub prefix: String,
    /// The stored scope keys (`events:write`).
    pub scopes: Vec<String>,
    pub created_at: crate::model::Timestamp,
    pub last_used_at: Option<crate::model::Timestamp>,
    pub revoked: bool,
    /// Who made the key in Settings; `None` for keys made outside it (the command line).
    pub created_by: Option<KeyCreator>,
}

/// The person who made an API key. Keys keep working when that person leaves (an integration
/// must not stop because someone changed jobs), so Settings shows whether they are still active
/// and admins can decide to revoke.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyCreator {
    pub name: String,
    pub active: bool,
}

/// A key's name and scopes, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidApiKey {
    pub name: String,
    /// At least one, each once, in the order given.
    pub scopes: Vec<ApiScope>,
}

impl ValidApiKey {
    /// The scopes as stored.
    pub fn scope_keys(&self) -> Vec<String> {
        self.scopes.iter().map(|s| s.key().to_string()).collect()
    }
}

/// Checks a key's name and scopes (shared by Settings and the CLI).
pub fn validate_api_key(name: &str, scopes: &[String]) -> Result<ValidApiKey, AppError> {
    let mut c = Checks::new();
    let name = crate::model::validate::required_text(name, 80)
        .map_err(|m| c.fail("name", m))
        .unwrap_or_default();
    let mut out = Vec::new();
    for s in scopes.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        match ApiScope::parse(s) {
            Some(scope) if !out.contains(&scope) => out.push(scope),
            Some(_) => {}
            None => c.fail(
                "scopes",
                format!(
                    "unknown scope “{s}”; choose from {}",
                    ApiScope::ALL.iter().map(|s| s.key()).collect::<Vec<_>>().join(", ")
                ),
            ),
        }
    }
    if out.is_empty() {
        c.fail("scopes", "choose at least one scope");
    }
    c.finish()?;
    Ok(ValidApiKey { name, scopes: out })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_checked_and_kept_once_in_order() {
        let given = ["health:read", " events:write ", "health:read", ""].map(String::from);
        let v = validate_api_key("Analytics", &given).unwrap();
        assert_eq!(v.scopes, vec![ApiScope::HealthRead, ApiScope::EventsWrite]);
        assert_eq!(v.scope_keys(), vec!["health:read", "events:write"]);
    }

    #[test]
    fn unknown_scopes_and_missing_names_are_named() {
        let err = validate_api_key("", &["root".to_string()]).unwrap_err();
        assert!(err.for_field("name").is_some());
        let scopes = err.for_field("scopes").unwrap();
        assert!(scopes.contains("unknown scope “root”"), "{scopes}");
        assert!(scopes.contains("events:write, health:read, alerts:read"), "{scopes}");
        let err = validate_api_key("Analytics", &[]).unwrap_err();
        assert_eq!(err.for_field("scopes").as_deref(), Some("choose at least one scope"));
    }
}
