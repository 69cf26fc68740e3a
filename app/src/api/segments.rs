//! Saved segments, their movement, and the engagement levels they filter on.

use crate::error::AppError;
use crate::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::ctx, crate::service, crate::store};

#[server(endpoint = "segments/list", output = crate::api::codec::Json)]
pub async fn list_segments() -> Result<Vec<Segment>, AppError> {
    ctx::run(Permission::View, |state, _| async move { store::segments::list(&state.db).await })
        .await
}

/// Saves the filter given as a portfolio URL query (`tier=smb&stage=growth`) under a name.
#[server(endpoint = "segments/save", output = crate::api::codec::Json)]
pub async fn save_segment(name: String, query: String) -> Result<Segment, AppError> {
    ctx::run(Permission::EditSegments, |state, me| async move {
        let name = validate_segment_name(&name)?;
        if query.len() > 4_000 {
            return Err(AppError::field("name", "this filter is too long to save"));
        }
        let filter = PortfolioFilter::from_query_string(&query);
        if filter.is_empty() {
            return Err(AppError::field(
                "name",
                "choose at least one filter before saving a segment",
            ));
        }
        filter.check()?;
        service::segments::create(&state.db, &state.portfolio, &name, &filter, &me.id).await
    })
    .await
}

/// Deletes a saved segment. Any CSM may, because segments are theirs to organise the portfolio;
/// one that a health model, a cadence rule or a live survey relies on is refused (409) with the
/// list of what uses it, since those are mostly admins' settings that would otherwise change
/// without anyone deciding it.
#[server(endpoint = "segments/delete", output = crate::api::codec::Json)]
pub async fn delete_segment(id: String) -> Result<(), AppError> {
    ctx::run(Permission::EditSegments, |state, _| async move {
        store::segments::delete(&state.db, &id).await
    })
    .await
}

/// Every saved segment with its accounts, ARR, health and who entered and left lately.
#[server(endpoint = "segments/overview", output = crate::api::codec::Json)]
pub async fn segments_overview() -> Result<Vec<SegmentOverview>, AppError> {
    ctx::run(Permission::View, |state, _| async move {
        service::segments::overview(&state.db, &state.portfolio).await
    })
    .await
}

/// Where the engagement levels start (logins per active user per week).
#[server(endpoint = "segments/engagement-levels", output = crate::api::codec::Json)]
pub async fn engagement_levels() -> Result<EngagementThresholds, AppError> {
    ctx::run(Permission::View, |state, _| async move {
        store::settings::engagement_levels(&state.db).await
    })
    .await
}

/// Moves the engagement levels; every account is re-levelled in the background, and segments
/// on engagement follow.
#[server(endpoint = "segments/engagement-levels/save", output = crate::api::codec::Json)]
pub async fn save_engagement_levels(
    medium_from: String, high_from: String,
) -> Result<(), AppError> {
    ctx::run(Permission::ManageSettings, |state, _| async move {
        let t = EngagementThresholds::parse(&medium_from, &high_from)?;
        store::settings::save_engagement_levels(&state.db, &t).await?;
        service::health::rescore_all_in_background(
            &state.db,
            &state.portfolio,
            "new engagement levels",
        );
        Ok(())
    })
    .await
}
