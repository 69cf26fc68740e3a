//! Settings → Surveys: the contact-frequency cap and how long a follow-up may stay open.

use crate::api::surveys::{get_survey_settings, SaveSurveySettings};
use crate::components::action::{refusal, successes};
use crate::components::field::TextField;
use crate::components::layout::Card;
use crate::components::notice::ErrorBanner;
use leptos::prelude::*;

#[component]
pub fn SurveySettingsCard() -> impl IntoView {
    let save = ServerAction::<SaveSurveySettings>::new();
    // Re-read after a save only: a refusal keeps what was typed beside its message.
    let saved = successes(save.value());
    let current = Resource::new(move || saved.get(), |_| get_survey_settings());
    let errors = refusal(save.value());
    view! {
        <Card id="survey-settings-h" title="Surveys">
            <ErrorBanner error=errors/>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let s = current.await.unwrap_or_default();
                    view! {
                        <ActionForm action=save attr:novalidate="true" attr:class="stack">
                            <TextField label="Frequency cap (days)" name="cap_days" field="cap_days" errors kind="number" inputmode="numeric"
                                value=s.cap_days.to_string() hint="A contact gets at most one survey — of any kind — in this many days. 0 turns the cap off."/>
                            <TextField label="Follow-up due after (days)" name="follow_up_days" field="follow_up_days" errors kind="number" inputmode="numeric"
                                value=s.follow_up_days.to_string() hint="A low score opens a follow-up for the account owner, due this many days later."/>
                            <button type="submit" class="button primary">"Save survey settings"</button>
                            {move || save.value().get().and_then(|r| r.ok()).map(|_| view! { <p class="ok" role="status">"Saved."</p> })}
                        </ActionForm>
                    }
                })}
            </Suspense>
        </Card>
    }
}
