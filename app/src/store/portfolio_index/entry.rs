//! One account as the portfolio index holds it: its list row plus what filtering and sorting
//! need.

use super::Scored;
use crate::model::plan::PlanStatus;
use crate::model::*;
use crate::store::de;
use chrono::NaiveDate;
use serde::Deserialize;

/// The columns an [`Entry`] is read from.
pub(crate) const ENTRY_FIELDS: &str =
    "id, name, name_key, tier, industry, stage, arr_minor, currency, renewal_date, owner, owner_name, external_id, health_score, health_band, adoption, engagement, last_active_on, plan_status";

/// One account as the index (and the database fallback) reads it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Entry {
    #[serde(deserialize_with = "de::key")]
    pub(super) id: String,
    pub(super) name: String,
    pub(super) name_key: String,
    pub(super) tier: SizeTier,
    pub(super) industry: String,
    pub(super) stage: Stage,
    pub(super) arr_minor: i64,
    pub(super) currency: String,
    #[serde(deserialize_with = "de::date")]
    pub(super) renewal_date: NaiveDate,
    #[serde(default, deserialize_with = "de::opt_key")]
    pub(super) owner: Option<String>,
    #[serde(default)]
    pub(super) owner_name: Option<String>,
    #[serde(default)]
    pub(super) external_id: Option<String>,
    #[serde(default)]
    pub(super) health_score: Option<u8>,
    #[serde(default)]
    pub(super) health_band: Option<crate::model::health::Band>,
    #[serde(default)]
    pub(super) adoption: Option<f64>,
    #[serde(default)]
    pub(super) engagement: Option<Engagement>,
    #[serde(default)]
    pub(super) last_active_on: Option<NaiveDate>,
    #[serde(default)]
    pub(super) plan_status: Option<PlanStatus>,
}

impl Entry {
    /// An account as edited, keeping the usage facts the scorer wrote (an edit does not
    /// change them, and the account form does not carry them).
    pub(super) fn from_account(a: &Account, usage: UsageFacts) -> Self {
        Entry {
            id: a.id.to_string(),
            name: a.name.clone(),
            name_key: a.name.to_lowercase(),
            tier: a.tier,
            industry: a.industry.clone(),
            stage: a.stage,
            arr_minor: a.arr_minor,
            currency: a.currency.clone(),
            renewal_date: a.renewal_date,
            owner: a.owner_id.clone().map(Into::into),
            owner_name: a.owner_name.clone(),
            external_id: a.external_id.clone(),
            health_score: a.health_score,
            health_band: a.health_band,
            adoption: usage.adoption,
            engagement: usage.engagement,
            last_active_on: usage.last_active_on,
            plan_status: usage.plan_status,
        }
    }

    pub(crate) fn usage(&self) -> UsageFacts {
        UsageFacts {
            adoption: self.adoption,
            engagement: self.engagement,
            last_active_on: self.last_active_on,
            plan_status: self.plan_status,
        }
    }

    /// The same account with new scores and facts (what the scorer just wrote).
    pub(super) fn with_scores(&self, s: &Scored) -> Self {
        Entry {
            health_score: s.score,
            health_band: s.band,
            adoption: s.usage.adoption,
            engagement: s.usage.engagement,
            plan_status: s.usage.plan_status,
            ..self.clone()
        }
    }

    /// The whole account: the list row and what it leaves out.
    pub(crate) fn into_account(self, contract_start: NaiveDate) -> Account {
        Account {
            id: self.id.into(),
            details: ValidAccount {
                name: self.name,
                tier: self.tier,
                industry: self.industry,
                stage: self.stage,
                arr_minor: self.arr_minor,
                currency: self.currency,
                contract_start,
                renewal_date: self.renewal_date,
                owner_id: self.owner.map(Into::into),
                external_id: self.external_id,
            },
            owner_name: self.owner_name,
            health_score: self.health_score,
            health_band: self.health_band,
            updated_at: None,
        }
    }

    pub(super) fn matches(&self, f: &PortfolioFilter, q: Option<&str>, today: NaiveDate) -> bool {
        q.is_none_or(|q| self.name_key.contains(q))
            && f.tier.is_none_or(|t| self.tier == t)
            && f.industry.as_ref().is_none_or(|i| &self.industry == i)
            && f.stage.is_none_or(|s| self.stage == s)
            && match f.owner.as_deref() {
                None => true,
                Some("none") => self.owner.is_none(),
                Some(o) => self.owner.as_deref() == Some(o),
            }
            && f.renewal_before.is_none_or(|d| self.renewal_date <= d)
            && f.admits_usage(self.health_band, &self.usage(), today)
    }

    pub(crate) fn row(&self) -> AccountRow {
        AccountRow {
            id: self.id.clone(),
            name: self.name.clone(),
            tier: self.tier,
            industry: self.industry.clone(),
            stage: self.stage,
            arr_minor: self.arr_minor,
            currency: self.currency.clone(),
            renewal_date: self.renewal_date,
            owner_name: self.owner_name.clone(),
            health_score: self.health_score,
            health_band: self.health_band,
            usage: self.usage(),
        }
    }
}

/// The same order SurrealDB gives (`ORDER BY <key> <dir>, name_key ASC`), so paging is stable
/// and both agree: the direction applies to the key, ties go by name A→Z.
pub(super) fn compare(key: SortKey, desc: bool, a: &Entry, b: &Entry) -> std::cmp::Ordering {
    use std::cmp::Ordering::Equal;
    let dir = |o: std::cmp::Ordering| if desc { o.reverse() } else { o };
    let primary = match key {
        SortKey::Name => {
            return dir(a.name_key.cmp(&b.name_key)).then_with(|| dir(a.id.cmp(&b.id)))
        }
        SortKey::Arr => a.arr_minor.cmp(&b.arr_minor),
        SortKey::Renewal => a.renewal_date.cmp(&b.renewal_date),
        SortKey::Tier => a.tier.key().cmp(b.tier.key()),
        SortKey::Industry => a.industry.cmp(&b.industry),
        SortKey::Stage => a.stage.key().cmp(b.stage.key()),
        SortKey::Owner => a.owner_name.cmp(&b.owner_name),
        // Unscored accounts sort first ascending, like NONE in SurrealDB.
        SortKey::Health => a.health_score.cmp(&b.health_score),
        SortKey::Adoption => a.adoption.partial_cmp(&b.adoption).unwrap_or(Equal),
        SortKey::Engagement => a.engagement.cmp(&b.engagement),
        SortKey::LastActive => a.last_active_on.cmp(&b.last_active_on),
    };
    dir(primary).then_with(|| a.name_key.cmp(&b.name_key)).then_with(|| a.id.cmp(&b.id))
}
