//! Closing the loop (follow-ups) and feedback from other channels.

use crate::error::AppError;
use crate::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ctx;

/// Follow-ups: `status` is open, closed or blank (all); `mine` keeps the caller's own.
#[server(endpoint = "follow_ups/list")]
pub async fn list_follow_ups(
    #[server(default)] status: String,
    #[server(default)] mine: bool,
) -> Result<FollowUpList, AppError> {
    ctx::respond(
        async {
            let (state, me) = ctx::require(ctx::any_role, "").await?;
            let status = match status.trim() {
                "" | "all" => None,
                s => Some(
                    FollowUpStatus::parse(s)
                        .ok_or_else(|| AppError::field("status", "choose open, closed or all"))?,
                ),
            };
            crate::store::follow_ups::list(
                &state.db,
                status,
                mine.then_some(me.id.as_str()),
                chrono::Utc::now(),
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "follow_ups/close")]
pub async fn close_follow_up(id: String, outcome: String) -> Result<FollowUp, AppError> {
    ctx::respond(
        async {
            let (state, me) = ctx::require(
                Role::can_edit_accounts,
                "executives can read follow-ups but not close them",
            )
            .await?;
            let outcome = crate::model::validate::required_text(&outcome, MAX_TEXT)
                .map_err(|m| AppError::field("outcome", format!("the outcome {m}")))?;
            crate::store::follow_ups::close(&state.db, &id, &outcome, &me.id).await
        }
        .await,
    )
}

#[server(endpoint = "feedback/list")]
pub async fn list_feedback(
    #[server(default)] filter: FeedbackFilter,
) -> Result<FeedbackView, AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(ctx::any_role, "").await?;
            crate::store::feedback::view(&state.db, &filter).await
        }
        .await,
    )
}

#[server(endpoint = "feedback/create")]
pub async fn create_feedback(input: FeedbackInput) -> Result<FeedbackItem, AppError> {
    ctx::respond(
        async {
            let (state, me) = ctx::require(
                Role::can_edit_accounts,
                "executives can read feedback but not log it",
            )
            .await?;
            let valid = input.validate()?;
            crate::store::feedback::create(&state.db, &valid, &me.id).await
        }
        .await,
    )
}
