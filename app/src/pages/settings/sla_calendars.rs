//! Business calendars: the list (what each one's week looks like at a glance) and the editor
//! (name, IANA time zone, opening hours in [`super::hours`], holidays in [`super::holidays`]).
//!
//! Times are edited as typed text and parsed with `DayMinute::parse` in the browser, so
//! "9:00" is named beside its day before anything is sent; overlaps, the time zone and the
//! rest are the server's to judge (the zone database is not shipped to the browser), and its
//! refusal lands beside the same inputs.

use super::{message, unplaced, DraftInput, Open, Page, Part};
use crate::api::sla::calendar_save;
use crate::components::notice::ErrorBanner;
use crate::error::{AppError, Checks};
use crate::model::escalation::{Calendar, CalendarInput, CalendarSpec, DayMinute, Span, WeekHours};
use chrono::{NaiveDate, Weekday};
use leptos::prelude::*;

/// The weekdays in form order: the field key the server names problems under, and the label.
pub(super) const DAYS: [(Weekday, &str, &str); 7] = [
    (Weekday::Mon, "mon", "Monday"),
    (Weekday::Tue, "tue", "Tuesday"),
    (Weekday::Wed, "wed", "Wednesday"),
    (Weekday::Thu, "thu", "Thursday"),
    (Weekday::Fri, "fri", "Friday"),
    (Weekday::Sat, "sat", "Saturday"),
    (Weekday::Sun, "sun", "Sunday"),
];

/// Zones offered while typing; any IANA name is accepted.
const ZONES: &[&str] = &[
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Amsterdam",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Zurich",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Helsinki",
    "Europe/Athens",
    "Europe/Istanbul",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Hong_Kong",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Australia/Perth",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "America/Buenos_Aires",
    "America/Bogota",
    "America/Mexico_City",
    "America/New_York",
    "America/Toronto",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Vancouver",
    "America/Anchorage",
    "Pacific/Honolulu",
];

/// The fields of the editor, for refusals that name none of them.
const FIELDS: &[&str] = &["name", "time_zone", "hours", "holidays"];

/// "Mon–Fri 09:00–17:00 · Sat 10:00–14:00", "24/7", or "Closed every day": consecutive days
/// with the same hours are written once.
pub(super) fn summary(h: &WeekHours) -> String {
    if h.is_always() {
        return "24/7".into();
    }
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < DAYS.len() {
        let spans = h.day(DAYS[i].0);
        let mut j = i;
        while j + 1 < DAYS.len() && h.day(DAYS[j + 1].0) == spans {
            j += 1;
        }
        if !spans.is_empty() {
            let short = |k: usize| &DAYS[k].2[..3];
            let days =
                if i == j { short(i).to_string() } else { format!("{}–{}", short(i), short(j)) };
            let hours: Vec<String> = spans.iter().map(Span::to_string).collect();
            parts.push(format!("{days} {}", hours.join(", ")));
        }
        i = j + 1;
    }
    if parts.is_empty() {
        "Closed every day".into()
    } else {
        parts.join(" · ")
    }
}

/// The ranges of each weekday as the form edits them (text, Monday first).
pub(super) fn typed(h: &WeekHours) -> Vec<Vec<(String, String)>> {
    DAYS.iter()
        .map(|(d, ..)| h.day(*d).iter().map(|s| (s.0.to_string(), s.1.to_string())).collect())
        .collect()
}

/// The calendar as edited.
#[derive(Clone, Copy)]
pub(super) struct CalDraft {
    id: StoredValue<Option<String>>,
    pub name: RwSignal<String>,
    pub zone: RwSignal<String>,
    /// Per weekday (Monday first), the ranges as typed.
    pub days: RwSignal<Vec<Vec<(String, String)>>>,
    pub holidays: RwSignal<Vec<NaiveDate>>,
    /// What the browser finds wrong: names missing, times that are not HH:MM.
    problems: Memo<Option<AppError>>,
    server_error: RwSignal<Option<AppError>>,
    /// Bumped when the ranges' shape changes (a range added or removed, a preset): the day
    /// rows are rebuilt.
    pub built: RwSignal<u32>,
    pending: RwSignal<bool>,
    notice: RwSignal<Option<(Part, String)>>,
}

/// A range's times, or what is wrong with them.
fn parse_range(n: usize, (start, end): &(String, String)) -> Result<Span, String> {
    let what = |e: String| format!("range {n}: {e}");
    let start = DayMinute::parse(start.trim()).map_err(what)?;
    if start.0 >= 1440 {
        return Err(what("24:00 can only end a range".into()));
    }
    Ok(Span(start, DayMinute::parse(end.trim()).map_err(what)?))
}

/// The typed week as `WeekHours`, or the first problem of each day that has one, as
/// (`hours.<day>`, message).
fn week(days: &[Vec<(String, String)>]) -> Result<WeekHours, Vec<(String, String)>> {
    let mut problems = Vec::new();
    let mut h = WeekHours::default();
    for ((_, key, _), ranges) in DAYS.iter().zip(days) {
        let parsed: Result<Vec<Span>, String> =
            ranges.iter().enumerate().map(|(i, r)| parse_range(i + 1, r)).collect();
        let spans = parsed.unwrap_or_else(|m| {
            problems.push((format!("hours.{key}"), m));
            Vec::new()
        });
        match *key {
            "mon" => h.mon = spans,
            "tue" => h.tue = spans,
            "wed" => h.wed = spans,
            "thu" => h.thu = spans,
            "fri" => h.fri = spans,
            "sat" => h.sat = spans,
            _ => h.sun = spans,
        }
    }
    if problems.is_empty() {
        Ok(h)
    } else {
        Err(problems)
    }
}

impl CalDraft {
    fn new(c: Option<&Calendar>, page: Page) -> Self {
        let spec = c.map(|c| c.spec.clone()).unwrap_or(CalendarSpec {
            time_zone: "UTC".into(),
            hours: WeekHours::office(),
            holidays: vec![],
        });
        let name = RwSignal::new(c.map(|c| c.name.clone()).unwrap_or_default());
        let days = RwSignal::new(typed(&spec.hours));
        CalDraft {
            id: StoredValue::new(c.map(|c| c.id.clone())),
            name,
            zone: RwSignal::new(spec.time_zone),
            days,
            holidays: RwSignal::new(spec.holidays),
            problems: Memo::new(move |_| {
                let mut c = Checks::new();
                for (field, m) in days.with(|d| week(d).err()).unwrap_or_default() {
                    c.fail(&field, m);
                }
                c.check(!name.with(|n| n.trim().is_empty()), "name", "give the calendar a name");
                c.finish().err()
            }),
            server_error: RwSignal::new(None),
            built: RwSignal::new(0),
            pending: RwSignal::new(false),
            notice: page.notice,
        }
    }

    /// Any edit: the last refusal and notice are old news.
    pub fn touched(self) {
        self.server_error.set(None);
        self.notice.set(None);
    }

    /// Changes the ranges; `reshape` rebuilds the day rows.
    pub fn edit_days(self, reshape: bool, f: impl FnOnce(&mut Vec<Vec<(String, String)>>)) {
        self.days.update(f);
        self.touched();
        if reshape {
            self.built.update(|n| *n += 1);
        }
    }

    pub fn msg(self, field: &str) -> Signal<Option<String>> {
        message(move || self.problems.get(), self.server_error, field.to_string())
    }

    fn save(self, page: Page) {
        let Ok(hours) = self.days.with_untracked(|d| week(d)) else { return };
        let name = self.name.get_untracked().trim().to_string();
        let spec = CalendarSpec {
            time_zone: self.zone.get_untracked().trim().to_string(),
            hours,
            holidays: self.holidays.get_untracked(),
        };
        let input = CalendarInput { name: name.clone(), spec };
        self.pending.set(true);
        leptos::task::spawn_local(async move {
            let answer = calendar_save(self.id.get_value(), input).await;
            self.pending.set(false);
            match answer {
                Ok((_, version)) => {
                    page.calendar.set(None);
                    page.saved(
                        Part::Calendars,
                        format!(
                            "Saved version {version} of “{name}”. Escalations already open keep the \
                             version they started under; new ones count with version {version}."
                        ),
                    );
                }
                Err(e) => self.server_error.set(Some(e)),
            }
        });
    }
}

#[component]
pub(super) fn CalendarsCard(calendars: Vec<Calendar>, can_edit: bool, page: Page) -> impl IntoView {
    let list = StoredValue::new(calendars.clone());
    let open = move |o: Open| {
        page.notice.set(None);
        page.calendar.set(Some(o));
        crate::pages::plan::focus_later("cal-name".into());
    };
    view! {
        <section class="card sla-card" aria-labelledby="cal-h">
            <div class="card-head">
                <h2 id="cal-h">"Business calendars"</h2>
                {can_edit.then(|| view! {
                    <button type="button" class="button small" data-testid="new-calendar" on:click=move |_| open(Open::New)>"+ New calendar"</button>
                })}
            </div>
            <p class="muted small">"SLA clocks count only the open hours of the policy's calendar: in its time zone (daylight-saving changes \
                included), with its holidays closed all day."</p>
            {page.notice_in(Part::Calendars)}
            <div class="table-wrap flat"><table class="sla-calendars">
                <thead><tr><th scope="col">"Name"</th><th scope="col">"Time zone"</th><th scope="col">"Opening hours"</th>
                    <th scope="col" class="num">"Holidays"</th><th scope="col" class="num">"Version"</th>
                    <th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                <tbody>
                    {calendars.into_iter().map(|c| {
                        let id = c.id.clone();
                        view! {
                            <tr data-testid="calendar" data-id=c.id.clone()>
                                <th scope="row">{c.name.clone()}</th>
                                <td>{c.spec.time_zone.clone()}</td>
                                <td class="wrap">{summary(&c.spec.hours)}</td>
                                <td class="num">{c.spec.holidays.len()}</td>
                                <td class="num">{format!("v{}", c.version)}</td>
                                <td class="num">{can_edit.then(|| view! {
                                    <button type="button" class="button ghost small" aria-label=format!("Edit {}", c.name)
                                        on:click=move |_| open(Open::Id(id.clone()))>"Edit"</button>
                                })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table></div>
            {move || page.calendar.get().map(|o| {
                let c = match &o {
                    Open::New => None,
                    Open::Id(id) => list.with_value(|l| l.iter().find(|c| c.id == *id).cloned()),
                };
                view! { <CalendarEditor calendar=c page/> }
            })}
        </section>
    }
}

/// The editor of one calendar (a new one when `calendar` is `None`).
#[component]
fn CalendarEditor(calendar: Option<Calendar>, page: Page) -> impl IntoView {
    let d = CalDraft::new(calendar.as_ref(), page);
    let (heading, next) = match &calendar {
        None => ("New calendar".to_string(), 1),
        Some(c) => (format!("{} · version {}", c.name, c.version), c.version + 1),
    };
    let server_error = d.server_error;
    view! {
        <div class="sla-editor" data-testid="calendar-editor">
            <h3>{heading}</h3>
            <ErrorBanner error=server_error fields_only_inline=true/>
            {move || server_error.get().as_ref().and_then(|e| unplaced(e, FIELDS))
                .map(|m| view! { <div class="banner banner-error" role="alert">{m}</div> })}
            <div class="form-row">
                <DraftInput id="cal-name".into() label="Name".into() value=d.name.get_untracked() msg=d.msg("name")
                    on_input=move |v| { d.name.set(v); d.touched() }/>
                <DraftInput id="cal-zone".into() label="Time zone".into() value=d.zone.get_untracked() msg=d.msg("time_zone")
                    list="sla-zones" hint="An IANA name, e.g. Europe/Berlin or America/New_York"
                    on_input=move |v| { d.zone.set(v); d.touched() }/>
                <datalist id="sla-zones">{ZONES.iter().map(|z| view! { <option value=*z></option> }).collect_view()}</datalist>
            </div>
            <super::hours::WeekEditor d/>
            <super::holidays::HolidaysEditor d/>
            <div class="form-actions sla-actions">
                <button type="button" class="button primary" data-testid="save-calendar" on:click=move |_| d.save(page)
                    disabled=move || d.problems.get().is_some() || d.pending.get()>
                    {move || if d.pending.get() { "Saving…".to_string() } else { format!("Save as version {next}") }}
                </button>
                <button type="button" class="button ghost" on:click=move |_| page.calendar.set(None)>"Cancel"</button>
                {move || d.problems.get().map(|_| view! { <span class="error small">"Fix the marked fields before saving."</span> })}
            </div>
            <p class="muted small">"Saving makes a new version. Escalations already open keep counting with the version they started under."</p>
        </div>
    }
}
