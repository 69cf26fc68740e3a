//! `/revenue/import` (admins): ARR movements from a CSV — a spreadsheet kept before Bellwether,
//! or a billing system's export. The file is read in the browser (or pasted) and checked by
//! `preview_movement_import` against every account's ledger, writing nothing: the admin sees
//! each row's fate (new, already imported, refused with the column and why) before "Import N
//! rows" stores the good ones. Rows carry an idempotency key (their own, or one made from their
//! content), so importing the same file again stores nothing twice.

use crate::api::revenue::{ImportMovements, PreviewMovementImport};
use crate::components::action::refusal;
use crate::components::layout::use_me;
use crate::components::notice::{ErrorBanner, LoadError};
use crate::error::AppError;
use crate::model::money::format_minor;
use crate::model::revenue::{ImportOutcome, ImportRow, IMPORT_MAX_BYTES};
use crate::model::Permission;
use leptos::prelude::*;
use leptos_meta::Title;

/// Rows the table shows (refused first); the counts cover every row.
const SHOWN_ROWS: usize = 200;

const SAMPLE: &str = "external_id,kind,on,arr_before,arr_after,currency,reason,idempotency_key
ACME-001,expansion,2025-03-01,12000000,15000000,USD,Added 40 seats,crm-7731";

#[component]
pub fn RevenueImportPage() -> impl IntoView {
    let me = use_me();
    let preview = ServerAction::<PreviewMovementImport>::new();
    let import = ServerAction::<ImportMovements>::new();
    if !me.role.may(Permission::ManageSettings) {
        let why = Permission::ManageSettings.refusal();
        return view! { <LoadError error=AppError::Forbidden(why.into())/> }.into_any();
    }
    let csv = RwSignal::new(String::new());
    let file = RwSignal::new(None::<String>);
    let file_error = RwSignal::new(None::<AppError>);
    let (preview_refused, import_refused) = (refusal(preview.value()), refusal(import.value()));
    let error = Signal::derive(move || {
        file_error.get().or_else(|| import_refused.get()).or_else(|| preview_refused.get())
    });
    let csv_msg = Signal::derive(move || error.get().and_then(|e| e.for_field("csv")));
    // Another text makes the last preview and import stale.
    let forget = move || {
        preview.value().set(None);
        import.value().set(None);
        file_error.set(None);
    };
    let run_preview = move |_| {
        import.value().set(None);
        preview.dispatch(PreviewMovementImport { csv: csv.get_untracked() });
    };
    let run_import = Callback::new(move |_: ()| {
        import.dispatch(ImportMovements { csv: csv.get_untracked() });
    });
    let busy = move || preview.pending().get() || import.pending().get();
    view! {
        <Title text="Import ARR movements"/>
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/settings">"Settings"</a>" / "<span>"Import ARR movements"</span></nav>
        <div class="page-head"><div>
            <h1>"Import ARR movements"</h1>
            <p class="muted">"Load the history of ARR changes from a CSV. Every row is checked first; nothing is imported until you confirm."</p>
        </div></div>
        <div class="rev-import">
            <section class="card" aria-labelledby="imp-h">
                <h2 id="imp-h">"The file"</h2>
                <ErrorBanner error fields_only_inline=true/>
                <div class="field" class:invalid=move || csv_msg.get().is_some()>
                    <label for="imp-file">"CSV file"</label>
                    <input id="imp-file" type="file" accept=".csv,text/csv,text/plain" data-testid="import-file" on:change=move |ev| {
                        forget();
                        read_file(&ev, csv, file, file_error);
                    }/>
                    <small class="hint">{move || file.get().map(|n| format!("{n} · {} KB", csv.with(|t| t.len().div_ceil(1024))))}</small>
                </div>
                <div class="field" class:invalid=move || csv_msg.get().is_some()>
                    <label for="imp-csv">"…or paste the rows"</label>
                    <textarea id="imp-csv" rows="8" spellcheck="false" class="rev-csv" data-testid="import-csv" placeholder=SAMPLE
                        aria-describedby="imp-csv-error" prop:value=move || csv.get()
                        on:input=move |ev| { forget(); file.set(None); csv.set(event_target_value(&ev)); }></textarea>
                    <small class="error" id="imp-csv-error" aria-live="polite">{move || csv_msg.get()}</small>
                </div>
                <button type="button" class="button" data-testid="import-preview" on:click=run_preview
                    disabled=move || busy() || csv.with(|t| t.trim().is_empty())>
                    {move || if preview.pending().get() { "Checking…" } else { "Preview" }}
                </button>
            </section>
            <Help/>
            {move || match (import.value().get(), preview.value().get()) {
                (Some(Ok(done)), _) => Some(view! { <Outcome o=done import=run_import busy=Signal::derive(busy)/> }.into_any()),
                (_, Some(Ok(checked))) => Some(view! { <Outcome o=checked import=run_import busy=Signal::derive(busy)/> }.into_any()),
                _ => None,
            }}
        </div>
    }
    .into_any()
}

/// The columns, with a sample line.
#[component]
fn Help() -> impl IntoView {
    view! {
        <section class="card rev-help" aria-labelledby="imp-help-h">
            <h2 id="imp-help-h">"Columns"</h2>
            <dl class="rev-columns">
                <dt><code>"external_id"</code>" or "<code>"account_id"</code></dt><dd>"The account: its CRM id or Bellwether id."</dd>
                <dt><code>"kind"</code></dt><dd><code>"new"</code>", "<code>"expansion"</code>", "<code>"contraction"</code>", "<code>"churn"</code>" or "
                    <code>"reactivation"</code>" — it must agree with the amounts."</dd>
                <dt><code>"on"</code></dt><dd>"The day it took effect, YYYY-MM-DD; not before the contract start or the account's last change."</dd>
                <dt><code>"arr_before"</code>", "<code>"arr_after"</code></dt><dd>"In cents (minor units): 12000000 is 120,000.00. "
                    <code>"arr_before"</code>" must be what the previous change left."</dd>
                <dt><code>"currency"</code></dt><dd>"The account's currency, e.g. USD."</dd>
                <dt><code>"reason"</code>", "<code>"idempotency_key"</code></dt><dd>"Optional. Rows without a key get one from their content, \
                    so importing the same file twice stores nothing twice."</dd>
            </dl>
            <pre class="code small">{SAMPLE}</pre>
        </section>
    }
}

/// The counts and the rows of a preview (with "Import N rows") or of an import.
#[component]
fn Outcome(o: ImportOutcome, import: Callback<()>, busy: Signal<bool>) -> impl IntoView {
    let total = o.rows.len();
    let fresh = o.rows.iter().filter(|r| r.outcome == "new").count();
    let mut rows = o.rows;
    // A long file: the refusals first, as they are what needs reading.
    if total > SHOWN_ROWS {
        rows.sort_by_key(|r| (r.outcome != "refused", r.line));
        rows.truncate(SHOWN_ROWS);
    }
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let (head, lead) = if o.preview {
        ("Preview", "Nothing has been imported yet.")
    } else {
        ("Imported", "The refused rows were left out; fix them and import the file again.")
    };
    let stored_label = if o.preview {
        plural(fresh, "new row", "new rows")
    } else {
        plural(o.stored, "row stored", "rows stored")
    };
    view! {
        <section class="card rev-outcome" aria-labelledby="imp-out-h" data-testid=if o.preview { "import-outcome-preview" } else { "import-outcome-done" }>
            <div class="card-head">
                <h2 id="imp-out-h">{head}</h2>
                {o.preview.then(|| {
                    let label = if fresh == 0 { "Nothing new to import".to_string() } else { format!("Import {}", plural(fresh, "row", "rows")) };
                    view! {
                        <button type="button" class="button primary" data-testid="import-confirm" disabled=move || fresh == 0 || busy.get()
                            on:click=move |_| import.run(())>{label}</button>
                    }
                })}
            </div>
            <p class="muted small">{lead}</p>
            <ul class="rev-counts" data-testid="import-counts">
                <li class:ok-count={if o.preview { fresh > 0 } else { o.stored > 0 }}><strong>{stored_label}</strong></li>
                <li><strong>{plural(o.duplicates, "duplicate", "duplicates")}</strong>" (already imported)"</li>
                <li class:bad-count={o.refused > 0}><strong>{plural(o.refused, "refused", "refused")}</strong></li>
            </ul>
            {(total > SHOWN_ROWS).then(|| view! {
                <p class="muted small">{format!("Showing {SHOWN_ROWS} of {total} rows, refused ones first.")}</p>
            })}
            <div class="table-wrap">
                <table class="compact rev-rows" data-testid="import-rows">
                    <thead><tr>
                        <th scope="col" class="num">"Line"</th><th scope="col">"Outcome"</th><th scope="col">"Account"</th>
                        <th scope="col">"Kind"</th><th scope="col">"Date"</th><th scope="col">"ARR before → after"</th>
                    </tr></thead>
                    <tbody>{rows.into_iter().map(|r| view! { <RowView r/> }).collect_view()}</tbody>
                </table>
            </div>
        </section>
    }
}

/// An amount as written in the file, formatted when it reads as minor units.
fn amount(text: &str, currency: &str) -> String {
    match text.trim().parse::<i64>() {
        Ok(minor) if !currency.trim().is_empty() => format_minor(minor, currency.trim()),
        _ => text.to_string(),
    }
}

#[component]
fn RowView(r: ImportRow) -> impl IntoView {
    let field = r.field.clone().unwrap_or_default();
    let bad = move |cols: &[&str]| cols.contains(&field.as_str());
    let account_bad = bad(&["external_id", "account_id", "account"]);
    let (kind_bad, on_bad) = (bad(&["kind"]), bad(&["on"]));
    let amounts_bad = bad(&["arr_before", "arr_after", "currency"]);
    let outcome = r.outcome.clone();
    let label = match outcome.as_str() {
        "new" => "New",
        "duplicate" => "Already imported",
        _ => "Refused",
    };
    view! {
        <tr class=format!("imp-{outcome}") data-testid="import-row">
            <td class="num">{r.line}</td>
            <td class="wrap rev-why">
                <span class=format!("badge imp-badge imp-badge-{outcome}")>{label}</span>
                {r.message.clone().map(|m| view! {
                    " "<code data-testid="import-field">{r.field.clone().unwrap_or_default()}</code>" "<span>{m}</span>
                })}
            </td>
            <td class:rev-bad=account_bad>{r.account.clone()}</td>
            <td class:rev-bad=kind_bad>{r.kind.clone()}</td>
            <td class:rev-bad=on_bad>{r.on.clone()}</td>
            <td class:rev-bad=amounts_bad>
                {amount(&r.arr_before, &r.currency)}" → "{amount(&r.arr_after, &r.currency)}
                {(!r.currency.is_empty()).then(|| view! { <span class="muted small">" "{r.currency.clone()}</span> })}
            </td>
        </tr>
    }
}

/// Reads the chosen file as text into `into` (a CSV is UTF-8 text), its name into `name`.
fn read_file(
    ev: &leptos::ev::Event, into: RwSignal<String>, name: RwSignal<Option<String>>,
    error: RwSignal<Option<AppError>>,
) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::{closure::Closure, JsCast};
        let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        let Some(file) = input.and_then(|i| i.files()).and_then(|f| f.get(0)) else { return };
        if file.size() > IMPORT_MAX_BYTES as f64 {
            error.set(Some(AppError::field("csv", "the file is larger than 4 MB; split it")));
            return;
        }
        let Ok(reader) = web_sys::FileReader::new() else { return };
        let (r, file_name) = (reader.clone(), file.name());
        let onload = Closure::once(move || match r.result().ok().and_then(|v| v.as_string()) {
            Some(text) => {
                into.set(text);
                name.set(Some(file_name));
            }
            None => error.set(Some(AppError::field("csv", "the file could not be read as text"))),
        });
        reader.set_onload(Some(onload.as_ref().unchecked_ref()));
        onload.forget();
        let _ = reader.read_as_text(&file);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, into, name, error, IMPORT_MAX_BYTES);
}
