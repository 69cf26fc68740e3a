//! Escalation mail: the person responsible hears of a warning, a breach or a move up a level
//! at the moment it happens. The timer writes a notice in the transaction that records the
//! moment; every node runs this loop, and the database hands each notice to one of them.

use crate::mail::Mailer;
use crate::mail_alerts::{deliver, recipient};
use app::state::AppState;
use app::store::escalations::{claim_notices, PendingNotice};
use lettre::Message;
use maud::{html, DOCTYPE};
use std::time::Duration;

/// Sends notices when escalations change (the timer's writes are changes) and every few
/// seconds, until the process ends.
pub async fn run(state: AppState, mailer: Mailer) {
    let mut changes = state.sla.subscribe();
    loop {
        if let Err(e) = send_due(&state, &mailer).await {
            tracing::warn!(error = %e, "escalation mail");
        }
        tokio::select! {
            _ = changes.recv() => tokio::time::sleep(Duration::from_millis(100)).await,
            _ = tokio::time::sleep(Duration::from_secs(5)) => {}
        }
    }
}

/// Sends every unsent notice; returns how many went out.
pub async fn send_due(state: &AppState, mailer: &Mailer) -> Result<usize, app::error::AppError> {
    let mut sent = 0;
    loop {
        let due = claim_notices(&state.db, 50).await?;
        if due.is_empty() {
            return Ok(sent);
        }
        for n in &due {
            sent += deliver(mailer, notice_mail(state, mailer, n)).await as usize;
        }
    }
}

fn notice_mail(state: &AppState, mailer: &Mailer, n: &PendingNotice) -> Result<Message, String> {
    let (Some(email), name) = (&n.email, n.name.clone().unwrap_or_default()) else {
        return Err("the notice has no recipient (no one is responsible)".into());
    };
    let url = format!("{}/escalations/{}", state.public_url, n.escalation);
    let subject: String = n.subject.chars().take(150).collect();
    let text = format!("{}\n\nOpen the escalation: {url}\n", n.body);
    let html = html! {
        (DOCTYPE)
        html { body style="font:16px/1.5 sans-serif;color:#1f2933;max-width:560px;margin:auto;padding:16px" {
            p style="font-size:18px;font-weight:600;margin:0" { (subject) }
            p { (n.body) }
            p { a href=(url) { "Open the escalation" } }
        } }
    }
    .into_string();
    crate::mail::two_part(mailer, recipient(email, &name)?, subject, text, html)
}
