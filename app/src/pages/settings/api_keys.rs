//! Settings → API keys: keys for other systems (product analytics sending usage events, BI
//! tools reading scores). A new key is shown once; only its hash is kept.

use super::SettingsNav;
use crate::api::health::{list_api_keys, CreateApiKey, RevokeApiKey};
use crate::components::field::TextField;
use crate::components::layout::use_me;
use crate::components::notice::{confirmed, ErrorBanner, LoadError};
use crate::error::AppError;
use crate::model::health::API_SCOPES;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let me = use_me();
    if !me.role.can_manage_users() {
        return view! { <LoadError error=AppError::Forbidden("only admins manage API keys".into())/> }
            .into_any();
    }
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let keys = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_api_keys(),
    );
    let errors = Signal::derive(move || create.value().get().and_then(|r| r.err()));
    let revoke_errors = Signal::derive(move || revoke.value().get().and_then(|r| r.err()));
    let scope_error = Signal::derive(move || errors.get().and_then(|e| e.for_field("scopes")));
    view! {
        <Title text="API keys"/>
        <div class="page-head"><div><h1>"Settings"</h1><p class="muted">"Keys let other systems use the REST API."</p></div></div>
        <SettingsNav current="api"/>
        <div class="columns wide-left">
            <section class="card" aria-labelledby="keys-h">
                <h2 id="keys-h">"API keys"</h2>
                <p class="muted small">"A key keeps working when the person who made it leaves or is deactivated, so that an integration does not stop with them. Revoke it here when it is no longer needed, or when its maker should no longer be trusted with it."</p>
                <ErrorBanner error=revoke_errors/>
                <Transition fallback=|| view! { <p>"Loading…"</p> }>
                    {move || keys.get().map(|r| match r {
                        Err(e) => view! { <LoadError error=e/> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="muted">"No keys yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <div class="table-wrap"><table class="users">
                                <thead><tr><th scope="col">"Name"</th><th scope="col">"Made by"</th><th scope="col">"Scopes"</th><th scope="col">"Last used"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|k| {
                                        let id = k.id.clone();
                                        let confirm_text = format!("Revoke “{}”? Systems using it will be refused at once.", k.name);
                                        view! {
                                            <tr class:inactive=k.revoked>
                                                <th scope="row">{k.name.clone()}<div class="muted small"><code>{format!("{}…", k.prefix)}</code>{format!(" · created {}", k.created_at.get(..10).unwrap_or(""))}</div></th>
                                                <td>{match k.created_by.clone() {
                                                    Some(c) if c.active => view! { <span>{c.name}</span> }.into_any(),
                                                    Some(c) => view! { <span>{c.name}" "<span class="badge off">"deactivated"</span></span> }.into_any(),
                                                    None => view! { <span class="muted">"command line"</span> }.into_any(),
                                                }}</td>
                                                <td>{k.scopes.join(", ")}</td>
                                                <td>{k.last_used_at.as_ref().map(|t| t.get(..16).unwrap_or(t).replace('T', " ")).unwrap_or_else(|| "never".into())}</td>
                                                <td class="num">{if k.revoked {
                                                    view! { <span class="badge off">"Revoked"</span> }.into_any()
                                                } else {
                                                    view! { <button type="button" class="button ghost small" on:click=move |_| { if confirmed(&confirm_text) { revoke.dispatch(RevokeApiKey { id: id.clone() }); } }>"Revoke"</button> }.into_any()
                                                }}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table></div>
                        }.into_any(),
                    })}
                </Transition>
                <h3>"Sending usage events"</h3>
                <pre class="code small">"curl -X POST $BELLWETHER/api/v1/events \\\n  -H 'Authorization: Bearer bw_…' -H 'Content-Type: application/json' \\\n  -d '[{\"external_id\":\"crm-42\",\"kind\":\"login\",\"contact_email\":\"ann@acme.com\",\n       \"at\":\"2026-11-23T09:12:00Z\",\"idempotency_key\":\"evt-123\"}]'"</pre>
                <p class="muted small">"Up to 10 000 events per request. Each event is checked on its own: good ones are stored even if others are refused (422 lists each refusal). Resending is safe: an idempotency key already stored counts as a duplicate."</p>
            </section>
            <section class="card" aria-labelledby="newkey-h">
                <h2 id="newkey-h">"Create a key"</h2>
                <ErrorBanner error=errors/>
                <ActionForm action=create attr:novalidate="true" attr:class="stack">
                    <TextField label="Name" name="name" field="name" errors required=true hint="What uses it, e.g. Product analytics."/>
                    <fieldset class="field" class:invalid=move || scope_error.get().is_some()>
                        <legend>"Scopes"</legend>
                        {API_SCOPES.iter().enumerate().map(|(i, (k, d))| view! {
                            <label class="check"><input type="checkbox" name=format!("scopes[{i}]") value=*k checked=i == 0/>" "<code>{*k}</code>" — "{*d}</label>
                        }).collect_view()}
                        {move || scope_error.get().map(|m| view! { <p class="error">{m}</p> })}
                    </fieldset>
                    <button type="submit" class="button primary">"Create key"</button>
                </ActionForm>
                {move || create.value().get().and_then(|r| r.ok()).map(|(k, secret)| view! {
                    <div class="banner-ok" role="status">
                        <p>{format!("Created “{}”. Copy the key now: it is not shown again.", k.name)}</p>
                        <p class="secret" data-testid="new-key">{secret}</p>
                    </div>
                })}
            </section>
        </div>
    }
    .into_any()
}
