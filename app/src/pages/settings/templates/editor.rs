//! The template form, one component per part: the template's own fields, then each milestone,
//! its tasks and their training resources. Each part takes what it renders and its position;
//! its inputs write to the shared [`TemplateDraft`], and its error messages name the same field
//! paths as `TemplateInput::validate` (`milestones[0].tasks[1].resources[2].url`).

use super::TemplateDraft;
use crate::model::plan::*;
use crate::model::Stage;
use leptos::ev::Event;
use leptos::prelude::*;

fn draft() -> TemplateDraft {
    expect_context::<TemplateDraft>()
}

/// The value an `<input>` or `<select>` event carries.
fn value(ev: &Event) -> String {
    event_target_value(ev)
}

/// A day field's number (-1, refused by the check, when it is not one).
fn day(ev: &Event) -> i32 {
    value(ev).parse().unwrap_or(-1)
}

#[component]
pub(super) fn TemplateEditor(input: TemplateInput) -> impl IntoView {
    let t = draft();
    let TemplateInput { name, stage, description, milestones, .. } = input;
    let add_milestone = move |_| {
        t.edit(|d| {
            let day = d.milestones.last().map(|m| m.offset_days + 14).unwrap_or(7);
            d.milestones.push(TemplateMilestone {
                title: String::new(),
                offset_days: day,
                first_value: false,
                tasks: vec![],
            });
        })
    };
    view! {
        <div class="form-row">
            <div class="field">
                <label for="tpl-name">"Name"</label>
                <input id="tpl-name" value=name on:input=move |ev| { let v = value(&ev); t.edit(|d| d.name = v) }/>
                <small class="error">{t.msg("name".into())}</small>
            </div>
            <div class="field">
                <label for="tpl-stage">"Journey stage"</label>
                <select id="tpl-stage" on:change=move |ev| { let v = value(&ev); t.edit(|d| d.stage = v) }>
                    <option value="" selected=stage.is_empty()>"Any"</option>
                    {Stage::ALL.iter().map(|s| view! { <option value=s.key() selected=stage == s.key()>{s.label()}</option> }).collect_view()}
                </select>
            </div>
        </div>
        <div class="field">
            <label for="tpl-desc">"Description"</label>
            <input id="tpl-desc" value=description on:input=move |ev| { let v = value(&ev); t.edit(|d| d.description = v) }/>
        </div>
        <p class="error">{t.msg("milestones".into())}</p>
        <ol class="tpl-milestones">
            {milestones.into_iter().enumerate().map(|(index, milestone)| view! { <MilestoneEditor index milestone/> }).collect_view()}
        </ol>
        <button type="button" class="button ghost small" on:click=add_milestone>"+ Milestone"</button>
    }
}

/// Milestone `index`: title, day, the first-value mark, its tasks.
#[component]
fn MilestoneEditor(index: usize, milestone: TemplateMilestone) -> impl IntoView {
    let (t, i) = (draft(), index);
    let id = format!("tpl-m{i}");
    let path = format!("milestones[{i}]");
    let add_task = move |_| {
        t.milestone(i, |m| {
            let day = m.offset_days.max(0);
            m.tasks.push(TemplateTask {
                title: String::new(),
                offset_days: day,
                owner_role: OwnerRole::Csm,
                resources: vec![],
            });
        })
    };
    let first_value = milestone.first_value;
    view! {
        <li class="tpl-ms">
            <div class="form-row tpl-ms-row">
                <div class="field">
                    <label for=format!("{id}-title")>{format!("Milestone {}", i + 1)}</label>
                    <input id=format!("{id}-title") value=milestone.title on:input=move |ev| { let v = value(&ev); t.milestone(i, |m| m.title = v) }/>
                    <small class="error">{t.msg(format!("{path}.title"))}</small>
                </div>
                <div class="field narrow">
                    <label for=format!("{id}-day")>"Day"</label>
                    <input id=format!("{id}-day") type="number" min="0" max="730" value=milestone.offset_days
                        on:input=move |ev| { let v = day(&ev); t.milestone(i, |m| m.offset_days = v) }/>
                    <small class="error">{t.msg(format!("{path}.offset_days"))}</small>
                </div>
                <label class="check">
                    <input type="checkbox" checked=first_value prop:checked=first_value
                        on:change=move |ev| { let v = event_target_checked(&ev); t.milestone(i, |m| m.first_value = v) }/>
                    " First value"
                </label>
                <button type="button" class="button ghost small danger" aria-label=format!("Remove milestone {}", i + 1)
                    on:click=move |_| t.edit(|d| { d.milestones.remove(i); })>"Remove"</button>
            </div>
            <ul class="tpl-tasks">
                {milestone.tasks.into_iter().enumerate().map(|(j, task)| view! { <TaskEditor milestone=i index=j task/> }).collect_view()}
            </ul>
            <button type="button" class="button ghost small" on:click=add_task>"+ Task"</button>
        </li>
    }
}

/// Task `index` of milestone `milestone`: title, day, owner role, training resources.
#[component]
fn TaskEditor(milestone: usize, index: usize, task: TemplateTask) -> impl IntoView {
    let (t, i, j) = (draft(), milestone, index);
    let id = format!("tpl-m{i}-t{j}");
    let path = format!("milestones[{i}].tasks[{j}]");
    let role = task.owner_role;
    let set_role = move |ev: Event| {
        let v = OwnerRole::parse(&value(&ev)).unwrap_or(OwnerRole::Csm);
        t.task(i, j, |task| task.owner_role = v)
    };
    let add_resource = move |_| {
        t.task(i, j, |task| {
            task.resources.push(TrainingResource {
                kind: ResourceKind::Documentation,
                title: String::new(),
                url: "https://".into(),
            })
        })
    };
    view! {
        <li>
            <div class="form-row tpl-task-row">
                <div class="field">
                    <label for=id.clone()>"Task"</label>
                    <input id=id.clone() value=task.title on:input=move |ev| { let v = value(&ev); t.task(i, j, |task| task.title = v) }/>
                    <small class="error">{t.msg(format!("{path}.title"))}</small>
                </div>
                <div class="field narrow">
                    <label for=format!("{id}-day")>"Day"</label>
                    <input id=format!("{id}-day") type="number" min="0" value=task.offset_days
                        on:input=move |ev| { let v = day(&ev); t.task(i, j, |task| task.offset_days = v) }/>
                    <small class="error">{t.msg(format!("{path}.offset_days"))}</small>
                </div>
                <div class="field">
                    <label for=format!("{id}-role")>"Owner"</label>
                    <select id=format!("{id}-role") on:change=set_role>
                        {OwnerRole::ALL.iter().map(|r| view! { <option value=r.key() selected=*r == role>{r.label()}</option> }).collect_view()}
                    </select>
                </div>
                <button type="button" class="button ghost small danger" aria-label=format!("Remove task {}", j + 1)
                    on:click=move |_| t.milestone(i, |m| { m.tasks.remove(j); })>"×"</button>
            </div>
            <ul class="tpl-resources">
                {task.resources.into_iter().enumerate().map(|(k, resource)| view! { <ResourceEditor milestone=i task=j index=k resource/> }).collect_view()}
            </ul>
            <button type="button" class="link small" on:click=add_resource>"+ Training resource"</button>
        </li>
    }
}

/// Resource `index` of a task: its kind, title and link.
#[component]
fn ResourceEditor(
    milestone: usize, task: usize, index: usize, resource: TrainingResource,
) -> impl IntoView {
    let (t, i, j, k) = (draft(), milestone, task, index);
    let path = format!("milestones[{i}].tasks[{j}].resources[{k}]");
    let kind = resource.kind;
    let set_kind = move |ev: Event| {
        let v = ResourceKind::parse(&value(&ev)).unwrap_or(ResourceKind::Documentation);
        t.resource(i, j, k, |r| r.kind = v)
    };
    view! {
        <li class="form-row tpl-res-row">
            <select aria-label="Resource kind" on:change=set_kind>
                {ResourceKind::ALL.iter().map(|x| view! { <option value=x.key() selected=*x == kind>{x.label()}</option> }).collect_view()}
            </select>
            <input aria-label="Resource title" placeholder="Title" value=resource.title
                on:input=move |ev| { let v = value(&ev); t.resource(i, j, k, |r| r.title = v) }/>
            <input aria-label="Resource link" placeholder="https://…" value=resource.url
                on:input=move |ev| { let v = value(&ev); t.resource(i, j, k, |r| r.url = v) }/>
            <button type="button" class="button ghost small danger" aria-label="Remove resource"
                on:click=move |_| t.task(i, j, |task| { task.resources.remove(k); })>"×"</button>
            <small class="error">{t.msg(format!("{path}.url"))}</small>
            <small class="error">{t.msg(format!("{path}.title"))}</small>
        </li>
    }
}
