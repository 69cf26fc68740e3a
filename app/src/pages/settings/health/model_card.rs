//! The model being edited: its version, the colour bands, the key features and each measure's
//! weight and thresholds.

use super::{Draft, RetireAction};
use crate::components::action::refusal;
use crate::components::notice::{confirmed, ErrorBanner};
use crate::model::health::*;
use leptos::prelude::*;

/// "Version 3 · saved … by …", or why the model is not (or no longer) in force.
fn version_note(model: &HealthModel, versions: &[(u32, crate::model::Timestamp)]) -> String {
    if model.version == 0 && !versions.is_empty() {
        format!(
            "Not in use (stopped): these accounts use the default model; saving brings it back as version {}.",
            versions.iter().map(|(v, _)| *v).max().unwrap_or(0) + 1
        )
    } else if model.version == 0 {
        "Not saved yet: until you save, these accounts use the default model.".to_string()
    } else {
        format!(
            "Version {} · saved {}{}",
            model.version,
            model.created_at.format("%Y-%m-%d"),
            model.created_by.as_ref().map(|b| format!(" by {b}")).unwrap_or_default()
        )
    }
}

/// "2 past versions": the versions before the one in force (all of them for a model not in
/// force).
fn past_versions(model: &HealthModel, versions: &[(u32, crate::model::Timestamp)]) -> String {
    let past = if model.version == 0 { versions.len() } else { versions.len().saturating_sub(1) };
    format!("{past} past version{}", if past == 1 { "" } else { "s" })
}

#[component]
pub(super) fn ModelCard(
    model: HealthModel, versions: Vec<(u32, crate::model::Timestamp)>, draft: Draft,
    retire: RetireAction,
) -> impl IntoView {
    let config = draft.config;
    let note = version_note(&model, &versions);
    let past = past_versions(&model, &versions);
    let features_msg = draft.msg("key_features");
    let set_features = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        config.update(|c| {
            c.key_features =
                v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
        });
    };
    view! {
        <section class="card" aria-labelledby="model-h">
            <h2 id="model-h">{format!("{} model", model.name)}</h2>
            <p class="muted small">{note}" · "{past}</p>
            <RetireButton model=model.clone() retire/>
            <h3>"Colour bands"</h3>
            <div class="form-grid three">
                <NumberField label="Yellow from" field="bands.yellow_from" value=Signal::derive(move || config.get().bands.yellow_from as f64)
                    set=move |v| config.update(|c| c.bands.yellow_from = v.clamp(0.0, 255.0) as u8) msg=draft.msg("bands.yellow_from") hint="Below this: red"/>
                <NumberField label="Green from" field="bands.green_from" value=Signal::derive(move || config.get().bands.green_from as f64)
                    set=move |v| config.update(|c| c.bands.green_from = v.clamp(0.0, 255.0) as u8) msg=draft.msg("bands.green_from") hint="From this: green"/>
                <NumberField label="Sentiment lasts (days)" field="sentiment_days" value=Signal::derive(move || config.get().sentiment_days as f64)
                    set=move |v| config.update(|c| c.sentiment_days = v.max(0.0) as u32) msg=draft.msg("sentiment_days") hint="Then it stops counting"/>
            </div>
            <div class="field" class:invalid=move || features_msg.get().is_some()>
                <label for="f-key_features">"Key features (comma-separated)"</label>
                <input id="f-key_features" type="text" prop:value=move || config.get().key_features.join(", ") on:change=set_features/>
                <p class="hint">"Feature adoption = the share of these used in the last 30 days (the `feature` of usage events)."</p>
                {move || features_msg.get().map(|m| view! { <p class="error">{m}</p> })}
            </div>
            <h3>"Measures"</h3>
            {move || draft.msg("measures").get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
            {Measure::ALL.iter().enumerate().map(|(i, m)| view! { <MeasureRow index=i measure=*m draft/> }).collect_view()}
        </section>
    }
}

/// "Stop using this model" for a segment model in force: its accounts fall to the default model
/// and the segment can be deleted; the versions stay for the scores made with them.
#[component]
fn RetireButton(model: HealthModel, retire: RetireAction) -> impl IntoView {
    let error = refusal(retire.value());
    let show = model.scope != "default" && model.version > 0;
    let HealthModel { scope, name, .. } = model;
    let stop = move |_| {
        if confirmed(&format!(
            "Stop using the {name} model? Its accounts will be scored by the default model from now on, and the segment can then be \
             deleted. Its versions stay in the history; saving a new version brings it back."
        )) {
            retire.dispatch(scope.clone());
        }
    };
    show.then(|| {
        view! {
            <div class="retire">
                <button type="button" class="button ghost small danger" data-testid="retire-model"
                    disabled=move || retire.pending().get() on:click=stop>"Stop using this model"</button>
                <ErrorBanner error/>
            </div>
        }
    })
}

#[component]
fn NumberField(
    label: &'static str, field: &'static str, value: Signal<f64>,
    set: impl Fn(f64) + 'static + Send + Sync, msg: Signal<Option<String>>,
    #[prop(optional)] hint: &'static str,
) -> impl IntoView {
    let id = format!("f-{field}");
    view! {
        <div class="field" class:invalid=move || msg.get().is_some()>
            <label for=id.clone()>{label}</label>
            <input id=id type="number" inputmode="numeric" prop:value=move || value.get().to_string()
                aria-invalid=move || msg.get().is_some().to_string()
                on:input=move |ev| set(event_target_value(&ev).trim().parse::<f64>().unwrap_or(f64::NAN))/>
            {(!hint.is_empty()).then(|| view! { <p class="hint">{hint}</p> })}
            {move || msg.get().map(|m| view! { <p class="error">{m}</p> })}
        </div>
    }
}

/// One measure: its weight (a slider; 0 turns it off) and its thresholds (raw value → score).
#[component]
fn MeasureRow(index: usize, measure: Measure, draft: Draft) -> impl IntoView {
    let config = draft.config;
    let key = measure.key();
    let weight =
        Memo::new(move |_| config.with(|c| c.measures.get(index).map(|m| m.weight).unwrap_or(0)));
    let points_len = Memo::new(move |_| {
        config.with(|c| c.measures.get(index).map(|m| m.points.len()).unwrap_or(0))
    });
    let weight_msg = draft.msg(format!("{key}.weight"));
    let points_msg = draft.msg(format!("{key}.points"));
    let id = format!("w-{key}");
    let set_weight = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev).parse::<u32>().unwrap_or(0);
        config.update(|c| {
            if let Some(m) = c.measures.get_mut(index) {
                m.weight = v;
            }
        });
    };
    view! {
        <div class="measure-row" class:off=move || weight.get() == 0 data-measure=key>
            <div>
                <label for=id.clone()><strong>{measure.label()}</strong></label>
                <div class="unit">{measure.unit()}</div>
                <div class="unit">{if measure.higher_is_better() { "more is better" } else { "less is better" }}</div>
            </div>
            <div>
                <div class="weight">
                    <input id=id type="range" min="0" max="100" step="1" prop:value=move || weight.get().to_string()
                        aria-label=format!("Weight of {}", measure.label()) on:input=set_weight/>
                    <output>{move || weight.get()}</output>
                </div>
                {move || weight_msg.get().map(|m| view! { <p class="error">{m}</p> })}
                <div class="points-grid" role="group" aria-label=format!("Thresholds of {}", measure.label())>
                    {move || (0..points_len.get()).map(|p| view! { <PointInputs index point=p measure config/> }).collect_view()}
                </div>
                {move || points_msg.get().map(|m| view! { <p class="error">{m}</p> })}
            </div>
        </div>
    }
}

/// Threshold `point` of measure `index`: its raw value and the score it maps to.
#[component]
fn PointInputs(
    index: usize, point: usize, measure: Measure, config: RwSignal<HealthConfig>,
) -> impl IntoView {
    let read = move |f: fn(&Point) -> f64| {
        Memo::new(move |_| {
            config.with(|c| {
                c.measures.get(index).and_then(|m| m.points.get(point)).map(f).unwrap_or(0.0)
            })
        })
    };
    let (raw, score) = (read(|pt| pt.raw), read(|pt| pt.score));
    let write = move |f: fn(&mut Point, f64)| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev).trim().parse::<f64>().unwrap_or(f64::NAN);
            config.update(|c| {
                if let Some(pt) = c.measures.get_mut(index).and_then(|m| m.points.get_mut(point)) {
                    f(pt, v);
                }
            });
        }
    };
    let label = |what: &str| format!("{} threshold {} {what}", measure.label(), point + 1);
    view! {
        <span class="point">
            <input type="number" step="any" aria-label=label("raw value") prop:value=move || raw.get().to_string()
                on:input=write(|pt, v| pt.raw = v)/>
            "→"
            <input type="number" step="any" aria-label=label("score") prop:value=move || score.get().to_string()
                on:input=write(|pt, v| pt.score = v)/>
        </span>
    }
}
