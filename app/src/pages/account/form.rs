//! The account form, shared by "new" and "edit". Field names follow `AccountInput`.

use crate::api::users::list_staff;
use crate::components::field::{SelectField, TextField};
use crate::error::AppError;
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
) -> impl IntoView {
    let tiers: Vec<(String, String)> =
        SizeTier::ALL.iter().map(|t| (t.key().into(), t.label().into())).collect();
    let stages: Vec<(String, String)> =
        Stage::ALL.iter().map(|s| (s.key().into(), s.label().into())).collect();
    let currencies: Vec<(String, String)> =
        CURRENCIES.iter().map(|c| (c.to_string(), c.to_string())).collect();
    let owner = initial.owner_id.clone();
    view! {
        <fieldset class="form-grid">
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
                    hint="Annual recurring revenue, e.g. 120000 or 120,000.50"/>
                <SelectField label="Currency" name="input[currency]" field="currency" errors options=currencies selected=if
                    initial.currency.is_empty() { "USD".to_string() } else { initial.currency.clone() }/>
            </div>
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
