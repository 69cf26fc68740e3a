//! Sharing the plan with a customer contact (magic links: made, listed, revoked) and the
//! plan's activity — who did what, and when, the customer's actions marked.

use super::{use_builder, Builder};
use crate::api::plans::{get_plan, CommentOnPlan, SharePlan, SHARE_DAYS};
use crate::components::notice::{confirmed, ErrorBanner};
use crate::model::plan::{PlanEventKind, PlanShare, TaskOwner};
use crate::model::{ContactId, PlanId};
use leptos::prelude::*;

fn when(at: &crate::model::Timestamp) -> String {
    crate::pages::format_time(at, "%d %b %Y, %H:%M")
}

#[component]
pub fn ShareCard() -> impl IntoView {
    let b = use_builder();
    let share = ServerAction::<SharePlan>::new();
    let errors = Signal::derive(move || share.value().get().and_then(|r| r.err()));
    // A new share: read the plan again so the list shows it.
    Effect::new(move |_| {
        if let Some(Ok(_)) = share.value().get() {
            if let Some(id) = b.shown_untracked().map(|d| d.plan.id) {
                leptos::task::spawn_local(async move {
                    if let Ok(d) = get_plan(id).await {
                        b.accept(d);
                    }
                });
            }
        }
    });
    let contact_err = Signal::derive(move || errors.get().and_then(|e| e.for_field("contact_id")));
    view! {
        <section class="card" aria-labelledby="share-h">
            <h2 id="share-h">"Shared with the customer"</h2>
            <p class="muted small">
                "A magic link opens this plan without a login: the customer ticks off their tasks, updates the objectives you "
                "allow, and comments. Links expire and can be revoked."
            </p>
            {move || b.shown().map(|d| {
                let plan_id = d.plan.id.clone();
                let contacts: Vec<(ContactId, String)> = d
                    .owners
                    .iter()
                    .filter_map(|o| match &o.value {
                        TaskOwner::Contact(id) => Some((id.clone(), o.label.trim_end_matches(" (customer)").to_string())),
                        _ => None,
                    })
                    .collect();
                let shares = d.shares.clone();
                let now = chrono::Utc::now();
                view! {
                    {b.can_edit.then({ let plan_id = plan_id.clone(); move || if contacts.is_empty() {
                        view! { <p class="muted">"Add a contact to the account to share the plan."</p> }.into_any()
                    } else {
                        view! {
                            <ActionForm action=share attr:class="stack share-form" attr:novalidate="true">
                                <ErrorBanner error=errors fields_only_inline=true/>
                                <input type="hidden" name="plan_id" value=plan_id.to_string()/>
                                <div class="form-row">
                                    <div class="field" class:invalid=move || contact_err.get().is_some()>
                                        <label for="f-share-contact">"Contact"</label>
                                        <select id="f-share-contact" name="contact_id">
                                            {contacts.iter().map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> }).collect_view()}
                                        </select>
                                        <small class="error">{move || contact_err.get()}</small>
                                    </div>
                                    <div class="field">
                                        <label for="f-share-days">"Link works for"</label>
                                        <select id="f-share-days" name="days">
                                            {SHARE_DAYS.iter().map(|d| view! {
                                                <option value=d.to_string() selected=*d == 30>{format!("{d} days")}</option>
                                            }).collect_view()}
                                        </select>
                                    </div>
                                </div>
                                <button type="submit" class="button primary small">"Create link"</button>
                            </ActionForm>
                        }.into_any()
                    }})}
                    {move || share.value().get().and_then(|r| r.ok()).and_then(|s| s.url.map(|u| (s.contact_name, u))).map(|(name, url)| view! {
                        <div class="banner-ok" role="status">
                            <p>{format!("Link for {name} (copy it now; it is not shown again):")}</p>
                            <input class="share-url" type="text" readonly value=url.clone() aria-label="Shared plan link" data-testid="share-url"/>
                        </div>
                    })}
                    <ul class="shares">
                        {shares.into_iter().map(|share| view! { <ShareRow share plan_id=plan_id.clone() now/> }).collect_view()}
                    </ul>
                }
            })}
        </section>
    }
}

/// Revokes share `sid` of plan `pid`, once the person confirms: at once on screen, then on the
/// server.
fn revoke(b: Builder, pid: PlanId, sid: String, name: &str) {
    if !confirmed(&format!("Revoke {name}'s link? It stops working at once.")) {
        return;
    }
    let at = chrono::Utc::now();
    let shown = sid.clone();
    b.run(
        "Revoking the link",
        move |d| {
            for s in d.shares.iter_mut().filter(|s| s.id == shown) {
                s.revoked_at = Some(at);
            }
        },
        move || crate::api::plans::revoke_share(pid, sid),
    );
}

/// One link made for a contact: live, expired or revoked, when it was last opened, and (while
/// live, for editors) the button that revokes it.
#[component]
fn ShareRow(share: PlanShare, plan_id: PlanId, now: crate::model::Timestamp) -> impl IntoView {
    let b = use_builder();
    let s = share;
    let state = match (&s.revoked_at, s.expires_at < now) {
        (Some(r), _) => format!("revoked {}", when(r)),
        (None, true) => format!("expired {}", when(&s.expires_at)),
        (None, false) => format!("active until {}", when(&s.expires_at)),
    };
    let live = s.revoked_at.is_none() && s.expires_at >= now;
    let opened = (s.last_opened_at.as_ref())
        .map(|o| format!(" · last opened {}", when(o)))
        .unwrap_or_else(|| " · not opened yet".into());
    let (sid, name) = (s.id.clone(), s.contact_name.clone());
    let button = (live && b.can_edit).then(|| {
        view! {
            " "<button type="button" class="button ghost small danger"
                on:click=move |_| revoke(b, plan_id.clone(), sid.clone(), &name)>"Revoke"</button>
        }
    });
    view! {
        <li class:inactive=!live data-testid="share">
            <strong>{s.contact_name.clone()}</strong>" "<span class="muted small">{s.contact_email.clone()}</span>
            <br/><span class="small">{state}</span>
            <span class="muted small">{opened}</span>
            {button}
        </li>
    }
}

#[component]
pub fn Activity() -> impl IntoView {
    let b = use_builder();
    let comment = ServerAction::<CommentOnPlan>::new();
    Effect::new(move |_| {
        if let Some(Ok(d)) = comment.value().get() {
            b.accept(d);
        }
    });
    let errors = Signal::derive(move || comment.value().get().and_then(|r| r.err()));
    view! {
        <section class="card" aria-labelledby="act-h">
            <h2 id="act-h">"Activity"</h2>
            {move || b.shown().map(|d| {
                let plan_id = d.plan.id.clone();
                view! {
                    {b.can_edit.then(|| view! {
                        <ActionForm action=comment attr:class="stack" attr:novalidate="true">
                            <input type="hidden" name="plan_id" value=plan_id.to_string()/>
                            <label for="f-comment" class="sr-only">"Comment"</label>
                            <textarea id="f-comment" name="text" rows="2" placeholder="Add a comment (the customer sees it on the shared plan)"></textarea>
                            <small class="error">{move || errors.get().and_then(|e| e.for_field("text"))}</small>
                            <button type="submit" class="button small">"Comment"</button>
                        </ActionForm>
                    })}
                    <ul class="activity" data-testid="activity">
                        {d.events.iter().map(|e| {
                            let comment = e.kind == PlanEventKind::Comment;
                            let words = e.describe();
                            view! {
                                <li class:customer=e.by_customer class:comment=comment>
                                    <strong>{e.actor.clone()}</strong>
                                    {e.by_customer.then(|| view! { " "<span class="tag">"Customer"</span> })}
                                    " "{if comment { view! { <q>{words}</q> }.into_any() } else { view! { <span>{words}</span> }.into_any() }}
                                    <br/><time class="muted small">{when(&e.at)}</time>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
            })}
        </section>
    }
}
