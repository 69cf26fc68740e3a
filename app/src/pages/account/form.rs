//! The account form, shared by "new" and "edit". Field names follow `AccountInput`.
//!
//! A changed ARR, or a stage moved to or from Churned, is recorded as an ARR movement when the
//! form is saved; editing, the form then asks when the change took effect and why
//! (`arr_on`, `arr_reason`) and says which kind of movement it will be ([`arr_change`]).

use crate::api::users::list_staff;
use crate::components::field::{SelectField, TextField};
use crate::error::AppError;
use crate::model::money::{format_minor, parse_major};
use crate::model::revenue::{infer_kind, MovementKind};
use crate::model::Permission;
use crate::model::{AccountInput, SizeTier, Stage, CURRENCIES, INDUSTRIES};
use leptos::prelude::*;

/// The owner picker's people; create it in the page component, outside any `Suspense`.
pub fn staff_resource() -> Resource<Result<Vec<crate::model::User>, AppError>> {
    Resource::new(|| (), |_| list_staff())
}

#[component]
pub fn AccountFields(
    initial: AccountInput, #[prop(into)] errors: Signal<Option<AppError>>,
    /// Made by the page (see [`staff_resource`]), not here: a resource created while a
    /// `Suspense` renders is a new one on each render and races the server's when hydrating.
    staff: Resource<Result<Vec<crate::model::User>, AppError>>,
    /// Editing a saved account (its ARR and stage in `initial` are the saved ones).
    #[prop(optional)]
    editing: bool,
) -> impl IntoView {
    let tiers: Vec<(String, String)> =
        SizeTier::ALL.iter().map(|t| (t.key().into(), t.label().into())).collect();
    let stages: Vec<(String, String)> =
        Stage::ALL.iter().map(|s| (s.key().into(), s.label().into())).collect();
    let currencies: Vec<(String, String)> =
        CURRENCIES.iter().map(|c| (c.to_string(), c.to_string())).collect();
    let owner = initial.owner_id.clone();
    let saved = (initial.arr.clone(), initial.stage.clone());
    let saved_currency = initial.currency.clone();
    let (arr, stage) = (RwSignal::new(initial.arr.clone()), RwSignal::new(initial.stage.clone()));
    let change = Signal::derive(move || {
        editing.then(|| arr_change(&saved.0, &saved.1, &arr.get(), &stage.get())).flatten()
    });
    let watch = move |ev: leptos::ev::Event| {
        let target = event_target::<leptos::web_sys::HtmlInputElement>(&ev);
        match target.name().as_str() {
            "input[arr]" => arr.set(target.value()),
            "input[stage]" => stage.set(target.value()),
            _ => {}
        }
    };
    let arr_hint = if editing {
        "Annual recurring revenue, e.g. 120000 or 120,000.50"
    } else {
        "Annual recurring revenue, e.g. 120000. Recorded as new ARR in the ARR history on the contract start."
    };
    view! {
        <fieldset class="form-grid" on:input=watch>
            <legend class="sr-only">"Account details"</legend>
            <TextField label="Account name" name="input[name]" field="name" errors value=initial.name.clone() required=true/>
            <TextField label="Industry" name="input[industry]" field="industry" errors value=initial.industry.clone() required=true list="industries"/>
            <datalist id="industries">{INDUSTRIES.iter().map(|i| view! { <option value=*i/> }).collect_view()}</datalist>
            <SelectField label="Size tier" name="input[tier]" field="tier" errors options=tiers selected=initial.tier.clone()
                placeholder="Choose a tier" required=true/>
            <SelectField label="Lifecycle stage" name="input[stage]" field="stage" errors options=stages selected=initial.stage.clone()
                placeholder="Choose a stage" required=true/>
            <div class="field-pair">
                <TextField label="ARR" name="input[arr]" field="arr" errors value=initial.arr.clone() required=true inputmode="decimal"
                    hint=arr_hint/>
                <SelectField label="Currency" name="input[currency]" field="currency" errors options=currencies selected=if
                    initial.currency.is_empty() { "USD".to_string() } else { initial.currency.clone() }/>
            </div>
            {editing.then(|| view! { <ArrChangeFields change currency=saved_currency errors/> })}
            <TextField label="Contract start" name="input[contract_start]" field="contract_start" kind="date" errors
                value=initial.contract_start.clone() required=true/>
            <TextField label="Renewal date" name="input[renewal_date]" field="renewal_date" kind="date" errors value=initial.renewal_date.clone()
                required=true hint="Must be after the contract start."/>
            <TextField label="External ID (optional)" name="input[external_id]" field="external_id" errors value=initial.external_id.clone()
                hint="The account's id in your CRM; usage events may name the account by it."/>
            <Suspense fallback=|| view! { <div class="field"><label>"Owner (CSM)"</label><select disabled=true><option>"Loading…"</option></select></div> }>
                {move || {
                    let owner = owner.clone();
                    staff.get().map(move |r| {
                        let options: Vec<(String, String)> = r.unwrap_or_default().into_iter()
                            .filter(|u| u.role.may(Permission::EditAccounts))
                            .map(|u| (u.id.into(), format!("{} ({})", u.name, u.role.label())))
                            .collect();
                        view! { <SelectField label="Owner (CSM)" name="input[owner_id]" field="owner_id" errors options selected=owner
                            placeholder="No owner yet"/> }
                    })
                }}
            </Suspense>
        </fieldset>
    }
}

/// What saving the form would record: the kind (when the typed ARR reads) and the new ARR.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArrChange {
    pub kind: Option<MovementKind>,
    pub after: Option<i64>,
}

/// Whether the ARR or stage typed differs from the saved one in a way the ledger records, and
/// how: Churned records a churn to 0, leaving Churned a reactivation, otherwise the kind
/// follows from the amounts. `None` when nothing would be recorded.
pub fn arr_change(saved_arr: &str, saved_stage: &str, arr: &str, stage: &str) -> Option<ArrChange> {
    let churned = Stage::Churned.key();
    let typed = parse_major(arr).ok();
    match (saved_stage == churned, stage == churned) {
        (false, true) => {
            return Some(ArrChange { kind: Some(MovementKind::Churn), after: Some(0) })
        }
        (true, false) => {
            return Some(ArrChange { kind: Some(MovementKind::Reactivation), after: typed })
        }
        (true, true) => return None,
        (false, false) => {}
    }
    match (parse_major(saved_arr).ok(), typed) {
        (Some(before), Some(after)) => infer_kind(before, after, before > 0)
            .map(|kind| ArrChange { kind: Some(kind), after: Some(after) }),
        // Not readable yet: the fields show, and the save says what is wrong with the ARR.
        _ if arr.trim() != saved_arr.trim() => Some(ArrChange { kind: None, after: None }),
        _ => None,
    }
}

/// "ARR change took effect on" and "Reason", shown while the form would record a movement.
#[component]
fn ArrChangeFields(
    change: Signal<Option<ArrChange>>, currency: String, errors: Signal<Option<AppError>>,
) -> impl IntoView {
    let today = chrono::Utc::now().date_naive().to_string();
    let note = move || {
        let c = change.get()?;
        let amount =
            c.after.map(|a| format!(" to {}", format_minor(a, &currency))).unwrap_or_default();
        Some(match c.kind {
            Some(MovementKind::Churn) => {
                "Recorded as a churn to 0 in the ARR history, whatever the ARR field says."
                    .to_string()
            }
            Some(kind) => format!(
                "Recorded as {}{amount} in the ARR history.",
                super::revenue_form::kind_phrase(kind)
            ),
            None => "The new ARR is recorded in the ARR history.".to_string(),
        })
    };
    view! {
        <div class="arr-change" class:hidden=move || change.get().is_none() data-testid="arr-change">
            <p class="arr-change-note" aria-live="polite">{note}</p>
            <TextField label="ARR change took effect on" name="input[arr_on]" field="arr_on" kind="date" errors value=today
                hint="No earlier than the contract start or the last recorded change."/>
            <TextField label="Reason" name="input[arr_reason]" field="arr_reason" errors
                hint="Kept with the change, e.g. “Added 40 seats” or “Lost to a competitor”."/>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_the_ledger_records_reveals_the_fields() {
        let kind = |a: &str, b: &str, c: &str, d: &str| arr_change(a, b, c, d).and_then(|c| c.kind);
        assert_eq!(arr_change("120000", "growth", "120,000", "growth"), None);
        assert_eq!(kind("120000", "growth", "150000", "growth"), Some(MovementKind::Expansion));
        assert_eq!(kind("120000", "growth", "90000", "renewal"), Some(MovementKind::Contraction));
        assert_eq!(kind("120000", "growth", "120000", "churned"), Some(MovementKind::Churn));
        assert_eq!(kind("0", "churned", "80000", "growth"), Some(MovementKind::Reactivation));
        assert_eq!(arr_change("0", "churned", "0", "churned"), None);
        assert_eq!(
            arr_change("120000", "growth", "12x", "growth"),
            Some(ArrChange { kind: None, after: None })
        );
    }
}
