//! The account's success plans (status, progress) and making a new one from a journey template.

use crate::api::plans::CreatePlan;
use crate::components::action::{go_on_success, refusal};
use crate::components::field::TextField;
use crate::components::notice::{ErrorBanner, Loaded};
use crate::error::AppError;
use crate::model::plan::{JourneyTemplate, PlanSummary};
use crate::model::AccountId;
use leptos::prelude::*;

#[component]
pub fn PlansCard(
    account_id: AccountId, contract_start: chrono::NaiveDate, can_edit: bool,
    plans: Resource<Result<Vec<PlanSummary>, AppError>>,
) -> impl IntoView {
    // Templates are read when the form opens, not with the page: nothing the server renders
    // depends on them.
    let templates = RwSignal::new(Vec::<JourneyTemplate>::new());
    let create = ServerAction::<CreatePlan>::new();
    let errors = refusal(create.value());
    let template_err =
        Signal::derive(move || errors.get().and_then(|e| e.for_field("template_id")));
    // A new plan opens in the builder.
    {
        let account_id = account_id.clone();
        go_on_success(create.value(), move |id| format!("/accounts/{account_id}/plans/{id}"));
    }
    let adding = RwSignal::new(false);
    view! {
        <section class="card" aria-labelledby="plans-h">
            <div class="card-head">
                <h2 id="plans-h">"Success plans"</h2>
                {can_edit.then(|| view! {
                    <button type="button" class="button small" on:click=move |_| {
                        adding.update(|a| *a = !*a);
                        if templates.with_untracked(|t| t.is_empty()) {
                            leptos::task::spawn_local(async move {
                                if let Ok(list) = crate::api::plans::list_templates().await {
                                    templates.set(list);
                                }
                            });
                        }
                    }>"+ New plan"</button>
                })}
            </div>
            <Loaded resource=plans inline=true let:list>
                {if list.is_empty() {
                    view! { <p class="muted">"No success plan yet. Start one from a journey template: due dates are laid out from the contract \
                        start."</p> }.into_any()
                } else {
                    view! {
                        <ul class="plan-list">
                            {list.into_iter().map(|p| {
                                view! {
                                    <li data-testid="plan-summary">
                                        <a href=format!("/accounts/{}/plans/{}", p.account_id, p.id)><strong>{p.title.clone()}</strong></a>
                                        " "<span class=format!("pill s-{}", p.status.key()) title=p.reason.clone()>{p.status.label()}</span>
                                        {crate::pages::plan::progress_bar(p.done, p.total, format!("{} progress", p.title))}
                                        <span class="muted small">{format!("{} of {} steps · {}", p.done, p.total, p.reason)}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </Loaded>
            {move || {
                let account_id = account_id.clone();
                adding.get().then(move || view! {
                <ActionForm action=create attr:class="plan-form" attr:novalidate="true">
                    <ErrorBanner error=errors fields_only_inline=true/>
                    <input type="hidden" name="account_id" value=account_id.to_string()/>
                    <TextField label="Plan title" name="input[title]" field="title" errors required=true id_prefix="plan-" hint="e.g. Onboarding 2026"/>
                    <div class="form-row">
                        <div class="field" class:invalid=move || template_err.get().is_some()>
                            <label for="f-plan-template">"Start from"</label>
                            <select id="f-plan-template" name="input[template_id]">
                                {move || templates.get().into_iter().enumerate().map(|(i, t)| view! {
                                    <option value=t.id.to_string() selected=i == 0>{format!("{} template", t.name)}</option>
                                }).collect_view()}
                                <option value="">"A blank plan"</option>
                            </select>
                            <small class="error">{move || template_err.get()}</small>
                        </div>
                        <TextField label="Lay out due dates from" name="input[start]" field="start" kind="date" errors
                            value=contract_start.to_string() required=true id_prefix="plan-" hint="The contract start, or a date you choose"/>
                    </div>
                    <div class="form-actions">
                        <button type="submit" class="button primary small">"Create plan"</button>
                        <button type="button" class="button ghost small" on:click=move |_| adding.set(false)>"Cancel"</button>
                    </div>
                </ActionForm>
            })}}
        </section>
    }
}
