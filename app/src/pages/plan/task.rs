//! One task of a milestone: tick it off, reorder it (drag and drop, or the arrow keys on its
//! handle), edit or delete it. The row is made of small components, each given what it shows.

use super::milestone::{Dragging, Forms, OpenForm, OwnerSelect};
use super::{focus_later, use_builder, Builder};
use crate::api::plans::*;
use crate::components::field::TextField;
use crate::components::notice::{confirmed, ErrorBanner};
use crate::model::plan::*;
use chrono::NaiveDate;
use leptos::ev::{DragEvent, KeyboardEvent};
use leptos::prelude::*;

/// Moves task `id` of milestone `mid` by `delta` places: at once on screen, then on the server.
fn move_task(b: Builder, mid: String, id: String, delta: i64) {
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
    let ids: Vec<String> = tasks.iter().map(|t| t.id.clone()).collect();
    b.announce.set(format!(
        "Moved “{}” to position {} of {} in “{}”",
        tasks[to].title,
        to + 1,
        tasks.len(),
        m.title
    ));
    let shown = mid.clone();
    b.run(
        "Moving the task",
        move |d| {
            if let Some(m) = d.plan.milestones.iter_mut().find(|m| m.id == shown) {
                m.tasks = tasks;
            }
        },
        move || reorder_tasks(mid, ids),
    );
    focus_later(format!("handle-{id}"));
}

/// Applies `change` to task `id` wherever it is in the plan.
fn edit_task(d: &mut PlanDetail, id: &str, change: impl Fn(&mut Task)) {
    for t in d.plan.milestones.iter_mut().flat_map(|m| &mut m.tasks) {
        if t.id == id {
            change(t);
        }
    }
}

/// Ticks task `id` off, or opens it again.
fn set_done(b: Builder, id: String, done: bool) {
    let status = if done { TaskStatus::Done } else { TaskStatus::Open };
    let what = if done { "Ticking off the task" } else { "Reopening the task" };
    let shown = id.clone();
    b.run(
        what,
        move |d| edit_task(d, &shown, |t| t.status = status),
        move || set_task_status(id, status.key().to_string()),
    );
}

/// Deletes task `id`, once the person confirms.
fn delete(b: Builder, id: String, title: &str) {
    if !confirmed(&format!("Delete the task “{title}”?")) {
        return;
    }
    let shown = id.clone();
    b.run(
        "Deleting the task",
        move |d| {
            for m in &mut d.plan.milestones {
                m.tasks.retain(|t| t.id != shown);
            }
        },
        move || delete_task(id),
    );
}

/// Starts dragging `here`.
fn drag_start(
    dragging: RwSignal<Option<Dragging>>, here: Dragging,
) -> impl FnMut(DragEvent) + 'static {
    move |ev| {
        #[cfg(feature = "hydrate")]
        if let Some(dt) = ev.data_transfer() {
            let _ = dt.set_data("text/plain", &here.task);
            dt.set_effect_allowed("move");
        }
        let _ = &ev;
        dragging.set(Some(here.clone()));
    }
}

/// Lets a task of `milestone` be dropped here (and nothing else).
fn drag_over(
    dragging: RwSignal<Option<Dragging>>, milestone: String,
) -> impl FnMut(DragEvent) + 'static {
    move |ev| {
        if dragging.with_untracked(|d| d.as_ref().is_some_and(|d| d.milestone == milestone)) {
            ev.prevent_default();
        }
    }
}

/// Drops the dragged task onto `target`'s place.
fn drop_on(
    b: Builder, dragging: RwSignal<Option<Dragging>>, target: Dragging,
) -> impl FnMut(DragEvent) + 'static {
    move |ev| {
        ev.prevent_default();
        let Some(dragged) = dragging.get_untracked() else {
            return;
        };
        dragging.set(None);
        if dragged.milestone != target.milestone || dragged.task == target.task {
            return;
        }
        let Some(d) = b.shown_untracked() else {
            return;
        };
        let Some(ms) = d.plan.milestones.iter().find(|x| x.id == target.milestone) else {
            return;
        };
        let from = ms.tasks.iter().position(|t| t.id == dragged.task);
        let to = ms.tasks.iter().position(|t| t.id == target.task);
        if let (Some(from), Some(to)) = (from, to) {
            move_task(b, dragged.milestone, dragged.task, to as i64 - from as i64);
        }
    }
}

#[component]
pub(super) fn TaskRow(
    task: Task, owners: Vec<OwnerChoice>, forms: Forms, today: NaiveDate,
) -> impl IntoView {
    let b = use_builder();
    let can_edit = b.can_edit;
    let (id, done, late) = (task.id.clone(), task.is_done(), task.is_overdue(today));
    let here = Dragging { milestone: task.milestone_id.clone(), task: id.clone() };
    let edit_form = {
        let (editing, task) = (OpenForm::EditTask(id.clone()), task.clone());
        move || {
            forms
                .is_open(&editing)
                .then(|| view! { <TaskEditForm task=task.clone() owners=owners.clone() forms/> })
        }
    };
    let handle =
        can_edit.then(|| view! { <TaskHandle here=here.clone() title=task.title.clone()/> });
    let actions =
        can_edit.then(|| view! { <TaskActions id=id.clone() title=task.title.clone() forms/> });
    let toggle = {
        let id = id.clone();
        move |_| set_done(b, id.clone(), !done)
    };
    view! {
        <li class="task" class:done=done class:late=late id=format!("task-{id}") data-testid="task"
            draggable=if can_edit { "true" } else { "false" }
            on:dragstart=drag_start(forms.dragging, here.clone()) on:dragover=drag_over(forms.dragging, here.milestone.clone())
            on:drop=drop_on(b, forms.dragging, here) on:dragend=move |_| forms.dragging.set(None)>
            {handle}
            <input type="checkbox" id=format!("done-{id}") checked=done prop:checked=done disabled=!can_edit on:change=toggle/>
            <TaskSummary task late/>
            {actions}
            {edit_form}
        </li>
    }
}

/// The handle that reorders a task: dragged, or moved with the arrow keys (Home and End for the
/// first and last place).
#[component]
fn TaskHandle(here: Dragging, title: String) -> impl IntoView {
    let b = use_builder();
    let id = format!("handle-{}", here.task);
    let keydown = move |ev: KeyboardEvent| {
        let delta = match ev.key().as_str() {
            "ArrowUp" => -1,
            "ArrowDown" => 1,
            "Home" => -1000,
            "End" => 1000,
            _ => return,
        };
        ev.prevent_default();
        move_task(b, here.milestone.clone(), here.task.clone(), delta);
    };
    view! {
        <button type="button" class="handle" id=id aria-label=format!("Reorder “{title}”")
            aria-describedby="reorder-help" title="Drag, or use the arrow keys" on:keydown=keydown>"⠿"</button>
    }
}

/// What a task is: its title (the label of its tick box), owner, due date and resources.
#[component]
fn TaskSummary(task: Task, late: bool) -> impl IntoView {
    let done_by =
        (task.is_done()).then(|| task.done_by.clone().map(|w| format!(" · done by {w}"))).flatten();
    let resources = (!task.resources.is_empty()).then(|| {
        view! {
            <span class="resources small">
                {task.resources.iter().map(|r| view! {
                    <a href=r.url.clone() target="_blank" rel="noopener noreferrer">{r.title.clone()}</a>
                    <span class="muted">{format!(" ({}) ", r.kind.label())}</span>
                }).collect_view()}
            </span>
        }
    });
    view! {
        <div class="task-main">
            <label for=format!("done-{}", task.id) class="task-title">{task.title.clone()}</label>
            <span class="muted small">
                <span class="owner" class:customer=task.owner_role == OwnerRole::Customer>{task.owner_label()}</span>
                " · "<span class="due" class:late=late>{format!("due {}", task.due.format("%d %b"))}{late.then_some(" · overdue")}</span>
                {done_by}
            </span>
            {resources}
        </div>
    }
}

#[component]
fn TaskActions(id: String, title: String, forms: Forms) -> impl IntoView {
    let b = use_builder();
    let (edit_label, delete_label) = (format!("Edit “{title}”"), format!("Delete “{title}”"));
    let editing = OpenForm::EditTask(id.clone());
    view! {
        <span class="task-actions">
            <button type="button" class="button ghost small" aria-label=edit_label on:click=move |_| forms.show(editing.clone())>"Edit"</button>
            <button type="button" class="button ghost small danger" aria-label=delete_label on:click=move |_| delete(b, id.clone(), &title)>"×"</button>
        </span>
    }
}

#[component]
fn TaskEditForm(task: Task, owners: Vec<OwnerChoice>, forms: Forms) -> impl IntoView {
    let errors = forms.edit_task_err;
    view! {
        <ActionForm action=forms.edit_task attr:class="plan-form task-edit" attr:novalidate="true">
            <ErrorBanner error=errors fields_only_inline=true/>
            <input type="hidden" name="id" value=task.id.clone()/>
            <div class="form-row">
                <TextField label="Task" name="input[title]" field="title" errors value=task.title.clone() required=true id_prefix="edit-task-"/>
                <TextField label="Due" name="input[due]" field="due" kind="date" errors value=task.due.to_string() required=true id_prefix="edit-task-"/>
                <OwnerSelect owners selected=Some(task.owner()) errors id_prefix="edit-task-"/>
            </div>
            <div class="form-actions">
                <button type="submit" class="button primary small">"Save task"</button>
                <button type="button" class="button ghost small" on:click=move |_| forms.close()>"Cancel"</button>
            </div>
        </ActionForm>
    }
}
