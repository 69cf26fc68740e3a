//! My work: what a CSM has to do across the accounts they own or serve on — tasks and
//! milestones due soon or late, touchpoints their cadences ask for, plans off track.

use crate::api::engagement::get_my_work;
use crate::components::layout::Card;
use crate::components::notice::Loaded;
use crate::model::engagement::{MyWork, WorkMilestone, WorkTask, WorkTouchpoint};
use crate::model::plan::PlanSummary;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MyWorkPage() -> impl IntoView {
    let work = Resource::new(|| (), |_| get_my_work(14));
    view! {
        <Title text="My work"/>
        <div class="page-head"><div><h1>"My work"</h1>
            <p class="muted">"Due in the next 14 days or already late, across the accounts you own or serve on."</p></div></div>
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
