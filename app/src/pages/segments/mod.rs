//! The Segments page: every saved segment with its accounts, ARR and health, and who entered
//! and left it in the last 7 and 30 days. It follows moves live: the server says when
//! membership moved (or any account changed, on any node), and the page reads again.

mod card;

use crate::api::segments::segments_overview;
use crate::components::live::listen_to;
use crate::components::notice::LoadError;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SegmentsPage() -> impl IntoView {
    let tick = RwSignal::new(0u32);
    listen_to(Signal::derive(|| "/live/segments".to_string()), tick);
    let overview = Resource::new(move || tick.get(), |_| segments_overview());
    view! {
        <Title text="Segments"/>
        <div class="page-head">
            <div>
                <h1>"Segments"</h1>
                <p class="muted">"Saved filters, evaluated as accounts change: who is in each one now, and who entered or left lately."</p>
            </div>
        </div>
        <Transition fallback=|| view! { <p class="muted">"Loading segments…"</p> }>
            {move || overview.get().map(|r| match r {
                Err(e) => view! { <LoadError error=e/> }.into_any(),
                Ok(list) if list.is_empty() => view! {
                    <section class="empty-state">
                        <h2>"No segments yet"</h2>
                        <p>"Filter the " <a href="/">"portfolio"</a> " (by tier, health band, adoption, inactivity…) and save the view as a segment."</p>
                    </section>
                }.into_any(),
                Ok(list) => view! {
                    <div class="segment-grid">
                        {list.into_iter().map(|o| view! { <card::SegmentCard o/> }).collect_view()}
                    </div>
                }.into_any(),
            })}
        </Transition>
    }
}
