//! Settings → SLA & escalations (admins): business calendars ([`calendars`]), SLA policies in
//! matching order ([`policies`], edited in [`policy_form`]) and the escalation types with the
//! path each follows ([`paths`]).
//!
//! Calendars and policies are versioned on the server: every save is a new version, and an
//! escalation keeps the versions it was opened under. The page says so wherever something is
//! saved, because "I changed the target, why is this escalation still late?" is the first
//! question an admin asks.
//!
//! Which editor is open and the last notice live in the page (outside the `Loaded` below), so
//! they outlive the reload of the settings a save triggers; the editors themselves are rebuilt
//! from the saved data after it.

#[path = "sla_calendars.rs"]
mod calendars;
#[path = "sla_holidays.rs"]
mod holidays;
#[path = "sla_hours.rs"]
mod hours;
#[path = "sla_paths.rs"]
mod paths;
#[path = "sla_policies.rs"]
mod policies;
#[path = "sla_policy_form.rs"]
mod policy_form;

use super::{SettingsHead, Tab};
use crate::api::sla::sla_settings_page;
use crate::components::notice::Loaded;
use crate::error::AppError;
use leptos::prelude::*;

/// A part of the page a notice belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Calendars,
    Policies,
    Paths,
}

/// What is open in an editor: a new one, or an existing one by id.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Open {
    New,
    Id(String),
}

/// The page's own state, which outlives every reload of the settings.
#[derive(Clone, Copy)]
struct Page {
    /// Bumped by every successful calendar or policy save: those cards are read again.
    changed: RwSignal<u32>,
    /// Bumped by a successful save of the types and paths: only that card is read again, and
    /// a calendar or policy save never throws away paths being edited (nor the reverse).
    paths_changed: RwSignal<u32>,
    /// What the last save did, and where to say it.
    notice: RwSignal<Option<(Part, String)>>,
    /// The calendar in the editor, if any.
    calendar: RwSignal<Option<Open>>,
    /// The policy in the editor, if any.
    policy: RwSignal<Option<Open>>,
}

impl Page {
    /// Reports a save: the settings are read again and `text` is shown in `part`.
    fn saved(self, part: Part, text: String) {
        self.notice.set(Some((part, text)));
        let which = if part == Part::Paths { self.paths_changed } else { self.changed };
        which.update(|n| *n += 1);
    }

    /// The notice for `part`, as a status banner.
    fn notice_in(self, part: Part) -> impl IntoView {
        move || {
            self.notice.get().filter(|(p, _)| *p == part).map(|(_, text)| {
                view! { <div class="banner banner-ok" role="status">{text}</div> }
            })
        }
    }
}

#[component]
pub fn SlaSettingsPage() -> impl IntoView {
    let page = Page {
        changed: RwSignal::new(0),
        paths_changed: RwSignal::new(0),
        notice: RwSignal::new(None),
        calendar: RwSignal::new(None),
        policy: RwSignal::new(None),
    };
    let settings = Resource::new(move || page.changed.get(), |_| sla_settings_page());
    let paths = Resource::new(move || page.paths_changed.get(), |_| sla_settings_page());
    view! {
        <SettingsHead current=Tab::Sla intro="When the SLA clocks run, what each segment is promised, and who an escalation goes to."/>
        <Loaded resource=settings let:data>
            {(!data.can_edit).then(|| view! {
                <p class="muted small">"Only admins change these settings; this is what is in force."</p>
            })}
            <calendars::CalendarsCard calendars=data.calendars.clone() can_edit=data.can_edit page/>
            <policies::PoliciesCard data=data.clone() page/>
        </Loaded>
        <Loaded resource=paths inline=true let:data>
            <paths::PathsCard setup=data.setup users=data.users can_edit=data.can_edit page/>
        </Loaded>
    }
}

/// The message for `field`: the browser's check first, then the server's last refusal.
fn message(
    problems: impl Fn() -> Option<AppError> + Send + Sync + 'static,
    server: RwSignal<Option<AppError>>, field: String,
) -> Signal<Option<String>> {
    Signal::derive(move || problems().or_else(|| server.get()).and_then(|e| e.for_field(&field)))
}

/// Whether the server's field name `field` is `k` or a part of it (`hours.mon`, `types[0].key`).
fn names(k: &str, field: &str) -> bool {
    field.strip_prefix(k).is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

/// A refusal that names none of the form's inputs (a record gone, a database error): shown as
/// a banner, since no input would carry it.
fn unplaced(e: &AppError, fields: &[&str]) -> Option<String> {
    match e {
        AppError::Validation(errs) => errs
            .iter()
            .find(|f| !fields.iter().any(|k| names(k, &f.field)))
            .map(|f| format!("{}: {}", f.field, f.message)),
        other => other.banner(),
    }
}

/// A labelled input of a draft: shows the draft's value when built and writes back on input
/// (so typing never re-renders it), with a hint and the message for its field beside it.
#[component]
fn DraftInput(
    id: String, label: String, value: String, msg: Signal<Option<String>>,
    #[prop(into)] on_input: Callback<String>, #[prop(optional)] disabled: bool,
    #[prop(optional, into)] hint: MaybeProp<String>, #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] list: &'static str, #[prop(optional)] inputmode: &'static str,
    #[prop(optional)] unit: &'static str, #[prop(optional)] class: &'static str,
) -> impl IntoView {
    let (hint_id, err_id) = (format!("{id}-hint"), format!("{id}-error"));
    let input = view! {
        <input id=id.clone() type=kind value=value disabled=disabled
            list=(!list.is_empty()).then_some(list) inputmode=(!inputmode.is_empty()).then_some(inputmode)
            aria-invalid=move || msg.get().is_some().then_some("true")
            aria-describedby=format!("{hint_id} {err_id}")
            on:input=move |ev| on_input.run(event_target_value(&ev))/>
    };
    view! {
        <div class=format!("field {class}") class:invalid=move || msg.get().is_some()>
            <label for=id>{label}</label>
            {if unit.is_empty() {
                input.into_any()
            } else {
                view! { <div class="with-unit">{input}<span class="unit">{unit}</span></div> }.into_any()
            }}
            <small class="hint" id=hint_id>{move || hint.get()}</small>
            <small class="error" id=err_id aria-live="polite">{move || msg.get()}</small>
        </div>
    }
}

/// A labelled select of a draft, like [`DraftInput`]: `options` are (value, label) pairs, with
/// an empty first choice when `placeholder` is given.
#[component]
fn DraftSelect(
    id: String, label: String, options: Vec<(String, String)>, selected: String,
    msg: Signal<Option<String>>, #[prop(into)] on_change: Callback<String>,
    #[prop(optional)] placeholder: &'static str, #[prop(optional)] disabled: bool,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    let err_id = format!("{id}-error");
    view! {
        <div class=format!("field {class}") class:invalid=move || msg.get().is_some()>
            <label for=id.clone()>{label}</label>
            <select id=id disabled=disabled aria-invalid=move || msg.get().is_some().then_some("true")
                aria-describedby=err_id.clone() on:change=move |ev| on_change.run(event_target_value(&ev))>
                {(!placeholder.is_empty()).then(|| view! { <option value="" selected=selected.is_empty()>{placeholder}</option> })}
                {options.into_iter().map(|(v, l)| {
                    let sel = v == selected;
                    view! { <option value=v selected=sel>{l}</option> }
                }).collect_view()}
            </select>
            <small class="error" id=err_id aria-live="polite">{move || msg.get()}</small>
        </div>
    }
}
