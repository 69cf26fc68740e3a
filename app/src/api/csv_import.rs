//! CSV import of accounts and contacts (admins): the mapping remembered from last time, and
//! one slice of a file checked or imported (see `service::csv_import`).

use crate::error::AppError;
use crate::model::import::SliceReport;
#[cfg(feature = "ssr")]
use crate::{api::ctx, model::import::ImportKind, model::Permission, service, store};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn kind_of(kind: &str) -> Result<ImportKind, AppError> {
    ImportKind::parse(kind).ok_or_else(|| AppError::field("kind", "must be accounts or contacts"))
}

/// The mapping used last time for a file of `kind`: (header, field) pairs.
#[server(endpoint = "imports/mapping", output = crate::api::codec::Json)]
pub async fn import_mapping(kind: String) -> Result<Vec<(String, String)>, AppError> {
    ctx::run(Permission::ManageSettings, |state, _| async move {
        let kind = kind_of(&kind)?;
        store::settings::import_mapping(&state.db, kind.key()).await
    })
    .await
}

/// Checks (`dry_run`) or imports one slice of a file: `csv` holds whole records and no header;
/// `first_row` is its first record's row in the file (the header is row 1); `repeats` lists
/// the records (0-based in `csv`) whose key an earlier slice had. Importing the first slice
/// remembers the mapping for next time.
#[server(endpoint = "imports/slice", input = server_fn::codec::Json, output = crate::api::codec::Json)]
pub async fn import_csv_slice(
    kind: String, headers: Vec<String>, mapping: Vec<String>, csv: String, first_row: u32,
    dry_run: bool, #[server(default)] repeats: Vec<u32>,
) -> Result<SliceReport, AppError> {
    ctx::run(Permission::ManageSettings, |state, _| async move {
        let kind = kind_of(&kind)?;
        let slice = service::csv_import::Slice {
            kind,
            headers: &headers,
            mapping: &mapping,
            csv: &csv,
            first_row: first_row.max(2),
            dry_run,
            repeats: &repeats,
        };
        let report = service::csv_import::import_slice(&state, slice).await?;
        if !dry_run && first_row <= 2 {
            let pairs: Vec<(String, String)> =
                headers.iter().cloned().zip(mapping.iter().cloned()).collect();
            store::settings::save_import_mapping(&state.db, kind.key(), &pairs).await?;
        }
        Ok(report)
    })
    .await
}
