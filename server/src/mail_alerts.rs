//! Alert mail: a high-severity alert is mailed to its owner as soon as it opens; the others
//! wait for one daily digest per owner (sent from `DIGEST_HOUR` UTC). Every node runs this;
//! the database claims each mail once (`store::alerts::mail`).

use crate::mail::Mailer;
use app::state::AppState;
use app::store::alerts::mail::{self as claims, MailAlert};
use lettre::message::Mailbox;
use lettre::Message;
use maud::{html, DOCTYPE};
use std::collections::BTreeMap;
use std::time::Duration;

/// The digest goes out from this hour (UTC) on, once a day.
pub const DIGEST_HOUR: u32 = 7;

/// Mails alerts whenever alerts change (and every minute, for the digest and retries), until
/// the process ends.
pub async fn run(state: AppState, mailer: Mailer) {
    let mut changes = state.alerts.subscribe();
    loop {
        if let Err(e) = send_due(&state, &mailer, chrono::Utc::now()).await {
            tracing::warn!(error = %e, "alert mail");
        }
        tokio::select! {
            _ = changes.recv() => tokio::time::sleep(Duration::from_millis(200)).await,
            _ = tokio::time::sleep(Duration::from_secs(60)) => {}
        }
    }
}

/// Sends the urgent alerts not mailed yet, and the digest if it is due at `now`. Returns how
/// many mails went out.
pub async fn send_due(
    state: &AppState, mailer: &Mailer, now: chrono::DateTime<chrono::Utc>,
) -> Result<usize, app::error::AppError> {
    let mut sent = 0;
    loop {
        let urgent = claims::claim_urgent(&state.db, 50).await?;
        if urgent.is_empty() {
            break;
        }
        for a in &urgent {
            sent += deliver(mailer, urgent_mail(state, mailer, a)).await as usize;
        }
    }
    use chrono::Timelike;
    if now.hour() >= DIGEST_HOUR {
        let day = now.date_naive().to_string();
        let mut by_owner: BTreeMap<(String, String), Vec<MailAlert>> = BTreeMap::new();
        for a in claims::claim_digest(&state.db, &day).await? {
            by_owner.entry((a.owner_email.clone(), a.owner_name.clone())).or_default().push(a);
        }
        for ((email, name), alerts) in by_owner {
            sent +=
                deliver(mailer, digest_mail(state, mailer, &email, &name, &alerts)).await as usize;
        }
    }
    Ok(sent)
}

pub(crate) async fn deliver(mailer: &Mailer, m: Result<Message, String>) -> bool {
    match m {
        Ok(m) => match mailer.send_message(m).await {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(error = %e, "could not mail an alert");
                false
            }
        },
        Err(e) => {
            tracing::warn!(error = %e, "could not write an alert mail");
            false
        }
    }
}

pub(crate) fn recipient(email: &str, name: &str) -> Result<Mailbox, String> {
    format!("{} <{email}>", name.replace(['<', '>', '"'], ""))
        .parse()
        .or_else(|_| email.parse())
        .map_err(|e| format!("bad recipient address: {e}"))
}

fn link(state: &AppState, a: &MailAlert) -> String {
    format!("{}/accounts/{}#alerts", state.public_url, a.account)
}

/// One high-severity alert, mailed at once.
pub fn urgent_mail(state: &AppState, mailer: &Mailer, a: &MailAlert) -> Result<Message, String> {
    let url = link(state, a);
    let subject = format!("{} at {}: {}", a.rule.label(), a.account_name, a.summary);
    let subject: String = subject.chars().take(150).collect();
    let text = format!(
        "{} — {} ({} severity)\n\n{}\n\nOpen the alert and its next steps: {url}\n",
        a.account_name,
        a.rule.label(),
        a.severity.label().to_lowercase(),
        a.summary
    );
    let html = html! {
        (DOCTYPE)
        html { body style="font:16px/1.5 sans-serif;color:#1f2933;max-width:560px;margin:auto;padding:16px" {
            p style="font-size:13px;color:#b42318;font-weight:600" { (a.severity.label()) " severity" }
            p style="font-size:18px;font-weight:600;margin:0" { (a.rule.label()) " at " (a.account_name) }
            p { (a.summary) }
            p { a href=(url) { "Open the alert and its next steps" } }
        } }
    }
    .into_string();
    crate::mail::two_part(mailer, recipient(&a.owner_email, &a.owner_name)?, subject, text, html)
}

/// The day's other alerts of one owner, in one mail.
pub fn digest_mail(
    state: &AppState, mailer: &Mailer, email: &str, name: &str, alerts: &[MailAlert],
) -> Result<Message, String> {
    let subject = match alerts.len() {
        1 => "1 new alert on your accounts".to_string(),
        n => format!("{n} new alerts on your accounts"),
    };
    let mut text = format!("Hi {},\n\n", name.split_whitespace().next().unwrap_or("there"));
    for a in alerts {
        text.push_str(&format!(
            "- {} — {}: {}\n  {}\n",
            a.account_name,
            a.rule.label(),
            a.summary,
            link(state, a)
        ));
    }
    text.push_str(&format!("\nAll your alerts: {}/alerts\n", state.public_url));
    let html = html! {
        (DOCTYPE)
        html { body style="font:16px/1.5 sans-serif;color:#1f2933;max-width:560px;margin:auto;padding:16px" {
            p { (subject) }
            ul style="padding-left:18px" {
                @for a in alerts {
                    li style="margin-bottom:10px" {
                        a href=(link(state, a)) { (a.account_name) } " — " strong { (a.rule.label()) }
                        br; span style="color:#52606d" { (a.summary) }
                    }
                }
            }
            p { a href=(format!("{}/alerts", state.public_url)) { "All your alerts" } }
        } }
    }
    .into_string();
    crate::mail::two_part(mailer, recipient(email, name)?, subject, text, html)
}
