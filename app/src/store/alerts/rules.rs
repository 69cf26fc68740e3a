//! Alert rule sets, versioned like health models: every save is a new version, the newest of
//! each scope is in force, and a segment's own rule set can be retired (its accounts fall back to
//! the default set).

use crate::error::AppError;
use crate::model::alert::{Playbook, RuleKind, RuleSet, RulesConfig, DEFAULT_RULES};
use crate::store::{de, execute, query_all, transact, Db};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct SetRow {
    scope: String,
    #[serde(default, deserialize_with = "de::opt_key")]
    segment: Option<String>,
    #[serde(default)]
    segment_name: Option<String>,
    version: u32,
    config: RulesConfig,
    created_at: crate::model::Timestamp,
    #[serde(default)]
    created_by: Option<String>,
    #[serde(default)]
    retired: bool,
}

impl From<SetRow> for RuleSet {
    fn from(r: SetRow) -> Self {
        RuleSet {
            name: r.segment_name.unwrap_or_else(|| "Default".into()),
            scope: r.scope,
            segment_id: r.segment,
            version: r.version,
            config: r.config,
            created_at: r.created_at,
            created_by: r.created_by,
        }
    }
}

const SET_FIELDS: &str = "scope, segment, segment.name AS segment_name, version, config, \
                          created_at, created_by.name AS created_by, (retired_at != NONE) AS retired";

/// The rule set in force for every scope: the default first, then segments' by name. A brand
/// new database gets version 1 of the default set on first read.
pub async fn current(db: &Db) -> Result<Vec<RuleSet>, AppError> {
    let mut rows = rows(db).await?;
    if !rows.iter().any(|r| r.scope == DEFAULT_RULES) {
        execute(
            db,
            "IF (SELECT VALUE id FROM alert_rules WHERE scope = 'default' LIMIT 1) = [] {
                 CREATE alert_rules SET scope = 'default', version = 1, config = $config RETURN NONE;
             }",
            json!({ "config": RulesConfig::default() }),
        )
        .await?;
        rows = self::rows(db).await?;
    }
    let mut seen = std::collections::HashSet::new();
    let mut sets: Vec<RuleSet> = Vec::new();
    for row in rows {
        if seen.insert(row.scope.clone()) && !row.retired {
            sets.push(row.into());
        }
    }
    sets.sort_by(|a, b| {
        (a.scope != DEFAULT_RULES, a.name.to_lowercase())
            .cmp(&(b.scope != DEFAULT_RULES, b.name.to_lowercase()))
    });
    Ok(sets)
}

/// Every version of every scope, newest first within a scope.
pub async fn history(db: &Db) -> Result<Vec<RuleSet>, AppError> {
    Ok(rows(db).await?.into_iter().map(RuleSet::from).collect())
}

async fn rows(db: &Db) -> Result<Vec<SetRow>, AppError> {
    query_all(
        db,
        &format!("SELECT {SET_FIELDS} FROM alert_rules ORDER BY scope, version DESC"),
        json!({}),
    )
    .await
}

/// Saves a new version of a scope's rule set (numbering and write in one transaction, so two
/// admins saving at once get two versions).
pub async fn save_version(
    db: &Db, scope: &str, config: &RulesConfig, by: &str,
) -> Result<RuleSet, AppError> {
    let mut r = transact(
        db,
        &format!(
            "BEGIN;
             IF $scope != 'default' AND !record::exists(type::record('segment', $scope)) {{
                 THROW 'bw:field:segment:this segment no longer exists'
             }};
             LET $next = ((SELECT VALUE version FROM alert_rules WHERE scope = $scope
                 ORDER BY version DESC LIMIT 1)[0] ?? 0) + 1;
             CREATE ONLY alert_rules SET scope = $scope,
                 segment = IF $scope = 'default' THEN NONE ELSE type::record('segment', $scope) END,
                 version = $next, config = $config, created_by = type::record('user', $by)
             RETURN {SET_FIELDS};
             COMMIT;"
        ),
        json!({ "scope": scope, "config": config, "by": by }),
    )
    .await?;
    Ok(r.before_commit::<SetRow>()?.into())
}

/// Stops using a segment's own rule set (its versions stay, for the alerts they raised).
pub async fn retire(db: &Db, scope: &str) -> Result<(), AppError> {
    if scope == DEFAULT_RULES {
        return Err(AppError::field(
            "scope",
            "the default rules cover every account; they cannot be removed",
        ));
    }
    transact(
        db,
        "BEGIN;
         IF (SELECT VALUE id FROM alert_rules WHERE scope = $scope AND retired_at = NONE LIMIT 1) = [] {
             THROW 'bw:not_found:rule set in force for this segment'
         };
         UPDATE alert_rules SET retired_at = time::now() WHERE scope = $scope AND retired_at = NONE;
         COMMIT;",
        json!({ "scope": scope }),
    )
    .await?;
    Ok(())
}

#[derive(Deserialize)]
struct PlaybookRow {
    #[serde(deserialize_with = "de::key")]
    id: String,
    config: PlaybookConfig,
}

#[derive(serde::Serialize, Deserialize)]
struct PlaybookConfig {
    steps: Vec<crate::model::alert::PlaybookStep>,
}

/// Every rule kind's playbook (the built-in one where none was saved).
pub async fn playbooks(db: &Db) -> Result<Vec<Playbook>, AppError> {
    let rows: Vec<PlaybookRow> =
        query_all(db, "SELECT id, config FROM playbook", json!({})).await?;
    Ok(RuleKind::ALL
        .iter()
        .map(|k| match rows.iter().find(|r| r.id == k.key()) {
            Some(r) => Playbook { rule: *k, steps: r.config.steps.clone() },
            None => Playbook::default_for(*k),
        })
        .collect())
}

/// Replaces one rule kind's playbook (alerts already open keep the tasks they got).
pub async fn save_playbook(db: &Db, p: &Playbook, by: &str) -> Result<(), AppError> {
    execute(
        db,
        "UPSERT type::record('playbook', $rule) SET config = $config,
             updated_by = type::record('user', $by), updated_at = time::now() RETURN NONE;",
        crate::store::deep_vars(json!({
            "rule": p.rule.key(),
            "config": PlaybookConfig { steps: p.steps.clone() },
            "by": by,
        })),
    )
    .await
}
