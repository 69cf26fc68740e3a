//! `bellwether seed-demo`: realistic, deterministic demo data.
//!
//! The same `--seed` always gives the same companies, contacts and owners, so screenshots,
//! benchmarks and bug reports can be reproduced. Accounts go in batches of 1 000, each batch one
//! transaction (a batch is all there or not at all).

use app::model::{Role, SizeTier, Stage, TeamRole};
use app::store::{self, Db};
use chrono::{Datelike, Duration, NaiveDate};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use std::collections::HashSet;
use std::io::IsTerminal;

const PREFIXES: &[&str] = &[
    "Acme",
    "Apex",
    "Atlas",
    "Aurora",
    "Beacon",
    "Birch",
    "Blue Harbor",
    "Bright",
    "Cascade",
    "Cedar",
    "Clearwater",
    "Cobalt",
    "Copper",
    "Crescent",
    "Crystal",
    "Delta",
    "Eagle",
    "Ember",
    "Evergreen",
    "Falcon",
    "Fjord",
    "Frontier",
    "Galaxy",
    "Granite",
    "Harbor",
    "Helix",
    "Highland",
    "Horizon",
    "Indigo",
    "Iron",
    "Juniper",
    "Keystone",
    "Lakeside",
    "Lantern",
    "Liberty",
    "Lumen",
    "Maple",
    "Meridian",
    "Mesa",
    "Monarch",
    "Nimbus",
    "North Star",
    "Northwind",
    "Oak",
    "Orbit",
    "Orchid",
    "Pacific",
    "Peak",
    "Pinnacle",
    "Pioneer",
    "Polar",
    "Prairie",
    "Prism",
    "Quantum",
    "Quarry",
    "Radiant",
    "Redwood",
    "Ridge",
    "River",
    "Sable",
    "Sage",
    "Sierra",
    "Silver",
    "Solstice",
    "Sparrow",
    "Spruce",
    "Starlight",
    "Sterling",
    "Stone",
    "Summit",
    "Sunrise",
    "Tidal",
    "Timber",
    "Titan",
    "Trident",
    "True North",
    "Tundra",
    "Union",
    "Vanguard",
    "Vertex",
    "Vista",
    "Willow",
    "Windward",
    "Zenith",
];
const CORES: &[&str] = &[
    "Analytics",
    "Bio",
    "Capital",
    "Cloud",
    "Data",
    "Dynamics",
    "Energy",
    "Financial",
    "Foods",
    "Freight",
    "Health",
    "Insights",
    "Labs",
    "Learning",
    "Logistics",
    "Media",
    "Medical",
    "Metrics",
    "Mobility",
    "Networks",
    "Pharma",
    "Retail",
    "Robotics",
    "Security",
    "Software",
    "Solar",
    "Systems",
    "Telecom",
    "Travel",
    "Ventures",
    "Works",
    "Apparel",
    "Brewing",
    "Clinics",
];
const SUFFIXES: &[&str] = &[
    "Inc.", "Ltd", "GmbH", "Group", "Co.", "LLC", "Corp.", "Holdings", "S.A.", "AB", "Partners",
    "plc",
];
const CITIES: &[&str] = &[
    "Austin", "Berlin", "Boston", "Chicago", "Denver", "Dublin", "Lisbon", "London", "Madrid",
    "Oslo", "Paris", "Seattle", "Sydney", "Toronto", "Zurich",
];
const FIRST: &[&str] = &[
    "Alex", "Amara", "Ben", "Camila", "Chen", "Dana", "Diego", "Elena", "Farah", "Grace", "Hiro",
    "Ines", "Jonas", "Kai", "Lena", "Liam", "Maya", "Mateo", "Nadia", "Noah", "Olga", "Priya",
    "Quinn", "Rafael", "Sara", "Tomas", "Uma", "Victor", "Wen", "Yusuf", "Zoe",
];
const LAST: &[&str] = &[
    "Ahmed", "Berg", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hansen", "Ito", "Jensen",
    "Kim", "Larsen", "Moreau", "Novak", "Okafor", "Patel", "Quispe", "Rossi", "Silva", "Tanaka",
    "Umar", "Varga", "Weber", "Xu", "Yilmaz", "Zhang",
];
const TITLES: &[&str] = &[
    "VP Operations",
    "Head of Customer Experience",
    "CTO",
    "Director of IT",
    "Product Manager",
    "COO",
    "Procurement Lead",
    "Data Team Lead",
    "Finance Director",
];

/// Creates `accounts` accounts (plus demo CSMs to own them) from `seed`.
/// Seeds `accounts` accounts with contacts, team, a year of survey answers and — with
/// `history` — a year of product usage, sentiment, churn dates and daily health scores.
pub async fn run(
    db: &Db,
    accounts: usize,
    seed: u64,
    progress: bool,
    history: bool,
) -> anyhow::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let staff = demo_staff(db, &mut rng).await?;
    let bar = if progress && std::io::stderr().is_terminal() {
        let b = ProgressBar::new(accounts as u64);
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} {bar:40} {pos}/{len} accounts ({per_sec}, {eta} left)",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    } else {
        ProgressBar::with_draw_target(Some(accounts as u64), ProgressDrawTarget::hidden())
    };
    // Names already there (a second seeding) are avoided, not collided with.
    let mut names: HashSet<String> = store::accounts::name_keys(db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .into_iter()
        .collect();
    let today = chrono::Utc::now().date_naive();
    let started = std::time::Instant::now();
    let mut made = 0usize;
    let mut people: Vec<Person> = Vec::new();
    let mut usage_accounts: Vec<UsageAccount> = Vec::new();
    while made < accounts {
        let n = (accounts - made).min(1000);
        let (mut acc, mut con, mut team) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n * 3),
            Vec::with_capacity(n * 2),
        );
        for _ in 0..n {
            let name = unique_name(&mut rng, &mut names);
            let key = store::new_key();
            let tier = *[
                SizeTier::Enterprise,
                SizeTier::MidMarket,
                SizeTier::MidMarket,
                SizeTier::Smb,
                SizeTier::Smb,
                SizeTier::Smb,
            ]
            .choose(&mut rng)
            .unwrap_or(&SizeTier::Smb);
            let arr_major: i64 = match tier {
                SizeTier::Enterprise => rng.gen_range(150_000..2_500_000),
                SizeTier::MidMarket => rng.gen_range(30_000..250_000),
                SizeTier::Smb => rng.gen_range(2_400..36_000),
            };
            let start = today - Duration::days(rng.gen_range(10..1800));
            let years = ((today - start).num_days() / 365 + 1).max(1) as i32;
            let renewal = add_years(start, years);
            let stage = stage_for(
                &mut rng,
                (today - start).num_days(),
                (renewal - today).num_days(),
            );
            let currency = *["USD", "USD", "USD", "USD", "EUR", "EUR", "GBP"]
                .choose(&mut rng)
                .unwrap_or(&"USD");
            let (owner_id, owner_name) = staff.choose(&mut rng).cloned().unwrap_or_default();
            let industry = *app::model::INDUSTRIES
                .choose(&mut rng)
                .unwrap_or(&"Software");
            acc.push(json!({
                "id": key, "name": name, "name_key": name.to_lowercase(), "tier": tier.key(), "industry": industry,
                "stage": stage.key(), "arr_minor": arr_major * 100, "currency": currency,
                "contract_start": format!("{start}T00:00:00Z"), "renewal_date": format!("{renewal}T00:00:00Z"),
                "owner": owner_id, "owner_name": owner_name,
            }));
            usage_accounts.push(UsageAccount {
                key: key.clone(),
                tier,
                start,
                churned: stage == Stage::Churned,
                domain: name
                    .split_whitespace()
                    .next()
                    .unwrap_or("example")
                    .to_lowercase()
                    .replace(|c: char| !c.is_ascii_alphanumeric(), ""),
            });
            team.push(json!({ "account": key, "user": owner_id, "role": TeamRole::Csm.key() }));
            if tier == SizeTier::Enterprise {
                let (other, _) = staff.choose(&mut rng).cloned().unwrap_or_default();
                team.push(json!({ "account": key, "user": other, "role": TeamRole::AccountManager.key() }));
            }
            let domain = name
                .split_whitespace()
                .next()
                .unwrap_or("example")
                .to_lowercase()
                .replace(|c: char| !c.is_ascii_alphanumeric(), "");
            let contacts = match tier {
                SizeTier::Enterprise => 4,
                SizeTier::MidMarket => 3,
                SizeTier::Smb => 1,
            };
            let mut emails = HashSet::new();
            for i in 0..contacts {
                let first = FIRST.choose(&mut rng).unwrap_or(&"Alex");
                let last = LAST.choose(&mut rng).unwrap_or(&"Kim");
                let email = format!(
                    "{}.{}@{domain}.example.com",
                    first.to_lowercase(),
                    last.to_lowercase()
                );
                if !emails.insert(email.clone()) {
                    continue;
                }
                let contact_key = store::new_key();
                people.push(Person {
                    contact: contact_key.clone(),
                    account: key.clone(),
                    email: email.clone(),
                    owner: owner_id.clone(),
                    tier,
                    churned: stage == Stage::Churned,
                });
                con.push(json!({
                    "id": contact_key, "account": key, "name": format!("{first} {last}"), "email": email,
                    "title": TITLES.choose(&mut rng).unwrap_or(&"CTO"), "champion": i == 0,
                }));
            }
        }
        store::accounts::insert_batch(db, acc, con, team)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        made += n;
        bar.inc(n as u64);
    }
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "seeded {made} accounts in {secs:.1}s ({:.0} accounts/s) with seed {seed}",
        made as f64 / secs.max(0.001)
    );
    let t = std::time::Instant::now();
    let answers = voice(db, &mut rng, &people, staff.first().map(|s| s.0.as_str())).await?;
    if answers > 0 {
        println!(
            "seeded {answers} survey answers over 12 months in {:.1}s",
            t.elapsed().as_secs_f64()
        );
    }
    if !history {
        return Ok(());
    }
    let t = std::time::Instant::now();
    let (plans, touchpoints) =
        plans_and_touchpoints(db, &mut rng, &usage_accounts, &staff, today).await?;
    println!(
        "seeded {plans} success plans and {touchpoints} touchpoints in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    let t = std::time::Instant::now();
    let (days, snaps) = usage_history(
        db,
        &mut rng,
        &usage_accounts,
        staff.first().map(|s| s.0.as_str()),
    )
    .await?;
    println!(
        "seeded {days} days of product usage and {snaps} daily health scores in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    // Today's scores again with the real engine reading the database, so they count the
    // touchpoints and plan milestones seeded above (the history is computed from usage alone).
    // (The index is not loaded here, so the ids come from the database.)
    let portfolio = app::store::portfolio_index::PortfolioIndex::new();
    let ids = store::accounts::ids_matching(db, &portfolio, &Default::default())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    app::scoring::recompute(db, &portfolio, Some(&ids), "seed-demo")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

/// Success plans from the journey templates for accounts that started in the last 18 months
/// (their milestones completed on plausible past dates, most on time, some late, a few still
/// open past their due date), touchpoints over the last four months, and cadence rules for an
/// Enterprise and an SMB segment.
async fn plans_and_touchpoints(
    db: &Db,
    rng: &mut ChaCha8Rng,
    accounts: &[UsageAccount],
    staff: &[(String, String)],
    today: NaiveDate,
) -> anyhow::Result<(usize, usize)> {
    use app::model::engagement::{TouchpointInput, TouchpointKind};
    use app::model::plan::NewPlanInput;
    use app::store::plans::Actor;
    let err = |e: app::error::AppError| anyhow::anyhow!("{e}");
    let by = staff.first().map(|s| s.0.clone()).unwrap_or_default();
    let by_name = staff.first().map(|s| s.1.clone()).unwrap_or_default();
    let actor = Actor::Staff {
        id: by.clone(),
        name: by_name.clone(),
    };
    // Cadences for two segments (made here if the portfolio has none of that name).
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
            None => store::segments::create(
                db,
                name,
                &app::model::PortfolioFilter::from_query_string(query),
                &by,
            )
            .await
            .map_err(err)?,
        };
        for (kind, every) in rules {
            let _ = store::touchpoints::add_rule(db, &seg.id, kind, every).await;
        }
    }
    let templates = store::templates::list(db).await.map_err(err)?;
    let mut plans = 0;
    let mut touchpoints = 0;
    for a in accounts.iter().filter(|a| !a.churned) {
        let age = (today - a.start).num_days();
        if age < 540 {
            let template = match age {
                0..=45 => "onboarding",
                46..=120 => "implementation",
                _ => "growth",
            };
            let Some(t) = templates.iter().find(|t| t.id == template) else {
                continue;
            };
            let valid = NewPlanInput {
                title: format!("{} plan", t.name),
                template_id: t.id.clone(),
                start: a.start.to_string(),
            }
            .validate()
            .map_err(err)?;
            let plan = store::plans::create(db, &a.key, &valid, Some(t), &actor)
                .await
                .map_err(err)?;
            plans += 1;
            if let Some(p) = store::plans::get(db, &plan).await.map_err(err)? {
                for m in p.milestones.iter().filter(|m| m.due < today) {
                    // Most milestones are done around their date; some late; some slip.
                    let roll: f64 = rng.gen();
                    if roll < 0.12 {
                        continue;
                    }
                    let late = if roll < 0.3 {
                        rng.gen_range(3..25)
                    } else {
                        rng.gen_range(-4..3)
                    };
                    let on = (m.due + Duration::days(late)).min(today);
                    store::plans::complete_as_of(db, &m.id, on, &by_name)
                        .await
                        .map_err(err)?;
                }
            }
        }
        // Touchpoints over the last four months: more for bigger accounts.
        let n = match a.tier {
            SizeTier::Enterprise => rng.gen_range(6..14),
            SizeTier::MidMarket => rng.gen_range(3..8),
            SizeTier::Smb => rng.gen_range(0..4),
        };
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
            let valid = TouchpointInput {
                kind: kind.key().into(),
                date: day.to_string(),
                attendees: String::new(),
                notes: (*[
                    "Went through adoption numbers.",
                    "Agreed next steps for the rollout.",
                    "Discussed the renewal timeline.",
                    "Training questions answered.",
                ]
                .choose(rng)
                .unwrap_or(&""))
                .to_string(),
                next_steps: String::new(),
            }
            .validate(today)
            .map_err(err)?;
            store::touchpoints::create(db, &a.key, &valid, &by)
                .await
                .map_err(err)?;
            touchpoints += 1;
        }
    }
    Ok((plans, touchpoints))
}

/// What the usage history needs to know about a seeded account.
struct UsageAccount {
    key: String,
    tier: SizeTier,
    start: NaiveDate,
    churned: bool,
    domain: String,
}

/// The product features demo accounts (and the health benchmark's events) use.
pub const FEATURES: &[&str] = &[
    "dashboards",
    "reports",
    "integrations",
    "automation",
    "alerts",
    "exports",
    "api",
];

/// A year of product usage as daily rollups (what the events API would have built), CSM
/// sentiment, churn dates, and daily health snapshots: a realistic history for the trend
/// charts and a meaningful churn backtest.
///
/// Each account gets a hidden engagement level; churned accounts fade over the 120 days
/// before they churn and go silent after; some retained accounts decline lately (the at-risk
/// ones a CSM should find). Scores are then computed with the real engine for every day of the
/// last 30 and every week before that, from the same facts the server would read (kept in
/// memory here, so seeding does not query the database once per day). The default model gets a
/// second version 40 days ago (adoption weighed more), so the charts show a model change.
async fn usage_history(
    db: &Db,
    rng: &mut ChaCha8Rng,
    accounts: &[UsageAccount],
    admin: Option<&str>,
) -> anyhow::Result<(usize, usize)> {
    use app::metrics::health as engine;
    use app::model::health::{Band, HealthConfig, HealthFacts};
    let err = |e: app::error::AppError| anyhow::anyhow!("{e}");
    let today = chrono::Utc::now().date_naive();
    let mut rows = Vec::new();
    let mut churn_dates = Vec::new();
    let mut sentiments = Vec::new();
    let mut day_count = 0usize;
    // Per account, compactly: (day, logins, users as a bit set, features as a bit set).
    let mut usage: Vec<Vec<(NaiveDate, u32, u64, u8)>> = Vec::with_capacity(accounts.len());
    let mut felt: Vec<Option<(Band, NaiveDate)>> = Vec::with_capacity(accounts.len());
    for a in accounts {
        let level: f64 = if a.churned {
            rng.gen_range(0.2..0.7)
        } else if rng.gen_bool(0.15) {
            rng.gen_range(0.15..0.5)
        } else {
            rng.gen_range(0.45..1.0)
        };
        let declining = !a.churned && rng.gen_bool(0.12);
        let churn_on = a
            .churned
            .then(|| today - Duration::days(rng.gen_range(15..300)));
        if let Some(c) = churn_on {
            churn_dates.push(json!({ "id": a.key, "on": format!("{c}T00:00:00Z") }));
        }
        let users: usize = match a.tier {
            SizeTier::Enterprise => rng.gen_range(12..40),
            SizeTier::MidMarket => rng.gen_range(5..15),
            SizeTier::Smb => rng.gen_range(1..5),
        };
        // The features this account has taken up; on a given day it uses some of them.
        let mut adopted: Vec<usize> = (0..FEATURES.len()).collect();
        adopted.shuffle(rng);
        adopted.truncate(((FEATURES.len() as f64) * level).round().max(1.0) as usize);
        let first = a.start.max(today - Duration::days(365));
        let mut days = Vec::new();
        let mut d = first;
        while d <= today {
            if d.weekday().number_from_monday() >= 6 || churn_on.is_some_and(|c| d >= c) {
                d += Duration::days(1);
                continue;
            }
            let mut e = level;
            if let Some(c) = churn_on {
                let to_churn = (c - d).num_days() as f64;
                if to_churn < 120.0 {
                    e *= (to_churn / 120.0).max(0.05);
                }
            }
            if declining {
                let ago = (today - d).num_days() as f64;
                if ago < 60.0 {
                    e *= 0.3 + 0.7 * ago / 60.0;
                }
            }
            // Expected active users; the fraction becomes a chance of one more, so a one-seat
            // account that uses the product a third of the time shows up a third of the days.
            let expected = (users as f64) * e * rng.gen_range(0.5..1.0);
            let active = expected.floor() as usize + usize::from(rng.gen_bool(expected.fract()));
            if active > 0 {
                let logins = active + rng.gen_range(0..=active);
                let n_features = ((adopted.len() as f64) * e * rng.gen_range(0.3..1.0))
                    .round()
                    .clamp(0.0, adopted.len() as f64) as usize;
                let mut feats = adopted.clone();
                feats.shuffle(rng);
                feats.truncate(n_features);
                let who: Vec<usize> = (0..active)
                    .map(|i| (i * 7 + d.ordinal() as usize) % users)
                    .collect();
                let user_bits = who.iter().fold(0u64, |m, u| m | (1 << u));
                let feature_bits = feats.iter().fold(0u8, |m, f| m | (1 << f));
                rows.push(json!({
                    "acc": a.key, "day": d.to_string(), "events": logins + n_features, "logins": logins,
                    "users": who.iter().map(|u| format!("user{u}@{}.example.com", a.domain)).collect::<Vec<_>>(),
                    "features": feats.iter().map(|f| FEATURES[*f]).collect::<Vec<_>>(),
                }));
                days.push((d, logins as u32, user_bits, feature_bits));
                day_count += 1;
            }
            d += Duration::days(1);
        }
        usage.push(days);
        // A third of live accounts have a CSM read, mostly in line with the data.
        let mut read = None;
        if !a.churned && rng.gen_bool(0.33) {
            let colour = if rng.gen_bool(0.8) {
                if level < 0.4 || declining {
                    Band::Red
                } else if level < 0.65 {
                    Band::Yellow
                } else {
                    Band::Green
                }
            } else {
                *Band::ALL.choose(rng).unwrap_or(&Band::Yellow)
            };
            let set = today - Duration::days(rng.gen_range(0..25));
            sentiments.push(json!({ "acc": a.key, "colour": colour, "at": format!("{set}T09:00:00Z"), "by": admin }));
            read = Some((colour, set));
        }
        felt.push(read);
        if rows.len() >= 2000 {
            store::health::seed_history(db, &rows, &[], &[])
                .await
                .map_err(err)?;
            rows.clear();
        }
    }
    store::health::seed_history(db, &rows, &churn_dates, &sentiments)
        .await
        .map_err(err)?;

    // Survey answers (seeded before this) count as satisfaction on and after their day.
    let answers = store::health::survey_answers(db).await.map_err(err)?;

    // Model versions: v1 as shipped, v2 forty days ago.
    store::health::ensure_default(db).await.map_err(err)?;
    let v1 = HealthConfig::default();
    let mut v2 = v1.clone();
    if let Some(m) = v2
        .measures
        .iter_mut()
        .find(|m| m.measure == app::model::health::Measure::FeatureAdoption)
    {
        m.weight = 35;
    }
    let version_two = match admin {
        Some(by) => Some(
            store::health::save_version(db, "default", &v2, by)
                .await
                .map_err(err)?,
        ),
        None => None,
    };
    let switch = today - Duration::days(40);
    let mut days: Vec<NaiveDate> = (1..=48)
        .map(|w| today - Duration::days(29 + 7 * w))
        .collect();
    days.reverse();
    days.extend((0..30).map(|i| today - Duration::days(29 - i)));
    let mut snaps = 0;
    for day in days {
        let (config, version) = match &version_two {
            Some(m) if day >= switch => (&m.config, m.version),
            _ => (&v1, 1),
        };
        let mut batch = Vec::with_capacity(accounts.len());
        for (i, a) in accounts.iter().enumerate() {
            if a.start > day {
                continue;
            }
            let (mut logins, mut users, mut feats, mut recent_usage) = (0u32, 0u64, 0u8, false);
            for (d, l, u, f) in &usage[i] {
                let age = (day - *d).num_days();
                if !(0..90).contains(&age) {
                    continue;
                }
                recent_usage = true;
                if age < 30 {
                    logins += l;
                    users |= u;
                    feats |= f;
                }
            }
            let facts = HealthFacts {
                has_usage: recent_usage,
                logins_30d: logins,
                active_users_30d: users.count_ones(),
                features_30d: (0..FEATURES.len())
                    .filter(|f| feats & (1 << f) != 0)
                    .map(|f| FEATURES[f].to_string())
                    .collect(),
                satisfaction: answers.get(&a.key).and_then(|list| {
                    list.iter()
                        .filter(|(d, _, _)| *d <= day && (day - *d).num_days() < 365)
                        .max_by_key(|(d, _, _)| *d)
                        .map(|(_, kind, score)| engine::satisfaction_scale(*kind, *score))
                }),
                sentiment: felt[i]
                    .filter(|(_, set)| *set <= day)
                    .map(|(b, set)| (b, (day - set).num_days() as u32)),
                ..Default::default()
            };
            let s = engine::score(config, &facts);
            batch.push(store::health::SnapshotWrite {
                acc: a.key.clone(),
                day: day.to_string(),
                score: s.score,
                band: s.band,
                model: "default".into(),
                version,
                measures: s.measures,
                cause: "daily".into(),
            });
        }
        snaps += batch.len();
        // Only today's scores are copied onto the accounts.
        let last = day == today;
        store::health::write_snapshots(db, &batch, |_, _, _| !last)
            .await
            .map_err(err)?;
    }
    Ok((day_count, snaps))
}

/// A seeded contact, remembered for the survey history.
struct Person {
    contact: String,
    account: String,
    email: String,
    owner: String,
    tier: SizeTier,
    churned: bool,
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

/// Survey history for the demo: a recurring relationship NPS for enterprise accounts, a
/// support CSAT for SMB and an effort score for mid-market, answered over the past year, with
/// the follow-ups the low scores opened (most of them closed). Skipped if already seeded.
async fn voice(
    db: &Db,
    rng: &mut ChaCha8Rng,
    people: &[Person],
    fallback_owner: Option<&str>,
) -> anyhow::Result<usize> {
    use app::model::{AudienceKind, SurveyKind, ValidSurvey};
    let err = |e: app::error::AppError| anyhow::anyhow!("{e}");
    if people.is_empty()
        || store::surveys::list(db)
            .await
            .map_err(err)?
            .iter()
            .any(|s| s.name == "Relationship NPS")
    {
        return Ok(0);
    }
    let segments = store::segments::list(db).await.map_err(err)?;
    let mut plans = Vec::new();
    for (survey, kind, seg_name, tier, months) in [
        (
            "Relationship NPS",
            SurveyKind::Nps,
            "Enterprise",
            SizeTier::Enterprise,
            Some(6),
        ),
        ("Support CSAT", SurveyKind::Csat, "SMB", SizeTier::Smb, None),
        (
            "Onboarding effort (CES)",
            SurveyKind::Ces,
            "Mid-market",
            SizeTier::MidMarket,
            None,
        ),
    ] {
        let segment = match segments.iter().find(|s| s.name == seg_name) {
            Some(s) => s.id.clone(),
            None => {
                let f = app::model::PortfolioFilter {
                    tier: Some(tier),
                    ..Default::default()
                };
                store::segments::create(db, seg_name, &f, fallback_owner.unwrap_or(""))
                    .await
                    .map_err(err)?
                    .id
            }
        };
        let s = store::surveys::create(
            db,
            &ValidSurvey {
                name: survey.into(),
                kind,
                question: kind.default_question().into(),
                questions: Vec::new(),
                audience: app::model::Audience {
                    kind: AudienceKind::Segment,
                    segment: Some(segment),
                    ids: Vec::new(),
                },
                recurrence_months: months,
            },
            fallback_owner.unwrap_or(""),
        )
        .await
        .map_err(err)?;
        plans.push((s.id, kind, tier, months));
    }
    let now = chrono::Utc::now();
    let (mut inv, mut resp, mut fu) = (Vec::new(), Vec::new(), Vec::new());
    let mut answers = 0usize;
    let mut moods: std::collections::HashMap<&str, f64> = std::collections::HashMap::new();
    for p in people {
        let Some((survey, kind, _, months)) = plans.iter().find(|x| x.2 == p.tier) else {
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
        let rounds = if months.is_some() { 2 } else { 1 };
        for round in 0..rounds {
            if !rng.gen_bool(0.7) {
                continue;
            }
            let days_ago = rng.gen_range(0..180) + 182 * round;
            let sent = now - Duration::days(days_ago) - Duration::minutes(rng.gen_range(0..1440));
            let key = store::new_key();
            let mut i = json!({
                "id": key, "survey": survey, "contact": p.contact, "account": p.account, "email": p.email,
                "sent_at": sent.to_rfc3339(), "expires_at": (sent + Duration::days(30)).to_rfc3339(),
            });
            if rng.gen_bool(0.45) {
                let at = (sent + Duration::minutes(rng.gen_range(5..4 * 1440))).min(now);
                let (lo, hi) = kind.range();
                let noise: f64 = rng.gen_range(-0.25..0.25) + rng.gen_range(-0.15..0.15);
                let x = (mood + noise).clamp(0.0, 1.0);
                let score = (lo as f64 + x * (hi - lo) as f64).round() as i64;
                let band = kind.band(score);
                i["responded_at"] = json!(at.to_rfc3339());
                let mut r = json!({
                    "id": key, "survey": survey, "contact": p.contact, "account": p.account,
                    "kind": kind.key(), "score": score, "created_at": at.to_rfc3339(),
                });
                if rng.gen_bool(0.6) {
                    let list = match band {
                        app::model::Band::High => PRAISE,
                        app::model::Band::Mid => MIXED,
                        app::model::Band::Low => COMPLAINTS,
                    };
                    r["comment"] = json!(list.choose(rng).unwrap_or(&""));
                }
                if kind.needs_follow_up(score) {
                    let mut f = json!({
                        "id": key, "survey": survey, "account": p.account, "contact": p.contact,
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
                    fu.push(f);
                }
                resp.push(r);
                answers += 1;
            }
            inv.push(i);
        }
        if inv.len() >= 2000 {
            store::surveys::insert_history(
                db,
                std::mem::take(&mut inv),
                std::mem::take(&mut resp),
                std::mem::take(&mut fu),
            )
            .await
            .map_err(err)?;
        }
    }
    store::surveys::insert_history(db, inv, resp, fu)
        .await
        .map_err(err)?;
    Ok(answers)
}

/// The demo CSMs who own accounts. They get random passwords nobody knows: sign in as your own
/// admin to look around, or set one with `bellwether user create`.
async fn demo_staff(db: &Db, rng: &mut ChaCha8Rng) -> anyhow::Result<Vec<(String, String)>> {
    let existing = store::users::list(db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut staff: Vec<(String, String)> = existing
        .iter()
        .filter(|u| u.active && u.role == Role::Csm && u.email.ends_with("@demo.bellwether.local"))
        .map(|u| (u.id.clone(), u.name.clone()))
        .collect();
    if staff.is_empty() {
        let hash = app::auth::hash_password(&app::auth::new_session_token().0)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        for (first, last) in [
            ("Riley", "Park"),
            ("Jordan", "Blake"),
            ("Sam", "Okoro"),
            ("Morgan", "Lindqvist"),
            ("Avery", "Santos"),
            ("Taylor", "Nguyen"),
        ] {
            let email = format!(
                "{}.{}@demo.bellwether.local",
                first.to_lowercase(),
                last.to_lowercase()
            );
            let u = store::users::create(db, &email, &format!("{first} {last}"), Role::Csm, &hash)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            staff.push((u.id, u.name));
        }
    }
    staff.sort();
    let _ = rng.gen::<u8>();
    Ok(staff)
}

fn unique_name(rng: &mut ChaCha8Rng, taken: &mut HashSet<String>) -> String {
    for attempt in 0.. {
        let base = format!(
            "{} {} {}",
            PREFIXES.choose(rng).unwrap_or(&"Acme"),
            CORES.choose(rng).unwrap_or(&"Labs"),
            SUFFIXES.choose(rng).unwrap_or(&"Inc.")
        );
        let name = match attempt {
            0..=2 => base,
            3..=5 => format!("{base} ({})", CITIES.choose(rng).unwrap_or(&"Oslo")),
            _ => format!(
                "{base} ({} {})",
                CITIES.choose(rng).unwrap_or(&"Oslo"),
                rng.gen_range(2..100_000)
            ),
        };
        if taken.insert(name.to_lowercase()) {
            return name;
        }
    }
    unreachable!()
}

fn stage_for(rng: &mut ChaCha8Rng, age_days: i64, days_to_renewal: i64) -> Stage {
    if rng.gen_bool(0.08) {
        Stage::Churned
    } else if age_days < 60 {
        Stage::Onboarding
    } else if age_days < 150 {
        Stage::Implementation
    } else if days_to_renewal < 90 {
        Stage::Renewal
    } else {
        Stage::Growth
    }
}

fn add_years(d: NaiveDate, years: i32) -> NaiveDate {
    d.checked_add_months(chrono::Months::new(12 * years as u32))
        .unwrap_or(d + Duration::days(365 * years as i64))
}
