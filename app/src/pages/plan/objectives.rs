//! A plan's objectives: metric, unit, baseline → current → target, and whether the customer may
//! update the current value on the shared plan.

use super::use_builder;
use crate::api::plans::{AddObjective, UpdateObjective};
use crate::components::field::TextField;
use crate::components::notice::{confirmed, ErrorBanner};
use crate::error::AppError;
use crate::model::plan::{fmt_num, Objective};
use leptos::prelude::*;

#[component]
pub fn Objectives() -> impl IntoView {
    let b = use_builder();
    let add = ServerAction::<AddObjective>::new();
    let edit = ServerAction::<UpdateObjective>::new();
    let editing = RwSignal::new(None::<String>);
    let adding = RwSignal::new(false);
    for value in [add.value(), edit.value()] {
        Effect::new(move |_| {
            if let Some(Ok(d)) = value.get() {
                b.accept(d);
                editing.set(None);
                adding.set(false);
            }
        });
    }
    let add_err = Signal::derive(move || add.value().get().and_then(|r| r.err()));
    let edit_err = Signal::derive(move || edit.value().get().and_then(|r| r.err()));
    view! {
        <section class="card" aria-labelledby="obj-h">
            <h2 id="obj-h">"Objectives"</h2>
            {move || b.shown().map(|d| {
                let plan_id = d.plan.id.clone();
                let list = d.plan.objectives.clone();
                view! {
                    {list.is_empty().then(|| view! { <p class="muted">"No objectives yet: what will the customer measure success by?"</p> })}
                    <ul class="objectives">
                        {list.into_iter().map(|o| view! { <ObjectiveRow o editing edit edit_err/> }).collect_view()}
                    </ul>
                    {b.can_edit.then(|| {
                        let plan_id = plan_id.clone();
                        move || if adding.get() {
                            let plan_id = plan_id.clone();
                            view! {
                                <ActionForm action=add attr:class="plan-form" attr:novalidate="true">
                                    <ErrorBanner error=add_err fields_only_inline=true/>
                                    <input type="hidden" name="plan_id" value=plan_id.to_string()/>
                                    <ObjectiveFields errors=add_err o=None prefix="new-obj-"/>
                                    <div class="form-actions">
                                        <button type="submit" class="button primary small">"Add objective"</button>
                                        <button type="button" class="button ghost small" on:click=move |_| adding.set(false)>"Cancel"</button>
                                    </div>
                                </ActionForm>
                            }.into_any()
                        } else {
                            view! { <button type="button" class="button ghost small" on:click=move |_| adding.set(true)>"+ Add objective"</button> }.into_any()
                        }
                    })}
                }
            })}
        </section>
    }
}

#[component]
fn ObjectiveFields(
    errors: Signal<Option<AppError>>, o: Option<Objective>, prefix: &'static str,
) -> impl IntoView {
    let v = |f: fn(&Objective) -> String| o.as_ref().map(f).unwrap_or_default();
    view! {
        <div class="form-row">
            <TextField label="Metric" name="input[metric]" field="metric" errors value=v(|o| o.spec.metric.clone()) required=true
                id_prefix=prefix hint="e.g. Weekly active users"/>
            <TextField label="Unit" name="input[unit]" field="unit" errors value=v(|o| o.spec.unit.clone()) id_prefix=prefix/>
        </div>
        <div class="form-row three">
            <TextField label="Baseline" name="input[baseline]" field="baseline" errors inputmode="decimal" value=v(|o| fmt_num(o.spec.baseline))
                required=true id_prefix=prefix/>
            <TextField label="Current" name="input[current]" field="current" errors inputmode="decimal" value=v(|o| fmt_num(o.spec.current))
                required=true id_prefix=prefix/>
            <TextField label="Target" name="input[target]" field="target" errors inputmode="decimal" value=v(|o| fmt_num(o.spec.target))
                required=true id_prefix=prefix/>
        </div>
        <label class="check">
            <input type="checkbox" name="input[customer_can_update]" value="true" checked=o.as_ref().is_some_and(|o| o.spec.customer_can_update)/>
            " The customer may update the current value on the shared plan"
        </label>
    }
}

#[component]
fn ObjectiveRow(
    o: Objective, editing: RwSignal<Option<String>>, edit: ServerAction<UpdateObjective>,
    edit_err: Signal<Option<AppError>>,
) -> impl IntoView {
    let b = use_builder();
    let pct = (o.spec.progress() * 100.0).round() as u32;
    let id = o.id.clone();
    let is_editing = {
        let id = id.clone();
        move || editing.get().as_deref() == Some(id.as_str())
    };
    let o2 = o.clone();
    let del_id = id.clone();
    let edit_id = id.clone();
    let metric = o.spec.metric.clone();
    view! {
        <li class="objective" data-testid="objective">
            <div class="obj-row">
                <strong>{o.spec.metric.clone()}</strong>
                {if o.spec.has_target() {
                    view! {
                        <span class="obj-values">
                            {format!("{} → ", fmt_num(o.spec.baseline))}<strong>{fmt_num(o.spec.current)}</strong>
                            {format!(" of {} {}", fmt_num(o.spec.target), o.spec.unit)}
                        </span>
                    }.into_any()
                } else {
                    view! { <span class="obj-values muted">{format!("{} {} · no target yet", fmt_num(o.spec.current), o.spec.unit)}</span> }.into_any()
                }}
            </div>
            <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=pct aria-label=format!("{} progress", o.spec.metric)>
                <span style=format!("width:{pct}%")></span>
            </div>
            <p class="muted small">
                {if o.spec.has_target() { format!("{pct}% of the way") } else { "Edit to set the baseline and target".to_string() }}
                {o.spec.customer_can_update.then_some(" · the customer updates this")}
                {o.updated_by.clone().map(|u| format!(" · last set by {u}"))}
                {b.can_edit.then(|| view! {
                    " "<button type="button" class="link" on:click=move |_| editing.set(Some(edit_id.clone()))>"Edit"</button>
                    " "<button type="button" class="link danger" on:click=move |_| {
                        if !confirmed(&format!("Delete the objective “{metric}”?")) { return; }
                        let id = del_id.clone();
                        b.run("Deleting the objective",
                            { let id = id.clone(); move |d| d.plan.objectives.retain(|o| o.id != id) },
                            move || crate::api::plans::delete_objective(id));
                    }>"Delete"</button>
                })}
            </p>
            {move || {
                let (id, o2) = (id.clone(), o2.clone());
                is_editing().then(move || view! {
                <ActionForm action=edit attr:class="plan-form" attr:novalidate="true">
                    <ErrorBanner error=edit_err fields_only_inline=true/>
                    <input type="hidden" name="id" value=id.clone()/>
                    <ObjectiveFields errors=edit_err o=Some(o2.clone()) prefix="edit-obj-"/>
                    <div class="form-actions">
                        <button type="submit" class="button primary small">"Save objective"</button>
                        <button type="button" class="button ghost small" on:click=move |_| editing.set(None)>"Cancel"</button>
                    </div>
                </ActionForm>
            })}}
        </li>
    }
}
