//! Acting on one alert: Acknowledge at once; Snooze (until a date, with a reason), Dismiss (with
//! a reason) and Resolve (with an optional note) open a small form first. The server's field
//! messages appear beside their fields, as in every other form.

use crate::api::alerts::{alert_act, BulkOutcome};
use crate::error::AppError;
use crate::model::alert::{AlertEventInput, AlertStatus, MAX_SNOOZE_DAYS};
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Snooze,
    Dismiss,
    Resolve,
}

impl Form {
    fn event(self) -> &'static str {
        match self {
            Form::Snooze => "snoozed",
            Form::Dismiss => "dismissed",
            Form::Resolve => "resolved",
        }
    }
}

/// The buttons (and the open form) for alert `id`, whose `rule` names it for screen readers.
/// `done` is bumped after the alert took an action (its view re-reads).
#[component]
pub fn AlertActions(
    id: String, status: AlertStatus, rule: &'static str, done: RwSignal<u32>,
) -> impl IntoView {
    let open = RwSignal::new(None::<Form>);
    let reason = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let today = chrono::Utc::now().date_naive();
    let until = RwSignal::new((today + chrono::Duration::days(7)).to_string());
    let act: Action<AlertEventInput, Result<BulkOutcome, AppError>> = Action::new({
        let id = id.clone();
        move |input: &AlertEventInput| alert_act(vec![id.clone()], input.clone())
    });
    // A refusal: the server's error, or this alert's reason for not taking the action.
    let error = Signal::derive(move || match act.value().get() {
        Some(Err(e)) => Some(e),
        Some(Ok(o)) => o.refused.first().map(|(_, why)| AppError::Conflict(why.clone())),
        None => None,
    });
    Effect::new(move |_| {
        if let Some(Ok(o)) = act.value().get() {
            if o.refused.is_empty() {
                open.set(None);
                done.update(|n| *n += 1);
            }
        }
    });
    let send = move |event: &str| {
        act.dispatch(AlertEventInput {
            event: event.into(),
            reason: reason.get_untracked(),
            until: until.get_untracked(),
            note: note.get_untracked(),
        });
    };
    let toggle = move |f: Form| {
        move |_| {
            act.value().set(None);
            open.update(|o| *o = if *o == Some(f) { None } else { Some(f) });
        }
    };
    let can_ack = matches!(status, AlertStatus::Open | AlertStatus::Snoozed);
    let field_id = move |name: &str| format!("al-{name}-{id}");
    let (reason_id, until_id, note_id) = (field_id("reason"), field_id("until"), field_id("note"));
    let banner = Signal::derive(move || {
        error.get().filter(|e| !matches!(e, AppError::Validation(_))).and_then(|e| e.banner())
    });
    view! {
        <div class="alert-actions" role="group" aria-label=format!("Act on {rule}")>
            {can_ack.then(|| view! {
                <button type="button" class="button small primary" disabled=move || act.pending().get()
                    on:click=move |_| { open.set(None); send("acknowledged") }>"Acknowledge"</button>
            })}
            <button type="button" class="button small" aria-expanded=move || (open.get() == Some(Form::Snooze)).to_string()
                on:click=toggle(Form::Snooze)>"Snooze…"</button>
            <button type="button" class="button small" aria-expanded=move || (open.get() == Some(Form::Dismiss)).to_string()
                on:click=toggle(Form::Dismiss)>"Dismiss…"</button>
            <button type="button" class="button small" aria-expanded=move || (open.get() == Some(Form::Resolve)).to_string()
                on:click=toggle(Form::Resolve)>"Resolve…"</button>
        </div>
        {move || banner.get().map(|m| view! { <div class="banner banner-error" role="alert">{m}</div> })}
        {move || open.get().map(|f| {
            let (reason_id, until_id, note_id) = (reason_id.clone(), until_id.clone(), note_id.clone());
            let max = (today + chrono::Duration::days(MAX_SNOOZE_DAYS)).to_string();
            let min = (today + chrono::Duration::days(1)).to_string();
            view! {
                <form class="plan-form alert-form" novalidate=true on:submit=move |ev| { ev.prevent_default(); send(f.event()) }>
                    {(f == Form::Snooze).then(|| view! {
                        <Field id=until_id.clone() label="Snooze until" field="until" error
                            hint="The alert stays quiet until this day, then the rule looks again.">
                            <input id=until_id.clone() type="date" min=min.clone() max=max.clone() required=true
                                prop:value=move || until.get() on:input=move |ev| until.set(event_target_value(&ev))
                                aria-invalid=move || field_error(error, "until").is_some().then_some("true")
                                aria-describedby=format!("{until_id}-hint {until_id}-error")/>
                        </Field>
                    })}
                    {(f != Form::Resolve).then(|| view! {
                        <Field id=reason_id.clone() label="Reason" field="reason" error
                            hint=if f == Form::Snooze { "Why wait? (e.g. “seasonal dip, back after the holidays”)" } else { "Why is this not a risk? Others will read it." }>
                            <textarea id=reason_id.clone() rows="2" maxlength="2000" required=true
                                prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))
                                aria-invalid=move || field_error(error, "reason").is_some().then_some("true")
                                aria-describedby=format!("{reason_id}-hint {reason_id}-error")></textarea>
                        </Field>
                    })}
                    {(f == Form::Resolve).then(|| view! {
                        <Field id=note_id.clone() label="Resolution note" field="note" error hint="Optional: what was done.">
                            <textarea id=note_id.clone() rows="2" maxlength="2000"
                                prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))
                                aria-invalid=move || field_error(error, "note").is_some().then_some("true")
                                aria-describedby=format!("{note_id}-hint {note_id}-error")></textarea>
                        </Field>
                    })}
                    <div class="form-actions">
                        <button type="submit" class="button primary small" disabled=move || act.pending().get()>
                            {match f { Form::Snooze => "Snooze alert", Form::Dismiss => "Dismiss alert", Form::Resolve => "Resolve alert" }}
                        </button>
                        <button type="button" class="button ghost small" on:click=move |_| open.set(None)>"Cancel"</button>
                    </div>
                </form>
            }
        })}
    }
}

fn field_error(error: Signal<Option<AppError>>, field: &str) -> Option<String> {
    error.get().and_then(|e| e.for_field(field))
}

/// A labelled field with its hint and the server's message for `field` (as
/// `components::field` lays them out; the ids here carry the alert's id, since several alerts
/// share a page).
#[component]
fn Field(
    id: String, label: &'static str, field: &'static str, error: Signal<Option<AppError>>,
    #[prop(optional)] hint: &'static str, children: Children,
) -> impl IntoView {
    let msg = move || field_error(error, field);
    view! {
        <div class="field" class:invalid=move || msg().is_some()>
            <label for=id.clone()>{label}</label>
            {children()}
            <small class="hint" id=format!("{id}-hint")>{hint}</small>
            <small class="error" id=format!("{id}-error") aria-live="polite">{msg}</small>
        </div>
    }
}
