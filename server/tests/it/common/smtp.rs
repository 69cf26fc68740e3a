//! A small SMTP server for tests: it speaks the real protocol (greeting, EHLO, MAIL FROM,
//! RCPT TO, DATA with dot-stuffing, QUIT) on a loopback port and hands each message over.

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent, after removing the dot-stuffing.
    pub data: String,
}

/// Starts the server; returns its port and the stream of received messages.
pub async fn start() -> (u16, mpsc::UnboundedReceiver<Received>) {
    start_with_delay(std::time::Duration::ZERO).await
}

/// A server that waits `delay` before accepting each message (after its last line arrived, as a
/// busy relay does): a sender is mid-conversation for that long, which the multi-node tests use
/// to kill a node while it mails.
pub async fn start_with_delay(
    delay: std::time::Duration,
) -> (u16, mpsc::UnboundedReceiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let tx = tx.clone();
            tokio::spawn(async move {
                let (r, mut w) = stream.into_split();
                let mut r = BufReader::new(r);
                let _ = w.write_all(b"220 test.local ESMTP ready\r\n").await;
                let (mut from, mut to) = (String::new(), Vec::new());
                let mut line = String::new();
                loop {
                    line.clear();
                    if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let cmd = line.trim_end().to_string();
                    let upper = cmd.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") {
                        b"250-test.local\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
                    } else if upper.starts_with("HELO") {
                        b"250 test.local\r\n"
                    } else if upper.starts_with("MAIL FROM:") {
                        from = cmd[10..]
                            .split_whitespace()
                            .next()
                            .unwrap_or("")
                            .trim_matches(['<', '>'])
                            .to_string();
                        b"250 OK\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        to.push(cmd[8..].trim().trim_matches(['<', '>']).to_string());
                        b"250 OK\r\n"
                    } else if upper == "DATA" {
                        let _ = w.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await;
                        let mut data = String::new();
                        loop {
                            line.clear();
                            if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                                return;
                            }
                            if line == ".\r\n" || line == ".\n" {
                                break;
                            }
                            let l = line.strip_prefix('.').unwrap_or(&line);
                            data.push_str(l);
                        }
                        if !delay.is_zero() {
                            tokio::time::sleep(delay).await;
                        }
                        let _ = tx.send(Received {
                            from: std::mem::take(&mut from),
                            to: std::mem::take(&mut to),
                            data,
                        });
                        b"250 OK queued\r\n"
                    } else if upper == "RSET" || upper == "NOOP" {
                        b"250 OK\r\n"
                    } else if upper == "QUIT" {
                        let _ = w.write_all(b"221 Bye\r\n").await;
                        return;
                    } else {
                        b"502 Command not implemented\r\n"
                    };
                    let _ = w.write_all(reply).await;
                }
            });
        }
    });
    (port, rx)
}

/// A mailer that sends to the test server on `port`, from Acme's success team.
pub fn mailer(port: u16) -> bellwether::mail::Mailer {
    bellwether::mail::Mailer::smtp(
        "127.0.0.1",
        port,
        bellwether::mail::SmtpTls::None,
        None,
        "Acme Success <success@acme.example>".parse().unwrap(),
        "Acme",
    )
    .unwrap()
}
