//! Small labels for tiers, stages and roles.

use crate::model::{SizeTier, Stage};
use leptos::prelude::*;

#[component]
pub fn TierBadge(tier: SizeTier) -> impl IntoView {
    view! { <span class=format!("badge tier-{}", tier.key())>{tier.label()}</span> }
}

#[component]
pub fn StageBadge(stage: Stage) -> impl IntoView {
    view! { <span class=format!("badge stage-{}", stage.key())>{stage.label()}</span> }
}
