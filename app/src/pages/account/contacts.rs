//! Contacts at the customer.

use crate::api::accounts::{AddContact, RemoveContact, UpdateContact};
use crate::components::action::refusal;
use crate::components::field::TextField;
use crate::components::notice::{confirmed, ErrorBanner};
use crate::model::{AccountId, Contact, ContactId};
use leptos::prelude::*;

#[component]
pub fn ContactsCard(
    account_id: AccountId, contacts: Vec<Contact>, can_edit: bool, add: ServerAction<AddContact>,
    remove: ServerAction<RemoveContact>, update: ServerAction<UpdateContact>,
    /// The contact being edited in place, if any (one at a time).
    editing: RwSignal<Option<ContactId>>,
) -> impl IntoView {
    let update_errors = refusal(update.value());
    let errors = refusal(add.value());
    let remove_error = move || remove.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    let empty = contacts.is_empty();
    let acc = account_id.clone();
    view! {
        <section class="card" aria-labelledby="contacts-h">
            <h2 id="contacts-h">"Contacts " <span class="count">{contacts.len()}</span></h2>
            {empty.then(|| view! { <p class="muted">"No contacts yet."</p> })}
            <ul class="people">
                {contacts.into_iter().map(|c| {
                    let acc = acc.clone();
                    let cid = c.id.clone();
                    let is_editing = move || editing.get().as_deref() == Some(cid.as_str());
                    view! {
                        <li>
                            {move || if is_editing() {
                                contact_form(c.clone(), acc.clone(), update, update_errors, editing).into_any()
                            } else {
                                contact_line(c.clone(), acc.clone(), can_edit, remove, editing).into_any()
                            }}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p class="error" role="alert">{remove_error}</p>
            {can_edit.then(|| view! {
                <details class="add" open=move || errors.get().is_some()>
                    <summary>"Add a contact"</summary>
                    <ActionForm action=add attr:novalidate="true" attr:class="stack">
                        <input type="hidden" name="account_id" value=account_id.to_string()/>
                        <ErrorBanner error=errors/>
                        <TextField label="Name" name="input[name]" field="name" errors required=true/>
                        <TextField label="Email" name="input[email]" field="email" kind="email" errors required=true/>
                        <TextField label="Title" name="input[title]" field="title" errors/>
                        <label class="check"><input type="checkbox" name="input[champion]" value="on"/>" Champion"</label>
                        <button type="submit" class="button primary small">"Add contact"</button>
                    </ActionForm>
                </details>
            })}
        </section>
    }
}

/// A contact as read: name, champion badge, title, email, and the edit/remove buttons.
fn contact_line(
    c: Contact, account_id: AccountId, can_edit: bool, remove: ServerAction<RemoveContact>,
    editing: RwSignal<Option<ContactId>>,
) -> impl IntoView {
    let label = format!("Remove {}", c.name);
    let confirm_text = format!(
        "Remove {} from this account's contacts? Plan links shared with them stop working.",
        c.name
    );
    let edit_label = format!("Edit {}", c.name);
    let cid = c.id.clone();
    let cid2 = c.id.clone();
    view! {
        <div>
            <strong>{c.name.clone()}</strong>
            {c.champion.then(|| view! { " " <span class="badge champion">"Champion"</span> })}
            <div class="muted small">{c.title.clone().unwrap_or_default()}</div>
            <a class="small" href=format!("mailto:{}", c.email)>{c.email.clone()}</a>
        </div>
        {can_edit.then(|| view! {
            <div class="row-actions">
                <button type="button" class="button ghost small" aria-label=edit_label
                    on:click=move |_| editing.set(Some(cid2.clone()))>"Edit"</button>
                <button type="button" class="button ghost small" aria-label=label
                    on:click=move |_| { if confirmed(&confirm_text) { remove.dispatch(RemoveContact { account_id: account_id.clone(), contact_id:
                        cid.clone() }); } }>"Remove"</button>
            </div>
        })}
    }
}

/// A contact being edited in place.
fn contact_form(
    c: Contact, account_id: AccountId, update: ServerAction<UpdateContact>,
    errors: Signal<Option<crate::error::AppError>>, editing: RwSignal<Option<ContactId>>,
) -> impl IntoView {
    view! {
        <ActionForm action=update attr:novalidate="true" attr:class="stack edit-contact">
            <input type="hidden" name="account_id" value=account_id.to_string()/>
            <input type="hidden" name="contact_id" value=c.id.to_string()/>
            <ErrorBanner error=errors/>
            <TextField label="Name" name="input[name]" field="name" id_prefix="edit-" errors value=c.name.clone() required=true/>
            <TextField label="Email" name="input[email]" field="email" id_prefix="edit-" kind="email" errors value=c.email.clone() required=true/>
            <TextField label="Title" name="input[title]" field="title" id_prefix="edit-" errors value=c.title.clone().unwrap_or_default()/>
            <label class="check"><input type="checkbox" name="input[champion]" value="on" checked=c.champion/>" Champion"</label>
            <div class="form-actions">
                <button type="submit" class="button primary small">"Save contact"</button>
                <button type="button" class="button ghost small" on:click=move |_| editing.set(None)>"Cancel"</button>
            </div>
        </ActionForm>
    }
}
