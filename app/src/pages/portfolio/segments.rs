//! Saved segments: one click applies a segment; the current filter can be saved as one.

use crate::api::segments::{list_segments, DeleteSegment, SaveSegment};
use crate::components::action::refusal;
use crate::components::layout::use_me;
use crate::components::notice::confirmed;
use crate::components::post_form::PostForm;
use crate::model::Permission;
use crate::model::PortfolioFilter;
use leptos::prelude::*;

#[component]
pub fn SegmentBar(filter: Memo<PortfolioFilter>) -> impl IntoView {
    let me = use_me();
    let save = ServerAction::<SaveSegment>::new();
    let delete = ServerAction::<DeleteSegment>::new();
    let segments =
        Resource::new(move || (save.version().get(), delete.version().get()), |_| list_segments());
    let open = RwSignal::new(false);
    let errors = refusal(save.value());
    // A refused delete says what uses the segment (a health model, a cadence rule, a survey);
    // without this line the chip would just stay, with no reason given.
    let delete_error = refusal(delete.value());
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            open.set(false);
        }
    });
    let can_edit = me.role.may(Permission::EditSegments);
    view! {
        <section class="segments" aria-label="Saved segments">
            <span class="segments-label">"Segments"</span>
            <Transition fallback=|| ()>
                {move || segments.get().map(|r| match r {
                    Ok(list) if list.is_empty() => view! { <span
                        class="muted small">"None saved yet. Filter the portfolio, then save the view as a segment."</span> }.into_any(),
                    Ok(list) => list.into_iter().map(|s| {
                        let href = format!("/?{}", s.filter.to_query());
                        let active_filter = s.filter.clone();
                        let id = s.id.clone();
                        let name = s.name.clone();
                        let confirm_name = s.name.clone();
                        view! {
                            <span class="chip" class:active=move || filter.get().criteria() == active_filter.criteria()>
                                <a href=href title=s.filter.describe()>{s.name.clone()}</a>
                                {can_edit.then(|| view! {
                                    <button type="button" class="chip-x" aria-label=format!("Delete segment {name}")
                                        on:click=move |_| { if
                                            confirmed(&format!("Delete the segment {confirm_name}? The accounts in it are not changed.")) {
                                                delete.dispatch(DeleteSegment { id: id.clone() }); } }>"×"</button>
                                })}
                            </span>
                        }
                    }).collect_view().into_any(),
                    Err(e) => view! { <span class="error">{e.to_string()}</span> }.into_any(),
                })}
            </Transition>
            {move || delete_error.get().and_then(|e| e.banner()).map(|m| view! { <small class="error" role="alert">{m}</small> })}
            {can_edit.then(|| view! {
                <button type="button" class="button ghost small" disabled=move || filter.get().is_empty()
                    title=move || if filter.get().is_empty() { "Choose a filter first" } else { "Save the current filter" }
                    on:click=move |_| open.update(|o| *o = !*o)>"Save as segment"</button>
                <Show when=move || open.get()>
                    <PostForm action=save attr:class="inline-form"
                        args=|f| SaveSegment { name: f.text("name"), query: f.text("query") }>
                        <input type="hidden" name="query" prop:value=move || filter.get().criteria().to_query()/>
                        <label for="seg-name" class="sr-only">"Segment name"</label>
                        <input id="seg-name" name="name" placeholder="Segment name, e.g. Enterprise renewals" autofocus
                            aria-invalid=move || errors.get().is_some().then_some("true")/>
                        <button type="submit" class="button primary small">"Save"</button>
                        <span class="muted small">{move || filter.get().describe()}</span>
                        <small class="error" aria-live="polite">{move || errors.get().and_then(|e| e.for_field("name").or_else(|| e.banner()))}</small>
                    </PostForm>
                </Show>
            })}
        </section>
    }
}
