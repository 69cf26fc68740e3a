//! What if: the draft's red/yellow/green distribution against the saved model's, the accounts
//! it moves most, and Save / Discard.

use super::{Draft, SaveAction};
use crate::components::distribution::DistributionView;
use crate::components::layout::Card;
use crate::components::notice::ErrorBanner;
use crate::metrics::health::{distribution, score, score_changes, ScoreChange, ScoreChanges};
use crate::model::health::*;
use leptos::prelude::*;

/// How many of the most affected accounts are listed.
const MOST_AFFECTED: usize = 8;

#[component]
pub(super) fn WhatIfCard(
    accounts: Vec<WhatIfAccount>, draft: Draft, save: SaveAction, scope: String,
) -> impl IntoView {
    let n_accounts = accounts.len();
    let Rescored { before_dist, after_dist, affected } = rescore(accounts, draft);
    let Draft { changed, problems, server_error, .. } = draft;
    let save_draft = move |_| {
        save.dispatch((scope.clone(), draft.config.get_untracked()));
    };
    view! {
        <Card id="whatif-h" title="What if" class="what-if">
            <p class="muted small">{format!("{n_accounts} accounts scored by this model, re-scored in your browser as you edit.")}</p>
            {move || changed.get().then(|| view! { <p class="unsaved" role="status">"Unsaved changes: nothing has been saved yet."</p> })}
            {move || view! { <DistributionView dist=after_dist.get() before=before_dist.clone()
                caption="With your changes; the line below each count is the change from the saved model.".to_string()/> }}
            <h3>"Most affected accounts"</h3>
            {move || {
                let changes = affected.get();
                if changes.most_affected.is_empty() {
                    view! { <p class="muted small">"No account's score changes."</p> }.into_any()
                } else {
                    let total = changes.total;
                    view! {
                        <p class="muted small">{format!("{total} account{} would change.", if total == 1 { "" } else { "s" })}</p>
                        <ul class="affected">{changes.most_affected.into_iter().map(|change| view! { <Affected change/> }).collect_view()}</ul>
                    }.into_any()
                }
            }}
            <ErrorBanner error=server_error/>
            <div class="actions">
                <button type="button" class="button primary" data-testid="save-model"
                    disabled=move || !changed.get() || problems.get().is_some() || save.pending().get() on:click=save_draft>
                    {move || if save.pending().get() { "Saving…" } else { "Save as a new version" }}
                </button>
                <button type="button" class="button ghost" disabled=move || !changed.get() on:click=move |_| draft.reset()>"Discard changes"</button>
            </div>
            {move || problems.get().map(|_| view! { <p class="error small">"Fix the fields marked in the model before saving."</p> })}
        </Card>
    }
}

/// The saved model's distribution, and the draft's distribution and most-affected accounts,
/// re-computed on every change to the draft.
struct Rescored {
    before_dist: Distribution,
    after_dist: Memo<Distribution>,
    affected: Memo<ScoreChanges>,
}

/// Scores `accounts` with the saved model once and with the draft on every change.
fn rescore(accounts: Vec<WhatIfAccount>, draft: Draft) -> Rescored {
    // The saved model's scores, computed once; the draft's on every change.
    let saved = draft.saved.get_value();
    let before: Vec<HealthScore> = accounts.iter().map(|a| score(&saved, &a.facts)).collect();
    let before_dist = distribution(
        accounts.iter().zip(&before).map(|(a, s)| (s.band, a.currency.as_str(), a.arr_minor)),
    );
    let before = StoredValue::new(before.into_iter().map(|s| s.score).collect::<Vec<_>>());
    let accounts = StoredValue::new(accounts);
    let after = Memo::new(move |_| {
        draft.config.with(|cfg| {
            accounts.with_value(|list| {
                list.iter()
                    .map(|a| {
                        let s = score(cfg, &a.facts);
                        (s.score, s.band)
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let after_dist = Memo::new(move |_| {
        after.with(|scores| {
            accounts.with_value(|list| {
                distribution(
                    list.iter()
                        .zip(scores)
                        .map(|(a, (_, b))| (*b, a.currency.as_str(), a.arr_minor)),
                )
            })
        })
    });
    let affected = Memo::new(move |_| {
        let after: Vec<Option<u8>> = after.with(|v| v.iter().map(|(s, _)| *s).collect());
        accounts
            .with_value(|list| before.with_value(|b| score_changes(list, b, &after, MOST_AFFECTED)))
    });
    Rescored { before_dist, after_dist, affected }
}

/// An account the draft moves: "62 → 71", marked up or down.
#[component]
fn Affected(change: ScoreChange) -> impl IntoView {
    let show = |s: Option<u8>| s.map(|s| s.to_string()).unwrap_or_else(|| "–".into());
    view! {
        <li>
            <a href=format!("/accounts/{}", change.id)>{change.name.clone()}</a>
            <span class=format!("delta {}", if change.rises() { "up" } else { "down" })>
                {format!("{} → {}", show(change.before), show(change.after))}
            </span>
        </li>
    }
}
