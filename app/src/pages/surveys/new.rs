//! The survey form: type, question, extra questions, audience, one-off or recurring.

use super::picker::Picker;
use crate::api::segments::list_segments;
use crate::api::surveys::CreateSurvey;
use crate::components::action::{go_on_success, refusal};
use crate::components::field::TextField;
use crate::components::layout::use_me;
use crate::components::notice::{ErrorBanner, LoadError};
use crate::error::AppError;
use crate::model::Permission;
use crate::model::{AudienceKind, PickItem, QuestionKind, SurveyKind, MAX_QUESTIONS};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NewSurveyPage() -> impl IntoView {
    let me = use_me();
    if !me.role.may(Permission::RunSurveys) {
        return view! { <LoadError error=AppError::Forbidden("executives can read survey results but not create surveys".into())/> }
            .into_any();
    }
    let action = ServerAction::<CreateSurvey>::new();
    let errors = refusal(action.value());
    go_on_success(action.value(), |s| format!("/surveys/{}", s.id));
    let kind = RwSignal::new(SurveyKind::Nps);
    let segments = Resource::new(|| (), |_| list_segments());
    view! {
        <Title text="New survey"/>
        <div class="page-head"><div><h1>"New survey"</h1>
            <p class="muted">"Invitations go out when you press Send on the next page, after you have seen who will get one."</p></div></div>
        <section class="card form-card">
            <ErrorBanner error=errors/>
            <ActionForm action=action attr:novalidate="true" attr:class="stack">
                <TextField label="Name" name="input[name]" field="name" errors required=true
                    hint="For your team, e.g. “Q1 2027 NPS – Enterprise”. Customers do not see it."/>
                <KindChoice kind/>
                <div class="field">
                    <label for="f-question">"Question"</label>
                    <input id="f-question" name="input[question]" type="text" maxlength="300"
                        placeholder=move || kind.get().default_question()
                        aria-describedby="f-question-hint"/>
                    <small class="hint" id="f-question-hint">"Leave blank for the standard wording shown. A “why?” comment box always follows the \
                        score."</small>
                    <small class="error" aria-live="polite">{move || errors.get().and_then(|e| e.for_field("question"))}</small>
                </div>
                <ExtraQuestions errors/>
                <AudienceChoice errors segments/>
                <RepeatField errors/>
                <div class="form-actions">
                    <button type="submit" class="button primary" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { "Creating…" } else { "Create survey" }}
                    </button>
                    <a class="button ghost" href="/surveys">"Cancel"</a>
                </div>
            </ActionForm>
        </section>
    }
    .into_any()
}

/// The message the last refusal gives for `field`.
fn field_msg(errors: Signal<Option<AppError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || errors.get().and_then(|e| e.for_field(field)))
}

/// NPS, CSAT or CES, with the chosen one's formula below.
#[component]
fn KindChoice(kind: RwSignal<SurveyKind>) -> impl IntoView {
    view! {
        <fieldset class="field">
            <legend>"Type"</legend>
            <div class="segmented">
                {SurveyKind::ALL.iter().map(|k| {
                    let k = *k;
                    let (lo, hi) = k.range();
                    view! {
                        <label class="seg-option">
                            <input type="radio" name="input[kind]" value=k.key() checked=move || kind.get() == k on:change=move |_| kind.set(k)/>
                            <span><strong>{k.label()}</strong><small>{format!(" {lo}–{hi}")}</small></span>
                        </label>
                    }
                }).collect_view()}
            </div>
            <small class="hint">{move || kind.get().formula()}</small>
        </fieldset>
    }
}

/// Up to five extra questions, each with its own row number, so removing one keeps the others'
/// text.
#[component]
fn ExtraQuestions(errors: Signal<Option<AppError>>) -> impl IntoView {
    let questions = RwSignal::new(Vec::<u32>::new());
    let next_q = RwSignal::new(0u32);
    let q_err = field_msg(errors, "questions");
    view! {
        <fieldset class="field">
            <legend>"Extra questions " <span class="muted small">"(optional, up to 5)"</span></legend>
            <small class="error" aria-live="polite">{move || q_err.get()}</small>
            <For each=move || questions.get() key=|n| *n let:n>
                {
                    // Names carry the row's own number (gaps are fine for the server);
                    // messages name the position, which can change as rows go.
                    let pos = move || questions.with(|q| q.iter().position(|x| *x == n).unwrap_or(0));
                    let msg = Signal::derive(move || errors.get().and_then(|e| e.for_field(&format!("questions.{}", pos()))));
                    view! {
                        <div class="question-row" class:invalid=move || msg.get().is_some()>
                            <div class="field">
                                <label for=format!("q-{n}-prompt")>{move || format!("Question {}", pos() + 1)}</label>
                                <input id=format!("q-{n}-prompt") type="text" name=format!("input[questions][{n}][prompt]") maxlength="300"/>
                            </div>
                            <div class="field">
                                <label for=format!("q-{n}-kind")>"Answer"</label>
                                <select id=format!("q-{n}-kind") name=format!("input[questions][{n}][kind]")>
                                    {QuestionKind::ALL.iter().map(|k| view! { <option value=k.key()>{k.label()}</option> }).collect_view()}
                                </select>
                            </div>
                            <div class="field">
                                <label for=format!("q-{n}-options")>"Options " <span class="muted small">"(single choice: one per line)"</span></label>
                                <textarea id=format!("q-{n}-options") name=format!("input[questions][{n}][options]") rows="2"></textarea>
                            </div>
                            <button type="button" class="button ghost small" on:click=move |_| questions.update(|q| q.retain(|x| *x !=
                                n))>"Remove"</button>
                            <small class="error" aria-live="polite">{move || msg.get()}</small>
                        </div>
                    }
                }
            </For>
            <button type="button" class="button small" disabled=move || questions.with(|q| q.len() >= MAX_QUESTIONS)
                on:click=move |_| { let n = next_q.get(); next_q.set(n + 1); questions.update(|q| q.push(n)); }>
                "+ Add a question"
            </button>
        </fieldset>
    }
}

/// Who is asked: a saved segment (`segments`, the page's), chosen accounts or chosen contacts.
#[component]
fn AudienceChoice(
    errors: Signal<Option<AppError>>,
    segments: Resource<Result<Vec<crate::model::Segment>, AppError>>,
) -> impl IntoView {
    let audience = RwSignal::new(AudienceKind::Segment);
    let accounts = RwSignal::new(Vec::<PickItem>::new());
    let contacts = RwSignal::new(Vec::<PickItem>::new());
    let ids_err = field_msg(errors, "ids");
    let seg_err = field_msg(errors, "segment");
    view! {
        <fieldset class="field">
            <legend>"Who is asked"</legend>
            <div class="segmented">
                {AudienceKind::ALL.iter().map(|a| {
                    let a = *a;
                    view! {
                        <label class="seg-option">
                            <input type="radio" name="input[audience]" value=a.key() checked=move || audience.get() == a on:change=move |_|
                                audience.set(a)/>
                            <span>{a.label()}</span>
                        </label>
                    }
                }).collect_view()}
            </div>
            <div class="audience-detail">
                {move || match audience.get() {
                    AudienceKind::Segment => view! {
                        <div class="field" class:invalid=move || seg_err.get().is_some()>
                            <label for="f-segment">"Segment"</label>
                            <Suspense fallback=|| view! { <select disabled=true><option>"Loading…"</option></select> }>
                                {move || Suspend::new(async move {
                                    let list = segments.await.unwrap_or_default();
                                    view! {
                                        <select id="f-segment" name="input[segment]" aria-describedby="f-segment-error">
                                            <option value="">"Choose a saved segment"</option>
                                            {list.into_iter().map(|s| view! { <option value=s.id.clone()>{s.name.clone()}</option> }).collect_view()}
                                        </select>
                                    }
                                })}
                            </Suspense>
                            <small class="hint">"Evaluated when you send: accounts that join the segment later are included in later sends."</small>
                            <small class="error" id="f-segment-error" aria-live="polite">{move || seg_err.get()}</small>
                        </div>
                    }.into_any(),
                    AudienceKind::Accounts => view! {
                        <div class="field" class:invalid=move || ids_err.get().is_some()>
                            <Picker what="accounts" chosen=accounts name="input[ids]"/>
                            <small class="hint">"Every contact of these accounts is asked (subject to the frequency cap)."</small>
                            <small class="error" aria-live="polite">{move || ids_err.get()}</small>
                        </div>
                    }.into_any(),
                    AudienceKind::Contacts => view! {
                        <div class="field" class:invalid=move || ids_err.get().is_some()>
                            <Picker what="contacts" chosen=contacts name="input[ids]"/>
                            <small class="error" aria-live="polite">{move || ids_err.get()}</small>
                        </div>
                    }.into_any(),
                }}
            </div>
        </fieldset>
    }
}

/// One-off, or every 3, 6 or 12 months per contact.
#[component]
fn RepeatField(errors: Signal<Option<AppError>>) -> impl IntoView {
    let rec_err = field_msg(errors, "recurrence_months");
    view! {
        <div class="field" class:invalid=move || rec_err.get().is_some()>
            <label for="f-recurrence_months">"Repeat"</label>
            <select id="f-recurrence_months" name="input[recurrence_months]" aria-describedby="f-rec-error">
                <option value="">"One-off: ask each contact once"</option>
                <option value="3">"Every 3 months per contact"</option>
                <option value="6">"Every 6 months per contact"</option>
                <option value="12">"Every 12 months per contact"</option>
            </select>
            <small class="hint">"Recurring surveys invite each contact again when their period has passed; the hourly scheduler sends them."</small>
            <small class="error" id="f-rec-error" aria-live="polite">{move || rec_err.get()}</small>
        </div>
    }
}
