//! Early warning as a service: which rule set covers which account, evaluating the rules for
//! some accounts (streaming, after they were re-scored) or all of them (the daily pass), and
//! people's work on alerts. The rules themselves are `model::alert` (pure); the data comes from
//! `store::alerts::facts`, `store::messages` and the portfolio index.

use super::portfolio;
use crate::error::AppError;
use crate::model::alert::*;
use crate::model::{AccountRow, Stage};
use crate::store::alerts::{self as alerts_store, Decision, TaskSeed};
use crate::store::portfolio_index::PortfolioIndex;
use crate::store::{self, Db};
use chrono::{Duration, Utc};
use std::collections::{BTreeSet, HashSet};

/// The rule sets in force and the accounts each segment's set covers. An account takes the
/// first segment set (by segment name) whose segment holds it, otherwise the default set —
/// the same precedence as health models.
pub struct RuleAssignment {
    pub sets: Vec<RuleSet>,
    members: Vec<HashSet<String>>,
}

impl RuleAssignment {
    pub async fn load(db: &Db, index: &PortfolioIndex) -> Result<Self, AppError> {
        let sets = alerts_store::rules::current(db).await?;
        let segments = store::segments::list(db).await?;
        let mut members = Vec::with_capacity(sets.len());
        for s in &sets {
            let seg = segments.iter().find(|g| Some(&g.id) == s.segment_id.as_ref());
            members.push(match seg {
                Some(seg) if s.scope != DEFAULT_RULES => {
                    portfolio::ids(db, index, &seg.filter).await?.into_iter().collect()
                }
                _ => HashSet::new(),
            });
        }
        Ok(Self { sets, members })
    }

    pub fn set_for(&self, account: &str) -> &RuleSet {
        self.sets
            .iter()
            .zip(&self.members)
            .find(|(s, m)| s.scope != DEFAULT_RULES && m.contains(account))
            .map(|(s, _)| s)
            .or_else(|| self.sets.iter().find(|s| s.scope == DEFAULT_RULES))
            .expect("the default rule set exists")
    }

    /// The window lengths the enabled rules of `kind` ask for, over every set.
    fn windows(&self, kinds: &[RuleKind]) -> Vec<u32> {
        let mut w = BTreeSet::new();
        for s in &self.sets {
            for k in kinds {
                let r = s.config.rule(*k);
                if r.enabled {
                    w.insert(r.window);
                }
            }
        }
        w.into_iter().collect()
    }

    fn max_window(&self, kind: RuleKind) -> u32 {
        self.sets.iter().map(|s| s.config.rule(kind).window).max().unwrap_or(0)
    }
}

/// What one evaluation did, and where its time went.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Evaluated {
    pub accounts: usize,
    pub opened: Vec<String>,
    /// Decisions written (opens, refreshes, wakes, clears, releases).
    pub written: usize,
    /// Reading rule sets, facts and latches / evaluating / writing, in milliseconds.
    pub read_ms: u64,
    pub rules_ms: u64,
    pub write_ms: u64,
}

/// Whether rules run after each streaming scoring pass. On by default; an operator may turn it
/// off under extreme ingest load (`BELLWETHER_STREAMING_RULES=off`): the hourly pass still runs
/// every rule. The benchmark measures the events API with it on and off.
static STREAMING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

pub fn set_streaming(on: bool) {
    STREAMING.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// Evaluates every rule for these accounts (all with `None`) now, and writes what changed:
/// new alerts with their playbook tasks, refreshed evidence, snoozes that ended, episodes
/// that closed.
pub async fn evaluate(
    db: &Db, index: &PortfolioIndex, ids: Option<&[String]>,
) -> Result<Evaluated, AppError> {
    let started = std::time::Instant::now();
    let now = Utc::now();
    let today = now.date_naive();
    let rows: Vec<AccountRow> = match ids {
        Some(list) => portfolio::when_loaded(index, |i| i.rows_of(list)).await?,
        None => portfolio::all_rows(index).await?,
    };
    if rows.is_empty() {
        return Ok(Evaluated::default());
    }
    let keys: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let named = ids.map(|_| keys.as_slice());
    let assignment = RuleAssignment::load(db, index).await?;
    let health = super::health::Assignment::load(db, index).await?;
    let weeks = assignment.windows(&[RuleKind::DecliningEngagement, RuleKind::ReducedUsage]);
    let drop_days = assignment.windows(&[RuleKind::HealthDrop]);
    let answers_since =
        today - Duration::days(assignment.max_window(RuleKind::LowSurveyScore) as i64);
    let facts = alerts_store::facts::usage(db, named, &weeks, today).await?;
    let mut late = alerts_store::facts::late_milestones(db, named, today).await?;
    let mut answers = alerts_store::facts::answers(db, named, answers_since).await?;
    let mut replies = store::messages::reply_facts(db, named, now).await?;
    let mut past = alerts_store::facts::past_scores(db, &keys, &drop_days, today).await?;
    let latches = alerts_store::latches(db, named).await?;
    let mut escalations = escalation_facts(db, named, now).await?;
    let mut uptime = super::uptime::shortfalls(db, index, named, now).await?;
    let mut usage = facts;
    let mut decisions = Vec::new();
    let playbooks = alerts_store::rules::playbooks(db).await?;
    let read = started.elapsed();
    for row in &rows {
        let set = assignment.set_for(&row.id);
        let f = AlertFacts {
            usage: usage.remove(&row.id).unwrap_or_default(),
            key_features: health.model_for(&row.id).config.key_features.clone(),
            late_milestones: late.remove(&row.id).unwrap_or_default(),
            replies: replies.remove(&row.id).unwrap_or_default(),
            answers: answers.remove(&row.id).unwrap_or_default(),
            health: row.health_score.zip(row.health_band),
            past: past.remove(&row.id).unwrap_or_default(),
            renewal: Some(row.renewal_date),
            churned: row.stage == Stage::Churned,
            escalations: escalations.remove(row.id.as_str()).unwrap_or_default(),
            uptime: uptime.remove(row.id.as_str()),
        };
        for rule in set.config.all() {
            let trip = evaluate_rule(&rule, &f, now);
            let latch = latches.get(&(row.id.clone(), rule.kind));
            if let Some(action) = decide(latch, trip, now) {
                decisions.push(decision(row, set, &rule, action, &playbooks, today));
            }
        }
    }
    let evaluated = started.elapsed();
    let opened = alerts_store::apply(db, &decisions).await?;
    let ms = |d: std::time::Duration| d.as_millis() as u64;
    let done = Evaluated {
        accounts: rows.len(),
        written: decisions.len(),
        opened,
        read_ms: ms(read),
        rules_ms: ms(evaluated - read),
        write_ms: ms(started.elapsed() - evaluated),
    };
    tracing::debug!(
        accounts = done.accounts,
        written = done.written,
        opened = done.opened.len(),
        read_ms = done.read_ms,
        rules_ms = done.rules_ms,
        write_ms = done.write_ms,
        "alert rules evaluated"
    );
    Ok(done)
}

/// Open escalations and those of the last 90 days, per account, as the SLA rules read them.
async fn escalation_facts(
    db: &Db, accounts: Option<&[String]>, now: crate::model::Timestamp,
) -> Result<std::collections::HashMap<String, Vec<EscalationFacts>>, AppError> {
    use crate::model::escalation::EscalationStatus;
    let rows = store::escalations::facts(db, accounts, now - Duration::days(90)).await?;
    let mut out: std::collections::HashMap<String, Vec<EscalationFacts>> = Default::default();
    for r in rows {
        out.entry(r.account).or_default().push(EscalationFacts {
            id: r.id,
            title: r.title,
            severity: r.severity.key().to_string(),
            open: r.status != EscalationStatus::Resolved,
            opened_at: r.opened_at,
            breaches: r.breaches.iter().map(|b| (b.clock.key().to_string(), b.at)).collect(),
        });
    }
    Ok(out)
}

/// The rule's verdict (a separate name so the loop above reads as what it does).
fn evaluate_rule(
    rule: &RuleConfig, f: &AlertFacts, now: crate::model::Timestamp,
) -> Option<Evidence> {
    crate::model::alert::evaluate(rule, f, now)
}

/// A decision as the store writes it.
fn decision(
    row: &AccountRow, set: &RuleSet, rule: &RuleConfig, action: Action, playbooks: &[Playbook],
    today: chrono::NaiveDate,
) -> Decision {
    let (op, alert, evidence, tasks) = match action {
        Action::Open(e) => {
            let steps = playbooks.iter().find(|p| p.rule == rule.kind).cloned();
            let tasks = steps
                .unwrap_or_else(|| Playbook::default_for(rule.kind))
                .tasks(today)
                .into_iter()
                .map(|(position, title, due, role, touchpoint)| TaskSeed {
                    position,
                    title,
                    due: due.to_string(),
                    role,
                    touchpoint,
                })
                .collect();
            ("open", alerts_store::new_alert_key(), Some(e), tasks)
        }
        Action::Refresh { alert_id, evidence } => ("refresh", alert_id, Some(evidence), vec![]),
        Action::Wake { alert_id, evidence } => ("wake", alert_id, Some(evidence), vec![]),
        Action::Clear { alert_id } => ("clear", alert_id, None, vec![]),
        Action::Release => ("release", String::new(), None, vec![]),
    };
    Decision {
        acc: row.id.clone(),
        rule: rule.kind,
        op,
        alert,
        summary: evidence.as_ref().map(Evidence::summary),
        evidence,
        severity: rule.severity,
        scope: set.scope.clone(),
        version: set.version,
        tasks,
    }
}

/// Evaluates after a scoring pass without failing it: a scoring pass that stored scores must
/// not be reported as failed because the alert rules could not run (they run again on the next
/// change and in the daily pass).
pub async fn after_scoring(db: &Db, index: &PortfolioIndex, ids: Option<&[String]>) {
    if ids.is_some() && !STREAMING.load(std::sync::atomic::Ordering::Relaxed) {
        return;
    }
    if let Err(e) = evaluate(db, index, ids).await {
        tracing::warn!(error = %e, "alert rules failed after scoring");
    }
}

/// Evaluates the accounts whose SLA clock just breached, at the moment of the breach (the
/// `sla_breach` rule reads the breaches), whatever the streaming setting.
pub async fn after_breach(db: &Db, index: &PortfolioIndex, ids: &[String]) {
    if let Err(e) = evaluate(db, index, Some(ids)).await {
        tracing::warn!(error = %e, "alert rules failed after an SLA breach");
    }
}

/// The accounts of a saved segment, for the Alerts page's segment filter.
pub async fn segment_accounts(
    db: &Db, index: &PortfolioIndex, segment: &str,
) -> Result<Vec<String>, AppError> {
    let segments = store::segments::list(db).await?;
    let seg = segments
        .into_iter()
        .find(|s| s.id == segment)
        .ok_or_else(|| AppError::field("segment", "no saved segment has this id"))?;
    portfolio::ids(db, index, &seg.filter).await
}

/// A page of alerts.
pub async fn list(db: &Db, index: &PortfolioIndex, f: &AlertFilter) -> Result<AlertPage, AppError> {
    let accs = match &f.segment {
        Some(s) if !s.is_empty() => Some(segment_accounts(db, index, s).await?),
        _ => None,
    };
    alerts_store::list(db, f, accs.as_deref()).await
}

/// One alert with its steps and history.
pub async fn detail(db: &Db, id: &str, can_act: bool) -> Result<AlertDetail, AppError> {
    let alert = alerts_store::get(db, id).await?;
    let (tasks, history) = alerts_store::steps_and_history(db, id).await?;
    Ok(AlertDetail { alert, tasks, history, can_act })
}

/// The live alerts of one account, each with its steps and history (the account page).
pub async fn for_account(
    db: &Db, account: &str, can_act: bool,
) -> Result<Vec<AlertDetail>, AppError> {
    let f = AlertFilter {
        account_id: Some(account.to_string()),
        statuses: AlertFilter::LIVE.to_vec(),
        limit: 50,
        ..Default::default()
    };
    let page = alerts_store::list(db, &f, None).await?;
    let mut out = Vec::with_capacity(page.alerts.len());
    for alert in page.alerts {
        let (tasks, history) = alerts_store::steps_and_history(db, &alert.id).await?;
        out.push(AlertDetail { alert, tasks, history, can_act });
    }
    Ok(out)
}

/// Applies an action to several alerts; returns for each refused one its id and why.
pub async fn act_on_many(
    db: &Db, ids: &[String], cmd: &AlertCommand, by: Option<&str>, via: &str,
) -> Result<Vec<(String, String)>, AppError> {
    let mut refused = Vec::new();
    for id in ids {
        match alerts_store::act(db, id, cmd, by, via).await {
            Ok(()) => {}
            Err(AppError::Conflict(m)) => refused.push((id.clone(), m)),
            Err(AppError::NotFound(_)) => refused.push((id.clone(), "no alert has this id".into())),
            Err(e) => return Err(e),
        }
    }
    Ok(refused)
}

/// Re-evaluates every account without making the caller wait (rules changed).
pub fn evaluate_all_in_background(db: &Db, index: &std::sync::Arc<PortfolioIndex>) {
    let (db, index) = (db.clone(), index.clone());
    tokio::spawn(async move {
        if let Err(e) = evaluate(&db, &index, None).await {
            tracing::warn!(error = %e, "re-evaluating alert rules failed");
        }
    });
}
