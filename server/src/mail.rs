//! Outgoing mail: the invitation queue is drained by one task per node, over SMTP (lettre) or,
//! for development, into a directory of `.eml` files.
//!
//! Invitations are queued in the database by the Send button (or the recurring scheduler) and
//! mailed here, so a send of 5 000 invitations never holds a request open, and a crash between
//! queueing and mailing loses nothing: the queue is read again on start.

use app::model::SurveyKind;
use app::state::AppState;
use app::store::invitations::{self, Outgoing};
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use maud::{html, DOCTYPE};
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
        host: &str, port: u16, tls: SmtpTls, credentials: Option<(String, String)>, from: Mailbox,
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
        Ok(Self { transport: Transport::Smtp(b.build()), from, company: company.to_string() })
    }

    pub fn dir(dir: &std::path::Path, from: Mailbox, company: &str) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)?;
        Ok(Self {
            transport: Transport::Dir(AsyncFileTransport::<Tokio1Executor>::new(dir)),
            from,
            company: company.to_string(),
        })
    }

    /// Sends one message (the alert mailer uses it too).
    pub async fn send_message(&self, m: Message) -> Result<(), String> {
        self.send(m).await
    }

    async fn send(&self, m: Message) -> Result<(), String> {
        match &self.transport {
            Transport::Smtp(t) => t.send(m).await.map(|_| ()).map_err(|e| e.to_string()),
            Transport::Dir(t) => t.send(m).await.map(|_| ()).map_err(|e| e.to_string()),
        }
    }
}

/// Mails queued invitations whenever woken (and every 30 s, to retry and to pick up what other
/// nodes queued or left), until the process ends.
pub async fn run(state: AppState, mailer: Mailer, lease: Duration) {
    loop {
        if let Err(e) = drain(&state, &mailer, lease).await {
            tracing::warn!(error = %e, "mail queue");
        }
        tokio::select! {
            _ = state.mail_wakeup.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(30).min(lease)) => {}
        }
    }
}

/// Sends claimed batches until the queue is empty or a send fails (then waits for the next
/// round). Each invitation is claimed with a lease (so of several nodes one mails it) and marked
/// in flight just before its SMTP conversation: a node that dies mid-conversation leaves it
/// reported, not mailed twice ([`invitations::UNCERTAIN`]).
pub async fn drain(
    state: &AppState, mailer: &Mailer, lease: Duration,
) -> Result<u64, app::error::AppError> {
    let mut sent = 0;
    loop {
        let batch = invitations::claim(&state.db, &state.node, 50, lease).await?;
        if batch.is_empty() {
            return Ok(sent);
        }
        let mut failed = false;
        for (i, inv) in batch.iter().enumerate() {
            if failed {
                // Not tried this round: let any node take them at its next round.
                let rest: Vec<&str> = batch[i..].iter().map(|x| x.id.as_str()).collect();
                invitations::release(&state.db, &rest, &state.node).await?;
                break;
            }
            if !invitations::begin_send(&state.db, &inv.id, &state.node, lease).await? {
                continue;
            }
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
    let to: Mailbox = format!("{} <{}>", inv.contact_name.replace(['<', '>', '"'], ""), inv.email)
        .parse()
        .or_else(|_| inv.email.parse())
        .map_err(|e| format!("bad recipient address: {e}"))?;
    let kind = inv.kind;
    let (lo, hi) = kind.range();
    let (lo_word, hi_word) = kind.scale_ends();
    let expires = inv.expires_at.get(..10).unwrap_or(&inv.expires_at);
    let first = inv.contact_name.split_whitespace().next().unwrap_or("there");
    let mut text = format!(
        "Hi {first},\n\n{}\n\nClick a score to answer ({lo} = {lo_word}, {hi} = {hi_word}):\n\n",
        inv.question
    );
    for s in lo..=hi {
        text.push_str(&format!("  {s}: {url}?score={s}\n"));
    }
    text.push_str(&format!(
        "\nOr open the survey: {url}\n\nIt takes a few seconds, and your answer goes straight to the team that \
         looks after {}.\nThis link is yours alone and works until {expires}.\n\n{}\n",
        inv.account_name.as_deref().unwrap_or("your account"),
        mailer.company
    ));
    let html = invitation_html(&Invitation {
        first,
        question: &inv.question,
        url,
        scale: (lo, hi),
        words: (lo_word, hi_word),
        expires,
        company: &mailer.company,
    });
    let subject = match kind {
        SurveyKind::Nps => format!("{}: one quick question", mailer.company),
        SurveyKind::Csat => format!("How did we do? ({})", mailer.company),
        SurveyKind::Ces => format!("Was it easy? ({})", mailer.company),
    };
    two_part(mailer, to, subject, text, html)
}

/// A message from `mailer` to `to` with a plain-text and an HTML part (invitations and alert
/// mail alike).
pub fn two_part(
    mailer: &Mailer, to: Mailbox, subject: String, text: String, html: String,
) -> Result<Message, String> {
    Message::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(subject)
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(text))
                .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(html)),
        )
        .map_err(|e| e.to_string())
}

/// What the invitation's HTML part shows.
struct Invitation<'a> {
    first: &'a str,
    question: &'a str,
    url: &'a str,
    scale: (i64, i64),
    words: (&'a str, &'a str),
    expires: &'a str,
    company: &'a str,
}

/// The HTML part, escaped by construction (maud, like the public pages). Mail clients ignore
/// style sheets, so the styles are inline.
fn invitation_html(i: &Invitation) -> String {
    const CELL: &str = "display:block;min-width:28px;padding:10px 4px;text-align:center;border:1px solid #9aa5b1;\
                        border-radius:6px;color:#1f2933;text-decoration:none;font:600 16px sans-serif";
    const SMALL: &str = "font-size:13px;color:#52606d";
    let (lo, hi) = i.scale;
    let (lo_word, hi_word) = i.words;
    html! {
        (DOCTYPE)
        html {
            body style="font:16px/1.5 sans-serif;color:#1f2933;max-width:560px;margin:auto;padding:16px" {
                p { "Hi " (i.first) "," }
                p style="font-size:18px;font-weight:600" { (i.question) }
                table role="presentation" style="border-collapse:collapse" {
                    tr {
                        @for s in lo..=hi {
                            td style="padding:2px" { a href=(format!("{}?score={s}", i.url)) style=(CELL) { (s) } }
                        }
                    }
                }
                table role="presentation" style={"width:100%;" (SMALL)} {
                    tr {
                        td { (lo) " = " (lo_word) }
                        td style="text-align:right" { (hi) " = " (hi_word) }
                    }
                }
                p { "Or " a href=(i.url) { "open the survey" } ". It takes a few seconds." }
                p style=(SMALL) { "This link is yours alone and works until " (i.expires) "." br; (i.company) }
            }
        }
    }
    .into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_invitation_html_escapes_what_people_typed() {
        let html = invitation_html(&Invitation {
            first: "<b>Dana</b>",
            question: "How likely… <script>alert(1)</script>",
            url: "https://cs.example/s/abc\"onmouseover=x",
            scale: (0, 10),
            words: ("Not at all likely", "Extremely likely"),
            expires: "2027-01-01",
            company: "Acme & Co",
        });
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("Hi &lt;b&gt;Dana&lt;/b&gt;,"));
        assert!(html.contains("Acme &amp; Co"));
        assert!(!html.contains("abc\"onmouseover"), "attribute values are escaped");
        assert_eq!(html.matches("?score=").count(), 11, "one link per score, 0–10");
        assert!(html.contains("href=\"https://cs.example/s/abc&quot;onmouseover=x?score=10\""));
    }
}
