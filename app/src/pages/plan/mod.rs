//! The plan builder (`/accounts/:id/plans/:plan`): objectives, milestones and tasks, edited in
//! place. Changes show at once (optimistic) and are replaced by the server's answer; when the
//! server refuses, the plan rolls back and a banner says what was undone and why. The page
//! follows the account's live stream, so a customer ticking a task on the shared plan appears
//! here without a reload.

mod milestone;
mod objectives;
mod share;
mod task;

use crate::api::plans::get_plan;
use crate::components::layout::use_me;
use crate::components::notice::LoadError;
use crate::error::AppError;
use crate::model::plan::*;
use crate::model::{AccountId, PlanId};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use std::future::Future;

/// What every part of the builder shares.
#[derive(Clone, Copy)]
pub(crate) struct Builder {
    /// The plan as the server last sent it.
    server: Resource<Result<PlanDetail, AppError>>,
    /// A newer copy: an optimistic change, or the server's answer to one.
    local: RwSignal<Option<PlanDetail>>,
    /// Changes still waiting for the server.
    busy: RwSignal<u32>,
    /// The last refusal, in words.
    pub error: RwSignal<Option<String>>,
    /// Read out by screen readers ("Moved … to position 2 of 4").
    pub announce: RwSignal<String>,
    pub can_edit: bool,
}

impl Builder {
    pub fn shown(&self) -> Option<PlanDetail> {
        self.local.get().or_else(|| self.server.get().and_then(|r| r.ok()))
    }

    pub fn shown_untracked(&self) -> Option<PlanDetail> {
        self.local.get_untracked().or_else(|| self.server.get_untracked().and_then(|r| r.ok()))
    }

    /// Takes the server's answer to a form (not optimistic: forms show field errors instead).
    pub fn accept(&self, d: PlanDetail) {
        self.local.set(Some(d));
        self.error.set(None);
    }

    /// Applies `change` at once, then sends `call`; the answer replaces the copy, a refusal
    /// restores what was there before and says so.
    pub fn run<Fut>(
        self, what: &'static str, change: impl FnOnce(&mut PlanDetail),
        call: impl FnOnce() -> Fut + 'static,
    ) where
        Fut: Future<Output = Result<PlanDetail, AppError>> + 'static,
    {
        let Some(before) = self.shown_untracked() else {
            return;
        };
        let mut after = before.clone();
        change(&mut after);
        self.local.set(Some(after));
        self.busy.update(|n| *n += 1);
        leptos::task::spawn_local(async move {
            match call().await {
                Ok(d) => {
                    self.local.set(Some(d));
                    self.error.set(None);
                }
                Err(e) => {
                    self.local.set(Some(before));
                    self.error.set(Some(format!(
                        "{what} was not saved and has been undone: {}",
                        explain(&e)
                    )));
                }
            }
            self.busy.update(|n| *n = n.saturating_sub(1));
        });
    }
}

/// A refusal as a person reads it.
fn explain(e: &AppError) -> String {
    match e {
        AppError::Validation(list) => {
            list.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("; ")
        }
        other => other.to_string(),
    }
}

pub(crate) fn use_builder() -> Builder {
    expect_context::<Builder>()
}

/// Moves keyboard focus to the element with `id` once the view has been redrawn.
pub(crate) fn focus_later(id: String) {
    #[cfg(feature = "hydrate")]
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Some(el) = document().get_element_by_id(&id) {
            let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

pub(crate) fn status_pill(d: &Derived) -> impl IntoView {
    view! {
        <span class=format!("pill s-{}", d.status.key()) title=d.reason.clone()>{d.status.label()}</span>
    }
}

pub(crate) fn progress_bar(done: usize, total: usize, label: String) -> impl IntoView {
    let pct = (done * 100).checked_div(total).unwrap_or(0);
    view! {
        <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=pct aria-label=label>
            <span style=format!("width:{pct}%")></span>
        </div>
    }
}

#[component]
pub fn PlanPage() -> impl IntoView {
    let me = use_me();
    let params = use_params_map();
    let plan_id = move || PlanId::from(params.get().get("plan").unwrap_or_default());
    let account_id =
        Signal::derive(move || AccountId::from(params.get().get("id").unwrap_or_default()));
    let live = RwSignal::new(0u32);
    // The resource is keyed by the plan only: re-reading it would rebuild the whole page (and
    // lose open forms and the link just made). Live changes are read into the local copy.
    let server = Resource::new(plan_id, get_plan);
    let b = Builder {
        server,
        local: RwSignal::new(None),
        busy: RwSignal::new(0),
        error: RwSignal::new(None),
        announce: RwSignal::new(String::new()),
        can_edit: me.role.can_edit_accounts(),
    };
    provide_context(b);
    // The live stream says something changed (a customer ticked a task, a colleague edited):
    // read the plan again, unless a change of ours is still on its way (its answer is newer).
    Effect::new(move |_| {
        if live.get() == 0 {
            return;
        }
        let id = plan_id();
        leptos::task::spawn_local(async move {
            if let Ok(d) = get_plan(id).await {
                if b.busy.get_untracked() == 0 {
                    b.local.set(Some(d));
                }
            }
        });
    });
    crate::components::live::listen_for_changes(account_id, live);
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || server.get().map(|r| match r {
                Err(e) => view! { <LoadError error=e/> }.into_any(),
                Ok(_) => view! { <PlanView/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn PlanView() -> impl IntoView {
    let b = use_builder();
    let today = chrono::Utc::now().date_naive();
    view! {
        {move || b.shown().map(|d| {
            let p = d.plan.clone();
            let derived = plan_status(&p, today);
            let (done, total) = progress(&p);
            view! {
                <Title text=format!("{} · {}", p.title, p.account_name)/>
                <nav class="crumbs" aria-label="Breadcrumb">
                    <a href="/">"Portfolio"</a>" / "
                    <a href=format!("/accounts/{}", p.account_id)>{p.account_name.clone()}</a>" / "
                    <span>{p.title.clone()}</span>
                </nav>
                <div class="page-head plan-head">
                    <div>
                        <h1>{p.title.clone()}</h1>
                        <p class="muted">
                            {format!("Starts {} · ", p.start.format("%d %b %Y"))}
                            {match (&p.template_name, p.template_version) {
                                (Some(n), Some(v)) => format!("from the {n} template (version {v})"),
                                _ => "blank plan".to_string(),
                            }}
                        </p>
                    </div>
                    <div class="plan-status" data-testid="plan-status">
                        {status_pill(&derived)}
                        <span class="muted small">{derived.reason.clone()}</span>
                        {progress_bar(done, total, format!("{done} of {total} steps done"))}
                        <span class="muted small">{format!("{done} of {total} steps done")}</span>
                    </div>
                </div>
            }
        })}
        {move || b.error.get().map(|e| view! {
            <div class="banner banner-error" role="alert">
                {e}" "<button type="button" class="button ghost small" on:click=move |_| b.error.set(None)>"Dismiss"</button>
            </div>
        })}
        <p class="sr-only" aria-live="assertive" data-testid="announce">{move || b.announce.get()}</p>
        <div class="columns wide-left plan-layout">
            <div>
                <objectives::Objectives/>
                <milestone::Milestones/>
            </div>
            <div>
                <share::ShareCard/>
                <share::Activity/>
            </div>
        </div>
    }
}
