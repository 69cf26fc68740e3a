//! Closing the loop (follow-ups) and feedback from other channels.

use crate::error::AppError;
use crate::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::ctx, crate::store};

/// Follow-ups: `status` is open, closed or blank (all); `mine` keeps the caller's own.
#[server(endpoint = "follow_ups/list", output = crate::api::codec::Json)]
pub async fn list_follow_ups(
    #[server(default)] status: String, #[server(default)] mine: bool,
) -> Result<FollowUpList, AppError> {
    ctx::run(Permission::View, |state, me| async move {
        let status = match status.trim() {
            "" | "all" => None,
            s => Some(
                FollowUpStatus::parse(s)
                    .ok_or_else(|| AppError::field("status", "choose open, closed or all"))?,
            ),
        };
        let mine = mine.then_some(me.id.as_str());
        store::follow_ups::list(&state.db, status, mine, chrono::Utc::now()).await
    })
    .await
}

#[server(endpoint = "follow_ups/close", output = crate::api::codec::Json)]
pub async fn close_follow_up(id: String, outcome: String) -> Result<FollowUp, AppError> {
    ctx::run(Permission::RunSurveys, |state, me| async move {
        let outcome = crate::model::validate::required_text(&outcome, MAX_TEXT)
            .map_err(|m| AppError::field("outcome", format!("the outcome {m}")))?;
        store::follow_ups::close(&state.db, &id, &outcome, &me.id).await
    })
    .await
}

#[server(endpoint = "feedback/list", output = crate::api::codec::Json)]
pub async fn list_feedback(
    #[server(default)] filter: FeedbackFilter,
) -> Result<FeedbackView, AppError> {
    ctx::run(
        Permission::View,
        |state, _| async move { store::feedback::view(&state.db, &filter).await },
    )
    .await
}

#[server(endpoint = "feedback/create", output = crate::api::codec::Json)]
pub async fn create_feedback(input: FeedbackInput) -> Result<FeedbackItem, AppError> {
    ctx::run(Permission::RunSurveys, |state, me| async move {
        store::feedback::create(&state.db, &input.validate()?, &me.id).await
    })
    .await
}
