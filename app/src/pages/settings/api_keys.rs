//! Settings → API keys: keys for other systems (product analytics sending usage events, BI
//! tools reading scores). A new key is shown once; only its hash is kept.

use super::{SettingsHead, Tab};
use crate::api::health::{list_api_keys, CreateApiKey, RevokeApiKey};
use crate::components::action::refusal;
use crate::components::field::TextField;
use crate::components::layout::Card;
use crate::components::notice::{confirmed, ErrorBanner, Loaded};
use crate::model::api_key::{ApiKey, ApiScope};
use leptos::prelude::*;

/// How another system sends usage events, as the page shows it.
const EVENTS_EXAMPLE: &str = concat!(
    "curl -X POST $BELLWETHER/api/v1/events \\\n",
    "  -H 'Authorization: Bearer bw_…' -H 'Content-Type: application/json' \\\n",
    "  -d '[{\"external_id\":\"crm-42\",\"kind\":\"login\",\"contact_email\":\"ann@acme.com\",\n",
    "       \"at\":\"2026-11-23T09:12:00Z\",\"idempotency_key\":\"evt-123\"}]'",
);

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let keys = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_api_keys(),
    );
    view! {
        <SettingsHead current=Tab::ApiKeys intro="Keys let other systems use the REST API."/>
        <div class="columns wide-left">
            <Card id="keys-h" title="API keys">
                <p class="muted small">"A key keeps working when the person who made it leaves or is deactivated, so that an integration does not stop \
                    with them. Revoke it here when it is no longer needed, or when its maker should no longer be trusted with it."</p>
                <ErrorBanner error=refusal(revoke.value())/>
                <Loaded resource=keys let:list>
                    {if list.is_empty() {
                        view! { <p class="muted">"No keys yet."</p> }.into_any()
                    } else {
                        view! {
                            <div class="table-wrap"><table class="users">
                                <thead><tr><th scope="col">"Name"</th><th scope="col">"Made by"</th><th scope="col">"Scopes"</th>
                                    <th scope="col">"Last used"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                                <tbody>{list.into_iter().map(|key| view! { <KeyRow api_key=key revoke/> }).collect_view()}</tbody>
                            </table></div>
                        }.into_any()
                    }}
                </Loaded>
                <p class="api-reference" data-testid="api-reference">"Every endpoint, with its scope, request, answers and errors: the "
                    <a href="/api/docs" rel="external">"API reference"</a>" (also as an OpenAPI 3.1 document, "
                    <a href="/api/v1/openapi.json" rel="external"><code>"/api/v1/openapi.json"</code></a>", for client generators)."</p>
                <h3>"Sending usage events"</h3>
                <pre class="code small">{EVENTS_EXAMPLE}</pre>
                <p class="muted small">"Up to 10 000 events per request. Each event is checked on its own: good ones are stored even if others are \
                    refused (422 lists each refusal). Resending is safe: an idempotency key already stored counts as a duplicate."</p>
                <p class="muted small" data-testid="revenue-import-link">"ARR movements go to "<code>"POST /api/v1/arr-movements"</code>
                    " (scope "<code>"revenue:write"</code>"). A history kept in a spreadsheet? "<a href="/revenue/import">"Import it from a CSV"</a>"."</p>
            </Card>
            <NewKeyCard create/>
        </div>
    }
}

/// A key: name and prefix, who made it, what it may do, when it was last used, and Revoke.
#[component]
fn KeyRow(api_key: ApiKey, revoke: ServerAction<RevokeApiKey>) -> impl IntoView {
    let id = api_key.id.clone();
    let confirm_text =
        format!("Revoke “{}”? Systems using it will be refused at once.", api_key.name);
    let created = format!(" · created {}", api_key.created_at.format("%Y-%m-%d"));
    let last_used = api_key
        .last_used_at
        .as_ref()
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "never".into());
    view! {
        <tr class:inactive=api_key.revoked>
            <th scope="row">{api_key.name.clone()}<div class="muted small"><code>{format!("{}…", api_key.prefix)}</code>{created}</div></th>
            <td>{match api_key.created_by.clone() {
                Some(c) if c.active => view! { <span>{c.name}</span> }.into_any(),
                Some(c) => view! { <span>{c.name}" "<span class="badge off">"deactivated"</span></span> }.into_any(),
                None => view! { <span class="muted">"command line"</span> }.into_any(),
            }}</td>
            <td>{api_key.scopes.join(", ")}</td>
            <td>{last_used}</td>
            <td class="num">{if api_key.revoked {
                view! { <span class="badge off">"Revoked"</span> }.into_any()
            } else {
                let revoke_key = move |_| {
                    if confirmed(&confirm_text) {
                        revoke.dispatch(RevokeApiKey { id: id.clone() });
                    }
                };
                view! { <button type="button" class="button ghost small" on:click=revoke_key>"Revoke"</button> }.into_any()
            }}</td>
        </tr>
    }
}

/// A new key: its name and scopes; the secret is shown once, here.
#[component]
fn NewKeyCard(create: ServerAction<CreateApiKey>) -> impl IntoView {
    let errors = refusal(create.value());
    let scope_error = Signal::derive(move || errors.get().and_then(|e| e.for_field("scopes")));
    view! {
        <Card id="newkey-h" title="Create a key">
            <ErrorBanner error=errors/>
            <ActionForm action=create attr:novalidate="true" attr:class="stack">
                <TextField label="Name" name="name" field="name" errors required=true hint="What uses it, e.g. Product analytics."/>
                <fieldset class="field" class:invalid=move || scope_error.get().is_some()>
                    <legend>"Scopes"</legend>
                    {ApiScope::ALL.iter().enumerate().map(|(i, s)| view! {
                        <label class="check"><input type="checkbox" name=format!("scopes[{i}]") value=s.key() checked=i == 0/>" "<code>{s.key()}
                            </code>" — "{s.label()}</label>
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
        </Card>
    }
}
