//! Recording work on an escalation: Acknowledge, First response sent, Customer update sent,
//! Waiting on customer / Customer replied, Escalate to the next level, each with an optional
//! note; Resolve opens a form (root cause, required here, and resolution notes); a resolved
//! escalation offers Reopen. The server checks each against the log and its refusal appears
//! beside the field it names, or above the buttons.

use super::fields::{banner, invalid, Field};
use crate::api::escalations::{escalation_record, EscalationView};
use crate::error::AppError;
use crate::model::escalation::{
    event_label, EscalationFollowUp, EscalationStatus, EventInput, EventKind, RootCause,
};
use leptos::prelude::*;

/// What the actions and the follow-up offer, taken from the escalation: the forms are redrawn
/// only when this changes, not at every re-read of the clocks.
#[derive(Debug, Clone, PartialEq)]
pub struct ActFacts {
    pub id: String,
    pub status: EscalationStatus,
    pub level: u32,
    pub levels: u32,
    pub responded: bool,
    pub can_act: bool,
    pub follow_up: Option<EscalationFollowUp>,
}

impl ActFacts {
    pub fn of(v: &EscalationView) -> Self {
        let e = &v.escalation;
        ActFacts {
            id: e.id.to_string(),
            status: e.status,
            level: e.level,
            levels: e.levels,
            responded: e.events.iter().any(|ev| ev.kind == EventKind::FirstResponse),
            can_act: v.can_act,
            follow_up: e.follow_up.clone(),
        }
    }
}

pub type Record = Action<EventInput, Result<crate::model::escalation::Escalation, AppError>>;

/// The recording action and the note being typed. Made by the page, not the card: the card is
/// redrawn when the escalation's status or level changes — which is what recording does — and
/// "Recorded: …" and a half-typed note must outlive that.
#[derive(Clone, Copy)]
pub struct Recorder {
    act: Record,
    note: RwSignal<String>,
}

pub fn recorder(id: Signal<String>, done: RwSignal<u32>) -> Recorder {
    let act: Record =
        Action::new(move |input: &EventInput| escalation_record(id.get_untracked(), input.clone()));
    let note = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(_)) = act.value().get() {
            note.set(String::new());
            done.update(|n| *n += 1);
        }
    });
    Recorder { act, note }
}

#[component]
pub fn ActionsCard(f: ActFacts, rec: Recorder) -> impl IntoView {
    let Recorder { act, note } = rec;
    let resolving = RwSignal::new(false);
    // A check made here before sending (the root cause is required on this form).
    let mine = RwSignal::new(None::<AppError>);
    let error =
        Signal::derive(move || mine.get().or_else(|| act.value().get().and_then(Result::err)));
    let send = move |kind: &'static str| {
        mine.set(None);
        act.dispatch(EventInput {
            kind: kind.into(),
            note: Some(note.get_untracked()),
            ..Default::default()
        });
    };
    let resolved = f.status == EscalationStatus::Resolved;
    view! {
        <section class="card esc-actions" aria-labelledby="act-h" data-testid="esc-actions">
            <h2 id="act-h">{if resolved { "Reopen" } else { "Record what happened" }}</h2>
            {move || banner(error, &["note", "root_cause"])().map(|m| view! { <div class="banner banner-error" role="alert">{m}</div> })}
            {move || recorded(act).map(|m| view! { <div class="banner banner-ok" role="status" data-testid="esc-recorded">{m}</div> })}
            <div class:hidden=move || resolving.get()>
                <Field id="esc-note" label="Note" field="note" error hint="Optional; saved with the action you record next.">
                    <textarea id="esc-note" rows="2" maxlength="4000" prop:value=move || note.get()
                        on:input=move |ev| note.set(event_target_value(&ev))
                        aria-invalid=invalid(error, "note") aria-describedby="esc-note-hint esc-note-error"></textarea>
                </Field>
                {if resolved {
                    view! { <div class="esc-buttons"><Button act label="Reopen" kind="reopened" send primary=true/></div> }.into_any()
                } else {
                    view! { <Buttons f=f.clone() act send resolving/> }.into_any()
                }}
            </div>
            {move || resolving.get().then(|| view! { <ResolveForm act mine resolving error/> })}
        </section>
    }
}

/// "Recorded: Customer update sent." after a success (until the next action).
fn recorded(act: Record) -> Option<String> {
    let e = act.value().get()?.ok()?;
    let last = e.events.last()?;
    Some(format!("Recorded: {}.", event_label(last.kind)))
}

/// The buttons for an open or waiting escalation.
#[component]
fn Buttons(
    f: ActFacts, act: Record, send: impl Fn(&'static str) + Copy + Send + Sync + 'static,
    resolving: RwSignal<bool>,
) -> impl IntoView {
    let waiting = f.status == EscalationStatus::Waiting;
    let last = f.level >= f.levels.max(1);
    let up = if last {
        format!("At the last level ({} of {})", f.level, f.levels)
    } else {
        format!("Escalate to level {}", f.level + 1)
    };
    view! {
        <div class="esc-buttons" role="group" aria-label="Record an event">
            <Button act label="Acknowledge" kind="acknowledged" send primary=true/>
            {(!f.responded).then(|| view! { <Button act label="First response sent" kind="first_response" send/> })}
            <Button act label="Customer update sent" kind="customer_update" send/>
            {if waiting {
                view! { <Button act label="Customer replied" kind="customer_replied" send/> }.into_any()
            } else {
                view! { <Button act label="Waiting on customer" kind="waiting_on_customer" send/> }.into_any()
            }}
            <button type="button" class="button small" data-testid="act-escalated" disabled=move || last || act.pending().get()
                title=last.then_some("The escalation path has no further level")
                on:click=move |_| send("escalated")>{up}</button>
            <button type="button" class="button small" data-testid="act-resolve"
                on:click=move |_| resolving.set(true)>"Resolve…"</button>
        </div>
    }
}

#[component]
fn Button(
    act: Record, label: &'static str, kind: &'static str,
    send: impl Fn(&'static str) + Copy + Send + Sync + 'static, #[prop(optional)] primary: bool,
) -> impl IntoView {
    view! {
        <button type="button" class="button small" class:primary=primary data-testid=format!("act-{kind}")
            disabled=move || act.pending().get() on:click=move |_| send(kind)>{label}</button>
    }
}

/// Resolve: the root cause (required here; the compliance report groups by it) and what was
/// done. Resolving schedules the follow-up.
#[component]
fn ResolveForm(
    act: Record, mine: RwSignal<Option<AppError>>, resolving: RwSignal<bool>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let cause = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if RootCause::parse(&cause.get_untracked()).is_none() {
            mine.set(Some(AppError::field("root_cause", "choose the root cause")));
            return;
        }
        mine.set(None);
        act.dispatch(EventInput {
            kind: "resolved".into(),
            note: Some(notes.get_untracked()),
            root_cause: Some(cause.get_untracked()),
            ..Default::default()
        });
    };
    view! {
        <form class="plan-form esc-resolve" novalidate=true on:submit=submit data-testid="resolve-form">
            <Field id="esc-root-cause" label="Root cause" field="root_cause" error required=true
                hint="Why it happened; the SLA compliance report groups by it.">
                <select id="esc-root-cause" required=true prop:value=move || cause.get()
                    on:change=move |ev| { cause.set(event_target_value(&ev)); mine.set(None) }
                    aria-invalid=invalid(error, "root_cause") aria-describedby="esc-root-cause-hint esc-root-cause-error">
                    <option value="">"Choose…"</option>
                    {RootCause::ALL.iter().filter(|r| **r != RootCause::Unspecified).map(|r| view! {
                        <option value=r.key()>{r.label()}</option>
                    }).collect_view()}
                </select>
            </Field>
            <Field id="esc-resolution" label="Resolution notes" field="note" error hint="What was done, for whoever reads this later.">
                <textarea id="esc-resolution" rows="3" maxlength="4000" prop:value=move || notes.get()
                    on:input=move |ev| notes.set(event_target_value(&ev))
                    aria-invalid=invalid(error, "note") aria-describedby="esc-resolution-hint esc-resolution-error"></textarea>
            </Field>
            <div class="form-actions">
                <button type="submit" class="button primary small" data-testid="act-resolved" disabled=move || act.pending().get()>"Resolve escalation"</button>
                <button type="button" class="button ghost small" on:click=move |_| { mine.set(None); resolving.set(false) }>"Cancel"</button>
            </div>
        </form>
    }
}
