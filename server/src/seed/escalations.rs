//! Demo escalations: a Berlin office-hours calendar with an SLA policy for enterprise accounts,
//! and a few dozen escalations in every state — resolved (met and breached), waiting on the
//! customer, open and overdue, moved up a level — so the escalation pages, the report and the
//! `sla_breach` alerts have something true to show. Written through the same services the app
//! uses, backdated as a helpdesk mirroring its tickets would.

use super::{err, SeededAccount, Staff};
use app::model::escalation::{
    CalendarInput, CalendarSpec, EscalationInput, EventInput, PolicyInput, PolicyTerms, WeekHours,
};
use app::model::{Me, Role, SizeTier};
use app::service::escalations::{self as service, Actor};
use app::state::AppState;
use app::store::Db;
use chrono::{Duration, Utc};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

const TITLES: &[(&str, &str)] = &[
    ("technical", "Exports time out for large workspaces"),
    ("technical", "SSO login loop after the IdP change"),
    ("technical", "Webhook deliveries delayed by hours"),
    ("technical", "Dashboard numbers disagree with the API"),
    ("commercial", "Invoice charged the old seat count"),
    ("commercial", "Renewal quote missing the agreed discount"),
    ("relationship", "Sponsor unhappy with the rollout pace"),
    ("relationship", "Champion left; new lead is sceptical"),
    ("executive", "CFO asks for a value review before renewal"),
];

const ROOT_CAUSES: &[&str] =
    &["product_defect", "configuration", "usage", "expectations", "third_party"];

/// Seeds the calendar, the enterprise policy and `n` escalations; returns how many were made.
pub(super) async fn seed(
    db: &Db, rng: &mut ChaCha8Rng, accounts: &[SeededAccount], staff: &[Staff], admin: Option<&str>,
) -> anyhow::Result<usize> {
    let Some(admin) = admin else { return Ok(0) };
    let (state, _) = AppState::new(db.clone(), false);
    let index = state.portfolio.clone();
    index.spawn_sync(db.clone());
    app::service::portfolio::when_loaded(&index, |i| i.is_ready().then_some(()))
        .await
        .map_err(err)?;
    enterprise_policy(db, &state, admin).await?;
    let live: Vec<&SeededAccount> = accounts.iter().filter(|a| !a.churned).collect();
    let n = (live.len() / 25).clamp(3, 40);
    let mut made = 0;
    for (i, a) in live.choose_multiple(rng, n).enumerate() {
        let (kind, title) = TITLES[i % TITLES.len()];
        let (by, name) = staff.get(i % staff.len().max(1)).cloned().unwrap_or_default();
        let me = Me { id: by.into(), email: String::new(), name, role: Role::Csm };
        let severity = match a.tier {
            SizeTier::Enterprise => ["P1", "P2", "P2", "P3"][i % 4],
            _ => ["P2", "P3", "P3", "P4"][i % 4],
        };
        let days_ago = rng.gen_range(0..45i64);
        let opened =
            Utc::now() - Duration::days(days_ago) - Duration::minutes(rng.gen_range(30..600));
        let input = EscalationInput {
            account_id: Some(a.key.clone()),
            kind: kind.into(),
            severity: severity.into(),
            title: title.into(),
            description: "Reported by the customer's admin; see the linked ticket for logs.".into(),
            opened_at: Some(opened),
            ..Default::default()
        };
        let e = service::open(&state, &input, Actor::Person(&me)).await.map_err(err)?;
        made += 1;
        // A story for each: most get a first response, some are resolved, a few wait.
        let mut at = opened;
        let mut step = |rng: &mut ChaCha8Rng, max_min: i64| {
            at += Duration::minutes(rng.gen_range(5..max_min));
            at.min(Utc::now() - Duration::seconds(1))
        };
        let story: &[(&str, i64)] = match i % 5 {
            0 => &[
                ("acknowledged", 40),
                ("first_response", 120),
                ("customer_update", 600),
                ("resolved", 3000),
            ],
            1 => &[("acknowledged", 20), ("first_response", 40), ("waiting_on_customer", 300)],
            2 => &[("first_response", 600), ("customer_update", 2000), ("resolved", 6000)],
            3 => &[("acknowledged", 30)],
            _ => &[],
        };
        for (k, max) in story {
            let when = step(rng, *max);
            let ev = EventInput {
                kind: k.to_string(),
                at: Some(when),
                note: None,
                root_cause: (*k == "resolved")
                    .then(|| ROOT_CAUSES[i % ROOT_CAUSES.len()].to_string()),
            };
            if service::record(&state, &e.id, &ev, Actor::Person(&me)).await.is_err() {
                break;
            }
        }
    }
    index.stop();
    Ok(made)
}

/// A Berlin office-hours calendar (with Christmas) and a stricter policy for enterprise
/// accounts, through a saved segment.
async fn enterprise_policy(db: &Db, state: &AppState, admin: &str) -> anyhow::Result<()> {
    let year = Utc::now().date_naive().format("%Y").to_string();
    let holidays = ["12-24", "12-25", "12-26", "01-01"]
        .iter()
        .filter_map(|d| chrono::NaiveDate::parse_from_str(&format!("{year}-{d}"), "%Y-%m-%d").ok())
        .collect();
    let cal = CalendarInput {
        name: "Berlin office".into(),
        spec: CalendarSpec {
            time_zone: "Europe/Berlin".into(),
            hours: WeekHours::office(),
            holidays,
        },
    };
    let (calendar, _) =
        app::service::sla::save_calendar(db, None, &cal, Some(admin)).await.map_err(err)?;
    let filter = app::model::PortfolioFilter::from_query_string("tier=enterprise");
    let segment =
        app::service::segments::create(db, &state.portfolio, "Enterprise accounts", &filter, admin)
            .await
            .map_err(err)?;
    let mut terms = PolicyTerms::defaults(&calendar);
    terms.targets.insert(
        "P1".into(),
        app::model::escalation::Targets {
            first_response_minutes: 30,
            update_minutes: 120,
            resolution_minutes: 480,
        },
    );
    let input = PolicyInput {
        name: "Enterprise".into(),
        segment_id: Some(segment.id.clone()),
        calendar_id: calendar,
        warn_at: 0.75,
        targets: terms.targets,
        uptime_target: 0.9995,
        follow_up_days: 5,
        csat_survey_id: None,
    };
    app::service::sla::save_policy(db, None, &input, Some(admin)).await.map_err(err)?;
    Ok(())
}
