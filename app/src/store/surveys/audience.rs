//! Who a survey reaches, who of them the frequency cap holds back and why, and queuing the
//! invitations of the rest.

use crate::error::AppError;
use crate::model::cap::{suppression, PastInvitation};
use crate::model::*;
use crate::store::portfolio_index::PortfolioIndex;
use crate::store::{de, new_key, query_many, transact, Count, Db};
use chrono::{DateTime, Months, Utc};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

/// A contact a survey's audience reaches.
#[derive(Debug, Clone, Deserialize)]
pub struct AudienceContact {
    #[serde(deserialize_with = "de::key")]
    pub id: ContactId,
    pub name: String,
    pub email: String,
    #[serde(deserialize_with = "de::key")]
    pub account: AccountId,
    #[serde(default)]
    pub account_name: Option<String>,
}

/// Every contact the audience reaches now (a segment is evaluated at the time of asking).
pub async fn audience_contacts(
    db: &Db, index: &PortfolioIndex, survey: &Survey,
) -> Result<Vec<AudienceContact>, AppError> {
    let (cond, ids) = match survey.audience.kind {
        AudienceKind::Segment => {
            let seg = survey.audience.segment.clone().unwrap_or_default();
            let Some(segment) =
                crate::store::segments::list(db).await?.into_iter().find(|s| s.id == seg)
            else {
                return Ok(Vec::new());
            };
            let ids = crate::store::accounts::ids_matching(db, index, &segment.filter).await?;
            ("account IN $refs", (ids, "account"))
        }
        AudienceKind::Accounts => ("account IN $refs", (survey.audience.ids.clone(), "account")),
        AudienceKind::Contacts => ("id IN $refs", (survey.audience.ids.clone(), "contact")),
    };
    if ids.0.is_empty() {
        return Ok(Vec::new());
    }
    query_many(
        db,
        &format!(
            "LET $refs = array::map($ids, |$i| type::record($table, $i));
             SELECT id, name, email, account, account.name AS account_name FROM contact
                WHERE {cond} ORDER BY account_name, name;"
        ),
        json!({ "ids": ids.0, "table": ids.1 }),
    )
    .await?
    .take(1)
}

#[derive(Deserialize)]
struct HistoryRow {
    #[serde(deserialize_with = "de::key")]
    contact: ContactId,
    #[serde(deserialize_with = "de::key")]
    survey: SurveyId,
    #[serde(default)]
    survey_name: Option<String>,
    sent_at: crate::model::Timestamp,
}

/// The earliest invitation that still matters to the cap or to this survey's recurrence.
fn window(now: DateTime<Utc>, cap_days: i64, survey: &Survey) -> (DateTime<Utc>, DateTime<Utc>) {
    let cap_since = now - chrono::Duration::days(cap_days.max(0));
    let here_since = match survey.recurrence_months {
        None => DateTime::<Utc>::UNIX_EPOCH,
        Some(m) => now.checked_sub_months(Months::new(m as u32)).unwrap_or(now),
    };
    (cap_since, here_since)
}

/// Each contact's relevant past invitations.
async fn history(
    db: &Db, contacts: &[AudienceContact], survey: &Survey, cap_days: i64, now: DateTime<Utc>,
) -> Result<HashMap<ContactId, Vec<PastInvitation>>, AppError> {
    let (cap_since, here_since) = window(now, cap_days, survey);
    let ids: Vec<&str> = contacts.iter().map(|c| c.id.as_str()).collect();
    let rows: Vec<HistoryRow> = query_many(
        db,
            "LET $refs = array::map($ids, |$i| type::record('contact', $i));
             SELECT contact, survey, survey.name AS survey_name, sent_at FROM invitation
                WHERE contact IN $refs
                  AND (sent_at > <datetime>$cap_since
                       OR (survey = type::record('survey', $survey) AND sent_at >= <datetime>$here_since));",
        json!({
            "ids": ids,
            "survey": survey.id,
            "cap_since": cap_since.to_rfc3339(),
            "here_since": here_since.to_rfc3339(),
        }),
    )
    .await?
    .take(1)?;
    let mut out: HashMap<ContactId, Vec<PastInvitation>> = HashMap::new();
    for h in rows {
        out.entry(h.contact).or_default().push(PastInvitation {
            survey_id: h.survey,
            survey_name: h.survey_name.unwrap_or_else(|| "a survey".into()),
            sent_at: h.sent_at,
        });
    }
    Ok(out)
}

/// Each contact of the audience with the reason they would not be invited, if any.
pub async fn decide(
    db: &Db, index: &PortfolioIndex, survey: &Survey, settings: &SurveySettings, now: DateTime<Utc>,
) -> Result<Vec<(AudienceContact, Option<String>)>, AppError> {
    let contacts = audience_contacts(db, index, survey).await?;
    decide_for(db, contacts, survey, settings, now).await
}

/// The cap's (and open escalations') decision for these contacts.
pub async fn decide_for(
    db: &Db, contacts: Vec<AudienceContact>, survey: &Survey, settings: &SurveySettings,
    now: DateTime<Utc>,
) -> Result<Vec<(AudienceContact, Option<String>)>, AppError> {
    let hist = history(db, &contacts, survey, settings.cap_days, now).await?;
    // NPS asks about the whole relationship: a customer in the middle of an escalation would
    // answer about the escalation, so relationship surveys wait until it is resolved.
    // Transactional surveys (CSAT, CES) still go: they ask about one interaction.
    let held = if survey.kind == SurveyKind::Nps {
        let accounts: Vec<String> = contacts.iter().map(|c| c.account.to_string()).collect();
        crate::store::escalations::open_titles(db, &accounts).await?
    } else {
        HashMap::new()
    };
    Ok(contacts
        .into_iter()
        .map(|c| {
            let why = held
                .get(c.account.as_str())
                .map(|t| {
                    format!(
                        "open escalation {t} on this account; relationship surveys wait until \
                         it is resolved"
                    )
                })
                .or_else(|| {
                    suppression(
                        now,
                        settings.cap_days,
                        &survey.id,
                        survey.recurrence_months,
                        hist.get(&c.id).map(Vec::as_slice).unwrap_or(&[]),
                    )
                });
            (c, why)
        })
        .collect())
}

/// One contact as an audience member (a survey sent to one person, such as the CSAT after an
/// escalation).
pub async fn contact(db: &Db, id: &str) -> Result<Option<AudienceContact>, AppError> {
    crate::store::query_one(
        db,
        "SELECT id, name, email, account, account.name AS account_name
         FROM contact WHERE id = type::record('contact', $id)",
        json!({ "id": id }),
    )
    .await
}

/// What the audience preview shows: counts, and rows with the suppressed first.
pub fn preview(decided: Vec<(AudienceContact, Option<String>)>) -> AudiencePreview {
    let total = decided.len() as u64;
    let suppressed = decided.iter().filter(|(_, w)| w.is_some()).count() as u64;
    let mut rows: Vec<PreviewRow> = decided
        .into_iter()
        .map(|(c, why)| PreviewRow {
            contact_id: c.id,
            contact_name: c.name,
            email: c.email,
            account_id: c.account,
            account_name: c.account_name.unwrap_or_default(),
            suppressed: why,
        })
        .collect();
    rows.sort_by_key(|r| r.suppressed.is_none());
    rows.truncate(500);
    AudiencePreview { total, to_invite: total - suppressed, suppressed, rows }
}

/// Queues one invitation per contact, in one transaction. The cap is checked again inside it,
/// so two people pressing Send at once cannot invite a contact twice.
pub async fn queue(
    db: &Db, survey: &Survey, contacts: &[AudienceContact], settings: &SurveySettings,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    if contacts.is_empty() {
        return Ok(0);
    }
    let (cap_since, here_since) = window(now, settings.cap_days, survey);
    let rows: Vec<serde_json::Value> = contacts
        .iter()
        .map(|c| json!({ "key": new_key(), "contact": c.id, "account": c.account, "email": c.email }))
        .collect();
    let expires = now + chrono::Duration::days(INVITATION_DAYS);
    let mut r = transact(
        db,
        "BEGIN;
             LET $s = type::record('survey', $survey);
             FOR $row IN $rows {
                LET $c = type::record('contact', $row.contact);
                IF (SELECT VALUE id FROM invitation WHERE contact = $c
                      AND (sent_at > <datetime>$cap_since OR (survey = $s AND sent_at >= <datetime>$here_since)) LIMIT 1) = [] {
                    CREATE type::record('invitation', $row.key) SET survey = $s, contact = $c,
                        account = type::record('account', $row.account), email = $row.email,
                        sent_at = <datetime>$now, expires_at = <datetime>$expires, mail_status = 'queued';
                };
             };
             SELECT count() AS n FROM invitation WHERE survey = $s AND sent_at = <datetime>$now GROUP ALL;
             COMMIT;",
        json!({
            "survey": survey.id,
            "rows": rows,
            "cap_since": cap_since.to_rfc3339(),
            "here_since": here_since.to_rfc3339(),
            "now": now.to_rfc3339(),
            "expires": expires.to_rfc3339(),
        }),
    )
    .await?;
    let n: Vec<Count> = r.before_commit()?;
    Ok(n.first().map_or(0, |c| c.n))
}
