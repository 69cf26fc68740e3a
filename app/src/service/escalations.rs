//! Escalations as use cases: opening one under the policy that covers the account, recording
//! work on it (checked against its log), reading it with its clocks and who is responsible, and
//! the timer's tick — warnings, breaches and automatic moves up a level, each acted on once.
//! Server functions, REST handlers and the timer all come here.

use crate::error::AppError;
use crate::metrics::sla::{self, level_state};
use crate::model::escalation::*;
use crate::model::{EscalationId, Me, Timestamp, UserId};
use crate::service::sla as settings;
use crate::state::AppState;
use crate::store::escalations::{
    self as store, Breach, Derived, Notice, StoredEscalation, StoredFollowUp, TeamSeat,
};
use chrono::{Duration, Utc};
use std::collections::HashMap;

/// Who is acting: a person, or an integration (API key) with no person.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    Person(&'a Me),
    Integration,
    System,
}

impl Actor<'_> {
    fn user_id(&self) -> Option<String> {
        match self {
            Actor::Person(u) => Some(u.id.to_string()),
            _ => None,
        }
    }
    fn name(&self) -> Option<String> {
        match self {
            Actor::Person(u) => Some(u.name.clone()),
            Actor::Integration => Some("API".into()),
            Actor::System => None,
        }
    }
    fn via(&self) -> &'static str {
        match self {
            Actor::Person(_) => "app",
            Actor::Integration => "api",
            Actor::System => "system",
        }
    }
}

/// Opens an escalation on the account the input names, under the policy covering it (or the
/// one named), with the current versions of that policy, its calendar and the type's path.
pub async fn open(
    state: &AppState, input: &EscalationInput, actor: Actor<'_>,
) -> Result<Escalation, AppError> {
    let now = Utc::now();
    let setup = settings_setup(state).await?;
    let valid = input.validate(&setup.keys(), now)?;
    let account = resolve_account(state, input).await?;
    let (policy, terms) =
        settings::policy_for(&state.db, &state.portfolio, &account, valid.policy_id.as_deref())
            .await?;
    let calendar = store::sla::calendar(&state.db, &terms.calendar_id)
        .await?
        .ok_or_else(|| AppError::Internal("the policy's calendar is missing".into()))?;
    let kind = setup.get(&valid.kind).expect("validated against the setup");
    let key = crate::store::new_key();
    store::create(
        &state.db,
        &store::NewEscalation {
            key: key.clone(),
            account: account.clone(),
            kind: kind.key.clone(),
            type_label: kind.label.clone(),
            severity: valid.severity,
            title: valid.title,
            description: valid.description,
            raised_by: valid.raised_by,
            opened_at: valid.opened_at,
            policy: policy.id.clone(),
            policy_version: policy.version,
            calendar: calendar.id.clone(),
            calendar_version: calendar.version,
            levels: kind.levels.clone(),
            created_by: actor.user_id(),
            via: actor.via(),
        },
    )
    .await?;
    state.account_activity(&account);
    let e = detail(state, &key).await?;
    schedule(state, &e);
    // A backdated escalation may already be past a due time.
    tick(state, &key).await?;
    detail(state, &key).await
}

async fn settings_setup(state: &AppState) -> Result<EscalationSetup, AppError> {
    store::sla::setup(&state.db).await
}

/// The account an input names by id or external id.
async fn resolve_account(state: &AppState, input: &EscalationInput) -> Result<String, AppError> {
    use crate::model::usage::AccountRef;
    let (r, field) = match (&input.account_id, &input.external_id) {
        (Some(id), _) if !id.trim().is_empty() => (AccountRef::Id(id.trim().into()), "account_id"),
        (_, Some(x)) => (AccountRef::External(x.trim().into()), "external_id"),
        _ => return Err(AppError::field("account_id", "name the account")),
    };
    let found = super::portfolio::resolve(&state.db, &state.portfolio, [&r]).await?;
    found.get(&r).cloned().flatten().ok_or_else(|| AppError::field(field, "no account has this id"))
}

/// Records an event; checked against the log (order, state, not in the future). Two writers
/// at once: the second re-reads and is checked again.
pub async fn record(
    state: &AppState, id: &str, input: &EventInput, actor: Actor<'_>,
) -> Result<Escalation, AppError> {
    for _ in 0..5 {
        let now = Utc::now();
        let e = stored(state, id).await?;
        let ls =
            level_state(&timings(&e.levels), e.opened_at, &settings::clock_events(&e.events), now);
        let cx = EventContext {
            opened_at: e.opened_at,
            events: &e.events,
            level: ls.level,
            levels: e.levels.len() as u32,
        };
        let event = input.validate(&cx, actor.name(), now)?;
        let mut derived = derive(state, &e, &event, None).await?;
        // The follow-up is the account owner's; on an account nobody owns, whoever resolved it.
        if let (Some(f), EventKind::Resolved, None) = (&mut derived.follow_up, event.kind, &e.owner)
        {
            f.owner = actor.user_id();
        }
        if store::append_event(&state.db, id, e.events.len(), &event, &derived).await? {
            after_event(state, &e, &event).await;
            return detail(state, id).await;
        }
    }
    Err(AppError::Conflict("the escalation changed while this was recorded; try again".into()))
}

/// What the row says after `event` is appended to `e`'s log.
async fn derive(
    state: &AppState, e: &StoredEscalation, event: &EscalationEvent, fire: Option<String>,
) -> Result<Derived, AppError> {
    let mut events = e.events.clone();
    events.push(event.clone());
    let status = status_of(&events);
    let at = event.at;
    let terms = settings::terms(&state.db, &e.policy, e.policy_version).await?;
    let cal = settings::business_time(&state.db, &e.calendar, e.calendar_version).await?;
    let clocks = sla::clocks(
        e.opened_at,
        &settings::clock_events(&events),
        &terms.target(e.severity),
        terms.warn_at,
        &cal,
        at,
    );
    let stopped = |c: &ClockState| {
        matches!(c.status, ClockStatus::Met | ClockStatus::Breached) && c.due_at.is_none()
    };
    let resolved = status == EscalationStatus::Resolved;
    let follow_up = if event.kind == EventKind::Resolved {
        Some(StoredFollowUp {
            due: at.date_naive() + Duration::days(terms.follow_up_days as i64),
            owner: None,
            done_at: None,
            survey_sent: false,
        })
    } else {
        e.follow_up.clone()
    };
    Ok(Derived {
        status: Some(status),
        level: level_state(&timings(&e.levels), e.opened_at, &settings::clock_events(&events), at)
            .level,
        resolved_at: resolved.then_some(at),
        root_cause: if resolved { event.root_cause.or(e.root_cause) } else { None },
        resolution: if event.kind == EventKind::Resolved {
            event.note.clone()
        } else if resolved {
            e.resolution.clone()
        } else {
            None
        },
        first_response_minutes: stopped(&clocks.first_response)
            .then_some(clocks.first_response.elapsed_business_minutes),
        resolution_minutes: (resolved && stopped(&clocks.resolution))
            .then_some(clocks.resolution.elapsed_business_minutes),
        follow_up,
        fire,
    })
}

/// After an event: the account is re-scored (support escalations), the timer re-armed, and a
/// resolution's CSAT survey sent.
async fn after_event(state: &AppState, e: &StoredEscalation, event: &EscalationEvent) {
    state.account_activity(&e.account);
    state.sla.schedule(&e.id, Utc::now());
    if event.kind == EventKind::Resolved {
        if let Err(err) = send_csat(state, e).await {
            tracing::warn!(escalation = %e.id, error = %err, "CSAT after resolution");
        }
    }
}

/// Sends the reporting contact the policy's CSAT survey (the frequency cap applies).
async fn send_csat(state: &AppState, e: &StoredEscalation) -> Result<(), AppError> {
    let terms = settings::terms(&state.db, &e.policy, e.policy_version).await?;
    let (Some(survey_id), Some(contact)) = (&terms.csat_survey_id, &e.raised_by) else {
        return Ok(());
    };
    let survey = crate::store::surveys::get(&state.db, survey_id).await?;
    let Some(c) = crate::store::surveys::contact(&state.db, contact).await? else {
        return Ok(());
    };
    let sent = super::surveys::send_to(state, &survey, c).await?;
    if sent {
        store::survey_sent(&state.db, &e.id).await?;
    }
    Ok(())
}

async fn stored(state: &AppState, id: &str) -> Result<StoredEscalation, AppError> {
    store::get(&state.db, id).await?.ok_or_else(|| AppError::NotFound("escalation".into()))
}

/// One escalation with its clocks at this moment and who is responsible.
pub async fn detail(state: &AppState, id: &str) -> Result<Escalation, AppError> {
    let e = stored(state, id).await?;
    let seats = store::seats(&state.db, &[e.account.to_string()]).await?;
    let names = named_people(state, std::slice::from_ref(&e)).await?;
    assemble(state, e, &seats, &names, Utc::now()).await
}

async fn named_people(
    state: &AppState, list: &[StoredEscalation],
) -> Result<HashMap<String, String>, AppError> {
    let ids: Vec<String> = list
        .iter()
        .flat_map(|e| e.levels.iter())
        .filter_map(|l| l.user_id.as_ref().map(|u| u.to_string()))
        .collect();
    store::user_names(&state.db, &ids).await
}

/// The read shape of a stored escalation at `now`.
async fn assemble(
    state: &AppState, e: StoredEscalation, seats: &[TeamSeat], names: &HashMap<String, String>,
    now: Timestamp,
) -> Result<Escalation, AppError> {
    let (clocks, _, cal) = settings::clocks_of(&state.db, &e, now).await?;
    let ls = level_state(&timings(&e.levels), e.opened_at, &settings::clock_events(&e.events), now);
    let level = e.levels.get(ls.level.saturating_sub(1) as usize);
    let owner = e.owner.clone().zip(e.owner_name.clone());
    let responsible =
        responsible(level, seats.iter().filter(|s| s.account == e.account.as_str()), owner, names);
    let resolved = e.status == EscalationStatus::Resolved;
    Ok(Escalation {
        id: EscalationId::from(e.id.to_string()),
        account_id: e.account.clone(),
        account_name: e.account_name,
        kind: e.kind,
        type_label: e.type_label,
        severity: e.severity,
        title: e.title,
        description: e.description,
        raised_by: e.raised_by,
        raised_by_name: e.raised_by_name,
        opened_at: e.opened_at,
        status: e.status,
        level: ls.level,
        levels: e.levels.len() as u32,
        responsible,
        next_level_at: if resolved { None } else { ls.next_auto_at },
        policy: VersionRef {
            id: e.policy,
            version: e.policy_version,
            name: e.policy_name.unwrap_or_default(),
        },
        calendar: VersionRef {
            id: e.calendar,
            version: e.calendar_version,
            name: e.calendar_name.unwrap_or_default(),
        },
        time_zone: cal.time_zone().name().to_string(),
        clocks,
        resolved_at: e.resolved_at,
        root_cause: e.root_cause,
        resolution: e.resolution,
        follow_up: e.follow_up.map(|f| EscalationFollowUp {
            due: f.due,
            owner_id: e.owner.clone(),
            owner: e.owner_name.clone(),
            done_at: f.done_at,
            survey_sent: f.survey_sent,
        }),
        owner_id: e.owner,
        owner: e.owner_name,
        events: e.events,
    })
}

/// Who a path level names on this account: the named person, else the team member in the
/// level's role, else the account's owner (so someone is always responsible).
fn responsible<'a>(
    level: Option<&PathLevel>, seats: impl Iterator<Item = &'a TeamSeat>,
    owner: Option<(UserId, String)>, names: &HashMap<String, String>,
) -> Responsible {
    let Some(level) = level else {
        return Responsible {
            user_id: owner.as_ref().map(|o| o.0.clone()),
            name: owner.map(|o| o.1),
            role: "Owner".into(),
        };
    };
    if let Some(u) = &level.user_id {
        return Responsible {
            user_id: Some(u.clone()),
            name: names.get(u.as_str()).cloned(),
            role: level.role.label().to_string(),
        };
    }
    let seats: Vec<&TeamSeat> = seats.collect();
    let seat = level.role.team_role().and_then(|r| seats.iter().find(|s| s.role == r));
    match (seat, owner) {
        (Some(s), _) => Responsible {
            user_id: Some(s.user.clone()),
            name: Some(s.user_name.clone()),
            role: level.role.label().into(),
        },
        (None, Some((id, name))) => Responsible {
            user_id: Some(id),
            name: Some(name),
            role: format!("{} (no one in the role: the owner)", level.role.label()),
        },
        (None, None) => Responsible { user_id: None, name: None, role: level.role.label().into() },
    }
}

/// Escalations for a list, newest first, with their clocks now.
pub async fn list(
    state: &AppState, f: &EscalationFilter, viewer: Option<&UserId>,
) -> Result<Vec<Escalation>, AppError> {
    let limit = f.limit.unwrap_or(50).clamp(1, 200);
    let before = match &f.cursor {
        Some(c) => Some(
            chrono::DateTime::parse_from_rfc3339(c)
                .map_err(|_| AppError::field("cursor", "use the next_cursor of the previous page"))?
                .with_timezone(&Utc),
        ),
        None => None,
    };
    let owner = viewer.filter(|_| f.mine).map(|v| v.to_string());
    let rows = store::list(
        &state.db,
        f.state.as_deref(),
        f.account_id.as_deref(),
        owner.as_deref(),
        f.severity,
        before,
        limit,
    )
    .await?;
    many(state, rows).await
}

/// Assembles many stored escalations with two extra reads (team seats, named people).
pub async fn many(
    state: &AppState, rows: Vec<StoredEscalation>,
) -> Result<Vec<Escalation>, AppError> {
    let mut accounts: Vec<String> = rows.iter().map(|e| e.account.to_string()).collect();
    accounts.sort();
    accounts.dedup();
    let seats = store::seats(&state.db, &accounts).await?;
    let names = named_people(state, &rows).await?;
    let now = Utc::now();
    let mut out = Vec::with_capacity(rows.len());
    for e in rows {
        out.push(assemble(state, e, &seats, &names, now).await?);
    }
    Ok(out)
}

/// Marks the follow-up done and logs it as a call on the account's timeline.
pub async fn follow_up_done(
    state: &AppState, id: &str, note: &str, by: &Me,
) -> Result<Escalation, AppError> {
    let e = stored(state, id).await?;
    if note.chars().count() > MAX_NOTE {
        return Err(AppError::field("note", format!("at most {MAX_NOTE} characters")));
    }
    if !store::follow_up_done(&state.db, id, Utc::now()).await? {
        return Err(AppError::Conflict("there is no open follow-up on this escalation".into()));
    }
    let t = crate::model::engagement::ValidTouchpoint {
        kind: crate::model::engagement::TouchpointKind::Call,
        date: Utc::now().date_naive(),
        attendees: vec![],
        notes: format!("Follow-up on the escalation “{}”. {}", e.title, note.trim())
            .trim()
            .to_string(),
        next_steps: String::new(),
        awaiting_reply: false,
    };
    crate::store::touchpoints::create(&state.db, &e.account, &t, &by.id).await?;
    state.account_activity(&e.account);
    detail(state, id).await
}

/// Arms the timer for the escalation's next moment (warning, breach or automatic move up).
fn schedule(state: &AppState, e: &Escalation) {
    if e.status == EscalationStatus::Resolved {
        return;
    }
    let now = Utc::now();
    let next = sla::next_deadline(&e.clocks, now).map(|(at, ..)| at);
    let at = [next, e.next_level_at].into_iter().flatten().min();
    if let Some(at) = at {
        state.sla.schedule(&e.id, at);
    }
}

/// The timer's work on one escalation at its due moment: warnings and breaches not yet acted
/// on are recorded (once across nodes) with a notice for the person responsible; a breach
/// runs the early-warning rules for the account (which open the `sla_breach` alert); an
/// unacknowledged escalation past its level's time moves up. Then the timer is re-armed.
pub async fn tick(state: &AppState, id: &str) -> Result<(), AppError> {
    let now = Utc::now();
    let Some(e) = store::get(&state.db, id).await? else { return Ok(()) };
    if e.status == EscalationStatus::Resolved {
        return Ok(());
    }
    let (clocks, _, _) = settings::clocks_of(&state.db, &e, now).await?;
    let seats = store::seats(&state.db, &[e.account.to_string()]).await?;
    let names = named_people(state, std::slice::from_ref(&e)).await?;
    let ls = level_state(&timings(&e.levels), e.opened_at, &settings::clock_events(&e.events), now);
    let owner = e.owner.clone().zip(e.owner_name.clone());
    let who =
        responsible(e.levels.get(ls.level.saturating_sub(1) as usize), seats.iter(), owner, &names);
    let mut breached = false;
    for (kind, c) in clocks.iter() {
        let cycle = c.cycles.len().max(1) as u32;
        if let Some(at) = c.breached_at.filter(|b| *b <= now) {
            let marker = format!("{}:breach:{cycle}", kind.key());
            if e.fired.contains(&marker) {
                continue;
            }
            let notice = notice(&e, &who, "breach", kind, c);
            let b = Breach { clock: kind, at, cycle };
            breached |= store::fire(&state.db, id, &marker, Some(&b), Some(&notice)).await?;
        } else if let Some(_at) =
            c.warn_at.filter(|w| *w <= now && c.status == ClockStatus::Running)
        {
            let marker = format!("{}:warning:{cycle}", kind.key());
            if !e.fired.contains(&marker) {
                let notice = notice(&e, &who, "warning", kind, c);
                store::fire(&state.db, id, &marker, None, Some(&notice)).await?;
            }
        }
    }
    if breached {
        let ids = [e.account.to_string()];
        super::alerts::after_breach(&state.db, &state.portfolio, &ids).await;
    }
    if let Some(at) = ls.next_auto_at.filter(|a| *a <= now) {
        move_up(state, &e, ls.level, at).await?;
    }
    let e = detail(state, id).await?;
    schedule(state, &e);
    Ok(())
}

/// Records the automatic move up one level (once: the `level:N` marker is set with it).
async fn move_up(
    state: &AppState, e: &StoredEscalation, level: u32, due: Timestamp,
) -> Result<(), AppError> {
    let after =
        e.levels.get(level.saturating_sub(1) as usize).and_then(|l| l.after_minutes).unwrap_or(0);
    let at = e.events.last().map_or(due, |l| l.at.max(due));
    let event = EscalationEvent {
        kind: EventKind::Escalated,
        at,
        note: Some(format!("Moved up by itself: not acknowledged within {after} minutes.")),
        by: None,
        level: Some(level + 1),
        root_cause: None,
    };
    let marker = format!("level:{}", level + 1);
    let derived = derive(state, e, &event, Some(marker)).await?;
    if store::append_event(&state.db, &e.id, e.events.len(), &event, &derived).await? {
        let now_e = detail(state, &e.id).await?;
        let n = Notice {
            user: now_e.responsible.user_id.as_ref().map(|u| u.to_string()),
            kind: "level",
            subject: format!("Escalated to you: “{}” ({}, {})", e.title, e.account_name, e.severity.key()),
            body: format!(
                "The escalation “{}” on {} was not acknowledged within {after} minutes and moved up to level {} ({}). You are responsible now.",
                e.title, e.account_name, level + 1, now_e.responsible.role
            ),
        };
        store::notify(&state.db, &e.id, &n).await?;
        state.account_activity(&e.account);
    }
    Ok(())
}

fn notice(
    e: &StoredEscalation, who: &Responsible, kind: &'static str, clock: ClockKind, c: &ClockState,
) -> Notice {
    let what = if kind == "breach" { "breached" } else { "is close to its target" };
    Notice {
        user: who.user_id.as_ref().map(|u| u.to_string()),
        kind,
        subject: format!("SLA {}: {} of “{}” ({}, {})", if kind == "breach" { "breached" } else { "warning" }, clock.label().to_lowercase(), e.title, e.account_name, e.severity.key()),
        body: format!(
            "The {} clock of the escalation “{}” on {} {what}: target {} business minutes, {} used{}.",
            clock.label().to_lowercase(),
            e.title,
            e.account_name,
            c.target_minutes,
            c.elapsed_business_minutes,
            c.due_at.map(|d| format!(", due {}", d.format("%Y-%m-%d %H:%M UTC"))).unwrap_or_default()
        ),
    }
}

/// Re-arms the timer for every open escalation (start-up, and on another node's changes).
pub async fn recover(state: &AppState) -> Result<usize, AppError> {
    let open = store::all_open(&state.db).await?;
    let n = open.len();
    let now = Utc::now();
    for e in open {
        let (clocks, _, _) = settings::clocks_of(&state.db, &e, now).await?;
        let ls =
            level_state(&timings(&e.levels), e.opened_at, &settings::clock_events(&e.events), now);
        let next = sla::next_deadline(&clocks, now).map(|(at, ..)| at);
        // Anything already past (the process was down) is handled at once.
        let missed = clocks.iter().any(|(k, c)| {
            let cycle = c.cycles.len().max(1);
            c.breached_at.is_some_and(|b| {
                b <= now && !e.fired.contains(&format!("{}:breach:{cycle}", k.key()))
            })
        });
        let at =
            if missed { Some(now) } else { [next, ls.next_auto_at].into_iter().flatten().min() };
        if let Some(at) = at {
            state.sla.schedule(&e.id, at);
        }
    }
    Ok(n)
}
