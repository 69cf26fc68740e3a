//! Several Bellwether nodes on one real SurrealDB server (the `surreal` binary built from the
//! crates registry, on a loopback port with a data directory): sessions work on every node, a
//! write on one reaches the pages open on the other, and shared work — the invitation mail
//! queue, the hourly pass — is done once across them, also when a node is killed mid-work.

use crate::common::cluster::*;
use crate::common::*;
use reqwest::StatusCode;
use std::collections::HashMap;
use std::time::Duration;

/// What every node of these tests is told: mail through the test SMTP server, short leases and
/// a short "hourly" pass, so that take-overs happen within seconds.
fn node_env(smtp_port: u16, lease_secs: u64) -> Vec<(&'static str, String)> {
    vec![
        ("BELLWETHER_SMTP_HOST", "127.0.0.1".into()),
        ("BELLWETHER_SMTP_PORT", smtp_port.to_string()),
        ("BELLWETHER_SMTP_TLS", "none".into()),
        ("BELLWETHER_LEASE_SECS", lease_secs.to_string()),
        ("BELLWETHER_HOURLY_SECS", "2".into()),
        // Several nodes' requests all come from 127.0.0.1 here.
        ("BELLWETHER_LOGIN_RATE", "1000".into()),
    ]
}

/// The admin signed in on node `a`, and the same browser (cookie jar) pointed at node `b`.
async fn admin_on_both(a: &Node, b: &Node) -> (Client, Client) {
    let ca = Client::at(&a.base);
    ca.ok("auth/setup", &setup_form("Ada", SETUP_CODE)).await;
    let (status, _) = ca.call("auth/login", &ADMIN_LOGIN).await;
    assert_eq!(status, StatusCode::OK);
    let cb = Client { http: ca.http.clone(), base: b.base.clone() };
    (ca, cb)
}

/// Whether the server knows `c`'s session (`auth/me` answers the user, or null).
async fn signed_in(c: &Client) -> bool {
    let me = c.ok("auth/me", &[]).await;
    me.is_object()
}

/// `accounts` new accounts with `per` contacts each (distinct addresses); their ids.
async fn accounts_with_contacts(
    c: &Client, prefix: &str, accounts: usize, per: usize,
) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..accounts {
        let id = create_account(c, &format!("{prefix} {i}"), "smb").await;
        for j in 0..per {
            let email = format!("c{i}-{j}@{}.example", prefix.to_lowercase());
            add_contact(c, &id, &format!("Contact {i}-{j}"), &email, &[]).await;
        }
        ids.push(id);
    }
    ids
}

/// Sends an NPS survey of `accounts` from `c`'s node; how many invitations it queued.
async fn send_nps(c: &Client, name: &str, accounts: &[String]) -> u64 {
    let ids: Vec<&str> = accounts.iter().map(String::as_str).collect();
    let (status, survey) = create_survey(c, name, "nps", &ids).await;
    assert_eq!(status, StatusCode::OK, "{survey}");
    let sent = c.ok("surveys/send", &[("id", &id_of(&survey))]).await;
    sent["queued"].as_u64().expect("a queued count")
}

/// Reads the live stream until an event named `changed` arrives (or `within` passes).
async fn changed_within(stream: &mut reqwest::Response, within: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    let mut seen = String::new();
    while !seen.contains("event: changed") {
        match tokio::time::timeout_at(deadline, stream.chunk()).await {
            Ok(Ok(Some(bytes))) => seen.push_str(&String::from_utf8_lossy(&bytes)),
            _ => return false,
        }
    }
    true
}

#[derive(serde::Deserialize, Debug)]
struct InvitationRow {
    email: String,
    mail_status: String,
    #[serde(default)]
    mail_error: Option<String>,
}

async fn invitations(db: &app::store::Db) -> Vec<InvitationRow> {
    let mut r = db.query("SELECT email, mail_status, mail_error FROM invitation").await.unwrap();
    let v: surrealdb::types::Value = r.take(0).unwrap();
    serde_json::from_value(v.into_json_value()).unwrap()
}

/// Every mail that arrives until none has for `quiet`.
async fn drain(
    inbox: &mut tokio::sync::mpsc::UnboundedReceiver<smtp::Received>, quiet: Duration,
) -> Vec<String> {
    let mut to = Vec::new();
    while let Ok(Some(m)) = tokio::time::timeout(quiet, inbox.recv()).await {
        to.extend(m.to);
    }
    to
}

fn counts(to: &[String]) -> HashMap<&str, usize> {
    let mut n = HashMap::new();
    for t in to {
        *n.entry(t.as_str()).or_default() += 1;
    }
    n
}

#[tokio::test]
async fn two_nodes_share_sessions_live_pages_and_do_shared_work_once() {
    let dir = tempfile::tempdir().unwrap();
    let surreal = Surreal::start(&dir.path().join("db")).await;
    let (smtp_port, mut inbox) = smtp::start().await;
    let env = node_env(smtp_port, 3);
    // Started together on an empty database: they race to apply the migrations.
    let url = surreal.url();
    let (a, b) = tokio::join!(Node::start(&url, &env), Node::start(&url, &env));
    let (ca, cb) = admin_on_both(&a, &b).await;

    // A session made on one node is good on the other.
    assert!(signed_in(&cb).await, "B does not know A's session");

    // An account written on A shows in B's portfolio (B's index follows the live query).
    let (account, _) =
        account_with_champion(&ca, "Northwind", "Nia Lee", "nia@northwind.example").await;
    eventually(Duration::from_secs(10), "B's portfolio lists A's account", || async {
        portfolio_total(&cb, &[("filter[q]", "Northwind")]).await == 1
    })
    .await;

    // A page open on B hears about a plan change made on A.
    let plan = onboarding_plan(&ca, &account, "Onboarding", &today()).await;
    let task = id_of(&tasks_of(&plan_detail(&ca, &plan).await)[0]);
    let mut live =
        cb.get_accepting(&format!("/live/accounts/{account}"), "text/event-stream").await;
    assert_eq!(live.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(500)).await; // the stream is subscribed
    let edited = ca.ok("plans/task/status", &[("id", &task), ("status", "in_progress")]).await;
    assert!(edited["plan"].is_object(), "{edited}");
    assert!(changed_within(&mut live, Duration::from_secs(10)).await, "B's page was not told");
    // The touch alone (no account row change) reaches B: what a plan edit that moves no score
    // relies on.
    let direct = surreal.connect().await;
    let mut live =
        cb.get_accepting(&format!("/live/accounts/{account}"), "text/event-stream").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    app::store::activity::touch(&direct, &account, "another-node").await.unwrap();
    assert!(changed_within(&mut live, Duration::from_secs(10)).await, "a touch did not reach B");

    // 30 invitations queued on B are mailed once each, whichever node's mailer takes them.
    let accounts = accounts_with_contacts(&ca, "Mailco", 3, 10).await;
    assert_eq!(send_nps(&cb, "Q4 NPS", &accounts).await, 30);
    let to = drain(&mut inbox, Duration::from_secs(8)).await;
    let n = counts(&to);
    assert_eq!(n.len(), 30, "every contact got the mail: {n:?}");
    assert!(n.values().all(|&k| k == 1), "a contact got it twice: {n:?}");
    assert!(invitations(&direct).await.iter().all(|i| i.mail_status == "sent"));

    // The hourly pass (every 2 s here) ran several times, never twice at once, never early.
    let runs = app::store::jobs::runs(&direct, bellwether::jobs::HOURLY).await.unwrap();
    assert!(runs.len() >= 3, "the pass ran {} times", runs.len());
    for w in runs.windows(2) {
        let gap = w[1].started_at - w[0].finished_at;
        assert!(
            gap >= chrono::Duration::milliseconds(1900),
            "runs overlapped or came early: {runs:?}"
        );
    }

    // Signing out on A ends the session on B too.
    ca.ok("auth/logout", &[]).await;
    assert!(!signed_in(&cb).await, "B kept a session signed out on A");
}

#[tokio::test]
async fn a_node_killed_while_mailing_leaves_the_rest_to_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let surreal = Surreal::start(&dir.path().join("db")).await;
    // A slow relay: each mail takes 150 ms, so the kill lands mid-queue (and likely mid-mail).
    let (smtp_port, mut inbox) = smtp::start_with_delay(Duration::from_millis(150)).await;
    let env = node_env(smtp_port, 2);
    let mut a = Node::start(&surreal.url(), &env).await;
    let b = Node::start(&surreal.url(), &env).await;
    let (ca, cb) = admin_on_both(&a, &b).await;
    let accounts = accounts_with_contacts(&ca, "Killco", 4, 10).await;
    assert_eq!(send_nps(&ca, "Kill NPS", &accounts).await, 40);

    let mut to = Vec::new();
    while to.len() < 5 {
        let m = tokio::time::timeout(Duration::from_secs(20), inbox.recv())
            .await
            .expect("mail")
            .unwrap();
        to.extend(m.to);
    }
    a.kill();

    let direct = surreal.connect().await;
    eventually(Duration::from_secs(60), "the other node mailed the rest", || async {
        invitations(&direct).await.iter().all(|i| i.mail_status != "queued")
    })
    .await;
    to.extend(drain(&mut inbox, Duration::from_secs(3)).await);
    let n = counts(&to);
    let rows = invitations(&direct).await;
    let uncertain: Vec<&InvitationRow> = rows
        .iter()
        .filter(|i| i.mail_error.as_deref() == Some(app::store::invitations::UNCERTAIN))
        .collect();
    assert!(
        uncertain.len() <= 1,
        "only the mail in flight at the kill is uncertain: {uncertain:?}"
    );
    for i in &rows {
        let got = n.get(i.email.as_str()).copied().unwrap_or(0);
        match i.mail_status.as_str() {
            "sent" => assert_eq!(got, 1, "{} was sent {got} times", i.email),
            _ => {
                assert!(uncertain.iter().any(|u| u.email == i.email), "{i:?} failed");
                assert!(got <= 1, "{} arrived {got} times", i.email);
            }
        }
    }
    assert!(n.values().all(|&k| k == 1), "no mail twice: {n:?}");

    // The killed node comes back on the same database; the session still works there.
    a.restart().await;
    assert!(signed_in(&ca).await && signed_in(&cb).await);
}
