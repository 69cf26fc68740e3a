//! Step 3 of an import: check the whole file, import it, watch it go, read what was refused
//! and download the report of every row.

use super::browser;
use super::run::{Phase, Progress, SHOWN_PROBLEMS};
use super::Picked;
use crate::components::layout::Card;
use crate::model::import::{check_mapping, ImportKind};
use leptos::prelude::*;

#[component]
pub fn RunCard(
    picked: RwSignal<Option<Picked>>, mapping: RwSignal<Vec<String>>, kind: RwSignal<ImportKind>,
    progress: RwSignal<Progress>, report: StoredValue<String>, stop: StoredValue<bool>,
    start: Callback<bool>,
) -> impl IntoView {
    let ready = move || {
        picked.with(|p| {
            p.as_ref()
                .is_some_and(|p| check_mapping(kind.get(), &p.headers, &mapping.get()).is_ok())
        })
    };
    let phase = move || progress.get().phase;
    let download = move |_| {
        let name =
            picked.with_untracked(|p| p.as_ref().map(|p| p.name.clone())).unwrap_or_default();
        let stem = name.trim_end_matches(".csv").trim_end_matches(".CSV");
        let what = if progress.get_untracked().dry_run { "check" } else { "import" };
        report.with_value(|text| browser::download(&format!("{stem}-{what}-report.csv"), text));
    };
    view! {
        <Card id="run-h" title="3. Check and import">
            {move || picked.get().is_none().then(|| view! { <p class="muted">"Choose a file first."</p> })}
            <div class="run-buttons">
                <button type="button" class="button" data-testid="import-check"
                    disabled=move || !ready() || phase().running() on:click=move |_| start.run(true)>"Check the file"</button>
                <button type="button" class="button primary" data-testid="import-run"
                    disabled=move || !ready() || phase().running() on:click=move |_| start.run(false)>"Import"</button>
                {move || phase().running().then(|| view! {
                    <button type="button" class="button ghost" on:click=move |_| stop.set_value(true)>"Stop"</button>
                })}
            </div>
            {move || {
                let p = progress.get();
                (p.phase != Phase::Idle).then(|| view! { <Status p/> })
            }}
            {move || matches!(phase(), Phase::Checked | Phase::Imported | Phase::Stopped).then(|| view! {
                <p><button type="button" class="button ghost small" data-testid="import-report" on:click=download>"Download the report (CSV)"</button>
                    <span class="muted small">" Every row with its outcome, and each problem by column."</span></p>
            })}
        </Card>
    }
}

/// The progress bar, the counts and the refused rows.
#[component]
fn Status(p: Progress) -> impl IntoView {
    let c = p.counts;
    let (verb, rows) = (if p.dry_run { "Checked" } else { "Imported" }, c.rows());
    let headline = match p.phase {
        Phase::Checking => format!("Checking… {rows} rows so far ({} %)", p.percent()),
        Phase::Importing => format!("Importing… {rows} rows so far ({} %)", p.percent()),
        Phase::Checked => format!("Checked {rows} rows: nothing was written."),
        Phase::Imported => format!("Imported: {rows} rows."),
        Phase::Stopped => format!("{verb} {rows} rows, then stopped."),
        Phase::Idle => String::new(),
    };
    let would = |s: &str| if p.dry_run { format!("would be {s}") } else { s.to_string() };
    let tiles = [
        (would("created"), c.created, "created"),
        (would("updated"), c.updated, "updated"),
        ("unchanged".to_string(), c.unchanged, "unchanged"),
        ("duplicates".to_string(), c.duplicate, "duplicate"),
        ("refused".to_string(), c.refused, "refused"),
    ];
    let more = c.refused.saturating_sub(p.problems.len() as u64);
    view! {
        <div class="import-status" data-phase=format!("{:?}", p.phase).to_lowercase()>
            <progress max="100" value=p.percent() aria-label="Progress"></progress>
            <p role="status" data-testid="import-status">{headline}</p>
            {p.error.clone().map(|e| view! { <div class="banner banner-error" role="alert">{e}</div> })}
            <ul class="import-counts">
                {tiles.into_iter().map(|(label, n, key)| view! {
                    <li class=format!("count-{key}") data-testid=format!("count-{key}")><strong>{n}</strong>" "{label}</li>
                }).collect_view()}
            </ul>
            {(!p.problems.is_empty()).then(|| view! {
                <h3>"Refused rows"</h3>
                <div class="table-wrap"><table class="problems" data-testid="import-problems">
                    <thead><tr><th scope="col" class="num">"Row"</th><th scope="col">"Key"</th><th scope="col">"Column"</th><th scope="col">"Problem"</th></tr></thead>
                    <tbody>{p.problems.iter().flat_map(|r| r.problems.iter().map(move |(col, msg)| view! {
                        <tr><td class="num">{r.row}</td><td><code>{r.key.clone()}</code></td><td>{col.clone()}</td><td>{msg.clone()}</td></tr>
                    })).collect_view()}</tbody>
                </table></div>
                {(more > 0).then(|| view! { <p class="muted small">{format!("… and {more} more refused rows in the report (the table shows the first {SHOWN_PROBLEMS}).")}</p> })}
            })}
        </div>
    }
}
