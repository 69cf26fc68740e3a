//! A calendar's opening hours: per weekday one or more ranges, typed as HH:MM ("24:00" ends a
//! day), with the two weeks most teams start from one click away.

use super::calendars::{typed, CalDraft, DAYS};
use crate::metrics::sla::calendar::MAX_SPANS_PER_DAY;
use crate::model::escalation::{DayMinute, WeekHours};
use leptos::prelude::*;

/// Every range as typed, as (start, end).
type Range = (String, String);

/// A range to add after `ranges`: 09:00–17:00 on a closed day, else the hours after the last
/// range (an hour's break, up to four hours), or empty when the day is already full.
fn next_range(ranges: &[Range]) -> Range {
    let Some((_, end)) = ranges.last() else { return ("09:00".into(), "17:00".into()) };
    match DayMinute::parse(end.trim()) {
        Ok(DayMinute(m)) if m + 60 < 1440 => {
            let start = m + 60;
            (DayMinute(start).to_string(), DayMinute((start + 240).min(1440)).to_string())
        }
        _ => (String::new(), String::new()),
    }
}

#[component]
pub(super) fn WeekEditor(d: CalDraft) -> impl IntoView {
    let hours_msg = d.msg("hours");
    let preset = move |h: WeekHours| d.edit_days(true, |days| *days = typed(&h));
    view! {
        <fieldset class="sla-week">
            <legend>"Opening hours"</legend>
            <div class="sla-presets">
                <button type="button" class="button small" data-testid="preset-always" on:click=move |_| preset(WeekHours::always())>"24/7"</button>
                <button type="button" class="button small" data-testid="preset-office" on:click=move |_| preset(WeekHours::office())>
                    "Office hours Mon–Fri 09:00–17:00"</button>
            </div>
            <p class="muted small">"HH:MM in the calendar's time zone; 24:00 ends a day. Ranges may touch (09:00–12:00 and 12:00–17:00) but not overlap."</p>
            {move || hours_msg.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
            // Keyed by the build, so a preset or a removed range makes new inputs.
            <For each=move || { let b = d.built.get(); (0..DAYS.len()).map(|i| (b, i)).collect::<Vec<_>>() }
                key=|k| *k children=move |(_, i)| view! { <DayRow d i/> }/>
        </fieldset>
    }
}

/// One weekday: its ranges (or "Closed"), add and remove, and the message for `hours.<day>`.
#[component]
fn DayRow(d: CalDraft, i: usize) -> impl IntoView {
    let (_, key, label) = DAYS[i];
    let msg = d.msg(&format!("hours.{key}"));
    let ranges = d.days.with_untracked(|days| days[i].clone());
    let full = ranges.len() >= MAX_SPANS_PER_DAY;
    let add = move |_| {
        d.edit_days(true, |days| {
            let next = next_range(&days[i]);
            days[i].push(next)
        })
    };
    let err_id = format!("cal-{key}-error");
    view! {
        <div class="sla-day" class:invalid=move || msg.get().is_some() data-day=key>
            <span class="sla-day-name">{label}</span>
            <div class="sla-ranges">
                {ranges.is_empty().then(|| view! { <span class="muted small sla-closed">"Closed"</span> })}
                {ranges.into_iter().enumerate().map(|(j, (start, end))| {
                    let set = move |end_side: bool, v: String| d.edit_days(false, |days| {
                        if let Some(r) = days[i].get_mut(j) {
                            if end_side { r.1 = v } else { r.0 = v }
                        }
                    });
                    let n = j + 1;
                    view! {
                        <div class="sla-range">
                            <input id=format!("cal-{key}-{j}-start") class="time" value=start maxlength="5" placeholder="09:00"
                                inputmode="numeric" aria-label=format!("{label}, range {n}, opens at")
                                aria-invalid=move || msg.get().is_some().then_some("true") aria-describedby=err_id.clone()
                                on:input=move |ev| set(false, event_target_value(&ev))/>
                            <span aria-hidden="true">"–"</span>
                            <input id=format!("cal-{key}-{j}-end") class="time" value=end maxlength="5" placeholder="17:00"
                                inputmode="numeric" aria-label=format!("{label}, range {n}, closes at")
                                aria-invalid=move || msg.get().is_some().then_some("true") aria-describedby=err_id.clone()
                                on:input=move |ev| set(true, event_target_value(&ev))/>
                            <button type="button" class="button ghost small danger" aria-label=format!("Remove {label} range {n}")
                                on:click=move |_| d.edit_days(true, |days| { days[i].remove(j); })>"×"</button>
                        </div>
                    }
                }).collect_view()}
            </div>
            <button type="button" class="button ghost small sla-add-range" aria-label=format!("Add a range on {label}")
                disabled=full on:click=add>"+ Range"</button>
            <small class="error" id=err_id.clone() aria-live="polite">{move || msg.get()}</small>
        </div>
    }
}
