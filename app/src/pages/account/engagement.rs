//! The account's engagement: the cadences its segments ask for (overdue ones flagged), logging
//! a touchpoint (an email or meeting request can await the customer's reply), and the latest
//! touchpoints, with "Customer replied" on those still waiting.

use crate::api::engagement::{CustomerReplied, LogTouchpoint};
use crate::components::action::refusal;
use crate::components::field::{SelectField, TextField};
use crate::components::notice::{ErrorBanner, Loaded};
use crate::error::AppError;
use crate::model::engagement::{can_await_reply, Engagement, Touchpoint, TouchpointKind};
use crate::model::AccountId;
use leptos::prelude::*;

#[component]
pub fn EngagementCard(
    account_id: AccountId, can_edit: bool, data: Resource<Result<Engagement, AppError>>,
    log: ServerAction<LogTouchpoint>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(_)) = log.value().get() {
            open.set(false);
        }
    });
    // A logged reply re-reads the list (the live stream would too, a moment later).
    let replied = ServerAction::<CustomerReplied>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = replied.value().get() {
            data.refetch();
        }
    });
    let reply_error = refusal(replied.value());
    let list_account = account_id.clone();
    view! {
        <section class="card" aria-labelledby="eng-h">
            <div class="card-head">
                <h2 id="eng-h">"Engagement"</h2>
                {can_edit.then(|| view! {
                    <button type="button" class="button small" on:click=move |_| open.update(|o| *o = !*o)>"+ Log touchpoint"</button>
                })}
            </div>
            {move || {
                let account_id = account_id.clone();
                open.get().then(move || view! { <TouchpointForm account_id log open/> })
            }}
            <ErrorBanner error=reply_error/>
            <Loaded resource=data inline=true let:e>
                <EngagementList e account_id=list_account.clone() can_edit replied/>
            </Loaded>
        </section>
    }
}

/// A touchpoint being logged: kind, date (today at first), attendees, notes, next steps.
#[component]
fn TouchpointForm(
    account_id: AccountId, log: ServerAction<LogTouchpoint>, open: RwSignal<bool>,
) -> impl IntoView {
    let errors = refusal(log.value());
    let today = chrono::Utc::now().date_naive().to_string();
    // Only an email or a meeting request can await the customer: the box shows for those.
    let kind = RwSignal::new("call".to_string());
    let can_await = move || TouchpointKind::parse(&kind.get()).is_some_and(can_await_reply);
    view! {
        <ActionForm action=log attr:class="plan-form" attr:novalidate="true">
            <ErrorBanner error=errors fields_only_inline=true/>
            <input type="hidden" name="account_id" value=account_id.to_string()/>
            // Change events bubble from the kind select (and the date, whose value is no kind).
            <div class="form-row" on:change=move |ev| {
                let v = event_target_value(&ev);
                if TouchpointKind::parse(&v).is_some() {
                    kind.set(v);
                }
            }>
                <SelectField label="Kind" name="input[kind]" field="kind" errors
                    options=TouchpointKind::ALL.iter().map(|k| (k.key().to_string(), k.label().to_string())).collect()
                    selected="call"/>
                <TextField label="Date" name="input[date]" field="date" kind="date" errors value=today.clone() required=true id_prefix="tp-"/>
            </div>
            <TextField label="Attendees" name="input[attendees]" field="attendees" errors id_prefix="tp-" hint="Separate names with commas"/>
            <div class="field">
                <label for="f-tp-notes">"Notes"</label>
                <textarea id="f-tp-notes" name="input[notes]" rows="3"></textarea>
                <small class="error">{move || errors.get().and_then(|e| e.for_field("notes"))}</small>
            </div>
            <div class="field">
                <label for="f-tp-next">"Next steps"</label>
                <textarea id="f-tp-next" name="input[next_steps]" rows="2"></textarea>
            </div>
            {move || can_await().then(|| view! {
                <label class="check">
                    <input type="checkbox" name="input[awaiting_reply]" value="on"/>
                    " Awaiting the customer's reply"
                </label>
                <small class="error">{move || errors.get().and_then(|e| e.for_field("awaiting_reply"))}</small>
            })}
            <div class="form-actions">
                <button type="submit" class="button primary small">"Save touchpoint"</button>
                <button type="button" class="button ghost small" on:click=move |_| open.set(false)>"Cancel"</button>
            </div>
        </ActionForm>
    }
}

/// The cadences that apply (overdue ones flagged) and the latest touchpoints.
#[component]
fn EngagementList(
    e: Engagement, account_id: AccountId, can_edit: bool, replied: ServerAction<CustomerReplied>,
) -> impl IntoView {
    view! {
                {if e.cadences.is_empty() {
                            view! { <p class="muted small">"No cadence applies: cadence rules are set per saved segment in Settings → Engagement."</p>
                                }.into_any()
                        } else {
                            view! {
                                <ul class="cadences">
                                    {e.cadences.into_iter().map(|c| view! {
                                        <li class:overdue={c.overdue_days > 0} data-testid="cadence">
                                            <strong>{c.kind.label()}</strong>
                                            <span class="muted small">{format!(" every {} days ({})", c.every_days, c.segment_name)}</span>
                                            <br/>
                                            {if c.overdue_days > 0 {
                                                view! { <span class="pill s-off_track">{format!("Overdue by {} days", c.overdue_days)}</span> }.into_any()
                                            } else {
                                                view! { <span class="pill s-on_track">{format!("Next by {}", c.next_due.format("%d %b"))}</span> }.into_any()
                                            }}
                                            <span class="muted small">{match c.last {
                                                Some(d) => format!(" · last {}", d.format("%d %b %Y")),
                                                None => " · none logged yet".to_string(),
                                            }}</span>
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                        {if e.touchpoints.is_empty() {
                            view! { <p class="muted">"No touchpoints logged yet."</p> }.into_any()
                        } else {
                            view! {
                                <h3 class="small-h">"Latest touchpoints"</h3>
                                <ul class="touchpoints">
                                    {e.touchpoints.into_iter().map(|t| {
                                        let reply = reply_line(&t, &account_id, can_edit, replied);
                                        view! {
                                        <li>
                                            <strong>{t.kind.label()}</strong>" "<span class="muted small">{t.date.format("%d %b %Y").to_string()}</span>
                                            {(!t.attendees.is_empty()).then(|| view! { <br/><span class="small">
                                                {format!("With {}", t.attendees.join(", "))}</span> })}
                                            {(!t.notes.is_empty()).then(|| view! { <p class="small">{t.notes.clone()}</p> })}
                                            {(!t.next_steps.is_empty()).then(|| view! { <p class="small"><em>"Next: "</em>{t.next_steps.clone()}</p> })}
                                            {reply}
                                        </li>
                                    }}).collect_view()}
                                </ul>
                            }.into_any()
                        }}
    }
}

/// Where a touchpoint's wait for the customer stands ("Awaiting the customer since …", "Replied
/// after N days") and, for editors while it waits, the button that logs the reply.
fn reply_line(
    t: &Touchpoint, account_id: &AccountId, can_edit: bool, replied: ServerAction<CustomerReplied>,
) -> Option<impl IntoView> {
    let note = t.reply_note()?;
    let waiting = t.awaits_reply();
    let button = (can_edit && waiting).then(|| {
        let (account, id) = (account_id.to_string(), t.id.clone());
        let label = format!(
            "Log the customer's reply to the {} of {}",
            t.kind.label().to_lowercase(),
            t.date.format("%d %b")
        );
        view! {
            <ActionForm action=replied>
                <input type="hidden" name="account_id" value=account/>
                <input type="hidden" name="touchpoint_id" value=id/>
                <button type="submit" class="button ghost small" aria-label=label
                    disabled=move || replied.pending().get()>"Customer replied"</button>
            </ActionForm>
        }
    });
    Some(view! {
        <div class="small row-actions reply-state" data-testid="reply-state">
            <span class=if waiting { "pill s-at_risk" } else { "pill s-on_track" }>{note}</span>
            {button}
        </div>
    })
}
