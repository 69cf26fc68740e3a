//! Settings → Users: invite people, change roles, deactivate (admins only).

use super::surveys::SurveySettingsCard;
use super::{SettingsHead, Tab};
use crate::api::users::{list_users, CreateUser, UpdateUserAccess};
use crate::components::action::refusal;
use crate::components::field::{SelectField, TextField};
use crate::components::layout::use_me;
use crate::components::layout::Card;
use crate::components::notice::{ErrorBanner, Loaded};
use crate::model::{Role, User};
use leptos::prelude::*;

#[component]
pub fn UsersPage() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let access = ServerAction::<UpdateUserAccess>::new();
    let users =
        Resource::new(move || (create.version().get(), access.version().get()), |_| list_users());
    view! {
        <SettingsHead current=Tab::Users intro="People who use Bellwether and what they may do."/>
        <div class="columns wide-left">
            <Card id="users-h" title="Users">
                <ErrorBanner error=refusal(access.value())/>
                <Loaded resource=users let:list>
                    <UsersTable list access/>
                </Loaded>
            </Card>
            <AddUserCard create/>
        </div>
        <SurveySettingsCard/>
    }
}

/// Everyone with their role (a choice, except for yourself) and a switch to deactivate them.
#[component]
fn UsersTable(list: Vec<User>, access: ServerAction<UpdateUserAccess>) -> impl IntoView {
    let my_id = use_me().id;
    view! {
        <div class="table-wrap">
        <table class="users">
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Role"</th><th scope="col">"Status"</th><th scope="col">
                <span class="sr-only">"Actions"</span></th></tr></thead>
            <tbody>
                {list.into_iter().map(|u| {
                    let is_me = u.id == my_id;
                    view! { <UserRow user=u is_me access/> }
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

#[component]
fn UserRow(user: User, is_me: bool, access: ServerAction<UpdateUserAccess>) -> impl IntoView {
    let User { id, email, name, role, active } = user;
    let select_id = format!("role-{id}");
    let change_role = {
        let id = id.clone();
        move |ev| {
            access.dispatch(UpdateUserAccess {
                id: id.clone(),
                role: event_target_value(&ev),
                active,
            });
        }
    };
    let toggle_active = move |_| {
        access.dispatch(UpdateUserAccess {
            id: id.clone(),
            role: role.key().to_string(),
            active: !active,
        });
    };
    view! {
        <tr class:inactive=!active>
            <th scope="row">{name.clone()}<div class="muted small">{email}</div></th>
            <td>
                <label class="sr-only" for=select_id.clone()>{format!("Role of {name}")}</label>
                <select id=select_id disabled=is_me on:change=change_role>
                    {Role::ALL.iter().map(|r| view! { <option value=r.key() selected=*r == role>{r.label()}</option> }).collect_view()}
                </select>
            </td>
            <td>{if active { view! { <span class="badge ok">"Active"</span> } } else { view! { <span class="badge off">"Deactivated"</span> } }}</td>
            <td class="num">
                {(!is_me).then(|| view! {
                    <button type="button" class="button ghost small" on:click=toggle_active>
                        {if active { "Deactivate" } else { "Reactivate" }}
                    </button>
                })}
            </td>
        </tr>
    }
}

/// A new user with an initial password the admin passes on.
#[component]
fn AddUserCard(create: ServerAction<CreateUser>) -> impl IntoView {
    let errors = refusal(create.value());
    let roles: Vec<(String, String)> =
        Role::ALL.iter().map(|r| (r.key().into(), r.label().into())).collect();
    view! {
        <Card id="invite-h" title="Add a user">
            <p class="muted small">"Share the initial password with them privately."</p>
            <ErrorBanner error=errors/>
            <ActionForm action=create attr:novalidate="true" attr:class="stack">
                <TextField label="Name" name="input[name]" field="name" errors required=true/>
                <TextField label="Email" name="input[email]" field="email" kind="email" errors required=true/>
                <SelectField label="Role" name="input[role]" field="role" errors options=roles selected="csm".to_string()/>
                <TextField label="Initial password" name="input[password]" field="password" kind="password" errors required=true
                    autocomplete="new-password" hint="At least 10 characters."/>
                <button type="submit" class="button primary">"Add user"</button>
                {move || create.value().get().and_then(|r| r.ok()).map(|u| view! {
                    <p class="ok" role="status">{format!("Added {} as {}.", u.name, u.role.label())}</p>
                })}
            </ActionForm>
        </Card>
    }
}
