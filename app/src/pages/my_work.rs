//! My work: what a CSM has to do across the accounts they own or serve on — the steps of their
//! open alerts' playbooks (live: an alert the rules open shows here without a reload), tasks
//! and milestones due soon or late, touchpoints their cadences ask for, plans off track.

use crate::api::alerts::{alert_task_done, my_alert_tasks};
use crate::api::engagement::get_my_work;
use crate::components::layout::Card;
use crate::components::live::listen_to;
use crate::components::notice::Loaded;
use crate::error::AppError;
use crate::model::alert::AlertTask;
use crate::model::engagement::{MyWork, WorkFollowUp, WorkMilestone, WorkTask, WorkTouchpoint};
use crate::model::plan::PlanSummary;
use crate::pages::alerts::parts::{due_text, touchpoint_hint};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MyWorkPage() -> impl IntoView {
    let work = Resource::new(|| (), |_| get_my_work(14));
    let alert_tick = RwSignal::new(0u32);
    listen_to(Signal::derive(|| "/live/alerts?mine=1".to_string()), alert_tick);
    let steps = Resource::new(move || alert_tick.get(), |_| my_alert_tasks());
    view! {
        <Title text="My work"/>
        <div class="page-head"><div><h1>"My work"</h1>
            <p class="muted">"Due in the next 14 days or already late, across the accounts you own or serve on."</p></div></div>
        <AlertSteps steps tick=alert_tick/>
        <Loaded resource=work let:w>
            <Work w/>
        </Loaded>
    }
}

#[component]
fn Work(w: MyWork) -> impl IntoView {
    let today = chrono::Utc::now().date_naive();
    let late_tasks = w.tasks.iter().filter(|t| t.overdue).count();
    let late_tp = w.touchpoints.iter().filter(|t| t.due.overdue_days > 0).count();
    let tasks = w.tasks.into_iter().map(|t| view! { <TaskItem t/> }.into_any()).collect::<Vec<_>>();
    let touchpoints = w
        .touchpoints
        .into_iter()
        .map(|t| view! { <TouchpointItem t/> }.into_any())
        .collect::<Vec<_>>();
    let milestones = w
        .milestones
        .into_iter()
        .map(|m| view! { <MilestoneItem m today/> }.into_any())
        .collect::<Vec<_>>();
    let follow_ups = w
        .follow_ups
        .into_iter()
        .map(|f| view! { <FollowUpItem f/> }.into_any())
        .collect::<Vec<_>>();
    let off_track = w
        .plans_off_track
        .into_iter()
        .map(|p| view! { <OffTrackItem p/> }.into_any())
        .collect::<Vec<_>>();
    view! {
        <div class="kpis">
            <div class="kpi"><span class="kpi-label">"Tasks due"</span><span class="kpi-value">{tasks.len()}</span>
                <span class="kpi-note" class:warn={late_tasks > 0}>{format!("{late_tasks} overdue")}</span></div>
            <div class="kpi"><span class="kpi-label">"Milestones due"</span><span class="kpi-value">{milestones.len()}</span></div>
            <div class="kpi"><span class="kpi-label">"Touchpoints due"</span><span class="kpi-value">{touchpoints.len()}</span>
                <span class="kpi-note" class:warn={late_tp > 0}>{format!("{late_tp} overdue")}</span></div>
            <div class="kpi"><span class="kpi-label">"Plans off track"</span><span class="kpi-value">{off_track.len()}</span></div>
        </div>
        <div class="columns">
            <WorkCard id="mw-tasks" title="Tasks" empty="Nothing due." testid="work-tasks" items=tasks/>
            <WorkCard id="mw-tp" title="Touchpoints" empty="No cadence asks for a touchpoint soon." testid="work-touchpoints" items=touchpoints/>
        </div>
        <div class="columns">
            <WorkCard id="mw-ms" title="Milestones" empty="No milestone due." items=milestones/>
            <WorkCard id="mw-off" title="Plans off track" empty="None. Well done." items=off_track/>
        </div>
        <div class="columns">
            <WorkCard id="mw-fu" title="Escalation follow-ups" empty="No resolved escalation waits for a follow-up call."
                testid="work-follow-ups" items=follow_ups/>
        </div>
    }
}

/// One card of My work: its items, or what to say when there are none.
#[component]
fn WorkCard(
    id: &'static str, title: &'static str, empty: &'static str,
    /// The list's `data-testid`, if tests look for it.
    #[prop(optional)]
    testid: Option<&'static str>,
    items: Vec<AnyView>,
) -> impl IntoView {
    view! {
        <Card id title>
            {if items.is_empty() {
                view! { <p class="muted">{empty}</p> }.into_any()
            } else {
                view! { <ul class="work-list" data-testid=testid>{items}</ul> }.into_any()
            }}
        </Card>
    }
}

#[component]
fn TaskItem(t: WorkTask) -> impl IntoView {
    let due = if t.overdue {
        format!("Overdue since {}", t.due.format("%d %b"))
    } else {
        format!("Due {}", t.due.format("%a %d %b"))
    };
    view! {
        <li class:late=t.overdue>
            <a href=format!("/accounts/{}/plans/{}", t.account_id, t.plan_id)>{t.title.clone()}</a>
            <span class="muted small">{format!(" · {} · {}", t.account_name, t.milestone)}</span><br/>
            <span class="small due" class:late=t.overdue>{due}</span>
            <span class="muted small">{format!(" · {}", t.owner)}</span>
        </li>
    }
}

/// A resolved escalation's follow-up: call the customer, then mark it done on its page.
#[component]
fn FollowUpItem(f: WorkFollowUp) -> impl IntoView {
    let due = if f.overdue {
        format!("Overdue since {}", f.due.format("%d %b"))
    } else {
        format!("Due {}", f.due.format("%a %d %b"))
    };
    view! {
        <li class:late=f.overdue>
            <a href=format!("/escalations/{}", crate::model::portfolio::encode(&f.escalation_id))>{f.title.clone()}</a>
            <span class="muted small">{format!(" · {}", f.account_name)}</span><br/>
            <span class="small due" class:late=f.overdue>{due}</span>
            <span class="muted small">" · is it still fixed?"</span>
        </li>
    }
}

#[component]
fn TouchpointItem(t: WorkTouchpoint) -> impl IntoView {
    let late = t.due.overdue_days > 0;
    view! {
        <li class:late=late>
            <a href=format!("/accounts/{}", t.account_id)>{t.account_name.clone()}</a>
            <span class="muted small">{format!(" · {}", t.due.kind.label())}</span><br/>
            {if late {
                view! { <span class="pill s-off_track">{format!("Overdue by {} days", t.due.overdue_days)}</span> }.into_any()
            } else {
                view! { <span class="small">{format!("Due {}", t.due.next_due.format("%a %d %b"))}</span> }.into_any()
            }}
        </li>
    }
}

#[component]
fn MilestoneItem(m: WorkMilestone, today: chrono::NaiveDate) -> impl IntoView {
    view! {
        <li class:late={m.due < today}>
            <a href=format!("/accounts/{}/plans/{}", m.account_id, m.plan_id)>{m.title.clone()}</a>
            <span class="muted small">{format!(" · {}", m.account_name)}</span><br/>
            <span class=format!("pill s-{}", m.status.key())>{m.status.label()}</span>
            <span class="muted small">{format!(" {} · due {}", m.reason, m.due.format("%d %b"))}</span>
        </li>
    }
}

#[component]
fn OffTrackItem(p: PlanSummary) -> impl IntoView {
    view! {
        <li>
            <a href=format!("/accounts/{}/plans/{}", p.account_id, p.id)>{p.title.clone()}</a>
            <span class="muted small">{format!(" · {}", p.account_name)}</span><br/>
            <span class="small">{p.reason.clone()}</span>
        </li>
    }
}

/// The steps of my open alerts' playbooks, soonest first, each ticked off here.
#[component]
fn AlertSteps(
    steps: Resource<Result<Vec<AlertTask>, AppError>>, tick: RwSignal<u32>,
) -> impl IntoView {
    let can_act =
        crate::components::layout::use_me().role.may(crate::model::Permission::HandleAlerts);
    let step: Action<(String, bool), Result<bool, AppError>> =
        Action::new(|(task, done): &(String, bool)| alert_task_done(task.clone(), *done));
    Effect::new(move |_| {
        if step.value().with(Option::is_some) {
            tick.update(|n| *n += 1);
        }
    });
    let today = chrono::Utc::now().date_naive();
    view! {
        <Card id="mw-alerts" title="Alert steps" class="alert-steps-card">
            {move || step.value().get().and_then(|r| r.err()).and_then(|e| e.banner()).map(|m| view! {
                <div class="banner banner-error" role="alert">{m}</div>
            })}
            <Loaded resource=steps inline=true let:list>
                {if list.is_empty() {
                    view! { <p class="muted">"No open alert asks anything of you. When a rule trips on one of your accounts, its playbook’s steps land here."</p> }.into_any()
                } else {
                    view! {
                        <ul class="work-list alert-work" data-testid="work-alert-steps">
                            {list.into_iter().map(|t| view! { <AlertStepItem t today can_act step/> }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </Loaded>
        </Card>
    }
}

#[component]
fn AlertStepItem(
    t: AlertTask, today: chrono::NaiveDate, can_act: bool,
    step: Action<(String, bool), Result<bool, AppError>>,
) -> impl IntoView {
    let (due, late) = due_text(t.due, today);
    let box_id = format!("mw-step-{}", t.id);
    let id = t.id.clone();
    view! {
        <li class="alert-step" class:late=late data-testid="work-alert-step">
            <input type="checkbox" id=box_id.clone() checked=t.done prop:checked=t.done disabled=!can_act
                on:change=move |ev| { step.dispatch((id.clone(), event_target_checked(&ev))); }/>
            <div class="step-main">
                <label for=box_id>{t.title.clone()}</label>
                <span class="small">
                    <a href=format!("/accounts/{}#alerts", t.account_id)>{t.account_name.clone()}</a>
                    <span class="muted">{format!(" · {}", t.rule.label())}</span><br/>
                    <span class="due" class:late=late>{due}</span>
                    {t.touchpoint_kind.map(|k| view! { <span class="hint-tp">{format!(" · {}", touchpoint_hint(k))}</span> })}
                </span>
            </div>
        </li>
    }
}
