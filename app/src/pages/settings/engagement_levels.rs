//! Settings → Engagement: where the engagement levels (None / Low / Medium / High) start, in
//! logins per active user per week. Saving re-levels every account in the background, and
//! segments on engagement follow.

use crate::api::segments::{engagement_levels, SaveEngagementLevels};
use crate::components::action::{refusal, successes};
use crate::components::field::TextField;
use crate::components::layout::Card;
use crate::components::notice::{ErrorBanner, Loaded};
use leptos::prelude::*;

#[component]
pub fn EngagementLevelsCard() -> impl IntoView {
    let save = ServerAction::<SaveEngagementLevels>::new();
    // Re-read after a save only: a refusal keeps what was typed beside its message.
    let stored = successes(save.value());
    let levels = Resource::new(move || stored.get(), |_| engagement_levels());
    let errors = refusal(save.value());
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    view! {
        <Card id="levels-h" title="Engagement levels">
            <p class="muted small">"Logins per active user per week over the last 30 days. No login at all is “None”; below Medium is “Low”."</p>
            <Loaded resource=levels inline=true let:t>
                <ActionForm action=save attr:class="stack levels-form">
                    <ErrorBanner error=errors fields_only_inline=true/>
                    <div class="form-row">
                        <TextField label="Medium from" name="medium_from" field="medium_from" errors inputmode="decimal"
                            value=t.medium_from.to_string() required=true hint="e.g. 1 — about one login a week each"/>
                        <TextField label="High from" name="high_from" field="high_from" errors inputmode="decimal"
                            value=t.high_from.to_string() required=true hint="e.g. 4 — part of the daily routine"/>
                    </div>
                    <button type="submit" class="button primary small">"Save levels"</button>
                    {move || saved().then(|| view! { <small class="ok" role="status">"Saved. Accounts are being re-levelled."</small> })}
                </ActionForm>
            </Loaded>
        </Card>
    }
}
