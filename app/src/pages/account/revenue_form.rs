//! "Record a change" on the movements card: the day, the new ARR, and why. The kind is never
//! picked: it follows from the amounts ([`infer_kind`]) and is shown as the person types, so
//! they see "expansion (+$60,000)" before they send it. The server infers it again and checks
//! the movement against the ledger (no day before the contract start or the last movement).

use super::revenue::{signed, KindBadge, RevenueRead};
use crate::api::revenue::RecordMovement;
use crate::components::action::refusal;
use crate::components::notice::ErrorBanner;
use crate::model::money::parse_major;
use crate::model::revenue::{infer_kind, AccountRevenue, MovementKind};
use crate::model::AccountId;
use leptos::prelude::*;

/// The kind with its article, as a sentence uses it: "an expansion", "a churn".
pub fn kind_phrase(kind: MovementKind) -> &'static str {
    match kind {
        MovementKind::New => "new ARR",
        MovementKind::Expansion => "an expansion",
        MovementKind::Contraction => "a contraction",
        MovementKind::Churn => "a churn",
        MovementKind::Reactivation => "a reactivation",
    }
}

/// What the typed ARR would record against the account's ARR now.
enum Preview {
    Unreadable(String),
    Unchanged,
    Change(MovementKind, i64),
}

fn preview(r: &AccountRevenue, typed: &str) -> Preview {
    match parse_major(typed) {
        Err(why) => Preview::Unreadable(why),
        Ok(after) => match infer_kind(r.arr, after, !r.movements.is_empty()) {
            None => Preview::Unchanged,
            Some(kind) => Preview::Change(kind, after - r.arr),
        },
    }
}

#[component]
pub fn RecordForm(
    account_id: AccountId, data: RevenueRead, record: ServerAction<RecordMovement>,
) -> impl IntoView {
    let today = chrono::Utc::now().date_naive().to_string();
    let on = RwSignal::new(today);
    let arr = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let errors = refusal(record.value());
    // A recorded change empties the form for the next one (the day stays).
    Effect::new(move |_| {
        if let Some(Ok(_)) = record.value().get() {
            arr.set(String::new());
            reason.set(String::new());
        }
    });
    let msg =
        move |f: &'static str| Signal::derive(move || errors.get().and_then(|e| e.for_field(f)));
    // Only once something is typed (never while the server renders), so reading the resource
    // here cannot make the browser's first render differ from the server's.
    let hint = move || {
        let typed = arr.get();
        if typed.trim().is_empty() {
            return None;
        }
        let r = data.get_untracked().and_then(Result::ok)?;
        Some(match preview(&r, &typed) {
            Preview::Unreadable(why) => view! { <span>"The new ARR "{why}</span> }.into_any(),
            Preview::Unchanged => view! { <span>"That is the ARR now: nothing to record."</span> }.into_any(),
            Preview::Change(kind, delta) => view! {
                <span>"Will be recorded as "<KindBadge kind/>" "<strong>{signed(delta, &r.currency)}</strong></span>
            }
            .into_any(),
        })
    };
    view! {
        <ActionForm action=record attr:novalidate="true" attr:class="rev-form" attr:data-testid="record-movement">
            <h3 class="small-h">"Record a change"</h3>
            <ErrorBanner error=errors fields_only_inline=true/>
            <input type="hidden" name="account" value=account_id.to_string()/>
            <div class="rev-form-row">
                <Input id="rev-on" label="Took effect on" name="form[on]" kind="date" value=on msg=msg("on")/>
                <Input id="rev-arr" label="New ARR" name="form[arr]" value=arr msg=msg("arr") inputmode="decimal" placeholder="e.g. 150000"/>
            </div>
            <Input id="rev-reason" label="Reason" name="form[reason]" value=reason msg=msg("reason") placeholder="e.g. Added 40 seats"/>
            <p class="rev-kind small" aria-live="polite" data-testid="rev-kind">{hint}</p>
            <button type="submit" class="button primary small" data-testid="record-submit" disabled=move || record.pending().get()>
                {move || if record.pending().get() { "Recording…" } else { "Record change" }}
            </button>
        </ActionForm>
    }
}

/// A labelled input bound to `value` (so the form can empty it), with its message beneath.
#[component]
fn Input(
    id: &'static str, label: &'static str, name: &'static str, value: RwSignal<String>,
    msg: Signal<Option<String>>, #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] inputmode: &'static str, #[prop(optional)] placeholder: &'static str,
) -> impl IntoView {
    let err_id = format!("{id}-error");
    view! {
        <div class="field" class:invalid=move || msg.get().is_some()>
            <label for=id>{label}</label>
            <input id=id name=name type=kind value=value.get_untracked() prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                inputmode=(!inputmode.is_empty()).then_some(inputmode)
                placeholder=(!placeholder.is_empty()).then_some(placeholder)
                aria-invalid=move || msg.get().is_some().then_some("true") aria-describedby=err_id.clone()/>
            <small class="error" id=err_id aria-live="polite">{move || msg.get()}</small>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_typed_arr_says_what_it_records() {
        let r = AccountRevenue {
            currency: "USD".into(),
            arr: 24_000_000,
            contract_start: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            movements: Vec::new(),
        };
        assert!(matches!(
            preview(&r, "300,000"),
            Preview::Change(MovementKind::Expansion, 6_000_000)
        ));
        assert!(matches!(preview(&r, "240000"), Preview::Unchanged));
        assert!(matches!(preview(&r, "abc"), Preview::Unreadable(_)));
    }
}
