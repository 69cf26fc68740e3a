//! Escalation types and their paths: each type (key, label) goes up its ordered levels — a
//! role on the account's team or a named person — and a level nobody acknowledges in time
//! moves up by itself. The draft is checked with the same `EscalationSetup::validate` as the
//! server (fields named `types[0].levels[1].user_id`); Save replaces the whole setup, and
//! escalations already open keep the path they were opened with.
//!
//! As in the other editors, inputs show the draft when built and write back on input; the
//! rows are rebuilt only when the shape changes (a type or level added or removed), on
//! Discard and after a save.

use super::{message, unplaced, DraftInput, DraftSelect, Page, Part};
use crate::api::sla::escalation_setup_save;
use crate::components::notice::{confirmed, ErrorBanner};
use crate::error::AppError;
use crate::model::escalation::{
    EscalationSetup, EscalationType, LevelRole, PathLevel, MAX_LEVELS, MAX_TYPES,
};
use crate::model::UserId;
use leptos::prelude::*;

#[derive(Clone, Copy)]
struct Draft {
    setup: RwSignal<EscalationSetup>,
    saved: RwSignal<EscalationSetup>,
    changed: Memo<bool>,
    problems: Memo<Option<AppError>>,
    server_error: RwSignal<Option<AppError>>,
    /// Bumped when the shape changes: the rows are rebuilt.
    built: RwSignal<u32>,
    pending: RwSignal<bool>,
    notice: RwSignal<Option<(Part, String)>>,
    /// The active users, (id, name), for named levels.
    users: StoredValue<Vec<(String, String)>>,
    can_edit: bool,
}

impl Draft {
    fn edit(self, reshape: bool, f: impl FnOnce(&mut EscalationSetup)) {
        self.setup.update(f);
        self.server_error.set(None);
        self.notice.set(None);
        if reshape {
            self.built.update(|n| *n += 1);
        }
    }

    /// Changes level `li` of type `ti`.
    fn level(self, ti: usize, li: usize, f: impl FnOnce(&mut PathLevel)) {
        self.edit(false, |s| {
            if let Some(l) = s.types.get_mut(ti).and_then(|t| t.levels.get_mut(li)) {
                f(l)
            }
        });
    }

    fn msg(self, field: String) -> Signal<Option<String>> {
        message(move || self.problems.get(), self.server_error, field)
    }

    fn save(self) {
        let setup = self.setup.get_untracked();
        self.pending.set(true);
        leptos::task::spawn_local(async move {
            let answer = escalation_setup_save(setup).await;
            self.pending.set(false);
            match answer {
                Ok(valid) => {
                    self.saved.set(valid.clone());
                    self.setup.set(valid);
                    self.built.update(|n| *n += 1);
                    self.notice.set(Some((
                        Part::Paths,
                        "Saved the escalation types and paths. Escalations opened from now on follow them; \
                         open ones keep the path they were opened with."
                            .into(),
                    )));
                }
                Err(e) => self.server_error.set(Some(e)),
            }
        });
    }
}

#[component]
pub(super) fn PathsCard(
    setup: EscalationSetup, users: Vec<(String, String)>, can_edit: bool, page: Page,
) -> impl IntoView {
    let draft = RwSignal::new(setup.clone());
    let saved = RwSignal::new(setup);
    let d = Draft {
        setup: draft,
        saved,
        changed: Memo::new(move |_| saved.with(|s| draft.with(|d| d != s))),
        problems: Memo::new(move |_| draft.with(|s| s.validate().err())),
        server_error: RwSignal::new(None),
        built: RwSignal::new(0),
        pending: RwSignal::new(false),
        notice: page.notice,
        users: StoredValue::new(users),
        can_edit,
    };
    let add_type = move |_| {
        d.edit(true, |s| {
            s.types.push(EscalationType {
                key: String::new(),
                label: String::new(),
                levels: vec![PathLevel {
                    role: LevelRole::Csm,
                    user_id: None,
                    after_minutes: None,
                }],
            })
        });
        let n = d.setup.with_untracked(|s| s.types.len()) - 1;
        crate::pages::plan::focus_later(format!("esc-{n}-label"));
    };
    let types_msg = d.msg("types".into());
    let server_error = d.server_error;
    view! {
        <section class="card sla-card" aria-labelledby="paths-h">
            <h2 id="paths-h">"Escalation types & paths"</h2>
            <p class="muted small">"Each type goes up its path one level at a time: a role on the account's team, or a named person. \
                A level nobody acknowledges in time moves up by itself; the last level stays until the escalation is resolved."</p>
            {page.notice_in(Part::Paths)}
            <ErrorBanner error=server_error fields_only_inline=true/>
            {move || server_error.get().as_ref().and_then(|e| unplaced(e, &["types"]))
                .map(|m| view! { <div class="banner banner-error" role="alert">{m}</div> })}
            {move || types_msg.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
            <div class="sla-types">
                <For each=move || {
                        let b = d.built.get();
                        d.setup.get_untracked().types.into_iter().enumerate().map(|(i, t)| (b, i, t)).collect::<Vec<_>>()
                    }
                    key=|(b, i, _)| (*b, *i)
                    children=move |(_, ti, t)| view! { <TypeBlock d ti t/> }/>
            </div>
            {can_edit.then(|| view! {
                <button type="button" class="button ghost small" data-testid="add-type" on:click=add_type
                    disabled=move || d.setup.with(|s| s.types.len() >= MAX_TYPES)>"+ Type"</button>
                <div class="form-actions sla-actions">
                    <button type="button" class="button primary" data-testid="save-paths" on:click=move |_| d.save()
                        disabled=move || !d.changed.get() || d.problems.get().is_some() || d.pending.get()>
                        {move || if d.pending.get() { "Saving…" } else { "Save types & paths" }}
                    </button>
                    <button type="button" class="button ghost" disabled=move || !d.changed.get()
                        on:click=move |_| d.edit(true, |s| *s = d.saved.get_untracked())>"Discard changes"</button>
                    {move || d.changed.get().then(|| view! { <span class="muted small">"Unsaved changes"</span> })}
                    {move || d.problems.get().map(|_| view! { <span class="error small">"Fix the marked fields before saving."</span> })}
                </div>
            })}
        </section>
    }
}

/// One type: its label and key, its levels in order, and the buttons that change them.
#[component]
fn TypeBlock(d: Draft, ti: usize, t: EscalationType) -> impl IntoView {
    let f = move |rest: &str| format!("types[{ti}].{rest}");
    let levels_msg = d.msg(f("levels"));
    let last = t.levels.len().saturating_sub(1);
    let count = t.levels.len();
    // Follows the label as it is typed (the block itself is built once).
    let label_now = move || {
        d.setup.with(|s| s.types.get(ti).map(|t| t.label.trim().to_string())).unwrap_or_default()
    };
    let title = move || match label_now() {
        l if l.is_empty() => "New type".to_string(),
        l => l,
    };
    let remove = move |_| {
        let label = d
            .setup
            .with_untracked(|s| s.types.get(ti).map(|t| t.label.clone()))
            .unwrap_or_default();
        if confirmed(&format!("Remove the type “{label}”? Escalations already open keep it.")) {
            d.edit(true, |s| {
                s.types.remove(ti);
            });
        }
    };
    let add_level = move |_: leptos::ev::MouseEvent| {
        d.edit(true, |s| {
            if let Some(t) = s.types.get_mut(ti) {
                if let Some(prev) = t.levels.last_mut() {
                    prev.after_minutes.get_or_insert(60);
                }
                t.levels.push(PathLevel {
                    role: LevelRole::AccountManager,
                    user_id: None,
                    after_minutes: None,
                });
            }
        })
    };
    view! {
        <div class="sla-type" data-testid="esc-type" data-key=t.key.clone()>
            <div class="sla-type-head">
                <h3>{title}</h3>
                {d.can_edit.then(|| view! {
                    <button type="button" class="button ghost small danger" aria-label=move || format!("Remove the type {}", title())
                        on:click=remove>"Remove type"</button>
                })}
            </div>
            <div class="form-row">
                <DraftInput id=format!("esc-{ti}-label") label="Label".into() value=t.label.clone() msg=d.msg(f("label"))
                    disabled=!d.can_edit on_input=move |v: String| d.edit(false, |s| if let Some(t) = s.types.get_mut(ti) { t.label = v })/>
                <DraftInput id=format!("esc-{ti}-key") label="Key".into() value=t.key.clone() msg=d.msg(f("key"))
                    disabled=!d.can_edit hint="What the REST API and helpdesks send as \"type\""
                    on_input=move |v: String| d.edit(false, |s| if let Some(t) = s.types.get_mut(ti) { t.key = v })/>
            </div>
            {move || levels_msg.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
            <ol class="sla-levels">
                {t.levels.into_iter().enumerate().map(|(li, level)| view! { <LevelRow d ti li last=li == last level/> }).collect_view()}
            </ol>
            {d.can_edit.then(|| view! {
                <button type="button" class="button ghost small" aria-label=move || format!("Add a level to {}", title())
                    disabled={count >= MAX_LEVELS} on:click=add_level>"+ Level"</button>
            })}
        </div>
    }
}

/// One level: who (a role, or a named person) and when it moves up by itself.
#[component]
fn LevelRow(d: Draft, ti: usize, li: usize, last: bool, level: PathLevel) -> impl IntoView {
    let f = move |rest: &str| format!("types[{ti}].levels[{li}].{rest}");
    let id = format!("esc-{ti}-{li}");
    let roles =
        LevelRole::ALL.iter().map(|r| (r.key().to_string(), r.label().to_string())).collect();
    let users = d.users.get_value();
    let after = level.after_minutes.map(|m| m.to_string()).unwrap_or_default();
    let set_after = move |v: String| {
        let v = v.trim().to_string();
        // Not a whole number: 0, which the check refuses by name.
        let m = (!v.is_empty()).then(|| v.parse::<u32>().unwrap_or(0));
        d.level(ti, li, |l| l.after_minutes = m)
    };
    view! {
        <li class="sla-level" data-testid="path-level">
            <span class="sla-level-n">{format!("Level {}", li + 1)}</span>
            <DraftSelect id=format!("{id}-role") label="Role".into() options=roles selected=level.role.key().to_string()
                msg=d.msg(f("role")) disabled=!d.can_edit
                on_change=move |v: String| if let Some(r) = LevelRole::parse(&v) { d.level(ti, li, |l| l.role = r) }/>
            <DraftSelect id=format!("{id}-user") label="Named person".into() options=users
                selected=level.user_id.as_ref().map(|u| u.to_string()).unwrap_or_default()
                placeholder="No one: the account's team" msg=d.msg(f("user_id")) disabled=!d.can_edit
                on_change=move |v: String| d.level(ti, li, |l| l.user_id = Some(v).filter(|s| !s.is_empty()).map(UserId::from))/>
            {if last {
                view! { <p class="muted small sla-level-last">"Last level: stays here until resolved."</p> }.into_any()
            } else {
                view! {
                    <DraftInput id=format!("{id}-after") label="Moves up after".into() value=after unit="min" kind="number"
                        inputmode="numeric" msg=d.msg(f("after_minutes")) disabled=!d.can_edit
                        hint="if not acknowledged; empty = never" on_input=set_after/>
                }.into_any()
            }}
            {d.can_edit.then(|| view! {
                <button type="button" class="button ghost small danger sla-level-x" aria-label=format!("Remove level {}", li + 1)
                    on:click=move |_| d.edit(true, |s| { if let Some(t) = s.types.get_mut(ti) { t.levels.remove(li); } })>"×"</button>
            })}
        </li>
    }
}
