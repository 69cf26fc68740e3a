//! A calendar's holidays: dates added by hand or imported from an iCal file.
//!
//! The file is read in the browser and sent to `holidays_preview`, which parses it with the
//! server's iCal reader (the same one the REST import uses) and saves nothing: the admin sees
//! which dates WOULD be added, with their names and the ones already present, before adding
//! them to the draft. Only dates are kept, as the calendar stores them.

use super::calendars::CalDraft;
use crate::api::sla::holidays_preview;
use crate::components::notice::ErrorBanner;
use crate::error::AppError;
use crate::metrics::sla::Holiday;
use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// "Fri 25 Dec 2026".
fn long(d: NaiveDate) -> String {
    d.format("%a %-d %b %Y").to_string()
}

#[component]
pub(super) fn HolidaysEditor(d: CalDraft) -> impl IntoView {
    let msg = d.msg("holidays");
    let typed = RwSignal::new(String::new());
    let add = move |_| {
        if let Some(day) = date(&typed.get_untracked()) {
            d.holidays.update(|h| {
                h.push(day);
                h.sort();
                h.dedup();
            });
            d.touched();
        }
    };
    let remove = move |day: NaiveDate| {
        d.holidays.update(|h| h.retain(|x| *x != day));
        d.touched();
    };
    view! {
        <fieldset class="sla-holidays">
            <legend>{move || format!("Holidays ({})", d.holidays.with(Vec::len))}</legend>
            <p class="muted small">"Closed all day in the calendar's time zone, whatever the weekly hours say."</p>
            {move || msg.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
            {move || d.holidays.with(Vec::is_empty).then(|| view! {
                <p class="muted small">"No holidays yet: every date follows the weekly hours."</p>
            })}
            <ul class="chips sla-holiday-list">
                <For each=move || d.holidays.get() key=|h| *h children=move |day| view! {
                    <li class="chip" data-testid="holiday">
                        <time datetime=day.to_string()>{long(day)}</time>
                        <button type="button" class="chip-x" aria-label=format!("Remove {}", long(day)) on:click=move |_| remove(day)>"×"</button>
                    </li>
                }/>
            </ul>
            <div class="inline-form sla-add-holiday">
                <label for="cal-holiday">"Add a date"</label>
                <input id="cal-holiday" type="date" on:input=move |ev| typed.set(event_target_value(&ev))/>
                <button type="button" class="button small" data-testid="add-holiday" on:click=add
                    disabled=move || typed.with(|t| date(t).is_none())>"Add"</button>
            </div>
            <IcsImport d/>
        </fieldset>
    }
}

/// The file chosen: its name and text.
type Chosen = Option<(String, String)>;

/// Reads the chosen file as text into `into` (an iCal file is UTF-8 text).
fn read_file(ev: &leptos::ev::Event, into: RwSignal<Chosen>, error: RwSignal<Option<AppError>>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::{closure::Closure, JsCast};
        let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        let Some(file) = input.and_then(|i| i.files()).and_then(|f| f.get(0)) else {
            into.set(None);
            return;
        };
        if file.size() > crate::api::sla::MAX_ICS as f64 {
            // Forget the file chosen before, or "Preview" would read it instead.
            into.set(None);
            error.set(Some(AppError::field("ics", "the file is larger than 5 MB")));
            return;
        }
        let Ok(reader) = web_sys::FileReader::new() else { return };
        let (r, name) = (reader.clone(), file.name());
        let onload = Closure::once(move || match r.result().ok().and_then(|v| v.as_string()) {
            Some(text) => into.set(Some((name, text))),
            None => error.set(Some(AppError::field("ics", "the file could not be read as text"))),
        });
        reader.set_onload(Some(onload.as_ref().unchecked_ref()));
        onload.forget();
        let _ = reader.read_as_text(&file);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, into, error);
}

/// The import: a file, a range of dates, the preview, and "Add these N holidays".
#[component]
fn IcsImport(d: CalDraft) -> impl IntoView {
    let chosen = RwSignal::new(None::<(String, String)>);
    let year = chrono::Utc::now().year();
    let from = RwSignal::new(format!("{year}-01-01"));
    let to = RwSignal::new(format!("{}-12-31", year + 1));
    let preview = RwSignal::new(None::<Vec<Holiday>>);
    let error = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(false);
    let field =
        move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.for_field(f)));
    let (ics_msg, from_msg, to_msg) = (field("ics"), field("from"), field("to"));
    let run = move |_| {
        let Some((_, text)) = chosen.get_untracked() else { return };
        let (Some(a), Some(b)) = (date(&from.get_untracked()), date(&to.get_untracked())) else {
            error.set(Some(AppError::field("to", "choose both dates")));
            return;
        };
        error.set(None);
        pending.set(true);
        leptos::task::spawn_local(async move {
            let answer = holidays_preview(text, a, b).await;
            pending.set(false);
            match answer {
                Ok(list) => preview.set(Some(list)),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let pick = move |ev: leptos::ev::Event| {
        preview.set(None);
        error.set(None);
        read_file(&ev, chosen, error);
    };
    view! {
        <details class="sla-import">
            <summary>"Import holidays from an iCal file (.ics)"</summary>
            <p class="muted small">"Public-holiday calendars (Google, Outlook, government sites) export .ics files. All-day events between the \
                two dates are listed first; nothing is added until you say so."</p>
            <ErrorBanner error=error fields_only_inline=true/>
            <div class="form-row">
                <div class="field" class:invalid=move || ics_msg.get().is_some()>
                    <label for="ics-file">"iCal file"</label>
                    <input id="ics-file" type="file" accept=".ics,text/calendar" on:change=pick/>
                    <small class="hint">{move || chosen.with(|c| c.as_ref().map(|(n, t)| format!("{n} · {} KB", t.len().div_ceil(1024))))}</small>
                    <small class="error" aria-live="polite">{move || ics_msg.get()}</small>
                </div>
                <div class="field" class:invalid=move || from_msg.get().is_some()>
                    <label for="ics-from">"From"</label>
                    <input id="ics-from" type="date" value=from.get_untracked() on:input=move |ev| from.set(event_target_value(&ev))/>
                    <small class="error" aria-live="polite">{move || from_msg.get()}</small>
                </div>
                <div class="field" class:invalid=move || to_msg.get().is_some()>
                    <label for="ics-to">"To"</label>
                    <input id="ics-to" type="date" value=to.get_untracked() on:input=move |ev| to.set(event_target_value(&ev))/>
                    <small class="error" aria-live="polite">{move || to_msg.get()}</small>
                </div>
            </div>
            <button type="button" class="button small" data-testid="ics-preview" on:click=run
                disabled=move || chosen.with(Option::is_none) || pending.get()>
                {move || if pending.get() { "Reading…" } else { "Preview" }}
            </button>
            {move || preview.get().map(|list| view! { <Preview list d preview/> })}
        </details>
    }
}

/// The dates a file would add, the ones already in the calendar marked, and the button that
/// adds the new ones to the draft.
#[component]
fn Preview(
    list: Vec<Holiday>, d: CalDraft, preview: RwSignal<Option<Vec<Holiday>>>,
) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted" data-testid="ics-none">"The file has no all-day events between these dates."</p> }
            .into_any();
    }
    let known = d.holidays.get_untracked();
    let fresh: Vec<NaiveDate> =
        list.iter().map(|h| h.date).filter(|day| !known.contains(day)).collect();
    let n = fresh.len();
    let add = move |_| {
        let fresh = fresh.clone();
        d.holidays.update(|h| {
            h.extend(fresh);
            h.sort();
            h.dedup();
        });
        d.touched();
        preview.set(None);
    };
    view! {
        <div class="sla-preview" data-testid="ics-preview-list">
            <table class="compact">
                <thead><tr><th scope="col">"Date"</th><th scope="col">"Name"</th><th scope="col"><span class="sr-only">"State"</span></th></tr></thead>
                <tbody>
                    {list.into_iter().map(|h| {
                        let have = known.contains(&h.date);
                        view! {
                            <tr class:known=have>
                                <td><time datetime=h.date.to_string()>{long(h.date)}</time></td>
                                <td class="wrap">{h.name}</td>
                                <td class="muted small">{have.then_some("already in the calendar")}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {if n == 0 {
                view! { <p class="muted small">"Every one of these is in the calendar already."</p> }.into_any()
            } else {
                let label = format!("Add these {n} holiday{}", if n == 1 { "" } else { "s" });
                view! { <button type="button" class="button primary small" data-testid="ics-add" on:click=add>{label}</button> }.into_any()
            }}
        </div>
    }
    .into_any()
}
