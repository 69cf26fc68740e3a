//! The editor of one SLA policy: what it matches, its calendar, when to warn, the uptime
//! target, the follow-up and survey after resolution, and the P1–P4 targets in business
//! minutes (each with its value in hours beside it).
//!
//! The draft is a `PolicyInput` checked in the browser with the same `validate` the server
//! runs, so a number out of bounds is named beside its input before anything is sent. Shares
//! are typed as percentages (75, 99.9) because that is how people say them; the draft holds
//! the fractions the API takes.

use super::{message, unplaced, DraftInput, DraftSelect, Page, Part};
use crate::api::sla::{policy_save, SlaSettings};
use crate::components::notice::ErrorBanner;
use crate::error::AppError;
use crate::model::escalation::{EscalationSeverity, PolicyInput, PolicyTerms, SlaPolicy, Targets};
use crate::pages::escalations::parts::duration;
use leptos::prelude::*;

const FIELDS: &[&str] = &[
    "name",
    "segment_id",
    "calendar_id",
    "warn_at",
    "uptime_target",
    "follow_up_days",
    "csat_survey_id",
    "targets",
];

/// The three targets of a severity: the field name, the column's label.
const CLOCKS: [(&str, &str); 3] = [
    ("first_response_minutes", "First response"),
    ("update_minutes", "Update cadence"),
    ("resolution_minutes", "Resolution"),
];

fn target_mut<'a>(t: &'a mut Targets, field: &str) -> &'a mut u32 {
    match field {
        "first_response_minutes" => &mut t.first_response_minutes,
        "update_minutes" => &mut t.update_minutes,
        _ => &mut t.resolution_minutes,
    }
}

/// A percentage as typed, as a share; not a number is NaN, which the check refuses.
fn share(typed: &str) -> f64 {
    typed
        .trim()
        .trim_end_matches('%')
        .trim()
        .replace(',', ".")
        .parse::<f64>()
        .map_or(f64::NAN, |v| v / 100.0)
}

/// A share as the percentage to type: 0.75 → "75", 0.999 → "99.9".
fn typed_percent(v: f64) -> String {
    let s = format!("{:.3}", v * 100.0);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[derive(Clone, Copy)]
struct Draft {
    id: StoredValue<Option<String>>,
    input: RwSignal<PolicyInput>,
    problems: Memo<Option<AppError>>,
    server_error: RwSignal<Option<AppError>>,
    pending: RwSignal<bool>,
    notice: RwSignal<Option<(Part, String)>>,
}

impl Draft {
    fn new(p: Option<&SlaPolicy>, first_calendar: String, page: Page) -> Self {
        let terms =
            p.map(|p| p.terms.clone()).unwrap_or_else(|| PolicyTerms::defaults(&first_calendar));
        let input = RwSignal::new(PolicyInput {
            name: p.map(|p| p.name.clone()).unwrap_or_default(),
            segment_id: p.and_then(|p| p.segment_id.clone()),
            calendar_id: terms.calendar_id,
            warn_at: terms.warn_at,
            targets: terms.targets,
            uptime_target: terms.uptime_target,
            follow_up_days: terms.follow_up_days,
            csat_survey_id: terms.csat_survey_id,
        });
        let new = p.is_none();
        Draft {
            id: StoredValue::new(p.map(|p| p.id.clone())),
            input,
            problems: Memo::new(move |_| {
                input.with(|i| {
                    if new && i.segment_id.is_none() {
                        return Some(AppError::field(
                            "segment_id",
                            "choose the segment this policy is for",
                        ));
                    }
                    i.validate().err()
                })
            }),
            server_error: RwSignal::new(None),
            pending: RwSignal::new(false),
            notice: page.notice,
        }
    }

    fn edit(self, f: impl FnOnce(&mut PolicyInput)) {
        self.input.update(f);
        self.server_error.set(None);
        self.notice.set(None);
    }

    fn msg(self, field: &str) -> Signal<Option<String>> {
        message(move || self.problems.get(), self.server_error, field.to_string())
    }

    /// The message for a share typed as a percentage (the model speaks of fractions).
    fn percent_msg(self, field: &'static str, bounds: &'static str) -> Signal<Option<String>> {
        let m = self.msg(field);
        Signal::derive(move || m.get().map(|_| bounds.to_string()))
    }

    fn save(self, page: Page) {
        let input = self.input.get_untracked();
        let name = input.name.trim().to_string();
        self.pending.set(true);
        leptos::task::spawn_local(async move {
            let answer = policy_save(self.id.get_value(), input).await;
            self.pending.set(false);
            match answer {
                Ok((_, v)) => {
                    page.policy.set(None);
                    let text = format!(
                        "Saved version {v} of “{name}”. Escalations already open keep the targets they \
                         started under; new ones get version {v}."
                    );
                    page.saved(Part::Policies, text);
                }
                Err(e) => self.server_error.set(Some(e)),
            }
        });
    }
}

#[component]
pub(super) fn PolicyForm(
    policy: Option<SlaPolicy>, data: SlaSettings, page: Page,
) -> impl IntoView {
    // The seeded default calendar when it exists (not whichever sorts first by name).
    let first_calendar = data
        .calendars
        .iter()
        .find(|c| c.id == "default")
        .or(data.calendars.first())
        .map(|c| c.id.clone())
        .unwrap_or_default();
    let d = Draft::new(policy.as_ref(), first_calendar, page);
    let (heading, next) = match &policy {
        None => ("New policy".to_string(), 1),
        Some(p) => (format!("{} · version {}", p.name, p.version), p.version + 1),
    };
    let is_default = policy.as_ref().is_some_and(|p| p.segment_id.is_none());
    let own = policy.as_ref().and_then(|p| p.segment_id.clone());
    let segments: Vec<(String, String)> = data
        .segments
        .iter()
        .filter(|(id, _)| {
            Some(id) == own.as_ref()
                || !data.policies.iter().any(|p| p.segment_id.as_ref() == Some(id))
        })
        .cloned()
        .collect();
    let calendars: Vec<(String, String)> = data
        .calendars
        .iter()
        .map(|c| (c.id.clone(), format!("{} ({})", c.name, c.spec.time_zone)))
        .collect();
    let i = d.input.get_untracked();
    let server_error = d.server_error;
    view! {
        <div class="sla-editor" data-testid="policy-editor">
            <h3>{heading}</h3>
            <ErrorBanner error=server_error fields_only_inline=true/>
            {move || server_error.get().as_ref().and_then(|e| unplaced(e, FIELDS))
                .map(|m| view! { <div class="banner banner-error" role="alert">{m}</div> })}
            <div class="form-row">
                <DraftInput id="pol-name".into() label="Name".into() value=i.name.clone() msg=d.msg("name")
                    on_input=move |v: String| d.edit(|p| p.name = v)/>
                {if is_default {
                    view! { <div class="field"><span class="label">"Matches"</span><p class="muted small">"Every account no segment policy matches."</p></div> }.into_any()
                } else {
                    view! {
                        <DraftSelect id="pol-segment".into() label="Segment".into() options=segments selected=i.segment_id.clone().unwrap_or_default()
                            placeholder="Choose a saved segment" msg=d.msg("segment_id")
                            on_change=move |v: String| d.edit(|p| p.segment_id = Some(v).filter(|s| !s.is_empty()))/>
                    }.into_any()
                }}
                <DraftSelect id="pol-calendar".into() label="Business calendar".into() options=calendars selected=i.calendar_id.clone()
                    msg=d.msg("calendar_id") on_change=move |v: String| d.edit(|p| p.calendar_id = v)/>
            </div>
            <div class="form-row">
                <DraftInput id="pol-warn".into() label="Warn at".into() value=typed_percent(i.warn_at) unit="% of a target"
                    inputmode="decimal" msg=d.percent_msg("warn_at", "more than 0 and less than 100 % of the target")
                    hint="Whoever is responsible is told when this much of a target is used."
                    on_input=move |v: String| d.edit(|p| p.warn_at = share(&v))/>
                <DraftInput id="pol-uptime".into() label="Uptime target".into() value=typed_percent(i.uptime_target) unit="% a month"
                    inputmode="decimal" msg=d.percent_msg("uptime_target", "between 50 and 100 %")
                    hint="e.g. 99.9 — about 43 minutes down in a 30-day month"
                    on_input=move |v: String| d.edit(|p| p.uptime_target = share(&v))/>
                <DraftInput id="pol-follow-up".into() label="Follow-up".into() value=i.follow_up_days.to_string() unit="days after resolution"
                    inputmode="numeric" kind="number" msg=d.msg("follow_up_days")
                    on_input=move |v: String| d.edit(|p| p.follow_up_days = v.trim().parse().unwrap_or(0))/>
                <DraftSelect id="pol-survey".into() label="CSAT survey after resolution".into() options=data.csat_surveys.clone()
                    selected=i.csat_survey_id.clone().unwrap_or_default() placeholder="None" msg=d.msg("csat_survey_id")
                    on_change=move |v: String| d.edit(|p| p.csat_survey_id = Some(v).filter(|s| !s.is_empty()))/>
            </div>
            <TargetInputs d/>
            <div class="form-actions sla-actions">
                <button type="button" class="button primary" data-testid="save-policy" on:click=move |_| d.save(page)
                    disabled=move || d.problems.get().is_some() || d.pending.get()>
                    {move || if d.pending.get() { "Saving…".to_string() } else { format!("Save as version {next}") }}
                </button>
                <button type="button" class="button ghost" on:click=move |_| page.policy.set(None)>"Cancel"</button>
                {move || d.problems.get().map(|_| view! { <span class="error small">"Fix the marked fields before saving."</span> })}
            </div>
        </div>
    }
}

/// P1–P4 × the three clocks, in business minutes with their value in hours beside each.
#[component]
fn TargetInputs(d: Draft) -> impl IntoView {
    let targets = d.input.with_untracked(|i| i.targets.clone());
    let targets_msg = d.msg("targets");
    view! {
        <fieldset class="sla-target-grid">
            <legend>"Targets, in business minutes"</legend>
            {move || targets_msg.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
            <div class="sla-target-row sla-target-head" aria-hidden="true">
                <span></span>{CLOCKS.into_iter().map(|(_, l)| view! { <span>{l}</span> }).collect_view()}
            </div>
            {EscalationSeverity::ALL.iter().map(|s| {
                let sev = s.key();
                let t = targets.get(sev).copied();
                let sev_msg = d.msg(&format!("targets.{sev}"));
                view! {
                    <div class="sla-target-row" data-severity=sev>
                        <span class="sla-sev">{s.label()}<small class="error">{move || sev_msg.get()}</small></span>
                        {CLOCKS.into_iter().map(|(field, label)| {
                            let now = Memo::new(move |_| d.input.with(|i| i.targets.get(sev).map(|t| {
                                let mut t = *t;
                                *target_mut(&mut t, field)
                            })));
                            let value = t.map(|mut t| target_mut(&mut t, field).to_string()).unwrap_or_default();
                            let hint = Signal::derive(move || match now.get() {
                                Some(m) if m >= 60 => format!("= {}", duration(m.into())),
                                _ => String::new(),
                            });
                            view! {
                                <DraftInput id=format!("pol-{sev}-{field}") label=format!("{sev} · {label}") class="sla-target"
                                    value kind="number" inputmode="numeric" unit="min" hint msg=d.msg(&format!("targets.{sev}.{field}"))
                                    on_input=move |v: String| {
                                        let m = v.trim().parse::<u32>().unwrap_or(0);
                                        d.edit(|p| { *target_mut(p.targets.entry(sev.to_string()).or_insert(Targets {
                                            first_response_minutes: 0, update_minutes: 0, resolution_minutes: 0,
                                        }), field) = m; })
                                    }/>
                            }
                        }).collect_view()}
                    </div>
                }
            }).collect_view()}
        </fieldset>
    }
}
