//! A labelled field for the escalation forms (raise, record, resolve, follow-up), laid out as
//! `components::field` lays them out, for inputs bound to signals rather than posted by name:
//! its hint, and the last error's message for its field beside it.

use crate::error::AppError;
use leptos::prelude::*;

/// The message `error` has for `field`, if any.
pub fn field_error(error: Signal<Option<AppError>>, field: &str) -> Option<String> {
    error.get().and_then(|e| e.for_field(field))
}

/// `children` is the input, with `id` as its id and `aria-describedby="{id}-hint {id}-error"`.
#[component]
pub fn Field(
    id: &'static str, label: &'static str, field: &'static str, error: Signal<Option<AppError>>,
    #[prop(optional)] hint: &'static str, #[prop(optional)] required: bool, children: Children,
) -> impl IntoView {
    let msg = move || field_error(error, field);
    view! {
        <div class="field" class:invalid=move || msg().is_some()>
            <label for=id>{label}{required.then(|| view! { <span class="req" aria-hidden="true">" *"</span> })}</label>
            {children()}
            <small class="hint" id=format!("{id}-hint")>{hint}</small>
            <small class="error" id=format!("{id}-error") aria-live="polite">{msg}</small>
        </div>
    }
}

/// What `aria-invalid` says for `field`.
pub fn invalid(
    error: Signal<Option<AppError>>, field: &'static str,
) -> impl Fn() -> Option<&'static str> {
    move || field_error(error, field).map(|_| "true")
}

/// The banner for a refusal that names no field shown on the form (`shown`): a conflict, a
/// lost session, or a field the form does not have.
pub fn banner(
    error: Signal<Option<AppError>>, shown: &'static [&'static str],
) -> impl Fn() -> Option<String> {
    move || {
        let e = error.get()?;
        match &e {
            AppError::Validation(fields) => {
                let other: Vec<String> = fields
                    .iter()
                    .filter(|f| !shown.contains(&f.field.as_str()))
                    .map(|f| f.message.clone())
                    .collect();
                (!other.is_empty()).then(|| capital(&other.join("; ")))
            }
            _ => e.banner(),
        }
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}
