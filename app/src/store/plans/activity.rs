//! A plan's activity log: comments, and reading the entries back for the builder, the shared
//! plan and the account timeline. Entries hold their kind and data; entries from before v6
//! hold words instead (`text`), read as they are.

use super::change;
use crate::error::AppError;
use crate::model::plan::*;
use crate::model::PlanId;
use crate::store::{de, query_all, Db};
use serde::Deserialize;
use serde_json::json;

/// Records a comment (the text as written) in the plan's activity.
pub async fn comment(db: &Db, owner: &PlanOwner, text: String, by: &Actor) -> Result<(), AppError> {
    let data = EventData { text: Some(text), ..Default::default() };
    change(db, owner, "", json!({}), (PlanEventKind::Comment, data), by).await
}

#[derive(Deserialize)]
struct EventRow {
    #[serde(default, deserialize_with = "de::opt_key")]
    plan: Option<PlanId>,
    #[serde(default)]
    plan_title: Option<String>,
    kind: String,
    #[serde(default)]
    data: Option<EventData>,
    #[serde(default)]
    text: Option<String>,
    actor: String,
    #[serde(default)]
    by_customer: bool,
    at: crate::model::Timestamp,
}

impl EventRow {
    /// The entry, or `None` (logged) for a kind this version does not know.
    fn into_event(self) -> Option<(Option<PlanId>, Option<String>, PlanEvent)> {
        let Some(kind) = PlanEventKind::parse(&self.kind) else {
            tracing::warn!(kind = %self.kind, "plan activity of an unknown kind left out");
            return None;
        };
        let event = PlanEvent {
            kind,
            data: self.data,
            stored_text: self.text,
            actor: self.actor,
            by_customer: self.by_customer,
            at: self.at,
        };
        Some((self.plan, self.plan_title, event))
    }
}

const EVENT_FIELDS: &str = "kind, data, text, actor, by_customer, at";

/// The newest activity of a plan first.
pub async fn events(db: &Db, plan: &str, limit: usize) -> Result<Vec<PlanEvent>, AppError> {
    let rows: Vec<EventRow> = query_all(
        db,
        &format!(
            "SELECT {EVENT_FIELDS} FROM plan_event WHERE plan = type::record('plan', $p)
             ORDER BY at DESC LIMIT $limit"
        ),
        json!({ "p": plan, "limit": limit }),
    )
    .await?;
    Ok(rows.into_iter().filter_map(EventRow::into_event).map(|(_, _, e)| e).collect())
}

/// An account's plan activity, newest first (for its timeline).
pub async fn account_events(
    db: &Db, account: &str, limit: usize,
) -> Result<Vec<AccountEvent>, AppError> {
    let rows: Vec<EventRow> = query_all(
        db,
        &format!(
            "SELECT plan, plan.title AS plan_title, {EVENT_FIELDS} FROM plan_event
             WHERE account = type::record('account', $a) ORDER BY at DESC LIMIT $limit"
        ),
        json!({ "a": account, "limit": limit }),
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(EventRow::into_event)
        .map(|(plan, plan_title, event)| AccountEvent {
            plan: plan.unwrap_or_default(),
            plan_title,
            event,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn entries_keep_their_data_and_old_entries_their_words() {
        let db = crate::store::connect("mem://", None, None).await.unwrap();
        // An entry written before v6: words only.
        crate::store::execute(
            &db,
            "CREATE plan_event SET plan = plan:p1, account = account:a1, kind = 'task_done',
                text = 'ticked off the task “Call”', actor = 'Dana Lee (customer)', by_customer = true,
                at = d'2026-01-01T09:00:00Z'",
            json!({}),
        )
        .await
        .unwrap();
        let owner =
            PlanOwner { plan: "p1".into(), account: "a1".into(), start: chrono::NaiveDate::MIN };
        let by = Actor::Staff { id: "u1".into(), name: "Sam Ortiz".into() };
        comment(&db, &owner, "Training booked".into(), &by).await.unwrap();
        let stored: Vec<serde_json::Value> =
            query_all(&db, "SELECT VALUE data FROM plan_event WHERE kind = 'comment'", json!({}))
                .await
                .unwrap();
        assert_eq!(stored, vec![json!({ "text": "Training booked" })]);

        let list = events(&db, "p1", 10).await.unwrap();
        let words: Vec<String> = list.iter().map(PlanEvent::describe).collect();
        assert_eq!(words, ["Training booked", "ticked off the task “Call”"]);
        assert_eq!(list[0].kind, PlanEventKind::Comment);
        assert!(list[1].by_customer);
        let timeline = account_events(&db, "a1", 10).await.unwrap();
        assert_eq!(timeline.len(), 2);
        assert_eq!(timeline[1].plan, "p1");
    }
}
