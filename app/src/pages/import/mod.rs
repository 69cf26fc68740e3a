//! `/accounts/import` (admins): accounts or contacts from a CSV file of any size — a CRM's
//! export, a spreadsheet. Choose the file, say which column is which (guessed from the headers,
//! and remembered from last time), check the whole file (nothing written: each refused row is
//! listed by row and column), then import it with a progress bar and download the report of
//! every row. Rows are matched by external id (contacts by account and email), so importing
//! the same file again changes nothing.

mod browser;
mod mapping;
mod run;

use crate::api::csv_import::import_mapping;
use crate::components::layout::{use_me, Card};
use crate::components::notice::LoadError;
use crate::error::AppError;
use crate::model::import::{first_record_end, guess_mapping, parse_records, ImportKind};
use crate::model::Permission;
use leptos::prelude::*;
use leptos_meta::Title;
use mapping::MappingCard;
use run::{Job, Progress};

/// How much of the file is read to show its columns.
const HEAD_BYTES: u64 = 64 * 1024;

/// The chosen file: its name and size, its columns, and a few rows to recognise them by.
#[derive(Debug, Clone, PartialEq)]
pub struct Picked {
    pub name: String,
    pub size: u64,
    pub headers: Vec<String>,
    pub samples: Vec<Vec<String>>,
    pub header_bytes: u64,
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let me = use_me();
    let kind = RwSignal::new(ImportKind::Accounts);
    let remembered = Resource::new(move || kind.get(), |k| import_mapping(k.key().to_string()));
    if !me.role.may(Permission::ManageSettings) {
        let why = Permission::ManageSettings.refusal();
        return view! { <LoadError error=AppError::Forbidden(why.into())/> }.into_any();
    }
    let picked = RwSignal::new(None::<Picked>);
    let pick_error = RwSignal::new(None::<String>);
    let mapping = RwSignal::new(Vec::<String>::new());
    let progress = RwSignal::new(Progress::default());
    let report = StoredValue::new(String::new());
    let stop = StoredValue::new(false);
    // A new file, a new kind or the remembered mapping arriving: guess again.
    Effect::new(move |_| {
        let remembered = remembered.get().and_then(|r| r.ok()).unwrap_or_default();
        let guess =
            picked.with(|p| p.as_ref().map(|p| guess_mapping(kind.get(), &p.headers, &remembered)));
        mapping.set(guess.unwrap_or_default());
        progress.set(Progress::default());
    });
    let on_file = move |ev: leptos::ev::Event| {
        pick_error.set(None);
        picked.set(None);
        let Some((name, size)) = browser::take_file(&ev) else { return };
        leptos::task::spawn_local(async move {
            match read_head(name, size).await {
                Ok(p) => picked.set(Some(p)),
                Err(e) => pick_error.set(Some(e)),
            }
        });
    };
    let start = Callback::new(move |dry_run: bool| {
        let Some(p) = picked.get_untracked() else { return };
        let job = Job {
            kind: kind.get_untracked(),
            headers: p.headers,
            mapping: mapping.get_untracked(),
            header_bytes: p.header_bytes,
            size: p.size,
            dry_run,
        };
        leptos::task::spawn_local(run::run(job, progress, report, stop));
    });
    view! {
        <Title text="Import accounts and contacts"/>
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/">"Portfolio"</a>" / "<span>"Import"</span></nav>
        <div class="page-head"><div>
            <h1>"Import accounts and contacts"</h1>
            <p class="muted">"From a CSV file — a CRM's export or a spreadsheet — of any size. Check it first: nothing is written until you import."</p>
        </div></div>
        <div class="columns wide-left import-page">
            <div class="column-stack">
                <Card id="file-h" title="1. The file">
                    <fieldset class="field kinds" disabled=move || progress.get().phase.running()>
                        <legend>"It holds"</legend>
                        <div class="kind-options">{ImportKind::ALL.iter().map(|k| {
                            let k = *k;
                            view! {
                                <label class="check"><input type="radio" name="kind" value=k.key()
                                    prop:checked=move || kind.get() == k on:change=move |_| kind.set(k)/>" "{k.label()}</label>
                            }
                        }).collect_view()}</div>
                    </fieldset>
                    <div class="field">
                        <label for="import-file">"CSV file (UTF-8)"</label>
                        <input id="import-file" type="file" accept=".csv,text/csv,text/plain" data-testid="import-file"
                            disabled=move || progress.get().phase.running() on:change=on_file/>
                        {move || pick_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                        {move || picked.get().map(|p| view! {
                            <p class="muted small" data-testid="import-picked">{format!("{} — {}, {} columns", p.name, size_label(p.size), p.headers.len())}</p>
                        })}
                    </div>
                </Card>
                {move || picked.get().map(|p| view! { <MappingCard kind picked=p mapping progress/> })}
                <run_view::RunCard picked mapping kind progress report stop start/>
            </div>
            <div class="column-stack">
                <HelpCard kind/>
            </div>
        </div>
    }
    .into_any()
}

/// Reads the file's head: its header and up to five rows.
async fn read_head(name: String, size: u64) -> Result<Picked, String> {
    let bytes = browser::read(0, size.min(HEAD_BYTES)).await?;
    let header_bytes = first_record_end(&bytes).map(|n| n as u64).unwrap_or(size);
    if header_bytes > HEAD_BYTES {
        return Err("the first line is not a header row of column names".into());
    }
    let head = String::from_utf8_lossy(&bytes);
    let mut records = parse_records(&head);
    if records.is_empty() || records[0].iter().all(|h| h.trim().is_empty()) {
        return Err("the file is empty, or its first line has no column names".into());
    }
    let headers: Vec<String> =
        records.remove(0).into_iter().map(|h| h.trim().to_string()).collect();
    if headers.len() > crate::model::import::MAX_COLUMNS {
        return Err(format!(
            "the file has {} columns; at most {} are read",
            headers.len(),
            crate::model::import::MAX_COLUMNS
        ));
    }
    // The last record read may be cut off by the head's end: leave it out.
    records.truncate(records.len().saturating_sub(1).min(5));
    Ok(Picked { name, size, headers, samples: records, header_bytes })
}

fn size_label(bytes: u64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
        b if b >= 1024 => format!("{} KB", b / 1024),
        b => format!("{b} bytes"),
    }
}

/// What a file of the chosen kind needs, and an example.
#[component]
fn HelpCard(kind: RwSignal<ImportKind>) -> impl IntoView {
    view! {
        <Card id="help-h" title="What the file needs">
            {move || {
                let k = kind.get();
                let (how, sample) = match k {
                    ImportKind::Accounts => (
                        "One row per account, matched by its external id (your CRM's id): a new id creates the account, a known one updates it. ARR is not imported here: it comes from ARR movements.",
                        "external_id,name,tier,industry,stage,currency,contract_start,owner_email\ncrm-42,Acme,enterprise,Software,onboarding,USD,2026-01-15,grace@example.com",
                    ),
                    ImportKind::Contacts => (
                        "One row per contact, matched by their account's external id and their email: import the accounts first.",
                        "account_external_id,email,name,title,champion\ncrm-42,dana@acme.example,Dana Lee,VP Operations,yes",
                    ),
                };
                view! {
                    <p class="small">{how}</p>
                    <ul class="fields small">
                        {k.fields().iter().map(|f| view! {
                            <li><strong>{f.label}</strong>{f.required.then_some(" (required)")}" — "<code>{f.key}</code></li>
                        }).collect_view()}
                    </ul>
                    <pre class="code small">{sample}</pre>
                    <p class="muted small">"Tier is enterprise, mid_market or smb; stage onboarding, implementation, growth, renewal or churned; dates YYYY-MM-DD. \
                        A row equal to what is stored writes nothing, so importing the same file again is harmless."</p>
                }
            }}
        </Card>
    }
}

mod run_view;
