//! Contacts at the customer.

use crate::api::accounts::{AddContact, RemoveContact};
use crate::components::field::TextField;
use crate::components::notice::ErrorBanner;
use crate::model::Contact;
use leptos::prelude::*;

#[component]
pub fn ContactsCard(
    account_id: String,
    contacts: Vec<Contact>,
    can_edit: bool,
    add: ServerAction<AddContact>,
    remove: ServerAction<RemoveContact>,
) -> impl IntoView {
    let errors = Signal::derive(move || add.value().get().and_then(|r| r.err()));
    let remove_error = move || {
        remove
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.to_string())
    };
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
                    let label = format!("Remove {}", c.name);
                    view! {
                        <li>
                            <div>
                                <strong>{c.name.clone()}</strong>
                                {c.champion.then(|| view! { " " <span class="badge champion">"Champion"</span> })}
                                <div class="muted small">{c.title.clone().unwrap_or_default()}</div>
                                <a class="small" href=format!("mailto:{}", c.email)>{c.email.clone()}</a>
                            </div>
                            {can_edit.then(|| view! {
                                <button type="button" class="button ghost small" aria-label=label
                                    on:click=move |_| { remove.dispatch(RemoveContact { account_id: acc.clone(), contact_id: cid.clone() }); }>"Remove"</button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p class="error" role="alert">{remove_error}</p>
            {can_edit.then(|| view! {
                <details class="add" open=move || errors.get().is_some()>
                    <summary>"Add a contact"</summary>
                    <ActionForm action=add attr:novalidate="true" attr:class="stack">
                        <input type="hidden" name="account_id" value=account_id.clone()/>
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
