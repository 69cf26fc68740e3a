//! Surveys: define, preview the audience, send, read results; survey settings.

use crate::error::AppError;
use crate::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::ctx,
    crate::{service, store},
};

#[server(endpoint = "surveys/list", output = crate::api::codec::Json)]
pub async fn list_surveys() -> Result<Vec<SurveySummary>, AppError> {
    ctx::run(Permission::View, |state, _| async move { store::surveys::list(&state.db).await })
        .await
}

#[server(endpoint = "surveys/create", output = crate::api::codec::Json)]
pub async fn create_survey(input: SurveyInput) -> Result<Survey, AppError> {
    ctx::run(Permission::RunSurveys, |state, me| async move {
        store::surveys::create(&state.db, &input.validate()?, &me.id).await
    })
    .await
}

#[server(endpoint = "surveys/results", output = crate::api::codec::Json)]
pub async fn get_survey_results(
    id: SurveyId, #[server(default)] filter: VerbatimFilter,
) -> Result<SurveyResults, AppError> {
    ctx::run(Permission::View, |state, _| async move {
        let mut survey = store::surveys::get(&state.db, &id).await?;
        survey.share_url = format!("{}/s/a/{}", state.public_url, survey.public_key);
        store::responses::results(&state.db, &state.portfolio, &survey, &filter, chrono::Utc::now())
            .await
    })
    .await
}

/// Who the survey would reach if sent now, and who the cap holds back and why.
#[server(endpoint = "surveys/preview", output = crate::api::codec::Json)]
pub async fn preview_audience(id: SurveyId) -> Result<AudiencePreview, AppError> {
    ctx::run(Permission::View, |state, _| async move {
        let survey = store::surveys::get(&state.db, &id).await?;
        service::surveys::preview(&state, &survey).await
    })
    .await
}

/// Queues invitations for every contact the cap allows; the mailer sends them.
#[server(endpoint = "surveys/send", output = crate::api::codec::Json)]
pub async fn send_survey(id: SurveyId) -> Result<SendOutcome, AppError> {
    ctx::run(Permission::RunSurveys, |state, _| async move {
        let survey = store::surveys::get(&state.db, &id).await?;
        if !survey.active {
            return Err(AppError::field("form", "this survey is closed; reopen it before sending"));
        }
        service::surveys::send(&state, &survey).await
    })
    .await
}

#[server(endpoint = "surveys/set_active", output = crate::api::codec::Json)]
pub async fn set_survey_active(id: SurveyId, active: bool) -> Result<(), AppError> {
    ctx::run(Permission::RunSurveys, |state, _| async move {
        store::surveys::set_active(&state.db, &id, active).await?;
        state.surveys.forget_surveys();
        Ok(())
    })
    .await
}

/// Accounts or contacts matching a search, for the audience picker.
#[server(endpoint = "surveys/pick", output = crate::api::codec::Json)]
pub async fn pick_audience(what: String, q: String) -> Result<Vec<PickItem>, AppError> {
    ctx::run(Permission::View, |state, _| async move {
        let q = q.trim();
        if q.chars().count() > 100 {
            return Err(AppError::field("q", "search with at most 100 characters"));
        }
        match AudienceKind::parse(&what) {
            Some(AudienceKind::Accounts) => {
                let filter = PortfolioFilter {
                    q: (!q.is_empty()).then(|| q.to_string()),
                    ..Default::default()
                };
                let page = service::portfolio::page(&state.db, &state.portfolio, &filter).await?;
                Ok(page.rows.into_iter().take(20).map(account_pick).collect())
            }
            Some(AudienceKind::Contacts) => {
                store::accounts::search_contacts(&state.db, q, 20).await
            }
            _ => Err(AppError::field("what", "search accounts or contacts")),
        }
    })
    .await
}

#[cfg(feature = "ssr")]
fn account_pick(r: AccountRow) -> PickItem {
    PickItem {
        id: r.id,
        label: r.name,
        detail: format!("{} · {}", r.tier.label(), r.stage.label()),
    }
}

/// An account's survey responses and figures, for its page.
#[server(endpoint = "surveys/account", output = crate::api::codec::Json)]
pub async fn get_account_surveys(account: AccountId) -> Result<AccountSurveys, AppError> {
    ctx::run(Permission::View, |state, _| async move {
        store::responses::for_account(&state.db, &account).await
    })
    .await
}

#[server(endpoint = "settings/surveys", output = crate::api::codec::Json)]
pub async fn get_survey_settings() -> Result<SurveySettings, AppError> {
    ctx::run(Permission::View, |state, _| async move { store::settings::surveys(&state.db).await })
        .await
}

#[server(endpoint = "settings/surveys/save", output = crate::api::codec::Json)]
pub async fn save_survey_settings(
    cap_days: String, follow_up_days: String,
) -> Result<SurveySettings, AppError> {
    ctx::run(Permission::ManageSettings, |state, _| async move {
        let s = SurveySettings::parse(&cap_days, &follow_up_days)?;
        store::settings::save_surveys(&state.db, &s).await?;
        state.surveys.remember_settings(s);
        Ok(s)
    })
    .await
}

/// The dashboard's customer-voice figures.
#[server(endpoint = "surveys/voice", output = crate::api::codec::Json)]
pub async fn get_voice_summary() -> Result<VoiceSummary, AppError> {
    ctx::run(Permission::View, |state, _| async move {
        let db = state.db.clone();
        let v = state.dashboards.voice(|| store::responses::voice(&db, chrono::Utc::now())).await?;
        Ok((*v).clone())
    })
    .await
}
