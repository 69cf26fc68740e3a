//! "Raise escalation" on an account: type (its escalation path), severity, title, description
//! and the contact who raised it. The account's SLA policy is chosen by the server (the first
//! segment policy covering the account, else the default); on success the new escalation's
//! page opens, its clocks already running.

use super::fields::{banner, invalid, Field};
use crate::api::escalations::{escalation_open, RaiseOptions};
use crate::components::action::go_on_success;
use crate::error::AppError;
use crate::model::escalation::{Escalation, EscalationInput, EscalationSeverity};
use crate::model::AccountId;
use leptos::prelude::*;

#[component]
pub fn RaiseForm(
    account_id: AccountId, choices: Resource<Result<RaiseOptions, AppError>>,
) -> impl IntoView {
    let (kind, severity, title, description, raised_by) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let act: Action<EscalationInput, Result<Escalation, AppError>> =
        Action::new(|input: &EscalationInput| escalation_open(input.clone()));
    go_on_success(act.value(), |e: &Escalation| format!("/escalations/{}", e.id));
    let error = Signal::derive(move || act.value().get().and_then(Result::err));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        act.dispatch(EscalationInput {
            account_id: Some(account_id.to_string()),
            kind: kind.get_untracked(),
            severity: severity.get_untracked(),
            title: title.get_untracked(),
            description: description.get_untracked(),
            raised_by: Some(raised_by.get_untracked()).filter(|s| !s.is_empty()),
            ..Default::default()
        });
    };
    let shown = &["type", "severity", "title", "description", "raised_by"];
    view! {
        <details class="add esc-raise" data-testid="raise-escalation">
            <summary>"Raise escalation"</summary>
            <form class="plan-form" novalidate=true on:submit=submit>
                {move || banner(error, shown)().map(|m| view! { <div class="banner banner-error" role="alert">{m}</div> })}
                <div class="form-row">
                    <Field id="raise-type" label="Type" field="type" error required=true hint="Decides the escalation path.">
                        <select id="raise-type" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))
                            aria-invalid=invalid(error, "type") aria-describedby="raise-type-hint raise-type-error">
                            <option value="">"Choose…"</option>
                            <Transition fallback=|| ()>
                                {move || choices.get().and_then(Result::ok).map(|c| c.types.into_iter().map(|(k, l)| view! {
                                    <option value=k>{l}</option>
                                }).collect_view())}
                            </Transition>
                        </select>
                    </Field>
                    <Field id="raise-severity" label="Severity" field="severity" error required=true hint="Sets the SLA targets.">
                        <select id="raise-severity" prop:value=move || severity.get() on:change=move |ev| severity.set(event_target_value(&ev))
                            aria-invalid=invalid(error, "severity") aria-describedby="raise-severity-hint raise-severity-error">
                            <option value="">"Choose…"</option>
                            {EscalationSeverity::ALL.iter().map(|s| view! { <option value=s.key()>{s.label()}</option> }).collect_view()}
                        </select>
                    </Field>
                    <Field id="raise-contact" label="Raised by" field="raised_by" error hint="The customer contact who reported it.">
                        <select id="raise-contact" prop:value=move || raised_by.get() on:change=move |ev| raised_by.set(event_target_value(&ev))
                            aria-invalid=invalid(error, "raised_by") aria-describedby="raise-contact-hint raise-contact-error">
                            <option value="">"Not a contact"</option>
                            <Transition fallback=|| ()>
                                {move || choices.get().and_then(Result::ok).map(|c| c.contacts.into_iter().map(|(id, name)| view! {
                                    <option value=id>{name}</option>
                                }).collect_view())}
                            </Transition>
                        </select>
                    </Field>
                </div>
                <Field id="raise-title" label="Title" field="title" error required=true hint="In a few words: what is wrong.">
                    <input id="raise-title" type="text" maxlength="200" prop:value=move || title.get()
                        on:input=move |ev| title.set(event_target_value(&ev))
                        aria-invalid=invalid(error, "title") aria-describedby="raise-title-hint raise-title-error"/>
                </Field>
                <Field id="raise-description" label="Description" field="description" error hint="What the customer sees, since when, what is affected.">
                    <textarea id="raise-description" rows="3" maxlength="10000" prop:value=move || description.get()
                        on:input=move |ev| description.set(event_target_value(&ev))
                        aria-invalid=invalid(error, "description") aria-describedby="raise-description-hint raise-description-error"></textarea>
                </Field>
                <div class="form-actions">
                    <button type="submit" class="button primary" data-testid="raise-submit" disabled=move || act.pending().get()>"Raise escalation"</button>
                </div>
            </form>
        </details>
    }
}
