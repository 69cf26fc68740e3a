//! Saved segments: named portfolio filters.

use super::{de, new_key, query_all, transact, vars, Db};
use crate::error::AppError;
use crate::model::engagement::TouchpointKind;
use crate::model::{PortfolioFilter, Segment};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Row {
    #[serde(deserialize_with = "de::key")]
    id: String,
    name: String,
    filter: PortfolioFilter,
}

impl From<Row> for Segment {
    fn from(r: Row) -> Self {
        Segment { id: r.id, name: r.name, filter: r.filter }
    }
}

pub async fn list(db: &Db) -> Result<Vec<Segment>, AppError> {
    let rows: Vec<Row> =
        query_all(db, "SELECT id, name, filter FROM segment ORDER BY name_key", json!({})).await?;
    Ok(rows.into_iter().map(Segment::from).collect())
}

pub async fn create(
    db: &Db, name: &str, filter: &PortfolioFilter, by: &str,
) -> Result<Segment, AppError> {
    let mut r = transact(
        db,
        "BEGIN;
         IF (SELECT VALUE id FROM segment WHERE name_key = $key LIMIT 1) != [] {
             THROW 'bw:field:name:a segment with this name already exists'
         };
         CREATE ONLY type::record('segment', $id) SET name = $name, name_key = $key, filter = $filter,
            created_by = type::record('user', $by) RETURN id, name, filter;
         COMMIT;",
        vars(json!({ "id": new_key(), "name": name, "key": name.to_lowercase(), "filter": filter.criteria(), "by": by })),
    )
    .await?;
    Ok(r.before_commit::<Row>()?.into())
}

/// Deletes a segment that nothing relies on. A health model in force (not retired), a cadence
/// rule or a survey that can still send names its segment by id; deleting the segment under
/// them would make the model quietly fall back to the default, the rule stop applying and the
/// survey reach nobody. So a
/// segment in use is refused with the list of what uses it, by name. A survey counts while it
/// is open (Send can be pressed again, and the segment is evaluated then) or recurring (reopening
/// resumes its schedule); a closed one-off survey has gone out and only keeps its results.
///
/// The check and the delete are one transaction: a rule or survey created between a separate
/// check and the delete could otherwise end up pointing at nothing.
pub async fn delete(db: &Db, id: &str) -> Result<(), AppError> {
    let kinds: serde_json::Map<String, serde_json::Value> =
        TouchpointKind::ALL.iter().map(|k| (k.key().to_string(), json!(k.label()))).collect();
    transact(
        db,
        "BEGIN;
         LET $s = type::record('segment', $id);
         IF !record::exists($s) { THROW 'bw:not_found:segment' };
         LET $models = IF (SELECT VALUE id FROM health_model WHERE segment = $s AND retired_at = NONE LIMIT 1) = [] { [] }
             ELSE { ['the health model “' + $s.name + '”'] };
         LET $rules = array::map(
             (SELECT kind, every_days, created_at FROM cadence_rule WHERE segment = $s ORDER BY created_at),
             |$r| 'the cadence rule “' + $kinds[$r.kind] + ' every ' + <string> $r.every_days + ' days”');
         LET $surveys = array::map(
             (SELECT name, name_key FROM survey
                WHERE audience.kind = 'segment' AND audience.segment = $id
                  AND (active = true OR recurrence_months != NONE)
                ORDER BY name_key),
             |$v| 'the survey “' + $v.name + '”');
         LET $uses = array::concat($models, $rules, $surveys);
         LET $n = array::len($uses);
         IF $n > 0 {
             THROW 'bw:conflict:this segment is used by '
                 + (IF $n = 1 { $uses[0] }
                    ELSE { array::join(array::slice($uses, 0, -1), ', ') + ' and ' + array::last($uses) })
                 + '; change those first'
         };
         DELETE segment_member WHERE segment = $s;
         DELETE $s;
         COMMIT;",
        json!({ "id": id, "kinds": kinds }),
    )
    .await?;
    Ok(())
}
