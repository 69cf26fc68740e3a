//! Cadence rules for an Enterprise and an SMB segment, success plans from the journey templates
//! for accounts that started in the last 18 months (their past milestones completed on
//! plausible dates: most on time, some late, a few still open past their due date), and
//! touchpoints over the last four months.

use super::{err, SeededAccount, Staff};
use app::model::engagement::{TouchpointInput, TouchpointKind};
use app::model::plan::{Actor, JourneyTemplate, NewPlanInput};
use app::model::SizeTier;
use app::store::{self, Db};
use chrono::{Duration, NaiveDate};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Accounts younger than this many days get a success plan.
const PLAN_AGE_DAYS: i64 = 540;

/// Seeds the cadence rules, then each live account's plan and touchpoints; returns how many
/// plans and touchpoints.
pub(super) async fn plans_and_touchpoints(
    db: &Db, rng: &mut ChaCha8Rng, accounts: &[SeededAccount], staff: &[Staff], today: NaiveDate,
) -> anyhow::Result<(usize, usize)> {
    let (by, by_name) = staff.first().cloned().unwrap_or_default();
    let actor = Actor::Staff { id: by.clone().into(), name: by_name.clone() };
    cadence_rules(db, &by).await?;
    let templates = store::templates::list(db).await.map_err(err)?;
    let mut plans = 0;
    let mut touchpoints = 0;
    for a in accounts.iter().filter(|a| !a.churned) {
        let age = (today - a.start).num_days();
        if age < PLAN_AGE_DAYS {
            let template = match age {
                0..=45 => "onboarding",
                46..=120 => "implementation",
                _ => "growth",
            };
            let Some(t) = templates.iter().find(|t| t.id == template) else {
                continue;
            };
            plan_from(db, rng, a, t, &actor, today).await?;
            plans += 1;
        }
        touchpoints += seed_touchpoints(db, rng, a, &by, today).await?;
    }
    Ok((plans, touchpoints))
}

/// Cadences for two segments (made here if the portfolio has none of that name).
async fn cadence_rules(db: &Db, by: &str) -> anyhow::Result<()> {
    let existing = store::segments::list(db).await.map_err(err)?;
    for (name, query, rules) in [
        (
            "Enterprise",
            "tier=enterprise",
            vec![(TouchpointKind::WeeklyStatus, 7), (TouchpointKind::Qbr, 91)],
        ),
        ("SMB", "tier=smb", vec![(TouchpointKind::MonthlyReview, 30)]),
    ] {
        let seg = match existing.iter().find(|s| s.name == name) {
            Some(s) => s.clone(),
            None => {
                let filter = app::model::PortfolioFilter::from_query_string(query);
                app::service::segments::create(db, &Default::default(), name, &filter, by)
                    .await
                    .map_err(err)?
            }
        };
        for (kind, every) in rules {
            let _ = store::touchpoints::add_rule(db, &seg.id, kind, every).await;
        }
    }
    Ok(())
}

/// A plan from template `t` laid out from the contract start; of its milestones due before
/// today, 88 % are completed — most around their date, some up to three weeks late.
async fn plan_from(
    db: &Db, rng: &mut ChaCha8Rng, a: &SeededAccount, t: &JourneyTemplate, actor: &Actor,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let valid = NewPlanInput {
        title: format!("{} plan", t.name),
        template_id: t.id.to_string(),
        start: a.start.to_string(),
    }
    .validate()
    .map_err(err)?;
    let plan = store::plans::create(db, &a.key, &valid, Some(t), actor).await.map_err(err)?;
    let Some(p) = store::plans::get(db, &plan).await.map_err(err)? else {
        return Ok(());
    };
    for m in p.milestones.iter().filter(|m| m.due < today) {
        let roll: f64 = rng.gen();
        if roll < 0.12 {
            continue;
        }
        let late = if roll < 0.3 { rng.gen_range(3..25) } else { rng.gen_range(-4..3) };
        let on = (m.due + Duration::days(late)).min(today);
        store::plans::complete_as_of(db, &m.id, on, &actor.label()).await.map_err(err)?;
    }
    Ok(())
}

/// Touchpoints over the last four months, more for bigger accounts (none before the contract
/// start); returns how many.
async fn seed_touchpoints(
    db: &Db, rng: &mut ChaCha8Rng, a: &SeededAccount, by: &str, today: NaiveDate,
) -> anyhow::Result<usize> {
    let n = match a.tier {
        SizeTier::Enterprise => rng.gen_range(6..14),
        SizeTier::MidMarket => rng.gen_range(3..8),
        SizeTier::Smb => rng.gen_range(0..4),
    };
    let mut made = 0;
    for _ in 0..n {
        let kind = *[
            TouchpointKind::WeeklyStatus,
            TouchpointKind::Call,
            TouchpointKind::Email,
            TouchpointKind::Meeting,
            TouchpointKind::MonthlyReview,
            TouchpointKind::Qbr,
        ]
        .choose(rng)
        .unwrap_or(&TouchpointKind::Call);
        let day = today - Duration::days(rng.gen_range(0..120));
        if day < a.start {
            continue;
        }
        let notes = *[
            "Went through adoption numbers.",
            "Agreed next steps for the rollout.",
            "Discussed the renewal timeline.",
            "Training questions answered.",
        ]
        .choose(rng)
        .unwrap_or(&"");
        let valid = TouchpointInput {
            kind: kind.key().into(),
            date: day.to_string(),
            attendees: String::new(),
            notes: notes.to_string(),
            next_steps: String::new(),
            awaiting_reply: None,
        }
        .validate(today)
        .map_err(err)?;
        store::touchpoints::create(db, &a.key, &valid, by).await.map_err(err)?;
        made += 1;
    }
    Ok(made)
}
