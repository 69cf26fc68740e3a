//! My work: what a CSM has to do across the accounts they own or serve on — tasks and
//! milestones due soon or late, touchpoints their cadences ask for, plans off track.

use crate::api::engagement::get_my_work;
use crate::components::notice::LoadError;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MyWorkPage() -> impl IntoView {
    let work = Resource::new(|| (), |_| get_my_work(14));
    let today = chrono::Utc::now().date_naive();
    view! {
        <Title text="My work"/>
        <div class="page-head"><div><h1>"My work"</h1><p class="muted">"Due in the next 14 days or already late, across the accounts you own or serve on."</p></div></div>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || work.get().map(|r| match r {
                Err(e) => view! { <LoadError error=e/> }.into_any(),
                Ok(w) => {
                    let late_tasks = w.tasks.iter().filter(|t| t.overdue).count();
                    let late_tp = w.touchpoints.iter().filter(|t| t.due.overdue_days > 0).count();
                    view! {
                        <div class="kpis">
                            <div class="kpi"><span class="kpi-label">"Tasks due"</span><span class="kpi-value">{w.tasks.len()}</span><span class="kpi-note" class:warn={late_tasks > 0}>{format!("{late_tasks} overdue")}</span></div>
                            <div class="kpi"><span class="kpi-label">"Milestones due"</span><span class="kpi-value">{w.milestones.len()}</span></div>
                            <div class="kpi"><span class="kpi-label">"Touchpoints due"</span><span class="kpi-value">{w.touchpoints.len()}</span><span class="kpi-note" class:warn={late_tp > 0}>{format!("{late_tp} overdue")}</span></div>
                            <div class="kpi"><span class="kpi-label">"Plans off track"</span><span class="kpi-value">{w.plans_off_track.len()}</span></div>
                        </div>
                        <div class="columns">
                            <section class="card" aria-labelledby="mw-tasks">
                                <h2 id="mw-tasks">"Tasks"</h2>
                                {if w.tasks.is_empty() { view! { <p class="muted">"Nothing due."</p> }.into_any() } else { view! {
                                    <ul class="work-list" data-testid="work-tasks">
                                        {w.tasks.into_iter().map(|t| view! {
                                            <li class:late=t.overdue>
                                                <a href=format!("/accounts/{}/plans/{}", t.account_id, t.plan_id)>{t.title.clone()}</a>
                                                <span class="muted small">{format!(" · {} · {}", t.account_name, t.milestone)}</span><br/>
                                                <span class="small due" class:late=t.overdue>{if t.overdue { format!("Overdue since {}", t.due.format("%d %b")) } else { format!("Due {}", t.due.format("%a %d %b")) }}</span>
                                                <span class="muted small">{format!(" · {}", t.owner)}</span>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any() }}
                            </section>
                            <section class="card" aria-labelledby="mw-tp">
                                <h2 id="mw-tp">"Touchpoints"</h2>
                                {if w.touchpoints.is_empty() { view! { <p class="muted">"No cadence asks for a touchpoint soon."</p> }.into_any() } else { view! {
                                    <ul class="work-list" data-testid="work-touchpoints">
                                        {w.touchpoints.into_iter().map(|t| view! {
                                            <li class:late={t.due.overdue_days > 0}>
                                                <a href=format!("/accounts/{}", t.account_id)>{t.account_name.clone()}</a>
                                                <span class="muted small">{format!(" · {}", t.due.kind.label())}</span><br/>
                                                {if t.due.overdue_days > 0 {
                                                    view! { <span class="pill s-off_track">{format!("Overdue by {} days", t.due.overdue_days)}</span> }.into_any()
                                                } else {
                                                    view! { <span class="small">{format!("Due {}", t.due.next_due.format("%a %d %b"))}</span> }.into_any()
                                                }}
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any() }}
                            </section>
                        </div>
                        <div class="columns">
                            <section class="card" aria-labelledby="mw-ms">
                                <h2 id="mw-ms">"Milestones"</h2>
                                {if w.milestones.is_empty() { view! { <p class="muted">"No milestone due."</p> }.into_any() } else { view! {
                                    <ul class="work-list">
                                        {w.milestones.into_iter().map(|m| view! {
                                            <li class:late={m.due < today}>
                                                <a href=format!("/accounts/{}/plans/{}", m.account_id, m.plan_id)>{m.title.clone()}</a>
                                                <span class="muted small">{format!(" · {}", m.account_name)}</span><br/>
                                                <span class=format!("pill s-{}", m.status.key())>{m.status.label()}</span>
                                                <span class="muted small">{format!(" {} · due {}", m.reason, m.due.format("%d %b"))}</span>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any() }}
                            </section>
                            <section class="card" aria-labelledby="mw-off">
                                <h2 id="mw-off">"Plans off track"</h2>
                                {if w.plans_off_track.is_empty() { view! { <p class="muted">"None. Well done."</p> }.into_any() } else { view! {
                                    <ul class="work-list">
                                        {w.plans_off_track.into_iter().map(|p| view! {
                                            <li>
                                                <a href=format!("/accounts/{}/plans/{}", p.account_id, p.id)>{p.title.clone()}</a>
                                                <span class="muted small">{format!(" · {}", p.account_name)}</span><br/>
                                                <span class="small">{p.reason.clone()}</span>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any() }}
                            </section>
                        </div>
                    }.into_any()
                }
            })}
        </Transition>
    }
}
