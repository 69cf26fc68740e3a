//! SLA settings as use cases: calendars, policies (and their matching order), escalation types
//! and paths; which policy covers an account; and the clocks of an escalation, computed from
//! its event log under the policy and calendar versions it was opened with.
//!
//! Versions never change once written, so they are cached for the life of the process: a
//! timer tick over 100 000 open escalations reads each version once.

use super::portfolio;
use crate::error::AppError;
use crate::metrics::sla::{self, BusinessTime, ClockEvent};
use crate::model::escalation::*;
use crate::model::Timestamp;
use crate::store::escalations::{sla as store, StoredEscalation};
use crate::store::portfolio_index::PortfolioIndex;
use crate::store::Db;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

type Cache<T> = Mutex<HashMap<(String, u32), Arc<T>>>;

fn calendars() -> &'static Cache<BusinessTime> {
    static C: OnceLock<Cache<BusinessTime>> = OnceLock::new();
    C.get_or_init(Default::default)
}

fn policies() -> &'static Cache<PolicyTerms> {
    static C: OnceLock<Cache<PolicyTerms>> = OnceLock::new();
    C.get_or_init(Default::default)
}

/// One calendar version, ready to count business time.
pub async fn business_time(db: &Db, id: &str, version: u32) -> Result<Arc<BusinessTime>, AppError> {
    let key = (id.to_string(), version);
    if let Some(b) = calendars().lock().expect("cache").get(&key) {
        return Ok(b.clone());
    }
    let spec = store::calendar_version(db, id, version)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("calendar {id} version {version}")))?;
    let b = Arc::new(BusinessTime::new(&spec).map_err(|p| AppError::field(&p.field, p.message))?);
    calendars().lock().expect("cache").insert(key, b.clone());
    Ok(b)
}

/// One policy version's terms.
pub async fn terms(db: &Db, id: &str, version: u32) -> Result<Arc<PolicyTerms>, AppError> {
    let key = (id.to_string(), version);
    if let Some(t) = policies().lock().expect("cache").get(&key) {
        return Ok(t.clone());
    }
    let t = store::policy_version(db, id, version)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("SLA policy {id} version {version}")))?;
    let t = Arc::new(t);
    policies().lock().expect("cache").insert(key, t.clone());
    Ok(t)
}

/// The clock events of a log, in time order (an automatic move up may sit before events a
/// helpdesk mirrored in later with earlier times).
pub fn clock_events(events: &[EscalationEvent]) -> Vec<ClockEvent> {
    let mut out: Vec<ClockEvent> =
        events.iter().map(|e| ClockEvent { kind: e.kind, at: e.at }).collect();
    out.sort_by_key(|e| e.at);
    out
}

/// An escalation's clocks at `now`, with the terms they ran under.
pub async fn clocks_of(
    db: &Db, e: &StoredEscalation, now: Timestamp,
) -> Result<(Clocks, Arc<PolicyTerms>, Arc<BusinessTime>), AppError> {
    let terms = terms(db, &e.policy, e.policy_version).await?;
    let cal = business_time(db, &e.calendar, e.calendar_version).await?;
    let clocks = sla::clocks(
        e.opened_at,
        &clock_events(&e.events),
        &terms.target(e.severity),
        terms.warn_at,
        &cal,
        now,
    );
    Ok((clocks, terms, cal))
}

/// The policy (id, version, terms) covering `account`: the one named (mirrored tickets), or the
/// first segment policy whose segment holds the account, in the admin-set order, or the default.
pub async fn policy_for(
    db: &Db, index: &PortfolioIndex, account: &str, named: Option<&str>,
) -> Result<(SlaPolicy, Arc<PolicyTerms>), AppError> {
    let all = store::policies(db).await?;
    let chosen = match named {
        Some(id) => all
            .iter()
            .find(|p| p.id == id)
            .ok_or_else(|| AppError::field("policy_id", "no SLA policy has this id"))?
            .clone(),
        None => {
            let segments = crate::store::segments::list(db).await?;
            let mut found = None;
            for p in all.iter().filter(|p| p.segment_id.is_some()) {
                let Some(seg) = segments.iter().find(|s| Some(&s.id) == p.segment_id.as_ref())
                else {
                    continue;
                };
                if portfolio::ids(db, index, &seg.filter).await?.iter().any(|a| a == account) {
                    found = Some(p.clone());
                    break;
                }
            }
            match found.or_else(|| all.iter().find(|p| p.segment_id.is_none()).cloned()) {
                Some(p) => p,
                None => return Err(AppError::Internal("no default SLA policy".into())),
            }
        }
    };
    let t = terms(db, &chosen.id, chosen.version).await?;
    Ok((chosen, t))
}

pub async fn save_calendar(
    db: &Db, id: Option<&str>, input: &CalendarInput, by: Option<&str>,
) -> Result<(String, u32), AppError> {
    let valid = input.validate()?;
    store::save_calendar(db, id, &valid, by).await
}

pub async fn save_policy(
    db: &Db, id: Option<&str>, input: &PolicyInput, by: Option<&str>,
) -> Result<(String, u32), AppError> {
    let (name, segment, terms) = input.validate()?;
    if let Some(survey) = &terms.csat_survey_id {
        match crate::store::surveys::get(db, survey).await {
            Ok(s) if s.kind == crate::model::SurveyKind::Csat => {}
            Ok(_) => return Err(AppError::field("csat_survey_id", "must be a CSAT survey")),
            Err(_) => return Err(AppError::field("csat_survey_id", "no survey has this id")),
        }
    }
    store::save_policy(db, id, &name, segment.as_deref(), &terms, by).await
}

pub async fn reorder(db: &Db, ids: &[String]) -> Result<(), AppError> {
    let all = store::policies(db).await?;
    for (i, id) in ids.iter().enumerate() {
        if !all.iter().any(|p| &p.id == id && p.segment_id.is_some()) {
            return Err(AppError::field(&format!("ids[{i}]"), "is not a segment policy"));
        }
    }
    store::reorder(db, ids).await
}

pub async fn save_setup(db: &Db, setup: &EscalationSetup) -> Result<EscalationSetup, AppError> {
    let valid = setup.validate()?;
    let named: Vec<String> = valid
        .types
        .iter()
        .flat_map(|t| t.levels.iter())
        .filter_map(|l| l.user_id.as_ref())
        .map(|u| u.to_string())
        .collect();
    let names = crate::store::escalations::user_names(db, &named).await?;
    for (i, t) in valid.types.iter().enumerate() {
        for (j, l) in t.levels.iter().enumerate() {
            if let Some(u) = &l.user_id {
                if !names.contains_key(u.as_str()) {
                    return Err(AppError::field(
                        &format!("types[{i}].levels[{j}].user_id"),
                        "no user has this id",
                    ));
                }
            }
        }
    }
    store::save_setup(db, &valid).await?;
    Ok(valid)
}
