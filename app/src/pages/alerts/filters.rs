//! The Alerts page's filters. The address bar is the state (`?rule=…&severity=…&status=…&owner=…
//! &segment=…&pages=…`), so a view survives a reload and can be shared; the bar is a plain GET
//! form, so it works before the page is live, and once it is, each change navigates at once.

use crate::model::alert::{AlertFilter, AlertStatus, RuleKind, Severity};
use crate::model::{Permission, Segment, User};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// Alerts per "Load more".
pub const PAGE: u32 = 50;
/// The most pages one view loads (the server reads one page per call).
const MAX_PAGES: u32 = 20;

/// Which statuses to show: the live ones (the default), one status, or every alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusChoice {
    #[default]
    Live,
    One(AlertStatus),
    All,
}

/// Whose alerts: everyone's (the default), the signed-in person's, or one person's.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum OwnerChoice {
    #[default]
    Everyone,
    Mine,
    User(String),
}

/// The filters as the URL carries them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AlertQuery {
    pub rule: Option<RuleKind>,
    pub severity: Option<Severity>,
    pub status: StatusChoice,
    pub owner: OwnerChoice,
    pub segment: Option<String>,
    /// How many pages are shown (1 at first; "Load more" adds one).
    pub pages: u32,
}

impl AlertQuery {
    /// Reads the query string's pairs; unknown or empty values mean "any".
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut q = AlertQuery { pages: 1, ..Default::default() };
        for (k, v) in pairs {
            let v = v.trim();
            match k {
                "rule" => q.rule = RuleKind::parse(v),
                "severity" => q.severity = Severity::parse(v),
                "status" => {
                    q.status = match v {
                        "all" => StatusChoice::All,
                        s => AlertStatus::parse(s).map_or(StatusChoice::Live, StatusChoice::One),
                    }
                }
                "owner" => {
                    q.owner = match v {
                        "" => OwnerChoice::Everyone,
                        "me" => OwnerChoice::Mine,
                        id if id.len() <= 100 => OwnerChoice::User(id.to_string()),
                        _ => OwnerChoice::Everyone,
                    }
                }
                "segment" if !v.is_empty() && v.len() <= 100 => q.segment = Some(v.to_string()),
                "pages" => q.pages = v.parse::<u32>().unwrap_or(1).clamp(1, MAX_PAGES),
                _ => {}
            }
        }
        q
    }

    /// The query string (without `?`), leaving out defaults; `pages` only past the first.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut p: Vec<(&str, String)> = Vec::new();
        if let Some(r) = self.rule {
            p.push(("rule", r.key().into()));
        }
        if let Some(s) = self.severity {
            p.push(("severity", s.key().into()));
        }
        match self.status {
            StatusChoice::Live => {}
            StatusChoice::One(s) => p.push(("status", s.key().into())),
            StatusChoice::All => p.push(("status", "all".into())),
        }
        match &self.owner {
            OwnerChoice::Everyone => {}
            OwnerChoice::Mine => p.push(("owner", "me".into())),
            OwnerChoice::User(id) => p.push(("owner", id.clone())),
        }
        if let Some(s) = &self.segment {
            p.push(("segment", s.clone()));
        }
        if self.pages > 1 {
            p.push(("pages", self.pages.to_string()));
        }
        p
    }

    /// The page's address for these filters.
    pub fn href(&self) -> String {
        crate::components::pager::href("/alerts", &self.to_pairs())
    }

    /// Whether any filter differs from the default view.
    pub fn is_default(&self) -> bool {
        *self == AlertQuery { pages: self.pages, ..AlertQuery::from_pairs([]) }
    }

    /// The server's filter for page one; `me` is the signed-in person's id ("Mine").
    pub fn filter(&self, me: &str) -> AlertFilter {
        AlertFilter {
            rules: self.rule.into_iter().collect(),
            severities: self.severity.into_iter().collect(),
            statuses: match self.status {
                StatusChoice::Live => AlertFilter::LIVE.to_vec(),
                StatusChoice::One(s) => vec![s],
                StatusChoice::All => vec![],
            },
            owner: match &self.owner {
                OwnerChoice::Everyone => None,
                OwnerChoice::Mine => Some(me.to_string()),
                OwnerChoice::User(id) => Some(id.clone()),
            },
            segment: self.segment.clone(),
            limit: PAGE,
            ..Default::default()
        }
    }

    fn status_key(&self) -> &'static str {
        match self.status {
            StatusChoice::Live => "",
            StatusChoice::One(s) => s.key(),
            StatusChoice::All => "all",
        }
    }

    fn owner_key(&self) -> String {
        match &self.owner {
            OwnerChoice::Everyone => String::new(),
            OwnerChoice::Mine => "me".into(),
            OwnerChoice::User(id) => id.clone(),
        }
    }
}

type Read<T> = Resource<Result<T, crate::error::AppError>>;

/// The filter bar: rule, severity, status, owner, segment. `staff` and `segments` are the
/// page's resources.
#[component]
pub fn FilterBar(
    query: Memo<AlertQuery>, staff: Read<Vec<User>>, segments: Read<Vec<Segment>>,
) -> impl IntoView {
    let navigate = use_navigate();
    // Once live, a change applies at once; the Apply button is for the page before that.
    let live = RwSignal::new(false);
    Effect::new(move |_| live.set(true));
    let change = move |apply: fn(&mut AlertQuery, String)| {
        let navigate = navigate.clone();
        move |ev: leptos::ev::Event| {
            let mut q = query.get_untracked();
            apply(&mut q, event_target_value(&ev));
            q.pages = 1;
            navigate(&q.href(), Default::default());
        }
    };
    let q0 = query.get_untracked();
    view! {
        <form class="filters alert-filters" method="get" action="/alerts" role="search" aria-label="Filter alerts"
            on:submit=|ev| ev.prevent_default()>
            <div class="filter">
                <label for="af-status">"Status"</label>
                <select id="af-status" name="status" prop:value=move || query.get().status_key()
                    on:change=change(|q, v| q.status = AlertQuery::from_pairs([("status", v.as_str())]).status)>
                    <option value="" selected=q0.status == StatusChoice::Live>"Live (not closed)"</option>
                    {AlertStatus::ALL.iter().map(|s| view! {
                        <option value=s.key() selected=q0.status == StatusChoice::One(*s)>{s.label()}</option>
                    }).collect_view()}
                    <option value="all" selected=q0.status == StatusChoice::All>"All"</option>
                </select>
            </div>
            <div class="filter">
                <label for="af-rule">"Rule"</label>
                <select id="af-rule" name="rule" prop:value=move || query.get().rule.map_or("", |r| r.key())
                    on:change=change(|q, v| q.rule = RuleKind::parse(&v))>
                    <option value="" selected=q0.rule.is_none()>"Any rule"</option>
                    {RuleKind::ALL.iter().map(|r| view! {
                        <option value=r.key() selected=q0.rule == Some(*r)>{r.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="filter">
                <label for="af-severity">"Severity"</label>
                <select id="af-severity" name="severity" prop:value=move || query.get().severity.map_or("", |s| s.key())
                    on:change=change(|q, v| q.severity = Severity::parse(&v))>
                    <option value="" selected=q0.severity.is_none()>"Any severity"</option>
                    {Severity::ALL.iter().map(|s| view! {
                        <option value=s.key() selected=q0.severity == Some(*s)>{s.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="filter">
                <label for="af-owner">"Owner"</label>
                <select id="af-owner" name="owner" prop:value=move || query.get().owner_key()
                    on:change=change(|q, v| q.owner = AlertQuery::from_pairs([("owner", v.as_str())]).owner)>
                    <option value="" selected=q0.owner == OwnerChoice::Everyone>"Everyone"</option>
                    <option value="me" selected=q0.owner == OwnerChoice::Mine>"Mine"</option>
                    <Suspense fallback=|| ()>
                        {move || staff.get().map(|r| r.unwrap_or_default().into_iter()
                            .filter(|u| u.role.may(Permission::HandleAlerts))
                            .map(|u| {
                                let id = u.id.to_string();
                                let sel = query.get_untracked().owner == OwnerChoice::User(id.clone());
                                view! { <option value=id selected=sel>{u.name}</option> }
                            }).collect_view())}
                    </Suspense>
                </select>
            </div>
            <div class="filter">
                <label for="af-segment">"Segment"</label>
                <select id="af-segment" name="segment" prop:value=move || query.get().segment.unwrap_or_default()
                    on:change=change(|q, v| q.segment = (!v.is_empty()).then_some(v))>
                    <option value="" selected=q0.segment.is_none()>"Every account"</option>
                    <Suspense fallback=|| ()>
                        {move || segments.get().map(|r| r.unwrap_or_default().into_iter().map(|s| {
                            let sel = query.get_untracked().segment.as_deref() == Some(s.id.as_str());
                            view! { <option value=s.id selected=sel>{s.name}</option> }
                        }).collect_view())}
                    </Suspense>
                </select>
            </div>
            <div class="filter actions">
                <button type="submit" class="button small" class:hidden=move || live.get()>"Apply"</button>
                <a class="button ghost small" href="/alerts" class:hidden=move || query.get().is_default()>"Clear filters"</a>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_round_trips_and_defaults_stay_out_of_it() {
        let q = AlertQuery::from_pairs([
            ("rule", "declining_engagement"),
            ("severity", "high"),
            ("status", "all"),
            ("owner", "me"),
            ("segment", "seg 1"),
            ("pages", "3"),
        ]);
        assert_eq!(q.status, StatusChoice::All);
        assert_eq!(q.owner, OwnerChoice::Mine);
        assert_eq!(
            q.href(),
            "/alerts?rule=declining_engagement&severity=high&status=all&owner=me&segment=seg%201&pages=3"
        );
        // A GET form posts empty values for "any": the default view, at /alerts.
        let empty =
            AlertQuery::from_pairs([("rule", ""), ("status", ""), ("owner", ""), ("segment", "")]);
        assert!(empty.is_default());
        assert_eq!(empty.href(), "/alerts");
        assert_eq!(AlertQuery::from_pairs([("pages", "999")]).pages, MAX_PAGES);
    }

    #[test]
    fn the_default_view_asks_for_live_alerts_and_mine_is_the_caller() {
        let f = AlertQuery::from_pairs([]).filter("u1");
        assert_eq!(f.statuses, AlertFilter::LIVE.to_vec());
        assert_eq!(f.owner, None);
        let f = AlertQuery::from_pairs([("owner", "me"), ("status", "resolved")]).filter("u1");
        assert_eq!(f.owner.as_deref(), Some("u1"));
        assert_eq!(f.statuses, vec![AlertStatus::Resolved]);
    }
}
