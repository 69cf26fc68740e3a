//! Making a plan: blank, or laid out from a journey template with its roles given to the
//! account's people.

use super::change;
use crate::error::AppError;
use crate::model::plan::*;
use crate::model::PlanId;
use crate::store::{date_param, de, new_key, transact, Db};
use serde::Deserialize;
use serde_json::json;

/// The people of an account a template's roles go to: its team, its owner, its contacts.
struct People {
    owner: Option<String>,
    seats: Vec<Seat>,
    contacts: Vec<ContactSeat>,
}

#[derive(Deserialize)]
struct Seat {
    #[serde(deserialize_with = "de::key")]
    user: String,
    role: String,
}

#[derive(Deserialize)]
struct ContactSeat {
    #[serde(deserialize_with = "de::key")]
    id: String,
    champion: bool,
}

#[derive(Deserialize)]
struct AccountFacts {
    #[serde(default, deserialize_with = "de::opt_key")]
    owner: Option<String>,
}

impl People {
    /// The account's people; `NotFound` when there is no such account.
    async fn of(db: &Db, account: &str) -> Result<People, AppError> {
        let mut r = transact(
            db,
            "BEGIN;
             LET $a = type::record('account', $acc_key);
             SELECT owner FROM $a WHERE record::exists($a);
             SELECT user, role FROM team_member WHERE account = $a;
             SELECT id, champion FROM contact WHERE account = $a ORDER BY created_at;
             COMMIT;",
            json!({ "acc_key": account }),
        )
        .await?;
        let facts: Vec<AccountFacts> = r.take(2)?;
        let facts =
            (facts.into_iter().next()).ok_or_else(|| AppError::NotFound("account".into()))?;
        Ok(People { owner: facts.owner, seats: r.take(3)?, contacts: r.take(4)? })
    }

    /// Who gets a template step for `role`: (user, contact). Customer steps go to the champion
    /// (or the first contact); team steps to whoever holds that seat, CSM steps falling back to
    /// the account's owner; nobody when the account has no one for it.
    fn person_for(&self, role: OwnerRole) -> (Option<String>, Option<String>) {
        if role == OwnerRole::Customer {
            let champion = self.contacts.iter().find(|c| c.champion);
            return (None, champion.or(self.contacts.first()).map(|c| c.id.clone()));
        }
        let seat = self.seats.iter().find(|s| s.role == role.key());
        let user = seat
            .map(|s| s.user.clone())
            .or_else(|| (role == OwnerRole::Csm).then(|| self.owner.clone()).flatten());
        (user, None)
    }
}

/// The rows a template lays out from `start`: (milestones, tasks, objectives), ready to bind.
fn rows_from(
    t: &JourneyTemplate, start: chrono::NaiveDate, people: &People,
) -> (Vec<serde_json::Value>, Vec<serde_json::Value>, Vec<serde_json::Value>) {
    let mut milestones = Vec::new();
    let mut tasks = Vec::new();
    for (i, (m, (due, task_dues))) in
        t.milestones.iter().zip(layout(&t.milestones, start)).enumerate()
    {
        let mk = new_key();
        milestones.push(json!({
            "id": mk, "title": m.title, "due": date_param(due),
            "first_value": m.first_value, "position": i,
        }));
        for (j, (task, tdue)) in m.tasks.iter().zip(task_dues).enumerate() {
            let (user, contact) = people.person_for(task.owner_role);
            tasks.push(json!({
                "id": new_key(), "milestone": mk, "title": task.title, "due": date_param(tdue),
                "owner_role": task.owner_role.key(), "owner_user": user,
                "owner_contact": contact, "position": j, "resources": task.resources,
            }));
        }
    }
    let objectives = (t.objectives.iter().enumerate())
        .map(|(i, o)| json!({ "id": new_key(), "metric": o.metric, "unit": o.unit, "position": i }))
        .collect();
    (milestones, tasks, objectives)
}

/// Makes a plan, blank or laid out from a template from `start`. Template roles become people
/// where the account has someone in that role (its team; its champion for customer steps).
/// Returns the new plan's key.
pub async fn create(
    db: &Db, account: &str, v: &ValidNewPlan, template: Option<&JourneyTemplate>, by: &Actor,
) -> Result<PlanId, AppError> {
    let people = People::of(db, account).await?;
    let (milestones, tasks, objectives) = match template {
        Some(t) => rows_from(t, v.start, &people),
        None => Default::default(),
    };
    let owner = PlanOwner { plan: new_key().into(), account: account.into(), start: v.start };
    let data = EventData {
        template: template.map(|t| t.name.clone()),
        version: template.map(|t| t.version),
        ..Default::default()
    };
    change(
        db,
        &owner,
        "CREATE $p SET account = $acc, title = $title, start = <datetime>$start,
            template = IF $tpl = NONE { NONE } ELSE { type::record('journey_template', $tpl) },
            template_name = $tpl_name, template_version = $tpl_version,
            created_by = IF $staff = NONE { NONE } ELSE { type::record('user', $staff) };
         FOR $m IN $milestones {
            CREATE type::record('milestone', $m.id) SET plan = $p, account = $acc, title = $m.title,
                due = <datetime>$m.due, first_value = $m.first_value, position = $m.position;
         };
         FOR $t IN $tasks {
            CREATE type::record('task', $t.id) SET plan = $p, account = $acc,
                milestone = type::record('milestone', $t.milestone), title = $t.title,
                due = <datetime>$t.due, status = 'open', owner_role = $t.owner_role,
                owner_user = IF $t.owner_user = NONE { NONE } ELSE { type::record('user', $t.owner_user) },
                owner_contact = IF $t.owner_contact = NONE { NONE }
                    ELSE { type::record('contact', $t.owner_contact) },
                position = $t.position, resources = $t.resources;
         };
         FOR $o IN $objectives {
            CREATE type::record('objective', $o.id) SET plan = $p, metric = $o.metric, unit = $o.unit,
                baseline = 0, current = 0, target = 0, position = $o.position;
         };",
        json!({
            "title": v.title,
            "start": date_param(v.start),
            "tpl": template.map(|t| t.id.clone()),
            "tpl_name": template.map(|t| t.name.clone()),
            "tpl_version": template.map(|t| t.version),
            "staff": match by { Actor::Staff { id, .. } => Some(id.clone()), _ => None },
            "milestones": milestones, "tasks": tasks, "objectives": objectives,
        }),
        (PlanEventKind::PlanCreated, data),
        by,
    )
    .await?;
    Ok(owner.plan)
}
