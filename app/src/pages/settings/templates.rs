//! Settings → Journey templates (admins): milestones with their day, the first-value mark, and
//! tasks with their day, owner role and training resources. The browser checks the draft with
//! the same code as the server as it is typed; every save is a new version, and plans already
//! made from a template keep what they copied.

use super::SettingsNav;
use crate::api::plans::{list_templates, save_template};
use crate::components::layout::use_me;
use crate::components::notice::LoadError;
use crate::error::AppError;
use crate::model::plan::*;
use crate::model::Stage;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TemplatesPage() -> impl IntoView {
    let me = use_me();
    if !me.role.can_manage_users() {
        return view! { <LoadError error=AppError::Forbidden("only admins edit journey templates".into())/> }
            .into_any();
    }
    let saved_version = RwSignal::new(0u32);
    let templates = Resource::new(move || saved_version.get(), |_| list_templates());
    let selected = RwSignal::new(None::<String>);
    let draft = RwSignal::new(TemplateInput::default());
    let shape = RwSignal::new(0u32);
    let edits = RwSignal::new(0u32);
    let server_err = RwSignal::new(None::<AppError>);
    let notice = RwSignal::new(None::<String>);
    let dirty = RwSignal::new(false);
    let client_err = Memo::new(move |_| {
        edits.get();
        shape.get();
        draft.with_untracked(|d| d.validate().err())
    });
    let errors = Signal::derive(move || server_err.get().or_else(|| client_err.get()));
    let load = move |t: Option<JourneyTemplate>| {
        selected.set(t.as_ref().map(|t| t.id.clone()));
        draft.set(
            t.as_ref()
                .map(TemplateInput::from_template)
                .unwrap_or_else(|| TemplateInput {
                    name: String::new(),
                    stage: String::new(),
                    description: String::new(),
                    milestones: vec![TemplateMilestone {
                        title: String::new(),
                        offset_days: 7,
                        first_value: false,
                        tasks: vec![],
                    }],
                    objectives: vec![],
                }),
        );
        server_err.set(None);
        notice.set(None);
        dirty.set(false);
        shape.update(|n| *n += 1);
    };
    // The first template opens once the list arrives.
    Effect::new(move |_| {
        if let Some(Ok(list)) = templates.get() {
            if selected.get_untracked().is_none() && !dirty.get_untracked() {
                load(list.into_iter().next());
            }
        }
    });
    let edit = move |f: Box<dyn FnOnce(&mut TemplateInput)>| {
        draft.update_untracked(|d| f(d));
        server_err.set(None);
        dirty.set(true);
        edits.update(|n| *n += 1);
    };
    let restructure = move |f: Box<dyn FnOnce(&mut TemplateInput)>| {
        edit(f);
        shape.update(|n| *n += 1);
    };
    let save = move |_| {
        let id = selected.get_untracked().unwrap_or_default();
        let input = draft.get_untracked();
        leptos::task::spawn_local(async move {
            match save_template(id, input).await {
                Ok(t) => {
                    notice.set(Some(format!(
                        "Saved “{}” as version {}. Plans made earlier keep their own copy.",
                        t.name, t.version
                    )));
                    selected.set(Some(t.id.clone()));
                    dirty.set(false);
                    saved_version.update(|n| *n += 1);
                }
                Err(e) => server_err.set(Some(e)),
            }
        });
    };
    let msg = move |field: String| move || errors.get().and_then(|e| e.for_field(&field));

    view! {
        <Title text="Journey templates"/>
        <div class="page-head"><div><h1>"Settings"</h1><p class="muted">"Journey templates: the plans CSMs start from."</p></div></div>
        <SettingsNav current="templates"/>
        <div class="columns template-layout">
            <section class="card" aria-labelledby="tpl-list-h">
                <h2 id="tpl-list-h">"Templates"</h2>
                <Transition fallback=|| view! { <p>"Loading…"</p> }>
                    {move || templates.get().map(|r| match r {
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="tpl-list">
                                {list.into_iter().map(|t| {
                                    let id = t.id.clone();
                                    let t2 = t.clone();
                                    view! {
                                        <li class:active=move || selected.get().as_deref() == Some(id.as_str())>
                                            <button type="button" class="link" on:click=move |_| load(Some(t2.clone()))>{t.name.clone()}</button>
                                            <span class="muted small">{format!(" v{} · {} milestones", t.version, t.milestones.len())}</span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    })}
                </Transition>
                <button type="button" class="button small" on:click=move |_| load(None)>"+ New template"</button>
            </section>
            <section class="card" aria-labelledby="tpl-edit-h">
                <h2 id="tpl-edit-h">{move || if selected.get().is_some() { "Edit template" } else { "New template" }}</h2>
                {move || notice.get().map(|n| view! { <div class="banner-ok" role="status">{n}</div> })}
                {move || {
                    shape.get();
                    let d = draft.get_untracked();
                    view! {
                        <div class="form-row">
                            <div class="field">
                                <label for="tpl-name">"Name"</label>
                                <input id="tpl-name" value=d.name.clone() on:input=move |ev| { let v = event_target_value(&ev); edit(Box::new(move |d| d.name = v)); }/>
                                <small class="error">{msg("name".into())}</small>
                            </div>
                            <div class="field">
                                <label for="tpl-stage">"Journey stage"</label>
                                <select id="tpl-stage" on:change=move |ev| { let v = event_target_value(&ev); edit(Box::new(move |d| d.stage = v)); }>
                                    <option value="" selected=d.stage.is_empty()>"Any"</option>
                                    {Stage::ALL.iter().map(|s| view! { <option value=s.key() selected=d.stage == s.key()>{s.label()}</option> }).collect_view()}
                                </select>
                            </div>
                        </div>
                        <div class="field">
                            <label for="tpl-desc">"Description"</label>
                            <input id="tpl-desc" value=d.description.clone() on:input=move |ev| { let v = event_target_value(&ev); edit(Box::new(move |d| d.description = v)); }/>
                        </div>
                        <p class="error">{msg("milestones".into())}</p>
                        <ol class="tpl-milestones">
                            {d.milestones.iter().enumerate().map(|(i, m)| view! {
                                <li class="tpl-ms">
                                    <div class="form-row tpl-ms-row">
                                        <div class="field">
                                            <label for=format!("tpl-m{i}-title")>{format!("Milestone {}", i + 1)}</label>
                                            <input id=format!("tpl-m{i}-title") value=m.title.clone() on:input=move |ev| { let v = event_target_value(&ev); edit(Box::new(move |d| d.milestones[i].title = v)); }/>
                                            <small class="error">{msg(format!("milestones[{i}].title"))}</small>
                                        </div>
                                        <div class="field narrow">
                                            <label for=format!("tpl-m{i}-day")>"Day"</label>
                                            <input id=format!("tpl-m{i}-day") type="number" min="0" max="730" value=m.offset_days on:input=move |ev| { let v = event_target_value(&ev).parse().unwrap_or(-1); edit(Box::new(move |d| d.milestones[i].offset_days = v)); }/>
                                            <small class="error">{msg(format!("milestones[{i}].offset_days"))}</small>
                                        </div>
                                        <label class="check"><input type="checkbox" checked=m.first_value on:change=move |ev| { let v = event_target_checked(&ev); edit(Box::new(move |d| d.milestones[i].first_value = v)); }/>" First value"</label>
                                        <button type="button" class="button ghost small danger" aria-label=format!("Remove milestone {}", i + 1) on:click=move |_| restructure(Box::new(move |d| { d.milestones.remove(i); }))>"Remove"</button>
                                    </div>
                                    <ul class="tpl-tasks">
                                        {m.tasks.iter().enumerate().map(|(j, t)| view! {
                                            <li>
                                                <div class="form-row tpl-task-row">
                                                    <div class="field">
                                                        <label for=format!("tpl-m{i}-t{j}")>"Task"</label>
                                                        <input id=format!("tpl-m{i}-t{j}") value=t.title.clone() on:input=move |ev| { let v = event_target_value(&ev); edit(Box::new(move |d| d.milestones[i].tasks[j].title = v)); }/>
                                                        <small class="error">{msg(format!("milestones[{i}].tasks[{j}].title"))}</small>
                                                    </div>
                                                    <div class="field narrow">
                                                        <label for=format!("tpl-m{i}-t{j}-day")>"Day"</label>
                                                        <input id=format!("tpl-m{i}-t{j}-day") type="number" min="0" value=t.offset_days on:input=move |ev| { let v = event_target_value(&ev).parse().unwrap_or(-1); edit(Box::new(move |d| d.milestones[i].tasks[j].offset_days = v)); }/>
                                                        <small class="error">{msg(format!("milestones[{i}].tasks[{j}].offset_days"))}</small>
                                                    </div>
                                                    <div class="field">
                                                        <label for=format!("tpl-m{i}-t{j}-role")>"Owner"</label>
                                                        <select id=format!("tpl-m{i}-t{j}-role") on:change=move |ev| { let v = OwnerRole::parse(&event_target_value(&ev)).unwrap_or(OwnerRole::Csm); edit(Box::new(move |d| d.milestones[i].tasks[j].owner_role = v)); }>
                                                            {OwnerRole::ALL.iter().map(|r| view! { <option value=r.key() selected=*r == t.owner_role>{r.label()}</option> }).collect_view()}
                                                        </select>
                                                    </div>
                                                    <button type="button" class="button ghost small danger" aria-label=format!("Remove task {}", j + 1) on:click=move |_| restructure(Box::new(move |d| { d.milestones[i].tasks.remove(j); }))>"×"</button>
                                                </div>
                                                <ul class="tpl-resources">
                                                    {t.resources.iter().enumerate().map(|(k, r)| view! {
                                                        <li class="form-row tpl-res-row">
                                                            <select aria-label="Resource kind" on:change=move |ev| { let v = ResourceKind::parse(&event_target_value(&ev)).unwrap_or(ResourceKind::Documentation); edit(Box::new(move |d| d.milestones[i].tasks[j].resources[k].kind = v)); }>
                                                                {ResourceKind::ALL.iter().map(|x| view! { <option value=x.key() selected=*x == r.kind>{x.label()}</option> }).collect_view()}
                                                            </select>
                                                            <input aria-label="Resource title" placeholder="Title" value=r.title.clone() on:input=move |ev| { let v = event_target_value(&ev); edit(Box::new(move |d| d.milestones[i].tasks[j].resources[k].title = v)); }/>
                                                            <input aria-label="Resource link" placeholder="https://…" value=r.url.clone() on:input=move |ev| { let v = event_target_value(&ev); edit(Box::new(move |d| d.milestones[i].tasks[j].resources[k].url = v)); }/>
                                                            <button type="button" class="button ghost small danger" aria-label="Remove resource" on:click=move |_| restructure(Box::new(move |d| { d.milestones[i].tasks[j].resources.remove(k); }))>"×"</button>
                                                            <small class="error">{msg(format!("milestones[{i}].tasks[{j}].resources[{k}].url"))}</small>
                                                            <small class="error">{msg(format!("milestones[{i}].tasks[{j}].resources[{k}].title"))}</small>
                                                        </li>
                                                    }).collect_view()}
                                                </ul>
                                                <button type="button" class="link small" on:click=move |_| restructure(Box::new(move |d| d.milestones[i].tasks[j].resources.push(TrainingResource { kind: ResourceKind::Documentation, title: String::new(), url: "https://".into() })))>"+ Training resource"</button>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                    <button type="button" class="button ghost small" on:click=move |_| restructure(Box::new(move |d| {
                                        let day = d.milestones[i].offset_days.max(0);
                                        d.milestones[i].tasks.push(TemplateTask { title: String::new(), offset_days: day, owner_role: OwnerRole::Csm, resources: vec![] });
                                    }))>"+ Task"</button>
                                </li>
                            }).collect_view()}
                        </ol>
                        <button type="button" class="button ghost small" on:click=move |_| restructure(Box::new(|d| {
                            let day = d.milestones.last().map(|m| m.offset_days + 14).unwrap_or(7);
                            d.milestones.push(TemplateMilestone { title: String::new(), offset_days: day, first_value: false, tasks: vec![] });
                        }))>"+ Milestone"</button>
                    }
                }}
                <div class="form-actions sticky-actions">
                    <button type="button" class="button primary" on:click=save disabled=move || client_err.get().is_some()>"Save template"</button>
                    {move || dirty.get().then(|| view! { <span class="muted small">"Unsaved changes"</span> })}
                    {move || client_err.get().map(|e| view! { <span class="error small">{format!("Fix {} before saving", match &e { AppError::Validation(v) => format!("{} field{}", v.len(), if v.len() == 1 { "" } else { "s" }), _ => "the form".into() })}</span> })}
                </div>
            </section>
        </div>
    }
    .into_any()
}
