//! The backtest: how well the model (saved, or the draft on demand) would have told churned
//! accounts from retained ones 90 days ahead.

use super::{BacktestAction, Draft};
use crate::components::layout::Card;
use crate::model::health::Backtest;
use leptos::prelude::*;

#[component]
pub(super) fn BacktestCard(backtest: BacktestAction, draft: Draft, scope: String) -> impl IntoView {
    let run = move |_| {
        backtest.dispatch((scope.clone(), draft.config.get_untracked()));
    };
    view! {
        <Card id="bt-h" title="Backtest" class="backtest">
            <p class="muted small">"Each churned account scored as it was 90 days before it churned; each retained account as it was 90 days ago. AUC: \
                the chance a retained account scored above a churned one (0.5 = a coin toss, 1 = perfect)."</p>
            {move || match backtest.value().get() {
                None if backtest.pending().get() => view! { <p class="muted">"Running…"</p> }.into_any(),
                None => view! { <p class="muted small">"Not run yet."</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                Some(Ok(b)) => view! { <BacktestView b/> }.into_any(),
            }}
            <button type="button" class="button small" disabled=move || draft.problems.get().is_some() || backtest.pending().get() on:click=run>
                {move || if draft.changed.get() { "Backtest my changes" } else { "Run again" }}
            </button>
        </Card>
    }
}

#[component]
fn BacktestView(b: Backtest) -> impl IntoView {
    view! {
        <p><span class="auc" data-testid="auc">{b.auc.map(|a| format!("{a:.2}")).unwrap_or_else(|| "–".into())}
            </span>" "<span class="muted">"ROC AUC"</span></p>
        <p class="muted small">{format!("{} churned and {} retained accounts; {} without enough history then.", b.churned, b.retained, b.skipped)}</p>
        <table class="breakdown">
            <caption class="muted small">{format!("By band {} days before churn (or before today)", b.days_before)}</caption>
            <thead><tr><th scope="col">"Band"</th><th scope="col" class="num">"Accounts"</th><th scope="col" class="num">"Churned"</th>
                <th scope="col" class="num">"Rate"</th></tr></thead>
            <tbody>
                {b.per_band.into_iter().map(|(band, n, c)| view! {
                    <tr>
                        <th scope="row"><span class=format!("pill {}", band.key())>{band.label()}</span></th>
                        <td class="num">{n}</td><td class="num">{c}</td>
                        <td class="num">{if n == 0 { "–".to_string() } else { format!("{:.0} %", 100.0 * c as f64 / n as f64) }}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
