//! The follow-up resolving schedules: when, for whom, and "Mark done" with a note (it is
//! logged as a call on the account's timeline). Closing the loop with the customer after the
//! fire is out is what keeps an escalation from costing the renewal.

use super::actions::ActFacts;
use super::fields::{banner, invalid, Field};
use crate::api::escalations::escalation_follow_up_done;
use crate::error::AppError;
use crate::model::escalation::{Escalation, EscalationFollowUp};
use leptos::prelude::*;

#[component]
pub fn FollowUpCard(f: ActFacts, done: RwSignal<u32>) -> impl IntoView {
    let Some(fu) = f.follow_up.clone() else {
        return ().into_any();
    };
    let open = fu.done_at.is_none();
    view! {
        <section class="card esc-follow-up" class:done=!open aria-labelledby="fu-h" data-testid="esc-follow-up">
            <h2 id="fu-h">"Follow-up"</h2>
            <FollowUpLine fu=fu.clone()/>
            {fu.survey_sent.then(|| view! { <p class="muted small">"A CSAT survey went to the contact who raised it."</p> })}
            {(open && f.can_act).then(|| view! { <MarkDone id=f.id.clone() done/> })}
        </section>
    }
    .into_any()
}

/// "Due Thu 12 Dec · Ada Lovelace", or "Done 12 Dec".
#[component]
fn FollowUpLine(fu: EscalationFollowUp) -> impl IntoView {
    let owner = fu.owner.clone().unwrap_or_else(|| "the account owner (none yet)".into());
    match fu.done_at {
        Some(at) => view! {
            <p data-testid="follow-up-line"><span class="pill est-resolved">"Done"</span>
                {format!(" {} · {owner}", at.format("%a %-d %b %Y"))}</p>
        }
        .into_any(),
        None => view! {
            <p data-testid="follow-up-line">
                <strong>{format!("Due {}", fu.due.format("%a %-d %b %Y"))}</strong>
                <span class="muted">{format!(" · {owner}")}</span>
            </p>
            <p class="muted small">"Call the customer: is it still fixed, and how did we handle it?"</p>
        }
        .into_any(),
    }
}

#[component]
fn MarkDone(id: String, done: RwSignal<u32>) -> impl IntoView {
    let note = RwSignal::new(String::new());
    let act: Action<String, Result<Escalation, AppError>> =
        Action::new(move |note: &String| escalation_follow_up_done(id.clone(), note.clone()));
    let error = Signal::derive(move || act.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(_)) = act.value().get() {
            done.update(|n| *n += 1);
        }
    });
    view! {
        <form class="fu-close" novalidate=true on:submit=move |ev| { ev.prevent_default(); act.dispatch(note.get_untracked()); }>
            {move || banner(error, &["note"])().map(|m| view! { <div class="banner banner-error" role="alert">{m}</div> })}
            <Field id="fu-note" label="How did it go?" field="note" error hint="Logged as a call on the account's timeline.">
                <textarea id="fu-note" rows="2" maxlength="4000" prop:value=move || note.get()
                    on:input=move |ev| note.set(event_target_value(&ev))
                    aria-invalid=invalid(error, "note") aria-describedby="fu-note-hint fu-note-error"></textarea>
            </Field>
            <button type="submit" class="button small primary" data-testid="follow-up-done" disabled=move || act.pending().get()>"Mark done"</button>
        </form>
    }
}
