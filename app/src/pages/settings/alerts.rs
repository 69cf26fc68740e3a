//! Settings → Alerts (admins): the early-warning rules per saved segment, and the playbook each
//! rule kind's alerts bring ([`super::playbooks`]).
//!
//! Rule sets are versioned like health models: the default set and every segment's own set are
//! listed with their version, the one chosen (`?set=<scope>`) is edited as a draft, and Save
//! makes its next version (the server then re-checks every account). The draft is checked in
//! the browser with the same `RulesConfig::validate` the server runs, so a number out of bounds
//! is named beside its input (`<kind>.threshold`, `<kind>.window`) before anything is sent. A
//! segment without its own set starts from the default set's settings.
//!
//! Inputs show the draft's values when they are built and write back on input, so typing never
//! re-renders the form (and never fights the cursor); the form is rebuilt when another set is
//! chosen, after a save, and on Discard.

use super::{SettingsHead, Tab};
use crate::api::alerts::{alert_rule_sets, alert_rules_retire, alert_rules_save, RulesOverview};
use crate::components::layout::Card;
use crate::components::notice::{confirmed, ErrorBanner, Loaded};
use crate::error::AppError;
use crate::model::alert::*;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

/// The page's own state, which outlives the editor (rebuilt on every reload of the rule sets).
#[derive(Clone, Copy)]
struct Page {
    /// Bumped by every successful save or removal: the rule sets are read again.
    changed: RwSignal<u32>,
    /// What the last save or removal did, and the scope it concerned.
    notice: RwSignal<Option<(String, String)>>,
}

#[component]
pub fn AlertSettingsPage() -> impl IntoView {
    let query = use_query_map();
    let scope = Memo::new(move |_| {
        query.get().get("set").filter(|s| !s.trim().is_empty()).unwrap_or(DEFAULT_RULES.into())
    });
    let page = Page { changed: RwSignal::new(0), notice: RwSignal::new(None) };
    let overview = Resource::new(move || page.changed.get(), |_| alert_rule_sets());
    view! {
        <SettingsHead current=Tab::Alerts intro="Early-warning rules per saved segment, and the next steps each alert puts in My work."/>
        <Loaded resource=overview let:data>
            <RuleSets data scope page/>
        </Loaded>
        <super::playbooks::PlaybooksCard/>
    }
}

/// The rule set being edited: one in force, or a segment's first (version 0, from the default
/// set's settings); `None` for a scope that is neither.
fn chosen(data: &RulesOverview, scope: &str) -> Option<RuleSet> {
    if let Some(set) = data.sets.iter().find(|s| s.scope == scope) {
        return Some(set.clone());
    }
    let (id, name) = data.segments.iter().find(|(id, _)| id == scope)?;
    let default = data.sets.iter().find(|s| s.scope == DEFAULT_RULES);
    Some(RuleSet {
        scope: id.clone(),
        segment_id: Some(id.clone()),
        name: name.clone(),
        version: 0,
        config: default.map(|d| d.config.clone()).unwrap_or_default(),
        created_at: default.map(|d| d.created_at).unwrap_or_default(),
        created_by: None,
    })
}

/// The sets in force on the left, the chosen one's editor on the right.
#[component]
fn RuleSets(data: RulesOverview, scope: Memo<String>, page: Page) -> impl IntoView {
    let free: Vec<(String, String)> = data
        .segments
        .iter()
        .filter(|(id, _)| !data.sets.iter().any(|s| s.scope == *id))
        .cloned()
        .collect();
    let can_edit = data.can_edit;
    let sets = data.sets.clone();
    let data = StoredValue::new(data);
    view! {
        <div class="columns rules-layout">
            <SetsCard sets scope free can_edit/>
            {move || {
                let s = scope.get();
                match data.with_value(|d| chosen(d, &s)) {
                    Some(set) => view! { <RulesCard set can_edit page/> }.into_any(),
                    None => view! {
                        <section class="card" role="alert">
                            <h2>"No such rule set"</h2>
                            <p class="muted">"No saved segment has this id: it may have been deleted."</p>
                            <a class="button small" href="/settings/alerts">"The default rules"</a>
                        </section>
                    }.into_any(),
                }
            }}
        </div>
    }
}

/// "v3 · saved 2 Dec 2026 by Ada", or what a set not saved yet means.
fn version_note(set: &RuleSet) -> String {
    match (set.version, &set.created_by) {
        (0, _) => "Not saved yet: until you save, these accounts follow the default rules.".into(),
        (v, Some(by)) => format!("v{v} · saved {} by {by}", set.created_at.format("%-d %b %Y")),
        (v, None) => format!("v{v} · the built-in settings"),
    }
}

/// The rule sets in force (each opens its editor), and a way to give a segment its own.
#[component]
fn SetsCard(
    sets: Vec<RuleSet>, scope: Memo<String>, free: Vec<(String, String)>, can_edit: bool,
) -> impl IntoView {
    view! {
        <Card id="rule-sets-h" title="Rule sets">
            <p class="muted small">"An account follows the rules of the first segment below that holds it; otherwise the default rules."</p>
            <ul class="rule-sets">
                {sets.into_iter().map(|set| {
                    let key = set.scope.clone();
                    let here = Memo::new(move |_| scope.get() == key);
                    view! {
                        <li class:current=here data-testid="rule-set">
                            <a href=format!("/settings/alerts?set={}", set.scope) aria-current=move || if here.get() { "page" } else { "false" }>
                                {format!("{} rules", set.name)}
                            </a>
                            <span class="muted small">{version_note(&set)}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {(can_edit && !free.is_empty()).then(|| view! {
                <form method="get" action="/settings/alerts" class="stack new-set">
                    <label for="new-set">"Give a segment its own rules"</label>
                    <div class="inline-form">
                        <select id="new-set" name="set">
                            {free.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                        </select>
                        <button type="submit" class="button small">"Start"</button>
                    </div>
                    <small class="muted">"It starts from the default rules; nothing changes until you save."</small>
                </form>
            })}
        </Card>
    }
}

/// The rule set as edited.
#[derive(Clone, Copy)]
struct Draft {
    config: RwSignal<RulesConfig>,
    /// The set as saved (what Discard goes back to); set on a successful save at once, so the
    /// card does not claim unsaved changes while the rule sets are read again.
    saved: RwSignal<RulesConfig>,
    changed: Memo<bool>,
    /// What the browser finds wrong with the draft.
    problems: Memo<Option<AppError>>,
    /// What the server refused on the last save or removal, until the next edit.
    server_error: RwSignal<Option<AppError>>,
    /// Bumped on Discard: the inputs are rebuilt with the saved values.
    built: RwSignal<u32>,
    pending: RwSignal<bool>,
    /// The page's notice, which an edit makes old news.
    notice: RwSignal<Option<(String, String)>>,
}

impl Draft {
    fn new(saved: RulesConfig, page: Page) -> Self {
        let config = RwSignal::new(saved.clone());
        let saved = RwSignal::new(saved);
        Draft {
            config,
            saved,
            changed: Memo::new(move |_| saved.with(|s| config.with(|c| c != s))),
            problems: Memo::new(move |_| config.with(|c| c.validate().err())),
            server_error: RwSignal::new(None),
            built: RwSignal::new(0),
            pending: RwSignal::new(false),
            notice: page.notice,
        }
    }

    /// Changes the rule of `kind`.
    fn edit(self, kind: RuleKind, f: impl FnOnce(&mut RuleConfig)) {
        self.config.update(|c| {
            if let Some(r) = c.rules.iter_mut().find(|r| r.kind == kind) {
                f(r)
            }
        });
        self.server_error.set(None);
        self.notice.set(None);
    }

    /// The message for `field` (the browser's check first, then the server's).
    fn msg(self, field: String) -> Signal<Option<String>> {
        Signal::derive(move || {
            self.problems
                .get()
                .or_else(|| self.server_error.get())
                .and_then(|e| e.for_field(&field))
        })
    }

    fn discard(self) {
        self.config.set(self.saved.get_untracked());
        self.server_error.set(None);
        self.built.update(|n| *n += 1);
    }
}

/// A refusal that names no input on this card (the segment gone, the set not in force): its
/// message is shown as is.
fn unplaced(e: &AppError) -> Option<String> {
    ["segment", "scope"].iter().find_map(|f| e.for_field(f))
}

/// The chosen set: its version, Remove, one row per rule kind, and Save.
#[component]
fn RulesCard(set: RuleSet, can_edit: bool, page: Page) -> impl IntoView {
    let draft = Draft::new(RulesConfig { rules: set.config.all() }, page);
    let version = set.version;
    let scope = StoredValue::new(set.scope.clone());
    let name = set.name.clone();
    let save = move |_| {
        let (scope, config, name) = (scope.get_value(), draft.config.get_untracked(), name.clone());
        draft.pending.set(true);
        leptos::task::spawn_local(async move {
            let answer = alert_rules_save(scope.clone(), config).await;
            draft.pending.set(false);
            match answer {
                Ok(saved) => {
                    draft.saved.set(saved.config.clone());
                    page.notice.set(Some((
                        scope,
                        format!(
                            "Saved {name} rules as version {}. Every account is being re-checked against them.",
                            saved.version
                        ),
                    )));
                    page.changed.update(|n| *n += 1);
                }
                Err(e) => draft.server_error.set(Some(e)),
            }
        });
    };
    let notice =
        move || page.notice.get().filter(|(s, _)| *s == scope.get_value()).map(|(_, text)| text);
    let next = if set.version == 0 {
        "Save these rules".to_string()
    } else {
        format!("Save as version {}", set.version + 1)
    };
    let heading = format!("{} rules", set.name);
    let server_error = draft.server_error;
    view! {
        <section class="card rules-card" aria-labelledby="rules-h" data-scope=set.scope.clone()>
            <div class="rules-card-head">
                <div>
                    <h2 id="rules-h">{heading}</h2>
                    <p class="muted small" data-testid="rules-version">{version_note(&set)}</p>
                </div>
                {(can_edit && set.scope != DEFAULT_RULES && set.version > 0).then(|| view! { <RemoveButton set=set.clone() draft page/> })}
            </div>
            {move || notice().map(|n| view! { <div class="banner banner-ok" role="status">{n}</div> })}
            {(!can_edit).then(|| view! { <p class="muted small">"Only admins change the rules; this is what is in force."</p> })}
            {move || server_error.get().as_ref().and_then(unplaced).map(|m| view! { <div class="banner banner-error" role="alert">{m}</div> })}
            <ErrorBanner error=server_error fields_only_inline=true/>
            <div class="rule-rows">
                // Keyed by the build, so Discard makes new inputs (patching old ones would leave
                // what was typed on screen).
                <For each=move || {
                        let build = draft.built.get();
                        let config = draft.config.get_untracked();
                        RuleKind::ALL.iter().map(|k| (build, config.rule(*k))).collect::<Vec<_>>()
                    }
                    key=|(build, rule)| (*build, rule.kind)
                    children=move |(_, rule)| view! { <RuleRow rule draft can_edit/> }/>
            </div>
            {can_edit.then(|| view! {
                <div class="form-actions rules-actions">
                    <button type="button" class="button primary" data-testid="save-rules" on:click=save
                        disabled=move || draft.problems.get().is_some() || draft.pending.get() || (!draft.changed.get() && version > 0)>
                        {move || if draft.pending.get() { "Saving…".to_string() } else { next.clone() }}
                    </button>
                    <button type="button" class="button ghost" disabled=move || !draft.changed.get() on:click=move |_| draft.discard()>"Discard changes"</button>
                    {move || draft.changed.get().then(|| view! { <span class="muted small">"Unsaved changes"</span> })}
                    {move || draft.problems.get().map(|_| view! { <span class="error small">"Fix the marked numbers before saving."</span> })}
                </div>
            })}
        </section>
    }
}

/// "Remove": the segment's accounts go back to the default rules (its versions stay, for the
/// alerts they raised).
#[component]
fn RemoveButton(set: RuleSet, draft: Draft, page: Page) -> impl IntoView {
    let navigate = use_navigate();
    let remove = move |_| {
        let question = format!(
            "Remove the {} rules? Its accounts will follow the default rules from now on. Its versions stay for the alerts they raised.",
            set.name
        );
        if !confirmed(&question) {
            return;
        }
        let (scope, name, navigate) = (set.scope.clone(), set.name.clone(), navigate.clone());
        draft.pending.set(true);
        leptos::task::spawn_local(async move {
            let answer = alert_rules_retire(scope).await;
            draft.pending.set(false);
            match answer {
                Ok(()) => {
                    let text =
                        format!("Removed the {name} rules: its accounts follow the default rules.");
                    page.notice.set(Some((DEFAULT_RULES.into(), text)));
                    page.changed.update(|n| *n += 1);
                    navigate("/settings/alerts", Default::default());
                }
                Err(e) => draft.server_error.set(Some(e)),
            }
        });
    };
    view! {
        <button type="button" class="button ghost small danger" data-testid="remove-rules"
            disabled=move || draft.pending.get() on:click=remove>"Remove these rules"</button>
    }
}

/// One rule kind: on/off, severity, its numbers (where it has them) and what it watches.
#[component]
fn RuleRow(rule: RuleConfig, draft: Draft, can_edit: bool) -> impl IntoView {
    let kind = rule.kind;
    let key = kind.key();
    let enabled = Memo::new(move |_| draft.config.with(|c| c.rule(kind).enabled));
    let on_id = format!("r-{key}-on");
    let sev_id = format!("r-{key}-severity");
    let set_on = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        draft.edit(kind, |r| r.enabled = on)
    };
    let set_severity = move |ev: leptos::ev::Event| {
        if let Some(s) = Severity::parse(&event_target_value(&ev)) {
            draft.edit(kind, |r| r.severity = s)
        }
    };
    view! {
        <div class="rule-row" class:off=move || !enabled.get() data-rule=key>
            <div class="rule-what">
                <label class="check">
                    <input id=on_id type="checkbox" prop:checked=move || enabled.get() disabled=!can_edit on:change=set_on/>
                    <strong>{kind.label()}</strong>
                </label>
                <p class="muted small">{kind.describe()}</p>
            </div>
            <div class="field">
                <label for=sev_id.clone()>"Severity"</label>
                <select id=sev_id disabled=!can_edit on:change=set_severity>
                    {Severity::ALL.iter().map(|s| view! { <option value=s.key() selected=*s == rule.severity>{s.label()}</option> }).collect_view()}
                </select>
            </div>
            <ParamField kind name="threshold" param=kind.threshold() value=rule.threshold draft can_edit/>
            <ParamField kind name="window" param=kind.window() value=rule.window draft can_edit/>
        </div>
    }
}

/// A rule's number, labelled with its meaning and unit; an empty cell where the kind has none.
#[component]
fn ParamField(
    kind: RuleKind, name: &'static str, param: Option<Param>, value: u32, draft: Draft,
    can_edit: bool,
) -> impl IntoView {
    let Some(p) = param else {
        return view! { <div class="param-none" aria-hidden="true"></div> }.into_any();
    };
    let field = format!("{}.{name}", kind.key());
    let msg = draft.msg(field.clone());
    let id = format!("r-{}", field.replace('.', "-"));
    let err_id = format!("{id}-error");
    let unit_id = format!("{id}-unit");
    let write = move |ev: leptos::ev::Event| {
        // Not a whole number (empty, negative, a fraction): 0, which every bound refuses.
        let v = event_target_value(&ev).trim().parse::<u32>().unwrap_or(0);
        draft.edit(kind, |r| if name == "threshold" { r.threshold = v } else { r.window = v })
    };
    view! {
        <div class="field param" class:invalid=move || msg.get().is_some()>
            <label for=id.clone()>{p.label}</label>
            <div class="with-unit">
                <input id=id type="number" inputmode="numeric" min=p.min max=p.max step="1" value=value
                    disabled=!can_edit aria-invalid=move || msg.get().is_some().then_some("true")
                    aria-describedby=format!("{unit_id} {err_id}") on:input=write/>
                <span class="unit" id=unit_id>{p.unit}</span>
            </div>
            <small class="error" id=err_id aria-live="polite">{move || msg.get()}</small>
        </div>
    }
    .into_any()
}
