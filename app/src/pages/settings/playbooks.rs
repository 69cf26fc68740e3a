//! Settings → Alerts → Playbooks: per rule kind, the ordered steps an alert puts in its owners'
//! My work (title, due after N days, owner role, optional touchpoint to log). Steps are added,
//! removed and moved up or down in a draft checked in the browser with the same
//! `Playbook::validate` as the server (errors named `steps.<n>.title`, n from 1); Save replaces
//! the kind's playbook, and alerts already open keep the steps they got.
//!
//! As in the rules editor, inputs show the draft's values when built and write back on input;
//! the step list is rebuilt only when its shape changes (a step added, removed or moved), on
//! Discard and after a save.

use crate::api::alerts::{alert_rule_sets, playbook_save};
use crate::components::notice::{confirmed, ErrorBanner, Loaded};
use crate::error::AppError;
use crate::model::alert::*;
use crate::model::engagement::TouchpointKind;
use crate::model::TeamRole;
use leptos::ev::Event;
use leptos::prelude::*;

/// The card's own state, which outlives the editor (rebuilt whenever the playbooks are read).
#[derive(Clone, Copy)]
struct Books {
    /// The rule kind whose playbook is open.
    open: RwSignal<RuleKind>,
    /// Bumped by every successful save: the playbooks are read again.
    saved: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
    /// Whether the open playbook has unsaved changes (asked before another one opens).
    dirty: RwSignal<bool>,
}

#[component]
pub fn PlaybooksCard() -> impl IntoView {
    let books = Books {
        open: RwSignal::new(RuleKind::ALL[0]),
        saved: RwSignal::new(0),
        notice: RwSignal::new(None),
        dirty: RwSignal::new(false),
    };
    let overview = Resource::new(move || books.saved.get(), |_| alert_rule_sets());
    view! {
        <section class="card playbooks" aria-labelledby="playbooks-h">
            <h2 id="playbooks-h">"Playbooks"</h2>
            <p class="muted small">"The steps an alert of each kind puts in My work, in order. Each goes to the account's team member in \
                its role (the alert's owner when the team has no one in it) and is due that many days after the alert opens. \
                Alerts already open keep their steps."</p>
            <Loaded resource=overview inline=true let:data>
                <Playbooks list=data.playbooks can_edit=data.can_edit books/>
            </Loaded>
        </section>
    }
}

/// The rule kinds on the left (a click opens one's playbook), the open playbook on the right.
#[component]
fn Playbooks(list: Vec<Playbook>, can_edit: bool, books: Books) -> impl IntoView {
    let list = StoredValue::new(list);
    let open = move |kind: RuleKind| {
        if kind == books.open.get_untracked() {
            return;
        }
        let leave = !books.dirty.get_untracked()
            || confirmed(&format!(
                "Discard your changes to the {} playbook?",
                books.open.get_untracked().label()
            ));
        if leave {
            books.dirty.set(false);
            books.notice.set(None);
            books.open.set(kind);
        }
    };
    view! {
        <div class="playbook-layout">
            <ul class="playbook-kinds">
                {list.get_value().into_iter().map(|p| {
                    let kind = p.rule;
                    let here = Memo::new(move |_| books.open.get() == kind);
                    let n = p.steps.len();
                    view! {
                        <li class:current=here>
                            <button type="button" class="link" aria-current=move || if here.get() { "true" } else { "false" }
                                data-rule=kind.key() on:click=move |_| open(kind)>{kind.label()}</button>
                            <span class="muted small">{format!("{n} step{}", if n == 1 { "" } else { "s" })}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {move || {
                let kind = books.open.get();
                let playbook = list.with_value(|l| l.iter().find(|p| p.rule == kind).cloned())
                    .unwrap_or_else(|| Playbook::default_for(kind));
                view! { <PlaybookEditor playbook can_edit books/> }
            }}
        </div>
    }
}

/// The open playbook as edited.
#[derive(Clone, Copy)]
struct Draft {
    rule: RuleKind,
    steps: RwSignal<Vec<PlaybookStep>>,
    /// The steps as saved; set on a successful save at once (see the rules editor).
    saved: RwSignal<Vec<PlaybookStep>>,
    changed: Memo<bool>,
    problems: Memo<Option<AppError>>,
    server_error: RwSignal<Option<AppError>>,
    /// Bumped when the list's shape changes: the step rows are rebuilt.
    built: RwSignal<u32>,
    pending: RwSignal<bool>,
}

impl Draft {
    fn new(p: Playbook) -> Self {
        let rule = p.rule;
        let steps = RwSignal::new(p.steps.clone());
        let saved = RwSignal::new(p.steps);
        Draft {
            rule,
            steps,
            saved,
            changed: Memo::new(move |_| saved.with(|s| steps.with(|d| d != s))),
            problems: Memo::new(move |_| {
                steps.with(|s| Playbook { rule, steps: s.clone() }.validate().err())
            }),
            server_error: RwSignal::new(None),
            built: RwSignal::new(0),
            pending: RwSignal::new(false),
        }
    }

    /// Changes the list; `reshape` rebuilds the rows (a step added, removed or moved).
    fn edit(self, books: Books, reshape: bool, f: impl FnOnce(&mut Vec<PlaybookStep>)) {
        self.steps.update(f);
        self.server_error.set(None);
        books.notice.set(None);
        books.dirty.set(self.changed.get_untracked());
        if reshape {
            self.built.update(|n| *n += 1);
        }
    }

    /// Changes step `i` (from 0).
    fn step(self, books: Books, i: usize, f: impl FnOnce(&mut PlaybookStep)) {
        self.edit(books, false, |s| {
            if let Some(step) = s.get_mut(i) {
                f(step)
            }
        });
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

    fn discard(self, books: Books) {
        self.edit(books, true, |s| *s = self.saved.get_untracked());
    }

    fn save(self, books: Books) {
        let playbook = Playbook { rule: self.rule, steps: self.steps.get_untracked() };
        let n = playbook.steps.len();
        self.pending.set(true);
        leptos::task::spawn_local(async move {
            let answer = playbook_save(playbook).await;
            self.pending.set(false);
            match answer {
                Ok(()) => {
                    self.saved.set(self.steps.get_untracked());
                    books.dirty.set(false);
                    books.notice.set(Some(format!(
                        "Saved the {} playbook: alerts opened from now on get {n} step{}.",
                        self.rule.label(),
                        if n == 1 { "" } else { "s" }
                    )));
                    books.saved.update(|n| *n += 1);
                }
                Err(e) => self.server_error.set(Some(e)),
            }
        });
    }
}

#[component]
fn PlaybookEditor(playbook: Playbook, can_edit: bool, books: Books) -> impl IntoView {
    let d = Draft::new(playbook);
    let add = move |_| {
        d.edit(books, true, |s| {
            let due = s.last().map(|l| l.due_after_days.saturating_add(7)).unwrap_or(1).min(365);
            s.push(PlaybookStep {
                title: String::new(),
                due_after_days: due,
                owner_role: TeamRole::Csm,
                touchpoint: None,
            })
        })
    };
    let count = Memo::new(move |_| d.steps.with(Vec::len));
    let steps_msg = d.msg("steps".into());
    view! {
        <div class="playbook-editor" data-rule=d.rule.key()>
            <h3>{format!("{} playbook", d.rule.label())}</h3>
            <p class="muted small">{d.rule.describe()}</p>
            {move || books.notice.get().map(|n| view! { <div class="banner banner-ok" role="status">{n}</div> })}
            <ErrorBanner error=d.server_error fields_only_inline=true/>
            {move || steps_msg.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
            {move || d.steps.with(Vec::is_empty).then(|| view! {
                <p class="muted">"No steps: these alerts open without tasks, and are resolved by hand."</p>
            })}
            <ol class="pb-steps">
                // Keyed by the build, so a move or removal makes new inputs (patching the old
                // ones would leave what was typed where it was).
                <For each=move || {
                        let build = d.built.get();
                        let steps = d.steps.get_untracked();
                        let last = steps.len().saturating_sub(1);
                        steps.into_iter().enumerate().map(|(i, step)| (build, i, last, step)).collect::<Vec<_>>()
                    }
                    key=|(build, i, _, _)| (*build, *i)
                    children=move |(_, i, last, step)| view! { <StepRow i last step d books can_edit/> }/>
            </ol>
            {can_edit.then(|| view! {
                <button type="button" class="button ghost small" on:click=add disabled=move || { count.get() >= MAX_STEPS }>"+ Step"</button>
                <div class="form-actions pb-actions">
                    <button type="button" class="button primary" data-testid="save-playbook" on:click=move |_| d.save(books)
                        disabled=move || !d.changed.get() || d.problems.get().is_some() || d.pending.get()>
                        {move || if d.pending.get() { "Saving…" } else { "Save playbook" }}
                    </button>
                    <button type="button" class="button ghost" disabled=move || !d.changed.get() on:click=move |_| d.discard(books)>"Discard changes"</button>
                    {move || d.changed.get().then(|| view! { <span class="muted small">"Unsaved changes"</span> })}
                    {move || d.problems.get().map(|_| view! { <span class="error small">"Fix the marked steps before saving."</span> })}
                </div>
            })}
        </div>
    }
}

/// Step `i` (from 0; its fields are named from 1, as the server names them).
#[component]
fn StepRow(
    i: usize, last: usize, step: PlaybookStep, d: Draft, books: Books, can_edit: bool,
) -> impl IntoView {
    let n = i + 1;
    let id = format!("pb-{n}");
    let title_msg = d.msg(format!("steps.{n}.title"));
    let due_msg = d.msg(format!("steps.{n}.due_after_days"));
    let set_title = move |ev: Event| {
        let v = event_target_value(&ev);
        d.step(books, i, |s| s.title = v)
    };
    let set_due = move |ev: Event| {
        // Not a whole number: past the 365-day bound, so the check names it.
        let v = event_target_value(&ev).trim().parse::<u32>().unwrap_or(u32::MAX);
        d.step(books, i, |s| s.due_after_days = v)
    };
    let set_role = move |ev: Event| {
        if let Some(r) = TeamRole::parse(&event_target_value(&ev)) {
            d.step(books, i, |s| s.owner_role = r)
        }
    };
    let set_touchpoint = move |ev: Event| {
        let v = TouchpointKind::parse(&event_target_value(&ev));
        d.step(books, i, |s| s.touchpoint = v)
    };
    let swap = move |other: usize| d.edit(books, true, |s| s.swap(i, other));
    let (role, touchpoint) = (step.owner_role, step.touchpoint);
    view! {
        <li class="pb-step" data-testid="playbook-step">
            <div class="field pb-title" class:invalid=move || title_msg.get().is_some()>
                <label for=format!("{id}-title")>{format!("Step {n}")}</label>
                <input id=format!("{id}-title") value=step.title maxlength="200" disabled=!can_edit on:input=set_title
                    aria-invalid=move || title_msg.get().is_some().then_some("true")/>
                <small class="error" aria-live="polite">{move || title_msg.get()}</small>
            </div>
            <div class="field pb-due" class:invalid=move || due_msg.get().is_some()>
                <label for=format!("{id}-due")>"Due after"</label>
                <div class="with-unit">
                    <input id=format!("{id}-due") type="number" inputmode="numeric" min="0" max="365" step="1"
                        value=step.due_after_days disabled=!can_edit on:input=set_due
                        aria-invalid=move || due_msg.get().is_some().then_some("true")/>
                    <span class="unit">"days"</span>
                </div>
                <small class="error" aria-live="polite">{move || due_msg.get()}</small>
            </div>
            <div class="field pb-role">
                <label for=format!("{id}-role")>"Owner"</label>
                <select id=format!("{id}-role") disabled=!can_edit on:change=set_role>
                    {TeamRole::ALL.iter().map(|r| view! { <option value=r.key() selected=*r == role>{r.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field pb-touchpoint">
                <label for=format!("{id}-touchpoint")>"Touchpoint to log"</label>
                <select id=format!("{id}-touchpoint") disabled=!can_edit on:change=set_touchpoint>
                    <option value="" selected=touchpoint.is_none()>"None"</option>
                    {TouchpointKind::ALL.iter().map(|k| view! { <option value=k.key() selected=Some(*k) == touchpoint>{k.label()}</option> }).collect_view()}
                </select>
            </div>
            {can_edit.then(|| view! {
                <div class="pb-moves">
                    <button type="button" class="button ghost small" aria-label=format!("Move step {n} up") title="Move up"
                        disabled=i == 0 on:click=move |_| swap(i.saturating_sub(1))>"↑"</button>
                    <button type="button" class="button ghost small" aria-label=format!("Move step {n} down") title="Move down"
                        disabled=i == last on:click=move |_| swap((i + 1).min(last))>"↓"</button>
                    <button type="button" class="button ghost small danger" aria-label=format!("Remove step {n}") title="Remove"
                        on:click=move |_| d.edit(books, true, |s| { s.remove(i); })>"×"</button>
                </div>
            })}
        </li>
    }
}
