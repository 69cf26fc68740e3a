//! Outgoing mail: the invitation queue is drained by one task per node, over SMTP (lettre) or,
//! for development, into a directory of `.eml` files.
//!
//! Invitations are queued in the database by the Send button (or the recurring scheduler) and
//! mailed here, so a send of 5 000 invitations never holds a request open, and a crash between
//! queueing and mailing loses nothing: the queue is read again on start.

use crate::survey_pages::escape;
use app::model::SurveyKind;
use app::state::AppState;
use app::store::invitations::{self, Outgoing};
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SmtpTls {
    /// Plain text (a relay on localhost, or tests).
    None,
    /// Upgrade with STARTTLS (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Dir(AsyncFileTransport<Tokio1Executor>),
}

#[derive(Clone)]
pub struct Mailer {
    pub transport: Transport,
    pub from: Mailbox,
    /// Who the customer hears from ("Acme Customer Success").
    pub company: String,
}

impl Mailer {
    pub fn smtp(
        host: &str,
        port: u16,
        tls: SmtpTls,
        credentials: Option<(String, String)>,
        from: Mailbox,
        company: &str,
    ) -> anyhow::Result<Self> {
        let mut b = match tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)?,
        }
        .port(port)
        .timeout(Some(Duration::from_secs(20)));
        if let Some((u, p)) = credentials {
            b = b.credentials(Credentials::new(u, p));
        }
        Ok(Self {
            transport: Transport::Smtp(b.build()),
            from,
            company: company.to_string(),
        })
    }

    pub fn dir(dir: &std::path::Path, from: Mailbox, company: &str) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)?;
        Ok(Self {
            transport: Transport::Dir(AsyncFileTransport::<Tokio1Executor>::new(dir)),
            from,
            company: company.to_string(),
        })
    }

    async fn send(&self, m: Message) -> Result<(), String> {
        match &self.transport {
            Transport::Smtp(t) => t.send(m).await.map(|_| ()).map_err(|e| e.to_string()),
            Transport::Dir(t) => t.send(m).await.map(|_| ()).map_err(|e| e.to_string()),
        }
    }
}

/// Mails queued invitations whenever woken (and every 30 s, to retry), until the process ends.
pub async fn run(state: AppState, mailer: Mailer) {
    loop {
        if let Err(e) = drain(&state, &mailer).await {
            tracing::warn!(error = %e, "mail queue");
        }
        tokio::select! {
            _ = state.mail_wakeup.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(30)) => {}
        }
    }
}

/// Sends batches until the queue is empty or a send fails (then waits for the next round).
pub async fn drain(state: &AppState, mailer: &Mailer) -> Result<u64, app::error::AppError> {
    let mut sent = 0;
    loop {
        let batch = invitations::queued(&state.db, 50).await?;
        if batch.is_empty() {
            return Ok(sent);
        }
        let mut failed = false;
        for inv in &batch {
            let expires = chrono::DateTime::parse_from_rfc3339(&inv.expires_at)
                .map(|d| d.timestamp())
                .unwrap_or(0);
            let token = state.keyring().sign(&inv.id, expires);
            let url = format!("{}/s/{token}", state.public_url);
            let result = match compose(mailer, inv, &url) {
                Ok(m) => mailer.send(m).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => {
                    invitations::mark_sent(&state.db, &inv.id).await?;
                    sent += 1;
                }
                Err(e) => {
                    tracing::warn!(invitation = %inv.id, error = %e, "could not mail an invitation");
                    invitations::mark_failed(&state.db, &inv.id, &e).await?;
                    failed = true;
                }
            }
        }
        if failed {
            return Ok(sent);
        }
    }
}

/// The invitation email: plain text and HTML, the scale as one-click links. A click opens the
/// survey page with that score chosen; only pressing Send records it (mail scanners follow
/// links, so a GET never records anything).
pub fn compose(mailer: &Mailer, inv: &Outgoing, url: &str) -> Result<Message, String> {
    let to: Mailbox = format!(
        "{} <{}>",
        inv.contact_name.replace(['<', '>', '"'], ""),
        inv.email
    )
    .parse()
    .or_else(|_| inv.email.parse())
    .map_err(|e| format!("bad recipient address: {e}"))?;
    let kind = inv.kind;
    let (lo, hi) = kind.range();
    let (lo_word, hi_word) = kind.scale_ends();
    let expires = inv.expires_at.get(..10).unwrap_or(&inv.expires_at);
    let first = inv
        .contact_name
        .split_whitespace()
        .next()
        .unwrap_or("there");
    let mut text = format!(
        "Hi {first},\n\n{}\n\nClick a score to answer ({lo} = {lo_word}, {hi} = {hi_word}):\n\n",
        inv.question
    );
    for s in lo..=hi {
        text.push_str(&format!("  {s}: {url}?score={s}\n"));
    }
    text.push_str(&format!(
        "\nOr open the survey: {url}\n\nIt takes a few seconds, and your answer goes straight to the team that looks after {}.\nThis link is yours alone and works until {expires}.\n\n{}\n",
        inv.account_name.as_deref().unwrap_or("your account"),
        mailer.company
    ));
    let cells: String = (lo..=hi)
        .map(|s| {
            format!(
                r#"<td style="padding:2px"><a href="{url}?score={s}" style="display:block;min-width:28px;padding:10px 4px;text-align:center;border:1px solid #9aa5b1;border-radius:6px;color:#1f2933;text-decoration:none;font:600 16px sans-serif">{s}</a></td>"#,
                url = escape(url)
            )
        })
        .collect();
    let html = format!(
        r#"<!doctype html><html><body style="font:16px/1.5 sans-serif;color:#1f2933;max-width:560px;margin:auto;padding:16px">
<p>Hi {first},</p>
<p style="font-size:18px;font-weight:600">{question}</p>
<table role="presentation" style="border-collapse:collapse"><tr>{cells}</tr></table>
<table role="presentation" style="width:100%;font-size:13px;color:#52606d"><tr><td>{lo} = {lo_word}</td><td style="text-align:right">{hi} = {hi_word}</td></tr></table>
<p>Or <a href="{url}">open the survey</a>. It takes a few seconds.</p>
<p style="font-size:13px;color:#52606d">This link is yours alone and works until {expires}.<br>{company}</p>
</body></html>"#,
        first = escape(first),
        question = escape(&inv.question),
        url = escape(url),
        company = escape(&mailer.company),
    );
    let subject = match kind {
        SurveyKind::Nps => format!("{}: one quick question", mailer.company),
        SurveyKind::Csat => format!("How did we do? ({})", mailer.company),
        SurveyKind::Ces => format!("Was it easy? ({})", mailer.company),
    };
    Message::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(subject)
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(text),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(html),
                ),
        )
        .map_err(|e| e.to_string())
}
