//! Business calendars, SLA policies and the escalation setup (types and paths). Calendars and
//! policies are versioned: a head row names the current version, and every version is an
//! immutable row keyed `[id, version]` that escalations point at.

use crate::error::AppError;
use crate::model::escalation::*;
use crate::model::Timestamp;
use crate::store::{de, execute, query_all, query_one, transact, Db};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct CalendarRow {
    #[serde(deserialize_with = "de::key")]
    id: String,
    name: String,
    version: u32,
    spec: CalendarSpec,
    updated_at: Timestamp,
}

impl From<CalendarRow> for Calendar {
    fn from(r: CalendarRow) -> Self {
        Calendar {
            id: r.id,
            name: r.name,
            version: r.version,
            spec: r.spec,
            updated_at: r.updated_at,
        }
    }
}

pub async fn calendars(db: &Db) -> Result<Vec<Calendar>, AppError> {
    let rows: Vec<CalendarRow> =
        query_all(db, "SELECT * FROM calendar ORDER BY name", json!({})).await?;
    Ok(rows.into_iter().map(Calendar::from).collect())
}

pub async fn calendar(db: &Db, id: &str) -> Result<Option<Calendar>, AppError> {
    let row: Option<CalendarRow> = query_one(
        db,
        "SELECT * FROM calendar WHERE id = type::record('calendar', $id)",
        json!({ "id": id }),
    )
    .await?;
    Ok(row.map(Calendar::from))
}

/// One saved version of a calendar (immutable).
pub async fn calendar_version(
    db: &Db, id: &str, version: u32,
) -> Result<Option<CalendarSpec>, AppError> {
    query_one(
        db,
        "SELECT VALUE spec FROM type::record('calendar_version', [$id, $v])",
        json!({ "id": id, "v": version }),
    )
    .await
}

/// Saves a new calendar (`id` None) or a new version of one; returns (id, version).
pub async fn save_calendar(
    db: &Db, id: Option<&str>, input: &CalendarInput, by: Option<&str>,
) -> Result<(String, u32), AppError> {
    let key = id.map(str::to_string).unwrap_or_else(crate::store::new_key);
    let mut r = transact(
        db,
        "BEGIN;
         LET $c = type::record('calendar', $key);
         IF $existing AND !record::exists($c) { THROW 'bw:not_found:calendar' };
         LET $v = IF record::exists($c) { (SELECT VALUE version FROM ONLY $c) + 1 } ELSE { 1 };
         UPSERT $c CONTENT { name: $name, version: $v, spec: $spec, updated_at: time::now() } RETURN NONE;
         CREATE type::record('calendar_version', [$key, $v]) CONTENT {
             spec: $spec,
             created_by: IF $by = NONE { NONE } ELSE { type::record('user', $by) }
         } RETURN NONE;
         RETURN $v;
         COMMIT;",
        super::strip_nulls(json!({ "key": key, "existing": id.is_some(), "name": input.name, "spec": input.spec, "by": by })),
    )
    .await?;
    Ok((key, r.before_commit()?))
}

#[derive(Deserialize)]
struct PolicyRow {
    #[serde(deserialize_with = "de::key")]
    id: String,
    name: String,
    #[serde(default, deserialize_with = "de::opt_key")]
    segment: Option<String>,
    #[serde(default)]
    segment_name: Option<String>,
    position: u32,
    version: u32,
    terms: PolicyTerms,
    updated_at: Timestamp,
}

/// Policies in matching order: segment policies by position, the default (no segment) last.
pub async fn policies(db: &Db) -> Result<Vec<SlaPolicy>, AppError> {
    let rows: Vec<PolicyRow> = query_all(
        db,
        "SELECT id, name, segment, segment.name AS segment_name, position, version, terms,
             updated_at, (segment = NONE) AS is_default
         FROM sla_policy WHERE retired_at = NONE ORDER BY is_default, position, name",
        json!({}),
    )
    .await?;
    // Names by calendar id, read once (a handful of calendars; no per-row sub-query).
    let names: std::collections::HashMap<String, String> =
        calendars(db).await?.into_iter().map(|c| (c.id.to_string(), c.name)).collect();
    Ok(rows
        .into_iter()
        .map(|r| SlaPolicy {
            calendar_name: names.get(&r.terms.calendar_id).cloned().unwrap_or_default(),
            id: r.id,
            name: r.name,
            segment_id: r.segment,
            segment_name: r.segment_name,
            position: r.position,
            version: r.version,
            terms: r.terms,
            updated_at: r.updated_at,
        })
        .collect())
}

/// One saved version of a policy's terms (immutable).
pub async fn policy_version(
    db: &Db, id: &str, version: u32,
) -> Result<Option<PolicyTerms>, AppError> {
    query_one(
        db,
        "SELECT VALUE terms FROM type::record('sla_policy_version', [$id, $v])",
        json!({ "id": id, "v": version }),
    )
    .await
}

/// Saves a new policy (`id` None) or a new version of one; returns (id, version). There is
/// exactly one default policy (no segment): a second is refused, and it cannot be given one.
pub async fn save_policy(
    db: &Db, id: Option<&str>, name: &str, segment: Option<&str>, terms: &PolicyTerms,
    by: Option<&str>,
) -> Result<(String, u32), AppError> {
    let key = id.map(str::to_string).unwrap_or_else(crate::store::new_key);
    let mut r = transact(
        db,
        "BEGIN;
         LET $p = type::record('sla_policy', $key);
         IF $existing AND !record::exists($p) { THROW 'bw:not_found:SLA policy' };
         IF !record::exists(type::record('calendar', $terms.calendar_id)) {
             THROW 'bw:field:calendar_id:no calendar has this id'
         };
         LET $seg = IF $segment = NONE { NONE } ELSE { type::record('segment', $segment) };
         IF $seg != NONE AND !record::exists($seg) { THROW 'bw:field:segment_id:no saved segment has this id' };
         LET $was_default = record::exists($p) AND (SELECT VALUE segment FROM ONLY $p) = NONE;
         IF $was_default AND $seg != NONE {
             THROW 'bw:field:segment_id:the default policy covers every account; create a new policy for the segment'
         };
         IF !$was_default AND $seg = NONE {
             THROW 'bw:field:segment_id:the default policy exists already (id default); name a segment, or change the default with PUT'
         };
         IF $seg != NONE AND (SELECT VALUE id FROM sla_policy WHERE segment = $seg AND id != $p AND retired_at = NONE) != [] {
             THROW 'bw:field:segment_id:this segment has a policy already'
         };
         LET $v = IF record::exists($p) { (SELECT VALUE version FROM ONLY $p) + 1 } ELSE { 1 };
         LET $pos = IF record::exists($p) { (SELECT VALUE position FROM ONLY $p) }
             ELSE { ((SELECT VALUE position FROM sla_policy WHERE segment != NONE ORDER BY position DESC LIMIT 1)[0] ?? 0) + 1 };
         UPSERT $p CONTENT { name: $name, segment: $seg, position: $pos, version: $v, terms: $terms,
             updated_at: time::now() } RETURN NONE;
         CREATE type::record('sla_policy_version', [$key, $v]) CONTENT {
             terms: $terms,
             created_by: IF $by = NONE { NONE } ELSE { type::record('user', $by) }
         } RETURN NONE;
         RETURN $v;
         COMMIT;",
        super::strip_nulls(json!({ "key": key, "existing": id.is_some(), "name": name, "segment": segment,
                "terms": terms, "by": by })),
    )
    .await?;
    Ok((key, r.before_commit()?))
}

/// Sets the matching order of the segment policies (the default stays last).
pub async fn reorder(db: &Db, ids: &[String]) -> Result<(), AppError> {
    transact(
        db,
        "BEGIN;
         FOR $item IN $items {
             UPDATE type::record('sla_policy', $item.id) SET position = $item.pos WHERE segment != NONE RETURN NONE;
         };
         COMMIT;",
        json!({ "items": ids.iter().enumerate().map(|(i, id)| json!({ "id": id, "pos": i + 1 })).collect::<Vec<_>>() }),
    )
    .await
    .map(|_| ())
}

/// The escalation types and paths (the defaults until an admin saves).
pub async fn setup(db: &Db) -> Result<EscalationSetup, AppError> {
    let c: Option<EscalationSetup> =
        query_one(db, "SELECT VALUE config FROM escalation_setup:main", json!({})).await?;
    Ok(c.unwrap_or_default())
}

pub async fn save_setup(db: &Db, setup: &EscalationSetup) -> Result<(), AppError> {
    execute(
        db,
        "UPSERT escalation_setup:main CONTENT { config: $c, updated_at: time::now() } RETURN NONE",
        json!({ "c": super::strip_nulls(json!(setup)) }),
    )
    .await
}
