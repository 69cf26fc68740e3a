//! Create an account.

use super::form::AccountFields;
use crate::api::accounts::CreateAccount;
use crate::components::action::{go_on_success, refusal};
use crate::components::layout::use_me;
use crate::components::notice::{ErrorBanner, LoadError};
use crate::error::AppError;
use crate::model::AccountInput;
use crate::model::Permission;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NewAccountPage() -> impl IntoView {
    let me = use_me();
    if !me.role.may(Permission::EditAccounts) {
        return view! { <LoadError error=AppError::Forbidden("executives can view accounts but not create them".into())/> }.into_any();
    }
    let staff = super::form::staff_resource();
    let action = ServerAction::<CreateAccount>::new();
    let errors = refusal(action.value());
    go_on_success(action.value(), |account| format!("/accounts/{}", account.id));
    let today = chrono::Utc::now().date_naive();
    let initial = AccountInput {
        contract_start: today.to_string(),
        renewal_date: (today + chrono::Months::new(12)).to_string(),
        currency: "USD".into(),
        owner_id: me.id.to_string(),
        ..Default::default()
    };
    view! {
        <Title text="New account"/>
        <div class="page-head"><h1>"New account"</h1></div>
        <section class="card form-card">
            <ErrorBanner error=errors/>
            <ActionForm action=action attr:novalidate="true">
                <AccountFields initial errors staff/>
                <div class="form-actions">
                    <button type="submit" class="button primary" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { "Creating…" } else { "Create account" }}
                    </button>
                    <a class="button ghost" href="/">"Cancel"</a>
                </div>
            </ActionForm>
        </section>
    }
    .into_any()
}
