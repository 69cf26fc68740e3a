//! Surveys: define, preview the audience, send, read results; survey settings.

use crate::error::AppError;
use crate::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ctx;

#[server(endpoint = "surveys/list")]
pub async fn list_surveys() -> Result<Vec<SurveySummary>, AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(ctx::any_role, "").await?;
            crate::store::surveys::list(&state.db).await
        }
        .await,
    )
}

#[server(endpoint = "surveys/create")]
pub async fn create_survey(input: SurveyInput) -> Result<Survey, AppError> {
    ctx::respond(
        async {
            let (state, me) = ctx::require(
                Role::can_edit_accounts,
                "executives can read survey results but not create surveys",
            )
            .await?;
            let valid = input.validate()?;
            crate::store::surveys::create(&state.db, &valid, &me.id).await
        }
        .await,
    )
}

#[server(endpoint = "surveys/results")]
pub async fn get_survey_results(
    id: String,
    #[server(default)] filter: VerbatimFilter,
) -> Result<SurveyResults, AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(ctx::any_role, "").await?;
            let mut survey = crate::store::surveys::get(&state.db, &id).await?;
            survey.share_url = format!("{}/s/a/{}", state.public_url, survey.public_key);
            crate::store::responses::results(
                &state.db,
                &state.portfolio,
                &survey,
                &filter,
                chrono::Utc::now(),
            )
            .await
        }
        .await,
    )
}

/// Who the survey would reach if sent now, and who the cap holds back and why.
#[server(endpoint = "surveys/preview")]
pub async fn preview_audience(id: String) -> Result<AudiencePreview, AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(ctx::any_role, "").await?;
            let survey = crate::store::surveys::get(&state.db, &id).await?;
            let settings = state.survey_settings().await?;
            let decided = crate::store::surveys::decide(
                &state.db,
                &state.portfolio,
                &survey,
                &settings,
                chrono::Utc::now(),
            )
            .await?;
            Ok(crate::store::surveys::preview(decided))
        }
        .await,
    )
}

/// Queues invitations for every contact the cap allows; the mailer sends them.
#[server(endpoint = "surveys/send")]
pub async fn send_survey(id: String) -> Result<SendOutcome, AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(
                Role::can_edit_accounts,
                "executives can read survey results but not send surveys",
            )
            .await?;
            let survey = crate::store::surveys::get(&state.db, &id).await?;
            if !survey.active {
                return Err(AppError::field(
                    "form",
                    "this survey is closed; reopen it before sending",
                ));
            }
            send_now(&state, &survey).await
        }
        .await,
    )
}

/// Sends a survey's due invitations (the Send button and the recurring scheduler).
#[cfg(feature = "ssr")]
pub async fn send_now(
    state: &crate::state::AppState,
    survey: &Survey,
) -> Result<SendOutcome, AppError> {
    let settings = state.survey_settings().await?;
    let now = chrono::Utc::now();
    let decided =
        crate::store::surveys::decide(&state.db, &state.portfolio, survey, &settings, now).await?;
    let suppressed = decided.iter().filter(|(_, why)| why.is_some()).count() as u64;
    let eligible: Vec<_> = decided
        .into_iter()
        .filter(|(_, why)| why.is_none())
        .map(|(c, _)| c)
        .collect();
    let queued = crate::store::surveys::queue(&state.db, survey, &eligible, &settings, now).await?;
    if queued > 0 {
        state.mail_wakeup.notify_one();
    }
    Ok(SendOutcome {
        queued,
        suppressed: suppressed + (eligible.len() as u64 - queued),
    })
}

#[server(endpoint = "surveys/set_active")]
pub async fn set_survey_active(id: String, active: bool) -> Result<(), AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(
                Role::can_edit_accounts,
                "executives can read surveys but not open or close them",
            )
            .await?;
            crate::store::surveys::set_active(&state.db, &id, active).await?;
            state.forget_surveys();
            Ok(())
        }
        .await,
    )
}

/// Accounts or contacts matching a search, for the audience picker.
#[server(endpoint = "surveys/pick")]
pub async fn pick_audience(what: String, q: String) -> Result<Vec<PickItem>, AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(ctx::any_role, "").await?;
            let q = q.trim();
            if q.chars().count() > 100 {
                return Err(AppError::field("q", "search with at most 100 characters"));
            }
            match AudienceKind::parse(&what) {
                Some(AudienceKind::Accounts) => {
                    let f = PortfolioFilter {
                        q: (!q.is_empty()).then(|| q.to_string()),
                        ..Default::default()
                    };
                    let page = match state.portfolio.query(&f) {
                        Some(p) => p,
                        None => crate::store::accounts::portfolio(&state.db, &f).await?,
                    };
                    Ok(page
                        .rows
                        .into_iter()
                        .take(20)
                        .map(|r| PickItem {
                            id: r.id,
                            label: r.name,
                            detail: format!("{} · {}", r.tier.label(), r.stage.label()),
                        })
                        .collect())
                }
                Some(AudienceKind::Contacts) => {
                    crate::store::accounts::search_contacts(&state.db, q, 20).await
                }
                _ => Err(AppError::field("what", "search accounts or contacts")),
            }
        }
        .await,
    )
}

/// An account's survey responses and figures, for its page.
#[server(endpoint = "surveys/account")]
pub async fn get_account_surveys(account: String) -> Result<AccountSurveys, AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(ctx::any_role, "").await?;
            crate::store::responses::for_account(&state.db, &account).await
        }
        .await,
    )
}

#[server(endpoint = "settings/surveys")]
pub async fn get_survey_settings() -> Result<SurveySettings, AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(ctx::any_role, "").await?;
            crate::store::settings::surveys(&state.db).await
        }
        .await,
    )
}

#[server(endpoint = "settings/surveys/save")]
pub async fn save_survey_settings(
    cap_days: String,
    follow_up_days: String,
) -> Result<SurveySettings, AppError> {
    ctx::respond(
        async {
            let (state, _) =
                ctx::require(Role::can_manage_users, "only admins change survey settings").await?;
            let s = SurveySettings::parse(&cap_days, &follow_up_days)?;
            crate::store::settings::save_surveys(&state.db, &s).await?;
            state.remember_survey_settings(s);
            Ok(s)
        }
        .await,
    )
}

/// The dashboard's customer-voice figures.
#[server(endpoint = "surveys/voice")]
pub async fn get_voice_summary() -> Result<VoiceSummary, AppError> {
    ctx::respond(
        async {
            let (state, _) = ctx::require(ctx::any_role, "").await?;
            crate::store::responses::voice(&state.db, chrono::Utc::now()).await
        }
        .await,
    )
}
