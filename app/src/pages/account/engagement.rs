//! The account's engagement: the cadences its segments ask for (overdue ones flagged), logging
//! a touchpoint, and the latest touchpoints.

use crate::api::engagement::LogTouchpoint;
use crate::components::action::refusal;
use crate::components::field::{SelectField, TextField};
use crate::components::notice::{ErrorBanner, Loaded};
use crate::error::AppError;
use crate::model::engagement::{Engagement, TouchpointKind};
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
            <Loaded resource=data inline=true let:e>
                <EngagementList e/>
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
    view! {
        <ActionForm action=log attr:class="plan-form" attr:novalidate="true">
            <ErrorBanner error=errors fields_only_inline=true/>
            <input type="hidden" name="account_id" value=account_id.to_string()/>
            <div class="form-row">
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
            <div class="form-actions">
                <button type="submit" class="button primary small">"Save touchpoint"</button>
                <button type="button" class="button ghost small" on:click=move |_| open.set(false)>"Cancel"</button>
            </div>
        </ActionForm>
    }
}

/// The cadences that apply (overdue ones flagged) and the latest touchpoints.
#[component]
fn EngagementList(e: Engagement) -> impl IntoView {
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
                                    {e.touchpoints.into_iter().map(|t| view! {
                                        <li>
                                            <strong>{t.kind.label()}</strong>" "<span class="muted small">{t.date.format("%d %b %Y").to_string()}</span>
                                            {(!t.attendees.is_empty()).then(|| view! { <br/><span class="small">
                                                {format!("With {}", t.attendees.join(", "))}</span> })}
                                            {(!t.notes.is_empty()).then(|| view! { <p class="small">{t.notes.clone()}</p> })}
                                            {(!t.next_steps.is_empty()).then(|| view! { <p class="small"><em>"Next: "</em>{t.next_steps.clone()}</p> })}
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
    }
}
