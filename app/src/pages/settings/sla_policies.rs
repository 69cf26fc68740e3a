//! SLA policies in matching order: an escalation follows the first segment policy whose
//! segment holds its account, else the default policy (always last). Up and down buttons
//! change the order at once (`policy_order`); each policy shows its terms and the P1–P4
//! targets, and opens in [`super::policy_form`] to be edited.

use super::{Open, Page, Part};
use crate::api::sla::{policy_order, SlaSettings};
use crate::components::notice::ErrorBanner;
use crate::error::AppError;
use crate::model::escalation::{EscalationSeverity, SlaPolicy};
use crate::pages::escalations::parts::duration;
use leptos::prelude::*;

/// A share as a percentage without trailing zeros: 0.75 → "75 %", 0.9995 → "99.95 %".
pub(super) fn percent(share: f64) -> String {
    let s = format!("{:.3}", share * 100.0);
    format!("{} %", s.trim_end_matches('0').trim_end_matches('.'))
}

/// Segment policies by position, the default last.
fn matching_order(mut list: Vec<SlaPolicy>) -> Vec<SlaPolicy> {
    list.sort_by_key(|p| (p.segment_id.is_none(), p.position, p.name.clone()));
    list
}

#[component]
pub(super) fn PoliciesCard(data: SlaSettings, page: Page) -> impl IntoView {
    let can_edit = data.can_edit;
    let order = RwSignal::new(matching_order(data.policies.clone()));
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let surveys = StoredValue::new(data.csat_surveys.clone());
    let free = data
        .segments
        .iter()
        .any(|(id, _)| !data.policies.iter().any(|p| p.segment_id.as_deref() == Some(id.as_str())));
    // Moves segment policy `i` one place up or down and saves the order; put back if refused.
    let shift = move |i: usize, up: bool| {
        let before = order.get_untracked();
        let j = if up { i.wrapping_sub(1) } else { i + 1 };
        let segment = |k: usize| before.get(k).is_some_and(|p| p.segment_id.is_some());
        if !segment(i) || !segment(j) {
            return;
        }
        // One move at a time: a failed move's rollback must not undo a later one.
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        order.update(|o| o.swap(i, j));
        let ids: Vec<String> = order.with_untracked(|o| {
            o.iter().filter(|p| p.segment_id.is_some()).map(|p| p.id.clone()).collect()
        });
        let name = before[i].name.clone();
        error.set(None);
        page.notice.set(None);
        leptos::task::spawn_local(async move {
            let saved = policy_order(ids).await;
            busy.set(false);
            match saved {
                Ok(()) => page.notice.set(Some((
                    Part::Policies,
                    format!(
                        "Moved “{name}” {}. New escalations are matched in this order.",
                        if up { "up" } else { "down" }
                    ),
                ))),
                Err(e) => {
                    order.set(before);
                    error.set(Some(e));
                }
            }
        });
    };
    let editor = StoredValue::new(data);
    let open_new = move |_| {
        page.notice.set(None);
        page.policy.set(Some(Open::New));
        crate::pages::plan::focus_later("pol-name".into());
    };
    view! {
        <section class="card sla-card" aria-labelledby="pol-h">
            <div class="card-head">
                <h2 id="pol-h">"SLA policies"</h2>
                {(can_edit && free).then(|| view! {
                    <button type="button" class="button small" data-testid="new-policy" on:click=open_new>"+ New policy"</button>
                })}
            </div>
            <p class="muted small">"An escalation follows the first policy below whose saved segment holds its account; the default policy \
                covers every other account. Targets are business time on the policy's calendar."</p>
            <ClockRules/>
            {page.notice_in(Part::Policies)}
            <ErrorBanner error/>
            <ol class="sla-policies">
                {move || {
                    let list = order.get();
                    let last_segment = list.iter().filter(|p| p.segment_id.is_some()).count().saturating_sub(1);
                    list.into_iter().enumerate().map(|(i, p)| {
                        let survey = p.terms.csat_survey_id.as_ref().and_then(|s| {
                            surveys.with_value(|l| l.iter().find(|(id, _)| id == s).map(|(_, n)| n.clone()))
                        });
                        view! { <PolicyItem p i last_segment survey can_edit shift page/> }
                    }).collect_view()
                }}
            </ol>
            {move || page.policy.get().map(|o| {
                let p = match &o {
                    Open::New => None,
                    Open::Id(id) => order.with(|l| l.iter().find(|p| p.id == *id).cloned()),
                };
                view! { <super::policy_form::PolicyForm policy=p data=editor.get_value() page/> }
            })}
        </section>
    }
}

/// The clock rules every policy runs under, said once where targets are set.
#[component]
fn ClockRules() -> impl IntoView {
    view! {
        <div class="sla-rules">
            <h3>"How the clocks run"</h3>
            <ul>
                <li><strong>"First response"</strong>" runs from opening until the first response is sent, and never pauses."</li>
                <li><strong>"Update cadence"</strong>" restarts at each customer update and pauses while waiting on the customer."</li>
                <li><strong>"Resolution"</strong>" pauses while waiting on the customer; a reopen continues the same clock."</li>
                <li>"All three count the business hours of the policy's calendar, holidays and daylight-saving changes included."</li>
                <li>"Editing a policy never changes escalations already open: they keep the version they started under."</li>
            </ul>
        </div>
    }
}

/// One policy: what it matches, its terms, its targets, and the buttons that move or edit it.
#[component]
fn PolicyItem(
    p: SlaPolicy, i: usize, last_segment: usize, survey: Option<String>, can_edit: bool,
    shift: impl Fn(usize, bool) + Copy + Send + Sync + 'static, page: Page,
) -> impl IntoView {
    let matches = match &p.segment_name {
        Some(s) => format!("{}. Accounts in the segment “{s}”", i + 1),
        None => "Default · every account no policy above matches".to_string(),
    };
    let is_segment = p.segment_id.is_some();
    let (id, data_id, for_table) = (p.id.clone(), p.id.clone(), p.clone());
    let name = p.name.clone();
    let edit = move |_| {
        page.notice.set(None);
        page.policy.set(Some(Open::Id(id.clone())));
        crate::pages::plan::focus_later("pol-name".into());
    };
    view! {
        <li class="sla-policy" class:default=!is_segment data-testid="policy" data-id=data_id>
            <div class="sla-policy-head">
                <div>
                    <h3>{p.name.clone()}" "<span class="muted small">{format!("v{}", p.version)}</span></h3>
                    <p class="muted small" data-testid="policy-matches">{matches}</p>
                </div>
                {can_edit.then(|| view! {
                    <div class="row-actions">
                        {is_segment.then(|| view! {
                            <button type="button" class="button ghost small" aria-label=format!("Move {name} up") title="Move up"
                                disabled=i == 0 on:click=move |_| shift(i, true)>"↑"</button>
                            <button type="button" class="button ghost small" aria-label=format!("Move {name} down") title="Move down"
                                disabled={i >= last_segment} on:click=move |_| shift(i, false)>"↓"</button>
                        })}
                        <button type="button" class="button small" aria-label=format!("Edit {}", p.name) on:click=edit>"Edit"</button>
                    </div>
                })}
            </div>
            <dl class="sla-terms">
                <div><dt>"Calendar"</dt><dd>{p.calendar_name.clone()}</dd></div>
                <div><dt>"Warn at"</dt><dd>{format!("{} of a target", percent(p.terms.warn_at))}</dd></div>
                <div><dt>"Uptime target"</dt><dd>{format!("{} a month", percent(p.terms.uptime_target))}</dd></div>
                <div><dt>"Follow-up"</dt><dd>{format!("{} days after resolution", p.terms.follow_up_days)}</dd></div>
                <div><dt>"CSAT survey"</dt><dd>{survey.unwrap_or_else(|| "None".into())}</dd></div>
            </dl>
            <TargetsTable p=for_table/>
        </li>
    }
}

/// P1–P4 × first response, update cadence, resolution, in business hours and minutes.
#[component]
fn TargetsTable(p: SlaPolicy) -> impl IntoView {
    view! {
        <div class="sla-targets-wrap">
            <table class="compact sla-targets">
                <thead><tr><th scope="col">"Severity"</th><th scope="col" class="num">"First response"</th>
                    <th scope="col" class="num">"Update cadence"</th><th scope="col" class="num">"Resolution"</th></tr></thead>
                <tbody>
                    {EscalationSeverity::ALL.iter().map(|s| {
                        let t = p.terms.target(*s);
                        view! {
                            <tr data-severity=s.key()>
                                <th scope="row">{s.label()}</th>
                                <td class="num">{duration(t.first_response_minutes.into())}</td>
                                <td class="num">{duration(t.update_minutes.into())}</td>
                                <td class="num">{duration(t.resolution_minutes.into())}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
