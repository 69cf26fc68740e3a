//! Settings → Journey templates (admins): milestones with their day, the first-value mark, and
//! tasks with their day, owner role and training resources. The browser checks the draft with
//! the same code as the server as it is typed; every save is a new version, and plans already
//! made from a template keep what they copied.
//!
//! The draft lives in one [`TemplateDraft`], shared with the editor's components
//! ([`editor::TemplateEditor`] → `MilestoneEditor` → `TaskEditor` → `ResourceEditor`) through
//! the context. Inputs show the draft's values when they are built and write back on input, so
//! typing never re-renders the form (and never fights the cursor); the form is rebuilt only
//! when its shape changes (a milestone, task or resource added or removed) or another template
//! is loaded.

mod editor;

use super::{SettingsHead, Tab};
use crate::api::plans::{list_templates, save_template};
use crate::components::layout::Card;
use crate::components::notice::Loaded;
use crate::error::AppError;
use crate::model::plan::*;
use crate::model::TemplateId;
use leptos::prelude::*;

/// How many tasks each milestone has and how many resources each task: what the form is built
/// from.
type Shape = Vec<Vec<usize>>;

fn shape_of(d: &TemplateInput) -> Shape {
    d.milestones.iter().map(|m| m.tasks.iter().map(|t| t.resources.len()).collect()).collect()
}

/// The template being edited.
#[derive(Clone, Copy)]
struct TemplateDraft {
    draft: RwSignal<TemplateInput>,
    /// The template's id (`None` for a new one).
    selected: RwSignal<Option<TemplateId>>,
    /// Bumped when a template is loaded into the form, which then shows its values.
    loaded: RwSignal<u32>,
    shape: Memo<Shape>,
    dirty: RwSignal<bool>,
    /// The browser's check of the draft.
    client_err: Memo<Option<AppError>>,
    /// The server's answer to the last save, until the next edit.
    server_err: RwSignal<Option<AppError>>,
    notice: RwSignal<Option<String>>,
}

impl TemplateDraft {
    fn new() -> Self {
        let draft = RwSignal::new(TemplateInput::default());
        TemplateDraft {
            draft,
            selected: RwSignal::new(None),
            loaded: RwSignal::new(0),
            shape: Memo::new(move |_| draft.with(shape_of)),
            dirty: RwSignal::new(false),
            client_err: Memo::new(move |_| draft.with(|d| d.validate().err())),
            server_err: RwSignal::new(None),
            notice: RwSignal::new(None),
        }
    }

    /// Opens template `t`, or a new one with one empty milestone.
    fn load(self, t: Option<JourneyTemplate>) {
        self.selected.set(t.as_ref().map(|t| t.id.clone()));
        self.draft.set(t.as_ref().map(TemplateInput::from_template).unwrap_or_else(|| {
            TemplateInput {
                milestones: vec![TemplateMilestone {
                    title: String::new(),
                    offset_days: 7,
                    first_value: false,
                    tasks: vec![],
                }],
                ..Default::default()
            }
        }));
        self.server_err.set(None);
        self.notice.set(None);
        self.dirty.set(false);
        self.loaded.update(|n| *n += 1);
    }

    /// Changes the draft (adding or removing a part rebuilds the form through `shape`).
    fn edit(self, f: impl FnOnce(&mut TemplateInput)) {
        self.draft.update(f);
        self.server_err.set(None);
        self.dirty.set(true);
    }

    /// Changes milestone `i`.
    fn milestone(self, i: usize, f: impl FnOnce(&mut TemplateMilestone)) {
        self.edit(|d| {
            if let Some(m) = d.milestones.get_mut(i) {
                f(m)
            }
        });
    }

    /// Changes task `j` of milestone `i`.
    fn task(self, i: usize, j: usize, f: impl FnOnce(&mut TemplateTask)) {
        self.milestone(i, |m| {
            if let Some(t) = m.tasks.get_mut(j) {
                f(t)
            }
        });
    }

    /// Changes resource `k` of task `j` of milestone `i`.
    fn resource(self, i: usize, j: usize, k: usize, f: impl FnOnce(&mut TrainingResource)) {
        self.task(i, j, |t| {
            if let Some(r) = t.resources.get_mut(k) {
                f(r)
            }
        });
    }

    /// The message for `field` (a path such as `milestones[0].tasks[1].title`).
    fn msg(self, field: String) -> impl Fn() -> Option<String> + Send + Sync + 'static {
        move || {
            self.server_err
                .get()
                .or_else(|| self.client_err.get())
                .and_then(|e| e.for_field(&field))
        }
    }

    /// Saves the draft as the selected template's next version (or a new template).
    fn save(self, saved: RwSignal<u32>) {
        let id = self.selected.get_untracked().map(TemplateId::into_inner).unwrap_or_default();
        let input = self.draft.get_untracked();
        leptos::task::spawn_local(async move {
            match save_template(id, input).await {
                Ok(t) => {
                    self.notice.set(Some(format!(
                        "Saved “{}” as version {}. Plans made earlier keep their own copy.",
                        t.name, t.version
                    )));
                    self.selected.set(Some(t.id.clone()));
                    self.dirty.set(false);
                    saved.update(|n| *n += 1);
                }
                Err(e) => self.server_err.set(Some(e)),
            }
        });
    }
}

#[component]
pub fn TemplatesPage() -> impl IntoView {
    let saved_version = RwSignal::new(0u32);
    let templates = Resource::new(move || saved_version.get(), |_| list_templates());
    let t = TemplateDraft::new();
    provide_context(t);
    // The first template opens once the list arrives.
    Effect::new(move |_| {
        if let Some(Ok(list)) = templates.get() {
            if t.selected.get_untracked().is_none() && !t.dirty.get_untracked() {
                t.load(list.into_iter().next());
            }
        }
    });
    view! {
        <SettingsHead current=Tab::Templates intro="Journey templates: the plans CSMs start from."/>
        <div class="columns template-layout">
            <Card id="tpl-list-h" title="Templates">
                <Loaded resource=templates inline=true let:list>
                    <TemplateList list/>
                </Loaded>
                <button type="button" class="button small" on:click=move |_| t.load(None)>"+ New template"</button>
            </Card>
            <section class="card" aria-labelledby="tpl-edit-h">
                <h2 id="tpl-edit-h">{move || if t.selected.get().is_some() { "Edit template" } else { "New template" }}</h2>
                {move || t.notice.get().map(|n| view! { <div class="banner-ok" role="status">{n}</div> })}
                {move || {
                    t.loaded.track();
                    t.shape.track();
                    view! { <editor::TemplateEditor input=t.draft.get_untracked()/> }
                }}
                <div class="form-actions sticky-actions">
                    <button type="button" class="button primary" on:click=move |_| t.save(saved_version) disabled=move ||
                        t.client_err.get().is_some()>"Save template"</button>
                    {move || t.dirty.get().then(|| view! { <span class="muted small">"Unsaved changes"</span> })}
                    {move || t.client_err.get().map(|e| view! { <span class="error small">{fix_before_saving(&e)}</span> })}
                </div>
            </section>
        </div>
    }
}

/// "Fix 2 fields before saving".
fn fix_before_saving(e: &AppError) -> String {
    let what = match e {
        AppError::Validation(v) => {
            format!("{} field{}", v.len(), if v.len() == 1 { "" } else { "s" })
        }
        _ => "the form".into(),
    };
    format!("Fix {what} before saving")
}

/// The templates, the one being edited marked; a click opens one.
#[component]
fn TemplateList(list: Vec<JourneyTemplate>) -> impl IntoView {
    let t = expect_context::<TemplateDraft>();
    view! {
        <ul class="tpl-list">
            {list.into_iter().map(|tpl| {
                let id = tpl.id.clone();
                let summary = format!(" v{} · {} milestones", tpl.version, tpl.milestones.len());
                let name = tpl.name.clone();
                view! {
                    <li class:active=move || t.selected.get().as_deref() == Some(id.as_str())>
                        <button type="button" class="link" on:click=move |_| t.load(Some(tpl.clone()))>{name}</button>
                        <span class="muted small">{summary}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
