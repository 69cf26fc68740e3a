//! Choose accounts or contacts by searching; the chosen ones travel with the form as hidden
//! inputs (`input[ids][n]`), so the form posts like any other.

use crate::api::surveys::pick_audience;
use crate::model::PickItem;
use leptos::prelude::*;

#[component]
pub fn Picker(
    /// `accounts` or `contacts`.
    what: &'static str, chosen: RwSignal<Vec<PickItem>>,
    /// Form name prefix for the hidden inputs.
    name: &'static str,
    /// Keep only one choice (for a single account).
    #[prop(optional)]
    single: bool,
    /// Overrides the search box's label.
    #[prop(optional)]
    label: Option<&'static str>,
) -> impl IntoView {
    let q = RwSignal::new(String::new());
    let results = Resource::new(
        move || q.get(),
        move |q| async move {
            if q.trim().is_empty() {
                Ok(Vec::new())
            } else {
                pick_audience(what.to_string(), q).await
            }
        },
    );
    let label = label.unwrap_or(if what == "accounts" {
        "Search accounts by name"
    } else {
        "Search contacts by name or email"
    });
    let input_id = format!("pick-{what}");
    view! {
        <div class="picker">
            <label for=input_id.clone()>{label}</label>
            <input id=input_id type="search" autocomplete="off" placeholder="Type to search…"
                prop:value=move || q.get()
                on:input=move |ev| q.set(event_target_value(&ev))/>
            <ul class="pick-results" aria-live="polite">
                <Transition fallback=|| ()>
                    {move || results.get().map(|r| match r {
                        Err(e) => view! { <li class="error">{e.to_string()}</li> }.into_any(),
                        Ok(items) => items.into_iter().map(|item| {
                            let taken = chosen.with(|c| c.iter().any(|x| x.id == item.id));
                            let it = item.clone();
                            view! {
                                <li>
                                    <button type="button" class="pick" disabled=taken
                                        on:click=move |_| chosen.update(|c| {
                                            if single { c.clear(); }
                                            if !c.iter().any(|x| x.id == it.id) { c.push(it.clone()); }
                                        })>
                                        <span>{item.label.clone()}</span>
                                        <span class="muted small">{item.detail.clone()}</span>
                                        <span class="sr-only">{if taken { " (chosen)" } else { " — choose" }}</span>
                                    </button>
                                </li>
                            }
                        }).collect_view().into_any(),
                    })}
                </Transition>
            </ul>
            <ul class="chips" aria-label="Chosen">
                {move || chosen.get().into_iter().enumerate().map(|(i, item)| {
                    let id = item.id.clone();
                    view! {
                        <li class="chip">
                            <input type="hidden" name=if single { name.to_string() } else { format!("{name}[{i}]") } value=item.id.clone()/>
                            {item.label.clone()}
                            <button type="button" class="chip-x" aria-label=format!("Remove {}", item.label)
                                on:click=move |_| chosen.update(|c| c.retain(|x| x.id != id))>"×"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
}
