//! The account team: CSM, Account Manager, Technical Support, Subject Matter Expert.

use crate::api::accounts::{AddTeamMember, RemoveTeamMember};
use crate::components::action::refusal;
use crate::components::field::SelectField;
use crate::components::notice::{confirmed, ErrorBanner};
use crate::error::AppError;
use crate::model::{AccountId, TeamMember, TeamRole, User};
use leptos::prelude::*;

#[component]
pub fn TeamCard(
    account_id: AccountId, team: Vec<TeamMember>, can_edit: bool, add: ServerAction<AddTeamMember>,
    remove: ServerAction<RemoveTeamMember>,
    /// Created by the page, outside its `Transition`: a resource made while the page's data
    /// renders is a new one on every render, and hydrating it raced the server's (the page
    /// failed to hydrate now and then).
    staff: Option<Resource<Result<Vec<User>, AppError>>>,
) -> impl IntoView {
    let errors = refusal(add.value());
    let roles: Vec<(String, String)> =
        TeamRole::ALL.iter().map(|r| (r.key().into(), r.label().into())).collect();
    let empty = team.is_empty();
    let acc = account_id.clone();
    view! {
        <section class="card" aria-labelledby="team-h">
            <h2 id="team-h">"Account team " <span class="count">{team.len()}</span></h2>
            {empty.then(|| view! { <p class="muted">"Nobody is on this account's team yet."</p> })}
            <ul class="people">
                {team.into_iter().map(|m| {
                    let acc = acc.clone();
                    let mid = m.id.clone();
                    let label = format!("Remove {} as {}", m.user_name, m.role.label());
                    let confirm_text = format!("Remove {} as {} on this account?", m.user_name, m.role.label());
                    view! {
                        <li>
                            <div>
                                <strong>{m.user_name.clone()}</strong>
                                <div class="muted small">{m.role.label()}</div>
                            </div>
                            {can_edit.then(|| view! {
                                <button type="button" class="button ghost small" aria-label=label
                                    on:click=move |_| { if confirmed(&confirm_text) { remove.dispatch(RemoveTeamMember { account_id: acc.clone(),
                                        member_id: mid.clone() }); } }>"Remove"</button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {can_edit.then(|| view! {
                <details class="add" open=move || errors.get().is_some()>
                    <summary>"Add a team member"</summary>
                    <ActionForm action=add attr:novalidate="true" attr:class="stack">
                        <input type="hidden" name="account_id" value=account_id.to_string()/>
                        <ErrorBanner error=errors/>
                        <Suspense fallback=|| ()>
                            {move || staff.and_then(|s| s.get()).map(|r| {
                                let options: Vec<(String, String)> = r.unwrap_or_default().into_iter().map(|u| (u.id.into(), u.name)).collect();
                                view! { <SelectField label="Person" name="user_id" field="user_id" errors options placeholder="Choose a person"/> }
                            })}
                        </Suspense>
                        <SelectField label="Role on this account" name="role" field="role" errors options=roles.clone() selected="csm".to_string()/>
                        <button type="submit" class="button primary small">"Add to team"</button>
                    </ActionForm>
                </details>
            })}
        </section>
    }
}
