//! Milestones and their tasks: complete, tick, reorder (drag and drop, or the arrow keys on a
//! task's handle), add and edit in place.

use super::{focus_later, progress_bar, status_pill, use_builder};
use crate::api::plans::*;
use crate::components::field::TextField;
use crate::components::notice::{confirmed, ErrorBanner};
use crate::error::AppError;
use crate::model::plan::*;
use leptos::prelude::*;

/// Moves task `id` of milestone `mid` by `delta` places: at once on screen, then on the server.
fn move_task(mid: String, id: String, delta: i64) {
    let b = use_builder();
    let Some(d) = b.shown_untracked() else {
        return;
    };
    let Some(m) = d.plan.milestones.iter().find(|m| m.id == mid) else {
        return;
    };
    let Some(from) = m.tasks.iter().position(|t| t.id == id) else {
        return;
    };
    let mut tasks = m.tasks.clone();
    if !move_item(&mut tasks, from, delta) {
        return;
    }
    let to = tasks.iter().position(|t| t.id == id).unwrap_or(from);
    let title = tasks[to].title.clone();
    let n = tasks.len();
    let ids: Vec<String> = tasks.iter().map(|t| t.id.clone()).collect();
    b.announce.set(format!(
        "Moved “{title}” to position {} of {n} in “{}”",
        to + 1,
        m.title
    ));
    let mid2 = mid.clone();
    b.run(
        "Moving the task",
        move |d| {
            if let Some(m) = d.plan.milestones.iter_mut().find(|m| m.id == mid2) {
                m.tasks = tasks;
            }
        },
        move || reorder_tasks(mid, ids),
    );
    focus_later(format!("handle-{id}"));
}

#[component]
pub fn Milestones() -> impl IntoView {
    let b = use_builder();
    let today = chrono::Utc::now().date_naive();
    // Which inline form is open: ("task", milestone id) to add a task, ("edit-task", task id),
    // ("edit-ms", milestone id).
    let open = RwSignal::new(None::<(&'static str, String)>);
    let dragging = RwSignal::new(None::<(String, String)>);
    let add_task = ServerAction::<AddTask>::new();
    let edit_task = ServerAction::<UpdateTask>::new();
    let edit_ms = ServerAction::<UpdateMilestone>::new();
    let add_ms = ServerAction::<AddMilestone>::new();
    for value in [
        add_task.value(),
        edit_task.value(),
        edit_ms.value(),
        add_ms.value(),
    ] {
        Effect::new(move |_| {
            if let Some(Ok(d)) = value.get() {
                b.accept(d);
                open.set(None);
            }
        });
    }
    let add_task_err = Signal::derive(move || add_task.value().get().and_then(|r| r.err()));
    let edit_task_err = Signal::derive(move || edit_task.value().get().and_then(|r| r.err()));
    let edit_ms_err = Signal::derive(move || edit_ms.value().get().and_then(|r| r.err()));
    let add_ms_err = Signal::derive(move || add_ms.value().get().and_then(|r| r.err()));
    let can_edit = b.can_edit;

    let forms = Forms {
        open,
        dragging,
        add_task,
        edit_task,
        edit_ms,
        add_task_err,
        edit_task_err,
        edit_ms_err,
    };
    view! {
        <section class="card" aria-labelledby="ms-h">
            <h2 id="ms-h">"Milestones and tasks"</h2>
            <p id="reorder-help" class="sr-only">"To reorder, focus a task's handle and press the up or down arrow key, or drag the task."</p>
            {move || b.shown().map(|d| {
                let owners = d.owners.clone();
                let start = d.plan.start;
                let plan_id = d.plan.id.clone();
                let empty = d.plan.milestones.is_empty();
                let items = d
                    .plan
                    .milestones
                    .into_iter()
                    .map(|m| view! { <MilestoneCard m owners=owners.clone() start forms today/> })
                    .collect_view();
                view! {
                    {empty.then(|| view! { <p class="muted">"No milestones yet. Add the first one below."</p> })}
                    {items}
                    {can_edit.then(|| view! {
                        <details class="add-ms">
                            <summary class="button ghost small">"+ Add milestone"</summary>
                            <ActionForm action=add_ms attr:class="plan-form" attr:novalidate="true">
                                <ErrorBanner error=add_ms_err fields_only_inline=true/>
                                <input type="hidden" name="plan_id" value=plan_id.clone()/>
                                <div class="form-row">
                                    <TextField label="Milestone" name="input[title]" field="title" errors=add_ms_err required=true id_prefix="new-ms-"/>
                                    <TextField label="Due" name="input[due]" field="due" kind="date" errors=add_ms_err required=true id_prefix="new-ms-"
                                        hint=Box::leak(format!("On or after {}", start.format("%d %b %Y")).into_boxed_str())/>
                                </div>
                                <label class="check"><input type="checkbox" name="input[first_value]" value="true"/>" First value (time to value is measured to this milestone)"</label>
                                <div class="form-actions"><button type="submit" class="button primary small">"Add milestone"</button></div>
                            </ActionForm>
                        </details>
                    })}
                }
            })}
        </section>
    }
}

/// The forms and drag state the milestone cards share (one action per kind of form, so a
/// redraw of the plan does not lose them).
#[derive(Clone, Copy)]
pub(crate) struct Forms {
    open: RwSignal<Option<(&'static str, String)>>,
    dragging: RwSignal<Option<(String, String)>>,
    add_task: ServerAction<AddTask>,
    edit_task: ServerAction<UpdateTask>,
    edit_ms: ServerAction<UpdateMilestone>,
    add_task_err: Signal<Option<AppError>>,
    edit_task_err: Signal<Option<AppError>>,
    edit_ms_err: Signal<Option<AppError>>,
}

#[component]
fn MilestoneCard(
    m: Milestone,
    owners: Vec<OwnerChoice>,
    start: chrono::NaiveDate,
    forms: Forms,
    today: chrono::NaiveDate,
) -> impl IntoView {
    let b = use_builder();
    let can_edit = b.can_edit;
    let Forms {
        open,
        add_task,
        edit_ms,
        add_task_err,
        edit_ms_err,
        ..
    } = forms;
    let _ = start;
    let ms_status = milestone_status(&m, today);
    let done_n = m.tasks.iter().filter(|t| t.is_done()).count();
    let n = m.tasks.len();
    let mid = m.id.clone();
    let complete = m.completed_on.is_some();
    let is_open =
        move |kind: &'static str, id: &str| open.get().is_some_and(|(k, x)| k == kind && x == id);
    let (title_e, due_e, fv_e) = (m.title.clone(), m.due, m.first_value);
    let owners_add = owners.clone();
    let tasks = m.tasks.clone();
    view! {
        <article class="milestone" class:complete=complete id=format!("ms-{mid}") data-testid="milestone">
            <header class="ms-head">
                <div class="ms-title">
                    <h3>{m.title.clone()}{m.first_value.then(|| view! { " "<span class="tag">"First value"</span> })}</h3>
                    <p class="muted small">
                        {format!("Due {}", m.due.format("%a %d %b %Y"))}
                        {m.completed_on.map(|c| format!(" · completed {}{}", c.format("%d %b"), m.completed_by.as_ref().map(|w| format!(" by {w}")).unwrap_or_default()))}
                        " · "{status_pill(&ms_status)}{(!complete).then(|| view! { " "<span class="reason">{ms_status.reason.clone()}</span> })}
                    </p>
                    {progress_bar(done_n, n, format!("{done_n} of {n} tasks done in {}", m.title))}
                </div>
                {can_edit.then(|| {
                    let mid1 = mid.clone();
                    let mid2 = mid.clone();
                    let mid3 = mid.clone();
                    let title = m.title.clone();
                    view! {
                        <div class="ms-actions">
                            <button type="button" class=if complete { "button small" } else { "button primary small" }
                                on:click=move |_| {
                                    let id = mid1.clone();
                                    let today = chrono::Utc::now().date_naive();
                                    let done = !complete;
                                    b.announce.set(if done { "Milestone completed".into() } else { "Milestone reopened".into() });
                                    b.run(if done { "Completing the milestone" } else { "Reopening the milestone" },
                                        {
                                            let id = id.clone();
                                            move |d| if let Some(m) = d.plan.milestones.iter_mut().find(|m| m.id == id) {
                                                m.completed_on = done.then_some(today);
                                            }
                                        },
                                        move || complete_milestone(id, done));
                                }>
                                {if complete { "Reopen" } else { "Complete milestone" }}
                            </button>
                            <button type="button" class="button ghost small" on:click=move |_| open.set(Some(("edit-ms", mid2.clone())))>"Edit"</button>
                            <button type="button" class="button ghost small danger" aria-label=format!("Delete the milestone “{title}”")
                                on:click=move |_| {
                                    if !confirmed(&format!("Delete “{title}” and its tasks?")) { return; }
                                    let id = mid3.clone();
                                    b.run("Deleting the milestone",
                                        { let id = id.clone(); move |d| d.plan.milestones.retain(|m| m.id != id) },
                                        move || delete_milestone(id));
                                }>"Delete"</button>
                        </div>
                    }
                })}
            </header>
            {
                let mid = mid.clone();
                move || {
                let (mid, title_e) = (mid.clone(), title_e.clone());
                is_open("edit-ms", &mid).then(move || view! {
                <ActionForm action=edit_ms attr:class="plan-form" attr:novalidate="true">
                    <ErrorBanner error=edit_ms_err fields_only_inline=true/>
                    <input type="hidden" name="id" value=mid.clone()/>
                    <div class="form-row">
                        <TextField label="Milestone" name="input[title]" field="title" errors=edit_ms_err value=title_e.clone() required=true id_prefix="edit-ms-"/>
                        <TextField label="Due" name="input[due]" field="due" kind="date" errors=edit_ms_err value=due_e.to_string() required=true id_prefix="edit-ms-"/>
                    </div>
                    <label class="check"><input type="checkbox" name="input[first_value]" value="true" checked=fv_e/>" First value (time to value is measured to this milestone)"</label>
                    <div class="form-actions">
                        <button type="submit" class="button primary small">"Save milestone"</button>
                        <button type="button" class="button ghost small" on:click=move |_| open.set(None)>"Cancel"</button>
                    </div>
                </ActionForm>
            })}}
            <ul class="tasks" aria-label=format!("Tasks of {}", m.title)>
                {tasks.into_iter().map(|t| view! {
                    <TaskRow task=t milestone=mid.clone() owners=owners.clone() forms today/>
                }).collect_view()}
            </ul>
            {(n == 0).then(|| view! { <p class="muted small">"No tasks yet."</p> })}
            {can_edit.then(|| {
                let mid = mid.clone();
                let due = m.due;
                move || if is_open("task", &mid) {
                let (mid, owners_add) = (mid.clone(), owners_add.clone());
                view! {
                    <ActionForm action=add_task attr:class="plan-form" attr:novalidate="true">
                        <ErrorBanner error=add_task_err fields_only_inline=true/>
                        <input type="hidden" name="milestone_id" value=mid.clone()/>
                        <div class="form-row">
                            <TextField label="Task" name="input[title]" field="title" errors=add_task_err required=true id_prefix="new-task-"/>
                            <TextField label="Due" name="input[due]" field="due" kind="date" errors=add_task_err value=due.to_string() required=true id_prefix="new-task-"/>
                            <OwnerSelect owners=owners_add.clone() selected=String::new() errors=add_task_err id_prefix="new-task-"/>
                        </div>
                        <div class="form-actions">
                            <button type="submit" class="button primary small">"Add task"</button>
                            <button type="button" class="button ghost small" on:click=move |_| open.set(None)>"Cancel"</button>
                        </div>
                    </ActionForm>
                }.into_any()
            } else {
                let mid = mid.clone();
                view! { <button type="button" class="button ghost small add" on:click=move |_| open.set(Some(("task", mid.clone())))>"+ Add task"</button> }.into_any()
            }})}
        </article>
    }
}

/// Who a task goes to: the account team, its contacts, or a role.
#[component]
fn OwnerSelect(
    owners: Vec<OwnerChoice>,
    selected: String,
    errors: Signal<Option<AppError>>,
    id_prefix: &'static str,
) -> impl IntoView {
    let id = format!("f-{id_prefix}owner");
    let msg = Signal::derive(move || errors.get().and_then(|e| e.for_field("owner")));
    view! {
        <div class="field" class:invalid=move || msg.get().is_some()>
            <label for=id.clone()>"Owner"</label>
            <select id=id name="input[owner]">
                {owners.into_iter().map(|o| {
                    let sel = o.value == selected;
                    view! { <option value=o.value selected=sel>{o.label}</option> }
                }).collect_view()}
            </select>
            <small class="error" aria-live="polite">{move || msg.get()}</small>
        </div>
    }
}

#[component]
fn TaskRow(
    task: Task,
    milestone: String,
    owners: Vec<OwnerChoice>,
    forms: Forms,
    today: chrono::NaiveDate,
) -> impl IntoView {
    let b = use_builder();
    let can_edit = b.can_edit;
    let Forms {
        open,
        dragging,
        edit_task,
        edit_task_err,
        ..
    } = forms;
    let t = task;
    let id = t.id.clone();
    let done = t.is_done();
    let late = t.is_overdue(today);
    let editing = {
        let id = id.clone();
        move || open.get().is_some_and(|(k, x)| k == "edit-task" && x == id)
    };
    let (title_e, due_e) = (t.title.clone(), t.due);
    let owner_label = match (&t.owner_name, t.owner_role) {
        (Some(n), OwnerRole::Customer) => format!("{n} (customer)"),
        (Some(n), _) => n.clone(),
        (None, r) => format!("Any {}", r.label()),
    };
    let selected = match (&t.owner_id, t.owner_role) {
        (Some(c), OwnerRole::Customer) => format!("c:{c}"),
        (Some(u), _) => format!("u:{u}"),
        (None, r) => format!("r:{}", r.key()),
    };
    let toggle = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            let status = if done {
                TaskStatus::Open
            } else {
                TaskStatus::Done
            };
            b.run(
                if done {
                    "Reopening the task"
                } else {
                    "Ticking off the task"
                },
                {
                    let id = id.clone();
                    move |d| {
                        for m in &mut d.plan.milestones {
                            for t in &mut m.tasks {
                                if t.id == id {
                                    t.status = status;
                                }
                            }
                        }
                    }
                },
                move || set_task_status(id, status.key().to_string()),
            );
        }
    };
    let keydown = {
        let id = id.clone();
        let mid = milestone.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            let delta = match ev.key().as_str() {
                "ArrowUp" => -1,
                "ArrowDown" => 1,
                "Home" => -1000,
                "End" => 1000,
                _ => return,
            };
            ev.prevent_default();
            move_task(mid.clone(), id.clone(), delta);
        }
    };
    let dragstart = {
        let id = id.clone();
        let mid = milestone.clone();
        move |ev: leptos::ev::DragEvent| {
            #[cfg(feature = "hydrate")]
            if let Some(dt) = ev.data_transfer() {
                let _ = dt.set_data("text/plain", &id);
                dt.set_effect_allowed("move");
            }
            let _ = &ev;
            dragging.set(Some((mid.clone(), id.clone())));
        }
    };
    let dragover = {
        let mid = milestone.clone();
        move |ev: leptos::ev::DragEvent| {
            if dragging.get_untracked().is_some_and(|(m, _)| m == mid) {
                ev.prevent_default();
            }
        }
    };
    let drop = {
        let target = id.clone();
        let mid = milestone.clone();
        move |ev: leptos::ev::DragEvent| {
            ev.prevent_default();
            let Some((m, dragged)) = dragging.get_untracked() else {
                return;
            };
            dragging.set(None);
            if m != mid || dragged == target {
                return;
            }
            let Some(d) = b.shown_untracked() else {
                return;
            };
            let Some(ms) = d.plan.milestones.iter().find(|x| x.id == mid) else {
                return;
            };
            let from = ms.tasks.iter().position(|t| t.id == dragged);
            let to = ms.tasks.iter().position(|t| t.id == target);
            if let (Some(from), Some(to)) = (from, to) {
                move_task(mid.clone(), dragged, to as i64 - from as i64);
            }
        }
    };
    let delete = {
        let id = id.clone();
        let title = t.title.clone();
        move |_| {
            if !confirmed(&format!("Delete the task “{title}”?")) {
                return;
            }
            let id = id.clone();
            b.run(
                "Deleting the task",
                {
                    let id = id.clone();
                    move |d| {
                        for m in &mut d.plan.milestones {
                            m.tasks.retain(|t| t.id != id);
                        }
                    }
                },
                move || delete_task(id),
            );
        }
    };
    let edit_id = id.clone();
    view! {
        <li class="task" class:done=done class:late=late id=format!("task-{id}") data-testid="task"
            draggable=if can_edit { "true" } else { "false" }
            on:dragstart=dragstart on:dragover=dragover on:drop=drop on:dragend=move |_| dragging.set(None)>
            {can_edit.then(|| view! {
                <button type="button" class="handle" id=format!("handle-{id}") aria-label=format!("Reorder “{}”", t.title)
                    aria-describedby="reorder-help" title="Drag, or use the arrow keys" on:keydown=keydown>"⠿"</button>
            })}
            <input type="checkbox" id=format!("done-{id}") checked=done prop:checked=done disabled=!can_edit on:change=toggle/>
            <div class="task-main">
                <label for=format!("done-{id}") class="task-title">{t.title.clone()}</label>
                <span class="muted small">
                    <span class="owner" class:customer=t.owner_role == OwnerRole::Customer>{owner_label}</span>
                    " · "<span class="due" class:late=late>{format!("due {}", t.due.format("%d %b"))}{late.then_some(" · overdue")}</span>
                    {done.then(|| t.done_by.clone().map(|w| format!(" · done by {w}"))).flatten()}
                </span>
                {(!t.resources.is_empty()).then(|| view! {
                    <span class="resources small">
                        {t.resources.iter().map(|r| view! {
                            <a href=r.url.clone() target="_blank" rel="noopener noreferrer">{r.title.clone()}</a>
                            <span class="muted">{format!(" ({}) ", r.kind.label())}</span>
                        }).collect_view()}
                    </span>
                })}
            </div>
            {can_edit.then(|| view! {
                <span class="task-actions">
                    <button type="button" class="button ghost small" aria-label=format!("Edit “{}”", t.title) on:click=move |_| open.set(Some(("edit-task", edit_id.clone())))>"Edit"</button>
                    <button type="button" class="button ghost small danger" aria-label=format!("Delete “{}”", t.title) on:click=delete>"×"</button>
                </span>
            })}
            {
                let id = id.clone();
                move || {
                let (id, title_e, owners, selected) = (id.clone(), title_e.clone(), owners.clone(), selected.clone());
                editing().then(move || view! {
                <ActionForm action=edit_task attr:class="plan-form task-edit" attr:novalidate="true">
                    <ErrorBanner error=edit_task_err fields_only_inline=true/>
                    <input type="hidden" name="id" value=id.clone()/>
                    <div class="form-row">
                        <TextField label="Task" name="input[title]" field="title" errors=edit_task_err value=title_e.clone() required=true id_prefix="edit-task-"/>
                        <TextField label="Due" name="input[due]" field="due" kind="date" errors=edit_task_err value=due_e.to_string() required=true id_prefix="edit-task-"/>
                        <OwnerSelect owners=owners.clone() selected=selected.clone() errors=edit_task_err id_prefix="edit-task-"/>
                    </div>
                    <div class="form-actions">
                        <button type="submit" class="button primary small">"Save task"</button>
                        <button type="button" class="button ghost small" on:click=move |_| open.set(None)>"Cancel"</button>
                    </div>
                </ActionForm>
            })}}
        </li>
    }
}
