//! Accounts (the customer companies), their contacts and their team.

use super::enums::{SizeTier, Stage, TeamRole, CURRENCIES};
use super::ids::{AccountId, ContactId, UserId};
use super::money::parse_major;
use super::validate::{date, is_email, optional_text, required_text};
use crate::error::{AppError, Checks};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// An account as the account page shows it: its validated details (what the form sets) and
/// what Bellwether adds — the id, the owner's name, the latest score. Reads of the details go
/// through `Deref` (`account.name`); the JSON is one flat object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Account {
    pub id: AccountId,
    #[serde(flatten)]
    pub details: ValidAccount,
    pub owner_name: Option<String>,
    /// The latest health score and its band (see `metrics::health`).
    #[serde(default)]
    pub health_score: Option<u8>,
    #[serde(default)]
    pub health_band: Option<super::health::Band>,
    /// When the account was last changed: its version for a sync (a CRM sends it back as
    /// `if_unmodified_since`). Read with the account's detail; `None` in list rows.
    #[serde(default)]
    pub updated_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl std::ops::Deref for Account {
    type Target = ValidAccount;
    fn deref(&self) -> &ValidAccount {
        &self.details
    }
}

/// The account form exactly as posted: every value is text, so that what a person typed can be
/// checked and answered field by field (a number field holding "12k" is an error to explain, not
/// a deserialisation failure).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountInput {
    pub name: String,
    pub tier: String,
    pub industry: String,
    pub stage: String,
    /// ARR in major units as typed ("120000", "120,000.50").
    pub arr: String,
    pub currency: String,
    pub contract_start: String,
    pub renewal_date: String,
    /// A user id, or empty for no owner.
    #[serde(default)]
    pub owner_id: String,
    /// The id in the CRM (optional); usage events may name the account by it.
    #[serde(default)]
    pub external_id: String,
    /// When a changed ARR took effect (YYYY-MM-DD; empty: today, or the contract start for a
    /// new account): the form records the change as an ARR movement on this day.
    #[serde(default)]
    pub arr_on: String,
    /// Why the ARR changed, kept with the movement.
    #[serde(default)]
    pub arr_reason: String,
}

/// An [`AccountInput`] that passed every check that needs no database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ValidAccount {
    pub name: String,
    pub tier: SizeTier,
    pub industry: String,
    pub stage: Stage,
    pub arr_minor: i64,
    pub currency: String,
    pub contract_start: NaiveDate,
    pub renewal_date: NaiveDate,
    pub owner_id: Option<UserId>,
    /// The id other systems (a CRM) know this account by; usage events may name it.
    #[serde(default)]
    pub external_id: Option<String>,
}

pub const ACCOUNT_NAME_MAX: usize = 200;

impl AccountInput {
    pub fn from_account(a: &Account) -> Self {
        Self {
            name: a.name.clone(),
            tier: a.tier.key().into(),
            industry: a.industry.clone(),
            stage: a.stage.key().into(),
            arr: super::money::minor_to_input(a.arr_minor),
            currency: a.currency.clone(),
            contract_start: a.contract_start.to_string(),
            renewal_date: a.renewal_date.to_string(),
            owner_id: a.owner_id.as_deref().unwrap_or_default().to_string(),
            external_id: a.external_id.clone().unwrap_or_default(),
            arr_on: String::new(),
            arr_reason: String::new(),
        }
    }

    pub fn validate(&self) -> Result<ValidAccount, AppError> {
        let mut c = Checks::new();
        let name = required_text(&self.name, ACCOUNT_NAME_MAX).map_err(|m| c.fail("name", m)).ok();
        let tier = SizeTier::parse(&self.tier);
        if tier.is_none() {
            c.fail("tier", format!("must be one of {}", SizeTier::choices()));
        }
        let industry = required_text(&self.industry, 100).map_err(|m| c.fail("industry", m)).ok();
        let stage = Stage::parse(&self.stage);
        if stage.is_none() {
            c.fail("stage", format!("must be one of {}", Stage::choices()));
        }
        let arr_minor = parse_major(&self.arr).map_err(|m| c.fail("arr", m)).ok();
        let currency = self.currency.trim().to_uppercase();
        c.check(
            CURRENCIES.contains(&currency.as_str()),
            "currency",
            format!("must be one of {}", CURRENCIES.join(", ")),
        );
        let start = date(&self.contract_start).map_err(|m| c.fail("contract_start", m)).ok();
        let renewal = date(&self.renewal_date).map_err(|m| c.fail("renewal_date", m)).ok();
        if let (Some(s), Some(r)) = (start, renewal) {
            c.check(r > s, "renewal_date", "must be after the contract start");
        }
        let owner = self.owner_id.trim();
        let external_id = optional_text(&self.external_id, 200)
            .map_err(|m| c.fail("external_id", m))
            .ok()
            .flatten();
        c.finish()?;
        Ok(ValidAccount {
            name: name.unwrap_or_default(),
            tier: tier.unwrap_or(SizeTier::Smb),
            industry: industry.unwrap_or_default(),
            stage: stage.unwrap_or(Stage::Onboarding),
            arr_minor: arr_minor.unwrap_or_default(),
            currency,
            contract_start: start.unwrap_or_default(),
            renewal_date: renewal.unwrap_or_default(),
            owner_id: (!owner.is_empty()).then(|| owner.into()),
            external_id,
        })
    }
}

/// A person at the customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Contact {
    pub id: ContactId,
    pub account_id: AccountId,
    pub name: String,
    pub email: String,
    pub title: Option<String>,
    pub champion: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactInput {
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub title: String,
    /// A checkbox: present ("on"/"true") when ticked.
    #[serde(default)]
    pub champion: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValidContact {
    pub name: String,
    pub email: String,
    pub title: Option<String>,
    pub champion: bool,
}

impl ContactInput {
    pub fn validate(&self) -> Result<ValidContact, AppError> {
        let mut c = Checks::new();
        let name = required_text(&self.name, 200).map_err(|m| c.fail("name", m)).ok();
        let email = self.email.trim().to_lowercase();
        if email.is_empty() {
            c.fail("email", "is required");
        } else {
            c.check(is_email(&email), "email", "must be an email address such as dana@example.com");
        }
        let title = optional_text(&self.title, 200).map_err(|m| c.fail("title", m)).ok().flatten();
        c.finish()?;
        Ok(ValidContact {
            name: name.unwrap_or_default(),
            email,
            title,
            champion: matches!(self.champion.as_deref(), Some("on" | "true" | "1")),
        })
    }
}

/// One staff member's seat on an account's team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TeamMember {
    pub id: String,
    pub account_id: AccountId,
    pub user_id: UserId,
    pub user_name: String,
    pub user_email: String,
    pub role: TeamRole,
}

/// Everything the account page shows, loaded in one round trip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AccountDetail {
    pub account: Account,
    pub contacts: Vec<Contact>,
    pub team: Vec<TeamMember>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> AccountInput {
        AccountInput {
            name: " Acme Corp ".into(),
            tier: "enterprise".into(),
            industry: "Software".into(),
            stage: "growth".into(),
            arr: "250,000".into(),
            currency: "usd".into(),
            contract_start: "2026-01-01".into(),
            renewal_date: "2027-01-01".into(),
            owner_id: "".into(),
            external_id: "".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_account_passes_and_is_normalised() {
        let v = good().validate().unwrap();
        assert_eq!(v.name, "Acme Corp");
        assert_eq!(v.arr_minor, 25_000_000);
        assert_eq!(v.currency, "USD");
        assert_eq!(v.owner_id, None);
    }

    #[test]
    fn each_bad_field_is_named() {
        let bad = AccountInput {
            name: "".into(),
            tier: "huge".into(),
            industry: " ".into(),
            stage: "".into(),
            arr: "-10".into(),
            currency: "XXX".into(),
            contract_start: "2026-05-01".into(),
            renewal_date: "2026-04-01".into(),
            owner_id: "".into(),
            external_id: "".into(),
            ..Default::default()
        };
        let err = bad.validate().unwrap_err();
        assert_eq!(err.for_field("name").as_deref(), Some("is required"));
        assert!(err.for_field("tier").unwrap().contains("Enterprise"));
        assert_eq!(err.for_field("industry").as_deref(), Some("is required"));
        assert!(err.for_field("stage").is_some());
        assert_eq!(err.for_field("arr").as_deref(), Some("must be zero or more"));
        assert!(err.for_field("currency").is_some());
        assert_eq!(
            err.for_field("renewal_date").as_deref(),
            Some("must be after the contract start")
        );
    }

    #[test]
    fn renewal_on_the_start_day_is_refused() {
        let mut a = good();
        a.renewal_date = a.contract_start.clone();
        assert!(a.validate().unwrap_err().for_field("renewal_date").is_some());
    }

    #[test]
    fn contacts_need_a_real_email() {
        let c = ContactInput {
            name: "Dana".into(),
            email: "Dana@Example.com".into(),
            title: "".into(),
            champion: Some("on".into()),
        };
        let v = c.validate().unwrap();
        assert_eq!(v.email, "dana@example.com");
        assert!(v.champion);
        let bad = ContactInput { name: "".into(), email: "nope".into(), ..Default::default() };
        let e = bad.validate().unwrap_err();
        assert!(e.for_field("name").is_some() && e.for_field("email").is_some());
    }
}
