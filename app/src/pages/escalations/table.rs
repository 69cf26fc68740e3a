//! The escalations as a table (one card per escalation on a phone), with "Load more" while
//! there are more, and an empty state that says what an escalation is and where to raise one.

use super::filters::EscalationQuery;
use super::parts::{NextDue, SeverityBadge, Since, StatusPill};
use crate::api::escalations::EscalationList;
use crate::components::notice::LoadError;
use crate::components::pager::Pager;
use crate::error::AppError;
use crate::model::escalation::{EscalationRow, EscalationStatus};
use crate::model::Timestamp;
use leptos::prelude::*;

#[component]
pub fn EscalationsTable(
    query: Memo<EscalationQuery>, list: Resource<Result<EscalationList, AppError>>,
    now: RwSignal<Option<Timestamp>>,
) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <div class="table-skeleton">"Loading escalations…"</div> }>
            {move || list.get().map(|r| match r {
                Err(e) => view! { <LoadError error=e/> }.into_any(),
                Ok(l) if l.rows.is_empty() => view! { <NoEscalations default_view=query.get_untracked().is_default()/> }.into_any(),
                Ok(l) => {
                    let count = l.rows.len();
                    let more = l.next_cursor.is_some();
                    view! {
                        <div class="table-wrap">
                            <table class="esc-table" data-testid="escalations-table">
                                <caption class="sr-only">{format!("{count} escalations, newest first")}</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"Severity"</th>
                                        <th scope="col">"Escalation"</th>
                                        <th scope="col">"Account"</th>
                                        <th scope="col">"Status"</th>
                                        <th scope="col">"Level · responsible"</th>
                                        <th scope="col">"Opened"</th>
                                        <th scope="col">"Most urgent clock"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {l.rows.into_iter().map(|r| view! { <Row r now/> }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <Pager count one="escalation" many="escalations" label="More escalations"
                            next=more.then(|| EscalationQuery { pages: query.get_untracked().pages + 1, ..query.get_untracked() }.href())/>
                    }.into_any()
                }
            })}
        </Transition>
    }
}

/// One escalation: severity, title and type, account, status, level and who holds it, when
/// it was opened, and its most urgent clock.
#[component]
fn Row(r: EscalationRow, now: RwSignal<Option<Timestamp>>) -> impl IntoView {
    let resolved = r.status == EscalationStatus::Resolved;
    let href = format!("/escalations/{}", r.id);
    let who = r.responsible.clone().unwrap_or_else(|| "No one".into());
    view! {
        <tr class=format!("esc-row esc-{}", r.severity.key().to_lowercase()) class:closed=resolved class:breached=r.breached data-testid="escalation-row">
            <td class="sev-cell"><SeverityBadge severity=r.severity/></td>
            <td class="what">
                <a class="esc-title" href=href>{r.title.clone()}</a>
                <span class="muted small type">{r.type_label.clone()}</span>
            </td>
            <td class="account"><a href=format!("/accounts/{}#escalations", r.account_id)>{r.account_name.clone()}</a></td>
            <td class="status"><StatusPill status=r.status/></td>
            <td class="level">
                <span class="lvl">{format!("Level {}", r.level)}</span>
                <span class="muted small who">{who}</span>
            </td>
            <td class="when"><Since at=r.opened_at now/></td>
            <td class="due">
                {if resolved {
                    view! { <span class="muted">"Resolved"</span> }.into_any()
                } else {
                    view! { <NextDue next=r.next_due now/> }.into_any()
                }}
            </td>
        </tr>
    }
}

/// Nothing matches: say what an escalation is and where one is raised, so an empty page
/// reads as "nothing is on fire", not "nothing is set up".
#[component]
fn NoEscalations(default_view: bool) -> impl IntoView {
    view! {
        <section class="empty-state esc-empty" data-testid="escalations-empty">
            {if default_view {
                view! { <h2>"No open escalations"</h2> }.into_any()
            } else {
                view! { <h2>"No escalations match"</h2><p>"Try fewer filters."</p> }.into_any()
            }}
            <p>
                "An escalation is a customer problem that needs more than the usual attention — an outage, a blocked rollout, a billing dispute. "
                "It follows its type's escalation path (who is responsible at each level, moving up by itself when nobody acknowledges it) "
                "under the SLA policy covering the account, whose clocks count first response, update cadence and resolution in business hours."
            </p>
            <p>"To raise one, open the account and use "<strong>"Raise escalation"</strong>" in its Escalations card."</p>
            <a class="button" href="/">"Go to the portfolio"</a>
        </section>
    }
}
