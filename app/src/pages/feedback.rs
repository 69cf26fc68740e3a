//! Feedback from interviews, focus groups, social media and support, tagged by theme.

use crate::api::feedback::{list_feedback, CreateFeedback};
use crate::components::action::refusal;
use crate::components::field::SelectField;
use crate::components::layout::use_me;
use crate::components::layout::Card;
use crate::components::notice::{ErrorBanner, Loaded};
use crate::model::Permission;
use crate::model::{FeedbackFilter, FeedbackSource, FeedbackView, PickItem, Sentiment};
use crate::pages::surveys::day;
use crate::pages::surveys::picker::Picker;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn FeedbackPage() -> impl IntoView {
    let me = use_me();
    let create = ServerAction::<CreateFeedback>::new();
    let filter = RwSignal::new(FeedbackFilter::default());
    let view_res =
        Resource::new(move || (filter.get(), create.version().get()), |(f, _)| list_feedback(f));
    view! {
        <Title text="Feedback"/>
        <div class="page-head"><div><h1>"Feedback"</h1><p class="muted">"What customers said outside surveys, counted by theme."</p></div></div>
        <div class="columns wide-left">
            <Card id="fb-list-h" title="Themes">
                <Loaded resource=view_res let:v>
                    <FeedbackList v filter/>
                </Loaded>
            </Card>
            {me.role.may(Permission::RunSurveys).then(|| view! { <FeedbackForm create/> })}
        </div>
    }
}

/// The themes (a click filters by one), the source and sentiment filters, and the items.
#[component]
fn FeedbackList(v: FeedbackView, filter: RwSignal<FeedbackFilter>) -> impl IntoView {
    let max = v.themes.iter().map(|t| t.count).max().unwrap_or(1).max(1);
    let active_theme = filter.with_untracked(|f| f.theme.clone());
    view! {
        {if v.themes.is_empty() { Some(view! { <p class="muted">"No themes yet."</p> }) } else { None }}
        <ul class="bars themes">
            {v.themes.into_iter().map(|t| {
                let theme = t.theme.clone();
                let on = active_theme.as_deref() == Some(t.theme.as_str());
                let pct = (t.count as f64 / max as f64 * 100.0).round();
                let neg = (t.negative as f64 / max as f64 * 100.0).round();
                view! {
                    <li>
                        <button type="button" class="bar-label link" aria-pressed=if on { "true" } else { "false" }
                            on:click=move |_| filter.update(|f| f.theme = if on { None } else { Some(theme.clone()) })>
                                {t.theme.clone()}</button>
                        <span class="bar" role="img" aria-label=format!("{}: {} items, {} negative", t.theme, t.count, t.negative)>
                            <span class="bar-fill" style=format!("width:{pct}%")></span>
                            <span class="bar-fill neg" style=format!("width:{neg}%")></span>
                        </span>
                        <span class="bar-value">{t.count}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
        <p class="muted small">"Red: negative items. Click a theme to filter."</p>
        <div class="filters">
            <div class="filter">
                <label for="fb-source">"Source"</label>
                <select id="fb-source" on:change=move |ev| { let v = event_target_value(&ev); filter.update(|f| f.source =
                    FeedbackSource::parse(&v)); }>
                    <option value="">"All sources"</option>
                    {FeedbackSource::ALL.iter().map(|s| view! { <option value=s.key() selected=filter.with_untracked(|f|
                        f.source == Some(*s))>{s.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="filter">
                <label for="fb-sentiment">"Sentiment"</label>
                <select id="fb-sentiment" on:change=move |ev| { let v = event_target_value(&ev); filter.update(|f| f.sentiment
                    = Sentiment::parse(&v)); }>
                    <option value="">"Any"</option>
                    {Sentiment::ALL.iter().map(|s| view! { <option value=s.key() selected=filter.with_untracked(|f|
                        f.sentiment == Some(*s))>{s.label()}</option> }).collect_view()}
                </select>
            </div>
            {active_theme.map(|t| view! { <span class="chip">{format!("Theme: {t}")}
                <button type="button" class="chip-x" aria-label="Clear theme" on:click=move |_| filter.update(|f| f.theme =
                    None)>"×"</button></span> })}
        </div>
        <h3>{format!("{} item{}", v.total, if v.total == 1 { "" } else { "s" })}</h3>
        <ul class="feedback-items">
            {v.items.into_iter().map(|i| view! {
                <li class=format!("feedback sentiment-{}", i.sentiment.key())>
                    <p>{i.text.clone()}</p>
                    <p class="muted small">
                        <span class=format!("badge sentiment-{}", i.sentiment.key())>{i.sentiment.label()}</span>" "
                        {i.source.label()}
                        {i.account_id.clone().map(|a| view! { " · " <a href=format!("/accounts/{a}")>
                            {i.account_name.clone().unwrap_or_default()}</a> })}
                        {format!(" · {} · {}", i.by_name.clone().unwrap_or_default(), day(&i.at))}
                    </p>
                    <p class="tags">{i.themes.iter().map(|t| view! { <span class="tag">{t.clone()}</span> }).collect_view()}</p>
                </li>
            }).collect_view()}
        </ul>
    }
}

/// A new item: its source, sentiment, account, themes and what was said.
#[component]
fn FeedbackForm(create: ServerAction<CreateFeedback>) -> impl IntoView {
    let errors = refusal(create.value());
    let account = RwSignal::new(Vec::<PickItem>::new());
    // A saved item clears the form's account choice (the form itself resets on success).
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            account.set(Vec::new());
        }
    });
    let sources: Vec<(String, String)> =
        FeedbackSource::ALL.iter().map(|s| (s.key().into(), s.label().into())).collect();
    let field =
        move |f: &'static str| Signal::derive(move || errors.get().and_then(|e| e.for_field(f)));
    let (text_err, themes_err) = (field("text"), field("themes"));
    let (sentiment_err, account_err) = (field("sentiment"), field("account_id"));
    view! {
        <Card id="fb-new-h" title="Log feedback">
            <ErrorBanner error=errors/>
            <ActionForm action=create attr:novalidate="true" attr:class="stack">
                <SelectField label="Source" name="input[source]" field="source" errors options=sources.clone() selected="interview".to_string()/>
                <fieldset class="field" class:invalid=move || sentiment_err.get().is_some()>
                    <legend>"Sentiment"</legend>
                    <div class="segmented">
                        {Sentiment::ALL.iter().map(|s| view! {
                            <label class="seg-option">
                                <input type="radio" name="input[sentiment]" value=s.key() checked=*s == Sentiment::Neutral/><span>{s.label()}
                                    </span></label>
                        }).collect_view()}
                    </div>
                    <small class="error" aria-live="polite">{move || sentiment_err.get()}</small>
                </fieldset>
                <div class="field" class:invalid=move || account_err.get().is_some()>
                    <Picker what="accounts" chosen=account name="input[account_id]" single=true label="Account (optional): search by name"/>
                    <small class="error" aria-live="polite">{move || account_err.get()}</small>
                </div>
                <div class="field" class:invalid=move || themes_err.get().is_some()>
                    <label for="f-themes">"Themes"</label>
                    <input id="f-themes" name="input[themes]" type="text" placeholder="onboarding, pricing" aria-describedby="f-themes-hint"/>
                    <small class="hint" id="f-themes-hint">"Comma-separated tags."</small>
                    <small class="error" aria-live="polite">{move || themes_err.get()}</small>
                </div>
                <div class="field" class:invalid=move || text_err.get().is_some()>
                    <label for="f-text">"What was said" <span class="req" aria-hidden="true">" *"</span></label>
                    <textarea id="f-text" name="input[text]" rows="4" maxlength="5000" aria-invalid=move ||
                        text_err.get().is_some().then_some("true")></textarea>
                    <small class="error" aria-live="polite">{move || text_err.get()}</small>
                </div>
                <button type="submit" class="button primary">"Log feedback"</button>
            </ActionForm>
        </Card>
    }
}
