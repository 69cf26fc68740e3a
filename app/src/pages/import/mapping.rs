//! Step 2 of an import: which column of the file goes to which field (or is left out), with a
//! few of each column's values to recognise it by. Checked as the server checks it.

use super::run::Progress;
use super::Picked;
use crate::components::layout::Card;
use crate::model::import::{check_mapping, ImportKind};
use leptos::prelude::*;

#[component]
pub fn MappingCard(
    kind: RwSignal<ImportKind>, picked: Picked, mapping: RwSignal<Vec<String>>,
    progress: RwSignal<Progress>,
) -> impl IntoView {
    let headers = picked.headers.clone();
    let problem = move || {
        check_mapping(kind.get(), &headers, &mapping.get())
            .err()
            .and_then(|e| e.for_field("mapping"))
    };
    let running = move || progress.get().phase.running();
    let rows = picked.headers.iter().enumerate().map(|(i, h)| {
        let examples: Vec<&str> = picked
            .samples
            .iter()
            .filter_map(|r| r.get(i).map(|s| s.trim()))
            .filter(|s| !s.is_empty())
            .take(3)
            .collect();
        let examples = examples.join(" · ");
        let choose = move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            mapping.update(|m| {
                if let Some(slot) = m.get_mut(i) {
                    *slot = value;
                }
            });
            // A check made with another mapping says nothing about this one.
            progress.set(Progress::default());
        };
        view! {
            <tr>
                <th scope="row">{if h.is_empty() { format!("(column {})", i + 1) } else { h.clone() }}</th>
                <td class="muted small examples">{examples}</td>
                <td>
                    <select aria-label=format!("Field for the column “{h}”") data-column=i on:change=choose disabled=running>
                        <option value="" prop:selected=move || mapping.with(|m| m.get(i).is_none_or(|v| v.is_empty()))>"— leave out —"</option>
                        {move || kind.get().fields().iter().map(|f| {
                            let key = f.key;
                            view! {
                                <option value=key prop:selected=move || mapping.with(|m| m.get(i).is_some_and(|v| v == key))>
                                    {f.label}{f.required.then_some(" *")}
                                </option>
                            }
                        }).collect_view()}
                    </select>
                </td>
            </tr>
        }
    }).collect_view();
    view! {
        <Card id="map-h" title="2. Which column is which">
            <p class="muted small">"Guessed from the column names, and from what you chose last time. Columns left out are not read; * marks a field every row needs."</p>
            <div class="table-wrap"><table class="mapping">
                <thead><tr><th scope="col">"Column in the file"</th><th scope="col">"Examples"</th><th scope="col">"Bellwether field"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table></div>
            {move || problem().map(|m| view! { <p class="error" role="alert" data-testid="mapping-problem">{m}</p> })}
        </Card>
    }
}
