//! Milestones: complete or reopen, edit, delete, and add tasks to them, in place. Their tasks
//! are [`super::task`]'s. At most one inline form is open on the page ([`OpenForm`]); the forms'
//! actions live as long as the section, so a redraw of the plan (every answer from the server
//! is one) does not lose them.

use super::task::TaskRow;
use super::{progress_bar, status_pill, use_builder, Builder};
use crate::api::plans::*;
use crate::components::field::TextField;
use crate::components::notice::{confirmed, ErrorBanner};
use crate::error::AppError;
use crate::model::plan::*;
use crate::model::PlanId;
use chrono::NaiveDate;
use leptos::prelude::*;

/// Which inline form is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OpenForm {
    /// Adding a task to the milestone with this id.
    AddTask(String),
    /// Editing the task with this id.
    EditTask(String),
    /// Editing the milestone with this id.
    EditMilestone(String),
}

/// The task being dragged, and its milestone (a task is dropped only among its siblings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dragging {
    pub milestone: String,
    pub task: String,
}

/// The forms and drag state the milestone cards share: one action per kind of form, and each
/// action's last refusal for its form's fields.
#[derive(Clone, Copy)]
pub(crate) struct Forms {
    open: RwSignal<Option<OpenForm>>,
    pub dragging: RwSignal<Option<Dragging>>,
    add_task: ServerAction<AddTask>,
    pub edit_task: ServerAction<UpdateTask>,
    edit_ms: ServerAction<UpdateMilestone>,
    add_task_err: Signal<Option<AppError>>,
    pub edit_task_err: Signal<Option<AppError>>,
    edit_ms_err: Signal<Option<AppError>>,
}

/// What a builder form's action last answered: the plan, or a refusal.
trait Answer: Get<Value = Option<Result<PlanDetail, AppError>>> + Copy + Send + Sync + 'static {}
impl<S: Get<Value = Option<Result<PlanDetail, AppError>>> + Copy + Send + Sync + 'static> Answer
    for S
{
}

/// An action's last refusal (none after a success).
fn refusal(value: impl Answer) -> Signal<Option<AppError>> {
    Signal::derive(move || value.get().and_then(|r| r.err()))
}

impl Forms {
    /// The forms of the builder `b`: a form's accepted answer replaces the plan and closes it.
    fn new(b: Builder) -> Self {
        let (add_task, edit_task, edit_ms) =
            (ServerAction::new(), ServerAction::new(), ServerAction::new());
        let forms = Forms {
            open: RwSignal::new(None),
            dragging: RwSignal::new(None),
            add_task,
            edit_task,
            edit_ms,
            add_task_err: refusal(add_task.value()),
            edit_task_err: refusal(edit_task.value()),
            edit_ms_err: refusal(edit_ms.value()),
        };
        forms.close_on_success(b, add_task.value());
        forms.close_on_success(b, edit_task.value());
        forms.close_on_success(b, edit_ms.value());
        forms
    }

    /// Once `value` holds an answer, the plan shows it and the open form closes.
    fn close_on_success(self, b: Builder, value: impl Answer) {
        Effect::new(move |_| {
            if let Some(Ok(d)) = value.get() {
                b.accept(d);
                self.close();
            }
        });
    }

    /// Whether `form` is the open one (tracked: a view that asks follows it).
    pub fn is_open(self, form: &OpenForm) -> bool {
        self.open.with(|o| o.as_ref() == Some(form))
    }

    pub fn show(self, form: OpenForm) {
        self.open.set(Some(form));
    }

    pub fn close(self) {
        self.open.set(None);
    }
}

#[component]
pub fn Milestones() -> impl IntoView {
    let b = use_builder();
    let today = chrono::Utc::now().date_naive();
    let forms = Forms::new(b);
    let add_ms = ServerAction::<AddMilestone>::new();
    forms.close_on_success(b, add_ms.value());
    view! {
        <section class="card" aria-labelledby="ms-h">
            <h2 id="ms-h">"Milestones and tasks"</h2>
            <p id="reorder-help" class="sr-only">"To reorder, focus a task's handle and press the up or down arrow key, or drag the task."</p>
            {move || b.shown().map(|d| {
                let (owners, plan_id, start) = (d.owners, d.plan.id, d.plan.start);
                let empty = d.plan.milestones.is_empty();
                let cards = (d.plan.milestones.into_iter())
                    .map(|m| view! { <MilestoneCard m owners=owners.clone() forms today/> })
                    .collect_view();
                view! {
                    {empty.then(|| view! { <p class="muted">"No milestones yet. Add the first one below."</p> })}
                    {cards}
                    {b.can_edit.then(|| view! { <AddMilestoneForm action=add_ms plan_id start/> })}
                }
            })}
        </section>
    }
}

#[component]
fn AddMilestoneForm(
    action: ServerAction<AddMilestone>, plan_id: PlanId, start: NaiveDate,
) -> impl IntoView {
    let errors = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    // `TextField` takes its hint as static text: this leaks a few bytes each time the form is
    // drawn (as it always has), which a plan page never does often.
    let hint: &'static str =
        Box::leak(format!("On or after {}", start.format("%d %b %Y")).into_boxed_str());
    view! {
        <details class="add-ms">
            <summary class="button ghost small">"+ Add milestone"</summary>
            <ActionForm action attr:class="plan-form" attr:novalidate="true">
                <ErrorBanner error=errors fields_only_inline=true/>
                <input type="hidden" name="plan_id" value=plan_id.to_string()/>
                <div class="form-row">
                    <TextField label="Milestone" name="input[title]" field="title" errors required=true id_prefix="new-ms-"/>
                    <TextField label="Due" name="input[due]" field="due" kind="date" errors required=true id_prefix="new-ms-" hint/>
                </div>
                <label class="check">
                    <input type="checkbox" name="input[first_value]" value="true"/>
                    " First value (time to value is measured to this milestone)"
                </label>
                <div class="form-actions"><button type="submit" class="button primary small">"Add milestone"</button></div>
            </ActionForm>
        </details>
    }
}

#[component]
fn MilestoneCard(
    m: Milestone, owners: Vec<OwnerChoice>, forms: Forms, today: NaiveDate,
) -> impl IntoView {
    let b = use_builder();
    let status = milestone_status(&m, today);
    let done = m.tasks.iter().filter(|t| t.is_done()).count();
    let n = m.tasks.len();
    let complete = m.completed_on.is_some();
    let completed = m.completed_on.map(|c| {
        let by = m.completed_by.as_ref().map(|w| format!(" by {w}")).unwrap_or_default();
        format!(" · completed {}{by}", c.format("%d %b"))
    });
    let edit_form = {
        let editing = OpenForm::EditMilestone(m.id.clone());
        let (id, title, due, first_value) = (m.id.clone(), m.title.clone(), m.due, m.first_value);
        move || {
            let (id, title) = (id.clone(), title.clone());
            forms
                .is_open(&editing)
                .then(|| view! { <MilestoneEditForm id title due first_value forms/> })
        }
    };
    let tasks = (m.tasks.into_iter())
        .map(|task| view! { <TaskRow task owners=owners.clone() forms today/> })
        .collect_view();
    let actions = b.can_edit.then(
        || view! { <MilestoneActions id=m.id.clone() title=m.title.clone() complete forms/> },
    );
    let add_task =
        b.can_edit.then(|| view! { <AddTaskForm milestone=m.id.clone() due=m.due owners forms/> });
    view! {
        <article class="milestone" class:complete=complete id=format!("ms-{}", m.id) data-testid="milestone">
            <header class="ms-head">
                <div class="ms-title">
                    <h3>{m.title.clone()}{m.first_value.then(|| view! { " "<span class="tag">"First value"</span> })}</h3>
                    <p class="muted small">
                        {format!("Due {}", m.due.format("%a %d %b %Y"))}
                        {completed}
                        " · "{status_pill(&status)}{(!complete).then(|| view! { " "<span class="reason">{status.reason.clone()}</span> })}
                    </p>
                    {progress_bar(done, n, format!("{done} of {n} tasks done in {}", m.title))}
                </div>
                {actions}
            </header>
            {edit_form}
            <ul class="tasks" aria-label=format!("Tasks of {}", m.title)>{tasks}</ul>
            {(n == 0).then(|| view! { <p class="muted small">"No tasks yet."</p> })}
            {add_task}
        </article>
    }
}

/// Completes milestone `id` (today) or reopens it: at once on screen, then on the server.
fn set_complete(b: Builder, id: String, done: bool) {
    let today = chrono::Utc::now().date_naive();
    b.announce.set(if done { "Milestone completed" } else { "Milestone reopened" }.into());
    let what = if done { "Completing the milestone" } else { "Reopening the milestone" };
    let shown = id.clone();
    b.run(
        what,
        move |d| {
            if let Some(m) = d.plan.milestones.iter_mut().find(|m| m.id == shown) {
                m.completed_on = done.then_some(today);
            }
        },
        move || complete_milestone(id, done),
    );
}

/// Deletes milestone `id` and its tasks, once the person confirms.
fn delete(b: Builder, id: String, title: &str) {
    if !confirmed(&format!("Delete “{title}” and its tasks?")) {
        return;
    }
    let shown = id.clone();
    b.run(
        "Deleting the milestone",
        move |d| d.plan.milestones.retain(|m| m.id != shown),
        move || delete_milestone(id),
    );
}

#[component]
fn MilestoneActions(id: String, title: String, complete: bool, forms: Forms) -> impl IntoView {
    let b = use_builder();
    let (toggle_id, edit_id) = (id.clone(), id.clone());
    let label = format!("Delete the milestone “{title}”");
    view! {
        <div class="ms-actions">
            <button type="button" class=if complete { "button small" } else { "button primary small" }
                on:click=move |_| set_complete(b, toggle_id.clone(), !complete)>
                {if complete { "Reopen" } else { "Complete milestone" }}
            </button>
            <button type="button" class="button ghost small" on:click=move |_| forms.show(OpenForm::EditMilestone(edit_id.clone()))>"Edit"</button>
            <button type="button" class="button ghost small danger" aria-label=label on:click=move |_| delete(b, id.clone(), &title)>"Delete"</button>
        </div>
    }
}

#[component]
fn MilestoneEditForm(
    id: String, title: String, due: NaiveDate, first_value: bool, forms: Forms,
) -> impl IntoView {
    let errors = forms.edit_ms_err;
    view! {
        <ActionForm action=forms.edit_ms attr:class="plan-form" attr:novalidate="true">
            <ErrorBanner error=errors fields_only_inline=true/>
            <input type="hidden" name="id" value=id/>
            <div class="form-row">
                <TextField label="Milestone" name="input[title]" field="title" errors value=title required=true id_prefix="edit-ms-"/>
                <TextField label="Due" name="input[due]" field="due" kind="date" errors value=due.to_string() required=true id_prefix="edit-ms-"/>
            </div>
            <label class="check">
                <input type="checkbox" name="input[first_value]" value="true" checked=first_value/>
                " First value (time to value is measured to this milestone)"
            </label>
            <div class="form-actions">
                <button type="submit" class="button primary small">"Save milestone"</button>
                <button type="button" class="button ghost small" on:click=move |_| forms.close()>"Cancel"</button>
            </div>
        </ActionForm>
    }
}

/// "+ Add task" under a milestone, and the form it opens.
#[component]
fn AddTaskForm(
    milestone: String, due: NaiveDate, owners: Vec<OwnerChoice>, forms: Forms,
) -> impl IntoView {
    let adding = OpenForm::AddTask(milestone.clone());
    let errors = forms.add_task_err;
    move || {
        if forms.is_open(&adding) {
            let (milestone, owners) = (milestone.clone(), owners.clone());
            view! {
                <ActionForm action=forms.add_task attr:class="plan-form" attr:novalidate="true">
                    <ErrorBanner error=errors fields_only_inline=true/>
                    <input type="hidden" name="milestone_id" value=milestone/>
                    <div class="form-row">
                        <TextField label="Task" name="input[title]" field="title" errors required=true id_prefix="new-task-"/>
                        <TextField label="Due" name="input[due]" field="due" kind="date" errors value=due.to_string() required=true id_prefix="new-task-"/>
                        <OwnerSelect owners selected=None errors id_prefix="new-task-"/>
                    </div>
                    <div class="form-actions">
                        <button type="submit" class="button primary small">"Add task"</button>
                        <button type="button" class="button ghost small" on:click=move |_| forms.close()>"Cancel"</button>
                    </div>
                </ActionForm>
            }
            .into_any()
        } else {
            let adding = adding.clone();
            view! { <button type="button" class="button ghost small add" on:click=move |_| forms.show(adding.clone())>"+ Add task"</button> }.into_any()
        }
    }
}

/// Who a task goes to: the account team, its contacts, or a role.
#[component]
pub(crate) fn OwnerSelect(
    owners: Vec<OwnerChoice>, selected: Option<TaskOwner>, errors: Signal<Option<AppError>>,
    id_prefix: &'static str,
) -> impl IntoView {
    let id = format!("f-{id_prefix}owner");
    let msg = Signal::derive(move || errors.get().and_then(|e| e.for_field("owner")));
    view! {
        <div class="field" class:invalid=move || msg.get().is_some()>
            <label for=id.clone()>"Owner"</label>
            <select id=id name="input[owner]">
                {owners.into_iter().map(|o| {
                    let sel = selected.as_ref() == Some(&o.value);
                    view! { <option value=o.value.value() selected=sel>{o.label}</option> }
                }).collect_view()}
            </select>
            <small class="error" aria-live="polite">{move || msg.get()}</small>
        </div>
    }
}
