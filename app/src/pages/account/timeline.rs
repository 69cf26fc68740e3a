//! One chronological feed of what happened with the account: touchpoints, plan activity (the
//! customer's marked), survey answers and follow-ups; filterable by kind.

use crate::components::notice::Loaded;
use crate::error::AppError;
use crate::model::engagement::{TimelineItem, TimelineKind};
use leptos::prelude::*;

fn when(at: &crate::model::Timestamp) -> String {
    crate::pages::format_time(at, "%d %b %Y")
}

#[component]
pub fn TimelineCard(
    kind: RwSignal<String>, data: Resource<Result<Vec<TimelineItem>, AppError>>,
) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="tl-h">
            <div class="card-head">
                <h2 id="tl-h">"Timeline"</h2>
                <label class="inline-select">
                    <span class="sr-only">"Show"</span>
                    <select aria-label="Show in the timeline" on:change=move |ev| kind.set(event_target_value(&ev)) prop:value=move || kind.get()>
                        <option value="">"Everything"</option>
                        {TimelineKind::ALL.iter().map(|k| view! { <option value=k.key()>{k.label()}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            <Loaded resource=data inline=true let:items>
                {if items.is_empty() {
                    view! { <p class="muted">"Nothing here yet."</p> }.into_any()
                } else {
                    view! {
                        <ol class="timeline" data-testid="timeline">
                            {items.into_iter().map(|i| view! {
                                <li class=format!("tl tl-{}", i.kind.key())>
                                    <time>{when(&i.at)}</time>
                                    <div>
                                        <strong>{match &i.link {
                                            Some(l) => view! { <a href=l.clone()>{i.title.clone()}</a> }.into_any(),
                                            None => view! { <span>{i.title.clone()}</span> }.into_any(),
                                        }}</strong>
                                        {(!i.actor.is_empty()).then(|| view! { <span class="muted small">{format!(" · {}", i.actor)}</span> })}
                                        {(!i.detail.is_empty()).then(|| view! { <p class="small">{i.detail.clone()}</p> })}
                                    </div>
                                </li>
                            }).collect_view()}
                        </ol>
                    }.into_any()
                }}
            </Loaded>
        </section>
    }
}
