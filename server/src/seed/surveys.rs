//! Survey history for the demo: a recurring relationship NPS for enterprise accounts, a support
//! CSAT for SMB and an effort score for mid-market, answered over the past year, with the
//! follow-ups the low scores opened (most of them closed).

use super::err;
use app::model::{AudienceKind, SizeTier, SurveyKind, ValidSurvey};
use app::store::{self, Db};
use chrono::{DateTime, Duration, Utc};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use std::collections::HashMap;

/// A seeded contact, remembered for the survey history.
pub(super) struct Person {
    pub contact: String,
    pub account: String,
    pub email: String,
    /// The account owner's user key: low scores open a follow-up for them.
    pub owner: String,
    pub tier: SizeTier,
    pub churned: bool,
}

const PRAISE: &[&str] = &[
    "Our CSM knows our business and it shows.",
    "Onboarding was quick and the training was excellent.",
    "Reliable, fast, and support answers within the hour.",
    "The quarterly reviews keep our leadership on board.",
    "Reporting saves my team a day every week.",
];
const MIXED: &[&str] = &[
    "Good product, but the admin screens are confusing.",
    "Works well; pricing is hard to justify at renewal.",
    "Fine overall. Would like better SSO documentation.",
    "Support is friendly but slow on complex tickets.",
];
const COMPLAINTS: &[&str] = &[
    "Support tickets wait for days without an answer.",
    "We lost data during the last migration and nobody called us.",
    "Too expensive for what we actually use.",
    "Our champion left and we feel forgotten.",
    "The integration with our CRM keeps breaking.",
];
const OUTCOMES: &[&str] = &[
    "Called the contact; escalated the open tickets to the support lead.",
    "Met with their VP; agreed a remediation plan and weekly check-ins.",
    "Walked them through the new admin screens; they were satisfied.",
    "Offered a right-sized plan at renewal; accepted.",
    "Introduced their new champion to our team; onboarding session booked.",
];

/// The survey a tier's contacts get.
struct TierSurvey {
    id: String,
    kind: SurveyKind,
    tier: SizeTier,
    /// Every this many months (the relationship NPS); `None` for a one-off.
    recurrence_months: Option<i64>,
}

/// Invitations, answers and follow-ups waiting to be written.
#[derive(Default)]
struct History {
    invitations: Vec<Value>,
    responses: Vec<Value>,
    follow_ups: Vec<Value>,
}

impl History {
    async fn write(&mut self, db: &Db) -> anyhow::Result<()> {
        store::surveys::insert_history(
            db,
            std::mem::take(&mut self.invitations),
            std::mem::take(&mut self.responses),
            std::mem::take(&mut self.follow_ups),
        )
        .await
        .map_err(err)
    }
}

/// Seeds the surveys and a year of their invitations and answers; returns how many answers.
/// Skipped (0) if already seeded, or when there is nobody to ask.
pub(super) async fn survey_history(
    db: &Db, rng: &mut ChaCha8Rng, people: &[Person], fallback_owner: Option<&str>,
) -> anyhow::Result<usize> {
    if people.is_empty()
        || store::surveys::list(db).await.map_err(err)?.iter().any(|s| s.name == "Relationship NPS")
    {
        return Ok(0);
    }
    let surveys = create_surveys(db, fallback_owner.unwrap_or("")).await?;
    let now = Utc::now();
    let mut history = History::default();
    let mut answers = 0usize;
    let mut moods: HashMap<&str, f64> = HashMap::new();
    for p in people {
        let Some(survey) = surveys.iter().find(|s| s.tier == p.tier) else {
            continue;
        };
        // Each account has a mood; churned ones are unhappier. Its people answer around it.
        let mood = *moods.entry(p.account.as_str()).or_insert_with(|| {
            // Most customers are content (a typical B2B NPS lands around +20..+40).
            let base: f64 = rng.gen_range(0.55..1.05);
            if p.churned {
                base * 0.5
            } else {
                base
            }
        });
        let rounds = if survey.recurrence_months.is_some() { 2 } else { 1 };
        for round in 0..rounds {
            if rng.gen_bool(0.7) {
                answers += usize::from(invite(rng, p, survey, mood, round, now, &mut history));
            }
        }
        if history.invitations.len() >= 2000 {
            history.write(db).await?;
        }
    }
    history.write(db).await?;
    Ok(answers)
}

/// The three surveys, each for the segment of its tier (made if the portfolio has none of
/// that name).
async fn create_surveys(db: &Db, owner: &str) -> anyhow::Result<Vec<TierSurvey>> {
    let segments = store::segments::list(db).await.map_err(err)?;
    let mut surveys = Vec::new();
    for (name, kind, seg_name, tier, months) in [
        ("Relationship NPS", SurveyKind::Nps, "Enterprise", SizeTier::Enterprise, Some(6)),
        ("Support CSAT", SurveyKind::Csat, "SMB", SizeTier::Smb, None),
        ("Onboarding effort (CES)", SurveyKind::Ces, "Mid-market", SizeTier::MidMarket, None),
    ] {
        let segment = match segments.iter().find(|s| s.name == seg_name) {
            Some(s) => s.id.clone(),
            None => {
                let f = app::model::PortfolioFilter { tier: Some(tier), ..Default::default() };
                app::service::segments::create(db, &Default::default(), seg_name, &f, owner)
                    .await
                    .map_err(err)?
                    .id
            }
        };
        let valid = ValidSurvey {
            name: name.into(),
            kind,
            question: kind.default_question().into(),
            questions: Vec::new(),
            audience: app::model::Audience {
                kind: AudienceKind::Segment,
                segment: Some(segment),
                ids: Vec::new(),
            },
            recurrence_months: months,
        };
        let s = store::surveys::create(db, &valid, owner).await.map_err(err)?;
        surveys.push(TierSurvey { id: s.id.into(), kind, tier, recurrence_months: months });
    }
    Ok(surveys)
}

/// One invitation sent to `p` in half-year `round` (0: the last six months); answered 45 % of
/// the time. Returns whether it was answered.
fn invite(
    rng: &mut ChaCha8Rng, p: &Person, survey: &TierSurvey, mood: f64, round: i64,
    now: DateTime<Utc>, history: &mut History,
) -> bool {
    let days_ago = rng.gen_range(0..180) + 182 * round;
    let sent = now - Duration::days(days_ago) - Duration::minutes(rng.gen_range(0..1440));
    let key = store::new_key();
    let mut invitation = json!({
        "id": key, "survey": survey.id, "contact": p.contact, "account": p.account, "email": p.email,
        "sent_at": sent.to_rfc3339(), "expires_at": (sent + Duration::days(30)).to_rfc3339(),
    });
    let answered = rng.gen_bool(0.45);
    if answered {
        let at = (sent + Duration::minutes(rng.gen_range(5..4 * 1440))).min(now);
        invitation["responded_at"] = json!(at.to_rfc3339());
        answer(rng, p, survey, &key, mood, at, now, history);
    }
    history.invitations.push(invitation);
    answered
}

/// The answer to invitation `key`, around the account's `mood`, often with a comment in its
/// tone; a low score opens a follow-up for the owner, most of them closed since.
#[allow(clippy::too_many_arguments)]
fn answer(
    rng: &mut ChaCha8Rng, p: &Person, survey: &TierSurvey, key: &str, mood: f64, at: DateTime<Utc>,
    now: DateTime<Utc>, history: &mut History,
) {
    let kind = survey.kind;
    let (lo, hi) = kind.range();
    let noise: f64 = rng.gen_range(-0.25..0.25) + rng.gen_range(-0.15..0.15);
    let x = (mood + noise).clamp(0.0, 1.0);
    let score = (lo as f64 + x * (hi - lo) as f64).round() as i64;
    let mut response = json!({
        "id": key, "survey": survey.id, "contact": p.contact, "account": p.account,
        "kind": kind.key(), "score": score, "created_at": at.to_rfc3339(),
    });
    if rng.gen_bool(0.6) {
        let list = match kind.band(score) {
            app::model::Band::High => PRAISE,
            app::model::Band::Mid => MIXED,
            app::model::Band::Low => COMPLAINTS,
        };
        response["comment"] = json!(list.choose(rng).unwrap_or(&""));
    }
    if kind.needs_follow_up(score) {
        let mut f = json!({
            "id": key, "survey": survey.id, "account": p.account, "contact": p.contact,
            "assignee": p.owner, "reason": kind.follow_up_reason(score),
            "due_at": (at + Duration::days(7)).to_rfc3339(), "status": "open",
            "created_at": at.to_rfc3339(),
        });
        let closed = at + Duration::hours(rng.gen_range(2..240));
        if closed < now && rng.gen_bool(0.7) {
            f["status"] = json!("closed");
            f["closed_at"] = json!(closed.to_rfc3339());
            f["outcome"] = json!(OUTCOMES.choose(rng).unwrap_or(&""));
        }
        history.follow_ups.push(f);
    }
    history.responses.push(response);
}
