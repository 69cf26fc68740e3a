//! The engagement model as it stands today: each account's cadences (which rules apply follows
//! its segments now), what the account page shows under Engagement, the customer's replies to
//! touchpoints awaiting them, and time to value.

use super::portfolio;
use crate::error::AppError;
use crate::metrics::time_to_value;
use crate::model::engagement::{
    cadence_due, CadenceDue, CadenceRule, Engagement, Touchpoint, TouchpointKind,
};
use crate::model::plan::TimeToValue;
use crate::model::AccountId;
use crate::state::AppState;
use crate::store;
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};

/// Each account's cadences as they stand on `today`. Segment membership is evaluated now (from
/// the portfolio index), so an account that moves segment gets the new segment's cadence at once.
pub async fn cadences_for(
    state: &AppState, accounts: &[store::accounts::Basics], today: NaiveDate,
) -> Result<Vec<(AccountId, Vec<CadenceDue>)>, AppError> {
    let rules = store::touchpoints::rules(&state.db).await?;
    if rules.is_empty() || accounts.is_empty() {
        return Ok(accounts.iter().map(|a| (a.id.clone(), vec![])).collect());
    }
    let segments = store::segments::list(&state.db).await?;
    let mut members: HashMap<String, HashSet<String>> = HashMap::new();
    for r in &rules {
        if members.contains_key(&r.segment_id) {
            continue;
        }
        if let Some(seg) = segments.iter().find(|s| s.id == r.segment_id) {
            let ids = portfolio::ids(&state.db, &state.portfolio, &seg.filter).await?;
            members.insert(r.segment_id.clone(), ids.into_iter().collect());
        }
    }
    let ids: Vec<String> = accounts.iter().map(|a| a.id.to_string()).collect();
    let last = store::touchpoints::last_by_kind(&state.db, &ids).await?;
    Ok(accounts
        .iter()
        .map(|a| {
            let applicable: Vec<&CadenceRule> = rules
                .iter()
                .filter(|r| members.get(&r.segment_id).is_some_and(|m| m.contains(a.id.as_str())))
                .collect();
            let mine: Vec<(TouchpointKind, NaiveDate)> =
                last.iter().filter(|(acc, _, _)| a.id == *acc).map(|(_, k, d)| (*k, *d)).collect();
            (a.id.clone(), cadence_due(&applicable, &mine, a.contract_start, today))
        })
        .collect())
}

/// The account's cadences and its five latest touchpoints.
pub async fn for_account(state: &AppState, account: &str) -> Result<Engagement, AppError> {
    let today = chrono::Utc::now().date_naive();
    let basics = store::accounts::basics(&state.db, &[account.to_string()]).await?;
    if basics.is_empty() {
        return Err(AppError::NotFound("account".into()));
    }
    let cadences =
        cadences_for(state, &basics, today).await?.pop().map(|(_, c)| c).unwrap_or_default();
    let touchpoints = store::touchpoints::for_account(&state.db, account, 5).await?;
    Ok(Engagement { cadences, touchpoints })
}

/// Logs the customer's reply to an awaiting touchpoint of `account`, then re-scores the account
/// (its rules, delayed response among them, see the reply) and tells the pages open on it.
pub async fn customer_replied(
    state: &AppState, account: &str, touchpoint: &str,
) -> Result<Touchpoint, AppError> {
    let t = store::touchpoints::customer_replied(&state.db, account, touchpoint).await?;
    state.account_activity(account);
    Ok(t)
}

/// Median days to first value overall, per cohort and per saved segment.
pub async fn time_to_value(state: &AppState) -> Result<TimeToValue, AppError> {
    let rows = store::plans::first_value(&state.db).await?;
    let mut by_segment = Vec::new();
    for seg in store::segments::list(&state.db).await? {
        let ids: HashSet<String> =
            portfolio::ids(&state.db, &state.portfolio, &seg.filter).await?.into_iter().collect();
        by_segment.push(time_to_value::row(
            seg.name.clone(),
            rows.iter().filter(|(a, _, _)| ids.contains(a)),
        ));
    }
    Ok(TimeToValue {
        overall: time_to_value::row("All accounts".into(), &rows),
        by_cohort: time_to_value::by_cohort(&rows),
        by_segment,
    })
}

/// A touchpoint another system logs (a calendar or an email integration, through the REST
/// API): on the account `account` names, by the active staff member whose email is `logged_by`
/// (if any), once per `idempotency_key` — a re-sent one is found, not logged again (`false`).
/// A reference that names no account, or an email that names no active staff member, is a
/// refusal of that field.
pub async fn log_from_integration(
    state: &AppState, account: &crate::model::usage::AccountRef,
    t: &crate::model::engagement::ValidTouchpoint, logged_by: Option<&str>, idempotency_key: &str,
) -> Result<(Touchpoint, bool), AppError> {
    use crate::model::usage::AccountRef;
    let found = portfolio::resolve(&state.db, &state.portfolio, [account]).await?;
    let Some(account_id) = found.get(account).cloned().flatten() else {
        let field = match account {
            AccountRef::Id(_) => "account_id",
            AccountRef::External(_) => "external_id",
        };
        return Err(AppError::field(field, "names no account"));
    };
    let by = match logged_by {
        None => None,
        Some(email) => {
            let email = email.trim().to_lowercase();
            let users = store::users::list(&state.db).await?;
            let user = users.into_iter().find(|u| u.active && u.email.to_lowercase() == email);
            let user = user
                .ok_or_else(|| AppError::field("logged_by", "names no active Bellwether user"))?;
            Some(user.id.to_string())
        }
    };
    // The same key always names the same touchpoint; a hash keeps any key a valid record id.
    let id = crate::auth::token_hash(&format!("touchpoint:{idempotency_key}"))[..32].to_string();
    let (touchpoint, created) =
        store::touchpoints::create_once(&state.db, &account_id, t, by.as_deref(), &id).await?;
    if created {
        state.account_activity(&account_id);
    }
    Ok((touchpoint, created))
}
