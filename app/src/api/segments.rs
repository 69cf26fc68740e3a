//! Saved segments.

use crate::error::AppError;
use crate::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::ctx, crate::store};

#[server(endpoint = "segments/list")]
pub async fn list_segments() -> Result<Vec<Segment>, AppError> {
    ctx::run(Permission::View, |state, _| async move { store::segments::list(&state.db).await })
        .await
}

/// Saves the filter given as a portfolio URL query (`tier=smb&stage=growth`) under a name.
#[server(endpoint = "segments/save")]
pub async fn save_segment(name: String, query: String) -> Result<Segment, AppError> {
    ctx::run(Permission::EditSegments, |state, me| async move {
        let name = validate_segment_name(&name)?;
        let filter = PortfolioFilter::from_query_string(&query);
        if filter.is_empty() {
            return Err(AppError::field(
                "name",
                "choose at least one filter before saving a segment",
            ));
        }
        store::segments::create(&state.db, &name, &filter, &me.id).await
    })
    .await
}

/// Deletes a saved segment. Any CSM may, because segments are theirs to organise the portfolio;
/// one that a health model, a cadence rule or a live survey relies on is refused (409) with the
/// list of what uses it, since those are mostly admins' settings that would otherwise change
/// without anyone deciding it.
#[server(endpoint = "segments/delete")]
pub async fn delete_segment(id: String) -> Result<(), AppError> {
    ctx::run(Permission::EditSegments, |state, _| async move {
        store::segments::delete(&state.db, &id).await
    })
    .await
}
