//! The portfolio: a filtered, sorted, paged view of accounts, and saved segments (named filters).

use super::enums::{SizeTier, Stage};
use super::health::Band;
use super::plan::PlanStatus;
use super::segment::{BandChoice, Engagement, KeySet};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub const PAGE_SIZE: u32 = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum SortKey {
    #[default]
    #[serde(rename = "name")]
    Name,
    #[serde(rename = "arr")]
    Arr,
    #[serde(rename = "renewal")]
    Renewal,
    #[serde(rename = "tier")]
    Tier,
    #[serde(rename = "industry")]
    Industry,
    #[serde(rename = "stage")]
    Stage,
    #[serde(rename = "owner")]
    Owner,
    #[serde(rename = "health")]
    Health,
    #[serde(rename = "adoption")]
    Adoption,
    #[serde(rename = "engagement")]
    Engagement,
    #[serde(rename = "last_active")]
    LastActive,
}

impl SortKey {
    pub const ALL: &'static [SortKey] = &[
        SortKey::Name,
        SortKey::Arr,
        SortKey::Renewal,
        SortKey::Tier,
        SortKey::Industry,
        SortKey::Stage,
        SortKey::Owner,
        SortKey::Health,
        SortKey::Adoption,
        SortKey::Engagement,
        SortKey::LastActive,
    ];
    pub fn key(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Arr => "arr",
            SortKey::Renewal => "renewal",
            SortKey::Tier => "tier",
            SortKey::Industry => "industry",
            SortKey::Stage => "stage",
            SortKey::Owner => "owner",
            SortKey::Health => "health",
            SortKey::Adoption => "adoption",
            SortKey::Engagement => "engagement",
            SortKey::LastActive => "last_active",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.key() == s)
    }
    /// Money reads best largest first, last activity most recent first; text A→Z, levels
    /// lowest first (the accounts that need attention).
    pub fn default_descending(self) -> bool {
        matches!(self, SortKey::Arr | SortKey::LastActive)
    }
}

/// What the portfolio shows. Every field is optional; all of them together are a segment.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PortfolioFilter {
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub tier: Option<SizeTier>,
    #[serde(default)]
    pub industry: Option<String>,
    #[serde(default)]
    pub stage: Option<Stage>,
    /// A user id, or `none` for accounts without an owner.
    #[serde(default)]
    pub owner: Option<String>,
    /// Only accounts renewing on or before this date.
    #[serde(default)]
    pub renewal_before: Option<NaiveDate>,
    /// Health bands (one or several; `unscored` for accounts without a score).
    #[serde(default, skip_serializing_if = "KeySet::is_empty")]
    pub band: KeySet<BandChoice>,
    /// Feature adoption at least / at most this percent (both inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adoption_min: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adoption_max: Option<u8>,
    #[serde(default, skip_serializing_if = "KeySet::is_empty")]
    pub engagement: KeySet<Engagement>,
    /// No usage event in the last N days (never-active accounts included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inactive_days: Option<u32>,
    /// The worst status among the account's open plans.
    #[serde(default, skip_serializing_if = "KeySet::is_empty")]
    pub plan: KeySet<PlanStatus>,
    #[serde(default)]
    pub sort: SortKey,
    #[serde(default)]
    pub desc: bool,
    #[serde(default)]
    pub page: u32,
}

impl PortfolioFilter {
    /// Reads a filter from URL query pairs, ignoring what it cannot understand (a bookmarked URL
    /// from an older version must still open).
    pub fn from_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut f = PortfolioFilter::default();
        let mut desc_given = None;
        for (k, v) in pairs {
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            match k {
                "q" => f.q = Some(v.chars().take(100).collect()),
                "tier" => f.tier = SizeTier::parse(v),
                "industry" => f.industry = Some(v.chars().take(100).collect()),
                "stage" => f.stage = Stage::parse(v),
                "owner" => f.owner = Some(v.chars().take(64).collect()),
                "renewal_before" => f.renewal_before = super::dates::parse_iso(v),
                "band" => f.band = KeySet::parse(v),
                "adoption_min" => f.adoption_min = percent(v),
                "adoption_max" => f.adoption_max = percent(v),
                "engagement" => f.engagement = KeySet::parse(v),
                "inactive_days" => {
                    f.inactive_days = v.parse::<u32>().ok().filter(|d| (1..=3650).contains(d))
                }
                "plan" => {
                    f.plan = KeySet::parse(v);
                    f.plan.0.remove(&PlanStatus::Done);
                }
                "sort" => f.sort = SortKey::parse(v).unwrap_or_default(),
                "dir" => desc_given = Some(v == "desc"),
                "page" => f.page = v.parse::<u32>().unwrap_or(1).saturating_sub(1).min(100_000),
                _ => {}
            }
        }
        f.desc = desc_given.unwrap_or(f.sort.default_descending());
        f
    }

    /// Reads a raw query string such as `tier=smb&q=acme%20co`.
    pub fn from_query_string(query: &str) -> Self {
        let pairs: Vec<(String, String)> = query
            .trim_start_matches('?')
            .split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (decode(k), decode(v)))
            .collect();
        Self::from_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// The URL query string for this filter (without `?`), the inverse of [`Self::from_query`].
    pub fn to_query(&self) -> String {
        let mut parts: Vec<(String, String)> = Vec::new();
        if let Some(q) = &self.q {
            parts.push(("q".into(), q.clone()));
        }
        if let Some(t) = self.tier {
            parts.push(("tier".into(), t.key().into()));
        }
        if let Some(i) = &self.industry {
            parts.push(("industry".into(), i.clone()));
        }
        if let Some(s) = self.stage {
            parts.push(("stage".into(), s.key().into()));
        }
        if let Some(o) = &self.owner {
            parts.push(("owner".into(), o.clone()));
        }
        if let Some(d) = self.renewal_before {
            parts.push(("renewal_before".into(), d.to_string()));
        }
        for (k, v) in self.usage_pairs() {
            parts.push((k.into(), v));
        }
        if self.sort != SortKey::Name {
            parts.push(("sort".into(), self.sort.key().into()));
        }
        if self.desc != self.sort.default_descending() {
            parts.push(("dir".into(), if self.desc { "desc" } else { "asc" }.into()));
        }
        if self.page > 0 {
            parts.push(("page".into(), (self.page + 1).to_string()));
        }
        parts.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&")
    }

    /// The same filter on another page.
    pub fn with_page(&self, page: u32) -> Self {
        Self { page, ..self.clone() }
    }

    /// The same filter sorted by `key`; choosing the current key again flips the direction.
    pub fn sorted_by(&self, key: SortKey) -> Self {
        let desc = if self.sort == key { !self.desc } else { key.default_descending() };
        Self { sort: key, desc, page: 0, ..self.clone() }
    }

    /// The filter without sort and page: what a segment stores.
    pub fn criteria(&self) -> Self {
        Self { sort: SortKey::Name, desc: false, page: 0, ..self.clone() }
    }

    pub fn is_empty(&self) -> bool {
        self.criteria() == PortfolioFilter::default()
    }

    /// A short human description such as "Enterprise · Growth · renewing by 2027-01-01".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(q) = &self.q {
            parts.push(format!("“{q}”"));
        }
        if let Some(t) = self.tier {
            parts.push(t.label().to_string());
        }
        if let Some(i) = &self.industry {
            parts.push(i.clone());
        }
        if let Some(s) = self.stage {
            parts.push(s.label().to_string());
        }
        if let Some(o) = &self.owner {
            parts.push(if o == "none" { "no owner".into() } else { "one owner".into() });
        }
        if let Some(d) = self.renewal_before {
            parts.push(format!("renewing by {d}"));
        }
        parts.extend(self.describe_usage());
        if parts.is_empty() {
            "all accounts".into()
        } else {
            parts.join(" · ")
        }
    }
}

/// A whole percent 0–100; anything else is ignored.
fn percent(v: &str) -> Option<u8> {
    v.parse::<u8>().ok().filter(|p| *p <= 100)
}

/// Percent-encodes a query value (RFC 3986 unreserved characters pass through).
pub fn encode(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Decodes a percent-encoded query value (`+` is a space); bad escapes are kept as they are.
pub fn decode(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| v.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok()))
            .flatten();
        if let Some(b) = escaped {
            out.push(b);
            i += 3;
            continue;
        }
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One row of the portfolio table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AccountRow {
    pub id: String,
    pub name: String,
    pub tier: SizeTier,
    pub industry: String,
    pub stage: Stage,
    pub arr_minor: i64,
    pub currency: String,
    pub renewal_date: NaiveDate,
    pub owner_name: Option<String>,
    #[serde(default)]
    pub health_score: Option<u8>,
    #[serde(default)]
    pub health_band: Option<Band>,
    /// Adoption, engagement, last activity and plan status.
    #[serde(default)]
    pub usage: super::usage_filter::UsageFacts,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortfolioPage {
    pub rows: Vec<AccountRow>,
    /// Accounts matching the filter, across all pages.
    pub total: u64,
    pub page: u32,
    pub page_size: u32,
}

impl PortfolioPage {
    pub fn page_count(&self) -> u32 {
        (self.total.div_ceil(self.page_size as u64)).max(1) as u32
    }
    /// "51–100 of 1,234"
    pub fn range_label(&self) -> String {
        if self.total == 0 {
            return "No accounts match".into();
        }
        let first = self.page as u64 * self.page_size as u64 + 1;
        let last = first + self.rows.len() as u64 - 1;
        format!("{first}–{last} of {}", group(self.total))
    }
}

fn group(n: u64) -> String {
    crate::model::money::format_minor(n as i64 * 100, "").trim().to_string()
}

/// Portfolio-wide figures for the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct PortfolioSummary {
    pub accounts: u64,
    /// ARR per currency, largest first.
    pub arr_by_currency: Vec<(String, i64)>,
    pub by_tier: Vec<(SizeTier, u64, i64)>,
    pub by_stage: Vec<(Stage, u64, i64)>,
    /// Accounts renewing in the next 90 days and their ARR (main currency).
    pub renewing_90d: u64,
    pub renewing_90d_arr: i64,
    pub main_currency: String,
}

impl PortfolioSummary {
    /// The figures of these accounts as of `today`: active means not churned; money is added
    /// only within the main currency (the one with the most active ARR) for tiers, stages and
    /// renewals; renewals are those after today and within 90 days.
    pub fn of(rows: &[AccountRow], today: NaiveDate) -> Self {
        let active = || rows.iter().filter(|r| r.stage != Stage::Churned);
        let mut money: Vec<(String, i64)> = Vec::new();
        for r in active() {
            match money.iter_mut().find(|(c, _)| *c == r.currency) {
                Some((_, a)) => *a += r.arr_minor,
                None => money.push((r.currency.clone(), r.arr_minor)),
            }
        }
        money.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let main = money.first().map_or_else(|| "USD".to_string(), |m| m.0.clone());
        let arr = |r: &AccountRow| if r.currency == main { r.arr_minor } else { 0 };
        let by_tier = SizeTier::ALL
            .iter()
            .map(|t| {
                let these = active().filter(|r| r.tier == *t);
                let (n, sum) = these.fold((0u64, 0i64), |(n, s), r| (n + 1, s + arr(r)));
                (*t, n, sum)
            })
            .collect();
        let by_stage = Stage::ALL
            .iter()
            .map(|st| {
                let these = rows.iter().filter(|r| r.stage == *st);
                let (n, sum) = these.fold((0u64, 0i64), |(n, s), r| (n + 1, s + arr(r)));
                (*st, n, sum)
            })
            .collect();
        let until = today + chrono::Duration::days(90);
        let renewing: Vec<&AccountRow> =
            active().filter(|r| r.renewal_date > today && r.renewal_date <= until).collect();
        PortfolioSummary {
            accounts: rows.len() as u64,
            arr_by_currency: money,
            by_tier,
            by_stage,
            renewing_90d: renewing.len() as u64,
            renewing_90d_arr: renewing.iter().map(|r| arr(r)).sum(),
            main_currency: main,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_round_trips() {
        let f = PortfolioFilter {
            q: Some("acme & co".into()),
            tier: Some(SizeTier::Enterprise),
            industry: Some("Financial Services".into()),
            stage: Some(Stage::Renewal),
            owner: Some("none".into()),
            renewal_before: NaiveDate::from_ymd_opt(2027, 3, 1),
            band: KeySet::parse("red,unscored"),
            adoption_min: Some(10),
            adoption_max: Some(40),
            engagement: KeySet::parse("none,low"),
            inactive_days: Some(30),
            plan: KeySet::parse("off_track"),
            sort: SortKey::Arr,
            desc: false,
            page: 3,
        };
        let q = f.to_query();
        assert!(q.contains("band=red%2Cunscored"), "{q}");
        assert!(q.contains("q=acme%20%26%20co"));
        let back = PortfolioFilter::from_query_string(&q);
        assert_eq!(back, f);
    }

    #[test]
    fn decoding_is_forgiving() {
        assert_eq!(decode("a%20b+c"), "a b c");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz"), "%zz");
        assert_eq!(decode("caf%C3%A9"), "café");
    }

    #[test]
    fn unknown_values_are_ignored_not_fatal() {
        let f = PortfolioFilter::from_query([
            ("tier", "galactic"),
            ("page", "zero"),
            ("sort", "colour"),
        ]);
        assert_eq!(f.tier, None);
        assert_eq!(f.page, 0);
        assert_eq!(f.sort, SortKey::Name);
    }

    #[test]
    fn sorting_twice_flips_direction() {
        let f = PortfolioFilter::default().sorted_by(SortKey::Arr);
        assert!(f.desc, "money sorts largest first");
        assert!(!f.sorted_by(SortKey::Arr).desc);
        assert_eq!(f.with_page(4).sorted_by(SortKey::Name).page, 0);
    }

    #[test]
    fn page_labels() {
        let p = PortfolioPage { rows: vec![], total: 0, page: 0, page_size: 50 };
        assert_eq!(p.range_label(), "No accounts match");
        assert_eq!(p.page_count(), 1);
        let p = PortfolioPage { rows: vec![], total: 1234, page: 1, page_size: 50 };
        assert_eq!(p.page_count(), 25);
    }

    #[test]
    fn segments_describe_themselves() {
        let f = PortfolioFilter {
            tier: Some(SizeTier::Smb),
            stage: Some(Stage::Onboarding),
            ..Default::default()
        };
        assert_eq!(f.describe(), "SMB · Onboarding");
        assert_eq!(PortfolioFilter::default().describe(), "all accounts");
    }
}
