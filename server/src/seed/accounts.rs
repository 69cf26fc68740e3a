//! The demo CSMs, and the accounts they own with contacts and team.

use super::names::{CITIES, CORES, FIRST, LAST, PREFIXES, SUFFIXES, TITLES};
use super::surveys::Person;
use super::{err, SeededAccount, Staff};
use app::model::{Role, SizeTier, Stage, TeamRole};
use app::store::{self, Db};
use chrono::{Duration, NaiveDate};
use indicatif::ProgressBar;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use std::collections::HashSet;

/// Accounts written in one transaction.
const BATCH: usize = 1000;

/// The rows of one batch, as [`store::accounts::insert_batch`] takes them.
struct Batch {
    accounts: Vec<Value>,
    contacts: Vec<Value>,
    team: Vec<Value>,
}

impl Batch {
    fn with_capacity(n: usize) -> Self {
        Self {
            accounts: Vec::with_capacity(n),
            contacts: Vec::with_capacity(n * 3),
            team: Vec::with_capacity(n * 2),
        }
    }
}

/// The demo CSMs who own accounts. They get random passwords nobody knows: sign in as your own
/// admin to look around, or set one with `bellwether user create`.
pub(super) async fn demo_staff(db: &Db, rng: &mut ChaCha8Rng) -> anyhow::Result<Vec<Staff>> {
    let existing = store::users::list(db).await.map_err(err)?;
    let mut staff: Vec<Staff> = existing
        .iter()
        .filter(|u| u.active && u.role == Role::Csm && u.email.ends_with("@demo.bellwether.local"))
        .map(|u| (u.id.to_string(), u.name.clone()))
        .collect();
    if staff.is_empty() {
        let hash = app::auth::hash_password(&app::auth::new_session_token().0).map_err(err)?;
        for (first, last) in [
            ("Riley", "Park"),
            ("Jordan", "Blake"),
            ("Sam", "Okoro"),
            ("Morgan", "Lindqvist"),
            ("Avery", "Santos"),
            ("Taylor", "Nguyen"),
        ] {
            let email =
                format!("{}.{}@demo.bellwether.local", first.to_lowercase(), last.to_lowercase());
            let u = store::users::create(db, &email, &format!("{first} {last}"), Role::Csm, &hash)
                .await
                .map_err(err)?;
            staff.push((u.id.into(), u.name));
        }
    }
    staff.sort();
    // Drawn since the first release: the generator's later draws (every seeded name) follow it.
    let _ = rng.gen::<u8>();
    Ok(staff)
}

/// `count` accounts in batches of [`BATCH`], each with one to four contacts (the first the
/// champion), its owner as CSM and, for enterprise accounts, an account manager. Returns the
/// accounts and their contacts for the later steps.
pub(super) async fn seed_accounts(
    db: &Db, rng: &mut ChaCha8Rng, staff: &[Staff], count: usize, today: NaiveDate,
    bar: &ProgressBar,
) -> anyhow::Result<(Vec<SeededAccount>, Vec<Person>)> {
    // Names already there (a second seeding) are avoided, not collided with.
    let mut names: HashSet<String> =
        store::accounts::name_keys(db).await.map_err(err)?.into_iter().collect();
    let mut seeded = Vec::with_capacity(count);
    let mut people = Vec::new();
    while seeded.len() < count {
        let n = (count - seeded.len()).min(BATCH);
        let mut batch = Batch::with_capacity(n);
        for _ in 0..n {
            let account = new_account(rng, &mut names, staff, today, &mut batch);
            add_contacts(rng, &account, &mut batch, &mut people);
            seeded.push(account);
        }
        store::accounts::insert_batch(db, batch.accounts, batch.contacts, batch.team)
            .await
            .map_err(err)?;
        bar.inc(n as u64);
    }
    Ok((seeded, people))
}

/// One account's row and team rows: a unique name, a tier (half SMB), an ARR fitting the tier,
/// a contract start up to five years back with yearly renewals, a stage fitting its age.
fn new_account(
    rng: &mut ChaCha8Rng, names: &mut HashSet<String>, staff: &[Staff], today: NaiveDate,
    batch: &mut Batch,
) -> SeededAccount {
    let name = unique_name(rng, names);
    let key = store::new_key();
    let tier = *[
        SizeTier::Enterprise,
        SizeTier::MidMarket,
        SizeTier::MidMarket,
        SizeTier::Smb,
        SizeTier::Smb,
        SizeTier::Smb,
    ]
    .choose(rng)
    .unwrap_or(&SizeTier::Smb);
    let arr_major: i64 = match tier {
        SizeTier::Enterprise => rng.gen_range(150_000..2_500_000),
        SizeTier::MidMarket => rng.gen_range(30_000..250_000),
        SizeTier::Smb => rng.gen_range(2_400..36_000),
    };
    let start = today - Duration::days(rng.gen_range(10..1800));
    let years = ((today - start).num_days() / 365 + 1).max(1) as i32;
    let renewal = add_years(start, years);
    let stage = stage_for(rng, (today - start).num_days(), (renewal - today).num_days());
    let currency = *["USD", "USD", "USD", "USD", "EUR", "EUR", "GBP"].choose(rng).unwrap_or(&"USD");
    let (owner_id, owner_name) = staff.choose(rng).cloned().unwrap_or_default();
    let industry = *app::model::INDUSTRIES.choose(rng).unwrap_or(&"Software");
    batch.accounts.push(json!({
        "id": key, "name": name, "name_key": name.to_lowercase(), "tier": tier.key(), "industry": industry,
        "stage": stage.key(), "arr_minor": arr_major * 100, "currency": currency,
        "contract_start": format!("{start}T00:00:00Z"), "renewal_date": format!("{renewal}T00:00:00Z"),
        "owner": owner_id, "owner_name": owner_name,
    }));
    batch.team.push(json!({ "account": key, "user": owner_id, "role": TeamRole::Csm.key() }));
    if tier == SizeTier::Enterprise {
        let (other, _) = staff.choose(rng).cloned().unwrap_or_default();
        batch
            .team
            .push(json!({ "account": key, "user": other, "role": TeamRole::AccountManager.key() }));
    }
    SeededAccount {
        key,
        tier,
        start,
        churned: stage == Stage::Churned,
        domain: name
            .split_whitespace()
            .next()
            .unwrap_or("example")
            .to_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), ""),
        owner: owner_id,
    }
}

/// The account's contacts (four at an enterprise, three at mid-market, one at SMB; a drawn name
/// that is already there is skipped), remembered in `people` for the survey history.
fn add_contacts(
    rng: &mut ChaCha8Rng, a: &SeededAccount, batch: &mut Batch, people: &mut Vec<Person>,
) {
    let contacts = match a.tier {
        SizeTier::Enterprise => 4,
        SizeTier::MidMarket => 3,
        SizeTier::Smb => 1,
    };
    let mut emails = HashSet::new();
    for i in 0..contacts {
        let first = FIRST.choose(rng).unwrap_or(&"Alex");
        let last = LAST.choose(rng).unwrap_or(&"Kim");
        let email =
            format!("{}.{}@{}.example.com", first.to_lowercase(), last.to_lowercase(), a.domain);
        if !emails.insert(email.clone()) {
            continue;
        }
        let contact_key = store::new_key();
        people.push(Person {
            contact: contact_key.clone(),
            account: a.key.clone(),
            email: email.clone(),
            owner: a.owner.clone(),
            tier: a.tier,
            churned: a.churned,
        });
        batch.contacts.push(json!({
            "id": contact_key, "account": a.key, "name": format!("{first} {last}"), "email": email,
            "title": TITLES.choose(rng).unwrap_or(&"CTO"), "champion": i == 0,
        }));
    }
}

/// A company name not in `taken` (lower-cased keys): prefix, core and suffix; after three
/// collisions with a city, after six with a number too.
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

/// 8 % of accounts have churned; the others are at the stage their age and renewal date
/// suggest.
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
