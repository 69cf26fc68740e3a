//! Settings → Health: the model editor. Every weight and threshold change re-scores the model's
//! accounts in the browser with the same engine the server runs (what-if), showing how the
//! red/yellow/green distribution and the most-affected accounts would move. Nothing is saved
//! until Save, which creates the model's next version.

use super::SettingsNav;
use crate::api::health::{get_model_editor, retire_model, run_backtest, save_model};
use crate::components::distribution::DistributionView;
use crate::components::layout::use_me;
use crate::components::notice::{confirmed, ErrorBanner, LoadError};
use crate::error::AppError;
use crate::metrics::health::{distribution, score};
use crate::model::health::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn HealthSettingsPage() -> impl IntoView {
    let me = use_me();
    if !me.role.can_manage_users() {
        return view! { <LoadError error=AppError::Forbidden("only admins edit health models".into())/> }
            .into_any();
    }
    let query = use_query_map();
    let scope = Memo::new(move |_| query.get().get("model").unwrap_or_else(|| "default".into()));
    let save = Action::new(|(scope, config): &(String, HealthConfig)| {
        save_model(scope.clone(), config.clone())
    });
    let retire = Action::new(|scope: &String| retire_model(scope.clone()));
    let editor = Resource::new(
        move || (scope.get(), save.version().get(), retire.version().get()),
        |(s, _, _)| get_model_editor(s),
    );
    view! {
        <Title text="Health models"/>
        <div class="page-head"><div><h1>"Settings"</h1><p class="muted">"How health scores are computed, per saved segment."</p></div></div>
        <SettingsNav current="health"/>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || editor.get().map(|r| match r {
                Err(e) => view! { <LoadError error=e/> }.into_any(),
                Ok(data) => view! { <Editor data save retire/> }.into_any(),
            })}
        </Transition>
    }
    .into_any()
}

/// An account whose score the draft changes: id, name, saved score, draft score, difference.
type Moved = (String, String, Option<u8>, Option<u8>, i32);

type SaveAction = Action<(String, HealthConfig), Result<HealthModel, AppError>>;
type RetireAction = Action<String, Result<(), AppError>>;

#[component]
fn Editor(data: ModelEditor, save: SaveAction, retire: RetireAction) -> impl IntoView {
    let saved = data.model.config.clone();
    let draft = RwSignal::new(saved.clone());
    let scope = data.model.scope.clone();
    let accounts = StoredValue::new(data.accounts.clone());
    // The saved model's scores, computed once; the draft's on every change.
    let before: Vec<Option<u8>> = data
        .accounts
        .iter()
        .map(|a| score(&saved, &a.facts).score)
        .collect();
    let before_dist = distribution(data.accounts.iter().map(|a| {
        (
            score(&saved, &a.facts).band,
            a.currency.as_str(),
            a.arr_minor,
        )
    }));
    let before = StoredValue::new(before);
    let after = Memo::new(move |_| {
        let cfg = draft.get();
        accounts.with_value(|list| {
            list.iter()
                .map(|a| {
                    let s = score(&cfg, &a.facts);
                    (s.score, s.band)
                })
                .collect::<Vec<_>>()
        })
    });
    let after_dist = Memo::new(move |_| {
        let scores = after.get();
        accounts.with_value(|list| {
            distribution(
                list.iter()
                    .zip(scores.iter())
                    .map(|(a, (_, b))| (*b, a.currency.as_str(), a.arr_minor)),
            )
        })
    });
    let affected = Memo::new(move |_| {
        let scores = after.get();
        let mut moved: Vec<Moved> = accounts.with_value(|list| {
            before.with_value(|b| {
                list.iter()
                    .zip(b.iter().zip(scores.iter()))
                    .filter_map(|(a, (old, (new, _)))| {
                        let d =
                            new.map(|n| n as i32).unwrap_or(0) - old.map(|o| o as i32).unwrap_or(0);
                        (old != new).then(|| (a.id.clone(), a.name.clone(), *old, *new, d))
                    })
                    .collect()
            })
        });
        moved.sort_by_key(|m| std::cmp::Reverse(m.4.abs()));
        let total = moved.len();
        moved.truncate(8);
        (moved, total)
    });
    let problems = Memo::new(move |_| draft.get().validate().err());
    let changed = {
        let saved = saved.clone();
        Memo::new(move |_| draft.get() != saved)
    };
    let server_error = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    let field_msg = move |field: String| {
        Signal::derive(move || {
            problems
                .get()
                .or_else(|| server_error.get())
                .and_then(|e| e.for_field(&field))
        })
    };
    let scope_for_save = scope.clone();
    let reset = {
        let saved = saved.clone();
        move |_| draft.set(saved.clone())
    };
    let n_accounts = data.accounts.len();
    let model = data.model.clone();
    let version_note = if model.version == 0 && !data.versions.is_empty() {
        format!(
            "Not in use (stopped): these accounts use the default model; saving brings it back as version {}.",
            data.versions.iter().map(|(v, _)| *v).max().unwrap_or(0) + 1
        )
    } else if model.version == 0 {
        "Not saved yet: until you save, these accounts use the default model.".to_string()
    } else {
        format!(
            "Version {} · saved {}{}",
            model.version,
            model.created_at.get(..10).unwrap_or(""),
            model
                .created_by
                .clone()
                .map(|b| format!(" by {b}"))
                .unwrap_or_default()
        )
    };
    // The backtest runs in the browser after load (saved settings), and on demand for a draft.
    let backtest = Action::new(|(scope, config): &(String, HealthConfig)| {
        run_backtest(scope.clone(), config.clone(), 90)
    });
    {
        let (scope, saved) = (scope.clone(), saved.clone());
        Effect::new(move |done: Option<()>| {
            if done.is_none() && model.version > 0 {
                backtest.dispatch((scope.clone(), saved.clone()));
            }
        });
    }
    let scope_for_bt = scope.clone();
    view! {
        <div class="model-editor">
            <div>
                <section class="card" aria-labelledby="models-h">
                    <h2 id="models-h">"Models"</h2>
                    <p class="muted small">"An account is scored by the model of the first segment below that holds it; otherwise by the default model."</p>
                    <ul class="model-list">
                        {data.models.iter().map(|m| {
                            let current = m.scope == scope;
                            view! {
                                <li class:current=current>
                                    <a href=format!("/settings/health?model={}", m.scope) aria-current=if current { "page" } else { "false" }>{m.name.clone()}</a>
                                    <span class="muted small">{format!(" v{}", m.version)}</span>
                                </li>
                            }
                        }).collect_view()}
                        {(model.version == 0).then(|| view! { <li class="current"><strong>{model.name.clone()}</strong><span class="muted small">" (new)"</span></li> })}
                    </ul>
                    {(!data.free_segments.is_empty()).then(|| view! {
                        <form method="get" action="/settings/health" class="inline-form">
                            <label for="new-model">"Start a model for a segment"</label>
                            <select id="new-model" name="model">
                                {data.free_segments.iter().map(|(id, name)| view! { <option value=id.clone()>{name.clone()}</option> }).collect_view()}
                            </select>
                            <button type="submit" class="button small">"Start"</button>
                        </form>
                    })}
                </section>
                <section class="card" aria-labelledby="model-h">
                    <h2 id="model-h">{format!("{} model", model.name)}</h2>
                    <p class="muted small">{version_note}" · "{
                        let past = if model.version == 0 { data.versions.len() } else { data.versions.len().saturating_sub(1) };
                        format!("{past} past version{}", if past == 1 { "" } else { "s" })
                    }</p>
                    <RetireButton model=model.clone() retire/>
                    <h3>"Colour bands"</h3>
                    <div class="form-grid three">
                        <NumberField label="Yellow from" field="bands.yellow_from" value=Signal::derive(move || draft.get().bands.yellow_from as f64)
                            set=move |v| draft.update(|c| c.bands.yellow_from = v.clamp(0.0, 255.0) as u8) msg=field_msg("bands.yellow_from".into()) hint="Below this: red"/>
                        <NumberField label="Green from" field="bands.green_from" value=Signal::derive(move || draft.get().bands.green_from as f64)
                            set=move |v| draft.update(|c| c.bands.green_from = v.clamp(0.0, 255.0) as u8) msg=field_msg("bands.green_from".into()) hint="From this: green"/>
                        <NumberField label="Sentiment lasts (days)" field="sentiment_days" value=Signal::derive(move || draft.get().sentiment_days as f64)
                            set=move |v| draft.update(|c| c.sentiment_days = v.max(0.0) as u32) msg=field_msg("sentiment_days".into()) hint="Then it stops counting"/>
                    </div>
                    <div class="field" class:invalid=move || field_msg("key_features".into()).get().is_some()>
                        <label for="f-key_features">"Key features (comma-separated)"</label>
                        <input id="f-key_features" type="text" prop:value=move || draft.get().key_features.join(", ")
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                draft.update(|c| c.key_features = v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect());
                            }/>
                        <p class="hint">"Feature adoption = the share of these used in the last 30 days (the `feature` of usage events)."</p>
                        {move || field_msg("key_features".into()).get().map(|m| view! { <p class="error">{m}</p> })}
                    </div>
                    <h3>"Measures"</h3>
                    {move || field_msg("measures".into()).get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
                    {Measure::ALL.iter().enumerate().map(|(i, m)| view! { <MeasureRow index=i measure=*m draft field_msg/> }).collect_view()}
                </section>
            </div>
            <div class="sticky">
                <section class="card what-if" aria-labelledby="whatif-h">
                    <h2 id="whatif-h">"What if"</h2>
                    <p class="muted small">{format!("{n_accounts} accounts scored by this model, re-scored in your browser as you edit.")}</p>
                    {move || changed.get().then(|| view! { <p class="unsaved" role="status">"Unsaved changes: nothing has been saved yet."</p> })}
                    {move || view! { <DistributionView dist=after_dist.get() before=before_dist.clone() caption="With your changes; the line below each count is the change from the saved model.".to_string()/> }}
                    <h3>"Most affected accounts"</h3>
                    {move || {
                        let (list, total) = affected.get();
                        if list.is_empty() {
                            view! { <p class="muted small">"No account's score changes."</p> }.into_any()
                        } else {
                            view! {
                                <p class="muted small">{format!("{total} account{} would change.", if total == 1 { "" } else { "s" })}</p>
                                <ul class="affected">
                                    {list.into_iter().map(|(id, name, old, new, d)| view! {
                                        <li>
                                            <a href=format!("/accounts/{id}")>{name}</a>
                                            <span class=format!("delta {}", if d >= 0 { "up" } else { "down" })>
                                                {format!("{} → {}", old.map(|s| s.to_string()).unwrap_or_else(|| "–".into()), new.map(|s| s.to_string()).unwrap_or_else(|| "–".into()))}
                                            </span>
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }
                    }}
                    <ErrorBanner error=server_error/>
                    <div class="actions">
                        <button type="button" class="button primary" data-testid="save-model"
                            disabled=move || !changed.get() || problems.get().is_some() || save.pending().get()
                            on:click=move |_| { save.dispatch((scope_for_save.clone(), draft.get_untracked())); }>
                            {move || if save.pending().get() { "Saving…" } else { "Save as a new version" }}
                        </button>
                        <button type="button" class="button ghost" disabled=move || !changed.get() on:click=reset>"Discard changes"</button>
                    </div>
                    {move || problems.get().map(|_| view! { <p class="error small">"Fix the fields marked in the model before saving."</p> })}
                </section>
                <section class="card backtest" aria-labelledby="bt-h">
                    <h2 id="bt-h">"Backtest"</h2>
                    <p class="muted small">"Each churned account scored as it was 90 days before it churned; each retained account as it was 90 days ago. AUC: the chance a retained account scored above a churned one (0.5 = a coin toss, 1 = perfect)."</p>
                    {move || match backtest.value().get() {
                        None if backtest.pending().get() => view! { <p class="muted">"Running…"</p> }.into_any(),
                        None => view! { <p class="muted small">"Not run yet."</p> }.into_any(),
                        Some(Err(e)) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                        Some(Ok(b)) => view! { <BacktestView b/> }.into_any(),
                    }}
                    <button type="button" class="button small" disabled=move || problems.get().is_some() || backtest.pending().get()
                        on:click=move |_| { backtest.dispatch((scope_for_bt.clone(), draft.get_untracked())); }>
                        {move || if changed.get() { "Backtest my changes" } else { "Run again" }}
                    </button>
                </section>
            </div>
        </div>
    }
}

/// "Stop using this model" for a segment model in force: its accounts fall to the default model
/// and the segment can be deleted; the versions stay for the scores made with them.
#[component]
fn RetireButton(model: HealthModel, retire: RetireAction) -> impl IntoView {
    let error = Signal::derive(move || retire.value().get().and_then(|r| r.err()));
    let show = model.scope != "default" && model.version > 0;
    let (scope, name) = (model.scope.clone(), model.name.clone());
    show.then(|| {
        view! {
            <div class="retire">
                <button type="button" class="button ghost small danger" data-testid="retire-model"
                    disabled=move || retire.pending().get()
                    on:click=move |_| {
                        if confirmed(&format!("Stop using the {name} model? Its accounts will be scored by the default model from now on, and the segment can then be deleted. Its versions stay in the history; saving a new version brings it back.")) {
                            retire.dispatch(scope.clone());
                        }
                    }>"Stop using this model"</button>
                <ErrorBanner error/>
            </div>
        }
    })
}

#[component]
fn BacktestView(b: Backtest) -> impl IntoView {
    view! {
        <p><span class="auc" data-testid="auc">{b.auc.map(|a| format!("{a:.2}")).unwrap_or_else(|| "–".into())}</span>" "<span class="muted">"ROC AUC"</span></p>
        <p class="muted small">{format!("{} churned and {} retained accounts; {} without enough history then.", b.churned, b.retained, b.skipped)}</p>
        <table class="breakdown">
            <caption class="muted small">{format!("By band {} days before churn (or before today)", b.days_before)}</caption>
            <thead><tr><th scope="col">"Band"</th><th scope="col" class="num">"Accounts"</th><th scope="col" class="num">"Churned"</th><th scope="col" class="num">"Rate"</th></tr></thead>
            <tbody>
                {b.per_band.into_iter().map(|(band, n, c)| view! {
                    <tr>
                        <th scope="row"><span class=format!("pill {}", band.key())>{band.label()}</span></th>
                        <td class="num">{n}</td><td class="num">{c}</td>
                        <td class="num">{if n == 0 { "–".to_string() } else { format!("{:.0} %", 100.0 * c as f64 / n as f64) }}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn NumberField(
    label: &'static str,
    field: &'static str,
    value: Signal<f64>,
    set: impl Fn(f64) + 'static + Send + Sync,
    msg: Signal<Option<String>>,
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

#[component]
fn MeasureRow(
    index: usize,
    measure: Measure,
    draft: RwSignal<HealthConfig>,
    field_msg: impl Fn(String) -> Signal<Option<String>> + Copy + 'static + Send + Sync,
) -> impl IntoView {
    let key = measure.key();
    let weight = Memo::new(move |_| {
        draft
            .get()
            .measures
            .get(index)
            .map(|m| m.weight)
            .unwrap_or(0)
    });
    let points_len = Memo::new(move |_| {
        draft
            .get()
            .measures
            .get(index)
            .map(|m| m.points.len())
            .unwrap_or(0)
    });
    let weight_msg = field_msg(format!("{key}.weight"));
    let points_msg = field_msg(format!("{key}.points"));
    let id = format!("w-{key}");
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
                        aria-label=format!("Weight of {}", measure.label())
                        on:input=move |ev| {
                            let v = event_target_value(&ev).parse::<u32>().unwrap_or(0);
                            draft.update(|c| if let Some(m) = c.measures.get_mut(index) { m.weight = v; });
                        }/>
                    <output>{move || weight.get()}</output>
                </div>
                {move || weight_msg.get().map(|m| view! { <p class="error">{m}</p> })}
                <div class="points-grid" role="group" aria-label=format!("Thresholds of {}", measure.label())>
                    {move || (0..points_len.get()).map(|p| {
                        let raw = Memo::new(move |_| draft.get().measures.get(index).and_then(|m| m.points.get(p)).map(|pt| pt.raw).unwrap_or(0.0));
                        let sc = Memo::new(move |_| draft.get().measures.get(index).and_then(|m| m.points.get(p)).map(|pt| pt.score).unwrap_or(0.0));
                        view! {
                            <span class="point">
                                <input type="number" step="any" aria-label=format!("{} threshold {} raw value", measure.label(), p + 1)
                                    prop:value=move || raw.get().to_string()
                                    on:input=move |ev| {
                                        let v = event_target_value(&ev).trim().parse::<f64>().unwrap_or(f64::NAN);
                                        draft.update(|c| if let Some(pt) = c.measures.get_mut(index).and_then(|m| m.points.get_mut(p)) { pt.raw = v; });
                                    }/>
                                "→"
                                <input type="number" step="any" aria-label=format!("{} threshold {} score", measure.label(), p + 1)
                                    prop:value=move || sc.get().to_string()
                                    on:input=move |ev| {
                                        let v = event_target_value(&ev).trim().parse::<f64>().unwrap_or(f64::NAN);
                                        draft.update(|c| if let Some(pt) = c.measures.get_mut(index).and_then(|m| m.points.get_mut(p)) { pt.score = v; });
                                    }/>
                            </span>
                        }
                    }).collect_view()}
                </div>
                {move || points_msg.get().map(|m| view! { <p class="error">{m}</p> })}
            </div>
        </div>
    }
}
