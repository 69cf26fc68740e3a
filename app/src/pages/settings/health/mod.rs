//! Settings → Health: the model editor. Every weight and threshold change re-scores the model's
//! accounts in the browser with the same engine the server runs (what-if), showing how the
//! red/yellow/green distribution and the most-affected accounts would move. Nothing is saved
//! until Save, which creates the model's next version.
//!
//! The editor's cards share one [`Draft`]: the model as edited, the saved one, and what is
//! wrong with the draft (checked in the browser as it changes, and by the server on save).

mod backtest;
mod model_card;
mod what_if;

use super::{SettingsHead, Tab};
use crate::api::health::{get_model_editor, retire_model, run_backtest, save_model};
use crate::components::action::refusal;
use crate::components::layout::Card;
use crate::components::notice::Loaded;
use crate::error::AppError;
use crate::model::health::*;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

type SaveAction = Action<(String, HealthConfig), Result<HealthModel, AppError>>;
type RetireAction = Action<String, Result<(), AppError>>;
type BacktestAction = Action<(String, HealthConfig), Result<Backtest, AppError>>;

#[component]
pub fn HealthSettingsPage() -> impl IntoView {
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
        <SettingsHead current=Tab::Health intro="How health scores are computed, per saved segment."/>
        <Loaded resource=editor let:data>
            <Editor data save retire/>
        </Loaded>
    }
}

/// The model being edited, shared by the editor's cards.
#[derive(Clone, Copy)]
struct Draft {
    /// The model as edited.
    config: RwSignal<HealthConfig>,
    /// The model as saved (the what-if's "before", and what Discard goes back to).
    saved: StoredValue<HealthConfig>,
    changed: Memo<bool>,
    /// What the browser finds wrong with the draft.
    problems: Memo<Option<AppError>>,
    /// What the server refused on the last save.
    server_error: Signal<Option<AppError>>,
}

impl Draft {
    fn new(saved: HealthConfig, save: SaveAction) -> Self {
        let config = RwSignal::new(saved.clone());
        let saved = StoredValue::new(saved);
        Draft {
            config,
            saved,
            changed: Memo::new(move |_| saved.with_value(|s| config.with(|c| c != s))),
            problems: Memo::new(move |_| config.with(|c| c.validate().err())),
            server_error: refusal(save.value()),
        }
    }

    /// The message for `field` (the browser's check first, then the server's).
    fn msg(self, field: impl Into<String>) -> Signal<Option<String>> {
        let field = field.into();
        Signal::derive(move || {
            self.problems
                .get()
                .or_else(|| self.server_error.get())
                .and_then(|e| e.for_field(&field))
        })
    }

    /// Back to the saved model.
    fn reset(self) {
        self.config.set(self.saved.get_value());
    }
}

/// The editor: the models and the model being edited on the left, its what-if and backtest on
/// the right.
#[component]
fn Editor(data: ModelEditor, save: SaveAction, retire: RetireAction) -> impl IntoView {
    let ModelEditor { model, models, free_segments, accounts, versions } = data;
    let draft = Draft::new(model.config.clone(), save);
    // The backtest runs in the browser after load (saved settings), and on demand for a draft.
    let backtest: BacktestAction = Action::new(|(scope, config): &(String, HealthConfig)| {
        run_backtest(scope.clone(), config.clone(), 90)
    });
    {
        let (scope, version) = (model.scope.clone(), model.version);
        Effect::new(move |done: Option<()>| {
            if done.is_none() && version > 0 {
                backtest.dispatch((scope.clone(), draft.saved.get_value()));
            }
        });
    }
    let scope = model.scope.clone();
    view! {
        <div class="model-editor">
            <div>
                <ModelsCard models current=model.clone() free_segments/>
                <model_card::ModelCard model versions draft retire/>
            </div>
            <div class="sticky">
                <what_if::WhatIfCard accounts draft save scope=scope.clone()/>
                <backtest::BacktestCard backtest draft scope/>
            </div>
        </div>
    }
}

/// The models in force (each links to its editor), the one being edited if new, and a way to
/// start one for a segment without its own.
#[component]
fn ModelsCard(
    models: Vec<HealthModel>, current: HealthModel, free_segments: Vec<(String, String)>,
) -> impl IntoView {
    view! {
        <Card id="models-h" title="Models">
            <p class="muted small">"An account is scored by the model of the first segment below that holds it; otherwise by the default model."</p>
            <ul class="model-list">
                {models.into_iter().map(|m| {
                    let here = m.scope == current.scope;
                    view! {
                        <li class:current=here>
                            <a href=format!("/settings/health?model={}", m.scope) aria-current=if here { "page" } else { "false" }>{m.name}</a>
                            <span class="muted small">{format!(" v{}", m.version)}</span>
                        </li>
                    }
                }).collect_view()}
                {(current.version == 0).then(|| view! { <li class="current"><strong>{current.name.clone()}</strong>
                    <span class="muted small">" (new)"</span></li> })}
            </ul>
            {(!free_segments.is_empty()).then(|| view! {
                <form method="get" action="/settings/health" class="inline-form">
                    <label for="new-model">"Start a model for a segment"</label>
                    <select id="new-model" name="model">
                        {free_segments.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select>
                    <button type="submit" class="button small">"Start"</button>
                </form>
            })}
        </Card>
    }
}
