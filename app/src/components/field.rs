//! Labelled form fields that show the server's message for their field next to them.
//!
//! Each field has a stable `id` (for the label and for `aria-describedby`) and takes the form's
//! last error; when that error names the field, the message appears under it and the input is
//! marked `aria-invalid`, so screen readers announce it too.

use crate::error::AppError;
use leptos::prelude::*;

fn message(errors: Signal<Option<AppError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || errors.get().and_then(|e| e.for_field(field)))
}

#[component]
pub fn TextField(
    label: &'static str,
    /// The form field name as posted, e.g. `input[name]`.
    name: &'static str,
    /// The name the server uses in its messages, e.g. `name`.
    field: &'static str,
    #[prop(into)] errors: Signal<Option<AppError>>, #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: String, #[prop(optional)] required: bool,
    #[prop(optional)] hint: &'static str, #[prop(optional)] autocomplete: &'static str,
    #[prop(optional)] list: &'static str, #[prop(optional)] inputmode: &'static str,
    /// Makes the element id unique when the same field appears twice on a page.
    #[prop(optional)]
    id_prefix: &'static str,
) -> impl IntoView {
    let id = format!("f-{id_prefix}{field}");
    let msg = message(errors, field);
    let err_id = format!("{id}-error");
    let described = format!("{id}-hint {err_id}");
    view! {
        <div class="field" class:invalid=move || msg.get().is_some()>
            <label for=id.clone()>{label}{required.then_some(view! { <span class="req" aria-hidden="true">" *"</span> })}</label>
            <input
                id=id.clone()
                name=name
                type=kind
                value=value
                required=required
                autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
                list=(!list.is_empty()).then_some(list)
                inputmode=(!inputmode.is_empty()).then_some(inputmode)
                aria-invalid=move || msg.get().is_some().then_some("true")
                aria-describedby=described
            />
            <small class="hint" id=format!("{id}-hint")>{hint}</small>
            <small class="error" id=err_id aria-live="polite">{move || msg.get()}</small>
        </div>
    }
}

#[component]
pub fn SelectField(
    label: &'static str, name: &'static str, field: &'static str,
    #[prop(into)] errors: Signal<Option<AppError>>,
    /// (value, label) pairs.
    options: Vec<(String, String)>,
    #[prop(optional, into)] selected: String,
    /// Text of an empty first choice, if any.
    #[prop(optional)]
    placeholder: &'static str,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let id = format!("f-{field}");
    let msg = message(errors, field);
    let err_id = format!("{id}-error");
    view! {
        <div class="field" class:invalid=move || msg.get().is_some()>
            <label for=id.clone()>{label}{required.then_some(view! { <span class="req" aria-hidden="true">" *"</span> })}</label>
            <select id=id name=name aria-invalid=move || msg.get().is_some().then_some("true") aria-describedby=err_id.clone()>
                {(!placeholder.is_empty()).then(|| view! { <option value="">{placeholder}</option> })}
                {options
                    .into_iter()
                    .map(|(v, l)| {
                        let sel = v == selected;
                        view! { <option value=v selected=sel>{l}</option> }
                    })
                    .collect_view()}
            </select>
            <small class="error" id=err_id aria-live="polite">{move || msg.get()}</small>
        </div>
    }
}
