//! Closing the loop: follow-ups opened by low scores, and what the CSM did about each.

use crate::api::feedback::{list_follow_ups, CloseFollowUp};
use crate::components::action::successes;
use crate::components::layout::use_me;
use crate::components::notice::{ErrorBanner, LoadError};
use crate::model::Permission;
use crate::model::{FollowUp, FollowUpStatus};
use crate::pages::surveys::{band_class, day, hours, pct};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn FollowUpsPage() -> impl IntoView {
    let me = use_me();
    let can_edit = me.role.may(Permission::RunSurveys);
    let status = RwSignal::new("open".to_string());
    let mine = RwSignal::new(false);
    let close = ServerAction::<CloseFollowUp>::new();
    // Re-read the list only after a close went through: a refused one re-rendering the cards
    // would wipe the outcome the CSM is correcting.
    let closed = successes(close.value());
    let list = Resource::new(
        move || (status.get(), mine.get(), closed.get()),
        |(s, m, _)| list_follow_ups(s, m),
    );
    let last = RwSignal::new(None::<String>);
    // Field messages sit on their card; anything else is a banner.
    let close_error = Signal::derive(move || {
        close.value().get().and_then(|r| r.err()).filter(|e| e.for_field("outcome").is_none())
    });
    let today = chrono::Utc::now().date_naive();
    view! {
        <Title text="Follow-ups"/>
        <div class="page-head">
            <div><h1>"Follow-ups"</h1>
                <p class="muted">"Every NPS detractor (0–6), CSAT of 1–2 and CES of 1–3 opens one for the account’s owner. Close it with what you \
                    did."</p></div>
        </div>
        <div class="filters" role="group" aria-label="Show">
            <div class="segmented">
                {["open", "closed", "all"].into_iter().map(|s| view! {
                    <label class="seg-option">
                        <input type="radio" name="fu-status" value=s checked=move || status.get() == s on:change=move |_| status.set(s.to_string())/>
                        <span>{match s { "open" => "Open", "closed" => "Closed", _ => "All" }}</span>
                    </label>
                }).collect_view()}
            </div>
            <label class="check">
                <input type="checkbox" prop:checked=move || mine.get() on:change=move |ev| mine.set(event_target_checked(&ev))/>" Only mine"</label>
        </div>
        <ErrorBanner error=close_error/>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || list.get().map(|r| match r {
                Err(e) => view! { <LoadError error=e/> }.into_any(),
                Ok(l) => {
                    let s = l.stats.clone();
                    let overdue_class = if s.overdue > 0 { "kpi-value bad" } else { "kpi-value" };
                    view! {
                        <div class="kpis">
                            <div class="kpi" title="Follow-ups closed ÷ follow-ups opened">
                                <span class="kpi-label">"Closed-loop rate"</span>
                                <span class="kpi-value">{pct(s.closed_rate)}</span>
                                <span class="kpi-note">{format!("{} of {} closed", s.closed, s.opened)}</span>
                            </div>
                            <div class="kpi" title="Median time from the low score to the follow-up being closed">
                                <span class="kpi-label">"Median time to close"</span>
                                <span class="kpi-value">{hours(s.median_hours_to_close)}</span>
                            </div>
                            <div class="kpi"><span class="kpi-label">"Overdue"</span><span class=overdue_class>{s.overdue}</span></div>
                        </div>
                        {if l.items.is_empty() {
                            view! { <section class="empty-state"><h2>"Nothing here"</h2>
                                <p>"No follow-ups match. Low scores will appear here as they arrive."</p></section> }.into_any()
                        } else {
                            let total = l.items.len();
                            let shown = RwSignal::new(PAGE.min(total));
                            let all = StoredValue::new(l.items);
                            view! {
                                <ul class="follow-ups">
                                    {move || all.with_value(|items| items.iter().take(shown.get()).cloned().collect::<Vec<_>>()).into_iter()
                                        .map(|f| view! { <FollowUpCard f today can_edit close last/> }).collect_view()}
                                </ul>
                                {move || (shown.get() < total).then(|| view! {
                                    <button type="button" class="button small more" on:click=move |_| shown.update(|n| *n = (*n + PAGE).min(total))>
                                        {format!("Show {} more of {}", PAGE.min(total - shown.get()), total - shown.get())}
                                    </button>
                                })}
                            }.into_any()
                        }}
                    }.into_any()
                }
            })}
        </Transition>
    }
}

#[component]
fn FollowUpCard(
    f: FollowUp, today: chrono::NaiveDate, can_edit: bool, close: ServerAction<CloseFollowUp>,
    last: RwSignal<Option<String>>,
) -> impl IntoView {
    let open = f.status == FollowUpStatus::Open;
    let overdue = open && f.due < today;
    let id = f.id.clone();
    let field_id = format!("outcome-{}", f.id);
    let text = NodeRef::<leptos::html::Textarea>::new();
    // The action is shared by every card: its message belongs to the card last submitted.
    let err = Signal::derive({
        let id = f.id.clone();
        move || {
            (last.get().as_deref() == Some(id.as_str()))
                .then(|| close.value().get().and_then(|r| r.err()))
                .flatten()
                .and_then(|e| e.for_field("outcome"))
        }
    });
    let r = &f.response;
    view! {
        <li class="card follow-up" class:overdue=overdue>
            <div class="fu-head">
                <span class=format!("score-pill {}", band_class(r.kind.band(r.score)))>{r.score}</span>
                <div>
                    <strong>{r.account_id.clone().map(|a| view! { <a href=format!("/accounts/{a}")>{r.account_name.clone().unwrap_or_default()}</a> })}</strong>
                    " · " {r.contact_name.clone().unwrap_or_default()}
                    {r.contact_email.clone().map(|e| view! { " " <a class="muted small" href=format!("mailto:{e}")>{e.clone()}</a> })}
                    <div class="muted small">{f.reason.clone()} " · " <a href=format!("/surveys/{}", r.survey_id)>{r.survey_name.clone()}
                        </a> " · " {day(&f.created_at)}</div>
                </div>
                <div class="fu-due">
                    {if open {
                        view! { <span class=if overdue { "badge bad" } else { "badge" }>
                            {if overdue { format!("Overdue since {}", f.due) } else { format!("Due {}", f.due) }}</span> }.into_any()
                    } else {
                        view! { <span class="badge ok">"Closed"</span> }.into_any()
                    }}
                    <div class="muted small">{f.assignee_name.clone().map(|n| format!("Owner: {n}")).unwrap_or_else(|| "No owner".into())}</div>
                </div>
            </div>
            {r.comment.clone().map(|c| view! { <blockquote>{c}</blockquote> })}
            {if open && can_edit {
                view! {
                    <form class="fu-close" on:submit=move |ev| {
                        ev.prevent_default();
                        let outcome = text.get().map(|t| t.value()).unwrap_or_default();
                        last.set(Some(id.clone()));
                        close.dispatch(CloseFollowUp { id: id.clone(), outcome });
                    }>
                        <label for=field_id.clone()>"What did you do?"</label>
                        <textarea node_ref=text id=field_id.clone() name="outcome" rows="2" maxlength="5000"
                            aria-invalid=move || err.get().is_some().then_some("true")></textarea>
                        <small class="error" aria-live="polite">{move || err.get()}</small>
                        <button type="submit" class="button primary small">"Close follow-up"</button>
                    </form>
                }.into_any()
            } else {
                f.outcome.clone().map(|o| view! {
                    <p class="outcome"><span class="muted">"Outcome: "</span>{o}
                        <span class="muted small">
                            {format!(" — {} {}", f.closed_by_name.clone().unwrap_or_default(), f.closed_at.as_ref().map(day).unwrap_or_default())}</span></p>
                }).into_any()
            }}
        </li>
    }
}

/// Follow-ups shown at first, and added per "Show more" (the newest 500 are loaded).
const PAGE: usize = 25;
