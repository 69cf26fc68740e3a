//! The Escalations page's filters. The address bar is the state (`?state=…&severity=…&mine=1
//! &pages=…`), so a view survives a reload and can be shared; the bar is a plain GET form, so
//! it works before the page is live, and once it is, each change navigates at once.

use crate::model::escalation::{EscalationFilter, EscalationSeverity};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// Escalations per "Load more".
pub const PAGE: u32 = 50;
/// The most pages one view loads (the server reads one page per call).
const MAX_PAGES: u32 = 20;

/// Which escalations: the ones still being worked (the default), the resolved, or all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StateChoice {
    #[default]
    Open,
    Resolved,
    All,
}

impl StateChoice {
    fn key(self) -> &'static str {
        match self {
            StateChoice::Open => "open",
            StateChoice::Resolved => "resolved",
            StateChoice::All => "all",
        }
    }

    fn label(self) -> &'static str {
        match self {
            StateChoice::Open => "Open (being worked)",
            StateChoice::Resolved => "Resolved",
            StateChoice::All => "All",
        }
    }

    const ALL: [StateChoice; 3] = [StateChoice::Open, StateChoice::Resolved, StateChoice::All];
}

/// The filters as the URL carries them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EscalationQuery {
    pub state: StateChoice,
    pub severity: Option<EscalationSeverity>,
    /// Only escalations on accounts the signed-in person owns.
    pub mine: bool,
    /// How many pages are shown (1 at first; "Load more" adds one).
    pub pages: u32,
}

impl EscalationQuery {
    /// Reads the query string's pairs; unknown or empty values mean the default.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut q = EscalationQuery { pages: 1, ..Default::default() };
        for (k, v) in pairs {
            let v = v.trim();
            match k {
                "state" => {
                    q.state = match v {
                        "resolved" => StateChoice::Resolved,
                        "all" => StateChoice::All,
                        _ => StateChoice::Open,
                    }
                }
                "severity" => q.severity = EscalationSeverity::parse(v),
                "mine" => q.mine = matches!(v, "1" | "true" | "on"),
                "pages" => q.pages = v.parse::<u32>().unwrap_or(1).clamp(1, MAX_PAGES),
                _ => {}
            }
        }
        q
    }

    /// The query string (without `?`), leaving out defaults; `pages` only past the first.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut p: Vec<(&str, String)> = Vec::new();
        if self.state != StateChoice::Open {
            p.push(("state", self.state.key().into()));
        }
        if let Some(s) = self.severity {
            p.push(("severity", s.key().into()));
        }
        if self.mine {
            p.push(("mine", "1".into()));
        }
        if self.pages > 1 {
            p.push(("pages", self.pages.to_string()));
        }
        p
    }

    /// The page's address for these filters.
    pub fn href(&self) -> String {
        crate::components::pager::href("/escalations", &self.to_pairs())
    }

    /// Whether any filter differs from the default view.
    pub fn is_default(&self) -> bool {
        *self == EscalationQuery { pages: self.pages, ..EscalationQuery::from_pairs([]) }
    }

    /// The server's filter for page one.
    pub fn filter(&self) -> EscalationFilter {
        EscalationFilter {
            state: Some(self.state.key().into()),
            severity: self.severity,
            mine: self.mine,
            limit: Some(PAGE),
            ..Default::default()
        }
    }
}

/// The filter bar: state, severity, and "my accounts only".
#[component]
pub fn FilterBar(query: Memo<EscalationQuery>) -> impl IntoView {
    let navigate = use_navigate();
    // Once live, a change applies at once; the Apply button is for the page before that.
    let live = RwSignal::new(false);
    Effect::new(move |_| live.set(true));
    let go = move |q: EscalationQuery| {
        navigate(&EscalationQuery { pages: 1, ..q }.href(), Default::default());
    };
    let (go_state, go_sev, go_mine) = (go.clone(), go.clone(), go);
    let q0 = query.get_untracked();
    view! {
        <form class="filters esc-filters" method="get" action="/escalations" role="search" aria-label="Filter escalations"
            on:submit=|ev| ev.prevent_default()>
            <div class="filter">
                <label for="ef-state">"Show"</label>
                <select id="ef-state" name="state" prop:value=move || query.get().state.key()
                    on:change=move |ev| go_state(EscalationQuery { state: EscalationQuery::from_pairs([("state", event_target_value(&ev).as_str())]).state, ..query.get_untracked() })>
                    {StateChoice::ALL.iter().map(|s| view! {
                        <option value=s.key() selected=q0.state == *s>{s.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="filter">
                <label for="ef-severity">"Severity"</label>
                <select id="ef-severity" name="severity" prop:value=move || query.get().severity.map_or("", |s| s.key())
                    on:change=move |ev| go_sev(EscalationQuery { severity: EscalationSeverity::parse(&event_target_value(&ev)), ..query.get_untracked() })>
                    <option value="" selected=q0.severity.is_none()>"Any severity"</option>
                    {EscalationSeverity::ALL.iter().map(|s| view! {
                        <option value=s.key() selected=q0.severity == Some(*s)>{s.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="filter mine">
                <span class="filter-label" aria-hidden="true">"Whose"</span>
                <label class="toggle" class:on=move || query.get().mine for="ef-mine">
                    <input type="checkbox" id="ef-mine" name="mine" value="1" checked=q0.mine prop:checked=move || query.get().mine
                        on:change=move |ev| go_mine(EscalationQuery { mine: event_target_checked(&ev), ..query.get_untracked() })/>
                    "My accounts only"
                </label>
            </div>
            <div class="filter actions">
                <button type="submit" class="button small" class:hidden=move || live.get()>"Apply"</button>
                <a class="button ghost small" href="/escalations" class:hidden=move || query.get().is_default()>"Clear filters"</a>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_round_trips_and_defaults_stay_out_of_it() {
        let q = EscalationQuery::from_pairs([
            ("state", "all"),
            ("severity", "P1"),
            ("mine", "1"),
            ("pages", "3"),
        ]);
        assert_eq!(q.href(), "/escalations?state=all&severity=P1&mine=1&pages=3");
        let empty = EscalationQuery::from_pairs([("state", ""), ("severity", "")]);
        assert!(empty.is_default());
        assert_eq!(empty.href(), "/escalations");
        assert_eq!(EscalationQuery::from_pairs([("pages", "999")]).pages, MAX_PAGES);
    }

    #[test]
    fn the_default_view_asks_for_open_escalations() {
        let f = EscalationQuery::from_pairs([]).filter();
        assert_eq!(f.state.as_deref(), Some("open"));
        assert!(!f.mine);
        let f = EscalationQuery::from_pairs([("state", "resolved"), ("mine", "1")]).filter();
        assert_eq!((f.state.as_deref(), f.mine), (Some("resolved"), true));
    }
}
