//! The top of an escalation's page: what it is and for whom, under which policy and calendar
//! versions (an escalation keeps the ones it was opened with), how it was resolved, and who is
//! responsible now with when it moves up by itself.

use super::parts::{local, relative, utc, SeverityBadge, StatusPill};
use crate::model::escalation::Escalation;
use crate::model::Timestamp;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn EscalationHead(e: Escalation, now: Timestamp) -> impl IntoView {
    let opened = format!("{} ({})", utc(&e.opened_at), relative(&e.opened_at, &now));
    let zone = if e.time_zone == "UTC" { String::new() } else { format!(" · {}", e.time_zone) };
    view! {
        <Title text=format!("{} · {}", e.title, e.account_name)/>
        <nav class="crumbs" aria-label="Breadcrumb">
            <a href="/escalations">"Escalations"</a>" / "
            <a href=format!("/accounts/{}#escalations", e.account_id)>{e.account_name.clone()}</a>
        </nav>
        <div class="page-head esc-head" data-testid="esc-head">
            <div>
                <p class="badges">
                    <SeverityBadge severity=e.severity/>
                    <StatusPill status=e.status/>
                    <span class="badge">{e.type_label.clone()}</span>
                </p>
                <h1>{e.title.clone()}</h1>
                <p class="muted">
                    <a href=format!("/accounts/{}#escalations", e.account_id)>{e.account_name.clone()}</a>
                    " · opened "<time datetime=e.opened_at.to_rfc3339()>{opened}</time>
                    {e.raised_by_name.clone().map(|n| format!(" · raised by {n}"))}
                </p>
            </div>
        </div>
        <dl class="esc-facts card">
            <div><dt>"SLA policy"</dt><dd>{format!("{} · v{}", e.policy.name, e.policy.version)}</dd></div>
            <div><dt>"Business calendar"</dt><dd>{format!("{} · v{}{zone}", e.calendar.name, e.calendar.version)}</dd></div>
            <div><dt>"Account owner"</dt><dd>{e.owner.clone().unwrap_or_else(|| "No owner".into())}</dd></div>
            {(!e.description.is_empty()).then(|| view! {
                <div class="wide"><dt>"Description"</dt><dd class="description">{e.description.clone()}</dd></div>
            })}
            {e.resolved_at.map(|at| view! {
                <div class="wide resolution" data-testid="esc-resolution">
                    <dt>"Resolution"</dt>
                    <dd>
                        <strong>{format!("Resolved {}", utc(&at))}</strong>
                        {e.root_cause.map(|r| format!(" · root cause: {}", r.label()))}
                        {e.resolution.clone().map(|n| view! { <p>{n}</p> })}
                    </dd>
                </div>
            })}
        </dl>
    }
}

/// "Responsible now: Grace Hopper — Level 2 of 3 · Technical Support", and when an
/// unacknowledged escalation moves up by itself (in UTC, and the reader's time once live).
#[component]
pub fn ResponsibleNow(e: Escalation, hydrated: RwSignal<bool>) -> impl IntoView {
    let name = e.responsible.name.clone().unwrap_or_else(|| "No one".into());
    let level = format!("Level {} of {} · {}", e.level, e.levels, e.responsible.role);
    let next = e.next_level_at.map(|at| {
        let mine = move || {
            hydrated.get().then(|| local(&at)).flatten().map(|l| format!(" ({l} your time)"))
        };
        view! {
            <p class="esc-moves-up" data-testid="esc-moves-up">
                {format!("Moves up to level {} at ", e.level + 1)}
                <time datetime=at.to_rfc3339()>{utc(&at)}</time>
                {mine}
                " unless acknowledged."
            </p>
        }
    });
    view! {
        <section class="card esc-responsible" aria-label="Responsible now" data-testid="esc-responsible">
            <p>
                <span class="muted">"Responsible now: "</span>
                <strong>{name}</strong>
                " — "{level}
            </p>
            {next}
        </section>
    }
}
