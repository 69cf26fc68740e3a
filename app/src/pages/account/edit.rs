//! Edit an account.

use super::form::AccountFields;
use crate::api::accounts::{get_account, UpdateAccount};
use crate::components::action::{go_on_success, refusal};
use crate::components::layout::use_me;
use crate::components::notice::{ErrorBanner, LoadError};
use crate::error::AppError;
use crate::model::AccountInput;
use crate::model::{AccountId, Permission};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn EditAccountPage() -> impl IntoView {
    let me = use_me();
    let params = use_params_map();
    let id = move || AccountId::from(params.get().get("id").unwrap_or_default());
    let detail = Resource::new(id, get_account);
    let action = ServerAction::<UpdateAccount>::new();
    let errors = refusal(action.value());
    go_on_success(action.value(), |account| format!("/accounts/{}", account.id));
    if !me.role.may(Permission::EditAccounts) {
        return view! { <LoadError error=AppError::Forbidden("executives can view accounts but not change them".into())/> }.into_any();
    }
    let staff = super::form::staff_resource();
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(e) => view! { <LoadError error=e/> }.into_any(),
                    Ok(d) => {
                        let a = d.account;
                        let back = format!("/accounts/{}", a.id);
                        view! {
                            <Title text=format!("Edit {}", a.name)/>
                            <div class="page-head"><h1>"Edit " {a.name.clone()}</h1></div>
                            <section class="card form-card">
                                <ErrorBanner error=errors/>
                                <ActionForm action=action attr:novalidate="true">
                                    <input type="hidden" name="id" value=a.id.to_string()/>
                                    <AccountFields initial=AccountInput::from_account(&a) errors staff editing=true/>
                                    <div class="form-actions">
                                        <button type="submit" class="button primary" disabled=move || action.pending().get()>
                                            {move || if action.pending().get() { "Saving…" } else { "Save changes" }}
                                        </button>
                                        <a class="button ghost" href=back>"Cancel"</a>
                                    </div>
                                </ActionForm>
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
    .into_any()
}
