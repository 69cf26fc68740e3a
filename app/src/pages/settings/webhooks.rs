//! Settings → Webhooks: endpoints that hear what happens in Bellwether as it happens, each with
//! its delivery log (status, answer, time taken, the receiver's reply) and Resend. A new
//! endpoint's signing secret is shown once. The selected endpoint is in the URL
//! (`?endpoint=…`), so a log can be bookmarked and survives a reload.

use super::{SettingsHead, Tab};
use crate::api::webhooks::{
    list_webhooks, webhook_deliveries, webhooks_private, CreateWebhook, DeleteWebhook,
    ResendWebhook, SaveWebhooksPrivate, SetWebhookEnabled, LOG_LENGTH,
};
use crate::components::action::refusal;
use crate::components::field::TextField;
use crate::components::layout::Card;
use crate::components::notice::{confirmed, ErrorBanner, Loaded};
use crate::model::webhook::{DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent};
use crate::model::Timestamp;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The actions that change the endpoint list.
#[derive(Clone, Copy)]
struct Actions {
    toggle: ServerAction<SetWebhookEnabled>,
    delete: ServerAction<DeleteWebhook>,
    resend: ServerAction<ResendWebhook>,
}

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let create = ServerAction::<CreateWebhook>::new();
    let save_private = ServerAction::<SaveWebhooksPrivate>::new();
    let actions = Actions {
        toggle: ServerAction::new(),
        delete: ServerAction::new(),
        resend: ServerAction::new(),
    };
    let refreshed = RwSignal::new(0u32);
    let query = use_query_map();
    let selected = Memo::new(move |_| query.get().get("endpoint").filter(|s| !s.is_empty()));
    let endpoints = Resource::new(
        move || {
            (
                create.version().get(),
                actions.toggle.version().get(),
                actions.delete.version().get(),
                actions.resend.version().get(),
                refreshed.get(),
            )
        },
        |_| list_webhooks(),
    );
    let private = Resource::new(move || save_private.version().get(), |_| webhooks_private());
    let log = Resource::new(
        move || (selected.get(), actions.resend.version().get(), refreshed.get()),
        |(endpoint, _, _)| async move {
            match endpoint {
                Some(endpoint) => webhook_deliveries(endpoint).await,
                None => Ok(vec![]),
            }
        },
    );
    view! {
        <SettingsHead current=Tab::Webhooks intro="Webhooks tell other systems what happens here the moment it happens: a CRM, a data warehouse, the team's chat."/>
        <div class="columns wide-left">
            <div class="column-stack">
                <Card id="hooks-h" title="Endpoints">
                    <ErrorBanner error=refusal(actions.toggle.value())/>
                    <ErrorBanner error=refusal(actions.delete.value())/>
                    <Loaded resource=endpoints let:list>
                        <EndpointTable list selected actions/>
                    </Loaded>
                </Card>
                <Card id="log-h" title="Delivery log">
                    <ErrorBanner error=refusal(actions.resend.value())/>
                    {move || match selected.get() {
                        None => view! { <p class="muted">"Choose “Log” beside an endpoint to see what was sent to it and what it answered."</p> }.into_any(),
                        Some(endpoint) => view! {
                            <div class="log-head">
                                <p class="muted small">{format!("The newest {LOG_LENGTH} deliveries. Failed attempts are retried for 24 hours, waiting longer each time.")}</p>
                                <button type="button" class="button ghost small" on:click=move |_| refreshed.update(|n| *n += 1)>"Refresh"</button>
                            </div>
                            <Loaded resource=log let:rows>
                                <DeliveryTable rows endpoint=endpoint.clone() resend=actions.resend/>
                            </Loaded>
                        }.into_any(),
                    }}
                </Card>
                <Card id="verify-h" title="Verifying deliveries">
                    <p class="small">"Deliveries follow the "<a href="https://www.standardwebhooks.com/" rel="external noopener">"Standard Webhooks"</a>
                        " specification: check the "<code>"webhook-signature"</code>" header with the endpoint's secret using any of its libraries, \
                        and drop a "<code>"webhook-id"</code>" you have already handled — a delivery is retried under the same id until \
                        your endpoint answers 2xx within 10 seconds."</p>
                    <p class="small">"Every event type's payload is described in the "<a href="/api/docs" rel="external">"API reference"</a>" (Webhooks)."</p>
                </Card>
            </div>
            <div class="column-stack">
                <NewEndpointCard create/>
                <Card id="private-h" title="Private networks">
                    <Loaded resource=private let:allowed>
                        <PrivateNetworks allowed save=save_private/>
                    </Loaded>
                </Card>
            </div>
        </div>
    }
}

/// The endpoints: where, what, how it is doing, and what can be done with it.
#[component]
fn EndpointTable(
    list: Vec<WebhookEndpoint>, selected: Memo<Option<String>>, actions: Actions,
) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted">"No endpoints yet. Add one, and it hears of the events it chose from then on."</p> }
            .into_any();
    }
    view! {
        <div class="table-wrap"><table class="webhooks">
            <thead><tr><th scope="col">"Endpoint and events"</th><th scope="col">"Status"</th></tr></thead>
            <tbody>{list.into_iter().map(|e| view! { <EndpointRow endpoint=e selected actions/> }).collect_view()}</tbody>
        </table></div>
    }
    .into_any()
}

#[component]
fn EndpointRow(
    endpoint: WebhookEndpoint, selected: Memo<Option<String>>, actions: Actions,
) -> impl IntoView {
    let id = endpoint.id.clone();
    let here = {
        let id = id.clone();
        move || selected.get().as_deref() == Some(id.as_str())
    };
    let events = endpoint.events.join(", ");
    let (toggle_id, delete_id) = (id.clone(), id.clone());
    let enabled = endpoint.enabled;
    let confirm_text = format!(
        "Delete the endpoint {}? Its delivery log goes with it; nothing more is sent to it.",
        endpoint.url
    );
    let toggle = move |_| {
        actions.toggle.dispatch(SetWebhookEnabled { id: toggle_id.clone(), enabled: !enabled });
    };
    let delete = move |_| {
        if confirmed(&confirm_text) {
            actions.delete.dispatch(DeleteWebhook { id: delete_id.clone() });
        }
    };
    view! {
        <tr class:selected=here data-testid="webhook-row">
            <th scope="row">
                {(!endpoint.description.is_empty()).then(|| view! { <div class="name">{endpoint.description.clone()}</div> })}
                <code class="url">{endpoint.url.clone()}</code>
                <div class="events small">{events}</div>
                <div class="muted small">{format!("Added {}", endpoint.created_at.format("%Y-%m-%d"))}
                    {endpoint.created_by.clone().map(|n| format!(" by {n}"))}</div>
                <div class="row-actions">
                    <a class="button ghost small" href=format!("/settings/webhooks?endpoint={id}#log-h")>"Log"</a>
                    <button type="button" class="button ghost small" on:click=toggle>{if enabled { "Switch off" } else { "Switch on" }}</button>
                    <button type="button" class="button ghost small danger" on:click=delete>"Delete"</button>
                </div></th>
            <td class="small"><Health endpoint=endpoint.clone()/>
                <div class="muted">{match (endpoint.last_status, endpoint.last_at) {
                    (Some(s), Some(at)) => format!("Last delivery: {} {}", s.label().to_lowercase(), when(at)),
                    _ => "No delivery yet".to_string(),
                }}</div></td>
        </tr>
    }
}

/// On, off (and why), or failing since when; and how many deliveries wait.
#[component]
fn Health(endpoint: WebhookEndpoint) -> impl IntoView {
    let waiting = (endpoint.pending > 0).then(|| {
        view! { <div class="muted small">{format!("{} waiting", endpoint.pending)}</div> }
    });
    let badge = match (endpoint.enabled, endpoint.failing_since) {
        (false, _) => view! {
            <span class="badge off">"Off"</span>
            {endpoint.disabled_reason.map(|r| view! { <div class="muted small">{format!("Switched off: {r}")}</div> })}
        }
        .into_any(),
        (true, Some(since)) => view! {
            <span class="badge warn">"Failing"</span><div class="muted small">{format!("since {}", when(since))}</div>
        }
        .into_any(),
        (true, None) => view! { <span class="badge ok">"On"</span> }.into_any(),
    };
    view! { {badge}{waiting} }
}

#[component]
fn StatusBadge(status: DeliveryStatus) -> impl IntoView {
    let class = match status {
        DeliveryStatus::Delivered => "badge ok",
        DeliveryStatus::Pending => "badge warn",
        DeliveryStatus::Failed => "badge off",
    };
    view! { <span class=class>{status.label()}</span> }
}

fn when(t: Timestamp) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// One endpoint's deliveries, newest first, each with what the receiver answered.
#[component]
fn DeliveryTable(
    rows: Vec<WebhookDelivery>, endpoint: String, resend: ServerAction<ResendWebhook>,
) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">"Nothing sent yet. Deliveries appear here as events happen."</p> }.into_any();
    }
    view! {
        <div class="table-wrap"><table class="deliveries" data-testid="delivery-log">
            <thead><tr><th scope="col">"Event"</th><th scope="col">"Status"</th>
                <th scope="col">"Answer"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
            <tbody>{rows.into_iter().map(|d| {
                let (endpoint, delivery) = (endpoint.clone(), d.id.clone());
                let again = move |_| {
                    resend.dispatch(ResendWebhook { endpoint: endpoint.clone(), delivery: delivery.clone() });
                };
                let answer = match (d.response_status, d.latency_ms) {
                    (Some(code), Some(ms)) => format!("HTTP {code} · {ms} ms"),
                    (Some(code), None) => format!("HTTP {code}"),
                    (None, Some(ms)) => format!("no answer · {ms} ms"),
                    (None, None) => "—".to_string(),
                };
                let attempts = match d.attempts {
                    0 => "not tried yet".to_string(),
                    1 => "1 attempt".to_string(),
                    n => format!("{n} attempts"),
                };
                let next = d.next_at.filter(|_| d.attempts > 0).map(|t| format!("next try {}", when(t)));
                let reply = d.error.clone().into_iter().chain(d.response_snippet.clone()).collect::<Vec<_>>().join(" — ");
                view! {
                    <tr data-status=d.status.key()>
                        <td><code>{d.event.clone()}</code>
                            <div class="muted small">{when(d.last_at.unwrap_or(d.created_at))}</div>
                            <div class="muted small"><code>{d.message_id.clone()}</code></div></td>
                        <td><StatusBadge status=d.status/><div class="muted small">{attempts}</div>
                            {next.map(|n| view! { <div class="muted small">{n}</div> })}</td>
                        <td class="small reply">{answer}
                            {(!reply.is_empty()).then(|| view! { <span class="snippet">{reply.clone()}</span> })}</td>
                        <td class="num"><button type="button" class="button ghost small" on:click=again>"Resend"</button></td>
                    </tr>
                }
            }).collect_view()}</tbody>
        </table></div>
    }
    .into_any()
}

/// A new endpoint: URL, what it is for, the events it wants; the secret is shown once, here.
#[component]
fn NewEndpointCard(create: ServerAction<CreateWebhook>) -> impl IntoView {
    let errors = refusal(create.value());
    let events_error = Signal::derive(move || errors.get().and_then(|e| e.for_field("events")));
    view! {
        <Card id="newhook-h" title="Add an endpoint">
            <ErrorBanner error=errors fields_only_inline=true/>
            <ActionForm action=create attr:novalidate="true" attr:class="stack">
                <TextField label="URL" name="url" field="url" errors required=true kind="url" inputmode="url"
                    hint="Where Bellwether POSTs each event, e.g. https://hooks.example.com/bellwether."/>
                <TextField label="Description" name="description" field="description" errors hint="What receives it, e.g. CRM sync."/>
                <fieldset class="field events" class:invalid=move || events_error.get().is_some()>
                    <legend>"Events"</legend>
                    {WebhookEvent::ALL.iter().enumerate().map(|(i, e)| view! {
                        <label class="check"><input type="checkbox" name=format!("events[{i}]") value=e.key()/>" "<code>{e.key()}</code>
                            <span class="muted small">" — "{e.label()}</span></label>
                    }).collect_view()}
                    {move || events_error.get().map(|m| view! { <p class="error">{m}</p> })}
                </fieldset>
                <button type="submit" class="button primary">"Add endpoint"</button>
            </ActionForm>
            {move || create.value().get().and_then(|r| r.ok()).map(|(e, secret)| view! {
                <div class="banner-ok" role="status">
                    <p>{format!("Added {}. Copy its signing secret now: it is not shown again.", e.url)}</p>
                    <p class="secret" data-testid="webhook-secret">{secret}</p>
                </div>
            })}
        </Card>
    }
}

/// Whether endpoints may be on private networks (off: an endpoint could otherwise reach
/// services inside the network Bellwether runs in).
#[component]
fn PrivateNetworks(allowed: bool, save: ServerAction<SaveWebhooksPrivate>) -> impl IntoView {
    let checked = RwSignal::new(allowed);
    view! {
        <p class="muted small">"Endpoints on loopback, private or link-local addresses (10.x, 192.168.x, 127.x, cloud metadata …) are refused, \
            when they are added and again at every delivery, so that a webhook cannot be used to reach services inside your network. \
            Allow them only when the receiver runs beside Bellwether."</p>
        <ActionForm action=save attr:class="stack">
            <label class="check"><input type="checkbox" name="allow" value="true" prop:checked=move || checked.get()
                on:change=move |ev| checked.set(event_target_checked(&ev))/>" Allow endpoints on private networks"</label>
            <ErrorBanner error=refusal(save.value())/>
            <button type="submit" class="button small">"Save"</button>
        </ActionForm>
    }
}
