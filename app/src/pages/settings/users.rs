//! Settings → Users: invite people, change roles, deactivate (admins only).

use crate::api::users::{list_users, CreateUser, UpdateUserAccess};
use crate::components::field::{SelectField, TextField};
use crate::components::layout::use_me;
use crate::components::notice::{ErrorBanner, LoadError};
use crate::error::AppError;
use crate::model::Role;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn UsersPage() -> impl IntoView {
    let me = use_me();
    if !me.role.can_manage_users() {
        return view! { <LoadError error=AppError::Forbidden("only admins manage users".into())/> }
            .into_any();
    }
    let create = ServerAction::<CreateUser>::new();
    let access = ServerAction::<UpdateUserAccess>::new();
    let users = Resource::new(
        move || (create.version().get(), access.version().get()),
        |_| list_users(),
    );
    let errors = Signal::derive(move || create.value().get().and_then(|r| r.err()));
    let access_error = Signal::derive(move || access.value().get().and_then(|r| r.err()));
    let roles: Vec<(String, String)> = Role::ALL
        .iter()
        .map(|r| (r.key().into(), r.label().into()))
        .collect();
    let my_id = me.id.clone();
    view! {
        <Title text="Users"/>
        <div class="page-head"><div><h1>"Settings"</h1><p class="muted">"People who use Bellwether and what they may do."</p></div></div>
        <super::SettingsNav current="users"/>
        <div class="columns wide-left">
            <section class="card" aria-labelledby="users-h">
                <h2 id="users-h">"Users"</h2>
                <ErrorBanner error=access_error/>
                <Transition fallback=|| view! { <p>"Loading…"</p> }>
                    {move || users.get().map(|r| match r {
                        Err(e) => view! { <LoadError error=e/> }.into_any(),
                        Ok(list) => view! {
                            <div class="table-wrap">
                            <table class="users">
                                <thead><tr><th scope="col">"Name"</th><th scope="col">"Role"</th><th scope="col">"Status"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|u| {
                                        let is_me = u.id == my_id;
                                        let id = u.id.clone();
                                        let id2 = u.id.clone();
                                        let role = u.role;
                                        let active = u.active;
                                        view! {
                                            <tr class:inactive=!u.active>
                                                <th scope="row">{u.name.clone()}<div class="muted small">{u.email.clone()}</div></th>
                                                <td>
                                                    <label class="sr-only" for=format!("role-{}", u.id)>{format!("Role of {}", u.name)}</label>
                                                    <select id=format!("role-{}", u.id) disabled=is_me
                                                        on:change=move |ev| { access.dispatch(UpdateUserAccess { id: id.clone(), role: event_target_value(&ev), active }); }>
                                                        {Role::ALL.iter().map(|r| view! { <option value=r.key() selected=*r == role>{r.label()}</option> }).collect_view()}
                                                    </select>
                                                </td>
                                                <td>{if u.active { view! { <span class="badge ok">"Active"</span> } } else { view! { <span class="badge off">"Deactivated"</span> } }}</td>
                                                <td class="num">
                                                    {(!is_me).then(|| view! {
                                                        <button type="button" class="button ghost small"
                                                            on:click=move |_| { access.dispatch(UpdateUserAccess { id: id2.clone(), role: role.key().to_string(), active: !active }); }>
                                                            {if active { "Deactivate" } else { "Reactivate" }}
                                                        </button>
                                                    })}
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            </div>
                        }.into_any(),
                    })}
                </Transition>
            </section>
            <section class="card" aria-labelledby="invite-h">
                <h2 id="invite-h">"Add a user"</h2>
                <p class="muted small">"Share the initial password with them privately."</p>
                <ErrorBanner error=errors/>
                <ActionForm action=create attr:novalidate="true" attr:class="stack">
                    <TextField label="Name" name="input[name]" field="name" errors required=true/>
                    <TextField label="Email" name="input[email]" field="email" kind="email" errors required=true/>
                    <SelectField label="Role" name="input[role]" field="role" errors options=roles.clone() selected="csm".to_string()/>
                    <TextField label="Initial password" name="input[password]" field="password" kind="password" errors required=true autocomplete="new-password" hint="At least 10 characters."/>
                    <button type="submit" class="button primary">"Add user"</button>
                    {move || create.value().get().and_then(|r| r.ok()).map(|u| view! { <p class="ok" role="status">{format!("Added {} as {}.", u.name, u.role.label())}</p> })}
                </ActionForm>
            </section>
        </div>
        <crate::pages::settings::surveys::SurveySettingsCard/>
    }
    .into_any()
}
