//! Feedback items from channels other than surveys.

use super::{de, new_key, query_many, transact, vars, Db};
use crate::error::AppError;
use crate::model::*;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Row {
    #[serde(deserialize_with = "de::key")]
    id: String,
    #[serde(default, deserialize_with = "de::opt_key")]
    account: Option<AccountId>,
    #[serde(default)]
    account_name: Option<String>,
    source: FeedbackSource,
    sentiment: Sentiment,
    themes: Vec<String>,
    text: String,
    #[serde(default)]
    by_name: Option<String>,
    created_at: crate::model::Timestamp,
}

impl From<Row> for FeedbackItem {
    fn from(r: Row) -> Self {
        FeedbackItem {
            id: r.id,
            account_id: r.account,
            account_name: r.account_name,
            source: r.source,
            sentiment: r.sentiment,
            themes: r.themes,
            text: r.text,
            by_name: r.by_name,
            at: r.created_at,
        }
    }
}

const FIELDS: &str = "id, account, account.name AS account_name, source, sentiment, themes, text,
    created_by.name AS by_name, created_at";

pub async fn create(db: &Db, v: &ValidFeedback, by: &str) -> Result<FeedbackItem, AppError> {
    let mut r = transact(
        db,
        &format!(
            "BEGIN;
             IF $account != NONE AND !record::exists(type::record('account', $account)) {{
                 THROW 'bw:field:account_id:this account does not exist'
             }};
             CREATE ONLY type::record('feedback', $id) SET
                account = IF $account != NONE {{ type::record('account', $account) }} ELSE {{ NONE }},
                source = $source, sentiment = $sentiment, themes = $themes, text = $text,
                created_by = type::record('user', $by)
             RETURN {FIELDS};
             COMMIT;"
        ),
        vars(json!({
            "id": new_key(),
            "account": v.account_id,
            "source": v.source.key(),
            "sentiment": v.sentiment.key(),
            "themes": v.themes,
            "text": v.text,
            "by": by,
        })),
    )
    .await?;
    Ok(r.before_commit::<Row>()?.into())
}

/// Items matching the filter (newest 300) and theme counts over all matching items.
pub async fn view(db: &Db, f: &FeedbackFilter) -> Result<FeedbackView, AppError> {
    let mut conds = vec!["true"];
    if f.theme.is_some() {
        conds.push("themes CONTAINS $theme");
    }
    if f.source.is_some() {
        conds.push("source = $source");
    }
    if f.sentiment.is_some() {
        conds.push("sentiment = $sentiment");
    }
    let cond = conds.join(" AND ");
    let mut r = query_many(
        db,
        &format!(
            "SELECT {FIELDS} FROM feedback WHERE {cond} ORDER BY created_at DESC LIMIT 300;
             SELECT themes, sentiment FROM feedback WHERE {cond};"
        ),
        vars(json!({
            "theme": f.theme.as_ref().map(|t| t.trim().to_lowercase()),
            "source": f.source.map(|s| s.key()),
            "sentiment": f.sentiment.map(|s| s.key()),
        })),
    )
    .await?;
    let rows: Vec<Row> = r.take(0)?;
    #[derive(Deserialize)]
    struct Tags {
        themes: Vec<String>,
        sentiment: Sentiment,
    }
    let all: Vec<Tags> = r.take(1)?;
    let mut counts: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for t in &all {
        for theme in &t.themes {
            let e = counts.entry(theme.clone()).or_default();
            e.0 += 1;
            if t.sentiment == Sentiment::Negative {
                e.1 += 1;
            }
        }
    }
    let mut themes: Vec<ThemeCount> = counts
        .into_iter()
        .map(|(theme, (count, negative))| ThemeCount { theme, count, negative })
        .collect();
    themes.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.theme.cmp(&b.theme)));
    Ok(FeedbackView {
        items: rows.into_iter().map(FeedbackItem::from).collect(),
        themes,
        total: all.len() as u64,
    })
}
